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
 *	since the process started, so that start-up is left alone.  Unlike
 *	the engine's own hook (DEFUSE_FAULT_RATE, acct's fail_at), this
 *	also reaches callbacks.c's own contexts, libmilter, zlib and
 *	libmagic when they allocate outside the counted allocator.
 *
 *	With FAULTINJ_REPORT set to a path, the number of failed calls is
 *	written there at exit.
 * BUGS
 *	glibc only (__libc_malloc and friends, so that no dlsym is needed
 *	inside malloc).  posix_memalign, aligned_alloc and strdup's
 *	internal malloc through other paths are not touched.
 */
#define _GNU_SOURCE
#include <errno.h>
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
static time_t fi_after;
static unsigned long fi_failed;
static __thread unsigned fi_seed;

/* fi_init - read the environment in the main thread, before main() */

__attribute__((constructor)) static void fi_init(void)
{
	const char *r = getenv("FAULTINJ_RATE");
	const char *d = getenv("FAULTINJ_DELAY");

	fi_main = pthread_self();
	fi_rate = r ? strtod(r, 0) : 0;
	fi_after = time(0) + (d ? atoi(d) : 1);
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
	if (fi_rate <= 0 || pthread_equal(pthread_self(), fi_main) || time(0) < fi_after)
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
