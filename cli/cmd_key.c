/*
 * cmd_key.c -- `gatehouse key create --type main|standard [--account SID]
 * [--friendly-name NAME] [--json]`.  Main keys (full power, like the auth token) can be created
 * only here, by whoever holds the instance, as Twilio creates them only in its console.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: gatehouse key create --type main|standard "
    "[--account SID] [--friendly-name NAME] [--json] " CLI_COMMON_USAGE;

static enum gh_key_type
parse_type(const char *text)
{
    if (strcmp(text, "main") == 0) {
        return GH_KEY_MAIN;
    }
    if (strcmp(text, "standard") == 0) {
        return GH_KEY_STANDARD;
    }
    cli_usage("key create: --type must be main or standard");
}

static void
print_key(const struct gh_key *k, const char *secret, bool json)
{
    if (json) {
        printf("{\"sid\": \"%s\", \"secret\": \"%s\", \"account_sid\": \"%s\"}\n", k->sid, secret,
               k->account_sid);
        return;
    }
    printf("Created %s key for account %s\n\n  Key SID: %s\n  Secret:  %s\n\n"
           "The secret is shown only now.\n",
           k->type == GH_KEY_MAIN ? "main" : "standard", k->account_sid, k->sid, secret);
}

static int
key_create(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"type", required_argument, NULL, 't'},
        {"account", required_argument, NULL, 'a'},
        {"friendly-name", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct gh_key_spec spec = {GH_KEY_STANDARD, NULL, NULL};
    struct gh_key_scope scope = {NULL, GH_KEY_FAMILY_API, GH_REACH_OWN};
    char main_sid[GH_SID_SIZE];
    char secret[GH_SECRET_SIZE];
    struct cli_settings s = {0};
    struct gh_principal op;
    bool json = false;
    bool typed = false;
    struct gh_ctx *ctx;
    struct gh_key k;
    gh_err rc = GH_OK;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        switch (c) {
        case 't':
            spec.type = parse_type(optarg);
            typed = true;
            break;
        case 'a':
            scope.account_sid = optarg;
            break;
        case 'n':
            spec.friendly_name = optarg;
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage(usage_text);
        }
    }
    if (!typed) {
        cli_usage("key create: --type main|standard is required");
    }
    ctx = cli_open(&s);
    if (scope.account_sid == NULL) {
        rc = gh_ctx_main_account(ctx, main_sid);
        scope.account_sid = main_sid;
    }
    gh_principal_operator(&op);
    if (rc == GH_OK) {
        rc = gh_key_create(ctx, NULL, &op, &scope, &spec, &k, secret);
    }
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        cli_die("key create", rc);
    }
    print_key(&k, secret, json);
    gh_wipe(secret, sizeof(secret));
    gh_key_clear(&k);
    return 0;
}

int
cmd_key(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0) {
        return key_create(argc - 1, argv + 1);
    }
    cli_usage(usage_text);
}
