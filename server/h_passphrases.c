/*
 * h_passphrases.c -- the passphrase policy on the wire: POST /v1/Passphrases/Check (public,
 * throttled per address, stores nothing) and the report every passphrase refusal carries, which
 * is also what `gatehouse passphrase explain --json` prints (one writer for both).
 *
 * The report gives both strength figures side by side, so a user sees why "P@ssw0rd!" is weak
 * although its keyspace is large: the keyspace (pool^length, the ceiling for random choice)
 * and the realistic estimate (zxcvbn's guesses), with the time each attacker would need.
 */
#include <string.h>

#include "server.h"

/* The reasons' codes, then their sentences, in the same order. */
static void
write_reasons(struct gh_jw *w, unsigned reasons)
{
    for (int sentences = 0; sentences < 2; sentences++) {
        gh_jw_key(w, sentences ? "reason_messages" : "reasons");
        gh_jw_array(w);
        for (unsigned i = 0; i < GH_PP_COUNT_; i++) {
            enum gh_passphrase_reason r = (enum gh_passphrase_reason)i;

            if ((reasons & (1u << i)) != 0) {
                gh_jw_string(w, sentences ? gh_passphrase_reason_sentence(r)
                                          : gh_passphrase_reason_code(r));
            }
        }
        gh_jw_array_end(w);
    }
}

/* "zxcvbn", "fallback" (non-ASCII text), or "none" (refused before any estimate). */
static const char *
estimator_of(const struct gh_passphrase_report *r)
{
    unsigned unread = (1u << GH_PP_INVALID_TEXT) | (1u << GH_PP_TOO_LONG);

    if ((r->reasons & unread) != 0) {
        return "none";
    }
    return r->estimate_from_zxcvbn ? "zxcvbn" : "fallback";
}

/* "<key>_s": seconds, and "<key>": the same in words. */
static void
write_crack_time(struct gh_jw *w, const char *key, double seconds)
{
    char name[32];
    char text[64];

    snprintf(name, sizeof(name), "%s_s", key);
    gh_jw_key(w, name);
    gh_jw_double(w, seconds);
    gh_duration_text(seconds, text, sizeof(text));
    gh_jw_kv_string(w, key, text);
}

void
gh_write_passphrase_report(struct gh_jw *w, const struct gh_passphrase_report *r)
{
    gh_jw_object(w);
    gh_jw_kv_string(w, "verdict", r->accept ? "accept" : "reject");
    write_reasons(w, r->reasons);
    gh_jw_kv_string(w, "message", r->message);
    gh_jw_kv_int(w, "length", (int64_t)r->length);
    gh_jw_kv_int(w, "min_length", r->min_length);
    gh_jw_kv_string(w, "pool", r->pool);
    gh_jw_kv_int(w, "pool_size", r->pool_size);
    gh_jw_kv_string(w, "keyspace", r->keyspace);
    gh_jw_key(w, "keyspace_log10");
    gh_jw_double(w, r->keyspace_log10);
    gh_jw_key(w, "guesses_log10");
    gh_jw_double(w, r->guesses_log10);
    gh_jw_kv_string(w, "estimator", estimator_of(r));
    gh_jw_key(w, "breach_checked"); /* false: no breach index was there to ask */
    gh_jw_bool(w, r->breach_checked);
    gh_jw_key(w, "crack_times");
    if (strcmp(estimator_of(r), "none") == 0) {
        gh_jw_null(w); /* refused unread: no estimate to turn into times */
    } else {
        gh_jw_object(w);
        write_crack_time(w, "online", r->online_seconds);
        write_crack_time(w, "offline_argon2id", r->offline_seconds);
        write_crack_time(w, "offline_fast_hash", r->fast_hash_seconds);
        gh_jw_object_end(w);
    }
    gh_jw_object_end(w);
}

void
gh_respond_weak_passphrase(struct gh_response *res, const struct gh_passphrase_report *r)
{
    gh_respond_error_details(res, GH_E_WEAK_PASSPHRASE);
    gh_jw_key(&res->body, "details");
    gh_write_passphrase_report(&res->body, r);
    gh_jw_object_end(&res->body);
}

/* Email, Name and AccountName, the context a passphrase must not be built on. */
static gh_err
read_context(const struct gh_request *req, struct gh_passphrase_context *c)
{
    gh_err rc;

    memset(c, 0, sizeof(*c));
    rc = gh_param_opt(req, "Email", &c->email);
    if (rc == GH_OK) {
        rc = gh_param_opt(req, "Name", &c->name);
    }
    return rc == GH_OK ? gh_param_opt(req, "AccountName", &c->account_name) : rc;
}

void
h_passphrase_check(struct gh_request *req, struct gh_response *res)
{
    struct gh_passphrase_context context;
    struct gh_passphrase_report report;
    const char *pass = NULL;
    int64_t retry = 0;
    gh_err rc = gh_param_required(req, "Passphrase", &pass);

    if (rc == GH_OK) {
        rc = read_context(req, &context);
    }
    if (rc == GH_OK) {
        rc = gh_passphrase_check_for(req->cfg->ctx, &req->origin, pass, strlen(pass), &context,
                                     &report, &retry);
    }
    if (rc == GH_E_LIMIT) {
        gh_respond_limited(res, retry);
    } else if (rc != GH_OK) {
        gh_respond_error(res, rc);
    } else {
        gh_write_passphrase_report(gh_respond_json(res, 200), &report);
    }
    gh_wipe(&report, sizeof(report));
}
