/*
 * ctx.c -- the service context: the store, the keyring, the clock; and every use of the
 * master key by the use cases (seal, open, digest).  The keyring is reread from its file when a
 * row names a key id it does not hold, or when the store says the sealing key has changed (a
 * master-key rotation by another process), so a running server follows a rotation.
 */
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "service/service.h"

gh_err
gh__data_path(const char *data_dir, const char *file, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", data_dir != NULL ? data_dir : "./var", file);

    return n > 0 && (size_t)n < cap ? GH_OK : GH_E_INVALID;
}

int64_t
gh_ctx_now_ms(const struct gh_ctx *ctx)
{
    return gh_clock_now_ms(ctx->clock);
}

static gh_err
load_check(struct gh_ctx *ctx, struct gh_tx *tx, struct gh_keyring *kr, uint32_t *id)
{
    char check[GH_STORE_META_VALUE_MAX];
    gh_err rc = GH_ST(tx)->meta_get(tx, GH_META_KEY_CHECK, check, sizeof(check));

    (void)ctx;
    if (rc == GH_E_NOT_FOUND) {
        return GH_E_WRONG_KEY;
    }
    GH_TRY(rc);
    return gh__keyring_check_match(kr, check, id);
}

gh_err
gh__keyring_reload(struct gh_ctx *ctx, struct gh_tx *tx)
{
    struct gh_keyring *kr = NULL;
    struct gh_keyring *old;
    uint32_t id = 0;
    gh_err rc;

    rc = gh__ctx_load_keys(ctx, &kr);
    if (rc == GH_OK) {
        rc = load_check(ctx, tx, kr, &id);
    }
    if (rc != GH_OK) {
        gh__keyring_free(kr);
        return rc;
    }
    pthread_rwlock_wrlock(&ctx->kr_lock);
    old = ctx->kr;
    ctx->kr = kr;
    ctx->seal_id = id;
    pthread_rwlock_unlock(&ctx->kr_lock);
    gh__keyring_free(old);
    return GH_OK;
}

gh_err
gh__keyring_reload_step(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    (void)arg;
    return gh__keyring_reload(ctx, tx);
}

gh_err
gh__ctx_locate(const struct gh_ctx_config *cfg, struct gh_ctx *ctx, char *target, size_t cap,
               bool *is_file)
{
    const char *dir = cfg->data_dir != NULL ? cfg->data_dir : "./var";

    ctx->clock = cfg->clock;
    if (cfg->master_key != NULL && cfg->master_key[0] != '\0') {
        ctx->key_text = gh__strdup(cfg->master_key);
        GH_ENSURE(ctx->key_text != NULL, GH_E_NOMEM);
    }
    GH_TRY(cfg->key_file != NULL
               ? gh__strlcpy(ctx->key_file, cfg->key_file, sizeof(ctx->key_file))
               : gh__data_path(dir, GH_KEY_FILE, ctx->key_file, sizeof(ctx->key_file)));
    *is_file = cfg->store_url == NULL || cfg->store_url[0] == '\0';
    return *is_file ? gh__data_path(dir, GH_DB_FILE, target, cap)
                    : gh__strlcpy(target, cfg->store_url, cap);
}

gh_err
gh__ctx_load_keys(const struct gh_ctx *ctx, struct gh_keyring **out)
{
    gh_err rc = ctx->key_text != NULL ? gh__keyring_load_text(ctx->key_text, out)
                                      : gh__keyring_load(ctx->key_file, out);

    return rc == GH_E_NOT_FOUND ? GH_E_KEYFILE : rc; /* no key file: say so, not "no instance" */
}

static gh_err
instance_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    char value[GH_STORE_META_VALUE_MAX];

    (void)ctx;
    (void)arg;
    return GH_ST(tx)->meta_get(tx, GH_META_INSTANCE, value, sizeof(value));
}

gh_err
gh__ctx_configure(struct gh_ctx *ctx, const struct gh_ctx_config *cfg)
{
    GH_TRY(gh__strlcpy(ctx->mfa_issuer, cfg->mfa_issuer != NULL ? cfg->mfa_issuer : "Gatehouse",
                       sizeof(ctx->mfa_issuer)));
    GH_TRY(gh__breach_configure(ctx, cfg));
    ctx->pwhash = cfg->pwhash;
    ctx->policy = cfg->passphrase;
    if (cfg->passphrase.blocklist_path != NULL) {
        ctx->blocklist_path = gh__strdup(cfg->passphrase.blocklist_path);
        GH_ENSURE(ctx->blocklist_path != NULL, GH_E_NOMEM);
    }
    ctx->policy.blocklist_path = ctx->blocklist_path;
    GH_ENSURE(cfg->session_ttl_s >= 0 && cfg->session_idle_s >= 0, GH_E_INVALID);
    GH_ENSURE(cfg->session_ttl_s <= GH_SESSION_TTL_MAX_S &&
                  cfg->session_idle_s <= GH_SESSION_TTL_MAX_S,
              GH_E_INVALID);
    ctx->session_ttl_ms =
        (cfg->session_ttl_s != 0 ? cfg->session_ttl_s : GH_SESSION_TTL_DEFAULT_S) * 1000;
    ctx->session_idle_ms =
        (cfg->session_idle_s != 0 ? cfg->session_idle_s : GH_SESSION_IDLE_DEFAULT_S) * 1000;
    return GH_OK;
}

void
gh__ctx_unconfigure(struct gh_ctx *ctx)
{
    gh_pwhash_free(ctx->hasher);
    ctx->hasher = NULL;
    gh__free(ctx->blocklist_path);
    ctx->blocklist_path = NULL;
    gh__breach_unconfigure(ctx);
}

gh_err
gh__hasher(struct gh_ctx *ctx, struct gh_pwhasher **out)
{
    gh_err rc = GH_OK;

    pthread_mutex_lock(&ctx->hasher_lock);
    if (ctx->hasher == NULL) {
        rc = gh_pwhash_new(&ctx->pwhash, &ctx->hasher);
    }
    *out = ctx->hasher;
    pthread_mutex_unlock(&ctx->hasher_lock);
    return rc;
}

gh_err
gh_ctx_warm(struct gh_ctx *ctx)
{
    struct gh_pwhasher *h;

    GH_ENSURE(ctx != NULL, GH_E_INVALID);
    return gh__hasher(ctx, &h);
}

gh_err
gh_ctx_open(const struct gh_ctx_config *cfg, struct gh_ctx **out)
{
    char target[GH_STORE_TARGET_MAX];
    struct gh_ctx *ctx;
    struct stat st;
    bool is_file = true;
    gh_err rc;

    *out = NULL;
    GH_ENSURE(cfg != NULL, GH_E_INVALID);
    GH_TRY(gh_library_init());
    ctx = gh__calloc(1, sizeof(*ctx));
    GH_ENSURE(ctx != NULL, GH_E_NOMEM);
    pthread_rwlock_init(&ctx->kr_lock, NULL);
    pthread_mutex_init(&ctx->hasher_lock, NULL);
    rc = gh__ctx_configure(ctx, cfg);
    if (rc == GH_OK) {
        rc = gh__ctx_locate(cfg, ctx, target, sizeof(target), &is_file);
    }
    if (rc == GH_OK && is_file && stat(target, &st) != 0) {
        rc = GH_E_NOT_FOUND;
    }
    if (rc == GH_OK) {
        rc = gh__store_open(target, cfg->store_connections, &ctx->store);
    }
    if (rc == GH_OK) {
        rc = ctx->store->ops->migrate(ctx->store);
    }
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_READ, instance_in_tx, NULL);
    }
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_READ, gh__keyring_reload_step, NULL);
    }
    if (rc != GH_OK) {
        gh_ctx_close(ctx);
        return rc;
    }
    *out = ctx;
    return GH_OK;
}

void
gh_ctx_close(struct gh_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    gh__store_close(ctx->store);
    gh__keyring_free(ctx->kr);
    if (ctx->key_text != NULL) {
        sodium_memzero(ctx->key_text, strlen(ctx->key_text));
        gh__free(ctx->key_text);
    }
    gh__ctx_unconfigure(ctx);
    pthread_mutex_destroy(&ctx->hasher_lock);
    pthread_rwlock_destroy(&ctx->kr_lock);
    gh__free(ctx);
}

uint32_t
gh__seal_key_id(struct gh_ctx *ctx)
{
    uint32_t id;

    pthread_rwlock_rdlock(&ctx->kr_lock);
    id = ctx->seal_id;
    pthread_rwlock_unlock(&ctx->kr_lock);
    return id;
}

/* True when the ring holds key id; otherwise rereads the key file once (within tx). */
static gh_err
ensure_key(struct gh_ctx *ctx, struct gh_tx *tx, uint32_t id)
{
    bool have;

    pthread_rwlock_rdlock(&ctx->kr_lock);
    have = gh__keyring_has(ctx->kr, id);
    pthread_rwlock_unlock(&ctx->kr_lock);
    if (have) {
        return GH_OK;
    }
    GH_TRY(gh__keyring_reload(ctx, tx));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    have = gh__keyring_has(ctx->kr, id);
    pthread_rwlock_unlock(&ctx->kr_lock);
    return have ? GH_OK : GH_E_WRONG_KEY;
}

gh_err
gh__secret_digest(struct gh_ctx *ctx, struct gh_tx *tx, uint32_t key_id, const char *sid,
                  const char *secret, size_t len, uint8_t out[GH_LOOKUP_BYTES])
{
    gh_err rc;

    GH_TRY(ensure_key(ctx, tx, key_id));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    rc = gh__keyring_lookup(ctx->kr, key_id, sid, secret, len, out);
    pthread_rwlock_unlock(&ctx->kr_lock);
    return rc;
}

gh_err
gh__secret_open(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_sealed *row, char *out,
                size_t cap)
{
    size_t len = 0;
    gh_err rc;

    GH_ENSURE(cap >= GH_SECRET_SIZE, GH_E_INVALID);
    out[0] = '\0';
    GH_TRY(ensure_key(ctx, tx, row->key_id));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    rc = gh__keyring_open(ctx->kr, row->key_id, row->owner, row->ct, row->ct_len, out, cap - 1,
                          &len);
    pthread_rwlock_unlock(&ctx->kr_lock);
    if (rc != GH_OK) {
        sodium_memzero(out, cap);
        return rc;
    }
    out[len] = '\0';
    return GH_OK;
}

/* The sealing key the store names now (a rotation elsewhere changes it). */
static gh_err
current_seal_id(struct gh_ctx *ctx, struct gh_tx *tx, uint32_t *id)
{
    char check[GH_STORE_META_VALUE_MAX];
    char mine[GH_KEY_CHECK_SIZE];
    uint32_t held = gh__seal_key_id(ctx);
    gh_err rc;

    GH_TRY(GH_ST(tx)->meta_get(tx, GH_META_KEY_CHECK, check, sizeof(check)));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    rc = gh__keyring_check_value(ctx->kr, held, mine);
    pthread_rwlock_unlock(&ctx->kr_lock);
    if (rc != GH_OK || strcmp(mine, check) != 0) {
        GH_TRY(gh__keyring_reload(ctx, tx));
    }
    *id = gh__seal_key_id(ctx);
    return GH_OK;
}

gh_err
gh__secret_seal(struct gh_ctx *ctx, struct gh_tx *tx, const char *owner, const char *secret,
                struct gh_sealed *row)
{
    uint32_t id = 0;
    gh_err rc;

    GH_TRY(gh__strlcpy(row->owner, owner, sizeof(row->owner)));
    GH_TRY(current_seal_id(ctx, tx, &id));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    rc = gh__keyring_seal(ctx->kr, id, owner, secret, strlen(secret), row->ct, sizeof(row->ct),
                          &row->ct_len);
    if (rc == GH_OK) {
        rc = gh__keyring_lookup(ctx->kr, id, owner, secret, strlen(secret), row->lookup);
    }
    pthread_rwlock_unlock(&ctx->kr_lock);
    row->key_id = id;
    return rc;
}

static gh_err
check_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    char check[GH_STORE_META_VALUE_MAX];
    uint32_t id = 0;
    gh_err rc;

    (void)arg;
    GH_TRY(GH_ST(tx)->meta_get(tx, GH_META_KEY_CHECK, check, sizeof(check)));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    rc = gh__keyring_check_match(ctx->kr, check, &id);
    pthread_rwlock_unlock(&ctx->kr_lock);
    return rc == GH_OK ? GH_OK : gh__keyring_reload(ctx, tx);
}

gh_err
gh_ctx_check(struct gh_ctx *ctx)
{
    GH_ENSURE(ctx != NULL, GH_E_INVALID);
    return gh__transact(ctx, GH_TX_READ, check_in_tx, NULL);
}

static gh_err
main_account_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    (void)ctx;
    return GH_ST(tx)->meta_get(tx, GH_META_MAIN_ACCOUNT, arg, GH_SID_SIZE);
}

gh_err
gh_ctx_main_account(struct gh_ctx *ctx, char sid[GH_SID_SIZE])
{
    GH_ENSURE(ctx != NULL && sid != NULL, GH_E_INVALID);
    sid[0] = '\0';
    return gh__transact(ctx, GH_TX_READ, main_account_in_tx, sid);
}
