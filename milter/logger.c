/*
 * NAME
 *	logger 3
 * SUMMARY
 *	one log line per message, and the daemon's own messages
 * SYNOPSIS
 *	#include "logger.h"
 *
 *	int	logger_open(conf, err, errlen)
 *
 *	void	logger_message(queue_id, action, record)
 *
 *	void	logger_info(fmt, ...)
 *	void	logger_warning(fmt, ...)
 *	void	logger_error(fmt, ...)
 *
 *	size_t	logger_kv_line(buf, len, queue_id, action, record)
 *	size_t	logger_json_line(buf, len, queue_id, action, record)
 *
 *	void	logger_close(void)
 * DESCRIPTION
 *	logger_message() writes the one line per message, the way
 *	Postfix logs: to syslog with the configured facility (mail by
 *	default), keyed by the MTA's queue id, then key=value pairs:
 *
 *	    4Xb2Lc0vYz: action=reject verdict=reject reason=ratio ...
 *
 *	action is what defuse did (action.c); the rest is the accounting
 *	record as record_kv() renders it.  A message with no queue id
 *	(the MTA sent no "i" macro, or it was refused before one was
 *	given) is logged as NOQUEUE, like Postfix.  With log_json set,
 *	the same record is also appended to that file as one JSON object
 *	per line, with "queue_id" and "action" first; each line is a
 *	single write() to a file opened with O_APPEND, so lines of
 *	concurrent messages never interleave.  With log_stderr the
 *	syslog lines are copied to standard error.
 *
 *	logger_open() (re)configures from a snapshot: at start and on
 *	every reload.  It opens the new JSON file before it closes the
 *	old one, so a reload that names a file that cannot be opened
 *	keeps the old file and returns -1 with a message in err.  When
 *	the file is the same one and can no longer be opened (the
 *	daemon has dropped its privileges since), the open descriptor
 *	is kept.
 *
 *	logger_info(), logger_warning() and logger_error() log the
 *	daemon's own messages (start, reload, trouble) to the same
 *	places.
 *
 *	logger_kv_line() and logger_json_line() render the two lines
 *	into a buffer, for the tests.
 *
 *	Everything here is safe to call from any thread.
 * BUGS
 *	The JSON file is not rotated; reopen it with a reload (SIGHUP)
 *	after moving it away.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "logger.h"
#include "record.h"

#define LOGGER_LINE_MAX	(RECORD_TEXT_MAX + 256)

static pthread_mutex_t logger_lock = PTHREAD_MUTEX_INITIALIZER;
static int logger_json_fd = -1;
static char *logger_json_path;
static int logger_stderr;

static const int logger_facilities[] = {
	LOG_MAIL, LOG_DAEMON, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2,
	LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7,
};

/* logger_json_open - open the JSON file named by the configuration */

static int logger_json_open(const char *path, char *err, size_t errlen)
{
	int     fd;

	if (path == 0 || *path == 0)
		return (-1);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0)
		snprintf(err, errlen, "log_json: %s: %s", path, strerror(errno));
	return (fd);
}

/* logger_open - configure from a snapshot */

int     logger_open(const struct conf *conf, char *err, size_t errlen)
{
	const char *path = conf->log_json ? conf->log_json : "";
	int     facility = LOG_MAIL;
	int     fd = -1, old = -1;
	char   *copy = 0;

	if ((unsigned) conf->syslog_facility
	    < sizeof(logger_facilities) / sizeof(logger_facilities[0]))
		facility = logger_facilities[conf->syslog_facility];
	if (*path && (fd = logger_json_open(path, err, errlen)) < 0) {
		/* Same file, no longer openable (privileges dropped): keep it. */
		pthread_mutex_lock(&logger_lock);
		fd = (logger_json_path && strcmp(logger_json_path, path) == 0
		      && logger_json_fd >= 0) ? dup(logger_json_fd) : -1;
		pthread_mutex_unlock(&logger_lock);
		if (fd < 0)
			return (-1);
	}
	if (*path && (copy = strdup(path)) == 0) {
		close(fd);
		snprintf(err, errlen, "log_json: out of memory");
		return (-1);
	}
	pthread_mutex_lock(&logger_lock);
	openlog("defuse-milter", LOG_PID | LOG_NDELAY, facility);
	logger_stderr = conf->log_stderr;
	old = logger_json_fd;
	logger_json_fd = fd;
	free(logger_json_path);
	logger_json_path = copy;
	pthread_mutex_unlock(&logger_lock);
	if (old >= 0)
		close(old);
	return (0);
}

/* logger_emit - one line to syslog, and to stderr if wanted */

static void logger_emit(int priority, const char *line)
{
	syslog(priority, "%s", line);
	if (__atomic_load_n(&logger_stderr, __ATOMIC_RELAXED)) {
		char    buf[LOGGER_LINE_MAX + 32];
		int     n = snprintf(buf, sizeof(buf), "defuse-milter: %s\n", line);

		if (n > 0 && write(STDERR_FILENO, buf,
			     (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1) < 0) {
			/* nowhere left to say so */
		}
	}
}

/* logger_qid - the queue id, sanitised, or NOQUEUE */

static void logger_qid(char *dst, size_t len, const char *qid)
{
	if (qid == 0 || *qid == 0
	    || record_sanitize(dst, len, qid, strlen(qid)) == 0)
		snprintf(dst, len, "NOQUEUE");
}

/* logger_kv_line - "QUEUEID: action=... verdict=..." */

size_t  logger_kv_line(char *buf, size_t len, const char *queue_id,
		               const char *action, const struct record *rec)
{
	char    qid[64];
	int     n;

	logger_qid(qid, sizeof(qid), queue_id);
	n = snprintf(buf, len, "%s: action=%s ", qid, action);
	if (n < 0 || (size_t) n >= len)
		return (len ? strlen(buf) : 0);
	return (n + record_kv(rec, buf + n, len - n));
}

/* logger_json_line - {"queue_id":...,"action":...,<record>}\n */

size_t  logger_json_line(char *buf, size_t len, const char *queue_id,
		                 const char *action, const struct record *rec)
{
	char    qid[64], body[RECORD_TEXT_MAX];
	size_t  blen;
	int     n;

	logger_qid(qid, sizeof(qid), queue_id);
	blen = record_json(rec, body, sizeof(body));
	if (blen < 2 || body[0] != '{')
		return (0);
	n = snprintf(buf, len, "{\"queue_id\":\"%s\",\"action\":\"%s\"%s%s\n",
		     qid, action, body[1] == '}' ? "" : ",", body + 1);
	return (n < 0 || (size_t) n >= len ? 0 : (size_t) n);
}

/* logger_message - the one line per message */

void    logger_message(const char *queue_id, const char *action,
		               const struct record *rec)
{
	char    line[LOGGER_LINE_MAX];
	size_t  n;
	int     fd;

	logger_kv_line(line, sizeof(line), queue_id, action, rec);
	logger_emit(LOG_INFO, line);
	pthread_mutex_lock(&logger_lock);
	fd = logger_json_fd;
	if (fd >= 0 && (n = logger_json_line(line, sizeof(line), queue_id,
					      action, rec)) > 0
	    && write(fd, line, n) != (ssize_t) n)
		syslog(LOG_WARNING, "log_json: %s: %s",
		       logger_json_path ? logger_json_path : "?", strerror(errno));
	pthread_mutex_unlock(&logger_lock);
}

/* logger_vlog - a daemon message */

static void logger_vlog(int priority, const char *prefix, const char *fmt,
			        va_list ap)
{
	char    line[LOGGER_LINE_MAX];
	int     n = snprintf(line, sizeof(line), "%s", prefix);

	if (n >= 0 && (size_t) n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	logger_emit(priority, line);
}

/* logger_info - say what the daemon does */

void    logger_info(const char *fmt,...)
{
	va_list ap;

	va_start(ap, fmt);
	logger_vlog(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

/* logger_warning - trouble that the daemon survives */

void    logger_warning(const char *fmt,...)
{
	va_list ap;

	va_start(ap, fmt);
	logger_vlog(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

/* logger_error - trouble that stops something */

void    logger_error(const char *fmt,...)
{
	va_list ap;

	va_start(ap, fmt);
	logger_vlog(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}

/* logger_close - at exit */

void    logger_close(void)
{
	pthread_mutex_lock(&logger_lock);
	if (logger_json_fd >= 0)
		close(logger_json_fd);
	logger_json_fd = -1;
	free(logger_json_path);
	logger_json_path = 0;
	pthread_mutex_unlock(&logger_lock);
	closelog();
}
