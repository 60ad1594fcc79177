/*
 * server.h -- `gatehouse serve`: the HTTP adapter, the route table and the handlers.
 *
 * A request is parsed and bounded by http.c, authenticated and dispatched by routes.c, and
 * answered by one h_<resource>.c handler that calls the library's use cases and renders
 * Twilio-shaped JSON (twilio_json.c).  Handlers never see libmicrohttpd.
 */
#ifndef GATEHOUSE_SERVER_H
#define GATEHOUSE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gatehouse/gatehouse.h>

/* Bounds on everything a client sends. */
#define GH_HTTP_BODY_MAX          (64 * 1024)
#define GH_HTTP_URI_MAX           (8 * 1024)
#define GH_HTTP_HEADERS_MAX       (16 * 1024)
#define GH_HTTP_PARAMS_MAX        64
#define GH_HTTP_PATH_SEGMENTS_MAX 8

struct gh_server_config {
    const char *listen; /* "127.0.0.1:8088"; port 0 picks a free port */
    struct gh_ctx *ctx; /* borrowed */
    unsigned threads;   /* 0: one per CPU */
    unsigned max_connections;
    unsigned timeout_s;     /* per-connection idle timeout */
    const char *public_url; /* base of absolute v1 URLs; NULL: from the Host header */
    /* Comma-separated peer addresses (load balancers) whose X-Forwarded-For is believed. */
    const char *trusted_proxies;
};

/* Runs until SIGINT/SIGTERM.  Prints "listening on http://HOST:PORT" once bound. */
int gh_server_run(struct gh_server_config *cfg);

/* ---- one parsed request ---- */

struct gh_param {
    char *name;
    char *value;
};

struct gh_params {
    size_t n;
    struct gh_param items[GH_HTTP_PARAMS_MAX]; /* owned; wiped by gh_params_clear */
};

struct gh_request {
    const char *method;
    const char *path;      /* decoded path, no query */
    const char *raw_query; /* after '?', or "" */
    const char *host;      /* Host header, or NULL */
    const char *content_type;
    const char *authorization;
    const char *body;
    size_t body_len;
    struct gh_origin origin; /* remote address and user agent */
    const char *captures[2]; /* the {sid} path segments of the matched route */
    struct gh_params params; /* query and form parameters */
    struct gh_principal who; /* set once authenticated */
    const struct gh_server_config *cfg;
};

/* ---- json_out.c: a streaming JSON writer ---- */

#define GH_JSON_OUT_MAX (4 * 1024 * 1024)
#define GH_JW_DEPTH_MAX 16

struct gh_jw {
    char *buf; /* NUL-terminated; wiped when freed */
    size_t len;
    size_t cap;
    bool failed; /* out of memory or past GH_JSON_OUT_MAX: the body is dropped */
    bool after_key;
    unsigned depth;
    bool first[GH_JW_DEPTH_MAX];
};

void gh_jw_init(struct gh_jw *w);
void gh_jw_free(struct gh_jw *w);
/* Hands over the buffer (free it with free() after wiping len bytes); NULL when it failed. */
char *gh_jw_take(struct gh_jw *w, size_t *len);
void gh_jw_object(struct gh_jw *w);
void gh_jw_object_end(struct gh_jw *w);
void gh_jw_array(struct gh_jw *w);
void gh_jw_array_end(struct gh_jw *w);
void gh_jw_key(struct gh_jw *w, const char *key);
void gh_jw_string(struct gh_jw *w, const char *s); /* NULL writes null */
void gh_jw_int(struct gh_jw *w, int64_t v);
void gh_jw_null(struct gh_jw *w);
void gh_jw_bool(struct gh_jw *w, bool v);
void gh_jw_double(struct gh_jw *w, double v); /* 6 significant digits; null when not finite */
void gh_jw_kv_string(struct gh_jw *w, const char *key, const char *s);
void gh_jw_kv_int(struct gh_jw *w, const char *key, int64_t v);

struct gh_response {
    int status;
    bool has_body; /* false: empty body (204) */
    struct gh_jw body;
    char allow[64];        /* Allow header for 405, or "" */
    bool auth_challenge;   /* send WWW-Authenticate */
    int64_t retry_after_s; /* send Retry-After (429) when > 0 */
};

/* ---- form.c ---- */

/* Parses application/x-www-form-urlencoded text into p (appending).  GH_E_MALFORMED on bad
 * percent-encoding or invalid UTF-8, GH_E_LIMIT past GH_HTTP_PARAMS_MAX. */
gh_err gh_form_parse(const char *text, size_t len, struct gh_params *p);
void gh_params_clear(struct gh_params *p);
/* The single value of name: GH_E_NOT_FOUND when absent, GH_E_REPEATED when given twice. */
gh_err gh_param_get(const struct gh_params *p, const char *name, const char **value);
/* Percent-encodes s for a query string (RFC 3986 unreserved kept) into out. */
gh_err gh_url_encode(const char *s, char *out, size_t cap);

/* ---- twilio_json.c ---- */

/* Installs a wiping allocator for jansson (request JSON may carry secrets). */
void gh_json_setup(void);

/* Starts a JSON body with this status; the handler writes into the returned writer. */
struct gh_jw *gh_respond_json(struct gh_response *res, int status);
/* An empty body (204). */
void gh_respond_empty(struct gh_response *res, int status);
/* Replaces whatever was written with Twilio's error body for err. */
void gh_respond_error(struct gh_response *res, gh_err err);
/* Twilio's error body for err, left open so the caller can add keys and close it. */
void gh_respond_error_details(struct gh_response *res, gh_err err);
/* GH_E_LIMIT with Retry-After: seconds (at least 1). */
void gh_respond_limited(struct gh_response *res, int64_t retry_after_s);
void gh_response_clear(struct gh_response *res);
void gh_write_account(struct gh_jw *w, const struct gh_account *a, const char *auth_token);
void gh_write_date2822(struct gh_jw *w, const char *key, int64_t ms);
void gh_write_date_iso(struct gh_jw *w, const char *key, int64_t ms);
/* Reads a restricted key's Policy JSON text into '\n'-separated permissions (free()). */
gh_err gh_policy_from_json(const char *text, char **permissions);
/* Writes {"allow": [...]}, or null for NULL. */
void gh_write_policy(struct gh_jw *w, const char *permissions);

/* The paging envelope around a list: path and the filter query build every paging URI. */
struct gh_page_links {
    const char *path;         /* "/2010-04-01/Accounts.json" or the absolute v1 URL */
    const char *filter_query; /* "FriendlyName=x&Status=y&" or "" (each ends with '&') */
    const struct gh_page *page;
    size_t n;
    const char *next_token; /* "" on the last page */
};
/* After the list's key and array: the 2010 paging keys. */
void gh_write_page2010(struct gh_jw *w, const struct gh_page_links *l);
/* After the list's key and array: the v1 "meta" object. */
void gh_write_page_v1(struct gh_jw *w, const char *key, const struct gh_page_links *l);

/* ---- routes.c ---- */

/* Fills res for req; never fails (errors become Twilio error bodies). */
void gh_route(struct gh_request *req, struct gh_response *res);
/* Reads PageSize, Page and PageToken; GH_E_PAGE or GH_E_REPEATED on bad values. */
gh_err gh_read_page(const struct gh_request *req, struct gh_page *page);
/* An optional single parameter: NULL when absent; GH_E_REPEATED when given twice. */
gh_err gh_param_opt(const struct gh_request *req, const char *name, const char **value);
/* A required single parameter: GH_E_MISSING when absent; GH_E_REPEATED when given twice. */
gh_err gh_param_required(const struct gh_request *req, const char *name, const char **value);
/* The scheme://host base for absolute v1 URLs. */
void gh_base_url(const struct gh_request *req, char *out, size_t cap);

/* ---- h_passphrases.c ---- */

/* Writes the policy's verdict on a passphrase: length, refusals, both strength figures. */
void gh_write_passphrase_report(struct gh_jw *w, const struct gh_passphrase_report *r);
/* 400 for a refused passphrase, with the report under "details". */
void gh_respond_weak_passphrase(struct gh_response *res, const struct gh_passphrase_report *r);

/* ---- handlers ---- */

typedef void (*gh_handler)(struct gh_request *req, struct gh_response *res);

/*
 * The route table, for `gatehouse roles`: each route's method, pattern ("{}" captures one
 * segment), permission (GH_PERM_COUNT_ for a public route), where it finds the account it acts
 * on ("path", "param" for AccountSid, "self" for the user's own, "none" for public routes) and
 * whether a parent's auth token and main keys may name a subaccount there.
 */
typedef void (*gh_route_fn)(const char *method, const char *pattern, enum gh_perm perm,
                            const char *account, bool parent, void *arg);
void gh_routes_each(gh_route_fn fn, void *arg);
/* Whether every route names a permission in the table or is marked public (deny by default). */
bool gh_routes_complete(void);

void h_account_create(struct gh_request *req, struct gh_response *res);
void h_account_list(struct gh_request *req, struct gh_response *res);
void h_account_fetch(struct gh_request *req, struct gh_response *res);
void h_account_update(struct gh_request *req, struct gh_response *res);
void h_key2010_create(struct gh_request *req, struct gh_response *res);
void h_key2010_list(struct gh_request *req, struct gh_response *res);
void h_key2010_fetch(struct gh_request *req, struct gh_response *res);
void h_key2010_update(struct gh_request *req, struct gh_response *res);
void h_key2010_delete(struct gh_request *req, struct gh_response *res);
void h_signing_key_create(struct gh_request *req, struct gh_response *res);
void h_signing_key_list(struct gh_request *req, struct gh_response *res);
void h_signing_key_fetch(struct gh_request *req, struct gh_response *res);
void h_signing_key_update(struct gh_request *req, struct gh_response *res);
void h_signing_key_delete(struct gh_request *req, struct gh_response *res);
void h_key_v1_create(struct gh_request *req, struct gh_response *res);
void h_key_v1_list(struct gh_request *req, struct gh_response *res);
void h_key_v1_fetch(struct gh_request *req, struct gh_response *res);
void h_key_v1_update(struct gh_request *req, struct gh_response *res);
void h_key_v1_delete(struct gh_request *req, struct gh_response *res);
void h_secondary_create(struct gh_request *req, struct gh_response *res);
void h_secondary_delete(struct gh_request *req, struct gh_response *res);
void h_promote(struct gh_request *req, struct gh_response *res);
void h_user_create(struct gh_request *req, struct gh_response *res);
void h_user_fetch(struct gh_request *req, struct gh_response *res);
void h_user_passphrase(struct gh_request *req, struct gh_response *res);
void h_mfa_factor_create(struct gh_request *req, struct gh_response *res);
void h_mfa_factor_list(struct gh_request *req, struct gh_response *res);
void h_mfa_factor_confirm(struct gh_request *req, struct gh_response *res);
void h_mfa_factor_delete(struct gh_request *req, struct gh_response *res);
void h_mfa_recovery_codes(struct gh_request *req, struct gh_response *res);
void h_mfa_session_complete(struct gh_request *req, struct gh_response *res);
void h_mfa_policy(struct gh_request *req, struct gh_response *res);
void h_events_list(struct gh_request *req, struct gh_response *res);
void h_member_add(struct gh_request *req, struct gh_response *res);
void h_member_list(struct gh_request *req, struct gh_response *res);
void h_member_fetch(struct gh_request *req, struct gh_response *res);
void h_member_update(struct gh_request *req, struct gh_response *res);
void h_member_remove(struct gh_request *req, struct gh_response *res);
void h_ownership_get(struct gh_request *req, struct gh_response *res);
void h_ownership_offer(struct gh_request *req, struct gh_response *res);
void h_ownership_withdraw(struct gh_request *req, struct gh_response *res);
void h_ownership_accept(struct gh_request *req, struct gh_response *res);
void h_session_create(struct gh_request *req, struct gh_response *res);
void h_session_list(struct gh_request *req, struct gh_response *res);
void h_session_delete(struct gh_request *req, struct gh_response *res);
void h_access_token_create(struct gh_request *req, struct gh_response *res);
void h_access_token_verify(struct gh_request *req, struct gh_response *res);
void h_access_token_revoke(struct gh_request *req, struct gh_response *res);
void h_client_token(struct gh_request *req, struct gh_response *res);
void h_session_delete_others(struct gh_request *req, struct gh_response *res);
void h_passphrase_check(struct gh_request *req, struct gh_response *res);
void h_health(struct gh_request *req, struct gh_response *res);
void h_ready(struct gh_request *req, struct gh_response *res);

#endif
