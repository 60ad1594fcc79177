/*
 * passphrase_strength.c -- the two strength figures of a passphrase and what they mean in time.
 *
 * Keyspace: pool^length, the upper bound for characters drawn at random.  The pool adds up the
 * classes present: lowercase 26, uppercase 26, digits 10, ASCII symbols and space 33 (all
 * printable ASCII: 95), and for each Unicode block the text uses outside ASCII, the block's size
 * (an attacker who knows which blocks were used must try each of their code points; a block is
 * what an input method or an emoji picker offers together; outside any block: 256).
 *
 * Realistic estimate: zxcvbn (libzxcvbn, log2 of guesses) when the text is ASCII; other text
 * takes the fallback of passphrase_fallback.c for its non-ASCII parts and zxcvbn for the rest.
 * Context words reach zxcvbn as its user dictionary (the ASCII ones).  The caller never lets
 * the estimate exceed the keyspace.
 *
 * Attackers' rates (defaults in <gatehouse/passphrase.h>):
 *   - online: the per-user login throttle (lib/service/sessions.c: 5 failures per 15-minute
 *     window, then locks of 1, 2, 4 and 8 minutes, doubling up to 15) lets through at most 8
 *     guesses per window: 5 at once, then one after each lock; 8 / 900 s ~ 0.0089 guesses/s,
 *     whatever the number of addresses the attacker uses;
 *   - offline: Argon2id m = 64 MiB, t = 2 is bound by memory bandwidth: each guess moves about
 *     2 x 2 x 64 MiB ~ 270 MB, so a 1 TB/s GPU manages ~3,700/s; 10^4/s covers a small rig;
 *   - fast hash: 10^10/s, an unsalted fast hash on a few GPUs, fixed.
 * Expected time = guesses / 2 / rate.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <unictype.h>
#include <unistr.h>
#include <zxcvbn.h>

#include "crypto/passphrase_int.h"

#define LOG10_2 0.30102999566398120

/* ---- pool and keyspace ---- */

struct pool {
    bool lower, upper, digit, symbol;
    size_t n; /* distinct non-ASCII blocks */
    ucs4_t start[GH_PASSPHRASE_MAX];
    unsigned size[GH_PASSPHRASE_MAX];
    const char *name[GH_PASSPHRASE_MAX];
};

static void
pool_add_ascii(struct pool *p, ucs4_t c)
{
    if (c >= 'a' && c <= 'z') {
        p->lower = true;
    } else if (c >= 'A' && c <= 'Z') {
        p->upper = true;
    } else if (c >= '0' && c <= '9') {
        p->digit = true;
    } else {
        p->symbol = true;
    }
}

static void
pool_add(struct pool *p, ucs4_t c)
{
    const uc_block_t *b;
    ucs4_t start;

    if (c < 0x80) {
        pool_add_ascii(p, c);
        return;
    }
    b = uc_block(c);
    start = b != NULL ? b->start : (c & ~(ucs4_t)0xFF);
    for (size_t i = 0; i < p->n; i++) {
        if (p->start[i] == start) {
            return;
        }
    }
    if (p->n == GH_ARRAY_LEN(p->start)) {
        return;
    }
    p->start[p->n] = start;
    p->size[p->n] = b != NULL ? (unsigned)(b->end - b->start + 1) : 256;
    p->name[p->n] = b != NULL ? b->name : "unassigned code points";
    p->n++;
}

__attribute__((format(printf, 4, 5))) static void
append(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= cap) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(out + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
    }
}

/* "lowercase letters, digits, Cyrillic (256)"; blocks that do not fit are counted instead. */
static void
pool_text(const struct pool *p, char *out, size_t cap)
{
    static const char *const classes[] = {"lowercase letters", "uppercase letters", "digits",
                                          "symbols and space"};
    const bool has[] = {p->lower, p->upper, p->digit, p->symbol};
    size_t len = 0, i;

    out[0] = '\0';
    for (i = 0; i < GH_ARRAY_LEN(classes); i++) {
        if (has[i]) {
            append(out, cap, &len, "%s%s", len > 0 ? ", " : "", classes[i]);
        }
    }
    for (i = 0; i < p->n; i++) {
        /* the last block needs room for itself, any other for ", and 255 more Unicode blocks" */
        size_t need = strlen(p->name[i]) + 12 + (i + 1 < p->n ? 32 : 0);

        if (len + need >= cap) {
            break;
        }
        append(out, cap, &len, "%s%s (%u)", len > 0 ? ", " : "", p->name[i], p->size[i]);
    }
    if (i < p->n) {
        append(out, cap, &len, ", and %zu more Unicode block%s", p->n - i, p->n - i > 1 ? "s" : "");
    }
}

void
gh__pp_keyspace(const char *text, size_t len, size_t cps, struct gh_passphrase_report *r)
{
    struct pool p;
    const uint8_t *s = (const uint8_t *)text, *end = s + len;
    unsigned size = 0;

    memset(&p, 0, sizeof(p));
    while (s < end) {
        ucs4_t c;

        s += u8_mbtouc(&c, s, (size_t)(end - s));
        pool_add(&p, c);
    }
    size += p.lower ? 26 : 0;
    size += p.upper ? 26 : 0;
    size += p.digit ? 10 : 0;
    size += p.symbol ? 33 : 0;
    for (size_t i = 0; i < p.n; i++) {
        size += p.size[i];
    }
    r->pool_size = size;
    pool_text(&p, r->pool, sizeof(r->pool));
    r->keyspace_log10 = (size > 0 && cps > 0) ? (double)cps * log10((double)size) : 0;
    gh_keyspace_text(size, cps > UINT32_MAX ? UINT32_MAX : (unsigned)cps, r->keyspace,
                     sizeof(r->keyspace));
}

/* pool^length when it fits 64 bits. */
static bool
exact_power(unsigned pool, unsigned length, uint64_t *out)
{
    uint64_t v = 1;

    for (unsigned i = 0; i < length; i++) {
        if (pool != 0 && v > UINT64_MAX / pool) {
            return false;
        }
        v *= pool;
    }
    *out = v;
    return true;
}

void
gh_keyspace_text(unsigned pool, unsigned length, char *out, size_t cap)
{
    uint64_t exact;
    long double lg, m;
    long e;

    if (out == NULL || cap == 0) {
        return;
    }
    if (exact_power(pool, length, &exact) && exact < 1000000) {
        snprintf(out, cap, "%u^%u = %" PRIu64, pool, length, exact);
        return;
    }
    lg = (long double)length * log10l((long double)pool);
    e = (long)floorl(lg);
    m = powl(10.0L, lg - (long double)e);
    if (m >= 9.9995L) { /* 9.9996 would print as 10.000 */
        m /= 10.0L;
        e++;
    }
    /* U+00D7 MULTIPLICATION SIGN, as the seed page writes it */
    snprintf(out, cap, "%u^%u = %.3Lf \xc3\x97 10^%ld", pool, length, m, e);
}

/* ---- crack times ---- */

double
gh__pp_seconds(double guesses_log10, double rate)
{
    double lg = guesses_log10 - log10(2.0 * rate);

    return lg > log10(DBL_MAX) ? DBL_MAX : pow(10.0, lg);
}

void
gh_duration_text(double seconds, char *out, size_t cap)
{
    static const struct {
        double s;
        const char *one, *many;
    } units[] = {
        {1, "second", "seconds"},
        {60, "minute", "minutes"},
        {3600, "hour", "hours"},
        {86400, "day", "days"},
        {2629800, "month", "months"},
        {31557600, "year", "years"},
        {3155760000.0, "century", "centuries"},
    };
    size_t u = 0;
    double n;

    if (out == NULL || cap == 0) {
        return;
    }
    if (!(seconds >= 1)) {
        snprintf(out, cap, "less than a second");
        return;
    }
    while (u + 1 < GH_ARRAY_LEN(units) && seconds >= units[u + 1].s) {
        u++;
    }
    n = floor(seconds / units[u].s + 0.5);
    if (n >= 1e4 && u + 1 == GH_ARRAY_LEN(units)) { /* a million years and more */
        snprintf(out, cap, "about 10^%.0f years", floor(log10(seconds / units[u - 1].s)));
        return;
    }
    snprintf(out, cap, "%.0f %s", n, n == 1 ? units[u].one : units[u].many);
}

/* ---- zxcvbn ---- */

/* The ASCII context words, NULL-terminated, for zxcvbn's user dictionary. */
static void
ascii_dict(const struct gh__pp_words *w, const char *dict[GH__PP_CTX_WORDS + 1])
{
    size_t n = 0;

    for (size_t i = 0; i < w->n; i++) {
        bool ascii = true;

        for (const char *c = w->word[i]; *c != '\0'; c++) {
            ascii = ascii && (unsigned char)*c < 0x80;
        }
        if (ascii) {
            dict[n++] = w->word[i];
        }
    }
    dict[n] = NULL;
}

/* zxcvbn's bits for ascii, with the context words and without; *user: a word was used. */
static void
zxcvbn_bits(const char *ascii, const struct gh__pp_words *w, double *with, double *plain,
            bool *user)
{
    const char *dict[GH__PP_CTX_WORDS + 1];
    ZxcMatch_t *info = NULL;

    ascii_dict(w, dict);
    *with = fmax(0, ZxcvbnMatch(ascii, dict, &info));
    *user = false;
    for (const ZxcMatch_t *m = info; m != NULL; m = m->Next) {
        int type = (int)m->Type & ~(int)MULTIPLE_MATCH;

        *user = *user || type == USER_MATCH || type == USER_LEET_MATCH;
    }
    ZxcvbnFreeInfo(info);
    *plain = *user ? fmax(0, ZxcvbnMatch(ascii, NULL, NULL)) : *with;
}

gh_err
gh__pp_estimate(const char *text, size_t len, const struct gh__pp_words *w,
                struct gh__pp_estimate *out)
{
    char ascii[GH_PASSPHRASE_MAX + 1];
    double with, plain, other = 0;
    bool only_ascii = true;

    memset(out, 0, sizeof(*out));
    GH_ENSURE(len <= GH_PASSPHRASE_MAX_BYTES, GH_E_INVALID);
    for (size_t i = 0; i < len; i++) {
        only_ascii = only_ascii && (unsigned char)text[i] < 0x80;
    }
    if (!only_ascii) {
        other = gh__pp_fallback(text, len, ascii);
    }
    zxcvbn_bits(only_ascii ? text : ascii, w, &with, &plain, &out->user_match);
    out->zxcvbn = only_ascii;
    out->log10 = (with + other) * LOG10_2;
    out->plain_log10 = (plain + other) * LOG10_2;
    sodium_memzero(ascii, sizeof(ascii));
    return GH_OK;
}
