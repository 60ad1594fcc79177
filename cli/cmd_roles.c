/*
 * cmd_roles.c -- `gatehouse roles [--json | --markdown]`: the permission table, the roles and
 * credential kinds that hold each permission, and the route table with each route's
 * permission, all read from the code (lib/policy, server/routes.c).  --json is for scripts that
 * check one against the other; --markdown is docs/ROLES.md, so the document cannot drift.
 */
#include <string.h>

#include <gatehouse/policy.h>

#include "cli.h"
#include "server.h"

/* The principals of the matrix besides the roles: what each credential kind holds. */
struct holder {
    const char *name;
    const char *label;
    gh_perm_set set;
};

static size_t
credential_holders(struct holder out[4])
{
    gh_perm_set main_set = 0;
    gh_perm_set standard = 0;

    if (gh_key_perms(GH_KEY_MAIN, NULL, &main_set) != GH_OK ||
        gh_key_perms(GH_KEY_STANDARD, NULL, &standard) != GH_OK) {
        return 0;
    }
    out[0] = (struct holder){"auth_token", "auth token", GH_PERMS_CREDENTIAL};
    out[1] = (struct holder){"main_key", "main key", main_set};
    out[2] = (struct holder){"standard_key", "standard / signing key", standard};
    /* restricted keys: their Policy, within the account permissions, never mint */
    out[3] =
        (struct holder){"restricted_key", "restricted key (Policy)", GH_PERMS_POLICY_GRANTABLE};
    return 4;
}

static const char *const role_labels[GH_ROLE_COUNT] = {"owner", "admin", "developer", "billing",
                                                       "support"};

/* ---- text ---- */

static void
text_route(const char *method, const char *pattern, enum gh_perm perm, const char *account,
           bool parent, void *arg)
{
    (void)arg;
    printf("  %-6s %-50s %-20s %-6s%s\n", method, pattern,
           perm == GH_PERM_COUNT_ ? "(public)" : gh_perm_name(perm), account,
           parent ? " parent" : "");
}

static void
print_text(void)
{
    struct holder creds[4];
    size_t nc = credential_holders(creds);

    printf("%-20s", "permission");
    for (int r = 0; r < GH_ROLE_COUNT; r++) {
        printf(" %-9s", role_labels[r]);
    }
    printf(" | auth_token main_key standard restricted\n");
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        if (gh_perm_scope((enum gh_perm)p) != GH_SCOPE_ACCOUNT) {
            continue;
        }
        printf("%-20s", gh_perm_name((enum gh_perm)p));
        for (int r = 0; r < GH_ROLE_COUNT; r++) {
            printf(" %-9s", (gh_role_perms((enum gh_role)r) & GH_PERM_BIT(p)) != 0 ? "yes" : "-");
        }
        printf(" |");
        for (size_t i = 0; i < nc; i++) {
            const char *mark = (creds[i].set & GH_PERM_BIT(p)) == 0 ? "-"
                               : i == 3                             ? "policy"
                                                                    : "yes";
            printf(" %-*s", i == 0 ? 10 : 8, mark);
        }
        printf("\n");
    }
    printf("\nself permissions (a user's own session only):");
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        if (gh_perm_scope((enum gh_perm)p) == GH_SCOPE_SELF) {
            printf(" %s", gh_perm_name((enum gh_perm)p));
        }
    }
    printf("\n\nroutes (method, path, permission, account from, parent credentials):\n");
    gh_routes_each(text_route, NULL);
}

/* ---- JSON ---- */

static void
json_set(struct gh_jw *w, gh_perm_set set)
{
    gh_jw_array(w);
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        if ((set & GH_PERM_BIT(p)) != 0) {
            gh_jw_string(w, gh_perm_name((enum gh_perm)p));
        }
    }
    gh_jw_array_end(w);
}

static void
json_route(const char *method, const char *pattern, enum gh_perm perm, const char *account,
           bool parent, void *arg)
{
    struct gh_jw *w = arg;

    gh_jw_object(w);
    gh_jw_kv_string(w, "method", method);
    gh_jw_kv_string(w, "path", pattern);
    gh_jw_kv_string(w, "permission", perm == GH_PERM_COUNT_ ? NULL : gh_perm_name(perm));
    gh_jw_kv_string(w, "account", account);
    gh_jw_key(w, "parent");
    gh_jw_bool(w, parent);
    gh_jw_object_end(w);
}

static int
print_json(void)
{
    struct holder creds[4];
    size_t nc = credential_holders(creds);
    struct gh_jw w;
    char entry[GH_PERM_POLICY_SIZE];

    gh_jw_init(&w);
    gh_jw_object(&w);
    gh_jw_key(&w, "permissions");
    gh_jw_array(&w);
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        gh_jw_object(&w);
        gh_jw_kv_string(&w, "name", gh_perm_name((enum gh_perm)p));
        gh_jw_kv_string(&w, "scope",
                        gh_perm_scope((enum gh_perm)p) == GH_SCOPE_SELF ? "self" : "account");
        gh_perm_policy_entry((enum gh_perm)p, entry);
        gh_jw_kv_string(&w, "policy", entry);
        gh_jw_kv_string(&w, "description", gh_perm_doc((enum gh_perm)p));
        gh_jw_object_end(&w);
    }
    gh_jw_array_end(&w);
    gh_jw_key(&w, "roles");
    gh_jw_array(&w);
    for (int r = 0; r < GH_ROLE_COUNT; r++) {
        gh_jw_object(&w);
        gh_jw_kv_string(&w, "name", gh_role_name((enum gh_role)r));
        gh_jw_key(&w, "permissions");
        json_set(&w, gh_role_perms((enum gh_role)r));
        gh_jw_object_end(&w);
    }
    gh_jw_array_end(&w);
    gh_jw_key(&w, "credentials");
    gh_jw_array(&w);
    for (size_t i = 0; i < nc; i++) {
        gh_jw_object(&w);
        gh_jw_kv_string(&w, "name", creds[i].name);
        gh_jw_key(&w, "permissions");
        json_set(&w, creds[i].set);
        gh_jw_key(&w, "policy_limited");
        gh_jw_bool(&w, i == 3);
        gh_jw_object_end(&w);
    }
    gh_jw_array_end(&w);
    gh_jw_key(&w, "routes");
    gh_jw_array(&w);
    gh_routes_each(json_route, &w);
    gh_jw_array_end(&w);
    gh_jw_object_end(&w);
    if (w.failed) {
        gh_jw_free(&w);
        fprintf(stderr, "gatehouse: roles: out of memory\n");
        return 1;
    }
    printf("%s\n", w.buf);
    gh_jw_free(&w);
    return 0;
}

/* ---- Markdown (docs/ROLES.md) ---- */

static void
md_route(const char *method, const char *pattern, enum gh_perm perm, const char *account,
         bool parent, void *arg)
{
    (void)arg;
    printf("| %s | `%s` | %s | %s | %s |\n", method, pattern,
           perm == GH_PERM_COUNT_ ? "public" : gh_perm_name(perm), account, parent ? "yes" : "no");
}

static void
print_markdown(void)
{
    struct holder creds[4];
    size_t nc = credential_holders(creds);
    char entry[GH_PERM_POLICY_SIZE];

    printf("# Roles and permissions\n\n"
           "<!-- Generated by `gatehouse roles --markdown` from lib/policy and server/routes.c; "
           "do not edit. The API tests fail when this file differs from the code. -->\n\n"
           "Every route needs one permission (deny by default). Account permissions are held on "
           "one account: by its auth tokens and main keys (all but `ownership.transfer`, which "
           "only the owner's own session holds), standard and signing keys (the access-token "
           "ones), restricted keys (what their `Policy` lists, by the policy name below; never "
           "`access_token.mint` or `ownership.transfer`), and its members' sessions (what their "
           "role there holds). The owner and administrators of a parent account act in its "
           "subaccounts with the same role (in a suspended or closed subaccount, only "
           "`account.read` and `account.update`); other roles are granted per subaccount. Nobody "
           "grants a role, or creates, changes or deletes a key, holding a permission they "
           "lack.\n\n"
           "## Account permissions\n\n"
           "| Permission | Policy entry | ");
    for (int r = 0; r < GH_ROLE_COUNT; r++) {
        printf("%s | ", gh_role_name((enum gh_role)r));
    }
    for (size_t i = 0; i < nc; i++) {
        printf("%s | ", creds[i].label);
    }
    printf("Allows |\n|---|---|");
    for (size_t i = 0; i < GH_ROLE_COUNT + nc; i++) {
        printf("---|");
    }
    printf("---|\n");
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        if (gh_perm_scope((enum gh_perm)p) != GH_SCOPE_ACCOUNT) {
            continue;
        }
        gh_perm_policy_entry((enum gh_perm)p, entry);
        printf("| `%s` | `%s` | ", gh_perm_name((enum gh_perm)p), entry);
        for (int r = 0; r < GH_ROLE_COUNT; r++) {
            printf("%s | ", (gh_role_perms((enum gh_role)r) & GH_PERM_BIT(p)) != 0 ? "✓" : "");
        }
        for (size_t i = 0; i < nc; i++) {
            printf("%s | ", (creds[i].set & GH_PERM_BIT(p)) == 0 ? "" : i == 3 ? "if listed" : "✓");
        }
        printf("%s |\n", gh_perm_doc((enum gh_perm)p));
    }
    printf("\n## Self permissions\n\nHeld only by the user's own session, never by a role or a "
           "credential. A session waiting for its second factor holds only `session.mfa`; one "
           "that must enrol a factor only `mfa.self`; one whose passphrase was found in a breach "
           "only `session.self`, and none of these act through a role.\n\n"
           "| Permission | Allows |\n|---|---|\n");
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        if (gh_perm_scope((enum gh_perm)p) == GH_SCOPE_SELF) {
            printf("| `%s` | %s |\n", gh_perm_name((enum gh_perm)p), gh_perm_doc((enum gh_perm)p));
        }
    }
    printf("\n## Routes\n\n"
           "*Account*: where a session's request names the account it acts on (`path`: the "
           "account SID in the path; `param`: the `AccountSid` parameter; `self`: the user's "
           "own; `none`: public). *Parent*: whether a parent account's auth token and main keys "
           "may name one of its subaccounts there.\n\n"
           "| Method | Path | Permission | Account | Parent |\n|---|---|---|---|---|\n");
    gh_routes_each(md_route, NULL);
}

int
cmd_roles(int argc, char **argv)
{
    if (argc == 1) {
        print_text();
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--json") == 0) {
        return print_json();
    }
    if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
        print_markdown();
        return 0;
    }
    cli_usage("usage: gatehouse roles [--json | --markdown]");
    return 2;
}
