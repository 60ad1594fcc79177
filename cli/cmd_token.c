/*
 * cmd_token.c -- `gatehouse token mint|verify|revoke|algorithms|max-ttl`: Twilio Access Tokens
 * from the command line.
 *
 *   mint        signs a token with an API key's secret, taken from $GATEHOUSE_KEY_SECRET (never
 *               argv); needs no data folder.
 *   verify      reads a token on standard input and checks it against the instance (the key,
 *               its account, the revocation list): exit 0 valid, 1 not (with the reason's
 *               Twilio code), 2 on error; --json prints what POST /v1/AccessTokens/Verify does.
 *   revoke JTI  revokes every token with that jti, on every server at once.
 *   algorithms  --key SK HS256,HS512: the algorithms a key may sign with (HS256 by default).
 *   max-ttl     --account AC SECONDS: an account's cap on token lifetimes (0: 24 hours).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SECRET_ENV "GATEHOUSE_KEY_SECRET"

static const char usage_text[] =
    "usage: gatehouse token mint --account AC... --key SK... --identity ID [--grants JSON]\n"
    "                            [--ttl S] [--nbf T] [--iat T] [--alg HS256|HS384|HS512]\n"
    "                            [--region R] [--json]      (secret in $" SECRET_ENV ")\n"
    "       gatehouse token verify [--json] " CLI_COMMON_USAGE " < token\n"
    "       gatehouse token revoke [--json] JTI " CLI_COMMON_USAGE "\n"
    "       gatehouse token algorithms [--json] --key SK... HS256[,HS384][,HS512] " CLI_COMMON_USAGE
    "\n"
    "       gatehouse token max-ttl [--json] --account AC... SECONDS " CLI_COMMON_USAGE "\n";

static int64_t
number(const char *text, const char *what, int64_t max)
{
    char *end = NULL;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < 0 || v > max) {
        fprintf(stderr, "gatehouse: token: %s must be a number from 0 to %" PRId64 "\n", what, max);
        exit(2);
    }
    return v;
}

/* ---- mint ---- */

static int
mint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"account", required_argument, NULL, 'a'},
        {"key", required_argument, NULL, 'k'},
        {"identity", required_argument, NULL, 'i'},
        {"grants", required_argument, NULL, 'g'},
        {"ttl", required_argument, NULL, 't'},
        {"nbf", required_argument, NULL, 'n'},
        {"iat", required_argument, NULL, 'I'},
        {"alg", required_argument, NULL, 'A'},
        {"region", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct gh_access_token_spec spec;
    const char *secret = getenv(SECRET_ENV);
    char token[GH_JWT_SIZE];
    bool json = false;
    gh_err rc = GH_E_INVALID;
    int c;

    memset(&spec, 0, sizeof(spec));
    spec.ttl_s = GH_JWT_TTL_DEFAULT_S;
    spec.alg = GH_JWT_HS256;
    spec.iat = (int64_t)time(NULL);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            spec.account_sid = optarg;
            break;
        case 'k':
            spec.key_sid = optarg;
            break;
        case 'i':
            spec.identity = optarg;
            break;
        case 'g':
            spec.grants_json = optarg;
            break;
        case 't':
            spec.ttl_s = number(optarg, "--ttl", GH_JWT_TTL_MAX_S);
            break;
        case 'n':
            spec.nbf = number(optarg, "--nbf", INT64_C(253402300799));
            break;
        case 'I':
            spec.iat = number(optarg, "--iat", INT64_C(253402300799));
            break;
        case 'A':
            if (gh_jwt_alg_parse(optarg, &spec.alg) != GH_OK) {
                cli_usage("token mint: --alg must be HS256, HS384 or HS512");
            }
            break;
        case 'r':
            spec.region = optarg;
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage("token mint: unknown option (see `gatehouse token --help`)");
        }
    }
    if (optind != argc || spec.account_sid == NULL || spec.key_sid == NULL ||
        spec.identity == NULL) {
        cli_usage("token mint: --account, --key and --identity are required");
    }
    if (secret == NULL || secret[0] == '\0') {
        cli_usage("token mint: the key's secret goes in $" SECRET_ENV
                  " (never on the command line)");
    } else {
        rc = gh_access_token_sign(&spec, secret, strlen(secret), token);
    }
    if (rc != GH_OK) {
        fprintf(stderr,
                "gatehouse: token mint: %s (check the SIDs, --ttl 1..86400, --grants: a "
                "JSON object without identity)\n",
                gh_err_message(rc));
        return 1;
    }
    if (json) {
        printf("{\"token\": \"%s\", \"jti\": \"%s-%" PRId64 "\", \"expires\": %" PRId64 "}\n",
               token, spec.key_sid, spec.iat, spec.iat + spec.ttl_s);
    } else {
        printf("%s\n", token);
    }
    gh_wipe(token, sizeof(token));
    return 0;
}

/* ---- verify ---- */

/* The token on standard input: one line, at most GH_JWT_MAX bytes (more: too long, invalid). */
static size_t
read_token(char buf[GH_JWT_SIZE + 1])
{
    size_t len = 0;
    int ch;

    while ((ch = getchar()) != EOF && ch != '\n') {
        if (len < GH_JWT_SIZE) {
            buf[len++] = (char)ch;
        }
    }
    if (len > 0 && buf[len - 1] == '\r') {
        len--;
    }
    buf[len] = '\0';
    return len;
}

static int
verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    struct gh_token_verdict *v = calloc(1, sizeof(*v));
    char token[GH_JWT_SIZE + 1];
    bool json = false;
    struct gh_ctx *ctx;
    size_t len;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        if (c != 'j') {
            cli_usage("token verify: unknown option (see `gatehouse token --help`)");
        }
        json = true;
    }
    if (optind != argc) {
        cli_usage("token verify reads the token from standard input");
    }
    if (v == NULL) {
        cli_die("token verify", GH_E_NOMEM);
    }
    len = read_token(token);
    ctx = cli_open(&s);
    rc = gh_access_token_verify(ctx, NULL, token, len, v);
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        fprintf(stderr, "gatehouse: token verify: %s\n", gh_err_message(rc));
        free(v);
        return 2;
    }
    if (json) {
        printf("{\"active\": %s, \"code\": ", v->active ? "true" : "false");
        if (v->active) {
            printf("null, \"message\": null");
        } else {
            printf("%d, \"message\": ", gh_err_twilio_code(v->why));
            cli_json_string(stdout, gh_err_message(v->why));
        }
        printf(", \"claims\": %s}\n", v->token.claims[0] != '\0' ? v->token.claims : "null");
    } else if (v->active) {
        printf("valid: %s, identity %s, expires %" PRId64 "\n", v->token.jti, v->token.identity,
               v->token.exp);
    } else {
        printf("invalid: %d %s\n", gh_err_twilio_code(v->why), gh_err_message(v->why));
    }
    rc = v->active ? GH_OK : GH_E_DENIED;
    free(v);
    return rc == GH_OK ? 0 : 1;
}

/* ---- revoke and settings (the operator's) ---- */

static int
run_operator(int argc, char **argv, const char *what)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"account", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    struct gh_principal op;
    const char *sid = NULL;
    bool json = false;
    struct gh_ctx *ctx;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        if (c == 'j') {
            json = true;
            continue;
        }
        if (c != 'k' && c != 'a') {
            cli_usage("token: unknown option (see `gatehouse token --help`)");
        }
        sid = optarg;
    }
    if (optind + 1 != argc) {
        cli_usage("token: one value expected (see `gatehouse token --help`)");
    }
    gh_principal_operator(&op);
    ctx = cli_open(&s);
    if (strcmp(what, "revoke") == 0) {
        rc = gh_access_token_revoke(ctx, NULL, &op, argv[optind]);
    } else if (strcmp(what, "algorithms") == 0) {
        unsigned algs = 0;
        char list[64];
        char *save = NULL;

        snprintf(list, sizeof(list), "%s", argv[optind]);
        for (char *name = strtok_r(list, ",", &save); name != NULL;
             name = strtok_r(NULL, ",", &save)) {
            enum gh_jwt_alg a;

            if (gh_jwt_alg_parse(name, &a) != GH_OK) {
                cli_usage("token algorithms: HS256, HS384 or HS512, separated by commas");
            }
            algs |= (unsigned)a;
        }
        rc = sid != NULL ? gh_token_key_algorithms(ctx, NULL, sid, algs) : GH_E_MISSING;
    } else {
        rc = sid != NULL ? gh_token_account_max_ttl(
                               ctx, NULL, sid, number(argv[optind], "SECONDS", GH_JWT_TTL_MAX_S))
                         : GH_E_MISSING;
    }
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        fprintf(stderr, "gatehouse: token %s: %s\n", what, gh_err_message(rc));
        return 1;
    }
    if (json) {
        printf("{\"%s\": ", strcmp(what, "revoke") == 0 ? "revoked"
                            : sid[0] == 'S'             ? "key_sid"
                                                        : "account_sid");
        cli_json_string(stdout, strcmp(what, "revoke") == 0 ? argv[optind] : sid);
        printf(", \"%s\": ", strcmp(what, "revoke") == 0 ? "jti" : what);
        cli_json_string(stdout, argv[optind]);
        printf("}\n");
    } else {
        printf("%s: %s %s\n", strcmp(what, "revoke") == 0 ? "revoked" : sid, what, argv[optind]);
    }
    return 0;
}

int
cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "%s", usage_text);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "mint") == 0) {
        return mint(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "verify") == 0) {
        return verify(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "revoke") == 0 || strcmp(argv[1], "algorithms") == 0 ||
        strcmp(argv[1], "max-ttl") == 0) {
        return run_operator(argc - 1, argv + 1, argv[1]);
    }
    cli_usage("token: unknown subcommand (mint, verify, revoke, algorithms, max-ttl)");
}
