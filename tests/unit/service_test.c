/*
 * service_test.c -- the public use cases (<gatehouse/service.h>) on a real data folder:
 * initialisation, authentication, subaccounts, API keys, auth-token rotation, master-key
 * rotation and the audit log.  Every test gets a fresh instance in a scratch folder and a clock
 * it moves by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "crypto/keyring.h"
#include "service/service.h"

#include "helpers.h"

static const struct gh_origin origin = {"203.0.113.9", "gatehouse-unit/1.0"};

struct fixture {
    struct test_dir dir;
    char data[PATH_MAX];
    struct test_clock clock;
    struct gh_ctx_config cfg;
    struct gh_ctx *ctx;
    struct gh_ctx *ctx2; /* a second context, when a test needs one */
    struct gh_init_result init;
    struct gh_principal main; /* the main account's auth token */
    struct gh_principal op;
};

/* ---- audit helpers ---- */

struct events {
    size_t n;
    size_t cap;
    struct gh_audit_event *ev;
};

static int
collect(const struct gh_audit_event *ev, void *arg)
{
    struct events *e = arg;

    if (e->n == e->cap) {
        size_t cap = e->cap == 0 ? 64 : e->cap * 2;
        struct gh_audit_event *grown = realloc(e->ev, cap * sizeof(*grown));

        if (grown == NULL) {
            return 1;
        }
        e->ev = grown;
        e->cap = cap;
    }
    e->ev[e->n++] = *ev;
    return 0;
}

static void
events_load(struct fixture *f, struct events *e)
{
    memset(e, 0, sizeof(*e));
    assert_gh(gh_audit_each(f->ctx, 0, collect, e), GH_OK);
}

static void
events_free(struct events *e)
{
    free(e->ev);
    memset(e, 0, sizeof(*e));
}

/* The newest event with this action, or NULL. */
static const struct gh_audit_event *
events_last(const struct events *e, const char *action)
{
    for (size_t i = e->n; i > 0; i--) {
        if (strcmp(e->ev[i - 1].action, action) == 0) {
            return &e->ev[i - 1];
        }
    }
    return NULL;
}

static size_t
events_count(const struct events *e, const char *action)
{
    size_t n = 0;

    for (size_t i = 0; i < e->n; i++) {
        n += strcmp(e->ev[i].action, action) == 0;
    }
    return n;
}

/* Fails if text appears in any field of any event. */
static void
events_never_contain(const struct events *e, const char *text)
{
    for (size_t i = 0; i < e->n; i++) {
        const struct gh_audit_event *ev = &e->ev[i];
        const char *fields[] = {ev->actor,      ev->action,  ev->target, ev->remote_addr,
                                ev->user_agent, ev->outcome, ev->detail};

        for (size_t k = 0; k < GH_ARRAY_LEN(fields); k++) {
            if (strstr(fields[k], text) != NULL) {
                fail_msg("a secret appears in audit event %lld", (long long)ev->seq);
            }
        }
    }
}

/* ---- fixture ---- */

static void
config_for(struct fixture *f, const char *data)
{
    memset(&f->cfg, 0, sizeof(f->cfg));
    f->cfg.data_dir = data;
    f->cfg.clock = &f->clock.clock;
    f->cfg.store_connections = 2;
}

static gh_err
auth(struct fixture *f, const char *user, const char *password, struct gh_principal *out)
{
    return gh_authenticate_basic(f->ctx, &origin, user, password,
                                 password != NULL ? strlen(password) : 0, out);
}

static void
auth_ok(struct fixture *f, const char *user, const char *password, struct gh_principal *out)
{
    struct gh_principal p;

    assert_gh(auth(f, user, password, out != NULL ? out : &p), GH_OK);
}

static void
auth_denied(struct fixture *f, const char *user, const char *password)
{
    struct gh_principal p;
    struct gh_principal zero;

    memset(&zero, 0, sizeof(zero));
    memset(&p, 0x5A, sizeof(p));
    assert_gh(auth(f, user, password, &p), GH_E_DENIED);
    assert_memory_equal(&p, &zero, sizeof(p)); /* nothing of a principal is left */
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL) {
        return -1;
    }
    *state = f;
    test_dir_make(&f->dir);
    test_path(&f->dir, "data", f->data);
    test_clock_init(&f->clock, TEST_EPOCH_MS);
    config_for(f, f->data);
    assert_gh(gh_instance_init(&f->cfg, "Main account", NULL, &f->init, NULL), GH_OK);
    assert_int_equal(f->init.created, 1);
    assert_gh(gh_ctx_open(&f->cfg, &f->ctx), GH_OK);
    auth_ok(f, f->init.account_sid, f->init.auth_token, &f->main);
    gh_principal_operator(&f->op);
    test_clock_advance(&f->clock, 1000);
    return 0;
}

/* As setup, but with no context open (for tests that fork). */
static int
setup_closed(void **state)
{
    struct fixture *f;

    if (setup(state) != 0) {
        return -1;
    }
    f = *state;
    gh_ctx_close(f->ctx);
    f->ctx = NULL;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    gh__alloc_fail_after(0);
    gh_ctx_close(f->ctx2);
    gh_ctx_close(f->ctx);
    gh_wipe(&f->init, sizeof(f->init));
    test_dir_remove(&f->dir);
    free(f);
    return 0;
}

/* ---- small steps ---- */

static void
new_sub(struct fixture *f, const struct gh_principal *who, const char *name, struct gh_account *out,
        char token[GH_SECRET_SIZE])
{
    assert_gh(gh_account_create(f->ctx, &origin, who, name, out, token), GH_OK);
}

static struct gh_key_scope
scope_of(const char *account_sid, enum gh_key_family family, enum gh_reach reach)
{
    struct gh_key_scope s = {account_sid, family, reach};

    return s;
}

static const struct gh_key_scope own_api = {NULL, GH_KEY_FAMILY_API, GH_REACH_OWN};
static const struct gh_key_scope own_signing = {NULL, GH_KEY_FAMILY_SIGNING, GH_REACH_OWN};

static gh_err
try_key(struct fixture *f, const struct gh_principal *who, const struct gh_key_scope *scope,
        enum gh_key_type type, const char *permissions, struct gh_key *out,
        char secret[GH_SECRET_SIZE])
{
    struct gh_key_spec spec = {type, "a key", permissions};

    return gh_key_create(f->ctx, &origin, who, scope, &spec, out, secret);
}

/* Creates a key and returns the principal that authenticates with it. */
static void
new_key(struct fixture *f, const struct gh_principal *who, const struct gh_key_scope *scope,
        enum gh_key_type type, const char *permissions, struct gh_key *out,
        char secret[GH_SECRET_SIZE], struct gh_principal *as)
{
    assert_gh(try_key(f, who, scope, type, permissions, out, secret), GH_OK);
    assert_int_equal(strlen(secret), GH_KEY_SECRET_LEN);
    if (as != NULL) {
        auth_ok(f, out->sid, secret, as);
    }
}

/* Sets an account's status behind the service's back (a main account's status has no API). */
static void
force_status(struct fixture *f, const char *sid, enum gh_account_status status)
{
    struct gh_account a;
    struct gh_tx *tx = NULL;

    assert_gh(f->ctx->store->ops->begin(f->ctx->store, GH_TX_WRITE, &tx), GH_OK);
    assert_gh(GH_ST(tx)->account_get(tx, sid, &a), GH_OK);
    a.status = status;
    assert_gh(GH_ST(tx)->account_update(tx, &a), GH_OK);
    assert_gh(GH_ST(tx)->commit(tx), GH_OK);
}

static gh_err
set_status(struct fixture *f, const struct gh_principal *who, const char *sid, int status)
{
    struct gh_account_change change = {NULL, status};
    struct gh_account out;

    return gh_account_update(f->ctx, &origin, who, sid, &change, &out, NULL);
}

static gh_err
rename_account(struct fixture *f, const struct gh_principal *who, const char *sid, const char *name)
{
    struct gh_account_change change = {name, GH_STATUS_ANY};
    struct gh_account out;

    return gh_account_update(f->ctx, &origin, who, sid, &change, &out, NULL);
}

static void
upper_hex(const char *sid, char out[GH_SID_SIZE])
{
    for (size_t i = 0; i < GH_SID_SIZE; i++) {
        char c = sid[i];

        out[i] = (i >= 2 && c >= 'a' && c <= 'f') ? (char)(c - 'a' + 'A') : c;
    }
}

/* ---- instance ---- */

static void
init_creates_folder_key_and_main_account(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX];
    struct events e;
    const struct gh_audit_event *ev;

    assert_int_equal(test_mode_of(f->data), 0700);
    assert_gh(gh__data_path(f->data, "master.key", path, sizeof(path)), GH_OK);
    assert_int_equal(test_mode_of(path), 0600);
    assert_gh(gh__data_path(f->data, "gatehouse.db", path, sizeof(path)), GH_OK);
    assert_true(test_exists(path));
    assert_true(gh_sid_valid(f->init.account_sid, "AC"));
    assert_int_equal(strlen(f->init.auth_token), GH_AUTH_TOKEN_LEN);
    assert_int_equal(f->main.kind, GH_PRINCIPAL_AUTH_TOKEN);
    assert_string_equal(f->main.account_sid, f->init.account_sid);

    events_load(f, &e);
    ev = events_last(&e, "instance.init");
    assert_non_null(ev);
    assert_int_equal(ev->seq, 1);
    assert_string_equal(ev->actor, "operator");
    assert_string_equal(ev->target, f->init.account_sid);
    assert_int_equal(ev->time_ms, TEST_EPOCH_MS);
    events_never_contain(&e, f->init.auth_token);
    events_free(&e);
}

static void
init_again_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct gh_init_result again;
    char path[PATH_MAX];
    char before[4096];
    char after[4096];

    assert_gh(gh__data_path(f->data, "master.key", path, sizeof(path)), GH_OK);
    test_read_file(path, before, sizeof(before));
    assert_gh(gh_instance_init(&f->cfg, "Another name", NULL, &again, NULL), GH_OK);
    assert_int_equal(again.created, 0);
    assert_string_equal(again.account_sid, f->init.account_sid);
    assert_string_equal(again.auth_token, ""); /* shown once, never again */
    test_read_file(path, after, sizeof(after));
    assert_string_equal(before, after);
    auth_ok(f, f->init.account_sid, f->init.auth_token, NULL);
}

static void
init_modes_hold_under_a_permissive_umask(void **state)
{
    struct fixture *f = *state;
    struct gh_ctx_config cfg;
    struct gh_init_result r;
    char data[PATH_MAX];
    char key[PATH_MAX];
    mode_t old;
    gh_err rc;

    test_path(&f->dir, "loose", data);
    cfg = f->cfg;
    cfg.data_dir = data;
    old = umask(0);
    rc = gh_instance_init(&cfg, "Loose", NULL, &r, NULL);
    umask(old);
    assert_gh(rc, GH_OK);
    assert_int_equal(test_mode_of(data), 0700);
    assert_gh(gh__data_path(data, "master.key", key, sizeof(key)), GH_OK);
    assert_int_equal(test_mode_of(key), 0600);
    gh_wipe(&r, sizeof(r));
}

static void
init_refuses_bad_friendly_names(void **state)
{
    static const char *const bad[] = {
        "", "tab\there", "\xC3",
        "12345678901234567890123456789012345678901234567890123456789012345", /* 65 */
    };
    struct fixture *f = *state;
    struct gh_ctx_config cfg = f->cfg;
    struct gh_init_result r;
    char data[PATH_MAX];

    test_path(&f->dir, "never", data);
    cfg.data_dir = data;
    assert_gh(gh_instance_init(&cfg, NULL, NULL, &r, NULL), GH_E_FRIENDLY_NAME);
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_gh(gh_instance_init(&cfg, bad[i], NULL, &r, NULL), GH_E_FRIENDLY_NAME);
        assert_int_equal(r.created, 0);
    }
    assert_false(test_exists(data));
    assert_gh(gh_instance_init(NULL, "x", NULL, &r, NULL), GH_E_INVALID);
}

/*
 * Regression (lib/service/instance.c, gh_instance_init): on an initialised folder whose
 * master.key is missing, init once created a new, unrelated key and reported "nothing changed".
 * It must refuse and leave the folder as it was.
 */
static void
init_refuses_an_instance_without_its_key_file(void **state)
{
    struct fixture *f = *state;
    struct gh_init_result again;
    char path[PATH_MAX];

    gh_ctx_close(f->ctx);
    f->ctx = NULL;
    assert_gh(gh__data_path(f->data, "master.key", path, sizeof(path)), GH_OK);
    assert_int_equal(unlink(path), 0);
    assert_gh(gh_instance_init(&f->cfg, "Main account", NULL, &again, NULL), GH_E_KEYFILE);
    assert_false(test_exists(path));
}

/* Digests computed by one refused attempt. */
static unsigned long
digests_for(struct fixture *f, const char *user, const char *password)
{
    unsigned long before = gh__keyring_lookup_count();
    struct gh_principal p;

    assert_gh(auth(f, user, password, &p), GH_E_DENIED);
    return gh__keyring_lookup_count() - before;
}

/*
 * STYLE 5: unknown accounts cost the same as known ones.  Counted, not timed: an unknown SID
 * computes as many keyed digests as a known SID with a wrong secret, for both kinds of SID.
 */
static void
auth_unknown_sids_cost_the_same_digests(void **state)
{
    struct fixture *f = *state;
    struct gh_key_scope scope = {NULL, GH_KEY_FAMILY_API, GH_REACH_OWN};
    char secret[GH_SECRET_SIZE];
    char unknown_ac[GH_SID_SIZE];
    char unknown_sk[GH_SID_SIZE];
    struct gh_key key;
    unsigned long known;

    assert_gh(gh_sid_new("AC", unknown_ac), GH_OK);
    assert_gh(gh_sid_new("SK", unknown_sk), GH_OK);
    known = digests_for(f, f->init.account_sid, "0123456789abcdef0123456789abcdef");
    assert_true(known >= 1);
    assert_int_equal(digests_for(f, unknown_ac, "0123456789abcdef0123456789abcdef"), known);
    new_key(f, &f->main, &scope, GH_KEY_STANDARD, NULL, &key, secret, NULL);
    known = digests_for(f, key.sid, "not-the-secret-not-the-secret-00");
    assert_true(known >= 1);
    assert_int_equal(digests_for(f, unknown_sk, "not-the-secret-not-the-secret-00"), known);
    gh_key_clear(&key);
    gh_wipe(secret, sizeof(secret));
}

static void
ctx_main_account_names_the_init_account(void **state)
{
    struct fixture *f = *state;
    char sid[GH_SID_SIZE];

    assert_gh(gh_ctx_main_account(f->ctx, sid), GH_OK);
    assert_string_equal(sid, f->init.account_sid);
    assert_gh(gh_ctx_main_account(NULL, sid), GH_E_INVALID);
    assert_gh(gh_ctx_main_account(f->ctx, NULL), GH_E_INVALID);
}

static void
ctx_open_needs_an_initialised_folder(void **state)
{
    struct fixture *f = *state;
    struct gh_ctx_config cfg = f->cfg;
    struct gh_ctx *ctx = (struct gh_ctx *)&ctx;
    char empty[PATH_MAX];

    test_path(&f->dir, "empty", empty);
    cfg.data_dir = empty;
    assert_gh(gh_ctx_open(&cfg, &ctx), GH_E_NOT_FOUND);
    assert_null(ctx);
    assert_int_equal(mkdir(empty, 0700), 0);
    assert_gh(gh_ctx_open(&cfg, &ctx), GH_E_NOT_FOUND);
    assert_null(ctx);
    assert_gh(gh_ctx_open(NULL, &ctx), GH_E_INVALID);
}

static void
ctx_open_refuses_a_loose_or_missing_key_file(void **state)
{
    struct fixture *f = *state;
    struct gh_ctx *ctx = (struct gh_ctx *)&ctx;
    char path[PATH_MAX];

    assert_gh(gh__data_path(f->data, "master.key", path, sizeof(path)), GH_OK);
    assert_int_equal(chmod(path, 0640), 0);
    assert_gh(gh_ctx_open(&f->cfg, &ctx), GH_E_KEYFILE);
    assert_null(ctx);
    assert_int_equal(chmod(path, 0600), 0);
    f->cfg.key_file = "/nonexistent/master.key";
    assert_true(gh_ctx_open(&f->cfg, &ctx) != GH_OK);
    assert_null(ctx);
}

static void
ctx_open_refuses_another_key(void **state)
{
    struct fixture *f = *state;
    struct gh_ctx *ctx = (struct gh_ctx *)&ctx;
    char other[PATH_MAX];

    test_path(&f->dir, "other.key", other);
    assert_gh(gh__keyring_file_create(other), GH_OK);
    f->cfg.key_file = other;
    assert_gh(gh_ctx_open(&f->cfg, &ctx), GH_E_WRONG_KEY);
    assert_null(ctx);
}

/* Every allocation of gh_ctx_open may fail: each failure is GH_E_NOMEM and leaks nothing. */
static void
ctx_open_survives_allocation_failures(void **state)
{
    struct fixture *f = *state;
    bool opened = false;

    for (unsigned long n = 1; n < 50 && !opened; n++) {
        struct gh_ctx *ctx = NULL;
        gh_err rc;

        gh__alloc_fail_after(n);
        rc = gh_ctx_open(&f->cfg, &ctx);
        gh__alloc_fail_after(0);
        if (rc == GH_OK) {
            opened = true;
            auth_ok(f, f->init.account_sid, f->init.auth_token, NULL);
            gh_ctx_close(ctx);
        } else {
            assert_gh(rc, GH_E_NOMEM);
            assert_null(ctx);
        }
    }
    assert_true(opened);
}

/* ---- authentication ---- */

static void
auth_main_token(void **state)
{
    struct fixture *f = *state;
    struct gh_principal p;
    char upper[GH_SID_SIZE];

    auth_ok(f, f->init.account_sid, f->init.auth_token, &p);
    assert_int_equal(p.kind, GH_PRINCIPAL_AUTH_TOKEN);
    assert_string_equal(p.sid, f->init.account_sid);
    assert_string_equal(p.account_sid, f->init.account_sid);
    assert_string_equal(p.parent_sid, "");
    /* Either hex case names the same account; the principal is canonical. */
    upper_hex(f->init.account_sid, upper);
    auth_ok(f, upper, f->init.auth_token, &p);
    assert_string_equal(p.sid, f->init.account_sid);
}

static void
auth_wrong_token_is_denied_and_audited(void **state)
{
    struct fixture *f = *state;
    char wrong[GH_SECRET_SIZE + 1];
    struct gh_principal p;
    struct events e;
    const struct gh_audit_event *ev;

    memcpy(wrong, f->init.auth_token, GH_SECRET_SIZE);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    auth_denied(f, f->init.account_sid, wrong);
    auth_denied(f, f->init.account_sid, "");
    memcpy(wrong, f->init.auth_token, GH_SECRET_SIZE);
    wrong[31] = '\0'; /* a prefix */
    auth_denied(f, f->init.account_sid, wrong);
    memcpy(wrong, f->init.auth_token, GH_SECRET_SIZE);
    wrong[32] = 'x'; /* an extension */
    wrong[33] = '\0';
    auth_denied(f, f->init.account_sid, wrong);
    /* The right token with a NUL byte after it is another password. */
    assert_gh(
        gh_authenticate_basic(f->ctx, &origin, f->init.account_sid, f->init.auth_token, 33, &p),
        GH_E_DENIED);
    /* Upper-case hex in the token is another token. */
    for (size_t i = 0; i < 32; i++) {
        char c = f->init.auth_token[i];

        wrong[i] = (c >= 'a' && c <= 'f') ? (char)(c - 'a' + 'A') : c;
    }
    wrong[32] = '\0';
    if (strcmp(wrong, f->init.auth_token) != 0) {
        auth_denied(f, f->init.account_sid, wrong);
    }

    events_load(f, &e);
    assert_true(events_count(&e, "auth.failure") >= 5);
    ev = events_last(&e, "auth.failure");
    assert_string_equal(ev->outcome, "failure");
    assert_string_equal(ev->target, f->init.account_sid);
    assert_string_equal(ev->remote_addr, origin.remote_addr);
    assert_string_equal(ev->user_agent, origin.user_agent);
    assert_string_equal(ev->detail, "bad_auth_token");
    assert_int_equal(ev->time_ms, f->clock.now_ms);
    events_never_contain(&e, f->init.auth_token);
    events_never_contain(&e, wrong);
    events_free(&e);
}

static void
auth_unknown_sids_are_denied(void **state)
{
    struct fixture *f = *state;
    char sid[GH_SID_SIZE];
    struct events e;

    assert_gh(gh_sid_new("AC", sid), GH_OK);
    auth_denied(f, sid, f->init.auth_token);
    assert_gh(gh_sid_new("SK", sid), GH_OK);
    auth_denied(f, sid, "0123456789abcdefghijABCDEFGHIJ01");
    events_load(f, &e);
    assert_int_equal(events_count(&e, "auth.failure"), 2);
    assert_string_equal(e.ev[e.n - 2].detail, "unknown_account");
    assert_string_equal(e.ev[e.n - 1].detail, "unknown_key");
    assert_string_equal(e.ev[e.n - 1].target, sid);
    events_free(&e);
}

static void
auth_malformed_usernames_are_denied(void **state)
{
    struct fixture *f = *state;
    char lower_prefix[GH_SID_SIZE];
    char other_type[GH_SID_SIZE];
    char longer[GH_SID_SIZE + 1];
    const char *bad[5];
    struct gh_principal p;
    struct events e;

    snprintf(lower_prefix, sizeof(lower_prefix), "ac%s", f->init.account_sid + 2);
    snprintf(other_type, sizeof(other_type), "US%s", f->init.account_sid + 2);
    snprintf(longer, sizeof(longer), "%s0", f->init.account_sid);
    bad[0] = "";
    bad[1] = "AC123";
    bad[2] = lower_prefix;
    bad[3] = other_type;
    bad[4] = longer;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        auth_denied(f, bad[i], f->init.auth_token);
    }
    assert_gh(auth(f, NULL, f->init.auth_token, &p), GH_E_DENIED);
    assert_gh(auth(f, f->init.account_sid, NULL, &p), GH_E_DENIED);
    assert_gh(gh_authenticate_basic(NULL, &origin, f->init.account_sid, f->init.auth_token, 32, &p),
              GH_E_INVALID);

    events_load(f, &e);
    assert_int_equal(events_count(&e, "auth.failure"), GH_ARRAY_LEN(bad) + 2);
    assert_string_equal(e.ev[e.n - 1].detail, "malformed_credentials");
    assert_string_equal(e.ev[e.n - 1].actor, "");
    events_never_contain(&e, f->init.auth_token);
    events_free(&e);
}

static void
auth_refuses_too_long_passwords(void **state)
{
    struct fixture *f = *state;
    char longest[GH_PASSWORD_MAX_LEN + 2];
    struct gh_principal p;
    struct events e;

    memset(longest, 'p', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    assert_gh(gh_authenticate_basic(f->ctx, &origin, f->init.account_sid, longest,
                                    GH_PASSWORD_MAX_LEN + 1, &p),
              GH_E_DENIED);
    /* Even the right token, if the length says it is longer. */
    assert_gh(gh_authenticate_basic(f->ctx, &origin, f->init.account_sid, f->init.auth_token,
                                    (size_t)-1, &p),
              GH_E_DENIED);
    assert_gh(gh_authenticate_basic(f->ctx, &origin, f->init.account_sid, longest,
                                    GH_PASSWORD_MAX_LEN, &p),
              GH_E_DENIED);
    events_load(f, &e);
    assert_int_equal(events_count(&e, "auth.failure"), 3);
    assert_string_equal(e.ev[e.n - 3].detail, "malformed_credentials");
    assert_string_equal(e.ev[e.n - 2].detail, "malformed_credentials");
    assert_string_equal(e.ev[e.n - 1].detail, "bad_auth_token");
    events_free(&e);
}

static void
audit_auth_failure_sanitises_client_text(void **state)
{
    struct fixture *f = *state;
    const struct gh_origin evil = {"198.51.100.1\n", "agent\r\nX-Forged: 1\x1b[31m\xC3\xA9"};
    struct events e;
    const struct gh_audit_event *ev;

    gh_audit_auth_failure(f->ctx, &evil, "malformed_authorization");
    gh_audit_auth_failure(f->ctx, NULL, "no_origin");
    events_load(f, &e);
    ev = &e.ev[e.n - 2];
    assert_string_equal(ev->action, "auth.failure");
    assert_string_equal(ev->detail, "malformed_authorization");
    assert_string_equal(ev->remote_addr, "198.51.100.1?");
    assert_string_equal(ev->user_agent, "agent??X-Forged: 1?[31m??");
    ev = &e.ev[e.n - 1];
    assert_string_equal(ev->remote_addr, "");
    assert_string_equal(ev->user_agent, "");
    events_free(&e);
}

/* ---- subaccounts ---- */

static void
account_create_makes_a_working_subaccount(void **state)
{
    struct fixture *f = *state;
    struct gh_account sub;
    struct gh_account unnamed;
    char token[GH_SECRET_SIZE];
    char token2[GH_SECRET_SIZE];
    struct gh_principal p;
    struct events e;
    const struct gh_audit_event *ev;

    new_sub(f, &f->main, "Sub \xC3\xA9", &sub, token);
    assert_true(gh_sid_valid(sub.sid, "AC"));
    assert_string_equal(sub.parent_sid, f->init.account_sid);
    assert_string_equal(sub.friendly_name, "Sub \xC3\xA9");
    assert_int_equal(sub.status, GH_ACCOUNT_ACTIVE);
    assert_int_equal(sub.created_ms, f->clock.now_ms);
    assert_int_equal(strlen(token), GH_AUTH_TOKEN_LEN);
    auth_ok(f, sub.sid, token, &p);
    assert_string_equal(p.account_sid, sub.sid);
    assert_string_equal(p.parent_sid, f->init.account_sid);
    /* Twilio's default name, from the injected clock (22:50:09 UTC). */
    new_sub(f, &f->main, NULL, &unnamed, token2);
    assert_string_equal(unnamed.friendly_name, "SubAccount Created at 2016-06-13 10:50 pm");
    /* Tokens belong to their own account only. */
    auth_denied(f, sub.sid, token2);
    auth_denied(f, f->init.account_sid, token);

    events_load(f, &e);
    ev = events_last(&e, "account.create");
    assert_non_null(ev);
    assert_string_equal(ev->actor, f->init.account_sid);
    assert_string_equal(ev->target, unnamed.sid);
    assert_string_equal(ev->outcome, "success");
    events_never_contain(&e, token);
    events_never_contain(&e, token2);
    events_free(&e);
}

static void
account_create_refusals(void **state)
{
    struct fixture *f = *state;
    struct gh_account sub;
    struct gh_account out;
    struct gh_key key;
    char token[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_principal as_sub;
    struct gh_principal standard;
    struct gh_principal restricted;
    struct gh_principal none;

    new_sub(f, &f->main, "sub", &sub, token);
    auth_ok(f, sub.sid, token, &as_sub);
    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &key, secret, &standard);
    gh_key_clear(&key);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/a/b", &key, secret, &restricted);
    gh_key_clear(&key);
    memset(&none, 0, sizeof(none));

    assert_gh(gh_account_create(f->ctx, &origin, &as_sub, "nested", &out, token), GH_E_NESTED);
    assert_string_equal(out.sid, "");
    assert_string_equal(token, "");
    assert_gh(gh_account_create(f->ctx, &origin, &standard, "x", &out, token), GH_E_FORBIDDEN);
    assert_gh(gh_account_create(f->ctx, &origin, &restricted, "x", &out, token),
              GH_E_KEY_RESTRICTED);
    assert_gh(gh_account_create(f->ctx, &origin, &none, "x", &out, token), GH_E_DENIED);
    assert_gh(gh_account_create(f->ctx, &origin, &f->main, "", &out, token), GH_E_FRIENDLY_NAME);
    assert_gh(gh_account_create(f->ctx, &origin, &f->main, "bad\x7f", &out, token),
              GH_E_FRIENDLY_NAME);
}

static void
account_names_count_code_points(void **state)
{
    struct fixture *f = *state;
    char name[4 * 65 + 1];
    char token[GH_SECRET_SIZE];
    struct gh_account sub;

    /* 64 four-byte code points (256 bytes) is the longest name; 65 is one too many. */
    for (size_t i = 0; i < 65; i++) {
        memcpy(name + 4 * i, "\xF0\x9F\x94\x92", 4);
    }
    name[4 * 64] = '\0';
    new_sub(f, &f->main, name, &sub, token);
    assert_string_equal(sub.friendly_name, name);
    name[4 * 64] = '\xF0';
    name[4 * 65] = '\0';
    assert_gh(gh_account_create(f->ctx, &origin, &f->main, name, &sub, token), GH_E_FRIENDLY_NAME);
    assert_gh(rename_account(f, &f->main, f->init.account_sid, name), GH_E_FRIENDLY_NAME);
}

/* 21480: at most GH_SUBACCOUNT_MAX subaccounts (all but one inserted straight into the store). */
static void
account_create_stops_at_the_limit(void **state)
{
    struct fixture *f = *state;
    struct gh_tx *tx = NULL;
    struct gh_account sub;
    char token[GH_SECRET_SIZE];

    assert_gh(f->ctx->store->ops->begin(f->ctx->store, GH_TX_WRITE, &tx), GH_OK);
    for (int i = 0; i < GH_SUBACCOUNT_MAX - 1; i++) {
        struct gh_account a;

        memset(&a, 0, sizeof(a));
        assert_gh(gh_sid_new("AC", a.sid), GH_OK);
        memcpy(a.parent_sid, f->init.account_sid, GH_SID_SIZE);
        snprintf(a.friendly_name, sizeof(a.friendly_name), "filler %d", i);
        a.created_ms = a.updated_ms = f->clock.now_ms;
        assert_gh(GH_ST(tx)->account_insert(tx, &a), GH_OK);
    }
    assert_gh(GH_ST(tx)->commit(tx), GH_OK);
    new_sub(f, &f->main, "the last one", &sub, token);
    assert_gh(gh_account_create(f->ctx, &origin, &f->main, "one too many", &sub, token),
              GH_E_SUBACCOUNT_LIMIT);
    assert_string_equal(token, "");
}

static void
account_fetch_reaches_own_and_children_only(void **state)
{
    struct fixture *f = *state;
    struct gh_account a;
    struct gh_account b;
    struct gh_account out;
    char ta[GH_SECRET_SIZE];
    char tb[GH_SECRET_SIZE];
    char got[GH_SECRET_SIZE];
    char upper[GH_SID_SIZE];
    char unknown[GH_SID_SIZE];
    struct gh_principal as_a;

    new_sub(f, &f->main, "a", &a, ta);
    new_sub(f, &f->main, "b", &b, tb);
    auth_ok(f, a.sid, ta, &as_a);

    assert_gh(gh_account_fetch(f->ctx, &f->main, a.sid, &out, got), GH_OK);
    assert_string_equal(out.sid, a.sid);
    assert_string_equal(got, ta);
    assert_gh(gh_account_fetch(f->ctx, &f->main, f->init.account_sid, &out, got), GH_OK);
    assert_string_equal(got, f->init.auth_token);
    assert_gh(gh_account_fetch(f->ctx, &as_a, a.sid, &out, NULL), GH_OK);
    upper_hex(a.sid, upper);
    assert_gh(gh_account_fetch(f->ctx, &f->main, upper, &out, NULL), GH_OK);
    assert_string_equal(out.sid, a.sid);

    /* A subaccount reaches neither its parent nor its sibling: both are "not found". */
    memcpy(got, "stale", 6);
    assert_gh(gh_account_fetch(f->ctx, &as_a, f->init.account_sid, &out, got), GH_E_NOT_FOUND);
    assert_string_equal(out.sid, "");
    assert_string_equal(got, "");
    assert_gh(gh_account_fetch(f->ctx, &as_a, b.sid, &out, got), GH_E_NOT_FOUND);
    assert_string_equal(got, "");
    assert_gh(gh_sid_new("AC", unknown), GH_OK);
    assert_gh(gh_account_fetch(f->ctx, &f->main, unknown, &out, NULL), GH_E_NOT_FOUND);
    assert_gh(gh_account_fetch(f->ctx, &f->main, "not-a-sid", &out, NULL), GH_E_NOT_FOUND);
    assert_gh(gh_account_fetch(f->ctx, &f->main, "", &out, NULL), GH_E_NOT_FOUND);
    /* An SK SID is not an account, even the SID of a real key. */
    memcpy(unknown, a.sid, GH_SID_SIZE);
    memcpy(unknown, "SK", 2);
    assert_gh(gh_account_fetch(f->ctx, &f->main, unknown, &out, NULL), GH_E_NOT_FOUND);
}

static void
account_fetch_refuses_non_account_credentials(void **state)
{
    struct fixture *f = *state;
    struct gh_key key;
    struct gh_account out;
    char secret[GH_SECRET_SIZE];
    struct gh_principal standard;
    struct gh_principal restricted;
    struct gh_principal signing;

    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &key, secret, &standard);
    gh_key_clear(&key);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/a/b", &key, secret, &restricted);
    gh_key_clear(&key);
    new_key(f, &f->main, &own_signing, GH_KEY_SIGNING, NULL, &key, secret, &signing);
    gh_key_clear(&key);
    assert_gh(gh_account_fetch(f->ctx, &standard, f->init.account_sid, &out, NULL), GH_E_FORBIDDEN);
    assert_gh(gh_account_fetch(f->ctx, &signing, f->init.account_sid, &out, NULL), GH_E_FORBIDDEN);
    assert_gh(gh_account_fetch(f->ctx, &restricted, f->init.account_sid, &out, NULL),
              GH_E_KEY_RESTRICTED);
}

static void
account_list_main_sees_family_sub_sees_itself(void **state)
{
    struct fixture *f = *state;
    const struct gh_account_filter any = {NULL, GH_STATUS_ANY};
    const struct gh_page page = {50, 0, NULL};
    struct gh_account_list list;
    struct gh_account a;
    struct gh_account b;
    char ta[GH_SECRET_SIZE];
    char tb[GH_SECRET_SIZE];
    struct gh_principal as_a;

    new_sub(f, &f->main, "a", &a, ta);
    test_clock_advance(&f->clock, 10);
    new_sub(f, &f->main, "b", &b, tb);
    auth_ok(f, a.sid, ta, &as_a);

    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_OK);
    assert_int_equal(list.n, 3);
    assert_string_equal(list.items[0].sid, f->init.account_sid); /* oldest first */
    assert_string_equal(list.items[1].sid, a.sid);
    assert_string_equal(list.items[2].sid, b.sid);
    assert_string_equal(list.auth_tokens[0], f->init.auth_token);
    assert_string_equal(list.auth_tokens[1], ta);
    assert_string_equal(list.auth_tokens[2], tb);
    assert_string_equal(list.next_token, "");
    gh_account_list_clear(&list);
    assert_null(list.items);

    assert_gh(gh_account_list(f->ctx, &as_a, &any, &page, &list), GH_OK);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.items[0].sid, a.sid);
    gh_account_list_clear(&list);
    gh_account_list_clear(NULL);
}

static void
account_list_filters(void **state)
{
    struct fixture *f = *state;
    const struct gh_page page = {50, 0, NULL};
    struct gh_account_filter filter = {"twin", GH_STATUS_ANY};
    struct gh_account_list list;
    struct gh_account a;
    struct gh_account b;
    char token[GH_SECRET_SIZE];

    new_sub(f, &f->main, "twin", &a, token);
    new_sub(f, &f->main, "twin", &b, token);
    new_sub(f, &f->main, "other", &b, token);
    assert_gh(set_status(f, &f->main, a.sid, GH_ACCOUNT_SUSPENDED), GH_OK);

    assert_gh(gh_account_list(f->ctx, &f->main, &filter, &page, &list), GH_OK);
    assert_int_equal(list.n, 2);
    gh_account_list_clear(&list);
    filter.status = GH_ACCOUNT_SUSPENDED;
    assert_gh(gh_account_list(f->ctx, &f->main, &filter, &page, &list), GH_OK);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.items[0].sid, a.sid);
    gh_account_list_clear(&list);
    filter.friendly_name = NULL;
    filter.status = GH_ACCOUNT_ACTIVE;
    assert_gh(gh_account_list(f->ctx, &f->main, &filter, &page, &list), GH_OK);
    assert_int_equal(list.n, 3); /* main, the other twin, other */
    gh_account_list_clear(&list);
    filter.status = 3;
    assert_gh(gh_account_list(f->ctx, &f->main, &filter, &page, &list), GH_E_STATUS);
    filter.status = -2;
    assert_gh(gh_account_list(f->ctx, &f->main, &filter, &page, &list), GH_E_STATUS);
}

/*
 * Five subaccounts, some created in the same millisecond: page size 1 walks every account
 * exactly once, oldest first (ties by SID), and the last page has no next_token.
 */
static void
account_list_pages_by_token(void **state)
{
    struct fixture *f = *state;
    const struct gh_account_filter any = {NULL, GH_STATUS_ANY};
    char seen[8][GH_SID_SIZE];
    char token[GH_SECRET_SIZE];
    char next[GH_PAGE_TOKEN_SIZE] = "";
    struct gh_account_list list;
    struct gh_account sub;
    size_t n = 0;

    for (int i = 0; i < 5; i++) {
        new_sub(f, &f->main, "page", &sub, token);
        test_clock_advance(&f->clock, i % 2); /* pairs share a millisecond */
    }
    for (int pages = 0; pages < 10; pages++) {
        struct gh_page page = {1, 0, next[0] != '\0' ? next : NULL};

        assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_OK);
        assert_int_equal(list.n, 1);
        assert_true(n < GH_ARRAY_LEN(seen));
        memcpy(seen[n++], list.items[0].sid, GH_SID_SIZE);
        memcpy(next, list.next_token, sizeof(next));
        gh_account_list_clear(&list);
        if (next[0] == '\0') {
            break;
        }
    }
    assert_int_equal(n, 6);
    assert_string_equal(seen[0], f->init.account_sid);
    for (size_t i = 0; i < n; i++) {
        struct gh_account a;

        assert_gh(gh_account_fetch(f->ctx, &f->main, seen[i], &a, NULL), GH_OK);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(seen[i], seen[j]);
        }
        if (i > 0) {
            struct gh_account prev;

            assert_gh(gh_account_fetch(f->ctx, &f->main, seen[i - 1], &prev, NULL), GH_OK);
            assert_true(prev.created_ms < a.created_ms ||
                        (prev.created_ms == a.created_ms && strcmp(prev.sid, a.sid) < 0));
        }
    }

    /* Page numbers without a token are offsets: page 2 of size 2 starts at the fifth. */
    {
        struct gh_page page = {2, 2, NULL};

        assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_OK);
        assert_int_equal(list.n, 2);
        assert_string_equal(list.items[0].sid, seen[4]);
        assert_string_equal(list.next_token, "");
        gh_account_list_clear(&list);
    }
}

static void
account_list_refuses_bad_paging(void **state)
{
    struct fixture *f = *state;
    const struct gh_account_filter any = {NULL, GH_STATUS_ANY};
    struct gh_account_list list;
    char good[GH_PAGE_TOKEN_SIZE];
    char bad[GH_PAGE_TOKEN_SIZE + 8];
    struct gh_page page = {1, 0, NULL};
    struct gh_account sub;
    char token[GH_SECRET_SIZE];

    new_sub(f, &f->main, "a", &sub, token);
    new_sub(f, &f->main, "b", &sub, token);
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_OK);
    memcpy(good, list.next_token, sizeof(good));
    gh_account_list_clear(&list);
    assert_int_equal(strlen(good), 2 + 16 + 34);

    const char *fixed[] = {"", "garbage", "PA", "PAffffffffffffffff"};
    for (size_t i = 0; i < GH_ARRAY_LEN(fixed); i++) {
        page.token = fixed[i];
        assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
        assert_null(list.items);
    }
    page.token = bad;
    snprintf(bad, sizeof(bad), "PB%s", good + 2); /* wrong prefix */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
    snprintf(bad, sizeof(bad), "%s0", good); /* too long */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
    snprintf(bad, sizeof(bad), "%.*s", (int)strlen(good) - 1, good); /* too short */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
    snprintf(bad, sizeof(bad), "%s", good);
    bad[2] = 'G'; /* not hex */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
    snprintf(bad, sizeof(bad), "%s", good);
    memcpy(bad + 2, "F", 1); /* upper-case hex in the time */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
    snprintf(bad, sizeof(bad), "%s", good);
    memcpy(bad + 2, "8", 1); /* a time beyond INT64_MAX */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);
    snprintf(bad, sizeof(bad), "%s", good);
    memcpy(bad + 18, "SK", 2); /* a key's page token */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE_TOKEN);

    /* Sizes and offsets. */
    page.token = NULL;
    page.size = 0;
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE);
    page.size = GH_PAGE_SIZE_MAX + 1;
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE);
    page.size = GH_PAGE_SIZE_MAX;
    page.page = GH_PAGE_OFFSET_MAX / GH_PAGE_SIZE_MAX + 1;
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE);
    page.page = UINT32_MAX; /* page * size must not wrap */
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_E_PAGE);
    page.page = GH_PAGE_OFFSET_MAX / GH_PAGE_SIZE_MAX;
    assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &list), GH_OK);
    assert_int_equal(list.n, 0);
    gh_account_list_clear(&list);
    assert_gh(gh_account_list(f->ctx, &f->main, &any, NULL, &list), GH_E_PAGE);
}

static void
account_update_renames_within_reach(void **state)
{
    struct fixture *f = *state;
    struct gh_account_change change = {"renamed", GH_STATUS_ANY};
    struct gh_account a;
    struct gh_account b;
    struct gh_account out;
    char ta[GH_SECRET_SIZE];
    char tb[GH_SECRET_SIZE];
    char got[GH_SECRET_SIZE];
    struct gh_principal as_a;
    struct events e;

    new_sub(f, &f->main, "a", &a, ta);
    new_sub(f, &f->main, "b", &b, tb);
    auth_ok(f, a.sid, ta, &as_a);
    test_clock_advance(&f->clock, 5000);

    assert_gh(gh_account_update(f->ctx, &origin, &as_a, a.sid, &change, &out, got), GH_OK);
    assert_string_equal(out.friendly_name, "renamed");
    assert_int_equal(out.updated_ms, f->clock.now_ms);
    assert_int_equal(out.created_ms, a.created_ms);
    assert_string_equal(got, ta);
    assert_gh(rename_account(f, &f->main, b.sid, "by parent"), GH_OK);
    assert_gh(rename_account(f, &f->main, f->init.account_sid, "main renamed"), GH_OK);
    /* Out of reach: parent and sibling. */
    assert_gh(rename_account(f, &as_a, b.sid, "x"), GH_E_NOT_FOUND);
    assert_gh(rename_account(f, &as_a, f->init.account_sid, "x"), GH_E_NOT_FOUND);
    assert_gh(gh_account_fetch(f->ctx, &f->main, b.sid, &out, NULL), GH_OK);
    assert_string_equal(out.friendly_name, "by parent");
    /* Bad names. */
    assert_gh(rename_account(f, &f->main, a.sid, ""), GH_E_FRIENDLY_NAME);
    assert_gh(rename_account(f, &f->main, a.sid, "a\nb"), GH_E_FRIENDLY_NAME);

    events_load(f, &e);
    assert_int_equal(events_count(&e, "account.update"), 3);
    assert_string_equal(events_last(&e, "account.update")->actor, f->init.account_sid);
    events_free(&e);
}

static void
account_status_is_the_parents_to_change(void **state)
{
    struct fixture *f = *state;
    struct gh_account a;
    struct gh_account out;
    char ta[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_key key;
    struct gh_principal as_a;
    struct events e;

    new_sub(f, &f->main, "a", &a, ta);
    auth_ok(f, a.sid, ta, &as_a);
    assert_gh(set_status(f, &as_a, a.sid, GH_ACCOUNT_SUSPENDED), GH_E_FORBIDDEN);
    assert_gh(set_status(f, &as_a, a.sid, GH_ACCOUNT_CLOSED), GH_E_FORBIDDEN);
    assert_gh(set_status(f, &f->main, f->init.account_sid, GH_ACCOUNT_SUSPENDED), GH_E_FORBIDDEN);
    assert_gh(set_status(f, &f->main, a.sid, 3), GH_E_STATUS);
    assert_gh(set_status(f, &f->main, a.sid, -7), GH_E_STATUS);
    auth_ok(f, a.sid, ta, NULL);

    /* Suspended: its token and keys are refused at once; reactivated: accepted again. */
    new_key(f, &as_a, &own_api, GH_KEY_STANDARD, NULL, &key, secret, NULL);
    assert_gh(set_status(f, &f->main, a.sid, GH_ACCOUNT_SUSPENDED), GH_OK);
    auth_denied(f, a.sid, ta);
    auth_denied(f, key.sid, secret);
    assert_gh(gh_account_fetch(f->ctx, &f->main, a.sid, &out, NULL), GH_OK);
    assert_int_equal(out.status, GH_ACCOUNT_SUSPENDED);
    events_load(f, &e);
    assert_string_equal(events_last(&e, "auth.failure")->detail, "account_not_active");
    assert_string_equal(events_last(&e, "account.update")->detail, "status active -> suspended");
    events_free(&e);
    assert_gh(set_status(f, &f->main, a.sid, GH_ACCOUNT_ACTIVE), GH_OK);
    auth_ok(f, a.sid, ta, NULL);
    auth_ok(f, key.sid, secret, NULL);
    gh_key_clear(&key);
}

static void
account_closed_is_permanent(void **state)
{
    struct fixture *f = *state;
    struct gh_account a;
    char ta[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_key key;
    const struct gh_key_scope sub_scope = scope_of(NULL, GH_KEY_FAMILY_API, GH_REACH_PARENT);
    struct gh_key_scope scope = sub_scope;

    new_sub(f, &f->main, "a", &a, ta);
    scope.account_sid = a.sid;
    new_key(f, &f->main, &scope, GH_KEY_STANDARD, NULL, &key, secret, NULL);
    assert_gh(set_status(f, &f->main, a.sid, GH_ACCOUNT_CLOSED), GH_OK);
    auth_denied(f, a.sid, ta);
    auth_denied(f, key.sid, secret);
    assert_gh(set_status(f, &f->main, a.sid, GH_ACCOUNT_ACTIVE), GH_E_CLOSED);
    assert_gh(set_status(f, &f->op, a.sid, GH_ACCOUNT_ACTIVE), GH_E_CLOSED);
    assert_gh(rename_account(f, &f->main, a.sid, "revived"), GH_E_CLOSED);
    gh_key_clear(&key);
    assert_gh(try_key(f, &f->main, &scope, GH_KEY_STANDARD, NULL, &key, secret), GH_E_CLOSED);
    assert_string_equal(secret, "");
    auth_denied(f, a.sid, ta);
}

static void
suspended_parent_blocks_its_subaccounts(void **state)
{
    struct fixture *f = *state;
    struct gh_account a;
    char ta[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_key key;
    struct gh_principal as_a;
    struct gh_principal key_a;
    struct events e;

    new_sub(f, &f->main, "a", &a, ta);
    auth_ok(f, a.sid, ta, &as_a);
    new_key(f, &as_a, &own_api, GH_KEY_STANDARD, NULL, &key, secret, &key_a);
    assert_string_equal(key_a.account_sid, a.sid);
    assert_string_equal(key_a.parent_sid, f->init.account_sid);

    force_status(f, f->init.account_sid, GH_ACCOUNT_SUSPENDED);
    auth_denied(f, f->init.account_sid, f->init.auth_token);
    auth_denied(f, a.sid, ta);
    auth_denied(f, key.sid, secret);
    events_load(f, &e);
    assert_string_equal(events_last(&e, "auth.failure")->detail, "parent_not_active");
    events_free(&e);
    /* Nor can anyone change the subaccount's status meanwhile (21476). */
    assert_gh(set_status(f, &f->op, a.sid, GH_ACCOUNT_SUSPENDED), GH_E_PARENT_SUSPENDED);

    force_status(f, f->init.account_sid, GH_ACCOUNT_ACTIVE);
    auth_ok(f, a.sid, ta, NULL);
    auth_ok(f, key.sid, secret, NULL);
    gh_key_clear(&key);
}

/* ---- API keys ---- */

static void
key_create_and_authenticate_each_type(void **state)
{
    struct fixture *f = *state;
    static const struct {
        enum gh_key_type type;
        const char *permissions;
        enum gh_key_family family;
    } kinds[] = {
        {GH_KEY_STANDARD, NULL, GH_KEY_FAMILY_API},
        {GH_KEY_RESTRICTED, "/voice/calls\n/messaging/send", GH_KEY_FAMILY_API},
        {GH_KEY_SIGNING, NULL, GH_KEY_FAMILY_SIGNING},
    };
    char secrets[3][GH_SECRET_SIZE];
    struct gh_key keys[3];
    struct gh_principal p;
    struct events e;

    for (size_t i = 0; i < GH_ARRAY_LEN(kinds); i++) {
        struct gh_key_scope scope = scope_of(NULL, kinds[i].family, GH_REACH_OWN);

        new_key(f, &f->main, &scope, kinds[i].type, kinds[i].permissions, &keys[i], secrets[i], &p);
        assert_true(gh_sid_valid(keys[i].sid, "SK"));
        assert_string_equal(keys[i].account_sid, f->init.account_sid);
        assert_int_equal(keys[i].type, kinds[i].type);
        assert_int_equal(keys[i].created_ms, f->clock.now_ms);
        if (kinds[i].permissions != NULL) {
            assert_string_equal(keys[i].permissions, kinds[i].permissions);
        } else {
            assert_null(keys[i].permissions);
        }
        assert_int_equal(p.kind, GH_PRINCIPAL_KEY);
        assert_int_equal(p.key_type, kinds[i].type);
        assert_string_equal(p.sid, keys[i].sid);
        assert_string_equal(p.account_sid, f->init.account_sid);
    }
    /* A key's secret opens that key only; the auth token opens no key. */
    auth_denied(f, keys[0].sid, secrets[1]);
    auth_denied(f, keys[1].sid, f->init.auth_token);
    auth_denied(f, f->init.account_sid, secrets[0]);
    secrets[2][5] ^= 0x20;
    auth_denied(f, keys[2].sid, secrets[2]);

    events_load(f, &e);
    assert_int_equal(events_count(&e, "key.create"), 3);
    assert_string_equal(events_last(&e, "key.create")->detail, "signing");
    assert_string_equal(events_last(&e, "auth.failure")->detail, "bad_key_secret");
    for (size_t i = 0; i < 3; i++) {
        events_never_contain(&e, secrets[i]);
        gh_key_clear(&keys[i]);
    }
    events_free(&e);
}

static void
key_create_main_only_by_operator(void **state)
{
    struct fixture *f = *state;
    struct gh_key_scope scope = scope_of(NULL, GH_KEY_FAMILY_API, GH_REACH_OWN);
    struct gh_key key;
    struct gh_key more;
    char secret[GH_SECRET_SIZE];
    char secret2[GH_SECRET_SIZE];
    struct gh_principal main_key;
    struct gh_account out;

    assert_gh(try_key(f, &f->main, &scope, GH_KEY_MAIN, NULL, &key, secret), GH_E_FORBIDDEN);
    assert_string_equal(secret, "");
    assert_string_equal(key.sid, "");
    /* The operator names the account; it has none of its own. */
    assert_gh(try_key(f, &f->op, &scope, GH_KEY_MAIN, NULL, &key, secret), GH_E_NOT_FOUND);
    scope.account_sid = f->init.account_sid;
    new_key(f, &f->op, &scope, GH_KEY_MAIN, NULL, &key, secret, &main_key);
    assert_int_equal(main_key.key_type, GH_KEY_MAIN);
    /* A main key may manage keys and accounts, but still not mint main keys. */
    assert_gh(try_key(f, &main_key, &own_api, GH_KEY_MAIN, NULL, &more, secret2), GH_E_FORBIDDEN);
    new_key(f, &main_key, &own_api, GH_KEY_STANDARD, NULL, &more, secret2, NULL);
    gh_key_clear(&more);
    assert_gh(gh_account_fetch(f->ctx, &main_key, f->init.account_sid, &out, NULL), GH_OK);
    gh_key_clear(&key);
}

static void
key_routes_refuse_standard_and_restricted_keys(void **state)
{
    struct fixture *f = *state;
    const struct gh_page page = {50, 0, NULL};
    const struct gh_key_change change = {"x", NULL};
    struct gh_principal who[3];
    const gh_err expect[3] = {GH_E_FORBIDDEN, GH_E_KEY_RESTRICTED, GH_E_FORBIDDEN};
    struct gh_key keys[3];
    char secret[GH_SECRET_SIZE];
    struct gh_key out;
    struct gh_key_list list;

    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &keys[0], secret, &who[0]);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/a/b", &keys[1], secret, &who[1]);
    new_key(f, &f->main, &own_signing, GH_KEY_SIGNING, NULL, &keys[2], secret, &who[2]);
    for (size_t i = 0; i < 3; i++) {
        assert_gh(try_key(f, &who[i], &own_api, GH_KEY_STANDARD, NULL, &out, secret), expect[i]);
        assert_gh(gh_key_fetch(f->ctx, &who[i], &own_api, keys[0].sid, &out), expect[i]);
        assert_gh(gh_key_list(f->ctx, &who[i], &own_api, &page, &list), expect[i]);
        assert_gh(gh_key_update(f->ctx, &origin, &who[i], &own_api, keys[0].sid, &change, &out),
                  expect[i]);
        assert_gh(gh_key_delete(f->ctx, &origin, &who[i], &own_api, keys[0].sid), expect[i]);
        /* Nor may they rotate the account's auth token. */
        {
            struct gh_auth_token_info info;
            char token[GH_SECRET_SIZE];

            assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &who[i], &info, token),
                      expect[i]);
            assert_gh(gh_auth_token_promote(f->ctx, &origin, &who[i], &info, token), expect[i]);
            assert_gh(gh_auth_token_secondary_delete(f->ctx, &origin, &who[i]), expect[i]);
        }
    }
    /* The refused delete and update changed nothing. */
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_api, keys[0].sid, &out), GH_OK);
    assert_string_equal(out.friendly_name, "a key");
    gh_key_clear(&out);
    for (size_t i = 0; i < 3; i++) {
        gh_key_clear(&keys[i]);
    }
}

static void
key_create_validates_the_spec(void **state)
{
    struct fixture *f = *state;
    struct gh_key key;
    char secret[GH_SECRET_SIZE];
    char long_name[80];

    memset(long_name, 'n', 65);
    long_name[65] = '\0';
    assert_gh(try_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, NULL, &key, secret), GH_E_POLICY);
    assert_gh(try_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "", &key, secret), GH_E_POLICY);
    assert_gh(try_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/Voice/Calls", &key, secret),
              GH_E_POLICY);
    assert_gh(try_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/a/b\n/a/b", &key, secret),
              GH_E_POLICY);
    assert_gh(try_key(f, &f->main, &own_api, GH_KEY_STANDARD, "/a/b", &key, secret), GH_E_POLICY);
    assert_gh(try_key(f, &f->main, &own_signing, GH_KEY_SIGNING, "/a/b", &key, secret),
              GH_E_POLICY);
    /* A type must match its family. */
    assert_gh(try_key(f, &f->main, &own_api, GH_KEY_SIGNING, NULL, &key, secret), GH_E_INVALID);
    assert_gh(try_key(f, &f->main, &own_signing, GH_KEY_STANDARD, NULL, &key, secret),
              GH_E_INVALID);
    {
        struct gh_key_spec spec = {GH_KEY_STANDARD, long_name, NULL};

        assert_gh(gh_key_create(f->ctx, &origin, &f->main, &own_api, &spec, &key, secret),
                  GH_E_FRIENDLY_NAME);
        spec.friendly_name = "bad\x01";
        assert_gh(gh_key_create(f->ctx, &origin, &f->main, &own_api, &spec, &key, secret),
                  GH_E_FRIENDLY_NAME);
        spec.friendly_name = NULL; /* allowed: "" */
        assert_gh(gh_key_create(f->ctx, &origin, &f->main, &own_api, &spec, &key, secret), GH_OK);
        assert_string_equal(key.friendly_name, "");
        gh_key_clear(&key);
    }
}

static void
key_delete_revokes_at_once(void **state)
{
    struct fixture *f = *state;
    struct gh_key key;
    struct gh_key out;
    char secret[GH_SECRET_SIZE];
    struct events e;

    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &key, secret, NULL);
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &own_api, key.sid), GH_OK);
    auth_denied(f, key.sid, secret);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_api, key.sid, &out), GH_E_NOT_FOUND);
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &own_api, key.sid), GH_E_NOT_FOUND);
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &own_api, "SKnot-a-sid"), GH_E_NOT_FOUND);
    events_load(f, &e);
    assert_int_equal(events_count(&e, "key.delete"), 1);
    assert_string_equal(events_last(&e, "key.delete")->target, key.sid);
    assert_string_equal(events_last(&e, "auth.failure")->detail, "unknown_key");
    events_free(&e);
    gh_key_clear(&key);
}

/*
 * Nobody changes or deletes a key holding a permission they lack; a key whose stored Policy no
 * longer parses (an entry refused since it was written) grants nothing, so it bars nobody.
 */
static void
key_change_and_delete_need_the_keys_permissions(void **state)
{
    struct fixture *f = *state;
    struct gh_key strong, odd, out;
    struct gh_principal deleter, odd_as;
    char secret[GH_SECRET_SIZE];
    char odd_secret[GH_SECRET_SIZE];
    struct gh_key_change rename = {"renamed", NULL};
    struct gh_tx *tx = NULL;

    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/gatehouse/key/delete", &out, secret,
            &deleter);
    gh_key_clear(&out);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/gatehouse/auth_token/rotate", &strong,
            secret, NULL);
    assert_gh(gh_key_delete(f->ctx, &origin, &deleter, &own_api, strong.sid), GH_E_ESCALATION);
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, strong.sid, &rename, &out), GH_OK);
    gh_key_clear(&out);
    /* A policy the check refuses today, written behind the service's back. */
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/gatehouse/key/read", &odd, odd_secret,
            NULL);
    gh__free(odd.permissions);
    odd.permissions = gh__strdup("/gatehouse/ownership/transfer\n/gatehouse/key/read");
    assert_non_null(odd.permissions);
    assert_gh(f->ctx->store->ops->begin(f->ctx->store, GH_TX_WRITE, &tx), GH_OK);
    assert_gh(GH_ST(tx)->key_update(tx, &odd), GH_OK);
    assert_gh(GH_ST(tx)->commit(tx), GH_OK);
    auth_ok(f, odd.sid, odd_secret, &odd_as);
    assert_int_equal(gh_principal_perms(&odd_as), 0);
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, odd.sid, &rename, &out), GH_OK);
    gh_key_clear(&out);
    assert_gh(gh_key_delete(f->ctx, &origin, &deleter, &own_api, odd.sid), GH_OK);
    gh_key_clear(&strong);
    gh_key_clear(&odd);
}

/*
 * v1 resources (GH_REACH_OWN) act on the credential's own account only; the 2010 resources
 * (GH_REACH_PARENT) also let a parent's auth token or main key act on its subaccounts.
 */
static void
key_scope_v1_own_versus_2010_parent(void **state)
{
    struct fixture *f = *state;
    const struct gh_page page = {50, 0, NULL};
    struct gh_account a;
    char ta[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_key key;
    struct gh_key out;
    struct gh_key_list list;
    struct gh_principal as_a;
    struct gh_principal as_key;
    struct gh_key_scope v1;
    struct gh_key_scope v2010;

    new_sub(f, &f->main, "a", &a, ta);
    auth_ok(f, a.sid, ta, &as_a);
    v1 = scope_of(a.sid, GH_KEY_FAMILY_API, GH_REACH_OWN);
    v2010 = scope_of(a.sid, GH_KEY_FAMILY_API, GH_REACH_PARENT);

    assert_gh(try_key(f, &f->main, &v1, GH_KEY_STANDARD, NULL, &key, secret), GH_E_NOT_FOUND);
    assert_gh(gh_key_list(f->ctx, &f->main, &v1, &page, &list), GH_E_NOT_FOUND);
    new_key(f, &f->main, &v2010, GH_KEY_STANDARD, NULL, &key, secret, &as_key);
    assert_string_equal(key.account_sid, a.sid);
    assert_string_equal(as_key.account_sid, a.sid);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &v1, key.sid, &out), GH_E_NOT_FOUND);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &v2010, key.sid, &out), GH_OK);
    gh_key_clear(&out);
    assert_gh(gh_key_list(f->ctx, &f->main, &v2010, &page, &list), GH_OK);
    assert_int_equal(list.n, 1);
    gh_key_list_clear(&list);
    /* The key is not the parent's: its own scope does not find it. */
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_api, key.sid, &out), GH_E_NOT_FOUND);

    /* The subaccount reaches its own keys, never its parent's, whatever the reach. */
    assert_gh(gh_key_fetch(f->ctx, &as_a, &own_api, key.sid, &out), GH_OK);
    gh_key_clear(&out);
    v2010.account_sid = f->init.account_sid;
    assert_gh(gh_key_list(f->ctx, &as_a, &v2010, &page, &list), GH_E_NOT_FOUND);
    assert_gh(try_key(f, &as_a, &v2010, GH_KEY_STANDARD, NULL, &out, secret), GH_E_NOT_FOUND);
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &v1, key.sid), GH_E_NOT_FOUND);
    v2010.account_sid = a.sid;
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &v2010, key.sid), GH_OK);
    gh_key_clear(&key);
}

static void
key_families_do_not_mix(void **state)
{
    struct fixture *f = *state;
    const struct gh_page page = {50, 0, NULL};
    struct gh_key api;
    struct gh_key sig;
    struct gh_key out;
    struct gh_key_list list;
    char secret[GH_SECRET_SIZE];

    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &api, secret, NULL);
    new_key(f, &f->main, &own_signing, GH_KEY_SIGNING, NULL, &sig, secret, NULL);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_api, sig.sid, &out), GH_E_NOT_FOUND);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_signing, api.sid, &out), GH_E_NOT_FOUND);
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &own_api, sig.sid), GH_E_NOT_FOUND);
    assert_gh(gh_key_list(f->ctx, &f->main, &own_api, &page, &list), GH_OK);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.items[0].sid, api.sid);
    gh_key_list_clear(&list);
    assert_gh(gh_key_list(f->ctx, &f->main, &own_signing, &page, &list), GH_OK);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.items[0].sid, sig.sid);
    gh_key_list_clear(&list);
    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &own_signing, sig.sid), GH_OK);
    gh_key_clear(&api);
    gh_key_clear(&sig);
}

static void
key_list_pages_by_token(void **state)
{
    struct fixture *f = *state;
    char next[GH_PAGE_TOKEN_SIZE] = "";
    char sids[3][GH_SID_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_key_list list;
    struct gh_key key;
    size_t n = 0;

    for (size_t i = 0; i < 3; i++) {
        new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &key, secret, NULL);
        memcpy(sids[i], key.sid, GH_SID_SIZE);
        gh_key_clear(&key);
        test_clock_advance(&f->clock, 1);
    }
    for (int pages = 0; pages < 5; pages++) {
        struct gh_page page = {1, 0, next[0] != '\0' ? next : NULL};

        assert_gh(gh_key_list(f->ctx, &f->main, &own_api, &page, &list), GH_OK);
        assert_int_equal(list.n, 1);
        assert_true(n < 3);
        assert_string_equal(list.items[0].sid, sids[n]);
        n++;
        memcpy(next, list.next_token, sizeof(next));
        gh_key_list_clear(&list);
        if (next[0] == '\0') {
            break;
        }
    }
    assert_int_equal(n, 3);
    {
        /* An account's page token is no key page token. */
        const struct gh_account_filter any = {NULL, GH_STATUS_ANY};
        struct gh_page page = {1, 0, NULL};
        struct gh_account_list accounts;
        struct gh_account sub;
        char token[GH_SECRET_SIZE];

        new_sub(f, &f->main, "s", &sub, token);
        assert_gh(gh_account_list(f->ctx, &f->main, &any, &page, &accounts), GH_OK);
        memcpy(next, accounts.next_token, sizeof(next));
        gh_account_list_clear(&accounts);
        page.token = next;
        assert_gh(gh_key_list(f->ctx, &f->main, &own_api, &page, &list), GH_E_PAGE_TOKEN);
        assert_null(list.items);
    }
}

static void
key_update_rules(void **state)
{
    struct fixture *f = *state;
    struct gh_key std;
    struct gh_key res;
    struct gh_key out;
    char secret[GH_SECRET_SIZE];
    struct gh_key_change change = {"renamed", NULL};

    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &std, secret, NULL);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/a/b", &res, secret, NULL);
    test_clock_advance(&f->clock, 42);
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, std.sid, &change, &out), GH_OK);
    assert_string_equal(out.friendly_name, "renamed");
    assert_int_equal(out.updated_ms, f->clock.now_ms);
    gh_key_clear(&out);
    change.friendly_name = NULL;
    change.permissions = "/c/d\n/e/f";
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, res.sid, &change, &out), GH_OK);
    assert_string_equal(out.permissions, "/c/d\n/e/f");
    gh_key_clear(&out);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_api, res.sid, &out), GH_OK);
    assert_string_equal(out.permissions, "/c/d\n/e/f");
    gh_key_clear(&out);
    /* Permissions belong to restricted keys, and must be a valid policy. */
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, std.sid, &change, &out),
              GH_E_POLICY);
    change.permissions = "/c";
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, res.sid, &change, &out),
              GH_E_POLICY);
    assert_gh(gh_key_fetch(f->ctx, &f->main, &own_api, res.sid, &out), GH_OK);
    assert_string_equal(out.permissions, "/c/d\n/e/f"); /* unchanged */
    gh_key_clear(&out);
    change.permissions = NULL;
    change.friendly_name = "\xC2\x85";
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api, std.sid, &change, &out),
              GH_E_FRIENDLY_NAME);
    change.friendly_name = "x";
    assert_gh(gh_key_update(f->ctx, &origin, &f->main, &own_api,
                            "SK00000000000000000000000000000000", &change, &out),
              GH_E_NOT_FOUND);
    gh_key_clear(&std);
    gh_key_clear(&res);
}

/* ---- auth tokens ---- */

static void
secondary_token_then_promote(void **state)
{
    struct fixture *f = *state;
    struct gh_auth_token_info info;
    char secondary[GH_SECRET_SIZE];
    char promoted[GH_SECRET_SIZE];
    char again[GH_SECRET_SIZE];
    char fetched[GH_SECRET_SIZE];
    struct gh_account out;
    struct gh_principal p;
    struct events e;

    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &f->main, &info, secondary), GH_OK);
    assert_int_equal(strlen(secondary), GH_AUTH_TOKEN_LEN);
    assert_string_not_equal(secondary, f->init.auth_token);
    assert_string_equal(info.account_sid, f->init.account_sid);
    assert_int_equal(info.created_ms, f->clock.now_ms);
    /* Both tokens work while the secondary is rolled out. */
    auth_ok(f, f->init.account_sid, f->init.auth_token, NULL);
    auth_ok(f, f->init.account_sid, secondary, &p);
    assert_int_equal(p.kind, GH_PRINCIPAL_AUTH_TOKEN);
    /* Only one secondary at a time; the first one stands. */
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &f->main, &info, again),
              GH_E_CONFLICT);
    assert_string_equal(again, "");
    auth_ok(f, f->init.account_sid, secondary, NULL);

    test_clock_advance(&f->clock, 60000);
    assert_gh(gh_auth_token_promote(f->ctx, &origin, &f->main, &info, promoted), GH_OK);
    assert_string_equal(promoted, secondary);
    assert_int_equal(info.updated_ms, f->clock.now_ms);
    /* The old primary is refused from that instant; the new one works. */
    auth_denied(f, f->init.account_sid, f->init.auth_token);
    auth_ok(f, f->init.account_sid, promoted, NULL);
    assert_gh(gh_account_fetch(f->ctx, &f->main, f->init.account_sid, &out, fetched), GH_OK);
    assert_string_equal(fetched, promoted);
    /* Nothing left to promote. */
    assert_gh(gh_auth_token_promote(f->ctx, &origin, &f->main, &info, again), GH_E_NOT_FOUND);
    assert_string_equal(again, "");
    auth_ok(f, f->init.account_sid, promoted, NULL);

    events_load(f, &e);
    assert_int_equal(events_count(&e, "auth_token.secondary.create"), 1);
    assert_int_equal(events_count(&e, "auth_token.promote"), 1);
    events_never_contain(&e, secondary);
    events_never_contain(&e, f->init.auth_token);
    events_free(&e);
}

static void
secondary_token_delete(void **state)
{
    struct fixture *f = *state;
    struct gh_auth_token_info info;
    char secondary[GH_SECRET_SIZE];

    assert_gh(gh_auth_token_secondary_delete(f->ctx, &origin, &f->main), GH_E_NOT_FOUND);
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &f->main, &info, secondary), GH_OK);
    assert_gh(gh_auth_token_secondary_delete(f->ctx, &origin, &f->main), GH_OK);
    auth_denied(f, f->init.account_sid, secondary);
    auth_ok(f, f->init.account_sid, f->init.auth_token, NULL);
    assert_gh(gh_auth_token_secondary_delete(f->ctx, &origin, &f->main), GH_E_NOT_FOUND);
    assert_gh(gh_auth_token_promote(f->ctx, &origin, &f->main, &info, secondary), GH_E_NOT_FOUND);
    auth_ok(f, f->init.account_sid, f->init.auth_token, NULL); /* the primary is untouched */
}

static void
token_rotation_by_main_key_and_subaccount(void **state)
{
    struct fixture *f = *state;
    struct gh_key_scope scope = scope_of(NULL, GH_KEY_FAMILY_API, GH_REACH_OWN);
    struct gh_auth_token_info info;
    struct gh_account a;
    struct gh_key key;
    char ta[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    char token[GH_SECRET_SIZE];
    struct gh_principal main_key;
    struct gh_principal as_a;

    /* The operator has no account of its own to rotate. */
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &f->op, &info, token), GH_E_INVALID);
    scope.account_sid = f->init.account_sid;
    new_key(f, &f->op, &scope, GH_KEY_MAIN, NULL, &key, secret, &main_key);
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &main_key, &info, token), GH_OK);
    auth_ok(f, f->init.account_sid, token, NULL);
    gh_key_clear(&key);

    /* A subaccount rotates its own token, and touches nobody else's. */
    new_sub(f, &f->main, "a", &a, ta);
    auth_ok(f, a.sid, ta, &as_a);
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &as_a, &info, token), GH_OK);
    assert_string_equal(info.account_sid, a.sid);
    assert_gh(gh_auth_token_promote(f->ctx, &origin, &as_a, &info, token), GH_OK);
    auth_denied(f, a.sid, ta);
    auth_ok(f, a.sid, token, NULL);
    auth_denied(f, f->init.account_sid, token);
    auth_ok(f, f->init.account_sid, f->init.auth_token, NULL);
}

/*
 * Another context (another server process) sees every revocation at once: a deleted key, a
 * suspended subaccount, a promoted token.  It authenticates each credential first, so whatever
 * it may remember is warm.
 */
static void
revocations_reach_other_contexts_at_once(void **state)
{
    struct fixture *f = *state;
    struct gh_auth_token_info info;
    struct gh_principal p;
    struct gh_account a;
    struct gh_key key;
    char ta[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];
    char secondary[GH_SECRET_SIZE];

    new_sub(f, &f->main, "a", &a, ta);
    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &key, secret, NULL);
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &f->main, &info, secondary), GH_OK);
    assert_gh(gh_ctx_open(&f->cfg, &f->ctx2), GH_OK);
    for (int i = 0; i < 2; i++) {
        assert_gh(gh_authenticate_basic(f->ctx2, &origin, a.sid, ta, strlen(ta), &p), GH_OK);
        assert_gh(gh_authenticate_basic(f->ctx2, &origin, key.sid, secret, strlen(secret), &p),
                  GH_OK);
        assert_gh(gh_authenticate_basic(f->ctx2, &origin, f->init.account_sid, f->init.auth_token,
                                        GH_AUTH_TOKEN_LEN, &p),
                  GH_OK);
    }

    assert_gh(gh_key_delete(f->ctx, &origin, &f->main, &own_api, key.sid), GH_OK);
    assert_gh(set_status(f, &f->main, a.sid, GH_ACCOUNT_SUSPENDED), GH_OK);
    assert_gh(gh_auth_token_promote(f->ctx, &origin, &f->main, &info, secondary), GH_OK);

    assert_gh(gh_authenticate_basic(f->ctx2, &origin, key.sid, secret, strlen(secret), &p),
              GH_E_DENIED);
    assert_gh(gh_authenticate_basic(f->ctx2, &origin, a.sid, ta, strlen(ta), &p), GH_E_DENIED);
    assert_gh(gh_authenticate_basic(f->ctx2, &origin, f->init.account_sid, f->init.auth_token,
                                    GH_AUTH_TOKEN_LEN, &p),
              GH_E_DENIED);
    assert_gh(gh_authenticate_basic(f->ctx2, &origin, f->init.account_sid, secondary,
                                    GH_AUTH_TOKEN_LEN, &p),
              GH_OK);
    gh_key_clear(&key);
}

/* ---- master-key rotation ---- */

struct credentials {
    char sids[8][GH_SID_SIZE];
    char secrets[8][GH_SECRET_SIZE];
    size_t n;
};

static void
remember(struct credentials *c, const char *sid, const char *secret)
{
    assert_true(c->n < GH_ARRAY_LEN(c->sids));
    memcpy(c->sids[c->n], sid, GH_SID_SIZE);
    memcpy(c->secrets[c->n], secret, GH_SECRET_SIZE);
    c->n++;
}

/* The main token and its secondary, a subaccount's token, two keys: 5 sealed rows. */
static void
seed_credentials(struct fixture *f, struct credentials *c)
{
    struct gh_auth_token_info info;
    struct gh_account a;
    struct gh_key key;
    char secret[GH_SECRET_SIZE];

    memset(c, 0, sizeof(*c));
    remember(c, f->init.account_sid, f->init.auth_token);
    assert_gh(gh_auth_token_secondary_create(f->ctx, &origin, &f->main, &info, secret), GH_OK);
    remember(c, f->init.account_sid, secret);
    new_sub(f, &f->main, "a", &a, secret);
    remember(c, a.sid, secret);
    new_key(f, &f->main, &own_api, GH_KEY_STANDARD, NULL, &key, secret, NULL);
    remember(c, key.sid, secret);
    gh_key_clear(&key);
    new_key(f, &f->main, &own_signing, GH_KEY_SIGNING, NULL, &key, secret, NULL);
    remember(c, key.sid, secret);
    gh_key_clear(&key);
}

static void
all_authenticate(struct fixture *f, struct gh_ctx *ctx, const struct credentials *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct gh_principal p;

        assert_gh(gh_authenticate_basic(ctx, &origin, c->sids[i], c->secrets[i],
                                        strlen(c->secrets[i]), &p),
                  GH_OK);
    }
    (void)f;
}

static void
master_key_rotate_keeps_every_credential(void **state)
{
    struct fixture *f = *state;
    struct credentials c;
    char path[PATH_MAX];
    char text[4096];
    uint32_t id = 0;
    size_t rows = 0;
    int64_t events = 0;
    int64_t bad = -1;

    seed_credentials(f, &c);
    assert_gh(gh_master_key_rotate(f->ctx, &id, &rows), GH_OK);
    assert_int_equal(id, 2);
    assert_int_equal(rows, 5);
    all_authenticate(f, f->ctx, &c);
    auth_denied(f, c.sids[0], "0123456789abcdef0123456789abcdef");

    /* The file holds the new key only, still 0600, with no temporary file left. */
    assert_gh(gh__data_path(f->data, "master.key", path, sizeof(path)), GH_OK);
    assert_int_equal(test_mode_of(path), 0600);
    test_read_file(path, text, sizeof(text));
    assert_non_null(strstr(text, "\nkey 2 "));
    assert_null(strstr(text, "\nkey 1 "));
    assert_gh(gh__data_path(f->data, "master.key.tmp", path, sizeof(path)), GH_OK);
    assert_false(test_exists(path));

    /* New secrets are sealed under the new key; a reopened ctx reads everything. */
    {
        struct gh_account b;
        char tb[GH_SECRET_SIZE];

        new_sub(f, &f->main, "after", &b, tb);
        remember(&c, b.sid, tb);
    }
    gh_ctx_close(f->ctx);
    f->ctx = NULL;
    assert_gh(gh_ctx_open(&f->cfg, &f->ctx), GH_OK);
    all_authenticate(f, f->ctx, &c);

    assert_gh(gh_master_key_rotate(f->ctx, &id, &rows), GH_OK);
    assert_int_equal(id, 3);
    assert_int_equal(rows, 6);
    all_authenticate(f, f->ctx, &c);
    assert_gh(gh_audit_verify(f->ctx, &events, &bad), GH_OK);
    assert_int_equal(bad, 0);
    assert_true(events > 0);
}

static void
master_key_rotate_refuses_other_keys(void **state)
{
    struct fixture *f = *state;
    struct gh_ctx *ctx = NULL;
    char path[PATH_MAX];
    char saved[PATH_MAX];
    char text[4096];
    char other[PATH_MAX];
    uint32_t id = 0;
    size_t rows = 0;

    /* Keep a copy of the key file as it was before the rotation. */
    assert_gh(gh__data_path(f->data, "master.key", path, sizeof(path)), GH_OK);
    test_read_file(path, text, sizeof(text));
    test_path(&f->dir, "saved.key", saved);
    test_write_file(saved, text, 0600);
    test_path(&f->dir, "other.key", other);
    assert_gh(gh__keyring_file_create(other), GH_OK);

    assert_gh(gh_master_key_rotate(f->ctx, &id, &rows), GH_OK);
    f->cfg.key_file = other;
    assert_gh(gh_ctx_open(&f->cfg, &ctx), GH_E_WRONG_KEY);
    assert_null(ctx);
    f->cfg.key_file = saved; /* the retired key no longer opens the store */
    assert_gh(gh_ctx_open(&f->cfg, &ctx), GH_E_WRONG_KEY);
    assert_null(ctx);
    f->cfg.key_file = NULL;
    assert_gh(gh_ctx_open(&f->cfg, &ctx), GH_OK);
    gh_ctx_close(ctx);
    assert_gh(gh_master_key_rotate(NULL, &id, &rows), GH_E_INVALID);
}

/* A second process (another ctx) follows a rotation made elsewhere. */
static void
master_key_rotation_is_followed_by_other_contexts(void **state)
{
    struct fixture *f = *state;
    struct credentials c;
    struct gh_account b;
    struct gh_principal p;
    char tb[GH_SECRET_SIZE];
    uint32_t id = 0;
    size_t rows = 0;

    seed_credentials(f, &c);
    assert_gh(gh_ctx_open(&f->cfg, &f->ctx2), GH_OK);
    all_authenticate(f, f->ctx2, &c);
    assert_gh(gh_master_key_rotate(f->ctx, &id, &rows), GH_OK);
    all_authenticate(f, f->ctx2, &c);
    /* ctx2 seals a new token under the new key; ctx reads it. */
    assert_gh(gh_account_create(f->ctx2, &origin, &f->main, "from ctx2", &b, tb), GH_OK);
    assert_gh(gh_authenticate_basic(f->ctx, &origin, b.sid, tb, strlen(tb), &p), GH_OK);
    all_authenticate(f, f->ctx2, &c);
}

/*
 * Regression (fixed in e6a65e3): when a row names a key id the ring does not hold (a rotation
 * made by another process), ensure_key used to reread the key file in a second transaction while
 * the caller's was still open.  With a pool of one connection that second begin waited forever
 * for the connection its own caller held (and with the default pool, once as many requests as
 * connections met a rotation at once).  The reread must happen within the caller's transaction.
 *
 * Run in a child with a watchdog, before any connection is open in this process (SQLite
 * connections must not cross fork).
 */
static void
master_key_rotation_reaches_a_one_connection_ctx(void **state)
{
    struct fixture *f = *state;
    pid_t pid;
    int status = 0;

    assert_null(f->ctx);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct gh_ctx_config one = f->cfg;
        struct gh_ctx *rotator = NULL;
        struct gh_ctx *follower = NULL;
        struct gh_principal p;
        uint32_t id = 0;
        size_t rows = 0;
        gh_err rc;

        one.store_connections = 1;
        if (gh_ctx_open(&f->cfg, &rotator) != GH_OK || gh_ctx_open(&one, &follower) != GH_OK ||
            gh_authenticate_basic(follower, &origin, f->init.account_sid, f->init.auth_token,
                                  GH_AUTH_TOKEN_LEN, &p) != GH_OK ||
            gh_master_key_rotate(rotator, &id, &rows) != GH_OK) {
            _exit(2);
        }
        alarm(3); /* a watchdog, not a wait: the call below returns at once when it works */
        rc = gh_authenticate_basic(follower, &origin, f->init.account_sid, f->init.auth_token,
                                   GH_AUTH_TOKEN_LEN, &p);
        alarm(0);
        gh_ctx_close(follower);
        gh_ctx_close(rotator);
        _exit(rc == GH_OK ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        fail_msg("gh_authenticate_basic deadlocked on a 1-connection ctx after a rotation");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- the audit log ---- */

static int
stop_at_two(const struct gh_audit_event *ev, void *arg)
{
    int *calls = arg;

    (void)ev;
    return ++*calls == 2;
}

static void
audit_verify_intact_chain(void **state)
{
    struct fixture *f = *state;
    struct credentials c;
    struct events e;
    int64_t events = -1;
    int64_t bad = -1;
    int calls = 0;

    seed_credentials(f, &c);
    auth_denied(f, f->init.account_sid, "wrong");
    events_load(f, &e);
    assert_true(e.n >= 6);
    for (size_t i = 0; i < e.n; i++) {
        assert_int_equal(e.ev[i].seq, (int64_t)i + 1);
    }
    assert_gh(gh_audit_verify(f->ctx, &events, &bad), GH_OK);
    assert_int_equal(events, (int64_t)e.n);
    assert_int_equal(bad, 0);
    events_free(&e);

    assert_gh(gh_audit_each(f->ctx, 0, stop_at_two, &calls), GH_OK);
    assert_int_equal(calls, 2);
    memset(&e, 0, sizeof(e));
    assert_gh(gh_audit_each(f->ctx, 3, collect, &e), GH_OK);
    assert_int_equal(e.ev[0].seq, 4);
    events_free(&e);
    assert_gh(gh_audit_each(f->ctx, 0, NULL, NULL), GH_E_INVALID);
}

/* Runs one SQL statement on the instance's database, behind the library's back. */
static void
tamper(struct fixture *f, const char *statement)
{
    char path[PATH_MAX];
    sqlite3 *db = NULL;

    assert_gh(gh__data_path(f->data, "gatehouse.db", path, sizeof(path)), GH_OK);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, statement, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);
}

static void
audit_verify_finds_tampering(void **state)
{
    struct fixture *f = *state;
    struct credentials c;
    int64_t events = -1;
    int64_t bad = -1;

    seed_credentials(f, &c);
    tamper(f, "UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 3");
    assert_gh(gh_audit_verify(f->ctx, &events, &bad), GH_OK);
    assert_int_equal(bad, 3);
    assert_int_equal(events, 2);
}

static void
audit_verify_finds_a_missing_event(void **state)
{
    struct fixture *f = *state;
    struct credentials c;
    int64_t events = -1;
    int64_t bad = -1;

    seed_credentials(f, &c);
    tamper(f, "DELETE FROM audit_events WHERE seq = 2");
    assert_gh(gh_audit_verify(f->ctx, &events, &bad), GH_OK);
    assert_int_equal(bad, 3);
    assert_int_equal(events, 1);
}

/* The allocating list calls fail cleanly at each allocation. */
static void
lists_survive_allocation_failures(void **state)
{
    struct fixture *f = *state;
    const struct gh_account_filter any = {NULL, GH_STATUS_ANY};
    const struct gh_page page = {10, 0, NULL};
    struct gh_account sub;
    struct gh_key key;
    char key_sid[GH_SID_SIZE];
    char token[GH_SECRET_SIZE];
    char secret[GH_SECRET_SIZE];

    new_sub(f, &f->main, "a", &sub, token);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/a/b", &key, secret, NULL);
    gh_key_clear(&key);
    new_key(f, &f->main, &own_api, GH_KEY_RESTRICTED, "/c/d", &key, secret, NULL);
    memcpy(key_sid, key.sid, GH_SID_SIZE);
    gh_key_clear(&key);
    for (unsigned long n = 1; n <= 4; n++) {
        struct gh_account_list accounts;
        struct gh_key_list keys;
        gh_err rc;

        gh__alloc_fail_after(n);
        rc = gh_account_list(f->ctx, &f->main, &any, &page, &accounts);
        gh__alloc_fail_after(0);
        assert_true(rc == GH_OK || rc == GH_E_NOMEM);
        if (rc != GH_OK) {
            assert_null(accounts.items);
        }
        gh_account_list_clear(&accounts);

        gh__alloc_fail_after(n);
        rc = gh_key_list(f->ctx, &f->main, &own_api, &page, &keys);
        gh__alloc_fail_after(0);
        assert_true(rc == GH_OK || rc == GH_E_NOMEM);
        if (rc != GH_OK) {
            assert_null(keys.items);
        }
        gh_key_list_clear(&keys);

        gh__alloc_fail_after(n);
        rc = gh_key_fetch(f->ctx, &f->main, &own_api, key_sid, &key);
        gh__alloc_fail_after(0);
        assert_true(rc == GH_OK || rc == GH_E_NOMEM || rc == GH_E_NOT_FOUND);
        gh_key_clear(&key);
    }
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(init_creates_folder_key_and_main_account),
        T(init_again_changes_nothing),
        T(init_modes_hold_under_a_permissive_umask),
        T(init_refuses_bad_friendly_names),
        T(init_refuses_an_instance_without_its_key_file),
        T(auth_unknown_sids_cost_the_same_digests),
        T(ctx_main_account_names_the_init_account),
        T(ctx_open_needs_an_initialised_folder),
        T(ctx_open_refuses_a_loose_or_missing_key_file),
        T(ctx_open_refuses_another_key),
        T(ctx_open_survives_allocation_failures),
        T(auth_main_token),
        T(auth_wrong_token_is_denied_and_audited),
        T(auth_unknown_sids_are_denied),
        T(auth_malformed_usernames_are_denied),
        T(auth_refuses_too_long_passwords),
        T(audit_auth_failure_sanitises_client_text),
        T(account_create_makes_a_working_subaccount),
        T(account_create_refusals),
        T(account_names_count_code_points),
        T(account_create_stops_at_the_limit),
        T(account_fetch_reaches_own_and_children_only),
        T(account_fetch_refuses_non_account_credentials),
        T(account_list_main_sees_family_sub_sees_itself),
        T(account_list_filters),
        T(account_list_pages_by_token),
        T(account_list_refuses_bad_paging),
        T(account_update_renames_within_reach),
        T(account_status_is_the_parents_to_change),
        T(account_closed_is_permanent),
        T(suspended_parent_blocks_its_subaccounts),
        T(key_create_and_authenticate_each_type),
        T(key_create_main_only_by_operator),
        T(key_routes_refuse_standard_and_restricted_keys),
        T(key_create_validates_the_spec),
        T(key_delete_revokes_at_once),
        T(key_change_and_delete_need_the_keys_permissions),
        T(key_scope_v1_own_versus_2010_parent),
        T(key_families_do_not_mix),
        T(key_list_pages_by_token),
        T(key_update_rules),
        T(secondary_token_then_promote),
        T(secondary_token_delete),
        T(token_rotation_by_main_key_and_subaccount),
        T(revocations_reach_other_contexts_at_once),
        T(master_key_rotate_keeps_every_credential),
        T(master_key_rotate_refuses_other_keys),
        T(master_key_rotation_is_followed_by_other_contexts),
        cmocka_unit_test_setup_teardown(master_key_rotation_reaches_a_one_connection_ctx,
                                        setup_closed, teardown),
        T(audit_verify_intact_chain),
        T(audit_verify_finds_tampering),
        T(audit_verify_finds_a_missing_event),
        T(lists_survive_allocation_failures),
    };
#undef T

    test_tap_output();
    return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
