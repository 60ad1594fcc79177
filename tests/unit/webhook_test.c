/*
 * webhook_test.c -- lib/crypto/webhook.c: every vector of ../shared/twilio/signature-vectors.json
 * (computed with twilio-node 6.3.1: the string to sign, the signature, and what the library's
 * validation said, port variants, bodySHA256 and HMAC-SHA256 included), then the rules the
 * vectors do not pin down (JavaScript's sort order, URL splitting, the bodySHA256 lookup), the
 * forgeries a verifier must refuse, and the bounds.
 *
 * The vectors file has escaped quotes and UTF-8 in its strings, so it is read with a small JSON
 * reader written here: the unit tests do not link jansson (tests/meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include "internal.h"

#include "helpers.h"

#define TOKEN      "12345678901234567890abcdefabcdef"
#define SHA1       GH_WEBHOOK_HMAC_SHA1
#define SHA256     GH_WEBHOOK_HMAC_SHA256
#define VECTORS    7
#define PARAMS_MAX 16

/* ---- a small JSON reader (objects, arrays, strings with every escape, literals) ---- */

enum jtype { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct jv {
    enum jtype type;
    bool boolean;
    char *string;     /* J_STRING: decoded UTF-8, NUL-terminated */
    size_t n;         /* J_ARRAY, J_OBJECT: how many items */
    char **keys;      /* J_OBJECT */
    struct jv *items; /* J_ARRAY, J_OBJECT */
};

static void
skip_space(const char **p)
{
    while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t') {
        (*p)++;
    }
}

static unsigned
hex4(const char *p)
{
    unsigned v = 0;

    for (int i = 0; i < 4; i++) {
        char c = p[i];

        assert_true((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t
put_utf8(char *out, unsigned c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* A string at *p (on its opening quote), decoded into a new buffer. */
static char *
parse_string(const char **p)
{
    const char *s = *p + 1;
    char *out = calloc(1, strlen(s) + 1); /* decoding never grows the text */
    size_t o = 0;

    assert_non_null(out);
    assert_int_equal(**p, '"');
    while (*s != '"') {
        unsigned c;

        assert_true(*s != '\0');
        if (*s != '\\') {
            out[o++] = *s++;
            continue;
        }
        s++;
        switch (*s++) {
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'u':
            c = hex4(s);
            s += 4;
            if (c >= 0xD800 && c <= 0xDBFF && s[0] == '\\' && s[1] == 'u') {
                c = 0x10000 + ((c - 0xD800) << 10) + (hex4(s + 2) - 0xDC00);
                s += 6;
            }
            o += put_utf8(out + o, c);
            break;
        default: /* '"', '\\', '/' */
            out[o++] = s[-1];
        }
    }
    *p = s + 1;
    return out;
}

static void parse_value(const char **p, struct jv *v);

/* Items of an array or object at *p (on '[' or '{'). */
static void
parse_items(const char **p, struct jv *v, bool object)
{
    size_t cap = 0;

    (*p)++;
    skip_space(p);
    while (**p != (object ? '}' : ']')) {
        if (v->n == cap) {
            cap = cap == 0 ? 8 : cap * 2;
            v->items = realloc(v->items, cap * sizeof(*v->items));
            v->keys = realloc(v->keys, cap * sizeof(*v->keys));
            assert_true(v->items != NULL && v->keys != NULL);
        }
        v->keys[v->n] = NULL;
        if (object) {
            v->keys[v->n] = parse_string(p);
            skip_space(p);
            assert_int_equal(*(*p)++, ':');
        }
        parse_value(p, &v->items[v->n++]);
        skip_space(p);
        if (**p == ',') {
            (*p)++;
            skip_space(p);
        }
    }
    (*p)++;
}

static void
parse_value(const char **p, struct jv *v)
{
    memset(v, 0, sizeof(*v));
    skip_space(p);
    if (**p == '"') {
        v->type = J_STRING;
        v->string = parse_string(p);
    } else if (**p == '{' || **p == '[') {
        v->type = **p == '{' ? J_OBJECT : J_ARRAY;
        parse_items(p, v, v->type == J_OBJECT);
    } else if (strncmp(*p, "true", 4) == 0 || strncmp(*p, "false", 5) == 0) {
        v->type = J_BOOL;
        v->boolean = **p == 't';
        *p += v->boolean ? 4 : 5;
    } else if (strncmp(*p, "null", 4) == 0) {
        *p += 4;
    } else {
        v->type = J_NUMBER;
        assert_true(strchr("-0123456789", **p) != NULL);
        while (**p != '\0' && strchr("+-0123456789.eE", **p) != NULL) {
            (*p)++;
        }
    }
}

static void
jv_clear(struct jv *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jv_clear(&v->items[i]);
        free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

/* The member key of object o, or NULL. */
static const struct jv *
jget(const struct jv *o, const char *key)
{
    assert_int_equal(o->type, J_OBJECT);
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->keys[i], key) == 0) {
            return &o->items[i];
        }
    }
    return NULL;
}

static const char *
jstr(const struct jv *o, const char *key)
{
    const struct jv *v = jget(o, key);

    assert_non_null(v);
    assert_int_equal(v->type, J_STRING);
    return v->string;
}

static bool
jbool(const struct jv *o, const char *key)
{
    const struct jv *v = jget(o, key);

    assert_non_null(v);
    assert_int_equal(v->type, J_BOOL);
    return v->boolean;
}

/* ---- the vectors ---- */

static struct jv root;

/* The file beside ../shared/vectors: ../shared/twilio/<name> (helpers.h finds the former). */
static void
twilio_path(const char *name, char out[PATH_MAX])
{
    char rel[128];
    int w = snprintf(rel, sizeof(rel), "../twilio/%s", name);

    assert_true(w > 0 && (size_t)w < sizeof(rel));
    test_vectors_path(rel, out);
}

static int
setup(void **state)
{
    char path[PATH_MAX];
    const char *p;
    char *text;
    FILE *f;
    long size;

    (void)state;
    twilio_path("signature-vectors.json", path);
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (set GATEHOUSE_VECTORS to ../shared/vectors)\n", path);
        return -1;
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    p = text;
    parse_value(&p, &root);
    free(text);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    jv_clear(&root);
    return 0;
}

static const struct jv *
vectors(void)
{
    const struct jv *v = jget(&root, "vectors");

    assert_non_null(v);
    assert_int_equal(v->type, J_ARRAY);
    assert_int_equal(v->n, VECTORS);
    return v;
}

static const struct jv *
vector_named(const char *name)
{
    const struct jv *all = vectors();

    for (size_t i = 0; i < all->n; i++) {
        if (strcmp(jstr(&all->items[i], "name"), name) == 0) {
            return &all->items[i];
        }
    }
    fail_msg("no vector %s", name);
    return NULL;
}

struct req {
    enum gh_webhook_alg alg;
    const char *key;
    const char *url;
    struct gh_webhook_param p[PARAMS_MAX];
    size_t n;
};

/* A vector's request; an array value is one parameter per element, repeats included. */
static void
req_of(const struct jv *v, struct req *r)
{
    const struct jv *params = jget(v, "params");

    memset(r, 0, sizeof(*r));
    r->alg = strcmp(jstr(v, "algorithm"), "HMAC_SHA256") == 0 ? SHA256 : SHA1;
    r->key = jstr(v, "auth_token_or_secret");
    r->url = jstr(v, "url");
    assert_int_equal(params->type, J_OBJECT);
    for (size_t i = 0; i < params->n; i++) {
        const struct jv *val = &params->items[i];
        size_t count = val->type == J_ARRAY ? val->n : 1;

        for (size_t k = 0; k < count; k++) {
            const struct jv *one = val->type == J_ARRAY ? &val->items[k] : val;

            assert_int_equal(one->type, J_STRING);
            assert_true(r->n < PARAMS_MAX);
            r->p[r->n].name = params->keys[i];
            r->p[r->n].value = one->string;
            r->n++;
        }
    }
}

static bool
verify_req(const struct req *r, const char *url, const char *sig)
{
    bool valid = true;

    assert_gh(gh_webhook_verify(r->alg, r->key, strlen(r->key), url, r->p, r->n, sig, &valid),
              GH_OK);
    return valid;
}

static void
sign_req(const struct req *r, const char *url, char sig[GH_WEBHOOK_SIG_SIZE])
{
    assert_gh(gh_webhook_sign(r->alg, r->key, strlen(r->key), url, r->p, r->n, sig), GH_OK);
}

static void
every_vector_signs_and_validates(void **state)
{
    const struct jv *all = vectors();

    (void)state;
    for (size_t i = 0; i < all->n; i++) {
        const struct jv *v = &all->items[i];
        char text[1024];
        char sig[GH_WEBHOOK_SIG_SIZE];
        struct req r;
        size_t len = 99;

        req_of(v, &r);
        assert_gh(gh_webhook_string_to_sign(r.url, r.p, r.n, text, sizeof(text), &len), GH_OK);
        assert_string_equal(text, jstr(v, "string_to_sign"));
        assert_int_equal(len, strlen(text));
        sign_req(&r, r.url, sig);
        assert_string_equal(sig, jstr(v, "expected_signature"));
        assert_true(verify_req(&r, r.url, jstr(v, "expected_signature")) ==
                    jbool(v, "validateRequest_same_url"));
    }
}

static void
reference_vector_is_twilios_published_one(void **state)
{
    const struct jv *v = vector_named("reference-vector-token-12345");
    const char *body = jstr(v, "reference_body");
    char hex[GH_WEBHOOK_SHA256_SIZE];

    (void)state;
    assert_string_equal(jstr(v, "expected_signature"), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    assert_gh(gh_webhook_body_sha256(body, strlen(body), hex), GH_OK);
    assert_string_equal(hex, jstr(v, "reference_body_sha256_hex"));
    assert_true(jbool(v, "reference_body_hash_matches_published"));
}

static void
port_variants_validate_as_in_the_library(void **state)
{
    const struct jv *v = vector_named("https-nonstandard-port");
    const char *portless = "https://example.com/hook?x=1";
    char sig[GH_WEBHOOK_SIG_SIZE];
    struct req r;

    (void)state;
    req_of(v, &r);
    /* Signed without the port: the port URL validates it. */
    sign_req(&r, portless, sig);
    assert_string_equal(sig, jstr(v, "signature_if_signed_without_port"));
    assert_true(verify_req(&r, r.url, sig) ==
                jbool(v, "validateRequest_accepts_portless_signature_on_port_url"));
    /* Signed with :443: the port-less URL validates it. */
    sign_req(&r, "https://example.com:443/hook?x=1", sig);
    assert_string_equal(sig, jstr(v, "signature_with_default_port_443"));
    assert_true(verify_req(&r, portless, sig) ==
                jbool(v, "validateRequest_portless_url_accepts_443_signature"));
    /* Only those: not the port URL's signature on the port-less URL, nor another port. */
    assert_false(verify_req(&r, portless, jstr(v, "expected_signature")));
    assert_false(
        verify_req(&r, "https://example.com:8444/hook?x=1", jstr(v, "expected_signature")));
    assert_false(verify_req(&r, "https://example.com:80/hook?x=1", sig));
    sign_req(&r, "https://example.com:80/hook?x=1", sig);
    assert_false(verify_req(&r, portless, sig)); /* https's default is 443 */
}

static void
json_body_vector_validates_with_its_body(void **state)
{
    const struct jv *v = vector_named("json-body-bodySHA256");
    const char *body = jstr(v, "raw_body");
    const char *sig = jstr(v, "expected_signature");
    char hex[GH_WEBHOOK_SHA256_SIZE];
    char url[256];
    char tampered[256];
    bool valid = false;
    struct req r;

    (void)state;
    req_of(v, &r);
    assert_gh(gh_webhook_body_sha256(body, strlen(body), hex), GH_OK);
    assert_string_equal(hex, jstr(v, "body_sha256_hex"));
    assert_gh(gh_webhook_url_add_body_hash("https://example.com/events", body, strlen(body), url,
                                           sizeof(url)),
              GH_OK);
    assert_string_equal(url, r.url);
    assert_gh(gh_webhook_verify_with_body(SHA1, r.key, strlen(r.key), r.url, body, strlen(body),
                                          sig, &valid),
              GH_OK);
    assert_true(valid == jbool(v, "validateRequestWithBody"));
    snprintf(tampered, sizeof(tampered), "%s", body);
    tampered[strlen(tampered) - 2] = '2'; /* "n":1 -> "n":2 */
    assert_gh(gh_webhook_verify_with_body(SHA1, r.key, strlen(r.key), r.url, tampered,
                                          strlen(tampered), sig, &valid),
              GH_OK);
    assert_true(valid == jbool(v, "validateRequestWithBody_tampered_body"));
}

static void
sharedkey_vector_names_hmac_sha256(void **state)
{
    const struct jv *v = vector_named("sharedkey-hmac-sha256");
    enum gh_webhook_alg alg = SHA1;
    struct req r;

    (void)state;
    req_of(v, &r);
    assert_int_equal(r.alg, SHA256);
    assert_gh(gh_webhook_settings_alg(jstr(v, "signature_settings_header_example"), &alg), GH_OK);
    assert_int_equal(alg, SHA256);
    assert_string_equal(jstr(v, "getSignatureAlgorithm_of_header"), "HMAC_SHA256");
    assert_gh(gh_webhook_settings_alg(NULL, &alg), GH_OK);
    assert_int_equal(alg, SHA1);
    assert_string_equal(jstr(v, "getSignatureAlgorithm_of_missing_header"), "HMAC_SHA1");
    /* The same string under the other algorithm is another signature. */
    r.alg = SHA1;
    assert_false(verify_req(&r, r.url, jstr(v, "expected_signature")));
}

/* ---- forgeries ---- */

static void
verify_refuses_forgeries(void **state)
{
    const struct jv *v = vector_named("form-post-basic");
    const char *good = jstr(v, "expected_signature");
    char sig[64];
    struct req r;

    (void)state;
    req_of(v, &r);
    assert_true(verify_req(&r, r.url, good));
    /* Wrong token. */
    r.key = "12345678901234567890abcdefabcdee";
    assert_false(verify_req(&r, r.url, good));
    req_of(v, &r);
    /* A tampered parameter value, a dropped one, a renamed one. */
    r.p[2].value = "1235";
    assert_false(verify_req(&r, r.url, good));
    req_of(v, &r);
    r.n--;
    assert_false(verify_req(&r, r.url, good));
    req_of(v, &r);
    r.p[0].name = "callSid";
    assert_false(verify_req(&r, r.url, good));
    req_of(v, &r);
    /* A tampered query string. */
    assert_false(verify_req(&r, "https://mycompany.com/myapp.php?foo=1&bar=3", good));
    /* Length-mismatched, empty, altered signatures. */
    snprintf(sig, sizeof(sig), "%.20s", good);
    assert_false(verify_req(&r, r.url, sig));
    snprintf(sig, sizeof(sig), "%sA", good);
    assert_false(verify_req(&r, r.url, sig));
    snprintf(sig, sizeof(sig), "%s==", good);
    assert_false(verify_req(&r, r.url, sig));
    assert_false(verify_req(&r, r.url, ""));
    snprintf(sig, sizeof(sig), "%s", good);
    sig[0] = sig[0] == 'M' ? 'm' : 'M';
    assert_false(verify_req(&r, r.url, sig));
    snprintf(sig, sizeof(sig), "%.27s", good); /* unpadded Base64 of the same MAC */
    assert_false(verify_req(&r, r.url, sig));
}

static void
verify_with_body_refuses_forgeries(void **state)
{
    const struct jv *v = vector_named("json-body-bodySHA256");
    const char *body = jstr(v, "raw_body");
    const char *key = jstr(v, "auth_token_or_secret");
    char url[256];
    char sig[GH_WEBHOOK_SIG_SIZE];
    char hex[GH_WEBHOOK_SHA256_SIZE];
    bool valid = true;

    (void)state;
    /* No bodySHA256: a valid URL signature is not enough. */
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "https://example.com/events", NULL, 0, sig),
              GH_OK);
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), "https://example.com/events",
                                          body, strlen(body), sig, &valid),
              GH_OK);
    assert_false(valid);
    /* The hash in upper case (Twilio's is lower case; so is the comparison). */
    assert_gh(gh_webhook_body_sha256(body, strlen(body), hex), GH_OK);
    for (char *c = hex; *c != '\0'; c++) {
        *c = (*c >= 'a' && *c <= 'f') ? (char)(*c - 32) : *c;
    }
    snprintf(url, sizeof(url), "https://example.com/events?bodySHA256=%s", hex);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), url, NULL, 0, sig), GH_OK);
    assert_gh(
        gh_webhook_verify_with_body(SHA1, key, strlen(key), url, body, strlen(body), sig, &valid),
        GH_OK);
    assert_false(valid);
    /* A wrong signature over the right body. */
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), jstr(v, "url"), body,
                                          strlen(body), "JZK/S6TsDU9UEUXXmw0+6tF7OvB=", &valid),
              GH_OK);
    assert_false(valid);
    /* The empty body against the vector's hash. */
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), jstr(v, "url"), "", 0,
                                          jstr(v, "expected_signature"), &valid),
              GH_OK);
    assert_false(valid);
}

/* ---- rules the vectors do not pin down ---- */

static void
names_sort_in_utf16_code_unit_order(void **state)
{
    /* U+E000 (EE 80 80) sorts after U+1F600 (F0 9F 98 80) in JavaScript, before it in bytes. */
    const struct gh_webhook_param p[] = {
        {"\xEE\x80\x80", "pua"},
        {"\xF0\x9F\x98\x80", "smile"},
        {"Z", "1"},
        {"a", "2"},
        {"\xC3\xA9", "e"},
        {"ab", ""},
    };
    char text[256];
    size_t len;

    (void)state;
    assert_gh(gh_webhook_string_to_sign("u", p, GH_ARRAY_LEN(p), text, sizeof(text), &len), GH_OK);
    assert_string_equal(text, "uZ1a2ab\xC3\xA9"
                              "e\xF0\x9F\x98\x80smile\xEE\x80\x80pua");
}

static void
repeated_names_sign_each_distinct_value_once_sorted(void **state)
{
    const struct gh_webhook_param p[] = {
        {"M", "b"}, {"M", "a"}, {"B", "x"}, {"M", "b"}, {"M", ""}, {"M", "a"},
    };
    char text[64];
    size_t len;

    (void)state;
    assert_gh(gh_webhook_string_to_sign("u", p, GH_ARRAY_LEN(p), text, sizeof(text), &len), GH_OK);
    assert_string_equal(text, "uBxMMaMb");
}

static void
port_rules_follow_split_url(void **state)
{
    static const struct {
        const char *url;     /* the URL the receiver sees */
        const char *variant; /* the other URL whose signature it accepts; NULL: none */
    } cases[] = {
        {"https://user:pw@example.com:8443/x", "https://user:pw@example.com/x"},
        {"https://user:pw@example.com/x", "https://user:pw@example.com:443/x"},
        {"http://[::1]:8080/x?a=:1", "http://[::1]/x?a=:1"},
        {"http://[::1]/x", "http://[::1]:80/x"},
        {"HTTPS://Example.com?q=1", "HTTPS://Example.com:443?q=1"},
        {"ftp://example.com#f", "ftp://example.com:80#f"},
        {"https://example.com:/x", "https://example.com/x"},
        {"https://a@b@example.com:1/", "https://a@b@example.com/"},
        {"example.com:8443/x", NULL},
        {"1http://example.com/x", NULL},
    };
    const char *key = TOKEN;

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        char sig[GH_WEBHOOK_SIG_SIZE];
        bool valid = false;

        assert_gh(gh_webhook_sign(SHA1, key, strlen(key), cases[i].url, NULL, 0, sig), GH_OK);
        assert_gh(gh_webhook_verify(SHA1, key, strlen(key), cases[i].url, NULL, 0, sig, &valid),
                  GH_OK);
        assert_true(valid);
        if (cases[i].variant == NULL) {
            continue;
        }
        assert_gh(gh_webhook_sign(SHA1, key, strlen(key), cases[i].variant, NULL, 0, sig), GH_OK);
        assert_gh(gh_webhook_verify(SHA1, key, strlen(key), cases[i].url, NULL, 0, sig, &valid),
                  GH_OK);
        if (!valid) {
            fail_msg("%s does not accept a signature over %s", cases[i].url, cases[i].variant);
        }
    }
}

static void
body_hash_goes_into_the_query(void **state)
{
    static const struct {
        const char *url;
        const char *head; /* the result is head "bodySHA256=" hash tail */
        const char *tail;
    } cases[] = {
        {"https://e.com/h", "https://e.com/h?", ""},
        {"https://e.com/h?a=1", "https://e.com/h?a=1&", ""},
        {"https://e.com/h?", "https://e.com/h?", ""},
        {"https://e.com/h?a=1&", "https://e.com/h?a=1&", ""},
        {"https://e.com/h#frag", "https://e.com/h?", "#frag"},
        {"https://e.com/h?a=1#f?g", "https://e.com/h?a=1&", "#f?g"},
    };
    char hex[GH_WEBHOOK_SHA256_SIZE];
    char url[256], want[256];
    char small[40];

    (void)state;
    assert_gh(gh_webhook_body_sha256("{}", 2, hex), GH_OK);
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        snprintf(want, sizeof(want), "%sbodySHA256=%s%s", cases[i].head, hex, cases[i].tail);
        assert_gh(gh_webhook_url_add_body_hash(cases[i].url, "{}", 2, url, sizeof(url)), GH_OK);
        assert_string_equal(url, want);
        /* Given its own output, it changes nothing. */
        assert_gh(gh_webhook_url_add_body_hash(want, "{}", 2, url, sizeof(url)), GH_OK);
        assert_string_equal(url, want);
    }
    /* A bodySHA256 that is not this body's. */
    assert_gh(gh_webhook_url_add_body_hash(want, "{ }", 3, url, sizeof(url)), GH_E_INVALID);
    assert_string_equal(url, "");
    assert_gh(gh_webhook_url_add_body_hash("https://e.com/?bodySHA256=", "{}", 2, url, sizeof(url)),
              GH_E_INVALID);
    assert_gh(gh_webhook_url_add_body_hash("https://e.com/h", "{}", 2, small, sizeof(small)),
              GH_E_LIMIT);
    assert_string_equal(small, "");
}

static void
body_hash_lookup_decodes_like_url_search_params(void **state)
{
    const char *key = TOKEN;
    char hex[GH_WEBHOOK_SHA256_SIZE];
    char url[256];
    char sig[GH_WEBHOOK_SIG_SIZE];
    bool valid = false;

    (void)state;
    assert_gh(gh_webhook_body_sha256("[]", 2, hex), GH_OK);
    /* A percent-encoded name is the same name; the first bodySHA256 wins. */
    snprintf(url, sizeof(url), "https://e.com/?x=1&body%%53HA256=%s&bodySHA256=00", hex);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), url, NULL, 0, sig), GH_OK);
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), url, "[]", 2, sig, &valid),
              GH_OK);
    assert_true(valid);
    snprintf(url, sizeof(url), "https://e.com/?bodySHA256=00&bodySHA256=%s", hex);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), url, NULL, 0, sig), GH_OK);
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), url, "[]", 2, sig, &valid),
              GH_OK);
    assert_false(valid);
    /* In the fragment it is not in the query. */
    snprintf(url, sizeof(url), "https://e.com/#?bodySHA256=%s", hex);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), url, NULL, 0, sig), GH_OK);
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), url, "[]", 2, sig, &valid),
              GH_OK);
    assert_false(valid);
    /* A longer value that starts with the hash. */
    snprintf(url, sizeof(url), "https://e.com/?bodySHA256=%s0", hex);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), url, NULL, 0, sig), GH_OK);
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), url, "[]", 2, sig, &valid),
              GH_OK);
    assert_false(valid);
}

static void
settings_header_names_the_algorithm(void **state)
{
    static const struct {
        const char *header;
        gh_err rc;
        enum gh_webhook_alg alg;
    } cases[] = {
        {"", GH_OK, SHA1},
        {"key=abc", GH_OK, SHA1},
        {"algorithm=", GH_OK, SHA1},
        {"key=a,algorithm=HMAC_SHA1", GH_OK, SHA1},
        {" algorithm = hmac_sha256 ,key=a", GH_OK, SHA256},
        {"algorithm=,algorithm=HMAC_SHA256", GH_OK, SHA256},
        {"Algorithm=HMAC_SHA256", GH_OK, SHA1},
        {"algorithm=HMAC_SHA512", GH_E_INVALID, SHA1},
        {"algorithm=HMAC_SHA2560", GH_E_INVALID, SHA1},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        enum gh_webhook_alg alg = SHA256;

        assert_gh(gh_webhook_settings_alg(cases[i].header, &alg), cases[i].rc);
        assert_int_equal(alg, cases[i].alg);
    }
}

/* ---- bounds and bad inputs ---- */

static void
inputs_are_bounded(void **state)
{
    const char *key = TOKEN;
    char *big = malloc(GH_WEBHOOK_TEXT_MAX + 2);
    struct gh_webhook_param *many = calloc(GH_WEBHOOK_PARAMS_MAX + 1, sizeof(*many));
    char sig[GH_WEBHOOK_SIG_SIZE];
    char text[32];
    char hex[GH_WEBHOOK_SHA256_SIZE];
    size_t len;
    bool valid = true;

    (void)state;
    assert_true(big != NULL && many != NULL);
    memset(big, 'a', GH_WEBHOOK_TEXT_MAX + 1);
    memcpy(big, "https://e.com/", 14);
    /* A URL of exactly the limit signs; one byte more does not. */
    big[GH_WEBHOOK_URL_MAX] = '\0';
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), big, NULL, 0, sig), GH_OK);
    big[GH_WEBHOOK_URL_MAX] = 'a';
    big[GH_WEBHOOK_URL_MAX + 1] = '\0';
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), big, NULL, 0, sig), GH_E_LIMIT);
    assert_string_equal(sig, "");
    assert_gh(gh_webhook_verify(SHA1, key, strlen(key), big, NULL, 0, "x", &valid), GH_E_LIMIT);
    assert_false(valid);
    /* 1000 parameters sign; 1001 do not. */
    for (size_t i = 0; i <= GH_WEBHOOK_PARAMS_MAX; i++) {
        many[i].name = "n";
        many[i].value = "v";
    }
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", many, GH_WEBHOOK_PARAMS_MAX, sig),
              GH_OK);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", many, GH_WEBHOOK_PARAMS_MAX + 1, sig),
              GH_E_LIMIT);
    /* The URL and every name and value: at most 1 MiB in all. */
    big[GH_WEBHOOK_URL_MAX + 1] = 'a';
    big[GH_WEBHOOK_TEXT_MAX - 2] = '\0';
    many[0].value = big;
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", many, 1, sig), GH_OK);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "uu", many, 1, sig), GH_E_LIMIT);
    /* The output buffer of the string to sign: "https://e.com" "nv" "nw" and the NUL. */
    many[0].value = "v";
    many[1].value = "w";
    assert_gh(gh_webhook_string_to_sign("https://e.com", many, 2, text, 18, &len), GH_OK);
    assert_string_equal(text, "https://e.comnvnw");
    assert_gh(gh_webhook_string_to_sign("https://e.com", many, 2, text, 17, &len), GH_E_LIMIT);
    assert_string_equal(text, "");
    assert_int_equal(len, 0);
    /* Keys: 1 to 1024 bytes. */
    assert_gh(gh_webhook_sign(SHA1, big, GH_WEBHOOK_KEY_MAX, "u", NULL, 0, sig), GH_OK);
    assert_gh(gh_webhook_sign(SHA1, big, GH_WEBHOOK_KEY_MAX + 1, "u", NULL, 0, sig), GH_E_LIMIT);
    /* Bodies: at most 1 MiB. */
    assert_gh(gh_webhook_body_sha256(big, GH_WEBHOOK_BODY_MAX, hex), GH_OK);
    assert_gh(gh_webhook_body_sha256(big, GH_WEBHOOK_BODY_MAX + 1, hex), GH_E_LIMIT);
    assert_string_equal(hex, "");
    free(big);
    free(many);
}

static void
bad_inputs_are_refused(void **state)
{
    const char *key = TOKEN;
    const struct gh_webhook_param bad_value[] = {{"a", "\xC3"}};
    const struct gh_webhook_param bad_name[] = {{"\xFF", "a"}};
    const struct gh_webhook_param null_value[] = {{"a", NULL}};
    char sig[GH_WEBHOOK_SIG_SIZE];
    char hex[GH_WEBHOOK_SHA256_SIZE];
    bool valid = true;

    (void)state;
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), NULL, NULL, 0, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "", NULL, 0, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "https://e.com/\xC0\xAF", NULL, 0, sig),
              GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", bad_value, 1, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", bad_name, 1, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", null_value, 1, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", NULL, 1, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, 0, "u", NULL, 0, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, NULL, 5, "u", NULL, 0, sig), GH_E_INVALID);
    assert_gh(gh_webhook_sign((enum gh_webhook_alg)7, key, strlen(key), "u", NULL, 0, sig),
              GH_E_INVALID);
    assert_gh(gh_webhook_sign(SHA1, key, strlen(key), "u", NULL, 0, NULL), GH_E_INVALID);
    assert_gh(gh_webhook_verify(SHA1, key, strlen(key), "u", NULL, 0, NULL, &valid), GH_E_INVALID);
    assert_false(valid);
    assert_gh(gh_webhook_verify(SHA1, key, strlen(key), "u", NULL, 0, "x", NULL), GH_E_INVALID);
    valid = true;
    assert_gh(gh_webhook_verify_with_body(SHA1, key, strlen(key), "u", NULL, 3, "x", &valid),
              GH_E_INVALID);
    assert_false(valid);
    assert_gh(gh_webhook_body_sha256(NULL, 1, hex), GH_E_INVALID);
    assert_gh(gh_webhook_body_sha256(NULL, 0, hex), GH_OK);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_gh(gh_webhook_settings_alg("x", NULL), GH_E_INVALID);
}

/* The MAC of a long, UTF-8 heavy request, against one computed independently (Python hmac). */
static void
sha256_signature_of_unicode_request(void **state)
{
    const struct gh_webhook_param p[] = {{"Body", "\xE2\x9C\x93 ok"}, {"To", "+15550001111"}};
    const char *key = "sk";
    char text[128];
    char sig1[GH_WEBHOOK_SIG_SIZE], sig2[GH_WEBHOOK_SIG_SIZE];
    size_t len;
    bool valid = false;

    (void)state;
    assert_gh(gh_webhook_string_to_sign("https://e.com/s", p, 2, text, sizeof(text), &len), GH_OK);
    assert_string_equal(text, "https://e.com/sBody\xE2\x9C\x93 okTo+15550001111");
    assert_gh(gh_webhook_sign(SHA256, key, 2, "https://e.com/s", p, 2, sig2), GH_OK);
    assert_string_equal(sig2, "feGx4l/vvhW1fEB93szjrjFMgyrBEv5KQQRznSE0Awc=");
    assert_gh(gh_webhook_sign(SHA1, key, 2, "https://e.com/s", p, 2, sig1), GH_OK);
    assert_string_equal(sig1, "FzS8LdEXrrugl2OGOoXjE1qb+a0=");
    assert_gh(gh_webhook_verify(SHA256, key, 2, "https://e.com/s", p, 2, sig2, &valid), GH_OK);
    assert_true(valid);
    assert_gh(gh_webhook_verify(SHA256, key, 2, "https://e.com/s", p, 2, sig1, &valid), GH_OK);
    assert_false(valid);
    assert_gh(gh_webhook_verify(SHA1, key, 2, "https://e.com/s", p, 2, sig2, &valid), GH_OK);
    assert_false(valid);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_vector_signs_and_validates),
        cmocka_unit_test(reference_vector_is_twilios_published_one),
        cmocka_unit_test(port_variants_validate_as_in_the_library),
        cmocka_unit_test(json_body_vector_validates_with_its_body),
        cmocka_unit_test(sharedkey_vector_names_hmac_sha256),
        cmocka_unit_test(verify_refuses_forgeries),
        cmocka_unit_test(verify_with_body_refuses_forgeries),
        cmocka_unit_test(names_sort_in_utf16_code_unit_order),
        cmocka_unit_test(repeated_names_sign_each_distinct_value_once_sorted),
        cmocka_unit_test(port_rules_follow_split_url),
        cmocka_unit_test(body_hash_goes_into_the_query),
        cmocka_unit_test(body_hash_lookup_decodes_like_url_search_params),
        cmocka_unit_test(settings_header_names_the_algorithm),
        cmocka_unit_test(inputs_are_bounded),
        cmocka_unit_test(bad_inputs_are_refused),
        cmocka_unit_test(sha256_signature_of_unicode_request),
    };

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("webhook", tests, setup, teardown);
}
