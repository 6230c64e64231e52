/*
 * trace - the event log of a text scanner under test (uu, yEnc, BinHex):
 * events are appended as text ("[B:name]", data bytes, "[E1]"), and any
 * event can be made to stop the scanner.  Shared by test_uu, test_yenc.
 */
#ifndef DEFUSE_TEST_TRACE_H
#define DEFUSE_TEST_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct trace {
	char   *p;
	size_t	n;
	size_t	cap;
	int	events;
	int	stop_at;		/* 1-based event that stops; 0 = never */
	int	stop;			/* what it returns */
	int	stopped;
};

extern void tr_put(struct trace *, const void *, size_t);
extern int tr_event(struct trace *);		/* counts; the stop's value */
extern int tr_name(struct trace *, const char *, size_t, const char *tail);
extern int tr_data(void *ctx, const uint8_t *, size_t);
extern int tr_end(void *ctx, int clean);
extern void tr_free(struct trace *);
extern int tr_same(const void *, const void *, size_t);	/* memcmp, n may be 0 */
extern uint32_t tr_rng(void);			/* deterministic */

/*
 * Splits: check(arg, cuts, ncuts) is called for the input of len bytes
 * fed whole and byte by byte (tr_bytewise), cut at every one and every
 * two points (tr_every_cut), and in rounds random chunkings of up to
 * 1 + round % 9 bytes (tr_random_chunks).
 */
typedef void (*tr_check_fn)(const void *arg, const size_t *cuts, size_t ncuts);
extern void tr_bytewise(size_t len, tr_check_fn, const void *arg);
extern void tr_every_cut(size_t len, tr_check_fn, const void *arg);
extern void tr_random_chunks(size_t len, unsigned rounds, tr_check_fn, const void *arg);

#endif
