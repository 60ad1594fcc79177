/*
 * passphrase.c -- the passphrase policy: NFKC normalisation (libunistring), length in code
 * points, the refusals (invalid text, too short or long, guessable, blocklisted, context words)
 * and the verdict's message.  The context words and the blocklist are in passphrase_context.c,
 * the strength figures in passphrase_strength.c and passphrase_fallback.c.
 *
 * The report's estimate is the one with the context words, since an attacker aiming at one
 * account knows its e-mail and names; "guessable" is judged without them, so a passphrase that
 * is weak only because of its context words gets that reason alone.
 */
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <unicase.h>
#include <uninorm.h>

#include "crypto/passphrase_int.h"

/* ---- reasons ---- */

#define CODE_(name, code, sentence) code,
static const char *const codes[] = {GH_PASSPHRASE_REASONS(CODE_)};
#undef CODE_
#define SENTENCE_(name, code, sentence) sentence,
static const char *const sentences[] = {GH_PASSPHRASE_REASONS(SENTENCE_)};
#undef SENTENCE_

const char *
gh_passphrase_reason_code(enum gh_passphrase_reason r)
{
    return (unsigned)r < GH_PP_COUNT_ ? codes[r] : "unknown";
}

const char *
gh_passphrase_reason_sentence(enum gh_passphrase_reason r)
{
    return (unsigned)r < GH_PP_COUNT_ ? sentences[r] : "Unknown reason.";
}

/* ---- the policy in effect ---- */

struct rules {
    unsigned min_length;
    double min_guesses_log10;
    const char *blocklist_path;
    double online_guesses_per_s;
    double offline_guesses_per_s;
};

static bool
rate_ok(double v)
{
    return isfinite(v) && v >= 0;
}

static gh_err
rules_of(const struct gh_passphrase_policy *p, struct rules *r)
{
    static const struct gh_passphrase_policy none;

    if (p == NULL) {
        p = &none;
    }
    GH_ENSURE(p->min_length <= GH_PASSPHRASE_MAX, GH_E_INVALID);
    GH_ENSURE(rate_ok(p->min_guesses_log10), GH_E_INVALID);
    GH_ENSURE(rate_ok(p->online_guesses_per_s) && rate_ok(p->offline_guesses_per_s), GH_E_INVALID);
    r->min_length = p->min_length == 0 ? GH_PASSPHRASE_MIN_DEFAULT : p->min_length;
    if (r->min_length < GH_PASSPHRASE_MIN_FLOOR) {
        r->min_length = GH_PASSPHRASE_MIN_FLOOR;
    }
    r->min_guesses_log10 =
        p->min_guesses_log10 > 0 ? p->min_guesses_log10 : GH_PASSPHRASE_MIN_GUESSES_LOG10_DEFAULT;
    r->blocklist_path = p->blocklist_path;
    r->online_guesses_per_s = p->online_guesses_per_s > 0
                                  ? p->online_guesses_per_s
                                  : GH_PASSPHRASE_ONLINE_GUESSES_PER_S_DEFAULT;
    r->offline_guesses_per_s = p->offline_guesses_per_s > 0
                                   ? p->offline_guesses_per_s
                                   : GH_PASSPHRASE_OFFLINE_GUESSES_PER_S_DEFAULT;
    return GH_OK;
}

/* ---- normalisation ---- */

/*
 * libunistring returns its own allocation when the result does not fit buf, after starting in
 * buf: wipe both, refuse.
 */
static gh_err
take_result(uint8_t *got, size_t n, char *buf, size_t cap, size_t *out_len)
{
    if (got == NULL || got != (uint8_t *)buf) {
        sodium_memzero(buf, cap); /* it may have begun in buf */
    }
    if (got == NULL) {
        return errno == ENOMEM ? GH_E_NOMEM : GH_E_INVALID;
    }
    if (got != (uint8_t *)buf) {
        sodium_memzero(got, n);
        free(got);
        return GH_E_LIMIT;
    }
    buf[n] = '\0';
    *out_len = n;
    return GH_OK;
}

gh_err
gh__pp_nfkc(const char *s, size_t len, char *buf, size_t cap, size_t *out_len)
{
    size_t n = cap - 1;
    uint8_t *got;

    *out_len = 0;
    buf[0] = '\0';
    GH_ENSURE(gh_utf8_count(s, len) >= 0, GH_E_INVALID);
    got = u8_normalize(UNINORM_NFKC, (const uint8_t *)s, len, (uint8_t *)buf, &n);
    GH_TRY(take_result(got, n, buf, cap, out_len));
    if (gh_utf8_count(buf, n) < 0) { /* NFKC makes no controls, but the contract is checked */
        sodium_memzero(buf, cap);
        *out_len = 0;
        return GH_E_INVALID;
    }
    return GH_OK;
}

gh_err
gh__pp_fold(const char *s, size_t len, char *buf, size_t cap, size_t *out_len)
{
    size_t n = cap - 1;
    uint8_t *got;

    *out_len = 0;
    buf[0] = '\0';
    got = u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFKC, (uint8_t *)buf, &n);
    return take_result(got, n, buf, cap, out_len);
}

gh_err
gh_passphrase_normalize(const char *text, size_t len, char *out, size_t cap)
{
    size_t n;

    GH_ENSURE(out != NULL && cap > 0, GH_E_INVALID);
    out[0] = '\0';
    GH_ENSURE(text != NULL || len == 0, GH_E_INVALID);
    /* NFKC at most shrinks bytes threefold (Hangul jamo into a syllable): bound the work. */
    GH_ENSURE(len / 3 < cap, GH_E_LIMIT);
    return gh__pp_nfkc(text != NULL ? text : "", len, out, cap, &n);
}

/* ---- the verdict ---- */

static const enum gh_passphrase_reason precedence[] = {
    GH_PP_INVALID_TEXT, GH_PP_TOO_LONG, GH_PP_TOO_SHORT, GH_PP_BLOCKLISTED,
    GH_PP_BREACHED,     GH_PP_REUSED,   GH_PP_CONTEXT,   GH_PP_GUESSABLE,
};

/* What to do, per reason. */
static const char *const advice[] = {
    [GH_PP_TOO_SHORT] = "Add more words.",
    [GH_PP_TOO_LONG] = "Use a shorter passphrase.",
    [GH_PP_INVALID_TEXT] = "Type it again without control characters.",
    [GH_PP_GUESSABLE] = "Try four or more unrelated words.",
    [GH_PP_BLOCKLISTED] = "Choose another one, such as four or more unrelated words.",
    [GH_PP_BREACHED] = "Choose one you have never used anywhere.",
    [GH_PP_CONTEXT] = "Leave those out and use unrelated words.",
    [GH_PP_REUSED] = "Choose one you have not used before.",
};

static void
lower_first(char *s)
{
    if (s[0] >= 'A' && s[0] <= 'Z') {
        s[0] = (char)(s[0] - 'A' + 'a');
    }
}

static void
refusal_message(struct gh_passphrase_report *r, enum gh_passphrase_reason why)
{
    char said[160];
    size_t n;

    if (why == GH_PP_TOO_SHORT) {
        snprintf(r->message, sizeof(r->message),
                 "Refused: it has %zu characters and the minimum is %u. %s", r->length,
                 r->min_length, advice[why]);
        return;
    }
    if (why == GH_PP_GUESSABLE) {
        snprintf(r->message, sizeof(r->message),
                 "Refused: it is common or easy to guess (about 10^%.0f guesses). %s",
                 r->guesses_log10, advice[why]);
        return;
    }
    snprintf(said, sizeof(said), "%s", gh_passphrase_reason_sentence(why));
    lower_first(said);
    n = strlen(said);
    if (n > 0 && said[n - 1] == '.') {
        said[n - 1] = '\0';
    }
    snprintf(r->message, sizeof(r->message), "Refused: %s. %s", said, advice[why]);
}

static void
update_verdict(struct gh_passphrase_report *r)
{
    char when[64];

    r->accept = r->reasons == 0;
    for (size_t i = 0; i < GH_ARRAY_LEN(precedence); i++) {
        if (r->reasons & (1u << precedence[i])) {
            refusal_message(r, precedence[i]);
            return;
        }
    }
    gh_duration_text(r->offline_seconds, when, sizeof(when));
    snprintf(r->message, sizeof(r->message),
             "Accepted: about 10^%.0f guesses; an offline attacker would need %s on average.",
             r->guesses_log10, when);
}

void
gh_passphrase_refuse(struct gh_passphrase_report *report, enum gh_passphrase_reason reason)
{
    if (report == NULL || (unsigned)reason >= GH_PP_COUNT_) {
        return;
    }
    report->reasons |= 1u << reason;
    update_verdict(report);
}

/* ---- the check ---- */

struct work {
    char nfkc[GH__PP_WORK_BYTES];
    char folded[GH__PP_WORK_BYTES];
    size_t nfkc_len;
    size_t folded_len;
    struct gh__pp_words words;
};

static void
add_reason(struct gh_passphrase_report *r, enum gh_passphrase_reason reason)
{
    r->reasons |= 1u << reason;
}

/* Estimate, crack times, and the refusals that need them. */
static gh_err
judge(const struct rules *rules, const struct gh_passphrase_context *context, struct work *w,
      struct gh_passphrase_report *out)
{
    struct gh__pp_estimate est;
    bool hit = false;
    gh_err rc;

    rc = gh__pp_fold(w->nfkc, w->nfkc_len, w->folded, sizeof(w->folded), &w->folded_len);
    GH_ENSURE(rc != GH_E_LIMIT, GH_E_INTERNAL); /* 256 code points always fit */
    GH_TRY(rc);
    GH_TRY(gh__pp_words_of(context, &w->words));
    GH_TRY(gh__pp_estimate(w->nfkc, w->nfkc_len, &w->words, &est));
    out->estimate_from_zxcvbn = est.zxcvbn;
    out->guesses_log10 = fmin(est.log10, out->keyspace_log10);
    out->online_seconds = gh__pp_seconds(out->guesses_log10, rules->online_guesses_per_s);
    out->offline_seconds = gh__pp_seconds(out->guesses_log10, rules->offline_guesses_per_s);
    out->fast_hash_seconds =
        gh__pp_seconds(out->guesses_log10, GH_PASSPHRASE_FAST_HASH_GUESSES_PER_S);
    if (fmin(est.plain_log10, out->keyspace_log10) < rules->min_guesses_log10) {
        add_reason(out, GH_PP_GUESSABLE);
    }
    if ((est.user_match && out->guesses_log10 < rules->min_guesses_log10) ||
        gh__pp_built_on_words(w->folded, w->folded_len, &w->words, rules->min_length)) {
        add_reason(out, GH_PP_CONTEXT);
    }
    if (rules->blocklist_path != NULL) {
        GH_TRY(gh__pp_blocklist_hit(rules->blocklist_path, w->folded, w->folded_len, &hit));
    }
    if (hit) {
        add_reason(out, GH_PP_BLOCKLISTED);
    }
    return GH_OK;
}

/* Normalise and measure; false when the text is refused before any estimate. */
static gh_err
measure(const char *text, size_t len, struct work *w, struct gh_passphrase_report *out, bool *go_on)
{
    gh_err rc;

    *go_on = false;
    if (len > GH_PASSPHRASE_MAX_BYTES) { /* more than 256 code points: not even read */
        add_reason(out, GH_PP_TOO_LONG);
        return GH_OK;
    }
    rc = gh__pp_nfkc(len > 0 ? text : "", len, w->nfkc, sizeof(w->nfkc), &w->nfkc_len);
    if (rc == GH_E_INVALID || rc == GH_E_LIMIT) {
        add_reason(out, rc == GH_E_INVALID ? GH_PP_INVALID_TEXT : GH_PP_TOO_LONG);
        return GH_OK;
    }
    GH_TRY(rc);
    out->length = (size_t)gh_utf8_count(w->nfkc, w->nfkc_len);
    gh__pp_keyspace(w->nfkc, w->nfkc_len, out->length, out);
    if (out->length > GH_PASSPHRASE_MAX) {
        add_reason(out, GH_PP_TOO_LONG);
        return GH_OK;
    }
    if (out->length < out->min_length) {
        add_reason(out, GH_PP_TOO_SHORT);
    }
    *go_on = true;
    return GH_OK;
}

gh_err
gh_passphrase_check(const struct gh_passphrase_policy *policy, const char *text, size_t len,
                    const struct gh_passphrase_context *context, struct gh_passphrase_report *out)
{
    struct rules rules;
    struct work w;
    bool go_on = false;
    gh_err rc;

    GH_ENSURE(out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_ENSURE(text != NULL || len == 0, GH_E_INVALID);
    GH_TRY(rules_of(policy, &rules));
    out->min_length = rules.min_length;
    rc = measure(text, len, &w, out, &go_on);
    if (rc == GH_OK && go_on) {
        rc = judge(&rules, context, &w, out);
    }
    sodium_memzero(&w, sizeof(w));
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
        snprintf(out->message, sizeof(out->message), "The passphrase could not be checked.");
        return rc;
    }
    update_verdict(out);
    return GH_OK;
}
