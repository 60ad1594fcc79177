/*
 * h_keys.c -- API keys on both wire formats: 2010-04-01 Keys and SigningKeys (under an
 * account, reachable by the parent's auth token and main keys) and iam v1 Keys (AccountSid as
 * a parameter, the credential's own account only, restricted keys with a Policy).
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* ---- rendering ---- */

/* The fields every key shape shares; leaves the object open. */
static void
write_key_fields(struct gh_jw *w, const struct gh_key *k)
{
    gh_jw_object(w);
    gh_jw_kv_string(w, "sid", k->sid);
    gh_jw_kv_string(w, "friendly_name", k->friendly_name);
    gh_write_date2822(w, "date_created", k->created_ms);
    gh_write_date2822(w, "date_updated", k->updated_ms);
}

/* 2010-04-01: {sid, friendly_name, date_created, date_updated[, secret]} */
static void
write_key(struct gh_jw *w, const struct gh_key *k, const char *secret)
{
    write_key_fields(w, k);
    if (secret != NULL) {
        gh_jw_kv_string(w, "secret", secret);
    }
    gh_jw_object_end(w);
}

/* iam v1 instance: {..., [secret,] policy} */
static void
write_key_v1(struct gh_jw *w, const struct gh_key *k, const char *secret)
{
    write_key_fields(w, k);
    if (secret != NULL) {
        gh_jw_kv_string(w, "secret", secret);
    }
    gh_jw_key(w, "policy");
    gh_write_policy(w, k->permissions);
    gh_jw_object_end(w);
}

/* iam v1 list item: {..., flags} */
static void
write_key_v1_item(struct gh_jw *w, const struct gh_key *k)
{
    write_key_fields(w, k);
    gh_jw_key(w, "flags");
    gh_jw_array(w);
    gh_jw_string(w, "rest_api");
    if (k->type != GH_KEY_RESTRICTED) {
        gh_jw_string(w, "signing"); /* restricted keys cannot sign access tokens */
    }
    gh_jw_array_end(w);
    gh_jw_object_end(w);
}

typedef void (*key_writer)(struct gh_jw *w, const struct gh_key *k, const char *secret);

static void
respond_key(struct gh_response *res, gh_err rc, int status, key_writer render,
            const struct gh_key *k, const char *secret)
{
    if (rc == GH_OK) {
        render(gh_respond_json(res, status), k, secret);
    } else {
        gh_respond_error(res, rc);
    }
}

/* ---- 2010-04-01: Keys and SigningKeys ---- */

static struct gh_key_scope
scope2010(const struct gh_request *req, enum gh_key_family family)
{
    struct gh_key_scope s = {req->captures[0], family, GH_REACH_PARENT};

    return s;
}

static void
create2010(struct gh_request *req, struct gh_response *res, enum gh_key_family family)
{
    struct gh_key_scope scope = scope2010(req, family);
    struct gh_key_spec spec = {family == GH_KEY_FAMILY_SIGNING ? GH_KEY_SIGNING : GH_KEY_STANDARD,
                               NULL, NULL};
    char secret[GH_SECRET_SIZE] = "";
    struct gh_key k;
    gh_err rc = gh_param_opt(req, "FriendlyName", &spec.friendly_name);

    memset(&k, 0, sizeof(k));
    if (rc == GH_OK) {
        rc = gh_key_create(req->cfg->ctx, &req->origin, &req->who, &scope, &spec, &k, secret);
    }
    respond_key(res, rc, 201, write_key, &k, secret);
    gh_wipe(secret, sizeof(secret));
    gh_key_clear(&k);
}

static void
list2010(struct gh_request *req, struct gh_response *res, enum gh_key_family family)
{
    bool signing = family == GH_KEY_FAMILY_SIGNING;
    struct gh_key_scope scope = scope2010(req, family);
    struct gh_key_list list;
    struct gh_page page;
    char path[128];
    gh_err rc = gh_read_page(req, &page);

    memset(&list, 0, sizeof(list));
    if (rc == GH_OK) {
        rc = gh_key_list(req->cfg->ctx, &req->who, &scope, &page, &list);
    }
    if (rc == GH_OK) {
        struct gh_page_links links = {path, "", &page, list.n, list.next_token};
        struct gh_jw *w = gh_respond_json(res, 200);

        snprintf(path, sizeof(path), "/2010-04-01/Accounts/%s/%s.json", req->captures[0],
                 signing ? "SigningKeys" : "Keys");
        gh_jw_object(w);
        gh_jw_key(w, signing ? "signing_keys" : "keys");
        gh_jw_array(w);
        for (size_t i = 0; i < list.n; i++) {
            write_key(w, &list.items[i], NULL);
        }
        gh_jw_array_end(w);
        gh_write_page2010(w, &links);
        gh_jw_object_end(w);
    } else {
        gh_respond_error(res, rc);
    }
    gh_key_list_clear(&list);
}

static void
fetch2010(struct gh_request *req, struct gh_response *res, enum gh_key_family family)
{
    struct gh_key_scope scope = scope2010(req, family);
    struct gh_key k;
    gh_err rc = gh_key_fetch(req->cfg->ctx, &req->who, &scope, req->captures[1], &k);

    respond_key(res, rc, 200, write_key, &k, NULL);
    gh_key_clear(&k);
}

static void
update2010(struct gh_request *req, struct gh_response *res, enum gh_key_family family)
{
    struct gh_key_scope scope = scope2010(req, family);
    struct gh_key_change change = {NULL, NULL};
    struct gh_key k;
    gh_err rc = gh_param_opt(req, "FriendlyName", &change.friendly_name);

    memset(&k, 0, sizeof(k));
    if (rc == GH_OK) {
        rc = gh_key_update(req->cfg->ctx, &req->origin, &req->who, &scope, req->captures[1],
                           &change, &k);
    }
    respond_key(res, rc, 200, write_key, &k, NULL);
    gh_key_clear(&k);
}

static void
delete_key(struct gh_request *req, struct gh_response *res, const struct gh_key_scope *scope,
           const char *sid)
{
    gh_err rc = gh_key_delete(req->cfg->ctx, &req->origin, &req->who, scope, sid);

    if (rc == GH_OK) {
        gh_respond_empty(res, 204);
    } else {
        gh_respond_error(res, rc);
    }
}

static void
delete2010(struct gh_request *req, struct gh_response *res, enum gh_key_family family)
{
    struct gh_key_scope scope = scope2010(req, family);

    delete_key(req, res, &scope, req->captures[1]);
}

void
h_key2010_create(struct gh_request *req, struct gh_response *res)
{
    create2010(req, res, GH_KEY_FAMILY_API);
}

void
h_key2010_list(struct gh_request *req, struct gh_response *res)
{
    list2010(req, res, GH_KEY_FAMILY_API);
}

void
h_key2010_fetch(struct gh_request *req, struct gh_response *res)
{
    fetch2010(req, res, GH_KEY_FAMILY_API);
}

void
h_key2010_update(struct gh_request *req, struct gh_response *res)
{
    update2010(req, res, GH_KEY_FAMILY_API);
}

void
h_key2010_delete(struct gh_request *req, struct gh_response *res)
{
    delete2010(req, res, GH_KEY_FAMILY_API);
}

void
h_signing_key_create(struct gh_request *req, struct gh_response *res)
{
    create2010(req, res, GH_KEY_FAMILY_SIGNING);
}

void
h_signing_key_list(struct gh_request *req, struct gh_response *res)
{
    list2010(req, res, GH_KEY_FAMILY_SIGNING);
}

void
h_signing_key_fetch(struct gh_request *req, struct gh_response *res)
{
    fetch2010(req, res, GH_KEY_FAMILY_SIGNING);
}

void
h_signing_key_update(struct gh_request *req, struct gh_response *res)
{
    update2010(req, res, GH_KEY_FAMILY_SIGNING);
}

void
h_signing_key_delete(struct gh_request *req, struct gh_response *res)
{
    delete2010(req, res, GH_KEY_FAMILY_SIGNING);
}

/* ---- iam v1 ---- */

static const struct gh_key_scope own_scope = {NULL, GH_KEY_FAMILY_API, GH_REACH_OWN};

/* KeyType (only "restricted") and Policy into spec; *owned receives what to free. */
static gh_err
read_type_and_policy(const struct gh_request *req, struct gh_key_spec *spec, char **owned)
{
    const char *type = NULL;
    const char *policy = NULL;

    *owned = NULL;
    spec->type = GH_KEY_STANDARD;
    if (gh_param_opt(req, "KeyType", &type) != GH_OK ||
        gh_param_opt(req, "Policy", &policy) != GH_OK) {
        return GH_E_REPEATED;
    }
    if (type != NULL && strcmp(type, "restricted") != 0) {
        return GH_E_INVALID;
    }
    if (type == NULL) {
        return policy == NULL ? GH_OK : GH_E_POLICY;
    }
    spec->type = GH_KEY_RESTRICTED;
    if (policy == NULL) {
        return GH_E_POLICY;
    }
    if (gh_policy_from_json(policy, owned) != GH_OK) {
        return GH_E_POLICY;
    }
    spec->permissions = *owned;
    return GH_OK;
}

void
h_key_v1_create(struct gh_request *req, struct gh_response *res)
{
    struct gh_key_scope scope = own_scope;
    struct gh_key_spec spec = {GH_KEY_STANDARD, NULL, NULL};
    char secret[GH_SECRET_SIZE] = "";
    char *permissions = NULL;
    struct gh_key k;
    gh_err rc = gh_param_required(req, "AccountSid", &scope.account_sid);

    memset(&k, 0, sizeof(k));
    if (rc == GH_OK) {
        rc = gh_param_opt(req, "FriendlyName", &spec.friendly_name);
    }
    if (rc == GH_OK) {
        rc = read_type_and_policy(req, &spec, &permissions);
    }
    if (rc == GH_OK) {
        rc = gh_key_create(req->cfg->ctx, &req->origin, &req->who, &scope, &spec, &k, secret);
    }
    respond_key(res, rc, 201, write_key_v1, &k, secret);
    gh_wipe(secret, sizeof(secret));
    gh_key_clear(&k);
    free(permissions);
}

void
h_key_v1_list(struct gh_request *req, struct gh_response *res)
{
    struct gh_key_scope scope = own_scope;
    char filters[GH_SID_SIZE + 16];
    char url[512];
    struct gh_key_list list;
    struct gh_page page;
    gh_err rc = gh_param_required(req, "AccountSid", &scope.account_sid);

    memset(&list, 0, sizeof(list));
    if (rc == GH_OK) {
        rc = gh_read_page(req, &page);
    }
    if (rc == GH_OK) {
        rc = gh_key_list(req->cfg->ctx, &req->who, &scope, &page, &list);
    }
    if (rc == GH_OK) {
        struct gh_page_links links = {url, filters, &page, list.n, list.next_token};
        struct gh_jw *w = gh_respond_json(res, 200);
        char base[400];

        gh_base_url(req, base, sizeof(base));
        snprintf(url, sizeof(url), "%s/v1/Keys", base);
        snprintf(filters, sizeof(filters), "AccountSid=%s&", scope.account_sid);
        gh_jw_object(w);
        gh_jw_key(w, "keys");
        gh_jw_array(w);
        for (size_t i = 0; i < list.n; i++) {
            write_key_v1_item(w, &list.items[i]);
        }
        gh_jw_array_end(w);
        gh_write_page_v1(w, "keys", &links);
        gh_jw_object_end(w);
    } else {
        gh_respond_error(res, rc);
    }
    gh_key_list_clear(&list);
}

void
h_key_v1_fetch(struct gh_request *req, struct gh_response *res)
{
    struct gh_key k;
    gh_err rc = gh_key_fetch(req->cfg->ctx, &req->who, &own_scope, req->captures[0], &k);

    respond_key(res, rc, 200, write_key_v1, &k, NULL);
    gh_key_clear(&k);
}

void
h_key_v1_update(struct gh_request *req, struct gh_response *res)
{
    struct gh_key_change change = {NULL, NULL};
    char *permissions = NULL;
    const char *policy = NULL;
    struct gh_key k;
    gh_err rc = gh_param_opt(req, "FriendlyName", &change.friendly_name);

    memset(&k, 0, sizeof(k));
    if (rc == GH_OK) {
        rc = gh_param_opt(req, "Policy", &policy);
    }
    if (rc == GH_OK && policy != NULL) {
        rc = gh_policy_from_json(policy, &permissions);
        change.permissions = permissions;
    }
    if (rc == GH_OK) {
        rc = gh_key_update(req->cfg->ctx, &req->origin, &req->who, &own_scope, req->captures[0],
                           &change, &k);
    }
    respond_key(res, rc, 200, write_key_v1, &k, NULL);
    gh_key_clear(&k);
    free(permissions);
}

void
h_key_v1_delete(struct gh_request *req, struct gh_response *res)
{
    delete_key(req, res, &own_scope, req->captures[0]);
}
