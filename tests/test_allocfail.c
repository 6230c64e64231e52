/*
 * test_allocfail - every allocation of the message path fails in turn:
 * the result is tempfail with reason internal for that message, with
 * no leak (testutil checks the counts; ASan checks the rest) and no
 * crash.
 */

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "testutil.h"

static void sweep(const char *name, const uint8_t *p, size_t n, size_t chunk)
{
	struct record r;
	unsigned long total = tu_scan(0, p, n, chunk, 0, &r);

	cr_assert_eq(r.verdict, VERDICT_ACCEPT, "%s: %s", name, tu_record_str(&r));
	cr_assert_gt(total, 2, "%s: only %lu allocations", name, total);
	for (unsigned long i = 1; i <= total; i++) {
		tu_scan(0, p, n, chunk, i, &r);
		cr_expect_eq(r.verdict, VERDICT_TEMPFAIL, "%s: allocation %lu of %lu: %s", name, i, total,
			     tu_record_str(&r));
		cr_expect_eq(r.reason, REASON_INTERNAL, "%s: allocation %lu", name, i);
	}
}

Test(allocfail, mime_messages)
{
	static const char *const texts[] = {
		"Subject: x\r\n\r\nhello\r\n",
		"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\na\r\n--B\r\n"
		"Content-Type: message/rfc822\r\n\r\nContent-Type: multipart/alternative; boundary=C\r\n\r\n"
		"--C\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n--C\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db\r\n--C--\r\n--B--\r\n",
		"Subject: uu\n\nbegin 644 a.txt\n#86)C\n`\nend\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		sweep(texts[i], (const uint8_t *) texts[i], strlen(texts[i]), 7);
}

Test(allocfail, attachment)
{
	struct tu_buf b = {0};
	static uint8_t data[20000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i * 7;
	tu_message_attach(&b, "application/octet-stream", "d.bin", "base64", data, sizeof(data));
	sweep("attachment", b.p, b.len, 1000);
	free(b.p);
}

Test(allocfail, gzip_attachment)
{
	struct tu_buf b = {0};
	static uint8_t plain[50000], gz[60000];
	z_stream z = {0};

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = "hello world "[i % 12];
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = plain, z.avail_in = sizeof(plain);
	z.next_out = gz, z.avail_out = sizeof(gz);
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	tu_message_attach(&b, "application/gzip", "h.txt.gz", "base64", gz, z.total_out);
	deflateEnd(&z);
	sweep("gzip attachment", b.p, b.len, 512);
	free(b.p);
}

/* A forwarded message sent base64 whose parsers fork (part.c's nest). */
Test(allocfail, forwarded_message_forked)
{
	static const char inner[] =
		"Subject: inner\r\nContent-Type: multipart/mixed; boundary=X; boundary=Y\r\n\r\n"
		"--X\r\n\r\nhello\r\n--Y\r\nContent-Type: text/plain\r\n\r\nin Y\r\n--Y--\r\n--X--\r\n";
	struct tu_buf b = {0};

	tu_puts(&b, "Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\n\r\nsee below\r\n--O\r\n"
		"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	tu_put_base64(&b, (const uint8_t *) inner, strlen(inner), "\r\n");
	tu_puts(&b, "--O--\r\n");
	sweep("forwarded message, forked", b.p, b.len, 13);
	free(b.p);
}
