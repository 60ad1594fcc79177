/*
 * access_token.c -- Twilio Access Tokens, the pure part: signing (the claims in the order
 * Twilio's library writes them) and parsing under RFC 8725 (JSON Web Token Best Current
 * Practices): the header's `alg` is only compared with the key's algorithm, never trusted;
 * `none` and asymmetric algorithms are refused outright; base64url is checked against its
 * alphabet before decoding (libsodium 1.0.18 reads bytes 0x80..0xFF as '/'), without padding;
 * JSON objects with duplicate keys are refused (jansson's JSON_REJECT_DUPLICATES); a token is
 * at most 8 KiB.  HMAC-SHA256 and -SHA512 from libsodium, HMAC-SHA384 (not in libsodium) from
 * OpenSSL; the signature is compared with sodium_memcmp.
 *
 * Hand-written JWS framing rather than a JWT library (Debian 12 has libjwt): every rule here
 * (the key's algorithm, duplicate keys refused, strict base64url, one Twilio error code per
 * failure) would have to be checked again around a library's decoder, and the framing itself is
 * about 100 lines.
 */
#include <inttypes.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "crypto/jws.h"

#define CTY         "twilio-fpa;v=1"
#define PART_MAX    GH_JWT_MAX
#define HEADER_MAX  512 /* bytes of a decoded header, at most */
#define HEADER_JSON "{\"alg\":\"%s\",\"typ\":\"JWT\",\"cty\":\"" CTY "\"%s%s%s}"

/* Equal texts (names, not secrets; lib/crypto compares only through sodium_memcmp). */
static bool
same(const char *a, const char *b)
{
    size_t n = strlen(a);

    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

static const struct {
    enum gh_jwt_alg alg;
    const char *name;
} algs[] = {{GH_JWT_HS256, "HS256"}, {GH_JWT_HS384, "HS384"}, {GH_JWT_HS512, "HS512"}};

const char *
gh_jwt_alg_name(enum gh_jwt_alg alg)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(algs); i++) {
        if (algs[i].alg == alg) {
            return algs[i].name;
        }
    }
    return NULL;
}

gh_err
gh_jwt_alg_parse(const char *text, enum gh_jwt_alg *out)
{
    GH_ENSURE(text != NULL && out != NULL, GH_E_INVALID);
    for (size_t i = 0; i < GH_ARRAY_LEN(algs); i++) {
        if (same(text, algs[i].name)) {
            *out = algs[i].alg;
            return GH_OK;
        }
    }
    return GH_E_INVALID;
}

static const EVP_MD *
digest_of(enum gh_jwt_alg alg)
{
    switch (alg) {
    case GH_JWT_HS256:
        return EVP_sha256();
    case GH_JWT_HS384:
        return EVP_sha384();
    case GH_JWT_HS512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

gh_err
gh__jws_hmac(enum gh_jwt_alg alg, const void *key, size_t key_len, const char *data, size_t len,
             uint8_t out[64], size_t *out_len)
{
    const EVP_MD *md = digest_of(alg);
    unsigned int n = 0;

    GH_ENSURE(md != NULL && key_len <= INT32_MAX, GH_E_INVALID);
    /* libsodium for HS256 and HS512: OpenSSL 3's one-shot HMAC() looks its algorithm up on every
     * call, several times the cost of the MAC itself on a token. */
    if (alg == GH_JWT_HS256) {
        crypto_auth_hmacsha256_state st;

        crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, key_len);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)data, len);
        crypto_auth_hmacsha256_final(&st, out);
        sodium_memzero(&st, sizeof(st));
        *out_len = crypto_auth_hmacsha256_BYTES;
        return GH_OK;
    }
    if (alg == GH_JWT_HS512) {
        crypto_auth_hmacsha512_state st;

        crypto_auth_hmacsha512_init(&st, (const unsigned char *)key, key_len);
        crypto_auth_hmacsha512_update(&st, (const unsigned char *)data, len);
        crypto_auth_hmacsha512_final(&st, out);
        sodium_memzero(&st, sizeof(st));
        *out_len = crypto_auth_hmacsha512_BYTES;
        return GH_OK;
    }
    GH_ENSURE(HMAC(md, key, (int)key_len, (const unsigned char *)data, len, out, &n) != NULL,
              GH_E_CRYPTO);
    *out_len = n;
    return GH_OK;
}

/* ---- base64url ---- */

/*
 * A base64url digit's value plus one; 0 for anything else (padding, '+', '/', high bytes).
 * Decoded here rather than by libsodium: its decoder is generic (variants, ignored characters)
 * and was a fifth of a token's verification; this one is strict by construction.
 */
static const uint8_t b64url_plus_one[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['-'] = 63, ['_'] = 64,
};

/* Strict: the alphabet only, no padding, and the unused low bits of the last digit zero. */
gh_err
gh__b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
    uint32_t acc = 0;
    unsigned bad = 0;
    size_t o = 0;

    GH_ENSURE(len > 0 && len % 4 != 1 && n <= cap, GH_E_TOKEN_INVALID);
    for (size_t i = 0; i < len; i++) {
        unsigned v = b64url_plus_one[p[i]];

        bad |= v == 0;
        acc = (acc << 6) | ((v - 1) & 0x3f);
        if (i % 4 == 3) {
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            acc = 0;
        }
    }
    if (len % 4 == 2) {
        bad |= (acc & 0xf) != 0;
        out[o++] = (uint8_t)(acc >> 4);
    } else if (len % 4 == 3) {
        bad |= (acc & 0x3) != 0;
        out[o++] = (uint8_t)(acc >> 10);
        out[o++] = (uint8_t)(acc >> 2);
    }
    GH_ENSURE(bad == 0, GH_E_TOKEN_INVALID);
    *out_len = o;
    return GH_OK;
}

gh_err
gh__b64url_append(struct gh_buf *b, const void *data, size_t len)
{
    size_t need = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *tmp = gh__alloc(need);
    gh_err rc;

    GH_ENSURE(tmp != NULL, GH_E_NOMEM);
    sodium_bin2base64(tmp, need, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    rc = gh__buf_appendz(b, tmp);
    gh__free(tmp);
    return rc;
}

/* ---- signing ---- */

/* Frees json_dumps' text with jansson's own allocator (a server may install a wiping one). */
static void
json_text_free(char *text)
{
    json_malloc_t alloc_fn = NULL;
    json_free_t free_fn = NULL;

    json_get_alloc_funcs(&alloc_fn, &free_fn);
    if (text != NULL && free_fn != NULL) {
        free_fn(text);
    }
}

/* The grants object: identity first, then the caller's grants (which may not set identity). */
static gh_err
grants_text(const struct gh_access_token_spec *s, char **out)
{
    json_t *grants = json_object();
    json_t *extra = NULL;
    gh_err rc = GH_OK;

    GH_ENSURE(grants != NULL, GH_E_NOMEM);
    if (json_object_set_new(grants, "identity", json_string(s->identity)) != 0) {
        rc = GH_E_INVALID; /* not UTF-8 */
    }
    if (rc == GH_OK && s->grants_json != NULL) {
        extra = strlen(s->grants_json) <= GH_JWT_GRANTS_MAX
                    ? json_loads(s->grants_json, JSON_REJECT_DUPLICATES, NULL)
                    : NULL;
        if (!json_is_object(extra) || json_object_get(extra, "identity") != NULL ||
            json_object_update(grants, extra) != 0) {
            rc = GH_E_INVALID;
        }
    }
    *out = rc == GH_OK ? json_dumps(grants, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (rc == GH_OK && *out == NULL) {
        rc = GH_E_NOMEM;
    }
    json_decref(extra);
    json_decref(grants);
    return rc;
}

static gh_err
spec_ok(const struct gh_access_token_spec *s)
{
    GH_ENSURE(s != NULL && s->identity != NULL && s->account_sid != NULL && s->key_sid != NULL,
              GH_E_INVALID);
    GH_ENSURE(s->identity[0] != '\0' && strlen(s->identity) <= GH_JWT_IDENTITY_MAX, GH_E_INVALID);
    GH_ENSURE(gh_sid_valid(s->account_sid, "AC") && gh_sid_valid(s->key_sid, "SK"), GH_E_INVALID);
    GH_ENSURE(s->ttl_s >= 1 && s->ttl_s <= GH_JWT_TTL_MAX_S && s->iat > 0 && s->nbf >= 0,
              GH_E_INVALID);
    GH_ENSURE(gh_jwt_alg_name(s->alg) != NULL, GH_E_INVALID);
    GH_ENSURE(s->region == NULL || (strlen(s->region) <= 32 && strchr(s->region, '"') == NULL &&
                                    strchr(s->region, '\\') == NULL),
              GH_E_INVALID);
    return GH_OK;
}

gh_err
gh_access_token_sign(const struct gh_access_token_spec *spec, const char *secret, size_t secret_len,
                     char out[GH_JWT_SIZE])
{
    char header[160];
    char *grants = NULL;
    char *payload = NULL;
    struct gh_buf b;
    gh_err rc;

    GH_ENSURE(out != NULL && secret != NULL, GH_E_INVALID);
    out[0] = '\0';
    GH_TRY(spec_ok(spec));
    snprintf(header, sizeof(header), HEADER_JSON, gh_jwt_alg_name(spec->alg),
             spec->region != NULL ? ",\"twr\":\"" : "", spec->region != NULL ? spec->region : "",
             spec->region != NULL ? "\"" : "");
    GH_TRY(grants_text(spec, &grants));
    gh__buf_init(&b, PART_MAX * 2);
    rc = gh__buf_appendz(&b, "{\"jti\":\"");
    if (rc == GH_OK) {
        char tail[256];

        snprintf(tail, sizeof(tail), "%s-%" PRId64 "\",\"grants\":", spec->key_sid, spec->iat);
        rc = gh__buf_appendz(&b, tail);
    }
    if (rc == GH_OK) {
        rc = gh__buf_appendz(&b, grants);
    }
    if (rc == GH_OK) {
        char tail[256];

        if (spec->nbf > 0) {
            snprintf(tail, sizeof(tail), ",\"nbf\":%" PRId64, spec->nbf);
            rc = gh__buf_appendz(&b, tail);
        }
        snprintf(tail, sizeof(tail),
                 ",\"iat\":%" PRId64 ",\"exp\":%" PRId64 ",\"iss\":\"%s\",\"sub\":\"%s\"}",
                 spec->iat, spec->iat + spec->ttl_s, spec->key_sid, spec->account_sid);
        rc = rc == GH_OK ? gh__buf_appendz(&b, tail) : rc;
    }
    json_text_free(grants);
    payload = rc == GH_OK ? gh__strdup(b.data) : NULL;
    gh__buf_clear(&b);
    GH_ENSURE(rc == GH_OK, rc);
    GH_ENSURE(payload != NULL, GH_E_NOMEM);
    rc = gh__jws_compact(spec->alg, secret, secret_len, header, payload, out);
    gh__free(payload);
    return rc;
}

gh_err
gh__jws_compact(enum gh_jwt_alg alg, const void *key, size_t key_len, const char *header,
                const char *payload, char out[GH_JWT_SIZE])
{
    uint8_t mac[64];
    size_t mac_len = 0;
    struct gh_buf b;
    gh_err rc;

    out[0] = '\0';
    gh__buf_init(&b, GH_JWT_MAX);
    rc = gh__b64url_append(&b, header, strlen(header));
    rc = rc == GH_OK ? gh__buf_appendz(&b, ".") : rc;
    rc = rc == GH_OK ? gh__b64url_append(&b, payload, strlen(payload)) : rc;
    rc = rc == GH_OK ? gh__jws_hmac(alg, key, key_len, b.data, b.len, mac, &mac_len) : rc;
    rc = rc == GH_OK ? gh__buf_appendz(&b, ".") : rc;
    rc = rc == GH_OK ? gh__b64url_append(&b, mac, mac_len) : rc;
    if (rc == GH_OK) {
        memcpy(out, b.data, b.len + 1);
    }
    gh__buf_clear(&b);
    sodium_memzero(mac, sizeof(mac));
    return rc;
}

/* ---- parsing ---- */

/* A string member that must be present. */
static const char *
member_string(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An integer member: absent (false), or a JSON integer in range (true); else invalid. */
static gh_err
member_time(json_t *obj, const char *name, int64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, name);

    *present = v != NULL;
    *out = 0;
    if (v == NULL) {
        return GH_OK;
    }
    GH_ENSURE(json_is_integer(v), GH_E_TOKEN_INVALID);
    *out = (int64_t)json_integer_value(v);
    GH_ENSURE(*out >= 0 && *out <= INT64_C(253402300799), GH_E_TOKEN_INVALID); /* year 9999 */
    return GH_OK;
}

static gh_err
parse_header(const uint8_t *text, size_t len, struct gh_access_token *out)
{
    json_t *h = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
    const char *alg = json_is_object(h) ? member_string(h, "alg") : NULL;
    const char *typ = json_is_object(h) ? member_string(h, "typ") : NULL;
    const char *cty = json_is_object(h) ? member_string(h, "cty") : NULL;
    gh_err rc = GH_E_TOKEN_INVALID;

    if (alg != NULL && typ != NULL && cty != NULL && same(typ, "JWT") && same(cty, CTY) &&
        gh_jwt_alg_parse(alg, &out->alg) == GH_OK && json_object_get(h, "crit") == NULL) {
        rc = GH_OK;
    }
    json_decref(h);
    return rc;
}

static gh_err
copy_sid(const char *s, const char *prefix, char out[GH_SID_SIZE])
{
    GH_ENSURE(s != NULL && gh_sid_parse(s, prefix, out) == GH_OK, GH_E_TOKEN_INVALID);
    return GH_OK;
}

static gh_err
parse_claims(json_t *c, struct gh_access_token *out)
{
    const char *jti = member_string(c, "jti");
    json_t *grants = json_object_get(c, "grants");
    json_t *identity = json_object_get(grants, "identity");
    bool has_exp = false;

    GH_ENSURE(jti != NULL && strlen(jti) < sizeof(out->jti), GH_E_TOKEN_INVALID);
    memcpy(out->jti, jti, strlen(jti) + 1);
    GH_TRY(copy_sid(member_string(c, "iss"), "SK", out->iss));
    GH_TRY(copy_sid(member_string(c, "sub"), "AC", out->sub));
    GH_TRY(member_time(c, "exp", &out->exp, &has_exp));
    GH_ENSURE(has_exp, GH_E_TOKEN_INVALID);
    GH_TRY(member_time(c, "iat", &out->iat, &out->has_iat));
    GH_TRY(member_time(c, "nbf", &out->nbf, &out->has_nbf));
    GH_ENSURE(json_is_object(grants), GH_E_TOKEN_INVALID);
    GH_ENSURE(identity == NULL || json_is_string(identity), GH_E_TOKEN_INVALID);
    if (identity != NULL) {
        const char *id = json_string_value(identity);

        GH_ENSURE(strlen(id) <= GH_JWT_IDENTITY_MAX, GH_E_TOKEN_INVALID);
        memcpy(out->identity, id, strlen(id) + 1);
    }
    return GH_OK;
}

static gh_err
parse_payload(struct gh_access_token *out, size_t len)
{
    json_t *c = json_loadb(out->claims, len, JSON_REJECT_DUPLICATES, NULL);
    gh_err rc = json_is_object(c) ? parse_claims(c, out) : GH_E_TOKEN_INVALID;

    json_decref(c);
    return rc;
}

/* Resets what a parse fills, without touching the 8 KiB claims buffer beyond its first byte. */
static void
reset(struct gh_access_token *t)
{
    t->alg = 0;
    t->jti[0] = t->iss[0] = t->sub[0] = t->identity[0] = t->claims[0] = '\0';
    t->iat = t->exp = t->nbf = 0;
    t->has_iat = t->has_nbf = false;
    t->signing_input = NULL;
    t->signing_len = t->sig_len = 0;
}

gh_err
gh_access_token_parse(const char *token, size_t len, struct gh_access_token *out)
{
    uint8_t header[HEADER_MAX];
    const char *dot1;
    const char *dot2;
    size_t n = 0;
    gh_err rc;

    GH_ENSURE(token != NULL && out != NULL, GH_E_INVALID);
    reset(out);
    GH_ENSURE(len > 0 && len <= GH_JWT_MAX && memchr(token, '\0', len) == NULL, GH_E_TOKEN_INVALID);
    dot1 = memchr(token, '.', len);
    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    GH_ENSURE(dot2 != NULL && memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) == NULL,
              GH_E_TOKEN_INVALID);
    rc = gh__b64url_decode(token, (size_t)(dot1 - token), header, sizeof(header), &n);
    rc = rc == GH_OK ? parse_header(header, n, out) : rc;
    /* The payload decodes straight into claims (kept as the claims' text). */
    if (rc == GH_OK) {
        rc = gh__b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), (uint8_t *)out->claims,
                               sizeof(out->claims) - 1, &n);
    }
    if (rc == GH_OK) {
        out->claims[n] = '\0';
        rc = parse_payload(out, n);
    }
    if (rc == GH_OK) {
        rc = gh__b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), out->sig,
                               sizeof(out->sig), &out->sig_len);
    }
    if (rc != GH_OK) {
        out->claims[0] = '\0';
    }
    out->signing_input = token;
    out->signing_len = (size_t)(dot2 - token);
    return rc;
}

gh_err
gh_access_token_check_signature(const struct gh_access_token *t, enum gh_jwt_alg alg,
                                const char *secret, size_t secret_len)
{
    uint8_t mac[64];
    size_t mac_len = 0;
    int differ;

    GH_ENSURE(t != NULL && secret != NULL, GH_E_INVALID);
    GH_ENSURE(t->alg == alg, GH_E_TOKEN_INVALID); /* the key's algorithm, not the header's */
    GH_TRY(gh__jws_hmac(alg, secret, secret_len, t->signing_input, t->signing_len, mac, &mac_len));
    differ = t->sig_len != mac_len || sodium_memcmp(mac, t->sig, mac_len) != 0;
    sodium_memzero(mac, sizeof(mac));
    return differ ? GH_E_TOKEN_SIGNATURE : GH_OK;
}

gh_err
gh_access_token_check_times(const struct gh_access_token *t, int64_t now, int64_t max_ttl_s)
{
    int64_t start;

    GH_ENSURE(t != NULL, GH_E_INVALID);
    max_ttl_s = max_ttl_s <= 0 || max_ttl_s > GH_JWT_TTL_MAX_S ? GH_JWT_TTL_MAX_S : max_ttl_s;
    GH_ENSURE(t->exp > now, GH_E_TOKEN_EXPIRED);
    GH_ENSURE(!t->has_nbf || t->nbf <= now, GH_E_TOKEN_NOT_YET);
    start = t->has_nbf ? t->nbf : t->has_iat ? t->iat : now;
    GH_ENSURE(t->exp - start <= max_ttl_s, GH_E_TOKEN_TTL);
    return GH_OK;
}
