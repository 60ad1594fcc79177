/*
 * webhook.c -- X-Twilio-Signature (SPEC section 6), as twilio-node 6.3.1's webhooks.js computes
 * and validates it: HMAC-SHA1 or -SHA256 (OpenSSL, streamed: the string to sign is never built
 * except for gh_webhook_string_to_sign), Base64 with libsodium, comparisons with sodium_memcmp.
 * The URL splitting, the JavaScript sort order and the bodySHA256 query lookup are hand-written:
 * they must match that code exactly, and no library does them.  Left out: validateRequest's last
 * fallbacks (the WHATWG-normalised URL, and it with a legacy re-encoded query string).
 */
#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "internal.h"

#define MAC_MAX    32 /* SHA-256 */
#define SHA1_LEN   20
#define HEX_LEN    64
#define NAME_LEN   (sizeof(GH_WEBHOOK_BODY_PARAM) - 1)
#define URL_PIECES 3

/* ---- OpenSSL objects, fetched once (OpenSSL 3 looks them up on every use otherwise) ---- */

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MAC *hmac;
static EVP_MD *sha256;

static void
fetch(void)
{
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* ---- the parameters, checked and sorted the way JavaScript sorts strings ---- */

struct prepared {
    size_t url_len;
    size_t n;
    const struct gh_webhook_param *sorted[GH_WEBHOOK_PARAMS_MAX];
};

/* The code point that starts at s[*i] (valid UTF-8), advancing *i past it. */
static uint32_t
next_code_point(const unsigned char *s, size_t *i)
{
    uint32_t c = s[(*i)++];
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

    c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
    while (more-- > 0) {
        c = (c << 6) | (s[(*i)++] & 0x3F);
    }
    return c;
}

/*
 * Where a code point sorts among UTF-16 code units: U+E000..U+FFFF come after the surrogate
 * pairs of U+10000 and above, unlike in UTF-8 byte order.
 */
static uint32_t
utf16_rank(uint32_t c)
{
    return c >= 0xE000 && c <= 0xFFFF ? c + 0x110000 : c;
}

/* Array.prototype.sort's default order (UTF-16 code units) on two UTF-8 strings. */
static int
js_order(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    size_t i = 0, j = 0;

    while (x[i] != '\0' && y[j] != '\0') {
        uint32_t cx, cy;

        if (x[i] == y[j] && x[i] < 0x80) {
            i++;
            j++;
            continue;
        }
        cx = utf16_rank(next_code_point(x, &i));
        cy = utf16_rank(next_code_point(y, &j));
        if (cx != cy) {
            return cx < cy ? -1 : 1;
        }
    }
    return (x[i] != '\0') - (y[j] != '\0');
}

static int
param_order(const void *a, const void *b)
{
    const struct gh_webhook_param *p = *(const struct gh_webhook_param *const *)a;
    const struct gh_webhook_param *q = *(const struct gh_webhook_param *const *)b;
    int c = js_order(p->name, q->name);

    return c != 0 ? c : js_order(p->value, q->value);
}

/* Adds the length of a UTF-8 text to *total, within GH_WEBHOOK_TEXT_MAX. */
static gh_err
count_text(const char *s, size_t *total)
{
    size_t len;

    GH_ENSURE(s != NULL, GH_E_INVALID);
    len = strnlen(s, GH_WEBHOOK_TEXT_MAX + 1);
    GH_ENSURE(len <= GH_WEBHOOK_TEXT_MAX - *total, GH_E_LIMIT);
    GH_ENSURE(gh_utf8_valid(s, len), GH_E_INVALID);
    *total += len;
    return GH_OK;
}

static gh_err
prepare(const char *url, const struct gh_webhook_param *p, size_t n, struct prepared *pp)
{
    size_t total = 0;

    GH_ENSURE(url != NULL && url[0] != '\0' && (p != NULL || n == 0), GH_E_INVALID);
    pp->url_len = strnlen(url, GH_WEBHOOK_URL_MAX + 1);
    GH_ENSURE(pp->url_len <= GH_WEBHOOK_URL_MAX && n <= GH_WEBHOOK_PARAMS_MAX, GH_E_LIMIT);
    GH_TRY(count_text(url, &total));
    for (size_t i = 0; i < n; i++) {
        GH_TRY(count_text(p[i].name, &total));
        GH_TRY(count_text(p[i].value, &total));
        pp->sorted[i] = &p[i];
    }
    pp->n = n;
    qsort(pp->sorted, n, sizeof(pp->sorted[0]), param_order);
    return GH_OK;
}

/* ---- the URL and its port variant (webhooks.js splitUrl, removePort, addPort) ---- */

/* A URL as up to three pieces, so a variant needs no copy. */
struct url_view {
    const char *piece[URL_PIECES];
    size_t len[URL_PIECES];
};

static bool
scheme_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '.' || c == '-';
}

/*
 * The variant of url Twilio's library also accepts: without its port when it has one, else
 * with the default port (":443" for https, ":80" for any other scheme).  False when url does
 * not start with scheme "://", as splitUrl returns null then.  The authority runs to the first
 * '/', '?' or '#'; userinfo ends at its last '@'; the port starts at the first ':' after the
 * last ']' (an IPv6 literal).
 */
static bool
port_variant(const char *url, size_t len, struct url_view *v)
{
    size_t i = 1, end, host, search, colon;

    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z'))) {
        return false;
    }
    while (i < len && scheme_char(url[i])) {
        i++;
    }
    if (len - i < 3 || url[i] != ':' || url[i + 1] != '/' || url[i + 2] != '/') {
        return false;
    }
    end = host = i + 3;
    while (end < len && url[end] != '/' && url[end] != '?' && url[end] != '#') {
        end++;
    }
    for (size_t k = host; k < end; k++) {
        host = url[k] == '@' ? k + 1 : host;
    }
    search = host;
    for (size_t k = host; k < end; k++) {
        search = url[k] == ']' ? k + 1 : search;
    }
    colon = search;
    while (colon < end && url[colon] != ':') {
        colon++;
    }
    v->piece[0] = url;
    v->len[0] = colon;
    if (colon < end) { /* a port, even an empty one: drop it */
        v->piece[1] = "";
        v->len[1] = 0;
    } else {
        bool https = i + 3 == 8 && strncasecmp(url, "https://", 8) == 0;

        v->piece[1] = https ? ":443" : ":80";
        v->len[1] = https ? 4 : 3;
    }
    v->piece[2] = url + end;
    v->len[2] = len - end;
    return true;
}

static void
whole(const char *url, size_t len, struct url_view *v)
{
    v->piece[0] = url;
    v->len[0] = len;
    v->piece[1] = v->piece[2] = "";
    v->len[1] = v->len[2] = 0;
}

/* ---- the string to sign, written into a MAC or a buffer ---- */

struct sink {
    EVP_MAC_CTX *mac; /* or */
    char *out;
    size_t cap;
    size_t len;
    bool failed;
};

static void
put(struct sink *s, const char *data, size_t len)
{
    if (s->failed || len == 0) {
        return;
    }
    if (s->mac != NULL) {
        s->failed = EVP_MAC_update(s->mac, (const unsigned char *)data, len) != 1;
        return;
    }
    if (s->cap - s->len <= len) { /* room for the NUL too */
        s->failed = true;
        return;
    }
    memcpy(s->out + s->len, data, len);
    s->len += len;
}

/* The URL, then name + value per sorted parameter, an exact repeat once (a JS Set). */
static void
write_string(struct sink *s, const struct url_view *url, const struct prepared *pp)
{
    for (int i = 0; i < URL_PIECES; i++) {
        put(s, url->piece[i], url->len[i]);
    }
    for (size_t i = 0; i < pp->n; i++) {
        const struct gh_webhook_param *p = pp->sorted[i];

        if (i > 0 && param_order(&pp->sorted[i - 1], &pp->sorted[i]) == 0) {
            continue;
        }
        put(s, p->name, strlen(p->name));
        put(s, p->value, strlen(p->value));
    }
}

gh_err
gh_webhook_string_to_sign(const char *url, const struct gh_webhook_param *p, size_t n, char *out,
                          size_t cap, size_t *len)
{
    struct prepared pp;
    struct url_view v;
    struct sink s = {NULL, out, cap, 0, false};

    GH_ENSURE(out != NULL && cap > 0 && len != NULL, GH_E_INVALID);
    out[0] = '\0';
    *len = 0;
    GH_TRY(prepare(url, p, n, &pp));
    whole(url, pp.url_len, &v);
    write_string(&s, &v, &pp);
    if (s.failed) {
        out[0] = '\0';
        return GH_E_LIMIT;
    }
    out[s.len] = '\0';
    *len = s.len;
    return GH_OK;
}

/* ---- signing ---- */

static gh_err
check_key(enum gh_webhook_alg alg, const void *key, size_t key_len)
{
    GH_ENSURE(alg == GH_WEBHOOK_HMAC_SHA1 || alg == GH_WEBHOOK_HMAC_SHA256, GH_E_INVALID);
    GH_ENSURE(key != NULL && key_len > 0, GH_E_INVALID);
    GH_ENSURE(key_len <= GH_WEBHOOK_KEY_MAX, GH_E_LIMIT);
    pthread_once(&fetch_once, fetch);
    GH_ENSURE(hmac != NULL && sha256 != NULL, GH_E_CRYPTO);
    return GH_OK;
}

/* out = Base64(HMAC(key, string to sign of url and pp)); "" on failure. */
static gh_err
sign_view(enum gh_webhook_alg alg, const void *key, size_t key_len, const struct url_view *url,
          const struct prepared *pp, char out[GH_WEBHOOK_SIG_SIZE])
{
    char digest[16] = "SHA1"; /* OSSL_PARAM takes a char *: a writable copy of the name */
    OSSL_PARAM params[2];
    unsigned char mac[MAC_MAX];
    size_t mac_len = 0;
    struct sink s = {NULL, NULL, 0, 0, false};
    gh_err rc = GH_E_CRYPTO;

    out[0] = '\0';
    if (alg == GH_WEBHOOK_HMAC_SHA256) {
        memcpy(digest, "SHA256", sizeof("SHA256"));
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    s.mac = EVP_MAC_CTX_new(hmac);
    if (s.mac == NULL || EVP_MAC_init(s.mac, key, key_len, params) != 1) {
        goto out;
    }
    write_string(&s, url, pp);
    if (s.failed || EVP_MAC_final(s.mac, mac, &mac_len, sizeof(mac)) != 1 ||
        mac_len != (alg == GH_WEBHOOK_HMAC_SHA256 ? MAC_MAX : SHA1_LEN)) {
        goto out;
    }
    sodium_bin2base64(out, GH_WEBHOOK_SIG_SIZE, mac, mac_len, sodium_base64_VARIANT_ORIGINAL);
    rc = GH_OK;
out:
    sodium_memzero(mac, sizeof(mac));
    EVP_MAC_CTX_free(s.mac); /* cleanses the keyed state */
    return rc;
}

gh_err
gh_webhook_sign(enum gh_webhook_alg alg, const void *key, size_t key_len, const char *url,
                const struct gh_webhook_param *p, size_t n, char out[GH_WEBHOOK_SIG_SIZE])
{
    struct prepared pp;
    struct url_view v;

    GH_ENSURE(out != NULL, GH_E_INVALID);
    out[0] = '\0';
    GH_TRY(check_key(alg, key, key_len));
    GH_TRY(prepare(url, p, n, &pp));
    whole(url, pp.url_len, &v);
    return sign_view(alg, key, key_len, &v, &pp, out);
}

/* ---- validation ---- */

/* Constant-time for equal lengths; the length is fixed by the algorithm, so not secret. */
static bool
same_text(const char *given, size_t given_len, const char *expected, size_t expected_len)
{
    return given_len == expected_len && expected_len > 0 &&
           sodium_memcmp(given, expected, expected_len) == 0;
}

/* The signature over url as given and over its port variant; both always computed. */
static gh_err
verify_prepared(enum gh_webhook_alg alg, const void *key, size_t key_len, const char *url,
                const struct prepared *pp, const char *signature, bool *valid)
{
    struct url_view v[2];
    char expected[GH_WEBHOOK_SIG_SIZE];
    size_t given_len = strnlen(signature, GH_WEBHOOK_SIG_SIZE);
    size_t views = 1;
    bool ok = false;
    gh_err rc = GH_OK;

    whole(url, pp->url_len, &v[0]);
    if (port_variant(url, pp->url_len, &v[1])) {
        views = 2;
    }
    for (size_t i = 0; i < views && rc == GH_OK; i++) {
        rc = sign_view(alg, key, key_len, &v[i], pp, expected);
        ok |= rc == GH_OK && same_text(signature, given_len, expected, strlen(expected));
        sodium_memzero(expected, sizeof(expected));
    }
    *valid = rc == GH_OK && ok;
    return rc;
}

gh_err
gh_webhook_verify(enum gh_webhook_alg alg, const void *key, size_t key_len, const char *url,
                  const struct gh_webhook_param *p, size_t n, const char *signature, bool *valid)
{
    struct prepared pp;

    GH_ENSURE(valid != NULL, GH_E_INVALID);
    *valid = false;
    GH_ENSURE(signature != NULL, GH_E_INVALID);
    GH_TRY(check_key(alg, key, key_len));
    GH_TRY(prepare(url, p, n, &pp));
    return verify_prepared(alg, key, key_len, url, &pp, signature, valid);
}

/* ---- JSON bodies: bodySHA256 ---- */

gh_err
gh_webhook_body_sha256(const void *body, size_t len, char hex[GH_WEBHOOK_SHA256_SIZE])
{
    unsigned char digest[32];
    unsigned int n = 0;

    GH_ENSURE(hex != NULL, GH_E_INVALID);
    hex[0] = '\0';
    GH_ENSURE(body != NULL || len == 0, GH_E_INVALID);
    GH_ENSURE(len <= GH_WEBHOOK_BODY_MAX, GH_E_LIMIT);
    pthread_once(&fetch_once, fetch);
    GH_ENSURE(sha256 != NULL, GH_E_CRYPTO);
    GH_ENSURE(EVP_Digest(len > 0 ? body : "", len, digest, &n, sha256, NULL) == 1 && n == 32,
              GH_E_CRYPTO);
    sodium_bin2hex(hex, GH_WEBHOOK_SHA256_SIZE, digest, sizeof(digest));
    return GH_OK;
}

static int
hex_value(char c)
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
 * Decodes len bytes of a query component the way URLSearchParams does ('+' is a space, %XX a
 * byte, a stray '%' itself) into out; false when more than cap bytes would come out.
 */
static bool
query_decode(const char *s, size_t len, char *out, size_t cap, size_t *out_len)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++, o++) {
        if (o == cap) {
            return false;
        }
        if (s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out[o] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out[o] = s[i] == '+' ? ' ' : s[i];
        }
    }
    *out_len = o;
    return true;
}

/* Where url's query starts (after '?') and ends (at '#' or the end); false when it has none. */
static bool
find_query(const char *url, size_t len, size_t *start, size_t *end)
{
    size_t q = 0;

    while (q < len && url[q] != '?' && url[q] != '#') {
        q++;
    }
    *start = *end = q;
    if (q == len || url[q] == '#') {
        return false;
    }
    *start = *end = q + 1;
    while (*end < len && url[*end] != '#') {
        (*end)++;
    }
    return true;
}

/*
 * The first bodySHA256 query parameter of url (searchParams.get): *found, and its decoded
 * value in out when it is at most HEX_LEN bytes (*value_len is HEX_LEN + 1 when longer).
 */
static void
query_body_hash(const char *url, size_t len, bool *found, char out[HEX_LEN], size_t *value_len)
{
    size_t start, end;

    *found = false;
    *value_len = 0;
    if (!find_query(url, len, &start, &end)) {
        return;
    }
    for (size_t at = start; at < end && !*found;) {
        const char *pair = url + at;
        size_t pair_len = 0, name_len, got = 0;
        char name[NAME_LEN];

        while (at + pair_len < end && pair[pair_len] != '&') {
            pair_len++;
        }
        at += pair_len + 1;
        name_len = 0;
        while (name_len < pair_len && pair[name_len] != '=') {
            name_len++;
        }
        if (!query_decode(pair, name_len, name, sizeof(name), &got) || got != NAME_LEN ||
            sodium_memcmp(name, GH_WEBHOOK_BODY_PARAM, NAME_LEN) != 0) {
            continue;
        }
        *found = true;
        if (name_len == pair_len) {
            break; /* "bodySHA256" without '=': the empty value */
        }
        if (!query_decode(pair + name_len + 1, pair_len - name_len - 1, out, HEX_LEN, value_len)) {
            *value_len = HEX_LEN + 1;
        }
    }
}

/* Whether url's bodySHA256 equals hex (HEX_LEN digits); *found says whether it has one. */
static bool
body_hash_matches(const char *url, size_t len, const char *hex, bool *found)
{
    char value[HEX_LEN];
    size_t value_len;

    query_body_hash(url, len, found, value, &value_len);
    return *found && same_text(value, value_len, hex, HEX_LEN);
}

gh_err
gh_webhook_url_add_body_hash(const char *url, const void *body, size_t len, char *out, size_t cap)
{
    char hex[GH_WEBHOOK_SHA256_SIZE];
    size_t url_len, start, end;
    const char *sep;
    bool found;
    int w;

    GH_ENSURE(out != NULL && cap > 0, GH_E_INVALID);
    out[0] = '\0';
    GH_ENSURE(url != NULL && url[0] != '\0', GH_E_INVALID);
    url_len = strnlen(url, GH_WEBHOOK_URL_MAX + 1);
    GH_ENSURE(url_len <= GH_WEBHOOK_URL_MAX, GH_E_LIMIT);
    GH_ENSURE(gh_utf8_valid(url, url_len), GH_E_INVALID);
    GH_TRY(gh_webhook_body_sha256(body, len, hex));
    if (body_hash_matches(url, url_len, hex, &found)) {
        GH_ENSURE(url_len < cap, GH_E_LIMIT);
        memcpy(out, url, url_len + 1);
        return GH_OK;
    }
    GH_ENSURE(!found, GH_E_INVALID);
    if (!find_query(url, url_len, &start, &end)) {
        sep = "?";
    } else {
        sep = start == end || url[end - 1] == '&' ? "" : "&";
    }
    w = snprintf(out, cap, "%.*s%s%s=%s%s", (int)end, url, sep, GH_WEBHOOK_BODY_PARAM, hex,
                 url + end);
    if (w < 0 || (size_t)w >= cap || (size_t)w > GH_WEBHOOK_URL_MAX) {
        out[0] = '\0';
        return GH_E_LIMIT;
    }
    return GH_OK;
}

gh_err
gh_webhook_verify_with_body(enum gh_webhook_alg alg, const void *key, size_t key_len,
                            const char *url, const void *body, size_t len, const char *signature,
                            bool *valid)
{
    char hex[GH_WEBHOOK_SHA256_SIZE];
    struct prepared pp;
    bool signed_ok = false, found, body_ok;

    GH_ENSURE(valid != NULL, GH_E_INVALID);
    *valid = false;
    GH_ENSURE(signature != NULL, GH_E_INVALID);
    GH_TRY(check_key(alg, key, key_len));
    GH_TRY(prepare(url, NULL, 0, &pp));
    GH_TRY(gh_webhook_body_sha256(body, len, hex));
    GH_TRY(verify_prepared(alg, key, key_len, url, &pp, signature, &signed_ok));
    body_ok = body_hash_matches(url, pp.url_len, hex, &found);
    *valid = signed_ok && body_ok;
    return GH_OK;
}

/* ---- the SharedKey settings header ---- */

static bool
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* s[*start, *end) without surrounding blanks (String.prototype.trim, for ASCII). */
static void
trim(const char *s, size_t *start, size_t *end)
{
    while (*start < *end && blank(s[*start])) {
        (*start)++;
    }
    while (*end > *start && blank(s[*end - 1])) {
        (*end)--;
    }
}

/* Twilio's algorithm names, as toHashName matches them (any case). */
static const struct {
    const char *name;
    enum gh_webhook_alg alg;
} alg_names[] = {
    {"HMAC_SHA1", GH_WEBHOOK_HMAC_SHA1},
    {"HMAC_SHA256", GH_WEBHOOK_HMAC_SHA256},
};

gh_err
gh_webhook_settings_alg(const char *header, enum gh_webhook_alg *alg)
{
    size_t len, at = 0;

    GH_ENSURE(alg != NULL, GH_E_INVALID);
    *alg = GH_WEBHOOK_HMAC_SHA1;
    if (header == NULL) {
        return GH_OK;
    }
    len = strnlen(header, GH_WEBHOOK_URL_MAX + 1);
    GH_ENSURE(len <= GH_WEBHOOK_URL_MAX, GH_E_LIMIT);
    while (at < len) { /* getSignatureAlgorithm: the first non-empty "algorithm=" part */
        size_t end = at, eq = at, ks = at, ke, vs, ve;

        while (end < len && header[end] != ',') {
            end++;
        }
        while (eq < end && header[eq] != '=') {
            eq++;
        }
        ke = eq;
        vs = eq + 1;
        ve = end;
        at = end + 1;
        if (eq == end) {
            continue;
        }
        trim(header, &ks, &ke);
        trim(header, &vs, &ve);
        if (ke - ks != 9 || sodium_memcmp(header + ks, "algorithm", 9) != 0 || vs == ve) {
            continue;
        }
        for (size_t i = 0; i < GH_ARRAY_LEN(alg_names); i++) {
            if (ve - vs == strlen(alg_names[i].name) &&
                strncasecmp(header + vs, alg_names[i].name, ve - vs) == 0) {
                *alg = alg_names[i].alg;
                return GH_OK;
            }
        }
        return GH_E_INVALID;
    }
    return GH_OK;
}
