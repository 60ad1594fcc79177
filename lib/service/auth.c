/*
 * auth.c -- HTTP Basic authentication of account SIDs (auth tokens) and key SIDs (secrets).
 *
 * The row is found by SID; the presented secret's keyed digest is compared with the stored one
 * in constant time.  Unknown SIDs cost the same digest work as known ones, and every refusal is
 * the same GH_E_DENIED; the real reason goes only to the audit log.  No KDF runs here: the
 * secrets are 128+ random bits, so a fast keyed hash is enough.
 */
#include <sodium.h>

#include "service/service.h"

struct candidate {
    uint32_t key_id;
    uint8_t lookup[GH_LOOKUP_BYTES];
    bool present;
};

/* Constant-time over the candidates: every one is hashed and compared. */
static gh_err
match_any(struct gh_ctx *ctx, struct gh_tx *tx, const char *sid, const char *password, size_t len,
          const struct candidate *c, size_t n, bool *matched)
{
    uint8_t digest[GH_LOOKUP_BYTES];
    unsigned hit = 0;
    gh_err rc = GH_OK;

    for (size_t i = 0; i < n && rc == GH_OK; i++) {
        uint32_t id = c[i].present ? c[i].key_id : gh__seal_key_id(ctx);

        rc = gh__secret_digest(ctx, tx, id, sid, password, len, digest);
        hit |= (unsigned)(rc == GH_OK && c[i].present &&
                          sodium_memcmp(digest, c[i].lookup, sizeof(digest)) == 0);
    }
    sodium_memzero(digest, sizeof(digest));
    *matched = hit != 0;
    return rc;
}

gh_err
gh__account_usable(struct gh_tx *tx, const char *sid, struct gh_account *acct, const char **why)
{
    struct gh_account parent;
    gh_err rc = GH_ST(tx)->account_get(tx, sid, acct);

    if (rc != GH_OK) {
        *why = "unknown_account";
        return rc == GH_E_NOT_FOUND ? GH_E_DENIED : rc;
    }
    if (acct->status != GH_ACCOUNT_ACTIVE) {
        *why = "account_not_active";
        return GH_E_DENIED;
    }
    if (acct->parent_sid[0] == '\0') {
        return GH_OK;
    }
    GH_TRY(GH_ST(tx)->account_get(tx, acct->parent_sid, &parent));
    if (parent.status != GH_ACCOUNT_ACTIVE) {
        *why = "parent_not_active";
        return GH_E_DENIED;
    }
    return GH_OK;
}

gh_err
gh__key_principal(const struct gh_key *key, const struct gh_account *acct, struct gh_principal *out)
{
    gh_perm_set granted = 0;

    /* A stored policy passed the check when it was written; a row that no longer parses (a
     * permission renamed since) grants nothing rather than failing every request. */
    if (key->type == GH_KEY_RESTRICTED &&
        gh_key_perms(key->type, key->permissions, &granted) != GH_OK) {
        granted = 0;
    }
    memset(out, 0, sizeof(*out));
    out->kind = GH_PRINCIPAL_KEY;
    out->key_type = key->type;
    out->policy = granted;
    memcpy(out->sid, key->sid, GH_SID_SIZE);
    memcpy(out->account_sid, key->account_sid, GH_SID_SIZE);
    memcpy(out->parent_sid, acct->parent_sid, GH_SID_SIZE);
    return GH_OK;
}

static gh_err
auth_account(struct gh_ctx *ctx, struct gh_tx *tx, const char *sid, const char *password,
             size_t len, struct gh_principal *out, const char **why)
{
    struct gh_sealed rows[2];
    bool present[2];
    struct candidate c[2];
    struct gh_account acct;
    bool ok = false;
    gh_err rc = GH_ST(tx)->token_get(tx, sid, rows, present);

    for (size_t i = 0; i < 2; i++) {
        c[i].present = rc == GH_OK && present[i];
        c[i].key_id = rows[i].key_id;
        memcpy(c[i].lookup, rows[i].lookup, sizeof(c[i].lookup));
    }
    gh_wipe(rows, sizeof(rows));
    GH_TRY(rc);
    GH_TRY(match_any(ctx, tx, sid, password, len, c, 2, &ok));
    if (!ok) {
        *why = c[0].present ? "bad_auth_token" : "unknown_account";
        return GH_E_DENIED;
    }
    GH_TRY(gh__account_usable(tx, sid, &acct, why));
    out->kind = GH_PRINCIPAL_AUTH_TOKEN;
    memcpy(out->sid, sid, GH_SID_SIZE);
    memcpy(out->account_sid, sid, GH_SID_SIZE);
    memcpy(out->parent_sid, acct.parent_sid, GH_SID_SIZE);
    return GH_OK;
}

static gh_err
auth_key(struct gh_ctx *ctx, struct gh_tx *tx, const char *sid, const char *password, size_t len,
         struct gh_principal *out, const char **why)
{
    struct gh_key key;
    struct gh_sealed row;
    struct candidate c;
    struct gh_account acct;
    bool ok = false;
    gh_err rc;

    memset(&row, 0, sizeof(row));
    rc = GH_ST(tx)->key_get(tx, sid, &key, &row);

    c.present = rc == GH_OK;
    c.key_id = row.key_id;
    memcpy(c.lookup, row.lookup, sizeof(c.lookup));
    gh_wipe(&row, sizeof(row));
    if (rc != GH_OK && rc != GH_E_NOT_FOUND) {
        gh_key_clear(&key);
        return rc;
    }
    rc = match_any(ctx, tx, sid, password, len, &c, 1, &ok);
    if (rc == GH_OK && !ok) {
        *why = c.present ? "bad_key_secret" : "unknown_key";
        rc = GH_E_DENIED;
    }
    if (rc == GH_OK) {
        rc = gh__account_usable(tx, key.account_sid, &acct, why);
    }
    if (rc == GH_OK) {
        rc = gh__key_principal(&key, &acct, out);
    }
    gh_key_clear(&key);
    return rc;
}

struct auth_call {
    const char *sid;
    const char *password;
    size_t len;
    struct gh_principal *out;
    const char *why;
};

static gh_err
auth_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct auth_call *c = arg;

    memset(c->out, 0, sizeof(*c->out));
    return c->sid[0] == 'A' ? auth_account(ctx, tx, c->sid, c->password, c->len, c->out, &c->why)
                            : auth_key(ctx, tx, c->sid, c->password, c->len, c->out, &c->why);
}

gh_err
gh_authenticate_basic(struct gh_ctx *ctx, const struct gh_origin *from, const char *username,
                      const char *password, size_t password_len, struct gh_principal *out)
{
    char sid[GH_SID_SIZE] = "";
    struct auth_call c = {sid, password, password_len, out, "malformed_credentials"};
    gh_err rc;

    GH_ENSURE(ctx != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    if (username == NULL || password == NULL || password_len > GH_PASSWORD_MAX_LEN ||
        gh_sid_parse(username, NULL, sid) != GH_OK ||
        (memcmp(sid, "AC", 2) != 0 && memcmp(sid, "SK", 2) != 0)) {
        gh__audit_auth_failure(ctx, from, "", c.why);
        return GH_E_DENIED;
    }
    rc = gh__transact(ctx, GH_TX_READ, auth_in_tx, &c);
    if (rc == GH_OK) {
        return GH_OK;
    }
    memset(out, 0, sizeof(*out));
    if (rc == GH_E_DENIED) {
        gh__audit_auth_failure(ctx, from, sid, c.why);
    }
    return rc;
}
