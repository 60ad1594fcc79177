/*
 * policy_test.c -- lib/policy/role.c: restricted-key permission lists, permission names, and
 * which principal holds which permission (deny by default).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

#include "helpers.h"

/* ---- restricted-key policies ---- */

static void
policy_accepts_valid_lists(void **state)
{
    static const char *const good[] = {
        "/a/b",
        "/voice/calls",
        "/messaging/services/read",
        "/a-b/c_d/0-9/x",
        "/1/2/3/4/5/6/7/8", /* eight segments, the most */
        "/voice/calls\n/voice/recordings\n/messaging/send",
        "/a/b\n/a/bc", /* a prefix of another entry is not a duplicate */
        "/a/bc\n/a/b",
        "/a/b\n/b/a",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(good); i++) {
        if (gh_key_policy_check(good[i]) != GH_OK) {
            fail_msg("refused a valid policy: \"%s\"", good[i]);
        }
    }
}

static void
policy_refuses_empty(void **state)
{
    (void)state;
    assert_gh(gh_key_policy_check(NULL), GH_E_POLICY);
    assert_gh(gh_key_policy_check(""), GH_E_POLICY);
    assert_gh(gh_key_policy_check("\n"), GH_E_POLICY);
    assert_gh(gh_key_policy_check("/a/b\n"), GH_E_POLICY); /* an empty last entry */
    assert_gh(gh_key_policy_check("\n/a/b"), GH_E_POLICY);
    assert_gh(gh_key_policy_check("/a/b\n\n/c/d"), GH_E_POLICY);
}

/* n distinct entries "/p/<i>", separated by '\n'. */
static char *
policy_of(size_t n)
{
    char *text = calloc(n, 16);
    size_t len = 0;

    assert_non_null(text);
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, n * 16 - len, "%s/p/%zu", i == 0 ? "" : "\n", i);
    }
    return text;
}

static void
policy_counts_entries(void **state)
{
    char *text;

    (void)state;
    text = policy_of(1);
    assert_gh(gh_key_policy_check(text), GH_OK);
    free(text);
    text = policy_of(GH_POLICY_MAX_PERMISSIONS);
    assert_gh(gh_key_policy_check(text), GH_OK);
    free(text);
    text = policy_of(GH_POLICY_MAX_PERMISSIONS + 1);
    assert_gh(gh_key_policy_check(text), GH_E_POLICY);
    free(text);
    text = policy_of(1000);
    assert_gh(gh_key_policy_check(text), GH_E_POLICY);
    free(text);
}

static void
policy_refuses_duplicates(void **state)
{
    char *text;

    (void)state;
    assert_gh(gh_key_policy_check("/a/b\n/a/b"), GH_E_POLICY);
    assert_gh(gh_key_policy_check("/a/b\n/c/d\n/a/b"), GH_E_POLICY);
    assert_gh(gh_key_policy_check("/c/d\n/a/b\n/e/f\n/a/b"), GH_E_POLICY);
    /* The first entry repeated as the hundredth. */
    text = policy_of(GH_POLICY_MAX_PERMISSIONS);
    memcpy(strrchr(text, '\n') + 1, "/p/0", 5);
    assert_gh(gh_key_policy_check(text), GH_E_POLICY);
    free(text);
}

static void
policy_refuses_bad_characters(void **state)
{
    static const char *const bad[] = {
        "/A/b",    "/a/B",     "/Voice/Calls", "/a/b.c",     "/a/b c",      "/a/b*",
        "/a/*",    "/a/b?x=1", "/a/b\t",       "/a/b\r",     "/a/\xC3\xA9", "/a/b:c",
        "/a/b%2F", "/a/b\\c",  "/a/b;",        "/a/b\n/c/D", "/../a",       "/a/.",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        if (gh_key_policy_check(bad[i]) != GH_E_POLICY) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

static void
policy_refuses_wrong_shapes(void **state)
{
    static const char *const bad[] = {
        "/",                  /* no segment */
        "/a",                 /* one segment: too few */
        "/1/2/3/4/5/6/7/8/9", /* nine: too many */
        "a/b",                /* no leading slash */
        "//a/b",              /* empty segment */
        "/a//b",
        "/a/b/", /* trailing slash */
        " /a/b",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        if (gh_key_policy_check(bad[i]) != GH_E_POLICY) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

static void
policy_limits_entry_length(void **state)
{
    char entry[GH_PERMISSION_MAX_LEN + 2];

    (void)state;
    /* "/a/" then 'x's: exactly GH_PERMISSION_MAX_LEN bytes is fine, one more is not. */
    memset(entry, 'x', sizeof(entry));
    memcpy(entry, "/a/", 3);
    entry[GH_PERMISSION_MAX_LEN] = '\0';
    assert_gh(gh_key_policy_check(entry), GH_OK);
    entry[GH_PERMISSION_MAX_LEN] = 'x';
    entry[GH_PERMISSION_MAX_LEN + 1] = '\0';
    assert_gh(gh_key_policy_check(entry), GH_E_POLICY);
}

/* ---- permission names ---- */

static void
perm_names_come_from_the_table(void **state)
{
#define PERM_ROW_(name, text) {name, text},
    static const struct {
        enum gh_perm perm;
        const char *text;
    } rows[] = {GH_PERM_TABLE(PERM_ROW_)};
#undef PERM_ROW_

    (void)state;
    assert_int_equal(GH_ARRAY_LEN(rows), GH_PERM_COUNT_ - 1);
    for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++) {
        assert_non_null(gh_perm_name(rows[i].perm));
        assert_string_equal(gh_perm_name(rows[i].perm), rows[i].text);
        assert_non_null(strchr(rows[i].text, '.'));
    }
    assert_null(gh_perm_name(GH_PERM_INVALID_));
    assert_null(gh_perm_name(GH_PERM_COUNT_));
    assert_null(gh_perm_name((enum gh_perm) - 1));
    assert_null(gh_perm_name((enum gh_perm)1000));
}

/* ---- who holds what ---- */

static struct gh_principal
principal(enum gh_principal_kind kind, enum gh_key_type key_type)
{
    struct gh_principal p;

    memset(&p, 0, sizeof(p));
    p.kind = kind;
    p.key_type = key_type;
    if (kind != GH_PRINCIPAL_NONE && kind != GH_PRINCIPAL_OPERATOR) {
        snprintf(p.sid, sizeof(p.sid), "%s",
                 kind == GH_PRINCIPAL_KEY ? "SK0123456789abcdef0123456789abcdef"
                                          : "AC0123456789abcdef0123456789abcdef");
        snprintf(p.account_sid, sizeof(p.account_sid), "AC0123456789abcdef0123456789abcdef");
    }
    return p;
}

/*
 * What a principal gets: on account permissions, on user.read/user.manage, on session.self, on
 * the access-token permissions (mint, verify, revoke).
 */
struct holds_row {
    const char *who;
    struct gh_principal p;
    gh_err account, user, self, token;
    gh_err mfa; /* session.mfa: completing a second factor (mfa.self goes with session.self) */
};

static gh_err
row_expects(const struct holds_row *r, enum gh_perm perm)
{
    if (perm == GH_PERM_SESSION_SELF || perm == GH_PERM_MFA_SELF) {
        return r->self;
    }
    if (perm == GH_PERM_SESSION_MFA) {
        return r->mfa;
    }
    if (perm == GH_PERM_TOKEN_MINT || perm == GH_PERM_TOKEN_VERIFY ||
        perm == GH_PERM_TOKEN_REVOKE) {
        return r->token;
    }
    return perm == GH_PERM_USER_READ || perm == GH_PERM_USER_MANAGE ? r->user : r->account;
}

static void
holds_matrix_for_every_permission(void **state)
{
    struct gh_principal op;
    const gh_err ok = GH_OK, no = GH_E_FORBIDDEN, rk = GH_E_KEY_RESTRICTED, de = GH_E_DENIED;
    const gh_err mf = GH_E_MFA_REQUIRED;
    struct gh_principal pending = principal(GH_PRINCIPAL_SESSION, GH_KEY_MAIN);
    struct gh_principal enrol = principal(GH_PRINCIPAL_SESSION, GH_KEY_MAIN);

    pending.session_status = GH_SESSION_PENDING_MFA;
    enrol.session_status = GH_SESSION_ENROL_ONLY;
    const struct holds_row rows[] = {
        {"operator", principal(GH_PRINCIPAL_OPERATOR, GH_KEY_MAIN), ok, ok, ok, ok, ok},
        {"auth token", principal(GH_PRINCIPAL_AUTH_TOKEN, GH_KEY_MAIN), ok, ok, no, ok, no},
        {"main key", principal(GH_PRINCIPAL_KEY, GH_KEY_MAIN), ok, ok, no, ok, no},
        {"standard key", principal(GH_PRINCIPAL_KEY, GH_KEY_STANDARD), no, no, no, ok, no},
        {"signing key", principal(GH_PRINCIPAL_KEY, GH_KEY_SIGNING), no, no, no, ok, no},
        {"restricted key", principal(GH_PRINCIPAL_KEY, GH_KEY_RESTRICTED), rk, rk, rk, rk, rk},
        {"session", principal(GH_PRINCIPAL_SESSION, GH_KEY_MAIN), no, ok, ok, no, no},
        {"pending MFA session", pending, mf, mf, mf, mf, ok},
        {"enrol-only session", enrol, mf, mf, mf, mf, mf},
        {"no principal", principal(GH_PRINCIPAL_NONE, GH_KEY_MAIN), de, de, de, de, de},
        {"unknown kind", principal((enum gh_principal_kind)99, GH_KEY_MAIN), de, de, de, de, de},
        {"unknown key type", principal(GH_PRINCIPAL_KEY, (enum gh_key_type)99), no, no, no, no, no},
    };

    (void)state;
    gh_principal_operator(&op);
    for (int perm = GH_PERM_INVALID_ + 1; perm < GH_PERM_COUNT_; perm++) {
        for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++) {
            /* the enrol-only session holds mfa.self, which row_expects gives as "self" */
            if (strcmp(rows[i].who, "enrol-only session") == 0 && perm == GH_PERM_MFA_SELF) {
                assert_gh(gh_principal_holds(&rows[i].p, (enum gh_perm)perm), GH_OK);
                continue;
            }
            gh_err got = gh_principal_holds(&rows[i].p, (enum gh_perm)perm);
            gh_err expect = row_expects(&rows[i], (enum gh_perm)perm);

            if (got != expect) {
                fail_msg("%s on %s: %s, expected %s", rows[i].who, gh_perm_name(perm),
                         gh_err_name(got), gh_err_name(expect));
            }
        }
        assert_gh(gh_principal_holds(&op, (enum gh_perm)perm), GH_OK);
        assert_gh(gh_principal_holds(NULL, (enum gh_perm)perm), GH_E_DENIED);
    }
}

/* A permission outside the table is held by nobody, not even the operator. */
static void
holds_nothing_outside_the_table(void **state)
{
    static const enum gh_perm bad[] = {GH_PERM_INVALID_, GH_PERM_COUNT_, (enum gh_perm) - 1,
                                       (enum gh_perm)1000};
    struct gh_principal op;
    struct gh_principal token = principal(GH_PRINCIPAL_AUTH_TOKEN, GH_KEY_MAIN);

    (void)state;
    gh_principal_operator(&op);
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_true(gh_principal_holds(&op, bad[i]) != GH_OK);
        assert_true(gh_principal_holds(&token, bad[i]) != GH_OK);
        assert_true(gh_principal_holds(NULL, bad[i]) != GH_OK);
    }
}

static void
operator_principal_is_only_the_operator(void **state)
{
    struct gh_principal p;

    (void)state;
    memset(&p, 0x5A, sizeof(p));
    gh_principal_operator(&p);
    assert_int_equal(p.kind, GH_PRINCIPAL_OPERATOR);
    assert_string_equal(p.sid, "");
    assert_string_equal(p.account_sid, "");
    assert_string_equal(p.parent_sid, "");
    assert_int_equal(p.key_type, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_accepts_valid_lists),
        cmocka_unit_test(policy_refuses_empty),
        cmocka_unit_test(policy_counts_entries),
        cmocka_unit_test(policy_refuses_duplicates),
        cmocka_unit_test(policy_refuses_bad_characters),
        cmocka_unit_test(policy_refuses_wrong_shapes),
        cmocka_unit_test(policy_limits_entry_length),
        cmocka_unit_test(perm_names_come_from_the_table),
        cmocka_unit_test(holds_matrix_for_every_permission),
        cmocka_unit_test(holds_nothing_outside_the_table),
        cmocka_unit_test(operator_principal_is_only_the_operator),
    };

    test_tap_output();
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
