/*
 * reach.c -- which accounts a principal may act on (Twilio's rules): its own account; for an
 * account's auth token and main keys, also the 2010-04-01 resources of its subaccounts; never a
 * parent or a sibling.  Anything out of reach is "not found", so existence does not leak.
 */
#include "service/service.h"

static bool
parent_power(const struct gh_principal *who)
{
    return who->kind == GH_PRINCIPAL_AUTH_TOKEN ||
           (who->kind == GH_PRINCIPAL_KEY && who->key_type == GH_KEY_MAIN);
}

gh_err
gh__reach_account(struct gh_tx *tx, const struct gh_principal *who, const char *sid,
                  enum gh_reach reach, struct gh_account *out)
{
    char canon[GH_SID_SIZE];

    memset(out, 0, sizeof(*out));
    GH_ENSURE(gh_sid_parse(sid, "AC", canon) == GH_OK, GH_E_NOT_FOUND);
    GH_TRY(GH_ST(tx)->account_get(tx, canon, out));
    if (who->kind == GH_PRINCIPAL_OPERATOR || strcmp(canon, who->account_sid) == 0) {
        return GH_OK;
    }
    if (reach == GH_REACH_PARENT && parent_power(who) &&
        strcmp(out->parent_sid, who->account_sid) == 0) {
        return GH_OK;
    }
    memset(out, 0, sizeof(*out));
    return GH_E_NOT_FOUND;
}

gh_err
gh__friendly_name_check(const char *name)
{
    long chars;

    GH_ENSURE(name != NULL, GH_E_FRIENDLY_NAME);
    chars = gh_utf8_count(name, strlen(name));
    GH_ENSURE(chars >= 1 && chars <= GH_FRIENDLY_NAME_MAX_CHARS, GH_E_FRIENDLY_NAME);
    GH_ENSURE(strlen(name) < GH_FRIENDLY_NAME_SIZE, GH_E_FRIENDLY_NAME);
    return GH_OK;
}

gh_err
gh__transact(struct gh_ctx *ctx, enum gh_tx_mode mode, gh_tx_fn fn, void *arg)
{
    gh_err rc = GH_E_RETRY;

    for (int attempt = 0; attempt < GH_TX_ATTEMPTS && rc == GH_E_RETRY; attempt++) {
        struct gh_tx *tx = NULL;

        rc = ctx->store->ops->begin(ctx->store, mode, &tx);
        if (rc == GH_OK) {
            rc = gh__finish(tx, fn(ctx, tx, arg));
        }
    }
    return rc == GH_E_RETRY ? GH_E_BUSY : rc;
}

gh_err
gh__finish(struct gh_tx *tx, gh_err rc)
{
    if (rc != GH_OK) {
        GH_ST(tx)->rollback(tx);
        return rc;
    }
    return GH_ST(tx)->commit(tx);
}
