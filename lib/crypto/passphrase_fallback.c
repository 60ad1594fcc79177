/*
 * passphrase_fallback.c -- the realistic estimate for text zxcvbn cannot read (it reads ASCII
 * only).  The text is taken per grapheme cluster (what one key, one composed character or one
 * emoji-picker choice enters; emoji ZWJ sequences and flags are joined here, as UAX #29 says,
 * since libunistring 1.0 splits them):
 *   - a letter whose canonical decomposition starts with an ASCII letter (é = e + U+0301) gives
 *     that letter to zxcvbn, which then rates all the ASCII parts of the text together ("cafe"),
 *     plus 2 bits per accent;
 *   - a run of letters of one script (Cyrillic, Greek, Arabic, Hebrew...) is a word: 5 bits a
 *     letter (a ~32-letter alphabet), at most 16 bits a word (a 65,536-word vocabulary, more
 *     than zxcvbn's largest frequency list), so "words" in any script count as words, not as
 *     random letters;
 *   - an ideograph, kana or Hangul syllable: 6 bits (human-chosen CJK text carries about 5 to 6
 *     bits a character); an emoji or other symbol: 7 bits (the ~128 emoji that make up most
 *     use); a non-ASCII digit: 3.3 bits; an invisible format character (zero-width space,
 *     direction marks) or a lone combining mark: 1 or 2 bits; each further code point inside a
 *     cluster (skin tone, ZWJ, variation selector, accent): 1 bit;
 *   - a word or cluster seen before costs only max(1, log2(distinct ones so far)) bits, so
 *     repeated emoji or words never add up to a strong passphrase.
 * The ASCII parts go to zxcvbn (passphrase_strength.c), which adds its own bits; the caller
 * never lets the sum exceed the keyspace.
 */
#include <math.h>
#include <sodium.h>
#include <unictype.h>
#include <unigbrk.h>
#include <uninorm.h>
#include <unistr.h>

#include "crypto/passphrase_int.h"

#define MARK_BITS     2.0  /* an accent on an ASCII letter, or a lone combining mark */
#define EXTRA_BITS    1.0  /* each further code point of a non-ASCII cluster */
#define LETTER_BITS   5.0  /* a letter of an alphabetic script */
#define WORD_BITS     16.0 /* at most, for a word of such letters */
#define SYLLABLE_BITS 6.0  /* an ideograph, kana or Hangul syllable */
#define SYMBOL_BITS   7.0  /* an emoji or another symbol */
#define DIGIT_BITS    3.32 /* a digit of another script */
#define FORMAT_BITS   1.0  /* an invisible format character, a non-ASCII space */

enum kind { K_ASCII, K_LETTER, K_SYLLABLE, K_DIGIT, K_FORMAT, K_MARK, K_SYMBOL };

struct fallback {
    char ascii[GH_PASSPHRASE_MAX + 1]; /* the ASCII characters and bases, in order */
    size_t ascii_len;
    const uint8_t *seen[GH_PASSPHRASE_MAX]; /* distinct words and clusters so far */
    size_t seen_len[GH_PASSPHRASE_MAX];
    size_t n_seen;
    double bits; /* of everything but the ASCII string */
};

/* One cluster: its first code point, its ASCII base if any, how many code points follow. */
struct cluster {
    const uint8_t *start, *end;
    ucs4_t first;
    ucs4_t base;
    size_t extra;
    enum kind kind;
};

static bool
syllabic(ucs4_t c)
{
    return uc_is_property_ideographic(c) || (c >= 0x1100 && c <= 0x11FF) ||
           (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3130 && c <= 0x318F) ||
           (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF);
}

static enum kind
kind_of(ucs4_t first, ucs4_t base)
{
    if (base < 0x80) {
        return K_ASCII;
    }
    if (syllabic(first)) {
        return K_SYLLABLE;
    }
    if (uc_is_general_category(first, UC_CATEGORY_L)) {
        return K_LETTER;
    }
    if (uc_is_general_category(first, UC_CATEGORY_Nd)) {
        return K_DIGIT;
    }
    if (uc_is_general_category(first, UC_CATEGORY_Cf) ||
        uc_is_general_category(first, UC_CATEGORY_Z)) {
        return K_FORMAT;
    }
    if (uc_is_general_category(first, UC_CATEGORY_M)) {
        return K_MARK;
    }
    return K_SYMBOL;
}

/* Follows canonical decompositions down to the base character; each step adds one accent. */
static ucs4_t
base_of(ucs4_t c, size_t *accents)
{
    ucs4_t d[UC_DECOMPOSITION_MAX_LENGTH];

    for (int depth = 0; depth < 4; depth++) {
        int n = uc_canonical_decomposition(c, d);

        if (n <= 0) {
            break;
        }
        *accents += (size_t)n - 1;
        c = d[0];
    }
    return c;
}

/*
 * Whether the next cluster joins this one: libunistring 1.0 splits emoji ZWJ sequences and
 * flags, which UAX #29 keeps whole (GB11: ZWJ then a pictograph; GB12/13: indicators in pairs).
 * ri counts the regional indicators so far.
 */
static bool
joins(ucs4_t last, size_t ri, ucs4_t next)
{
    if (last == 0x200D && uc_is_property_extended_pictographic(next)) {
        return true;
    }
    return ri % 2 == 1 && uc_is_property_regional_indicator(next);
}

static void
cluster_at(const uint8_t *p, const uint8_t *end, struct cluster *k)
{
    ucs4_t c = 0, next;
    size_t cps = 0, ri = 0;

    k->start = p;
    k->end = p;
    u8_mbtouc(&k->first, p, (size_t)(end - p));
    for (;;) {
        const uint8_t *stop = u8_grapheme_next(k->end, end);

        while (k->end < stop) {
            k->end += u8_mbtouc(&c, k->end, (size_t)(stop - k->end));
            ri += uc_is_property_regional_indicator(c) ? 1 : 0;
            cps++;
        }
        if (k->end >= end) {
            break;
        }
        u8_mbtouc(&next, k->end, (size_t)(end - k->end));
        if (!joins(c, ri, next)) {
            break;
        }
    }
    k->extra = cps - 1; /* the code points after the first */
    k->base = base_of(k->first, &k->extra);
    k->kind = kind_of(k->first, k->base);
}

/* Counts a word or cluster: its own bits when new, the cost of a repeat otherwise. */
static void
unit(struct fallback *f, const uint8_t *s, size_t n, double bits)
{
    for (size_t i = 0; i < f->n_seen; i++) {
        if (f->seen_len[i] == n &&
            gh__pp_same_bytes((const char *)f->seen[i], (const char *)s, n)) {
            f->bits += fmax(1.0, log2((double)f->n_seen));
            return;
        }
    }
    if (f->n_seen < GH_ARRAY_LEN(f->seen)) {
        f->seen[f->n_seen] = s;
        f->seen_len[f->n_seen++] = n;
    }
    f->bits += bits;
}

/* A run of letters of one script starting at k: one word.  Returns where it ends. */
static const uint8_t *
word(struct fallback *f, const struct cluster *k, const uint8_t *end)
{
    const uc_script_t *script = uc_script(k->first);
    struct cluster next = *k;
    double letters = 0, extra = 0;

    while (next.kind == K_LETTER && uc_script(next.first) == script) {
        letters += 1;
        extra += (double)next.extra;
        if (next.end >= end) {
            next.start = next.end;
            break;
        }
        cluster_at(next.end, end, &next);
    }
    unit(f, k->start, (size_t)(next.start - k->start),
         fmin(letters * LETTER_BITS + extra * EXTRA_BITS, WORD_BITS));
    return next.start;
}

static const uint8_t *
one_cluster(struct fallback *f, const struct cluster *k, const uint8_t *end)
{
    double extra = (double)k->extra;

    switch (k->kind) {
    case K_ASCII:
        f->ascii[f->ascii_len++] = (char)k->base;
        f->bits += extra * MARK_BITS;
        return k->end;
    case K_LETTER:
        return word(f, k, end);
    case K_FORMAT:
        f->bits += (1 + extra) * FORMAT_BITS;
        return k->end;
    case K_MARK:
        f->bits += (1 + extra) * MARK_BITS;
        return k->end;
    case K_SYLLABLE:
        unit(f, k->start, (size_t)(k->end - k->start), SYLLABLE_BITS + extra * EXTRA_BITS);
        return k->end;
    case K_DIGIT:
        unit(f, k->start, (size_t)(k->end - k->start), DIGIT_BITS + extra * EXTRA_BITS);
        return k->end;
    case K_SYMBOL:
    default:
        unit(f, k->start, (size_t)(k->end - k->start), SYMBOL_BITS + extra * EXTRA_BITS);
        return k->end;
    }
}

double
gh__pp_fallback(const char *text, size_t len, char ascii[GH_PASSPHRASE_MAX + 1])
{
    struct fallback f;
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    double bits;

    memset(&f, 0, sizeof(f));
    while (p < end && f.ascii_len < GH_PASSPHRASE_MAX) {
        struct cluster k;

        cluster_at(p, end, &k);
        p = one_cluster(&f, &k, end);
    }
    memcpy(ascii, f.ascii, f.ascii_len);
    ascii[f.ascii_len] = '\0';
    bits = f.bits;
    sodium_memzero(&f, sizeof(f));
    return bits;
}
