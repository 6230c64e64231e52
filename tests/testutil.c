/*
 * testutil - what every test of defuse needs.  See testutil.h.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record.h"
#include "testutil.h"

/* tu_die - a broken test environment */

static void tu_die(const char *what)
{
	fprintf(stderr, "testutil: %s\n", what);
	abort();
}

/* tu_corpus - the shared corpus, or NULL */

const char *tu_corpus(void)
{
	static char path[4096];
	const char *env = getenv("DEFUSE_CORPUS");
	const char *src = getenv("DEFUSE_SRCDIR");
	struct stat st;

	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/../shared/corpus", src && *src ? src : "..");
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return (NULL);
	return (path);
}

/* tu_read_file - a whole file */

uint8_t *tu_read_file(const char *path, size_t *len)
{
	FILE   *fp = fopen(path, "rb");
	uint8_t *buf = 0;
	size_t  cap = 0, n = 0, got;

	if (fp == 0)
		return (NULL);
	do {
		if (n == cap && (buf = realloc(buf, cap = cap ? cap * 2 : 65536)) == 0)
			tu_die("out of memory");
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	*len = n;
	return (buf);
}

/* tu_conf - the built-in defaults */

struct conf *tu_conf(void)
{
	static struct conf conf;
	static int done;

	if (!done) {
		conf_defaults(&conf);
		done = 1;
	}
	return (&conf);
}

/* tu_end - finish a message, keep its record, check nothing leaked */

static unsigned long tu_end(struct msg *m, struct record *rec)
{
	struct acct *a = msg_acct(m);
	unsigned long nalloc;

	msg_finish(m);
	*rec = *msg_record(m);
	/* Only the message's own struct may still be held. */
	if (a->cur != a->stage_cur[ACCT_MSG]) {
		fprintf(stderr, "testutil: engine still holds %zu bytes after finish\n",
			a->cur - a->stage_cur[ACCT_MSG]);
		abort();
	}
	nalloc = a->nalloc;
	msg_free(m);
	return (nalloc);
}

/* tu_start - a message, or the record of one that could not start */

static struct msg *tu_start(const struct conf *conf, unsigned long fail_at,
			            struct record *rec)
{
	struct msg *m = msg_new(conf ? conf : tu_conf(), 0, fail_at);

	if (m == 0)
		record_internal(rec);
	return (m);
}

/* tu_scan - run the engine in fixed chunks */

unsigned long tu_scan(const struct conf *conf, const uint8_t *p, size_t len,
		              size_t chunk, unsigned long fail_at, struct record *rec)
{
	struct msg *m = tu_start(conf, fail_at, rec);

	if (m == 0)
		return (1);
	if (chunk == 0)
		chunk = len ? len : 1;
	/* Keep feeding after a verdict, as defuse-scan does: raw is all. */
	for (size_t off = 0; off < len; off += chunk)
		(void) msg_feed(m, p + off, len - off < chunk ? len - off : chunk);
	return (tu_end(m, rec));
}

/* tu_scan_cuts - run the engine cut at the given offsets */

void    tu_scan_cuts(const struct conf *conf, const uint8_t *p, size_t len,
		             const size_t *cuts, size_t ncuts, struct record *rec)
{
	struct msg *m = tu_start(conf, 0, rec);
	size_t  from = 0;

	if (m == 0)
		return;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t  to = i < ncuts ? cuts[i] : len;

		if (to > from)
			(void) msg_feed(m, p + from, to - from);
		from = to;
	}
	tu_end(m, rec);
}

/* tu_scan_random - run the engine in random chunk sizes */

void    tu_scan_random(const struct conf *conf, const uint8_t *p, size_t len,
		               unsigned seed, size_t max, struct record *rec)
{
	struct msg *m = tu_start(conf, 0, rec);
	uint64_t x = seed * 2654435761u + 1;

	if (m == 0)
		return;
	for (size_t off = 0; off < len;) {
		size_t  n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = 1 + x % (max ? max : 1);
		if (n > len - off)
			n = len - off;
		(void) msg_feed(m, p + off, n);
		off += n;
	}
	tu_end(m, rec);
}

/* tu_scan_milter - header fields one by one, then the body */

void    tu_scan_milter(const struct conf *conf, const uint8_t *p, size_t len,
		               size_t chunk, struct record *rec)
{
	struct msg *m = tu_start(conf, 0, rec);
	const uint8_t *end = p + len, *line = p;
	char   *name = 0, *value = 0;
	size_t  vlen = 0;
	int     stop = 0;

	if (m == 0)
		return;
	/* Header fields as an MTA hands them over: unfolded lines kept. */
	while (line < end && !stop) {
		const uint8_t *nl = memchr(line, '\n', end - line);
		size_t  n = nl ? (size_t) (nl - line) : (size_t) (end - line);
		size_t  l = (n > 0 && line[n - 1] == '\r') ? n - 1 : n;

		if (l > 0 && (line[0] == ' ' || line[0] == '\t') && name) {
			value = realloc(value, vlen + l + 2);
			value[vlen++] = '\n';
			memcpy(value + vlen, line, l);
			vlen += l;
			value[vlen] = 0;
		} else {
			if (name)
				stop = msg_header(m, name, value);
			free(name), free(value);
			name = value = 0;
			if (l == 0) {
				line = nl ? nl + 1 : end;
				break;
			}
			const uint8_t *colon = memchr(line, ':', l);

			if (colon == 0) {
				break;			/* not a header: the body starts here */
			}
			name = strndup((const char *) line, colon - line);
			colon++;
			while (colon < line + l && (*colon == ' ' || *colon == '\t'))
				colon++;
			vlen = line + l - colon;
			value = strndup((const char *) colon, vlen);
		}
		line = nl ? nl + 1 : end;
	}
	if (name && !stop)
		stop = msg_header(m, name, value);
	free(name), free(value);
	if (!stop)
		stop = msg_eoh(m);
	if (chunk == 0)
		chunk = 65536;
	for (const uint8_t *q = line; !stop && q < end; q += chunk)
		stop = msg_body(m, q, (size_t) (end - q) < chunk ? (size_t) (end - q) : chunk);
	tu_end(m, rec);
}

/* tu_record_eq - equal in all but ms */

int     tu_record_eq(const struct record *a, const struct record *b, const char **why)
{
#define TU_FIELD(f) if (a->f != b->f) { *why = #f; return (0); }
	TU_FIELD(verdict);
	TU_FIELD(reason);
	TU_FIELD(raw);
	TU_FIELD(decoded);
	TU_FIELD(expanded);
	TU_FIELD(cost);
	TU_FIELD(inflated);
	TU_FIELD(parts);
	TU_FIELD(mime_depth);
	TU_FIELD(archive_depth);
	TU_FIELD(findings);
	TU_FIELD(nviews);
	TU_FIELD(reading);
	for (unsigned i = 0; i < a->nviews && i < READING_COUNT; i++)
		TU_FIELD(views[i]);
	/* Several views' allocations interleave by the split (msg.c). */
	if (a->nviews <= 1) {
		TU_FIELD(peak_mem);
		for (int s = 0; s < ACCT_STAGE_COUNT; s++)
			TU_FIELD(mem[s]);
	}
#undef TU_FIELD
	if (strcmp(a->where, b->where) != 0) {
		*why = "where";
		return (0);
	}
	*why = "";
	return (1);
}

/* tu_record_str - a record for a failure message */

const char *tu_record_str(const struct record *rec)
{
	static __thread char buf[RECORD_TEXT_MAX];

	record_kv(rec, buf, sizeof(buf));
	return (buf);
}

/* tu_put - append bytes */

void    tu_put(struct tu_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t  cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == 0)
			tu_die("out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* tu_puts - append a string */

void    tu_puts(struct tu_buf *b, const char *s)
{
	tu_put(b, s, strlen(s));
}

/* tu_printf - append formatted text */

void    tu_printf(struct tu_buf *b, const char *fmt, ...)
{
	char    small[1024], *big = 0;
	va_list ap;
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < (int) sizeof(small)) {
		tu_put(b, small, n);
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&big, fmt, ap) < 0)
		tu_die("out of memory");
	va_end(ap);
	tu_put(b, big, n);
	free(big);
}

/* tu_put_base64 - append data base64-encoded in 76-column lines */

void    tu_put_base64(struct tu_buf *b, const uint8_t *p, size_t n, const char *eol)
{
	static const char a[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char    line[80];
	size_t  col = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t) p[i] << 16;
		size_t  k = n - i < 3 ? n - i : 3;

		if (k > 1)
			v |= (uint32_t) p[i + 1] << 8;
		if (k > 2)
			v |= p[i + 2];
		line[col++] = a[(v >> 18) & 63];
		line[col++] = a[(v >> 12) & 63];
		line[col++] = k > 1 ? a[(v >> 6) & 63] : '=';
		line[col++] = k > 2 ? a[v & 63] : '=';
		if (col == 76) {
			tu_put(b, line, col);
			tu_puts(b, eol);
			col = 0;
		}
	}
	if (col > 0) {
		tu_put(b, line, col);
		tu_puts(b, eol);
	}
}

/* tu_put_qp - append data quoted-printable-encoded */

void    tu_put_qp(struct tu_buf *b, const uint8_t *p, size_t n, const char *eol)
{
	size_t  col = 0;
	char    hex[4];

	for (size_t i = 0; i < n; i++) {
		int     c = p[i];
		int     lit = (c >= 33 && c <= 126 && c != '=');

		if (col >= 72) {
			tu_puts(b, "=");
			tu_puts(b, eol);
			col = 0;
		}
		if (lit) {
			tu_put(b, &p[i], 1);
			col++;
		} else {
			snprintf(hex, sizeof(hex), "=%02X", c);
			tu_puts(b, hex);
			col += 3;
		}
	}
	tu_puts(b, eol);
}

/* tu_message_attach - a message with one attachment */

void    tu_message_attach(struct tu_buf *b, const char *ctype, const char *filename,
			          const char *cte, const uint8_t *data, size_t len)
{
	tu_puts(b, "From: sender@example.org\r\n"
		"To: rcpt@example.net\r\n"
		"Subject: test attachment\r\n"
		"Message-ID: <test@example.org>\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"=-b0und4ry-=\"\r\n"
		"\r\n"
		"This is a multi-part message in MIME format.\r\n"
		"--=-b0und4ry-=\r\n"
		"Content-Type: text/plain; charset=us-ascii\r\n"
		"\r\n"
		"Please find the file attached.\r\n"
		"--=-b0und4ry-=\r\n");
	tu_printf(b, "Content-Type: %s%s%s%s\r\n", ctype,
		  filename ? "; name=\"" : "", filename ? filename : "", filename ? "\"" : "");
	if (filename)
		tu_printf(b, "Content-Disposition: attachment; filename=\"%s\"\r\n", filename);
	tu_printf(b, "Content-Transfer-Encoding: %s\r\n\r\n", cte);
	if (strcmp(cte, "base64") == 0)
		tu_put_base64(b, data, len, "\r\n");
	else if (strcmp(cte, "quoted-printable") == 0)
		tu_put_qp(b, data, len, "\r\n");
	else {
		tu_put(b, data, len);
		tu_puts(b, "\r\n");
	}
	tu_puts(b, "--=-b0und4ry-=--\r\n");
}
