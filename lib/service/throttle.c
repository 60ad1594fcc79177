/*
 * throttle.c -- failure counters kept in the store, so every server counts the same failures:
 * within a window, after `limit` failures the key is locked for lock_ms, doubling with each
 * further failure up to lock_max_ms; a lock always ends (never permanent); the window starts
 * again once it has passed.  Keys name what is counted: "user:<email key>", "addr:<address>".
 */
#include "service/service.h"

gh_err
gh__throttle_locked(struct gh_tx *tx, const char *key, int64_t now_ms, int64_t *locked_until_ms)
{
    struct gh_throttle t;

    *locked_until_ms = 0;
    GH_TRY(GH_ST(tx)->throttle_get(tx, key, &t));
    if (t.locked_until_ms > now_ms) {
        *locked_until_ms = t.locked_until_ms;
    }
    return GH_OK;
}

/* The lock after failures (>= limit): lock_ms doubled per failure past the limit, capped. */
static int64_t
lock_for(const struct gh_throttle_rule *rule, int64_t failures)
{
    int64_t lock = rule->lock_ms;

    for (int64_t i = rule->limit; i < failures && lock < rule->lock_max_ms; i++) {
        lock *= 2;
    }
    return lock < rule->lock_max_ms ? lock : rule->lock_max_ms;
}

gh_err
gh__throttle_fail(struct gh_tx *tx, const char *key, const struct gh_throttle_rule *rule,
                  int64_t now_ms, int64_t *locked_until_ms)
{
    struct gh_throttle t;

    *locked_until_ms = 0;
    GH_TRY(GH_ST(tx)->throttle_get(tx, key, &t));
    if (now_ms - t.window_start_ms > rule->window_ms && t.locked_until_ms <= now_ms) {
        t.failures = 0; /* the window has passed: forget */
        t.window_start_ms = now_ms;
    }
    t.failures++;
    if (t.failures >= rule->limit) {
        t.locked_until_ms = now_ms + lock_for(rule, t.failures);
        *locked_until_ms = t.locked_until_ms;
    }
    return GH_ST(tx)->throttle_put(tx, key, &t);
}

gh_err
gh__throttle_reset(struct gh_tx *tx, const char *key)
{
    struct gh_throttle t;

    memset(&t, 0, sizeof(t));
    return GH_ST(tx)->throttle_put(tx, key, &t);
}
