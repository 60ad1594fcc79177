/*
 * audit.c -- the append-only, hash-chained audit log.  Events are appended inside the
 * transaction of the change they record.  Text from clients (the user agent) is reduced to
 * printable ASCII and truncated; no secret is ever passed in.
 */
#include "crypto/chain.h"
#include "service/service.h"

const char *
gh__actor_of(const struct gh_principal *who)
{
    if (who == NULL || who->kind == GH_PRINCIPAL_NONE) {
        return "";
    }
    return who->kind == GH_PRINCIPAL_OPERATOR ? "operator" : who->sid;
}

/* Copies src into dst as printable ASCII ('?' for anything else), truncated to fit. */
static void
copy_printable(char *dst, size_t cap, const char *src)
{
    size_t i = 0;

    for (; src != NULL && src[i] != '\0' && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];

        dst[i] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
    }
    dst[i] = '\0';
}

gh_err
gh__audit_append(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_audit_entry *e)
{
    struct gh_audit_event ev;
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    int64_t last = 0;

    memset(&ev, 0, sizeof(ev));
    GH_TRY(GH_ST(tx)->audit_last(tx, &last, prev));
    ev.seq = last + 1;
    ev.time_ms = gh_ctx_now_ms(ctx);
    copy_printable(ev.actor, sizeof(ev.actor), e->actor);
    copy_printable(ev.action, sizeof(ev.action), e->action);
    copy_printable(ev.target, sizeof(ev.target), e->target);
    copy_printable(ev.remote_addr, sizeof(ev.remote_addr),
                   e->from != NULL ? e->from->remote_addr : NULL);
    copy_printable(ev.user_agent, sizeof(ev.user_agent),
                   e->from != NULL ? e->from->user_agent : NULL);
    copy_printable(ev.outcome, sizeof(ev.outcome), e->ok ? "success" : "failure");
    copy_printable(ev.detail, sizeof(ev.detail), e->detail);
    gh__audit_chain_hash(prev, &ev, ev.hash);
    return GH_ST(tx)->audit_insert(tx, &ev);
}

void
gh_audit_auth_failure(struct gh_ctx *ctx, const struct gh_origin *from, const char *reason)
{
    gh__audit_auth_failure(ctx, from, "", reason);
}

static gh_err
failure_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    return gh__audit_append(ctx, tx, arg);
}

void
gh__audit_auth_failure(struct gh_ctx *ctx, const struct gh_origin *from, const char *sid,
                       const char *reason)
{
    struct gh_audit_entry e = {from, sid, "auth.failure", sid, false, reason};

    if (gh__transact(ctx, GH_TX_WRITE, failure_in_tx, &e) != GH_OK) {
        return; /* best effort: the refusal itself still stands */
    }
}

struct each_call {
    int64_t after_seq; /* advances as events are delivered, so a retried attempt resumes */
    gh_audit_fn fn;
    void *arg;
};

static int
deliver(const struct gh_audit_event *ev, void *arg)
{
    struct each_call *c = arg;

    c->after_seq = ev->seq;
    return c->fn(ev, c->arg);
}

static gh_err
each_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct each_call *c = arg;

    (void)ctx;
    return GH_ST(tx)->audit_each(tx, c->after_seq, deliver, c);
}

gh_err
gh_audit_each(struct gh_ctx *ctx, int64_t after_seq, gh_audit_fn fn, void *arg)
{
    struct each_call c = {after_seq, fn, arg};

    GH_ENSURE(ctx != NULL && fn != NULL, GH_E_INVALID);
    return gh__transact(ctx, GH_TX_READ, each_in_tx, &c);
}

struct verify_state {
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    int64_t expect_seq;
    int64_t count;
    int64_t bad_seq;
};

static int
verify_one(const struct gh_audit_event *ev, void *arg)
{
    struct verify_state *v = arg;
    uint8_t hash[GH_CHAIN_HASH_BYTES];

    gh__audit_chain_hash(v->prev, ev, hash);
    if (ev->seq != v->expect_seq || memcmp(hash, ev->hash, sizeof(hash)) != 0) {
        v->bad_seq = ev->seq;
        return 1;
    }
    memcpy(v->prev, hash, sizeof(hash));
    v->expect_seq++;
    v->count++;
    return 0;
}

gh_err
gh_audit_verify(struct gh_ctx *ctx, int64_t *events, int64_t *bad_seq)
{
    struct verify_state v;

    memset(&v, 0, sizeof(v));
    v.expect_seq = 1;
    *events = 0;
    *bad_seq = 0;
    GH_TRY(gh_audit_each(ctx, 0, verify_one, &v));
    *events = v.count;
    *bad_seq = v.bad_seq;
    return GH_OK;
}
