/*
 * h_mfa.c -- second factors over HTTP: POST /v1/Users/{Sid}/Factors (enrol a TOTP factor: its
 * secret, otpauth:// URI and QR code, once), GET /v1/Users/{Sid}/Factors (without secrets),
 * POST /v1/Users/{Sid}/Factors/{FactorSid} (confirm
 * with Code; the first factor brings the recovery codes), DELETE .../Factors/{FactorSid}
 * (CurrentPassphrase and Code of that factor), POST /v1/Users/{Sid}/RecoveryCodes
 * (new ones), POST /v1/Sessions/{Sid}/Mfa (complete a pending login with Code or
 * RecoveryCode), POST /v1/Accounts/{Sid}/MfaPolicy (MfaRequired).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server.h"

#define QR_SCALE 6

static const char *
factor_status(const struct gh_factor *f)
{
    return f->status == GH_FACTOR_VERIFIED ? "verified" : "unverified";
}

static void
write_factor_fields(struct gh_jw *w, const struct gh_factor *f)
{
    gh_jw_kv_string(w, "sid", f->sid);
    gh_jw_kv_string(w, "user_sid", f->user_sid);
    gh_jw_kv_string(w, "type", "totp");
    gh_jw_kv_string(w, "status", factor_status(f));
    gh_jw_kv_string(w, "algorithm", gh_totp_alg_name((enum gh_totp_alg)f->alg));
    gh_jw_kv_int(w, "digits", f->digits);
    gh_jw_kv_int(w, "period", f->period_s);
    gh_write_date_iso(w, "date_created", f->created_ms);
    if (f->status == GH_FACTOR_UNVERIFIED) {
        gh_write_date_iso(w, "expires", f->expires_ms);
    } else {
        gh_jw_key(w, "expires");
        gh_jw_null(w);
    }
}

static void
write_codes(struct gh_jw *w, char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE], size_t n)
{
    gh_jw_key(w, "recovery_codes");
    if (n == 0) {
        gh_jw_null(w);
        return;
    }
    gh_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        gh_jw_string(w, codes[i]);
    }
    gh_jw_array_end(w);
}

/* Optional TOTP parameters: Algorithm, Digits, Period. */
static gh_err
read_params(const struct gh_request *req, struct gh_totp_params *p)
{
    const char *alg = NULL;
    const char *digits = NULL;
    const char *period = NULL;
    gh_err rc = gh_param_opt(req, "Algorithm", &alg);

    *p = GH_TOTP_PARAMS_DEFAULT;
    rc = rc == GH_OK ? gh_param_opt(req, "Digits", &digits) : rc;
    rc = rc == GH_OK ? gh_param_opt(req, "Period", &period) : rc;
    if (rc == GH_OK && alg != NULL) {
        rc = gh_totp_alg_parse(alg, &p->alg);
    }
    if (rc == GH_OK && digits != NULL) {
        p->digits = (unsigned)strtoul(digits, NULL, 10);
        rc = strlen(digits) == 1 ? GH_OK : GH_E_INVALID;
    }
    if (rc == GH_OK && period != NULL) {
        p->period_s = (unsigned)strtoul(period, NULL, 10);
        rc = strlen(period) <= 3 && period[0] >= '1' && period[0] <= '9' ? GH_OK : GH_E_INVALID;
    }
    return rc == GH_OK ? gh_totp_params_check(p) : GH_E_INVALID;
}

void
h_mfa_factor_create(struct gh_request *req, struct gh_response *res)
{
    struct gh_mfa_enrolment *e = calloc(1, sizeof(*e));
    struct gh_totp_params params;
    const char *type = NULL;
    uint8_t *png = NULL;
    char *svg = NULL;
    size_t png_len = 0;
    size_t svg_len = 0;
    struct gh_jw *w;
    gh_err rc = e != NULL ? gh_param_required(req, "Type", &type) : GH_E_NOMEM;

    if (rc == GH_OK && strcmp(type, "totp") != 0) {
        rc = GH_E_INVALID;
    }
    rc = rc == GH_OK ? read_params(req, &params) : rc;
    rc = rc == GH_OK ? gh_mfa_enrol(req->cfg->ctx, &req->origin, &req->who, req->captures[0],
                                    &params, NULL, e)
                     : rc;
    rc = rc == GH_OK ? gh_qr_png(e->uri, QR_SCALE, &png, &png_len) : rc;
    rc = rc == GH_OK ? gh_qr_svg(e->uri, &svg, &svg_len) : rc;
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
    } else {
        size_t b64_len = sodium_base64_ENCODED_LEN(png_len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(b64_len);

        w = gh_respond_json(res, 201);
        gh_jw_object(w);
        write_factor_fields(w, &e->factor);
        gh_jw_kv_string(w, "secret", e->secret);
        gh_jw_kv_string(w, "uri", e->uri);
        gh_jw_key(w, "qr_png");
        if (b64 != NULL) {
            sodium_bin2base64(b64, b64_len, png, png_len, sodium_base64_VARIANT_ORIGINAL);
            gh_jw_string(w, b64);
        } else {
            gh_jw_null(w);
        }
        gh_jw_kv_string(w, "qr_svg", svg);
        gh_jw_object_end(w);
        free(b64);
    }
    gh_qr_free(png);
    gh_qr_free(svg);
    if (e != NULL) {
        gh_wipe(e, sizeof(*e));
        free(e);
    }
}

void
h_mfa_factor_list(struct gh_request *req, struct gh_response *res)
{
    struct gh_factor list[GH_FACTORS_MAX];
    size_t n = 0;
    gh_err rc =
        gh_mfa_factor_list(req->cfg->ctx, &req->who, req->captures[0], list, GH_FACTORS_MAX, &n);
    struct gh_jw *w;

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_key(w, "factors");
    gh_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        gh_jw_object(w);
        write_factor_fields(w, &list[i]);
        gh_jw_object_end(w);
    }
    gh_jw_array_end(w);
    gh_jw_object_end(w);
}

void
h_mfa_factor_confirm(struct gh_request *req, struct gh_response *res)
{
    char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE];
    struct gh_factor f;
    const char *code = NULL;
    size_t n = 0;
    int64_t retry = 0;
    struct gh_jw *w;
    gh_err rc = gh_param_required(req, "Code", &code);

    memset(&f, 0, sizeof(f));
    if (rc == GH_OK) {
        rc = gh_mfa_confirm(req->cfg->ctx, &req->origin, &req->who, req->captures[0],
                            req->captures[1], code, &f, codes, &n, &retry);
    }
    if (rc == GH_E_LIMIT) {
        gh_respond_limited(res, retry);
        return;
    }
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    write_factor_fields(w, &f);
    write_codes(w, codes, n);
    gh_jw_object_end(w);
    gh_wipe(codes, sizeof(codes));
}

void
h_mfa_recovery_codes(struct gh_request *req, struct gh_response *res)
{
    char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE];
    gh_err rc =
        gh_mfa_recovery_regenerate(req->cfg->ctx, &req->origin, &req->who, req->captures[0], codes);
    struct gh_jw *w;

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 201);
    gh_jw_object(w);
    write_codes(w, codes, GH_RECOVERY_CODES);
    gh_jw_object_end(w);
    gh_wipe(codes, sizeof(codes));
}

void
h_mfa_session_complete(struct gh_request *req, struct gh_response *res)
{
    const char *code = NULL;
    const char *recovery = NULL;
    int64_t left = -1;
    int64_t retry = 0;
    struct gh_jw *w;
    gh_err rc = gh_param_opt(req, "Code", &code);

    rc = rc == GH_OK ? gh_param_opt(req, "RecoveryCode", &recovery) : rc;
    if (rc == GH_OK) {
        rc = gh_mfa_complete(req->cfg->ctx, &req->origin, &req->who, req->captures[0], code,
                             recovery, &left, &retry);
    }
    if (rc == GH_E_LIMIT) {
        gh_respond_limited(res, retry);
        return;
    }
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_kv_string(w, "sid", req->who.sid);
    gh_jw_kv_string(w, "status", "active");
    gh_jw_key(w, "recovery_codes_left");
    if (left >= 0) {
        gh_jw_int(w, left);
    } else {
        gh_jw_null(w);
    }
    gh_jw_object_end(w);
}

void
h_mfa_policy(struct gh_request *req, struct gh_response *res)
{
    const char *value = NULL;
    bool required;
    struct gh_jw *w;
    gh_err rc = gh_param_required(req, "MfaRequired", &value);

    if (rc == GH_OK && strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
        rc = GH_E_INVALID;
    }
    required = rc == GH_OK && strcmp(value, "true") == 0;
    if (rc == GH_OK) {
        rc = gh_mfa_policy_set(req->cfg->ctx, &req->origin, &req->who, req->captures[0], required);
    }
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_kv_string(w, "account_sid", req->captures[0]);
    gh_jw_key(w, "mfa_required");
    gh_jw_bool(w, required);
    gh_jw_object_end(w);
}

void
h_mfa_factor_delete(struct gh_request *req, struct gh_response *res)
{
    const char *pass = NULL;
    const char *code = NULL;
    int64_t retry = 0;
    gh_err rc = gh_param_required(req, "CurrentPassphrase", &pass);

    rc = rc == GH_OK ? gh_param_required(req, "Code", &code) : rc;
    if (rc == GH_OK) {
        rc = gh_mfa_factor_remove(req->cfg->ctx, &req->origin, &req->who, req->captures[0],
                                  req->captures[1], pass, strlen(pass), code, &retry);
    }
    if (rc == GH_E_LIMIT) {
        gh_respond_limited(res, retry);
    } else if (rc != GH_OK) {
        gh_respond_error(res, rc);
    } else {
        gh_respond_empty(res, 204);
    }
}
