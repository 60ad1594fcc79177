/*
 * cmd_account.c -- `gatehouse account status --account SID --status active|suspended|closed`:
 * the operator's switch for any account, main accounts included (the API lets only a parent
 * change a subaccount's status, and nobody a main account's).  A suspended main account's
 * credentials, and its subaccounts', are refused until it is active again; closed is permanent.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: gatehouse account status --account SID --status active|suspended|closed [--json] "
    "" CLI_COMMON_USAGE "";

static int
parse_status(const char *text)
{
    static const char *const names[] = {"active", "suspended", "closed"};

    for (int i = 0; i < 3; i++) {
        if (strcmp(text, names[i]) == 0) {
            return i;
        }
    }
    cli_usage("account status: --status must be active, suspended or closed");
}

static int
account_status(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"account", required_argument, NULL, 'a'},
        {"status", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    static const char *const names[] = {"active", "suspended", "closed"};
    struct gh_account_change change = {NULL, GH_STATUS_ANY};
    struct cli_settings st = {0};
    const char *sid = NULL;
    struct gh_principal op;
    struct gh_account acct;
    bool json = false;
    struct gh_ctx *ctx;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &st)) {
            continue;
        }
        switch (c) {
        case 'a':
            sid = optarg;
            break;
        case 's':
            change.status = parse_status(optarg);
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage(usage_text);
        }
    }
    if (sid == NULL || change.status == GH_STATUS_ANY) {
        cli_usage(usage_text);
    }
    ctx = cli_open(&st);
    gh_principal_operator(&op);
    rc = gh_account_update(ctx, NULL, &op, sid, &change, &acct, NULL);
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        cli_die("account status", rc);
    }
    if (json) {
        printf("{\"sid\": \"%s\", \"status\": \"%s\"}\n", acct.sid, names[acct.status]);
    } else {
        printf("Account %s is now %s.\n", acct.sid, names[acct.status]);
    }
    return 0;
}

int
cmd_account(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "status") == 0) {
        return account_status(argc - 1, argv + 1);
    }
    cli_usage(usage_text);
}
