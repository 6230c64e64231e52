/*
 * trace - the event log of a text scanner under test; see trace.h.
 */

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "trace.h"

void    tr_put(struct trace *t, const void *s, size_t n)
{
	if (t->n + n + 1 > t->cap) {
		t->cap = (t->n + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		cr_assert(t->p != 0);
	}
	memcpy(t->p + t->n, s, n);
	t->n += n;
}

int     tr_event(struct trace *t)
{
	cr_assert(!t->stopped, "event after a stop");
	if (++t->events == t->stop_at) {
		t->stopped = 1;
		return (t->stop);
	}
	return (0);
}

/* tr_name - a begin event: "[B:" name tail, tail ending in ']' */

int     tr_name(struct trace *t, const char *name, size_t len, const char *tail)
{
	tr_put(t, "[B:", 3);
	tr_put(t, name, len);
	tr_put(t, tail, strlen(tail));
	return (tr_event(t));
}

int     tr_data(void *ctx, const uint8_t *p, size_t n)
{
	struct trace *t = ctx;

	cr_assert(n > 0, "data called with nothing");
	tr_put(t, p, n);
	return (tr_event(t));
}

int     tr_end(void *ctx, int clean)
{
	struct trace *t = ctx;

	tr_put(t, clean ? "[E1]" : "[E0]", 4);
	return (tr_event(t));
}

void    tr_free(struct trace *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

int     tr_same(const void *a, const void *b, size_t n)
{
	return (n == 0 || memcmp(a, b, n) == 0);
}

/* A xorshift generator, so that failures reproduce. */

static uint64_t tr_rng_state = 88172645463325252ULL;

uint32_t tr_rng(void)
{
	tr_rng_state ^= tr_rng_state << 13;
	tr_rng_state ^= tr_rng_state >> 7;
	tr_rng_state ^= tr_rng_state << 17;
	return ((uint32_t) (tr_rng_state >> 11));
}

void    tr_bytewise(size_t len, tr_check_fn check, const void *arg)
{
	size_t *cuts = calloc(len + 1, sizeof(*cuts));

	cr_assert(cuts != 0);
	check(arg, 0, 0);
	for (size_t j = 1; j < len; j++)
		cuts[j - 1] = j;
	check(arg, cuts, len ? len - 1 : 0);
	free(cuts);
}

void    tr_every_cut(size_t len, tr_check_fn check, const void *arg)
{
	size_t  cuts[2];

	for (size_t a = 0; a <= len; a++) {
		cuts[0] = a;
		check(arg, cuts, 1);
		for (size_t b = a; b <= len; b++) {
			cuts[1] = b;
			check(arg, cuts, 2);
		}
	}
}

void    tr_random_chunks(size_t len, unsigned rounds, tr_check_fn check, const void *arg)
{
	size_t  cuts[1024];

	for (unsigned r = 0; r < rounds; r++) {
		size_t  n = 0, at = 0, chunk = 1 + r % 9;

		while (n < sizeof(cuts) / sizeof(cuts[0])) {
			at += tr_rng() % (chunk + 1);
			if (at >= len)
				break;
			cuts[n++] = at;
		}
		check(arg, cuts, n);
	}
}
