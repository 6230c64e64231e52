/*
 * NAME
 *	record 3h
 * SUMMARY
 *	the accounting record as a log line or JSON
 * SYNOPSIS
 *	#include "record.h"
 * DESCRIPTION
 *	See record.c.
 */
#ifndef DEFUSE_RECORD_H
#define DEFUSE_RECORD_H

#include <stddef.h>

#include "msg.h"

#define RECORD_TEXT_MAX	2048		/* either rendering fits in this */

/* "verdict=reject reason=ratio where=2/a.zip/b raw=... ms=1.2" */
extern size_t record_kv(const struct record *, char *, size_t);

/* {"verdict":"reject","reason":"ratio",...} with DESIGN.md's names */
extern size_t record_json(const struct record *, char *, size_t);

/* Copy text from a message for a log or a reply: printable ASCII only,
 * no blanks, quotes, backslashes or '%'; truncated to fit dst. */
extern size_t record_sanitize(char *dst, size_t dstlen, const char *, size_t);

#endif
