/*
 * store_pg.c -- the PostgreSQL backend (libpq), for several servers on one database.
 *
 * A fixed pool of connections, each preparing its statements on first use; every value is
 * bound.  Read transactions are REPEATABLE READ READ ONLY (one snapshot); write transactions
 * are READ COMMITTED and first update the single write_lock row, so writers from every server
 * run one at a time (the audit chain and the subaccount cap need that) and no write can be
 * lost; that row's revision is also the change counter the read cache (cache.c) checks on
 * every transaction.  A serialization failure or deadlock (from databases that run everything SERIALIZABLE)
 * is GH_E_RETRY, and the use case runs again (gh__transact).  A connection that breaks is
 * reopened by the next transaction that borrows it, so a restarted server is picked up again.
 * Everything PostgreSQL-specific in the SQL (placeholders, casts, the "C" collation of SIDs in
 * ORDER BY) is here; the schema files are shared with SQLite.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "store/pool.h"
#include "store/rows.h"
#include "store/store.h"

#define PARAMS_MAX        16
#define MIGRATION_LOCK_ID 7212341

#define STMT_ENUM_(name) S_##name,
enum stmt_id { GH_STORE_STATEMENTS(STMT_ENUM_) S_COUNT_ };
#undef STMT_ENUM_

/* Keyset paging on columns (CMS, CSID) after (MS, SID) unless SID is ''; SIDs compare bytewise. */
#define KEYSET_ON(cms, csid, ms, sid)                                                              \
    "(" sid "::text = '' OR " cms " > " ms "::bigint OR "                                          \
    "(" cms " = " ms "::bigint AND " csid " COLLATE \"C\" > " sid "::text))"
#define PAGE_ORDER_ON(cms, csid, limit, offset)                                                    \
    " ORDER BY " cms ", " csid " COLLATE \"C\" LIMIT " limit "::bigint OFFSET " offset "::bigint"
#define KEYSET(ms, sid)                  KEYSET_ON("created_ms", "sid", ms, sid)
#define PAGE_ORDER(limit, offset)        PAGE_ORDER_ON("created_ms", "sid", limit, offset)
/* Members: memberships m in (created_ms, user_sid) order. */
#define MEMBER_KEYSET(ms, sid)           KEYSET_ON("m.created_ms", "m.user_sid", ms, sid)
#define MEMBER_PAGE_ORDER(limit, offset) PAGE_ORDER_ON("m.created_ms", "m.user_sid", limit, offset)

static const char *const sql[S_COUNT_] = {
    [S_META_GET] = "SELECT value FROM meta WHERE name = $1",
    [S_META_PUT] = "INSERT INTO meta (name, value) VALUES ($1, $2) "
                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    [S_ACCOUNT_INSERT] =
        "INSERT INTO accounts (" GH_ACCOUNT_COLS ") VALUES ($1, $2, $3, $4, $5, $6)",
    [S_ACCOUNT_GET] = "SELECT " GH_ACCOUNT_COLS " FROM accounts WHERE sid = $1",
    [S_ACCOUNT_UPDATE] = "UPDATE accounts SET friendly_name = $2, status = $3, updated_ms = $4 "
                         "WHERE sid = $1",
    [S_ACCOUNT_LIST] = "SELECT " GH_ACCOUNT_COLS " FROM accounts "
                       "WHERE (sid = $1 OR ($6::boolean AND parent_sid = $1)) "
                       "AND ($2::text IS NULL OR friendly_name = $2::text) "
                       "AND ($3::text IS NULL OR status = $3::text) "
                       "AND " KEYSET("$4", "$5") PAGE_ORDER("$7", "$8"),
    [S_ACCOUNT_COUNT_CHILDREN] = "SELECT count(*) FROM accounts WHERE parent_sid = $1",
    [S_TOKEN_INSERT] = "INSERT INTO auth_tokens (account_sid, slot, key_id, ciphertext, "
                       "lookup_hash, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [S_TOKEN_GET] = "SELECT slot, key_id, ciphertext, lookup_hash, created_ms, updated_ms "
                    "FROM auth_tokens WHERE account_sid = $1",
    [S_TOKEN_DELETE] = "DELETE FROM auth_tokens WHERE account_sid = $1 AND slot = $2",
    [S_TOKEN_PROMOTE] = "UPDATE auth_tokens SET slot = 'primary', updated_ms = $2 "
                        "WHERE account_sid = $1 AND slot = 'secondary'",
    [S_KEY_INSERT] = "INSERT INTO api_keys (" GH_KEY_COLS ") "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    [S_KEY_GET] = "SELECT " GH_KEY_COLS " FROM api_keys WHERE sid = $1",
    [S_KEY_UPDATE] = "UPDATE api_keys SET friendly_name = $2, permissions = $3, updated_ms = $4 "
                     "WHERE sid = $1",
    [S_KEY_DELETE] = "DELETE FROM api_keys WHERE sid = $1",
    [S_KEY_LIST] = "SELECT " GH_KEY_COLS " FROM api_keys WHERE account_sid = $1 "
                   "AND (($2::boolean AND type = 'signing') OR "
                   "(NOT $2::boolean AND type <> 'signing')) "
                   "AND " KEYSET("$3", "$4") PAGE_ORDER("$5", "$6"),
    [S_TOKEN_ALL] = "SELECT account_sid, slot, key_id, ciphertext, lookup_hash, created_ms, "
                    "updated_ms FROM auth_tokens ORDER BY account_sid, slot",
    [S_KEY_ALL] = "SELECT sid, key_id, ciphertext, lookup_hash, created_ms, updated_ms "
                  "FROM api_keys ORDER BY sid",
    [S_TOKEN_RESEAL] = "UPDATE auth_tokens SET key_id = $3, ciphertext = $4, lookup_hash = $5 "
                       "WHERE account_sid = $1 AND slot = $2",
    [S_KEY_RESEAL] = "UPDATE api_keys SET key_id = $3, ciphertext = $4, lookup_hash = $5 "
                     "WHERE sid = $1 AND $2::text IS NOT NULL",
    [S_AUDIT_LAST] = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
    [S_AUDIT_INSERT] = "INSERT INTO audit_events (seq, time_ms, actor, action, target, "
                       "remote_addr, user_agent, outcome, detail, prev_hash, hash, account_sid) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    [S_AUDIT_EACH] = "SELECT " GH_AUDIT_COLS " FROM audit_events WHERE seq > $1 ORDER BY seq",
    [S_AUDIT_LIST] = "SELECT " GH_AUDIT_COLS " FROM audit_events WHERE account_sid = $1 "
                     "AND ($2::bigint = 0 OR seq < $2::bigint) ORDER BY seq DESC "
                     "LIMIT $3::bigint",
    [S_USER_INSERT] = "INSERT INTO users (" GH_USER_COLS ", email_key) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    [S_USER_GET] = "SELECT " GH_USER_COLS " FROM users WHERE sid = $1",
    [S_USER_GET_BY_EMAIL] = "SELECT " GH_USER_COLS " FROM users WHERE email_key = $1",
    [S_USER_SET_PASSPHRASE] = "UPDATE users SET passphrase_hash = $2, passphrase_set_ms = $3, "
                              "must_change = $4, updated_ms = $5 WHERE sid = $1",
    [S_HISTORY_ADD] = "INSERT INTO passphrase_history (user_sid, set_ms, passphrase_hash) "
                      "VALUES ($1, $2, $3)",
    [S_HISTORY_LIST] = "SELECT passphrase_hash FROM passphrase_history WHERE user_sid = $1 "
                       "ORDER BY set_ms DESC LIMIT $2::bigint",
    [S_HISTORY_TRIM] = "DELETE FROM passphrase_history WHERE user_sid = $1 AND set_ms NOT IN "
                       "(SELECT set_ms FROM passphrase_history WHERE user_sid = $1 "
                       "ORDER BY set_ms DESC LIMIT $2::bigint)",
    [S_MEMBERSHIP_PUT] = "INSERT INTO memberships (user_sid, account_sid, role, created_ms, "
                         "updated_ms) VALUES ($1, $2, $3, $4, $4) "
                         "ON CONFLICT (user_sid, account_sid) DO UPDATE "
                         "SET role = excluded.role, updated_ms = excluded.updated_ms",
    [S_MEMBERSHIP_GET] = "SELECT role FROM memberships WHERE user_sid = $1 AND account_sid = $2",
    [S_SESSION_INSERT] = "INSERT INTO sessions (" GH_SESSION_COLS ", key_id, token_digest) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    [S_SESSION_GET] =
        "SELECT " GH_SESSION_COLS ", key_id, token_digest FROM sessions WHERE sid = $1",
    [S_SESSION_TOUCH] =
        "UPDATE sessions SET last_seen_ms = $2, idle_expires_ms = $3 WHERE sid = $1",
    [S_SESSION_DELETE] = "DELETE FROM sessions WHERE sid = $1",
    [S_SESSION_DELETE_USER] =
        "DELETE FROM sessions WHERE user_sid = $1 AND ($2::text IS NULL OR sid <> $2::text)",
    [S_SESSION_LIST] = "SELECT " GH_SESSION_COLS " FROM sessions WHERE user_sid = $1 "
                       "ORDER BY created_ms, sid COLLATE \"C\" LIMIT $2::bigint",
    [S_THROTTLE_GET] =
        "SELECT failures, window_start_ms, locked_until_ms FROM throttles WHERE name = $1",
    [S_THROTTLE_PUT] = "INSERT INTO throttles (name, failures, window_start_ms, locked_until_ms) "
                       "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE "
                       "SET failures = excluded.failures, "
                       "window_start_ms = excluded.window_start_ms, "
                       "locked_until_ms = excluded.locked_until_ms",
    [S_REVOKED_PUT] = "INSERT INTO revoked_tokens (jti, account_sid, expires_ms) "
                      "VALUES ($1, $2, $3) ON CONFLICT (jti) DO UPDATE SET expires_ms = "
                      "CASE WHEN excluded.expires_ms > revoked_tokens.expires_ms "
                      "THEN excluded.expires_ms ELSE revoked_tokens.expires_ms END",
    [S_REVOKED_GET] = "SELECT 1 FROM revoked_tokens WHERE jti = $1",
    [S_REVOKED_SWEEP] = "DELETE FROM revoked_tokens WHERE expires_ms < $1",
    [S_SETTING_GET] = "SELECT value FROM token_settings WHERE sid = $1",
    [S_SETTING_PUT] = "INSERT INTO token_settings (sid, value) VALUES ($1, $2) "
                      "ON CONFLICT (sid) DO UPDATE SET value = excluded.value",
    [S_FACTOR_INSERT] = "INSERT INTO factors (" GH_FACTOR_COLS ", key_id, ciphertext, lookup_hash) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    [S_FACTOR_GET] = "SELECT " GH_FACTOR_COLS ", key_id, ciphertext, lookup_hash FROM factors "
                     "WHERE sid = $1",
    [S_FACTOR_LIST] = "SELECT " GH_FACTOR_COLS " FROM factors WHERE user_sid = $1 "
                      "ORDER BY created_ms, sid COLLATE \"C\" LIMIT $2::bigint",
    [S_FACTOR_VERIFY] = "UPDATE factors SET status = 'verified', last_step = $2, expires_ms = 0, "
                        "updated_ms = $3 WHERE sid = $1 AND status = 'unverified'",
    [S_FACTOR_ADVANCE] = "UPDATE factors SET last_step = $2, updated_ms = $3 "
                         "WHERE sid = $1 AND last_step < $2",
    [S_FACTOR_DELETE] = "DELETE FROM factors WHERE sid = $1",
    [S_FACTOR_SWEEP] = "DELETE FROM factors WHERE user_sid = $1 AND status = 'unverified' "
                       "AND expires_ms <= $2",
    [S_FACTOR_ALL] = "SELECT sid, key_id, ciphertext, lookup_hash, created_ms, updated_ms "
                     "FROM factors ORDER BY sid",
    [S_FACTOR_RESEAL] = "UPDATE factors SET key_id = $3, ciphertext = $4, lookup_hash = $5 "
                        "WHERE sid = $1 AND $2::text IS NOT NULL",
    [S_RECOVERY_DELETE] = "DELETE FROM recovery_codes WHERE user_sid = $1",
    [S_RECOVERY_INSERT] = "INSERT INTO recovery_codes (user_sid, digest, used_ms, created_ms) "
                          "VALUES ($1, $2, 0, $3)",
    [S_RECOVERY_USE] = "UPDATE recovery_codes SET used_ms = $3 "
                       "WHERE user_sid = $1 AND digest = $2 AND used_ms = 0",
    [S_SESSION_SET_STATUS] =
        "UPDATE sessions SET status = $2, expires_ms = $3, idle_expires_ms = $4 WHERE sid = $1",
    [S_RECOVERY_LEFT] = "SELECT count(*) FROM recovery_codes WHERE user_sid = $1 AND used_ms = 0",
    [S_MEMBERSHIP_LIST] = "SELECT " GH_MEMBER_COLS GH_MEMBER_FROM "WHERE m.account_sid = $1 "
                          "AND " MEMBER_KEYSET("$2", "$3") MEMBER_PAGE_ORDER("$4", "$5"),
    [S_MEMBERSHIP_FETCH] =
        "SELECT " GH_MEMBER_COLS GH_MEMBER_FROM "WHERE m.user_sid = $1 AND m.account_sid = $2",
    [S_MEMBERSHIP_DELETE] = "DELETE FROM memberships WHERE user_sid = $1 AND account_sid = $2",
    [S_MEMBERSHIP_COUNT] = "SELECT count(*) FROM memberships WHERE account_sid = $1",
    [S_MEMBERSHIP_OWNER] = "SELECT user_sid FROM memberships WHERE account_sid = $1 AND role = $2 "
                           "ORDER BY created_ms, user_sid COLLATE \"C\" LIMIT 1",
    [S_OFFER_PUT] = "INSERT INTO ownership_offers (" GH_OFFER_COLS ") VALUES ($1, $2, $3, $4, $5) "
                    "ON CONFLICT (account_sid) DO UPDATE "
                    "SET from_user_sid = excluded.from_user_sid, "
                    "to_user_sid = excluded.to_user_sid, created_ms = excluded.created_ms, "
                    "expires_ms = excluded.expires_ms",
    [S_OFFER_GET] = "SELECT " GH_OFFER_COLS " FROM ownership_offers WHERE account_sid = $1",
    [S_OFFER_DELETE] = "DELETE FROM ownership_offers WHERE account_sid = $1",
};

struct conn {
    struct gh_tx tx; /* first: a tx is its connection */
    PGconn *pg;
    bool prepared[S_COUNT_];
    size_t slot; /* its index in the pool */
    bool failed; /* a statement failed: the transaction must end with ROLLBACK */
};

struct pg_store {
    struct gh_store base;
    char *conninfo;
    struct gh_pool pool;
    size_t n;
    struct conn *conns;
};

static const struct gh_store_ops pg_ops;

static struct conn *
conn_of(struct gh_tx *tx)
{
    return (struct conn *)tx;
}

/* ---- errors ---- */

static bool
connection_lost(const struct conn *c)
{
    return c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK;
}

/* Maps a failed result (NULL: the connection failed) to an error code. */
static gh_err
map_error(struct conn *c, const PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    c->failed = true;
    if (state == NULL || connection_lost(c)) {
        return GH_E_RETRY; /* the connection broke: reopened by the next transaction */
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        return GH_E_RETRY; /* serialization failure, deadlock */
    }
    if (strncmp(state, "23", 2) == 0) {
        return GH_E_CONFLICT; /* integrity constraint */
    }
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        strncmp(state, "53", 2) == 0) {
        return GH_E_UNREACHABLE; /* connection, shutdown, resources */
    }
    if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) {
        return GH_E_BUSY; /* statement_timeout, lock_timeout: try again later */
    }
    return GH_E_STORE;
}

/* ---- parameters ---- */

struct params {
    int n;
    const char *values[PARAMS_MAX];
    int lengths[PARAMS_MAX];
    int formats[PARAMS_MAX];
    char numbers[PARAMS_MAX][24];
};

static void
p_text(struct params *p, const char *v)
{
    if (p->n >= PARAMS_MAX) {
        p->n = PARAMS_MAX + 1; /* too many: exec_stmt refuses to run it */
        return;
    }
    p->values[p->n] = v;
    p->lengths[p->n] = 0;
    p->formats[p->n] = 0;
    p->n++;
}

static void
p_i64(struct params *p, int64_t v)
{
    if (p->n >= PARAMS_MAX) {
        p->n = PARAMS_MAX + 1;
        return;
    }
    snprintf(p->numbers[p->n], sizeof(p->numbers[0]), "%" PRId64, v);
    p_text(p, p->numbers[p->n]);
}

static void
p_bool(struct params *p, bool v)
{
    p_text(p, v ? "true" : "false");
}

static void
p_blob(struct params *p, const void *v, size_t len)
{
    if (p->n >= PARAMS_MAX) {
        p->n = PARAMS_MAX + 1;
        return;
    }
    p->values[p->n] = v;
    p->lengths[p->n] = (int)len;
    p->formats[p->n] = 1; /* binary: bytea without escaping */
    p->n++;
}

/* ---- statements ---- */

static gh_err
prepare(struct conn *c, enum stmt_id id, int nparams)
{
    char name[16];
    PGresult *res;
    gh_err rc = GH_OK;

    if (c->prepared[id]) {
        return GH_OK;
    }
    snprintf(name, sizeof(name), "gh%d", (int)id);
    res = PQprepare(c->pg, name, sql[id], nparams, NULL);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = map_error(c, res);
    }
    PQclear(res);
    c->prepared[id] = rc == GH_OK;
    return rc;
}

/* Executes statement id; *out (tuples) must be PQclear'ed by the caller, on success only. */
static gh_err
exec_stmt(struct gh_tx *tx, enum stmt_id id, const struct params *p, PGresult **out)
{
    struct conn *c = conn_of(tx);
    char name[16];
    PGresult *res;
    ExecStatusType st;

    *out = NULL;
    GH_ENSURE(!c->failed, GH_E_STORE);
    GH_ENSURE(p->n <= PARAMS_MAX, GH_E_INTERNAL); /* a statement with more than PARAMS_MAX */
    GH_TRY(prepare(c, id, p->n));
    snprintf(name, sizeof(name), "gh%d", (int)id);
    res = PQexecPrepared(c->pg, name, p->n, p->values, p->lengths, p->formats, 0);
    st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        gh_err rc = map_error(c, res);

        PQclear(res);
        return rc;
    }
    *out = res;
    return GH_OK;
}

/* Executes a statement that returns no rows; affected receives the row count (may be NULL). */
static gh_err
exec_cmd(struct gh_tx *tx, enum stmt_id id, const struct params *p, long *affected)
{
    PGresult *res;

    GH_TRY(exec_stmt(tx, id, p, &res));
    if (affected != NULL) {
        *affected = strtol(PQcmdTuples(res), NULL, 10);
    }
    PQclear(res);
    return GH_OK;
}

static gh_err
one_row_changed(long affected)
{
    return affected == 1 ? GH_OK : GH_E_NOT_FOUND;
}

/* ---- columns ---- */

static gh_err
col_text(const PGresult *r, int row, int col, char *out, size_t cap)
{
    const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);

    return gh__strlcpy(out, v, cap) == GH_OK ? GH_OK : GH_E_STORE;
}

static int64_t
col_i64(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static gh_err
col_blob(const PGresult *r, int row, int col, void *out, size_t cap, size_t *len)
{
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    gh_err rc = GH_OK;

    if (raw == NULL) {
        return GH_E_NOMEM;
    }
    if (n > cap) {
        rc = GH_E_STORE;
    } else {
        memcpy(out, raw, n);
        if (len != NULL) {
            *len = n;
        }
    }
    gh_wipe(raw, n);
    PQfreemem(raw);
    return rc;
}

static gh_err
col_enum(const PGresult *r, int row, int col, const char *const *names, size_t n, int *out)
{
    *out = gh__name_index(names, n, PQgetvalue(r, row, col));
    return *out < 0 ? GH_E_STORE : GH_OK;
}

/* ---- connections and transactions ---- */

static void
ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static gh_err
connect_conn(struct pg_store *s, struct conn *c)
{
    if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK) {
        return GH_OK;
    }
    if (c->pg != NULL) {
        PQfinish(c->pg);
    }
    memset(c->prepared, 0, sizeof(c->prepared)); /* a new session knows no statements */
    c->pg = PQconnectdb(s->conninfo);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        return GH_E_UNREACHABLE;
    }
    PQsetErrorVerbosity(c->pg, PQERRORS_TERSE);
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL); /* the library never prints */
    return GH_OK;
}

static struct conn *
acquire(struct pg_store *s)
{
    return &s->conns[gh__pool_acquire(&s->pool)];
}

static void
release(struct conn *c)
{
    gh__pool_release(&((struct pg_store *)c->tx.store)->pool, c->slot);
}

/* Runs a simple (unprepared) command string. */
static gh_err
simple(struct conn *c, const char *text)
{
    PGresult *res = PQexec(c->pg, text);
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    gh_err rc = GH_OK;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = map_error(c, res);
    }
    PQclear(res);
    return rc;
}

static const char begin_read[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char begin_write[] = "BEGIN ISOLATION LEVEL READ COMMITTED; "
                                  "UPDATE write_lock SET revision = revision + 1 WHERE id = 1";

static gh_err
pg_begin(struct gh_store *st, enum gh_tx_mode mode, struct gh_tx **out)
{
    struct pg_store *s = (struct pg_store *)st;
    struct conn *c = acquire(s);
    gh_err rc = GH_E_RETRY;

    *out = NULL;
    c->tx.mode = mode;
    /* A connection the database dropped (a restart) fails its first command: reopen, once. */
    for (int attempt = 0; attempt < 2; attempt++) {
        c->failed = false;
        rc = connect_conn(s, c);
        if (rc != GH_OK) {
            break;
        }
        rc = simple(c, mode == GH_TX_WRITE ? begin_write : begin_read);
        if (rc == GH_OK || !connection_lost(c)) {
            break;
        }
    }
    if (rc != GH_OK && !connection_lost(c) && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PGresult *res = PQexec(c->pg, "ROLLBACK");

        PQclear(res);
    }
    if (rc != GH_OK) {
        release(c);
        return rc == GH_E_RETRY ? GH_E_UNREACHABLE : rc;
    }
    c->failed = false;
    *out = &c->tx;
    return GH_OK;
}

static void
pg_rollback(struct gh_tx *tx)
{
    struct conn *c;

    if (tx == NULL) {
        return;
    }
    c = conn_of(tx);
    if (!connection_lost(c) && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PGresult *res = PQexec(c->pg, "ROLLBACK");

        PQclear(res);
    }
    release(c);
}

static gh_err
pg_commit(struct gh_tx *tx)
{
    struct conn *c = conn_of(tx);
    gh_err rc;

    if (c->failed) {
        pg_rollback(tx);
        return GH_E_STORE;
    }
    rc = simple(c, "COMMIT");
    if (rc == GH_E_RETRY && connection_lost(c)) {
        rc = GH_E_UNREACHABLE; /* the outcome is unknown: never run a write twice */
    }
    if (rc != GH_OK) {
        pg_rollback(tx);
        return rc;
    }
    release(c);
    return GH_OK;
}

/*
 * The write_lock row's revision, doubled: every write transaction updates it and PostgreSQL
 * commits it with the write, so it is never "landing" (odd) as SQLite's counter can be.
 */
static void
read_revision(struct conn *c, uint64_t *out)
{
    PGresult *res = PQexec(c->pg, "SELECT revision FROM write_lock WHERE id = 1");

    if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        *out = 2 * strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    } else if (c->tx.store != NULL && PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
        c->failed = true;
    }
    PQclear(res);
}

/* Inside tx: the revision its snapshot sees; else the latest committed one (one round trip). */
static bool
pg_revision(struct gh_store *st, struct gh_tx *tx, uint64_t *out)
{
    struct pg_store *s = (struct pg_store *)st;
    struct conn *c;

    *out = 1; /* odd: unknown, never cached */
    if (tx != NULL) {
        if (!conn_of(tx)->failed) {
            read_revision(conn_of(tx), out);
        }
        return true;
    }
    c = acquire(s);
    if (connect_conn(s, c) == GH_OK) {
        read_revision(c, out);
    }
    release(c);
    return true;
}

static void
pg_close(struct gh_store *st)
{
    struct pg_store *s = (struct pg_store *)st;

    for (size_t i = 0; i < s->n; i++) {
        if (s->conns[i].pg != NULL) {
            PQfinish(s->conns[i].pg);
        }
    }
    gh__free(s->conns);
    gh__free(s->conninfo);
    gh__pool_clear(&s->pool);
    gh__free(s);
}

gh_err
gh__pg_open(const char *url, unsigned connections, struct gh_store **out)
{
    struct pg_store *s = gh__calloc(1, sizeof(*s));
    struct conn *first;
    gh_err rc;

    *out = NULL;
    GH_ENSURE(s != NULL, GH_E_NOMEM);
    s->base.ops = &pg_ops;
    s->conninfo = gh__strdup(url);
    s->conns = gh__calloc(connections, sizeof(*s->conns));
    if (s->conninfo == NULL || s->conns == NULL || gh__pool_init(&s->pool, connections) != GH_OK) {
        pg_close(&s->base);
        return GH_E_NOMEM;
    }
    for (s->n = 0; s->n < connections; s->n++) {
        s->conns[s->n].tx.store = &s->base;
        s->conns[s->n].slot = s->n;
    }
    first = acquire(s); /* fail now, clearly, when the database cannot be reached */
    rc = connect_conn(s, first);
    release(first);
    if (rc != GH_OK) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return GH_OK;
}

static gh_err
apply_migrations(struct conn *c)
{
    char text[256];
    PGresult *res;
    int version;

    GH_TRY(simple(c, "CREATE TABLE IF NOT EXISTS schema_migrations "
                     "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT)"));
    res = PQexec(c->pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        gh_err rc = map_error(c, res);

        PQclear(res);
        return rc;
    }
    version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    for (size_t i = 0; i < gh__migrations_count; i++) {
        if (gh__migrations[i].version <= version) {
            continue;
        }
        GH_TRY(simple(c, gh__migrations[i].sql));
        snprintf(text, sizeof(text),
                 "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (%d, '%s', "
                 "(extract(epoch from now()) * 1000)::bigint)",
                 gh__migrations[i].version, gh__migrations[i].name);
        GH_TRY(simple(c, text)); /* both values come from the binary, not from input */
    }
    return GH_OK;
}

static gh_err
pg_migrate(struct gh_store *st)
{
    struct pg_store *s = (struct pg_store *)st;
    struct conn *c = acquire(s);
    char lock[96];
    gh_err rc = connect_conn(s, c);

    /* One server migrates at a time: the others wait on the lock, then find nothing to do. */
    snprintf(lock, sizeof(lock), "BEGIN; SELECT pg_advisory_xact_lock(%d)", MIGRATION_LOCK_ID);
    c->failed = false;
    if (rc == GH_OK) {
        rc = simple(c, lock);
    }
    if (rc == GH_OK) {
        rc = apply_migrations(c);
    }
    if (c->pg != NULL && !connection_lost(c)) {
        gh_err end = simple(c, rc == GH_OK ? "COMMIT" : "ROLLBACK");

        rc = rc == GH_OK ? end : rc;
    }
    c->failed = false;
    release(c);
    return rc == GH_E_RETRY ? GH_E_UNREACHABLE : rc;
}

/* ---- meta ---- */

static gh_err
pg_meta_get(struct gh_tx *tx, const char *name, char *out, size_t cap)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    out[0] = '\0';
    p_text(&p, name);
    GH_TRY(exec_stmt(tx, S_META_GET, &p, &r));
    rc = PQntuples(r) == 1 ? col_text(r, 0, 0, out, cap) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_meta_put(struct gh_tx *tx, const char *name, const char *value)
{
    struct params p = {0};

    p_text(&p, name);
    p_text(&p, value);
    return exec_cmd(tx, S_META_PUT, &p, NULL);
}

/* ---- accounts ---- */

static gh_err
read_account(const PGresult *r, int row, struct gh_account *a)
{
    int status;

    memset(a, 0, sizeof(*a));
    GH_TRY(col_text(r, row, 0, a->sid, sizeof(a->sid)));
    GH_TRY(col_text(r, row, 1, a->parent_sid, sizeof(a->parent_sid)));
    GH_TRY(col_text(r, row, 2, a->friendly_name, sizeof(a->friendly_name)));
    GH_TRY(col_enum(r, row, 3, gh__status_names, GH_ARRAY_LEN(gh__status_names), &status));
    a->status = (enum gh_account_status)status;
    a->created_ms = col_i64(r, row, 4);
    a->updated_ms = col_i64(r, row, 5);
    return GH_OK;
}

static gh_err
pg_account_insert(struct gh_tx *tx, const struct gh_account *a)
{
    struct params p = {0};

    p_text(&p, a->sid);
    p_text(&p, a->parent_sid[0] != '\0' ? a->parent_sid : NULL);
    p_text(&p, a->friendly_name);
    p_text(&p, gh__status_names[a->status]);
    p_i64(&p, a->created_ms);
    p_i64(&p, a->updated_ms);
    return exec_cmd(tx, S_ACCOUNT_INSERT, &p, NULL);
}

static gh_err
pg_account_get(struct gh_tx *tx, const char *sid, struct gh_account *out)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    memset(out, 0, sizeof(*out));
    p_text(&p, sid);
    GH_TRY(exec_stmt(tx, S_ACCOUNT_GET, &p, &r));
    rc = PQntuples(r) == 1 ? read_account(r, 0, out) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_account_update(struct gh_tx *tx, const struct gh_account *a)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, a->sid);
    p_text(&p, a->friendly_name);
    p_text(&p, gh__status_names[a->status]);
    p_i64(&p, a->updated_ms);
    GH_TRY(exec_cmd(tx, S_ACCOUNT_UPDATE, &p, &n));
    return one_row_changed(n);
}

/* The keyset position: after_ms, after_sid. */
static void
p_after(struct params *p, const struct gh_cursor *c)
{
    p_i64(p, c->after_ms);
    p_text(p, c->after_sid);
}

/* The page bounds: limit, offset (no offset after a keyset position). */
static void
p_bounds(struct params *p, const struct gh_cursor *c)
{
    p_i64(p, (int64_t)c->limit);
    p_i64(p, c->after_sid[0] != '\0' ? 0 : (int64_t)c->offset);
}

static gh_err
pg_account_list(struct gh_tx *tx, const struct gh_account_query *q, struct gh_account *out,
                size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, q->scope_sid);
    p_text(&p, q->friendly_name);
    p_text(&p, q->status == GH_STATUS_ANY ? NULL : gh__status_names[q->status]);
    p_after(&p, &q->cursor);
    p_bool(&p, q->with_children);
    p_bounds(&p, &q->cursor);
    GH_TRY(exec_stmt(tx, S_ACCOUNT_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && *n < q->cursor.limit; i++) {
        rc = read_account(r, i, &out[*n]);
        *n += rc == GH_OK ? 1 : 0;
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_account_count_children(struct gh_tx *tx, const char *parent_sid, int64_t *n)
{
    struct params p = {0};
    PGresult *r;

    *n = 0;
    p_text(&p, parent_sid);
    GH_TRY(exec_stmt(tx, S_ACCOUNT_COUNT_CHILDREN, &p, &r));
    *n = col_i64(r, 0, 0);
    PQclear(r);
    return GH_OK;
}

/* ---- auth tokens ---- */

static void
p_sealed_tail(struct params *p, const struct gh_sealed *row)
{
    p_i64(p, row->key_id);
    p_blob(p, row->ct, row->ct_len);
    p_blob(p, row->lookup, sizeof(row->lookup));
}

static gh_err
pg_token_insert(struct gh_tx *tx, const struct gh_sealed *row)
{
    struct params p = {0};

    p_text(&p, row->owner);
    p_text(&p, gh__slot_names[row->slot]);
    p_sealed_tail(&p, row);
    p_i64(&p, row->created_ms);
    p_i64(&p, row->updated_ms);
    return exec_cmd(tx, S_TOKEN_INSERT, &p, NULL);
}

/* (key_id, ciphertext, lookup_hash) from column first. */
static gh_err
read_sealed(const PGresult *r, int row, int first, struct gh_sealed *out)
{
    size_t lookup_len = 0;

    out->key_id = (uint32_t)col_i64(r, row, first);
    GH_TRY(col_blob(r, row, first + 1, out->ct, sizeof(out->ct), &out->ct_len));
    GH_TRY(col_blob(r, row, first + 2, out->lookup, sizeof(out->lookup), &lookup_len));
    GH_ENSURE(lookup_len == sizeof(out->lookup), GH_E_STORE);
    return GH_OK;
}

/* (key_id, ciphertext, lookup_hash, created_ms, updated_ms) from column first. */
static gh_err
read_sealed_tail(const PGresult *r, int row, int first, struct gh_sealed *out)
{
    GH_TRY(read_sealed(r, row, first, out));
    out->created_ms = col_i64(r, row, first + 3);
    out->updated_ms = col_i64(r, row, first + 4);
    return GH_OK;
}

static gh_err
pg_token_get(struct gh_tx *tx, const char *account_sid, struct gh_sealed out[2], bool present[2])
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;
    int slot;

    memset(out, 0, 2 * sizeof(*out));
    present[0] = present[1] = false;
    p_text(&p, account_sid);
    GH_TRY(exec_stmt(tx, S_TOKEN_GET, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r); i++) {
        rc = col_enum(r, i, 0, gh__slot_names, 2, &slot);
        if (rc == GH_OK) {
            out[slot].kind = GH_SEALED_AUTH_TOKEN;
            out[slot].slot = (enum gh_token_slot)slot;
            rc = gh__strlcpy(out[slot].owner, account_sid, sizeof(out[slot].owner));
        }
        if (rc == GH_OK) {
            rc = read_sealed_tail(r, i, 1, &out[slot]);
            present[slot] = rc == GH_OK;
        }
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_token_delete(struct gh_tx *tx, const char *account_sid, enum gh_token_slot slot)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, account_sid);
    p_text(&p, gh__slot_names[slot]);
    GH_TRY(exec_cmd(tx, S_TOKEN_DELETE, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_token_promote(struct gh_tx *tx, const char *account_sid, int64_t now_ms)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, account_sid);
    p_i64(&p, now_ms);
    GH_TRY(exec_cmd(tx, S_TOKEN_PROMOTE, &p, &n));
    return one_row_changed(n);
}

/* ---- API keys ---- */

static gh_err
read_key(const PGresult *r, int row, struct gh_key *k, struct gh_sealed *secret)
{
    int type;

    gh_key_clear(k);
    GH_TRY(col_text(r, row, 0, k->sid, sizeof(k->sid)));
    GH_TRY(col_text(r, row, 1, k->account_sid, sizeof(k->account_sid)));
    GH_TRY(col_enum(r, row, 2, gh__key_type_names, GH_ARRAY_LEN(gh__key_type_names), &type));
    k->type = (enum gh_key_type)type;
    GH_TRY(col_text(r, row, 4, k->friendly_name, sizeof(k->friendly_name)));
    k->created_ms = col_i64(r, row, 5);
    k->updated_ms = col_i64(r, row, 6);
    if (!PQgetisnull(r, row, 3)) {
        k->permissions = gh__strdup(PQgetvalue(r, row, 3));
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
    return read_sealed(r, row, 7, secret);
}

static gh_err
pg_key_insert(struct gh_tx *tx, const struct gh_key *k, const struct gh_sealed *secret)
{
    struct params p = {0};

    p_text(&p, k->sid);
    p_text(&p, k->account_sid);
    p_text(&p, gh__key_type_names[k->type]);
    p_text(&p, k->permissions);
    p_text(&p, k->friendly_name);
    p_i64(&p, k->created_ms);
    p_i64(&p, k->updated_ms);
    p_sealed_tail(&p, secret);
    return exec_cmd(tx, S_KEY_INSERT, &p, NULL);
}

static gh_err
pg_key_get(struct gh_tx *tx, const char *sid, struct gh_key *out, struct gh_sealed *secret)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    memset(out, 0, sizeof(*out));
    p_text(&p, sid);
    GH_TRY(exec_stmt(tx, S_KEY_GET, &p, &r));
    rc = PQntuples(r) == 1 ? read_key(r, 0, out, secret) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_key_update(struct gh_tx *tx, const struct gh_key *k)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, k->sid);
    p_text(&p, k->friendly_name);
    p_text(&p, k->permissions);
    p_i64(&p, k->updated_ms);
    GH_TRY(exec_cmd(tx, S_KEY_UPDATE, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_key_delete(struct gh_tx *tx, const char *sid)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, sid);
    GH_TRY(exec_cmd(tx, S_KEY_DELETE, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_key_list(struct gh_tx *tx, const struct gh_key_query *q, struct gh_key *out, size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, q->account_sid);
    p_bool(&p, q->signing);
    p_after(&p, &q->cursor);
    p_bounds(&p, &q->cursor);
    GH_TRY(exec_stmt(tx, S_KEY_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && *n < q->cursor.limit; i++) {
        rc = read_key(r, i, &out[*n], NULL);
        *n += 1; /* counted even on failure, so the caller frees what was read */
    }
    PQclear(r);
    return rc;
}

/* ---- sealed rows (master-key rotation) ---- */

static gh_err
pg_sealed_each(struct gh_tx *tx, enum gh_sealed_kind kind, gh_sealed_fn fn, void *arg)
{
    bool token = kind == GH_SEALED_AUTH_TOKEN;
    struct params p = {0};
    struct gh_sealed row;
    PGresult *r;
    gh_err rc = GH_OK;
    int slot = 0;

    GH_TRY(exec_stmt(tx,
                     token                      ? S_TOKEN_ALL
                     : kind == GH_SEALED_FACTOR ? S_FACTOR_ALL
                                                : S_KEY_ALL,
                     &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r); i++) {
        memset(&row, 0, sizeof(row));
        row.kind = kind;
        rc = col_text(r, i, 0, row.owner, sizeof(row.owner));
        if (rc == GH_OK && token) {
            rc = col_enum(r, i, 1, gh__slot_names, 2, &slot);
            row.slot = (enum gh_token_slot)slot;
        }
        if (rc == GH_OK) {
            rc = read_sealed_tail(r, i, token ? 2 : 1, &row);
        }
        if (rc == GH_OK) {
            rc = fn(tx, &row, arg);
        }
    }
    gh_wipe(&row, sizeof(row));
    PQclear(r);
    return rc;
}

static gh_err
pg_sealed_update(struct gh_tx *tx, const struct gh_sealed *row)
{
    bool token = row->kind == GH_SEALED_AUTH_TOKEN;
    struct params p = {0};
    long n = 0;

    p_text(&p, row->owner);
    p_text(&p, token ? gh__slot_names[row->slot] : "");
    p_sealed_tail(&p, row);
    GH_TRY(exec_cmd(tx,
                    token                           ? S_TOKEN_RESEAL
                    : row->kind == GH_SEALED_FACTOR ? S_FACTOR_RESEAL
                                                    : S_KEY_RESEAL,
                    &p, &n));
    return one_row_changed(n);
}

/* ---- audit ---- */

static gh_err
pg_audit_last(struct gh_tx *tx, int64_t *seq, uint8_t hash[32])
{
    struct params p = {0};
    PGresult *r;
    size_t len = 0;
    gh_err rc = GH_OK;

    *seq = 0;
    memset(hash, 0, 32);
    GH_TRY(exec_stmt(tx, S_AUDIT_LAST, &p, &r));
    if (PQntuples(r) == 1) {
        *seq = col_i64(r, 0, 0);
        rc = col_blob(r, 0, 1, hash, 32, &len);
        rc = rc == GH_OK && len != 32 ? GH_E_STORE : rc;
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_audit_insert(struct gh_tx *tx, const struct gh_audit_event *ev)
{
    struct params p = {0};
    uint8_t prev[32];
    int64_t last;

    GH_TRY(pg_audit_last(tx, &last, prev));
    GH_ENSURE(ev->seq == last + 1, GH_E_CONFLICT);
    p_i64(&p, ev->seq);
    p_i64(&p, ev->time_ms);
    p_text(&p, ev->actor);
    p_text(&p, ev->action);
    p_text(&p, ev->target);
    p_text(&p, ev->remote_addr);
    p_text(&p, ev->user_agent);
    p_text(&p, ev->outcome);
    p_text(&p, ev->detail);
    p_blob(&p, prev, sizeof(prev));
    p_blob(&p, ev->hash, sizeof(ev->hash));
    p_text(&p, ev->account_sid);
    return exec_cmd(tx, S_AUDIT_INSERT, &p, NULL);
}

static gh_err
read_audit(const PGresult *r, int row, struct gh_audit_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->seq = col_i64(r, row, 0);
    ev->time_ms = col_i64(r, row, 1);
    GH_TRY(col_text(r, row, 2, ev->actor, sizeof(ev->actor)));
    GH_TRY(col_text(r, row, 3, ev->action, sizeof(ev->action)));
    GH_TRY(col_text(r, row, 4, ev->target, sizeof(ev->target)));
    GH_TRY(col_text(r, row, 5, ev->remote_addr, sizeof(ev->remote_addr)));
    GH_TRY(col_text(r, row, 6, ev->user_agent, sizeof(ev->user_agent)));
    GH_TRY(col_text(r, row, 7, ev->outcome, sizeof(ev->outcome)));
    GH_TRY(col_text(r, row, 8, ev->detail, sizeof(ev->detail)));
    GH_TRY(col_blob(r, row, 9, ev->hash, sizeof(ev->hash), NULL));
    return col_text(r, row, 10, ev->account_sid, sizeof(ev->account_sid));
}

static gh_err
pg_audit_each(struct gh_tx *tx, int64_t after_seq, gh_audit_fn fn, void *arg)
{
    struct gh_audit_event ev;
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    p_i64(&p, after_seq);
    GH_TRY(exec_stmt(tx, S_AUDIT_EACH, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r); i++) {
        rc = read_audit(r, i, &ev);
        if (rc == GH_OK && fn(&ev, arg) != 0) {
            break;
        }
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_audit_list(struct gh_tx *tx, const struct gh_audit_query *q, struct gh_audit_event *out,
              size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, q->account_sid);
    p_i64(&p, q->before_seq);
    p_i64(&p, q->limit > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)q->limit);
    GH_TRY(exec_stmt(tx, S_AUDIT_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && *n < q->limit; i++) {
        rc = read_audit(r, i, &out[*n]);
        *n += 1; /* counted even on failure, as key_list does */
    }
    PQclear(r);
    return rc;
}

/* ---- human users ---- */

/* GH_USER_COLS; the passphrase hash only when hash is not NULL. */
static gh_err
read_user(const PGresult *r, int row, struct gh_user *u, char *hash)
{
    memset(u, 0, sizeof(*u));
    GH_TRY(col_text(r, row, 0, u->sid, sizeof(u->sid)));
    GH_TRY(col_text(r, row, 1, u->email, sizeof(u->email)));
    GH_TRY(col_text(r, row, 2, u->name, sizeof(u->name)));
    u->passphrase_set_ms = col_i64(r, row, 3);
    u->must_change = col_i64(r, row, 4) != 0;
    u->created_ms = col_i64(r, row, 5);
    u->updated_ms = col_i64(r, row, 6);
    return hash != NULL ? col_text(r, row, 7, hash, GH_STORE_HASH_MAX) : GH_OK;
}

static gh_err
pg_user_insert(struct gh_tx *tx, const struct gh_user *u, const char *email_key,
               const char *passphrase_hash)
{
    struct params p = {0};

    GH_ENSURE(gh__hash_fits(passphrase_hash), GH_E_INVALID);
    p_text(&p, u->sid);
    p_text(&p, u->email);
    p_text(&p, u->name);
    p_i64(&p, u->passphrase_set_ms);
    p_i64(&p, u->must_change ? 1 : 0);
    p_i64(&p, u->created_ms);
    p_i64(&p, u->updated_ms);
    p_text(&p, passphrase_hash);
    p_text(&p, email_key);
    return exec_cmd(tx, S_USER_INSERT, &p, NULL);
}

/* The user whose column (of statement id) is v. */
static gh_err
user_get_by(struct gh_tx *tx, enum stmt_id id, const char *v, struct gh_user *out, char *hash)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    memset(out, 0, sizeof(*out));
    if (hash != NULL) {
        hash[0] = '\0';
    }
    p_text(&p, v);
    GH_TRY(exec_stmt(tx, id, &p, &r));
    rc = PQntuples(r) == 1 ? read_user(r, 0, out, hash) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_user_get(struct gh_tx *tx, const char *sid, struct gh_user *out, char *hash)
{
    return user_get_by(tx, S_USER_GET, sid, out, hash);
}

static gh_err
pg_user_get_by_email(struct gh_tx *tx, const char *email_key, struct gh_user *out, char *hash)
{
    return user_get_by(tx, S_USER_GET_BY_EMAIL, email_key, out, hash);
}

static gh_err
pg_user_set_passphrase(struct gh_tx *tx, const struct gh_user *u, const char *passphrase_hash)
{
    struct params p = {0};
    long n = 0;

    GH_ENSURE(gh__hash_fits(passphrase_hash), GH_E_INVALID);
    p_text(&p, u->sid);
    p_text(&p, passphrase_hash);
    p_i64(&p, u->passphrase_set_ms);
    p_i64(&p, u->must_change ? 1 : 0);
    p_i64(&p, u->updated_ms);
    GH_TRY(exec_cmd(tx, S_USER_SET_PASSPHRASE, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_history_add(struct gh_tx *tx, const char *user_sid, const char *passphrase_hash, int64_t set_ms)
{
    struct params p = {0};

    GH_ENSURE(gh__hash_fits(passphrase_hash), GH_E_INVALID);
    p_text(&p, user_sid);
    p_i64(&p, set_ms);
    p_text(&p, passphrase_hash);
    return exec_cmd(tx, S_HISTORY_ADD, &p, NULL);
}

static gh_err
pg_history_list(struct gh_tx *tx, const char *user_sid, char (*out)[GH_STORE_HASH_MAX], size_t cap,
                size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, user_sid);
    p_i64(&p, (int64_t)cap);
    GH_TRY(exec_stmt(tx, S_HISTORY_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && *n < cap; i++) {
        rc = col_text(r, i, 0, out[*n], GH_STORE_HASH_MAX);
        *n += rc == GH_OK ? 1 : 0;
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_history_trim(struct gh_tx *tx, const char *user_sid, size_t keep)
{
    struct params p = {0};

    p_text(&p, user_sid);
    p_i64(&p, (int64_t)keep);
    return exec_cmd(tx, S_HISTORY_TRIM, &p, NULL);
}

/* ---- memberships ---- */

static gh_err
pg_membership_put(struct gh_tx *tx, const char *user_sid, const char *account_sid,
                  enum gh_role role, int64_t now_ms)
{
    struct params p = {0};

    GH_ENSURE((size_t)role < GH_ARRAY_LEN(gh__role_names), GH_E_INVALID);
    p_text(&p, user_sid);
    p_text(&p, account_sid);
    p_text(&p, gh__role_names[role]);
    p_i64(&p, now_ms);
    return exec_cmd(tx, S_MEMBERSHIP_PUT, &p, NULL);
}

static gh_err
pg_membership_get(struct gh_tx *tx, const char *user_sid, const char *account_sid,
                  enum gh_role *role)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;
    int v = 0;

    *role = (enum gh_role)0; /* cleared like every out-parameter: act on it only after GH_OK */
    p_text(&p, user_sid);
    p_text(&p, account_sid);
    GH_TRY(exec_stmt(tx, S_MEMBERSHIP_GET, &p, &r));
    rc = PQntuples(r) == 1 ? col_enum(r, 0, 0, gh__role_names, GH_ARRAY_LEN(gh__role_names), &v)
                           : GH_E_NOT_FOUND;
    PQclear(r);
    if (rc == GH_OK) {
        *role = (enum gh_role)v;
    }
    return rc;
}

/* GH_MEMBER_COLS. */
static gh_err
read_member(const PGresult *r, int row, struct gh_member *m)
{
    int role = 0;

    memset(m, 0, sizeof(*m));
    GH_TRY(col_text(r, row, 0, m->user_sid, sizeof(m->user_sid)));
    GH_TRY(col_text(r, row, 1, m->account_sid, sizeof(m->account_sid)));
    GH_TRY(col_text(r, row, 2, m->email, sizeof(m->email)));
    GH_TRY(col_text(r, row, 3, m->name, sizeof(m->name)));
    GH_TRY(col_enum(r, row, 4, gh__role_names, GH_ARRAY_LEN(gh__role_names), &role));
    m->role = (enum gh_role)role;
    m->created_ms = col_i64(r, row, 5);
    m->updated_ms = col_i64(r, row, 6);
    return GH_OK;
}

static gh_err
pg_membership_list(struct gh_tx *tx, const struct gh_member_query *q, struct gh_member *out,
                   size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, q->account_sid);
    p_after(&p, &q->cursor);
    p_bounds(&p, &q->cursor);
    GH_TRY(exec_stmt(tx, S_MEMBERSHIP_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && *n < q->cursor.limit; i++) {
        rc = read_member(r, i, &out[*n]);
        *n += 1; /* counted even on failure, as key_list does */
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_membership_fetch(struct gh_tx *tx, const char *user_sid, const char *account_sid,
                    struct gh_member *out)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    memset(out, 0, sizeof(*out));
    p_text(&p, user_sid);
    p_text(&p, account_sid);
    GH_TRY(exec_stmt(tx, S_MEMBERSHIP_FETCH, &p, &r));
    rc = PQntuples(r) == 1 ? read_member(r, 0, out) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_membership_delete(struct gh_tx *tx, const char *user_sid, const char *account_sid)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, user_sid);
    p_text(&p, account_sid);
    GH_TRY(exec_cmd(tx, S_MEMBERSHIP_DELETE, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_membership_count(struct gh_tx *tx, const char *account_sid, int64_t *n)
{
    struct params p = {0};
    PGresult *r;

    *n = 0;
    p_text(&p, account_sid);
    GH_TRY(exec_stmt(tx, S_MEMBERSHIP_COUNT, &p, &r));
    *n = PQntuples(r) == 1 ? col_i64(r, 0, 0) : 0;
    PQclear(r);
    return GH_OK;
}

static gh_err
pg_membership_owner(struct gh_tx *tx, const char *account_sid, char user_sid[GH_SID_SIZE])
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    user_sid[0] = '\0';
    p_text(&p, account_sid);
    p_text(&p, gh__role_names[GH_ROLE_OWNER]);
    GH_TRY(exec_stmt(tx, S_MEMBERSHIP_OWNER, &p, &r));
    rc = PQntuples(r) == 1 ? col_text(r, 0, 0, user_sid, GH_SID_SIZE) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

/* ---- ownership offers ---- */

static gh_err
pg_ownership_offer_put(struct gh_tx *tx, const struct gh_ownership_offer *o)
{
    struct params p = {0};

    p_text(&p, o->account_sid);
    p_text(&p, o->from_user_sid);
    p_text(&p, o->to_user_sid);
    p_i64(&p, o->created_ms);
    p_i64(&p, o->expires_ms);
    return exec_cmd(tx, S_OFFER_PUT, &p, NULL);
}

/* GH_OFFER_COLS. */
static gh_err
read_offer(const PGresult *r, int row, struct gh_ownership_offer *o)
{
    GH_TRY(col_text(r, row, 0, o->account_sid, sizeof(o->account_sid)));
    GH_TRY(col_text(r, row, 1, o->from_user_sid, sizeof(o->from_user_sid)));
    GH_TRY(col_text(r, row, 2, o->to_user_sid, sizeof(o->to_user_sid)));
    o->created_ms = col_i64(r, row, 3);
    o->expires_ms = col_i64(r, row, 4);
    return GH_OK;
}

static gh_err
pg_ownership_offer_get(struct gh_tx *tx, const char *account_sid, struct gh_ownership_offer *out)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    memset(out, 0, sizeof(*out));
    p_text(&p, account_sid);
    GH_TRY(exec_stmt(tx, S_OFFER_GET, &p, &r));
    rc = PQntuples(r) == 1 ? read_offer(r, 0, out) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_ownership_offer_delete(struct gh_tx *tx, const char *account_sid)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, account_sid);
    GH_TRY(exec_cmd(tx, S_OFFER_DELETE, &p, &n));
    return one_row_changed(n);
}

/* ---- sessions ---- */

static const char *const session_status_names[] = {"active", "pending_mfa", "enrol_only"};

static gh_err
pg_session_set_status(struct gh_tx *tx, const char *sid, enum gh_session_status status,
                      int64_t expires_ms, int64_t idle_expires_ms)
{
    struct params p = {0};
    long n = 0;

    GH_ENSURE((unsigned)status < 3, GH_E_INVALID);
    p_text(&p, sid);
    p_text(&p, session_status_names[status]);
    p_i64(&p, expires_ms);
    p_i64(&p, idle_expires_ms);
    GH_TRY(exec_cmd(tx, S_SESSION_SET_STATUS, &p, &n));
    return n == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
pg_session_insert(struct gh_tx *tx, const struct gh_session *s, uint32_t key_id,
                  const uint8_t digest[32])
{
    struct params p = {0};

    p_text(&p, s->sid);
    p_text(&p, s->user_sid);
    p_i64(&p, s->created_ms);
    p_i64(&p, s->last_seen_ms);
    p_i64(&p, s->expires_ms);
    p_i64(&p, s->idle_expires_ms);
    GH_ENSURE((unsigned)s->status < 3, GH_E_INVALID);
    p_text(&p, session_status_names[s->status]);
    p_i64(&p, key_id);
    p_blob(&p, digest, 32);
    return exec_cmd(tx, S_SESSION_INSERT, &p, NULL);
}

/* GH_SESSION_COLS. */
static gh_err
read_session(const PGresult *r, int row, struct gh_session *s)
{
    int status = 0;

    memset(s, 0, sizeof(*s));
    GH_TRY(col_text(r, row, 0, s->sid, sizeof(s->sid)));
    GH_TRY(col_text(r, row, 1, s->user_sid, sizeof(s->user_sid)));
    s->created_ms = col_i64(r, row, 2);
    s->last_seen_ms = col_i64(r, row, 3);
    s->expires_ms = col_i64(r, row, 4);
    s->idle_expires_ms = col_i64(r, row, 5);
    GH_TRY(col_enum(r, row, 6, session_status_names, 3, &status));
    s->status = (enum gh_session_status)status;
    return GH_OK;
}

/* GH_SESSION_COLS, then key_id and token_digest. */
static gh_err
read_session_digest(const PGresult *r, int row, struct gh_session *s, uint32_t *key_id,
                    uint8_t digest[32])
{
    size_t len = 0;

    GH_TRY(read_session(r, row, s));
    *key_id = (uint32_t)col_i64(r, row, 7);
    GH_TRY(col_blob(r, row, 8, digest, 32, &len));
    GH_ENSURE(len == 32, GH_E_STORE);
    return GH_OK;
}

static gh_err
pg_session_get(struct gh_tx *tx, const char *sid, struct gh_session *out, uint32_t *key_id,
               uint8_t digest[32])
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    memset(out, 0, sizeof(*out));
    *key_id = 0;
    memset(digest, 0, 32);
    p_text(&p, sid);
    GH_TRY(exec_stmt(tx, S_SESSION_GET, &p, &r));
    rc = PQntuples(r) == 1 ? read_session_digest(r, 0, out, key_id, digest) : GH_E_NOT_FOUND;
    PQclear(r);
    return rc;
}

static gh_err
pg_session_touch(struct gh_tx *tx, const char *sid, int64_t last_seen_ms, int64_t idle_expires_ms)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, sid);
    p_i64(&p, last_seen_ms);
    p_i64(&p, idle_expires_ms);
    GH_TRY(exec_cmd(tx, S_SESSION_TOUCH, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_session_delete(struct gh_tx *tx, const char *sid)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, sid);
    GH_TRY(exec_cmd(tx, S_SESSION_DELETE, &p, &n));
    return one_row_changed(n);
}

static gh_err
pg_session_delete_user(struct gh_tx *tx, const char *user_sid, const char *keep_sid, int64_t *n)
{
    struct params p = {0};
    long deleted = 0;

    *n = 0;
    p_text(&p, user_sid);
    p_text(&p, keep_sid);
    GH_TRY(exec_cmd(tx, S_SESSION_DELETE_USER, &p, &deleted));
    *n = deleted;
    return GH_OK;
}

static gh_err
pg_session_list(struct gh_tx *tx, const char *user_sid, struct gh_session *out, size_t cap,
                size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, user_sid);
    p_i64(&p, (int64_t)cap);
    GH_TRY(exec_stmt(tx, S_SESSION_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && *n < cap; i++) {
        rc = read_session(r, i, &out[*n]);
        *n += rc == GH_OK ? 1 : 0;
    }
    PQclear(r);
    return rc;
}

/* ---- throttles ---- */

static gh_err
pg_throttle_get(struct gh_tx *tx, const char *key, struct gh_throttle *out)
{
    struct params p = {0};
    PGresult *r;

    memset(out, 0, sizeof(*out)); /* a key never seen has no failures */
    p_text(&p, key);
    GH_TRY(exec_stmt(tx, S_THROTTLE_GET, &p, &r));
    if (PQntuples(r) == 1) {
        out->failures = col_i64(r, 0, 0);
        out->window_start_ms = col_i64(r, 0, 1);
        out->locked_until_ms = col_i64(r, 0, 2);
    }
    PQclear(r);
    return GH_OK;
}

static gh_err
pg_throttle_put(struct gh_tx *tx, const char *key, const struct gh_throttle *t)
{
    struct params p = {0};

    p_text(&p, key);
    p_i64(&p, t->failures);
    p_i64(&p, t->window_start_ms);
    p_i64(&p, t->locked_until_ms);
    return exec_cmd(tx, S_THROTTLE_PUT, &p, NULL);
}

/* ---- revoked access tokens and token settings ---- */

static gh_err
pg_revoked_put(struct gh_tx *tx, const char *jti, const char *account_sid, int64_t expires_ms)
{
    struct params p = {0};

    p_text(&p, jti);
    p_text(&p, account_sid);
    p_i64(&p, expires_ms);
    return exec_cmd(tx, S_REVOKED_PUT, &p, NULL);
}

static gh_err
pg_revoked_get(struct gh_tx *tx, const char *jti, bool *revoked)
{
    struct params p = {0};
    PGresult *r;

    *revoked = false;
    p_text(&p, jti);
    GH_TRY(exec_stmt(tx, S_REVOKED_GET, &p, &r));
    *revoked = PQntuples(r) == 1;
    PQclear(r);
    return GH_OK;
}

static gh_err
pg_revoked_sweep(struct gh_tx *tx, int64_t now_ms, int64_t *n)
{
    struct params p = {0};
    long affected = 0;

    p_i64(&p, now_ms);
    GH_TRY(exec_cmd(tx, S_REVOKED_SWEEP, &p, &affected));
    *n = affected;
    return GH_OK;
}

static gh_err
pg_setting_get(struct gh_tx *tx, const char *sid, int64_t *value)
{
    struct params p = {0};
    PGresult *r;

    *value = 0;
    p_text(&p, sid);
    GH_TRY(exec_stmt(tx, S_SETTING_GET, &p, &r));
    if (PQntuples(r) == 1) {
        *value = col_i64(r, 0, 0);
    }
    PQclear(r);
    return GH_OK;
}

static gh_err
pg_setting_put(struct gh_tx *tx, const char *sid, int64_t value)
{
    struct params p = {0};

    p_text(&p, sid);
    p_i64(&p, value);
    return exec_cmd(tx, S_SETTING_PUT, &p, NULL);
}

/* ---- second factors and recovery codes ---- */

static const char *const factor_status_names[] = {"unverified", "verified"};
static const char *const factor_alg_names[] = {"SHA1", "SHA256", "SHA512"};

/* GH_FACTOR_COLS from column 0. */
static gh_err
read_factor(const PGresult *r, int row, struct gh_factor *f)
{
    int status = 0;
    int alg = 0;

    memset(f, 0, sizeof(*f));
    GH_TRY(col_text(r, row, 0, f->sid, sizeof(f->sid)));
    GH_TRY(col_text(r, row, 1, f->user_sid, sizeof(f->user_sid)));
    GH_TRY(col_enum(r, row, 2, factor_status_names, 2, &status));
    GH_TRY(col_enum(r, row, 3, factor_alg_names, 3, &alg));
    f->status = (enum gh_factor_status)status;
    f->alg = alg;
    f->digits = (unsigned)col_i64(r, row, 4);
    f->period_s = (unsigned)col_i64(r, row, 5);
    f->last_step = col_i64(r, row, 6);
    f->created_ms = col_i64(r, row, 7);
    f->updated_ms = col_i64(r, row, 8);
    f->expires_ms = col_i64(r, row, 9);
    return GH_OK;
}

static gh_err
pg_factor_insert(struct gh_tx *tx, const struct gh_factor *f, const struct gh_sealed *secret)
{
    struct params p = {0};

    GH_ENSURE((int)f->status >= 0 && (int)f->status < 2 && f->alg >= 0 && f->alg < 3, GH_E_INVALID);
    p_text(&p, f->sid);
    p_text(&p, f->user_sid);
    p_text(&p, factor_status_names[f->status]);
    p_text(&p, factor_alg_names[f->alg]);
    p_i64(&p, f->digits);
    p_i64(&p, f->period_s);
    p_i64(&p, f->last_step);
    p_i64(&p, f->created_ms);
    p_i64(&p, f->updated_ms);
    p_i64(&p, f->expires_ms);
    p_sealed_tail(&p, secret);
    return exec_cmd(tx, S_FACTOR_INSERT, &p, NULL);
}

static gh_err
pg_factor_get(struct gh_tx *tx, const char *sid, struct gh_factor *out, struct gh_sealed *secret)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc;

    p_text(&p, sid);
    GH_TRY(exec_stmt(tx, S_FACTOR_GET, &p, &r));
    rc = PQntuples(r) == 1 ? read_factor(r, 0, out) : GH_E_NOT_FOUND;
    if (rc == GH_OK && secret != NULL) {
        memset(secret, 0, sizeof(*secret));
        secret->kind = GH_SEALED_FACTOR;
        memcpy(secret->owner, out->sid, sizeof(secret->owner));
        rc = read_sealed(r, 0, 10, secret);
        secret->created_ms = out->created_ms;
        secret->updated_ms = out->updated_ms;
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_factor_list(struct gh_tx *tx, const char *user_sid, struct gh_factor *out, size_t cap, size_t *n)
{
    struct params p = {0};
    PGresult *r;
    gh_err rc = GH_OK;

    *n = 0;
    p_text(&p, user_sid);
    p_i64(&p, (int64_t)cap);
    GH_TRY(exec_stmt(tx, S_FACTOR_LIST, &p, &r));
    for (int i = 0; rc == GH_OK && i < PQntuples(r) && (size_t)i < cap; i++) {
        rc = read_factor(r, i, &out[i]);
        *n += rc == GH_OK ? 1 : 0;
    }
    PQclear(r);
    return rc;
}

static gh_err
pg_factor_verify(struct gh_tx *tx, const char *sid, int64_t step, int64_t now_ms)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, sid);
    p_i64(&p, step);
    p_i64(&p, now_ms);
    GH_TRY(exec_cmd(tx, S_FACTOR_VERIFY, &p, &n));
    return n == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
pg_factor_advance(struct gh_tx *tx, const char *sid, int64_t step, int64_t now_ms, bool *advanced)
{
    struct params p = {0};
    long n = 0;

    *advanced = false;
    p_text(&p, sid);
    p_i64(&p, step);
    p_i64(&p, now_ms);
    GH_TRY(exec_cmd(tx, S_FACTOR_ADVANCE, &p, &n));
    *advanced = n == 1;
    return GH_OK;
}

static gh_err
pg_factor_delete(struct gh_tx *tx, const char *sid)
{
    struct params p = {0};
    long n = 0;

    p_text(&p, sid);
    GH_TRY(exec_cmd(tx, S_FACTOR_DELETE, &p, &n));
    return n == 1 ? GH_OK : GH_E_NOT_FOUND;
}

static gh_err
pg_factor_sweep(struct gh_tx *tx, const char *user_sid, int64_t now_ms, int64_t *n)
{
    struct params p = {0};
    long affected = 0;

    p_text(&p, user_sid);
    p_i64(&p, now_ms);
    GH_TRY(exec_cmd(tx, S_FACTOR_SWEEP, &p, &affected));
    *n = affected;
    return GH_OK;
}

static gh_err
pg_recovery_replace(struct gh_tx *tx, const char *user_sid, const uint8_t (*digests)[32], size_t n,
                    int64_t now_ms)
{
    struct params p = {0};

    p_text(&p, user_sid);
    GH_TRY(exec_cmd(tx, S_RECOVERY_DELETE, &p, NULL));
    for (size_t i = 0; i < n; i++) {
        struct params q = {0};

        p_text(&q, user_sid);
        p_blob(&q, digests[i], 32);
        p_i64(&q, now_ms);
        GH_TRY(exec_cmd(tx, S_RECOVERY_INSERT, &q, NULL));
    }
    return GH_OK;
}

static gh_err
pg_recovery_use(struct gh_tx *tx, const char *user_sid, const uint8_t digest[32], int64_t now_ms,
                bool *used)
{
    struct params p = {0};
    long n = 0;

    *used = false;
    p_text(&p, user_sid);
    p_blob(&p, digest, 32);
    p_i64(&p, now_ms);
    GH_TRY(exec_cmd(tx, S_RECOVERY_USE, &p, &n));
    *used = n == 1;
    return GH_OK;
}

static gh_err
pg_recovery_left(struct gh_tx *tx, const char *user_sid, int64_t *n)
{
    struct params p = {0};
    PGresult *r;

    *n = 0;
    p_text(&p, user_sid);
    GH_TRY(exec_stmt(tx, S_RECOVERY_LEFT, &p, &r));
    *n = PQntuples(r) == 1 ? col_i64(r, 0, 0) : 0;
    PQclear(r);
    return GH_OK;
}

static const struct gh_store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .revision = pg_revision,
    .migrate = pg_migrate,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .meta_get = pg_meta_get,
    .meta_put = pg_meta_put,
    .account_insert = pg_account_insert,
    .account_get = pg_account_get,
    .account_update = pg_account_update,
    .account_list = pg_account_list,
    .account_count_children = pg_account_count_children,
    .token_insert = pg_token_insert,
    .token_get = pg_token_get,
    .token_delete = pg_token_delete,
    .token_promote = pg_token_promote,
    .key_insert = pg_key_insert,
    .key_get = pg_key_get,
    .key_update = pg_key_update,
    .key_delete = pg_key_delete,
    .key_list = pg_key_list,
    .sealed_each = pg_sealed_each,
    .sealed_update = pg_sealed_update,
    .audit_last = pg_audit_last,
    .audit_insert = pg_audit_insert,
    .audit_each = pg_audit_each,
    .audit_list = pg_audit_list,
    .user_insert = pg_user_insert,
    .user_get = pg_user_get,
    .user_get_by_email = pg_user_get_by_email,
    .user_set_passphrase = pg_user_set_passphrase,
    .history_add = pg_history_add,
    .history_list = pg_history_list,
    .history_trim = pg_history_trim,
    .membership_put = pg_membership_put,
    .membership_get = pg_membership_get,
    .membership_list = pg_membership_list,
    .membership_fetch = pg_membership_fetch,
    .membership_delete = pg_membership_delete,
    .membership_count = pg_membership_count,
    .membership_owner = pg_membership_owner,
    .ownership_offer_put = pg_ownership_offer_put,
    .ownership_offer_get = pg_ownership_offer_get,
    .ownership_offer_delete = pg_ownership_offer_delete,
    .session_insert = pg_session_insert,
    .session_get = pg_session_get,
    .session_touch = pg_session_touch,
    .session_set_status = pg_session_set_status,
    .session_delete = pg_session_delete,
    .session_delete_user = pg_session_delete_user,
    .session_list = pg_session_list,
    .throttle_get = pg_throttle_get,
    .throttle_put = pg_throttle_put,
    .revoked_put = pg_revoked_put,
    .revoked_get = pg_revoked_get,
    .revoked_sweep = pg_revoked_sweep,
    .setting_get = pg_setting_get,
    .setting_put = pg_setting_put,
    .factor_insert = pg_factor_insert,
    .factor_get = pg_factor_get,
    .factor_list = pg_factor_list,
    .factor_verify = pg_factor_verify,
    .factor_advance = pg_factor_advance,
    .factor_delete = pg_factor_delete,
    .factor_sweep = pg_factor_sweep,
    .recovery_replace = pg_recovery_replace,
    .recovery_use = pg_recovery_use,
    .recovery_left = pg_recovery_left,
};
