/*
 * request.c -- what handlers read from a request besides single parameters: paging
 * parameters and the base URL of absolute v1 links.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Parses a decimal unsigned in [min, max]; GH_E_PAGE otherwise. */
static gh_err
parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
    unsigned long v;
    char *end;

    if (s[0] < '0' || s[0] > '9' || strlen(s) > 9) {
        return GH_E_PAGE;
    }
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return GH_E_PAGE;
    }
    *out = (unsigned)v;
    return GH_OK;
}

gh_err
gh_read_page(const struct gh_request *req, struct gh_page *page)
{
    const char *v;
    gh_err rc;

    page->size = GH_PAGE_SIZE_DEFAULT;
    page->page = 0;
    page->token = NULL;
    rc = gh_param_get(&req->params, "PageSize", &v);
    if (rc == GH_OK) {
        rc = parse_uint(v, 1, GH_PAGE_SIZE_MAX, &page->size);
    }
    if (rc != GH_OK && rc != GH_E_NOT_FOUND) {
        return rc;
    }
    rc = gh_param_get(&req->params, "Page", &v);
    if (rc == GH_OK) {
        rc = parse_uint(v, 0, GH_PAGE_OFFSET_MAX, &page->page);
    }
    if (rc != GH_OK && rc != GH_E_NOT_FOUND) {
        return rc;
    }
    rc = gh_param_get(&req->params, "PageToken", &page->token);
    return rc == GH_E_NOT_FOUND ? GH_OK : rc;
}

static bool
host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '[' || c == ']';
}

void
gh_base_url(const struct gh_request *req, char *out, size_t cap)
{
    const char *host = req->host;
    bool ok = host != NULL && host[0] != '\0' && strlen(host) < 256;

    if (req->cfg->public_url != NULL) {
        snprintf(out, cap, "%s", req->cfg->public_url);
        return;
    }
    for (const char *p = host; ok && *p != '\0'; p++) {
        ok = host_char(*p);
    }
    snprintf(out, cap, "http://%s", ok ? host : req->cfg->listen);
}

gh_err
gh_param_opt(const struct gh_request *req, const char *name, const char **value)
{
    gh_err rc = gh_param_get(&req->params, name, value);

    return rc == GH_E_NOT_FOUND ? GH_OK : rc;
}

gh_err
gh_param_required(const struct gh_request *req, const char *name, const char **value)
{
    gh_err rc = gh_param_get(&req->params, name, value);

    return rc == GH_E_NOT_FOUND ? GH_E_MISSING : rc;
}
