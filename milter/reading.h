/*
 * NAME
 *	reading 3h
 * SUMMARY
 *	the readings of a message that defuse follows, defined once
 * SYNOPSIS
 *	#include "reading.h"
 * DESCRIPTION
 *	Mail parsers disagree wherever the standards leave room or a
 *	message breaks them.  A reading is one way of resolving every
 *	such ambiguity, the way a family of mainstream parsers does; the
 *	MIME parser follows each reading that the message makes differ
 *	(see msg.c, "Views") and the worst one is judged.  Each row: the
 *	enum, the name in the record, and the rules the reading follows:
 *
 *	RD_JUNK	a line "--boundary" followed by anything (not only
 *		"--" and blanks) is a delimiter: ClamAV's mbox parser
 *		(boundaryStart takes any line that starts with '-' and
 *		holds the boundary), ripmime, reformime and munpack
 *		(prefix comparisons).  RFC 2046 and Python's email take
 *		such a line as content.
 *	RD_BLANK a delimiter may be indented by blanks (the lenient
 *		extractors trim lines before comparing); RFC 2046,
 *		Python's email and ClamAV do not.
 *
 *	Whatever a reading does not name here it shares with the others
 *	(for example every reading decodes uuencoded blocks in text, as
 *	uudeview and ClamAV do: one view can count those for all).
 */
#ifndef DEFUSE_READING_H
#define DEFUSE_READING_H

#define RD_JUNK		0x01
#define RD_BLANK	0x02

/*    enum              name       rules */
#define READINGS(X) \
	X(READING_RFC,     "rfc",     0) \
	X(READING_PYTHON,  "python",  0) \
	X(READING_CLAMAV,  "clamav",  RD_JUNK) \
	X(READING_LENIENT, "lenient", RD_JUNK | RD_BLANK)

enum reading {
#define READING_ENUM(e, n, r) e,
	READINGS(READING_ENUM)
#undef READING_ENUM
	READING_COUNT
};

#define READING_ALL	((1u << READING_COUNT) - 1)

extern const char *reading_name(enum reading);
extern unsigned reading_rules(enum reading);

/* The readings of set that follow every rule in rules. */
extern unsigned reading_with(unsigned set, unsigned rules);

#endif
