/*
 * test_record - rendering of the accounting record, and sanitising.
 */

#include <criterion/criterion.h>
#include <string.h>

#include "record.h"

static struct record sample(void)
{
	struct record r;

	memset(&r, 0, sizeof(r));
	r.verdict = VERDICT_REJECT;
	r.reason = REASON_RATIO;
	strcpy(r.where, "2/a.zip/b.bin");
	r.raw = 100, r.decoded = 70, r.expanded = 5000000000ull;
	r.cost = 5000000170ull, r.inflated = 1048576, r.parts = 3;
	r.mime_depth = 1, r.archive_depth = 1, r.peak_mem = 52000;
	r.mem[ACCT_INFLATE] = 45000;
	r.findings = (uint64_t) 1 << FIND_TYPE_MISMATCH | (uint64_t) 1 << FIND_NO_BODY;
	r.nviews = 2;
	r.views[0] = 1u << READING_RFC | 1u << READING_PYTHON;
	r.views[1] = 1u << READING_CLAMAV | 1u << READING_RIPMIME;
	r.reading = r.views[1];
	r.ms = 1.5;
	return (r);
}

Test(record, kv)
{
	struct record r = sample();
	char    buf[RECORD_TEXT_MAX];

	record_kv(&r, buf, sizeof(buf));
	cr_expect(strstr(buf, "verdict=reject reason=ratio where=2/a.zip/b.bin raw=100 decoded=70 expanded=5000000000 decoder_mem=0 cost=5000000170 inflated=1048576 parts=3 mime_depth=1 archive_depth=1 peak_mem=52000 mem=msg:0,mime:0,decode:0,magic:0,archive:0,inflate:45000,bzip2:0,xz:0,zstd:0 ") == buf, "%s", buf);
	cr_expect(strstr(buf, " findings=type_mismatch,no_body readings=rfc+python,clamav+ripmime reading=clamav+ripmime ms=1.500"), "%s", buf);
	memset(&r, 0, sizeof(r));
	record_kv(&r, buf, sizeof(buf));
	cr_expect(strstr(buf, "where=- "), "%s", buf);
	cr_expect(strstr(buf, "findings=none "), "%s", buf);
}

Test(record, json)
{
	struct record r = sample();
	char    buf[RECORD_TEXT_MAX];

	record_json(&r, buf, sizeof(buf));
	cr_expect_str_eq(buf, "{\"verdict\":\"reject\",\"reason\":\"ratio\",\"where\":\"2/a.zip/b.bin\","
			 "\"raw\":100,\"decoded\":70,\"expanded\":5000000000,\"decoder_mem\":0,\"cost\":5000000170,"
			 "\"inflated\":1048576,\"parts\":3,\"mime_depth\":1,\"archive_depth\":1,"
			 "\"peak_mem\":52000,\"mem\":{\"msg\":0,\"mime\":0,\"decode\":0,\"magic\":0,"
			 "\"archive\":0,\"inflate\":45000,\"bzip2\":0,\"xz\":0,\"zstd\":0},\"findings\":[\"type_mismatch\",\"no_body\"],"
			 "\"readings\":[\"rfc+python\",\"clamav+ripmime\"],\"reading\":\"clamav+ripmime\","
			 "\"ms\":1.500}");
}

Test(record, truncates_never_overflows)
{
	struct record r = sample();
	char    buf[40];

	memset(buf, 'X', sizeof(buf));
	cr_expect_lt(record_kv(&r, buf, 20), 20);
	cr_expect_eq(buf[19], 0);
	cr_expect_eq(buf[20], 'X');
	cr_expect_lt(record_json(&r, buf, 20), 20);
	cr_expect_eq(record_kv(&r, buf, 0), 0);
}

Test(record, sanitize)
{
	char    out[16];
	const char evil[] = "a b\"c\\d%e=f;g\r\n\x01\xc3\xa4h";

	record_sanitize(out, sizeof(out), evil, sizeof(evil) - 1);
	cr_expect_str_eq(out, "a_b_c_d_e_f_g??");
	record_sanitize(out, sizeof(out), "short", 5);
	cr_expect_str_eq(out, "short");
	cr_expect_eq(record_sanitize(out, 1, "abc", 3), 0);
	cr_expect_eq(out[0], 0);
}
