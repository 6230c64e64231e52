/*
 * NAME
 *	defuse-scan 1
 * SUMMARY
 *	run the defuse engine on message files, mboxes and mail folders
 * SYNOPSIS
 *	defuse-scan [-c FILE] [-o key=value]... [--chunk-size N] [--json]
 *		[--summary] [FILE | DIR]...
 * DESCRIPTION
 *	Reads each FILE (standard input when none, or "-"): a plain raw
 *	message, or an mbox when its first line starts with "From " (split
 *	by mbox.c: each message is named FILE:N, from 1; ">From " lines
 *	are left as they are).  A DIR (a link to one too, when named here)
 *	is walked by folder.c, in name order: a Maildir's cur/ and new/,
 *	any other directory (an MH folder, a tree) recursively, hidden
 *	names and links to directories passed over; each file found is
 *	read as a FILE.
 *
 *	Each message goes to the engine in chunks of N bytes (default
 *	65536, as libmilter sends the body) as it is read: an mbox is
 *	streamed, never held.  One line per message: its name, then the
 *	accounting record, Postfix style ("key=value"), or with --json
 *	one JSON object per line with DESIGN.md's field names plus "file".
 *	With --summary a block follows the last message (tally.c): how
 *	many, by verdict, by reason, the reasons of the refused (the first
 *	limit that fired, as the engine stops there) and the ten largest
 *	projected costs; with --json one object with "summary": true.
 *
 *	-c FILE reads a defuse.conf; -o key=value overrides one key
 *	(after the file, in order).  Unknown keys and bad values are
 *	errors that name the file and line, or the option.
 *
 *	Exit status: 0 when every message is accepted, 1 when any is
 *	rejected or tempfailed, 2 on an error (a bad configuration, a file
 *	that cannot be read); the error names the file, and the other
 *	files, those of a folder too, are still scanned.
 * STATE AND MEMORY
 *	Two buffers of N bytes (read, and the chunk being filled for the
 *	engine), the engine's own per message, the folder walker's names
 *	of the directories on the way down, and ten names for --summary.
 * BUGS
 *	The message a read error cuts short is not reported (those before
 *	it in an mbox are): the error is.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "filetype.h"
#include "folder.h"
#include "mbox.h"
#include "msg.h"
#include "record.h"
#include "tally.h"

#define SCAN_CHUNK_DEFAULT	65536
#define SCAN_CHUNK_MAX		(64 * 1024 * 1024)
#define SCAN_NAME_MAX		TALLY_NAME_MAX	/* a message's name, sanitised */

struct scan_opts {
	size_t	chunk;
	int	json;
	int	summary;
};

struct scan {
	const struct conf *conf;
	const struct scan_opts *opts;
	uint8_t *rbuf;			/* read() fills it */
	uint8_t *cbuf;			/* the engine's next chunk */
	size_t	fill;			/* bytes in cbuf */
	struct msg *m;			/* the message, NULL if not started */
	int	open;			/* a message is begun */
	const char *path;		/* the file being read */
	unsigned long n;		/* its message number (0: plain) */
	int	status;			/* worst so far: 0, 1, 2 */
	struct tally tally;
};

/* scan_usage - how to call */

static void scan_usage(FILE *fp)
{
	fprintf(fp, "usage: defuse-scan [-c FILE] [-o key=value]... [--chunk-size N] [--json] [--summary] [FILE|DIR...]\n");
}

/* scan_worse - keep the worst exit status */

static void scan_worse(struct scan *s, int rc)
{
	if (rc > s->status)
		s->status = rc;
}

/* scan_error - a file or folder that cannot be read */

static int scan_error(void *ctx, const char *path, int err)
{
	struct scan *s = ctx;

	fflush(stdout);			/* in order, when both go to one file */
	fprintf(stderr, "defuse-scan: %s: %s\n", path, strerror(err));
	s->tally.errors++;
	scan_worse(s, 2);
	return (0);
}

/* scan_print - one line for one message */

static void scan_print(const struct scan *s, const char *safe,
		               const struct record *rec)
{
	char    text[RECORD_TEXT_MAX];

	if (s->opts->json) {
		record_json(rec, text, sizeof(text));
		printf("{\"file\":\"%s\",%s\n", safe, text + 1);
	} else {
		record_kv(rec, text, sizeof(text));
		printf("%s: %s\n", safe, text);
	}
}

/* scan_begin - a message opens (mbox.c's begin) */

static int scan_begin(void *ctx, unsigned long n)
{
	struct scan *s = ctx;

	s->n = n;
	s->fill = 0;
	s->open = 1;
	s->m = msg_new(s->conf, 0, 0);
	return (0);
}

/* scan_engine - one chunk to the engine */

static void scan_engine(struct scan *s, const uint8_t *p, size_t n)
{
	if (s->m != 0)
		(void) msg_feed(s->m, p, n);
}

/* scan_data - message bytes, passed on in whole chunks (mbox.c's data) */

static int scan_data(void *ctx, const uint8_t *p, size_t n)
{
	struct scan *s = ctx;
	size_t  chunk = s->opts->chunk, take;

	while (n > 0) {
		if (s->fill == 0 && n >= chunk) {
			/* a whole chunk in place: no copy */
			scan_engine(s, p, chunk);
			p += chunk;
			n -= chunk;
			continue;
		}
		take = chunk - s->fill < n ? chunk - s->fill : n;
		memcpy(s->cbuf + s->fill, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill == chunk) {
			scan_engine(s, s->cbuf, chunk);
			s->fill = 0;
		}
	}
	return (0);
}

/* scan_end - a message closes: its verdict, line and count (mbox.c's end) */

static int scan_end(void *ctx)
{
	struct scan *s = ctx;
	struct record rec;
	char    name[SCAN_NAME_MAX], safe[SCAN_NAME_MAX];

	if (s->fill > 0)
		scan_engine(s, s->cbuf, s->fill);
	if (s->m != 0) {
		msg_finish(s->m);
		rec = *msg_record(s->m);
		s->m = msg_free(s->m);
	} else {
		record_internal(&rec);
	}
	s->open = 0;
	s->fill = 0;
	if (s->n == 0)
		snprintf(name, sizeof(name), "%s", s->path);
	else
		snprintf(name, sizeof(name), "%s:%lu", s->path, s->n);
	record_sanitize(safe, sizeof(safe), name, strlen(name));
	scan_print(s, safe, &rec);
	tally_add(&s->tally, safe, &rec);
	scan_worse(s, rec.verdict == VERDICT_ACCEPT ? 0 : 1);
	return (0);
}

static const struct mbox_out scan_mbox = {scan_begin, scan_data, scan_end};

/* scan_stream - the messages of one descriptor; 0, or errno of a read error */

static int scan_stream(struct scan *s, int fd, const char *path)
{
	struct mbox mb;
	ssize_t n;
	int     err;

	s->path = path;
	mbox_init(&mb, &scan_mbox, s);
	while ((n = read(fd, s->rbuf, s->opts->chunk)) != 0) {
		if (n > 0) {
			(void) mbox_feed(&mb, s->rbuf, n);
		} else if (errno != EINTR) {
			/* the message cut short is dropped: the error is reported */
			err = errno;
			if (s->open)
				s->m = msg_free(s->m);
			s->open = 0;
			return (err);
		}
	}
	(void) mbox_finish(&mb);
	return (0);
}

static int scan_found(void *, const char *);
static const struct folder_out scan_walk = {scan_found, scan_error};

/* scan_file - a file, standard input ("-" at top) or a folder (at top) */

static void scan_file(struct scan *s, const char *path, int top)
{
	struct stat st;
	int     fd, err;

	if (top && strcmp(path, "-") == 0) {
		fd = 0;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		(void) scan_error(s, path, errno);
		return;
	}
	if (top && fd != 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		(void) folder_walk(path, &scan_walk, s);
		return;
	}
	if ((err = scan_stream(s, fd, path)) != 0) {
		fflush(stdout);
		fprintf(stderr, "defuse-scan: %s: read error: %s\n", path, strerror(err));
		s->tally.errors++;
		scan_worse(s, 2);
	}
	if (fd != 0)
		close(fd);
}

/* scan_found - a file of a folder (folder.c's file) */

static int scan_found(void *ctx, const char *path)
{
	scan_file(ctx, path, 0);
	return (0);
}

/* scan_options - parse the command line; returns optind or -1 */

static int scan_options(int argc, char **argv, struct conf *conf,
			        struct scan_opts *opts)
{
	static const struct option longopts[] = {
		{"chunk-size", required_argument, 0, 'C'},
		{"json", no_argument, 0, 'j'},
		{"summary", no_argument, 0, 'S'},
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
		case 'S':
			opts->summary = 1;
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
	struct scan_opts opts = {SCAN_CHUNK_DEFAULT, 0, 0};
	static struct scan s;
	struct conf conf;
	char    err[512] = "";
	int     first;

	conf_defaults(&conf);
	if ((first = scan_options(argc, argv, &conf, &opts)) < 0) {
		conf_free(&conf);
		return (2);
	}
	s.conf = &conf;
	tally_init(&s.tally);
	s.opts = &opts;
	if (filetype_init(err, sizeof(err)) != 0
	    || (s.rbuf = malloc(opts.chunk)) == 0 || (s.cbuf = malloc(opts.chunk)) == 0) {
		fprintf(stderr, "defuse-scan: %s\n", err[0] ? err : "out of memory");
		free(s.rbuf);
		conf_free(&conf);
		return (2);
	}
	if (first == argc)
		scan_file(&s, "-", 1);
	for (int i = first; i < argc; i++)
		scan_file(&s, argv[i], 1);
	if (opts.summary)
		tally_print(&s.tally, stdout, opts.json);
	fflush(stdout);
	free(s.rbuf);
	free(s.cbuf);
	conf_free(&conf);
	return (s.status);
}
