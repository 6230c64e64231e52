/*
 * NAME
 *	acct 3
 * SUMMARY
 *	counted allocator of the message path
 * SYNOPSIS
 *	#include "acct.h"
 *
 *	void	acct_init(acct, limit, budget, fail_at)
 *
 *	void	*acct_alloc(acct, stage, len)
 *	void	*acct_calloc(acct, stage, nmemb, size)
 *	void	*acct_free(acct, ptr)
 *
 *	void	*acct_zalloc(opaque, items, size)
 *	void	acct_zfree(opaque, ptr)
 * DESCRIPTION
 *	Every allocation that analysing one message makes goes through
 *	its struct acct: the MIME parser's buffers, the sniffer's window,
 *	archive bookkeeping and zlib's inflate state (acct_zalloc and
 *	acct_zfree are zlib's zalloc/zfree with the acct as opaque).
 *	The module keeps the bytes held now and the peak, in total and by
 *	stage; the peaks are what the accounting record calls peak_mem
 *	and mem.
 *
 *	Each block carries a 16-byte header with its size and stage, so
 *	that acct_free (and zfree, which is given no size) can uncount it.
 *
 *	Before the work, not after: an allocation is refused when it would
 *	take the message past its own cap (limit; the decoder stages,
 *	which hold what a codec's stream asks for, have a cap of their
 *	own, acct_set_decoder_limit()), or the process past
 *	the global in-flight budget, or when malloc fails.  The refusal is
 *	a NULL return plus a sticky acct->failed, which the message turns
 *	into a temporary failure (reason internal or budget).  Nothing on
 *	this path exits or aborts.
 *
 *	fail_at is the allocation-failure sweep's hook: allocation number
 *	fail_at (1-based) of this acct fails as if malloc had.
 * BUGS
 *	The caller frees every block before it forgets the acct; the
 *	tests check that acct->cur is back to zero.
 */

#include <stdlib.h>
#include <string.h>

#include "acct.h"

union acct_hdr {
	struct {
		size_t	len;
		unsigned stage;
	}	h;
	max_align_t align;
};

static const char *const acct_names[] = {
#define ACCT_NAME(e, s, d) s,
	ACCT_STAGES(ACCT_NAME)
#undef ACCT_NAME
};

static const unsigned char acct_decoder[] = {
#define ACCT_DEC(e, s, d) d,
	ACCT_STAGES(ACCT_DEC)
#undef ACCT_DEC
};

/* acct_stage_name - a stage's name in the record */

const char *acct_stage_name(enum acct_stage stage)
{
	return (stage < ACCT_STAGE_COUNT ? acct_names[stage] : "?");
}

/* acct_init - start counting for one message */

void    acct_init(struct acct *a, size_t limit, struct acct_budget *budget,
		          unsigned long fail_at)
{
	memset(a, 0, sizeof(*a));
	a->limit = limit;
	a->budget = budget;
	a->fail_at = fail_at;
}

/* acct_set_decoder_limit - the cap of the decoder stages, 0: none */

void    acct_set_decoder_limit(struct acct *a, size_t limit)
{
	a->dec_limit = limit;
}

/* acct_decoder_room - what a new decoder may still take (UINT64_MAX: no cap) */

uint64_t acct_decoder_room(const struct acct *a)
{
	if (a->dec_limit == 0)
		return (UINT64_MAX);
	return (a->dec_cur < a->dec_limit ? a->dec_limit - a->dec_cur : 0);
}

/* acct_over - would total more bytes take the stage's part past its cap? */

static int acct_over(const struct acct *a, enum acct_stage stage, size_t total)
{
	size_t  cap = acct_decoder[stage] ? a->dec_limit : a->limit;
	size_t  cur = acct_decoder[stage] ? a->dec_cur : a->cur - a->dec_cur;

	return (cap != 0 && (total > cap || cur > cap - total));
}

/* acct_reserve - take len bytes of the global budget */

static int acct_reserve(struct acct_budget *b, size_t len)
{
	size_t  used = __atomic_add_fetch(&b->used, len, __ATOMIC_RELAXED);

	if (b->max != 0 && used > b->max) {
		__atomic_sub_fetch(&b->used, len, __ATOMIC_RELAXED);
		return (-1);
	}
	return (0);
}

/* acct_alloc - counted malloc */

void   *acct_alloc(struct acct *a, enum acct_stage stage, size_t len)
{
	union acct_hdr *hdr;
	size_t  total;

	a->nalloc++;
	if (a->fail_at != 0 && a->nalloc == a->fail_at) {
		a->failed = ACCT_FAIL_NOMEM;
		return (NULL);
	}
	if (stage >= ACCT_STAGE_COUNT || __builtin_add_overflow(len, sizeof(*hdr), &total)
	    || acct_over(a, stage, total)) {
		a->failed = ACCT_FAIL_NOMEM;
		return (NULL);
	}
	if (a->budget != 0 && acct_reserve(a->budget, total) != 0) {
		a->failed = ACCT_FAIL_BUDGET;
		return (NULL);
	}
	if ((hdr = malloc(total)) == 0) {
		if (a->budget)
			__atomic_sub_fetch(&a->budget->used, total, __ATOMIC_RELAXED);
		a->failed = ACCT_FAIL_NOMEM;
		return (NULL);
	}
	hdr->h.len = total;
	hdr->h.stage = stage;
	a->cur += total;
	if (a->cur > a->peak)
		a->peak = a->cur;
	a->stage_cur[stage] += total;
	if (acct_decoder[stage])
		a->dec_cur += total;
	if (a->stage_cur[stage] > a->stage_peak[stage])
		a->stage_peak[stage] = a->stage_cur[stage];
	return (hdr + 1);
}

/* acct_calloc - counted calloc */

void   *acct_calloc(struct acct *a, enum acct_stage stage, size_t n, size_t size)
{
	size_t  len;
	void   *p;

	if (__builtin_mul_overflow(n, size, &len)) {
		a->nalloc++;
		a->failed = ACCT_FAIL_NOMEM;
		return (NULL);
	}
	if ((p = acct_alloc(a, stage, len)) != 0)
		memset(p, 0, len);
	return (p);
}

/* acct_free - counted free; returns NULL */

void   *acct_free(struct acct *a, void *ptr)
{
	union acct_hdr *hdr;

	if (ptr == 0)
		return (NULL);
	hdr = (union acct_hdr *) ptr - 1;
	a->cur -= hdr->h.len;
	a->stage_cur[hdr->h.stage] -= hdr->h.len;
	if (acct_decoder[hdr->h.stage])
		a->dec_cur -= hdr->h.len;
	if (a->budget)
		__atomic_sub_fetch(&a->budget->used, hdr->h.len, __ATOMIC_RELAXED);
	free(hdr);
	return (NULL);
}

/* acct_zalloc - zlib's zalloc */

void   *acct_zalloc(void *opaque, unsigned items, unsigned size)
{
	return (acct_calloc((struct acct *) opaque, ACCT_INFLATE, items, size));
}

/* acct_zfree - zlib's zfree */

void    acct_zfree(void *opaque, void *ptr)
{
	acct_free((struct acct *) opaque, ptr);
}
