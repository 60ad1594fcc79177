/*
 * keys.c -- API keys: main (operator only, as Twilio creates them only in its console),
 * standard, restricted (with a permission list) and 2010 signing keys.  The secret is sealed
 * under the master key and returned once, by create.
 */
#include <sodium.h>

#include "service/service.h"

void
gh_key_clear(struct gh_key *key)
{
    if (key == NULL) {
        return;
    }
    gh__free(key->permissions);
    memset(key, 0, sizeof(*key));
}

void
gh_key_list_clear(struct gh_key_list *list)
{
    if (list == NULL) {
        return;
    }
    for (size_t i = 0; list->items != NULL && i < list->cap; i++) {
        gh_key_clear(&list->items[i]);
    }
    gh__free(list->items);
    memset(list, 0, sizeof(*list));
}

/* The account a key operation acts on, checked for reach. */
static gh_err
scope_account(struct gh_tx *tx, const struct gh_principal *who, const struct gh_key_scope *scope,
              struct gh_account *out)
{
    const char *sid = scope->account_sid != NULL ? scope->account_sid : who->account_sid;

    GH_ENSURE(sid[0] != '\0', GH_E_NOT_FOUND);
    return gh__reach_account(tx, who, sid, scope->reach, out);
}

static bool
in_family(const struct gh_key *k, enum gh_key_family family)
{
    return (k->type == GH_KEY_SIGNING) == (family == GH_KEY_FAMILY_SIGNING);
}

/* Loads key sid when it belongs to the scope's account and family. */
static gh_err
scoped_key(struct gh_tx *tx, const struct gh_principal *who, const struct gh_key_scope *scope,
           const char *sid, struct gh_key *out)
{
    struct gh_account acct;
    char canon[GH_SID_SIZE];

    GH_TRY(scope_account(tx, who, scope, &acct));
    GH_ENSURE(gh_sid_parse(sid, "SK", canon) == GH_OK, GH_E_NOT_FOUND);
    GH_TRY(GH_ST(tx)->key_get(tx, canon, out, NULL));
    if (strcmp(out->account_sid, acct.sid) != 0 || !in_family(out, scope->family)) {
        gh_key_clear(out);
        return GH_E_NOT_FOUND;
    }
    return GH_OK;
}

/* A key never holds a permission its creator (or the principal changing it) lacks. */
static gh_err
within_reach_of(const struct gh_principal *who, enum gh_key_type type, const char *permissions)
{
    gh_perm_set set = 0;

    GH_TRY(gh_key_perms(type, permissions, &set));
    return gh_principal_holds_all(who, set) ? GH_OK : GH_E_ESCALATION;
}

/*
 * The same for a key as it is stored: a stored policy that no longer parses (an entry refused
 * since it was written) grants nothing at authentication, so it bars nobody from fixing or
 * deleting the key.
 */
static gh_err
stored_within_reach_of(const struct gh_principal *who, const struct gh_key *k)
{
    gh_perm_set set = 0;

    if (gh_key_perms(k->type, k->permissions, &set) != GH_OK) {
        return GH_OK;
    }
    return gh_principal_holds_all(who, set) ? GH_OK : GH_E_ESCALATION;
}

static gh_err
check_spec(const struct gh_principal *who, const struct gh_key_scope *scope,
           const struct gh_key_spec *spec)
{
    bool signing = scope->family == GH_KEY_FAMILY_SIGNING;

    GH_ENSURE((spec->type == GH_KEY_SIGNING) == signing, GH_E_INVALID);
    GH_ENSURE(spec->type != GH_KEY_MAIN || who->kind == GH_PRINCIPAL_OPERATOR, GH_E_FORBIDDEN);
    if (spec->friendly_name != NULL) {
        GH_TRY(gh__friendly_name_check(spec->friendly_name));
    }
    if (spec->type == GH_KEY_RESTRICTED) {
        GH_TRY(gh_key_policy_check(spec->permissions));
    } else {
        GH_ENSURE(spec->permissions == NULL, GH_E_POLICY);
    }
    return within_reach_of(who, spec->type, spec->permissions);
}

/* What a keys use case needs inside its transaction. */
struct key_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const struct gh_key_scope *scope;
    const struct gh_key_spec *spec;
    const char *sid;
    const struct gh_key_change *change;
    struct gh_key_query query;
    struct gh_key *out;
    char *secret; /* char[GH_SECRET_SIZE] */
    struct gh_key_list *list;
};

static gh_err
create_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    static const char *const type_text[] = {"main", "standard", "restricted", "signing"};
    struct key_call *c = arg;
    const struct gh_key_spec *spec = c->spec;
    struct gh_key *out = c->out;
    struct gh_account acct;
    struct gh_sealed row;
    gh_err rc;

    gh_key_clear(out); /* a retried attempt starts over */
    GH_TRY(scope_account(tx, c->who, c->scope, &acct));
    GH_ENSURE(acct.status != GH_ACCOUNT_CLOSED, GH_E_CLOSED);
    GH_TRY(gh_sid_new("SK", out->sid));
    memcpy(out->account_sid, acct.sid, sizeof(out->account_sid));
    out->type = spec->type;
    GH_TRY(gh__strlcpy(out->friendly_name, spec->friendly_name != NULL ? spec->friendly_name : "",
                       sizeof(out->friendly_name)));
    if (spec->permissions != NULL) {
        out->permissions = gh__strdup(spec->permissions);
        GH_ENSURE(out->permissions != NULL, GH_E_NOMEM);
    }
    out->created_ms = out->updated_ms = gh_ctx_now_ms(ctx);
    GH_TRY(gh_key_secret_new(c->secret));
    memset(&row, 0, sizeof(row));
    row.kind = GH_SEALED_API_KEY;
    rc = gh__secret_seal(ctx, tx, out->sid, c->secret, &row);
    if (rc == GH_OK) {
        rc = GH_ST(tx)->key_insert(tx, out, &row);
    }
    gh_wipe(&row, sizeof(row));
    GH_TRY(rc);
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "key.create", out->sid,
                               true,    type_text[out->type]};
    return gh__audit_account(ctx, tx, &e, out->account_sid);
}

gh_err
gh_key_create(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
              const struct gh_key_scope *scope, const struct gh_key_spec *spec, struct gh_key *out,
              char secret[GH_SECRET_SIZE])
{
    struct key_call c = {
        .from = from, .who = who, .scope = scope, .spec = spec, .out = out, .secret = secret};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && scope != NULL && spec != NULL && out != NULL &&
                  secret != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    secret[0] = '\0';
    GH_TRY(gh_principal_holds(who, GH_PERM_KEY_CREATE));
    GH_TRY(check_spec(who, scope, spec));
    rc = gh__transact(ctx, GH_TX_WRITE, create_in_tx, &c);
    if (rc != GH_OK) {
        gh_key_clear(out);
        sodium_memzero(secret, GH_SECRET_SIZE);
    }
    return rc;
}

static gh_err
fetch_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct key_call *c = arg;

    (void)ctx;
    gh_key_clear(c->out);
    return scoped_key(tx, c->who, c->scope, c->sid, c->out);
}

gh_err
gh_key_fetch(struct gh_ctx *ctx, const struct gh_principal *who, const struct gh_key_scope *scope,
             const char *sid, struct gh_key *out)
{
    struct key_call c = {.who = who, .scope = scope, .sid = sid, .out = out};

    GH_ENSURE(ctx != NULL && who != NULL && scope != NULL && sid != NULL && out != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_KEY_READ));
    return gh__transact(ctx, GH_TX_READ, fetch_in_tx, &c);
}

static gh_err
list_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct key_call *c = arg;
    struct gh_key_list *out = c->list;
    struct gh_key_query *q = &c->query;
    struct gh_account acct;
    size_t n = 0;
    gh_err rc;

    (void)ctx;
    gh_key_list_clear(out); /* a retried attempt starts over */
    GH_TRY(scope_account(tx, c->who, c->scope, &acct));
    q->account_sid = acct.sid;
    q->signing = c->scope->family == GH_KEY_FAMILY_SIGNING;
    out->cap = q->cursor.limit;
    out->items = gh__calloc(out->cap, sizeof(*out->items));
    GH_ENSURE(out->items != NULL, GH_E_NOMEM);
    rc = GH_ST(tx)->key_list(tx, q, out->items, &n);
    out->n = n;
    GH_TRY(rc);
    if (n == q->cursor.limit) {
        out->n = n - 1;
        gh__page_token(out->items[out->n - 1].created_ms, out->items[out->n - 1].sid,
                       out->next_token);
    }
    return GH_OK;
}

gh_err
gh_key_list(struct gh_ctx *ctx, const struct gh_principal *who, const struct gh_key_scope *scope,
            const struct gh_page *page, struct gh_key_list *out)
{
    struct key_call c = {.who = who, .scope = scope, .list = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && scope != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_KEY_READ));
    GH_TRY(gh__page_cursor(page, "SK", &c.query.cursor));
    rc = gh__transact(ctx, GH_TX_READ, list_in_tx, &c);
    if (rc != GH_OK) {
        gh_key_list_clear(out);
    }
    return rc;
}

static gh_err
apply_change(const struct gh_principal *who, struct gh_key *k, const struct gh_key_change *change)
{
    if (change->friendly_name != NULL) {
        GH_TRY(gh__friendly_name_check(change->friendly_name));
        GH_TRY(gh__strlcpy(k->friendly_name, change->friendly_name, sizeof(k->friendly_name)));
    }
    if (change->permissions != NULL) {
        GH_ENSURE(k->type == GH_KEY_RESTRICTED, GH_E_POLICY);
        GH_TRY(gh_key_policy_check(change->permissions));
        GH_TRY(within_reach_of(who, k->type, change->permissions));
        gh__free(k->permissions);
        k->permissions = gh__strdup(change->permissions);
        GH_ENSURE(k->permissions != NULL, GH_E_NOMEM);
    }
    return GH_OK;
}

static gh_err
update_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct key_call *c = arg;

    gh_key_clear(c->out);
    GH_TRY(scoped_key(tx, c->who, c->scope, c->sid, c->out));
    GH_TRY(stored_within_reach_of(c->who, c->out)); /* as it is now */
    GH_TRY(apply_change(c->who, c->out, c->change));
    c->out->updated_ms = gh_ctx_now_ms(ctx);
    GH_TRY(GH_ST(tx)->key_update(tx, c->out));
    struct gh_audit_entry e = {
        c->from,      gh__actor_of(c->who),
        "key.update", c->out->sid,
        true,         c->change->permissions != NULL ? "policy changed" : ""};
    return gh__audit_account(ctx, tx, &e, c->out->account_sid);
}

gh_err
gh_key_update(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
              const struct gh_key_scope *scope, const char *sid, const struct gh_key_change *change,
              struct gh_key *out)
{
    struct key_call c = {
        .from = from, .who = who, .scope = scope, .sid = sid, .change = change, .out = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && scope != NULL && sid != NULL && change != NULL &&
                  out != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_KEY_UPDATE));
    rc = gh__transact(ctx, GH_TX_WRITE, update_in_tx, &c);
    if (rc != GH_OK) {
        gh_key_clear(out);
    }
    return rc;
}

static gh_err
delete_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct key_call *c = arg;
    struct gh_key k;
    gh_err rc;

    memset(&k, 0, sizeof(k));
    rc = scoped_key(tx, c->who, c->scope, c->sid, &k);
    if (rc == GH_OK) {
        rc = stored_within_reach_of(c->who, &k); /* no deleting a stronger key */
    }
    if (rc == GH_OK) {
        rc = GH_ST(tx)->key_delete(tx, k.sid);
    }
    if (rc == GH_OK) {
        struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "key.delete", k.sid, true, ""};

        rc = gh__audit_account(ctx, tx, &e, k.account_sid);
    }
    gh_key_clear(&k);
    return rc;
}

gh_err
gh_key_delete(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
              const struct gh_key_scope *scope, const char *sid)
{
    struct key_call c = {.from = from, .who = who, .scope = scope, .sid = sid};

    GH_ENSURE(ctx != NULL && who != NULL && scope != NULL && sid != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_KEY_DELETE));
    return gh__transact(ctx, GH_TX_WRITE, delete_in_tx, &c);
}
