/*
 * NAME
 *	codec_impl 3h
 * SUMMARY
 *	what the codec's backends see: the state and the ops table
 * SYNOPSIS
 *	#include "codec_impl.h"
 * DESCRIPTION
 *	Private to milter/engine/codec/.  The generic part (codec.c) owns
 *	struct codec and the output rule; a backend (codec_zlib.c,
 *	codec_bzip2.c, codec_xz.c, codec_zstd.c) owns its library's state,
 *	which lives in the same block as struct codec (state[], ops->size
 *	bytes), so that one codec is one allocation of ours plus what the
 *	library asks for.
 *
 *	A backend does one thing: step() hands the library what it is
 *	offered and says what came of it.  It never calls the sink and
 *	never decides when output goes: that is codec.c's output rule,
 *	written once.
 */
#ifndef DEFUSE_CODEC_IMPL_H
#define DEFUSE_CODEC_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/*
 * One call of a backend: the input offered (in may be NULL when in_len
 * is 0), the room offered (out_len may be 0: a decoder blocked on output
 * is still asked to take what it can without room, which is what makes
 * total_in independent of the split), and the finish flag (the input is
 * over: codec_finish()).  The backend sets took and made.
 */
struct codec_io {
	const uint8_t *in;
	size_t	in_len;
	size_t	took;			/* input bytes the library took */
	uint8_t *out;
	size_t	out_len;
	size_t	made;			/* output bytes it wrote */
	int	finish;
};

/*
 * The ops.  init() and reset() return CODEC_MORE or an error (init
 * leaves nothing allocated when it fails; end() is then not called).
 * step() returns CODEC_MORE (it went as far as it could: no progress is
 * no error, codec.c judges it), CODEC_END (the stream is over and all
 * its output was written), or CODEC_ERROR, CODEC_NOMEM, CODEC_TOOBIG.
 * end() releases what the library holds.
 */
struct codec_ops {
	size_t	size;			/* bytes of backend state */
	int	(*init)(struct codec *);
	int	(*reset)(struct codec *);
	int	(*step)(struct codec *, struct codec_io *);
	void	(*end)(struct codec *);
};

struct codec {
	struct acct *acct;
	enum codec_kind kind;
	const struct codec_ops *ops;
	struct codec_opts opts;
	int	err;			/* sticky CODEC_ERROR, _NOMEM or _TOOBIG */
	int	ended;			/* CODEC_END seen since new/reset */
	uint64_t total_in;		/* compressed bytes taken */
	uint64_t total_out;		/* bytes handed to the sink */
	uint64_t window;		/* see codec_window(); set by the backend */
	size_t	have;			/* bytes waiting in out */
	uint8_t out[CODEC_CHUNK];
	/* the backend's state, ops->size bytes */
	_Alignas(max_align_t) unsigned char state[];
};

extern const struct codec_ops codec_zlib_ops;
extern const struct codec_ops codec_bzip2_ops;
extern const struct codec_ops codec_xz_ops;	/* xz, lzma, lzma-zip */
extern const struct codec_ops codec_zstd_ops;

#endif
