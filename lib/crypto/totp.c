/*
 * totp.c -- RFC 4226 HOTP and RFC 6238 TOTP codes, their constant-time verification over a
 * window of one step with replay refusal, RFC 4648 base32, and the otpauth:// key URI.
 *
 * HMAC-SHA256 and -SHA512 come from libsodium; HMAC-SHA1 is RFC 2104 written over OpenSSL's
 * SHA-1 (its low-level SHA1_* functions: deprecated in OpenSSL 3, but they run the same
 * SHA-NI/AVX2 assembly, and their state is a plain struct, where OpenSSL 3.0's
 * EVP_MD_CTX_copy_ex allocates at every copy).  Either way the key's inner and outer states are
 * computed once per verification and copied for each of the three candidates: 8 SHA-1 blocks
 * instead of 12, and no allocation.  bench/totp measures it against liboath and otplib.
 *
 * Hand-written rather than liboath (Debian 12's liboath 2.6.7, oath-toolkit): oath_totp_validate
 * compares candidates with strcmp and returns at the first match (the time says which step
 * matched, and is shortest for the current one); it takes the number of digits from the
 * submitted code's own length (so a 6-digit guess is checked against an 8-digit factor unless the
 * caller checks first); it knows no last accepted step (validate3's otp_counter lets a caller
 * refuse replays after the fact); and its SHA-1 and HMAC are gnulib's portable C.  What is left
 * to write is about 40 lines around HMAC (RFC 4226 §5.3's truncation); oathtool and otplib
 * cross-check them in tests/unit/totp_interop_test.c.  Base32 is hand-written too: libsodium
 * has no base32, and the decoder here is branch-free per character like libsodium's codecs.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_Init, SHA1_Update, SHA1_Final: see above */

#include <openssl/sha.h>
#include <sodium.h>

#include "internal.h"

#define SHA1_BLOCK 64
#define MAC_MAX    crypto_auth_hmacsha512_BYTES

static const char *const alg_names[] = {
    [GH_TOTP_SHA1] = "SHA1",
    [GH_TOTP_SHA256] = "SHA256",
    [GH_TOTP_SHA512] = "SHA512",
};

const char *
gh_totp_alg_name(enum gh_totp_alg alg)
{
    return (unsigned)alg < GH_ARRAY_LEN(alg_names) ? alg_names[alg] : NULL;
}

gh_err
gh_totp_alg_parse(const char *text, enum gh_totp_alg *out)
{
    GH_ENSURE(text != NULL && out != NULL, GH_E_INVALID);
    for (size_t i = 0; i < GH_ARRAY_LEN(alg_names); i++) {
        size_t n = strlen(alg_names[i]);

        /* Names, not secrets; lib/crypto compares only through sodium_memcmp. */
        if (strlen(text) == n && sodium_memcmp(text, alg_names[i], n) == 0) {
            *out = (enum gh_totp_alg)i;
            return GH_OK;
        }
    }
    return GH_E_INVALID;
}

gh_err
gh_totp_params_check(const struct gh_totp_params *p)
{
    GH_ENSURE(p != NULL && gh_totp_alg_name(p->alg) != NULL, GH_E_INVALID);
    GH_ENSURE(p->digits >= GH_TOTP_DIGITS_MIN && p->digits <= GH_TOTP_DIGITS_MAX, GH_E_INVALID);
    GH_ENSURE(p->period_s >= GH_TOTP_PERIOD_MIN && p->period_s <= GH_TOTP_PERIOD_MAX, GH_E_INVALID);
    return GH_OK;
}

/* ---- base32 (RFC 4648 §6), branch-free per character like libsodium's codecs ---- */

/* 0xffff when a <= x <= b, else 0 (x, a and b below 2^16: a difference below zero wraps). */
static unsigned
in_range(unsigned x, unsigned a, unsigned b)
{
    unsigned outside = ((x - a) | (b - x)) >> 31;

    return (outside - 1u) & 0xffffu;
}

/* The character of a 5-bit value: 'A'..'Z' for 0..25, '2'..'7' for 26..31. */
static char
b32_char(unsigned v)
{
    unsigned digit = 0u - ((25u - v) >> 8 & 1u); /* all ones when v > 25 */

    return (char)(v + 'A' - (digit & ('A' + 26u - '2')));
}

/* The value of a base32 character in either case, or 0xff. */
static unsigned
b32_value(unsigned char c)
{
    unsigned x = c;
    unsigned upper = in_range(x, 'A', 'Z');
    unsigned lower = in_range(x, 'a', 'z');
    unsigned digit = in_range(x, '2', '7');
    unsigned none = ~(upper | lower | digit) & 0xffffu;

    return ((x - 'A') & upper) | ((x - 'a') & lower) | ((x - '2' + 26) & digit) | (0xff & none);
}

gh_err
gh_base32_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;

    GH_ENSURE(out != NULL && cap > 0 && (in != NULL || len == 0), GH_E_INVALID);
    out[0] = '\0';
    GH_ENSURE(len <= GH_BASE32_BYTES_MAX && GH_BASE32_LEN(len) < cap, GH_E_LIMIT);
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_char((acc >> bits) & 0x1f);
        }
    }
    if (bits > 0) {
        out[o++] = b32_char((acc << (5 - bits)) & 0x1f);
    }
    out[o] = '\0';
    sodium_memzero(&acc, sizeof(acc));
    return GH_OK;
}

/* The padding RFC 4648 puts after n % 8 data characters; -1 for an impossible remainder. */
static int
b32_padding(size_t rem)
{
    static const int pad[8] = {0, -1, 6, -1, 4, 3, -1, 1};

    return pad[rem % 8];
}

gh_err
gh_base32_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n = len;
    size_t pad = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    unsigned bad = 0;
    size_t o = 0;

    GH_ENSURE(out_len != NULL, GH_E_INVALID);
    *out_len = 0;
    GH_ENSURE((in != NULL || len == 0) && (out != NULL || cap == 0), GH_E_INVALID);
    while (n > 0 && p[n - 1] == '=') {
        n--;
        pad++;
    }
    GH_ENSURE(b32_padding(n % 8) >= 0, GH_E_INVALID);
    GH_ENSURE(pad == 0 || (len % 8 == 0 && pad == (size_t)b32_padding(n % 8)), GH_E_INVALID);
    GH_ENSURE(n / 8 * 5 + n % 8 * 5 / 8 <= cap, GH_E_LIMIT);
    for (size_t i = 0; i < n; i++) {
        unsigned v = b32_value(p[i]);

        bad |= v >> 5; /* 0xff: not in the alphabet ('=' inside the data included) */
        acc = (acc << 5) | (v & 0x1f);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    bad |= acc & ((1u << bits) - 1); /* the last character's unused bits must be zero */
    sodium_memzero(&acc, sizeof(acc));
    if (bad != 0) {
        sodium_memzero(out, o);
        return GH_E_INVALID;
    }
    *out_len = o;
    return GH_OK;
}

gh_err
gh_totp_secret_new(uint8_t out[GH_TOTP_SECRET_LEN])
{
    GH_ENSURE(out != NULL, GH_E_INVALID);
    randombytes_buf(out, GH_TOTP_SECRET_LEN);
    return GH_OK;
}

/* ---- HMAC of a counter, the key prepared once ---- */

struct mac_key {
    enum gh_totp_alg alg;
    union {
        struct {
            SHA_CTX inner; /* after the key ^ ipad block */
            SHA_CTX outer; /* after the key ^ opad block */
        } sha1;
        crypto_auth_hmacsha256_state sha256;
        crypto_auth_hmacsha512_state sha512;
    } u;
};

/* RFC 2104 with a key of at most one block (GH_TOTP_SECRET_MAX == SHA1_BLOCK): no key hash. */
static void
sha1_key_init(struct mac_key *k, const uint8_t *secret, size_t len)
{
    uint8_t pad[SHA1_BLOCK];

    memset(pad, 0x36, sizeof(pad));
    for (size_t i = 0; i < len; i++) {
        pad[i] ^= secret[i];
    }
    SHA1_Init(&k->u.sha1.inner);
    SHA1_Update(&k->u.sha1.inner, pad, sizeof(pad));
    for (size_t i = 0; i < sizeof(pad); i++) {
        pad[i] ^= 0x36 ^ 0x5c;
    }
    SHA1_Init(&k->u.sha1.outer);
    SHA1_Update(&k->u.sha1.outer, pad, sizeof(pad));
    sodium_memzero(pad, sizeof(pad));
}

/* HMAC-SHA1 of the 8-byte counter from the prepared states: one block for each hash. */
static void
sha1_mac(const struct mac_key *k, const uint8_t msg[8], uint8_t mac[SHA_DIGEST_LENGTH])
{
    SHA_CTX st = k->u.sha1.inner;
    uint8_t inner[SHA_DIGEST_LENGTH];

    SHA1_Update(&st, msg, 8);
    SHA1_Final(inner, &st);
    st = k->u.sha1.outer;
    SHA1_Update(&st, inner, sizeof(inner));
    SHA1_Final(mac, &st);
    sodium_memzero(&st, sizeof(st));
    sodium_memzero(inner, sizeof(inner));
}

static void
key_init(struct mac_key *k, enum gh_totp_alg alg, const uint8_t *secret, size_t len)
{
    k->alg = alg;
    switch (alg) {
    case GH_TOTP_SHA256:
        crypto_auth_hmacsha256_init(&k->u.sha256, secret, len);
        break;
    case GH_TOTP_SHA512:
        crypto_auth_hmacsha512_init(&k->u.sha512, secret, len);
        break;
    case GH_TOTP_SHA1:
    default:
        sha1_key_init(k, secret, len);
        break;
    }
}

/* mac = HMAC(key, counter as 8 big-endian bytes); returns its length. */
static size_t
key_mac(const struct mac_key *k, uint64_t counter, uint8_t mac[MAC_MAX])
{
    uint8_t msg[8];
    size_t n = 0;

    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)counter;
        counter >>= 8;
    }
    switch (k->alg) {
    case GH_TOTP_SHA256: {
        crypto_auth_hmacsha256_state st = k->u.sha256;

        crypto_auth_hmacsha256_update(&st, msg, sizeof(msg));
        crypto_auth_hmacsha256_final(&st, mac);
        sodium_memzero(&st, sizeof(st));
        n = crypto_auth_hmacsha256_BYTES;
        break;
    }
    case GH_TOTP_SHA512: {
        crypto_auth_hmacsha512_state st = k->u.sha512;

        crypto_auth_hmacsha512_update(&st, msg, sizeof(msg));
        crypto_auth_hmacsha512_final(&st, mac);
        sodium_memzero(&st, sizeof(st));
        n = crypto_auth_hmacsha512_BYTES;
        break;
    }
    case GH_TOTP_SHA1:
    default:
        sha1_mac(k, msg, mac);
        n = SHA_DIGEST_LENGTH;
        break;
    }
    return n;
}

/* RFC 4226 §5.3: dynamic truncation to 31 bits, then the low `digits` decimal digits. */
static uint32_t
truncate_mac(const uint8_t *mac, size_t len, unsigned digits)
{
    static const uint32_t mod[] = {1000000, 10000000, 100000000};
    unsigned off = mac[len - 1] & 0xf;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];

    return bin % mod[digits - GH_TOTP_DIGITS_MIN];
}

/* value as exactly `digits` decimal digits (leading zeros), NUL-terminated. */
static void
code_text(uint32_t value, unsigned digits, char out[GH_TOTP_CODE_SIZE])
{
    for (unsigned i = digits; i > 0; i--) {
        out[i - 1] = (char)('0' + value % 10);
        value /= 10;
    }
    out[digits] = '\0';
}

static gh_err
secret_check(const uint8_t *secret, size_t len)
{
    GH_ENSURE(secret != NULL && len >= GH_TOTP_SECRET_MIN && len <= GH_TOTP_SECRET_MAX,
              GH_E_INVALID);
    return GH_OK;
}

gh_err
gh_hotp_code(const struct gh_totp_params *p, const uint8_t *secret, size_t len, uint64_t counter,
             char out[GH_TOTP_CODE_SIZE])
{
    struct mac_key k;
    uint8_t mac[MAC_MAX];
    size_t n;

    GH_ENSURE(out != NULL, GH_E_INVALID);
    out[0] = '\0';
    GH_TRY(gh_totp_params_check(p));
    GH_TRY(secret_check(secret, len));
    key_init(&k, p->alg, secret, len);
    n = key_mac(&k, counter, mac);
    code_text(truncate_mac(mac, n, p->digits), p->digits, out);
    sodium_memzero(&k, sizeof(k));
    sodium_memzero(mac, sizeof(mac));
    return GH_OK;
}

int64_t
gh_totp_step(const struct gh_totp_params *p, int64_t now_s)
{
    if (gh_totp_params_check(p) != GH_OK || now_s < 0) {
        return -1;
    }
    return now_s / (int64_t)p->period_s;
}

gh_err
gh_totp_code(const struct gh_totp_params *p, const uint8_t *secret, size_t len, int64_t now_s,
             char out[GH_TOTP_CODE_SIZE])
{
    int64_t step = gh_totp_step(p, now_s);

    GH_ENSURE(out != NULL, GH_E_INVALID);
    out[0] = '\0';
    GH_ENSURE(step >= 0, GH_E_INVALID);
    return gh_hotp_code(p, secret, len, (uint64_t)step, out);
}

/* ---- verification (RFC 6238 §5.2), deliberately constant-time in the code and the secret ---- */

/* All ones when x is 1, all zeros when it is 0. */
static uint64_t
mask_of(unsigned x)
{
    return (uint64_t)0 - (uint64_t)(x & 1u);
}

/*
 * The submitted code in a fixed buffer, and whether it is exactly `digits` digits.  The length
 * is the submitter's own, but the verdict only ever masks the comparisons: a malformed code
 * runs the same candidates and comparisons as a wrong one.
 */
static unsigned
code_read(const char *code, unsigned digits, char buf[GH_TOTP_CODE_SIZE])
{
    size_t len = strnlen(code, GH_TOTP_DIGITS_MAX + 1);
    unsigned bad = len != digits;

    memset(buf, 0, GH_TOTP_CODE_SIZE);
    memcpy(buf, code, len < digits ? len : digits);
    for (unsigned i = 0; i < digits; i++) {
        bad |= (unsigned)(buf[i] - '0') > 9u;
    }
    return bad == 0;
}

gh_err
gh_totp_verify(const struct gh_totp_params *p, const uint8_t *secret, size_t len, const char *code,
               int64_t now_s, int64_t last_step, enum gh_totp_verdict *verdict,
               int64_t *matched_step)
{
    struct mac_key k;
    uint8_t mac[MAC_MAX];
    char given[GH_TOTP_CODE_SIZE];
    char cand[GH_TOTP_CODE_SIZE];
    uint64_t fresh = 0;    /* all ones once a step after last_step matched */
    uint64_t stale = 0;    /* all ones once a step at or before last_step matched */
    uint64_t fresh_at = 0; /* the latest fresh step that matched */
    uint64_t stale_at = 0; /* the latest stale step that matched */
    unsigned well_formed;
    int64_t step;

    GH_ENSURE(verdict != NULL && matched_step != NULL, GH_E_INVALID);
    *verdict = GH_TOTP_WRONG;
    *matched_step = -1;
    GH_TRY(gh_totp_params_check(p));
    GH_TRY(secret_check(secret, len));
    GH_ENSURE(code != NULL && now_s >= 0, GH_E_INVALID);
    step = now_s / (int64_t)p->period_s;

    well_formed = code_read(code, p->digits, given);
    key_init(&k, p->alg, secret, len);
    /* Every candidate, oldest first, no early exit; only the (public) steps steer anything. */
    for (int64_t s = step - GH_TOTP_WINDOW; s <= step + GH_TOTP_WINDOW; s++) {
        size_t n = key_mac(&k, (uint64_t)s, mac);
        uint64_t eq;

        code_text(truncate_mac(mac, n, p->digits), p->digits, cand);
        eq = mask_of((unsigned)(sodium_memcmp(cand, given, p->digits) + 1)) & mask_of(well_formed) &
             mask_of(s >= 0);
        fresh_at = (fresh_at & ~(eq & mask_of(s > last_step))) |
                   ((uint64_t)s & eq & mask_of(s > last_step));
        stale_at = (stale_at & ~(eq & mask_of(s <= last_step))) |
                   ((uint64_t)s & eq & mask_of(s <= last_step));
        fresh |= eq & mask_of(s > last_step);
        stale |= eq & mask_of(s <= last_step);
    }
    sodium_memzero(&k, sizeof(k));
    sodium_memzero(mac, sizeof(mac));
    sodium_memzero(given, sizeof(given));
    sodium_memzero(cand, sizeof(cand));

    if (fresh != 0) {
        *verdict = GH_TOTP_MATCH;
        *matched_step = (int64_t)fresh_at;
    } else if (stale != 0) {
        *verdict = GH_TOTP_REPLAYED;
        *matched_step = (int64_t)stale_at;
    }
    return GH_OK;
}

/* ---- the key URI (Google Authenticator's Key Uri Format) ---- */

/* Appends s percent-encoded: RFC 3986's unreserved characters as they are, every other byte
 * as %XX (upper-case hex). */
static gh_err
append_encoded(struct gh_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        char esc[3] = {'%', hex[*c >> 4], hex[*c & 0xf]};
        int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' || *c == '~';

        GH_TRY(plain ? gh__buf_append(b, c, 1) : gh__buf_append(b, esc, sizeof(esc)));
    }
    return GH_OK;
}

/* UTF-8 without control characters, 1 to max bytes. */
static int
text_ok(const char *s, size_t max)
{
    size_t n = s != NULL ? strnlen(s, max + 1) : 0;

    return n >= 1 && n <= max && gh_utf8_count(s, n) >= 0;
}

gh_err
gh_totp_uri(const struct gh_totp_params *p, const uint8_t *secret, size_t len, const char *issuer,
            const char *label, char *out, size_t cap)
{
    char b32[GH_TOTP_SECRET_B32_SIZE];
    char tail[96];
    struct gh_buf b;
    gh_err rc;

    GH_ENSURE(out != NULL && cap > 0, GH_E_INVALID);
    out[0] = '\0';
    GH_TRY(gh_totp_params_check(p));
    GH_TRY(secret_check(secret, len));
    GH_ENSURE(text_ok(issuer, GH_TOTP_ISSUER_MAX) && text_ok(label, GH_TOTP_LABEL_MAX),
              GH_E_INVALID);
    GH_TRY(gh_base32_encode(secret, len, b32, sizeof(b32)));
    snprintf(tail, sizeof(tail), "&algorithm=%s&digits=%u&period=%u", gh_totp_alg_name(p->alg),
             p->digits, p->period_s);

    gh__buf_init(&b, GH_TOTP_URI_SIZE);
    rc = gh__buf_appendz(&b, "otpauth://totp/");
    if (rc == GH_OK) {
        rc = append_encoded(&b, issuer);
    }
    if (rc == GH_OK) {
        rc = gh__buf_appendz(&b, ":");
    }
    if (rc == GH_OK) {
        rc = append_encoded(&b, label);
    }
    if (rc == GH_OK) {
        rc = gh__buf_appendz(&b, "?secret=");
    }
    if (rc == GH_OK) {
        rc = gh__buf_appendz(&b, b32);
    }
    if (rc == GH_OK) {
        rc = gh__buf_appendz(&b, "&issuer=");
    }
    if (rc == GH_OK) {
        rc = append_encoded(&b, issuer);
    }
    if (rc == GH_OK) {
        rc = gh__buf_appendz(&b, tail);
    }
    if (rc == GH_OK && b.len >= cap) {
        rc = GH_E_LIMIT;
    }
    if (rc == GH_OK) {
        memcpy(out, b.data, b.len + 1);
    }
    sodium_memzero(b32, sizeof(b32));
    gh__buf_clear(&b);
    return rc;
}
