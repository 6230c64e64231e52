/*
 * test_filetype - libmagic behind filetype_of(): the types the
 * analysers depend on, the two passes, the memo, and the pool of
 * cookies used from several threads at once.
 */

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "filetype.h"

/* A real zip with one stored member, a.txt = "hello" (Python zipfile). */
static const uint8_t zip[113] = {
	0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8e, 0x33,
	0x75, 0x5d, 0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00, 0x05, 0x00,
	0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x61, 0x2e, 0x74, 0x78, 0x74, 0x68,
	0x65, 0x6c, 0x6c, 0x6f, 0x50, 0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x8e, 0x33, 0x75, 0x5d, 0x86, 0xa6, 0x10, 0x36,
	0x05, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x61, 0x2e, 0x74, 0x78, 0x74, 0x50, 0x4b, 0x05, 0x06, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x33, 0x00, 0x00, 0x00, 0x28,
	0x00, 0x00, 0x00, 0x00, 0x00
};

static const char *type_of(const void *p, size_t n)
{
	static __thread char t[64];

	cr_assert_eq(filetype_of(p, n, t, sizeof(t)), 0);
	return (t);
}

Test(filetype, types)
{
	static const uint8_t gz[20] = {0x1f, 0x8b, 8, 0};
	static uint8_t tar[1024];
	static uint8_t bin[512];
	const char *text = "Hello, this is some plain text.\nAnd a second line.\n";
	char    err[256];

	cr_assert_eq(filetype_init(err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(type_of(text, strlen(text)), "text/plain");
	cr_expect_str_eq(type_of(zip, sizeof(zip)), "application/zip");
	cr_expect_str_eq(type_of(gz, sizeof(gz)), "application/gzip");
	memcpy(tar, "a.txt", 5);
	memcpy(tar + 100, "0000644\0" "0000000\0" "0000000\0" "00000000000\0" "00000000000\0", 8 * 3 + 12 * 2);
	memcpy(tar + 257, "ustar\0" "00", 8);
	{
		unsigned sum = 0;

		memset(tar + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += tar[i];
		snprintf((char *) tar + 148, 8, "%06o", sum);
	}
	cr_expect_str_eq(type_of(tar, sizeof(tar)), "application/x-tar");
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (i * 7919) >> 3;
	cr_expect_str_eq(type_of(bin, sizeof(bin)), "application/octet-stream");
	/* Asked again: the memo answers the same. */
	cr_expect_str_eq(type_of(zip, sizeof(zip)), "application/zip");
	cr_expect_str_eq(type_of(text, strlen(text)), "text/plain");
}

Test(filetype, window_is_bounded)
{
	static uint8_t big[3 * FILETYPE_WINDOW];

	memset(big, 'a', sizeof(big));
	cr_expect_str_eq(type_of(big, sizeof(big)), "text/plain");
}

static void *worker(void *arg)
{
	const char *want = arg;
	const char *text = "plain words in a thread\n";
	char    t[64];

	for (int i = 0; i < 200; i++) {
		if (i % 2)
			filetype_of(zip, sizeof(zip), t, sizeof(t));
		else
			filetype_of((const uint8_t *) text, strlen(text), t, sizeof(t));
		if (strcmp(t, i % 2 ? "application/zip" : "text/plain") != 0)
			return ((void *) "wrong type");
	}
	(void) want;
	return (NULL);
}

Test(filetype, cookies_shared_by_threads)
{
	pthread_t th[4];
	void   *res;

	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&th[i], 0, worker, 0), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &res);
		cr_expect_null(res, "thread %d: %s", i, res ? (char *) res : "");
	}
}
