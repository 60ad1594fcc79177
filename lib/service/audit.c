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
gh__audit_account(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_audit_entry *e,
                  const char *account)
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
    copy_printable(ev.account_sid, sizeof(ev.account_sid), account);
    copy_printable(ev.remote_addr, sizeof(ev.remote_addr),
                   e->from != NULL ? e->from->remote_addr : NULL);
    copy_printable(ev.user_agent, sizeof(ev.user_agent),
                   e->from != NULL ? e->from->user_agent : NULL);
    copy_printable(ev.outcome, sizeof(ev.outcome), e->ok ? "success" : "failure");
    copy_printable(ev.detail, sizeof(ev.detail), e->detail);
    gh__audit_chain_hash(prev, &ev, ev.hash);
    return GH_ST(tx)->audit_insert(tx, &ev);
}

gh_err
gh__audit_append(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_audit_entry *e)
{
    return gh__audit_account(ctx, tx, e, NULL);
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

/* ---- an account's events (GET /v1/Accounts/{Sid}/Events) ---- */

void
gh_audit_page_clear(struct gh_audit_page *page)
{
    if (page == NULL) {
        return;
    }
    gh__free(page->items);
    memset(page, 0, sizeof(*page));
}

/* A page token: the decimal seq of the last event of the previous page. */
static gh_err
parse_seq_token(const char *token, int64_t *seq)
{
    int64_t v = 0;

    GH_ENSURE(token[0] >= '1' && token[0] <= '9' && strlen(token) <= 18, GH_E_PAGE_TOKEN);
    for (const char *p = token; *p != '\0'; p++) {
        GH_ENSURE(*p >= '0' && *p <= '9', GH_E_PAGE_TOKEN);
        v = v * 10 + (*p - '0');
    }
    *seq = v;
    return GH_OK;
}

struct list_call {
    const struct gh_principal *who;
    const char *account_sid;
    struct gh_audit_query query;
    struct gh_audit_page *out;
    bool sees_people; /* holds member.read: who the members are, and where requests came from */
};

/*
 * For a reader without member.read (developers, billing managers, support, keys listing only
 * audit.read): the trail says what happened to the account, not who its people are, so events
 * about members (member.*, user.*, ownership.*) lose their target and detail, and every event
 * its remote address and user agent.
 */
static void
redact_people(struct gh_audit_event *ev)
{
    static const char *const about_people[] = {"member.", "user.", "ownership."};

    memset(ev->remote_addr, 0, sizeof(ev->remote_addr));
    memset(ev->user_agent, 0, sizeof(ev->user_agent));
    for (size_t i = 0; i < GH_ARRAY_LEN(about_people); i++) {
        if (strncmp(ev->action, about_people[i], strlen(about_people[i])) == 0) {
            memset(ev->target, 0, sizeof(ev->target));
            memset(ev->detail, 0, sizeof(ev->detail));
        }
    }
}

static gh_err
list_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct list_call *c = arg;
    struct gh_audit_page *out = c->out;
    struct gh_account acct;
    size_t n = 0;

    (void)ctx;
    gh_audit_page_clear(out); /* a retried attempt starts over */
    GH_TRY(gh__reach_account(tx, c->who, c->account_sid, GH_REACH_PARENT, &acct));
    c->query.account_sid = acct.sid;
    out->cap = c->query.limit;
    out->items = gh__calloc(out->cap, sizeof(*out->items));
    GH_ENSURE(out->items != NULL, GH_E_NOMEM);
    GH_TRY(GH_ST(tx)->audit_list(tx, &c->query, out->items, &n));
    out->n = n;
    for (size_t i = 0; i < n && !c->sees_people; i++) {
        redact_people(&out->items[i]);
    }
    if (n == c->query.limit) {
        out->n = n - 1;
        snprintf(out->next_token, sizeof(out->next_token), "%lld",
                 (long long)out->items[out->n - 1].seq);
    }
    return GH_OK;
}

gh_err
gh_audit_list(struct gh_ctx *ctx, const struct gh_principal *who, const char *account_sid,
              const struct gh_page *page, struct gh_audit_page *out)
{
    struct list_call c = {who, account_sid, {NULL, 0, 0}, out, false};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && page != NULL && out != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_AUDIT_READ));
    c.sees_people = gh_principal_holds(who, GH_PERM_MEMBER_READ) == GH_OK;
    /* Events are paged by token (the page number rides along in the URLs, as Twilio's do). */
    GH_ENSURE(page->size >= 1 && page->size <= GH_PAGE_SIZE_MAX, GH_E_PAGE);
    GH_ENSURE(page->page == 0 || page->token != NULL, GH_E_PAGE);
    if (page->token != NULL) {
        GH_TRY(parse_seq_token(page->token, &c.query.before_seq));
    }
    c.query.limit = (size_t)page->size + 1;
    rc = gh__transact(ctx, GH_TX_READ, list_in_tx, &c);
    if (rc != GH_OK) {
        gh_audit_page_clear(out);
    }
    return rc;
}
