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
 *	Views: mail parsers disagree where a message is ambiguous (reading.h
 *	lists the readings defuse follows).  The message starts with one
 *	view standing for every reading.  Where the readings of a view part
 *	ways, the MIME parser forks it (msg_fork): a copy of its parser
 *	goes on for the readings that took the other way, from that byte
 *	on, with the terms of the cost counted so far.  Each view has its
 *	own terms (decoded, expanded, parts, entries) and its own where;
 *	a limit crossed in any view decides, and the record shows the view
 *	that decided (or the costliest), its readings, and every view's.
 *	Views partition the readings, so there are at most READING_COUNT
 *	of them, and a message that no reading parts costs what it cost
 *	before.  The bytes of a piece go to each view in turn; a view that
 *	crosses a limit stops, and the verdict is settled at the end of the
 *	granule (or once every view has stopped) by the stopped view whose
 *	first reading comes first: the same view for any split.  peak_mem
 *	of a message with several views may depend on the split (the
 *	views' allocations interleave differently); everything else does
 *	not.
 *
 *	Memory: struct msg (about 3 KiB with its views, stage "msg").
 */

#include <string.h>
#include <time.h>

#include "mime.h"
#include "msg.h"
#include "node.h"
#include "record.h"

/*
 * A view: one parse of the message, followed for the readings it stands
 * for, with its own terms of the cost.  The message starts with one view
 * for every reading; where the readings of a view part ways, the MIME
 * parser forks it (msg_fork) and each view goes on alone.
 */
struct view {
	struct mime *mime;
	unsigned readings;		/* bits of enum reading */
	uint64_t decoded;		/* its terms of the cost */
	uint64_t expanded;
	uint64_t decoder_mem;		/* declared dictionaries and windows */
	uint64_t parts;			/* leaves and members */
	uint64_t leaves;		/* MIME leaves: max_parts */
	uint64_t entries;		/* archive entries: max_archive_entries */
	int	stopped;		/* crossed a limit: fed no more */
	enum reason reason;
	char	where[RECORD_WHERE_MAX];
	size_t	resume;			/* a new view: where in the piece it starts */
	size_t	path_len;
	char	path[RECORD_WHERE_MAX];
};

struct msg {
	struct acct acct;
	const struct conf *conf;
	struct record rec;
	struct view views[READING_COUNT];
	unsigned nviews;
	struct view *v;			/* the view being fed */
	const uint8_t *piece;		/* what the views are being fed */
	size_t	piece_len;
	uint64_t raw_charged;		/* raw as the cost sees it: whole granules */
	int	decided;
	int	finished;
	double	ms;
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
	acct_set_decoder_limit(&acct, conf->max_decoder_memory);
	if ((m = acct_alloc(&acct, ACCT_MSG, sizeof(*m))) == 0) {
		msg_new_failure = acct.failed == ACCT_FAIL_BUDGET ? REASON_BUDGET : REASON_INTERNAL;
		return (NULL);
	}
	memset(m, 0, sizeof(*m));
	m->acct = acct;				/* the block header holds no pointer */
	m->conf = conf;
	m->rec.verdict = VERDICT_ACCEPT;
	m->rec.reason = REASON_NONE;
	m->nviews = 1;
	m->v = &m->views[0];
	m->v->readings = READING_ALL;
	if ((m->v->mime = mime_new(m)) == 0)
		msg_stop(m, REASON_INTERNAL, 0);
	return (m);
}

/* msg_views_free - release every view's parser */

static void msg_views_free(struct msg *m)
{
	for (unsigned i = 0; i < m->nviews; i++) {
		m->v = &m->views[i];
		m->v->mime = mime_free(m->v->mime);
	}
	m->v = &m->views[0];
}

/* msg_free - release everything; returns NULL */

struct msg *msg_free(struct msg *m)
{
	struct acct acct;

	if (m == 0)
		return (NULL);
	msg_views_free(m);
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
	return (m->decided || m->v->stopped);
}

/* msg_decide - the verdict, and the view that decided it */

static void msg_decide(struct msg *m, struct view *v, enum reason reason,
		               const char *where)
{
	m->decided = 1;
	m->rec.reason = reason;
	m->rec.verdict = reason_info(reason)->verdict;
	m->rec.reading = v->readings;
	strcpy(m->rec.where, where);
}

/*
 * msg_settle - the views that stopped decide.  Views are fed one after
 * the other, piece by piece, so which of two views crosses a limit first
 * would depend on the split: the verdict waits for the end of the
 * granule (or for every view to stop), and then the stopped view whose
 * first reading comes first in the table decides.
 */

static int msg_settle(struct msg *m, int all_stopped_only)
{
	struct view *best = 0;
	unsigned stopped = 0;

	if (m->decided)
		return (1);
	for (unsigned i = 0; i < m->nviews; i++) {
		struct view *v = &m->views[i];

		if (!v->stopped)
			continue;
		stopped++;
		if (best == 0 || __builtin_ctz(v->readings) < __builtin_ctz(best->readings))
			best = v;
	}
	if (best == 0 || (all_stopped_only && stopped < m->nviews))
		return (0);
	msg_decide(m, best, best->reason, best->where);
	return (1);
}

/*
 * msg_stop - a limit crossed: the view stops (the message is decided by
 * msg_settle); own trouble and SIZE= decide the message at once.
 * Returns 1.
 */

int     msg_stop(struct msg *m, enum reason reason, const struct node *node)
{
	struct view *v = m->v;
	size_t  len = node ? node->path_len : v->path_len;
	char    where[RECORD_WHERE_MAX];

	if (m->decided || v->stopped)
		return (1);
	if (reason == REASON_INTERNAL && m->acct.failed == ACCT_FAIL_BUDGET)
		reason = REASON_BUDGET;
	if (len > v->path_len)
		len = v->path_len;
	memcpy(where, v->path, len);
	where[len] = 0;
	if (reason == REASON_INTERNAL || reason == REASON_BUDGET
	    || reason == REASON_SIZE_DECLARED) {
		msg_decide(m, v, reason, where);
		return (1);
	}
	v->stopped = 1;
	v->reason = reason;
	memcpy(v->where, where, len + 1);
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
	struct view *v = m->v;
	uint64_t cost;

	if (__builtin_add_overflow(m->raw_charged, v->decoded, &cost)
	    || __builtin_add_overflow(cost, v->expanded, &cost)
	    || __builtin_add_overflow(cost, v->decoder_mem, &cost))
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
	msg_add(&m->v->decoded, n);
	return (msg_cost(m, node));
}

/* msg_add_expanded - more expanded bytes of archive members */

int     msg_add_expanded(struct msg *m, uint64_t n, const struct node *node)
{
	msg_add(&m->v->expanded, n);
	return (msg_cost(m, node));
}

/*
 * msg_add_decoder_mem - the memory a compressed stream's decoder must
 * allocate, as the stream declares it (an xz dictionary, a zstd window,
 * bzip2's blocks): a conventional filter pays it before any output.
 */

int     msg_add_decoder_mem(struct msg *m, uint64_t n, const struct node *node)
{
	msg_add(&m->v->decoder_mem, n);
	return (msg_cost(m, node));
}

/* msg_decoder_room - what a new decoder may hold */

uint64_t msg_decoder_room(struct msg *m)
{
	uint64_t room = acct_decoder_room(&m->acct);

	if (m->conf->max_decoder_memory == 0)
		return (UINT64_MAX);
	return (room < m->conf->max_decoder_memory ? room : m->conf->max_decoder_memory);
}

/* msg_inflated - work done by decompression */

int     msg_inflated(struct msg *m, uint64_t n, const struct node *node)
{
	(void) node;
	msg_add(&m->rec.inflated, n);
	return (0);
}

/*
 * msg_part - one more MIME leaf or archive member.  max_parts counts
 * MIME leaves only: members have max_archive_entries (a source archive
 * holds thousands of files).
 */

int     msg_part(struct msg *m, const struct node *node)
{
	m->v->parts++;
	if (node && node->depth > 0)
		return (0);
	if (++m->v->leaves > m->conf->max_parts)
		return (msg_stop(m, REASON_PARTS, node));
	return (0);
}

/* msg_entry - one more archive entry */

int     msg_entry(struct msg *m, const struct node *node)
{
	if (++m->v->entries > m->conf->max_archive_entries)
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
	struct view *v = m->v;

	if (keep < v->path_len)
		v->path_len = keep;
	if (len > 0)
		v->path_len += record_sanitize(v->path + v->path_len,
					       sizeof(v->path) - v->path_len, text, len);
	v->path[v->path_len] = 0;
	return (v->path_len);
}

/* msg_path_len - the where path's length */

size_t  msg_path_len(const struct msg *m)
{
	return (m->v->path_len);
}

/* msg_path - the where path itself */

const char *msg_path(const struct msg *m)
{
	return (m->v->path);
}

/* msg_readings - the readings the view being fed stands for */

unsigned msg_readings(const struct msg *m)
{
	return (m->v->readings);
}

/*
 * msg_fork - the readings of the view being fed part ways: those in
 * readings go on in a new view parsed by mp (a copy of the view's parser
 * made by the caller), which is fed the rest of the piece from resume
 * (NULL: from its end).  The new view starts with the old one's terms
 * and path, and becomes the view being fed; msg_unfork(m, returned
 * value) goes back.  Returns -1 when there is no room (cannot happen:
 * views partition the readings).
 */

int     msg_fork(struct msg *m, struct mime *mp, unsigned readings, const uint8_t *resume)
{
	struct view *old = m->v, *v;
	int     idx = (int) (old - m->views);

	if (m->nviews >= READING_COUNT || (readings & ~old->readings) != 0
	    || readings == 0 || readings == old->readings)
		return (-1);
	v = &m->views[m->nviews++];
	/* Each view decodes its own streams: the decoders' cap grows with
	 * the views, so that a view is not refused a dictionary the one
	 * before it holds for the same attachment. */
	acct_set_decoder_limit(&m->acct, m->conf->max_decoder_memory * m->nviews);
	*v = *old;
	v->mime = mp;
	v->readings = readings;
	v->resume = (resume && m->piece && resume >= m->piece
		     && resume <= m->piece + m->piece_len) ?
		(size_t) (resume - m->piece) : m->piece_len;
	old->readings &= ~readings;
	m->v = v;
	return (idx);
}

/* msg_unfork - back to the view that forked */

void    msg_unfork(struct msg *m, int idx)
{
	if (idx >= 0 && (unsigned) idx < m->nviews)
		m->v = &m->views[idx];
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

/*
 * msg_views_feed - a piece of a granule into every view that goes on,
 * and into the views forked meanwhile from where each starts.
 */

static int msg_views_feed(struct msg *m, const uint8_t *p, size_t n)
{
	m->piece = p;
	m->piece_len = n;
	for (unsigned i = 0; i < m->nviews && !m->decided; i++) {
		struct view *v = &m->views[i];
		size_t  off = v->resume;

		v->resume = 0;
		if (v->stopped || off >= n)
			continue;
		m->v = v;
		(void) mime_feed(v->mime, p + off, n - off);
		if (msg_failed(m))
			break;
	}
	m->piece = 0;
	m->piece_len = 0;
	return (msg_settle(m, 1));
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
		stop = msg_views_feed(m, p, take);
		if (!stop && m->rec.raw % NODE_BLOCK == 0) {
			m->raw_charged = m->rec.raw;
			for (unsigned i = 0; i < m->nviews; i++) {
				m->v = &m->views[i];
				if (!m->v->stopped)
					(void) msg_cost(m, 0);
			}
			stop = msg_settle(m, 0);
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
		/* a view forked at the end is finished in turn */
		for (unsigned i = 0; i < m->nviews && !m->decided; i++) {
			m->v = &m->views[i];
			if (!m->v->stopped && msg_cost(m, 0) == 0 && m->v->mime)
				(void) mime_finish(m->v->mime);
			(void) msg_failed(m);
		}
		(void) msg_settle(m, 0);
	}
	(void) msg_failed(m);
	/* Free the parsers now: peak_mem and the leak check see it all. */
	msg_views_free(m);
	m->finished = 1;
	m->ms += msg_now() - t0;
	return (m->decided);
}

/* msg_record - the accounting record */

const struct record *msg_record(struct msg *m)
{
	struct record *r = &m->rec;
	const struct view *show = 0;
	unsigned order[READING_COUNT], n = 0;

	(void) msg_settle(m, 0);		/* a stage stopped outside msg_input */

	/* The view that decided, else the costliest one. */
	for (unsigned i = 0; i < m->nviews; i++) {
		const struct view *v = &m->views[i];
		uint64_t c = v->decoded + v->expanded + v->decoder_mem, best;

		if (m->decided && r->reading) {
			if (v->readings == r->reading)
				show = v;
			continue;
		}
		best = show ? show->decoded + show->expanded + show->decoder_mem : 0;
		if (show == 0 || c > best || (c == best
			&& __builtin_ctz(v->readings) < __builtin_ctz(show->readings)))
			show = v;
	}
	if (show == 0)
		show = &m->views[0];
	r->decoded = show->decoded;
	r->expanded = show->expanded;
	r->decoder_mem = show->decoder_mem;
	r->parts = show->parts;
	if (!m->decided || r->reading == 0)
		r->reading = show->readings;
	/* The views in the readings' order. */
	for (unsigned i = 0; i < m->nviews; i++)
		order[n++] = m->views[i].readings;
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && __builtin_ctz(order[j]) < __builtin_ctz(order[j - 1]); j--) {
			unsigned t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	r->nviews = n;
	memcpy(r->views, order, n * sizeof(order[0]));
	if (__builtin_add_overflow(r->raw, r->decoded, &r->cost)
	    || __builtin_add_overflow(r->cost, r->expanded, &r->cost)
	    || __builtin_add_overflow(r->cost, r->decoder_mem, &r->cost))
		r->cost = UINT64_MAX;
	r->peak_mem = m->acct.peak;
	for (int s = 0; s < ACCT_STAGE_COUNT; s++)
		r->mem[s] = m->acct.stage_peak[s];
	r->ms = m->ms;
	return (r);
}
