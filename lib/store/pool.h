/*
 * pool.h -- a fixed set of connection slots shared by threads: acquire blocks until a slot is
 * free.  Both backends keep their connections in one (a transaction borrows one slot).
 */
#ifndef GATEHOUSE_POOL_H
#define GATEHOUSE_POOL_H

#include <pthread.h>

#include "internal.h"

struct gh_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    size_t n;
    bool *busy;
};

GH_MUST_CHECK gh_err gh__pool_init(struct gh_pool *p, size_t n);
void gh__pool_clear(struct gh_pool *p);
/* The index of a free slot, now marked busy; waits for one. */
size_t gh__pool_acquire(struct gh_pool *p);
void gh__pool_release(struct gh_pool *p, size_t slot);

#endif
