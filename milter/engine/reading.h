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
 *		holds the boundary), ripmime and reformime (prefix
 *		comparisons).  RFC 2046 and Python's email take such a
 *		line as content.
 *	RD_BLANK a delimiter may be indented by blanks (ripmime trims
 *		lines before comparing); RFC 2046, Python's email and
 *		ClamAV do not.
 *	RD_BND_LAST of boundary parameters given twice the last wins
 *		(ripmime, reformime); Python's email, munpack and
 *		uudeview take the first.
 *	RD_BND_2231 a boundary given in RFC 2231 form (boundary*0=...)
 *		wins over a plain one beside it (ripmime); Python's
 *		compat32 policy takes the plain one.
 *	RD_BND_RAW a backslash in a quoted boundary is a character of it,
 *		not an escape: boundary="ab\\cd" is ab\\cd (ClamAV, ripmime,
 *		reformime and Python's compat32 policy, the default of
 *		message_from_bytes; tried against each); RFC 2045's
 *		quoted-pair, Python's default policy and munpack read abcd.
 *	RD_CT_LAST, RD_CTE_LAST of Content-Type (Content-Transfer-
 *		Encoding) fields given twice the last wins (ripmime,
 *		reformime, munpack; uudeview for Content-Type only);
 *		Python's email takes the first.
 *	RD_CTE_LOOSE a quoted or commented encoding ("base64") is that
 *		encoding (ripmime, reformime, uudeview).
 *	RD_NOCLOSE a close delimiter does not end the multipart: a
 *		delimiter after it starts another part (ripmime,
 *		uudeview extract parts from the epilogue).
 *	RD_GUESS a multipart with no boundary parameter takes the first
 *		"--" line of its body as its boundary (ripmime, munpack,
 *		uudeview).
 *	RD_HDR_JUNK a line in a header block that is no field is passed
 *		over, the header goes on (ripmime, reformime, uudeview);
 *		RFC 5322 and Python's email end the header there.
 *
 *	RD_EPILOGUE what follows a close delimiter is an entity of its own,
 *		header block and body, when it starts with a line that is
 *		not blank (ripmime and uudeview extract an attachment
 *		placed there).
 *	RD_CR	a CR alone ends a line, in a header block as in a body
 *		(Python's email splits lines on CR, LF and CRLF; so do
 *		ripmime and uudeview): "\r--boundary" is a delimiter, and
 *		"Content-Type: x\rContent-Transfer-Encoding: base64" two
 *		fields.
 *
 *	RD_PREAMBLE the message's own multipart preamble, the text
 *		before its first delimiter, is a file of its own: ripmime
 *		writes it out (textfile0) like any part, so a filter
 *		behind it reads what it holds (a uuencoded block, or raw
 *		bytes that sniff as an archive).  It is a leaf of no
 *		declared type; the preambles of inner multiparts ripmime
 *		drops, and so does every other reading.
 *
 *	RD_NESTED a message/rfc822 part sent base64 or quoted-printable
 *		is decoded and parsed as a message (ClamAV and ripmime
 *		extract the attachments of a forwarded message so sent);
 *		Python's email and reformime take the encoded text for the
 *		body of a message with no header, munpack and uudeview
 *		write it out as a file.  So such a message is parsed for
 *		these readings of the view (all of the view's when it has
 *		none of them: what nobody parses still counts).  Its parser
 *		lives inside a leaf; where the readings differ in it, it
 *		forks inside the leaf (part.c keeps a parser for each way),
 *		and every way's leaves count in the view: a union.
 *
 *	munpack is a reading of its own, for it mixes the others' rules:
 *	the first of two boundary parameters (as Python's email) but the
 *	last of two Content-Type fields (as ripmime), a delimiter with
 *	junk after it and a guessed boundary, nothing else (each rule tried
 *	against mpack 1.6's munpack).  uudeview has no row: its MIME
 *	reading writes out no text, and its search for encoded blocks in
 *	any text is done for every reading (uu.c, yenc.c, binhex.c,
 *	b64text.c).
 *
 *	Every reading passes over an mbox "From " line anywhere in a
 *	header block (Python's email notes a misplaced envelope header and
 *	goes on; so do the others), and takes an empty boundary parameter
 *	as a boundary ("--" lines are its delimiters).
 *
 *	Whatever a reading does not name here it shares with the others
 *	(for example every reading decodes uuencoded blocks in text, as
 *	uudeview and ClamAV do: one view can count those for all).
 */
#ifndef DEFUSE_READING_H
#define DEFUSE_READING_H

#define RD_JUNK		0x0001
#define RD_BLANK	0x0002
#define RD_BND_LAST	0x0004
#define RD_BND_2231	0x0008
#define RD_CT_LAST	0x0010
#define RD_CTE_LAST	0x0020
#define RD_CTE_LOOSE	0x0040
#define RD_NOCLOSE	0x0080
#define RD_GUESS	0x0100
#define RD_HDR_JUNK	0x0200
#define RD_CR		0x0400
#define RD_EPILOGUE	0x0800
#define RD_NESTED	0x1000
#define RD_PREAMBLE	0x2000
#define RD_BND_RAW	0x4000

/*    enum                name         rules */
#define READINGS(X) \
	X(READING_RFC,       "rfc",       0) \
	X(READING_PYTHON,    "python",    RD_CR | RD_BND_RAW) \
	X(READING_CLAMAV,    "clamav",    RD_JUNK | RD_NESTED | RD_BND_RAW) \
	X(READING_RIPMIME,   "ripmime",   RD_JUNK | RD_BLANK | RD_BND_LAST | RD_BND_2231 \
				    | RD_CT_LAST | RD_CTE_LAST | RD_CTE_LOOSE | RD_NOCLOSE \
				    | RD_GUESS | RD_HDR_JUNK | RD_CR | RD_EPILOGUE | RD_NESTED \
				    | RD_PREAMBLE | RD_BND_RAW) \
	X(READING_REFORMIME, "reformime", RD_JUNK | RD_BND_LAST | RD_CT_LAST | RD_CTE_LAST \
				    | RD_CTE_LOOSE | RD_HDR_JUNK | RD_BND_RAW) \
	X(READING_MUNPACK,   "munpack",   RD_JUNK | RD_CT_LAST | RD_CTE_LAST | RD_GUESS)

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
