/*
 * cmd_webhook.c -- `gatehouse webhook sign|verify`: X-Twilio-Signature for a webhook request
 * (SPEC section 6), offline.  The HMAC key (an auth token, or a SharedKey secret for sha256)
 * comes only from $GATEHOUSE_WEBHOOK_KEY, never argv.  Parameters come from --param NAME=VALUE
 * (taken literally) and --form-stdin (an application/x-www-form-urlencoded body, at most 64 KiB,
 * decoded by the small strict decoder below: server/form.c stops at 64 parameters, a webhook may
 * carry more); --body-file is a JSON body, covered by the URL's bodySHA256 query parameter.
 *
 *   sign    prints the signature (with --body-file: the URL to request, then the signature).
 *   verify  exit 0 valid, 1 not valid, 2 usage or error; one line on stdout (--json).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

#define KEY_ENV  "GATEHOUSE_WEBHOOK_KEY"
#define FORM_MAX (64 * 1024)

enum { EXIT_VALID = 0, EXIT_NOT_VALID = 1, EXIT_TROUBLE = 2 };

static const char usage_text[] =
    "usage: gatehouse webhook sign --url URL [--param NAME=VALUE]... [--form-stdin] "
    "[--body-file FILE] [--algorithm sha1|sha256] [--json]\n"
    "       gatehouse webhook verify --url URL --signature SIG [--param NAME=VALUE]... "
    "[--form-stdin] [--body-file FILE] [--algorithm sha1|sha256] [--json]\n"
    "The key is $" KEY_ENV ": the account's auth token (sha1, the default) or a SharedKey\n"
    "secret (sha256).  --form-stdin reads a form-encoded body on standard input (at most 64 KiB);\n"
    "--body-file is a JSON body (- for standard input), signed through the URL's bodySHA256.\n"
    "verify exits 0 when the signature is valid, 1 when it is not, 2 on error.\n";

struct webhook_opts {
    bool verify;
    const char *what; /* "webhook sign" or "webhook verify", for messages */
    const char *url;
    const char *signature;
    const char *body_file;
    bool form_stdin;
    bool json;
    enum gh_webhook_alg alg;
    size_t n;
};

static struct gh_webhook_param params[GH_WEBHOOK_PARAMS_MAX];
static char form[FORM_MAX + 1];

_Noreturn static void
fail(const struct webhook_opts *o, const char *message)
{
    fprintf(stderr, "gatehouse: %s: %s\n", o->what, message);
    exit(EXIT_TROUBLE);
}

/* The library's errors, said for this command's inputs. */
_Noreturn static void
fail_rc(const struct webhook_opts *o, gh_err rc)
{
    switch (rc) {
    case GH_E_LIMIT:
        fail(o, "an input is too long (URL 8 KiB, key 1 KiB, body 1 MiB, 1000 parameters, "
                "1 MiB in all)");
    case GH_E_INVALID:
        fail(o, "the URL and parameters must be non-empty UTF-8 text");
    default:
        fail(o, gh_err_message(rc));
    }
}

static void
add_param(struct webhook_opts *o, const char *name, const char *value)
{
    if (o->n == GH_WEBHOOK_PARAMS_MAX) {
        fail(o, "more than 1000 parameters");
    }
    params[o->n].name = name;
    params[o->n].value = value;
    o->n++;
}

/* ---- reading inputs ---- */

/* Reads fd into buf (at most cap bytes); returns the length, or fails past cap. */
static size_t
read_all(const struct webhook_opts *o, int fd, char *buf, size_t cap, const char *what)
{
    size_t len = 0;

    for (;;) {
        ssize_t got = read(fd, buf + len, cap + 1 - len);

        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            fprintf(stderr, "gatehouse: %s: %s: %s\n", o->what, what, strerror(errno));
            exit(EXIT_TROUBLE);
        }
        if (got == 0) {
            return len;
        }
        len += (size_t)got;
        if (len > cap) {
            fprintf(stderr, "gatehouse: %s: %s is larger than %zu bytes\n", o->what, what, cap);
            exit(EXIT_TROUBLE);
        }
    }
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Decodes s[0, len) in place ('+' is a space, %XX a byte; a stray '%' is an error) and
 * NUL-terminates it: the result is never longer, so s[len] may be the separator after it.
 */
static bool
decode_in_place(char *s, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0) {
                return false;
            }
            s[o++] = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            s[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    s[o] = '\0';
    return gh_utf8_valid(s, o) != 0;
}

/*
 * The form on standard input, as params: '&'-separated NAME=VALUE pairs, decoded in place in
 * form[].  A final newline is dropped (an encoded body never ends with a raw one).
 */
static void
read_form(struct webhook_opts *o)
{
    size_t len = read_all(o, STDIN_FILENO, form, FORM_MAX, "standard input");
    size_t start = 0;

    while (len > 0 && (form[len - 1] == '\n' || form[len - 1] == '\r')) {
        len--;
    }
    form[len] = '\0';
    for (size_t i = 0; i <= len; i++) {
        char *pair = form + start;
        size_t pair_len = i - start, name_len;
        char *eq;

        if (i < len && form[i] != '&') {
            continue;
        }
        start = i + 1;
        if (pair_len == 0) {
            continue; /* "a=1&&b=2" */
        }
        eq = memchr(pair, '=', pair_len);
        name_len = eq != NULL ? (size_t)(eq - pair) : pair_len;
        if (name_len == 0) {
            fail(o, "standard input: a form parameter has no name");
        }
        /* Each part's NUL lands at or before the '=' or '&' that follows it. */
        if (!decode_in_place(pair, name_len) ||
            (eq != NULL && !decode_in_place(eq + 1, pair_len - name_len - 1))) {
            fail(o, "standard input: not a form-encoded UTF-8 body (a bad %XX or byte)");
        }
        add_param(o, pair, eq != NULL ? eq + 1 : "");
    }
}

/* The body file ("-": standard input) into a new buffer; *len its length. */
static char *
read_body(const struct webhook_opts *o, size_t *len)
{
    char *body = malloc(GH_WEBHOOK_BODY_MAX + 1);
    int fd = STDIN_FILENO;

    if (body == NULL) {
        fail(o, "out of memory");
    }
    if (strcmp(o->body_file, "-") != 0) {
        fd = open(o->body_file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "gatehouse: %s: %s: %s\n", o->what, o->body_file, strerror(errno));
            exit(EXIT_TROUBLE);
        }
    }
    *len = read_all(o, fd, body, GH_WEBHOOK_BODY_MAX, o->body_file);
    if (fd != STDIN_FILENO) {
        close(fd);
    }
    return body;
}

/* ---- options ---- */

static enum gh_webhook_alg
parse_alg(const struct webhook_opts *o, const char *text)
{
    if (strcasecmp(text, "sha1") == 0 || strcasecmp(text, "HMAC_SHA1") == 0) {
        return GH_WEBHOOK_HMAC_SHA1;
    }
    if (strcasecmp(text, "sha256") == 0 || strcasecmp(text, "HMAC_SHA256") == 0) {
        return GH_WEBHOOK_HMAC_SHA256;
    }
    fail(o, "--algorithm is sha1 (the auth token) or sha256 (a SharedKey secret)");
}

static void
parse_options(int argc, char **argv, struct webhook_opts *o)
{
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},
        {"signature", required_argument, NULL, 's'},
        {"param", required_argument, NULL, 'p'},
        {"form-stdin", no_argument, NULL, 'f'},
        {"body-file", required_argument, NULL, 'b'},
        {"algorithm", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *eq;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            o->url = optarg;
            break;
        case 's':
            if (!o->verify) {
                fail(o, "--signature is for verify");
            }
            o->signature = optarg;
            break;
        case 'p':
            eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg) {
                fail(o, "--param takes NAME=VALUE");
            }
            *eq = '\0';
            add_param(o, optarg, eq + 1);
            break;
        case 'f':
            o->form_stdin = true;
            break;
        case 'b':
            o->body_file = optarg;
            break;
        case 'a':
            o->alg = parse_alg(o, optarg);
            break;
        case 'j':
            o->json = true;
            break;
        case 'h':
            printf("%s", usage_text);
            exit(0);
        default:
            fail(o, "unknown option (see `gatehouse webhook --help`)");
        }
    }
    if (optind != argc) {
        fail(o, "unexpected argument (see `gatehouse webhook --help`)");
    }
    if (o->url == NULL) {
        fail(o, "--url is required: the full URL Twilio requests, query string included");
    }
    if (o->verify && o->signature == NULL) {
        fail(o, "--signature is required: the X-Twilio-Signature header's value");
    }
    if (o->body_file != NULL && (o->n > 0 || o->form_stdin)) {
        fail(o, "--body-file (a JSON body) cannot be combined with --param or --form-stdin");
    }
}

/* The key from the environment only: a secret never goes in argv. */
static const char *
webhook_key(const struct webhook_opts *o)
{
    const char *key = getenv(KEY_ENV);

    if (key == NULL || key[0] == '\0') {
        fail(o, "set $" KEY_ENV " to the auth token (or, for sha256, the SharedKey secret)");
    }
    return key;
}

static const char *
alg_name(enum gh_webhook_alg alg)
{
    return alg == GH_WEBHOOK_HMAC_SHA256 ? "HMAC_SHA256" : "HMAC_SHA1";
}

/* ---- sign and verify ---- */

static int
sign(int argc, char **argv)
{
    struct webhook_opts o = {false, "webhook sign",       NULL, NULL, NULL, false,
                             false, GH_WEBHOOK_HMAC_SHA1, 0};
    char url[GH_WEBHOOK_URL_MAX + 1];
    char hash[GH_WEBHOOK_SHA256_SIZE] = "";
    char sig[GH_WEBHOOK_SIG_SIZE];
    const char *signed_url;
    const char *key;
    gh_err rc = GH_OK;

    parse_options(argc, argv, &o);
    key = webhook_key(&o);
    if (o.form_stdin) {
        read_form(&o);
    }
    signed_url = o.url;
    if (o.body_file != NULL) { /* JSON: the URL carries the body's hash; no parameters */
        size_t len;
        char *body = read_body(&o, &len);

        rc = gh_webhook_body_sha256(body, len, hash);
        if (rc == GH_OK) {
            rc = gh_webhook_url_add_body_hash(o.url, body, len, url, sizeof(url));
        }
        free(body);
        if (rc == GH_E_INVALID) {
            fail(&o, "the URL's bodySHA256 is not the SHA-256 of the body");
        }
        signed_url = url;
    }
    if (rc == GH_OK) {
        rc = gh_webhook_sign(o.alg, key, strlen(key), signed_url, params, o.n, sig);
    }
    if (rc != GH_OK) {
        fail_rc(&o, rc);
    }
    if (o.json) {
        printf("{\"url\": ");
        cli_json_string(stdout, signed_url);
        printf(", \"algorithm\": \"%s\", \"header\": \"X-Twilio-Signature\", \"signature\": ",
               alg_name(o.alg));
        cli_json_string(stdout, sig);
        printf(", \"body_sha256\": ");
        cli_json_string(stdout, o.body_file != NULL ? hash : NULL);
        printf("}\n");
    } else if (o.body_file != NULL) {
        printf("%s\n%s\n", signed_url, sig);
    } else {
        printf("%s\n", sig);
    }
    return 0;
}

static int
verify(int argc, char **argv)
{
    struct webhook_opts o = {true,  "webhook verify",     NULL, NULL, NULL, false,
                             false, GH_WEBHOOK_HMAC_SHA1, 0};
    bool valid = false;
    const char *key;
    gh_err rc;

    parse_options(argc, argv, &o);
    key = webhook_key(&o);
    if (o.form_stdin) {
        read_form(&o);
    }
    if (o.body_file != NULL) {
        size_t len;
        char *body = read_body(&o, &len);

        rc = gh_webhook_verify_with_body(o.alg, key, strlen(key), o.url, body, len, o.signature,
                                         &valid);
        free(body);
    } else {
        rc = gh_webhook_verify(o.alg, key, strlen(key), o.url, params, o.n, o.signature, &valid);
    }
    if (rc != GH_OK) {
        fail_rc(&o, rc);
    }
    if (o.json) {
        printf("{\"valid\": %s, \"algorithm\": \"%s\"}\n", valid ? "true" : "false",
               alg_name(o.alg));
    } else {
        printf("%s\n", valid ? "valid" : "not valid: the signature does not match this request");
    }
    return valid ? EXIT_VALID : EXIT_NOT_VALID;
}

int
cmd_webhook(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "%s", usage_text);
        return argc < 2 ? EXIT_TROUBLE : 0;
    }
    if (strcmp(argv[1], "sign") == 0) {
        return sign(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "verify") == 0) {
        return verify(argc - 1, argv + 1);
    }
    cli_usage("webhook: unknown subcommand (sign, verify)");
}
