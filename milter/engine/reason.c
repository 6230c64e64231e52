/*
 * NAME
 *	reason 3
 * SUMMARY
 *	verdicts, reasons and findings, defined once
 * SYNOPSIS
 *	#include "reason.h"
 *
 *	const struct reason_info *reason_info(reason)
 *	const char *reason_name(reason)
 *	int	reason_lookup(name)
 *	const char *verdict_name(verdict)
 *	const char *finding_name(finding)
 * DESCRIPTION
 *	Lookups in the tables of reason.h.  reason_lookup() maps a
 *	name from the configuration back to its enum, -1 when unknown.
 */

#include <string.h>

#include "reading.h"
#include "reason.h"

static const struct reason_info reason_table[] = {
#define REASON_ROW(e, n, v, c, s, t) {n, v, c, s, t},
	REASONS(REASON_ROW)
#undef REASON_ROW
};

static const char *const finding_table[] = {
#define FIND_ROW(e, n) n,
	FINDINGS(FIND_ROW)
#undef FIND_ROW
};

/* reason_info - everything about one reason */

const struct reason_info *reason_info(enum reason r)
{
	return (&reason_table[r < REASON_COUNT ? r : REASON_INTERNAL]);
}

/* reason_name - a reason's name in the record */

const char *reason_name(enum reason r)
{
	return (reason_info(r)->name);
}

/* reason_lookup - a reason by name */

int     reason_lookup(const char *name)
{
	for (int r = 0; r < REASON_COUNT; r++)
		if (strcmp(reason_table[r].name, name) == 0)
			return (r);
	return (-1);
}

/* verdict_name - a verdict's name in the record */

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_ACCEPT:
		return ("accept");
	case VERDICT_REJECT:
		return ("reject");
	case VERDICT_TEMPFAIL:
		return ("tempfail");
	}
	return ("tempfail");
}

/* finding_name - a finding's name in the record */

const char *finding_name(enum finding f)
{
	return (f < FIND_COUNT ? finding_table[f] : "?");
}

/* The readings (reading.h). */
static const struct {
	const char *name;
	unsigned rules;
} reading_table[] = {
#define READING_ROW(e, n, r) {n, r},
	READINGS(READING_ROW)
#undef READING_ROW
};

/* reading_name - a reading's name in the record */

const char *reading_name(enum reading r)
{
	return (r < READING_COUNT ? reading_table[r].name : "?");
}

/* reading_rules - the rules a reading follows (RD_*) */

unsigned reading_rules(enum reading r)
{
	return (r < READING_COUNT ? reading_table[r].rules : 0);
}

/* reading_with - the readings of set that follow all of rules */

unsigned reading_with(unsigned set, unsigned rules)
{
	unsigned out = 0;

	for (int r = 0; r < READING_COUNT; r++)
		if ((set & (1u << r)) && (reading_table[r].rules & rules) == rules)
			out |= 1u << r;
	return (out);
}
