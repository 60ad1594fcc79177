/*
 * cmd_mfa.c -- `gatehouse mfa enroll --user US...`: the operator enrols a TOTP factor for a
 * user at the terminal: the QR code (scan it with the authenticator app), the secret and the
 * otpauth:// URI, then the first code from the app on standard input confirms it and the
 * recovery codes are shown, once.  With --json: one JSON line for the enrolment, then (after the
 * code) one for the confirmation.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: gatehouse mfa enroll --user US... [--algorithm SHA1|SHA256|SHA512] [--digits 6..8]\n"
    "                            [--period S] [--issuer NAME] [--json] " CLI_COMMON_USAGE "\n"
    "       (then the first code from the authenticator app on standard input)\n";

static void
print_enrolment(const struct gh_mfa_enrolment *e, bool json)
{
    char *qr = NULL;
    size_t len = 0;

    if (json) {
        printf("{\"factor_sid\": \"%s\", \"user_sid\": \"%s\", \"secret\": \"%s\", \"uri\": ",
               e->factor.sid, e->factor.user_sid, e->secret);
        cli_json_string(stdout, e->uri);
        printf("}\n");
        fflush(stdout);
        return;
    }
    if (gh_qr_terminal(e->uri, &qr, &len) == GH_OK) {
        fwrite(qr, 1, len, stdout);
        gh_qr_free(qr);
    }
    printf("\nScan the code with the authenticator app, or enter the secret by hand:\n\n"
           "  Secret: %s\n  URI:    %s\n\n",
           e->secret, e->uri);
    fflush(stdout);
}

static void
print_codes(char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE], size_t n, bool json)
{
    if (json) {
        printf("{\"status\": \"verified\", \"recovery_codes\": ");
        if (n == 0) {
            printf("null}\n");
            return;
        }
        for (size_t i = 0; i < n; i++) {
            printf("%s\"%s\"", i == 0 ? "[" : ", ", codes[i]);
        }
        printf("]}\n");
        return;
    }
    printf("Confirmed.\n");
    if (n > 0) {
        printf("\nRecovery codes (each works once; keep them apart from the device):\n\n");
        for (size_t i = 0; i < n; i++) {
            printf("  %s\n", codes[i]);
        }
    }
}

static int
enroll(int argc, char **argv)
{
    static const struct option opts[] = {
        {"user", required_argument, NULL, 'u'},
        {"algorithm", required_argument, NULL, 'a'},
        {"digits", required_argument, NULL, 'd'},
        {"period", required_argument, NULL, 'p'},
        {"issuer", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct gh_totp_params params = GH_TOTP_PARAMS_DEFAULT;
    char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE];
    struct cli_settings s = {0};
    struct gh_mfa_enrolment *e = calloc(1, sizeof(*e));
    char code[CLI_PASSPHRASE_BUF];
    const char *user = NULL;
    const char *issuer = NULL; /* the config's mfa.issuer, else "Gatehouse" */
    struct gh_principal op;
    struct gh_factor f;
    bool json = false;
    struct gh_ctx *ctx;
    size_t n = 0;
    int64_t retry = 0;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        switch (c) {
        case 'u':
            user = optarg;
            break;
        case 'a':
            if (gh_totp_alg_parse(optarg, &params.alg) != GH_OK) {
                cli_usage("mfa enroll: --algorithm is SHA1, SHA256 or SHA512");
            }
            break;
        case 'd':
            params.digits = cli_number(optarg, "--digits");
            break;
        case 'p':
            params.period_s = cli_number(optarg, "--period");
            break;
        case 'i':
            issuer = optarg;
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage("mfa enroll: unknown option (see `gatehouse mfa --help`)");
        }
    }
    if (user == NULL || optind != argc || e == NULL) {
        cli_usage("mfa enroll: --user is required; the code comes on standard input");
    }
    gh_principal_operator(&op);
    ctx = cli_open(&s);
    rc = gh_mfa_enrol(ctx, NULL, &op, user, &params, issuer, e);
    if (rc == GH_OK) {
        print_enrolment(e, json);
        cli_read_passphrase("Code from the app", code);
        rc = gh_mfa_confirm(ctx, NULL, &op, user, e->factor.sid, code, &f, codes, &n, &retry);
    }
    gh_wipe(e, sizeof(*e));
    free(e);
    gh_ctx_close(ctx);
    if (rc != GH_OK) {
        fprintf(stderr, "gatehouse: mfa enroll: %s\n", gh_err_message(rc));
        return 1;
    }
    print_codes(codes, n, json);
    gh_wipe(codes, sizeof(codes));
    return 0;
}

int
cmd_mfa(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "%s", usage_text);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "enroll") == 0) {
        return enroll(argc - 1, argv + 1);
    }
    cli_usage("mfa: unknown subcommand (enroll)");
}
