/*
 * main.c -- the `gatehouse` executable: hardens the process, then runs one subcommand from the
 * table (wireguard-tools' wg.c).  Secrets are read from standard input or the environment,
 * never from argv.
 */
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"init", cmd_init, "create the data folder, master key, database and main account"},
    {"serve", cmd_serve, "run the HTTP API"},
    {"account", cmd_account, "set any account's status (main accounts too)"},
    {"key", cmd_key, "create API keys (main keys are created only here)"},
    {"user", cmd_user, "create human users (the passphrase on standard input)"},
    {"passphrase", cmd_passphrase, "explain, compare and generate passphrases"},
    {"mfa", cmd_mfa, "enrol a user's TOTP factor at the terminal (QR code, recovery codes)"},
    {"token", cmd_token, "mint and verify access tokens; revoke them; token settings"},
    {"breach", cmd_breach, "import and query the breached-passphrase index"},
    {"pwhash", cmd_pwhash, "calibrate the Argon2id parameters for this machine"},
    {"master-key", cmd_master_key, "rotate the master key that seals stored secrets"},
    {"roles", cmd_roles,
     "print the permissions, the roles and credentials holding them, the routes"},
    {"audit", cmd_audit, "list or verify the hash-chained audit log"},
    {"webhook", cmd_webhook, "sign and verify webhook signatures (X-Twilio-Signature)"},
    {"version", cmd_version, "print versions of Gatehouse and its security libraries"},
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: gatehouse <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
        fprintf(out, "  %-11s %s\n", subcommands[i].name, subcommands[i].summary);
    }
    fprintf(out, "\nEvery command takes --data DIR (default $GATEHOUSE_DATA or ./var); "
                 "`gatehouse <command> --help` for its options.\n");
}

/* No core dumps: a core file would hold the master key and any secret in flight. */
static void
harden(void)
{
    struct rlimit none = {0, 0};

    umask(077); /* every file we create holds or guards secrets */
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int
main(int argc, char **argv)
{
    harden();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (gh_library_init() != GH_OK) {
        cli_die("init", GH_E_CRYPTO);
    }
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            return subcommands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "gatehouse: unknown command '%s' (see `gatehouse --help`)\n", argv[1]);
    return 2;
}
