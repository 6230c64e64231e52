/*
 * NAME
 *	snap 3
 * SUMMARY
 *	the running configuration, a reference-counted immutable snapshot
 * SYNOPSIS
 *	#include "snap.h"
 *
 *	struct acct_budget snap_budget;
 *
 *	int	snap_install(conf)
 *
 *	struct snap *snap_get(void)
 *	struct snap *snap_put(snap)
 *
 *	void	snap_shutdown(void)
 * DESCRIPTION
 *	defuse-milter reads its configuration once per load into a
 *	struct conf, which is then never written again.  snap_install()
 *	takes over that struct (the caller must not free its strings)
 *	and makes it the current snapshot; the previous one goes away
 *	when the last message that holds it lets go.  A reload therefore
 *	never changes the limits under a message in flight: each message
 *	keeps the snapshot it started with, from MAIL FROM to its end.
 *
 *	snap_get() returns the current snapshot with one more reference;
 *	snap_put() drops one and returns NULL.
 *
 *	snap_budget is the global in-flight budget that every message
 *	charges its own memory to (acct.c).  It outlives the snapshots;
 *	snap_install() sets its maximum from max_total_memory.
 *
 *	snap_shutdown() drops the current snapshot at exit.
 *
 *	snap_install() returns 0, or -1 when it cannot allocate (the old
 *	snapshot stays).
 * BUGS
 *	One lock guards the current pointer for the few instructions of
 *	a swap or a get; the snapshot itself needs no lock.
 */

#include <pthread.h>
#include <stdlib.h>

#include "snap.h"

struct acct_budget snap_budget;

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snap *snap_current;
static unsigned long snap_generation;

/* snap_install - make a loaded configuration the current one */

int     snap_install(const struct conf *conf)
{
	struct snap *s, *old;

	if ((s = calloc(1, sizeof(*s))) == 0)
		return (-1);
	s->conf = *conf;
	s->refs = 1;
	pthread_mutex_lock(&snap_lock);
	s->generation = ++snap_generation;
	old = snap_current;
	snap_current = s;
	__atomic_store_n(&snap_budget.max, (size_t) conf->max_total_memory,
			 __ATOMIC_RELAXED);
	pthread_mutex_unlock(&snap_lock);
	snap_put(old);
	return (0);
}

/* snap_get - the current snapshot, with a reference */

struct snap *snap_get(void)
{
	struct snap *s;

	pthread_mutex_lock(&snap_lock);
	if ((s = snap_current) != 0)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&snap_lock);
	return (s);
}

/* snap_put - drop a reference; the last one frees */

struct snap *snap_put(struct snap *s)
{
	if (s != 0 && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		conf_free(&s->conf);
		free(s);
	}
	return (NULL);
}

/* snap_shutdown - drop the current snapshot */

void    snap_shutdown(void)
{
	struct snap *old;

	pthread_mutex_lock(&snap_lock);
	old = snap_current;
	snap_current = 0;
	pthread_mutex_unlock(&snap_lock);
	snap_put(old);
}
