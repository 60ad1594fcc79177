/*
 * store_contract.c -- the storage contract cases (see store_contract.h).  Nothing here names a
 * backend: every case goes through gh__store_open and struct gh_store_ops only, except that
 * delete_user_directly deletes a user with SQL of its own (the interface deletes none) to check
 * the schema's cascades.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store.h"

#include "helpers.h"
#include "store_contract.h"

/* ---- opening, transactions, cleanup ---- */

#define MAX_OPEN 4

static struct gh_store *opened[MAX_OPEN];

static struct gh_store *
open_store(const char *target)
{
    struct gh_store *st = NULL;

    assert_gh(gh__store_open(target, 2, &st), GH_OK);
    assert_non_null(st);
    for (size_t i = 0; i < MAX_OPEN; i++) {
        if (opened[i] == NULL) {
            opened[i] = st;
            assert_gh(st->ops->migrate(st), GH_OK);
            return st;
        }
    }
    gh__store_close(st);
    fail_msg("too many stores open");
    return NULL;
}

static void
close_store(struct gh_store *st)
{
    for (size_t i = 0; i < MAX_OPEN; i++) {
        if (opened[i] == st) {
            opened[i] = NULL;
        }
    }
    gh__store_close(st);
}

void
store_contract_cleanup(void)
{
    for (size_t i = 0; i < MAX_OPEN; i++) {
        if (opened[i] != NULL) {
            gh__store_close(opened[i]);
            opened[i] = NULL;
        }
    }
}

static struct gh_tx *
begin(struct gh_store *st, enum gh_tx_mode mode)
{
    struct gh_tx *tx = NULL;

    assert_gh(st->ops->begin(st, mode, &tx), GH_OK);
    assert_non_null(tx);
    return tx;
}

static void
commit(struct gh_tx *tx)
{
    assert_gh(GH_ST(tx)->commit(tx), GH_OK);
}

/* ---- rows ---- */

/* A SID of the given type whose hex part is n (so SIDs sort by n). */
static void
sid_of(const char *prefix, unsigned n, char out[GH_SID_SIZE])
{
    snprintf(out, GH_SID_SIZE, "%s%032x", prefix, n);
}

static struct gh_account
account_row(unsigned n, const char *parent, const char *name, enum gh_account_status status,
            int64_t created_ms)
{
    struct gh_account a;

    memset(&a, 0, sizeof(a));
    sid_of("AC", n, a.sid);
    snprintf(a.parent_sid, sizeof(a.parent_sid), "%s", parent != NULL ? parent : "");
    snprintf(a.friendly_name, sizeof(a.friendly_name), "%s", name);
    a.status = status;
    a.created_ms = created_ms;
    a.updated_ms = created_ms + 1;
    return a;
}

static void
insert_account(struct gh_tx *tx, const struct gh_account *a)
{
    assert_gh(GH_ST(tx)->account_insert(tx, a), GH_OK);
}

static void
assert_account_equal(const struct gh_account *got, const struct gh_account *want)
{
    assert_string_equal(got->sid, want->sid);
    assert_string_equal(got->parent_sid, want->parent_sid);
    assert_string_equal(got->friendly_name, want->friendly_name);
    assert_int_equal(got->status, want->status);
    assert_int_equal(got->created_ms, want->created_ms);
    assert_int_equal(got->updated_ms, want->updated_ms);
}

/* A sealed row whose bytes are all derived from fill. */
static struct gh_sealed
sealed_row(enum gh_sealed_kind kind, const char *owner, enum gh_token_slot slot, uint32_t key_id,
           unsigned char fill, int64_t created_ms)
{
    struct gh_sealed s;

    memset(&s, 0, sizeof(s));
    s.kind = kind;
    snprintf(s.owner, sizeof(s.owner), "%s", owner);
    s.slot = slot;
    s.key_id = key_id;
    s.ct_len = 32 + 40;
    for (size_t i = 0; i < s.ct_len; i++) {
        s.ct[i] = (uint8_t)(fill + i);
    }
    for (size_t i = 0; i < sizeof(s.lookup); i++) {
        s.lookup[i] = (uint8_t)(fill ^ (i * 3));
    }
    s.created_ms = created_ms;
    s.updated_ms = created_ms;
    return s;
}

static void
assert_sealed_equal(const struct gh_sealed *got, const struct gh_sealed *want)
{
    assert_int_equal(got->kind, want->kind);
    assert_string_equal(got->owner, want->owner);
    if (want->kind == GH_SEALED_AUTH_TOKEN) {
        assert_int_equal(got->slot, want->slot);
    }
    assert_int_equal(got->key_id, want->key_id);
    assert_int_equal(got->ct_len, want->ct_len);
    assert_memory_equal(got->ct, want->ct, want->ct_len);
    assert_memory_equal(got->lookup, want->lookup, sizeof(want->lookup));
}

static struct gh_key
key_row(unsigned n, const char *account_sid, enum gh_key_type type, const char *permissions,
        int64_t created_ms)
{
    struct gh_key k;

    memset(&k, 0, sizeof(k));
    sid_of("SK", n, k.sid);
    snprintf(k.account_sid, sizeof(k.account_sid), "%s", account_sid);
    k.type = type;
    snprintf(k.friendly_name, sizeof(k.friendly_name), "key %u", n);
    k.permissions = (char *)(uintptr_t)permissions; /* borrowed; never freed here */
    k.created_ms = created_ms;
    k.updated_ms = created_ms;
    return k;
}

static void
insert_key(struct gh_tx *tx, const struct gh_key *k, unsigned char fill)
{
    struct gh_sealed s = sealed_row(GH_SEALED_API_KEY, k->sid, GH_SLOT_PRIMARY, 1, fill, 0);

    assert_gh(GH_ST(tx)->key_insert(tx, k, &s), GH_OK);
}

static void
assert_key_equal(const struct gh_key *got, const struct gh_key *want)
{
    assert_string_equal(got->sid, want->sid);
    assert_string_equal(got->account_sid, want->account_sid);
    assert_int_equal(got->type, want->type);
    assert_string_equal(got->friendly_name, want->friendly_name);
    if (want->permissions == NULL) {
        assert_null(got->permissions);
    } else {
        assert_non_null(got->permissions);
        assert_string_equal(got->permissions, want->permissions);
    }
    assert_int_equal(got->created_ms, want->created_ms);
    assert_int_equal(got->updated_ms, want->updated_ms);
}

/* The main account 1 with subaccounts 2 and 3, committed. */
static void
seed_family(struct gh_store *st)
{
    struct gh_tx *tx = begin(st, GH_TX_WRITE);
    struct gh_account m = account_row(1, NULL, "main", GH_ACCOUNT_ACTIVE, 1000);
    struct gh_account s2 = account_row(2, m.sid, "sub two", GH_ACCOUNT_ACTIVE, 2000);
    struct gh_account s3 = account_row(3, m.sid, "sub three", GH_ACCOUNT_SUSPENDED, 3000);

    insert_account(tx, &m);
    insert_account(tx, &s2);
    insert_account(tx, &s3);
    commit(tx);
}

/* ---- migrations and transactions ---- */

static void
migrate_is_idempotent(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx;
    char value[64];

    assert_gh(st->ops->migrate(st), GH_OK);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->meta_put(tx, "probe", "kept"), GH_OK);
    commit(tx);
    close_store(st);

    st = open_store(target); /* migrates again, over existing tables */
    assert_gh(st->ops->migrate(st), GH_OK);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->meta_get(tx, "probe", value, sizeof(value)), GH_OK);
    assert_string_equal(value, "kept");
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
commit_persists_across_reopen(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account got;
    struct gh_tx *tx;

    seed_family(st);
    close_store(st);
    st = open_store(target);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, "AC00000000000000000000000000000003", &got), GH_OK);
    assert_string_equal(got.friendly_name, "sub three");
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
rollback_discards_writes(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account a = account_row(1, NULL, "main", GH_ACCOUNT_ACTIVE, 1000);
    struct gh_sealed tok = sealed_row(GH_SEALED_AUTH_TOKEN, a.sid, GH_SLOT_PRIMARY, 1, 9, 1000);
    struct gh_sealed rows[2];
    bool present[2];
    struct gh_account got;
    struct gh_audit_event ev;
    struct gh_tx *tx;
    char value[64];
    int64_t seq = -1;
    uint8_t hash[32];

    tx = begin(st, GH_TX_WRITE);
    insert_account(tx, &a);
    assert_gh(GH_ST(tx)->token_insert(tx, &tok), GH_OK);
    assert_gh(GH_ST(tx)->meta_put(tx, "name", "value"), GH_OK);
    memset(&ev, 0, sizeof(ev));
    ev.seq = 1;
    snprintf(ev.outcome, sizeof(ev.outcome), "success");
    assert_gh(GH_ST(tx)->audit_insert(tx, &ev), GH_OK);
    /* Visible inside the transaction ... */
    assert_gh(GH_ST(tx)->account_get(tx, a.sid, &got), GH_OK);
    GH_ST(tx)->rollback(tx);

    /* ... and gone after the rollback. */
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, a.sid, &got), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->meta_get(tx, "name", value, sizeof(value)), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->token_get(tx, a.sid, rows, present), GH_OK);
    assert_false(present[0]);
    assert_false(present[1]);
    assert_gh(GH_ST(tx)->audit_last(tx, &seq, hash), GH_OK);
    assert_int_equal(seq, 0);
    GH_ST(tx)->rollback(tx);

    /* A failed commit is not required here; a rolled-back tx can be followed by a new one. */
    tx = begin(st, GH_TX_WRITE);
    insert_account(tx, &a);
    commit(tx);
    close_store(st);
}

/* ---- meta ---- */

static void
meta_get_and_put(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx = begin(st, GH_TX_WRITE);
    char value[GH_STORE_META_VALUE_MAX];
    char longest[GH_STORE_META_VALUE_MAX];
    char small[4];

    memcpy(value, "stale", 6);
    assert_gh(GH_ST(tx)->meta_get(tx, "missing", value, sizeof(value)), GH_E_NOT_FOUND);
    assert_string_equal(value, "");
    assert_gh(GH_ST(tx)->meta_put(tx, "a", "1"), GH_OK);
    assert_gh(GH_ST(tx)->meta_put(tx, "b", "2"), GH_OK);
    assert_gh(GH_ST(tx)->meta_put(tx, "a", "replaced"), GH_OK); /* put overwrites */
    assert_gh(GH_ST(tx)->meta_get(tx, "a", value, sizeof(value)), GH_OK);
    assert_string_equal(value, "replaced");
    assert_gh(GH_ST(tx)->meta_get(tx, "b", value, sizeof(value)), GH_OK);
    assert_string_equal(value, "2");
    memset(longest, 'v', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    assert_gh(GH_ST(tx)->meta_put(tx, "long", longest), GH_OK);
    assert_gh(GH_ST(tx)->meta_get(tx, "long", value, sizeof(value)), GH_OK);
    assert_string_equal(value, longest);
    /* A value that does not fit the caller's buffer is an error, never a truncated value. */
    assert_true(GH_ST(tx)->meta_get(tx, "long", small, sizeof(small)) != GH_OK);
    commit(tx);
    close_store(st);
}

/* ---- accounts ---- */

static void
account_round_trip(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account m =
        account_row(1, NULL, "Main \xC3\xA9\xE2\x82\xAC", GH_ACCOUNT_ACTIVE, TEST_EPOCH_MS);
    struct gh_account s = account_row(2, m.sid, "x", GH_ACCOUNT_CLOSED, TEST_EPOCH_MS + 5);
    struct gh_account widest = account_row(3, NULL, "", GH_ACCOUNT_SUSPENDED, INT64_MAX - 1);
    struct gh_account got;
    struct gh_tx *tx;

    /* 64 four-byte code points: the longest FriendlyName. */
    for (size_t i = 0; i < 64; i++) {
        memcpy(widest.friendly_name + 4 * i, "\xF0\x9F\x94\x92", 4);
    }
    widest.friendly_name[256] = '\0';
    tx = begin(st, GH_TX_WRITE);
    insert_account(tx, &m);
    insert_account(tx, &s);
    insert_account(tx, &widest);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, m.sid, &got), GH_OK);
    assert_account_equal(&got, &m);
    assert_gh(GH_ST(tx)->account_get(tx, s.sid, &got), GH_OK);
    assert_account_equal(&got, &s);
    assert_gh(GH_ST(tx)->account_get(tx, widest.sid, &got), GH_OK);
    assert_account_equal(&got, &widest);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
account_get_unknown_is_not_found(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx;
    struct gh_account got;

    seed_family(st);
    tx = begin(st, GH_TX_READ);
    memset(&got, 'x', sizeof(got));
    assert_gh(GH_ST(tx)->account_get(tx, "AC00000000000000000000000000000009", &got),
              GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->account_get(tx, "", &got), GH_E_NOT_FOUND);
    /* SIDs are stored canonical (lowercase); no case folding happens in the store. */
    assert_gh(GH_ST(tx)->account_get(tx, "ac00000000000000000000000000000001", &got),
              GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
account_insert_duplicate_is_conflict(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account again = account_row(2, NULL, "impostor", GH_ACCOUNT_ACTIVE, 9);
    struct gh_account orphan =
        account_row(7, "AC00000000000000000000000000000099", "orphan", GH_ACCOUNT_ACTIVE, 9);
    struct gh_account got;
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->account_insert(tx, &again), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    /* A parent that does not exist is refused too. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->account_insert(tx, &orphan), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, again.sid, &got), GH_OK);
    assert_string_equal(got.friendly_name, "sub two");
    assert_gh(GH_ST(tx)->account_get(tx, orphan.sid, &got), GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
account_update_changes_name_status_time(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account a =
        account_row(2, "AC00000000000000000000000000000001", "renamed", GH_ACCOUNT_CLOSED, 2000);
    struct gh_account ghost = account_row(9, NULL, "ghost", GH_ACCOUNT_ACTIVE, 1);
    struct gh_account got;
    struct gh_tx *tx;

    seed_family(st);
    a.updated_ms = 777777;
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->account_update(tx, &a), GH_OK);
    assert_gh(GH_ST(tx)->account_update(tx, &ghost), GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, a.sid, &got), GH_OK);
    assert_account_equal(&got, &a);
    assert_gh(GH_ST(tx)->account_get(tx, ghost.sid, &got), GH_E_NOT_FOUND);
    /* Its sibling is untouched. */
    assert_gh(GH_ST(tx)->account_get(tx, "AC00000000000000000000000000000003", &got), GH_OK);
    assert_string_equal(got.friendly_name, "sub three");
    assert_int_equal(got.status, GH_ACCOUNT_SUSPENDED);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* Lists with q and returns the SIDs' numbers (the n of sid_of) in order. */
static size_t
list_accounts(struct gh_tx *tx, const struct gh_account_query *q, unsigned *nums, size_t cap)
{
    struct gh_account out[32];
    size_t n = 99;

    assert_true(q->cursor.limit <= GH_ARRAY_LEN(out));
    assert_gh(GH_ST(tx)->account_list(tx, q, out, &n), GH_OK);
    assert_true(n <= q->cursor.limit && n <= cap);
    for (size_t i = 0; i < n; i++) {
        nums[i] = (unsigned)strtoul(out[i].sid + 2, NULL, 16);
    }
    return n;
}

static struct gh_account_query
account_query(const char *scope, bool children, size_t limit)
{
    struct gh_account_query q;

    memset(&q, 0, sizeof(q));
    q.scope_sid = scope;
    q.with_children = children;
    q.status = GH_STATUS_ANY;
    q.cursor.limit = limit;
    return q;
}

#define M1 "AC00000000000000000000000000000001"
#define M5 "AC00000000000000000000000000000005"

static void
account_list_scope_and_filters(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account other = account_row(5, NULL, "other main", GH_ACCOUNT_ACTIVE, 1500);
    struct gh_account other_sub = account_row(6, M5, "sub two", GH_ACCOUNT_ACTIVE, 1600);
    struct gh_account_query q;
    unsigned nums[32];
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    insert_account(tx, &other);
    insert_account(tx, &other_sub);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    q = account_query(M1, true, 10);
    assert_int_equal(list_accounts(tx, &q, nums, 32), 3);
    assert_int_equal(nums[0], 1);
    assert_int_equal(nums[1], 2);
    assert_int_equal(nums[2], 3);
    q = account_query(M1, false, 10);
    assert_int_equal(list_accounts(tx, &q, nums, 32), 1);
    assert_int_equal(nums[0], 1);
    q = account_query("AC00000000000000000000000000000002", true, 10); /* no children */
    assert_int_equal(list_accounts(tx, &q, nums, 32), 1);
    assert_int_equal(nums[0], 2);
    q = account_query(M5, true, 10);
    assert_int_equal(list_accounts(tx, &q, nums, 32), 2);
    assert_int_equal(nums[0], 5);
    assert_int_equal(nums[1], 6);
    /* Filters: exact FriendlyName, status, both. */
    q = account_query(M1, true, 10);
    q.friendly_name = "sub two";
    assert_int_equal(list_accounts(tx, &q, nums, 32), 1);
    assert_int_equal(nums[0], 2);
    q.friendly_name = "sub";
    assert_int_equal(list_accounts(tx, &q, nums, 32), 0);
    q = account_query(M1, true, 10);
    q.status = GH_ACCOUNT_SUSPENDED;
    assert_int_equal(list_accounts(tx, &q, nums, 32), 1);
    assert_int_equal(nums[0], 3);
    q.status = GH_ACCOUNT_ACTIVE;
    assert_int_equal(list_accounts(tx, &q, nums, 32), 2);
    q.friendly_name = "sub three";
    assert_int_equal(list_accounts(tx, &q, nums, 32), 0);
    q.status = GH_ACCOUNT_CLOSED;
    q.friendly_name = NULL;
    assert_int_equal(list_accounts(tx, &q, nums, 32), 0);
    /* An unknown scope lists nothing. */
    q = account_query("AC00000000000000000000000000000099", true, 10);
    assert_int_equal(list_accounts(tx, &q, nums, 32), 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/*
 * Ten subaccounts whose creation times tie in pairs, inserted out of SID order: the order is
 * (created_ms, sid), and a keyset walk visits each once.
 */
static void
seed_ties(struct gh_store *st, unsigned *expect)
{
    static const unsigned order[] = {12, 11, 14, 13, 16, 15, 18, 17, 20, 19};
    struct gh_tx *tx = begin(st, GH_TX_WRITE);
    struct gh_account m = account_row(1, NULL, "main", GH_ACCOUNT_ACTIVE, 100);

    insert_account(tx, &m);
    for (size_t i = 0; i < GH_ARRAY_LEN(order); i++) {
        struct gh_account s =
            account_row(order[i], M1, "tie", GH_ACCOUNT_ACTIVE, 200 + (int64_t)(i / 2) * 10);

        insert_account(tx, &s);
    }
    commit(tx);
    expect[0] = 1;
    for (unsigned i = 0; i < 10; i++) {
        expect[1 + i] = 11 + i;
    }
}

static void
account_list_keyset_paging(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account out[4];
    struct gh_account_query q;
    unsigned expect[11];
    unsigned seen[16];
    size_t total = 0;
    size_t n = 0;
    struct gh_tx *tx;

    seed_ties(st, expect);
    tx = begin(st, GH_TX_READ);
    q = account_query(M1, true, 3);
    for (int pages = 0; pages < 10; pages++) {
        assert_gh(GH_ST(tx)->account_list(tx, &q, out, &n), GH_OK);
        assert_true(n <= 3);
        for (size_t i = 0; i < n; i++) {
            assert_true(total < GH_ARRAY_LEN(seen));
            seen[total++] = (unsigned)strtoul(out[i].sid + 2, NULL, 16);
        }
        if (n < 3) {
            break;
        }
        q.cursor.after_ms = out[n - 1].created_ms;
        memcpy(q.cursor.after_sid, out[n - 1].sid, GH_SID_SIZE);
        q.cursor.offset = 1000; /* ignored when a cursor is given */
    }
    assert_int_equal(total, 11);
    for (size_t i = 0; i < total; i++) {
        assert_int_equal(seen[i], expect[i]);
    }

    /* A cursor names a position, not a row: an anchor that does not exist still works. */
    q = account_query(M1, true, 4);
    q.cursor.after_ms = 205; /* between the ties at 200 and those at 210 */
    sid_of("AC", 5, q.cursor.after_sid);
    assert_gh(GH_ST(tx)->account_list(tx, &q, out, &n), GH_OK);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].sid, "AC0000000000000000000000000000000d");
    assert_string_equal(out[1].sid, "AC0000000000000000000000000000000e");
    assert_string_equal(out[3].sid, "AC00000000000000000000000000000010");
    /* Within a tie, the SID decides: after (210, 13) comes 14. */
    q.cursor.after_ms = 210;
    sid_of("AC", 13, q.cursor.after_sid);
    assert_gh(GH_ST(tx)->account_list(tx, &q, out, &n), GH_OK);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].sid, "AC0000000000000000000000000000000e");
    /* After the last row: nothing. */
    q.cursor.after_ms = INT64_MAX;
    assert_gh(GH_ST(tx)->account_list(tx, &q, out, &n), GH_OK);
    assert_int_equal(n, 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
account_list_offset_paging(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_account_query q;
    unsigned expect[11];
    unsigned nums[32];
    struct gh_tx *tx;

    seed_ties(st, expect);
    tx = begin(st, GH_TX_READ);
    for (uint64_t off = 0; off <= 12; off++) {
        size_t want = off >= 11 ? 0 : (11 - off < 4 ? 11 - off : 4);
        size_t n;

        q = account_query(M1, true, 4);
        q.cursor.offset = off;
        n = list_accounts(tx, &q, nums, 32);
        assert_int_equal(n, want);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(nums[i], expect[off + i]);
        }
    }
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
account_count_children(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx;
    unsigned expect[11];
    int64_t n = -1;

    seed_ties(st, expect);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_count_children(tx, M1, &n), GH_OK);
    assert_int_equal(n, 10);
    assert_gh(GH_ST(tx)->account_count_children(tx, "AC00000000000000000000000000000011", &n),
              GH_OK);
    assert_int_equal(n, 0);
    n = -1;
    assert_gh(GH_ST(tx)->account_count_children(tx, "AC00000000000000000000000000000099", &n),
              GH_OK);
    assert_int_equal(n, 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- auth tokens ---- */

static void
token_insert_and_get(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed p = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 3, 0x10, 1111);
    struct gh_sealed s = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_SECONDARY, 4, 0x20, 2222);
    struct gh_sealed rows[2];
    bool present[2];
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_insert(tx, &p), GH_OK);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    assert_true(present[GH_SLOT_PRIMARY]);
    assert_false(present[GH_SLOT_SECONDARY]);
    assert_sealed_equal(&rows[GH_SLOT_PRIMARY], &p);
    assert_int_equal(rows[GH_SLOT_PRIMARY].created_ms, 1111);
    assert_int_equal(rows[GH_SLOT_PRIMARY].updated_ms, 1111);
    assert_gh(GH_ST(tx)->token_insert(tx, &s), GH_OK);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    assert_true(present[GH_SLOT_PRIMARY]);
    assert_true(present[GH_SLOT_SECONDARY]);
    assert_sealed_equal(&rows[GH_SLOT_PRIMARY], &p);
    assert_sealed_equal(&rows[GH_SLOT_SECONDARY], &s);
    assert_int_equal(rows[GH_SLOT_SECONDARY].created_ms, 2222);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/*
 * An account without tokens, or no account at all, is GH_OK with neither slot present:
 * authentication relies on it to spend the same work on unknown SIDs (and to answer DENIED,
 * never NOT_FOUND).
 */
static void
token_get_absent_is_ok_and_empty(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed rows[2];
    bool present[2] = {true, true};
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    assert_false(present[0]);
    assert_false(present[1]);
    present[0] = present[1] = true;
    assert_gh(GH_ST(tx)->token_get(tx, "AC00000000000000000000000000000099", rows, present), GH_OK);
    assert_false(present[0]);
    assert_false(present[1]);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
token_insert_conflicts(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed p = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 1, 1, 1);
    struct gh_sealed again = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 1, 2, 2);
    struct gh_sealed orphan = sealed_row(GH_SEALED_AUTH_TOKEN, "AC00000000000000000000000000000099",
                                         GH_SLOT_PRIMARY, 1, 3, 3);
    struct gh_sealed rows[2];
    bool present[2];
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_insert(tx, &p), GH_OK);
    commit(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_insert(tx, &again), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_insert(tx, &orphan), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    assert_sealed_equal(&rows[GH_SLOT_PRIMARY], &p); /* the first one stands */
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
token_delete_by_slot(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed p = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 1, 1, 1);
    struct gh_sealed s = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_SECONDARY, 1, 2, 2);
    struct gh_sealed rows[2];
    bool present[2];
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_insert(tx, &p), GH_OK);
    assert_gh(GH_ST(tx)->token_insert(tx, &s), GH_OK);
    assert_gh(GH_ST(tx)->token_delete(tx, M1, GH_SLOT_SECONDARY), GH_OK);
    assert_gh(GH_ST(tx)->token_delete(tx, M1, GH_SLOT_SECONDARY), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->token_delete(tx, "AC00000000000000000000000000000002", GH_SLOT_PRIMARY),
              GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->token_delete(tx, "AC00000000000000000000000000000099", GH_SLOT_PRIMARY),
              GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    assert_true(present[GH_SLOT_PRIMARY]);
    assert_false(present[GH_SLOT_SECONDARY]);
    assert_sealed_equal(&rows[GH_SLOT_PRIMARY], &p);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
token_promote_moves_secondary(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed p = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 1, 1, 100);
    struct gh_sealed s = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_SECONDARY, 2, 2, 200);
    struct gh_sealed rows[2];
    bool present[2];
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_insert(tx, &p), GH_OK);
    assert_gh(GH_ST(tx)->token_insert(tx, &s), GH_OK);
    commit(tx);

    /* With the primary still there, promotion cannot succeed. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_promote(tx, M1, 300), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_delete(tx, M1, GH_SLOT_PRIMARY), GH_OK);
    assert_gh(GH_ST(tx)->token_promote(tx, M1, 300), GH_OK);
    commit(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    assert_true(present[GH_SLOT_PRIMARY]);
    assert_false(present[GH_SLOT_SECONDARY]);
    s.slot = GH_SLOT_PRIMARY;
    assert_sealed_equal(&rows[GH_SLOT_PRIMARY], &s);
    assert_int_equal(rows[GH_SLOT_PRIMARY].created_ms, 200);
    assert_int_equal(rows[GH_SLOT_PRIMARY].updated_ms, 300);
    /* No secondary left to promote. */
    assert_gh(GH_ST(tx)->token_promote(tx, M1, 400), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->token_promote(tx, "AC00000000000000000000000000000099", 400),
              GH_E_NOT_FOUND);
    commit(tx);
    close_store(st);
}

/* ---- API keys ---- */

#define A2 "AC00000000000000000000000000000002"

static void
key_insert_and_get(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_key std = key_row(1, M1, GH_KEY_STANDARD, NULL, 10);
    struct gh_key res = key_row(2, M1, GH_KEY_RESTRICTED, "/a/b\n/c/d", 20);
    struct gh_key sig = key_row(3, A2, GH_KEY_SIGNING, NULL, 30);
    struct gh_key main_key = key_row(4, M1, GH_KEY_MAIN, NULL, 40);
    const struct gh_key *all[] = {&std, &res, &sig, &main_key};
    struct gh_sealed secret;
    struct gh_sealed want;
    struct gh_key got;
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    for (size_t i = 0; i < GH_ARRAY_LEN(all); i++) {
        insert_key(tx, all[i], (unsigned char)(0x40 + i));
    }
    commit(tx);

    tx = begin(st, GH_TX_READ);
    for (size_t i = 0; i < GH_ARRAY_LEN(all); i++) {
        assert_gh(GH_ST(tx)->key_get(tx, all[i]->sid, &got, &secret), GH_OK);
        assert_key_equal(&got, all[i]);
        want = sealed_row(GH_SEALED_API_KEY, all[i]->sid, GH_SLOT_PRIMARY, 1,
                          (unsigned char)(0x40 + i), 0);
        assert_sealed_equal(&secret, &want);
        gh_key_clear(&got);
        assert_gh(GH_ST(tx)->key_get(tx, all[i]->sid, &got, NULL), GH_OK); /* no secret */
        assert_key_equal(&got, all[i]);
        gh_key_clear(&got);
    }
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
key_get_unknown_and_conflicts(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_key k = key_row(1, M1, GH_KEY_STANDARD, NULL, 10);
    struct gh_key orphan =
        key_row(2, "AC00000000000000000000000000000099", GH_KEY_STANDARD, NULL, 10);
    struct gh_key got;
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    insert_key(tx, &k, 1);
    commit(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->key_insert(tx, &k, &(struct gh_sealed){.ct_len = 40}), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->key_insert(tx, &orphan, &(struct gh_sealed){.ct_len = 40}), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->key_get(tx, "SK00000000000000000000000000000099", &got, NULL),
              GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->key_get(tx, orphan.sid, &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, NULL), GH_OK);
    assert_key_equal(&got, &k);
    gh_key_clear(&got);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
key_update_and_delete(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_key k = key_row(1, M1, GH_KEY_RESTRICTED, "/a/b", 10);
    struct gh_key ghost = key_row(9, M1, GH_KEY_STANDARD, NULL, 10);
    struct gh_sealed before;
    struct gh_sealed after;
    struct gh_key got;
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    insert_key(tx, &k, 7);
    assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, &before), GH_OK);
    gh_key_clear(&got);
    snprintf(k.friendly_name, sizeof(k.friendly_name), "renamed");
    k.permissions = (char *)(uintptr_t) "/x/y\n/z/w";
    k.updated_ms = 99;
    assert_gh(GH_ST(tx)->key_update(tx, &k), GH_OK);
    assert_gh(GH_ST(tx)->key_update(tx, &ghost), GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, &after), GH_OK);
    assert_key_equal(&got, &k);
    assert_sealed_equal(&after, &before); /* the secret is not touched by an update */
    gh_key_clear(&got);
    k.permissions = NULL; /* and permissions can be cleared */
    assert_gh(GH_ST(tx)->key_update(tx, &k), GH_OK);
    assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, NULL), GH_OK);
    assert_null(got.permissions);
    gh_key_clear(&got);
    assert_gh(GH_ST(tx)->key_delete(tx, k.sid), GH_OK);
    assert_gh(GH_ST(tx)->key_delete(tx, k.sid), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->key_delete(tx, ghost.sid), GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, NULL), GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* Lists keys and returns their numbers in order; items are cleared before returning. */
static size_t
list_keys(struct gh_tx *tx, const struct gh_key_query *q, unsigned *nums)
{
    struct gh_key out[16];
    size_t n = 99;

    memset(out, 0, sizeof(out));
    assert_true(q->cursor.limit <= GH_ARRAY_LEN(out));
    assert_gh(GH_ST(tx)->key_list(tx, q, out, &n), GH_OK);
    assert_true(n <= q->cursor.limit);
    for (size_t i = 0; i < n; i++) {
        nums[i] = (unsigned)strtoul(out[i].sid + 2, NULL, 16);
        gh_key_clear(&out[i]);
    }
    return n;
}

static void
key_list_separates_families(const char *target)
{
    struct gh_store *st = open_store(target);
    /* Account 1: standard 5, restricted 3, main 4 (created in that order), signing 1 and 2. */
    struct gh_key keys[] = {
        key_row(5, M1, GH_KEY_STANDARD, NULL, 10), key_row(3, M1, GH_KEY_RESTRICTED, "/a/b", 20),
        key_row(4, M1, GH_KEY_MAIN, NULL, 20),     key_row(2, M1, GH_KEY_SIGNING, NULL, 5),
        key_row(1, M1, GH_KEY_SIGNING, NULL, 50),  key_row(6, A2, GH_KEY_STANDARD, NULL, 1),
    };
    struct gh_key_query q;
    unsigned nums[16];
    struct gh_tx *tx;

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    for (size_t i = 0; i < GH_ARRAY_LEN(keys); i++) {
        insert_key(tx, &keys[i], (unsigned char)i);
    }
    commit(tx);

    tx = begin(st, GH_TX_READ);
    memset(&q, 0, sizeof(q));
    q.account_sid = M1;
    q.cursor.limit = 10;
    assert_int_equal(list_keys(tx, &q, nums), 3);
    assert_int_equal(nums[0], 5);
    assert_int_equal(nums[1], 3); /* created 20, ties broken by SID */
    assert_int_equal(nums[2], 4);
    q.signing = true;
    assert_int_equal(list_keys(tx, &q, nums), 2);
    assert_int_equal(nums[0], 2);
    assert_int_equal(nums[1], 1);
    q.signing = false;
    q.account_sid = A2;
    assert_int_equal(list_keys(tx, &q, nums), 1);
    assert_int_equal(nums[0], 6);
    q.signing = true;
    assert_int_equal(list_keys(tx, &q, nums), 0);

    /* Keyset paging (limit 1, after (20, SK..3)) and offsets. */
    q.signing = false;
    q.account_sid = M1;
    q.cursor.limit = 1;
    q.cursor.after_ms = 20;
    sid_of("SK", 3, q.cursor.after_sid);
    assert_int_equal(list_keys(tx, &q, nums), 1);
    assert_int_equal(nums[0], 4);
    sid_of("SK", 4, q.cursor.after_sid);
    assert_int_equal(list_keys(tx, &q, nums), 0);
    q.cursor.after_sid[0] = '\0';
    q.cursor.limit = 2;
    q.cursor.offset = 1;
    assert_int_equal(list_keys(tx, &q, nums), 2);
    assert_int_equal(nums[0], 3);
    assert_int_equal(nums[1], 4);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- sealed rows, for master-key rotation ---- */

struct visit {
    size_t n;
    struct gh_sealed rows[8];
    size_t fail_at; /* 0: never */
    bool reseal;
};

static gh_err
visit_row(struct gh_tx *tx, struct gh_sealed *row, void *arg)
{
    struct visit *v = arg;

    if (v->n < GH_ARRAY_LEN(v->rows)) {
        v->rows[v->n] = *row;
    }
    v->n++;
    if (v->fail_at != 0 && v->n == v->fail_at) {
        return GH_E_CRYPTO;
    }
    if (v->reseal) {
        struct gh_sealed next = sealed_row(row->kind, row->owner, row->slot, row->key_id + 10,
                                           (unsigned char)(row->ct[0] + 0x80), 0);

        return GH_ST(tx)->sealed_update(tx, &next);
    }
    return GH_OK;
}

static const struct gh_sealed *
find_row(const struct visit *v, const char *owner, enum gh_token_slot slot)
{
    for (size_t i = 0; i < v->n && i < GH_ARRAY_LEN(v->rows); i++) {
        if (strcmp(v->rows[i].owner, owner) == 0 &&
            (v->rows[i].kind == GH_SEALED_API_KEY || v->rows[i].slot == slot)) {
            return &v->rows[i];
        }
    }
    fail_msg("no sealed row for %s", owner);
    return NULL;
}

/* Tokens: account 1 primary and secondary, account 2 primary; keys: 2 of account 1. */
static void
seed_sealed(struct gh_store *st, struct gh_sealed tokens[3], struct gh_key keys[2])
{
    struct gh_tx *tx = begin(st, GH_TX_WRITE);

    tokens[0] = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 1, 0x01, 10);
    tokens[1] = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_SECONDARY, 1, 0x02, 20);
    tokens[2] = sealed_row(GH_SEALED_AUTH_TOKEN, A2, GH_SLOT_PRIMARY, 1, 0x03, 30);
    keys[0] = key_row(1, M1, GH_KEY_STANDARD, NULL, 40);
    keys[1] = key_row(2, M1, GH_KEY_SIGNING, NULL, 50);
    for (size_t i = 0; i < 3; i++) {
        assert_gh(GH_ST(tx)->token_insert(tx, &tokens[i]), GH_OK);
    }
    insert_key(tx, &keys[0], 0x04);
    insert_key(tx, &keys[1], 0x05);
    commit(tx);
}

static void
sealed_each_visits_every_row(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed tokens[3];
    struct gh_key keys[2];
    struct gh_sealed want;
    struct visit v;
    struct gh_tx *tx;

    seed_family(st);
    seed_sealed(st, tokens, keys);
    tx = begin(st, GH_TX_READ);
    memset(&v, 0, sizeof(v));
    assert_gh(GH_ST(tx)->sealed_each(tx, GH_SEALED_AUTH_TOKEN, visit_row, &v), GH_OK);
    assert_int_equal(v.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_sealed_equal(find_row(&v, tokens[i].owner, tokens[i].slot), &tokens[i]);
    }
    memset(&v, 0, sizeof(v));
    assert_gh(GH_ST(tx)->sealed_each(tx, GH_SEALED_API_KEY, visit_row, &v), GH_OK);
    assert_int_equal(v.n, 2);
    want = sealed_row(GH_SEALED_API_KEY, keys[0].sid, GH_SLOT_PRIMARY, 1, 0x04, 0);
    assert_sealed_equal(find_row(&v, keys[0].sid, GH_SLOT_PRIMARY), &want);
    want = sealed_row(GH_SEALED_API_KEY, keys[1].sid, GH_SLOT_PRIMARY, 1, 0x05, 0);
    assert_sealed_equal(find_row(&v, keys[1].sid, GH_SLOT_PRIMARY), &want);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
sealed_update_reseals_in_place(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed tokens[3];
    struct gh_key keys[2];
    struct gh_sealed rows[2];
    struct gh_sealed want;
    struct gh_sealed secret;
    struct gh_sealed ghost;
    bool present[2];
    struct gh_key got;
    struct visit v;
    struct gh_tx *tx;

    seed_family(st);
    seed_sealed(st, tokens, keys);
    tx = begin(st, GH_TX_WRITE);
    memset(&v, 0, sizeof(v));
    v.reseal = true;
    assert_gh(GH_ST(tx)->sealed_each(tx, GH_SEALED_AUTH_TOKEN, visit_row, &v), GH_OK);
    assert_int_equal(v.n, 3);
    memset(&v, 0, sizeof(v));
    v.reseal = true;
    assert_gh(GH_ST(tx)->sealed_each(tx, GH_SEALED_API_KEY, visit_row, &v), GH_OK);
    assert_int_equal(v.n, 2);
    ghost = sealed_row(GH_SEALED_API_KEY, "SK00000000000000000000000000000099", GH_SLOT_PRIMARY, 1,
                       1, 0);
    assert_gh(GH_ST(tx)->sealed_update(tx, &ghost), GH_E_NOT_FOUND);
    ghost = sealed_row(GH_SEALED_AUTH_TOKEN, A2, GH_SLOT_SECONDARY, 1, 1, 0);
    assert_gh(GH_ST(tx)->sealed_update(tx, &ghost), GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
    for (size_t slot = 0; slot < 2; slot++) {
        want = sealed_row(GH_SEALED_AUTH_TOKEN, M1, (enum gh_token_slot)slot, 11,
                          (unsigned char)(tokens[slot].ct[0] + 0x80), 0);
        assert_true(present[slot]);
        assert_sealed_equal(&rows[slot], &want);
        assert_int_equal(rows[slot].created_ms, tokens[slot].created_ms); /* kept */
    }
    assert_gh(GH_ST(tx)->key_get(tx, keys[1].sid, &got, &secret), GH_OK);
    want = sealed_row(GH_SEALED_API_KEY, keys[1].sid, GH_SLOT_PRIMARY, 11, 0x85, 0);
    assert_sealed_equal(&secret, &want);
    assert_key_equal(&got, &keys[1]);
    gh_key_clear(&got);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
sealed_each_stops_at_an_error(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_sealed tokens[3];
    struct gh_key keys[2];
    struct visit v;
    struct gh_tx *tx;

    seed_family(st);
    seed_sealed(st, tokens, keys);
    tx = begin(st, GH_TX_READ);
    memset(&v, 0, sizeof(v));
    v.fail_at = 2;
    assert_gh(GH_ST(tx)->sealed_each(tx, GH_SEALED_AUTH_TOKEN, visit_row, &v), GH_E_CRYPTO);
    assert_int_equal(v.n, 2);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- the audit log ---- */

static struct gh_audit_event
audit_row(int64_t seq, const char *action, unsigned char hash_fill)
{
    struct gh_audit_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.seq = seq;
    ev.time_ms = TEST_EPOCH_MS + seq;
    snprintf(ev.actor, sizeof(ev.actor), "%s", M1);
    snprintf(ev.action, sizeof(ev.action), "%s", action);
    snprintf(ev.target, sizeof(ev.target), "%s", A2);
    snprintf(ev.remote_addr, sizeof(ev.remote_addr), "198.51.100.%d", (int)seq);
    snprintf(ev.user_agent, sizeof(ev.user_agent), "agent %d", (int)seq);
    snprintf(ev.outcome, sizeof(ev.outcome), "%s", seq % 2 == 0 ? "failure" : "success");
    snprintf(ev.detail, sizeof(ev.detail), "detail %d", (int)seq);
    memset(ev.hash, hash_fill, sizeof(ev.hash));
    return ev;
}

struct collect {
    size_t n;
    size_t stop_after; /* 0: never */
    struct gh_audit_event evs[8];
};

static int
collect_event(const struct gh_audit_event *ev, void *arg)
{
    struct collect *c = arg;

    if (c->n < GH_ARRAY_LEN(c->evs)) {
        c->evs[c->n] = *ev;
    }
    c->n++;
    return c->stop_after != 0 && c->n >= c->stop_after;
}

static void
assert_event_equal(const struct gh_audit_event *got, const struct gh_audit_event *want)
{
    assert_int_equal(got->seq, want->seq);
    assert_int_equal(got->time_ms, want->time_ms);
    assert_string_equal(got->actor, want->actor);
    assert_string_equal(got->action, want->action);
    assert_string_equal(got->target, want->target);
    assert_string_equal(got->remote_addr, want->remote_addr);
    assert_string_equal(got->user_agent, want->user_agent);
    assert_string_equal(got->outcome, want->outcome);
    assert_string_equal(got->detail, want->detail);
    assert_memory_equal(got->hash, want->hash, sizeof(want->hash));
    assert_string_equal(got->account_sid, want->account_sid);
}

static void
audit_last_of_empty_log(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx = begin(st, GH_TX_READ);
    uint8_t hash[32];
    uint8_t zero[32] = {0};
    int64_t seq = -1;

    memset(hash, 0xEE, sizeof(hash));
    assert_gh(GH_ST(tx)->audit_last(tx, &seq, hash), GH_OK);
    assert_int_equal(seq, 0);
    assert_memory_equal(hash, zero, sizeof(hash));
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
audit_insert_requires_the_next_seq(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_audit_event e1 = audit_row(1, "one", 0x11);
    struct gh_audit_event e2 = audit_row(2, "two", 0x22);
    struct gh_audit_event bad;
    struct gh_tx *tx;
    uint8_t hash[32];
    int64_t seq = 0;

    tx = begin(st, GH_TX_WRITE);
    bad = audit_row(2, "too early", 0);
    assert_gh(GH_ST(tx)->audit_insert(tx, &bad), GH_E_CONFLICT);
    bad = audit_row(0, "zero", 0);
    assert_gh(GH_ST(tx)->audit_insert(tx, &bad), GH_E_CONFLICT);
    assert_gh(GH_ST(tx)->audit_insert(tx, &e1), GH_OK);
    assert_gh(GH_ST(tx)->audit_insert(tx, &e1), GH_E_CONFLICT); /* replayed */
    bad = audit_row(3, "skips two", 0);
    assert_gh(GH_ST(tx)->audit_insert(tx, &bad), GH_E_CONFLICT);
    bad = audit_row(-1, "negative", 0);
    assert_gh(GH_ST(tx)->audit_insert(tx, &bad), GH_E_CONFLICT);
    assert_gh(GH_ST(tx)->audit_insert(tx, &e2), GH_OK);
    assert_gh(GH_ST(tx)->audit_last(tx, &seq, hash), GH_OK);
    assert_int_equal(seq, 2);
    assert_memory_equal(hash, e2.hash, sizeof(hash));
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->audit_last(tx, &seq, hash), GH_OK);
    assert_int_equal(seq, 2);
    assert_memory_equal(hash, e2.hash, sizeof(hash));
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
audit_each_in_order_from_a_seq(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_audit_event evs[5];
    struct collect c;
    struct gh_tx *tx;

    tx = begin(st, GH_TX_WRITE);
    for (int i = 0; i < 5; i++) {
        evs[i] = audit_row(i + 1, "event", (unsigned char)(0x30 + i));
        assert_gh(GH_ST(tx)->audit_insert(tx, &evs[i]), GH_OK);
    }
    commit(tx);

    tx = begin(st, GH_TX_READ);
    memset(&c, 0, sizeof(c));
    assert_gh(GH_ST(tx)->audit_each(tx, 0, collect_event, &c), GH_OK);
    assert_int_equal(c.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_event_equal(&c.evs[i], &evs[i]);
    }
    memset(&c, 0, sizeof(c));
    assert_gh(GH_ST(tx)->audit_each(tx, 3, collect_event, &c), GH_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.evs[0].seq, 4);
    assert_int_equal(c.evs[1].seq, 5);
    memset(&c, 0, sizeof(c));
    assert_gh(GH_ST(tx)->audit_each(tx, 5, collect_event, &c), GH_OK);
    assert_int_equal(c.n, 0);
    /* A non-zero return stops the walk. */
    memset(&c, 0, sizeof(c));
    c.stop_after = 2;
    assert_gh(GH_ST(tx)->audit_each(tx, 0, collect_event, &c), GH_OK);
    assert_int_equal(c.n, 2);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- an account's audit trail (0008_audit_account.sql) ---- */

#define AUDIT_A "AC0000000000000000000000000000000a"
#define AUDIT_B "AC0000000000000000000000000000000b"

/* The accounts of events 1..7: A, B, none, A, A, B, A. */
static const char *const trail_accounts[] = {AUDIT_A, AUDIT_B, "",     AUDIT_A,
                                             AUDIT_A, AUDIT_B, AUDIT_A};

/* Writes events 1..7 concerning trail_accounts (evs receives them) and returns the open store. */
static struct gh_store *
write_trail(const char *target, struct gh_audit_event evs[7])
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx = begin(st, GH_TX_WRITE);

    for (int i = 0; i < 7; i++) {
        evs[i] = audit_row(i + 1, "account.update", (unsigned char)(0x50 + i));
        snprintf(evs[i].account_sid, sizeof(evs[i].account_sid), "%s", trail_accounts[i]);
        assert_gh(GH_ST(tx)->audit_insert(tx, &evs[i]), GH_OK);
    }
    commit(tx);
    return st;
}

/* audit_list for account before before_seq, at most limit, must return exactly seqs[0..n). */
static void
assert_trail(struct gh_tx *tx, const char *account, int64_t before_seq, size_t limit,
             const struct gh_audit_event evs[7], const int64_t *seqs, size_t n)
{
    struct gh_audit_query q = {.account_sid = account, .before_seq = before_seq, .limit = limit};
    struct gh_audit_event out[8];
    size_t got = 99;

    memset(out, 0, sizeof(out));
    assert_gh(GH_ST(tx)->audit_list(tx, &q, out, &got), GH_OK);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        assert_event_equal(&out[i], &evs[seqs[i] - 1]);
    }
}

static void
audit_list_is_one_account_newest_first(const char *target)
{
    static const int64_t a_all[] = {7, 5, 4, 1};
    static const int64_t b_all[] = {6, 2};
    struct gh_audit_event evs[7];
    struct gh_store *st = write_trail(target, evs);
    struct gh_tx *tx = begin(st, GH_TX_READ);

    assert_trail(tx, AUDIT_A, 0, 8, evs, a_all, 4);
    assert_trail(tx, AUDIT_B, 0, 8, evs, b_all, 2);
    assert_trail(tx, "AC0000000000000000000000000000000c", 0, 8, evs, NULL, 0);
    /* A limit past INT64_MAX is capped, never sent as a negative LIMIT. */
    assert_trail(tx, AUDIT_A, 0, SIZE_MAX, evs, a_all, 4);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
audit_list_pages_by_before_seq_and_limit(const char *target)
{
    static const int64_t newest_two[] = {7, 5};
    static const int64_t before_5[] = {4, 1};
    static const int64_t before_4[] = {1};
    static const int64_t a_all[] = {7, 5, 4, 1};
    struct gh_audit_event evs[7];
    struct gh_store *st = write_trail(target, evs);
    struct gh_tx *tx = begin(st, GH_TX_READ);
    struct gh_audit_query q = {.account_sid = AUDIT_A, .before_seq = 0, .limit = 1};
    struct gh_audit_event one;
    int64_t walked[8];
    size_t pages = 0;
    size_t n = 0;

    assert_trail(tx, AUDIT_A, 0, 2, evs, newest_two, 2);
    assert_trail(tx, AUDIT_A, 5, 2, evs, before_5, 2); /* before_seq is exclusive */
    assert_trail(tx, AUDIT_A, 4, 8, evs, before_4, 1);
    assert_trail(tx, AUDIT_A, 1, 8, evs, NULL, 0);
    assert_trail(tx, AUDIT_A, 100, 8, evs, a_all, 4); /* past the newest: everything */
    assert_trail(tx, AUDIT_A, 0, 0, evs, NULL, 0);
    /* Walking one page at a time, each before the last seq seen, visits every event once. */
    do {
        assert_gh(GH_ST(tx)->audit_list(tx, &q, &one, &n), GH_OK);
        if (n == 1) {
            assert_true(pages < GH_ARRAY_LEN(walked));
            walked[pages++] = one.seq;
            q.before_seq = one.seq;
        }
    } while (n == 1);
    assert_int_equal(pages, 4);
    for (size_t i = 0; i < pages; i++) {
        assert_int_equal(walked[i], a_all[i]);
    }
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* An event's account is written and read back by audit_each and audit_list, across a reopen. */
static void
audit_account_round_trips(const char *target)
{
    static const int64_t b_all[] = {6, 2};
    struct gh_audit_event evs[7];
    struct gh_store *st = write_trail(target, evs);
    struct collect c;
    struct gh_tx *tx;

    close_store(st);
    st = open_store(target);
    tx = begin(st, GH_TX_READ);
    memset(&c, 0, sizeof(c));
    assert_gh(GH_ST(tx)->audit_each(tx, 0, collect_event, &c), GH_OK);
    assert_int_equal(c.n, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(c.evs[i].account_sid, trail_accounts[i]);
        assert_event_equal(&c.evs[i], &evs[i]);
    }
    assert_trail(tx, AUDIT_B, 0, 8, evs, b_all, 2);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- human users ---- */

#define U1 "US00000000000000000000000000000001"
#define U2 "US00000000000000000000000000000002"
#define U9 "US00000000000000000000000000000099"

static struct gh_user
user_row(unsigned n, int64_t created_ms)
{
    struct gh_user u;

    memset(&u, 0, sizeof(u));
    sid_of("US", n, u.sid);
    snprintf(u.email, sizeof(u.email), "User%u@Example.COM", n);
    snprintf(u.name, sizeof(u.name), "user %u", n);
    u.passphrase_set_ms = created_ms;
    u.created_ms = created_ms;
    u.updated_ms = created_ms + 1;
    return u;
}

/* User n's lookup form of its e-mail (the store is given it; it never folds case itself). */
static void
email_key_of(unsigned n, char out[GH_EMAIL_SIZE])
{
    snprintf(out, GH_EMAIL_SIZE, "user%u@example.com", n);
}

/* An Argon2id-shaped string naming n: the store keeps hashes as opaque text. */
static void
hash_of(unsigned n, char out[GH_STORE_HASH_MAX])
{
    snprintf(out, GH_STORE_HASH_MAX, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$%u", n);
}

/* Inserts u with user n's e-mail key and hash. */
static void
insert_user(struct gh_tx *tx, const struct gh_user *u, unsigned n)
{
    char key[GH_EMAIL_SIZE];
    char hash[GH_STORE_HASH_MAX];

    email_key_of(n, key);
    hash_of(n, hash);
    assert_gh(GH_ST(tx)->user_insert(tx, u, key, hash), GH_OK);
}

static void
assert_user_equal(const struct gh_user *got, const struct gh_user *want)
{
    assert_string_equal(got->sid, want->sid);
    assert_string_equal(got->email, want->email);
    assert_string_equal(got->name, want->name);
    assert_int_equal(got->passphrase_set_ms, want->passphrase_set_ms);
    assert_int_equal(got->must_change, want->must_change);
    assert_int_equal(got->created_ms, want->created_ms);
    assert_int_equal(got->updated_ms, want->updated_ms);
}

/* Users 1 and 2 (after the accounts of seed_family), committed. */
static void
seed_users(struct gh_store *st)
{
    struct gh_tx *tx;
    struct gh_user u1 = user_row(1, 1000);
    struct gh_user u2 = user_row(2, 2000);

    seed_family(st);
    tx = begin(st, GH_TX_WRITE);
    insert_user(tx, &u1, 1);
    insert_user(tx, &u2, 2);
    commit(tx);
}

static void
user_insert_and_get(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_user u1 = user_row(1, TEST_EPOCH_MS);
    struct gh_user widest = user_row(2, INT64_MAX - 1);
    char hash[GH_STORE_HASH_MAX];
    char want_hash[GH_STORE_HASH_MAX];
    char key[GH_EMAIL_SIZE];
    struct gh_user got;
    struct gh_tx *tx;

    /* The longest e-mail (254 bytes) and name (128 four-byte code points). */
    memset(widest.email, 'e', GH_EMAIL_MAX);
    memcpy(widest.email + GH_EMAIL_MAX - 12, "@example.com", 12);
    widest.email[GH_EMAIL_MAX] = '\0';
    for (size_t i = 0; i < GH_NAME_MAX_CHARS; i++) {
        memcpy(widest.name + 4 * i, "\xF0\x9F\x94\x92", 4);
    }
    widest.name[GH_NAME_SIZE - 1] = '\0';
    widest.must_change = true;
    widest.passphrase_set_ms = 5;
    tx = begin(st, GH_TX_WRITE);
    insert_user(tx, &u1, 1);
    insert_user(tx, &widest, 2);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    for (unsigned n = 1; n <= 2; n++) {
        const struct gh_user *want = n == 1 ? &u1 : &widest;

        hash_of(n, want_hash);
        assert_gh(GH_ST(tx)->user_get(tx, want->sid, &got, hash), GH_OK);
        assert_user_equal(&got, want);
        assert_string_equal(hash, want_hash);
        assert_gh(GH_ST(tx)->user_get(tx, want->sid, &got, NULL), GH_OK); /* no hash */
        assert_user_equal(&got, want);
        email_key_of(n, key);
        memset(hash, 'x', sizeof(hash));
        assert_gh(GH_ST(tx)->user_get_by_email(tx, key, &got, hash), GH_OK);
        assert_user_equal(&got, want);
        assert_string_equal(hash, want_hash);
        assert_gh(GH_ST(tx)->user_get_by_email(tx, key, &got, NULL), GH_OK);
        assert_user_equal(&got, want);
    }
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
user_get_unknown_is_not_found(const char *target)
{
    struct gh_store *st = open_store(target);
    char hash[GH_STORE_HASH_MAX];
    struct gh_user got;
    struct gh_tx *tx;

    seed_users(st);
    tx = begin(st, GH_TX_READ);
    memset(&got, 'x', sizeof(got));
    memset(hash, 'x', sizeof(hash));
    assert_gh(GH_ST(tx)->user_get(tx, U9, &got, hash), GH_E_NOT_FOUND);
    assert_string_equal(got.sid, ""); /* cleared, never a stale row */
    assert_string_equal(hash, "");
    assert_gh(GH_ST(tx)->user_get(tx, "", &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->user_get(tx, "us00000000000000000000000000000001", &got, NULL),
              GH_E_NOT_FOUND);
    /* By e-mail: the exact lookup form only; no folding, no prefix match, not the raw e-mail. */
    memset(&got, 'x', sizeof(got));
    memset(hash, 'x', sizeof(hash));
    assert_gh(GH_ST(tx)->user_get_by_email(tx, "user9@example.com", &got, hash), GH_E_NOT_FOUND);
    assert_string_equal(got.sid, "");
    assert_string_equal(hash, "");
    assert_gh(GH_ST(tx)->user_get_by_email(tx, "User1@Example.COM", &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->user_get_by_email(tx, "user1@example.co", &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->user_get_by_email(tx, "user1@example.com ", &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->user_get_by_email(tx, "%", &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->user_get_by_email(tx, "", &got, NULL), GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
user_insert_duplicate_is_conflict(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_user same_sid = user_row(1, 5000);
    struct gh_user same_email = user_row(9, 5000);
    char key[GH_EMAIL_SIZE];
    char hash[GH_STORE_HASH_MAX];
    struct gh_user got;
    struct gh_tx *tx;

    seed_users(st);
    hash_of(9, hash);
    /* The SID is taken (under another e-mail key) ... */
    tx = begin(st, GH_TX_WRITE);
    email_key_of(9, key);
    assert_gh(GH_ST(tx)->user_insert(tx, &same_sid, key, hash), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    /* ... the e-mail key is taken (by another SID). */
    tx = begin(st, GH_TX_WRITE);
    email_key_of(1, key);
    assert_gh(GH_ST(tx)->user_insert(tx, &same_email, key, hash), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->user_get_by_email(tx, key, &got, hash), GH_OK);
    assert_string_equal(got.sid, U1); /* the first one stands */
    assert_int_equal(got.created_ms, 1000);
    email_key_of(9, key);
    assert_gh(GH_ST(tx)->user_get_by_email(tx, key, &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->user_get(tx, same_email.sid, &got, NULL), GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
user_set_passphrase_replaces_hash(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_user want = user_row(1, 1000);
    struct gh_user u = want;
    struct gh_user ghost = user_row(9, 1);
    char hash[GH_STORE_HASH_MAX];
    char want_hash[GH_STORE_HASH_MAX];
    struct gh_user got;
    struct gh_tx *tx;

    seed_users(st);
    /* Only the hash, passphrase_set_ms, must_change and updated_ms change. */
    snprintf(u.email, sizeof(u.email), "other@example.com");
    snprintf(u.name, sizeof(u.name), "other");
    u.created_ms = 1;
    u.passphrase_set_ms = 7000;
    u.must_change = true;
    u.updated_ms = 7001;
    want.passphrase_set_ms = 7000;
    want.must_change = true;
    want.updated_ms = 7001;
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->user_set_passphrase(tx, &u, "$argon2id$new"), GH_OK);
    assert_gh(GH_ST(tx)->user_get(tx, U1, &got, hash), GH_OK);
    assert_user_equal(&got, &want);
    assert_string_equal(hash, "$argon2id$new");
    assert_gh(GH_ST(tx)->user_set_passphrase(tx, &ghost, "$argon2id$ghost"), GH_E_NOT_FOUND);
    commit(tx);

    /* must_change clears as well as sets; the other user is untouched. */
    u.must_change = false;
    u.passphrase_set_ms = 8000;
    u.updated_ms = 8001;
    want.must_change = false;
    want.passphrase_set_ms = 8000;
    want.updated_ms = 8001;
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->user_set_passphrase(tx, &u, "$argon2id$newer"), GH_OK);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->user_get(tx, U1, &got, hash), GH_OK);
    assert_user_equal(&got, &want);
    assert_string_equal(hash, "$argon2id$newer");
    assert_gh(GH_ST(tx)->user_get(tx, ghost.sid, &got, NULL), GH_E_NOT_FOUND);
    want = user_row(2, 2000);
    assert_gh(GH_ST(tx)->user_get(tx, U2, &got, hash), GH_OK);
    assert_user_equal(&got, &want);
    hash_of(2, want_hash);
    assert_string_equal(hash, want_hash);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* A hash is stored only when it can be read back whole: under GH_STORE_HASH_MAX bytes. */
static void
passphrase_hash_over_the_cap_is_invalid(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_user u3 = user_row(3, 3000);
    struct gh_user u4 = user_row(4, 4000);
    char longest[GH_STORE_HASH_MAX];
    char too_long[GH_STORE_HASH_MAX + 1];
    char hash[GH_STORE_HASH_MAX];
    char list[2][GH_STORE_HASH_MAX];
    char key[GH_EMAIL_SIZE];
    struct gh_user got;
    struct gh_tx *tx;
    size_t n = 99;

    memset(longest, 'h', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    memset(too_long, 'h', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    email_key_of(3, key);
    assert_gh(GH_ST(tx)->user_insert(tx, &u3, key, longest), GH_OK);
    assert_gh(GH_ST(tx)->history_add(tx, U1, longest, 10), GH_OK);
    email_key_of(4, key);
    assert_gh(GH_ST(tx)->user_insert(tx, &u4, key, too_long), GH_E_INVALID);
    assert_gh(GH_ST(tx)->user_insert(tx, &u4, key, NULL), GH_E_INVALID);
    assert_gh(GH_ST(tx)->user_set_passphrase(tx, &u3, too_long), GH_E_INVALID);
    assert_gh(GH_ST(tx)->history_add(tx, U1, too_long, 20), GH_E_INVALID);
    commit(tx); /* refused before reaching the database: the transaction is still good */

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->user_get(tx, u3.sid, &got, hash), GH_OK);
    assert_user_equal(&got, &u3);
    assert_string_equal(hash, longest);
    assert_gh(GH_ST(tx)->user_get(tx, u4.sid, &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->history_list(tx, U1, list, 2, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0], longest);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* history_list of user_sid (cap) is the hashes of want[0..want_n), in that order. */
static void
assert_history(struct gh_tx *tx, const char *user_sid, size_t cap, const unsigned *want,
               size_t want_n)
{
    char out[8][GH_STORE_HASH_MAX];
    char hash[GH_STORE_HASH_MAX];
    size_t n = 99;

    assert_true(cap <= GH_ARRAY_LEN(out));
    assert_gh(GH_ST(tx)->history_list(tx, user_sid, out, cap, &n), GH_OK);
    assert_int_equal(n, want_n);
    for (size_t i = 0; i < n; i++) {
        hash_of(want[i], hash);
        assert_string_equal(out[i], hash);
    }
}

static void
history_newest_first_and_trim(const char *target)
{
    static const unsigned added[] = {300, 100, 500, 200, 400}; /* set_ms, out of order */
    static const unsigned newest[] = {500, 400, 300, 200, 100};
    static const unsigned other[] = {100};
    struct gh_store *st = open_store(target);
    char hash[GH_STORE_HASH_MAX];
    struct gh_tx *tx;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    for (size_t i = 0; i < GH_ARRAY_LEN(added); i++) {
        hash_of(added[i], hash);
        assert_gh(GH_ST(tx)->history_add(tx, U1, hash, added[i]), GH_OK);
    }
    hash_of(100, hash);
    assert_gh(GH_ST(tx)->history_add(tx, U2, hash, 100), GH_OK);
    assert_history(tx, U1, 8, newest, 5);
    assert_history(tx, U1, 2, newest, 2); /* the newest, up to cap */
    assert_history(tx, U1, 0, newest, 0);
    assert_history(tx, U9, 8, newest, 0); /* an unknown user has none */
    assert_history(tx, U2, 8, other, 1);
    commit(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->history_trim(tx, U1, 3), GH_OK);
    assert_history(tx, U1, 8, newest, 3);
    assert_gh(GH_ST(tx)->history_trim(tx, U1, 10), GH_OK); /* fewer than keep: nothing goes */
    assert_history(tx, U1, 8, newest, 3);
    assert_history(tx, U2, 8, other, 1); /* another user's history is not trimmed */
    assert_gh(GH_ST(tx)->history_trim(tx, U9, 0), GH_OK);
    commit(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_history(tx, U1, 8, newest, 3);
    assert_gh(GH_ST(tx)->history_trim(tx, U1, 0), GH_OK);
    assert_history(tx, U1, 8, newest, 0);
    assert_history(tx, U2, 8, other, 1);
    commit(tx);

    /* Two entries at one set_ms, and an entry for an unknown user, are refused. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->history_add(tx, U2, hash, 100), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->history_add(tx, U9, hash, 100), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_READ);
    assert_history(tx, U2, 8, other, 1);
    assert_history(tx, U9, 8, other, 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- memberships ---- */

static void
assert_role(struct gh_tx *tx, const char *user_sid, const char *account_sid, enum gh_role want)
{
    enum gh_role got = (enum gh_role)99;

    assert_gh(GH_ST(tx)->membership_get(tx, user_sid, account_sid, &got), GH_OK);
    assert_int_equal(got, want);
}

static void
membership_put_inserts_then_updates(const char *target)
{
    struct gh_store *st = open_store(target);
    enum gh_role role;
    struct gh_tx *tx;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->membership_put(tx, U1, M1, GH_ROLE_OWNER, 10), GH_OK);
    assert_gh(GH_ST(tx)->membership_put(tx, U1, A2, GH_ROLE_SUPPORT, 10), GH_OK);
    assert_role(tx, U1, M1, GH_ROLE_OWNER);
    assert_role(tx, U1, A2, GH_ROLE_SUPPORT);
    /* A second put changes the role: one membership per (user, account). */
    assert_gh(GH_ST(tx)->membership_put(tx, U1, M1, GH_ROLE_DEVELOPER, 20), GH_OK);
    assert_role(tx, U1, M1, GH_ROLE_DEVELOPER);
    assert_role(tx, U1, A2, GH_ROLE_SUPPORT);
    /* Every role is stored and read back as itself. */
    for (int r = GH_ROLE_OWNER; r <= GH_ROLE_SUPPORT; r++) {
        assert_gh(GH_ST(tx)->membership_put(tx, U2, M1, (enum gh_role)r, 30 + r), GH_OK);
        assert_role(tx, U2, M1, (enum gh_role)r);
    }
    /* A role outside the enum is refused before it reaches the database. */
    assert_gh(GH_ST(tx)->membership_put(tx, U1, M1, (enum gh_role)(GH_ROLE_SUPPORT + 1), 40),
              GH_E_INVALID);
    assert_gh(GH_ST(tx)->membership_put(tx, U1, M1, (enum gh_role)(-1), 40), GH_E_INVALID);
    assert_role(tx, U1, M1, GH_ROLE_DEVELOPER);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_role(tx, U1, M1, GH_ROLE_DEVELOPER);
    assert_role(tx, U1, A2, GH_ROLE_SUPPORT);
    assert_role(tx, U2, M1, GH_ROLE_SUPPORT);
    assert_gh(GH_ST(tx)->membership_get(tx, U2, A2, &role), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_get(tx, U1, "AC00000000000000000000000000000003", &role),
              GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_get(tx, U9, M1, &role), GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);

    /* Both ends must exist. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(
        GH_ST(tx)->membership_put(tx, U1, "AC00000000000000000000000000000099", GH_ROLE_OWNER, 50),
        GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->membership_put(tx, U9, M1, GH_ROLE_OWNER, 50), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->membership_get(tx, U9, M1, &role), GH_E_NOT_FOUND);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- members and ownership offers ---- */

#define U3 "US00000000000000000000000000000003"
#define U4 "US00000000000000000000000000000004"
#define U5 "US00000000000000000000000000000005"
#define A3 "AC00000000000000000000000000000003"

/* Users 1 to 5 (1 and 2 from seed_users, after the accounts of seed_family), committed. */
static void
seed_five_users(struct gh_store *st)
{
    struct gh_tx *tx;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    for (unsigned n = 3; n <= 5; n++) {
        struct gh_user u = user_row(n, 1000 * (int64_t)n);

        insert_user(tx, &u, n);
    }
    commit(tx);
}

static void
put_member(struct gh_tx *tx, const char *user_sid, const char *account_sid, enum gh_role role,
           int64_t now_ms)
{
    assert_gh(GH_ST(tx)->membership_put(tx, user_sid, account_sid, role, now_ms), GH_OK);
}

/* Member user n of account_sid: user_row(n)'s e-mail (as given) and name. */
static void
assert_member(const struct gh_member *got, unsigned n, const char *account_sid, enum gh_role role,
              int64_t created_ms, int64_t updated_ms)
{
    struct gh_user u = user_row(n, 0);

    assert_string_equal(got->user_sid, u.sid);
    assert_string_equal(got->account_sid, account_sid);
    assert_string_equal(got->email, u.email);
    assert_string_equal(got->name, u.name);
    assert_int_equal(got->role, role);
    assert_int_equal(got->created_ms, created_ms);
    assert_int_equal(got->updated_ms, updated_ms);
}

/* Lists members and returns their users' numbers in order. */
static size_t
list_members(struct gh_tx *tx, const struct gh_member_query *q, unsigned *nums)
{
    struct gh_member out[16];
    size_t n = 99;

    memset(out, 'x', sizeof(out));
    assert_true(q->cursor.limit <= GH_ARRAY_LEN(out));
    assert_gh(GH_ST(tx)->membership_list(tx, q, out, &n), GH_OK);
    assert_true(n <= q->cursor.limit);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(out[i].account_sid, q->account_sid);
        nums[i] = (unsigned)strtoul(out[i].user_sid + 2, NULL, 16);
    }
    return n;
}

/*
 * Account 1: user 5 owner (100), users 2 and 1 tied at 200 (developer, administrator), user 3
 * support (300, changed at 350).  Account 2: user 4 (50), user 1 (60).  Account 3: nobody.
 */
static void
seed_members(struct gh_store *st)
{
    struct gh_tx *tx;

    seed_five_users(st);
    tx = begin(st, GH_TX_WRITE);
    put_member(tx, U5, M1, GH_ROLE_OWNER, 100);
    put_member(tx, U2, M1, GH_ROLE_DEVELOPER, 200);
    put_member(tx, U1, M1, GH_ROLE_ADMINISTRATOR, 200);
    put_member(tx, U3, M1, GH_ROLE_BILLING_MANAGER, 300);
    put_member(tx, U3, M1, GH_ROLE_SUPPORT, 350); /* a role change keeps created_ms */
    put_member(tx, U4, A2, GH_ROLE_DEVELOPER, 50);
    put_member(tx, U1, A2, GH_ROLE_SUPPORT, 60);
    commit(tx);
}

static void
membership_list_pages_oldest_first(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_member_query q;
    struct gh_member out[8];
    unsigned nums[16];
    struct gh_tx *tx;
    size_t n = 99;

    seed_members(st);
    tx = begin(st, GH_TX_READ);
    memset(&q, 0, sizeof(q));
    q.account_sid = M1;
    q.cursor.limit = 8;
    assert_gh(GH_ST(tx)->membership_list(tx, &q, out, &n), GH_OK);
    assert_int_equal(n, 4);
    /* Oldest first; the tie at 200 is broken by the user's SID; e-mail and name joined. */
    assert_member(&out[0], 5, M1, GH_ROLE_OWNER, 100, 100);
    assert_member(&out[1], 1, M1, GH_ROLE_ADMINISTRATOR, 200, 200);
    assert_member(&out[2], 2, M1, GH_ROLE_DEVELOPER, 200, 200);
    assert_member(&out[3], 3, M1, GH_ROLE_SUPPORT, 300, 350);

    /* Only that account's members. */
    q.account_sid = A2;
    assert_int_equal(list_members(tx, &q, nums), 2);
    assert_int_equal(nums[0], 4);
    assert_int_equal(nums[1], 1);
    q.account_sid = A3;
    assert_int_equal(list_members(tx, &q, nums), 0);
    q.account_sid = "AC00000000000000000000000000000099";
    assert_int_equal(list_members(tx, &q, nums), 0);

    /* At most limit. */
    q.account_sid = M1;
    q.cursor.limit = 2;
    assert_int_equal(list_members(tx, &q, nums), 2);
    assert_int_equal(nums[0], 5);
    assert_int_equal(nums[1], 1);
    q.cursor.limit = 0;
    assert_int_equal(list_members(tx, &q, nums), 0);

    /* Keyset: after (created_ms, user_sid), through the tie and to the end. */
    q.cursor.limit = 8;
    q.cursor.after_ms = 200;
    memcpy(q.cursor.after_sid, U1, sizeof(U1));
    assert_int_equal(list_members(tx, &q, nums), 2);
    assert_int_equal(nums[0], 2);
    assert_int_equal(nums[1], 3);
    q.cursor.limit = 1;
    memcpy(q.cursor.after_sid, U2, sizeof(U2));
    assert_int_equal(list_members(tx, &q, nums), 1);
    assert_int_equal(nums[0], 3);
    q.cursor.after_ms = 300;
    memcpy(q.cursor.after_sid, U3, sizeof(U3));
    assert_int_equal(list_members(tx, &q, nums), 0);
    /* A keyset position ignores the offset. */
    q.cursor.limit = 8;
    q.cursor.after_ms = 100;
    memcpy(q.cursor.after_sid, U5, sizeof(U5));
    q.cursor.offset = 5;
    assert_int_equal(list_members(tx, &q, nums), 3);
    assert_int_equal(nums[0], 1);

    /* Offsets without a keyset position. */
    q.cursor.after_ms = 0;
    q.cursor.after_sid[0] = '\0';
    q.cursor.offset = 1;
    q.cursor.limit = 2;
    assert_int_equal(list_members(tx, &q, nums), 2);
    assert_int_equal(nums[0], 1);
    assert_int_equal(nums[1], 2);
    q.cursor.offset = 4;
    assert_int_equal(list_members(tx, &q, nums), 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
membership_fetch_delete_and_count(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_member got;
    enum gh_role role;
    struct gh_tx *tx;
    int64_t n = -1;

    seed_members(st);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->membership_fetch(tx, U3, M1, &got), GH_OK);
    assert_member(&got, 3, M1, GH_ROLE_SUPPORT, 300, 350);
    assert_gh(GH_ST(tx)->membership_fetch(tx, U1, A2, &got), GH_OK);
    assert_member(&got, 1, A2, GH_ROLE_SUPPORT, 60, 60);
    memset(&got, 'x', sizeof(got));
    assert_gh(GH_ST(tx)->membership_fetch(tx, U4, M1, &got), GH_E_NOT_FOUND);
    assert_string_equal(got.user_sid, "");
    assert_string_equal(got.email, "");
    assert_gh(GH_ST(tx)->membership_fetch(tx, U1, A3, &got), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_fetch(tx, U9, M1, &got), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_count(tx, M1, &n), GH_OK);
    assert_int_equal(n, 4);
    assert_gh(GH_ST(tx)->membership_count(tx, A2, &n), GH_OK);
    assert_int_equal(n, 2);
    n = -1;
    assert_gh(GH_ST(tx)->membership_count(tx, A3, &n), GH_OK);
    assert_int_equal(n, 0);
    n = -1;
    assert_gh(GH_ST(tx)->membership_count(tx, "AC00000000000000000000000000000099", &n), GH_OK);
    assert_int_equal(n, 0);
    GH_ST(tx)->rollback(tx);

    /* Deleting one membership leaves the user's others, and the account's. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->membership_delete(tx, U1, M1), GH_OK);
    assert_gh(GH_ST(tx)->membership_fetch(tx, U1, M1, &got), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_delete(tx, U1, M1), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_delete(tx, U4, M1), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_delete(tx, U9, M1), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_delete(tx, U1, "AC00000000000000000000000000000099"),
              GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->membership_fetch(tx, U1, M1, &got), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->membership_get(tx, U1, M1, &role), GH_E_NOT_FOUND);
    assert_role(tx, U1, A2, GH_ROLE_SUPPORT);
    assert_role(tx, U2, M1, GH_ROLE_DEVELOPER);
    assert_gh(GH_ST(tx)->membership_count(tx, M1, &n), GH_OK);
    assert_int_equal(n, 3);
    assert_gh(GH_ST(tx)->membership_count(tx, A2, &n), GH_OK);
    assert_int_equal(n, 2);
    GH_ST(tx)->rollback(tx);

    /* Deleted in a transaction that rolls back: still there. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->membership_delete(tx, U2, M1), GH_OK);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_READ);
    assert_role(tx, U2, M1, GH_ROLE_DEVELOPER);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
assert_owner(struct gh_tx *tx, const char *account_sid, const char *want)
{
    char got[GH_SID_SIZE];

    memset(got, 'x', sizeof(got));
    if (want == NULL) {
        assert_gh(GH_ST(tx)->membership_owner(tx, account_sid, got), GH_E_NOT_FOUND);
        assert_string_equal(got, "");
        return;
    }
    assert_gh(GH_ST(tx)->membership_owner(tx, account_sid, got), GH_OK);
    assert_string_equal(got, want);
}

static void
membership_owner_is_the_oldest_owner(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_tx *tx;

    seed_members(st);
    tx = begin(st, GH_TX_READ);
    assert_owner(tx, M1, U5);
    assert_owner(tx, A2, NULL); /* members, but no owner */
    assert_owner(tx, A3, NULL); /* no members */
    assert_owner(tx, "AC00000000000000000000000000000099", NULL);
    GH_ST(tx)->rollback(tx);

    /*
     * Against the rules, several owners: the oldest membership (created_ms, then user SID)
     * wins, whenever its role became owner.  User 4 joined account 2 at 50, user 1 at 60.
     */
    tx = begin(st, GH_TX_WRITE);
    put_member(tx, U1, A2, GH_ROLE_OWNER, 500);
    assert_owner(tx, A2, U1);
    put_member(tx, U4, A2, GH_ROLE_OWNER, 600);
    assert_owner(tx, A2, U4);
    put_member(tx, U2, M1, GH_ROLE_OWNER, 700);
    put_member(tx, U1, M1, GH_ROLE_OWNER, 700); /* ties with user 2 at 200: the SID decides */
    assert_owner(tx, M1, U5);
    put_member(tx, U5, M1, GH_ROLE_ADMINISTRATOR, 800);
    assert_owner(tx, M1, U1);
    assert_gh(GH_ST(tx)->membership_delete(tx, U1, M1), GH_OK);
    assert_owner(tx, M1, U2);
    put_member(tx, U2, M1, GH_ROLE_DEVELOPER, 900);
    assert_owner(tx, M1, NULL);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_owner(tx, M1, NULL);
    assert_owner(tx, A2, U4);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static struct gh_ownership_offer
offer_row(const char *account_sid, const char *from, const char *to, int64_t created_ms)
{
    struct gh_ownership_offer o;

    memset(&o, 0, sizeof(o));
    snprintf(o.account_sid, sizeof(o.account_sid), "%s", account_sid);
    snprintf(o.from_user_sid, sizeof(o.from_user_sid), "%s", from);
    snprintf(o.to_user_sid, sizeof(o.to_user_sid), "%s", to);
    o.created_ms = created_ms;
    o.expires_ms = created_ms + 7 * 86400000LL;
    return o;
}

static void
assert_offer(struct gh_tx *tx, const struct gh_ownership_offer *want)
{
    struct gh_ownership_offer got;

    memset(&got, 'x', sizeof(got));
    assert_gh(GH_ST(tx)->ownership_offer_get(tx, want->account_sid, &got), GH_OK);
    assert_string_equal(got.account_sid, want->account_sid);
    assert_string_equal(got.from_user_sid, want->from_user_sid);
    assert_string_equal(got.to_user_sid, want->to_user_sid);
    assert_int_equal(got.created_ms, want->created_ms);
    assert_int_equal(got.expires_ms, want->expires_ms);
}

static void
assert_no_offer(struct gh_tx *tx, const char *account_sid)
{
    struct gh_ownership_offer got;

    memset(&got, 'x', sizeof(got));
    assert_gh(GH_ST(tx)->ownership_offer_get(tx, account_sid, &got), GH_E_NOT_FOUND);
    assert_string_equal(got.account_sid, "");
    assert_string_equal(got.to_user_sid, "");
    assert_int_equal(got.expires_ms, 0);
}

static void
ownership_offer_put_replace_get_delete(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_ownership_offer first = offer_row(M1, U1, U2, TEST_EPOCH_MS);
    struct gh_ownership_offer second = offer_row(M1, U1, U3, TEST_EPOCH_MS + 10);
    struct gh_ownership_offer other = offer_row(A2, U2, U1, 20);
    struct gh_ownership_offer bad;
    struct gh_tx *tx;

    seed_five_users(st);
    tx = begin(st, GH_TX_WRITE);
    assert_no_offer(tx, M1);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &first), GH_OK);
    assert_offer(tx, &first);
    /* One offer per account: a second put replaces it, every column. */
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &second), GH_OK);
    assert_offer(tx, &second);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &other), GH_OK);
    assert_offer(tx, &second);
    assert_offer(tx, &other);
    assert_no_offer(tx, A3);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_offer(tx, &second);
    assert_offer(tx, &other);
    assert_no_offer(tx, "AC00000000000000000000000000000099");
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->ownership_offer_delete(tx, M1), GH_OK);
    assert_no_offer(tx, M1);
    assert_gh(GH_ST(tx)->ownership_offer_delete(tx, M1), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->ownership_offer_delete(tx, A3), GH_E_NOT_FOUND);
    assert_offer(tx, &other);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_no_offer(tx, M1);
    assert_offer(tx, &other);
    GH_ST(tx)->rollback(tx);

    /* The account and both users must exist. */
    bad = offer_row("AC00000000000000000000000000000099", U1, U2, 30);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &bad), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    bad = offer_row(M1, U9, U2, 30);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &bad), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    bad = offer_row(M1, U1, U9, 30);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &bad), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_READ);
    assert_no_offer(tx, M1);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/*
 * Deletes a user with SQL of its own, behind the store's back: the interface deletes no users,
 * and what is checked is the schema's ON DELETE CASCADE, the same on every backend.  The one
 * place in this file that names a backend.
 */
static void
delete_user_directly(const char *target, const char *user_sid)
{
    static const char sql[] = "DELETE FROM users WHERE sid = $1";
    bool deleted = false;

    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0) {
        PGconn *pg = PQconnectdb(target);
        PGresult *res = NULL;

        if (PQstatus(pg) == CONNECTION_OK) {
            res = PQexecParams(pg, sql, 1, NULL, &user_sid, NULL, NULL, 0);
            deleted = PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdTuples(res), "1") == 0;
        }
        PQclear(res);
        PQfinish(pg);
    } else {
        sqlite3 *db = NULL;
        sqlite3_stmt *s = NULL;

        if (sqlite3_open(target, &db) == SQLITE_OK &&
            sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
            sqlite3_bind_text(s, 1, user_sid, -1, SQLITE_STATIC) == SQLITE_OK) {
            sqlite3_busy_timeout(db, 5000);
            deleted = sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(db) == 1;
        }
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    assert_true(deleted);
}

static void
ownership_offer_goes_with_either_user(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_ownership_offer to_u2 = offer_row(M1, U5, U2, 10);
    struct gh_ownership_offer from_u3 = offer_row(A2, U3, U1, 20);
    struct gh_ownership_offer stays = offer_row(A3, U1, U4, 30);
    struct gh_member got;
    struct gh_tx *tx;

    seed_members(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &to_u2), GH_OK);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &from_u3), GH_OK);
    assert_gh(GH_ST(tx)->ownership_offer_put(tx, &stays), GH_OK);
    commit(tx);
    close_store(st);

    /* The offered-to user goes: the offer goes, and so do the user's memberships. */
    delete_user_directly(target, U2);
    st = open_store(target);
    tx = begin(st, GH_TX_READ);
    assert_no_offer(tx, M1);
    assert_offer(tx, &from_u3);
    assert_offer(tx, &stays);
    assert_gh(GH_ST(tx)->membership_fetch(tx, U2, M1, &got), GH_E_NOT_FOUND);
    assert_role(tx, U5, M1, GH_ROLE_OWNER);
    GH_ST(tx)->rollback(tx);
    close_store(st);

    /* The offering user goes: so does that offer. */
    delete_user_directly(target, U3);
    st = open_store(target);
    tx = begin(st, GH_TX_READ);
    assert_no_offer(tx, A2);
    assert_offer(tx, &stays);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- sessions ---- */

static struct gh_session
session_row(unsigned n, const char *user_sid, int64_t created_ms)
{
    struct gh_session s;

    memset(&s, 0, sizeof(s));
    sid_of("SE", n, s.sid);
    snprintf(s.user_sid, sizeof(s.user_sid), "%s", user_sid);
    s.created_ms = created_ms;
    s.last_seen_ms = created_ms + 1;
    s.expires_ms = created_ms + 1000;
    s.idle_expires_ms = created_ms + 100;
    return s;
}

/* A digest derived from fill; byte 0 is 0 and byte 31 is 0xff, so it must be kept as binary. */
static void
digest_of(unsigned char fill, uint8_t out[32])
{
    for (size_t i = 0; i < 32; i++) {
        out[i] = (uint8_t)(fill + i * 7);
    }
    out[0] = 0;
    out[31] = 0xff;
}

static void
insert_session(struct gh_tx *tx, const struct gh_session *s, unsigned char fill)
{
    uint8_t digest[32];

    digest_of(fill, digest);
    assert_gh(GH_ST(tx)->session_insert(tx, s, fill, digest), GH_OK);
}

static void
assert_session_equal(const struct gh_session *got, const struct gh_session *want)
{
    assert_string_equal(got->sid, want->sid);
    assert_string_equal(got->user_sid, want->user_sid);
    assert_int_equal(got->created_ms, want->created_ms);
    assert_int_equal(got->last_seen_ms, want->last_seen_ms);
    assert_int_equal(got->expires_ms, want->expires_ms);
    assert_int_equal(got->idle_expires_ms, want->idle_expires_ms);
    assert_int_equal(got->status, want->status);
}

/* session_get of want->sid: the row, its key id and digest (inserted with fill). */
static void
assert_session(struct gh_tx *tx, const struct gh_session *want, unsigned char fill)
{
    struct gh_session got;
    uint8_t digest[32];
    uint8_t want_digest[32];
    uint32_t key_id = 0;

    assert_gh(GH_ST(tx)->session_get(tx, want->sid, &got, &key_id, digest), GH_OK);
    assert_session_equal(&got, want);
    assert_int_equal(key_id, fill);
    digest_of(fill, want_digest);
    assert_memory_equal(digest, want_digest, sizeof(digest));
}

static void
assert_session_absent(struct gh_tx *tx, const char *sid)
{
    static const uint8_t zero[32];
    struct gh_session got;
    uint8_t digest[32];
    uint32_t key_id = 7;

    memset(&got, 'x', sizeof(got));
    memset(digest, 'x', sizeof(digest));
    assert_gh(GH_ST(tx)->session_get(tx, sid, &got, &key_id, digest), GH_E_NOT_FOUND);
    assert_string_equal(got.sid, "");
    assert_int_equal(key_id, 0);
    assert_memory_equal(digest, zero, sizeof(digest));
}

static void
session_insert_and_get(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_session s1 = session_row(1, U1, TEST_EPOCH_MS);
    struct gh_session s2 = session_row(2, U2, INT64_MAX - 1000);
    struct gh_session orphan = session_row(3, U9, 1);
    uint8_t digest[32];
    struct gh_session got;
    uint32_t key_id;
    struct gh_tx *tx;

    seed_users(st);
    s2.expires_ms = INT64_MAX;
    tx = begin(st, GH_TX_WRITE);
    insert_session(tx, &s1, 0x11);
    digest_of(0x22, digest);
    assert_gh(GH_ST(tx)->session_insert(tx, &s2, UINT32_MAX, digest), GH_OK); /* widest key id */
    assert_session(tx, &s1, 0x11);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_session(tx, &s1, 0x11);
    assert_gh(GH_ST(tx)->session_get(tx, s2.sid, &got, &key_id, digest), GH_OK);
    assert_session_equal(&got, &s2);
    assert_int_equal(key_id, UINT32_MAX);
    assert_session_absent(tx, "SE00000000000000000000000000000099");
    assert_session_absent(tx, "");
    GH_ST(tx)->rollback(tx);

    /* A SID in use, and a session of an unknown user, are refused. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->session_insert(tx, &s1, 0x33, digest), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->session_insert(tx, &orphan, 0x33, digest), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_READ);
    assert_session(tx, &s1, 0x11); /* the first one stands */
    assert_session_absent(tx, orphan.sid);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
session_touch_and_delete(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_session s1 = session_row(1, U1, 1000);
    struct gh_session s2 = session_row(2, U1, 2000);
    struct gh_tx *tx;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    insert_session(tx, &s1, 1);
    insert_session(tx, &s2, 2);
    commit(tx);

    /* touch moves last_seen_ms and idle_expires_ms only. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->session_touch(tx, s1.sid, 5000, 5100), GH_OK);
    s1.last_seen_ms = 5000;
    s1.idle_expires_ms = 5100;
    assert_session(tx, &s1, 1);
    assert_session(tx, &s2, 2);
    assert_gh(GH_ST(tx)->session_touch(tx, "SE00000000000000000000000000000099", 1, 1),
              GH_E_NOT_FOUND);
    commit(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_session(tx, &s1, 1);
    assert_gh(GH_ST(tx)->session_delete(tx, s1.sid), GH_OK);
    assert_session_absent(tx, s1.sid);
    assert_gh(GH_ST(tx)->session_delete(tx, s1.sid), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->session_touch(tx, s1.sid, 6000, 6100), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->session_delete(tx, "SE00000000000000000000000000000099"), GH_E_NOT_FOUND);
    assert_session(tx, &s2, 2);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_session_absent(tx, s1.sid);
    assert_session(tx, &s2, 2);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* Lists user_sid's sessions (cap) and returns their numbers (the n of sid_of) in order. */
static size_t
list_sessions(struct gh_tx *tx, const char *user_sid, size_t cap, unsigned *nums)
{
    struct gh_session out[8];
    size_t n = 99;

    assert_true(cap <= GH_ARRAY_LEN(out));
    assert_gh(GH_ST(tx)->session_list(tx, user_sid, out, cap, &n), GH_OK);
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(out[i].user_sid, user_sid);
        nums[i] = (unsigned)strtoul(out[i].sid + 2, NULL, 16);
    }
    return n;
}

static void
session_delete_user_reports_how_many(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_session s4 = session_row(4, U2, 4000);
    unsigned nums[8];
    struct gh_tx *tx;
    int64_t n = -1;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    for (unsigned i = 1; i <= 3; i++) {
        struct gh_session s = session_row(i, U1, 1000 * i);

        insert_session(tx, &s, (unsigned char)i);
    }
    insert_session(tx, &s4, 4);
    commit(tx);

    /* Sign out everywhere else: all of U1's sessions but SE..2. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->session_delete_user(tx, U1, "SE00000000000000000000000000000002", &n),
              GH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list_sessions(tx, U1, 8, nums), 1);
    assert_int_equal(nums[0], 2);
    n = -1;
    assert_gh(GH_ST(tx)->session_delete_user(tx, U1, "SE00000000000000000000000000000002", &n),
              GH_OK);
    assert_int_equal(n, 0); /* nothing else left: not an error */
    commit(tx);

    tx = begin(st, GH_TX_WRITE);
    /* Keeping another user's session keeps nothing of this user's, and leaves that one alone. */
    assert_gh(GH_ST(tx)->session_delete_user(tx, U1, s4.sid, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list_sessions(tx, U1, 8, nums), 0);
    assert_session(tx, &s4, 4);
    /* NULL: every session. */
    assert_gh(GH_ST(tx)->session_delete_user(tx, U2, NULL, &n), GH_OK);
    assert_int_equal(n, 1);
    n = -1;
    assert_gh(GH_ST(tx)->session_delete_user(tx, U9, NULL, &n), GH_OK);
    assert_int_equal(n, 0);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_int_equal(list_sessions(tx, U1, 8, nums), 0);
    assert_int_equal(list_sessions(tx, U2, 8, nums), 0);
    assert_session_absent(tx, s4.sid);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
session_list_oldest_first(const char *target)
{
    /* Inserted out of order; 3 and 4 tie on created_ms, so the SID decides. */
    static const struct {
        unsigned n;
        int64_t created_ms;
    } rows[] = {{5, 300}, {4, 200}, {3, 200}, {1, 100}, {2, 400}};
    struct gh_store *st = open_store(target);
    struct gh_session s6 = session_row(6, U2, 50);
    struct gh_session want;
    struct gh_session out[8];
    unsigned nums[8];
    struct gh_tx *tx;
    size_t n = 99;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++) {
        struct gh_session s = session_row(rows[i].n, U1, rows[i].created_ms);

        insert_session(tx, &s, (unsigned char)rows[i].n);
    }
    insert_session(tx, &s6, 6);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->session_list(tx, U1, out, 8, &n), GH_OK);
    assert_int_equal(n, 5);
    want = session_row(1, U1, 100);
    assert_session_equal(&out[0], &want);
    want = session_row(3, U1, 200);
    assert_session_equal(&out[1], &want);
    want = session_row(4, U1, 200);
    assert_session_equal(&out[2], &want);
    want = session_row(5, U1, 300);
    assert_session_equal(&out[3], &want);
    want = session_row(2, U1, 400);
    assert_session_equal(&out[4], &want);
    /* At most cap: the oldest. */
    assert_int_equal(list_sessions(tx, U1, 2, nums), 2);
    assert_int_equal(nums[0], 1);
    assert_int_equal(nums[1], 3);
    assert_int_equal(list_sessions(tx, U1, 0, nums), 0);
    assert_int_equal(list_sessions(tx, U2, 8, nums), 1);
    assert_int_equal(nums[0], 6);
    assert_int_equal(list_sessions(tx, U9, 8, nums), 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- second factors and recovery codes ---- */

#define F1 "YF00000000000000000000000000000001"
#define F2 "YF00000000000000000000000000000002"
#define F3 "YF00000000000000000000000000000003"

static struct gh_factor
factor_row(const char *sid, const char *user, int64_t created_ms)
{
    struct gh_factor f;

    memset(&f, 0, sizeof(f));
    snprintf(f.sid, sizeof(f.sid), "%s", sid);
    snprintf(f.user_sid, sizeof(f.user_sid), "%s", user);
    f.status = GH_FACTOR_UNVERIFIED;
    f.alg = 2; /* SHA512 */
    f.digits = 8;
    f.period_s = 30;
    f.last_step = -1;
    f.created_ms = f.updated_ms = created_ms;
    f.expires_ms = created_ms + 600000;
    return f;
}

static void
assert_factor_equal(const struct gh_factor *got, const struct gh_factor *want)
{
    assert_string_equal(got->sid, want->sid);
    assert_string_equal(got->user_sid, want->user_sid);
    assert_int_equal(got->status, want->status);
    assert_int_equal(got->alg, want->alg);
    assert_int_equal(got->digits, want->digits);
    assert_int_equal(got->period_s, want->period_s);
    assert_int_equal(got->last_step, want->last_step);
    assert_int_equal(got->created_ms, want->created_ms);
    assert_int_equal(got->updated_ms, want->updated_ms);
    assert_int_equal(got->expires_ms, want->expires_ms);
}

static void
factor_insert_get_list_and_delete(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_factor f1 = factor_row(F1, U1, 1000);
    struct gh_factor f2 = factor_row(F2, U1, 2000);
    struct gh_factor f3 = factor_row(F3, U2, 1500);
    struct gh_sealed secret = sealed_row(GH_SEALED_FACTOR, F1, GH_SLOT_PRIMARY, 7, 0x33, 1000);
    struct gh_sealed got_secret;
    struct gh_factor got;
    struct gh_factor list[4];
    size_t n = 0;
    struct gh_tx *tx;

    seed_users(st);
    f2.alg = 0;
    f2.digits = 6;
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->factor_insert(tx, &f1, &secret), GH_OK);
    assert_gh(GH_ST(tx)->factor_insert(tx, &f2, &secret), GH_OK);
    assert_gh(GH_ST(tx)->factor_insert(tx, &f3, &secret), GH_OK);
    commit(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->factor_insert(tx, &f1, &secret), GH_E_CONFLICT);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->factor_get(tx, F1, &got, &got_secret), GH_OK);
    assert_factor_equal(&got, &f1);
    assert_int_equal(got_secret.kind, GH_SEALED_FACTOR);
    assert_string_equal(got_secret.owner, F1);
    assert_int_equal(got_secret.key_id, 7);
    assert_int_equal(got_secret.ct_len, secret.ct_len);
    assert_memory_equal(got_secret.ct, secret.ct, secret.ct_len);
    assert_memory_equal(got_secret.lookup, secret.lookup, sizeof(secret.lookup));
    assert_gh(GH_ST(tx)->factor_get(tx, F2, &got, NULL), GH_OK);
    assert_factor_equal(&got, &f2);
    assert_gh(GH_ST(tx)->factor_get(tx, "YF00000000000000000000000000000009", &got, NULL),
              GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->factor_list(tx, U1, list, 4, &n), GH_OK);
    assert_int_equal(n, 2);
    assert_factor_equal(&list[0], &f1);
    assert_factor_equal(&list[1], &f2);
    assert_gh(GH_ST(tx)->factor_list(tx, U1, list, 1, &n), GH_OK);
    assert_int_equal(n, 1);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->factor_delete(tx, F2), GH_OK);
    assert_gh(GH_ST(tx)->factor_delete(tx, F2), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->factor_list(tx, U1, list, 4, &n), GH_OK);
    assert_int_equal(n, 1);
    commit(tx);
    close_store(st);
}

static void
factor_verify_advance_and_sweep(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_factor f1 = factor_row(F1, U1, 1000);
    struct gh_factor f2 = factor_row(F2, U1, 2000);
    struct gh_sealed secret = sealed_row(GH_SEALED_FACTOR, F1, GH_SLOT_PRIMARY, 1, 0x44, 1000);
    struct gh_factor got;
    bool advanced = true;
    int64_t n = -1;
    struct gh_tx *tx;

    seed_users(st);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->factor_insert(tx, &f1, &secret), GH_OK);
    assert_gh(GH_ST(tx)->factor_insert(tx, &f2, &secret), GH_OK);
    /* The first code verifies the factor, once. */
    assert_gh(GH_ST(tx)->factor_verify(tx, F1, 100, 5000), GH_OK);
    assert_gh(GH_ST(tx)->factor_verify(tx, F1, 101, 6000), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->factor_get(tx, F1, &got, NULL), GH_OK);
    assert_int_equal(got.status, GH_FACTOR_VERIFIED);
    assert_int_equal(got.last_step, 100);
    assert_int_equal(got.expires_ms, 0);
    assert_int_equal(got.updated_ms, 5000);
    /* The replay guard: only a later step moves it. */
    assert_gh(GH_ST(tx)->factor_advance(tx, F1, 100, 7000, &advanced), GH_OK);
    assert_false(advanced);
    assert_gh(GH_ST(tx)->factor_advance(tx, F1, 99, 7000, &advanced), GH_OK);
    assert_false(advanced);
    assert_gh(GH_ST(tx)->factor_advance(tx, F1, 101, 7000, &advanced), GH_OK);
    assert_true(advanced);
    assert_gh(
        GH_ST(tx)->factor_advance(tx, "YF00000000000000000000000000000009", 5, 7000, &advanced),
        GH_OK);
    assert_false(advanced);
    /* Sweeping removes lapsed unverified factors only. */
    assert_gh(GH_ST(tx)->factor_sweep(tx, U1, f2.expires_ms - 1, &n), GH_OK);
    assert_int_equal(n, 0);
    assert_gh(GH_ST(tx)->factor_sweep(tx, U1, f2.expires_ms, &n), GH_OK);
    assert_int_equal(n, 1);
    assert_gh(GH_ST(tx)->factor_get(tx, F2, &got, NULL), GH_E_NOT_FOUND);
    assert_gh(GH_ST(tx)->factor_get(tx, F1, &got, NULL), GH_OK);
    assert_int_equal(got.last_step, 101);
    commit(tx);

    /* A master-key rotation reaches factor secrets too: visited, and resealed in place. */
    struct visit v = {0};
    struct gh_sealed resealed;

    v.reseal = true;
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->sealed_each(tx, GH_SEALED_FACTOR, visit_row, &v), GH_OK);
    assert_int_equal(v.n, 1);
    assert_string_equal(v.rows[0].owner, F1);
    assert_int_equal(v.rows[0].key_id, 1);
    assert_gh(GH_ST(tx)->factor_get(tx, F1, &got, &resealed), GH_OK);
    assert_int_equal(resealed.key_id, 11);
    assert_int_equal(resealed.ct[0], (uint8_t)(0x44 + 0x80));
    assert_int_equal(got.last_step, 101); /* nothing else changes */
    commit(tx);
    close_store(st);
}

static void
recovery_replace_use_and_count(const char *target)
{
    struct gh_store *st = open_store(target);
    uint8_t digests[3][32];
    uint8_t other[1][32];
    bool used = true;
    int64_t left = -1;
    struct gh_tx *tx;

    seed_users(st);
    for (int i = 0; i < 3; i++) {
        memset(digests[i], 0x10 + i, 32);
    }
    memset(other[0], 0x77, 32);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->recovery_left(tx, U1, &left), GH_OK);
    assert_int_equal(left, 0);
    assert_gh(GH_ST(tx)->recovery_replace(tx, U1, (const uint8_t(*)[32])digests, 3, 1000), GH_OK);
    assert_gh(GH_ST(tx)->recovery_replace(tx, U2, (const uint8_t(*)[32])digests, 1, 1000), GH_OK);
    assert_gh(GH_ST(tx)->recovery_left(tx, U1, &left), GH_OK);
    assert_int_equal(left, 3);
    /* Single use; another user's code is not this user's. */
    assert_gh(GH_ST(tx)->recovery_use(tx, U1, digests[1], 2000, &used), GH_OK);
    assert_true(used);
    assert_gh(GH_ST(tx)->recovery_use(tx, U1, digests[1], 3000, &used), GH_OK);
    assert_false(used);
    assert_gh(GH_ST(tx)->recovery_use(tx, U1, other[0], 3000, &used), GH_OK);
    assert_false(used);
    assert_gh(GH_ST(tx)->recovery_left(tx, U1, &left), GH_OK);
    assert_int_equal(left, 2);
    assert_gh(GH_ST(tx)->recovery_left(tx, U2, &left), GH_OK);
    assert_int_equal(left, 1);
    commit(tx);
    /* Regenerating replaces the set: the old codes are gone. */
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->recovery_replace(tx, U1, (const uint8_t(*)[32])other, 1, 4000), GH_OK);
    assert_gh(GH_ST(tx)->recovery_use(tx, U1, digests[0], 5000, &used), GH_OK);
    assert_false(used);
    assert_gh(GH_ST(tx)->recovery_left(tx, U1, &left), GH_OK);
    assert_int_equal(left, 1);
    commit(tx);
    close_store(st);
}

static void
session_status_round_trips_and_changes(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_session pending = session_row(1, U1, 1000);
    struct gh_session enrol = session_row(2, U1, 2000);
    uint8_t digest[32];
    uint32_t key_id = 0;
    struct gh_session got;
    struct gh_tx *tx;

    seed_users(st);
    pending.status = GH_SESSION_PENDING_MFA;
    enrol.status = GH_SESSION_ENROL_ONLY;
    tx = begin(st, GH_TX_WRITE);
    insert_session(tx, &pending, 0x31);
    insert_session(tx, &enrol, 0x32);
    assert_session(tx, &pending, 0x31);
    assert_session(tx, &enrol, 0x32);
    /* Completing the second factor: active, with new expiries. */
    assert_gh(GH_ST(tx)->session_set_status(tx, pending.sid, GH_SESSION_ACTIVE, 90000, 9000),
              GH_OK);
    assert_gh(GH_ST(tx)->session_get(tx, pending.sid, &got, &key_id, digest), GH_OK);
    assert_int_equal(got.status, GH_SESSION_ACTIVE);
    assert_int_equal(got.expires_ms, 90000);
    assert_int_equal(got.idle_expires_ms, 9000);
    assert_gh(GH_ST(tx)->session_set_status(tx, "SE00000000000000000000000000000099",
                                            GH_SESSION_ACTIVE, 1, 1),
              GH_E_NOT_FOUND);
    commit(tx);
    close_store(st);
}

/* ---- revoked access tokens and token settings ---- */

static void
revoked_put_get_and_sweep(const char *target)
{
    struct gh_store *st = open_store(target);
    const char *jti = "SKfedcba9876543210fedcba9876543210-1700000000";
    const char *other = "SKfedcba9876543210fedcba9876543210-1700000001";
    bool revoked = true;
    int64_t n = -1;
    struct gh_tx *tx;

    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->revoked_get(tx, jti, &revoked), GH_OK);
    assert_false(revoked);
    GH_ST(tx)->rollback(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->revoked_put(tx, jti, "AC0123456789abcdef0123456789abcdef", 5000), GH_OK);
    assert_gh(GH_ST(tx)->revoked_put(tx, other, "AC0123456789abcdef0123456789abcdef", 9000), GH_OK);
    /* A second revocation keeps the later expiry. */
    assert_gh(GH_ST(tx)->revoked_put(tx, jti, "AC0123456789abcdef0123456789abcdef", 1000), GH_OK);
    commit(tx);
    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->revoked_get(tx, jti, &revoked), GH_OK);
    assert_true(revoked);
    assert_gh(GH_ST(tx)->revoked_sweep(tx, 5000, &n), GH_OK);
    assert_int_equal(n, 0); /* expires_ms 5000 is not before 5000 */
    assert_gh(GH_ST(tx)->revoked_sweep(tx, 5001, &n), GH_OK);
    assert_int_equal(n, 1);
    commit(tx);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->revoked_get(tx, jti, &revoked), GH_OK);
    assert_false(revoked);
    assert_gh(GH_ST(tx)->revoked_get(tx, other, &revoked), GH_OK);
    assert_true(revoked);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

static void
setting_absent_put_and_replace(const char *target)
{
    struct gh_store *st = open_store(target);
    int64_t v = -1;
    struct gh_tx *tx;

    tx = begin(st, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->setting_get(tx, "SKfedcba9876543210fedcba9876543210", &v), GH_OK);
    assert_int_equal(v, 0);
    assert_gh(GH_ST(tx)->setting_put(tx, "SKfedcba9876543210fedcba9876543210", 5), GH_OK);
    assert_gh(GH_ST(tx)->setting_put(tx, "AC0123456789abcdef0123456789abcdef", 600), GH_OK);
    assert_gh(GH_ST(tx)->setting_put(tx, "SKfedcba9876543210fedcba9876543210", 7), GH_OK);
    commit(tx);
    tx = begin(st, GH_TX_READ);
    assert_gh(GH_ST(tx)->setting_get(tx, "SKfedcba9876543210fedcba9876543210", &v), GH_OK);
    assert_int_equal(v, 7);
    assert_gh(GH_ST(tx)->setting_get(tx, "AC0123456789abcdef0123456789abcdef", &v), GH_OK);
    assert_int_equal(v, 600);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- throttles ---- */

static void
assert_throttle(struct gh_tx *tx, const char *key, int64_t failures, int64_t window_start_ms,
                int64_t locked_until_ms)
{
    struct gh_throttle got;

    memset(&got, 0x55, sizeof(got));
    assert_gh(GH_ST(tx)->throttle_get(tx, key, &got), GH_OK);
    assert_int_equal(got.failures, failures);
    assert_int_equal(got.window_start_ms, window_start_ms);
    assert_int_equal(got.locked_until_ms, locked_until_ms);
}

static void
throttle_absent_then_put_then_get(const char *target)
{
    struct gh_store *st = open_store(target);
    struct gh_throttle t = {3, 1000, 0};
    char longest[GH_STORE_THROTTLE_KEY_MAX];
    struct gh_tx *tx;

    memcpy(longest, "user:", 5);
    memset(longest + 5, 'k', sizeof(longest) - 6);
    longest[sizeof(longest) - 1] = '\0';
    /* A key never seen has no failures: GH_OK and zeroes, in a read transaction too. */
    tx = begin(st, GH_TX_READ);
    assert_throttle(tx, "user:user1@example.com", 0, 0, 0);
    assert_throttle(tx, "", 0, 0, 0);
    GH_ST(tx)->rollback(tx);

    tx = begin(st, GH_TX_WRITE);
    assert_throttle(tx, "user:user1@example.com", 0, 0, 0);
    assert_gh(GH_ST(tx)->throttle_put(tx, "user:user1@example.com", &t), GH_OK);
    assert_throttle(tx, "user:user1@example.com", 3, 1000, 0);
    /* put again replaces the counter. */
    t = (struct gh_throttle){4, 1000, INT64_MAX};
    assert_gh(GH_ST(tx)->throttle_put(tx, "user:user1@example.com", &t), GH_OK);
    assert_throttle(tx, "user:user1@example.com", 4, 1000, INT64_MAX);
    t = (struct gh_throttle){1, 2000, 0};
    assert_gh(GH_ST(tx)->throttle_put(tx, "addr:198.51.100.7", &t), GH_OK);
    assert_gh(GH_ST(tx)->throttle_put(tx, longest, &t), GH_OK);
    commit(tx);

    tx = begin(st, GH_TX_READ);
    assert_throttle(tx, "user:user1@example.com", 4, 1000, INT64_MAX);
    assert_throttle(tx, "addr:198.51.100.7", 1, 2000, 0);
    assert_throttle(tx, longest, 1, 2000, 0);
    /* Keys match exactly. */
    assert_throttle(tx, "user:User1@example.com", 0, 0, 0);
    assert_throttle(tx, "addr:198.51.100.70", 0, 0, 0);
    assert_throttle(tx, "198.51.100.7", 0, 0, 0);
    GH_ST(tx)->rollback(tx);

    /* And a reset is a put of zeroes. */
    tx = begin(st, GH_TX_WRITE);
    t = (struct gh_throttle){0, 0, 0};
    assert_gh(GH_ST(tx)->throttle_put(tx, "user:user1@example.com", &t), GH_OK);
    commit(tx);
    tx = begin(st, GH_TX_READ);
    assert_throttle(tx, "user:user1@example.com", 0, 0, 0);
    assert_throttle(tx, "addr:198.51.100.7", 1, 2000, 0);
    GH_ST(tx)->rollback(tx);
    close_store(st);
}

/* ---- several handles on one store (other processes, other contexts) ---- */

/*
 * Whatever a handle may remember, a committed change made through another handle is seen by
 * the next transaction: a revoked key, a suspended account, a promoted token take effect at
 * once everywhere.
 */
static void
changes_are_seen_by_another_handle(const char *target)
{
    struct gh_store *a = open_store(target);
    struct gh_store *b = open_store(target);
    struct gh_key k = key_row(1, M1, GH_KEY_STANDARD, NULL, 10);
    struct gh_sealed p = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_PRIMARY, 1, 0x10, 1);
    struct gh_sealed s = sealed_row(GH_SEALED_AUTH_TOKEN, M1, GH_SLOT_SECONDARY, 1, 0x20, 2);
    struct gh_sealed rows[2];
    bool present[2];
    struct gh_account acct;
    struct gh_key got;
    struct gh_tx *tx;

    seed_family(a);
    tx = begin(a, GH_TX_WRITE);
    insert_key(tx, &k, 1);
    assert_gh(GH_ST(tx)->token_insert(tx, &p), GH_OK);
    assert_gh(GH_ST(tx)->token_insert(tx, &s), GH_OK);
    commit(tx);

    /* b reads everything (twice, so anything it keeps is warm). */
    for (int i = 0; i < 2; i++) {
        tx = begin(b, GH_TX_READ);
        assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
        assert_int_equal(acct.status, GH_ACCOUNT_ACTIVE);
        assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, NULL), GH_OK);
        gh_key_clear(&got);
        assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
        assert_true(present[GH_SLOT_PRIMARY] && present[GH_SLOT_SECONDARY]);
        GH_ST(tx)->rollback(tx);
    }

    /* a suspends, revokes, promotes. */
    tx = begin(a, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
    acct.status = GH_ACCOUNT_SUSPENDED;
    assert_gh(GH_ST(tx)->account_update(tx, &acct), GH_OK);
    assert_gh(GH_ST(tx)->key_delete(tx, k.sid), GH_OK);
    assert_gh(GH_ST(tx)->token_delete(tx, M1, GH_SLOT_PRIMARY), GH_OK);
    assert_gh(GH_ST(tx)->token_promote(tx, M1, 3), GH_OK);
    commit(tx);

    for (int i = 0; i < 2; i++) {
        tx = begin(b, GH_TX_READ);
        assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
        assert_int_equal(acct.status, GH_ACCOUNT_SUSPENDED);
        assert_gh(GH_ST(tx)->key_get(tx, k.sid, &got, NULL), GH_E_NOT_FOUND);
        assert_gh(GH_ST(tx)->token_get(tx, M1, rows, present), GH_OK);
        assert_true(present[GH_SLOT_PRIMARY]);
        assert_false(present[GH_SLOT_SECONDARY]);
        assert_memory_equal(rows[GH_SLOT_PRIMARY].ct, s.ct, s.ct_len); /* the old secondary */
        GH_ST(tx)->rollback(tx);
    }
    close_store(a);
    close_store(b);
}

/* A write that is still open is invisible to other handles, then visible once committed. */
static void
uncommitted_changes_stay_invisible(const char *target)
{
    struct gh_store *a = open_store(target);
    struct gh_store *b = open_store(target);
    struct gh_account acct;
    struct gh_tx *wtx;
    struct gh_tx *tx;

    seed_family(a);
    wtx = begin(a, GH_TX_WRITE);
    assert_gh(GH_ST(wtx)->account_get(wtx, A2, &acct), GH_OK);
    acct.status = GH_ACCOUNT_CLOSED;
    assert_gh(GH_ST(wtx)->account_update(wtx, &acct), GH_OK);

    tx = begin(b, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
    assert_int_equal(acct.status, GH_ACCOUNT_ACTIVE);
    GH_ST(tx)->rollback(tx);

    commit(wtx);
    tx = begin(b, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
    assert_int_equal(acct.status, GH_ACCOUNT_CLOSED);
    GH_ST(tx)->rollback(tx);
    close_store(a);
    close_store(b);
}

/* A rolled-back write changes nothing anywhere, and a read after it is still right. */
static void
rolled_back_changes_are_seen_nowhere(const char *target)
{
    struct gh_store *a = open_store(target);
    struct gh_store *b = open_store(target);
    struct gh_account acct;
    struct gh_tx *tx;

    seed_family(a);
    tx = begin(b, GH_TX_READ);
    assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
    GH_ST(tx)->rollback(tx);
    tx = begin(a, GH_TX_WRITE);
    acct.status = GH_ACCOUNT_SUSPENDED;
    assert_gh(GH_ST(tx)->account_update(tx, &acct), GH_OK);
    GH_ST(tx)->rollback(tx);
    for (int i = 0; i < 2; i++) {
        struct gh_store *st = i == 0 ? a : b;

        tx = begin(st, GH_TX_READ);
        assert_gh(GH_ST(tx)->account_get(tx, A2, &acct), GH_OK);
        assert_int_equal(acct.status, GH_ACCOUNT_ACTIVE);
        GH_ST(tx)->rollback(tx);
    }
    close_store(a);
    close_store(b);
}

/*
 * Sessions, throttles and roles hold across processes (docs/ARCHITECTURE.md): a session
 * deleted, a failure counted or a role changed through one handle is seen by the next
 * transaction of every other.
 */
static void
sessions_and_throttles_are_shared_between_handles(const char *target)
{
    struct gh_store *a = open_store(target);
    struct gh_store *b = open_store(target);
    struct gh_session s1 = session_row(1, U1, 1000);
    struct gh_throttle t = {5, 100, 9000};
    struct gh_user got;
    struct gh_user u1 = user_row(1, 1000);
    struct gh_tx *tx;

    seed_users(a);
    tx = begin(a, GH_TX_WRITE);
    insert_session(tx, &s1, 1);
    assert_gh(GH_ST(tx)->membership_put(tx, U1, M1, GH_ROLE_ADMINISTRATOR, 1), GH_OK);
    commit(tx);

    /* b reads everything (twice, so anything it keeps is warm). */
    for (int i = 0; i < 2; i++) {
        tx = begin(b, GH_TX_READ);
        assert_session(tx, &s1, 1);
        assert_throttle(tx, "user:user1@example.com", 0, 0, 0);
        assert_role(tx, U1, M1, GH_ROLE_ADMINISTRATOR);
        assert_gh(GH_ST(tx)->user_get(tx, U1, &got, NULL), GH_OK);
        assert_false(got.must_change);
        GH_ST(tx)->rollback(tx);
    }

    /* a signs the session out, counts a failure, demotes the user, forces a new passphrase. */
    tx = begin(a, GH_TX_WRITE);
    assert_gh(GH_ST(tx)->session_delete(tx, s1.sid), GH_OK);
    assert_gh(GH_ST(tx)->throttle_put(tx, "user:user1@example.com", &t), GH_OK);
    assert_gh(GH_ST(tx)->membership_put(tx, U1, M1, GH_ROLE_SUPPORT, 2), GH_OK);
    u1.must_change = true;
    assert_gh(GH_ST(tx)->user_set_passphrase(tx, &u1, "$argon2id$reset"), GH_OK);
    commit(tx);

    for (int i = 0; i < 2; i++) {
        tx = begin(b, GH_TX_READ);
        assert_session_absent(tx, s1.sid);
        assert_throttle(tx, "user:user1@example.com", 5, 100, 9000);
        assert_role(tx, U1, M1, GH_ROLE_SUPPORT);
        assert_gh(GH_ST(tx)->user_get(tx, U1, &got, NULL), GH_OK);
        assert_true(got.must_change);
        GH_ST(tx)->rollback(tx);
    }
    close_store(a);
    close_store(b);
}

/* ---- the table ---- */

#define CASE(fn)                                                                                   \
    {                                                                                              \
#fn, fn                                                                                    \
    }

const struct store_contract_case store_contract_cases[] = {
    CASE(migrate_is_idempotent),
    CASE(commit_persists_across_reopen),
    CASE(rollback_discards_writes),
    CASE(meta_get_and_put),
    CASE(account_round_trip),
    CASE(account_get_unknown_is_not_found),
    CASE(account_insert_duplicate_is_conflict),
    CASE(account_update_changes_name_status_time),
    CASE(account_list_scope_and_filters),
    CASE(account_list_keyset_paging),
    CASE(account_list_offset_paging),
    CASE(account_count_children),
    CASE(token_insert_and_get),
    CASE(token_get_absent_is_ok_and_empty),
    CASE(token_insert_conflicts),
    CASE(token_delete_by_slot),
    CASE(token_promote_moves_secondary),
    CASE(key_insert_and_get),
    CASE(key_get_unknown_and_conflicts),
    CASE(key_update_and_delete),
    CASE(key_list_separates_families),
    CASE(sealed_each_visits_every_row),
    CASE(sealed_update_reseals_in_place),
    CASE(sealed_each_stops_at_an_error),
    CASE(audit_last_of_empty_log),
    CASE(audit_insert_requires_the_next_seq),
    CASE(audit_each_in_order_from_a_seq),
    CASE(audit_list_is_one_account_newest_first),
    CASE(audit_list_pages_by_before_seq_and_limit),
    CASE(audit_account_round_trips),
    CASE(user_insert_and_get),
    CASE(user_get_unknown_is_not_found),
    CASE(user_insert_duplicate_is_conflict),
    CASE(user_set_passphrase_replaces_hash),
    CASE(passphrase_hash_over_the_cap_is_invalid),
    CASE(history_newest_first_and_trim),
    CASE(membership_put_inserts_then_updates),
    CASE(membership_list_pages_oldest_first),
    CASE(membership_fetch_delete_and_count),
    CASE(membership_owner_is_the_oldest_owner),
    CASE(ownership_offer_put_replace_get_delete),
    CASE(ownership_offer_goes_with_either_user),
    CASE(session_insert_and_get),
    CASE(session_touch_and_delete),
    CASE(session_delete_user_reports_how_many),
    CASE(session_list_oldest_first),
    CASE(throttle_absent_then_put_then_get),
    CASE(revoked_put_get_and_sweep),
    CASE(setting_absent_put_and_replace),
    CASE(session_status_round_trips_and_changes),
    CASE(factor_insert_get_list_and_delete),
    CASE(factor_verify_advance_and_sweep),
    CASE(recovery_replace_use_and_count),
    CASE(changes_are_seen_by_another_handle),
    CASE(uncommitted_changes_stay_invisible),
    CASE(rolled_back_changes_are_seen_nowhere),
    CASE(sessions_and_throttles_are_shared_between_handles),
};

const size_t store_contract_count = GH_ARRAY_LEN(store_contract_cases);
