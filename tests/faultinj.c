/*
 * NAME
 *	faultinj 3
 * SUMMARY
 *	LD_PRELOAD shim: malloc, calloc and realloc fail at random
 * SYNOPSIS
 *	cc -shared -fPIC -o faultinj.so tests/faultinj.c
 *	FAULTINJ_RATE=0.02 LD_PRELOAD=./faultinj.so defuse-milter ...
 * DESCRIPTION
 *	For tests/e2e/test_faults.sh: every malloc(), calloc() and
 *	realloc() made by a thread other than the main one (libmilter's
 *	listener; the workers that handle SMTP connections and messages
 *	are the others) fails with probability FAULTINJ_RATE (0..1),
 *	errno ENOMEM, once FAULTINJ_DELAY seconds (default 1) have passed
 *	since the process started, so that start-up is left alone, and for
 *	FAULTINJ_SECONDS seconds after that (default 0: for ever), so that
 *	a test can check that every message gets through once the storm is
 *	over (a message large enough to need a hundred allocations rarely
 *	gets through while 2% of them fail).  Unlike
 *	the engine's own hook (DEFUSE_FAULT_RATE, acct's fail_at), this
 *	also reaches callbacks.c's own contexts, libmilter and zlib when
 *	they allocate outside the counted allocator.
 *
 *	Nothing fails inside libmagic's magic_open(), magic_load(),
 *	magic_load_buffers() and magic_buffer(), which the shim wraps:
 *	libmagic 5.44 frees a wild pointer after one of its own allocations
 *	fails (SIGSEGV or "double free" under magic_buffer() whatever checks
 *	are enabled, reproduced with a standalone program; an invalid free
 *	under magic_load_buffers() in the daemon), a bug of that library
 *	that would kill the daemon whatever defuse does.  Everything else in
 *	the worker threads - defuse, libmilter, zlib, libc on their behalf -
 *	is fair game.  FAULTINJ_LIBMAGIC=1 lifts the exemption.
 *
 *	With FAULTINJ_REPORT set to a path, the number of failed calls is
 *	written there at exit.
 * BUGS
 *	glibc only (__libc_malloc and friends, so that no dlsym is needed
 *	inside malloc).  posix_memalign, aligned_alloc and strdup's
 *	internal malloc through other paths are not touched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static pthread_t fi_main;
static double fi_rate;
static int fi_libmagic;
static __thread int fi_in_magic;
static time_t fi_after, fi_until;
static unsigned long fi_failed;
static __thread unsigned fi_seed;

/* fi_init - read the environment in the main thread, before main() */

__attribute__((constructor)) static void fi_init(void)
{
	const char *r = getenv("FAULTINJ_RATE");
	const char *d = getenv("FAULTINJ_DELAY");
	const char *l = getenv("FAULTINJ_LIBMAGIC");
	const char *u = getenv("FAULTINJ_SECONDS");

	fi_main = pthread_self();
	fi_rate = r ? strtod(r, 0) : 0;
	fi_after = time(0) + (d ? atoi(d) : 1);
	fi_libmagic = l && *l == '1';
	fi_until = u && atoi(u) > 0 ? fi_after + atoi(u) : 0;
}

/* fi_report - the number of injected failures, at exit */

__attribute__((destructor)) static void fi_report(void)
{
	const char *path = getenv("FAULTINJ_REPORT");
	char    buf[32];
	int     fd, n;

	if (path == 0 || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%lu\n", __atomic_load_n(&fi_failed, __ATOMIC_RELAXED));
	if (write(fd, buf, n) != n)
		n = 0;
	close(fd);
}

/* fi_fail - should this call fail? */

static int fi_fail(void)
{
	time_t  now;

	if (fi_rate <= 0 || fi_in_magic || pthread_equal(pthread_self(), fi_main))
		return (0);
	now = time(0);
	if (now < fi_after || (fi_until && now >= fi_until))
		return (0);
	if (fi_seed == 0)
		fi_seed = (unsigned) time(0) ^ (unsigned) (uintptr_t) & fi_seed;
	if (rand_r(&fi_seed) / (RAND_MAX + 1.0) >= fi_rate)
		return (0);
	__atomic_add_fetch(&fi_failed, 1, __ATOMIC_RELAXED);
	errno = ENOMEM;
	return (1);
}

void   *malloc(size_t n)
{
	return (fi_fail() ? NULL : __libc_malloc(n));
}

void   *calloc(size_t n, size_t size)
{
	return (fi_fail() ? NULL : __libc_calloc(n, size));
}

void   *realloc(void *p, size_t n)
{
	return (fi_fail() ? NULL : __libc_realloc(p, n));
}

/*
 * libmagic's entry points that defuse calls in its worker threads, each
 * with no injected failure inside (see above).
 */
#define FI_MAGIC(ret, name, params, args) \
ret name params \
{ \
	static ret (*real) params; \
	ret	r; \
	fi_in_magic = !fi_libmagic; \
	if (real == 0 && (*(void **) &real = dlsym(RTLD_NEXT, #name)) == 0) \
		abort(); \
	r = real args; \
	fi_in_magic = 0; \
	return (r); \
}

FI_MAGIC(void *, magic_open, (int flags), (flags))
FI_MAGIC(int, magic_load, (void *m, const char *path), (m, path))
FI_MAGIC(int, magic_load_buffers, (void *m, void **b, size_t *s, size_t n), (m, b, s, n))
FI_MAGIC(const char *, magic_buffer, (void *m, const void *p, size_t n), (m, p, n))
