/*
 * cmd_breach.c -- `gatehouse breach import|check|info`: the breached-passphrase index.
 *
 *   import FILE...  builds the index from Pwned Passwords files ("SHA1HEX:COUNT" lines) or, with
 *                   --plain, one-passphrase-per-line lists; "-" reads standard input.  A progress
 *                   bar on a terminal (lines, rate, ETA), a plain line every 10 s otherwise; bad
 *                   lines are reported (the first 10 by file and line) and counted; Ctrl-C (or
 *                   SIGTERM) stops it and leaves the previous index as it was.
 *   check           reads a passphrase on standard input: exit 0 when the index does not hold
 *                   it, 1 when it does, 2 on error; --json prints {"breached": true|false}.
 *   info            what the index holds; --verify rereads every fingerprint against its digest.
 *
 * The index is --output/--index FILE, else the config's breach.index, else <data>/breach.idx.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SHOWN_BAD_LINES    10
#define TTY_EVERY_S        0.2
#define PLAIN_EVERY_S      10.0
#define EXIT_NOT_BREACHED  0
#define EXIT_BREACHED      1
#define EXIT_CHECK_TROUBLE 2

static const char usage_text[] =
    "usage: gatehouse breach import [--plain] [--output FILE] [--tmp DIR] "
    "[--json] " CLI_COMMON_USAGE " FILE...\n"
    "       gatehouse breach check [--index FILE] [--json] " CLI_COMMON_USAGE " < passphrase\n"
    "       gatehouse breach info [--index FILE] [--verify] [--json] " CLI_COMMON_USAGE "\n"
    "FILE is a Pwned Passwords file (SHA1HEX:COUNT lines) or, with --plain, one passphrase per\n"
    "line; - is standard input.  The index defaults to breach.index in the config, else\n"
    "<data>/breach.idx.\n";

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
    stop_signal = sig;
}

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The index path: flag, then config (breach.index), then <data>/breach.idx. */
static const char *
index_path(struct cli_settings *s, const char *flag, char buf[4096])
{
    cli_resolve(s);
    if (flag != NULL) {
        return flag;
    }
    if (s->breach_index != NULL) {
        return s->breach_index;
    }
    snprintf(buf, 4096, "%s/%s", s->data_dir, GH_BREACH_INDEX_FILE);
    return buf;
}

/* ---- import ---- */

struct ui {
    bool tty;
    bool json;
    double started;
    double last;
    enum gh_breach_phase phase;
    uint64_t shown_bad;
};

/* "1.23 M", "456.8 k" or "789": counts for humans. */
static void
human(double v, char *out, size_t cap)
{
    if (v >= 1e9) {
        snprintf(out, cap, "%.2f G", v / 1e9);
    } else if (v >= 1e6) {
        snprintf(out, cap, "%.2f M", v / 1e6);
    } else if (v >= 1e4) {
        snprintf(out, cap, "%.1f k", v / 1e3);
    } else {
        snprintf(out, cap, "%.0f", v);
    }
}

static void
eta_text(const struct gh_breach_progress *p, double elapsed, char *out, size_t cap)
{
    double left;

    if (p->total_bytes == 0 || p->bytes == 0 || p->bytes >= p->total_bytes) {
        snprintf(out, cap, "%s", "");
        return;
    }
    left = elapsed * (double)(p->total_bytes - p->bytes) / (double)p->bytes;
    snprintf(out, cap, "  ETA %dm%02ds", (int)(left / 60), (int)left % 60);
}

static void
show_reading(const struct ui *ui, const struct gh_breach_progress *p, double elapsed)
{
    char lines[32], rate[32], eta[32], bar[32];
    double frac = p->total_bytes != 0 ? (double)p->bytes / (double)p->total_bytes : -1.0;

    human((double)p->lines, lines, sizeof(lines));
    human(elapsed > 0 ? (double)p->lines / elapsed : 0, rate, sizeof(rate));
    eta_text(p, elapsed, eta, sizeof(eta));
    if (!ui->tty) {
        fprintf(stderr, "breach import: read %s lines (%s lines/s, %llu bad)%s%s\n", lines, rate,
                (unsigned long long)p->bad, frac >= 0 ? "" : "", eta);
        return;
    }
    if (frac >= 0) {
        int fill = (int)(frac * 20);

        memset(bar, '=', (size_t)fill);
        memset(bar + fill, ' ', (size_t)(20 - fill));
        bar[20] = '\0';
        fprintf(stderr, "\r[%s] %3d%%  %s lines  %s lines/s  %llu bad%s   ", bar, (int)(frac * 100),
                lines, rate, (unsigned long long)p->bad, eta);
    } else {
        fprintf(stderr, "\r%s lines  %s lines/s  %llu bad   ", lines, rate,
                (unsigned long long)p->bad);
    }
}

static bool
on_progress(const struct gh_breach_progress *p, void *arg)
{
    struct ui *ui = arg;
    double t = now_s();
    double every = ui->tty ? TTY_EVERY_S : PLAIN_EVERY_S;

    if (stop_signal != 0) {
        return false;
    }
    if (t - ui->last < every && p->phase == ui->phase) {
        return true;
    }
    ui->phase = p->phase;
    ui->last = t;
    if (p->phase == GH_BREACH_READING) {
        show_reading(ui, p, t - ui->started);
    } else if (p->phase == GH_BREACH_BUILDING) {
        fprintf(stderr,
                ui->tty ? "\rbuilding: shard %u of %u                              "
                        : "breach import: building shard %u of %u\n",
                p->shards_done + 1 > p->shards ? p->shards : p->shards_done + 1, p->shards);
    } else {
        fprintf(stderr, ui->tty ? "\rmeasuring the false-positive rate                     "
                                : "breach import: measuring the false-positive rate\n");
    }
    return true;
}

static void
on_bad_line(const struct gh_breach_bad_line *b, void *arg)
{
    struct ui *ui = arg;

    if (ui->shown_bad++ < SHOWN_BAD_LINES) {
        fprintf(stderr, "%sgatehouse: breach import: %s:%llu: %s\n", ui->tty ? "\r" : "", b->file,
                (unsigned long long)b->line, b->why);
    }
}

static void
print_result_json(const char *path, const struct gh_breach_import_result *r, double seconds)
{
    printf("{\"index\": ");
    cli_json_string(stdout, path);
    printf(", \"lines\": %llu, \"records\": %llu, \"bad\": %llu, \"entries\": %llu, "
           "\"bytes\": %llu, \"shards\": %u, \"bytes_per_entry\": %.4f, \"probes\": %llu, "
           "\"fp_hits\": %llu, \"fp_rate\": %.3e, \"peak_memory\": %zu, \"seconds\": %.3f}\n",
           (unsigned long long)r->lines, (unsigned long long)r->records, (unsigned long long)r->bad,
           (unsigned long long)r->entries, (unsigned long long)r->bytes, r->shards,
           r->bytes_per_entry, (unsigned long long)r->probes, (unsigned long long)r->fp_hits,
           r->fp_rate, r->peak_memory, seconds);
}

static void
print_result_text(const char *path, const struct gh_breach_import_result *r, double seconds)
{
    printf("index:           %s\n", path);
    printf("lines:           %llu read, %llu good, %llu bad\n", (unsigned long long)r->lines,
           (unsigned long long)r->records, (unsigned long long)r->bad);
    printf("entries:         %llu distinct, in %u shard%s\n", (unsigned long long)r->entries,
           r->shards, r->shards == 1 ? "" : "s");
    printf("size:            %llu bytes = %.3f bytes per entry\n", (unsigned long long)r->bytes,
           r->bytes_per_entry);
    printf("false positives: %llu of %llu random probes = %.2e (2^-16 = 1.53e-05 expected)\n",
           (unsigned long long)r->fp_hits, (unsigned long long)r->probes, r->fp_rate);
    printf("memory:          %.1f MiB working set at most\n", (double)r->peak_memory / 1048576.0);
    printf("time:            %.1f s (%.0f lines/s)\n", seconds,
           seconds > 0 ? (double)r->lines / seconds : 0.0);
}

static void
import_failed(gh_err rc, const struct gh_breach_import_result *r, const char *path)
{
    if (rc == GH_E_INTERRUPTED) {
        fprintf(stderr, "gatehouse: breach import: stopped; %s is unchanged\n", path);
    } else if (rc == GH_E_INVALID && r->records == 0) {
        fprintf(stderr,
                "gatehouse: breach import: no good line in %llu; %s is unchanged (--plain for "
                "one passphrase per line)\n",
                (unsigned long long)r->lines, path);
    } else if (rc == GH_E_INVALID) {
        fprintf(stderr,
                "gatehouse: breach import: %llu bad lines against %llu good: is this the right "
                "format? (--plain for one passphrase per line); %s is unchanged\n",
                (unsigned long long)r->bad, (unsigned long long)r->records, path);
    } else {
        fprintf(stderr, "gatehouse: breach import: %s%s%s; %s is unchanged\n", gh_err_message(rc),
                rc == GH_E_IO ? ": " : "", rc == GH_E_IO ? strerror(errno) : "", path);
    }
    exit(1);
}

static void
catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns, and the import stops */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int
import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"plain", no_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"tmp", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    struct gh_breach_import_opts o = {0};
    struct gh_breach_import_result r;
    struct ui ui = {0};
    const char *output = NULL;
    const char *path;
    char buf[4096];
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        switch (c) {
        case 'p':
            o.format = GH_BREACH_PLAIN;
            break;
        case 'o':
            output = optarg;
            break;
        case 't':
            o.tmp_dir = optarg;
            break;
        case 'j':
            ui.json = true;
            break;
        case 'h':
            printf("%s", usage_text);
            return 0;
        default:
            cli_usage("breach import: unknown option (see `gatehouse breach --help`)");
        }
    }
    if (optind == argc) {
        cli_usage("breach import: name at least one FILE (- for standard input)");
    }
    path = index_path(&s, output, buf);
    ui.tty = isatty(STDERR_FILENO) != 0;
    ui.started = ui.last = now_s();
    o.progress = on_progress;
    o.bad_line = on_bad_line;
    o.arg = &ui;
    catch_signals();
    rc = gh_breach_import((const char *const *)(argv + optind), (size_t)(argc - optind), path, &o,
                          &r);
    if (ui.tty) {
        fputc('\n', stderr);
    }
    if (r.bad > SHOWN_BAD_LINES) {
        fprintf(stderr, "gatehouse: breach import: %llu bad lines in all (the first %d shown)\n",
                (unsigned long long)r.bad, SHOWN_BAD_LINES);
    }
    if (rc != GH_OK) {
        import_failed(rc, &r, path);
    }
    if (ui.json) {
        print_result_json(path, &r, now_s() - ui.started);
    } else {
        print_result_text(path, &r, now_s() - ui.started);
    }
    return 0;
}

/* ---- check and info ---- */

/* Parses check's and info's options; returns the index path. */
static const char *
lookup_options(int argc, char **argv, bool *json, bool *verify, char buf[4096])
{
    static const struct option opts[] = {
        {"index", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},
        {"verify", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct cli_settings s = {0};
    const char *flag = NULL;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_option(c, optarg, &s)) {
            continue;
        }
        if (c == 'i') {
            flag = optarg;
        } else if (c == 'j') {
            *json = true;
        } else if (c == 'v' && verify != NULL) {
            *verify = true;
        } else if (c == 'h') {
            printf("%s", usage_text);
            exit(0);
        } else {
            cli_usage("breach: unknown option (see `gatehouse breach --help`)");
        }
    }
    if (optind != argc) {
        cli_usage("breach: unexpected argument (check reads the passphrase from standard input)");
    }
    return index_path(&s, flag, buf);
}

static struct gh_breach_index *
open_or_exit(const char *path, int status)
{
    struct gh_breach_index *idx = NULL;
    gh_err rc = gh_breach_open(path, &idx);

    if (rc == GH_E_NOT_FOUND) {
        fprintf(stderr, "gatehouse: breach: no index at %s (build one: gatehouse breach import)\n",
                path);
        exit(status);
    }
    if (rc != GH_OK) {
        fprintf(stderr, "gatehouse: breach: %s is not a usable index (damaged or not an index)\n",
                path);
        exit(status);
    }
    return idx;
}

static int
check(int argc, char **argv)
{
    char pass[CLI_PASSPHRASE_BUF];
    char buf[4096];
    bool json = false;
    bool found = false;
    const char *path = lookup_options(argc, argv, &json, NULL, buf);
    struct gh_breach_index *idx = open_or_exit(path, EXIT_CHECK_TROUBLE);
    size_t len = cli_read_passphrase("Passphrase", pass);
    gh_err rc = gh_breach_contains(idx, pass, len, &found);

    gh_wipe(pass, sizeof(pass));
    gh_breach_close(idx);
    if (rc != GH_OK) {
        fprintf(stderr, "gatehouse: breach check: %s\n", gh_err_message(rc));
        return EXIT_CHECK_TROUBLE;
    }
    if (json) {
        printf("{\"breached\": %s}\n", found ? "true" : "false");
    } else {
        printf("%s\n", found ? "breached: this passphrase is in the breach index"
                             : "not found in the breach index");
    }
    return found ? EXIT_BREACHED : EXIT_NOT_BREACHED;
}

static int
info(int argc, char **argv)
{
    char buf[4096];
    char when[32] = "";
    bool json = false;
    bool verify = false;
    const char *path = lookup_options(argc, argv, &json, &verify, buf);
    struct gh_breach_index *idx = open_or_exit(path, 1);
    struct gh_breach_info i;
    gh_err verified = GH_OK;
    time_t created;
    struct tm tm;

    gh_breach_info(idx, &i);
    if (verify) {
        verified = gh_breach_verify(idx);
    }
    gh_breach_close(idx);
    created = (time_t)i.created_s;
    if (gmtime_r(&created, &tm) != NULL) {
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (json) {
        printf("{\"index\": ");
        cli_json_string(stdout, path);
        printf(", \"entries\": %llu, \"records\": %llu, \"bytes\": %llu, \"bytes_per_entry\": "
               "%.4f, \"shards\": %u, \"fingerprint_bits\": %u, \"fp_rate_bound\": %.3e, "
               "\"created\": \"%s\"",
               (unsigned long long)i.entries, (unsigned long long)i.records,
               (unsigned long long)i.bytes, i.bytes_per_entry, i.shards, i.fingerprint_bits,
               i.fp_rate_bound, when);
        if (verify) {
            printf(", \"verified\": %s", verified == GH_OK ? "true" : "false");
        }
        printf("}\n");
    } else {
        printf("index:    %s\nentries:  %llu distinct (from %llu lines)\nsize:     %llu bytes = "
               "%.3f bytes per entry, %u shard%s\nfalse positives: at most 2^-%u = %.2e\n"
               "built:    %s\n",
               path, (unsigned long long)i.entries, (unsigned long long)i.records,
               (unsigned long long)i.bytes, i.bytes_per_entry, i.shards, i.shards == 1 ? "" : "s",
               i.fingerprint_bits, i.fp_rate_bound, when);
        if (verify) {
            printf("verified: %s\n", verified == GH_OK ? "every fingerprint matches its digest"
                                                       : "DAMAGED: the fingerprints do not match");
        }
    }
    return verified == GH_OK ? 0 : 1;
}

int
cmd_breach(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "%s", usage_text);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "import") == 0) {
        return import(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "check") == 0) {
        return check(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "info") == 0) {
        return info(argc - 1, argv + 1);
    }
    cli_usage("breach: unknown subcommand (import, check, info)");
}
