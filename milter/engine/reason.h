/*
 * NAME
 *	reason 3h
 * SUMMARY
 *	verdicts, reasons and findings, defined once
 * SYNOPSIS
 *	#include "reason.h"
 * DESCRIPTION
 *	One table per vocabulary.  Each reason yields its enum, its name
 *	in the record and the log, the verdict it implies, the SMTP reply
 *	code and enhanced status, and the reply's words.  Each finding (a
 *	soft anomaly, reported once per message) yields its enum and name.
 */
#ifndef DEFUSE_REASON_H
#define DEFUSE_REASON_H

enum verdict {
	VERDICT_ACCEPT,
	VERDICT_REJECT,
	VERDICT_TEMPFAIL,
};

/*    enum                 name               verdict           smtp   status   text */
#define REASONS(X) \
	X(REASON_NONE,            "none",            VERDICT_ACCEPT,   "250", "2.0.0", "message accepted") \
	X(REASON_MESSAGE_COST,    "message_cost",    VERDICT_REJECT,   "552", "5.3.4", "message would expand beyond the size limit") \
	X(REASON_PART_SIZE,       "part_size",       VERDICT_REJECT,   "552", "5.3.4", "part too large once decoded") \
	X(REASON_RATIO,           "ratio",           VERDICT_REJECT,   "552", "5.3.4", "archive member compressed too well (decompression bomb)") \
	X(REASON_PARTS,           "parts",           VERDICT_REJECT,   "552", "5.3.4", "too many parts") \
	X(REASON_MIME_DEPTH,      "mime_depth",      VERDICT_REJECT,   "554", "5.6.0", "MIME structure nested too deep") \
	X(REASON_ARCHIVE_DEPTH,   "archive_depth",   VERDICT_REJECT,   "554", "5.6.0", "archives nested too deep") \
	X(REASON_ARCHIVE_ENTRIES, "archive_entries", VERDICT_REJECT,   "552", "5.3.4", "too many archive entries") \
	X(REASON_ZIP_OVERLAP,     "zip_overlap",     VERDICT_REJECT,   "554", "5.6.0", "hostile zip structure (overlapping entries)") \
	X(REASON_UNVERIFIABLE,    "unverifiable",    VERDICT_REJECT,   "554", "5.6.0", "archive appended to another file, too large to verify") \
	X(REASON_ENCRYPTED,       "encrypted",       VERDICT_REJECT,   "554", "5.6.0", "encrypted archive refused by policy") \
	X(REASON_AMBIGUOUS,       "ambiguous",       VERDICT_REJECT,   "554", "5.6.0", "ambiguous MIME structure refused by policy") \
	X(REASON_SIZE_DECLARED,   "size_declared",   VERDICT_REJECT,   "552", "5.3.4", "declared message size exceeds the limit") \
	X(REASON_BUDGET,          "budget",          VERDICT_TEMPFAIL, "451", "4.3.1", "filter busy, try again later") \
	X(REASON_INTERNAL,        "internal",        VERDICT_TEMPFAIL, "451", "4.3.0", "filter error, try again later")

enum reason {
#define REASON_ENUM(e, n, v, c, s, t) e,
	REASONS(REASON_ENUM)
#undef REASON_ENUM
	REASON_COUNT
};

struct reason_info {
	const char *name;
	enum verdict verdict;
	const char *smtp;		/* "552" */
	const char *status;		/* "5.3.4" */
	const char *text;
};

/* Soft anomalies: recorded, never fatal by themselves. */
#define FINDINGS(X) \
	X(FIND_HEADER_MALFORMED,    "header_malformed")    \
	X(FIND_HEADER_TRUNCATED,    "header_truncated")    \
	X(FIND_BOUNDARY_MISSING,    "boundary_missing")    \
	X(FIND_BOUNDARY_NOT_FOUND,  "boundary_not_found")  \
	X(FIND_BOUNDARY_UNCLOSED,   "boundary_unclosed")   \
	X(FIND_BOUNDARY_TOO_LONG,   "boundary_too_long")   \
	X(FIND_BOUNDARY_DUPLICATE,  "boundary_duplicate")  \
	X(FIND_CTE_UNKNOWN,         "cte_unknown")         \
	X(FIND_CTE_CONFLICT,        "cte_conflict")        \
	X(FIND_BASE64_JUNK,         "base64_junk")         \
	X(FIND_BASE64_TRUNCATED,    "base64_truncated")    \
	X(FIND_QP_INVALID,          "qp_invalid")          \
	X(FIND_UU_MALFORMED,        "uu_malformed")        \
	X(FIND_UUENCODE,            "uuencode")            \
	X(FIND_TYPE_MISMATCH,       "type_mismatch")       \
	X(FIND_NO_BODY,             "no_body")             \
	X(FIND_ARCHIVE_MALFORMED,   "archive_malformed")   \
	X(FIND_ARCHIVE_TRUNCATED,   "archive_truncated")   \
	X(FIND_ARCHIVE_UNSUPPORTED, "archive_unsupported") \
	X(FIND_ARCHIVE_ENCRYPTED,   "archive_encrypted")   \
	X(FIND_ARCHIVE_SIZE_LIE,    "archive_size_lie")    \
	X(FIND_MAGIC_ERROR,         "magic_error")         \
	X(FIND_READINGS_DIFFER,     "readings_differ")     \
	X(FIND_YENC,                "yenc")                \
	X(FIND_BINHEX,              "binhex")              \
	X(FIND_ENCODED_MALFORMED,   "encoded_malformed")   \
	X(FIND_OPAQUE,              "opaque")              \
	X(FIND_EMBEDDED,            "embedded_archive")    \
	X(FIND_BASE64_TEXT,         "base64_in_text")      \
	X(FIND_UNVERIFIED,          "unverified")

enum finding {
#define FIND_ENUM(e, n) e,
	FINDINGS(FIND_ENUM)
#undef FIND_ENUM
	FIND_COUNT
};

extern const struct reason_info *reason_info(enum reason);
extern const char *reason_name(enum reason);
extern int reason_lookup(const char *name);	/* -1 when unknown */
extern const char *verdict_name(enum verdict);
extern const char *finding_name(enum finding);

#endif
