/*
 * test_mimehdr - Content-Type, Content-Transfer-Encoding and
 * Content-Disposition values, RFC 2045/2183/2231, and the malformed.
 */

#include <criterion/criterion.h>
#include <string.h>

#include "mimehdr.h"

struct ct_case {
	const char *value;
	const char *type;
	const char *boundary;
	const char *name;
};

static const struct ct_case ct_cases[] = {
	{"text/plain", "text/plain", "", ""},
	{"Multipart/Mixed; boundary=\"abc def\"", "multipart/mixed", "abc def", ""},
	{"multipart/mixed; boundary=abc", "multipart/mixed", "abc", ""},
	{"multipart/mixed;boundary=abc;charset=x", "multipart/mixed", "abc", ""},
	{"multipart/mixed; BOUNDARY = \"q\\\"x\"", "multipart/mixed", "q\"x", ""},
	{"multipart/mixed (comment; boundary=no); boundary=yes", "multipart/mixed", "yes", ""},
	{"multipart/mixed; boundary*0=\"ab\"; boundary*1=\"cd\"", "multipart/mixed", "abcd", ""},
	{"multipart/mixed; boundary*1=\"cd\"; boundary*0=\"ab\"", "multipart/mixed", "abcd", ""},
	{"application/pdf; name*=UTF-8''r%C3%A9sum%C3%A9.pdf", "application/pdf", "", "r\xc3\xa9sum\xc3\xa9.pdf"},
	{"application/pdf; name*0*=UTF-8''a%20b; name*1=\".pdf\"", "application/pdf", "", "a b.pdf"},
	{"application/zip; name=\"x.zip", "application/zip", "", "x.zip"},
	{"  text/html  ; charset=utf-8", "text/html", "", ""},
	{"garbage", "", "", ""},
	{"", "", "", ""},
	{"multipart/mixed; boundary=\"trailing  \"", "multipart/mixed", "trailing", ""},
	{"multipart/mixed; boundary=", "multipart/mixed", "", ""},
};

Test(mimehdr, content_type)
{
	for (size_t i = 0; i < sizeof(ct_cases) / sizeof(ct_cases[0]); i++) {
		const struct ct_case *c = &ct_cases[i];
		struct mimehdr h;

		mimehdr_reset(&h);
		mimehdr_field(&h, MIMEHDR_CTYPE, c->value, strlen(c->value));
		cr_expect_str_eq(h.type, c->type, "[%s] type", c->value);
		cr_expect_eq(h.boundary_len, strlen(c->boundary), "[%s] boundary len %zu", c->value, h.boundary_len);
		cr_expect(memcmp(h.boundary, c->boundary, h.boundary_len) == 0, "[%s] boundary", c->value);
		cr_expect_str_eq(h.name, c->name, "[%s] name", c->value);
	}
}

Test(mimehdr, cte)
{
	static const struct {
		const char *v;
		enum mime_cte cte;
		int unknown;
	} t[] = {
		{"base64", CTE_BASE64, 0}, {" BASE64 ", CTE_BASE64, 0},
		{"Quoted-Printable", CTE_QP, 0}, {"7bit", CTE_IDENTITY, 0},
		{"8bit (comment)", CTE_IDENTITY, 0}, {"binary", CTE_IDENTITY, 0},
		{"x-uuencode", CTE_UU, 0}, {"x-gzip64", CTE_BASE64, 0},
		{"x-bogus", CTE_IDENTITY, 1}, {"", CTE_IDENTITY, 1},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mimehdr h;

		mimehdr_reset(&h);
		mimehdr_field(&h, MIMEHDR_CTE, t[i].v, strlen(t[i].v));
		cr_expect_eq(h.cte, t[i].cte, "[%s]", t[i].v);
		cr_expect_eq(!!(h.findings & MIMEHDR_F_CTE_UNKNOWN), t[i].unknown, "[%s]", t[i].v);
	}
}

Test(mimehdr, disposition_wins_and_first_type_wins)
{
	struct mimehdr h;
	const char *ct = "application/octet-stream; name=ct.bin";
	const char *cd = "attachment; filename=\"cd.bin\"";
	const char *ct2 = "text/plain";

	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_DISPOSITION, cd, strlen(cd));
	mimehdr_field(&h, MIMEHDR_CTYPE, ct, strlen(ct));
	cr_expect_str_eq(h.name, "cd.bin");
	mimehdr_field(&h, MIMEHDR_CTYPE, ct2, strlen(ct2));
	cr_expect_str_eq(h.type, "application/octet-stream");
	cr_expect(h.findings & MIMEHDR_F_DUPLICATE);
}

/* RFC 2047 encoded words in a file name, as several clients write them */

Test(mimehdr, encoded_word_names)
{
	static const struct {
		const char *cd;
		const char *name;
	}       cases[] = {
		{"attachment; filename=\"=?UTF-8?B?Ym9tYi56aXA=?=\"", "bomb.zip"},
		{"attachment; filename=\"=?utf-8?q?r=C3=A9sum=C3=A9_2024.zip?=\"", "r\xc3\xa9sum\xc3\xa9 2024.zip"},
		{"attachment; filename=\"=?UTF-8?B?YWJj?= =?UTF-8?B?LnppcA==?=\"", "abc.zip"},
		{"attachment; filename=\"=?UTF-8?Q?a?=\t =?UTF-8?Q?b.zip?=\"", "ab.zip"},
		{"attachment; filename=\"x =?UTF-8?Q?y?= z.zip\"", "x y z.zip"},
		{"attachment; filename=\"=?UTF-8?Q?a?= b.zip\"", "a b.zip"},
		{"attachment; filename=\"=?UTF-8?X?abc?=.zip\"", "=?UTF-8?X?abc?=.zip"},
		{"attachment; filename=\"=?UTF-8?B?unterminated.zip\"", "=?UTF-8?B?unterminated.zip"},
		{"attachment; filename=\"=??B?YQ==?=\"", "=??B?YQ==?="},
		{"attachment; filename=\"a?b.zip\"", "a?b.zip"},
		{"attachment; filename=\"=?UTF-8?B?!!!?=\"", ""},
	};
	struct mimehdr h;
	const char *ct;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mimehdr_reset(&h);
		mimehdr_field(&h, MIMEHDR_DISPOSITION, cases[i].cd, strlen(cases[i].cd));
		cr_expect_str_eq(h.name, cases[i].name, "%s", cases[i].cd);
		cr_expect_eq(h.name_len, strlen(cases[i].name), "%s", cases[i].cd);
	}
	/* Content-Type's name too. */
	mimehdr_reset(&h);
	ct = "application/octet-stream; name=\"=?UTF-8?B?YS56aXA=?=\"";
	mimehdr_field(&h, MIMEHDR_CTYPE, ct, strlen(ct));
	cr_expect_str_eq(h.name, "a.zip");
}

Test(mimehdr, classify)
{
	cr_expect_eq(mimehdr_classify("content-type", 12), MIMEHDR_CTYPE);
	cr_expect_eq(mimehdr_classify("CONTENT-TRANSFER-ENCODING", 25), MIMEHDR_CTE);
	cr_expect_eq(mimehdr_classify("Content-Disposition", 19), MIMEHDR_DISPOSITION);
	cr_expect_eq(mimehdr_classify("Content-Typo", 12), MIMEHDR_OTHER);
}

Test(mimehdr, long_values_truncate)
{
	static char v[5000];
	struct mimehdr h;

	strcpy(v, "multipart/mixed; boundary=\"");
	memset(v + strlen(v), 'b', 3000);
	strcat(v, "\"");
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, v, strlen(v));
	cr_expect_eq(h.boundary_len, MIMEHDR_BOUNDARY_MAX - 1);
	cr_expect(h.boundary_truncated);
}
