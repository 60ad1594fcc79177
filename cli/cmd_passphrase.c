/*
 * cmd_passphrase.c -- `gatehouse passphrase explain|compare|generate`: the policy's verdict on a
 * passphrase read from standard input (never argv) with its strength figures, the keyspace
 * arithmetic worked out, and diceware passphrases.  Needs no data folder.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server.h"

static const char usage_text[] =
    "usage: gatehouse passphrase explain [--json] [--email E] [--name N] [--account-name A] "
    "[--min-length N] [--blocklist FILE] [--breach-index FILE] < passphrase\n"
    "       gatehouse passphrase compare [--json]\n"
    "       gatehouse passphrase generate [--words N] [--wordlist FILE] [--json]";

/* Exit statuses of explain. */
enum { EXIT_ACCEPTED = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

_Noreturn static void
fail(const char *message)
{
    fprintf(stderr, "gatehouse: passphrase: %s\n", message);
    exit(EXIT_USAGE);
}

/* ---- explain ---- */

/* The report as the API writes it (POST /v1/Passphrases/Check): the same writer. */
static void
print_json(const struct gh_passphrase_report *r)
{
    struct gh_jw w;
    size_t len = 0;
    char *text;

    gh_jw_init(&w);
    gh_write_passphrase_report(&w, r);
    text = gh_jw_take(&w, &len);
    if (text == NULL) {
        fail("out of memory");
    }
    printf("%s\n", text);
    gh_wipe(text, len);
    free(text);
}

static void
print_time(const char *who, double seconds)
{
    char when[64];

    gh_duration_text(seconds, when, sizeof(when));
    printf("  %-50s %s\n", who, when);
}

static void
print_text(const struct gh_passphrase_report *r, const struct gh_passphrase_policy *policy)
{
    char who[64];

    printf("Length:     %zu characters (Unicode code points after NFKC normalisation)\n",
           r->length);
    printf("Pool:       %u characters: %s\n", r->pool_size, r->pool[0] != '\0' ? r->pool : "none");
    printf("Keyspace:   %s (the upper bound: every character chosen at random)\n", r->keyspace);
    if ((r->reasons & ((1u << GH_PP_INVALID_TEXT) | (1u << GH_PP_TOO_LONG))) != 0) {
        printf("Realistic:  not estimated (refused before estimating)\n");
    } else {
        printf("Realistic:  about 10^%.1f guesses (%s)\n", r->guesses_log10,
               r->estimate_from_zxcvbn ? "zxcvbn" : "fallback estimate for non-ASCII text");
        printf("Expected time to guess it:\n");
        snprintf(who, sizeof(who),
                 "online, login throttle (%g guesses/s):", policy->online_guesses_per_s);
        print_time(who, r->online_seconds);
        snprintf(who, sizeof(who),
                 "offline, Argon2id on a GPU (%g guesses/s):", policy->offline_guesses_per_s);
        print_time(who, r->offline_seconds);
        snprintf(who, sizeof(who),
                 "offline, a fast hash (%g guesses/s):", GH_PASSPHRASE_FAST_HASH_GUESSES_PER_S);
        print_time(who, r->fast_hash_seconds);
    }
    printf("Verdict:    %s\n", r->accept ? "accepted" : "refused");
    for (int i = 0; i < GH_PP_COUNT_; i++) {
        if (r->reasons & (1u << i)) {
            printf("  %-12s %s\n", gh_passphrase_reason_code((enum gh_passphrase_reason)i),
                   gh_passphrase_reason_sentence((enum gh_passphrase_reason)i));
        }
    }
    printf("%s\n", r->message);
}

static unsigned
parse_min_length(const char *text)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);

    if (text[0] < '0' || text[0] > '9' || *end != '\0' || v > GH_PASSPHRASE_MAX) {
        fail("--min-length must be a number from 0 to 256");
    }
    return (unsigned)v;
}

static int
explain(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"email", required_argument, NULL, 'e'},
        {"name", required_argument, NULL, 'n'},
        {"account-name", required_argument, NULL, 'a'},
        {"min-length", required_argument, NULL, 'm'},
        {"blocklist", required_argument, NULL, 'b'},
        {"breach-index", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    struct gh_breach_index *index = NULL;
    struct gh_passphrase_policy policy = {0, 0, NULL, GH_PASSPHRASE_ONLINE_GUESSES_PER_S_DEFAULT,
                                          GH_PASSPHRASE_OFFLINE_GUESSES_PER_S_DEFAULT};
    struct gh_passphrase_context context = {NULL, NULL, NULL};
    struct gh_passphrase_report r;
    char buf[CLI_PASSPHRASE_BUF];
    bool json = false;
    size_t len;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 'e':
            context.email = optarg;
            break;
        case 'n':
            context.name = optarg;
            break;
        case 'a':
            context.account_name = optarg;
            break;
        case 'm':
            policy.min_length = parse_min_length(optarg);
            break;
        case 'b':
            policy.blocklist_path = optarg;
            break;
        case 'i':
            gh_breach_close(index);
            index = NULL;
            if (gh_breach_open(optarg, &index) != GH_OK) {
                fail("the breach index cannot be read (see `gatehouse breach info`)");
            }
            break;
        default:
            cli_usage(usage_text);
        }
    }
    if (optind != argc) {
        fail("explain reads the passphrase from standard input, never from the command line");
    }
    len = cli_read_passphrase("Passphrase", buf);
    rc = gh_passphrase_check(&policy, buf, len, &context, &r);
    if (rc == GH_OK) {
        rc = gh_breach_screen(index, buf, len, &r);
    }
    gh_wipe(buf, sizeof(buf));
    gh_breach_close(index);
    if (rc == GH_E_IO) {
        fail("the blocklist file cannot be read");
    }
    if (rc != GH_OK) {
        fprintf(stderr, "gatehouse: passphrase explain: %s\n", gh_err_message(rc));
        return EXIT_USAGE;
    }
    if (json) {
        print_json(&r);
    } else {
        print_text(&r, &policy);
    }
    return r.accept ? EXIT_ACCEPTED : EXIT_REFUSED;
}

/* ---- compare ---- */

struct side {
    unsigned pool, length;
    char keyspace[GH_PASSPHRASE_KEYSPACE_TEXT];
    double log10, bits;
};

static void
side_of(unsigned pool, unsigned length, struct side *s)
{
    s->pool = pool;
    s->length = length;
    s->log10 = length * log10((double)pool);
    s->bits = length * log2((double)pool);
    gh_keyspace_text(pool, length, s->keyspace, sizeof(s->keyspace));
}

static void
print_side_json(const char *name, const struct side *s)
{
    printf("\"%s\": {\"pool\": %u, \"length\": %u, \"keyspace\": ", name, s->pool, s->length);
    cli_json_string(stdout, s->keyspace);
    printf(", \"keyspace_log10\": %.3f, \"bits\": %.2f}", s->log10, s->bits);
}

static int
compare(int argc, char **argv)
{
    static const char example[] = "Password123456";
    struct side a, b;
    struct gh_passphrase_report r;
    long double ratio = powl(52.0L, 14) / powl(95.0L, 8); /* both exact in long double */
    bool json = argc == 2 && strcmp(argv[1], "--json") == 0;

    if (argc > 2 || (argc == 2 && !json)) {
        cli_usage(usage_text);
    }
    side_of(95, 8, &a);
    side_of(52, 14, &b);
    if (gh_passphrase_check(NULL, example, strlen(example), NULL, &r) != GH_OK) {
        fail("the example could not be checked");
    }
    if (json) {
        printf("{");
        print_side_json("short", &a);
        printf(", ");
        print_side_json("long", &b);
        printf(", \"ratio\": %.3Lf, \"ratio_millions\": %.0Lf, \"example\": {\"passphrase\": "
               "\"%s\", \"length\": %zu, \"keyspace\": ",
               ratio, ratio / 1e6L, example, r.length);
        cli_json_string(stdout, r.keyspace);
        printf(", \"guesses_log10\": %.3f, \"verdict\": \"%s\"}}\n", r.guesses_log10,
               r.accept ? "accept" : "reject");
        return 0;
    }
    printf("8 characters from all 95 printable ASCII characters:   %s (%.1f bits)\n", a.keyspace,
           a.bits);
    printf("14 characters from the 52 upper- and lowercase letters: %s (%.1f bits)\n", b.keyspace,
           b.bits);
    printf("The longer one has about %.0Lf million times more possibilities (ratio %.3Lf).\n",
           ratio / 1e6L, ratio);
    printf("\nThat arithmetic holds only for characters chosen at random. %s has %zu\n"
           "characters (%s), yet zxcvbn finds it in about 10^%.0f guesses:\n"
           "length helps only when the choice is unpredictable.\n",
           example, r.length, r.keyspace, r.guesses_log10);
    return 0;
}

/* ---- generate ---- */

static unsigned
parse_words(const char *text)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);

    if (text[0] < '0' || text[0] > '9' || *end != '\0' || v < GH_PASSPHRASE_WORDS_MIN ||
        v > GH_PASSPHRASE_WORDS_MAX) {
        fail("--words must be a number from 4 to 20");
    }
    return (unsigned)v;
}

static int
generate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"words", required_argument, NULL, 'w'},
        {"wordlist", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    char out[GH_PASSPHRASE_WORDS_MAX * 64];
    const char *wordlist = NULL;
    unsigned words = GH_PASSPHRASE_WORDS_DEFAULT;
    bool json = false;
    double bits;
    gh_err rc;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'w':
            words = parse_words(optarg);
            break;
        case 'l':
            wordlist = optarg;
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
    rc = gh_passphrase_generate(wordlist, words, out, sizeof(out), &bits);
    if (rc == GH_E_IO || rc == GH_E_INVALID) {
        fail(rc == GH_E_IO ? "the word list cannot be read" : "the word list is malformed");
    }
    if (rc != GH_OK) {
        cli_die("passphrase generate", rc);
    }
    if (json) {
        printf("{\"passphrase\": ");
        cli_json_string(stdout, out);
        printf(", \"words\": %u, \"bits\": %.3f}\n", words, bits);
    } else {
        printf("%s\n%u words from a list of %.0f: %.1f bits of entropy\n", out, words,
               exp2(bits / words), bits);
    }
    fflush(stdout);
    gh_wipe(out, sizeof(out));
    return 0;
}

int
cmd_passphrase(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } subcommands[] = {
        {"explain", explain},
        {"compare", compare},
        {"generate", generate},
    };

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\n", usage_text);
        return 0;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            return subcommands[i].run(argc - 1, argv + 1);
        }
    }
    cli_usage(usage_text);
}
