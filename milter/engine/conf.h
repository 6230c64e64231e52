/*
 * NAME
 *	conf 3h
 * SUMMARY
 *	configuration keys, defined once
 * SYNOPSIS
 *	#include "conf.h"
 * DESCRIPTION
 *	CONF_KEYS is the one table of configuration keys: name, type,
 *	default, range (or choices), one line of help.  It yields the
 *	fields of struct conf, the loader's table, the -t listing and
 *	the check that the sample configuration documents every key.
 */
#ifndef DEFUSE_CONF_H
#define DEFUSE_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The action words, in the order of enum conf_action. */
#define CONF_ACTIONS "reject|tempfail|discard|quarantine|tag|monitor"

enum conf_action {
	ACTION_REJECT, ACTION_TEMPFAIL, ACTION_DISCARD,
	ACTION_QUARANTINE, ACTION_TAG, ACTION_MONITOR,
};

/*
 * X(name, type, default, min, max, choices, help)
 *
 * type is SIZE (bytes, with a K/M/G/T suffix), UINT, BOOL (yes/no), ENUM
 * (one of choices, '|'-separated, stored as its index) or STR.  min and
 * max bound SIZE and UINT.  Keep the help to one line: the sample
 * configuration and -t print it.
 */
#define CONF_KEYS(X) \
	X(max_message_cost,    SIZE, "256M",  1, UINT64_MAX, 0, \
	  "projected cost of the whole message: raw + decoded parts + expanded archive members") \
	X(max_part_size,       SIZE, "50M",   1, UINT64_MAX, 0, \
	  "decoded size of one MIME leaf part, or expanded size of one archive member") \
	X(max_ratio,           UINT, "500",   1, UINT64_MAX, 0, \
	  "expanded/compressed size of one archive member, judged past ratio_min_size") \
	X(ratio_min_size,      SIZE, "1M",    0, UINT64_MAX, 0, \
	  "below this expanded size a member's ratio is not judged") \
	X(max_parts,           UINT, "1000",  1, UINT64_MAX, 0, \
	  "MIME leaf parts, whole message (archive members: max_archive_entries)") \
	X(max_mime_depth,      UINT, "32",    1, 1000, 0, \
	  "multipart and message/rfc822 nesting") \
	X(max_archive_depth,   UINT, "4",     1, 64, 0, \
	  "archives inside archives (a zip in a zip is depth 2)") \
	X(max_archive_entries, UINT, "20000", 1, 10000000, 0, \
	  "entries across all archives of the message") \
	X(encrypted_archive,   ENUM, "accept", 0, 0, "accept|reject", \
	  "an archive with encrypted members, which cannot be inspected: accept or reject") \
	X(ambiguous_structure, ENUM, "accept", 0, 0, "accept|reject", \
	  "a message that mail parsers read in different ways (finding readings_differ): accept, judging every reading, or reject") \
	X(max_message_memory,  SIZE, "16M",   65536, UINT64_MAX, 0, \
	  "cap on defuse's own memory for one message; past it the message is tempfailed") \
	X(max_decoder_memory,  SIZE, "80M",   0, UINT64_MAX, 0, \
	  "cap on the dictionaries and windows defuse's decoders (xz, zstd, bzip2) hold for one message; a stream asking for more is judged by what it declares, unverified") \
	CONF_DAEMON_KEYS(X)

/* daemon: defuse-milter's own keys (defuse-scan ignores them). */
#define CONF_ACTIONS_OR_DEFAULT "default|" CONF_ACTIONS
#define CONF_DAEMON_KEYS(X) \
	X(socket,              STR,  "inet:8891@127.0.0.1", 0, 0, 0, \
	  "where to listen: unix:/path, inet:port@host or inet6:port@host") \
	X(socket_mode,         STR,  "0660",  0, 0, 0, \
	  "octal mode of a unix socket; the MTA's user must be able to write to it") \
	X(user,                STR,  "",      0, 0, 0, \
	  "user to run as after opening the socket (empty: stay)") \
	X(group,               STR,  "",      0, 0, 0, \
	  "group to run as, and group of a unix socket (empty: the user's group)") \
	X(pidfile,             STR,  "",      0, 0, 0, \
	  "file to write the process id to (empty: none)") \
	X(foreground,          BOOL, "no",    0, 0, 0, \
	  "stay in the foreground instead of becoming a daemon") \
	X(max_total_memory,    SIZE, "512M",  0, UINT64_MAX, 0, \
	  "own memory of all messages in flight together; past it messages get 451 4.3.1 (0: no limit)") \
	X(action,              ENUM, "reject", 0, 0, CONF_ACTIONS, \
	  "what to do with a refused message unless its on_<reason> key says otherwise") \
	X(on_message_cost,     ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason message_cost (default: the action key)") \
	X(on_part_size,        ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason part_size") \
	X(on_ratio,            ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason ratio") \
	X(on_parts,            ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason parts") \
	X(on_mime_depth,       ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason mime_depth") \
	X(on_archive_depth,    ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason archive_depth") \
	X(on_archive_entries,  ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason archive_entries") \
	X(on_zip_overlap,      ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason zip_overlap") \
	X(on_unverifiable,     ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason unverifiable (an archive appended to another file reaches further back than defuse keeps)") \
	X(on_encrypted,        ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason encrypted (see encrypted_archive)") \
	X(on_ambiguous,        ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason ambiguous (see ambiguous_structure)") \
	X(on_size_declared,    ENUM, "default", 0, 0, CONF_ACTIONS_OR_DEFAULT, \
	  "action for reason size_declared (ESMTP SIZE= at MAIL FROM)") \
	X(on_trouble,          ENUM, "tempfail", 0, 0, "tempfail|accept", \
	  "defuse's own trouble (reasons budget, internal): tempfail, or accept unexamined") \
	X(reply_text,          STR,  "{text} ({reason}, limit {limit}, part {where})", 0, 0, 0, \
	  "text of a 5xx reply; {text} {reason} {limit} {where} are replaced") \
	X(reply_text_tempfail, STR,  "{text} ({reason})", 0, 0, 0, \
	  "text of a 4xx reply, same placeholders") \
	X(add_header,          BOOL, "no",    0, 0, 0, \
	  "add a header with the accounting to accepted mail") \
	X(header_name,         STR,  "X-Defuse", 0, 0, 0, \
	  "name of that header, and of the header the tag action adds") \
	X(syslog_facility,     ENUM, "mail",  0, 0, "mail|daemon|local0|local1|local2|local3|local4|local5|local6|local7", \
	  "syslog facility of the one line per message") \
	X(log_stderr,          BOOL, "no",    0, 0, 0, \
	  "also write the log lines to standard error (useful with foreground)") \
	X(log_json,            STR,  "",      0, 0, 0, \
	  "also append one JSON object per message to this file (empty: no)") \
	X(milter_timeout,      UINT, "7210",  1, 86400, 0, \
	  "seconds libmilter waits for the MTA before it drops a connection") \
	X(milter_backlog,      UINT, "128",   1, 65535, 0, \
	  "listen queue length of the socket") \
	X(drain_timeout,       UINT, "30",    0, 3600, 0, \
	  "on SIGTERM, seconds to let messages in flight finish")

#define CONF_CTYPE_SIZE uint64_t
#define CONF_CTYPE_UINT uint64_t
#define CONF_CTYPE_BOOL int
#define CONF_CTYPE_ENUM int
#define CONF_CTYPE_STR  char *

struct conf {
#define CONF_FIELD(name, type, def, min, max, choices, help) \
	CONF_CTYPE_##type name;
	CONF_KEYS(CONF_FIELD)
#undef CONF_FIELD
};

enum conf_type { CONF_SIZE, CONF_UINT, CONF_BOOL, CONF_ENUM, CONF_STR };

struct conf_key {
	const char *name;
	enum conf_type type;
	const char *def;
	uint64_t min;
	uint64_t max;
	const char *choices;
	const char *help;
	size_t	offset;
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

extern void conf_defaults(struct conf *);
extern int conf_set(struct conf *, const char *key, const char *value,
		            char *err, size_t errlen);
extern int conf_load(struct conf *, const char *path, char *err, size_t errlen);
extern void conf_print(const struct conf *, FILE *);
extern void conf_free(struct conf *);
extern int conf_parse_size(const char *, uint64_t *);

#endif
