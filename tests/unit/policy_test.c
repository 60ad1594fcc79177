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
#define PERM_ROW_(name, text, scope, doc) {name, text},
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

/* A set from a space-separated list of permission names (independent of the role table). */
static gh_perm_set
perms(const char *names)
{
    char word[64];
    gh_perm_set set = 0;

    for (const char *p = names; *p != '\0';) {
        size_t n = strcspn(p, " ");
        enum gh_perm perm = GH_PERM_INVALID_;

        if (n > 0) {
            assert_true(n < sizeof(word));
            memcpy(word, p, n);
            word[n] = '\0';
            assert_gh(gh_perm_parse(word, &perm), GH_OK);
            set |= GH_PERM_BIT(perm);
        }
        p += n + (p[n] == ' ');
    }
    return set;
}

#define ACCOUNT_ALL                                                                                \
    "account.read account.update subaccount.create member.read member.manage "                     \
    "ownership.transfer key.read key.create key.update key.delete auth_token.rotate "              \
    "access_token.mint access_token.verify access_token.revoke mfa_policy.manage audit.read"
#define SELF_ACTIVE "user.self session.self mfa.self ownership.accept"
/* An account's credentials: every account permission but ownership.transfer. */
#define CREDENTIAL                                                                                 \
    "account.read account.update subaccount.create member.read member.manage "                     \
    "key.read key.create key.update key.delete auth_token.rotate "                                 \
    "access_token.mint access_token.verify access_token.revoke mfa_policy.manage audit.read"
#define DEVELOPER                                                                                  \
    "account.read key.read key.create key.update key.delete access_token.mint "                    \
    "access_token.verify access_token.revoke audit.read"
#define ADMINISTRATOR                                                                              \
    DEVELOPER " account.update subaccount.create member.read member.manage mfa_policy.manage"

/* Twilio's roles (SPEC 7.1), written out by hand: the table must say the same. */
static void
roles_follow_the_capability_matrix(void **state)
{
    (void)state;
    assert_int_equal(gh_role_perms(GH_ROLE_OWNER), perms(ACCOUNT_ALL));
    assert_int_equal(gh_role_perms(GH_ROLE_ADMINISTRATOR), perms(ADMINISTRATOR));
    assert_int_equal(gh_role_perms(GH_ROLE_DEVELOPER), perms(DEVELOPER));
    assert_int_equal(gh_role_perms(GH_ROLE_BILLING_MANAGER), perms("account.read audit.read"));
    assert_int_equal(gh_role_perms(GH_ROLE_SUPPORT), perms("account.read audit.read"));
    assert_int_equal(gh_role_perms((enum gh_role)99), 0);
    /* Only the owner and administrators of a main account act in its subaccounts. */
    assert_true(gh_role_spans_subaccounts(GH_ROLE_OWNER));
    assert_true(gh_role_spans_subaccounts(GH_ROLE_ADMINISTRATOR));
    assert_false(gh_role_spans_subaccounts(GH_ROLE_DEVELOPER));
    assert_false(gh_role_spans_subaccounts(GH_ROLE_BILLING_MANAGER));
    assert_false(gh_role_spans_subaccounts(GH_ROLE_SUPPORT));
    /* Every role is within the owner's; the owner's is every account permission. */
    for (int r = 0; r < GH_ROLE_COUNT; r++) {
        gh_perm_set set = gh_role_perms((enum gh_role)r);

        assert_int_equal(set & ~gh_role_perms(GH_ROLE_OWNER), 0);
        assert_int_equal(set & gh_perms_of_scope(GH_SCOPE_SELF), 0);
    }
    assert_int_equal(gh_perms_of_scope(GH_SCOPE_ACCOUNT), perms(ACCOUNT_ALL));
    assert_int_equal(gh_perms_of_scope(GH_SCOPE_SELF), perms(SELF_ACTIVE " session.mfa"));
}

static struct gh_principal
session_with(enum gh_role role, bool has_role)
{
    struct gh_principal p = principal(GH_PRINCIPAL_SESSION, GH_KEY_MAIN);

    p.has_role = has_role;
    p.role = role;
    return p;
}

struct holds_row {
    const char *who;
    struct gh_principal p;
    const char *holds; /* the permissions it holds, by name */
    gh_err refusal;    /* what it gets for the others */
};

static void
holds_matrix_for_every_permission(void **state)
{
    const gh_err no = GH_E_FORBIDDEN, rk = GH_E_KEY_RESTRICTED, de = GH_E_DENIED;
    const gh_err mf = GH_E_MFA_REQUIRED, mc = GH_E_MUST_CHANGE_PASSPHRASE;
    struct gh_principal pending = session_with(GH_ROLE_OWNER, true);
    struct gh_principal enrol = session_with(GH_ROLE_OWNER, true);
    struct gh_principal breached = session_with(GH_ROLE_OWNER, true);
    struct gh_principal restricted = principal(GH_PRINCIPAL_KEY, GH_KEY_RESTRICTED);
    struct gh_principal minting = principal(GH_PRINCIPAL_KEY, GH_KEY_RESTRICTED);

    struct gh_principal inactive = session_with(GH_ROLE_OWNER, true);

    inactive.account_inactive = true;
    inactive.via_parent = true;
    pending.session_status = GH_SESSION_PENDING_MFA;
    enrol.session_status = GH_SESSION_ENROL_ONLY;
    breached.must_change_passphrase = true;
    restricted.policy = perms("key.read member.read");
    minting.policy = perms("key.read access_token.mint"); /* mint never counts */
    const struct holds_row rows[] = {
        {"operator", principal(GH_PRINCIPAL_OPERATOR, GH_KEY_MAIN),
         ACCOUNT_ALL " " SELF_ACTIVE " session.mfa", no},
        {"auth token", principal(GH_PRINCIPAL_AUTH_TOKEN, GH_KEY_MAIN), CREDENTIAL, no},
        {"main key", principal(GH_PRINCIPAL_KEY, GH_KEY_MAIN), CREDENTIAL, no},
        {"standard key", principal(GH_PRINCIPAL_KEY, GH_KEY_STANDARD),
         "access_token.mint access_token.verify access_token.revoke", no},
        {"signing key", principal(GH_PRINCIPAL_KEY, GH_KEY_SIGNING),
         "access_token.mint access_token.verify access_token.revoke", no},
        {"restricted key", restricted, "key.read member.read", rk},
        {"restricted key listing mint", minting, "key.read", rk},
        {"restricted key, empty policy", principal(GH_PRINCIPAL_KEY, GH_KEY_RESTRICTED), "", rk},
        {"session without a role", session_with(GH_ROLE_OWNER, false), SELF_ACTIVE, no},
        {"owner session", session_with(GH_ROLE_OWNER, true), ACCOUNT_ALL " " SELF_ACTIVE, no},
        {"owner session on a suspended subaccount", inactive,
         "account.read account.update " SELF_ACTIVE, no},
        {"administrator session", session_with(GH_ROLE_ADMINISTRATOR, true),
         ADMINISTRATOR " " SELF_ACTIVE, no},
        {"developer session", session_with(GH_ROLE_DEVELOPER, true), DEVELOPER " " SELF_ACTIVE, no},
        {"billing manager session", session_with(GH_ROLE_BILLING_MANAGER, true),
         "account.read audit.read " SELF_ACTIVE, no},
        {"support session", session_with(GH_ROLE_SUPPORT, true),
         "account.read audit.read " SELF_ACTIVE, no},
        {"pending MFA session (owner)", pending, "session.mfa", mf},
        {"enrol-only session (owner)", enrol, "mfa.self", mf},
        {"breached-passphrase session (owner)", breached, "session.self", mc},
        {"no principal", principal(GH_PRINCIPAL_NONE, GH_KEY_MAIN), "", de},
        {"unknown kind", principal((enum gh_principal_kind)99, GH_KEY_MAIN), "", no},
        {"unknown key type", principal(GH_PRINCIPAL_KEY, (enum gh_key_type)99), "", no},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++) {
        gh_perm_set want = perms(rows[i].holds);

        for (int perm = GH_PERM_INVALID_ + 1; perm < GH_PERM_COUNT_; perm++) {
            gh_err got = gh_principal_holds(&rows[i].p, (enum gh_perm)perm);
            gh_err expect = (want & GH_PERM_BIT(perm)) != 0 ? GH_OK : rows[i].refusal;

            if (got != expect) {
                fail_msg("%s on %s: %s, expected %s", rows[i].who, gh_perm_name(perm),
                         gh_err_name(got), gh_err_name(expect));
            }
        }
        assert_int_equal(gh_principal_perms(&rows[i].p), want);
    }
    for (int perm = GH_PERM_INVALID_ + 1; perm < GH_PERM_COUNT_; perm++) {
        assert_gh(gh_principal_holds(NULL, (enum gh_perm)perm), GH_E_DENIED);
    }
}

/* Restricted keys name Gatehouse permissions by their policy entries. */
static void
policy_entries_name_permissions(void **state)
{
    char entry[GH_PERM_POLICY_SIZE];
    gh_perm_set set = 0;

    (void)state;
    gh_perm_policy_entry(GH_PERM_KEY_READ, entry);
    assert_string_equal(entry, "/gatehouse/key/read");
    gh_perm_policy_entry(GH_PERM_TOKEN_VERIFY, entry);
    assert_string_equal(entry, "/gatehouse/access_token/verify");
    gh_perm_policy_entry(GH_PERM_INVALID_, entry);
    assert_string_equal(entry, "");
    assert_gh(gh_key_policy_perms("/gatehouse/key/read\n/twilio/voice/calls/read\n"
                                  "/gatehouse/member/manage",
                                  &set),
              GH_OK);
    assert_int_equal(set, perms("key.read member.manage"));
    /* Unknown, self and mint entries under /gatehouse/ are refused, at the check too. */
    assert_gh(gh_key_policy_perms("/gatehouse/key/steal", &set), GH_E_POLICY);
    assert_gh(gh_key_policy_perms("/gatehouse/session/self", &set), GH_E_POLICY);
    assert_gh(gh_key_policy_perms("/gatehouse/access_token/mint", &set), GH_E_POLICY);
    assert_gh(gh_key_policy_check("/gatehouse/access_token/mint"), GH_E_POLICY);
    assert_gh(gh_key_policy_check("/gatehouse/key/read\n/gatehouse/key/create"), GH_OK);
    /* What each key type holds. */
    assert_gh(gh_key_perms(GH_KEY_MAIN, NULL, &set), GH_OK);
    assert_int_equal(set, perms(CREDENTIAL));
    assert_gh(gh_key_policy_perms("/gatehouse/ownership/transfer", &set), GH_E_POLICY);
    assert_gh(gh_key_perms(GH_KEY_STANDARD, NULL, &set), GH_OK);
    assert_int_equal(set, perms("access_token.mint access_token.verify access_token.revoke"));
    assert_gh(gh_key_perms(GH_KEY_RESTRICTED, "/gatehouse/key/delete", &set), GH_OK);
    assert_int_equal(set, perms("key.delete"));
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
        cmocka_unit_test(roles_follow_the_capability_matrix),
        cmocka_unit_test(holds_matrix_for_every_permission),
        cmocka_unit_test(policy_entries_name_permissions),
        cmocka_unit_test(holds_nothing_outside_the_table),
        cmocka_unit_test(operator_principal_is_only_the_operator),
    };

    test_tap_output();
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
