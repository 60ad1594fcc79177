/*
 * cmd_key.c -- `gatehouse key create --type main|standard [--account SID]
 * [--friendly-name NAME] [--json]`.  Main keys (full power, like the auth token) can be created
 * only here, by whoever holds the data folder, as Twilio creates them only in its console.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

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

static int
key_create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},    {"type", required_argument, NULL, 't'},
        {"account", required_argument, NULL, 'a'}, {"friendly-name", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},          {NULL, 0, NULL, 0},
    };
    struct gh_key_spec spec = {GH_KEY_STANDARD, NULL, NULL};
    struct gh_key_scope scope = {NULL, GH_KEY_FAMILY_API, GH_REACH_OWN};
    char main_sid[GH_SID_SIZE];
    char secret[GH_SECRET_SIZE];
    struct gh_principal op;
    const char *data = NULL;
    bool json = false;
    bool typed = false;
    struct gh_ctx *ctx;
    struct gh_key k;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
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
            cli_usage("usage: gatehouse key create --type main|standard [--account SID] "
                      "[--friendly-name NAME] [--json] [--data DIR]");
        }
    }
    if (!typed) {
        cli_usage("key create: --type main|standard is required");
    }
    ctx = cli_open(cli_data_dir(data));
    if (scope.account_sid == NULL) {
        rc = gh_ctx_main_account(ctx, main_sid);
        if (rc != GH_OK) {
            cli_die("key create", rc);
        }
        scope.account_sid = main_sid;
    }
    gh_principal_operator(&op);
    rc = gh_key_create(ctx, NULL, &op, &scope, &spec, &k, secret);
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        cli_die("key create", rc);
    }
    if (json) {
        printf("{\"sid\": \"%s\", \"secret\": \"%s\", \"account_sid\": \"%s\"}\n", k.sid, secret,
               k.account_sid);
    } else {
        printf("Created %s key for account %s\n\n  Key SID: %s\n  Secret:  %s\n\n"
               "The secret is shown only now.\n",
               spec.type == GH_KEY_MAIN ? "main" : "standard", k.account_sid, k.sid, secret);
    }
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
    cli_usage("usage: gatehouse key create --type main|standard [--account SID] "
              "[--friendly-name NAME] [--json] [--data DIR]");
}
