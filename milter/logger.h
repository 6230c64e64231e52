/*
 * NAME
 *	logger 3h
 * SUMMARY
 *	one log line per message, and the daemon's own messages
 * SYNOPSIS
 *	#include "logger.h"
 * DESCRIPTION
 *	See logger.c.
 */
#ifndef DEFUSE_LOGGER_H
#define DEFUSE_LOGGER_H

#include <stddef.h>

#include "conf.h"
#include "msg.h"

extern int logger_open(const struct conf *, char *err, size_t errlen);
extern void logger_message(const char *queue_id, const char *action,
			           const struct record *);
extern void logger_info(const char *fmt,...)
	__attribute__((format(printf, 1, 2)));
extern void logger_warning(const char *fmt,...)
	__attribute__((format(printf, 1, 2)));
extern void logger_error(const char *fmt,...)
	__attribute__((format(printf, 1, 2)));
extern size_t logger_json_line(char *, size_t, const char *queue_id,
			               const char *action, const struct record *);
extern size_t logger_kv_line(char *, size_t, const char *queue_id,
			             const char *action, const struct record *);
extern void logger_close(void);

#endif
