/*
 * cmd_init.c -- `gatehouse init [--friendly-name NAME] [--owner-email EMAIL] [--owner-name NAME]
 * [--passphrase-stdin] [--json]`: creates the instance with its main account and that account's
 * owner (a human user), and prints the main account's SID and auth token and the owner's
 * passphrase (generated unless given on standard input), once.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_NAME        "Gatehouse main account"
#define DEFAULT_OWNER_EMAIL "owner@localhost"
#define DEFAULT_OWNER_NAME  "Owner"
#define GENERATE_TRIES      5 /* a generated passphrase the policy refuses is drawn again */

struct owner {
    struct gh_user_spec spec;
    char passphrase[CLI_PASSPHRASE_BUF];
    bool generated;
};

static void
print_created(const struct gh_init_result *r, const struct owner *o, const char *dir, bool json)
{
    if (json) {
        printf("{\"account_sid\": \"%s\", \"auth_token\": \"%s\", \"owner_user_sid\": \"%s\", "
               "\"owner_email\": ",
               r->account_sid, r->auth_token, r->owner_sid);
        cli_json_string(stdout, o->spec.email);
        printf(", \"owner_passphrase\": ");
        cli_json_string(stdout, o->generated ? o->passphrase : NULL);
        printf("}\n");
        return;
    }
    printf("Initialised %s\n\n"
           "  Account SID: %s\n"
           "  Auth token:  %s\n\n"
           "The auth token is shown only now. Keep it in a password manager or secret store;\n"
           "day to day, use API keys (`gatehouse key create`) instead of the auth token.\n\n"
           "  Owner:       %s (%s)\n",
           dir, r->account_sid, r->auth_token, o->spec.email, r->owner_sid);
    if (o->generated) {
        printf("  Passphrase:  %s\n\n"
               "The owner's passphrase is shown only now; log in with POST /v1/Sessions.\n",
               o->passphrase);
    }
}

/* The owner's passphrase: standard input, or a new diceware passphrase. */
static void
owner_passphrase(struct owner *o, bool from_stdin)
{
    double bits;
    gh_err rc;

    if (from_stdin) {
        o->spec.passphrase_len = cli_read_passphrase("Owner's passphrase", o->passphrase);
    } else {
        rc = gh_passphrase_generate(NULL, 0, o->passphrase, sizeof(o->passphrase), &bits);
        if (rc != GH_OK) {
            cli_die("init: generating the owner's passphrase", rc);
        }
        o->spec.passphrase_len = strlen(o->passphrase);
        o->generated = true;
    }
    o->spec.passphrase = o->passphrase;
}

/* Prints why the policy refused the owner's passphrase and exits 1. */
_Noreturn static void
die_weak(const struct gh_passphrase_report *report)
{
    fprintf(stderr, "gatehouse: init: the owner's passphrase was refused: %s\n", report->message);
    exit(1);
}

int
cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"friendly-name", required_argument, NULL, 'n'},
        {"owner-email", required_argument, NULL, 'e'},
        {"owner-name", required_argument, NULL, 'o'},
        {"passphrase-stdin", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    struct gh_ctx_config cfg;
    const char *name = DEFAULT_NAME;
    struct gh_passphrase_report report;
    struct gh_init_result r;
    struct owner o = {
        {DEFAULT_OWNER_EMAIL, DEFAULT_OWNER_NAME, NULL, 0, NULL, GH_ROLE_OWNER}, "", false};
    bool from_stdin = false;
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
        case 'e':
            o.spec.email = optarg;
            break;
        case 'o':
            o.spec.name = optarg;
            break;
        case 'p':
            from_stdin = true;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            printf("usage: gatehouse init [--friendly-name NAME] [--owner-email EMAIL] "
                   "[--owner-name NAME] [--passphrase-stdin] [--json] " CLI_COMMON_USAGE "\n");
            return 0;
        default:
            cli_usage("init: unknown option (see `gatehouse init --help`)");
        }
    }
    cli_resolve(&s);
    cli_ctx_config(&s, &cfg);
    for (unsigned attempt = 0;; attempt++) {
        owner_passphrase(&o, from_stdin);
        rc = gh_instance_init(&cfg, name, &o.spec, &r, &report);
        if (rc != GH_E_WEAK_PASSPHRASE || from_stdin || attempt + 1 == GENERATE_TRIES) {
            break;
        }
        gh_wipe(o.passphrase, sizeof(o.passphrase)); /* built on the name, by chance: draw again */
    }
    if (rc == GH_E_WEAK_PASSPHRASE) {
        gh_wipe(o.passphrase, sizeof(o.passphrase));
        die_weak(&report);
    }
    if (rc != GH_OK) {
        gh_wipe(o.passphrase, sizeof(o.passphrase));
        cli_die("init", rc);
    }
    if (r.created) {
        print_created(&r, &o, s.store != NULL ? "the store" : s.data_dir, json);
    } else if (json) {
        printf("{\"account_sid\": \"%s\", \"already_initialised\": true}\n", r.account_sid);
    } else {
        printf("%s is already initialised (main account %s); nothing changed.\n",
               s.store != NULL ? "The store" : s.data_dir, r.account_sid);
    }
    gh_wipe(&r, sizeof(r));
    gh_wipe(o.passphrase, sizeof(o.passphrase));
    return 0;
}
