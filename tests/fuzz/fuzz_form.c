/*
 * fuzz_form.c -- gh_form_parse (server/form.c), the parser of every query string and form body.
 *
 * Arbitrary bytes go through the parser; on success every name and value must be non-NULL,
 * NUL-free valid UTF-8, one per non-empty '&'-separated piece, and gh_param_get must find each
 * name (or report it repeated).  gh_url_encode must be undone by the parser: for the input
 * itself when it is valid UTF-8, and for every name and value parsed.
 */
#include "fuzz.h"
#include "server.h"

/* Pieces of the text between '&'s that are not empty: the parameters a success yields. */
static size_t
count_pieces(const char *text, size_t len)
{
    size_t pieces = 0;
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '&') {
            pieces += i > start;
            start = i + 1;
        }
    }
    return pieces;
}

static void
check_params(const struct gh_params *p, size_t pieces)
{
    FUZZ_CHECK(p->n == pieces && p->n <= GH_HTTP_PARAMS_MAX);
    for (size_t i = 0; i < p->n; i++) {
        const char *name = p->items[i].name;
        const char *value = p->items[i].value;

        FUZZ_CHECK(name != NULL && value != NULL && name[0] != '\0');
        FUZZ_CHECK(gh_utf8_valid(name, strlen(name)) && gh_utf8_valid(value, strlen(value)));
    }
}

static void
check_lookups(const struct gh_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const char *value = "unset";
        size_t same = 0;
        gh_err rc = gh_param_get(p, p->items[i].name, &value);

        for (size_t j = 0; j < p->n; j++) {
            same += strcmp(p->items[i].name, p->items[j].name) == 0;
        }
        if (same == 1) {
            FUZZ_CHECK(rc == GH_OK && value == p->items[i].value);
        } else {
            FUZZ_CHECK(rc == GH_E_REPEATED && value == NULL);
        }
    }
}

/* gh_url_encode into exactly cap bytes (so ASan sees any write past them). */
static gh_err
encode(const char *s, size_t cap, char **out)
{
    char *buf = malloc(cap);
    gh_err rc;

    FUZZ_CHECK(buf != NULL || cap == 0);
    rc = gh_url_encode(s, buf, cap);
    if (rc != GH_OK) {
        free(buf);
        buf = NULL;
    } else {
        FUZZ_CHECK(strlen(buf) < cap);
    }
    *out = buf;
    return rc;
}

/* The parser undoes the encoder; the encoder refuses a buffer too small. */
static void
check_round_trip(const char *s)
{
    size_t len = strlen(s);
    struct gh_params p = {0};
    char *enc = NULL;
    char *form;
    size_t form_len;

    FUZZ_CHECK(encode(s, len, &enc) == GH_E_LIMIT); /* no room for the NUL, let alone escapes */
    FUZZ_CHECK(encode(s, 3 * len + 1, &enc) == GH_OK);
    for (const char *c = enc; *c != '\0'; c++) {
        FUZZ_CHECK(*c != '&' && *c != '=' && *c != '+');
    }
    form_len = 2 + strlen(enc);
    form = malloc(form_len + 1);
    FUZZ_CHECK(form != NULL);
    snprintf(form, form_len + 1, "v=%s", enc);
    FUZZ_CHECK(gh_form_parse(form, form_len, &p) == GH_OK);
    FUZZ_CHECK(p.n == 1 && strcmp(p.items[0].name, "v") == 0 && strcmp(p.items[0].value, s) == 0);
    gh_params_clear(&p);
    free(form);
    free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = size > 0 ? (const char *)data : "";
    struct gh_params p = {0};
    gh_err rc = gh_form_parse(text, size, &p);

    FUZZ_CHECK(rc == GH_OK || rc == GH_E_MALFORMED || rc == GH_E_LIMIT || rc == GH_E_NOMEM);
    FUZZ_CHECK(p.n <= GH_HTTP_PARAMS_MAX);
    if (rc == GH_OK) {
        check_params(&p, count_pieces(text, size));
        check_lookups(&p);
        for (size_t i = 0; i < p.n; i++) {
            check_round_trip(p.items[i].name);
            check_round_trip(p.items[i].value);
        }
    }
    gh_params_clear(&p);
    FUZZ_CHECK(p.n == 0);

    if (gh_utf8_valid(text, size)) {
        char *s = fuzz_text(data, size);

        check_round_trip(s);
        free(s);
    }
    return 0;
}
