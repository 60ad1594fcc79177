/*
 * accounts.c -- subaccounts: create, fetch, list, rename, and status changes by the parent.
 * Closed is permanent; a subaccount never owns subaccounts (21101); at most GH_SUBACCOUNT_MAX
 * per parent (21480).
 */
#include <time.h>

#include <sodium.h>

#include "service/service.h"

static const char *const status_text[] = {"active", "suspended", "closed"};

/* "SubAccount Created at 2016-06-13 10:50 pm", Twilio's default name. */
static void
default_name(int64_t now_ms, char out[GH_FRIENDLY_NAME_SIZE])
{
    time_t s = (time_t)(now_ms / 1000 - (now_ms % 1000 < 0 ? 1 : 0));
    struct tm tm;
    int hour12;

    gmtime_r(&s, &tm);
    hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    snprintf(out, GH_FRIENDLY_NAME_SIZE, "SubAccount Created at %04d-%02d-%02d %d:%02d %s",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hour12, tm.tm_min,
             tm.tm_hour < 12 ? "am" : "pm");
}

/* Reads the primary auth token of account sid into token (may be NULL: nothing to do). */
static gh_err
primary_token(struct gh_ctx *ctx, struct gh_tx *tx, const char *sid, char token[GH_SECRET_SIZE])
{
    struct gh_sealed rows[2];
    bool present[2];
    gh_err rc;

    if (token == NULL) {
        return GH_OK;
    }
    rc = GH_ST(tx)->token_get(tx, sid, rows, present);
    if (rc == GH_OK) {
        rc = present[GH_SLOT_PRIMARY]
                 ? gh__secret_open(ctx, tx, &rows[GH_SLOT_PRIMARY], token, GH_SECRET_SIZE)
                 : GH_E_INTERNAL;
    }
    gh_wipe(rows, sizeof(rows));
    return rc;
}

/*
 * The auth token is the account's whole power: only a principal holding auth_token.rotate sees
 * it (a session whose role lacks that permission gets the account without it).
 */
static void
hide_token_unless_held(const struct gh_principal *who, char *token)
{
    if (token != NULL && gh_principal_holds(who, GH_PERM_AUTH_TOKEN_ROTATE) != GH_OK) {
        sodium_memzero(token, GH_SECRET_SIZE);
    }
}

static gh_err
insert_with_token(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_account *a,
                  char token[GH_SECRET_SIZE])
{
    struct gh_sealed row;
    gh_err rc;

    memset(&row, 0, sizeof(row));
    GH_TRY(GH_ST(tx)->account_insert(tx, a));
    GH_TRY(gh_auth_token_new(token));
    row.kind = GH_SEALED_AUTH_TOKEN;
    row.slot = GH_SLOT_PRIMARY;
    row.created_ms = a->created_ms;
    row.updated_ms = a->created_ms;
    rc = gh__secret_seal(ctx, tx, a->sid, token, &row);
    if (rc == GH_OK) {
        rc = GH_ST(tx)->token_insert(tx, &row);
    }
    gh_wipe(&row, sizeof(row));
    return rc;
}

gh_err
gh__account_insert(struct gh_ctx *ctx, struct gh_tx *tx, const char *parent,
                   const char *friendly_name, struct gh_account *out, char token[GH_SECRET_SIZE])
{
    int64_t now = gh_ctx_now_ms(ctx);

    memset(out, 0, sizeof(*out));
    GH_TRY(gh_sid_new("AC", out->sid));
    if (parent != NULL) {
        GH_TRY(gh__strlcpy(out->parent_sid, parent, sizeof(out->parent_sid)));
    }
    if (friendly_name != NULL) {
        GH_TRY(gh__friendly_name_check(friendly_name));
        GH_TRY(gh__strlcpy(out->friendly_name, friendly_name, sizeof(out->friendly_name)));
    } else {
        default_name(now, out->friendly_name);
    }
    out->status = GH_ACCOUNT_ACTIVE;
    out->created_ms = now;
    out->updated_ms = now;
    return insert_with_token(ctx, tx, out, token);
}

/* What an accounts use case needs inside its transaction. */
struct account_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *sid;
    const char *friendly_name;
    const struct gh_account_change *change;
    struct gh_account_query query;
    struct gh_account *out;
    char *token; /* char[GH_SECRET_SIZE], or NULL */
    struct gh_account_list *list;
};

static gh_err
create_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct account_call *c = arg;
    struct gh_account parent;
    int64_t children = 0;

    GH_TRY(gh__reach_account(tx, c->who, c->who->account_sid, GH_REACH_OWN, &parent));
    GH_ENSURE(parent.parent_sid[0] == '\0', GH_E_NESTED);
    GH_TRY(GH_ST(tx)->account_count_children(tx, parent.sid, &children));
    GH_ENSURE(children < GH_SUBACCOUNT_MAX, GH_E_SUBACCOUNT_LIMIT);
    GH_TRY(gh__account_insert(ctx, tx, parent.sid, c->friendly_name, c->out, c->token));
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "account.create", c->out->sid, true,
                               ""};
    return gh__audit_account(ctx, tx, &e, c->out->sid);
}

gh_err
gh_account_create(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                  const char *friendly_name, struct gh_account *out,
                  char auth_token[GH_SECRET_SIZE])
{
    struct account_call c = {
        .from = from, .who = who, .friendly_name = friendly_name, .out = out, .token = auth_token};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && out != NULL && auth_token != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    auth_token[0] = '\0';
    GH_TRY(gh_principal_holds(who, GH_PERM_SUBACCOUNT_CREATE));
    GH_ENSURE(who->kind != GH_PRINCIPAL_OPERATOR, GH_E_INVALID);
    if (friendly_name != NULL) {
        GH_TRY(gh__friendly_name_check(friendly_name));
    }
    rc = gh__transact(ctx, GH_TX_WRITE, create_in_tx, &c);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
        sodium_memzero(auth_token, GH_SECRET_SIZE);
    }
    hide_token_unless_held(who, auth_token);
    return rc;
}

static gh_err
fetch_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct account_call *c = arg;

    GH_TRY(gh__reach_account(tx, c->who, c->sid, GH_REACH_PARENT, c->out));
    return primary_token(ctx, tx, c->out->sid, c->token);
}

gh_err
gh_account_fetch(struct gh_ctx *ctx, const struct gh_principal *who, const char *sid,
                 struct gh_account *out, char auth_token[GH_SECRET_SIZE])
{
    struct account_call c = {.who = who, .sid = sid, .out = out, .token = auth_token};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    if (auth_token != NULL) {
        auth_token[0] = '\0';
    }
    GH_TRY(gh_principal_holds(who, GH_PERM_ACCOUNT_READ));
    rc = gh__transact(ctx, GH_TX_READ, fetch_in_tx, &c);
    if (rc != GH_OK && auth_token != NULL) {
        sodium_memzero(auth_token, GH_SECRET_SIZE);
    }
    hide_token_unless_held(who, auth_token);
    return rc;
}

void
gh_account_list_clear(struct gh_account_list *list)
{
    if (list == NULL) {
        return;
    }
    gh__free(list->items);
    if (list->auth_tokens != NULL) {
        sodium_memzero(list->auth_tokens, list->cap * sizeof(*list->auth_tokens));
        gh__free(list->auth_tokens);
    }
    memset(list, 0, sizeof(*list));
}

static gh_err
list_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct account_call *c = arg;
    struct gh_account_list *out = c->list;
    struct gh_account_query *q = &c->query;
    struct gh_account self;
    size_t n = 0;

    gh_account_list_clear(out); /* a retried attempt starts over */
    GH_TRY(gh__reach_account(tx, c->who, c->who->account_sid, GH_REACH_OWN, &self));
    q->scope_sid = self.sid;
    /* A session sees the subaccounts only through a role it holds there too. */
    q->with_children = self.parent_sid[0] == '\0' && (c->who->kind != GH_PRINCIPAL_SESSION ||
                                                      gh_role_spans_subaccounts(c->who->role));
    out->cap = q->cursor.limit;
    out->items = gh__calloc(out->cap, sizeof(*out->items));
    out->auth_tokens = gh__calloc(out->cap, sizeof(*out->auth_tokens));
    GH_ENSURE(out->items != NULL && out->auth_tokens != NULL, GH_E_NOMEM);
    GH_TRY(GH_ST(tx)->account_list(tx, q, out->items, &n));
    out->n = n;
    if (n == q->cursor.limit) {
        out->n = n - 1;
        gh__page_token(out->items[out->n - 1].created_ms, out->items[out->n - 1].sid,
                       out->next_token);
    }
    for (size_t i = 0; i < out->n; i++) {
        GH_TRY(primary_token(ctx, tx, out->items[i].sid, out->auth_tokens[i]));
    }
    return GH_OK;
}

gh_err
gh_account_list(struct gh_ctx *ctx, const struct gh_principal *who,
                const struct gh_account_filter *filter, const struct gh_page *page,
                struct gh_account_list *out)
{
    struct account_call c = {.who = who, .list = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && filter != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_ACCOUNT_READ));
    GH_ENSURE(who->kind != GH_PRINCIPAL_OPERATOR, GH_E_INVALID);
    GH_ENSURE(filter->status >= GH_STATUS_ANY && filter->status <= GH_ACCOUNT_CLOSED, GH_E_STATUS);
    c.query.friendly_name = filter->friendly_name;
    c.query.status = filter->status;
    GH_TRY(gh__page_cursor(page, "AC", &c.query.cursor));
    rc = gh__transact(ctx, GH_TX_READ, list_in_tx, &c);
    if (rc != GH_OK) {
        gh_account_list_clear(out);
    }
    for (size_t i = 0; rc == GH_OK && i < out->n; i++) {
        hide_token_unless_held(who, out->auth_tokens[i]);
    }
    return rc;
}

/*
 * Status rules: only the parent changes a subaccount's status; only the operator (the command
 * line holding the data folder, as Twilio itself for its customers) a main account's; closed is
 * permanent.
 */
static gh_err
check_status_change(struct gh_tx *tx, const struct gh_principal *who, const struct gh_account *a,
                    int status)
{
    struct gh_account parent;

    if (status == GH_STATUS_ANY || (enum gh_account_status)status == a->status) {
        return GH_OK;
    }
    GH_ENSURE(status >= GH_ACCOUNT_ACTIVE && status <= GH_ACCOUNT_CLOSED, GH_E_STATUS);
    if (a->parent_sid[0] == '\0') {
        return who->kind == GH_PRINCIPAL_OPERATOR ? GH_OK : GH_E_FORBIDDEN;
    }
    /* The parent's credentials, or a session whose role comes from the parent. */
    GH_ENSURE(who->kind == GH_PRINCIPAL_OPERATOR || strcmp(a->parent_sid, who->account_sid) == 0 ||
                  (who->kind == GH_PRINCIPAL_SESSION && who->via_parent),
              GH_E_FORBIDDEN);
    GH_TRY(GH_ST(tx)->account_get(tx, a->parent_sid, &parent));
    GH_ENSURE(parent.status == GH_ACCOUNT_ACTIVE, GH_E_PARENT_SUSPENDED);
    return GH_OK;
}

static gh_err
update_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct account_call *c = arg;
    const struct gh_account_change *change = c->change;
    struct gh_account *out = c->out;
    char detail[GH_AUDIT_TEXT_SIZE] = "";
    enum gh_account_status before;

    GH_TRY(gh__reach_account(tx, c->who, c->sid, GH_REACH_PARENT, out));
    GH_ENSURE(out->status != GH_ACCOUNT_CLOSED, GH_E_CLOSED);
    GH_TRY(check_status_change(tx, c->who, out, change->status));
    before = out->status;
    if (change->friendly_name != NULL) {
        GH_TRY(gh__strlcpy(out->friendly_name, change->friendly_name, sizeof(out->friendly_name)));
        snprintf(detail, sizeof(detail), "friendly_name changed; ");
    }
    if (change->status != GH_STATUS_ANY) {
        out->status = (enum gh_account_status)change->status;
        snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "status %s -> %s",
                 status_text[before], status_text[out->status]);
    }
    out->updated_ms = gh_ctx_now_ms(ctx);
    GH_TRY(GH_ST(tx)->account_update(tx, out));
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "account.update", out->sid, true,
                               detail};
    GH_TRY(gh__audit_account(ctx, tx, &e, out->sid));
    return primary_token(ctx, tx, out->sid, c->token);
}

gh_err
gh_account_update(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                  const char *sid, const struct gh_account_change *change, struct gh_account *out,
                  char auth_token[GH_SECRET_SIZE])
{
    struct account_call c = {
        .from = from, .who = who, .sid = sid, .change = change, .out = out, .token = auth_token};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && sid != NULL && change != NULL && out != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    if (auth_token != NULL) {
        auth_token[0] = '\0';
    }
    GH_TRY(gh_principal_holds(who, GH_PERM_ACCOUNT_UPDATE));
    GH_ENSURE(change->status >= GH_STATUS_ANY && change->status <= GH_ACCOUNT_CLOSED, GH_E_STATUS);
    if (change->friendly_name != NULL) {
        GH_TRY(gh__friendly_name_check(change->friendly_name));
    }
    rc = gh__transact(ctx, GH_TX_WRITE, update_in_tx, &c);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
        if (auth_token != NULL) {
            sodium_memzero(auth_token, GH_SECRET_SIZE);
        }
    }
    hide_token_unless_held(who, auth_token);
    return rc;
}
