/*
 * test_limits - each MIME-side limit: a message just under it is
 * accepted, just over it is rejected with its reason.  (The archive
 * limits are tested with the archive walkers, in test_zip etc.)
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bombs.h"
#include "testutil.h"

static struct record run(const struct conf *conf, const struct tu_buf *b)
{
	struct record r;

	tu_scan(conf, b->p, b->len, 4096, 0, &r);
	return (r);
}

static void just_under_and_over(const char *key, uint64_t at, const struct tu_buf *b,
				        enum reason reason)
{
	struct conf conf = *tu_conf();
	char    err[256], val[32];
	struct record r;

	snprintf(val, sizeof(val), "%llu", (unsigned long long) at);
	cr_assert_eq(conf_set(&conf, key, val, err, sizeof(err)), 0, "%s", err);
	r = run(&conf, b);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s=%s: %s", key, val, tu_record_str(&r));
	snprintf(val, sizeof(val), "%llu", (unsigned long long) at - 1);
	cr_assert_eq(conf_set(&conf, key, val, err, sizeof(err)), 0, "%s", err);
	r = run(&conf, b);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s=%s: %s", key, val, tu_record_str(&r));
	cr_expect_eq(r.reason, reason, "%s=%s: %s", key, val, tu_record_str(&r));
}

Test(limits, message_cost)
{
	struct tu_buf b = {0};
	uint8_t data[10000];
	struct record r;

	memset(data, 7, sizeof(data));
	tu_message_attach(&b, "application/octet-stream", "x.bin", "base64", data, sizeof(data));
	r = run(tu_conf(), &b);
	just_under_and_over("max_message_cost", r.cost, &b, REASON_MESSAGE_COST);
	free(b.p);
}

Test(limits, part_size)
{
	struct tu_buf b = {0};
	uint8_t data[100000];
	struct conf conf = *tu_conf();
	struct record r;

	memset(data, 7, sizeof(data));
	tu_message_attach(&b, "application/octet-stream", "x.bin", "base64", data, sizeof(data));
	just_under_and_over("max_part_size", sizeof(data), &b, REASON_PART_SIZE);
	conf.max_part_size = sizeof(data) - 1;
	r = run(&conf, &b);
	cr_expect_str_eq(r.where, "2/x.bin");
	free(b.p);
}

Test(limits, parts)
{
	struct tu_buf b = {0};

	tu_puts(&b, "Content-Type: multipart/mixed; boundary=B\r\n\r\n");
	for (int i = 0; i < 50; i++)
		tu_puts(&b, "--B\r\n\r\npart\r\n");
	tu_puts(&b, "--B--\r\n");
	just_under_and_over("max_parts", 50, &b, REASON_PARTS);
	free(b.p);
}

/* Archive members are no MIME parts: a zip of 2,500 files passes max_parts. */
Test(limits, archive_members_do_not_count_as_parts)
{
	struct conf conf = *tu_conf();
	struct bomb_zip z = {0};
	struct tu_buf b = {0};
	struct record r;
	char    name[32];

	for (int i = 0; i < 2500; i++) {
		snprintf(name, sizeof(name), "src/f%04d.c", i);
		bz_file(&z, name, (const uint8_t *) "int x;\n", 7, i % 2 ? 8 : 0, 0);
	}
	bz_close(&z, 0);
	tu_message_attach(&b, "application/zip", "src.zip", "base64", z.b.p, z.b.len);
	r = run(&conf, &b);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	/* the record counts both (and the preamble, ripmime's) */
	cr_expect_eq(r.parts, 3 + 2500, "%s", tu_record_str(&r));
	conf.max_archive_entries = 2499;
	r = run(&conf, &b);
	cr_expect_eq(r.reason, REASON_ARCHIVE_ENTRIES, "%s", tu_record_str(&r));
	bz_free(&z);
	free(b.p);
}

Test(limits, mime_depth)
{
	struct tu_buf b = {0};
	int     depth = 40;

	for (int i = 0; i < depth; i++)
		tu_printf(&b, "%sContent-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
			  i ? "" : "Subject: nest\r\n", i, i);
	tu_puts(&b, "\r\nleaf\r\n");
	for (int i = depth - 1; i >= 0; i--)
		tu_printf(&b, "--b%d--\r\n", i);
	just_under_and_over("max_mime_depth", depth, &b, REASON_MIME_DEPTH);
	free(b.p);
}

Test(limits, nesting_500_deep_is_cheap)
{
	struct tu_buf b = {0};
	struct record r;

	for (int i = 0; i < 500; i++)
		tu_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
	r = run(tu_conf(), &b);
	cr_expect_eq(r.reason, REASON_MIME_DEPTH);
	cr_expect_eq(r.mime_depth, tu_conf()->max_mime_depth + 1);
	cr_expect_lt(r.peak_mem, 64 * 1024);
	free(b.p);
}

Test(limits, fifty_thousand_empty_parts)
{
	struct tu_buf b = {0};
	struct record r;

	tu_puts(&b, "Content-Type: multipart/mixed; boundary=B\r\n\r\n");
	for (int i = 0; i < 50000; i++)
		tu_puts(&b, "--B\r\n");
	r = run(tu_conf(), &b);
	cr_expect_eq(r.reason, REASON_PARTS);
	cr_expect_eq(r.parts, tu_conf()->max_parts + 1);
	free(b.p);
}

Test(limits, message_memory_cap_tempfails)
{
	struct conf conf = *tu_conf();
	struct tu_buf b = {0};
	struct record r;

	conf.max_mime_depth = 1000;
	conf.max_message_memory = 65536;
	tu_puts(&b, "Subject: x\r\n\r\nhello\r\n");
	r = run(&conf, &b);
	/* 1002 frames and the parser's buffers fit 64 KiB or do not; either
	 * way the answer is a defined one, never a crash. */
	cr_expect(r.verdict == VERDICT_ACCEPT || (r.verdict == VERDICT_TEMPFAIL && r.reason == REASON_INTERNAL));
	conf.max_message_memory = 16384;
	r = run(&conf, &b);
	cr_expect_eq(r.verdict, VERDICT_TEMPFAIL);
	cr_expect_eq(r.reason, REASON_INTERNAL);
	free(b.p);
}

/*
 * ripmime writes a multipart message's preamble out as a file of its own
 * (RD_PREAMBLE), and a filter behind it sniffs and unpacks that file: raw
 * gzip bytes there are a bomb like an attached one, at every split.  The
 * same bytes in an inner multipart's preamble are dropped by every
 * reading, ripmime's too: only the raw bytes count.
 */
/* preamble_msg - a multipart whose preamble (after open) is gz */

static void preamble_msg(struct tu_buf *b, const char *open, const struct tu_buf *gz,
			         const char *close)
{
	b->len = 0;
	tu_puts(b, "Subject: preamble\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n");
	tu_puts(b, open);
	tu_put(b, gz->p, gz->len);
	tu_puts(b, close);
}

Test(limits, gzip_bomb_in_the_preamble)
{
	struct tu_buf gz = {0}, b = {0};
	struct record r;
	const char *diff;

	bomb_gzip_zeros(&gz, 200u << 20, 1);
	preamble_msg(&b, "", &gz, "\r\n--XX\r\n\r\nhello\r\n--XX--\r\n");
	tu_scan(0, b.p, b.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_geq(r.parts, 2, "%s", tu_record_str(&r));
	diff = bomb_split_diff(tu_conf(), b.p, b.len, 4);
	cr_expect(diff == 0, "split: %s", diff);

	preamble_msg(&b, "--XX\r\nContent-Type: multipart/mixed; boundary=YY\r\n\r\n", &gz,
		     "\r\n--YY\r\n\r\nhello\r\n--YY--\r\n--XX--\r\n");
	tu_scan(0, b.p, b.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.decoded, 5, "%s", tu_record_str(&r));
	free(b.p);
	free(gz.p);
}
