/*
 * test_reason - the reason and finding tables: unique names, lookups,
 * and SMTP codes that agree with the verdict.
 */

#include <criterion/criterion.h>
#include <string.h>

#include "reason.h"

Test(reason, names_unique_and_found)
{
	for (int r = 0; r < REASON_COUNT; r++) {
		cr_expect_eq(reason_lookup(reason_name(r)), r, "%s", reason_name(r));
		for (int s = r + 1; s < REASON_COUNT; s++)
			cr_expect_str_neq(reason_name(r), reason_name(s));
	}
	cr_expect_eq(reason_lookup("no_such_reason"), -1);
	for (int f = 0; f < FIND_COUNT; f++)
		for (int g = f + 1; g < FIND_COUNT; g++)
			cr_expect_str_neq(finding_name(f), finding_name(g));
	cr_expect_lt(FIND_COUNT, 64, "findings must fit the record's bit set");
}

Test(reason, codes_agree_with_verdicts)
{
	for (int r = 0; r < REASON_COUNT; r++) {
		const struct reason_info *ri = reason_info(r);
		char    want = ri->verdict == VERDICT_REJECT ? '5'
			: ri->verdict == VERDICT_TEMPFAIL ? '4' : '2';

		cr_expect_eq(ri->smtp[0], want, "%s: %s", ri->name, ri->smtp);
		cr_expect_eq(ri->status[0], want, "%s: %s", ri->name, ri->status);
		cr_expect_gt(strlen(ri->text), 0);
	}
	cr_expect_str_eq(reason_info(REASON_MESSAGE_COST)->smtp, "552");
	cr_expect_str_eq(reason_info(REASON_MESSAGE_COST)->status, "5.3.4");
	cr_expect_str_eq(reason_info(REASON_ZIP_OVERLAP)->smtp, "554");
	cr_expect_str_eq(reason_info(REASON_ZIP_OVERLAP)->status, "5.6.0");
	cr_expect_str_eq(reason_info(REASON_BUDGET)->status, "4.3.1");
	cr_expect_str_eq(verdict_name(VERDICT_TEMPFAIL), "tempfail");
}

Test(reason, design_names)
{
	static const char *const design[] = {
		"none", "message_cost", "part_size", "ratio", "parts", "mime_depth",
		"archive_depth", "archive_entries", "zip_overlap", "size_declared",
		"budget", "internal",
	};

	for (size_t i = 0; i < sizeof(design) / sizeof(design[0]); i++)
		cr_expect_geq(reason_lookup(design[i]), 0, "%s", design[i]);
}
