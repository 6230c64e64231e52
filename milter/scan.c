/*
 * NAME
 *	defuse-scan 1
 * SUMMARY
 *	run the defuse engine on message files
 * SYNOPSIS
 *	defuse-scan [-c FILE] [-o key=value]... [--chunk-size N] [--json] [FILE...]
 * DESCRIPTION
 *	Reads each FILE (standard input when none, or "-") as one raw
 *	message, feeds it to the engine in chunks of N bytes (default
 *	65536, as libmilter sends the body), and prints one line per
 *	message: the file name, then the accounting record, Postfix
 *	style ("key=value"), or with --json one JSON object per line
 *	with DESIGN.md's field names plus "file".
 *
 *	-c FILE reads a defuse.conf; -o key=value overrides one key
 *	(after the file, in order).  Unknown keys and bad values are
 *	errors that name the file and line, or the option.
 *
 *	Exit status: 0 when every message is accepted, 1 when any is
 *	rejected or tempfailed, 2 on an error (a file that cannot be
 *	read, a bad configuration); the error names the file.
 * BUGS
 *	One message per file: mbox files are not split.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "filetype.h"
#include "msg.h"
#include "record.h"

#define SCAN_CHUNK_DEFAULT	65536
#define SCAN_CHUNK_MAX		(64 * 1024 * 1024)

struct scan_opts {
	size_t	chunk;
	int	json;
};

/* scan_usage - how to call */

static void scan_usage(FILE *fp)
{
	fprintf(fp, "usage: defuse-scan [-c FILE] [-o key=value]... [--chunk-size N] [--json] [FILE...]\n");
}

/* scan_print - one line for one message */

static void scan_print(const struct scan_opts *opts, const char *name,
		               const struct record *rec)
{
	char    text[RECORD_TEXT_MAX];
	char    safe[512];

	record_sanitize(safe, sizeof(safe), name, strlen(name));
	if (opts->json) {
		record_json(rec, text, sizeof(text));
		printf("{\"file\":\"%s\",%s\n", safe, text + 1);
	} else {
		record_kv(rec, text, sizeof(text));
		printf("%s: %s\n", safe, text);
	}
}

/* scan_fd - one message from a descriptor; -1 on a read error */

static int scan_fd(const struct conf *conf, const struct scan_opts *opts,
		           int fd, uint8_t *buf, struct record *rec)
{
	struct msg *m;
	ssize_t n = 0;
	int     rc = 0;

	if ((m = msg_new(conf, 0, 0)) == 0) {
		record_internal(rec);
		return (0);
	}
	for (;;) {
		size_t  got = 0;

		/* Fill a whole chunk, as libmilter delivers them. */
		while (got < opts->chunk
		       && ((n = read(fd, buf + got, opts->chunk - got)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				got += n;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (got == 0)
			break;
		(void) msg_feed(m, buf, got);
		if (got < opts->chunk)
			break;
	}
	if (rc == 0) {
		msg_finish(m);
		*rec = *msg_record(m);
	}
	msg_free(m);
	return (rc);
}

/* scan_file - one message file; returns 0, 1 (not accepted) or 2 */

static int scan_file(const struct conf *conf, const struct scan_opts *opts,
		             const char *path, uint8_t *buf)
{
	struct record rec;
	int     fd;

	if (strcmp(path, "-") == 0) {
		fd = 0;
		path = "-";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "defuse-scan: %s: %s\n", path, strerror(errno));
		return (2);
	}
	if (scan_fd(conf, opts, fd, buf, &rec) < 0) {
		fprintf(stderr, "defuse-scan: %s: read error: %s\n", path, strerror(errno));
		if (fd != 0)
			close(fd);
		return (2);
	}
	if (fd != 0)
		close(fd);
	scan_print(opts, path, &rec);
	return (rec.verdict == VERDICT_ACCEPT ? 0 : 1);
}

/* scan_options - parse the command line; returns optind or -1 */

static int scan_options(int argc, char **argv, struct conf *conf,
			        struct scan_opts *opts)
{
	static const struct option longopts[] = {
		{"chunk-size", required_argument, 0, 'C'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char    err[512];
	const char *sets[256];
	int     nsets = 0, ch;
	const char *cfile = 0;
	uint64_t n;

	while ((ch = getopt_long(argc, argv, "c:o:h", longopts, 0)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'o':
			if (nsets == (int) (sizeof(sets) / sizeof(sets[0]))) {
				fprintf(stderr, "defuse-scan: too many -o options\n");
				return (-1);
			}
			sets[nsets++] = optarg;
			break;
		case 'C':
			if (conf_parse_size(optarg, &n) != 0 || n == 0 || n > SCAN_CHUNK_MAX) {
				fprintf(stderr, "defuse-scan: --chunk-size: bad size \"%s\" (1 to 64M)\n", optarg);
				return (-1);
			}
			opts->chunk = n;
			break;
		case 'j':
			opts->json = 1;
			break;
		case 'h':
			scan_usage(stdout);
			exit(0);
		default:
			scan_usage(stderr);
			return (-1);
		}
	}
	if (cfile && conf_load(conf, cfile, err, sizeof(err)) != 0) {
		fprintf(stderr, "defuse-scan: %s\n", err);
		return (-1);
	}
	for (int i = 0; i < nsets; i++) {
		char    key[128];
		const char *eq = strchr(sets[i], '=');

		if (eq == 0 || (size_t) (eq - sets[i]) >= sizeof(key)) {
			fprintf(stderr, "defuse-scan: -o %s: expected key=value\n", sets[i]);
			return (-1);
		}
		memcpy(key, sets[i], eq - sets[i]);
		key[eq - sets[i]] = 0;
		if (conf_set(conf, key, eq + 1, err, sizeof(err)) != 0) {
			fprintf(stderr, "defuse-scan: -o %s: %s\n", sets[i], err);
			return (-1);
		}
	}
	return (optind);
}

int     main(int argc, char **argv)
{
	struct scan_opts opts = {SCAN_CHUNK_DEFAULT, 0};
	struct conf conf;
	char    err[512] = "";
	uint8_t *buf = 0;
	int     first, status = 0, rc;

	conf_defaults(&conf);
	if ((first = scan_options(argc, argv, &conf, &opts)) < 0) {
		conf_free(&conf);
		return (2);
	}
	if (filetype_init(err, sizeof(err)) != 0 || (buf = malloc(opts.chunk)) == 0) {
		fprintf(stderr, "defuse-scan: %s\n", err[0] ? err : "out of memory");
		conf_free(&conf);
		return (2);
	}
	if (first == argc) {
		status = scan_file(&conf, &opts, "-", buf);
	} else {
		for (int i = first; i < argc; i++) {
			rc = scan_file(&conf, &opts, argv[i], buf);
			if (rc > status)
				status = rc;
		}
	}
	fflush(stdout);
	free(buf);
	conf_free(&conf);
	return (status);
}
