/*
 * cmd_audit.c -- `gatehouse audit list [--after SEQ] [--json]` and `gatehouse audit verify`.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
print_text(const struct gh_audit_event *ev, void *arg)
{
    char when[GH_ISO8601_SIZE];

    (void)arg;
    gh_time_iso8601(ev->time_ms, when);
    printf("%lld %s %s %s %s %s %s ua=\"%s\" %s\n", (long long)ev->seq, when,
           ev->actor[0] ? ev->actor : "-", ev->action, ev->target[0] ? ev->target : "-",
           ev->outcome, ev->remote_addr[0] ? ev->remote_addr : "-", ev->user_agent, ev->detail);
    return 0;
}

static int
print_json(const struct gh_audit_event *ev, void *arg)
{
    const char *keys[] = {"actor",      "action",  "target", "remote_addr",
                          "user_agent", "outcome", "detail"};
    const char *values[] = {ev->actor,      ev->action,  ev->target, ev->remote_addr,
                            ev->user_agent, ev->outcome, ev->detail};

    (void)arg;
    printf("{\"seq\": %lld, \"time_ms\": %lld", (long long)ev->seq, (long long)ev->time_ms);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        printf(", \"%s\": ", keys[i]);
        cli_json_string(stdout, values[i]);
    }
    printf("}\n");
    return 0;
}

static int
audit_verify(struct gh_ctx *ctx, bool json)
{
    int64_t events = 0;
    int64_t bad = 0;
    gh_err rc = gh_audit_verify(ctx, &events, &bad);

    if (rc != GH_OK) {
        cli_die("audit verify", rc);
    }
    if (json) {
        printf("{\"events\": %lld, \"intact\": %s, \"first_bad_seq\": %lld}\n", (long long)events,
               bad == 0 ? "true" : "false", (long long)bad);
    } else if (bad == 0) {
        printf("audit log intact: %lld events, hash chain verified\n", (long long)events);
    } else {
        printf("audit log BROKEN at event %lld (after %lld intact events)\n", (long long)bad,
               (long long)events);
    }
    return bad == 0 ? 0 : 1;
}

int
cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"after", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *usage =
        "usage: gatehouse audit list|verify [--after SEQ] [--json] " CLI_COMMON_USAGE "";
    struct cli_settings st = {0};
    long long after = 0;
    bool json = false;
    struct gh_ctx *ctx;
    const char *verb;
    gh_err rc;
    int c;

    if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "verify") != 0)) {
        cli_usage(usage);
    }
    verb = argv[1];
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &st)) {
            continue;
        }
        if (c == 'a') {
            char *end;

            after = strtoll(optarg, &end, 10);
            if (*end != '\0' || after < 0) {
                cli_usage("audit: --after must be a sequence number");
            }
        } else if (c == 'j') {
            json = true;
        } else {
            cli_usage(usage);
        }
    }
    ctx = cli_open(&st);
    if (strcmp(verb, "verify") == 0) {
        int status = audit_verify(ctx, json);

        gh_ctx_close(ctx);
        return status;
    }
    rc = gh_audit_each(ctx, after, json ? print_json : print_text, NULL);
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        cli_die("audit list", rc);
    }
    return 0;
}
