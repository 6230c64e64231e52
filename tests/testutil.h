/*
 * testutil - what every test of defuse needs: the corpus, running the
 * engine over a buffer in a chosen chunking, comparing records, and
 * building messages (attachments, bombs) at test time.
 */
#ifndef DEFUSE_TESTUTIL_H
#define DEFUSE_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "msg.h"

/* The shared corpus folder ($DEFUSE_CORPUS, else ../shared/corpus beside
 * the source tree), or NULL when it is not there. */
extern const char *tu_corpus(void);

/* Read a whole file; NULL on error.  Free with free(). */
extern uint8_t *tu_read_file(const char *path, size_t *len);

/* A configuration with the built-in defaults (static storage). */
extern struct conf *tu_conf(void);

/*
 * Run the engine over a raw message and fill *rec.  chunk 0 feeds it
 * whole, N feeds N bytes at a time.  fail_at is acct's fault hook (0:
 * none).  Returns the allocation count the run made (for sweeps).  The
 * run asserts that the engine freed everything it allocated.
 */
extern unsigned long tu_scan(const struct conf *, const uint8_t *, size_t,
			             size_t chunk, unsigned long fail_at,
			             struct record *rec);

/* The same, cut at the given offsets (ascending). */
extern void tu_scan_cuts(const struct conf *, const uint8_t *, size_t,
			         const size_t *cuts, size_t ncuts, struct record *);

/* The same, in pseudo-random chunk sizes from 1 to max drawn from seed. */
extern void tu_scan_random(const struct conf *, const uint8_t *, size_t,
			           unsigned seed, size_t max, struct record *);

/* The milter's way: header fields one by one, then body chunks. */
extern void tu_scan_milter(const struct conf *, const uint8_t *, size_t,
			           size_t chunk, struct record *);

/* Records equal in all but ms?  On difference, *why names the field. */
extern int tu_record_eq(const struct record *, const struct record *,
			        const char **why);

/* A one-line rendering of a record for failure messages (static buffer). */
extern const char *tu_record_str(const struct record *);

/* Growable byte buffer for building messages. */
struct tu_buf {
	uint8_t *p;
	size_t	len;
	size_t	cap;
};
extern void tu_put(struct tu_buf *, const void *, size_t);
extern void tu_puts(struct tu_buf *, const char *);
extern void tu_printf(struct tu_buf *, const char *, ...)
	__attribute__((format(printf, 2, 3)));
extern void tu_put_base64(struct tu_buf *, const uint8_t *, size_t, const char *eol);
extern void tu_put_qp(struct tu_buf *, const uint8_t *, size_t, const char *eol);

/* tu_message_attach's preamble, a leaf of its own in ripmime's reading
 * (RD_PREAMBLE): it counts among the parts and the decoded bytes. */
#define TU_PREAMBLE_LEN	44

/*
 * A whole message with one attachment: headers, a text part, then the
 * attachment of the given Content-Type, file name (NULL: none) and
 * transfer encoding ("base64", "quoted-printable", "7bit", ...).
 */
extern void tu_message_attach(struct tu_buf *, const char *ctype,
			              const char *filename, const char *cte,
			              const uint8_t *data, size_t len);

#endif
