/*
 * cmd_master_key.c -- `gatehouse master-key rotate [--data DIR] [--json]`.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int
cmd_master_key(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL;
    bool json = false;
    struct gh_ctx *ctx;
    uint32_t id = 0;
    size_t rows = 0;
    gh_err rc;
    int c;

    if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
        cli_usage("usage: gatehouse master-key rotate [--data DIR] [--json]");
    }
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') {
            data = optarg;
        } else if (c == 'j') {
            json = true;
        } else {
            cli_usage("usage: gatehouse master-key rotate [--data DIR] [--json]");
        }
    }
    ctx = cli_open(cli_data_dir(data));
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
