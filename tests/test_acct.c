/*
 * test_acct - the counted allocator: totals and peaks by stage, the
 * per-message cap, the global budget, the fault hook, zlib's pair.
 */

#include <criterion/criterion.h>
#include <zlib.h>

#include "acct.h"

Test(acct, counts_and_peaks)
{
	struct acct a;
	void   *p, *q;

	acct_init(&a, 0, 0, 0);
	p = acct_alloc(&a, ACCT_MIME, 1000);
	q = acct_alloc(&a, ACCT_INFLATE, 5000);
	cr_assert(p && q);
	cr_expect_geq(a.cur, 6000);
	cr_expect_geq(a.stage_cur[ACCT_MIME], 1000);
	cr_expect_lt(a.stage_cur[ACCT_MIME], 1100);
	acct_free(&a, q);
	cr_expect_lt(a.cur, 1100);
	cr_expect_geq(a.peak, 6000);
	cr_expect_geq(a.stage_peak[ACCT_INFLATE], 5000);
	cr_expect_eq(a.stage_cur[ACCT_INFLATE], 0);
	acct_free(&a, p);
	cr_expect_eq(a.cur, 0);
	cr_expect_eq(a.nalloc, 2);
	cr_expect_null(acct_free(&a, NULL));
}

Test(acct, cap_refuses_before_malloc)
{
	struct acct a;
	void   *p;

	acct_init(&a, 4096, 0, 0);
	cr_expect_null(acct_alloc(&a, ACCT_MIME, 5000));
	cr_expect_eq(a.failed, ACCT_FAIL_NOMEM);
	cr_expect_eq(a.cur, 0);
	p = acct_alloc(&a, ACCT_MIME, 1000);
	cr_expect_not_null(p);
	acct_free(&a, p);
	cr_expect_null(acct_calloc(&a, ACCT_MIME, SIZE_MAX / 2, 4));
}

Test(acct, budget_is_shared_and_returned)
{
	struct acct_budget b = {10000, 0};
	struct acct a1, a2;
	void   *p, *q;

	acct_init(&a1, 0, &b, 0);
	acct_init(&a2, 0, &b, 0);
	p = acct_alloc(&a1, ACCT_MIME, 6000);
	cr_assert_not_null(p);
	q = acct_alloc(&a2, ACCT_MIME, 6000);
	cr_expect_null(q);
	cr_expect_eq(a2.failed, ACCT_FAIL_BUDGET);
	acct_free(&a1, p);
	cr_expect_eq(b.used, 0);
	q = acct_alloc(&a2, ACCT_MIME, 6000);
	cr_expect_not_null(q);
	acct_free(&a2, q);
	cr_expect_eq(b.used, 0);
}

Test(acct, fault_hook_fails_exactly_one)
{
	struct acct a;
	void   *p[4];

	acct_init(&a, 0, 0, 3);
	for (int i = 0; i < 4; i++)
		p[i] = acct_alloc(&a, ACCT_DECODE, 16);
	cr_expect_not_null(p[0]);
	cr_expect_not_null(p[1]);
	cr_expect_null(p[2]);
	cr_expect_not_null(p[3]);
	cr_expect_eq(a.failed, ACCT_FAIL_NOMEM);
	for (int i = 0; i < 4; i++)
		acct_free(&a, p[i]);
	cr_expect_eq(a.cur, 0);
}

Test(acct, zlib_uses_the_counted_pair)
{
	struct acct a;
	z_stream z = {0};

	acct_init(&a, 0, 0, 0);
	z.zalloc = acct_zalloc;
	z.zfree = acct_zfree;
	z.opaque = &a;
	cr_assert_eq(inflateInit2(&z, -15), Z_OK);
	cr_expect_gt(a.stage_cur[ACCT_INFLATE], 7000);
	inflateEnd(&z);
	cr_expect_eq(a.cur, 0);
	cr_expect_str_eq(acct_stage_name(ACCT_INFLATE), "inflate");
}
