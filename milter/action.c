/*
 * NAME
 *	action 3
 * SUMMARY
 *	from a verdict to what the milter does
 * SYNOPSIS
 *	#include "action.h"
 *
 *	enum action_kind action_for(conf, reason)
 *
 *	void	action_decide(conf, record, action)
 *
 *	const char *action_name(kind)
 *	int	action_is_final(kind)
 *
 *	size_t	action_expand(dst, len, template, conf, record)
 *	const char *action_limit_key(reason)
 * DESCRIPTION
 *	The one place where policy meets a verdict.  reason.h's table
 *	says what each reason implies (accept, reject, tempfail) and its
 *	SMTP code; the configuration says what to do about it.
 *
 *	action_for() maps a reason to an action: no reason is accept; a
 *	reason that implies tempfail (defuse's own trouble: budget,
 *	internal) follows on_trouble; a refusing reason follows its key
 *	on_<reason name> in the key table, and when that says "default"
 *	(or there is no such key) the action key.  There is no second
 *	table to keep in step: adding a reason to reason.h and a key to
 *	conf.h is the whole change, and the tests check that every
 *	refusing reason has its key.
 *
 *	action_decide() fills a struct action: the kind and its name for
 *	the log; for reject and tempfail the reply code, enhanced status
 *	and text (reply_text or reply_text_tempfail expanded, ready for
 *	smfi_setreply); for tag, and for accepted mail when add_header
 *	is set, the value of the header to add; for quarantine the
 *	reason the MTA records.  A reject reason turned into tempfail by
 *	configuration gets 451 and the same enhanced status with a 4.
 *
 *	action_expand() expands a reply template: {text} the reason's
 *	words, {reason} its name, {limit} the configured limit it
 *	crossed, {where} the part.  An unknown {word} is copied as it
 *	is.  Everything from the message or the configuration is made
 *	safe for a reply: control characters become blanks, '%' is
 *	doubled (libmilter reads the text as a format), and the result
 *	is cut to fit, never in the middle of a "%%".
 *
 *	action_limit_key() names the configuration key whose value the
 *	reason crossed, or NULL.
 *
 *	action_is_final() says whether a kind ends the message at once
 *	(reject, tempfail, discard) rather than at end of message.
 * BUGS
 *	Quarantine and tag need end of message (libmilter allows header
 *	changes and smfi_quarantine only there); a verdict reached
 *	earlier waits for it.
 */

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "record.h"

/* action_conf_key - a key of the table by name */

static const struct conf_key *action_conf_key(const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return (&conf_keys[i]);
	return (NULL);
}

/* action_conf_int - the value of an ENUM or BOOL key */

static int action_conf_int(const struct conf *conf, const struct conf_key *k)
{
	int     v;

	memcpy(&v, (const char *) conf + k->offset, sizeof(v));
	return (v);
}

/* action_for - the configured action for a reason */

enum action_kind action_for(const struct conf *conf, enum reason reason)
{
	const struct reason_info *info = reason_info(reason);
	const struct conf_key *k;
	char    name[64];
	int     v;

	if (info->verdict == VERDICT_ACCEPT)
		return (ACT_ACCEPT);
	if (info->verdict == VERDICT_TEMPFAIL)
		return (conf->on_trouble == 0 ? ACT_TEMPFAIL : ACT_ACCEPT);
	snprintf(name, sizeof(name), "on_%s", info->name);
	if ((k = action_conf_key(name)) != 0
	    && k->type == CONF_ENUM && (v = action_conf_int(conf, k)) > 0)
		return ((enum action_kind) v);	/* "default" is 0 */
	return ((enum action_kind) (conf->action + 1));
}

/* action_name - a kind as logged */

const char *action_name(enum action_kind kind)
{
	static const char *const names[] = {
		"accept", "reject", "tempfail", "discard",
		"quarantine", "tag", "monitor",
	};

	return ((unsigned) kind < sizeof(names) / sizeof(names[0]) ?
		names[kind] : "accept");
}

/* action_is_final - does the kind end the message at once? */

int     action_is_final(enum action_kind kind)
{
	return (kind == ACT_REJECT || kind == ACT_TEMPFAIL || kind == ACT_DISCARD);
}

/* action_limit_key - the key whose limit a reason crossed */

const char *action_limit_key(enum reason reason)
{
	switch (reason) {
	case REASON_MESSAGE_COST:
	case REASON_SIZE_DECLARED:
		return ("max_message_cost");
	case REASON_PART_SIZE:
		return ("max_part_size");
	case REASON_RATIO:
		return ("max_ratio");
	case REASON_PARTS:
		return ("max_parts");
	case REASON_MIME_DEPTH:
		return ("max_mime_depth");
	case REASON_ARCHIVE_DEPTH:
		return ("max_archive_depth");
	case REASON_ARCHIVE_ENTRIES:
		return ("max_archive_entries");
	case REASON_BUDGET:
		return ("max_total_memory");
	default:
		return (NULL);
	}
}

/* action_limit_text - a limit's value as the configuration writes it */

static void action_limit_text(char *buf, size_t len, const struct conf *conf,
			              enum reason reason)
{
	static const char units[] = "KMGT";
	const char *name = action_limit_key(reason);
	const struct conf_key *k;
	uint64_t n;
	int     u = -1;

	if (name == 0 || (k = action_conf_key(name)) == 0
	    || (k->type != CONF_SIZE && k->type != CONF_UINT)) {
		snprintf(buf, len, "-");
		return;
	}
	memcpy(&n, (const char *) conf + k->offset, sizeof(n));
	while (k->type == CONF_SIZE && n != 0 && (n & 1023) == 0 && u < 3)
		n >>= 10, u++;
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, n);
	else
		snprintf(buf, len, "%" PRIu64 "%c", n, units[u]);
}

/* action_put - append text made safe for a reply; 0 when cut */

static int action_put(char *dst, size_t len, size_t *at, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] != 0; i++) {
		unsigned char c = (unsigned char) s[i];
		size_t  need = (c == '%' ? 2 : 1);

		if (*at + need >= len)
			return (0);
		if (c == '%')
			dst[(*at)++] = '%';
		dst[(*at)++] = (c < 0x20 || c >= 0x7f) ? ' ' : (char) c;
	}
	return (1);
}

/* action_token - the value of one {word}, or NULL if unknown */

static const char *action_token(const char *word, size_t n, char *buf,
			              size_t len, const struct conf *conf,
			              const struct record *rec)
{
	if (n == 4 && strncmp(word, "text", 4) == 0)
		return (reason_info(rec->reason)->text);
	if (n == 6 && strncmp(word, "reason", 6) == 0)
		return (reason_name(rec->reason));
	if (n == 5 && strncmp(word, "limit", 5) == 0) {
		action_limit_text(buf, len, conf, rec->reason);
		return (buf);
	}
	if (n == 5 && strncmp(word, "where", 5) == 0) {
		record_sanitize(buf, len, rec->where,
				strnlen(rec->where, sizeof(rec->where)));
		return (*buf ? buf : "-");
	}
	return (NULL);
}

/* action_expand - expand a reply template */

size_t  action_expand(char *dst, size_t len, const char *tpl,
		              const struct conf *conf, const struct record *rec)
{
	char    buf[RECORD_WHERE_MAX + 1];
	const char *val, *close;
	size_t  at = 0;

	if (len == 0)
		return (0);
	for (const char *p = tpl ? tpl : ""; *p; p++) {
		if (*p == '{' && (close = strchr(p, '}')) != 0
		    && (val = action_token(p + 1, close - p - 1, buf, sizeof(buf),
					   conf, rec)) != 0) {
			if (!action_put(dst, len, &at, val, strlen(val)))
				break;
			p = close;
		} else if (!action_put(dst, len, &at, p, 1))
			break;
	}
	dst[at] = 0;
	return (at);
}

/* action_header - the accounting as a header value */

static void action_header(char *dst, size_t len, const char *what,
			          const struct record *rec, int with_reason)
{
	char    where[RECORD_WHERE_MAX + 1];
	int     n = 0;

	if (with_reason) {
		record_sanitize(where, sizeof(where), rec->where,
				strnlen(rec->where, sizeof(rec->where)));
		n = snprintf(dst, len, "%s; reason=%s where=%s ", what,
			     reason_name(rec->reason), *where ? where : "-");
	} else
		n = snprintf(dst, len, "%s; ", what);
	if (n < 0 || (size_t) n >= len)
		return;
	snprintf(dst + n, len - n, "raw=%" PRIu64 " decoded=%" PRIu64
		 " expanded=%" PRIu64 " cost=%" PRIu64 " parts=%" PRIu64
		 " mime_depth=%u archive_depth=%u peak_mem=%zu",
		 rec->raw, rec->decoded, rec->expanded, rec->cost, rec->parts,
		 rec->mime_depth, rec->archive_depth, rec->peak_mem);
}

/* action_tempfail_status - "5.3.4" as "4.3.4" */

static const char *action_tempfail_status(const char *status)
{
	static const char *const table[][2] = {
		{"5.3.4", "4.3.4"}, {"5.6.0", "4.6.0"},
	};

	if (status[0] == '4')
		return (status);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i][0], status) == 0)
			return (table[i][1]);
	return ("4.3.0");
}

/* action_decide - what to do with a message, with every text ready */

void    action_decide(const struct conf *conf, const struct record *rec,
		              struct action *act)
{
	const struct reason_info *info = reason_info(rec->reason);

	memset(act, 0, sizeof(*act));
	act->kind = action_for(conf, rec->reason);
	act->name = action_name(act->kind);
	switch (act->kind) {
	case ACT_REJECT:
		act->smtp = info->smtp;
		act->status = info->status;
		action_expand(act->text, sizeof(act->text), conf->reply_text, conf, rec);
		break;
	case ACT_TEMPFAIL:
		act->smtp = "451";
		act->status = action_tempfail_status(info->status);
		action_expand(act->text, sizeof(act->text), conf->reply_text_tempfail,
			      conf, rec);
		break;
	case ACT_QUARANTINE:
		action_expand(act->quarantine, sizeof(act->quarantine),
			      "defuse: {reason} at {where}", conf, rec);
		break;
	case ACT_TAG:
		action_header(act->header, sizeof(act->header), "tag", rec, 1);
		break;
	case ACT_ACCEPT:
	case ACT_MONITOR:
		if (conf->add_header)
			action_header(act->header, sizeof(act->header), "accept", rec, 0);
		break;
	case ACT_DISCARD:
		break;
	}
}
