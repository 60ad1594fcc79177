/*
 * cmd_user.c -- `gatehouse user create --email EMAIL --name NAME [--role ROLE] [--account SID]
 * [--json]`: creates a human user with a membership, as the operator.  The passphrase is read
 * from standard input (one line; no echo on a terminal), never from argv, where other users of
 * the machine could read it.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: gatehouse user create --email EMAIL --name NAME [--role ROLE] [--account SID] "
    "[--json] " CLI_COMMON_USAGE " (the passphrase on standard input)";

static void
print_user(const struct gh_user *u, const struct gh_user_spec *spec, bool json)
{
    if (json) {
        printf("{\"sid\": \"%s\", \"email\": ", u->sid);
        cli_json_string(stdout, u->email);
        printf(", \"account_sid\": \"%s\", \"role\": \"%s\"}\n", spec->account_sid,
               gh_role_name(spec->role));
        return;
    }
    printf("Created user %s (%s), %s of account %s\n", u->sid, u->email, gh_role_name(spec->role),
           spec->account_sid);
}

static void
parse_role(const char *text, enum gh_role *role)
{
    if (gh_role_parse(text, role) != GH_OK) {
        cli_usage("user create: --role must be owner, administrator, developer, billing_manager "
                  "or support");
    }
}

static int
user_create(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"email", required_argument, NULL, 'e'},
        {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},
        {"account", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct gh_user_spec spec = {NULL, NULL, NULL, 0, NULL, GH_ROLE_DEVELOPER};
    char passphrase[CLI_PASSPHRASE_BUF];
    struct gh_passphrase_report report;
    char main_sid[GH_SID_SIZE];
    struct cli_settings s = {0};
    struct gh_principal op;
    struct gh_ctx *ctx;
    struct gh_user u = {0};
    bool json = false;
    gh_err rc = GH_OK;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        switch (c) {
        case 'e':
            spec.email = optarg;
            break;
        case 'n':
            spec.name = optarg;
            break;
        case 'r':
            parse_role(optarg, &spec.role);
            break;
        case 'a':
            spec.account_sid = optarg;
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage(usage_text);
        }
    }
    if (spec.email == NULL || spec.name == NULL) {
        cli_usage("user create: --email and --name are required");
    }
    ctx = cli_open(&s);
    spec.passphrase_len = cli_read_passphrase("Passphrase", passphrase);
    spec.passphrase = passphrase;
    if (spec.account_sid == NULL) {
        rc = gh_ctx_main_account(ctx, main_sid);
        spec.account_sid = main_sid;
    }
    gh_principal_operator(&op);
    if (rc == GH_OK) {
        rc = gh_user_create(ctx, NULL, &op, &spec, &u, &report);
    }
    gh_wipe(passphrase, sizeof(passphrase));
    gh_ctx_close(ctx);
    if (rc == GH_E_WEAK_PASSPHRASE) {
        fprintf(stderr, "gatehouse: user create: the passphrase was refused: %s\n", report.message);
        exit(1);
    }
    if (rc != GH_OK) {
        cli_die("user create", rc);
    }
    print_user(&u, &spec, json);
    return 0;
}

int
cmd_user(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0) {
        return user_create(argc - 1, argv + 1);
    }
    cli_usage(usage_text);
}
