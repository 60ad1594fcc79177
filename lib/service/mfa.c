/*
 * mfa.c -- second factors as use cases: enrolling a TOTP factor (a new 160-bit secret, sealed;
 * its otpauth:// URI), confirming it with a first code (then the first recovery codes),
 * completing a pending login with a code or a recovery code, regenerating recovery codes, and
 * the per-account MfaRequired policy.
 *
 * Replay: a code is accepted only when the factor's last accepted step can be advanced to the
 * code's step in the same statement (store factor_advance), so a code -- or any earlier step --
 * is accepted once across every server on the store.  Code attempts are throttled per user in
 * the store.  Recovery codes are kept as keyed digests under the master key in use when they
 * were made (a master-key rotation therefore voids them: regenerate after rotating).
 */
#include <inttypes.h>

#include <sodium.h>

#include "service/service.h"

#define UNVERIFIED_TTL_MS (10 * 60 * 1000)
#define PENDING_TTL_MS    (5 * 60 * 1000)
#define CLOCK_SLACK_MS    (5 * 60 * 1000)
#define RECOVERY_LABEL    "recovery-code"

static const struct gh_throttle_rule code_rule = {5 * 60 * 1000, 5, 30 * 1000, 15 * 60 * 1000};

/* ---- the policy ---- */

static void
policy_key(const char *account_sid, char out[GH_SID_SIZE + 8])
{
    snprintf(out, GH_SID_SIZE + 8, "mfa:%s", account_sid);
}

gh_err
gh__mfa_required(struct gh_tx *tx, bool *required)
{
    char main_sid[GH_SID_SIZE];
    char key[GH_SID_SIZE + 8];
    int64_t v = 0;

    GH_TRY(GH_ST(tx)->meta_get(tx, GH_META_MAIN_ACCOUNT, main_sid, sizeof(main_sid)));
    policy_key(main_sid, key);
    GH_TRY(GH_ST(tx)->setting_get(tx, key, &v));
    *required = v != 0;
    return GH_OK;
}

gh_err
gh__mfa_verified(struct gh_tx *tx, const char *user_sid, size_t *verified)
{
    struct gh_factor list[GH_FACTORS_MAX];
    size_t n = 0;

    *verified = 0;
    GH_TRY(GH_ST(tx)->factor_list(tx, user_sid, list, GH_FACTORS_MAX, &n));
    for (size_t i = 0; i < n; i++) {
        *verified += list[i].status == GH_FACTOR_VERIFIED ? 1 : 0;
    }
    return GH_OK;
}

/* ---- checks shared by the use cases ---- */

/* The clock is known wrong when it reads before the instance was made. */
static gh_err
clock_sane(struct gh_ctx *ctx, struct gh_tx *tx)
{
    char value[GH_STORE_META_VALUE_MAX];
    long long created = 0;

    GH_TRY(GH_ST(tx)->meta_get(tx, GH_META_INSTANCE, value, sizeof(value)));
    created = strtoll(value, NULL, 10);
    GH_ENSURE(gh_ctx_now_ms(ctx) + CLOCK_SLACK_MS >= created, GH_E_CLOCK);
    return GH_OK;
}

/*
 * A session acting on its own user only (not found otherwise: nothing leaks); the operator
 * (the command line, holding the instance) on any user.
 */
static gh_err
own_user(const struct gh_principal *who, const char *user_sid, char sid[GH_SID_SIZE])
{
    GH_ENSURE(who->kind == GH_PRINCIPAL_SESSION || who->kind == GH_PRINCIPAL_OPERATOR,
              GH_E_FORBIDDEN);
    GH_ENSURE(user_sid != NULL && gh_sid_parse(user_sid, "US", sid) == GH_OK &&
                  (who->kind == GH_PRINCIPAL_OPERATOR || strcmp(sid, who->user_sid) == 0),
              GH_E_NOT_FOUND);
    return GH_OK;
}

/* The factor's secret (base32 text in the store) as bytes. */
static gh_err
open_secret(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_sealed *row, uint8_t *out,
            size_t *len)
{
    char text[GH_SECRET_SIZE + GH_TOTP_SECRET_B32_SIZE];
    gh_err rc = gh__secret_open(ctx, tx, row, text, sizeof(text));

    if (rc == GH_OK) {
        rc = gh_base32_decode(text, strlen(text), out, GH_TOTP_SECRET_MAX, len);
    }
    sodium_memzero(text, sizeof(text));
    return rc;
}

static struct gh_totp_params
params_of(const struct gh_factor *f)
{
    struct gh_totp_params p;

    p.alg = (enum gh_totp_alg)f->alg;
    p.digits = f->digits;
    p.period_s = f->period_s;
    return p;
}

/* ---- recovery codes ---- */

static gh_err
recovery_digest(struct gh_ctx *ctx, struct gh_tx *tx, const char *user_sid, const char *code,
                uint8_t out[32])
{
    char normal[GH_RECOVERY_CODE_SIZE];
    size_t n = 0;

    /* Case, spaces and dashes do not matter: "abcd efgh-ijkl" is ABCDEFGHIJKL. */
    for (const char *p = code; *p != '\0' && n < sizeof(normal) - 1; p++) {
        char c = *p;

        if (c == '-' || c == ' ') {
            continue;
        }
        normal[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    normal[n] = '\0';
    GH_TRY(gh__secret_digest(ctx, tx, gh__seal_key_id(ctx), user_sid, normal, n, out));
    sodium_memzero(normal, sizeof(normal));
    return GH_OK;
}

/* Makes the user's recovery codes (shown once) and replaces the stored digests. */
static gh_err
recovery_new(struct gh_ctx *ctx, struct gh_tx *tx, const char *user_sid,
             char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE])
{
    uint8_t digests[GH_RECOVERY_CODES][32];
    gh_err rc = GH_OK;

    for (int i = 0; rc == GH_OK && i < GH_RECOVERY_CODES; i++) {
        uint8_t raw[8];
        char b32[16];

        randombytes_buf(raw, sizeof(raw));
        rc = gh_base32_encode(raw, sizeof(raw), b32, sizeof(b32)); /* 13 characters, 64 bits */
        if (rc == GH_OK) {
            /* 12 characters (60 bits), read in three groups of four. */
            snprintf(codes[i], GH_RECOVERY_CODE_SIZE, "%.4s-%.4s-%.4s", b32, b32 + 4, b32 + 8);
            rc = recovery_digest(ctx, tx, user_sid, codes[i], digests[i]);
        }
        sodium_memzero(raw, sizeof(raw));
        sodium_memzero(b32, sizeof(b32));
    }
    if (rc == GH_OK) {
        rc = GH_ST(tx)->recovery_replace(tx, user_sid, (const uint8_t(*)[32])digests,
                                         GH_RECOVERY_CODES, gh_ctx_now_ms(ctx));
    }
    sodium_memzero(digests, sizeof(digests));
    return rc;
}

/* ---- enrol ---- */

struct enrol_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *user;
    struct gh_totp_params params;
    const char *issuer;
    struct gh_mfa_enrolment *out;
};

static gh_err
enrol_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct enrol_call *c = arg;
    struct gh_mfa_enrolment *out = c->out;
    uint8_t secret[GH_TOTP_SECRET_LEN];
    struct gh_factor *f = &out->factor;
    struct gh_sealed row;
    struct gh_user user;
    int64_t now = gh_ctx_now_ms(ctx);
    int64_t swept = 0;
    gh_err rc;

    GH_TRY(GH_ST(tx)->user_get(tx, c->user, &user, NULL));
    GH_TRY(GH_ST(tx)->factor_sweep(tx, user.sid, now, &swept));
    memset(f, 0, sizeof(*f));
    GH_TRY(gh_sid_new("YF", f->sid));
    memcpy(f->user_sid, user.sid, sizeof(f->user_sid));
    f->status = GH_FACTOR_UNVERIFIED;
    f->alg = (int)c->params.alg;
    f->digits = c->params.digits;
    f->period_s = c->params.period_s;
    f->last_step = GH_TOTP_NO_STEP;
    f->created_ms = f->updated_ms = now;
    f->expires_ms = now + UNVERIFIED_TTL_MS;
    rc = gh_totp_secret_new(secret);
    rc = rc == GH_OK ? gh_base32_encode(secret, sizeof(secret), out->secret, sizeof(out->secret))
                     : rc;
    rc = rc == GH_OK ? gh_totp_uri(&c->params, secret, sizeof(secret), c->issuer, user.email,
                                   out->uri, sizeof(out->uri))
                     : rc;
    sodium_memzero(secret, sizeof(secret));
    rc = rc == GH_OK ? gh__secret_seal(ctx, tx, f->sid, out->secret, &row) : rc;
    if (rc == GH_OK) {
        row.kind = GH_SEALED_FACTOR;
        rc = GH_ST(tx)->factor_insert(tx, f, &row);
    }
    gh_wipe(&row, sizeof(row));
    GH_TRY(rc);
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "mfa.enrol", f->sid, true, "totp"};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_mfa_enrol(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
             const char *user_sid, const struct gh_totp_params *params, const char *issuer,
             struct gh_mfa_enrolment *out)
{
    char sid[GH_SID_SIZE];
    struct enrol_call c;
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_MFA_SELF));
    GH_TRY(own_user(who, user_sid, sid));
    c.from = from;
    c.who = who;
    c.user = sid;
    c.params = params != NULL ? *params : GH_TOTP_PARAMS_DEFAULT;
    c.issuer = issuer != NULL && issuer[0] != '\0' ? issuer : ctx->mfa_issuer;
    c.out = out;
    GH_TRY(gh_totp_params_check(&c.params));
    rc = gh__transact(ctx, GH_TX_WRITE, enrol_in_tx, &c);
    if (rc != GH_OK) {
        sodium_memzero(out, sizeof(*out));
    }
    return rc;
}

/* ---- codes: confirm a factor, complete a login ---- */

struct code_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *user;       /* whose factors */
    const char *factor_sid; /* confirm: this unverified factor; complete: any verified one */
    const char *code;
    const char *recovery_code;
    char throttle[GH_STORE_THROTTLE_KEY_MAX];
    int64_t now;
    int64_t locked_until;
    bool accepted;
    bool replayed;
    bool first_factor;
    int64_t codes_left;
    char (*codes)[GH_RECOVERY_CODE_SIZE];
    struct gh_factor *factor_out;
};

/* Tries the code on one factor; on a match, advances its last step (the replay guard). */
static gh_err
try_factor(struct gh_ctx *ctx, struct gh_tx *tx, struct code_call *c, const char *sid,
           bool confirming)
{
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = 0;
    struct gh_totp_params p;
    enum gh_totp_verdict verdict = GH_TOTP_WRONG;
    int64_t step = -1;
    struct gh_sealed row;
    struct gh_factor f;
    bool advanced = false;
    gh_err rc = GH_ST(tx)->factor_get(tx, sid, &f, &row);

    GH_TRY(rc);
    if (strcmp(f.user_sid, c->user) != 0 ||
        f.status != (confirming ? GH_FACTOR_UNVERIFIED : GH_FACTOR_VERIFIED) ||
        (confirming && f.expires_ms <= c->now)) {
        gh_wipe(&row, sizeof(row));
        return confirming ? GH_E_NOT_FOUND : GH_OK;
    }
    p = params_of(&f);
    rc = open_secret(ctx, tx, &row, secret, &len);
    gh_wipe(&row, sizeof(row));
    rc = rc == GH_OK
             ? gh_totp_verify(&p, secret, len, c->code, c->now / 1000, f.last_step, &verdict, &step)
             : rc;
    sodium_memzero(secret, sizeof(secret));
    GH_TRY(rc);
    c->replayed = c->replayed || verdict == GH_TOTP_REPLAYED;
    if (verdict != GH_TOTP_MATCH) {
        return GH_OK;
    }
    if (confirming) {
        GH_TRY(GH_ST(tx)->factor_verify(tx, sid, step, c->now));
        advanced = true;
    } else {
        GH_TRY(GH_ST(tx)->factor_advance(tx, sid, step, c->now, &advanced));
    }
    c->replayed = c->replayed || !advanced; /* another server took this step first */
    c->accepted = advanced;
    if (advanced && c->factor_out != NULL) {
        GH_TRY(GH_ST(tx)->factor_get(tx, sid, c->factor_out, NULL));
    }
    return GH_OK;
}

static gh_err
try_recovery(struct gh_ctx *ctx, struct gh_tx *tx, struct code_call *c)
{
    uint8_t digest[32];
    bool used = false;

    GH_TRY(recovery_digest(ctx, tx, c->user, c->recovery_code, digest));
    GH_TRY(GH_ST(tx)->recovery_use(tx, c->user, digest, c->now, &used));
    sodium_memzero(digest, sizeof(digest));
    c->accepted = used;
    return GH_ST(tx)->recovery_left(tx, c->user, &c->codes_left);
}

/* The outcome's audit event and throttle bookkeeping. */
static gh_err
record_attempt(struct gh_ctx *ctx, struct gh_tx *tx, struct code_call *c, const char *action)
{
    char detail[64] = "";
    const char *why = c->accepted ? "" : c->replayed ? "replayed code" : "wrong code";

    if (c->accepted) {
        GH_TRY(gh__throttle_reset(tx, c->throttle));
    } else {
        GH_TRY(gh__throttle_fail(tx, c->throttle, &code_rule, c->now, &c->locked_until));
    }
    if (c->recovery_code != NULL) {
        snprintf(detail, sizeof(detail), "recovery code; %" PRId64 " left", c->codes_left);
        why = c->accepted ? detail : "wrong recovery code";
    }
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), action, c->user, c->accepted, why};
    return gh__audit_append(ctx, tx, &e);
}

/* Before any code is looked at: a sane clock, and no lock on the user's attempts. */
static gh_err
code_gate(struct gh_ctx *ctx, struct gh_tx *tx, struct code_call *c)
{
    int64_t locked = 0;

    GH_TRY(clock_sane(ctx, tx));
    GH_TRY(gh__throttle_locked(tx, c->throttle, c->now, &locked));
    if (locked != 0) {
        c->locked_until = locked;
        return GH_E_LIMIT;
    }
    return GH_OK;
}

static gh_err
confirm_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct code_call *c = arg;
    size_t verified = 0;

    c->now = gh_ctx_now_ms(ctx);
    GH_TRY(code_gate(ctx, tx, c));
    GH_TRY(gh__mfa_verified(tx, c->user, &verified));
    c->first_factor = verified == 0;
    GH_TRY(try_factor(ctx, tx, c, c->factor_sid, true));
    GH_TRY(record_attempt(ctx, tx, c, "mfa.confirm"));
    if (!c->accepted) {
        return GH_OK;
    }
    if (c->first_factor) {
        GH_TRY(recovery_new(ctx, tx, c->user, c->codes));
        c->codes_left = GH_RECOVERY_CODES;
    }
    /* An enrol-only session has what it lacked: it becomes a full one. */
    if (c->who->session_status == GH_SESSION_ENROL_ONLY) {
        GH_TRY(GH_ST(tx)->session_set_status(tx, c->who->sid, GH_SESSION_ACTIVE,
                                             c->now + ctx->session_ttl_ms,
                                             c->now + ctx->session_idle_ms));
    }
    return GH_OK;
}

static gh_err
finish_attempt(struct code_call *c, gh_err rc, int64_t *retry_after_s)
{
    if (rc == GH_OK && !c->accepted) {
        rc = c->locked_until != 0 ? GH_E_LIMIT : GH_E_MFA_CODE; /* this failure caused a lock */
    }
    if (rc == GH_E_LIMIT && retry_after_s != NULL) {
        *retry_after_s = (c->locked_until - c->now + 999) / 1000;
        *retry_after_s = *retry_after_s < 1 ? 1 : *retry_after_s;
    }
    return rc;
}

static void
code_call_init(struct code_call *c, const struct gh_origin *from, const struct gh_principal *who,
               const char *user)
{
    memset(c, 0, sizeof(*c));
    c->from = from;
    c->who = who;
    c->user = user;
    snprintf(c->throttle, sizeof(c->throttle), "mfa:%s", user);
}

gh_err
gh_mfa_confirm(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
               const char *user_sid, const char *factor_sid, const char *code,
               struct gh_factor *factor, char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE],
               size_t *ncodes, int64_t *retry_after_s)
{
    char sid[GH_SID_SIZE];
    char fsid[GH_SID_SIZE];
    struct code_call c;
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && factor != NULL && codes != NULL && ncodes != NULL,
              GH_E_INVALID);
    *ncodes = 0;
    GH_TRY(gh_principal_holds(who, GH_PERM_MFA_SELF));
    GH_TRY(own_user(who, user_sid, sid));
    GH_ENSURE(factor_sid != NULL && gh_sid_parse(factor_sid, "YF", fsid) == GH_OK, GH_E_NOT_FOUND);
    GH_ENSURE(code != NULL, GH_E_MISSING);
    code_call_init(&c, from, who, sid);
    c.factor_sid = fsid;
    c.code = code;
    c.codes = codes;
    c.factor_out = factor;
    rc = gh__transact(ctx, GH_TX_WRITE, confirm_in_tx, &c);
    rc = finish_attempt(&c, rc, retry_after_s);
    *ncodes = rc == GH_OK && c.first_factor ? GH_RECOVERY_CODES : 0;
    if (rc != GH_OK) {
        sodium_memzero(codes, GH_RECOVERY_CODES * GH_RECOVERY_CODE_SIZE);
    }
    return rc;
}

static gh_err
complete_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct code_call *c = arg;
    struct gh_factor list[GH_FACTORS_MAX];
    size_t n = 0;

    c->now = gh_ctx_now_ms(ctx);
    GH_TRY(code_gate(ctx, tx, c));
    if (c->recovery_code != NULL) {
        GH_TRY(try_recovery(ctx, tx, c));
    } else {
        GH_TRY(GH_ST(tx)->factor_list(tx, c->user, list, GH_FACTORS_MAX, &n));
        for (size_t i = 0; i < n && !c->accepted; i++) {
            GH_TRY(try_factor(ctx, tx, c, list[i].sid, false));
        }
    }
    GH_TRY(record_attempt(ctx, tx, c, "login.mfa"));
    if (c->accepted) {
        GH_TRY(GH_ST(tx)->session_set_status(tx, c->who->sid, GH_SESSION_ACTIVE,
                                             c->now + ctx->session_ttl_ms,
                                             c->now + ctx->session_idle_ms));
    }
    return GH_OK;
}

gh_err
gh_mfa_complete(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                const char *session_sid, const char *code, const char *recovery_code,
                int64_t *codes_left, int64_t *retry_after_s)
{
    char sid[GH_SID_SIZE];
    struct code_call c;
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && codes_left != NULL, GH_E_INVALID);
    *codes_left = -1;
    GH_TRY(gh_principal_holds(who, GH_PERM_SESSION_MFA));
    GH_ENSURE(who->kind == GH_PRINCIPAL_SESSION && session_sid != NULL &&
                  gh_sid_parse(session_sid, "SE", sid) == GH_OK && strcmp(sid, who->sid) == 0,
              GH_E_NOT_FOUND);
    GH_ENSURE((code == NULL) != (recovery_code == NULL), GH_E_MISSING);
    code_call_init(&c, from, who, who->user_sid);
    c.code = code;
    c.recovery_code = recovery_code;
    rc = gh__transact(ctx, GH_TX_WRITE, complete_in_tx, &c);
    rc = finish_attempt(&c, rc, retry_after_s);
    if (rc == GH_OK && recovery_code != NULL) {
        *codes_left = c.codes_left;
    }
    return rc;
}

/* ---- recovery codes again, and the policy ---- */

struct regen_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *user;
    char (*codes)[GH_RECOVERY_CODE_SIZE];
};

static gh_err
regen_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct regen_call *r = arg;
    size_t verified = 0;

    GH_TRY(gh__mfa_verified(tx, r->user, &verified));
    GH_ENSURE(verified > 0, GH_E_CONFLICT); /* no factor: nothing to recover */
    GH_TRY(recovery_new(ctx, tx, r->user, r->codes));
    struct gh_audit_entry e = {r->from,
                               gh__actor_of(r->who),
                               "mfa.recovery_codes",
                               r->user,
                               true,
                               "regenerated; the old ones are void"};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_mfa_recovery_regenerate(struct gh_ctx *ctx, const struct gh_origin *from,
                           const struct gh_principal *who, const char *user_sid,
                           char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE])
{
    char sid[GH_SID_SIZE];
    struct regen_call r = {from, who, sid, codes};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && codes != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_MFA_SELF));
    GH_TRY(own_user(who, user_sid, sid));
    rc = gh__transact(ctx, GH_TX_WRITE, regen_in_tx, &r);
    if (rc != GH_OK) {
        sodium_memzero(codes, GH_RECOVERY_CODES * GH_RECOVERY_CODE_SIZE);
    }
    return rc;
}

struct policy_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *account_sid;
    bool required;
};

static gh_err
policy_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct policy_call *p = arg;
    struct gh_account acct;
    char key[GH_SID_SIZE + 8];

    GH_TRY(gh__reach_account(tx, p->who, p->account_sid, GH_REACH_PARENT, &acct));
    policy_key(acct.sid, key);
    GH_TRY(GH_ST(tx)->setting_put(tx, key, p->required ? 1 : 0));
    struct gh_audit_entry e = {p->from,
                               gh__actor_of(p->who),
                               "account.mfa_policy",
                               acct.sid,
                               true,
                               p->required ? "MfaRequired true" : "MfaRequired false"};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

gh_err
gh_mfa_policy_set(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                  const char *account_sid, bool required)
{
    struct policy_call p = {from, who, account_sid, required};

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_MFA_POLICY_MANAGE));
    return gh__transact(ctx, GH_TX_WRITE, policy_in_tx, &p);
}

/* ---- removing a factor ---- */

struct remove_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *user;
    const char *factor_sid;
    const char *code;
    char stored[GH_STORE_HASH_MAX]; /* the user's passphrase hash (read first) */
    struct code_call attempt;
};

static gh_err
read_hash_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct remove_call *r = arg;
    struct gh_user user;

    (void)ctx;
    return GH_ST(tx)->user_get(tx, r->user, &user, r->stored);
}

/* The passphrase, verified outside any transaction (Argon2id is slow). */
static gh_err
passphrase_ok(struct gh_ctx *ctx, const char *stored, const char *pass, size_t len)
{
    char norm[GH_PASSPHRASE_MAX_BYTES * 2];
    struct gh_pwhasher *h;
    gh_err rc;

    GH_TRY(gh__hasher(ctx, &h));
    rc = len <= GH_PASSPHRASE_MAX_BYTES ? gh_passphrase_normalize(pass, len, norm, sizeof(norm))
                                        : GH_E_INVALID;
    rc = rc == GH_OK ? gh_pwhash_verify(h, stored, norm, strlen(norm), NULL) : rc;
    sodium_memzero(norm, sizeof(norm));
    return rc == GH_E_INVALID ? GH_E_DENIED : rc;
}

static gh_err
remove_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct remove_call *r = arg;
    struct code_call *c = &r->attempt;
    struct gh_factor target;
    bool required = false;
    size_t verified = 0;

    c->now = gh_ctx_now_ms(ctx);
    GH_TRY(GH_ST(tx)->factor_get(tx, r->factor_sid, &target, NULL));
    GH_ENSURE(strcmp(target.user_sid, r->user) == 0, GH_E_NOT_FOUND);
    GH_TRY(gh__mfa_verified(tx, r->user, &verified));
    if (target.status == GH_FACTOR_VERIFIED && r->who->kind != GH_PRINCIPAL_OPERATOR) {
        /* A current code of this very factor, once (the replay guard), throttled. */
        GH_TRY(code_gate(ctx, tx, c));
        GH_TRY(try_factor(ctx, tx, c, r->factor_sid, false));
        GH_TRY(record_attempt(ctx, tx, c, "mfa.remove_check"));
        if (!c->accepted) {
            return GH_OK;
        }
    }
    c->accepted = true;
    GH_TRY(gh__mfa_required(tx, &required));
    GH_ENSURE(!(required && target.status == GH_FACTOR_VERIFIED && verified == 1), GH_E_CONFLICT);
    GH_TRY(GH_ST(tx)->factor_delete(tx, r->factor_sid));
    if (target.status == GH_FACTOR_VERIFIED && verified == 1) {
        GH_TRY(GH_ST(tx)->recovery_replace(tx, r->user, NULL, 0, c->now)); /* nothing to recover */
    }
    struct gh_audit_entry e = {
        r->from,      gh__actor_of(r->who),
        "mfa.remove", r->factor_sid,
        true,         verified == 1 ? "the last factor; recovery codes void" : ""};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_mfa_factor_remove(struct gh_ctx *ctx, const struct gh_origin *from,
                     const struct gh_principal *who, const char *user_sid, const char *factor_sid,
                     const char *passphrase, size_t passphrase_len, const char *code,
                     int64_t *retry_after_s)
{
    char sid[GH_SID_SIZE];
    char fsid[GH_SID_SIZE];
    struct remove_call *r;
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_MFA_SELF));
    GH_TRY(own_user(who, user_sid, sid));
    GH_ENSURE(factor_sid != NULL && gh_sid_parse(factor_sid, "YF", fsid) == GH_OK, GH_E_NOT_FOUND);
    GH_ENSURE(who->kind == GH_PRINCIPAL_OPERATOR || (passphrase != NULL && code != NULL),
              GH_E_MISSING);
    r = gh__calloc(1, sizeof(*r));
    GH_ENSURE(r != NULL, GH_E_NOMEM);
    r->from = from;
    r->who = who;
    r->user = sid;
    r->factor_sid = fsid;
    code_call_init(&r->attempt, from, who, sid);
    r->attempt.code = code;
    rc = GH_OK;
    if (who->kind != GH_PRINCIPAL_OPERATOR) {
        rc = gh__transact(ctx, GH_TX_READ, read_hash_in_tx, r);
        rc = rc == GH_OK ? passphrase_ok(ctx, r->stored, passphrase, passphrase_len) : rc;
        if (rc == GH_E_DENIED) {
            gh__audit_auth_failure(ctx, from, who->sid, "factor_removal_wrong_passphrase");
        }
    }
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_WRITE, remove_in_tx, r);
        rc = finish_attempt(&r->attempt, rc, retry_after_s);
    }
    sodium_memzero(r, sizeof(*r));
    gh__free(r);
    return rc;
}

/* ---- listing ---- */

struct list_call {
    const char *user;
    struct gh_factor *out;
    size_t cap;
    size_t *n;
};

static gh_err
list_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct list_call *l = arg;
    int64_t now = gh_ctx_now_ms(ctx);
    size_t kept = 0;

    GH_TRY(GH_ST(tx)->factor_list(tx, l->user, l->out, l->cap, l->n));
    for (size_t i = 0; i < *l->n; i++) {
        /* an unconfirmed factor past its 10 minutes is gone, whether swept yet or not */
        if (l->out[i].status == GH_FACTOR_VERIFIED || l->out[i].expires_ms > now) {
            l->out[kept++] = l->out[i];
        }
    }
    *l->n = kept;
    return GH_OK;
}

gh_err
gh_mfa_factor_list(struct gh_ctx *ctx, const struct gh_principal *who, const char *user_sid,
                   struct gh_factor *out, size_t cap, size_t *n)
{
    char sid[GH_SID_SIZE];
    struct list_call l = {sid, out, cap, n};

    GH_ENSURE(ctx != NULL && who != NULL && out != NULL && n != NULL, GH_E_INVALID);
    *n = 0;
    GH_TRY(gh_principal_holds(who, GH_PERM_MFA_SELF));
    GH_TRY(own_user(who, user_sid, sid));
    return gh__transact(ctx, GH_TX_READ, list_in_tx, &l);
}
