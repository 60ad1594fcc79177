/*
 * auth_tokens.c -- the secondary auth token and its promotion (Twilio's rotation procedure:
 * create a secondary, roll it out, promote it; the old primary is refused from that instant).
 * These act on the credential's own account only, and need an auth token or a main key.
 */
#include <sodium.h>

#include "service/service.h"

static gh_err
own_account(struct gh_tx *tx, const struct gh_principal *who, struct gh_account *acct)
{
    GH_ENSURE(who->kind != GH_PRINCIPAL_OPERATOR, GH_E_INVALID);
    return gh__reach_account(tx, who, who->account_sid, GH_REACH_OWN, acct);
}

static void
fill_info(const struct gh_account *acct, const struct gh_sealed *row,
          struct gh_auth_token_info *out)
{
    memcpy(out->account_sid, acct->sid, sizeof(out->account_sid));
    out->created_ms = row->created_ms;
    out->updated_ms = row->updated_ms;
}

/* What an auth-token use case needs inside its transaction. */
struct token_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    struct gh_auth_token_info *out;
    char *token; /* char[GH_SECRET_SIZE] */
};

static gh_err
create_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct token_call *c = arg;
    struct gh_account acct;
    struct gh_sealed rows[2];
    bool present[2];
    gh_err rc;

    GH_TRY(own_account(tx, c->who, &acct));
    GH_TRY(GH_ST(tx)->token_get(tx, acct.sid, rows, present));
    gh_wipe(rows, sizeof(rows));
    GH_ENSURE(!present[GH_SLOT_SECONDARY], GH_E_CONFLICT);
    GH_TRY(gh_auth_token_new(c->token));
    rows[0].kind = GH_SEALED_AUTH_TOKEN;
    rows[0].slot = GH_SLOT_SECONDARY;
    rows[0].created_ms = rows[0].updated_ms = gh_ctx_now_ms(ctx);
    rc = gh__secret_seal(ctx, tx, acct.sid, c->token, &rows[0]);
    if (rc == GH_OK) {
        rc = GH_ST(tx)->token_insert(tx, &rows[0]);
    }
    fill_info(&acct, &rows[0], c->out);
    gh_wipe(rows, sizeof(rows));
    GH_TRY(rc);
    struct gh_audit_entry e = {
        c->from, gh__actor_of(c->who), "auth_token.secondary.create", acct.sid, true, ""};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

/* Runs a token use case; on failure nothing of its output survives. */
static gh_err
run_token_case(struct gh_ctx *ctx, gh_tx_fn fn, const struct gh_origin *from,
               const struct gh_principal *who, struct gh_auth_token_info *out,
               char token[GH_SECRET_SIZE])
{
    struct token_call c = {from, who, out, token};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && out != NULL && token != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    token[0] = '\0';
    GH_TRY(gh_principal_holds(who, GH_PERM_AUTH_TOKEN_ROTATE));
    rc = gh__transact(ctx, GH_TX_WRITE, fn, &c);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
        sodium_memzero(token, GH_SECRET_SIZE);
    }
    return rc;
}

gh_err
gh_auth_token_secondary_create(struct gh_ctx *ctx, const struct gh_origin *from,
                               const struct gh_principal *who, struct gh_auth_token_info *out,
                               char token[GH_SECRET_SIZE])
{
    return run_token_case(ctx, create_in_tx, from, who, out, token);
}

static gh_err
delete_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct token_call *c = arg;
    struct gh_account acct;

    GH_TRY(own_account(tx, c->who, &acct));
    GH_TRY(GH_ST(tx)->token_delete(tx, acct.sid, GH_SLOT_SECONDARY));
    struct gh_audit_entry e = {
        c->from, gh__actor_of(c->who), "auth_token.secondary.delete", acct.sid, true, ""};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

gh_err
gh_auth_token_secondary_delete(struct gh_ctx *ctx, const struct gh_origin *from,
                               const struct gh_principal *who)
{
    struct token_call c = {from, who, NULL, NULL};

    GH_ENSURE(ctx != NULL && who != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_AUTH_TOKEN_ROTATE));
    return gh__transact(ctx, GH_TX_WRITE, delete_in_tx, &c);
}

static gh_err
promote_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct token_call *c = arg;
    struct gh_account acct;
    struct gh_sealed rows[2];
    bool present[2];
    int64_t now = gh_ctx_now_ms(ctx);
    gh_err rc;

    GH_TRY(own_account(tx, c->who, &acct));
    rc = GH_ST(tx)->token_get(tx, acct.sid, rows, present);
    if (rc == GH_OK && !present[GH_SLOT_SECONDARY]) {
        rc = GH_E_NOT_FOUND;
    }
    if (rc == GH_OK) {
        rc = gh__secret_open(ctx, tx, &rows[GH_SLOT_SECONDARY], c->token, GH_SECRET_SIZE);
    }
    if (rc == GH_OK && present[GH_SLOT_PRIMARY]) {
        rc = GH_ST(tx)->token_delete(tx, acct.sid, GH_SLOT_PRIMARY);
    }
    if (rc == GH_OK) {
        rc = GH_ST(tx)->token_promote(tx, acct.sid, now);
    }
    rows[GH_SLOT_SECONDARY].updated_ms = now;
    fill_info(&acct, &rows[GH_SLOT_SECONDARY], c->out);
    gh_wipe(rows, sizeof(rows));
    GH_TRY(rc);
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "auth_token.promote", acct.sid,
                               true,    "old primary deleted"};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

gh_err
gh_auth_token_promote(struct gh_ctx *ctx, const struct gh_origin *from,
                      const struct gh_principal *who, struct gh_auth_token_info *out,
                      char token[GH_SECRET_SIZE])
{
    return run_token_case(ctx, promote_in_tx, from, who, out, token);
}
