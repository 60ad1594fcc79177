/*
 * cmd_pwhash.c -- `gatehouse pwhash calibrate|hash`: propose Argon2id parameters for this
 * machine, or hash a passphrase read from standard input (never from argv).
 */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
    "usage: gatehouse pwhash calibrate [--target-ms N] [--memory MiB] [--json]\n"
    "       gatehouse pwhash hash [--opslimit N] [--memory MiB] [--json] < passphrase";

#define TARGET_MS_DEFAULT 250

static void
print_calibration(const struct gh_pwhash_params *p, double ms, unsigned target_ms, bool json)
{
    unsigned long long ops = (unsigned long long)p->opslimit;
    size_t mib = p->memlimit >> 20;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    cpus = cpus < 1 ? 1 : cpus;
    if (json) {
        printf("{\"opslimit\": %llu, \"memlimit_mib\": %zu, \"ms\": %.1f, \"target_ms\": %u, "
               "\"over_target\": %s}\n",
               ops, mib, ms, target_ms, ms > target_ms ? "true" : "false");
        return;
    }
    printf("Argon2id with %zu MiB: opslimit %llu takes %.0f ms per hash (target %u ms).\n", mib,
           ops, ms, target_ms);
    if (ms > target_ms) {
        printf("Even the floor (opslimit %d) is slower than the target; it is used anyway. "
               "Lower --memory (not below 19) or raise --target-ms.\n",
               GH_PWHASH_OPS_FLOOR);
    }
    printf("One hash runs per CPU at once (%ld here): up to %zu MiB for logins.\n\n"
           "For gatehouse.conf:\n\npwhash_passes = %llu\npwhash_memory_mib = %zu\n",
           cpus, (size_t)cpus * mib, ops, mib);
}

static int
calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target-ms", required_argument, NULL, 't'},
        {"memory", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct gh_pwhash_params p;
    unsigned target_ms = TARGET_MS_DEFAULT;
    size_t memlimit = 0;
    bool json = false;
    double ms = 0;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            target_ms = cli_number(optarg, "--target-ms");
            break;
        case 'm':
            memlimit = (size_t)cli_number(optarg, "--memory") << 20;
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage(usage_text);
        }
    }
    if (optind != argc) {
        cli_usage(usage_text);
    }
    rc = gh_pwhash_calibrate(target_ms, memlimit, &p, &ms);
    if (rc != GH_OK) {
        cli_die("pwhash calibrate", rc);
    }
    print_calibration(&p, ms, target_ms, json);
    return 0;
}

static int
hash(int argc, char **argv)
{
    static const struct option opts[] = {
        {"opslimit", required_argument, NULL, 'o'},
        {"memory", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct gh_pwhash_params p = {0, 0, 1};
    struct gh_pwhasher *h = NULL;
    char pass[CLI_PASSPHRASE_BUF], out[GH_PWHASH_STR_SIZE];
    bool json = false;
    size_t len;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            p.opslimit = cli_number(optarg, "--opslimit");
            break;
        case 'm':
            p.memlimit = (size_t)cli_number(optarg, "--memory") << 20;
            break;
        case 'j':
            json = true;
            break;
        default:
            cli_usage(usage_text);
        }
    }
    if (optind != argc) {
        cli_usage(usage_text);
    }
    len = cli_read_passphrase("Passphrase", pass);
    if (len == 0) {
        cli_usage("pwhash hash: no passphrase on the first line of standard input");
    }
    rc = gh_pwhash_new(&p, &h);
    if (rc == GH_OK) {
        rc = gh_pwhash_hash(h, pass, len, out);
    }
    gh_wipe(pass, sizeof(pass));
    gh_pwhash_free(h);
    if (rc != GH_OK) {
        cli_die("pwhash hash", rc);
    }
    if (json) {
        printf("{\"hash\": ");
        cli_json_string(stdout, out);
        printf("}\n");
    } else {
        printf("%s\n", out);
    }
    return 0;
}

int
cmd_pwhash(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "calibrate") == 0) {
        return calibrate(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "hash") == 0) {
        return hash(argc - 1, argv + 1);
    }
    cli_usage(usage_text);
}
