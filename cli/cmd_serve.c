/*
 * cmd_serve.c -- `gatehouse serve [--listen HOST:PORT] [--threads N] [--max-connections N]
 * [--timeout SECONDS] [--public-url URL] [--trusted-proxies ADDR,...]` and the common options;
 * config-file names: listen, threads, max_connections, timeout, public_url, trusted_proxies.
 */
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "server.h"

static const char usage_text[] =
    "usage: gatehouse serve [--listen HOST:PORT] [--threads N] [--max-connections N]\n"
    "                       [--timeout SECONDS] [--public-url URL] [--trusted-proxies ADDR,...]\n"
    "                       " CLI_COMMON_USAGE "\n";

/* One line on the breached-passphrase index: in use, or why not and what follows from it. */
static void
say_breach_status(struct gh_ctx *ctx)
{
    struct gh_breach_status b;
    const char *why;

    gh_ctx_breach_status(ctx, &b);
    if (b.state == GH_OK) {
        fprintf(stderr, "gatehouse: breach index %s: %llu entries\n", b.path,
                (unsigned long long)b.info.entries);
        return;
    }
    why = b.state == GH_E_NOT_FOUND ? "no breached-passphrase index at"
                                    : "the breached-passphrase index is unusable (damaged?):";
    if (b.required) {
        fprintf(stderr,
                "gatehouse: error: %s %s and breach.required is set: setting a passphrase fails "
                "(503) until `gatehouse breach import` builds one\n",
                why, b.path);
    } else {
        fprintf(stderr,
                "gatehouse: warning: %s %s: passphrases are not checked against breaches (run "
                "`gatehouse breach import`; breach.required = true refuses them instead)\n",
                why, b.path);
    }
}

int
cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"max-connections", required_argument, NULL, 'm'},
        {"timeout", required_argument, NULL, 'o'},
        {"public-url", required_argument, NULL, 'u'},
        {"trusted-proxies", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gh_server_config cfg = {NULL, NULL, 0, 0, 0, NULL, NULL};
    struct cli_settings s = {0};
    gh_err warm;
    int rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        switch (c) {
        case 'l':
            s.listen = optarg;
            break;
        case 't':
            s.threads = cli_number(optarg, "--threads");
            break;
        case 'm':
            s.max_connections = cli_number(optarg, "--max-connections");
            break;
        case 'o':
            s.timeout_s = cli_number(optarg, "--timeout");
            break;
        case 'u':
            s.public_url = optarg;
            break;
        case 'p':
            s.trusted_proxies = optarg;
            break;
        case 'h':
            printf("%s", usage_text);
            return 0;
        default:
            cli_usage("serve: unknown option (see `gatehouse serve --help`)");
        }
    }
    cfg.ctx = cli_open(&s);
    warm = gh_ctx_warm(cfg.ctx); /* the first login should not wait for the dummy hash */
    if (warm != GH_OK) {
        gh_ctx_close(cfg.ctx);
        cli_die("serve: preparing the passphrase hasher", warm);
    }
    say_breach_status(cfg.ctx);
    cfg.listen = s.listen;
    cfg.threads = s.threads;
    if (cfg.threads == 0 && s.store != NULL) {
        /* Threads wait on PostgreSQL round trips: two per CPU keep the CPUs busy (bench). */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        cfg.threads = cpus > 0 && cpus < 128 ? 2 * (unsigned)cpus : 4;
    }
    cfg.max_connections = s.max_connections;
    cfg.timeout_s = s.timeout_s;
    cfg.public_url = s.public_url;
    cfg.trusted_proxies = s.trusted_proxies;
    rc = gh_server_run(&cfg);
    gh_ctx_close(cfg.ctx);
    return rc;
}
