/*
 * NAME
 *	mimehdr 3h
 * SUMMARY
 *	the MIME header fields that steer the parser
 * SYNOPSIS
 *	#include "mimehdr.h"
 * DESCRIPTION
 *	See mimehdr.c.
 */
#ifndef DEFUSE_MIMEHDR_H
#define DEFUSE_MIMEHDR_H

#include <stddef.h>
#include <stdint.h>

#define MIMEHDR_TYPE_MAX	80	/* "type/subtype", truncated */
#define MIMEHDR_BOUNDARY_MAX	1024	/* longer boundaries compare on this prefix */
#define MIMEHDR_NAME_MAX	256	/* file name, truncated */

enum mime_cte {
	CTE_IDENTITY,			/* 7bit, 8bit, binary, or none */
	CTE_BASE64,
	CTE_QP,
	CTE_UU,
};

/* Which fields matter. */
enum mimehdr_field {
	MIMEHDR_OTHER,
	MIMEHDR_CTYPE,
	MIMEHDR_CTE,
	MIMEHDR_DISPOSITION,
};

/*
 * The boundary as one reading takes it.  given is 0 when the field has no
 * such form; s holds len bytes (trailing blanks dropped), NUL-terminated.
 */
struct mimehdr_bnd {
	char	s[MIMEHDR_BOUNDARY_MAX];
	size_t	len;
	int	given;
	int	truncated;
};

struct mimehdr {
	char	type[MIMEHDR_TYPE_MAX];	/* lower case; "" when absent */
	char	boundary[MIMEHDR_BOUNDARY_MAX];	/* what the parser follows */
	size_t	boundary_len;
	int	boundary_truncated;
	/* Every form the boundary was given in (MIMEHDR_F_BOUNDARY_AMBIGUOUS
	 * when they differ), for the readings that choose otherwise. */
	struct mimehdr_bnd boundary_first;	/* the first boundary= */
	struct mimehdr_bnd boundary_last;	/* the last boundary= */
	struct mimehdr_bnd boundary_2231;	/* boundary*=, else boundary*0.. */
	struct mimehdr_bnd boundary_first_raw;	/* the first, "\\" kept */
	struct mimehdr_bnd boundary_last_raw;	/* the last, "\\" kept */
	unsigned boundary_plain;	/* how many boundary= */
	unsigned long param_steps;	/* parameters parsed (linear in the fields) */
	char	name[MIMEHDR_NAME_MAX];	/* disposition filename, else type's name */
	size_t	name_len;
	int	name_from_disposition;
	enum mime_cte cte;
	unsigned seen;			/* bit (1 << enum mimehdr_field) */
	unsigned findings;		/* MIMEHDR_F_* */
};

#define MIMEHDR_F_CTE_UNKNOWN	(1u << 0)
#define MIMEHDR_F_DUPLICATE	(1u << 1)
#define MIMEHDR_F_CTE_CONFLICT	(1u << 2)
#define MIMEHDR_F_BOUNDARY_AMBIGUOUS (1u << 3)	/* forms of boundary differ */
#define MIMEHDR_F_NAME_AMBIGUOUS (1u << 4)	/* forms of (file)name differ */

extern void mimehdr_reset(struct mimehdr *);
extern enum mimehdr_field mimehdr_classify(const char *name, size_t len);
extern void mimehdr_field(struct mimehdr *, enum mimehdr_field,
			          const char *value, size_t len);
extern long mimehdr_param(const char *value, size_t len, const char *attr,
			          char *out, size_t outcap, int *truncated);
extern int mimehdr_is(const struct mimehdr *, const char *prefix);
/* What the caller of mimehdr_compact() passes over of the bytes to come. */
struct mimehdr_skip {
	int	mode;			/* 0 none, MIMEHDR_SKIP_* */
	unsigned depth;			/* _COMMENT: parentheses open */
	int	esc;			/* _QUOTED, _COMMENT: after a backslash */
};

#define MIMEHDR_SKIP_QUOTED	1	/* the rest of a quoted string */
#define MIMEHDR_SKIP_TOKEN	2	/* the rest of a token */
#define MIMEHDR_SKIP_COMMENT	3	/* the rest of a comment */

extern size_t mimehdr_compact(char *value, size_t len, struct mimehdr_skip *);
extern size_t mimehdr_skip(struct mimehdr_skip *, const uint8_t *, size_t);

#endif
