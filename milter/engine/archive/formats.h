/*
 * NAME
 *	formats 3h
 * SUMMARY
 *	the table of formats the sniffer knows, as data
 * SYNOPSIS
 *	#include "formats.h"
 * DESCRIPTION
 *	One row per format: how it is known (magic bytes at an offset, an
 *	optional probe of the window, the exact MIME types, the file-name
 *	extensions) and the walker that looks inside it.  The sniffer
 *	(node.c) claims a stream with format_claim(), in passes over the
 *	whole table.  A new format is a walker file and a row of
 *	formats.c.  See formats.c.
 */
#ifndef DEFUSE_FORMATS_H
#define DEFUSE_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

#define FORMAT_MAGICS	4		/* magic patterns per format */
#define FORMAT_MAGIC_MAX 8		/* bytes per pattern */

struct format_magic {
	uint16_t off;			/* where in the stream */
	uint8_t	len;			/* 0: no more patterns */
	uint8_t	bytes[FORMAT_MAGIC_MAX];
};

struct format {
	const char *name;
	struct format_magic magic[FORMAT_MAGICS];
	/* Content the magic cannot say (a tar checksum, a zip behind a
	 * stub), given libmagic's type ("" when not asked) and the window;
	 * NULL: none.  wants_type: would the probe look at the type for
	 * this window (libmagic is asked only then); NULL: never. */
	int     (*probe) (const char *type, const uint8_t *win, size_t len);
	int     (*wants_type) (const uint8_t *win, size_t len);
	/* Exact media types (lower case; a trailing '*' is a prefix), and
	 * file-name extensions (".tar.gz" style, lower case), both
	 * NULL-terminated; NULL: none. */
	const char *const *types;
	const char *const *exts;
	const struct analyser *walker;
	/* Looked for anywhere in a stream that nobody claims (node.c):
	 * the first such row gets it. */
	int	embedded;
};

/* How a stream was claimed: the passes of format_claim(), in order. */
#define FORMAT_BY_MAGIC		1	/* its bytes at the format's offsets */
#define FORMAT_BY_CONTENT	2	/* libmagic's type, then the probes */
#define FORMAT_BY_DECLARED	3	/* a MIME leaf's Content-Type */
#define FORMAT_BY_NAME		4	/* the file name's extension */
#define FORMAT_BY_HUNT		5	/* nobody: the embedded hunter */

/* The table, terminated by a row whose name is NULL (formats.c). */
extern const struct format formats[];

/*
 * format_claim - who takes a stream: its window, libmagic's type ("" if
 * not asked), its declared type (NULL or "": none) and the row its name
 * names (format_by_name(); NULL: none).  Returns the row, or NULL, and
 * *how.
 */
extern const struct format *format_claim(const uint8_t *win, size_t len,
					         const char *type, const char *declared,
					         const struct format *named, int *how);

/* Does any probe want libmagic's type for this window? */
extern int format_wants_type(const uint8_t *win, size_t len);

/* The row whose extension ends this name, or NULL. */
extern const struct format *format_by_name(const char *name, size_t namelen);

/* The row called name, or NULL. */
extern const struct format *format_find(const char *name);

#endif
