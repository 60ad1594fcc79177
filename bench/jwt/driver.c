/*
 * driver.c -- bench/jwt's Gatehouse side: times access-token verification over a file of tokens
 * (one per line, all signed with the same API key), two ways:
 *
 *   pure  gh_access_token_parse + gh_access_token_check_signature (HS256, the key's secret
 *         given) + gh_access_token_check_times (the clock read at every call): what
 *         jsonwebtoken's and jose's verify do, no store.
 *   full  gh_access_token_verify through a gh_ctx opened on the data folder, as the operator
 *         (who = NULL): the same plus the store (the issuing key and its account, the key's
 *         algorithms, the account's TTL cap, the revocation list, the sealed secret opened).
 *
 * Usage: BENCH_KEY_SECRET=... [BENCH_KEY_SID=SK...] [BENCH_ACCOUNT_SID=AC...]
 *        driver TOKENS DATA_DIR MIN_SECONDS
 * First every token is verified once both ways and must be valid (with BENCH_KEY_SID and
 * BENCH_ACCOUNT_SID set, its iss and sub must be those), and a token with one signature
 * character changed must fail both ways with the signature error; then each way verifies the
 * whole file again and again until MIN_SECONDS have passed (at least once), every result
 * checked, and divides.  Prints key=value lines on stdout: tokens, token_bytes_{min,mean,max},
 * pure_{rate,checks,seconds}, full_{rate,checks,seconds}.  Exit 1 on any failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gatehouse/access_token.h>
#include <gatehouse/breach.h> /* service.h uses struct gh_breach_info without it */
#include <gatehouse/service.h>
#include <gatehouse/util.h>

struct tokens {
    char *data;
    const char **text;
    size_t *len;
    size_t n;
};

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
die(const char *what)
{
    fprintf(stderr, "driver: %s\n", what);
    exit(1);
}

static void
die_rc(const char *what, size_t i, gh_err rc)
{
    fprintf(stderr, "driver: %s (token %zu): %s\n", what, i + 1, gh_err_message(rc));
    exit(1);
}

/* Reads the whole file and points at each non-empty line (a trailing \r dropped). */
static void
tokens_read(const char *path, struct tokens *t)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, len = 0, got;
    char *p;

    if (f == NULL) {
        die("cannot open the token file");
    }
    t->data = malloc(cap + 1);
    while (t->data != NULL && (got = fread(t->data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(t->data, 2 * cap + 1);

            if (bigger == NULL) {
                die("out of memory");
            }
            t->data = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (t->data == NULL) {
        die("out of memory");
    }
    t->data[len] = '\0';
    t->n = 0;
    for (size_t i = 0; i < len; i++) {
        t->n += t->data[i] == '\n';
    }
    t->n += len > 0 && t->data[len - 1] != '\n';
    t->text = calloc(t->n + 1, sizeof(*t->text));
    t->len = calloc(t->n + 1, sizeof(*t->len));
    if (t->text == NULL || t->len == NULL) {
        die("out of memory");
    }
    p = t->data;
    t->n = 0;
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        size_t l = nl != NULL ? (size_t)(nl - p) : strlen(p);

        if (l > 0 && p[l - 1] == '\r') {
            l--;
        }
        if (l > 0) {
            t->text[t->n] = p;
            t->len[t->n] = l;
            t->n++;
        }
        if (nl == NULL) {
            break;
        }
        *nl = '\0';
        p = nl + 1;
    }
    if (t->n == 0) {
        die("the token file holds no token");
    }
}

/* The pure path: shape, signature under the key's algorithm (HS256), times as of now. */
static gh_err
pure_verify(const char *tok, size_t len, const char *secret, size_t secret_len,
            struct gh_access_token *t)
{
    gh_err rc = gh_access_token_parse(tok, len, t);

    if (rc == GH_OK) {
        rc = gh_access_token_check_signature(t, GH_JWT_HS256, secret, secret_len);
    }
    if (rc == GH_OK) {
        rc = gh_access_token_check_times(t, (int64_t)time(NULL), GH_JWT_TTL_MAX_S);
    }
    return rc;
}

/* The full path; GH_OK only for an active token, else the reason (or the error). */
static gh_err
full_verify(struct gh_ctx *ctx, const char *tok, size_t len, struct gh_token_verdict *v)
{
    gh_err rc = gh_access_token_verify(ctx, NULL, tok, len, v);

    if (rc != GH_OK) {
        return rc;
    }
    return v->active ? GH_OK : (v->why != GH_OK ? v->why : GH_E_TOKEN_INVALID);
}

/* Checks every token both ways, its issuer and subject, and that a forged one fails. */
static void
validate(const struct tokens *tk, struct gh_ctx *ctx, const char *secret, size_t secret_len,
         struct gh_access_token *t, struct gh_token_verdict *v)
{
    const char *key_sid = getenv("BENCH_KEY_SID");
    const char *account_sid = getenv("BENCH_ACCOUNT_SID");
    char *forged;
    size_t at;
    gh_err rc;

    for (size_t i = 0; i < tk->n; i++) {
        rc = pure_verify(tk->text[i], tk->len[i], secret, secret_len, t);
        if (rc != GH_OK) {
            die_rc("pure verification refused a token", i, rc);
        }
        if ((key_sid != NULL && strcmp(t->iss, key_sid) != 0) ||
            (account_sid != NULL && strcmp(t->sub, account_sid) != 0) || t->identity[0] == '\0') {
            die_rc("a token has another issuer, subject or no identity", i, GH_E_TOKEN_ISSUER);
        }
        rc = full_verify(ctx, tk->text[i], tk->len[i], v);
        if (rc != GH_OK) {
            die_rc("gh_access_token_verify refused a token", i, rc);
        }
        if (strcmp(v->token.jti, t->jti) != 0) {
            die_rc("the two paths parsed a token differently", i, GH_E_TOKEN_INVALID);
        }
    }
    /* One base64url character in the middle of the signature changed: must not verify. */
    forged = malloc(tk->len[0] + 1);
    if (forged == NULL) {
        die("out of memory");
    }
    memcpy(forged, tk->text[0], tk->len[0]);
    forged[tk->len[0]] = '\0';
    at = tk->len[0] - 10;
    forged[at] = forged[at] == 'A' ? 'B' : 'A';
    rc = pure_verify(forged, tk->len[0], secret, secret_len, t);
    if (rc != GH_E_TOKEN_SIGNATURE) {
        die_rc("pure verification did not refuse a forged signature", 0, rc);
    }
    rc = full_verify(ctx, forged, tk->len[0], v);
    if (rc != GH_E_TOKEN_SIGNATURE) {
        die_rc("gh_access_token_verify did not refuse a forged signature", 0, rc);
    }
    free(forged);
}

int
main(int argc, char **argv)
{
    const char *secret = getenv("BENCH_KEY_SECRET");
    struct gh_access_token *t = calloc(1, sizeof(*t));
    struct gh_token_verdict *v = calloc(1, sizeof(*v));
    struct gh_ctx_config cfg;
    struct gh_ctx *ctx = NULL;
    struct tokens tk;
    double start, elapsed, min_s;
    size_t secret_len, checks, bytes = 0, lmin = SIZE_MAX, lmax = 0;
    gh_err rc;

    if (argc != 4) {
        die("usage: BENCH_KEY_SECRET=... driver TOKENS DATA_DIR MIN_SECONDS");
    }
    if (secret == NULL || secret[0] == '\0') {
        die("BENCH_KEY_SECRET is not set");
    }
    if (t == NULL || v == NULL) {
        die("out of memory");
    }
    if (gh_library_init() != GH_OK) {
        die("gh_library_init failed");
    }
    secret_len = strlen(secret);
    min_s = strtod(argv[3], NULL);
    tokens_read(argv[1], &tk);
    for (size_t i = 0; i < tk.n; i++) {
        bytes += tk.len[i];
        lmin = tk.len[i] < lmin ? tk.len[i] : lmin;
        lmax = tk.len[i] > lmax ? tk.len[i] : lmax;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.data_dir = argv[2];
    rc = gh_ctx_open(&cfg, &ctx);
    if (rc != GH_OK) {
        die_rc("gh_ctx_open failed", 0, rc);
    }
    validate(&tk, ctx, secret, secret_len, t, v);

    checks = 0;
    start = now_s();
    do {
        for (size_t i = 0; i < tk.n; i++) {
            rc = pure_verify(tk.text[i], tk.len[i], secret, secret_len, t);
            if (rc != GH_OK) {
                die_rc("pure verification refused a token", i, rc);
            }
        }
        checks += tk.n;
        elapsed = now_s() - start;
    } while (elapsed < min_s);
    printf("tokens=%zu\ntoken_bytes_min=%zu\ntoken_bytes_mean=%.1f\ntoken_bytes_max=%zu\n", tk.n,
           lmin, (double)bytes / (double)tk.n, lmax);
    printf("pure_rate=%.1f\npure_checks=%zu\npure_seconds=%.3f\n", (double)checks / elapsed, checks,
           elapsed);
    fflush(stdout);

    checks = 0;
    start = now_s();
    do {
        for (size_t i = 0; i < tk.n; i++) {
            rc = full_verify(ctx, tk.text[i], tk.len[i], v);
            if (rc != GH_OK) {
                die_rc("gh_access_token_verify refused a token", i, rc);
            }
        }
        checks += tk.n;
        elapsed = now_s() - start;
    } while (elapsed < min_s);
    printf("full_rate=%.1f\nfull_checks=%zu\nfull_seconds=%.3f\n", (double)checks / elapsed, checks,
           elapsed);

    gh_ctx_close(ctx);
    free(tk.text);
    free(tk.len);
    free(tk.data);
    free(t);
    free(v);
    return 0;
}
