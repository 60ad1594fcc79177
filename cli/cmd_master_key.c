/*
 * cmd_master_key.c -- `gatehouse master-key add|rotate|export`.
 *
 * One server: `rotate` (adds a key, re-seals everything under it, retires the old one).  Several
 * servers: `add` a key to the key file, give the file (or its `export`) to every server and
 * restart them, then `rotate` (which uses that key), then distribute the file again at leisure.
 * `export` prints the keys as $GATEHOUSE_MASTER_KEY takes them: a secret, so pipe it into your
 * secret store, not into a terminal log.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: gatehouse master-key add|rotate|export [--json] " CLI_COMMON_USAGE;

static int
rotate(struct cli_settings *s, bool json)
{
    struct gh_ctx *ctx;
    uint32_t id = 0;
    size_t rows = 0;
    gh_err rc;

    ctx = cli_open(s);
    if (s->master_key != NULL) {
        gh_ctx_close(ctx);
        fprintf(stderr, "gatehouse: master-key rotate: the keys come from $GATEHOUSE_MASTER_KEY; "
                        "rotate with the key file (unset it, use --key-file), then export\n");
        return 1;
    }
    rc = gh_master_key_rotate(ctx, &id, &rows);
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        cli_die("master-key rotate", rc);
    }
    if (json) {
        printf("{\"key_id\": %u, \"resealed\": %zu}\n", (unsigned)id, rows);
    } else {
        printf("Master key rotated: key %u is now in use; %zu secrets re-sealed; "
               "older keys removed from the key file.\n",
               (unsigned)id, rows);
    }
    return 0;
}

static int
add_key(struct cli_settings *s, bool json)
{
    uint32_t id = 0;
    gh_err rc;

    cli_resolve(s);
    rc = gh_master_key_add(s->key_file, s->data_dir, &id);
    if (rc != GH_OK) {
        cli_die("master-key add", rc);
    }
    if (json) {
        printf("{\"key_id\": %u}\n", (unsigned)id);
    } else {
        printf("Added key %u to the key file (not in use yet). Give the key file, or "
               "`gatehouse master-key export`, to every server, restart them, then run "
               "`gatehouse master-key rotate`.\n",
               (unsigned)id);
    }
    return 0;
}

static int
export_keys(struct cli_settings *s, bool json)
{
    char text[1024];
    gh_err rc;

    cli_resolve(s);
    rc = gh_master_key_export(s->key_file, s->data_dir, text, sizeof(text));
    if (rc != GH_OK) {
        cli_die("master-key export", rc);
    }
    if (json) {
        printf("{\"GATEHOUSE_MASTER_KEY\": \"%s\"}\n", text);
    } else {
        printf("GATEHOUSE_MASTER_KEY=%s\n", text);
    }
    gh_wipe(text, sizeof(text));
    return 0;
}

int
cmd_master_key(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    bool json = false;
    const char *verb;
    int c;

    if (argc < 2 || (strcmp(argv[1], "rotate") != 0 && strcmp(argv[1], "export") != 0 &&
                     strcmp(argv[1], "add") != 0)) {
        cli_usage(usage_text);
    }
    verb = argv[1];
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        if (c != 'j') {
            cli_usage(usage_text);
        }
        json = true;
    }
    if (strcmp(verb, "add") == 0) {
        return add_key(&s, json);
    }
    return strcmp(verb, "rotate") == 0 ? rotate(&s, json) : export_keys(&s, json);
}
