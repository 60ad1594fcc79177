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

struct gh_ctx *
cli_open(struct cli_settings *s)
{
    struct gh_ctx_config cfg;
    struct gh_ctx *ctx = NULL;
    gh_err rc;

    cli_resolve(s);
    cli_ctx_config(s, &cfg);
    rc = gh_ctx_open(&cfg, &ctx);
    if (rc == GH_E_NOT_FOUND) {
        fprintf(stderr, "gatehouse: %s is not initialised (run `gatehouse init`%s%s)\n",
                s->store != NULL ? "the store" : s->data_dir,
                s->store != NULL ? " with --store" : "", s->store != NULL ? "" : " --data DIR");
        exit(1);
    }
    if (rc != GH_OK) {
        cli_die(s->store != NULL ? "store" : s->data_dir, rc);
    }
    return ctx;
}

void
cli_json_string(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
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
