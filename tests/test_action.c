/*
 * NAME
 *	test_action 1
 * SUMMARY
 *	tests of the verdict-to-action mapping and the reply texts
 * DESCRIPTION
 *	Every refusing reason has its on_<reason> key; the defaults reject
 *	with the reason table's code; action and on_* override; own
 *	trouble follows on_trouble; reply texts are expanded, '%' doubled
 *	(never cut in half), control characters removed, bounded; the
 *	tag and accounting headers.  Needs action.c, the engine library
 *	and Criterion.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "action.h"
#include "conf.h"
#include "reason.h"

/* conf_with - defaults plus key=value pairs, NULL-terminated */

static struct conf conf_with(const char *kv, ...)
{
	struct conf c;
	char    err[256], buf[512];
	va_list ap;

	conf_defaults(&c);
	va_start(ap, kv);
	for (const char *p = kv; p; p = va_arg(ap, const char *)) {
		char   *eq;

		snprintf(buf, sizeof(buf), "%s", p);
		eq = strchr(buf, '=');
		cr_assert(eq, "%s", p);
		*eq = 0;
		cr_assert_eq(conf_set(&c, buf, eq + 1, err, sizeof(err)), 0, "%s", err);
	}
	va_end(ap);
	return (c);
}

static struct record rec_of(enum reason r, const char *where)
{
	struct record rec;

	memset(&rec, 0, sizeof(rec));
	rec.reason = r;
	rec.verdict = reason_info(r)->verdict;
	snprintf(rec.where, sizeof(rec.where), "%s", where);
	rec.raw = 1000, rec.decoded = 700, rec.cost = 1700, rec.parts = 2;
	return (rec);
}

Test(action, every_refusing_reason_has_its_key)
{
	for (int r = 0; r < REASON_COUNT; r++) {
		char    name[64];
		int     found = 0;

		if (reason_info(r)->verdict != VERDICT_REJECT)
			continue;
		snprintf(name, sizeof(name), "on_%s", reason_name(r));
		for (size_t i = 0; i < conf_nkeys; i++)
			if (strcmp(conf_keys[i].name, name) == 0) {
				found = 1;
				cr_expect_eq(conf_keys[i].type, CONF_ENUM, "%s", name);
				cr_expect_str_eq(conf_keys[i].choices, CONF_ACTIONS_OR_DEFAULT, "%s", name);
			}
		cr_expect(found, "no key %s in conf.h", name);
	}
}

Test(action, defaults)
{
	struct conf c = conf_with(NULL);

	for (int r = 0; r < REASON_COUNT; r++) {
		enum action_kind want = reason_info(r)->verdict == VERDICT_ACCEPT ? ACT_ACCEPT
		: reason_info(r)->verdict == VERDICT_TEMPFAIL ? ACT_TEMPFAIL : ACT_REJECT;

		cr_expect_eq(action_for(&c, r), want, "%s", reason_name(r));
	}
	conf_free(&c);
}

Test(action, overrides)
{
	struct conf c = conf_with("action=monitor", "on_ratio=tag",
				  "on_zip_overlap=reject", "on_trouble=accept", NULL);

	cr_expect_eq(action_for(&c, REASON_PART_SIZE), ACT_MONITOR);
	cr_expect_eq(action_for(&c, REASON_RATIO), ACT_TAG);
	cr_expect_eq(action_for(&c, REASON_ZIP_OVERLAP), ACT_REJECT);
	cr_expect_eq(action_for(&c, REASON_BUDGET), ACT_ACCEPT);
	cr_expect_eq(action_for(&c, REASON_INTERNAL), ACT_ACCEPT);
	cr_expect_eq(action_for(&c, REASON_NONE), ACT_ACCEPT);
	conf_free(&c);
	c = conf_with("on_parts=quarantine", "on_mime_depth=discard", "on_ratio=tempfail", NULL);
	cr_expect_eq(action_for(&c, REASON_PARTS), ACT_QUARANTINE);
	cr_expect_eq(action_for(&c, REASON_MIME_DEPTH), ACT_DISCARD);
	cr_expect_eq(action_for(&c, REASON_RATIO), ACT_TEMPFAIL);
	cr_expect_eq(action_for(&c, REASON_PART_SIZE), ACT_REJECT);
	conf_free(&c);
}

Test(action, reject_reply)
{
	struct conf c = conf_with("max_part_size=1M", NULL);
	struct record rec = rec_of(REASON_PART_SIZE, "2/big.bin");
	struct action act;

	action_decide(&c, &rec, &act);
	cr_assert_eq(act.kind, ACT_REJECT);
	cr_expect_str_eq(act.name, "reject");
	cr_expect_str_eq(act.smtp, "552");
	cr_expect_str_eq(act.status, "5.3.4");
	cr_expect_str_eq(act.text, "part too large once decoded (part_size, limit 1M, part 2/big.bin)");
	cr_expect_str_eq(act.header, "");
	rec = rec_of(REASON_MIME_DEPTH, "1.1.1.1");
	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.smtp, "554");
	cr_expect_str_eq(act.status, "5.6.0");
	cr_expect_str_eq(act.text, "MIME structure nested too deep (mime_depth, limit 32, part 1.1.1.1)");
	rec = rec_of(REASON_SIZE_DECLARED, "");
	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.text, "declared message size exceeds the limit (size_declared, limit 256M, part -)");
	conf_free(&c);
}

Test(action, tempfail_replies)
{
	struct conf c = conf_with("on_ratio=tempfail", NULL);
	struct record rec = rec_of(REASON_RATIO, "1/a.zip/b");
	struct action act;

	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.smtp, "451");
	cr_expect_str_eq(act.status, "4.3.4");
	cr_expect_str_eq(act.text, "archive member compressed too well (decompression bomb) (ratio)");
	rec = rec_of(REASON_BUDGET, "");
	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.smtp, "451");
	cr_expect_str_eq(act.status, "4.3.1");
	rec = rec_of(REASON_INTERNAL, "");
	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.status, "4.3.0");
	conf_free(&c);
}

Test(action, unsafe_text)
{
	struct conf c = conf_with("reply_text=100% {reason}\r\n{where} {unknown} {", NULL);
	struct record rec = rec_of(REASON_PARTS, "a%b\x01\"c");
	struct action act;

	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.text, "100%% parts  a_b?_c {unknown} {");
	conf_free(&c);
}

Test(action, bounded_and_never_half_a_percent)
{
	char    tpl[2000];
	struct conf c;
	struct record rec = rec_of(REASON_PARTS, "x");
	struct action act;

	for (size_t shift = 0; shift < 3; shift++) {
		memset(tpl, '%', sizeof(tpl) - 1);
		memset(tpl, 'a', shift);
		tpl[sizeof(tpl) - 1] = 0;
		c = conf_with(NULL);
		free(c.reply_text);
		c.reply_text = strdup(tpl);
		action_decide(&c, &rec, &act);
		cr_expect_lt(strlen(act.text), ACTION_TEXT_MAX);
		cr_expect_eq((strlen(act.text) - shift) % 2, 0, "odd number of %% at shift %zu", shift);
		conf_free(&c);
	}
}

Test(action, headers)
{
	struct conf c = conf_with("on_ratio=tag", NULL);
	struct record rec = rec_of(REASON_RATIO, "2/a b.zip");
	struct action act;

	action_decide(&c, &rec, &act);
	cr_expect_eq(act.kind, ACT_TAG);
	cr_expect_null(act.smtp);
	cr_expect(strncmp(act.header, "tag; reason=ratio where=2/a_b.zip raw=1000 ", 43) == 0,
		  "%s", act.header);
	rec = rec_of(REASON_NONE, "");
	action_decide(&c, &rec, &act);
	cr_expect_str_eq(act.header, "", "no header unless add_header");
	conf_free(&c);
	c = conf_with("add_header=yes", "on_parts=quarantine", NULL);
	action_decide(&c, &rec, &act);
	cr_expect(strncmp(act.header, "accept; raw=1000 decoded=700 expanded=0 cost=1700 parts=2 ", 58) == 0,
		  "%s", act.header);
	cr_expect(strchr(act.header, '\n') == 0);
	rec = rec_of(REASON_PARTS, "3");
	action_decide(&c, &rec, &act);
	cr_expect_eq(act.kind, ACT_QUARANTINE);
	cr_expect_str_eq(act.quarantine, "defuse: parts at 3");
	conf_free(&c);
}

Test(action, finality)
{
	cr_expect(action_is_final(ACT_REJECT));
	cr_expect(action_is_final(ACT_TEMPFAIL));
	cr_expect(action_is_final(ACT_DISCARD));
	cr_expect(!action_is_final(ACT_TAG));
	cr_expect(!action_is_final(ACT_MONITOR));
	cr_expect(!action_is_final(ACT_QUARANTINE));
	cr_expect(!action_is_final(ACT_ACCEPT));
}
