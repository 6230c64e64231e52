/*
 * NAME
 *	record 3
 * SUMMARY
 *	the accounting record as a log line or JSON
 * SYNOPSIS
 *	#include "record.h"
 *
 *	size_t	record_kv(rec, buf, len)
 *	size_t	record_json(rec, buf, len)
 *	size_t	record_sanitize(dst, dstlen, src, srclen)
 * DESCRIPTION
 *	record_kv() renders the record Postfix style, "key=value" pairs
 *	separated by blanks, in the order of DESIGN.md:
 *
 *	verdict=reject reason=ratio where=2/a.zip/b.bin raw=43210
 *	decoded=31000 expanded=5000000000 decoder_mem=0 cost=5000074210
 *	inflated=1048576
 *	parts=3 mime_depth=1 archive_depth=1 peak_mem=52000
 *	mem=msg:700,mime:12000,... findings=type_mismatch ms=0.412
 *
 *	An empty where is "-", no findings is "none".
 *
 *	record_json() renders one JSON object with DESIGN.md's field
 *	names: mem is an object by stage, findings an array of names.
 *
 *	record_sanitize() copies text taken from a message (a file name)
 *	for a log line, a JSON string or an SMTP reply: printable ASCII
 *	only; blanks, quotes, backslashes, '%', '=' and ';' become '_',
 *	other bytes '?'.  It never writes more than dstlen - 1 bytes and
 *	terminates dst; it returns the length written.
 *
 *	Both renderings fit RECORD_TEXT_MAX; they truncate, never overflow.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

struct record_out {
	char   *buf;
	size_t	len;
	size_t	used;
};

/* record_put - formatted append, truncating */

static void record_put(struct record_out *o, const char *fmt, ...)
{
	va_list ap;
	int     n;

	if (o->used + 1 >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += ((size_t) n < o->len - o->used) ? (size_t) n : o->len - o->used - 1;
}

/* record_sanitize - text from a message, safe anywhere */

size_t  record_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t  n = 0;

	if (dstlen == 0)
		return (0);
	for (size_t i = 0; i < srclen && n + 1 < dstlen; i++) {
		unsigned char c = src[i];

		if (c < 0x20 || c >= 0x7f)
			c = '?';
		else if (strchr(" \"\\%=;", c))
			c = '_';
		dst[n++] = c;
	}
	dst[n] = 0;
	return (n);
}

/* record_readings - a set of readings: "clamav+lenient" */

static void record_readings(struct record_out *o, unsigned set)
{
	int     any = 0;

	for (int i = 0; i < READING_COUNT; i++) {
		if (set & (1u << i)) {
			record_put(o, "%s%s", any ? "+" : "", reading_name(i));
			any = 1;
		}
	}
	if (!any)
		record_put(o, "none");
}

/* record_kv - key=value rendering */

size_t  record_kv(const struct record *r, char *buf, size_t len)
{
	struct record_out o = {buf, len, 0};
	int     any = 0;

	if (len == 0)
		return (0);
	buf[0] = 0;
	record_put(&o, "verdict=%s reason=%s where=%s raw=%" PRIu64
		   " decoded=%" PRIu64 " expanded=%" PRIu64 " decoder_mem=%" PRIu64
		   " cost=%" PRIu64 " inflated=%" PRIu64 " parts=%" PRIu64
		   " mime_depth=%u archive_depth=%u peak_mem=%zu mem=",
		   verdict_name(r->verdict), reason_name(r->reason),
		   r->where[0] ? r->where : "-", r->raw, r->decoded, r->expanded,
		   r->decoder_mem, r->cost, r->inflated, r->parts, r->mime_depth, r->archive_depth,
		   r->peak_mem);
	for (int s = 0; s < ACCT_STAGE_COUNT; s++)
		record_put(&o, "%s%s:%zu", s ? "," : "", acct_stage_name(s), r->mem[s]);
	record_put(&o, " findings=");
	for (int f = 0; f < FIND_COUNT; f++) {
		if (r->findings & ((uint64_t) 1 << f)) {
			record_put(&o, "%s%s", any ? "," : "", finding_name(f));
			any = 1;
		}
	}
	record_put(&o, "%s readings=", any ? "" : "none");
	for (unsigned i = 0; i < r->nviews; i++) {
		record_put(&o, "%s", i ? "," : "");
		record_readings(&o, r->views[i]);
	}
	if (r->nviews == 0)
		record_put(&o, "-");
	record_put(&o, " reading=");
	record_readings(&o, r->reading);
	record_put(&o, " ms=%.3f", r->ms);
	return (o.used);
}

/* record_json - JSON rendering with DESIGN.md's names */

size_t  record_json(const struct record *r, char *buf, size_t len)
{
	struct record_out o = {buf, len, 0};
	int     any = 0;

	if (len == 0)
		return (0);
	buf[0] = 0;
	record_put(&o, "{\"verdict\":\"%s\",\"reason\":\"%s\",\"where\":\"%s\","
		   "\"raw\":%" PRIu64 ",\"decoded\":%" PRIu64 ",\"expanded\":%" PRIu64
		   ",\"decoder_mem\":%" PRIu64
		   ",\"cost\":%" PRIu64 ",\"inflated\":%" PRIu64 ",\"parts\":%" PRIu64
		   ",\"mime_depth\":%u,\"archive_depth\":%u,\"peak_mem\":%zu,\"mem\":{",
		   verdict_name(r->verdict), reason_name(r->reason), r->where,
		   r->raw, r->decoded, r->expanded, r->decoder_mem, r->cost, r->inflated, r->parts,
		   r->mime_depth, r->archive_depth, r->peak_mem);
	for (int s = 0; s < ACCT_STAGE_COUNT; s++)
		record_put(&o, "%s\"%s\":%zu", s ? "," : "", acct_stage_name(s), r->mem[s]);
	record_put(&o, "},\"findings\":[");
	for (int f = 0; f < FIND_COUNT; f++) {
		if (r->findings & ((uint64_t) 1 << f)) {
			record_put(&o, "%s\"%s\"", any ? "," : "", finding_name(f));
			any = 1;
		}
	}
	record_put(&o, "],\"readings\":[");
	for (unsigned i = 0; i < r->nviews; i++) {
		record_put(&o, "%s\"", i ? "," : "");
		record_readings(&o, r->views[i]);
		record_put(&o, "\"");
	}
	record_put(&o, "],\"reading\":\"");
	record_readings(&o, r->reading);
	record_put(&o, "\",\"ms\":%.3f}", r->ms);
	return (o.used);
}
