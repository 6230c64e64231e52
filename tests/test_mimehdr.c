/*
 * test_mimehdr - Content-Type, Content-Transfer-Encoding and
 * Content-Disposition values, RFC 2045/2183/2231, and the malformed.
 */

#include <criterion/criterion.h>
#include <stdio.h>
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

/* RFC 2231 sections in any order, extended or not, with gaps and
 * duplicates: the first of each section counts, assembly stops at a gap */

Test(mimehdr, sections_reordered_and_duplicated)
{
	static const struct {
		const char *v;
		const char *boundary;
		int	ambiguous;
	}       t[] = {
		{"multipart/mixed; boundary*2=ef; boundary*0=ab; boundary*1=cd", "abcdef", 0},
		{"multipart/mixed; boundary*2*=%65f; boundary*1=cd; boundary*0*=us-ascii'en'ab",
		 "abcdef", 0},
		{"multipart/mixed; boundary*0=ab; boundary*2=ef", "ab", 0},	/* gap */
		{"multipart/mixed; boundary*1=cd; boundary*2=ef", "", 0},	/* no 0 */
		{"multipart/mixed; boundary*0=ab; boundary*1=cd; boundary*1=XX", "abcd", 1},
		{"multipart/mixed; boundary*0=ab; boundary*0=ab; boundary*1=cd", "abcd", 0},
		{"multipart/mixed; BOUNDARY*1=\"cd\"; Boundary*0=\"ab\"", "abcd", 0},
		/* a plain value beats the sections; boundary*= beats both */
		{"multipart/mixed; boundary*0=ab; boundary=plain; boundary*1=cd", "plain", 1},
		{"multipart/mixed; boundary=plain; boundary*=''ext; boundary=late", "ext", 1},
		/* the last plain value wins, as it always did */
		{"multipart/mixed; boundary=one; boundary=two", "two", 1},
		{"multipart/mixed; boundary=same; boundary=\"same\"", "same", 0},
		{"multipart/mixed; boundary*64=x; boundary*0=a", "a", 0},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mimehdr h;

		mimehdr_reset(&h);
		mimehdr_field(&h, MIMEHDR_CTYPE, t[i].v, strlen(t[i].v));
		cr_expect_eq(h.boundary_len, strlen(t[i].boundary), "[%s] %zu", t[i].v, h.boundary_len);
		cr_expect(memcmp(h.boundary, t[i].boundary, h.boundary_len) == 0, "[%s] %.*s",
			  t[i].v, (int) h.boundary_len, h.boundary);
		cr_expect_eq(!!(h.findings & MIMEHDR_F_BOUNDARY_AMBIGUOUS), t[i].ambiguous,
			     "[%s] ambiguity", t[i].v);
	}
}

/* Every form the boundary was given in, for the readings that pick another */

Test(mimehdr, boundary_forms_exposed)
{
	struct mimehdr h;
	const char *v = "multipart/mixed; boundary=\"first \"; boundary*1=\"-b\"; "
	    "boundary=last; boundary*0*=utf-8''2231%2Da; boundary=\"middle\"; boundary=last2";

	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, v, strlen(v));
	cr_expect_eq(h.boundary_plain, 4);
	cr_expect(h.boundary_first.given);
	cr_expect_str_eq(h.boundary_first.s, "first");		/* blanks dropped */
	cr_expect_eq(h.boundary_first.len, 5);
	cr_expect(h.boundary_last.given);
	cr_expect_str_eq(h.boundary_last.s, "last2");
	cr_expect(h.boundary_2231.given);
	cr_expect_str_eq(h.boundary_2231.s, "2231-a-b");
	cr_expect_eq(h.boundary_len, 5);			/* today's choice: the last */
	cr_expect(memcmp(h.boundary, "last2", 5) == 0);
	cr_expect(h.findings & MIMEHDR_F_BOUNDARY_AMBIGUOUS);

	/* boundary*= is the RFC 2231 form when given, and the choice */
	v = "multipart/mixed; boundary*=''ext; boundary*0=sec; boundary=plain";
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, v, strlen(v));
	cr_expect_str_eq(h.boundary_2231.s, "ext");
	cr_expect_str_eq(h.boundary_first.s, "plain");
	cr_expect_str_eq(h.boundary_last.s, "plain");
	cr_expect(memcmp(h.boundary, "ext", 3) == 0 && h.boundary_len == 3);

	/* one plain boundary: one form, no ambiguity; none: nothing given */
	v = "multipart/mixed; boundary=only";
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, v, strlen(v));
	cr_expect(h.boundary_first.given && h.boundary_last.given && !h.boundary_2231.given);
	cr_expect_str_eq(h.boundary_first_raw.s, "only");
	cr_expect_eq(h.findings & MIMEHDR_F_BOUNDARY_AMBIGUOUS, 0);

	/* a backslash in a quoted value: an escape, or kept (RD_BND_RAW);
	 * unquoted, no escape */
	static const struct {
		const char *v, *first, *first_raw, *last, *last_raw;
		int     ambiguous;
	} raw[] = {
		{"multipart/mixed; boundary=\"a\\b\\\"c\"; boundary=\"d\\e\"",
		 "ab\"c", "a\\b\\\"c", "de", "d\\e", 1},
		{"multipart/mixed; boundary=a\\b", "a\\b", "a\\b", "a\\b", "a\\b", 0},
	};
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		mimehdr_reset(&h);
		mimehdr_field(&h, MIMEHDR_CTYPE, raw[i].v, strlen(raw[i].v));
		cr_expect_str_eq(h.boundary_first.s, raw[i].first);
		cr_expect_str_eq(h.boundary_first_raw.s, raw[i].first_raw);
		cr_expect_str_eq(h.boundary_last.s, raw[i].last);
		cr_expect_str_eq(h.boundary_last_raw.s, raw[i].last_raw);
		cr_expect_eq(!!(h.findings & MIMEHDR_F_BOUNDARY_AMBIGUOUS), raw[i].ambiguous);
	}
	v = "text/plain; charset=us-ascii";
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, v, strlen(v));
	cr_expect(!h.boundary_first.given && !h.boundary_last.given && !h.boundary_2231.given);
	cr_expect_eq(h.boundary_plain, 0);
}

/* File names given twice: the same choice as before, and a flag */

Test(mimehdr, name_duplicates)
{
	static const struct {
		const char *cd;
		const char *name;
		int	ambiguous;
	}       t[] = {
		{"attachment; filename=a.txt; filename=b.zip", "b.zip", 1},
		{"attachment; filename*=UTF-8''x.zip; filename=x.zip", "x.zip", 0},
		{"attachment; filename=x.txt; filename*=UTF-8''x.zip", "x.zip", 1},
		{"attachment; filename*1=.zip; filename*0=x", "x.zip", 0},
		{"attachment; filename*0=x; filename*1=.zip; filename*1=.txt", "x.zip", 1},
		{"attachment; filename=\"s.pdf\"; filename*0=s; filename*1=.exe", "s.pdf", 1},
	};
	struct mimehdr h;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		mimehdr_reset(&h);
		mimehdr_field(&h, MIMEHDR_DISPOSITION, t[i].cd, strlen(t[i].cd));
		cr_expect_str_eq(h.name, t[i].name, "[%s]", t[i].cd);
		cr_expect_eq(!!(h.findings & MIMEHDR_F_NAME_AMBIGUOUS), t[i].ambiguous, "[%s]",
			     t[i].cd);
	}
	/* an empty filename leaves Content-Type's name standing */
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, "a/b; name=ct.zip", 16);
	mimehdr_field(&h, MIMEHDR_DISPOSITION, "attachment; filename=", 21);
	cr_expect_str_eq(h.name, "ct.zip");
	cr_expect_eq(h.name_len, 6);
	cr_expect_eq(h.name_from_disposition, 0);
}

/*
 * Linear time: each parameter of a field is parsed once, however many
 * sections of boundary, name and filename it carries and in whatever
 * order (the count used to be about sections x parameters).
 */
Test(mimehdr, one_parse_per_parameter)
{
	static char ct[8192], cd[8192];
	size_t  n = 0, m = 0;
	unsigned params = 0, dparams = 0;
	struct mimehdr h;

	n += (size_t) snprintf(ct + n, sizeof(ct) - n, "multipart/mixed");
	m += (size_t) snprintf(cd + m, sizeof(cd) - m, "attachment");
	for (int i = 0; i < 500; i++, params++, dparams++) {
		n += (size_t) snprintf(ct + n, sizeof(ct) - n, "; p%d=1", i);
		m += (size_t) snprintf(cd + m, sizeof(cd) - m, ";q%d=\"1\"", i);
	}
	for (int s = 63; s >= 0; s--, params += 2, dparams++) {
		n += (size_t) snprintf(ct + n, sizeof(ct) - n, "; boundary*%d=%x; name*%d*=%x",
				       s, s % 16, s, s % 16);
		m += (size_t) snprintf(cd + m, sizeof(cd) - m, "; filename*%d*=%x", s, s % 16);
	}
	cr_assert_lt(n, sizeof(ct) - 1);
	cr_assert_lt(m, sizeof(cd) - 1);
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTYPE, ct, n);
	cr_expect_eq(h.param_steps, params, "%lu steps for %u parameters", h.param_steps, params);
	cr_expect_eq(h.boundary_len, 64);
	cr_expect(memcmp(h.boundary, "0123456789abcdef", 16) == 0);
	cr_expect_eq(h.name_len, 64);
	mimehdr_field(&h, MIMEHDR_DISPOSITION, cd, m);
	cr_expect_eq(h.param_steps, params + dparams, "%lu steps", h.param_steps);
	cr_expect(h.name_from_disposition);
	cr_expect_eq(h.name_len, 64);
}

/* Compaction drops a comment the value ends in; mimehdr_skip passes over
 * the rest of it (nested, escaped parentheses), then the field goes on. */
Test(mimehdr, compact_drops_an_open_comment)
{
	char    v[] = "multipart/mixed; boundary=\"BB\"; x=1; (open (nested";
	const char *rest = " \\) more) tail) ; name=z";
	struct mimehdr_skip skip;
	size_t  n = mimehdr_compact(v, strlen(v), &skip), k;

	v[n] = 0;
	cr_expect_str_eq(v, "multipart/mixed; boundary=\"BB\"; ");
	cr_expect_eq(skip.mode, MIMEHDR_SKIP_COMMENT);
	cr_expect_eq(skip.depth, 2);
	k = mimehdr_skip(&skip, (const uint8_t *) rest, strlen(rest));
	cr_expect_eq(skip.mode, 0);
	cr_expect_str_eq(rest + k, " ; name=z");

	/* byte by byte, the same */
	n = mimehdr_compact(strcpy(v, "text/plain; (a (b"), strlen(v), &skip);
	for (k = 0; rest[k] && skip.mode; k++)
		cr_expect_leq(mimehdr_skip(&skip, (const uint8_t *) rest + k, 1), 1);
	cr_expect_str_eq(rest + k, " ; name=z");

	/* a comment closed before an attribute cut short: kept as written */
	strcpy(v, "text/plain; (closed) nam");
	n = mimehdr_compact(v, strlen(v), &skip);
	cr_expect_eq(skip.mode, 0);
	v[n] = 0;
	cr_expect_str_eq(v, "text/plain; (closed) nam");
}
