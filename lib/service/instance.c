/*
 * instance.c -- initialising a data folder and rotating its master key.
 *
 * Init is idempotent: the "instance" row in meta is written in the same transaction as the
 * main account, so a crash leaves either nothing or a whole instance.  Rotation adds the new key
 * to the key file first, then re-seals every secret and moves the store's check value to the
 * new key in one transaction, then retires the old key from the file: a crash at any point
 * leaves every row readable with the keys in the file.
 */
#include <errno.h>
#include <sys/stat.h>

#include <sodium.h>

#include "service/service.h"

static gh_err
make_data_dir(const char *dir)
{
    struct stat st;

    if (mkdir(dir, 0700) == 0) {
        return GH_OK;
    }
    GH_ENSURE(errno == EEXIST, GH_E_IO);
    GH_ENSURE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), GH_E_IO);
    return GH_OK;
}

/* True when the store holds an instance; main_sid then receives its main account. */
static gh_err
already_initialised(struct gh_store *store, bool *yes, char main_sid[GH_SID_SIZE])
{
    char value[GH_STORE_META_VALUE_MAX];
    struct gh_tx *tx = NULL;
    gh_err rc;

    *yes = false;
    GH_TRY(store->ops->begin(store, GH_TX_READ, &tx));
    rc = GH_ST(tx)->meta_get(tx, GH_META_INSTANCE, value, sizeof(value));
    if (rc == GH_OK) {
        rc = GH_ST(tx)->meta_get(tx, GH_META_MAIN_ACCOUNT, main_sid, GH_SID_SIZE);
    }
    GH_ST(tx)->rollback(tx);
    *yes = rc == GH_OK;
    return rc == GH_E_NOT_FOUND ? GH_OK : rc;
}

struct init_call {
    const char *friendly_name;
    struct gh_init_result *out;
    const struct gh_user *owner; /* NULL: none */
    const char *owner_email_key;
    const char *owner_hash;
};

static gh_err
init_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct init_call *c = arg;
    struct gh_init_result *out = c->out;
    char check[GH_KEY_CHECK_SIZE];
    char created[32];
    struct gh_account acct;
    uint32_t id = gh__keyring_newest(ctx->kr);

    GH_TRY(gh__keyring_check_value(ctx->kr, id, check));
    GH_TRY(GH_ST(tx)->meta_put(tx, GH_META_KEY_CHECK, check));
    ctx->seal_id = id;
    snprintf(created, sizeof(created), "%lld", (long long)gh_ctx_now_ms(ctx));
    GH_TRY(GH_ST(tx)->meta_put(tx, GH_META_INSTANCE, created));
    GH_TRY(gh__account_insert(ctx, tx, NULL, c->friendly_name, &acct, out->auth_token));
    memcpy(out->account_sid, acct.sid, sizeof(out->account_sid));
    GH_TRY(GH_ST(tx)->meta_put(tx, GH_META_MAIN_ACCOUNT, acct.sid));
    struct gh_audit_entry e = {NULL, "operator", "instance.init", acct.sid, true, ""};
    GH_TRY(gh__audit_append(ctx, tx, &e));
    if (c->owner == NULL) {
        return GH_OK;
    }
    GH_TRY(gh__user_insert(ctx, tx, NULL, "operator", c->owner, c->owner_email_key, c->owner_hash,
                           acct.sid, GH_ROLE_OWNER));
    memcpy(out->owner_sid, c->owner->sid, sizeof(out->owner_sid));
    return GH_OK;
}

/* Checks and hashes the owner's passphrase before anything is written. */
static gh_err
prepare_owner(struct gh_ctx *ctx, const struct gh_user_spec *owner, const char *account_name,
              struct gh_passphrase_report *report, char email_key[GH_EMAIL_SIZE * 2],
              char hash[GH_PWHASH_STR_SIZE], struct gh_user *user)
{
    struct gh_passphrase_report local = {0};
    struct gh_user_spec spec;

    if (owner == NULL) {
        return GH_OK;
    }
    spec = *owner;
    spec.account_sid = NULL;
    spec.role = GH_ROLE_OWNER;
    return gh__user_prepare(ctx, &spec, account_name, report != NULL ? report : &local, email_key,
                            hash, user);
}

static gh_err
init_store(struct gh_ctx *ctx, const char *friendly_name, const struct gh_user_spec *owner,
           struct gh_init_result *out, struct gh_passphrase_report *report)
{
    char email_key[GH_EMAIL_SIZE * 2];
    char hash[GH_PWHASH_STR_SIZE] = "";
    struct gh_user user;
    struct init_call call = {friendly_name, out, owner != NULL ? &user : NULL, email_key, hash};
    struct stat st;
    bool done = false;
    gh_err rc;

    GH_TRY(ctx->store->ops->migrate(ctx->store));
    GH_TRY(already_initialised(ctx->store, &done, out->account_sid));
    if (done) {
        /* Nothing changes; but say so only when the keys given are the instance's keys. */
        GH_ENSURE(ctx->key_text != NULL || stat(ctx->key_file, &st) == 0, GH_E_KEYFILE);
        return gh__transact(ctx, GH_TX_READ, gh__keyring_reload_step, NULL);
    }
    GH_TRY(prepare_owner(ctx, owner, friendly_name, report, email_key, hash, &user));
    rc = GH_OK;
    if (ctx->key_text == NULL && stat(ctx->key_file, &st) != 0) {
        rc = gh__keyring_file_create(ctx->key_file);
    }
    if (rc == GH_OK) {
        rc = gh__ctx_load_keys(ctx, &ctx->kr);
    }
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_WRITE, init_in_tx, &call);
    }
    sodium_memzero(hash, sizeof(hash));
    out->created = rc == GH_OK;
    return rc;
}

gh_err
gh_instance_init(const struct gh_ctx_config *cfg, const char *friendly_name,
                 const struct gh_user_spec *owner, struct gh_init_result *out,
                 struct gh_passphrase_report *report)
{
    const char *dir = cfg != NULL && cfg->data_dir != NULL ? cfg->data_dir : "./var";
    char target[GH_STORE_TARGET_MAX];
    bool is_file = true;
    struct gh_ctx ctx;
    gh_err rc;

    GH_ENSURE(cfg != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    memset(&ctx, 0, sizeof(ctx));
    GH_TRY(gh_library_init());
    GH_TRY(gh__friendly_name_check(friendly_name));
    if (report != NULL) {
        memset(report, 0, sizeof(*report));
    }
    pthread_rwlock_init(&ctx.kr_lock, NULL);
    pthread_mutex_init(&ctx.hasher_lock, NULL);
    rc = gh__ctx_configure(&ctx, cfg);
    if (rc == GH_OK) {
        rc = gh__ctx_locate(cfg, &ctx, target, sizeof(target), &is_file);
    }
    if (rc == GH_OK && (is_file || (ctx.key_text == NULL && cfg->key_file == NULL))) {
        rc = make_data_dir(dir); /* the folder holds the database or the key file */
    }
    if (rc == GH_OK) {
        rc = gh__store_open(target, 1, &ctx.store);
    }
    if (rc == GH_OK) {
        rc = init_store(&ctx, friendly_name, owner, out, report);
    }
    gh__store_close(ctx.store);
    gh__keyring_free(ctx.kr);
    if (ctx.key_text != NULL) {
        sodium_memzero(ctx.key_text, strlen(ctx.key_text));
        gh__free(ctx.key_text);
    }
    gh__ctx_unconfigure(&ctx);
    pthread_mutex_destroy(&ctx.hasher_lock);
    pthread_rwlock_destroy(&ctx.kr_lock);
    if (rc != GH_OK) {
        sodium_memzero(out, sizeof(*out));
    }
    return rc;
}

gh_err
gh_master_key_add(const char *key_file, const char *data_dir, uint32_t *new_key_id)
{
    char path[PATH_MAX];

    GH_ENSURE(new_key_id != NULL, GH_E_INVALID);
    *new_key_id = 0;
    GH_TRY(gh_library_init());
    GH_TRY(key_file != NULL ? gh__strlcpy(path, key_file, sizeof(path))
                            : gh__data_path(data_dir, GH_KEY_FILE, path, sizeof(path)));
    return gh__keyring_file_add(path, new_key_id);
}

gh_err
gh_master_key_export(const char *key_file, const char *data_dir, char *out, size_t cap)
{
    char path[PATH_MAX];

    GH_ENSURE(out != NULL && cap > 0, GH_E_INVALID);
    out[0] = '\0';
    GH_TRY(key_file != NULL ? gh__strlcpy(path, key_file, sizeof(path))
                            : gh__data_path(data_dir, GH_KEY_FILE, path, sizeof(path)));
    return gh__keyring_file_export(path, out, cap);
}

/* ---- master-key rotation ---- */

struct reseal {
    struct gh_ctx *ctx;
    uint32_t new_id;
    size_t rows;
};

static gh_err
reseal_one(struct gh_tx *tx, struct gh_sealed *row, void *arg)
{
    struct reseal *r = arg;
    char secret[GH_SECRET_SIZE + GH_SEALED_PLAIN_MAX];
    gh_err rc = gh__secret_open(r->ctx, tx, row, secret, sizeof(secret));

    if (rc == GH_OK) {
        pthread_rwlock_rdlock(&r->ctx->kr_lock);
        rc = gh__keyring_seal(r->ctx->kr, r->new_id, row->owner, secret, strlen(secret), row->ct,
                              sizeof(row->ct), &row->ct_len);
        if (rc == GH_OK) {
            rc = gh__keyring_lookup(r->ctx->kr, r->new_id, row->owner, secret, strlen(secret),
                                    row->lookup);
        }
        pthread_rwlock_unlock(&r->ctx->kr_lock);
        row->key_id = r->new_id;
    }
    if (rc == GH_OK) {
        rc = GH_ST(tx)->sealed_update(tx, row);
    }
    sodium_memzero(secret, sizeof(secret));
    r->rows += rc == GH_OK ? 1 : 0;
    return rc;
}

static gh_err
rotate_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct reseal *r = arg;
    char check[GH_KEY_CHECK_SIZE];
    char detail[64];

    r->rows = 0;
    GH_TRY(gh__keyring_reload(ctx, tx)); /* the ring now holds the new key */
    GH_TRY(GH_ST(tx)->sealed_each(tx, GH_SEALED_AUTH_TOKEN, reseal_one, r));
    GH_TRY(GH_ST(tx)->sealed_each(tx, GH_SEALED_API_KEY, reseal_one, r));
    GH_TRY(GH_ST(tx)->sealed_each(tx, GH_SEALED_FACTOR, reseal_one, r));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    gh_err rc = gh__keyring_check_value(ctx->kr, r->new_id, check);
    pthread_rwlock_unlock(&ctx->kr_lock);
    GH_TRY(rc);
    GH_TRY(GH_ST(tx)->meta_put(tx, GH_META_KEY_CHECK, check));
    snprintf(detail, sizeof(detail), "key %u; %zu secrets re-sealed", (unsigned)r->new_id, r->rows);
    struct gh_audit_entry e = {NULL, "operator", "master_key.rotate", "", true, detail};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_master_key_rotate(struct gh_ctx *ctx, uint32_t *new_key_id, size_t *rows)
{
    struct reseal r = {ctx, 0, 0};

    GH_ENSURE(ctx != NULL && new_key_id != NULL && rows != NULL, GH_E_INVALID);
    *new_key_id = 0;
    *rows = 0;
    GH_ENSURE(ctx->key_text == NULL, GH_E_INVALID); /* keys from the environment: no file */
    GH_TRY(gh__transact(ctx, GH_TX_READ, gh__keyring_reload_step, NULL));
    pthread_rwlock_rdlock(&ctx->kr_lock);
    r.new_id = gh__keyring_newest(ctx->kr);
    pthread_rwlock_unlock(&ctx->kr_lock);
    /* A key added beforehand (master-key add, already given to every server) is used as is. */
    if (r.new_id == gh__seal_key_id(ctx)) {
        GH_TRY(gh__keyring_file_add(ctx->key_file, &r.new_id));
    }
    GH_TRY(gh__transact(ctx, GH_TX_WRITE, rotate_in_tx, &r));
    GH_TRY(gh__keyring_file_retain(ctx->key_file, r.new_id));
    GH_TRY(gh__transact(ctx, GH_TX_READ, gh__keyring_reload_step, NULL));
    *new_key_id = r.new_id;
    *rows = r.rows;
    return GH_OK;
}
