/*
 * members.c -- who acts on an account through a role: a session's role on the account it names
 * (gh_principal_act_on), the Members API (add, change, remove, list) and the main account's
 * ownership transfer (offered by the owner, accepted by the new owner's own session).
 *
 * No escalation: a role is granted, changed or taken away only by a principal holding every
 * permission of both the old and the new role; the owner role moves only by an accepted
 * transfer, so a main account always has exactly one owner.
 */
#include "service/service.h"

/* ---- a session's role on an account ---- */

struct act_call {
    struct gh_principal *who;
    const char *sid;
};

/* The role that holds more (roles are ordered from the owner down). */
static enum gh_role
stronger(enum gh_role a, enum gh_role b)
{
    return a < b ? a : b;
}

static gh_err
act_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct act_call *c = arg;
    struct gh_principal *who = c->who;
    char sid[GH_SID_SIZE];
    struct gh_account acct;
    struct gh_account parent;
    enum gh_role own = GH_ROLE_SUPPORT;
    enum gh_role inherited = GH_ROLE_SUPPORT;
    bool has_own;
    bool has_inherited = false;
    bool via_parent;
    gh_err rc;

    (void)ctx;
    GH_ENSURE(gh_sid_parse(c->sid, "AC", sid) == GH_OK, GH_E_NOT_FOUND);
    GH_TRY(GH_ST(tx)->account_get(tx, sid, &acct));
    rc = GH_ST(tx)->membership_get(tx, who->user_sid, sid, &own);
    GH_ENSURE(rc == GH_OK || rc == GH_E_NOT_FOUND, rc);
    has_own = rc == GH_OK;
    if (acct.parent_sid[0] != '\0') {
        rc = GH_ST(tx)->membership_get(tx, who->user_sid, acct.parent_sid, &inherited);
        GH_ENSURE(rc == GH_OK || rc == GH_E_NOT_FOUND, rc);
        has_inherited = rc == GH_OK && gh_role_spans_subaccounts(inherited);
    }
    GH_ENSURE(has_own || has_inherited, GH_E_NOT_FOUND);
    via_parent = has_inherited && (!has_own || stronger(own, inherited) == inherited);
    /* A member acts on its account while it and its parent are active; the parent's owner and
     * administrators also reach a suspended or closed subaccount, only to see it and to change
     * its status (account.read, account.update). */
    if (acct.parent_sid[0] != '\0') {
        GH_TRY(GH_ST(tx)->account_get(tx, acct.parent_sid, &parent));
        GH_ENSURE(parent.status == GH_ACCOUNT_ACTIVE, GH_E_FORBIDDEN);
    }
    GH_ENSURE(via_parent || acct.status == GH_ACCOUNT_ACTIVE, GH_E_FORBIDDEN);
    who->via_parent = via_parent;
    who->role = via_parent ? inherited : own;
    who->account_inactive = acct.status != GH_ACCOUNT_ACTIVE;
    who->has_role = true;
    memcpy(who->account_sid, acct.sid, sizeof(who->account_sid));
    memcpy(who->parent_sid, acct.parent_sid, sizeof(who->parent_sid));
    return GH_OK;
}

gh_err
gh_principal_act_on(struct gh_ctx *ctx, struct gh_principal *who, const char *account_sid)
{
    struct act_call c = {who, account_sid};

    GH_ENSURE(ctx != NULL && who != NULL, GH_E_INVALID);
    if (who->kind != GH_PRINCIPAL_SESSION) {
        return GH_OK;
    }
    who->has_role = who->via_parent = who->account_inactive = false;
    who->account_sid[0] = who->parent_sid[0] = '\0';
    GH_ENSURE(account_sid != NULL, GH_E_ACCOUNT_REQUIRED);
    return gh__transact(ctx, GH_TX_READ, act_in_tx, &c);
}

/* ---- the Members API ---- */

struct member_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *account_sid;
    const char *user_sid;
    const char *email;
    enum gh_role role;
    struct gh_member *out;
    struct gh_member_list *list;
    struct gh_member_query query;
    struct gh_ownership *own;
};

/* Loads the account the call names, within who's reach (a parent's credentials included). */
static gh_err
member_account(struct gh_tx *tx, const struct member_call *c, struct gh_account *acct)
{
    return gh__reach_account(tx, c->who, c->account_sid, GH_REACH_PARENT, acct);
}

gh_err
gh__may_grant(const struct gh_principal *who, enum gh_role role)
{
    return gh_principal_holds_all(who, gh_role_perms(role)) ? GH_OK : GH_E_ESCALATION;
}

/* "by US..." for a session's changes (its SID is the audit actor), else "". */
static const char *
by_user(const struct gh_principal *who, char out[GH_SID_SIZE + 4])
{
    out[0] = '\0';
    if (who->kind == GH_PRINCIPAL_SESSION) {
        snprintf(out, GH_SID_SIZE + 4, " by %s", who->user_sid);
    }
    return out;
}

static gh_err
audit_member(struct gh_ctx *ctx, struct gh_tx *tx, const struct member_call *c, const char *account,
             const char *action, const char *user_sid, const char *before, const char *after)
{
    char detail[GH_AUDIT_TEXT_SIZE];
    char by[GH_SID_SIZE + 4];

    snprintf(detail, sizeof(detail), "account %s: role %s -> %s%s", account, before, after,
             by_user(c->who, by));
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), action, user_sid, true, detail};
    return gh__audit_account(ctx, tx, &e, account);
}

void
gh_member_list_clear(struct gh_member_list *list)
{
    if (list == NULL) {
        return;
    }
    gh__free(list->items);
    memset(list, 0, sizeof(*list));
}

static gh_err
list_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_member_list *out = c->list;
    struct gh_account acct;
    size_t n = 0;

    (void)ctx;
    gh_member_list_clear(out); /* a retried attempt starts over */
    GH_TRY(member_account(tx, c, &acct));
    c->query.account_sid = acct.sid;
    out->cap = c->query.cursor.limit;
    out->items = gh__calloc(out->cap, sizeof(*out->items));
    GH_ENSURE(out->items != NULL, GH_E_NOMEM);
    GH_TRY(GH_ST(tx)->membership_list(tx, &c->query, out->items, &n));
    out->n = n;
    if (n == c->query.cursor.limit) {
        out->n = n - 1;
        gh__page_token(out->items[out->n - 1].created_ms, out->items[out->n - 1].user_sid,
                       out->next_token);
    }
    return GH_OK;
}

gh_err
gh_member_list(struct gh_ctx *ctx, const struct gh_principal *who, const char *account_sid,
               const struct gh_page *page, struct gh_member_list *out)
{
    struct member_call c = {.who = who, .account_sid = account_sid, .list = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_MEMBER_READ));
    GH_TRY(gh__page_cursor(page, "US", &c.query.cursor));
    rc = gh__transact(ctx, GH_TX_READ, list_in_tx, &c);
    if (rc != GH_OK) {
        gh_member_list_clear(out);
    }
    return rc;
}

/* Loads the member c names on acct into c->out. */
static gh_err
load_member(struct gh_tx *tx, struct member_call *c, const struct gh_account *acct)
{
    char user[GH_SID_SIZE];

    GH_ENSURE(gh_sid_parse(c->user_sid, "US", user) == GH_OK, GH_E_NOT_FOUND);
    return GH_ST(tx)->membership_fetch(tx, user, acct->sid, c->out);
}

static gh_err
fetch_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_account acct;

    (void)ctx;
    GH_TRY(member_account(tx, c, &acct));
    return load_member(tx, c, &acct);
}

gh_err
gh_member_fetch(struct gh_ctx *ctx, const struct gh_principal *who, const char *account_sid,
                const char *user_sid, struct gh_member *out)
{
    struct member_call c = {
        .who = who, .account_sid = account_sid, .user_sid = user_sid, .out = out};

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && user_sid != NULL && out != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_MEMBER_READ));
    return gh__transact(ctx, GH_TX_READ, fetch_in_tx, &c);
}

/* The user an add names: by SID, else by e-mail; GH_E_NOT_FOUND when there is none. */
static gh_err
find_user(struct gh_tx *tx, const struct member_call *c, struct gh_user *u)
{
    char sid[GH_SID_SIZE];
    char key[GH_EMAIL_SIZE * 2];

    if (c->user_sid != NULL) {
        GH_ENSURE(gh_sid_parse(c->user_sid, "US", sid) == GH_OK, GH_E_NOT_FOUND);
        return GH_ST(tx)->user_get(tx, sid, u, NULL);
    }
    GH_ENSURE(gh__email_key(c->email, key) == GH_OK, GH_E_NOT_FOUND);
    return GH_ST(tx)->user_get_by_email(tx, key, u, NULL);
}

static gh_err
add_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_account acct;
    struct gh_user u;
    enum gh_role current;
    int64_t members = 0;
    gh_err rc;

    GH_TRY(member_account(tx, c, &acct));
    GH_ENSURE(acct.status != GH_ACCOUNT_CLOSED, GH_E_CLOSED);
    GH_TRY(find_user(tx, c, &u));
    if (acct.parent_sid[0] != '\0') {
        /* A subaccount takes its people from its main account: a user who is not a member
         * there is "not found", like one who does not exist (siblings' people stay hidden). */
        rc = GH_ST(tx)->membership_get(tx, u.sid, acct.parent_sid, &current);
        GH_ENSURE(rc == GH_OK, rc == GH_E_NOT_FOUND ? GH_E_NOT_FOUND : rc);
    }
    rc = GH_ST(tx)->membership_get(tx, u.sid, acct.sid, &current);
    GH_ENSURE(rc == GH_E_NOT_FOUND, rc == GH_OK ? GH_E_CONFLICT : rc);
    GH_TRY(GH_ST(tx)->membership_count(tx, acct.sid, &members));
    GH_ENSURE(members < GH_MEMBERS_MAX, GH_E_MEMBER_LIMIT);
    GH_TRY(GH_ST(tx)->membership_put(tx, u.sid, acct.sid, c->role, gh_ctx_now_ms(ctx)));
    GH_TRY(GH_ST(tx)->membership_fetch(tx, u.sid, acct.sid, c->out));
    return audit_member(ctx, tx, c, acct.sid, "member.add", u.sid, "(none)", gh_role_name(c->role));
}

/* The checks every change of a role makes before its transaction. */
static gh_err
check_grant(const struct gh_principal *who, enum gh_role role)
{
    GH_ENSURE(gh_role_name(role) != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_MEMBER_MANAGE));
    GH_ENSURE(role != GH_ROLE_OWNER, GH_E_OWNER);
    return gh__may_grant(who, role);
}

gh_err
gh_member_add(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
              const char *account_sid, const char *user_sid, const char *email, enum gh_role role,
              struct gh_member *out)
{
    struct member_call c = {.from = from,
                            .who = who,
                            .account_sid = account_sid,
                            .user_sid = user_sid,
                            .email = email,
                            .role = role,
                            .out = out};

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_ENSURE(user_sid != NULL || email != NULL, GH_E_MISSING);
    GH_TRY(check_grant(who, role));
    return gh__transact(ctx, GH_TX_WRITE, add_in_tx, &c);
}

static gh_err
update_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_account acct;
    char user[GH_SID_SIZE];
    enum gh_role before;

    GH_TRY(member_account(tx, c, &acct));
    GH_ENSURE(acct.status != GH_ACCOUNT_CLOSED, GH_E_CLOSED);
    GH_TRY(load_member(tx, c, &acct));
    before = c->out->role;
    GH_ENSURE(before != GH_ROLE_OWNER, GH_E_OWNER);
    GH_TRY(gh__may_grant(c->who, before));
    if (before == c->role) {
        return GH_OK;
    }
    memcpy(user, c->out->user_sid, sizeof(user)); /* the fetch clears c->out first */
    GH_TRY(GH_ST(tx)->membership_put(tx, user, acct.sid, c->role, gh_ctx_now_ms(ctx)));
    GH_TRY(GH_ST(tx)->membership_fetch(tx, user, acct.sid, c->out));
    return audit_member(ctx, tx, c, acct.sid, "member.update", user, gh_role_name(before),
                        gh_role_name(c->role));
}

gh_err
gh_member_update(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                 const char *account_sid, const char *user_sid, enum gh_role role,
                 struct gh_member *out)
{
    struct member_call c = {.from = from,
                            .who = who,
                            .account_sid = account_sid,
                            .user_sid = user_sid,
                            .role = role,
                            .out = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && user_sid != NULL && out != NULL,
              GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(check_grant(who, role));
    rc = gh__transact(ctx, GH_TX_WRITE, update_in_tx, &c);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

/* An ownership offer to a user who leaves the account ends with the membership. */
static gh_err
drop_offer_to(struct gh_tx *tx, const char *account_sid, const char *user_sid)
{
    struct gh_ownership_offer o;
    gh_err rc = GH_ST(tx)->ownership_offer_get(tx, account_sid, &o);

    if (rc == GH_E_NOT_FOUND) {
        return GH_OK;
    }
    GH_TRY(rc);
    return strcmp(o.to_user_sid, user_sid) == 0 ? GH_ST(tx)->ownership_offer_delete(tx, account_sid)
                                                : GH_OK;
}

static gh_err
remove_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_account acct;

    GH_TRY(member_account(tx, c, &acct));
    GH_TRY(load_member(tx, c, &acct));
    GH_ENSURE(c->out->role != GH_ROLE_OWNER, GH_E_OWNER); /* the last (and only) owner */
    GH_TRY(gh__may_grant(c->who, c->out->role));
    GH_TRY(GH_ST(tx)->membership_delete(tx, c->out->user_sid, acct.sid));
    GH_TRY(drop_offer_to(tx, acct.sid, c->out->user_sid));
    return audit_member(ctx, tx, c, acct.sid, "member.remove", c->out->user_sid,
                        gh_role_name(c->out->role), "(none)");
}

gh_err
gh_member_remove(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                 const char *account_sid, const char *user_sid)
{
    struct gh_member m;
    struct member_call c = {
        .from = from, .who = who, .account_sid = account_sid, .user_sid = user_sid, .out = &m};

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && user_sid != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_MEMBER_MANAGE));
    return gh__transact(ctx, GH_TX_WRITE, remove_in_tx, &c);
}

/* ---- ownership ---- */

/* Loads a main account's owner and live offer into c->own (a lapsed offer is not pending). */
static gh_err
load_ownership(struct gh_ctx *ctx, struct gh_tx *tx, struct member_call *c, struct gh_account *acct)
{
    struct gh_ownership *own = c->own;
    gh_err rc;

    memset(own, 0, sizeof(*own));
    GH_TRY(member_account(tx, c, acct));
    GH_ENSURE(acct->parent_sid[0] == '\0', GH_E_NOT_FOUND); /* subaccounts have no owner */
    memcpy(own->account_sid, acct->sid, sizeof(own->account_sid));
    rc = GH_ST(tx)->membership_owner(tx, acct->sid, own->owner_sid);
    GH_ENSURE(rc == GH_OK || rc == GH_E_NOT_FOUND, rc);
    rc = GH_ST(tx)->ownership_offer_get(tx, acct->sid, &own->offer);
    GH_ENSURE(rc == GH_OK || rc == GH_E_NOT_FOUND, rc);
    own->pending = rc == GH_OK && own->offer.expires_ms > gh_ctx_now_ms(ctx);
    if (!own->pending) {
        memset(&own->offer, 0, sizeof(own->offer));
    }
    return GH_OK;
}

static gh_err
ownership_get_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct gh_account acct;

    return load_ownership(ctx, tx, arg, &acct);
}

gh_err
gh_ownership_get(struct gh_ctx *ctx, const struct gh_principal *who, const char *account_sid,
                 struct gh_ownership *out)
{
    struct member_call c = {.who = who, .account_sid = account_sid, .own = out};

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_MEMBER_READ));
    return gh__transact(ctx, GH_TX_READ, ownership_get_in_tx, &c);
}

static gh_err
offer_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_ownership_offer *o = &c->own->offer;
    struct gh_account acct;
    struct gh_member m;
    char by[GH_SID_SIZE + 4];
    char detail[GH_AUDIT_TEXT_SIZE];
    int64_t now = gh_ctx_now_ms(ctx);

    GH_TRY(load_ownership(ctx, tx, c, &acct));
    GH_ENSURE(acct.status == GH_ACCOUNT_ACTIVE, GH_E_CLOSED);
    GH_ENSURE(c->own->owner_sid[0] != '\0', GH_E_OWNER);
    struct member_call find = *c;
    find.out = &m;
    GH_TRY(load_member(tx, &find, &acct)); /* the new owner must be a member already */
    GH_ENSURE(strcmp(m.user_sid, c->own->owner_sid) != 0, GH_E_CONFLICT);
    memset(o, 0, sizeof(*o));
    memcpy(o->account_sid, acct.sid, sizeof(o->account_sid));
    memcpy(o->from_user_sid, c->own->owner_sid, sizeof(o->from_user_sid));
    memcpy(o->to_user_sid, m.user_sid, sizeof(o->to_user_sid));
    o->created_ms = now;
    o->expires_ms = now + (int64_t)GH_OWNERSHIP_OFFER_TTL_S * 1000;
    GH_TRY(GH_ST(tx)->ownership_offer_put(tx, o));
    c->own->pending = true;
    snprintf(detail, sizeof(detail), "account %s: offered by owner %s to %s%s", acct.sid,
             o->from_user_sid, o->to_user_sid, by_user(c->who, by));
    struct gh_audit_entry e = {c->from, gh__actor_of(c->who), "ownership.offer", m.user_sid, true,
                               detail};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

gh_err
gh_ownership_offer(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                   const char *account_sid, const char *user_sid, struct gh_ownership *out)
{
    struct member_call c = {
        .from = from, .who = who, .account_sid = account_sid, .user_sid = user_sid, .own = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_ENSURE(user_sid != NULL, GH_E_MISSING);
    GH_TRY(gh_principal_holds(who, GH_PERM_OWNERSHIP_TRANSFER));
    rc = gh__transact(ctx, GH_TX_WRITE, offer_in_tx, &c);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

static gh_err
withdraw_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_account acct;
    char by[GH_SID_SIZE + 4];
    char detail[GH_AUDIT_TEXT_SIZE];

    GH_TRY(load_ownership(ctx, tx, c, &acct));
    GH_ENSURE(c->own->pending, GH_E_NOT_FOUND);
    GH_TRY(GH_ST(tx)->ownership_offer_delete(tx, acct.sid));
    snprintf(detail, sizeof(detail), "account %s: offer withdrawn%s", acct.sid,
             by_user(c->who, by));
    struct gh_audit_entry e = {
        c->from, gh__actor_of(c->who), "ownership.withdraw", c->own->offer.to_user_sid, true,
        detail};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

gh_err
gh_ownership_withdraw(struct gh_ctx *ctx, const struct gh_origin *from,
                      const struct gh_principal *who, const char *account_sid)
{
    struct gh_ownership own;
    struct member_call c = {.from = from, .who = who, .account_sid = account_sid, .own = &own};

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_OWNERSHIP_TRANSFER));
    return gh__transact(ctx, GH_TX_WRITE, withdraw_in_tx, &c);
}

static gh_err
accept_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct member_call *c = arg;
    struct gh_ownership *own = c->own;
    struct gh_account acct;
    char detail[GH_AUDIT_TEXT_SIZE];
    int64_t now = gh_ctx_now_ms(ctx);
    enum gh_role was;

    /* The offered user reaches the account whatever its role; anyone else learns nothing. */
    struct gh_principal as = *c->who;
    struct member_call load = *c;
    as.kind = GH_PRINCIPAL_OPERATOR;
    load.who = &as;
    GH_TRY(load_ownership(ctx, tx, &load, &acct));
    GH_ENSURE(own->pending && strcmp(own->offer.to_user_sid, as.user_sid) == 0, GH_E_NOT_FOUND);
    GH_ENSURE(acct.status == GH_ACCOUNT_ACTIVE, GH_E_CLOSED);
    GH_TRY(GH_ST(tx)->membership_get(tx, as.user_sid, acct.sid, &was));
    GH_TRY(GH_ST(tx)->membership_put(tx, as.user_sid, acct.sid, GH_ROLE_OWNER, now));
    if (own->owner_sid[0] != '\0') {
        GH_TRY(GH_ST(tx)->membership_put(tx, own->owner_sid, acct.sid, GH_ROLE_ADMINISTRATOR, now));
    }
    GH_TRY(GH_ST(tx)->ownership_offer_delete(tx, acct.sid));
    snprintf(detail, sizeof(detail),
             "account %s: owner %s -> %s (role %s -> owner); %s is now "
             "administrator",
             acct.sid, own->owner_sid, as.user_sid, gh_role_name(was), own->owner_sid);
    memcpy(own->owner_sid, as.user_sid, sizeof(own->owner_sid));
    own->pending = false;
    memset(&own->offer, 0, sizeof(own->offer));
    struct gh_audit_entry e = {c->from, as.sid, "ownership.accept", as.user_sid, true, detail};
    return gh__audit_account(ctx, tx, &e, acct.sid);
}

gh_err
gh_ownership_accept(struct gh_ctx *ctx, const struct gh_origin *from,
                    const struct gh_principal *who, const char *account_sid,
                    struct gh_ownership *out)
{
    struct member_call c = {.from = from, .who = who, .account_sid = account_sid, .own = out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && account_sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_OWNERSHIP_ACCEPT));
    GH_ENSURE(who->kind == GH_PRINCIPAL_SESSION, GH_E_FORBIDDEN);
    rc = gh__transact(ctx, GH_TX_WRITE, accept_in_tx, &c);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}
