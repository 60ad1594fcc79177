/*
 * pool.c -- connection slots (see pool.h).
 */
#include "store/pool.h"

gh_err
gh__pool_init(struct gh_pool *p, size_t n)
{
    memset(p, 0, sizeof(*p));
    p->busy = gh__calloc(n, sizeof(*p->busy));
    GH_ENSURE(p->busy != NULL, GH_E_NOMEM);
    p->n = n;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    return GH_OK;
}

void
gh__pool_clear(struct gh_pool *p)
{
    if (p->busy == NULL) {
        return;
    }
    gh__free(p->busy);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    memset(p, 0, sizeof(*p));
}

size_t
gh__pool_acquire(struct gh_pool *p)
{
    size_t slot = p->n;

    pthread_mutex_lock(&p->lock);
    while (slot == p->n) {
        for (slot = 0; slot < p->n && p->busy[slot]; slot++) {
        }
        if (slot == p->n) {
            pthread_cond_wait(&p->freed, &p->lock);
        }
    }
    p->busy[slot] = true;
    pthread_mutex_unlock(&p->lock);
    return slot;
}

void
gh__pool_release(struct gh_pool *p, size_t slot)
{
    pthread_mutex_lock(&p->lock);
    p->busy[slot] = false;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}
