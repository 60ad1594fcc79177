/*
 * cmd_init.c -- `gatehouse init [--data DIR] [--friendly-name NAME] [--json]`: creates the
 * instance and prints the main account's SID and auth token, once.
 */
#include <getopt.h>

#include "cli.h"

#define DEFAULT_NAME "Gatehouse main account"

static void
print_created(const struct gh_init_result *r, const char *dir, bool json)
{
    if (json) {
        printf("{\"account_sid\": \"%s\", \"auth_token\": \"%s\"}\n", r->account_sid,
               r->auth_token);
        return;
    }
    printf("Initialised %s\n\n"
           "  Account SID: %s\n"
           "  Auth token:  %s\n\n"
           "The auth token is shown only now. Keep it in a password manager or secret store;\n"
           "day to day, use API keys (`gatehouse key create`) instead of the auth token.\n",
           dir, r->account_sid, r->auth_token);
}

int
cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"friendly-name", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    struct gh_ctx_config cfg;
    const char *name = DEFAULT_NAME;
    struct gh_init_result r;
    bool json = false;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        switch (c) {
        case 'n':
            name = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            printf("usage: gatehouse init [--friendly-name NAME] [--json] " CLI_COMMON_USAGE "\n");
            return 0;
        default:
            cli_usage("init: unknown option (see `gatehouse init --help`)");
        }
    }
    cli_resolve(&s);
    cli_ctx_config(&s, &cfg);
    rc = gh_instance_init(&cfg, name, &r);
    if (rc != GH_OK) {
        cli_die("init", rc);
    }
    if (r.created) {
        print_created(&r, s.store != NULL ? "the store" : s.data_dir, json);
    } else if (json) {
        printf("{\"account_sid\": \"%s\", \"already_initialised\": true}\n", r.account_sid);
    } else {
        printf("%s is already initialised (main account %s); nothing changed.\n",
               s.store != NULL ? "The store" : s.data_dir, r.account_sid);
    }
    gh_wipe(&r, sizeof(r));
    return 0;
}
