/*
 * cmd_serve.c -- `gatehouse serve [--data DIR] [--listen HOST:PORT] [--threads N]
 * [--max-connections N] [--timeout SECONDS] [--public-url URL]`.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "server.h"

static unsigned
number(const char *text, const char *what)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);

    if (*end != '\0' || text[0] == '\0' || v == 0 || v > 100000) {
        fprintf(stderr, "gatehouse: serve: %s must be a number from 1 to 100000\n", what);
        exit(2);
    }
    return (unsigned)v;
}

int
cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"max-connections", required_argument, NULL, 'm'},
        {"timeout", required_argument, NULL, 'o'},
        {"public-url", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gh_server_config cfg = {NULL, NULL, 0, 0, 0, NULL};
    const char *data = NULL;
    const char *env_listen = getenv("GATEHOUSE_LISTEN");
    int rc;
    int c;

    cfg.listen = env_listen != NULL && env_listen[0] != '\0' ? env_listen : "127.0.0.1:8088";
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'l':
            cfg.listen = optarg;
            break;
        case 't':
            cfg.threads = number(optarg, "--threads");
            break;
        case 'm':
            cfg.max_connections = number(optarg, "--max-connections");
            break;
        case 'o':
            cfg.timeout_s = number(optarg, "--timeout");
            break;
        case 'u':
            cfg.public_url = optarg;
            break;
        case 'h':
            printf("usage: gatehouse serve [--data DIR] [--listen HOST:PORT] [--threads N]\n"
                   "                       [--max-connections N] [--timeout SECONDS]\n"
                   "                       [--public-url URL]\n");
            return 0;
        default:
            cli_usage("serve: unknown option (see `gatehouse serve --help`)");
        }
    }
    cfg.ctx = cli_open(cli_data_dir(data));
    rc = gh_server_run(&cfg);
    gh_ctx_close(cfg.ctx);
    return rc;
}
