/*
 * passphrase_int.h -- what the passphrase files share: passphrase.c (policy, normalisation,
 * verdict), passphrase_context.c (context words, blocklist), passphrase_strength.c (pool,
 * keyspace, estimate, crack times), passphrase_fallback.c (the estimate of non-ASCII text) and
 * passphrase_generate.c (diceware).
 */
#ifndef GATEHOUSE_CRYPTO_PASSPHRASE_INT_H
#define GATEHOUSE_CRYPTO_PASSPHRASE_INT_H

#include "internal.h"

/*
 * A normalised or case-folded passphrase fits here: at most 256 code points, each at most 4
 * bytes, and case folding at most triples a code point (U+0390 -> 3 code points).
 */
#define GH__PP_WORK_BYTES 4096

/* Context words (e-mail parts, names, product names), case-folded NFKC. */
#define GH__PP_CTX_WORDS      32
#define GH__PP_CTX_WORD_BYTES 64

struct gh__pp_words {
    size_t n;
    const char *dict[GH__PP_CTX_WORDS + 1]; /* the ASCII words, NULL-terminated, for zxcvbn */
    char word[GH__PP_CTX_WORDS][GH__PP_CTX_WORD_BYTES];
    size_t cps[GH__PP_CTX_WORDS]; /* code points of each word */
};

/* The realistic estimate, with and without the context words as zxcvbn's user dictionary. */
struct gh__pp_estimate {
    double log10;       /* with context words: the targeted attacker, what the report shows */
    double plain_log10; /* without: what the "guessable" threshold judges */
    bool user_match;    /* a context word lies on zxcvbn's cheapest path */
    bool zxcvbn;        /* true: the whole text was ASCII and went to zxcvbn */
};

/*
 * Casefold (libunistring, with NFKC) or NFKC-normalise s into buf (cap bytes, NUL-terminated);
 * GH_E_LIMIT when the result does not fit (libunistring's own copy is then wiped and freed).
 */
GH_MUST_CHECK gh_err gh__pp_fold(const char *s, size_t len, char *buf, size_t cap, size_t *out_len);
GH_MUST_CHECK gh_err gh__pp_nfkc(const char *s, size_t len, char *buf, size_t cap, size_t *out_len);

/* Equal bytes, in time independent of where they differ (never memcmp in lib/crypto). */
bool gh__pp_same_bytes(const char *a, const char *b, size_t n);

/* The context words of c, with the product names; GH_E_INVALID for strings that are not text. */
GH_MUST_CHECK gh_err gh__pp_words_of(const struct gh_passphrase_context *c, struct gh__pp_words *w);

/* Context rule (a) on the case-folded passphrase. */
bool gh__pp_built_on_words(const char *folded, size_t len, const struct gh__pp_words *w,
                           unsigned min_length);

/* Whether the case-folded passphrase is a line of the blocklist at path (GH_E_IO: unreadable). */
GH_MUST_CHECK gh_err gh__pp_blocklist_hit(const char *path, const char *folded, size_t folded_len,
                                          bool *hit);

/* Fills the report's pool, pool_size, keyspace_log10 and keyspace from text (NFKC). */
void gh__pp_keyspace(const char *text, size_t len, size_t cps, struct gh_passphrase_report *r);

/* The realistic estimate of text (NFKC, at most GH_PASSPHRASE_MAX code points). */
GH_MUST_CHECK gh_err gh__pp_estimate(const char *text, size_t len, const struct gh__pp_words *w,
                                     struct gh__pp_estimate *out);

/*
 * The bits of the non-ASCII parts of text (NFKC, at most GH_PASSPHRASE_MAX code points); ascii
 * receives the rest (ASCII characters and the ASCII bases of accented letters) for zxcvbn.
 */
double gh__pp_fallback(const char *text, size_t len, char ascii[GH_PASSPHRASE_MAX + 1]);

/* Expected seconds to find a passphrase of 10^guesses_log10 guesses at rate guesses/s. */
double gh__pp_seconds(double guesses_log10, double rate);

#endif
