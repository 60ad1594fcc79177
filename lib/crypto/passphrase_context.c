/*
 * passphrase_context.c -- what a passphrase is compared with besides itself: the context words
 * (e-mail, names, product names) and the blocklist file.
 *
 * Context rule.  The context words are the e-mail's local part and domain labels, the user's
 * name, the account's friendly name, "gatehouse" and "twilio", each split into its runs of
 * letters and digits, plus the runs joined ("alice.smith" gives "alice", "smith" and
 * "alicesmith"); all NFKC case-folded, kept when 3 code points or longer.  A passphrase is
 * refused as built on them ("context") when either
 *   (a) a word of 4 or more code points occurs in it (case-insensitively, after NFKC), and what
 *       is left once every occurrence of every such word is removed has fewer code points than
 *       the minimum length; or
 *   (b) zxcvbn, given the ASCII words as its user dictionary, puts one on its cheapest path and
 *       its estimate falls below the guessable threshold (this catches l33t and short names;
 *       see passphrase_strength.c and judge() in passphrase.c).
 *
 * Blocklist: one passphrase a line (LF or CRLF), compared whole after NFKC and case folding.
 * Reading is bounded: lines longer than GH_PASSPHRASE_MAX_BYTES (which no passphrase can match)
 * are skipped, and a file over 64 MiB is an error (large breach corpora belong in the breach
 * index); a missing or unreadable file is GH_E_IO, never a silent pass.
 */
#include <sodium.h>
#include <unictype.h>
#include <unistr.h>

#include "crypto/passphrase_int.h"

/* A blocklist bigger than this is refused. */
#define BLOCKLIST_MAX_BYTES ((size_t)64 << 20)
/* Context strings (an e-mail, a name) longer than this are refused as invalid. */
#define CONTEXT_MAX_BYTES   256

/* ---- context words ---- */

bool
gh__pp_same_bytes(const char *a, const char *b, size_t n)
{
    unsigned char diff = 0;

    for (size_t i = 0; i < n; i++) {
        diff |= (unsigned char)(a[i] ^ b[i]);
    }
    return diff == 0;
}

static void
words_add(struct gh__pp_words *w, const char *s, size_t len, size_t cps)
{
    if (cps < 3 || len >= GH__PP_CTX_WORD_BYTES || w->n == GH__PP_CTX_WORDS) {
        return;
    }
    for (size_t i = 0; i < w->n; i++) {
        if (strlen(w->word[i]) == len && gh__pp_same_bytes(w->word[i], s, len)) {
            return;
        }
    }
    memcpy(w->word[w->n], s, len);
    w->word[w->n][len] = '\0';
    w->cps[w->n++] = cps;
}

static bool
word_char(ucs4_t c)
{
    return uc_is_alnum(c) || uc_is_general_category(c, UC_CATEGORY_M);
}

/* Skips code points while word_char says is_word; *cps counts them. */
static const uint8_t *
skip_run(const uint8_t *p, const uint8_t *end, bool is_word, size_t *cps)
{
    ucs4_t c;

    *cps = 0;
    while (p < end) {
        int n = u8_mbtouc(&c, p, (size_t)(end - p));

        if (word_char(c) != is_word) {
            break;
        }
        p += n;
        (*cps)++;
    }
    return p;
}

/* Adds the runs of letters and digits of a folded string, and (two or more runs) them joined. */
static void
words_split(struct gh__pp_words *w, const char *s, size_t len)
{
    char joined[GH__PP_CTX_WORD_BYTES];
    size_t jlen = 0, jcps = 0, runs = 0, cps;
    const uint8_t *p = (const uint8_t *)s, *end = p + len;

    p = skip_run(p, end, false, &cps);
    while (p < end) {
        const uint8_t *start = p;
        size_t n;

        p = skip_run(p, end, true, &cps);
        n = (size_t)(p - start);
        words_add(w, (const char *)start, n, cps);
        if (jlen + n < sizeof(joined)) {
            memcpy(joined + jlen, start, n);
            jlen += n;
            jcps += cps;
        }
        runs++;
        p = skip_run(p, end, false, &cps);
    }
    if (runs >= 2) {
        words_add(w, joined, jlen, jcps);
    }
}

static gh_err
words_text(struct gh__pp_words *w, const char *s)
{
    char folded[CONTEXT_MAX_BYTES * 4];
    size_t len, n;

    if (s == NULL) {
        return GH_OK;
    }
    len = strnlen(s, CONTEXT_MAX_BYTES + 1);
    GH_ENSURE(len <= CONTEXT_MAX_BYTES && gh_utf8_count(s, len) >= 0, GH_E_INVALID);
    GH_TRY(gh__pp_fold(s, len, folded, sizeof(folded), &n));
    words_split(w, folded, n);
    return GH_OK;
}

/* The local part and the domain of an e-mail are split separately: "alice.smith", "example". */
static gh_err
words_email(struct gh__pp_words *w, const char *email)
{
    char local[CONTEXT_MAX_BYTES + 1];
    const char *at;

    if (email == NULL) {
        return GH_OK;
    }
    at = strrchr(email, '@');
    if (at == NULL) {
        return words_text(w, email);
    }
    GH_ENSURE((size_t)(at - email) <= CONTEXT_MAX_BYTES, GH_E_INVALID);
    memcpy(local, email, (size_t)(at - email));
    local[at - email] = '\0';
    GH_TRY(words_text(w, local));
    return words_text(w, at + 1);
}

gh_err
gh__pp_words_of(const struct gh_passphrase_context *c, struct gh__pp_words *w)
{
    memset(w, 0, sizeof(*w));
    if (c != NULL) {
        GH_TRY(words_email(w, c->email));
        GH_TRY(words_text(w, c->name));
        GH_TRY(words_text(w, c->account_name));
    }
    GH_TRY(words_text(w, "gatehouse"));
    return words_text(w, "twilio");
}

/* Rule (a): a word of 4+ code points occurs and the rest is shorter than the minimum. */
bool
gh__pp_built_on_words(const char *folded, size_t len, const struct gh__pp_words *w,
                      unsigned min_length)
{
    bool covered[GH__PP_WORK_BYTES];
    bool found = false;
    size_t left = 0;

    memset(covered, 0, len);
    for (size_t k = 0; k < w->n; k++) {
        size_t wl = strlen(w->word[k]);

        for (size_t i = 0; w->cps[k] >= 4 && i + wl <= len; i++) {
            if (gh__pp_same_bytes(folded + i, w->word[k], wl)) {
                memset(covered + i, 1, wl);
                found = true;
            }
        }
    }
    for (size_t i = 0; i < len; i++) {
        left += (((unsigned char)folded[i] & 0xC0) != 0x80 && !covered[i]) ? 1 : 0;
    }
    sodium_memzero(covered, len);
    return found && left < min_length;
}

/* ---- blocklist ---- */

struct line_reader {
    FILE *f;
    size_t total; /* bytes read so far */
    bool too_big;
};

/*
 * Reads one line, without its newline, into buf; false at the end of the file.  A line that
 * does not fit, or holds a NUL, comes back with *usable false.
 */
static bool
read_line(struct line_reader *r, char *buf, size_t cap, size_t *len, bool *usable)
{
    size_t n = 0, seen = 0;
    int c;

    *usable = true;
    while ((c = getc(r->f)) != EOF && c != '\n') {
        seen++;
        if (++r->total > BLOCKLIST_MAX_BYTES) {
            r->too_big = true;
            return false;
        }
        if (c == '\0' || n + 1 >= cap) {
            *usable = false;
            continue;
        }
        buf[n++] = (char)c;
    }
    if (n > 0 && buf[n - 1] == '\r') {
        n--;
    }
    buf[n] = '\0';
    *len = n;
    return c == '\n' || seen > 0;
}

/* The line NFKC case-folded into norm; false when it is not valid text (it cannot match). */
static bool
fold_line(const char *line, size_t len, char *norm, size_t cap, size_t *out_len)
{
    bool ascii = true;

    for (size_t i = 0; i < len; i++) {
        ascii = ascii && (unsigned char)line[i] >= 0x20 && (unsigned char)line[i] < 0x7F;
    }
    if (ascii) { /* ASCII is its own NFKC; folding it is lowering it */
        for (size_t i = 0; i < len; i++) {
            char c = line[i];

            norm[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        *out_len = len;
        return true;
    }
    return gh_utf8_count(line, len) >= 0 && gh__pp_fold(line, len, norm, cap, out_len) == GH_OK;
}

gh_err
gh__pp_blocklist_hit(const char *path, const char *folded, size_t folded_len, bool *hit)
{
    char line[GH_PASSPHRASE_MAX_BYTES + 2];
    char norm[GH__PP_WORK_BYTES];
    struct line_reader r = {NULL, 0, false};
    size_t len, nlen;
    bool usable;
    gh_err rc = GH_OK;

    *hit = false;
    r.f = fopen(path, "re");
    GH_ENSURE(r.f != NULL, GH_E_IO);
    while (!*hit && read_line(&r, line, sizeof(line), &len, &usable)) {
        if (!usable || len == 0 || !fold_line(line, len, norm, sizeof(norm), &nlen)) {
            continue;
        }
        *hit = nlen == folded_len && sodium_memcmp(norm, folded, nlen) == 0;
    }
    if (r.too_big || ferror(r.f)) {
        rc = GH_E_IO;
        *hit = false;
    }
    (void)fclose(r.f);
    sodium_memzero(norm, sizeof(norm));
    return rc;
}
