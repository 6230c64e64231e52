/*
 * NAME
 *	msg 3
 * SUMMARY
 *	one message under analysis: limits, accounting, verdict
 * SYNOPSIS
 *	#include "msg.h"
 *
 *	struct msg *msg_new(conf, budget, fail_at)
 *	int	msg_feed(msg, buf, len)
 *	int	msg_header(msg, name, value)
 *	int	msg_eoh(msg)
 *	int	msg_body(msg, buf, len)
 *	int	msg_declared_size(msg, size)
 *	int	msg_finish(msg)
 *	const struct record *msg_record(msg)
 *	struct msg *msg_free(msg)
 * DESCRIPTION
 *	The engine's front door.  A message is fed either raw, in chunks
 *	split anywhere (msg_feed: defuse-scan), or the milter's way: each
 *	header field as libmilter hands it over (msg_header, rebuilt as
 *	"name: value CRLF"), the end of the header (msg_eoh), then the body
 *	in chunks (msg_body).  Both go to the same MIME parser.
 *
 *	Every input function returns 0 to go on and non-zero once a
 *	verdict is reached: the caller stops sending (the milter replies
 *	at once).  Further input is then only counted in raw.  msg_finish
 *	ends the message and makes the record final.
 *
 *	The message owns the accounting: the record's terms (raw, decoded,
 *	expanded, cost, inflated, parts, depths), the limits on them, the
 *	first limit crossed (it decides the verdict and its where), the
 *	findings, the counted allocator (peak_mem and mem by stage) and
 *	the time spent inside the engine (ms: the sum of the time spent in
 *	these calls, not the time waited between them).
 *
 *	Split invariance: the input is cut at every NODE_BLOCK-th byte of
 *	the message, and raw joins the cost check one whole granule at a
 *	time (exactly at the end).  Together with the blocks of part.c this
 *	makes the record, verdict and where included, the same however the
 *	message is chunked: every check happens at the same place in the
 *	message's bytes.
 *
 *	Own trouble is a temporary failure for this message only: when an
 *	allocation fails (memory cap, global budget, malloc) the verdict
 *	is tempfail with reason internal, or budget when the global
 *	in-flight budget said no.
 *
 *	Memory: struct msg (about 600 bytes, stage "msg").
 */

#include <string.h>
#include <time.h>

#include "mime.h"
#include "msg.h"
#include "node.h"
#include "record.h"

struct msg {
	struct acct acct;
	const struct conf *conf;
	struct record rec;
	struct mime *mime;
	uint64_t entries;		/* archive entries, all archives */
	uint64_t raw_charged;		/* raw as the cost sees it: whole granules */
	int	decided;
	int	finished;
	double	ms;
	char	path[RECORD_WHERE_MAX];
	size_t	path_len;
};

/* msg_now - a monotonic clock in milliseconds */

static double msg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* Why this thread's last msg_new() failed, errno-style. */
static __thread enum reason msg_new_failure = REASON_INTERNAL;

/*
 * record_internal - the record of a message that msg_new() could not
 * start: reason budget when the global budget refused it, else internal.
 */

void    record_internal(struct record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->reason = msg_new_failure;
	rec->verdict = reason_info(rec->reason)->verdict;
}

/* msg_new - start a message */

struct msg *msg_new(const struct conf *conf, struct acct_budget *budget,
		            unsigned long fail_at)
{
	struct acct acct;
	struct msg *m;

	acct_init(&acct, conf->max_message_memory, budget, fail_at);
	if ((m = acct_alloc(&acct, ACCT_MSG, sizeof(*m))) == 0) {
		msg_new_failure = acct.failed == ACCT_FAIL_BUDGET ? REASON_BUDGET : REASON_INTERNAL;
		return (NULL);
	}
	memset(m, 0, sizeof(*m));
	m->acct = acct;				/* the block header holds no pointer */
	m->conf = conf;
	m->rec.verdict = VERDICT_ACCEPT;
	m->rec.reason = REASON_NONE;
	if ((m->mime = mime_new(m)) == 0)
		msg_stop(m, REASON_INTERNAL, 0);
	return (m);
}

/* msg_free - release everything; returns NULL */

struct msg *msg_free(struct msg *m)
{
	struct acct acct;

	if (m == 0)
		return (NULL);
	m->mime = mime_free(m->mime);
	acct = m->acct;
	acct_free(&acct, m);
	return (NULL);
}

/* msg_acct - the message's counted allocator */

struct acct *msg_acct(struct msg *m)
{
	return (&m->acct);
}

/* msg_conf - the limits in force */

const struct conf *msg_conf(const struct msg *m)
{
	return (m->conf);
}

/* msg_decided - has a verdict been reached? */

int     msg_decided(const struct msg *m)
{
	return (m->decided);
}

/* msg_stop - the first limit crossed decides; returns 1 */

int     msg_stop(struct msg *m, enum reason reason, const struct node *node)
{
	size_t  len = node ? node->path_len : m->path_len;

	if (m->decided)
		return (1);
	if (reason == REASON_INTERNAL && m->acct.failed == ACCT_FAIL_BUDGET)
		reason = REASON_BUDGET;
	m->decided = 1;
	m->rec.reason = reason;
	m->rec.verdict = reason_info(reason)->verdict;
	if (len > m->path_len)
		len = m->path_len;
	memcpy(m->rec.where, m->path, len);
	m->rec.where[len] = 0;
	return (1);
}

/* msg_finding - a soft anomaly, recorded once */

int     msg_finding(struct msg *m, enum finding f)
{
	m->rec.findings |= (uint64_t) 1 << f;
	return (0);
}

/* msg_cost - judge the cost; raw counts in whole granules */

static int msg_cost(struct msg *m, const struct node *node)
{
	struct record *r = &m->rec;
	uint64_t cost;

	if (__builtin_add_overflow(m->raw_charged, r->decoded, &cost)
	    || __builtin_add_overflow(cost, r->expanded, &cost))
		cost = UINT64_MAX;
	if (cost > m->conf->max_message_cost)
		return (msg_stop(m, REASON_MESSAGE_COST, node));
	return (0);
}

/* msg_add - saturating add */

static void msg_add(uint64_t *to, uint64_t n)
{
	if (__builtin_add_overflow(*to, n, to))
		*to = UINT64_MAX;
}

/* msg_add_decoded - more decoded bytes of MIME leaves */

int     msg_add_decoded(struct msg *m, uint64_t n, const struct node *node)
{
	msg_add(&m->rec.decoded, n);
	return (msg_cost(m, node));
}

/* msg_add_expanded - more expanded bytes of archive members */

int     msg_add_expanded(struct msg *m, uint64_t n, const struct node *node)
{
	msg_add(&m->rec.expanded, n);
	return (msg_cost(m, node));
}

/* msg_inflated - work done by decompression */

int     msg_inflated(struct msg *m, uint64_t n, const struct node *node)
{
	(void) node;
	msg_add(&m->rec.inflated, n);
	return (0);
}

/* msg_part - one more MIME leaf or archive member */

int     msg_part(struct msg *m, const struct node *node)
{
	if (++m->rec.parts > m->conf->max_parts)
		return (msg_stop(m, REASON_PARTS, node));
	return (0);
}

/* msg_entry - one more archive entry */

int     msg_entry(struct msg *m, const struct node *node)
{
	if (++m->entries > m->conf->max_archive_entries)
		return (msg_stop(m, REASON_ARCHIVE_ENTRIES, node));
	return (0);
}

/* msg_mime_depth - the MIME nesting reached */

int     msg_mime_depth(struct msg *m, unsigned depth)
{
	if (depth > m->rec.mime_depth)
		m->rec.mime_depth = depth;
	if (depth > m->conf->max_mime_depth)
		return (msg_stop(m, REASON_MIME_DEPTH, 0));
	return (0);
}

/* msg_archive_depth - the archive nesting reached */

int     msg_archive_depth(struct msg *m, unsigned depth, const struct node *node)
{
	if (depth > m->rec.archive_depth)
		m->rec.archive_depth = depth;
	if (depth > m->conf->max_archive_depth)
		return (msg_stop(m, REASON_ARCHIVE_DEPTH, node));
	return (0);
}

/* msg_path_set - cut the where path to keep, then append text */

size_t  msg_path_set(struct msg *m, size_t keep, const char *text, size_t len)
{
	if (keep < m->path_len)
		m->path_len = keep;
	if (len > 0)
		m->path_len += record_sanitize(m->path + m->path_len,
					       sizeof(m->path) - m->path_len, text, len);
	m->path[m->path_len] = 0;
	return (m->path_len);
}

/* msg_path_len - the where path's length */

size_t  msg_path_len(const struct msg *m)
{
	return (m->path_len);
}

/*
 * msg_failed - the safety net: an allocation that failed anywhere makes
 * the message a temporary failure, even if the stage that saw it went on.
 */

static int msg_failed(struct msg *m)
{
	if (!m->decided && m->acct.failed != ACCT_FAIL_NONE)
		msg_stop(m, REASON_INTERNAL, 0);
	return (m->decided);
}

/* msg_input - raw bytes into the parser, timed, granule by granule */

static int msg_input(struct msg *m, const uint8_t *p, size_t n)
{
	double  t0;
	size_t  take;
	int     stop = 0;

	if (m->finished)
		return (1);
	if (m->decided) {
		msg_add(&m->rec.raw, n);	/* skipped cheaply */
		return (1);
	}
	t0 = msg_now();
	while (n > 0 && !stop) {
		take = NODE_BLOCK - m->rec.raw % NODE_BLOCK;
		if (take > n)
			take = n;
		msg_add(&m->rec.raw, take);
		stop = mime_feed(m->mime, p, take) || msg_failed(m);
		if (!stop && m->rec.raw % NODE_BLOCK == 0) {
			m->raw_charged = m->rec.raw;
			stop = msg_cost(m, 0);
		}
		p += take;
		n -= take;
	}
	msg_add(&m->rec.raw, n);		/* what a verdict left unread */
	m->ms += msg_now() - t0;
	return (stop || m->decided);
}

/* msg_feed - a chunk of a raw message */

int     msg_feed(struct msg *m, const uint8_t *p, size_t n)
{
	return (msg_input(m, p, n));
}

/* msg_header - one header field, the milter's way */

int     msg_header(struct msg *m, const char *name, const char *value)
{
	if (msg_input(m, (const uint8_t *) name, strlen(name))
	    || msg_input(m, (const uint8_t *) ": ", 2)
	    || msg_input(m, (const uint8_t *) value, strlen(value)))
		return (1);
	return (msg_input(m, (const uint8_t *) "\r\n", 2));
}

/* msg_eoh - end of the header, the milter's way */

int     msg_eoh(struct msg *m)
{
	return (msg_input(m, (const uint8_t *) "\r\n", 2));
}

/* msg_body - a body chunk, the milter's way */

int     msg_body(struct msg *m, const uint8_t *p, size_t n)
{
	return (msg_input(m, p, n));
}

/* msg_declared_size - ESMTP SIZE= */

int     msg_declared_size(struct msg *m, uint64_t size)
{
	if (size > m->conf->max_message_cost)
		return (msg_stop(m, REASON_SIZE_DECLARED, 0));
	return (0);
}

/* msg_finish - end of the message: the verdict is final */

int     msg_finish(struct msg *m)
{
	double  t0;

	if (m->finished)
		return (m->decided);
	t0 = msg_now();
	if (!m->decided) {
		m->raw_charged = m->rec.raw;
		if (msg_cost(m, 0) == 0 && m->mime)
			(void) mime_finish(m->mime);
	}
	(void) msg_failed(m);
	/* Free the parser now: peak_mem and the leak check see it all. */
	m->mime = mime_free(m->mime);
	m->finished = 1;
	m->ms += msg_now() - t0;
	return (m->decided);
}

/* msg_record - the accounting record */

const struct record *msg_record(struct msg *m)
{
	struct record *r = &m->rec;

	if (__builtin_add_overflow(r->raw, r->decoded, &r->cost)
	    || __builtin_add_overflow(r->cost, r->expanded, &r->cost))
		r->cost = UINT64_MAX;
	r->peak_mem = m->acct.peak;
	for (int s = 0; s < ACCT_STAGE_COUNT; s++)
		r->mem[s] = m->acct.stage_peak[s];
	r->ms = m->ms;
	return (r);
}
