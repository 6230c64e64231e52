/*
 * NAME
 *	filetype 3
 * SUMMARY
 *	libmagic, loaded once, a pool of cookies
 * SYNOPSIS
 *	#include "filetype.h"
 *
 *	int	filetype_init(err, errlen)
 *	int	filetype_of(buf, len, out, outlen)
 * DESCRIPTION
 *	filetype_of() writes the MIME type libmagic finds in the first
 *	bytes of a stream ("application/zip") into out.  It returns 0, or
 *	-1 when libmagic fails (out is then "application/octet-stream").
 *
 *	A magic_t is not thread-safe, and making one costs about 2 ms (the
 *	database's sets are built over the map).  So the compiled database
 *	is mapped once per process (filetype_init, or the first call), and
 *	cookies made over that shared map with magic_load_buffers are kept
 *	in a pool: a call takes an idle one (or makes one when all are in
 *	use) and gives it back.  The pool grows to the number of calls at
 *	the same moment, and outlives threads: libmilter starts a thread
 *	for each new connection and lets idle ones go, and a cookie per
 *	thread was made again about every other message under load (1,928
 *	cookies for 1,957 messages, 20 sessions).  Nothing here is per
 *	message.
 *
 *	Flags: MAGIC_MIME_TYPE, and never decompress (MAGIC_NO_CHECK_COMPRESS:
 *	libmagic would inflate a gzip in memory, outside our accounting).
 *
 *	Two passes: libmagic's soft magic (the database's thousands of
 *	tests) costs about a millisecond on a text window, against tens of
 *	microseconds on a binary one, and mail is mostly text parts.  So a
 *	first cookie runs only the built-in tests (encoding, JSON, CSV, ELF,
 *	tar, CDF); when it names text, that is the answer.  Anything else
 *	goes through the full database.  Text therefore comes out as
 *	text/plain (or JSON, CSV), never text/html or a script type: no
 *	analyser cares, and many small parts stay cheap.
 *
 *	Each cookie remembers its last answer, and the pool hands out the
 *	one used last: the same window asked again
 *	(the same attachment sent to many recipients, a test that splits a
 *	message in every way) costs a memcmp instead of a libmagic run.
 *
 *	Memory: per cookie (as many as calls at once), its sets and a 4 KiB
 *	memo; per process, the mapped database (shared, read-only pages).
 * BUGS
 *	Only the first FILETYPE_WINDOW bytes are shown to libmagic.
 *
 *	libmagic 5.44 frees a wild pointer when one of its own
 *	allocations fails (in magic_buffer, and in magic_load_buffers
 *	when a cookie is made; see tests/faultinj.c).  A real
 *	out-of-memory inside libmagic therefore takes the daemon down:
 *	Postfix tempfails the messages in flight (milter_default_action =
 *	tempfail) and the service manager restarts it.  Nothing is lost,
 *	but every session is hit, not only the one that ran short.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filetype.h"

#define FILETYPE_FLAGS	(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR)
#define FILETYPE_FAST	(FILETYPE_FLAGS | MAGIC_NO_CHECK_SOFT)
#define FILETYPE_FALLBACK "application/octet-stream"

static pthread_once_t filetype_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t filetype_lock = PTHREAD_MUTEX_INITIALIZER;
static void *filetype_db;		/* the mapped magic.mgc, or NULL */
static size_t filetype_db_len;
static char filetype_err[256];

struct filetype_memo {
	magic_t	fast;			/* built-in tests only */
	magic_t	cookie;			/* the whole database */
	size_t	len;
	uint8_t	win[FILETYPE_WINDOW];
	char	type[64];
	int	valid;
	struct filetype_memo *next;	/* in the pool */
};

static struct filetype_memo *filetype_pool;	/* idle cookies, last used first */

/* filetype_close - a cookie that could not be made whole */

static void filetype_close(struct filetype_memo *memo)
{
	if (memo) {
		if (memo->cookie)
			magic_close(memo->cookie);
		if (memo->fast)
			magic_close(memo->fast);
		free(memo);
	}
}

/* filetype_map - map the compiled database once */

static void filetype_map(void)
{
	const char *path = "/usr/lib/file/magic.mgc";
	const char *list = magic_getpath(NULL, 0);
	char    cand[1024];
	struct stat st;
	int     fd = -1;

	/* The compiled form of each database on libmagic's path. */
	for (const char *p = list; p && *p;) {
		size_t  n = strcspn(p, ":");

		snprintf(cand, sizeof(cand), "%.*s.mgc", (int) n, p);
		if ((fd = open(cand, O_RDONLY | O_CLOEXEC)) >= 0) {
			path = cand;
			break;
		}
		p += n + (p[n] == ':');
	}
	if (fd < 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(filetype_err, sizeof(filetype_err),
			 "cannot open the magic database %.160s (install libmagic-mgc)", path);
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		filetype_db = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (filetype_db == MAP_FAILED)
			filetype_db = 0;
		else
			filetype_db_len = st.st_size;
	}
	close(fd);
	if (filetype_db == 0)
		snprintf(filetype_err, sizeof(filetype_err),
			 "cannot map the magic database %.160s", path);
}

/* filetype_new - a cookie over the mapped database */

static struct filetype_memo *filetype_new(void)
{
	struct filetype_memo *memo;
	void   *bufs[1];
	size_t  sizes[1];

	pthread_once(&filetype_once, filetype_map);
	if ((memo = calloc(1, sizeof(*memo))) == 0)
		return (NULL);
	bufs[0] = filetype_db;
	sizes[0] = filetype_db_len;
	if ((memo->cookie = magic_open(FILETYPE_FLAGS)) == 0
	    || (memo->fast = magic_open(FILETYPE_FAST)) == 0
	    || ((filetype_db == 0 || magic_load_buffers(memo->cookie, bufs, sizes, 1) != 0)
		&& magic_load(memo->cookie, NULL) != 0)
	    || ((filetype_db == 0 || magic_load_buffers(memo->fast, bufs, sizes, 1) != 0)
		&& magic_load(memo->fast, NULL) != 0)) {
		filetype_close(memo);
		return (NULL);
	}
	return (memo);
}

/* filetype_get - an idle cookie, the one used last, or a new one */

static struct filetype_memo *filetype_get(void)
{
	struct filetype_memo *memo;

	pthread_mutex_lock(&filetype_lock);
	if ((memo = filetype_pool) != 0)
		filetype_pool = memo->next;
	pthread_mutex_unlock(&filetype_lock);
	return (memo ? memo : filetype_new());
}

/* filetype_put - give a cookie back */

static void filetype_put(struct filetype_memo *memo)
{
	pthread_mutex_lock(&filetype_lock);
	memo->next = filetype_pool;
	filetype_pool = memo;
	pthread_mutex_unlock(&filetype_lock);
}

/* filetype_init - load at start-up, so that a bad install shows early */

int     filetype_init(char *err, size_t errlen)
{
	struct filetype_memo *memo = filetype_get();

	if (memo == 0) {
		snprintf(err, errlen, "libmagic: %s",
			 filetype_err[0] ? filetype_err : "cannot load the magic database");
		return (-1);
	}
	filetype_put(memo);
	return (0);
}

/* filetype_of - the MIME type of the first bytes of a stream */

int     filetype_of(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	struct filetype_memo *memo = filetype_get();
	const char *type;
	int     rc = 0;

	if (n > FILETYPE_WINDOW)
		n = FILETYPE_WINDOW;
	if (memo == 0) {
		snprintf(out, outlen, "%s", FILETYPE_FALLBACK);
		return (-1);
	}
	if (memo->valid && memo->len == n && memcmp(memo->win, p, n) == 0) {
		snprintf(out, outlen, "%s", memo->type);
		filetype_put(memo);
		return (0);
	}
	type = magic_buffer(memo->fast, n ? (const void *) p : (const void *) "", n);
	if (type == 0 || (strncmp(type, "text/", 5) != 0 && strcmp(type, "application/json") != 0))
		type = magic_buffer(memo->cookie, n ? (const void *) p : (const void *) "", n);
	if (type == 0) {
		type = FILETYPE_FALLBACK;
		rc = -1;
	}
	snprintf(memo->type, sizeof(memo->type), "%s", type);
	memcpy(memo->win, p, n);
	memo->len = n;
	memo->valid = (rc == 0);
	snprintf(out, outlen, "%s", memo->type);
	filetype_put(memo);
	return (rc);
}
