/*
 * store_sqlite.c -- the embedded SQLite backend.
 *
 * A fixed pool of connections, each with its own cache of prepared statements; a transaction
 * borrows one connection.  Every connection runs WAL, synchronous=FULL (a committed write
 * survives power loss), foreign keys and a busy timeout; write transactions begin IMMEDIATE so
 * two writers never deadlock upgrading a read lock.  Values are always bound.
 */

#include <sqlite3.h>

#include "store/pool.h"
#include "store/revision.h"
#include "store/rows.h"
#include "store/store.h"

#define BUSY_TIMEOUT_MS 5000

#define STMT_ENUM_(name) S_##name,
enum stmt_id {
    S_BEGIN_READ,
    S_BEGIN_WRITE,
    S_COMMIT,
    S_ROLLBACK,
    GH_STORE_STATEMENTS(STMT_ENUM_) S_COUNT_
};
#undef STMT_ENUM_

/* Paging: keyset after (?4 ms, ?5 sid) on columns (MS, SID) when ?5 is not '', else OFFSET. */
#define KEYSET_ON(ms, sid) "(?5 = '' OR " ms " > ?4 OR (" ms " = ?4 AND " sid " > ?5))"
#define KEYSET             KEYSET_ON("created_ms", "sid")
#define MEMBER_KEYSET      KEYSET_ON("m.created_ms", "m.user_sid")

static const char *const sql[S_COUNT_] = {
    [S_BEGIN_READ] = "BEGIN",
    [S_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_META_GET] = "SELECT value FROM meta WHERE name = ?1",
    [S_META_PUT] = "INSERT INTO meta (name, value) VALUES (?1, ?2) "
                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    [S_ACCOUNT_INSERT] =
        "INSERT INTO accounts (" GH_ACCOUNT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_ACCOUNT_GET] = "SELECT " GH_ACCOUNT_COLS " FROM accounts WHERE sid = ?1",
    [S_ACCOUNT_UPDATE] = "UPDATE accounts SET friendly_name = ?2, status = ?3, updated_ms = ?4 "
                         "WHERE sid = ?1",
    [S_ACCOUNT_LIST] = "SELECT " GH_ACCOUNT_COLS " FROM accounts "
                       "WHERE (sid = ?1 OR (?6 AND parent_sid = ?1)) "
                       "AND (?2 IS NULL OR friendly_name = ?2) AND (?3 IS NULL OR status = ?3) "
                       "AND " KEYSET " ORDER BY created_ms, sid LIMIT ?7 OFFSET ?8",
    [S_ACCOUNT_COUNT_CHILDREN] = "SELECT count(*) FROM accounts WHERE parent_sid = ?1",
    [S_TOKEN_INSERT] = "INSERT INTO auth_tokens (account_sid, slot, key_id, ciphertext, "
                       "lookup_hash, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_TOKEN_GET] = "SELECT slot, key_id, ciphertext, lookup_hash, created_ms, updated_ms "
                    "FROM auth_tokens WHERE account_sid = ?1",
    [S_TOKEN_DELETE] = "DELETE FROM auth_tokens WHERE account_sid = ?1 AND slot = ?2",
    [S_TOKEN_PROMOTE] = "UPDATE auth_tokens SET slot = 'primary', updated_ms = ?2 "
                        "WHERE account_sid = ?1 AND slot = 'secondary'",
    [S_KEY_INSERT] = "INSERT INTO api_keys (" GH_KEY_COLS ") "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_KEY_GET] = "SELECT " GH_KEY_COLS " FROM api_keys WHERE sid = ?1",
    [S_KEY_UPDATE] = "UPDATE api_keys SET friendly_name = ?2, permissions = ?3, updated_ms = ?4 "
                     "WHERE sid = ?1",
    [S_KEY_DELETE] = "DELETE FROM api_keys WHERE sid = ?1",
    [S_KEY_LIST] = "SELECT " GH_KEY_COLS " FROM api_keys WHERE account_sid = ?1 "
                   "AND ((?2 AND type = 'signing') OR (NOT ?2 AND type <> 'signing')) "
                   "AND " KEYSET " ORDER BY created_ms, sid LIMIT ?7 OFFSET ?8",
    [S_TOKEN_ALL] = "SELECT account_sid, slot, key_id, ciphertext, lookup_hash, created_ms, "
                    "updated_ms FROM auth_tokens ORDER BY account_sid, slot",
    [S_KEY_ALL] = "SELECT sid, key_id, ciphertext, lookup_hash, created_ms, updated_ms "
                  "FROM api_keys ORDER BY sid",
    [S_TOKEN_RESEAL] = "UPDATE auth_tokens SET key_id = ?3, ciphertext = ?4, lookup_hash = ?5 "
                       "WHERE account_sid = ?1 AND slot = ?2",
    [S_KEY_RESEAL] = "UPDATE api_keys SET key_id = ?3, ciphertext = ?4, lookup_hash = ?5 "
                     "WHERE sid = ?1 AND ?2 = ?2",
    [S_AUDIT_LAST] = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_INSERT] = "INSERT INTO audit_events (seq, time_ms, actor, action, target, "
                       "remote_addr, user_agent, outcome, detail, prev_hash, hash, account_sid) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_AUDIT_EACH] = "SELECT " GH_AUDIT_COLS " FROM audit_events WHERE seq > ?1 ORDER BY seq",
    [S_AUDIT_LIST] = "SELECT " GH_AUDIT_COLS " FROM audit_events WHERE account_sid = ?1 "
                     "AND (?2 = 0 OR seq < ?2) ORDER BY seq DESC LIMIT ?3",
    [S_USER_INSERT] = "INSERT INTO users (" GH_USER_COLS ", email_key) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_USER_GET] = "SELECT " GH_USER_COLS " FROM users WHERE sid = ?1",
    [S_USER_GET_BY_EMAIL] = "SELECT " GH_USER_COLS " FROM users WHERE email_key = ?1",
    [S_USER_SET_PASSPHRASE] = "UPDATE users SET passphrase_hash = ?2, passphrase_set_ms = ?3, "
                              "must_change = ?4, updated_ms = ?5 WHERE sid = ?1",
    [S_HISTORY_ADD] = "INSERT INTO passphrase_history (user_sid, set_ms, passphrase_hash) "
                      "VALUES (?1, ?2, ?3)",
    [S_HISTORY_LIST] = "SELECT passphrase_hash FROM passphrase_history WHERE user_sid = ?1 "
                       "ORDER BY set_ms DESC LIMIT ?2",
    [S_HISTORY_TRIM] = "DELETE FROM passphrase_history WHERE user_sid = ?1 AND set_ms NOT IN "
                       "(SELECT set_ms FROM passphrase_history WHERE user_sid = ?1 "
                       "ORDER BY set_ms DESC LIMIT ?2)",
    [S_MEMBERSHIP_PUT] = "INSERT INTO memberships (user_sid, account_sid, role, created_ms, "
                         "updated_ms) VALUES (?1, ?2, ?3, ?4, ?4) "
                         "ON CONFLICT (user_sid, account_sid) DO UPDATE "
                         "SET role = excluded.role, updated_ms = excluded.updated_ms",
    [S_MEMBERSHIP_GET] = "SELECT role FROM memberships WHERE user_sid = ?1 AND account_sid = ?2",
    [S_SESSION_INSERT] = "INSERT INTO sessions (" GH_SESSION_COLS ", key_id, token_digest) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_SESSION_GET] =
        "SELECT " GH_SESSION_COLS ", key_id, token_digest FROM sessions WHERE sid = ?1",
    [S_SESSION_TOUCH] =
        "UPDATE sessions SET last_seen_ms = ?2, idle_expires_ms = ?3 WHERE sid = ?1",
    [S_SESSION_DELETE] = "DELETE FROM sessions WHERE sid = ?1",
    [S_SESSION_DELETE_USER] =
        "DELETE FROM sessions WHERE user_sid = ?1 AND (?2 IS NULL OR sid <> ?2)",
    [S_SESSION_LIST] = "SELECT " GH_SESSION_COLS " FROM sessions WHERE user_sid = ?1 "
                       "ORDER BY created_ms, sid LIMIT ?2",
    [S_THROTTLE_GET] =
        "SELECT failures, window_start_ms, locked_until_ms FROM throttles WHERE name = ?1",
    [S_THROTTLE_PUT] = "INSERT INTO throttles (name, failures, window_start_ms, locked_until_ms) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE "
                       "SET failures = excluded.failures, "
                       "window_start_ms = excluded.window_start_ms, "
                       "locked_until_ms = excluded.locked_until_ms",
    [S_REVOKED_PUT] = "INSERT INTO revoked_tokens (jti, account_sid, expires_ms) "
                      "VALUES (?1, ?2, ?3) ON CONFLICT (jti) DO UPDATE SET expires_ms = "
                      "CASE WHEN excluded.expires_ms > revoked_tokens.expires_ms "
                      "THEN excluded.expires_ms ELSE revoked_tokens.expires_ms END",
    [S_REVOKED_GET] = "SELECT 1 FROM revoked_tokens WHERE jti = ?1",
    [S_REVOKED_SWEEP] = "DELETE FROM revoked_tokens WHERE expires_ms < ?1",
    [S_SETTING_GET] = "SELECT value FROM token_settings WHERE sid = ?1",
    [S_SETTING_PUT] = "INSERT INTO token_settings (sid, value) VALUES (?1, ?2) "
                      "ON CONFLICT (sid) DO UPDATE SET value = excluded.value",
    [S_FACTOR_INSERT] = "INSERT INTO factors (" GH_FACTOR_COLS ", key_id, ciphertext, lookup_hash) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [S_FACTOR_GET] = "SELECT " GH_FACTOR_COLS ", key_id, ciphertext, lookup_hash FROM factors "
                     "WHERE sid = ?1",
    [S_FACTOR_LIST] = "SELECT " GH_FACTOR_COLS " FROM factors WHERE user_sid = ?1 "
                      "ORDER BY created_ms, sid LIMIT ?2",
    [S_FACTOR_VERIFY] = "UPDATE factors SET status = 'verified', last_step = ?2, expires_ms = 0, "
                        "updated_ms = ?3 WHERE sid = ?1 AND status = 'unverified'",
    [S_FACTOR_ADVANCE] = "UPDATE factors SET last_step = ?2, updated_ms = ?3 "
                         "WHERE sid = ?1 AND last_step < ?2",
    [S_FACTOR_DELETE] = "DELETE FROM factors WHERE sid = ?1",
    [S_FACTOR_SWEEP] = "DELETE FROM factors WHERE user_sid = ?1 AND status = 'unverified' "
                       "AND expires_ms <= ?2",
    [S_FACTOR_ALL] = "SELECT sid, key_id, ciphertext, lookup_hash, created_ms, updated_ms "
                     "FROM factors ORDER BY sid",
    [S_FACTOR_RESEAL] = "UPDATE factors SET key_id = ?3, ciphertext = ?4, lookup_hash = ?5 "
                        "WHERE sid = ?1 AND ?2 = ?2",
    [S_RECOVERY_DELETE] = "DELETE FROM recovery_codes WHERE user_sid = ?1",
    [S_RECOVERY_INSERT] = "INSERT INTO recovery_codes (user_sid, digest, used_ms, created_ms) "
                          "VALUES (?1, ?2, 0, ?3)",
    [S_RECOVERY_USE] = "UPDATE recovery_codes SET used_ms = ?3 "
                       "WHERE user_sid = ?1 AND digest = ?2 AND used_ms = 0",
    [S_SESSION_SET_STATUS] =
        "UPDATE sessions SET status = ?2, expires_ms = ?3, idle_expires_ms = ?4 WHERE sid = ?1",
    [S_RECOVERY_LEFT] = "SELECT count(*) FROM recovery_codes WHERE user_sid = ?1 AND used_ms = 0",
    [S_MEMBERSHIP_LIST] = "SELECT " GH_MEMBER_COLS GH_MEMBER_FROM "WHERE m.account_sid = ?1 "
                          "AND " MEMBER_KEYSET " "
                          "ORDER BY m.created_ms, m.user_sid LIMIT ?7 OFFSET ?8",
    [S_MEMBERSHIP_FETCH] =
        "SELECT " GH_MEMBER_COLS GH_MEMBER_FROM "WHERE m.user_sid = ?1 AND m.account_sid = ?2",
    [S_MEMBERSHIP_DELETE] = "DELETE FROM memberships WHERE user_sid = ?1 AND account_sid = ?2",
    [S_MEMBERSHIP_COUNT] = "SELECT count(*) FROM memberships WHERE account_sid = ?1",
    [S_MEMBERSHIP_OWNER] = "SELECT user_sid FROM memberships WHERE account_sid = ?1 AND role = ?2 "
                           "ORDER BY created_ms, user_sid LIMIT 1",
    [S_OFFER_PUT] = "INSERT INTO ownership_offers (" GH_OFFER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT (account_sid) DO UPDATE "
                    "SET from_user_sid = excluded.from_user_sid, "
                    "to_user_sid = excluded.to_user_sid, created_ms = excluded.created_ms, "
                    "expires_ms = excluded.expires_ms",
    [S_OFFER_GET] = "SELECT " GH_OFFER_COLS " FROM ownership_offers WHERE account_sid = ?1",
    [S_OFFER_DELETE] = "DELETE FROM ownership_offers WHERE account_sid = ?1",
};

struct conn {
    struct gh_tx tx; /* first: a tx is its connection */
    sqlite3 *db;
    sqlite3_stmt *stmts[S_COUNT_];
    size_t slot; /* its index in the pool */
};

struct sqlite_store {
    struct gh_store base;
    struct gh_revision *rev; /* shared with every process that opens this database */
    struct gh_pool pool;
    size_t n;
    struct conn *conns;
};

static const struct gh_store_ops sqlite_ops;

/* ---- errors and statements ---- */

static gh_err
map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return GH_OK;
    case SQLITE_CONSTRAINT:
        return GH_E_CONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return GH_E_BUSY;
    case SQLITE_NOMEM:
        return GH_E_NOMEM;
    default:
        return GH_E_STORE;
    }
}

static struct conn *
conn_of(struct gh_tx *tx)
{
    return (struct conn *)tx;
}

/* The prepared statement id of tx's connection, reset and with its bindings cleared. */
static gh_err
stmt(struct gh_tx *tx, enum stmt_id id, sqlite3_stmt **out)
{
    struct conn *c = conn_of(tx);

    *out = NULL;
    if (c->stmts[id] == NULL) {
        int rc =
            sqlite3_prepare_v3(c->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[id], NULL);
        if (rc != SQLITE_OK) {
            return map_rc(rc);
        }
    }
    sqlite3_reset(c->stmts[id]);
    sqlite3_clear_bindings(c->stmts[id]);
    *out = c->stmts[id];
    return GH_OK;
}

/* Steps a statement that returns no rows, then resets it. */
static gh_err
run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    return rc == SQLITE_DONE ? GH_OK : map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

static gh_err
bind_text(sqlite3_stmt *s, int i, const char *v)
{
    int rc = v == NULL ? sqlite3_bind_null(s, i) : sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);

    return map_rc(rc);
}

static gh_err
bind_blob(sqlite3_stmt *s, int i, const void *v, size_t len)
{
    return map_rc(sqlite3_bind_blob(s, i, v, (int)len, SQLITE_STATIC));
}

static gh_err
bind_i64(sqlite3_stmt *s, int i, int64_t v)
{
    return map_rc(sqlite3_bind_int64(s, i, v));
}

static gh_err
col_text(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *v = sqlite3_column_text(s, i);

    return gh__strlcpy(out, v != NULL ? (const char *)v : "", cap) == GH_OK ? GH_OK : GH_E_STORE;
}

static gh_err
col_blob(sqlite3_stmt *s, int i, void *out, size_t cap, size_t *len)
{
    const void *v = sqlite3_column_blob(s, i);
    int n = sqlite3_column_bytes(s, i);

    GH_ENSURE(n >= 0 && (size_t)n <= cap, GH_E_STORE);
    if (n > 0) {
        memcpy(out, v, (size_t)n);
    }
    if (len != NULL) {
        *len = (size_t)n;
    }
    return GH_OK;
}

/* ---- names of enum values as stored ---- */

static gh_err
col_enum(sqlite3_stmt *s, int i, const char *const *names, size_t n, int *out)
{
    *out = gh__name_index(names, n, (const char *)sqlite3_column_text(s, i));
    return *out < 0 ? GH_E_STORE : GH_OK;
}

/* ---- connections, transactions, migrations ---- */

static gh_err
exec(sqlite3 *db, const char *text)
{
    return map_rc(sqlite3_exec(db, text, NULL, NULL, NULL));
}

static gh_err
conn_open(struct conn *c, const char *path)
{
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                 SQLITE_OPEN_EXRESCODE,
                             NULL);

    if (rc != SQLITE_OK) {
        return GH_E_STORE;
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    GH_TRY(exec(c->db, "PRAGMA journal_mode = WAL"));
    GH_TRY(exec(c->db, "PRAGMA synchronous = FULL"));
    GH_TRY(exec(c->db, "PRAGMA foreign_keys = ON"));
    return exec(c->db, "PRAGMA secure_delete = ON");
}

static void
conn_close(struct conn *c)
{
    for (size_t i = 0; i < S_COUNT_; i++) {
        sqlite3_finalize(c->stmts[i]);
        c->stmts[i] = NULL;
    }
    sqlite3_close(c->db);
    c->db = NULL;
}

static void
sqlite_close(struct gh_store *st)
{
    struct sqlite_store *s = (struct sqlite_store *)st;

    for (size_t i = 0; i < s->n; i++) {
        conn_close(&s->conns[i]);
    }
    gh__free(s->conns);
    gh__revision_close(s->rev);
    gh__pool_clear(&s->pool);
    gh__free(s);
}

static bool
sqlite_revision(struct gh_store *st, struct gh_tx *tx, uint64_t *out)
{
    (void)tx; /* the shared counter: every process on this machine sees the same word */
    *out = gh__revision_load(((struct sqlite_store *)st)->rev);
    return true;
}

static gh_err
open_revision(struct sqlite_store *s, const char *path)
{
    char rev_path[4096];
    int n = snprintf(rev_path, sizeof(rev_path), "%s-rev", path);

    GH_ENSURE(n > 0 && (size_t)n < sizeof(rev_path), GH_E_INVALID);
    return gh__revision_open(rev_path, &s->rev);
}

gh_err
gh__sqlite_open(const char *path, unsigned connections, struct gh_store **out)
{
    struct sqlite_store *s = gh__calloc(1, sizeof(*s));
    gh_err rc;

    *out = NULL;
    GH_ENSURE(s != NULL, GH_E_NOMEM);
    s->base.ops = &sqlite_ops;
    s->conns = gh__calloc(connections, sizeof(*s->conns));
    if (s->conns == NULL || gh__pool_init(&s->pool, connections) != GH_OK) {
        sqlite_close(&s->base);
        return GH_E_NOMEM;
    }
    rc = open_revision(s, path);
    for (s->n = 0; rc == GH_OK && s->n < connections; s->n++) {
        s->conns[s->n].tx.store = &s->base;
        s->conns[s->n].slot = s->n;
        rc = conn_open(&s->conns[s->n], path);
    }
    if (rc != GH_OK) {
        sqlite_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return GH_OK;
}

static struct conn *
acquire(struct sqlite_store *s)
{
    return &s->conns[gh__pool_acquire(&s->pool)];
}

static void
release(struct conn *c)
{
    gh__pool_release(&((struct sqlite_store *)c->tx.store)->pool, c->slot);
}

static gh_err
sqlite_begin(struct gh_store *st, enum gh_tx_mode mode, struct gh_tx **out)
{
    struct conn *c = acquire((struct sqlite_store *)st);
    sqlite3_stmt *s;
    gh_err rc;

    *out = NULL;
    c->tx.mode = mode;
    rc = stmt(&c->tx, mode == GH_TX_WRITE ? S_BEGIN_WRITE : S_BEGIN_READ, &s);
    if (rc == GH_OK) {
        rc = run(s);
    }
    if (rc != GH_OK) {
        release(c);
        return rc;
    }
    *out = &c->tx;
    return GH_OK;
}

static void
sqlite_rollback(struct gh_tx *tx)
{
    sqlite3_stmt *s;

    if (tx == NULL) {
        return;
    }
    if (!sqlite3_get_autocommit(conn_of(tx)->db) && stmt(tx, S_ROLLBACK, &s) == GH_OK) {
        (void)run(s);
    }
    release(conn_of(tx));
}

static gh_err
sqlite_commit(struct gh_tx *tx)
{
    struct gh_revision *rev = ((struct sqlite_store *)tx->store)->rev;
    bool writing = tx->mode == GH_TX_WRITE;
    sqlite3_stmt *s;
    gh_err rc = stmt(tx, S_COMMIT, &s);

    if (writing) {
        gh__revision_begin_write(rev); /* we hold the write lock: writers are serialised */
    }
    if (rc == GH_OK) {
        rc = run(s);
    }
    if (rc != GH_OK) {
        sqlite_rollback(tx);
    } else {
        release(conn_of(tx));
    }
    if (writing) {
        gh__revision_end_write(rev);
    }
    return rc;
}

static gh_err
applied_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *s = NULL;
    int rc;

    *version = 0;
    GH_TRY(exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT)"));
    rc = sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &s,
                            NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        *version = sqlite3_column_int(s, 0);
    }
    sqlite3_finalize(s);
    return map_rc(rc);
}

static gh_err
apply_one(sqlite3 *db, const struct gh_migration *m)
{
    sqlite3_stmt *s = NULL;
    gh_err rc = exec(db, m->sql);

    if (rc == GH_OK) {
        rc = map_rc(sqlite3_prepare_v2(db,
                                       "INSERT INTO schema_migrations (version, name, applied_ms) "
                                       "VALUES (?1, ?2, CAST(strftime('%s','now') AS INTEGER) "
                                       "* 1000)",
                                       -1, &s, NULL));
    }
    if (rc == GH_OK) {
        sqlite3_bind_int(s, 1, m->version);
        sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
        rc = sqlite3_step(s) == SQLITE_DONE ? GH_OK : GH_E_STORE;
    }
    sqlite3_finalize(s);
    return rc;
}

static gh_err
sqlite_migrate(struct gh_store *st)
{
    struct conn *c = acquire((struct sqlite_store *)st);
    int version = 0;
    gh_err rc = exec(c->db, "BEGIN IMMEDIATE");

    if (rc == GH_OK) {
        rc = applied_version(c->db, &version);
    }
    for (size_t i = 0; rc == GH_OK && i < gh__migrations_count; i++) {
        if (gh__migrations[i].version > version) {
            rc = apply_one(c->db, &gh__migrations[i]);
        }
    }
    gh__revision_begin_write(((struct sqlite_store *)st)->rev);
    rc = exec(c->db, rc == GH_OK ? "COMMIT" : "ROLLBACK") == GH_OK ? rc : GH_E_STORE;
    gh__revision_end_write(((struct sqlite_store *)st)->rev);
    release(c);
    return rc;
}

/* ---- meta ---- */

static gh_err
sqlite_meta_get(struct gh_tx *tx, const char *name, char *out, size_t cap)
{
    sqlite3_stmt *s;
    int rc;

    out[0] = '\0';
    GH_TRY(stmt(tx, S_META_GET, &s));
    GH_TRY(bind_text(s, 1, name));
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? GH_E_NOT_FOUND : map_rc(rc);
    }
    rc = col_text(s, 0, out, cap);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_meta_put(struct gh_tx *tx, const char *name, const char *value)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_META_PUT, &s));
    GH_TRY(bind_text(s, 1, name));
    GH_TRY(bind_text(s, 2, value));
    return run(s);
}

/* ---- accounts ---- */

static gh_err
read_account(sqlite3_stmt *s, struct gh_account *a)
{
    int status;

    memset(a, 0, sizeof(*a));
    GH_TRY(col_text(s, 0, a->sid, sizeof(a->sid)));
    GH_TRY(col_text(s, 1, a->parent_sid, sizeof(a->parent_sid)));
    GH_TRY(col_text(s, 2, a->friendly_name, sizeof(a->friendly_name)));
    GH_TRY(col_enum(s, 3, gh__status_names, GH_ARRAY_LEN(gh__status_names), &status));
    a->status = (enum gh_account_status)status;
    a->created_ms = sqlite3_column_int64(s, 4);
    a->updated_ms = sqlite3_column_int64(s, 5);
    return GH_OK;
}

static gh_err
sqlite_account_insert(struct gh_tx *tx, const struct gh_account *a)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_ACCOUNT_INSERT, &s));
    GH_TRY(bind_text(s, 1, a->sid));
    GH_TRY(bind_text(s, 2, a->parent_sid[0] != '\0' ? a->parent_sid : NULL));
    GH_TRY(bind_text(s, 3, a->friendly_name));
    GH_TRY(bind_text(s, 4, gh__status_names[a->status]));
    GH_TRY(bind_i64(s, 5, a->created_ms));
    GH_TRY(bind_i64(s, 6, a->updated_ms));
    return run(s);
}

static gh_err
sqlite_account_get(struct gh_tx *tx, const char *sid, struct gh_account *out)
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    memset(out, 0, sizeof(*out));
    GH_TRY(stmt(tx, S_ACCOUNT_GET, &s));
    GH_TRY(bind_text(s, 1, sid));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? read_account(s, out)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_account_update(struct gh_tx *tx, const struct gh_account *a)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_ACCOUNT_UPDATE, &s));
    GH_TRY(bind_text(s, 1, a->sid));
    GH_TRY(bind_text(s, 2, a->friendly_name));
    GH_TRY(bind_text(s, 3, gh__status_names[a->status]));
    GH_TRY(bind_i64(s, 4, a->updated_ms));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
bind_cursor(sqlite3_stmt *s, const struct gh_cursor *c)
{
    GH_TRY(bind_i64(s, 4, c->after_ms));
    GH_TRY(bind_text(s, 5, c->after_sid));
    GH_TRY(bind_i64(s, 7, (int64_t)c->limit));
    return bind_i64(s, 8, c->after_sid[0] != '\0' ? 0 : (int64_t)c->offset);
}

static gh_err
sqlite_account_list(struct gh_tx *tx, const struct gh_account_query *q, struct gh_account *out,
                    size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_ACCOUNT_LIST, &s));
    GH_TRY(bind_text(s, 1, q->scope_sid));
    GH_TRY(bind_text(s, 2, q->friendly_name));
    GH_TRY(bind_text(s, 3, q->status == GH_STATUS_ANY ? NULL : gh__status_names[q->status]));
    GH_TRY(bind_i64(s, 6, q->with_children ? 1 : 0));
    GH_TRY(bind_cursor(s, &q->cursor));
    while (rc == GH_OK && *n < q->cursor.limit && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_account(s, &out[*n]);
        *n += rc == GH_OK ? 1 : 0;
    }
    if (rc == GH_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_account_count_children(struct gh_tx *tx, const char *parent_sid, int64_t *n)
{
    sqlite3_stmt *s;
    int step;

    *n = 0;
    GH_TRY(stmt(tx, S_ACCOUNT_COUNT_CHILDREN, &s));
    GH_TRY(bind_text(s, 1, parent_sid));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *n = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    return step == SQLITE_ROW ? GH_OK : map_rc(step);
}

/* ---- auth tokens ---- */

static gh_err
sqlite_token_insert(struct gh_tx *tx, const struct gh_sealed *row)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_TOKEN_INSERT, &s));
    GH_TRY(bind_text(s, 1, row->owner));
    GH_TRY(bind_text(s, 2, gh__slot_names[row->slot]));
    GH_TRY(bind_i64(s, 3, row->key_id));
    GH_TRY(bind_blob(s, 4, row->ct, row->ct_len));
    GH_TRY(bind_blob(s, 5, row->lookup, sizeof(row->lookup)));
    GH_TRY(bind_i64(s, 6, row->created_ms));
    GH_TRY(bind_i64(s, 7, row->updated_ms));
    return run(s);
}

static gh_err
read_sealed(sqlite3_stmt *s, int first, struct gh_sealed *row)
{
    size_t lookup_len = 0;

    row->key_id = (uint32_t)sqlite3_column_int64(s, first);
    GH_TRY(col_blob(s, first + 1, row->ct, sizeof(row->ct), &row->ct_len));
    GH_TRY(col_blob(s, first + 2, row->lookup, sizeof(row->lookup), &lookup_len));
    GH_ENSURE(lookup_len == sizeof(row->lookup), GH_E_STORE);
    return GH_OK;
}

/* (key_id, ciphertext, lookup_hash, created_ms, updated_ms) from column first. */
static gh_err
read_sealed_tail(sqlite3_stmt *s, int first, struct gh_sealed *row)
{
    GH_TRY(read_sealed(s, first, row));
    row->created_ms = sqlite3_column_int64(s, first + 3);
    row->updated_ms = sqlite3_column_int64(s, first + 4);
    return GH_OK;
}

static gh_err
sqlite_token_get(struct gh_tx *tx, const char *account_sid, struct gh_sealed out[2],
                 bool present[2])
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step;
    int slot;

    memset(out, 0, 2 * sizeof(*out));
    present[0] = present[1] = false;
    GH_TRY(stmt(tx, S_TOKEN_GET, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    while (rc == GH_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = col_enum(s, 0, gh__slot_names, 2, &slot);
        if (rc == GH_OK) {
            out[slot].kind = GH_SEALED_AUTH_TOKEN;
            out[slot].slot = (enum gh_token_slot)slot;
            rc = gh__strlcpy(out[slot].owner, account_sid, sizeof(out[slot].owner));
        }
        if (rc == GH_OK) {
            rc = read_sealed_tail(s, 1, &out[slot]);
            present[slot] = rc == GH_OK;
        }
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_token_delete(struct gh_tx *tx, const char *account_sid, enum gh_token_slot slot)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_TOKEN_DELETE, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    GH_TRY(bind_text(s, 2, gh__slot_names[slot]));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_token_promote(struct gh_tx *tx, const char *account_sid, int64_t now_ms)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_TOKEN_PROMOTE, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    GH_TRY(bind_i64(s, 2, now_ms));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

/* ---- API keys ---- */

static gh_err
read_key(sqlite3_stmt *s, struct gh_key *k, struct gh_sealed *secret)
{
    const unsigned char *perms;
    int type;

    gh_key_clear(k);
    GH_TRY(col_text(s, 0, k->sid, sizeof(k->sid)));
    GH_TRY(col_text(s, 1, k->account_sid, sizeof(k->account_sid)));
    GH_TRY(col_enum(s, 2, gh__key_type_names, GH_ARRAY_LEN(gh__key_type_names), &type));
    k->type = (enum gh_key_type)type;
    GH_TRY(col_text(s, 4, k->friendly_name, sizeof(k->friendly_name)));
    k->created_ms = sqlite3_column_int64(s, 5);
    k->updated_ms = sqlite3_column_int64(s, 6);
    perms = sqlite3_column_text(s, 3);
    if (perms != NULL) {
        k->permissions = gh__strdup((const char *)perms);
        GH_ENSURE(k->permissions != NULL, GH_E_NOMEM);
    }
    if (secret == NULL) {
        return GH_OK;
    }
    memset(secret, 0, sizeof(*secret));
    secret->kind = GH_SEALED_API_KEY;
    memcpy(secret->owner, k->sid, sizeof(secret->owner));
    secret->created_ms = k->created_ms;
    secret->updated_ms = k->updated_ms;
    return read_sealed(s, 7, secret);
}

static gh_err
sqlite_key_insert(struct gh_tx *tx, const struct gh_key *k, const struct gh_sealed *secret)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_KEY_INSERT, &s));
    GH_TRY(bind_text(s, 1, k->sid));
    GH_TRY(bind_text(s, 2, k->account_sid));
    GH_TRY(bind_text(s, 3, gh__key_type_names[k->type]));
    GH_TRY(bind_text(s, 4, k->permissions));
    GH_TRY(bind_text(s, 5, k->friendly_name));
    GH_TRY(bind_i64(s, 6, k->created_ms));
    GH_TRY(bind_i64(s, 7, k->updated_ms));
    GH_TRY(bind_i64(s, 8, secret->key_id));
    GH_TRY(bind_blob(s, 9, secret->ct, secret->ct_len));
    GH_TRY(bind_blob(s, 10, secret->lookup, sizeof(secret->lookup)));
    return run(s);
}

static gh_err
sqlite_key_get(struct gh_tx *tx, const char *sid, struct gh_key *out, struct gh_sealed *secret)
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    memset(out, 0, sizeof(*out));
    GH_TRY(stmt(tx, S_KEY_GET, &s));
    GH_TRY(bind_text(s, 1, sid));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? read_key(s, out, secret)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_key_update(struct gh_tx *tx, const struct gh_key *k)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_KEY_UPDATE, &s));
    GH_TRY(bind_text(s, 1, k->sid));
    GH_TRY(bind_text(s, 2, k->friendly_name));
    GH_TRY(bind_text(s, 3, k->permissions));
    GH_TRY(bind_i64(s, 4, k->updated_ms));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_key_delete(struct gh_tx *tx, const char *sid)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_KEY_DELETE, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_key_list(struct gh_tx *tx, const struct gh_key_query *q, struct gh_key *out, size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_KEY_LIST, &s));
    GH_TRY(bind_text(s, 1, q->account_sid));
    GH_TRY(bind_i64(s, 2, q->signing ? 1 : 0));
    GH_TRY(bind_cursor(s, &q->cursor));
    while (rc == GH_OK && *n < q->cursor.limit && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_key(s, &out[*n], NULL);
        *n += 1; /* counted even on failure, so the caller frees what was read */
    }
    if (rc == GH_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- sealed rows (master-key rotation) ---- */

static gh_err
read_sealed_row(sqlite3_stmt *s, enum gh_sealed_kind kind, struct gh_sealed *row)
{
    int slot = 0;

    memset(row, 0, sizeof(*row));
    row->kind = kind;
    GH_TRY(col_text(s, 0, row->owner, sizeof(row->owner)));
    if (kind == GH_SEALED_AUTH_TOKEN) {
        GH_TRY(col_enum(s, 1, gh__slot_names, 2, &slot));
        row->slot = (enum gh_token_slot)slot;
        return read_sealed_tail(s, 2, row);
    }
    return read_sealed_tail(s, 1, row);
}

static gh_err
sqlite_sealed_each(struct gh_tx *tx, enum gh_sealed_kind kind, gh_sealed_fn fn, void *arg)
{
    sqlite3_stmt *s = NULL;
    struct gh_sealed row;
    gh_err rc;
    int step;

    /* A private statement: fn updates rows through the cached ones while this one steps. */
    rc = map_rc(sqlite3_prepare_v2(conn_of(tx)->db,
                                   sql[kind == GH_SEALED_AUTH_TOKEN ? S_TOKEN_ALL
                                       : kind == GH_SEALED_FACTOR   ? S_FACTOR_ALL
                                                                    : S_KEY_ALL],
                                   -1, &s, NULL));
    while (rc == GH_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_sealed_row(s, kind, &row);
        if (rc == GH_OK) {
            rc = fn(tx, &row, arg);
        }
    }
    if (rc == GH_OK && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    gh_wipe(&row, sizeof(row));
    sqlite3_finalize(s);
    return rc;
}

static gh_err
sqlite_sealed_update(struct gh_tx *tx, const struct gh_sealed *row)
{
    bool token = row->kind == GH_SEALED_AUTH_TOKEN;
    sqlite3_stmt *s;

    GH_TRY(stmt(tx,
                token                           ? S_TOKEN_RESEAL
                : row->kind == GH_SEALED_FACTOR ? S_FACTOR_RESEAL
                                                : S_KEY_RESEAL,
                &s));
    GH_TRY(bind_text(s, 1, row->owner));
    GH_TRY(bind_text(s, 2, token ? gh__slot_names[row->slot] : ""));
    GH_TRY(bind_i64(s, 3, row->key_id));
    GH_TRY(bind_blob(s, 4, row->ct, row->ct_len));
    GH_TRY(bind_blob(s, 5, row->lookup, sizeof(row->lookup)));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

/* ---- audit ---- */

static gh_err
sqlite_audit_last(struct gh_tx *tx, int64_t *seq, uint8_t hash[32])
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step;

    *seq = 0;
    memset(hash, 0, 32);
    GH_TRY(stmt(tx, S_AUDIT_LAST, &s));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        size_t len = 0;

        *seq = sqlite3_column_int64(s, 0);
        rc = col_blob(s, 1, hash, 32, &len);
        rc = rc == GH_OK && len != 32 ? GH_E_STORE : rc;
    } else if (step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_audit_insert(struct gh_tx *tx, const struct gh_audit_event *ev)
{
    uint8_t prev[32];
    int64_t last;
    sqlite3_stmt *s;

    GH_TRY(sqlite_audit_last(tx, &last, prev));
    GH_ENSURE(ev->seq == last + 1, GH_E_CONFLICT);
    GH_TRY(stmt(tx, S_AUDIT_INSERT, &s));
    GH_TRY(bind_i64(s, 1, ev->seq));
    GH_TRY(bind_i64(s, 2, ev->time_ms));
    GH_TRY(bind_text(s, 3, ev->actor));
    GH_TRY(bind_text(s, 4, ev->action));
    GH_TRY(bind_text(s, 5, ev->target));
    GH_TRY(bind_text(s, 6, ev->remote_addr));
    GH_TRY(bind_text(s, 7, ev->user_agent));
    GH_TRY(bind_text(s, 8, ev->outcome));
    GH_TRY(bind_text(s, 9, ev->detail));
    GH_TRY(bind_blob(s, 10, prev, sizeof(prev)));
    GH_TRY(bind_blob(s, 11, ev->hash, sizeof(ev->hash)));
    GH_TRY(bind_text(s, 12, ev->account_sid));
    return run(s);
}

static gh_err
read_audit(sqlite3_stmt *s, struct gh_audit_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->seq = sqlite3_column_int64(s, 0);
    ev->time_ms = sqlite3_column_int64(s, 1);
    GH_TRY(col_text(s, 2, ev->actor, sizeof(ev->actor)));
    GH_TRY(col_text(s, 3, ev->action, sizeof(ev->action)));
    GH_TRY(col_text(s, 4, ev->target, sizeof(ev->target)));
    GH_TRY(col_text(s, 5, ev->remote_addr, sizeof(ev->remote_addr)));
    GH_TRY(col_text(s, 6, ev->user_agent, sizeof(ev->user_agent)));
    GH_TRY(col_text(s, 7, ev->outcome, sizeof(ev->outcome)));
    GH_TRY(col_text(s, 8, ev->detail, sizeof(ev->detail)));
    GH_TRY(col_blob(s, 9, ev->hash, sizeof(ev->hash), NULL));
    return col_text(s, 10, ev->account_sid, sizeof(ev->account_sid));
}

static gh_err
sqlite_audit_each(struct gh_tx *tx, int64_t after_seq, gh_audit_fn fn, void *arg)
{
    struct gh_audit_event ev;
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    GH_TRY(stmt(tx, S_AUDIT_EACH, &s));
    GH_TRY(bind_i64(s, 1, after_seq));
    while (rc == GH_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_audit(s, &ev);
        if (rc == GH_OK && fn(&ev, arg) != 0) {
            step = SQLITE_DONE; /* the caller has seen enough */
            break;
        }
    }
    if (rc == GH_OK && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_audit_list(struct gh_tx *tx, const struct gh_audit_query *q, struct gh_audit_event *out,
                  size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_AUDIT_LIST, &s));
    GH_TRY(bind_text(s, 1, q->account_sid));
    GH_TRY(bind_i64(s, 2, q->before_seq));
    GH_TRY(bind_i64(s, 3, q->limit > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)q->limit));
    while (rc == GH_OK && *n < q->limit && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_audit(s, &out[*n]);
        *n += 1; /* counted even on failure, as key_list does */
    }
    if (rc == GH_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- human users ---- */

/* GH_USER_COLS; the passphrase hash only when hash is not NULL. */
static gh_err
read_user(sqlite3_stmt *s, struct gh_user *u, char *hash)
{
    memset(u, 0, sizeof(*u));
    GH_TRY(col_text(s, 0, u->sid, sizeof(u->sid)));
    GH_TRY(col_text(s, 1, u->email, sizeof(u->email)));
    GH_TRY(col_text(s, 2, u->name, sizeof(u->name)));
    u->passphrase_set_ms = sqlite3_column_int64(s, 3);
    u->must_change = sqlite3_column_int64(s, 4) != 0;
    u->created_ms = sqlite3_column_int64(s, 5);
    u->updated_ms = sqlite3_column_int64(s, 6);
    return hash != NULL ? col_text(s, 7, hash, GH_STORE_HASH_MAX) : GH_OK;
}

static gh_err
sqlite_user_insert(struct gh_tx *tx, const struct gh_user *u, const char *email_key,
                   const char *passphrase_hash)
{
    sqlite3_stmt *s;

    GH_ENSURE(gh__hash_fits(passphrase_hash), GH_E_INVALID);
    GH_TRY(stmt(tx, S_USER_INSERT, &s));
    GH_TRY(bind_text(s, 1, u->sid));
    GH_TRY(bind_text(s, 2, u->email));
    GH_TRY(bind_text(s, 3, u->name));
    GH_TRY(bind_i64(s, 4, u->passphrase_set_ms));
    GH_TRY(bind_i64(s, 5, u->must_change ? 1 : 0));
    GH_TRY(bind_i64(s, 6, u->created_ms));
    GH_TRY(bind_i64(s, 7, u->updated_ms));
    GH_TRY(bind_text(s, 8, passphrase_hash));
    GH_TRY(bind_text(s, 9, email_key));
    return run(s);
}

/* The user whose column (of statement id) is v. */
static gh_err
user_get_by(struct gh_tx *tx, enum stmt_id id, const char *v, struct gh_user *out, char *hash)
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    memset(out, 0, sizeof(*out));
    if (hash != NULL) {
        hash[0] = '\0';
    }
    GH_TRY(stmt(tx, id, &s));
    GH_TRY(bind_text(s, 1, v));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? read_user(s, out, hash)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_user_get(struct gh_tx *tx, const char *sid, struct gh_user *out, char *hash)
{
    return user_get_by(tx, S_USER_GET, sid, out, hash);
}

static gh_err
sqlite_user_get_by_email(struct gh_tx *tx, const char *email_key, struct gh_user *out, char *hash)
{
    return user_get_by(tx, S_USER_GET_BY_EMAIL, email_key, out, hash);
}

static gh_err
sqlite_user_set_passphrase(struct gh_tx *tx, const struct gh_user *u, const char *passphrase_hash)
{
    sqlite3_stmt *s;

    GH_ENSURE(gh__hash_fits(passphrase_hash), GH_E_INVALID);
    GH_TRY(stmt(tx, S_USER_SET_PASSPHRASE, &s));
    GH_TRY(bind_text(s, 1, u->sid));
    GH_TRY(bind_text(s, 2, passphrase_hash));
    GH_TRY(bind_i64(s, 3, u->passphrase_set_ms));
    GH_TRY(bind_i64(s, 4, u->must_change ? 1 : 0));
    GH_TRY(bind_i64(s, 5, u->updated_ms));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_history_add(struct gh_tx *tx, const char *user_sid, const char *passphrase_hash,
                   int64_t set_ms)
{
    sqlite3_stmt *s;

    GH_ENSURE(gh__hash_fits(passphrase_hash), GH_E_INVALID);
    GH_TRY(stmt(tx, S_HISTORY_ADD, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_i64(s, 2, set_ms));
    GH_TRY(bind_text(s, 3, passphrase_hash));
    return run(s);
}

static gh_err
sqlite_history_list(struct gh_tx *tx, const char *user_sid, char (*out)[GH_STORE_HASH_MAX],
                    size_t cap, size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_HISTORY_LIST, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_i64(s, 2, (int64_t)cap));
    while (rc == GH_OK && *n < cap && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = col_text(s, 0, out[*n], GH_STORE_HASH_MAX);
        *n += rc == GH_OK ? 1 : 0;
    }
    if (rc == GH_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_history_trim(struct gh_tx *tx, const char *user_sid, size_t keep)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_HISTORY_TRIM, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_i64(s, 2, (int64_t)keep));
    return run(s);
}

/* ---- memberships ---- */

static gh_err
sqlite_membership_put(struct gh_tx *tx, const char *user_sid, const char *account_sid,
                      enum gh_role role, int64_t now_ms)
{
    sqlite3_stmt *s;

    GH_ENSURE((size_t)role < GH_ARRAY_LEN(gh__role_names), GH_E_INVALID);
    GH_TRY(stmt(tx, S_MEMBERSHIP_PUT, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_text(s, 2, account_sid));
    GH_TRY(bind_text(s, 3, gh__role_names[role]));
    GH_TRY(bind_i64(s, 4, now_ms));
    return run(s);
}

static gh_err
sqlite_membership_get(struct gh_tx *tx, const char *user_sid, const char *account_sid,
                      enum gh_role *role)
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;
    int v = 0;

    *role = (enum gh_role)0; /* cleared like every out-parameter: act on it only after GH_OK */
    GH_TRY(stmt(tx, S_MEMBERSHIP_GET, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_text(s, 2, account_sid));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? col_enum(s, 0, gh__role_names, GH_ARRAY_LEN(gh__role_names), &v)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    if (rc == GH_OK) {
        *role = (enum gh_role)v;
    }
    return rc;
}

/* GH_MEMBER_COLS. */
static gh_err
read_member(sqlite3_stmt *s, struct gh_member *m)
{
    int role = 0;

    memset(m, 0, sizeof(*m));
    GH_TRY(col_text(s, 0, m->user_sid, sizeof(m->user_sid)));
    GH_TRY(col_text(s, 1, m->account_sid, sizeof(m->account_sid)));
    GH_TRY(col_text(s, 2, m->email, sizeof(m->email)));
    GH_TRY(col_text(s, 3, m->name, sizeof(m->name)));
    GH_TRY(col_enum(s, 4, gh__role_names, GH_ARRAY_LEN(gh__role_names), &role));
    m->role = (enum gh_role)role;
    m->created_ms = sqlite3_column_int64(s, 5);
    m->updated_ms = sqlite3_column_int64(s, 6);
    return GH_OK;
}

static gh_err
sqlite_membership_list(struct gh_tx *tx, const struct gh_member_query *q, struct gh_member *out,
                       size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_MEMBERSHIP_LIST, &s));
    GH_TRY(bind_text(s, 1, q->account_sid));
    GH_TRY(bind_cursor(s, &q->cursor));
    while (rc == GH_OK && *n < q->cursor.limit && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_member(s, &out[*n]);
        *n += 1; /* counted even on failure, as key_list does */
    }
    if (rc == GH_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_membership_fetch(struct gh_tx *tx, const char *user_sid, const char *account_sid,
                        struct gh_member *out)
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    memset(out, 0, sizeof(*out));
    GH_TRY(stmt(tx, S_MEMBERSHIP_FETCH, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_text(s, 2, account_sid));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? read_member(s, out)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_membership_delete(struct gh_tx *tx, const char *user_sid, const char *account_sid)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_MEMBERSHIP_DELETE, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_text(s, 2, account_sid));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_membership_count(struct gh_tx *tx, const char *account_sid, int64_t *n)
{
    sqlite3_stmt *s;
    int step;

    *n = 0;
    GH_TRY(stmt(tx, S_MEMBERSHIP_COUNT, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *n = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    return step == SQLITE_ROW ? GH_OK : map_rc(step);
}

static gh_err
sqlite_membership_owner(struct gh_tx *tx, const char *account_sid, char user_sid[GH_SID_SIZE])
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    user_sid[0] = '\0';
    GH_TRY(stmt(tx, S_MEMBERSHIP_OWNER, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    GH_TRY(bind_text(s, 2, gh__role_names[GH_ROLE_OWNER]));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? col_text(s, 0, user_sid, GH_SID_SIZE)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

/* ---- ownership offers ---- */

static gh_err
sqlite_ownership_offer_put(struct gh_tx *tx, const struct gh_ownership_offer *o)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_OFFER_PUT, &s));
    GH_TRY(bind_text(s, 1, o->account_sid));
    GH_TRY(bind_text(s, 2, o->from_user_sid));
    GH_TRY(bind_text(s, 3, o->to_user_sid));
    GH_TRY(bind_i64(s, 4, o->created_ms));
    GH_TRY(bind_i64(s, 5, o->expires_ms));
    return run(s);
}

/* GH_OFFER_COLS. */
static gh_err
read_offer(sqlite3_stmt *s, struct gh_ownership_offer *o)
{
    GH_TRY(col_text(s, 0, o->account_sid, sizeof(o->account_sid)));
    GH_TRY(col_text(s, 1, o->from_user_sid, sizeof(o->from_user_sid)));
    GH_TRY(col_text(s, 2, o->to_user_sid, sizeof(o->to_user_sid)));
    o->created_ms = sqlite3_column_int64(s, 3);
    o->expires_ms = sqlite3_column_int64(s, 4);
    return GH_OK;
}

static gh_err
sqlite_ownership_offer_get(struct gh_tx *tx, const char *account_sid,
                           struct gh_ownership_offer *out)
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    memset(out, 0, sizeof(*out));
    GH_TRY(stmt(tx, S_OFFER_GET, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? read_offer(s, out)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_ownership_offer_delete(struct gh_tx *tx, const char *account_sid)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_OFFER_DELETE, &s));
    GH_TRY(bind_text(s, 1, account_sid));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

/* ---- sessions ---- */

static const char *const session_status_names[] = {"active", "pending_mfa", "enrol_only"};

static gh_err
sqlite_session_set_status(struct gh_tx *tx, const char *sid, enum gh_session_status status,
                          int64_t expires_ms, int64_t idle_expires_ms)
{
    sqlite3_stmt *s;

    GH_ENSURE((unsigned)status < 3, GH_E_INVALID);
    GH_TRY(stmt(tx, S_SESSION_SET_STATUS, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(bind_text(s, 2, session_status_names[status]));
    GH_TRY(bind_i64(s, 3, expires_ms));
    GH_TRY(bind_i64(s, 4, idle_expires_ms));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_session_insert(struct gh_tx *tx, const struct gh_session *ses, uint32_t key_id,
                      const uint8_t digest[32])
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_SESSION_INSERT, &s));
    GH_TRY(bind_text(s, 1, ses->sid));
    GH_TRY(bind_text(s, 2, ses->user_sid));
    GH_TRY(bind_i64(s, 3, ses->created_ms));
    GH_TRY(bind_i64(s, 4, ses->last_seen_ms));
    GH_TRY(bind_i64(s, 5, ses->expires_ms));
    GH_TRY(bind_i64(s, 6, ses->idle_expires_ms));
    GH_ENSURE((unsigned)ses->status < 3, GH_E_INVALID);
    GH_TRY(bind_text(s, 7, session_status_names[ses->status]));
    GH_TRY(bind_i64(s, 8, key_id));
    GH_TRY(bind_blob(s, 9, digest, 32));
    return run(s);
}

/* GH_SESSION_COLS. */
static gh_err
read_session(sqlite3_stmt *s, struct gh_session *ses)
{
    int status = 0;

    memset(ses, 0, sizeof(*ses));
    GH_TRY(col_text(s, 0, ses->sid, sizeof(ses->sid)));
    GH_TRY(col_text(s, 1, ses->user_sid, sizeof(ses->user_sid)));
    ses->created_ms = sqlite3_column_int64(s, 2);
    ses->last_seen_ms = sqlite3_column_int64(s, 3);
    ses->expires_ms = sqlite3_column_int64(s, 4);
    ses->idle_expires_ms = sqlite3_column_int64(s, 5);
    GH_TRY(col_enum(s, 6, session_status_names, 3, &status));
    ses->status = (enum gh_session_status)status;
    return GH_OK;
}

/* GH_SESSION_COLS, then key_id and token_digest. */
static gh_err
read_session_digest(sqlite3_stmt *s, struct gh_session *ses, uint32_t *key_id, uint8_t digest[32])
{
    size_t len = 0;

    GH_TRY(read_session(s, ses));
    *key_id = (uint32_t)sqlite3_column_int64(s, 7);
    GH_TRY(col_blob(s, 8, digest, 32, &len));
    GH_ENSURE(len == 32, GH_E_STORE);
    return GH_OK;
}

static gh_err
sqlite_session_get(struct gh_tx *tx, const char *sid, struct gh_session *out, uint32_t *key_id,
                   uint8_t digest[32])
{
    sqlite3_stmt *s;
    gh_err rc;
    int step;

    memset(out, 0, sizeof(*out));
    *key_id = 0;
    memset(digest, 0, 32);
    GH_TRY(stmt(tx, S_SESSION_GET, &s));
    GH_TRY(bind_text(s, 1, sid));
    step = sqlite3_step(s);
    rc = step == SQLITE_ROW    ? read_session_digest(s, out, key_id, digest)
         : step == SQLITE_DONE ? GH_E_NOT_FOUND
                               : map_rc(step);
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_session_touch(struct gh_tx *tx, const char *sid, int64_t last_seen_ms,
                     int64_t idle_expires_ms)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_SESSION_TOUCH, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(bind_i64(s, 2, last_seen_ms));
    GH_TRY(bind_i64(s, 3, idle_expires_ms));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_session_delete(struct gh_tx *tx, const char *sid)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_SESSION_DELETE, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_session_delete_user(struct gh_tx *tx, const char *user_sid, const char *keep_sid, int64_t *n)
{
    sqlite3_stmt *s;

    *n = 0;
    GH_TRY(stmt(tx, S_SESSION_DELETE_USER, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_text(s, 2, keep_sid));
    GH_TRY(run(s));
    *n = sqlite3_changes(conn_of(tx)->db);
    return GH_OK;
}

static gh_err
sqlite_session_list(struct gh_tx *tx, const char *user_sid, struct gh_session *out, size_t cap,
                    size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_SESSION_LIST, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_i64(s, 2, (int64_t)cap));
    while (rc == GH_OK && *n < cap && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_session(s, &out[*n]);
        *n += rc == GH_OK ? 1 : 0;
    }
    if (rc == GH_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- throttles ---- */

static gh_err
sqlite_throttle_get(struct gh_tx *tx, const char *key, struct gh_throttle *out)
{
    sqlite3_stmt *s;
    int step;

    memset(out, 0, sizeof(*out)); /* a key never seen has no failures */
    GH_TRY(stmt(tx, S_THROTTLE_GET, &s));
    GH_TRY(bind_text(s, 1, key));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        out->failures = sqlite3_column_int64(s, 0);
        out->window_start_ms = sqlite3_column_int64(s, 1);
        out->locked_until_ms = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return step == SQLITE_ROW ? GH_OK : map_rc(step);
}

static gh_err
sqlite_throttle_put(struct gh_tx *tx, const char *key, const struct gh_throttle *t)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_THROTTLE_PUT, &s));
    GH_TRY(bind_text(s, 1, key));
    GH_TRY(bind_i64(s, 2, t->failures));
    GH_TRY(bind_i64(s, 3, t->window_start_ms));
    GH_TRY(bind_i64(s, 4, t->locked_until_ms));
    return run(s);
}

/* ---- revoked access tokens and token settings ---- */

static gh_err
sqlite_revoked_put(struct gh_tx *tx, const char *jti, const char *account_sid, int64_t expires_ms)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_REVOKED_PUT, &s));
    GH_TRY(bind_text(s, 1, jti));
    GH_TRY(bind_text(s, 2, account_sid));
    GH_TRY(bind_i64(s, 3, expires_ms));
    return run(s);
}

static gh_err
sqlite_revoked_get(struct gh_tx *tx, const char *jti, bool *revoked)
{
    sqlite3_stmt *s;
    int step;

    *revoked = false;
    GH_TRY(stmt(tx, S_REVOKED_GET, &s));
    GH_TRY(bind_text(s, 1, jti));
    step = sqlite3_step(s);
    *revoked = step == SQLITE_ROW;
    sqlite3_reset(s);
    return step == SQLITE_ROW || step == SQLITE_DONE ? GH_OK : map_rc(step);
}

static gh_err
sqlite_revoked_sweep(struct gh_tx *tx, int64_t now_ms, int64_t *n)
{
    sqlite3_stmt *s;

    *n = 0;
    GH_TRY(stmt(tx, S_REVOKED_SWEEP, &s));
    GH_TRY(bind_i64(s, 1, now_ms));
    GH_TRY(run(s));
    *n = sqlite3_changes(conn_of(tx)->db);
    return GH_OK;
}

static gh_err
sqlite_setting_get(struct gh_tx *tx, const char *sid, int64_t *value)
{
    sqlite3_stmt *s;
    int step;

    *value = 0;
    GH_TRY(stmt(tx, S_SETTING_GET, &s));
    GH_TRY(bind_text(s, 1, sid));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *value = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    return step == SQLITE_ROW || step == SQLITE_DONE ? GH_OK : map_rc(step);
}

static gh_err
sqlite_setting_put(struct gh_tx *tx, const char *sid, int64_t value)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_SETTING_PUT, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(bind_i64(s, 2, value));
    return run(s);
}

/* ---- second factors and recovery codes ---- */

static const char *const factor_status_names[] = {"unverified", "verified"};
static const char *const factor_alg_names[] = {"SHA1", "SHA256", "SHA512"};

/* GH_FACTOR_COLS from column 0. */
static gh_err
read_factor(sqlite3_stmt *s, struct gh_factor *f)
{
    int status = 0;
    int alg = 0;

    memset(f, 0, sizeof(*f));
    GH_TRY(col_text(s, 0, f->sid, sizeof(f->sid)));
    GH_TRY(col_text(s, 1, f->user_sid, sizeof(f->user_sid)));
    GH_TRY(col_enum(s, 2, factor_status_names, 2, &status));
    GH_TRY(col_enum(s, 3, factor_alg_names, 3, &alg));
    f->status = (enum gh_factor_status)status;
    f->alg = alg;
    f->digits = (unsigned)sqlite3_column_int64(s, 4);
    f->period_s = (unsigned)sqlite3_column_int64(s, 5);
    f->last_step = sqlite3_column_int64(s, 6);
    f->created_ms = sqlite3_column_int64(s, 7);
    f->updated_ms = sqlite3_column_int64(s, 8);
    f->expires_ms = sqlite3_column_int64(s, 9);
    return GH_OK;
}

static gh_err
sqlite_factor_insert(struct gh_tx *tx, const struct gh_factor *f, const struct gh_sealed *secret)
{
    sqlite3_stmt *s;

    GH_ENSURE((int)f->status >= 0 && (int)f->status < 2 && f->alg >= 0 && f->alg < 3, GH_E_INVALID);
    GH_TRY(stmt(tx, S_FACTOR_INSERT, &s));
    GH_TRY(bind_text(s, 1, f->sid));
    GH_TRY(bind_text(s, 2, f->user_sid));
    GH_TRY(bind_text(s, 3, factor_status_names[f->status]));
    GH_TRY(bind_text(s, 4, factor_alg_names[f->alg]));
    GH_TRY(bind_i64(s, 5, f->digits));
    GH_TRY(bind_i64(s, 6, f->period_s));
    GH_TRY(bind_i64(s, 7, f->last_step));
    GH_TRY(bind_i64(s, 8, f->created_ms));
    GH_TRY(bind_i64(s, 9, f->updated_ms));
    GH_TRY(bind_i64(s, 10, f->expires_ms));
    GH_TRY(bind_i64(s, 11, secret->key_id));
    GH_TRY(bind_blob(s, 12, secret->ct, secret->ct_len));
    GH_TRY(bind_blob(s, 13, secret->lookup, sizeof(secret->lookup)));
    return run(s);
}

static gh_err
sqlite_factor_get(struct gh_tx *tx, const char *sid, struct gh_factor *out,
                  struct gh_sealed *secret)
{
    sqlite3_stmt *s;
    gh_err rc = GH_E_NOT_FOUND;
    int step;

    GH_TRY(stmt(tx, S_FACTOR_GET, &s));
    GH_TRY(bind_text(s, 1, sid));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        rc = read_factor(s, out);
        if (rc == GH_OK && secret != NULL) {
            memset(secret, 0, sizeof(*secret));
            secret->kind = GH_SEALED_FACTOR;
            memcpy(secret->owner, out->sid, sizeof(secret->owner));
            rc = read_sealed(s, 10, secret);
            secret->created_ms = out->created_ms;
            secret->updated_ms = out->updated_ms;
        }
    } else if (step != SQLITE_DONE) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

static gh_err
sqlite_factor_list(struct gh_tx *tx, const char *user_sid, struct gh_factor *out, size_t cap,
                   size_t *n)
{
    sqlite3_stmt *s;
    gh_err rc = GH_OK;
    int step = SQLITE_DONE;

    *n = 0;
    GH_TRY(stmt(tx, S_FACTOR_LIST, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_i64(s, 2, (int64_t)cap));
    while (rc == GH_OK && *n < cap && (step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = read_factor(s, &out[*n]);
        *n += rc == GH_OK ? 1 : 0;
    }
    if (rc == GH_OK && step != SQLITE_DONE && step != SQLITE_ROW) {
        rc = map_rc(step);
    }
    sqlite3_reset(s);
    return rc;
}

/* Runs a statement bound to (sid, step, now_ms); *changed: rows it changed. */
static gh_err
factor_update(struct gh_tx *tx, enum stmt_id id, const char *sid, int64_t step, int64_t now_ms,
              int *changed)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, id, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(bind_i64(s, 2, step));
    GH_TRY(bind_i64(s, 3, now_ms));
    GH_TRY(run(s));
    *changed = sqlite3_changes(conn_of(tx)->db);
    return GH_OK;
}

static gh_err
sqlite_factor_verify(struct gh_tx *tx, const char *sid, int64_t step, int64_t now_ms)
{
    int changed = 0;

    GH_TRY(factor_update(tx, S_FACTOR_VERIFY, sid, step, now_ms, &changed));
    return changed == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_factor_advance(struct gh_tx *tx, const char *sid, int64_t step, int64_t now_ms,
                      bool *advanced)
{
    int changed = 0;

    *advanced = false;
    GH_TRY(factor_update(tx, S_FACTOR_ADVANCE, sid, step, now_ms, &changed));
    *advanced = changed == 1;
    return GH_OK;
}

static gh_err
sqlite_factor_delete(struct gh_tx *tx, const char *sid)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_FACTOR_DELETE, &s));
    GH_TRY(bind_text(s, 1, sid));
    GH_TRY(run(s));
    return sqlite3_changes(conn_of(tx)->db) == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
sqlite_factor_sweep(struct gh_tx *tx, const char *user_sid, int64_t now_ms, int64_t *n)
{
    sqlite3_stmt *s;

    *n = 0;
    GH_TRY(stmt(tx, S_FACTOR_SWEEP, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_i64(s, 2, now_ms));
    GH_TRY(run(s));
    *n = sqlite3_changes(conn_of(tx)->db);
    return GH_OK;
}

static gh_err
sqlite_recovery_replace(struct gh_tx *tx, const char *user_sid, const uint8_t (*digests)[32],
                        size_t n, int64_t now_ms)
{
    sqlite3_stmt *s;

    GH_TRY(stmt(tx, S_RECOVERY_DELETE, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(run(s));
    for (size_t i = 0; i < n; i++) {
        GH_TRY(stmt(tx, S_RECOVERY_INSERT, &s));
        GH_TRY(bind_text(s, 1, user_sid));
        GH_TRY(bind_blob(s, 2, digests[i], 32));
        GH_TRY(bind_i64(s, 3, now_ms));
        GH_TRY(run(s));
    }
    return GH_OK;
}

static gh_err
sqlite_recovery_use(struct gh_tx *tx, const char *user_sid, const uint8_t digest[32],
                    int64_t now_ms, bool *used)
{
    sqlite3_stmt *s;

    *used = false;
    GH_TRY(stmt(tx, S_RECOVERY_USE, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    GH_TRY(bind_blob(s, 2, digest, 32));
    GH_TRY(bind_i64(s, 3, now_ms));
    GH_TRY(run(s));
    *used = sqlite3_changes(conn_of(tx)->db) == 1;
    return GH_OK;
}

static gh_err
sqlite_recovery_left(struct gh_tx *tx, const char *user_sid, int64_t *n)
{
    sqlite3_stmt *s;
    int step;

    *n = 0;
    GH_TRY(stmt(tx, S_RECOVERY_LEFT, &s));
    GH_TRY(bind_text(s, 1, user_sid));
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *n = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    return step == SQLITE_ROW ? GH_OK : map_rc(step);
}

static const struct gh_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .revision = sqlite_revision,
    .migrate = sqlite_migrate,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .meta_get = sqlite_meta_get,
    .meta_put = sqlite_meta_put,
    .account_insert = sqlite_account_insert,
    .account_get = sqlite_account_get,
    .account_update = sqlite_account_update,
    .account_list = sqlite_account_list,
    .account_count_children = sqlite_account_count_children,
    .token_insert = sqlite_token_insert,
    .token_get = sqlite_token_get,
    .token_delete = sqlite_token_delete,
    .token_promote = sqlite_token_promote,
    .key_insert = sqlite_key_insert,
    .key_get = sqlite_key_get,
    .key_update = sqlite_key_update,
    .key_delete = sqlite_key_delete,
    .key_list = sqlite_key_list,
    .sealed_each = sqlite_sealed_each,
    .sealed_update = sqlite_sealed_update,
    .audit_last = sqlite_audit_last,
    .audit_insert = sqlite_audit_insert,
    .audit_each = sqlite_audit_each,
    .audit_list = sqlite_audit_list,
    .user_insert = sqlite_user_insert,
    .user_get = sqlite_user_get,
    .user_get_by_email = sqlite_user_get_by_email,
    .user_set_passphrase = sqlite_user_set_passphrase,
    .history_add = sqlite_history_add,
    .history_list = sqlite_history_list,
    .history_trim = sqlite_history_trim,
    .membership_put = sqlite_membership_put,
    .membership_get = sqlite_membership_get,
    .membership_list = sqlite_membership_list,
    .membership_fetch = sqlite_membership_fetch,
    .membership_delete = sqlite_membership_delete,
    .membership_count = sqlite_membership_count,
    .membership_owner = sqlite_membership_owner,
    .ownership_offer_put = sqlite_ownership_offer_put,
    .ownership_offer_get = sqlite_ownership_offer_get,
    .ownership_offer_delete = sqlite_ownership_offer_delete,
    .session_insert = sqlite_session_insert,
    .session_get = sqlite_session_get,
    .session_touch = sqlite_session_touch,
    .session_set_status = sqlite_session_set_status,
    .session_delete = sqlite_session_delete,
    .session_delete_user = sqlite_session_delete_user,
    .session_list = sqlite_session_list,
    .throttle_get = sqlite_throttle_get,
    .throttle_put = sqlite_throttle_put,
    .revoked_put = sqlite_revoked_put,
    .revoked_get = sqlite_revoked_get,
    .revoked_sweep = sqlite_revoked_sweep,
    .setting_get = sqlite_setting_get,
    .setting_put = sqlite_setting_put,
    .factor_insert = sqlite_factor_insert,
    .factor_get = sqlite_factor_get,
    .factor_list = sqlite_factor_list,
    .factor_verify = sqlite_factor_verify,
    .factor_advance = sqlite_factor_advance,
    .factor_delete = sqlite_factor_delete,
    .factor_sweep = sqlite_factor_sweep,
    .recovery_replace = sqlite_recovery_replace,
    .recovery_use = sqlite_recovery_use,
    .recovery_left = sqlite_recovery_left,
};
