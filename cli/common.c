/*
 * common.c -- what every subcommand shares: data folder, one-line errors, JSON strings.
 */
#include <stdlib.h>

#include "cli.h"

void
cli_die(const char *what, gh_err err)
{
    fprintf(stderr, "gatehouse: %s: %s\n", what, gh_err_message(err));
    exit(1);
}

void
cli_usage(const char *message)
{
    fprintf(stderr, "gatehouse: %s\n", message);
    exit(2);
}

const char *
cli_data_dir(const char *flag)
{
    const char *env = getenv("GATEHOUSE_DATA");

    if (flag != NULL) {
        return flag;
    }
    return env != NULL && env[0] != '\0' ? env : "./var";
}

struct gh_ctx *
cli_open(const char *data_dir)
{
    struct gh_ctx_config cfg = {data_dir, NULL, NULL, 0};
    struct gh_ctx *ctx = NULL;
    gh_err rc = gh_ctx_open(&cfg, &ctx);

    if (rc == GH_E_NOT_FOUND) {
        fprintf(stderr, "gatehouse: %s is not initialised (run `gatehouse init --data %s`)\n",
                data_dir, data_dir);
        exit(1);
    }
    if (rc != GH_OK) {
        cli_die(data_dir, rc);
    }
    return ctx;
}

void
cli_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}
