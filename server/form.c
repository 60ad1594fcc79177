/*
 * form.c -- application/x-www-form-urlencoded parsing (WHATWG URL "urlencoded parser", strict):
 * '&'-separated name=value pairs, '+' is a space, %XX must be two hex digits, and the decoded
 * text must be valid UTF-8 without NUL (fields that forbid control characters check that
 * themselves: a FriendlyName must not hold a newline, a Policy may).  Hand-written because
 * libmicrohttpd's post processor is lenient and cannot report repeated names; small and bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

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

/* Decodes len bytes of s into a new NUL-terminated string. */
static gh_err
decode(const char *s, size_t len, char **out)
{
    char *d = malloc(len + 1);
    size_t o = 0;

    *out = NULL;
    if (d == NULL) {
        return GH_E_NOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            d[o++] = ' ';
        } else if (s[i] != '%') {
            d[o++] = s[i];
        } else if (i + 2 < len && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            d[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            free(d);
            return GH_E_MALFORMED;
        }
    }
    d[o] = '\0';
    if (!gh_utf8_valid(d, o)) {
        gh_wipe(d, o);
        free(d);
        return GH_E_MALFORMED;
    }
    *out = d;
    return GH_OK;
}

static gh_err
add_pair(const char *s, size_t len, struct gh_params *p)
{
    const char *eq = memchr(s, '=', len);
    size_t name_len = eq != NULL ? (size_t)(eq - s) : len;
    struct gh_param *item;
    gh_err rc;

    if (len == 0) {
        return GH_OK; /* "a=1&&b=2" */
    }
    if (name_len == 0) {
        return GH_E_MALFORMED;
    }
    if (p->n >= GH_HTTP_PARAMS_MAX) {
        return GH_E_LIMIT;
    }
    item = &p->items[p->n];
    rc = decode(s, name_len, &item->name);
    if (rc == GH_OK) {
        rc = eq != NULL ? decode(eq + 1, len - name_len - 1, &item->value)
                        : decode("", 0, &item->value);
    }
    if (rc != GH_OK) {
        free(item->name);
        item->name = NULL;
        return rc;
    }
    p->n++;
    return GH_OK;
}

gh_err
gh_form_parse(const char *text, size_t len, struct gh_params *p)
{
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '&') {
            gh_err rc = add_pair(text + start, i - start, p);

            if (rc != GH_OK) {
                return rc;
            }
            start = i + 1;
        }
    }
    return GH_OK;
}

void
gh_params_clear(struct gh_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        gh_wipe(p->items[i].value, strlen(p->items[i].value));
        free(p->items[i].name);
        free(p->items[i].value);
    }
    p->n = 0;
}

gh_err
gh_param_get(const struct gh_params *p, const char *name, const char **value)
{
    const char *found = NULL;

    *value = NULL;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->items[i].name, name) != 0) {
            continue;
        }
        if (found != NULL) {
            return GH_E_REPEATED;
        }
        found = p->items[i].value;
    }
    *value = found;
    return found != NULL ? GH_OK : GH_E_NOT_FOUND;
}

static int
unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

gh_err
gh_url_encode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (o + 4 > cap) {
            return GH_E_LIMIT;
        }
        if (unreserved(*c)) {
            out[o++] = (char)*c;
        } else {
            out[o++] = '%';
            out[o++] = hex[*c >> 4];
            out[o++] = hex[*c & 15];
        }
    }
    if (o >= cap) {
        return GH_E_LIMIT;
    }
    out[o] = '\0';
    return GH_OK;
}
