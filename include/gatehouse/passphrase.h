/*
 * passphrase.h -- the passphrase policy and its honest explanation.
 *
 * A passphrase is checked after Unicode NFKC normalisation: its length in code points, refusals
 * (too short, too long, invalid text, common or guessable, found in a blocklist or breach list,
 * built on context words), and two strength figures side by side: the plain keyspace (the
 * character pool to the power of the length, an upper bound for random choice) and the
 * realistic estimate (zxcvbn's guesses for ASCII, a conservative fallback otherwise), with
 * crack-time estimates for three attackers.  Pure: no I/O besides reading the blocklist file.
 */
#ifndef GATEHOUSE_PASSPHRASE_H
#define GATEHOUSE_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

#define GH_PASSPHRASE_MIN_DEFAULT                   14  /* code points */
#define GH_PASSPHRASE_MIN_FLOOR                     8   /* a configured minimum never goes below */
#define GH_PASSPHRASE_MAX                           256 /* code points */
/* Longest input even looked at (bytes): 256 code points of at most 4 bytes each. */
#define GH_PASSPHRASE_MAX_BYTES                     1024
#define GH_PASSPHRASE_MIN_GUESSES_LOG10_DEFAULT     10.0
/*
 * The attackers' default rates (guesses per second); see passphrase_strength.c for why.
 * Online: the login throttle (5 failures per 15 minutes per user, then locks of 1, 2, 4 and 8
 * minutes) lets at most 8 guesses through per 15 minutes.  Offline: one GPU against Argon2id
 * m = 64 MiB, t = 2 (the default).  Fast hash: a GPU rig against an unsalted fast hash, fixed.
 */
#define GH_PASSPHRASE_ONLINE_GUESSES_PER_S_DEFAULT  (8.0 / 900.0)
#define GH_PASSPHRASE_OFFLINE_GUESSES_PER_S_DEFAULT 1e4
#define GH_PASSPHRASE_FAST_HASH_GUESSES_PER_S       1e10
/* Debian's diceware package ships the EFF large word list here. */
#define GH_PASSPHRASE_WORDLIST_DEFAULT                                                             \
    "/usr/lib/python3/dist-packages/diceware/wordlists/wordlist_en_eff.txt"
#define GH_PASSPHRASE_WORDS_DEFAULT 6
#define GH_PASSPHRASE_WORDS_MIN     4
#define GH_PASSPHRASE_WORDS_MAX     20

/* Refusal reasons, as machine-readable codes (X(name, code, sentence)). */
#define GH_PASSPHRASE_REASONS(X)                                                                   \
    X(GH_PP_TOO_SHORT, "too_short", "It is shorter than the minimum length.")                      \
    X(GH_PP_TOO_LONG, "too_long", "It is longer than 256 characters.")                             \
    X(GH_PP_INVALID_TEXT, "invalid_text",                                                          \
      "It is not valid text: invalid UTF-8, a NUL or a control character.")                        \
    X(GH_PP_GUESSABLE, "guessable", "It is common or easy to guess.")                              \
    X(GH_PP_BLOCKLISTED, "blocklisted", "It is on the list of forbidden passphrases.")             \
    X(GH_PP_BREACHED, "breached", "It has appeared in a data breach.")                             \
    X(GH_PP_CONTEXT, "context", "It is built on your e-mail, your name or the account's name.")    \
    X(GH_PP_REUSED, "reused", "It is one of your last 5 passphrases.")

#define GH_PP_ENUM_(name, code, sentence) name,
enum gh_passphrase_reason { GH_PASSPHRASE_REASONS(GH_PP_ENUM_) GH_PP_COUNT_ };
#undef GH_PP_ENUM_

/** The reason's code ("too_short") and its plain sentence. */
GH_API const char *gh_passphrase_reason_code(enum gh_passphrase_reason r);
GH_API const char *gh_passphrase_reason_sentence(enum gh_passphrase_reason r);

struct gh_passphrase_policy {
    unsigned min_length;         /* code points; 0: the default; never below the floor */
    double min_guesses_log10;    /* 0: the default (10) */
    const char *blocklist_path;  /* a file of forbidden passphrases, one per line; NULL: none */
    double online_guesses_per_s; /* what the login throttle allows an online attacker; 0: default */
    double
        offline_guesses_per_s; /* what our Argon2id parameters allow one offline GPU; 0: default */
};

/* What the passphrase is checked against besides itself. */
struct gh_passphrase_context {
    const char *email;
    const char *name;
    const char *account_name;
};

#define GH_PASSPHRASE_POOL_TEXT     128
#define GH_PASSPHRASE_KEYSPACE_TEXT 64
#define GH_PASSPHRASE_MESSAGE       512

struct gh_passphrase_report {
    bool accept;
    unsigned reasons;                   /* bit (1 << enum gh_passphrase_reason) per reason */
    size_t length;                      /* code points after NFKC */
    unsigned pool_size;                 /* characters an attacker must try per position */
    char pool[GH_PASSPHRASE_POOL_TEXT]; /* e.g. "lowercase letters, digits" */
    double keyspace_log10;              /* log10(pool_size ^ length) */
    char keyspace[GH_PASSPHRASE_KEYSPACE_TEXT]; /* "95^8 = 6.634 × 10^15" */
    double guesses_log10;                       /* realistic estimate */
    bool estimate_from_zxcvbn;                  /* false: the fallback for non-ASCII text */
    double online_seconds;               /* expected time to guess, online, against our throttle */
    double offline_seconds;              /* offline against our Argon2id parameters */
    double fast_hash_seconds;            /* offline against a fast hash, 10^10 guesses/s */
    char message[GH_PASSPHRASE_MESSAGE]; /* one plain sentence: the verdict and why */
    unsigned min_length;                 /* the minimum applied (the policy's, after the floor) */
    bool breach_checked; /* looked up in the breached-passphrase index (false: none configured) */
};

/**
 * Normalises (NFKC) and checks a passphrase.  Fills out whatever the verdict; GH_OK even when
 * the passphrase is refused (out->accept is false); an error only when the check itself could
 * not run (GH_E_NOMEM, GH_E_IO for a missing, unreadable or oversized blocklist, GH_E_INVALID
 * for NULL text or out, an impossible policy or context strings that are not valid text).
 * Breach and history checks need the store and are added by the caller (the user use cases)
 * through gh_passphrase_refuse.  Text longer than GH_PASSPHRASE_MAX_BYTES is refused as
 * too_long without being read (length 0); invalid or too long text gets no estimate
 * (guesses_log10 0).  Crack times saturate at DBL_MAX.  Wipes every copy of the passphrase it
 * makes (copies inside libzxcvbn and libunistring are out of its reach).
 */
GH_API GH_MUST_CHECK gh_err gh_passphrase_check(const struct gh_passphrase_policy *policy,
                                                const char *text, size_t len,
                                                const struct gh_passphrase_context *context,
                                                struct gh_passphrase_report *out);

/** Adds a reason to a report (e.g. breached, reused) and refreshes its verdict and message. */
GH_API void gh_passphrase_refuse(struct gh_passphrase_report *report,
                                 enum gh_passphrase_reason reason);

/**
 * NFKC-normalises text into out (NUL-terminated, at most cap - 1 bytes): the form that is
 * hashed and compared.  GH_E_INVALID for invalid UTF-8, NUL or control characters, GH_E_LIMIT
 * when the result does not fit.
 */
GH_API GH_MUST_CHECK gh_err gh_passphrase_normalize(const char *text, size_t len, char *out,
                                                    size_t cap);

/**
 * "95^8 = 6.634 × 10^15": pool^length in the seed page's notation (four significant digits);
 * values below 10^6 are written whole ("26^3 = 17576").  Truncated to cap - 1 bytes.
 */
GH_API void gh_keyspace_text(unsigned pool, unsigned length, char *out, size_t cap);

/** A duration in words: "less than a second", "5 minutes", "3 centuries", "about 10^12 years". */
GH_API void gh_duration_text(double seconds, char *out, size_t cap);

/**
 * A diceware passphrase of words words (default 6) from the EFF large word list (7776 words),
 * separated by spaces; bits receives its entropy (words x log2(7776)).  wordlist_path NULL:
 * GH_PASSPHRASE_WORDLIST_DEFAULT; a line is "word" or "<dice digits> word".  words 0: the
 * default; GH_E_INVALID outside 4..20 or for a malformed list (fewer than 2 words, a repeated
 * word, a word with spaces or control characters), GH_E_IO when the list cannot be read,
 * GH_E_LIMIT when out is too small.  out is wiped on failure.
 */
GH_API GH_MUST_CHECK gh_err gh_passphrase_generate(const char *wordlist_path, unsigned words,
                                                   char *out, size_t cap, double *bits);

#endif
