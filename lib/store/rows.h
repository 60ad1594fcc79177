/*
 * rows.h -- what the backends share about the schema: the data statements every backend runs
 * (an X-macro list: each backend spells them in its own SQL), the column lists they read, and
 * how enum values are stored as text.
 */
#ifndef GATEHOUSE_ROWS_H
#define GATEHOUSE_ROWS_H

#include "internal.h"

#define GH_STORE_STATEMENTS(X)                                                                     \
    X(META_GET)                                                                                    \
    X(META_PUT)                                                                                    \
    X(ACCOUNT_INSERT)                                                                              \
    X(ACCOUNT_GET)                                                                                 \
    X(ACCOUNT_UPDATE)                                                                              \
    X(ACCOUNT_LIST)                                                                                \
    X(ACCOUNT_COUNT_CHILDREN)                                                                      \
    X(TOKEN_INSERT)                                                                                \
    X(TOKEN_GET)                                                                                   \
    X(TOKEN_DELETE)                                                                                \
    X(TOKEN_PROMOTE)                                                                               \
    X(KEY_INSERT)                                                                                  \
    X(KEY_GET)                                                                                     \
    X(KEY_UPDATE)                                                                                  \
    X(KEY_DELETE)                                                                                  \
    X(KEY_LIST)                                                                                    \
    X(TOKEN_ALL)                                                                                   \
    X(KEY_ALL)                                                                                     \
    X(TOKEN_RESEAL)                                                                                \
    X(KEY_RESEAL)                                                                                  \
    X(AUDIT_LAST)                                                                                  \
    X(AUDIT_INSERT)                                                                                \
    X(AUDIT_EACH)                                                                                  \
    X(USER_INSERT)                                                                                 \
    X(USER_GET)                                                                                    \
    X(USER_GET_BY_EMAIL)                                                                           \
    X(USER_SET_PASSPHRASE)                                                                         \
    X(HISTORY_ADD)                                                                                 \
    X(HISTORY_LIST)                                                                                \
    X(HISTORY_TRIM)                                                                                \
    X(MEMBERSHIP_PUT)                                                                              \
    X(MEMBERSHIP_GET)                                                                              \
    X(SESSION_INSERT)                                                                              \
    X(SESSION_GET)                                                                                 \
    X(SESSION_TOUCH)                                                                               \
    X(SESSION_DELETE)                                                                              \
    X(SESSION_DELETE_USER)                                                                         \
    X(SESSION_LIST)                                                                                \
    X(THROTTLE_GET)                                                                                \
    X(THROTTLE_PUT)                                                                                \
    X(REVOKED_PUT)                                                                                 \
    X(REVOKED_GET)                                                                                 \
    X(REVOKED_SWEEP)                                                                               \
    X(SETTING_GET)                                                                                 \
    X(SETTING_PUT)                                                                                 \
    X(FACTOR_INSERT)                                                                               \
    X(FACTOR_GET)                                                                                  \
    X(FACTOR_LIST)                                                                                 \
    X(FACTOR_VERIFY)                                                                               \
    X(FACTOR_ADVANCE)                                                                              \
    X(FACTOR_DELETE)                                                                               \
    X(FACTOR_SWEEP)                                                                                \
    X(FACTOR_ALL)                                                                                  \
    X(FACTOR_RESEAL)                                                                               \
    X(RECOVERY_DELETE)                                                                             \
    X(RECOVERY_INSERT)                                                                             \
    X(RECOVERY_USE)                                                                                \
    X(RECOVERY_LEFT)                                                                               \
    X(SESSION_SET_STATUS)                                                                          \
    X(MEMBERSHIP_LIST)                                                                             \
    X(MEMBERSHIP_FETCH)                                                                            \
    X(MEMBERSHIP_DELETE)                                                                           \
    X(MEMBERSHIP_COUNT)                                                                            \
    X(MEMBERSHIP_OWNER)                                                                            \
    X(OFFER_PUT)                                                                                   \
    X(OFFER_GET)                                                                                   \
    X(OFFER_DELETE)                                                                                \
    X(AUDIT_LIST)

/* Column lists, in the order the backends read them. */
#define GH_ACCOUNT_COLS "sid, parent_sid, friendly_name, status, created_ms, updated_ms"
#define GH_KEY_COLS                                                                                \
    "sid, account_sid, type, permissions, friendly_name, created_ms, updated_ms, key_id, "         \
    "ciphertext, lookup_hash"
#define GH_AUDIT_COLS                                                                              \
    "seq, time_ms, actor, action, target, remote_addr, user_agent, outcome, detail, hash, "        \
    "account_sid"
/* A user's columns; the passphrase hash comes last and is copied out only when asked for. */
#define GH_USER_COLS                                                                               \
    "sid, email, name, passphrase_set_ms, must_change, created_ms, updated_ms, passphrase_hash"
/* A session's columns; session_get also reads key_id and token_digest after them. */
#define GH_FACTOR_COLS                                                                             \
    "sid, user_sid, status, algorithm, digits, period, last_step, created_ms, updated_ms, "        \
    "expires_ms"
#define GH_SESSION_COLS                                                                            \
    "sid, user_sid, created_ms, last_seen_ms, expires_ms, idle_expires_ms, status"
/*
 * A member's columns: memberships m joined with users u (GH_MEMBER_FROM), so they are
 * qualified.
 */
#define GH_MEMBER_COLS                                                                             \
    "m.user_sid, m.account_sid, u.email, u.name, m.role, m.created_ms, m.updated_ms"
#define GH_MEMBER_FROM " FROM memberships m JOIN users u ON u.sid = m.user_sid "
#define GH_OFFER_COLS  "account_sid, from_user_sid, to_user_sid, created_ms, expires_ms"

/* Enum values as stored, indexed by enum gh_account_status, gh_token_slot, gh_key_type, gh_role. */
extern const char *const gh__status_names[3];
extern const char *const gh__slot_names[2];
extern const char *const gh__key_type_names[4];
/* gh__role_names: in internal.h (the policy layer names roles). */

/* The index of v in names (n entries); -1 when absent. */
int gh__name_index(const char *const *names, size_t n, const char *v);
/* Whether a passphrase hash can be stored and read back (under GH_STORE_HASH_MAX bytes). */
bool gh__hash_fits(const char *hash);

#endif
