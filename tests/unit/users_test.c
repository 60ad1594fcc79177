/*
 * users_test.c -- human users, passphrases and sessions (<gatehouse/service.h>) on a real data
 * folder: the owner made by init, user creation, login with its throttles and equal-cost
 * refusals, bearer sessions with their idle and absolute expiry, passphrase change and history,
 * and the public passphrase check.  Argon2id runs at its floor (19 MiB, 2 passes) to keep the
 * suite quick; every test gets a fresh instance and a clock it moves by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "service/service.h"

#include "helpers.h"

#define OWNER_EMAIL "Owner@Example.COM"
#define OWNER_PASS  "correct horse battery staple galaxy"
#define USER_PASS   "quiet otter juggles seven lanterns"
#define NEW_PASS    "amber violin drifts past the lighthouse"

static const struct gh_origin origin = {"203.0.113.9", "gatehouse-unit/1.0"};
static const struct gh_origin elsewhere = {"198.51.100.7", "gatehouse-unit/1.0"};

struct fixture {
    struct test_dir dir;
    char data[PATH_MAX];
    struct test_clock clock;
    struct gh_ctx_config cfg;
    struct gh_ctx *ctx;
    struct gh_init_result init;
    struct gh_principal op;
};

static void
config_for(struct fixture *f)
{
    memset(&f->cfg, 0, sizeof(f->cfg));
    f->cfg.data_dir = f->data;
    f->cfg.clock = &f->clock.clock;
    f->cfg.store_connections = 2;
    f->cfg.pwhash.memlimit = GH_PWHASH_MEM_FLOOR;
    f->cfg.pwhash.opslimit = GH_PWHASH_OPS_FLOOR;
    f->cfg.pwhash.max_concurrent = 2;
}

static const struct gh_user_spec owner_spec = {
    OWNER_EMAIL, "Olive Owner", OWNER_PASS, sizeof(OWNER_PASS) - 1, NULL, GH_ROLE_OWNER};

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
    config_for(f);
    assert_gh(gh_instance_init(&f->cfg, "Main account", &owner_spec, &f->init, NULL), GH_OK);
    assert_int_equal(gh_sid_valid(f->init.owner_sid, "US"), 1);
    assert_gh(gh_ctx_open(&f->cfg, &f->ctx), GH_OK);
    gh_principal_operator(&f->op);
    test_clock_advance(&f->clock, 1000);
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    gh_ctx_close(f->ctx);
    test_dir_remove(&f->dir);
    gh_wipe(&f->init, sizeof(f->init));
    free(f);
    return 0;
}

/* ---- helpers ---- */

static gh_err
login(struct fixture *f, const struct gh_origin *from, const char *email, const char *pass,
      char token[GH_SESSION_TOKEN_SIZE])
{
    struct gh_session s;
    int64_t retry = -1;
    gh_err rc = gh_session_login(f->ctx, from, email, pass, strlen(pass), &s, token, &retry);

    if (rc != GH_E_LIMIT) {
        assert_int_equal(retry, 0);
    }
    return rc;
}

/* Logs in and authenticates the token: the session's principal. */
static void
session_of(struct fixture *f, const char *email, const char *pass, struct gh_principal *who,
           char token[GH_SESSION_TOKEN_SIZE])
{
    char local[GH_SESSION_TOKEN_SIZE];
    char *t = token != NULL ? token : local;

    assert_gh(login(f, &origin, email, pass, t), GH_OK);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, t, who), GH_OK);
    assert_int_equal(who->kind, GH_PRINCIPAL_SESSION);
    /* As the server does for account routes: the session acts on the main account. */
    gh_err rc = gh_principal_act_on(f->ctx, who, f->init.account_sid);
    assert_true(rc == GH_OK || rc == GH_E_NOT_FOUND);
}

static void
create_user(struct fixture *f, const struct gh_principal *who, const char *email, enum gh_role role,
            struct gh_user *u)
{
    struct gh_user_spec spec = {email, "Uma User", USER_PASS, strlen(USER_PASS), NULL, role};

    assert_gh(gh_user_create(f->ctx, &origin, who, &spec, u, NULL), GH_OK);
}

struct audit_scan {
    const char *action;
    const char *detail; /* NULL: any */
    size_t n;
    const char *secret; /* fails when found in any field */
};

static int
scan_event(const struct gh_audit_event *ev, void *arg)
{
    struct audit_scan *a = arg;
    const char *fields[] = {ev->actor, ev->action, ev->target, ev->detail, ev->user_agent};

    if (strcmp(ev->action, a->action) == 0 &&
        (a->detail == NULL || strcmp(ev->detail, a->detail) == 0)) {
        a->n++;
    }
    for (size_t i = 0; a->secret != NULL && i < GH_ARRAY_LEN(fields); i++) {
        if (strstr(fields[i], a->secret) != NULL) {
            fail_msg("a secret appears in audit event %lld", (long long)ev->seq);
        }
    }
    return 0;
}

static size_t
audit_count(struct fixture *f, const char *action, const char *detail)
{
    struct audit_scan a = {action, detail, 0, NULL};

    assert_gh(gh_audit_each(f->ctx, 0, scan_event, &a), GH_OK);
    return a.n;
}

/* ---- the owner made by init ---- */

static void
init_makes_an_owner_who_can_log_in(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    struct gh_principal who;
    struct gh_user u;

    session_of(f, "owner@example.com", OWNER_PASS, &who, token); /* e-mail case ignored */
    assert_string_equal(who.user_sid, f->init.owner_sid);
    assert_int_equal(strlen(token), GH_SESSION_TOKEN_LEN);
    assert_int_equal(token[GH_SID_LEN], '.');
    token[GH_SID_LEN] = '\0';
    assert_int_equal(gh_sid_valid(token, "SE"), 1);
    assert_string_equal(token, who.sid);
    assert_gh(gh_user_fetch(f->ctx, &who, f->init.owner_sid, &u), GH_OK);
    assert_string_equal(u.email, OWNER_EMAIL); /* kept as given */
    assert_string_equal(u.name, "Olive Owner");
    /* The owner's session may create users: it owns the main account. */
    create_user(f, &who, "second@example.com", GH_ROLE_DEVELOPER, &u);
}

static void
init_refuses_a_weak_owner_passphrase_and_creates_nothing(void **state)
{
    struct test_dir dir;
    char data[PATH_MAX];
    struct test_clock clock;
    struct gh_ctx_config cfg;
    struct gh_passphrase_report report;
    struct gh_init_result r;
    struct gh_user_spec weak = owner_spec;
    struct gh_ctx *ctx = NULL;

    (void)state;
    test_dir_make(&dir);
    test_path(&dir, "data", data);
    test_clock_init(&clock, TEST_EPOCH_MS);
    memset(&cfg, 0, sizeof(cfg));
    cfg.data_dir = data;
    cfg.clock = &clock.clock;
    cfg.pwhash.memlimit = GH_PWHASH_MEM_FLOOR;
    cfg.pwhash.opslimit = GH_PWHASH_OPS_FLOOR;
    weak.passphrase = "P@ssw0rd!2024";
    weak.passphrase_len = strlen(weak.passphrase);
    assert_gh(gh_instance_init(&cfg, "Main account", &weak, &r, &report), GH_E_WEAK_PASSPHRASE);
    assert_false(report.accept);
    assert_int_not_equal(report.reasons, 0);
    assert_int_equal(r.created, 0);
    assert_int_equal(r.auth_token[0], '\0');
    assert_gh(gh_ctx_open(&cfg, &ctx), GH_E_NOT_FOUND); /* no instance */
    assert_gh(gh_instance_init(&cfg, "Main account", &owner_spec, &r, &report), GH_OK);
    assert_int_equal(r.created, 1);
    assert_true(report.accept);
    gh_wipe(&r, sizeof(r));
    test_dir_remove(&dir);
}

/* ---- creating users ---- */

static void
user_create_checks_its_input_and_who_asks(void **state)
{
    struct fixture *f = *state;
    struct gh_passphrase_report report;
    struct gh_principal owner, dev;
    struct gh_user_spec spec = {"dev@example.com", "Dee Dev", USER_PASS,
                                strlen(USER_PASS), NULL,      GH_ROLE_DEVELOPER};
    struct gh_user u;

    assert_gh(gh_user_create(f->ctx, &origin, &f->op, &spec, &u, &report), GH_OK);
    assert_int_equal(gh_sid_valid(u.sid, "US"), 1);
    spec.email = "DEV@example.com";
    assert_gh(gh_user_create(f->ctx, &origin, &f->op, &spec, &u, NULL), GH_E_CONFLICT);
    spec.email = "not-an-address";
    assert_gh(gh_user_create(f->ctx, &origin, &f->op, &spec, &u, NULL), GH_E_EMAIL);
    spec.email = "third@example.com";
    spec.passphrase = "password1234567";
    spec.passphrase_len = strlen(spec.passphrase);
    assert_gh(gh_user_create(f->ctx, &origin, &f->op, &spec, &u, &report), GH_E_WEAK_PASSPHRASE);
    assert_true((report.reasons & (1u << GH_PP_GUESSABLE)) != 0);
    spec.passphrase = "third example quietly forgotten";
    spec.passphrase_len = strlen(spec.passphrase);
    spec.name = "";
    assert_gh(gh_user_create(f->ctx, &origin, &f->op, &spec, &u, NULL), GH_E_INVALID);
    /* A developer's session may not create users; the owner's may. */
    session_of(f, "dev@example.com", USER_PASS, &dev, NULL);
    spec.name = "Third";
    assert_gh(gh_user_create(f->ctx, &origin, &dev, &spec, &u, NULL), GH_E_FORBIDDEN);
    session_of(f, OWNER_EMAIL, OWNER_PASS, &owner, NULL);
    assert_gh(gh_user_create(f->ctx, &origin, &owner, &spec, &u, NULL), GH_OK);
    /* A session reads its own user only. */
    assert_gh(gh_user_fetch(f->ctx, &dev, f->init.owner_sid, &u), GH_E_NOT_FOUND);
}

/* ---- login ---- */

static void
every_login_refusal_costs_one_argon2id_and_looks_the_same(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    const struct {
        const char *email;
        const char *pass;
    } tries[] = {
        {"nobody@example.com", OWNER_PASS},         /* unknown user */
        {OWNER_EMAIL, "wrong passphrase entirely"}, /* wrong passphrase */
        {OWNER_EMAIL, "bad\001text"},               /* not text */
        {"not an address", OWNER_PASS},             /* not an e-mail */
        {OWNER_EMAIL, ""},                          /* empty */
    };
    unsigned long before;

    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token), GH_OK); /* warms the hasher */
    for (size_t i = 0; i < GH_ARRAY_LEN(tries); i++) {
        memset(token, 'x', sizeof(token));
        before = gh_pwhash_count();
        assert_gh(login(f, &origin, tries[i].email, tries[i].pass, token), GH_E_DENIED);
        assert_int_equal(gh_pwhash_count() - before, 1);
        assert_int_equal(token[0], '\0');
    }
    before = gh_pwhash_count();
    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token), GH_OK);
    assert_int_equal(gh_pwhash_count() - before, 1);
    assert_int_equal(audit_count(f, "login", "unknown_user"), 2);
    assert_int_equal(audit_count(f, "login", "wrong_passphrase"), 3);
}

static void
five_failures_lock_the_user_for_a_minute_then_longer(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];

    for (int i = 0; i < 5; i++) {
        assert_gh(login(f, &origin, OWNER_EMAIL, "not the passphrase", token), GH_E_DENIED);
    }
    assert_int_equal(audit_count(f, "user.lock", NULL), 1);
    /* Locked: even the right passphrase is refused, from any address, the same way. */
    assert_gh(login(f, &elsewhere, OWNER_EMAIL, OWNER_PASS, token), GH_E_DENIED);
    assert_int_equal(audit_count(f, "login", "locked"), 1);
    test_clock_advance(&f->clock, 61 * 1000);
    assert_gh(login(f, &origin, OWNER_EMAIL, "not the passphrase", token), GH_E_DENIED);
    /* The sixth failure in the window locks for two minutes. */
    test_clock_advance(&f->clock, 61 * 1000);
    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token), GH_E_DENIED);
    test_clock_advance(&f->clock, 60 * 1000);
    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token), GH_OK);
    /* Success resets the count: four more failures lock nothing. */
    for (int i = 0; i < 4; i++) {
        assert_gh(login(f, &origin, OWNER_EMAIL, "not the passphrase", token), GH_E_DENIED);
    }
    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token), GH_OK);
}

static void
a_raised_cost_rehashes_on_the_next_login(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    struct gh_ctx *stronger = NULL;
    struct gh_ctx_config cfg = f->cfg;
    struct gh_session s;
    int64_t retry;

    cfg.pwhash.opslimit = GH_PWHASH_OPS_FLOOR + 1;
    assert_gh(gh_ctx_open(&cfg, &stronger), GH_OK);
    assert_gh(gh_session_login(stronger, &origin, OWNER_EMAIL, OWNER_PASS, strlen(OWNER_PASS), &s,
                               token, &retry),
              GH_OK);
    assert_int_equal(audit_count(f, "login", "passphrase rehashed"), 1);
    assert_gh(gh_session_login(stronger, &origin, OWNER_EMAIL, OWNER_PASS, strlen(OWNER_PASS), &s,
                               token, &retry),
              GH_OK);
    assert_int_equal(audit_count(f, "login", "passphrase rehashed"), 1); /* once */
    gh_ctx_close(stronger);
    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token), GH_OK); /* still verifies */
}

/* ---- sessions ---- */

static void
a_session_ends_when_idle_and_at_its_lifetime(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    struct gh_principal who;

    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token);
    /* Used every 20 minutes, it lives 12 hours, no longer. */
    for (int i = 0; i < 35; i++) {
        test_clock_advance(&f->clock, 20 * 60 * 1000);
        assert_gh(gh_authenticate_bearer(f->ctx, &origin, token, &who), GH_OK);
    }
    test_clock_advance(&f->clock, 20 * 60 * 1000); /* 12 h 20 min */
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token, &who), GH_E_DENIED);
    assert_int_equal(who.kind, GH_PRINCIPAL_NONE);
    /* Left alone for 31 minutes, a new one ends. */
    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token);
    test_clock_advance(&f->clock, 29 * 60 * 1000);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token, &who), GH_OK);
    test_clock_advance(&f->clock, 31 * 60 * 1000);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token, &who), GH_E_DENIED);
    assert_int_equal(audit_count(f, "auth.failure", "session_expired"), 2);
}

static void
malformed_and_forged_tokens_are_refused(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    char forged[GH_SESSION_TOKEN_SIZE];
    struct gh_principal who;
    const char *bad[] = {"", "SE", "not a token", "Bearer x",
                         "SE0123456789abcdef0123456789abcdef.0123"};

    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token);
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_gh(gh_authenticate_bearer(f->ctx, &origin, bad[i], &who), GH_E_DENIED);
    }
    memcpy(forged, token, sizeof(forged));
    forged[GH_SESSION_TOKEN_LEN - 1] = forged[GH_SESSION_TOKEN_LEN - 1] == '0' ? '1' : '0';
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, forged, &who), GH_E_DENIED);
    memcpy(forged, token, sizeof(forged));
    forged[5] = forged[5] == '0' ? '1' : '0'; /* another session's SID */
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, forged, &who), GH_E_DENIED);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token, &who), GH_OK);
}

static void
sessions_list_log_out_and_revoke_the_others(void **state)
{
    struct fixture *f = *state;
    struct gh_session list[GH_SESSIONS_MAX];
    char token[3][GH_SESSION_TOKEN_SIZE];
    struct gh_principal who[3], dev;
    struct gh_user u;
    int64_t revoked = 0;
    size_t n = 0;

    for (int i = 0; i < 3; i++) {
        session_of(f, OWNER_EMAIL, OWNER_PASS, &who[i], token[i]);
        test_clock_advance(&f->clock, 1000);
    }
    assert_gh(gh_session_list(f->ctx, &who[0], list, GH_SESSIONS_MAX, &n), GH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].sid, who[0].sid); /* oldest first */
    /* Another user cannot see or end them. */
    create_user(f, &f->op, "dev@example.com", GH_ROLE_DEVELOPER, &u);
    session_of(f, "dev@example.com", USER_PASS, &dev, NULL);
    assert_gh(gh_session_logout(f->ctx, &origin, &dev, who[1].sid), GH_E_NOT_FOUND);
    assert_gh(gh_session_list(f->ctx, &dev, list, GH_SESSIONS_MAX, &n), GH_OK);
    assert_int_equal(n, 1);
    /* Accounts' credentials hold no session. */
    assert_gh(gh_session_list(f->ctx, &f->op, list, GH_SESSIONS_MAX, &n), GH_OK);
    assert_int_equal(n, 0);
    /* Log one out; then everything but the caller's. */
    assert_gh(gh_session_logout(f->ctx, &origin, &who[0], who[1].sid), GH_OK);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token[1], &who[1]), GH_E_DENIED);
    assert_gh(gh_session_revoke_others(f->ctx, &origin, &who[2], &revoked), GH_OK);
    assert_int_equal(revoked, 1);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token[0], &who[0]), GH_E_DENIED);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token[2], &who[2]), GH_OK);
    assert_gh(gh_session_logout(f->ctx, &origin, &who[2], who[2].sid), GH_OK); /* logout */
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token[2], &who[2]), GH_E_DENIED);
}

static void
a_master_key_rotation_ends_every_session(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    struct gh_principal who;
    uint32_t id = 0;
    size_t rows = 0;

    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token);
    assert_gh(gh_master_key_rotate(f->ctx, &id, &rows), GH_OK);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token, &who), GH_E_DENIED);
    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token); /* logging in again works */
}

/* ---- changing a passphrase ---- */

static void
a_passphrase_change_checks_history_and_revokes_other_sessions(void **state)
{
    struct fixture *f = *state;
    struct gh_passphrase_report report;
    char token[2][GH_SESSION_TOKEN_SIZE];
    struct gh_principal who[2];
    const char *sid = f->init.owner_sid;

    session_of(f, OWNER_EMAIL, OWNER_PASS, &who[0], token[0]);
    session_of(f, OWNER_EMAIL, OWNER_PASS, &who[1], token[1]);
    assert_gh(gh_user_change_passphrase(f->ctx, &origin, &who[0], sid, "wrong current", 13,
                                        NEW_PASS, strlen(NEW_PASS), &report),
              GH_E_DENIED);
    assert_gh(gh_user_change_passphrase(f->ctx, &origin, &who[0], sid, OWNER_PASS,
                                        strlen(OWNER_PASS), OWNER_PASS, strlen(OWNER_PASS),
                                        &report),
              GH_E_WEAK_PASSPHRASE);
    assert_true((report.reasons & (1u << GH_PP_REUSED)) != 0);
    assert_gh(gh_user_change_passphrase(f->ctx, &origin, &who[0], sid, OWNER_PASS,
                                        strlen(OWNER_PASS), "short", 5, &report),
              GH_E_WEAK_PASSPHRASE);
    assert_true((report.reasons & (1u << GH_PP_TOO_SHORT)) != 0);
    assert_gh(gh_user_change_passphrase(f->ctx, &origin, &who[0], sid, OWNER_PASS,
                                        strlen(OWNER_PASS), NEW_PASS, strlen(NEW_PASS), &report),
              GH_OK);
    assert_true(report.accept);
    /* The caller's session stays; the other one ends; the old passphrase no longer works. */
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token[0], &who[0]), GH_OK);
    assert_gh(gh_authenticate_bearer(f->ctx, &origin, token[1], &who[1]), GH_E_DENIED);
    assert_gh(login(f, &origin, OWNER_EMAIL, OWNER_PASS, token[1]), GH_E_DENIED);
    assert_gh(login(f, &origin, OWNER_EMAIL, NEW_PASS, token[1]), GH_OK);
    /* Going back to the old one is refused: it is in the history. */
    test_clock_advance(&f->clock, 1000);
    assert_gh(gh_user_change_passphrase(f->ctx, &origin, &who[0], sid, NEW_PASS, strlen(NEW_PASS),
                                        OWNER_PASS, strlen(OWNER_PASS), &report),
              GH_E_WEAK_PASSPHRASE);
    assert_true((report.reasons & (1u << GH_PP_REUSED)) != 0);
    /* Only a session changes its own passphrase. */
    assert_gh(gh_user_change_passphrase(f->ctx, &origin, &f->op, sid, NEW_PASS, strlen(NEW_PASS),
                                        USER_PASS, strlen(USER_PASS), &report),
              GH_E_FORBIDDEN);
}

/* ---- secrets ---- */

static void
no_passphrase_or_token_reaches_the_audit_log(void **state)
{
    struct fixture *f = *state;
    char token[GH_SESSION_TOKEN_SIZE];
    struct gh_principal who;
    struct audit_scan a = {"-", NULL, 0, NULL};

    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token);
    assert_gh(login(f, &origin, OWNER_EMAIL, "a wrong guess of mine", token), GH_E_DENIED);
    session_of(f, OWNER_EMAIL, OWNER_PASS, &who, token);
    const char *secrets[] = {OWNER_PASS, "a wrong guess of mine", token + GH_SID_LEN + 1};
    for (size_t i = 0; i < GH_ARRAY_LEN(secrets); i++) {
        a.secret = secrets[i];
        assert_gh(gh_audit_each(f->ctx, 0, scan_event, &a), GH_OK);
    }
}

/* ---- the public passphrase check ---- */

static void
the_passphrase_check_is_throttled_per_address(void **state)
{
    struct fixture *f = *state;
    struct gh_passphrase_context context = {"someone@example.com", "Someone", NULL};
    struct gh_passphrase_report r;
    int64_t retry = 0;

    for (int i = 0; i < 60; i++) {
        assert_gh(gh_passphrase_check_for(f->ctx, &origin, "Tr0ub4dor&3", 11, &context, &r, &retry),
                  GH_OK);
    }
    assert_false(r.accept);
    assert_gh(gh_passphrase_check_for(f->ctx, &origin, "Tr0ub4dor&3", 11, &context, &r, &retry),
              GH_E_LIMIT);
    assert_true(retry > 0 && retry <= 60);
    assert_gh(gh_passphrase_check_for(f->ctx, &elsewhere, USER_PASS, strlen(USER_PASS), &context,
                                      &r, &retry),
              GH_OK); /* another address is not held up */
    assert_true(r.accept);
    test_clock_advance(&f->clock, 61 * 1000);
    assert_gh(gh_passphrase_check_for(f->ctx, &origin, "Tr0ub4dor&3", 11, &context, &r, &retry),
              GH_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_makes_an_owner_who_can_log_in, setup, teardown),
        cmocka_unit_test(init_refuses_a_weak_owner_passphrase_and_creates_nothing),
        cmocka_unit_test_setup_teardown(user_create_checks_its_input_and_who_asks, setup, teardown),
        cmocka_unit_test_setup_teardown(every_login_refusal_costs_one_argon2id_and_looks_the_same,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(five_failures_lock_the_user_for_a_minute_then_longer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_raised_cost_rehashes_on_the_next_login, setup, teardown),
        cmocka_unit_test_setup_teardown(a_session_ends_when_idle_and_at_its_lifetime, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(malformed_and_forged_tokens_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_list_log_out_and_revoke_the_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_master_key_rotation_ends_every_session, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_passphrase_change_checks_history_and_revokes_other_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(no_passphrase_or_token_reaches_the_audit_log, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_passphrase_check_is_throttled_per_address, setup,
                                        teardown),
    };

    test_tap_output();
    return cmocka_run_group_tests_name("users", tests, NULL, NULL);
}
