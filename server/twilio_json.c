/*
 * twilio_json.c -- Twilio-shaped JSON: error bodies, Account and paging envelopes, dates
 * (RFC 2822 for 2010-04-01 and iam v1, ISO 8601 for accounts v1), and restricted-key policies.
 * Error messages are fixed per error code: nothing the client sent is echoed.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define POLICY_JSON_MAX (16 * 1024)

void
gh_respond(struct gh_response *res, int status, json_t *body)
{
    json_decref(res->body);
    res->status = status;
    res->body = body;
}

void
gh_respond_error(struct gh_response *res, gh_err err)
{
    char more[64];
    int code = gh_err_twilio_code(err);

    snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%d", code);
    gh_respond(res, gh_err_http_status(err),
               json_pack("{s:i, s:s, s:s, s:i}", "code", code, "message", gh_err_message(err),
                         "more_info", more, "status", gh_err_http_status(err)));
    res->auth_challenge = err == GH_E_DENIED;
}

json_t *
gh_json_date2822(int64_t ms)
{
    char text[GH_RFC2822_SIZE];

    gh_time_rfc2822(ms, text);
    return json_string(text);
}

json_t *
gh_json_date_iso(int64_t ms)
{
    char text[GH_ISO8601_SIZE];

    gh_time_iso8601(ms, text);
    return json_string(text);
}

static const char *const status_text[] = {"active", "suspended", "closed"};

json_t *
gh_json_account(const struct gh_account *a, const char *auth_token)
{
    char uri[96];
    char keys[96];
    char signing[96];

    snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s.json", a->sid);
    snprintf(keys, sizeof(keys), "/2010-04-01/Accounts/%s/Keys.json", a->sid);
    snprintf(signing, sizeof(signing), "/2010-04-01/Accounts/%s/SigningKeys.json", a->sid);
    return json_pack("{s:s?, s:o, s:o, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "auth_token",
                     auth_token != NULL && auth_token[0] != '\0' ? auth_token : NULL,
                     "date_created", gh_json_date2822(a->created_ms), "date_updated",
                     gh_json_date2822(a->updated_ms), "friendly_name", a->friendly_name,
                     "owner_account_sid", a->parent_sid[0] != '\0' ? a->parent_sid : a->sid, "sid",
                     a->sid, "status", status_text[a->status], "subresource_uris", "keys", keys,
                     "signing_keys", signing, "type", "Full", "uri", uri);
}

/* "<path>?<filters>PageSize=N&Page=P[&PageToken=T]" */
static json_t *
page_uri(const struct gh_page_links *l, unsigned page, const char *token)
{
    char uri[GH_HTTP_URI_MAX];

    snprintf(uri, sizeof(uri), "%s?%sPageSize=%u&Page=%u%s%s", l->path, l->filter_query,
             l->page->size, page, token != NULL ? "&PageToken=" : "", token != NULL ? token : "");
    return json_string(uri);
}

static json_t *
next_uri(const struct gh_page_links *l)
{
    return l->next_token[0] != '\0' ? page_uri(l, l->page->page + 1, l->next_token) : json_null();
}

json_t *
gh_json_page2010(const char *key, json_t *items, const struct gh_page_links *l)
{
    size_t start = (size_t)l->page->page * l->page->size;

    return json_pack("{s:o, s:o, s:o, s:o, s:n, s:I, s:I, s:I, s:I}", key, items, "first_page_uri",
                     page_uri(l, 0, NULL), "uri", page_uri(l, l->page->page, l->page->token),
                     "next_page_uri", next_uri(l), "previous_page_uri", "page",
                     (json_int_t)l->page->page, "page_size", (json_int_t)l->page->size, "start",
                     (json_int_t)start, "end", (json_int_t)(l->n > 0 ? start + l->n - 1 : 0));
}

json_t *
gh_json_page_v1(const char *key, json_t *items, const struct gh_page_links *l)
{
    return json_pack("{s:o, s:{s:I, s:I, s:o, s:n, s:o, s:o, s:s}}", key, items, "meta", "page",
                     (json_int_t)l->page->page, "page_size", (json_int_t)l->page->size,
                     "first_page_url", page_uri(l, 0, NULL), "previous_page_url", "url",
                     page_uri(l, l->page->page, l->page->token), "next_page_url", next_uri(l),
                     "key", key);
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

json_t *
gh_policy_to_json(const char *permissions)
{
    json_t *allow;
    const char *p = permissions;

    if (permissions == NULL) {
        return json_null();
    }
    allow = json_array();
    while (allow != NULL) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        json_array_append_new(allow, json_stringn(p, len));
        if (nl == NULL) {
            break;
        }
        p = nl + 1;
    }
    return json_pack("{s:o}", "allow", allow);
}
