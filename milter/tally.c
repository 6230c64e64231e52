/*
 * NAME
 *	tally 3
 * SUMMARY
 *	defuse-scan's summary: counts by verdict and reason, largest costs
 * SYNOPSIS
 *	#include "tally.h"
 *
 *	void	tally_init(t)
 *	void	tally_add(t, name, rec)
 *	void	tally_print(t, fp, json)
 * DESCRIPTION
 *	tally_add() counts one message's record: by verdict, by reason,
 *	and by reason again when the message was refused (the engine
 *	stops at the first limit that fires, so that is the limit each
 *	refused message hit first); and keeps the TALLY_TOP largest
 *	projected costs with the message's name (already sanitised by
 *	the caller, as record_sanitize() makes it: no quotes, no blanks).
 *	Of equal costs, the first met ranks first.  The caller counts
 *	errors (files that could not be read) in t->errors.
 *
 *	tally_print() writes the summary: lines starting "summary: ",
 *
 *	summary: messages=3 errors=0
 *	summary: verdict: accept=2 reject=1 tempfail=0
 *	summary: reason: none=2 ratio=1
 *	summary: first limit fired (refused messages by reason): ratio=1
 *	summary: largest cost: 314573479 inbox:2
 *
 *	(every verdict; the reasons with a non-zero count in the reason
 *	table's order, "-" for none; one line per largest cost), or with
 *	json one object, {"summary":true,"messages":3,"errors":0,
 *	"verdict":{...},"reason":{...},"first_limit_fired":{...},
 *	"largest":[{"cost":314573479,"file":"inbox:2"},...]}.
 * STATE AND MEMORY
 *	The struct, about 5.5 KiB (the names); no allocation.
 */

#include <inttypes.h>
#include <string.h>

#include "tally.h"

/* tally_init - nothing counted yet */

void    tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
}

/* tally_add - one message's record */

void    tally_add(struct tally *t, const char *name, const struct record *rec)
{
	enum reason r = rec->reason < REASON_COUNT ? rec->reason : REASON_INTERNAL;
	unsigned i;

	t->messages++;
	t->verdict[rec->verdict < TALLY_VERDICTS ? rec->verdict : VERDICT_TEMPFAIL]++;
	t->reason[r]++;
	if (rec->verdict != VERDICT_ACCEPT)
		t->refused[r]++;
	for (i = 0; i < t->ntop && t->top[i].cost >= rec->cost; i++)
		 /* void */ ;
	if (i == TALLY_TOP)
		return;
	if (t->ntop < TALLY_TOP)
		t->ntop++;
	memmove(&t->top[i + 1], &t->top[i], (t->ntop - 1 - i) * sizeof(t->top[0]));
	t->top[i].cost = rec->cost;
	snprintf(t->top[i].name, sizeof(t->top[i].name), "%s", name);
}

/* tally_reasons - the non-zero counts by reason: "a=1 b=2" or "a":1,"b":2 */

static void tally_reasons(FILE *fp, const uint64_t *count, int json)
{
	const char *sep = "";

	for (int r = 0; r < REASON_COUNT; r++) {
		if (count[r] == 0)
			continue;
		fprintf(fp, json ? "%s\"%s\":%" PRIu64 : "%s%s=%" PRIu64, sep, reason_name(r), count[r]);
		sep = json ? "," : " ";
	}
	if (!json && *sep == 0)
		fputs("-", fp);
}

/* tally_print - the summary block, or (json) one object: the same
 * fields in the same order, each with its two spellings side by side */

void    tally_print(const struct tally *t, FILE *fp, int json)
{
#define TALLY_FMT(text, js) (json ? (js) : (text))
	fprintf(fp, TALLY_FMT("summary: messages=%" PRIu64 " errors=%" PRIu64 "\nsummary: verdict:",
			      "{\"summary\":true,\"messages\":%" PRIu64 ",\"errors\":%" PRIu64
			      ",\"verdict\":{"), t->messages, t->errors);
	for (int v = 0; v < TALLY_VERDICTS; v++)
		fprintf(fp, TALLY_FMT("%s %s=%" PRIu64, "%s\"%s\":%" PRIu64),
			json && v ? "," : "", verdict_name(v), t->verdict[v]);
	fputs(TALLY_FMT("\nsummary: reason: ", "},\"reason\":{"), fp);
	tally_reasons(fp, t->reason, json);
	fputs(TALLY_FMT("\nsummary: first limit fired (refused messages by reason): ",
			"},\"first_limit_fired\":{"), fp);
	tally_reasons(fp, t->refused, json);
	fputs(TALLY_FMT("\n", "},\"largest\":["), fp);
	for (unsigned i = 0; i < t->ntop; i++)
		fprintf(fp, TALLY_FMT("%ssummary: largest cost: %" PRIu64 " %s\n",
				      "%s{\"cost\":%" PRIu64 ",\"file\":\"%s\"}"),
			json && i ? "," : "", t->top[i].cost, t->top[i].name);
	if (json)
		fputs("]}\n", fp);
#undef TALLY_FMT
}
