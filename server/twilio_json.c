/*
 * twilio_json.c -- Twilio-shaped JSON: error bodies, the Account resource, paging envelopes,
 * dates (RFC 2822 for 2010-04-01 and iam v1, ISO 8601 for accounts v1) and restricted-key
 * policies.  Error messages are fixed per error code: nothing the client sent is echoed.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "server.h"

#define POLICY_JSON_MAX (16 * 1024)

/* ---- the wiping allocator for jansson: parsed request JSON may hold secrets ---- */

struct sized {
    size_t len;
    max_align_t align[];
};

static void *
wipe_malloc(size_t len)
{
    struct sized *s = malloc(sizeof(*s) + len);

    if (s == NULL) {
        return NULL;
    }
    s->len = len;
    /* cppcheck-suppress memleak ; wipe_free finds the header again */
    return s->align;
}

static void
wipe_free(void *p)
{
    struct sized *s;

    if (p == NULL) {
        return;
    }
    s = (struct sized *)((char *)p - offsetof(struct sized, align));
    gh_wipe(p, s->len);
    free(s);
}

void
gh_json_setup(void)
{
    json_set_alloc_funcs(wipe_malloc, wipe_free);
}

struct gh_jw *
gh_respond_json(struct gh_response *res, int status)
{
    gh_jw_free(&res->body);
    gh_jw_init(&res->body);
    res->status = status;
    res->has_body = true;
    return &res->body;
}

void
gh_respond_empty(struct gh_response *res, int status)
{
    gh_jw_free(&res->body);
    res->status = status;
    res->has_body = false;
}

void
gh_response_clear(struct gh_response *res)
{
    gh_jw_free(&res->body);
    res->has_body = false;
}

void
gh_respond_error_details(struct gh_response *res, gh_err err)
{
    struct gh_jw *w = gh_respond_json(res, gh_err_http_status(err));
    char more[64];
    int code = gh_err_twilio_code(err);

    snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%d", code);
    gh_jw_object(w);
    gh_jw_kv_int(w, "code", code);
    gh_jw_kv_string(w, "message", gh_err_message(err));
    gh_jw_kv_string(w, "more_info", more);
    gh_jw_kv_int(w, "status", gh_err_http_status(err));
    res->auth_challenge = err == GH_E_DENIED;
}

void
gh_respond_error(struct gh_response *res, gh_err err)
{
    gh_respond_error_details(res, err);
    gh_jw_object_end(&res->body);
}

void
gh_respond_limited(struct gh_response *res, int64_t retry_after_s)
{
    gh_respond_error(res, GH_E_LIMIT);
    res->retry_after_s = retry_after_s > 0 ? retry_after_s : 1;
}

void
gh_write_date2822(struct gh_jw *w, const char *key, int64_t ms)
{
    char text[GH_RFC2822_SIZE];

    gh_time_rfc2822(ms, text);
    gh_jw_kv_string(w, key, text);
}

void
gh_write_date_iso(struct gh_jw *w, const char *key, int64_t ms)
{
    char text[GH_ISO8601_SIZE];

    gh_time_iso8601(ms, text);
    gh_jw_kv_string(w, key, text);
}

static const char *const status_text[] = {"active", "suspended", "closed"};

void
gh_write_account(struct gh_jw *w, const struct gh_account *a, const char *auth_token)
{
    char uri[96];

    gh_jw_object(w);
    gh_jw_kv_string(w, "auth_token",
                    auth_token != NULL && auth_token[0] != '\0' ? auth_token : NULL);
    gh_write_date2822(w, "date_created", a->created_ms);
    gh_write_date2822(w, "date_updated", a->updated_ms);
    gh_jw_kv_string(w, "friendly_name", a->friendly_name);
    gh_jw_kv_string(w, "owner_account_sid", a->parent_sid[0] != '\0' ? a->parent_sid : a->sid);
    gh_jw_kv_string(w, "sid", a->sid);
    gh_jw_kv_string(w, "status", status_text[a->status]);
    gh_jw_key(w, "subresource_uris");
    gh_jw_object(w);
    snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Keys.json", a->sid);
    gh_jw_kv_string(w, "keys", uri);
    snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/SigningKeys.json", a->sid);
    gh_jw_kv_string(w, "signing_keys", uri);
    gh_jw_object_end(w);
    gh_jw_kv_string(w, "type", "Full");
    snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s.json", a->sid);
    gh_jw_kv_string(w, "uri", uri);
    gh_jw_object_end(w);
}

/* "<path>?<filters>PageSize=N&Page=P[&PageToken=T]" */
static void
write_page_uri(struct gh_jw *w, const char *key, const struct gh_page_links *l, unsigned page,
               const char *token)
{
    char uri[GH_HTTP_URI_MAX];

    snprintf(uri, sizeof(uri), "%s?%sPageSize=%u&Page=%u%s%s", l->path, l->filter_query,
             l->page->size, page, token != NULL ? "&PageToken=" : "", token != NULL ? token : "");
    gh_jw_kv_string(w, key, uri);
}

static void
write_next(struct gh_jw *w, const char *key, const struct gh_page_links *l)
{
    if (l->next_token[0] == '\0') {
        gh_jw_key(w, key);
        gh_jw_null(w);
        return;
    }
    write_page_uri(w, key, l, l->page->page + 1, l->next_token);
}

void
gh_write_page2010(struct gh_jw *w, const struct gh_page_links *l)
{
    int64_t start = (int64_t)l->page->page * l->page->size;

    write_page_uri(w, "first_page_uri", l, 0, NULL);
    write_page_uri(w, "uri", l, l->page->page, l->page->token);
    write_next(w, "next_page_uri", l);
    gh_jw_key(w, "previous_page_uri");
    gh_jw_null(w);
    gh_jw_kv_int(w, "page", l->page->page);
    gh_jw_kv_int(w, "page_size", l->page->size);
    gh_jw_kv_int(w, "start", start);
    gh_jw_kv_int(w, "end", l->n > 0 ? start + (int64_t)l->n - 1 : 0);
}

void
gh_write_page_v1(struct gh_jw *w, const char *key, const struct gh_page_links *l)
{
    gh_jw_key(w, "meta");
    gh_jw_object(w);
    gh_jw_kv_int(w, "page", l->page->page);
    gh_jw_kv_int(w, "page_size", l->page->size);
    write_page_uri(w, "first_page_url", l, 0, NULL);
    gh_jw_key(w, "previous_page_url");
    gh_jw_null(w);
    write_page_uri(w, "url", l, l->page->page, l->page->token);
    write_next(w, "next_page_url", l);
    gh_jw_kv_string(w, "key", key);
    gh_jw_object_end(w);
}

static gh_err
join_permissions(json_t *allow, char **permissions)
{
    size_t total = 0;
    size_t i;
    json_t *v;
    char *out;

    json_array_foreach (allow, i, v) {
        if (!json_is_string(v) || strchr(json_string_value(v), '\n') != NULL) {
            return GH_E_POLICY;
        }
        total += json_string_length(v) + 1;
    }
    out = calloc(1, total + 1);
    if (out == NULL) {
        return GH_E_NOMEM;
    }
    total = 0;
    json_array_foreach (allow, i, v) {
        if (i > 0) {
            out[total++] = '\n';
        }
        memcpy(out + total, json_string_value(v), json_string_length(v));
        total += json_string_length(v);
    }
    *permissions = out;
    return GH_OK;
}

gh_err
gh_policy_from_json(const char *text, char **permissions)
{
    json_error_t jerr;
    json_t *doc;
    json_t *allow;
    gh_err rc = GH_E_POLICY;

    *permissions = NULL;
    if (strlen(text) > POLICY_JSON_MAX) {
        return GH_E_POLICY;
    }
    doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    allow = json_object_get(doc, "allow");
    if (json_is_object(doc) && json_object_size(doc) == 1 && json_is_array(allow) &&
        json_array_size(allow) >= 1 && json_array_size(allow) <= GH_POLICY_MAX_PERMISSIONS) {
        rc = join_permissions(allow, permissions);
    }
    json_decref(doc);
    if (rc == GH_OK && gh_key_policy_check(*permissions) != GH_OK) {
        free(*permissions);
        *permissions = NULL;
        rc = GH_E_POLICY;
    }
    return rc;
}

void
gh_write_policy(struct gh_jw *w, const char *permissions)
{
    const char *p = permissions;
    char one[GH_PERMISSION_MAX_LEN + 1];

    if (permissions == NULL) {
        gh_jw_null(w);
        return;
    }
    gh_jw_object(w);
    gh_jw_key(w, "allow");
    gh_jw_array(w);
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        len = len < sizeof(one) ? len : sizeof(one) - 1;
        memcpy(one, p, len);
        one[len] = '\0';
        gh_jw_string(w, one);
        if (nl == NULL) {
            break;
        }
        p = nl + 1;
    }
    gh_jw_array_end(w);
    gh_jw_object_end(w);
}
