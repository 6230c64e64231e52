/*
 * NAME
 *	tar 3
 * SUMMARY
 *	streaming tar walker
 * SYNOPSIS
 *	#include "tar.h"
 *
 *	const struct analyser tar_analyser;
 *
 *	int	tar_header_ok(p, len)
 * DESCRIPTION
 *	The tar analyser walks 512-byte headers (v7, ustar, GNU, pax) as
 *	they stream by.  Each regular file (and each entry of a type we
 *	do not know, which tar extracts as a regular file) is opened
 *	one archive level deeper with node_open(): its declared size is
 *	the header's (octal or GNU base-256), overridden by a pax size
 *	record, or, for a sparse file, the real size it claims (GNU 'S'
 *	or pax GNU.sparse.realsize).  Its data bytes are then fed to the
 *	member node, which sniffs them, so a zip inside a tar is found.
 *	Holes of sparse files are never expanded and no size read from
 *	a header ever sizes an allocation.
 *
 *	GNU long names ('L') are kept (first 255 bytes) for the record's
 *	where path, long link names ('K') skipped; pax extended headers
 *	('x') are parsed record by record for size, path and the GNU
 *	sparse keys; global ones ('g') are skipped.  Links, directories
 *	and devices carry no data.  Two zero blocks end the archive; a
 *	header with a bad checksum, a negative or unreadable size ends
 *	it too, with finding archive_malformed.
 *
 *	tar_header_ok() is the content test behind tar_probe(): a header
 *	whose checksum (unsigned or signed sum) is right.
 * STATE
 *	An enum-driven push parser; the header is assembled in a fixed
 *	512-byte buffer, pax records are parsed a byte at a time with a
 *	bounded key and value.  Member data goes on in 512-byte pieces
 *	(the last may be shorter), gathered in the same buffer, so the
 *	member node sees the same calls whatever the split of the input.
 * MEMORY
 *	About 1.7 KiB per open tar, fixed.  Members cost what their own
 *	nodes cost.
 * BUGS
 *	Multi-volume and star archives are read as plain ustar.  pax
 *	global headers are not applied.
 */

#include <string.h>

#include "msg.h"
#include "name.h"
#include "node.h"
#include "tar.h"
#include "walker.h"

#define TAR_BLOCK	512
#define TAR_NAME_MAX	255
#define TAR_KEY_MAX	32

enum tar_state {
	TS_HDR,				/* assemble a header block */
	TS_SPARSE_EXT,			/* GNU extended sparse header blocks */
	TS_META,			/* long name or pax data */
	TS_DATA,			/* member data */
	TS_PAD,				/* up to the next block */
	TS_END,				/* after the end: ignored */
};

enum pax_state { PX_LEN, PX_KEY, PX_VAL, PX_BAD };

struct tar {
	struct walker w;		/* first: node, msg, member, stop */
	enum tar_state st;
	uint8_t hdr[TAR_BLOCK];
	size_t	have;
	unsigned zeros;			/* zero blocks in a row */
	uint64_t dsize;			/* data bytes of this entry */
	uint64_t remain;		/* data bytes left */
	uint64_t pad;			/* padding bytes left */
	int	meta;			/* 'L', 'K', 'x', 'g' */
	/* overrides for the next entry */
	char	lname[TAR_NAME_MAX + 1];
	size_t	lname_len;
	int	has_lname;
	int	lname_end;		/* its NUL was seen: the rest is not name */
	char	ppath[TAR_NAME_MAX + 1];
	size_t	ppath_len;
	int	has_ppath;
	uint64_t psize;
	int	has_psize;
	uint64_t preal;
	int	has_preal;
	/* pax record parser */
	enum pax_state px;
	uint64_t px_len;		/* record length */
	uint64_t px_got;		/* bytes of the record read */
	unsigned px_digits;
	char	px_key[TAR_KEY_MAX + 1];
	size_t	px_klen;
	char	px_val[TAR_NAME_MAX + 1];
	size_t	px_vlen;
	/* the name of the current entry */
	char	name[TAR_NAME_MAX + 1];
	size_t	nlen;
};

/* tar_num - a numeric field: octal, or GNU base-256; -1 if invalid */

static int tar_num(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t  i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return (-1);			/* negative */
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return (-1);
			v = v << 8 | f[i];
		}
		*out = v;
		return (0);
	}
	while (i < len && (f[i] == ' ' || f[i] == '\t'))
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return (-1);
		v = v << 3 | (uint64_t) (f[i] - '0');
	}
	for (; i < len && f[i] != 0; i++)
		if (f[i] != ' ')
			return (-1);
	*out = v;
	return (0);
}

/* tar_header_ok - a header block whose checksum holds */

int     tar_header_ok(const uint8_t *h, size_t len)
{
	uint64_t want;
	unsigned long usum = 0;
	long    ssum = 0;
	int     nonzero = 0;

	if (len < TAR_BLOCK || tar_num(h + 148, 8, &want) != 0)
		return (0);
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		uint8_t b = (i >= 148 && i < 156) ? ' ' : h[i];

		usum += b;
		ssum += (signed char) b;
		nonzero |= h[i];
	}
	return (nonzero && (want == usum || (int64_t) want == ssum));
}

/* tar_bad - the archive is broken here: note it, read no further */

static int tar_bad(struct tar *t)
{
	t->st = TS_END;
	return (walker_finding(&t->w, FIND_ARCHIVE_MALFORMED));
}

/* tar_copy_name - keep a name in TAR_NAME_MAX bytes, its end included,
 * stopping at NUL */

static size_t tar_copy_name(char *dst, size_t at, const uint8_t *src, size_t len)
{
	const uint8_t *nul = memchr(src, 0, len);

	return (name_put(dst, TAR_NAME_MAX + 1, at, src, nul ? (size_t) (nul - src) : len));
}

/* tar_entry_name - the name of the entry whose header is in hdr */

static void tar_entry_name(struct tar *t)
{
	const uint8_t *h = t->hdr;

	if (t->has_ppath) {
		memcpy(t->name, t->ppath, t->ppath_len + 1);
		t->nlen = t->ppath_len;
	} else if (t->has_lname) {
		memcpy(t->name, t->lname, t->lname_len + 1);
		t->nlen = t->lname_len;
	} else {
		t->nlen = 0;
		if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345] != 0) {
			t->nlen = tar_copy_name(t->name, 0, h + 345, 155);
			t->nlen = tar_copy_name(t->name, t->nlen, (const uint8_t *) "/", 1);
		}
		t->nlen = tar_copy_name(t->name, t->nlen, h, 100);
	}
}

/* tar_overrides_done - pax and long-name values apply to one entry */

static void tar_overrides_done(struct tar *t)
{
	t->has_lname = t->has_ppath = t->has_psize = t->has_preal = 0;
	t->lname_len = t->ppath_len = 0;
}

/* tar_pax_record - one complete pax record */

static int tar_pax_record(struct tar *t)
{
	uint64_t v = 0;
	const char *k = t->px_key;
	int     num = strcmp(k, "size") == 0 || strcmp(k, "GNU.sparse.realsize") == 0
		|| strcmp(k, "GNU.sparse.size") == 0;

	if (t->meta != 'x')
		return (0);
	if (num) {
		size_t  i;

		if (t->px_vlen == 0)
			return (tar_bad(t));
		for (i = 0; i < t->px_vlen; i++) {
			if (t->px_val[i] < '0' || t->px_val[i] > '9' || v > UINT64_MAX / 10 - 1)
				return (tar_bad(t));
			v = v * 10 + (uint64_t) (t->px_val[i] - '0');
		}
		if (k[0] == 's')
			t->psize = v, t->has_psize = 1;
		else
			t->preal = v, t->has_preal = 1;
	} else if (strcmp(k, "path") == 0 || strcmp(k, "GNU.sparse.name") == 0) {
		memcpy(t->ppath, t->px_val, t->px_vlen + 1);
		t->ppath_len = t->px_vlen;
		t->has_ppath = 1;
	}
	return (0);
}

/* tar_pax_byte - the pax record parser, one byte at a time */

static int tar_pax_byte(struct tar *t, uint8_t b)
{
	switch (t->px) {
	case PX_LEN:
		t->px_got++;
		if (b >= '0' && b <= '9' && t->px_digits < 19) {
			t->px_len = t->px_len * 10 + (uint64_t) (b - '0');
			t->px_digits++;
			return (0);
		}
		if (b == ' ' && t->px_digits > 0 && t->px_len > t->px_got) {
			t->px = PX_KEY;
			t->px_klen = 0;
			return (0);
		}
		t->px = PX_BAD;
		return (tar_bad(t));
	case PX_KEY:
		t->px_got++;
		if (t->px_got >= t->px_len) {
			t->px = PX_BAD;
			return (tar_bad(t));
		}
		if (b == '=') {
			t->px_key[t->px_klen] = 0;
			t->px = PX_VAL;
			t->px_vlen = 0;
			return (0);
		}
		if (t->px_klen < TAR_KEY_MAX)
			t->px_key[t->px_klen++] = (char) b;
		return (0);
	case PX_VAL:
		t->px_got++;
		if (t->px_got == t->px_len) {
			t->px_val[t->px_vlen] = 0;
			t->px = PX_LEN;
			t->px_len = t->px_got = 0;
			t->px_digits = 0;
			if (b != '\n')
				return (tar_bad(t));
			return (tar_pax_record(t));
		}
		t->px_vlen = name_put(t->px_val, sizeof(t->px_val), t->px_vlen, &b, 1);
		return (0);
	case PX_BAD:
		return (0);
	}
	return (0);
}

/* tar_after_data - data over: padding, then the next header */

static void tar_after_data(struct tar *t, uint64_t size)
{
	t->pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
	t->st = TS_PAD;
	t->have = 0;
}

/* tar_member_close - the member's data is over */

static int tar_member_close(struct tar *t)
{
	return (walker_member_close(&t->w));
}

/* tar_header - a complete header block */

static int tar_header(struct tar *t)
{
	const uint8_t *h = t->hdr;
	uint64_t size, real, declared;
	int     type = h[156];
	int     zero = 1;

	for (size_t i = 0; i < TAR_BLOCK && zero; i++)
		zero = h[i] == 0;
	t->have = 0;
	if (zero) {
		if (++t->zeros >= 2)
			t->st = TS_END;
		return (0);
	}
	if (!tar_header_ok(h, TAR_BLOCK)) {
		if (t->zeros > 0) {		/* junk after the end block */
			t->st = TS_END;
			return (0);
		}
		return (tar_bad(t));
	}
	t->zeros = 0;
	if (msg_entry(t->w.msg, t->w.node) != 0)
		return (walker_halt(&t->w));
	if (tar_num(h + 124, 12, &size) != 0)
		return (tar_bad(t));
	if (t->has_psize && type != 'x' && type != 'g')
		size = t->psize;
	t->dsize = size;
	switch (type) {
	case 'L': case 'K': case 'x': case 'g':
		t->meta = type;
		t->remain = size;
		t->st = TS_META;
		if (type == 'L') {
			t->lname_len = 0;
			t->lname_end = 0;
			t->has_lname = 1;
			t->lname[0] = 0;
		}
		t->px = PX_LEN;
		t->px_len = t->px_got = 0;
		t->px_digits = 0;
		return (0);
	case '1': case '2': case '3': case '4': case '5': case '6': case 'V':
		tar_overrides_done(t);
		tar_after_data(t, 0);
		return (0);
	}
	tar_entry_name(t);
	declared = size;
	if (type == 'S') {
		if (tar_num(h + 483, 12, &real) != 0)
			return (tar_bad(t));
		if (real > declared)
			declared = real;
	}
	if (t->has_preal && t->preal > declared)
		declared = t->preal;
	tar_overrides_done(t);
	if (walker_member_open(&t->w, t->name, t->nlen, declared, 0))
		return (1);
	t->remain = size;
	if (type == 'S' && h[482] != 0) {
		t->st = TS_SPARSE_EXT;
		return (0);
	}
	t->st = TS_DATA;
	return (0);
}

/* tar_data_flush - hand the gathered data to the member */

static int tar_data_flush(struct tar *t)
{
	size_t  n = t->have;

	t->have = 0;
	if (n > 0 && t->w.member && node_feed(t->w.member, t->hdr, n) != 0)
		return (walker_halt(&t->w));
	return (0);
}

/* tar_data - member data, handed on in TAR_BLOCK pieces */

static size_t tar_data(struct tar *t, const uint8_t *p, size_t n)
{
	size_t  k;

	/* A whole block in the input goes on from there: the member sees
	 * the same 512-byte calls, without the copy. */
	if (t->have == 0 && n >= TAR_BLOCK && t->remain >= TAR_BLOCK) {
		t->remain -= TAR_BLOCK;
		if (t->w.member && node_feed(t->w.member, p, TAR_BLOCK) != 0) {
			walker_halt(&t->w);
			return (TAR_BLOCK);
		}
		if (t->remain == 0 && tar_member_close(t) == 0)
			tar_after_data(t, t->dsize);
		return (TAR_BLOCK);
	}
	k = walker_take(t->hdr, &t->have, TAR_BLOCK, p, n < t->remain ? n : (size_t) t->remain);
	t->remain -= k;
	if ((t->have == TAR_BLOCK || t->remain == 0) && tar_data_flush(t))
		return (k);
	if (t->remain == 0 && tar_member_close(t) == 0)
		tar_after_data(t, t->dsize);
	return (k);
}

/* tar_step - one state's worth of input; returns bytes used */

static size_t tar_step(struct tar *t, const uint8_t *p, size_t n)
{
	size_t  k;

	switch (t->st) {
	case TS_HDR:
	case TS_SPARSE_EXT:
		k = walker_take(t->hdr, &t->have, TAR_BLOCK, p, n);
		if (t->have == TAR_BLOCK) {
			if (t->st == TS_HDR)
				tar_header(t);
			else if (t->hdr[504] == 0)
				t->st = TS_DATA;
			t->have = 0;
		}
		return (k);
	case TS_META:
		k = t->remain < n ? (size_t) t->remain : n;
		if (t->meta == 'L' && !t->lname_end) {
			t->lname_len = tar_copy_name(t->lname, t->lname_len, p, k);
			t->lname_end = k > 0 && memchr(p, 0, k) != 0;
		} else if (t->meta == 'x' || t->meta == 'g')
			for (size_t i = 0; i < k && t->st == TS_META; i++)
				tar_pax_byte(t, p[i]);
		if (t->st != TS_META)		/* broken pax data */
			return (k);
		t->remain -= k;
		if (t->remain == 0)
			tar_after_data(t, t->dsize);
		return (k);
	case TS_DATA:
		return (tar_data(t, p, n));
	case TS_PAD:
		k = t->pad < n ? (size_t) t->pad : n;
		t->pad -= k;
		if (t->pad == 0)
			t->st = TS_HDR;
		return (k);
	case TS_END:
		return (n);
	}
	return (n);
}

/* tar_run - feed bytes through the states */

static int tar_run(struct tar *t, const uint8_t *p, size_t n)
{
	size_t  k;
	enum tar_state was;

	while (!t->w.stop) {
		was = t->st;
		k = tar_step(t, p, n);
		if (k > 0)
			p += k, n -= k;		/* p may be NULL at finish */
		if (k == 0 && t->st == was) {
			if (n > 0 && !t->w.stop)
				return (walker_internal(&t->w));	/* cannot move */
			break;
		}
	}
	return (t->w.stop);
}

/* tar_probe - is this stream a tar? (the format table's probe) */

int     tar_probe(const char *type, const uint8_t *win, size_t len)
{
	(void) type;
	return (tar_header_ok(win, len));
}

/* tar_open - a tar stream starts */

static void *tar_open(struct node *node)
{
	struct acct *acct = msg_acct(node->msg);
	struct tar *t;

	if ((t = acct_calloc(acct, ACCT_ARCHIVE, 1, sizeof(*t))) == 0)
		return (NULL);
	walker_init(&t->w, node);
	t->st = TS_HDR;
	return (t);
}

/* tar_feed - more of the stream */

static int tar_feed(void *state, const uint8_t *p, size_t n)
{
	struct tar *t = state;

	return (t->w.stop ? 1 : tar_run(t, p, n));
}

/* tar_finish - end of the stream */

static int tar_finish(void *state)
{
	struct tar *t = state;
	int     truncated;

	if (t->w.stop || tar_run(t, 0, 0))
		return (1);
	truncated = t->w.member != 0 || t->st == TS_META || t->st == TS_SPARSE_EXT
		|| (t->st == TS_HDR && t->have > 0);
	if (t->st == TS_DATA && tar_data_flush(t))
		return (1);
	if (tar_member_close(t))
		return (1);
	if (truncated)
		return (walker_finding(&t->w, FIND_ARCHIVE_TRUNCATED));
	return (0);
}

/* tar_free - release everything; returns NULL */

static void *tar_free(void *state)
{
	struct tar *t = state;

	if (t == 0)
		return (NULL);
	walker_member_free(&t->w);
	acct_free(t->w.acct, t);
	return (NULL);
}

const struct analyser tar_analyser = {
	.name = "tar", .open = tar_open, .feed = tar_feed, .finish = tar_finish,
	.free = tar_free,
};
