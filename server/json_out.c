/*
 * json_out.c -- a streaming JSON writer for response bodies: one bounded buffer, no tree, no
 * per-value allocation.  Hand-written because building jansson trees and serialising them took
 * about 15% of the CPU of an authenticated GET (bench/api-auth); jansson still parses the JSON
 * that clients send.  The buffer may hold secrets (a new key's secret), so it is wiped when
 * freed.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define JW_INITIAL 1024

void
gh_jw_init(struct gh_jw *w)
{
    memset(w, 0, sizeof(w[0]));
    w->first[0] = true;
}

void
gh_jw_free(struct gh_jw *w)
{
    if (w->buf != NULL) {
        gh_wipe(w->buf, w->cap);
        free(w->buf);
    }
    memset(w, 0, sizeof(w[0]));
}

char *
gh_jw_take(struct gh_jw *w, size_t *len)
{
    char *buf = w->failed ? NULL : w->buf;

    *len = buf != NULL ? w->len : 0;
    if (buf == NULL) {
        gh_jw_free(w);
        return NULL;
    }
    w->buf = NULL;
    w->len = w->cap = 0;
    return buf;
}

static void
put(struct gh_jw *w, const char *s, size_t n)
{
    if (w->failed) {
        return;
    }
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap == 0 ? JW_INITIAL : w->cap;
        char *grown;

        while (cap < w->len + n + 1) {
            cap *= 2;
        }
        if (cap > GH_JSON_OUT_MAX || (grown = malloc(cap)) == NULL) {
            w->failed = true;
            return;
        }
        if (w->buf != NULL) {
            memcpy(grown, w->buf, w->len);
            gh_wipe(w->buf, w->cap);
            free(w->buf);
        }
        w->buf = grown;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* A comma before every value but the first at this depth (keys write their own). */
static void
separate(struct gh_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth]) {
        put(w, ",", 1);
    }
    w->first[w->depth] = false;
}

static void
open_scope(struct gh_jw *w, const char *c)
{
    separate(w);
    put(w, c, 1);
    if (w->depth + 1 >= GH_JW_DEPTH_MAX) {
        w->failed = true;
        return;
    }
    w->first[++w->depth] = true;
}

static void
close_scope(struct gh_jw *w, const char *c)
{
    put(w, c, 1);
    if (w->depth > 0) {
        w->depth--;
    }
}

void
gh_jw_object(struct gh_jw *w)
{
    open_scope(w, "{");
}

void
gh_jw_object_end(struct gh_jw *w)
{
    close_scope(w, "}");
}

void
gh_jw_array(struct gh_jw *w)
{
    open_scope(w, "[");
}

void
gh_jw_array_end(struct gh_jw *w)
{
    close_scope(w, "]");
}

/* Bytes a JSON string must escape: control characters, '"' and '\\'. */
static bool
needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

static void
put_escape(struct gh_jw *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', (char)c, '0', '0', hex[c >> 4], hex[c & 15]};

    if (c == '"' || c == '\\') {
        put(w, esc, 2);
        return;
    }
    esc[1] = 'u';
    put(w, esc, 6);
}

static void
put_escaped(struct gh_jw *w, const char *s)
{
    const char *run = s;

    put(w, "\"", 1);
    for (; *s != '\0'; s++) {
        if (needs_escape((unsigned char)*s)) {
            put(w, run, (size_t)(s - run));
            put_escape(w, (unsigned char)*s);
            run = s + 1;
        }
    }
    put(w, run, (size_t)(s - run));
    put(w, "\"", 1);
}

void
gh_jw_key(struct gh_jw *w, const char *key)
{
    separate(w);
    put_escaped(w, key);
    put(w, ":", 1);
    w->after_key = true;
}

void
gh_jw_string(struct gh_jw *w, const char *s)
{
    separate(w);
    if (s == NULL) {
        put(w, "null", 4);
        return;
    }
    put_escaped(w, s);
}

void
gh_jw_int(struct gh_jw *w, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" PRId64, v);

    separate(w);
    put(w, text, (size_t)n);
}

void
gh_jw_null(struct gh_jw *w)
{
    separate(w);
    put(w, "null", 4);
}

void
gh_jw_bool(struct gh_jw *w, bool v)
{
    separate(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void
gh_jw_double(struct gh_jw *w, double v)
{
    char text[32];
    int n;

    if (!isfinite(v)) {
        gh_jw_null(w); /* JSON has no infinity */
        return;
    }
    n = snprintf(text, sizeof(text), "%.6g", v);
    separate(w);
    put(w, text, (size_t)n);
}

void
gh_jw_kv_string(struct gh_jw *w, const char *key, const char *s)
{
    gh_jw_key(w, key);
    gh_jw_string(w, s);
}

void
gh_jw_kv_int(struct gh_jw *w, const char *key, int64_t v)
{
    gh_jw_key(w, key);
    gh_jw_int(w, v);
}
