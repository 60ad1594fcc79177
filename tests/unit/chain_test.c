/*
 * chain_test.c -- lib/crypto/chain.c: the audit log's hash chain.  Every field of an event, and
 * the previous hash, must change the hash; so must moving bytes from one field to the next.  The
 * account (0008) is hashed only when set, so an event without one hashes as before 0008.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include "crypto/chain.h"

#include "helpers.h"

static void
base_event(struct gh_audit_event *ev, uint8_t prev[GH_CHAIN_HASH_BYTES])
{
    memset(ev, 0, sizeof(*ev));
    ev->seq = 42;
    ev->time_ms = TEST_EPOCH_MS;
    snprintf(ev->actor, sizeof(ev->actor), "AC0123456789abcdef0123456789abcdef");
    snprintf(ev->action, sizeof(ev->action), "account.update");
    snprintf(ev->target, sizeof(ev->target), "AC00000000000000000000000000000001");
    snprintf(ev->remote_addr, sizeof(ev->remote_addr), "192.0.2.7");
    snprintf(ev->user_agent, sizeof(ev->user_agent), "twilio-node/5.0.0");
    snprintf(ev->outcome, sizeof(ev->outcome), "success");
    snprintf(ev->detail, sizeof(ev->detail), "status active -> suspended");
    for (int i = 0; i < GH_CHAIN_HASH_BYTES; i++) {
        prev[i] = (uint8_t)(i * 7 + 1);
    }
}

static void
hash_of(const uint8_t prev[GH_CHAIN_HASH_BYTES], const struct gh_audit_event *ev,
        uint8_t out[GH_CHAIN_HASH_BYTES])
{
    gh__audit_chain_hash(prev, ev, out);
}

static void
hash_is_deterministic(void **state)
{
    struct gh_audit_event ev;
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    uint8_t a[GH_CHAIN_HASH_BYTES];
    uint8_t b[GH_CHAIN_HASH_BYTES];

    (void)state;
    base_event(&ev, prev);
    hash_of(prev, &ev, a);
    hash_of(prev, &ev, b);
    assert_memory_equal(a, b, sizeof(a));
    /* The event's own hash field is output, not input. */
    memset(ev.hash, 0xAB, sizeof(ev.hash));
    hash_of(prev, &ev, b);
    assert_memory_equal(a, b, sizeof(a));
}

/* The fields a mutation may change, in the order mutate() knows them. */
static const char *const mutations[] = {
    "prev (last byte)",
    "prev (first byte)",
    "seq",
    "seq (high bit)",
    "time_ms",
    "actor",
    "action",
    "target",
    "remote_addr",
    "user_agent",
    "outcome",
    "detail",
    "detail (emptied)",
    "detail (shortened)",
    "account_sid (set)",
    "account_sid (set to another)",
};

static void
mutate(size_t which, struct gh_audit_event *ev, uint8_t prev[GH_CHAIN_HASH_BYTES])
{
    switch (which) {
    case 0:
        prev[31] ^= 1;
        break;
    case 1:
        prev[0] ^= 0x80;
        break;
    case 2:
        ev->seq++;
        break;
    case 3:
        ev->seq |= INT64_C(1) << 62;
        break;
    case 4:
        ev->time_ms++;
        break;
    case 5:
        ev->actor[33] = 'e';
        break;
    case 6:
        ev->action[0] = 'A';
        break;
    case 7:
        ev->target[2] = '1';
        break;
    case 8:
        ev->remote_addr[8] = '8';
        break;
    case 9:
        ev->user_agent[0] = 'T';
        break;
    case 10:
        snprintf(ev->outcome, sizeof(ev->outcome), "failure");
        break;
    case 11:
        ev->detail[7] = 'A';
        break;
    case 12:
        ev->detail[0] = '\0';
        break;
    case 13:
        ev->detail[strlen(ev->detail) - 1] = '\0';
        break;
    case 14:
        snprintf(ev->account_sid, sizeof(ev->account_sid), "AC00000000000000000000000000000001");
        break;
    default:
        snprintf(ev->account_sid, sizeof(ev->account_sid), "AC00000000000000000000000000000002");
        break;
    }
}

static void
hash_changes_when_any_field_changes(void **state)
{
    struct gh_audit_event ev;
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    uint8_t base[GH_CHAIN_HASH_BYTES];
    uint8_t seen[GH_ARRAY_LEN(mutations)][GH_CHAIN_HASH_BYTES];

    (void)state;
    base_event(&ev, prev);
    hash_of(prev, &ev, base);
    for (size_t i = 0; i < GH_ARRAY_LEN(mutations); i++) {
        base_event(&ev, prev);
        mutate(i, &ev, prev);
        hash_of(prev, &ev, seen[i]);
        if (memcmp(seen[i], base, sizeof(base)) == 0) {
            fail_msg("changing %s left the hash unchanged", mutations[i]);
        }
        for (size_t j = 0; j < i; j++) {
            assert_memory_not_equal(seen[i], seen[j], sizeof(base));
        }
    }
}

/* Length prefixes: ("ab", "c") and ("a", "bc") must not collide, for every adjacent pair. */
static void
hash_separates_adjacent_fields(void **state)
{
    struct gh_audit_event a;
    struct gh_audit_event b;
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    uint8_t ha[GH_CHAIN_HASH_BYTES];
    uint8_t hb[GH_CHAIN_HASH_BYTES];
    char *fields_a[] = {a.actor,      a.action,  a.target, a.remote_addr,
                        a.user_agent, a.outcome, a.detail, a.account_sid};
    char *fields_b[] = {b.actor,      b.action,  b.target, b.remote_addr,
                        b.user_agent, b.outcome, b.detail, b.account_sid};

    (void)state;
    for (size_t i = 0; i + 1 < GH_ARRAY_LEN(fields_a); i++) {
        base_event(&a, prev);
        base_event(&b, prev);
        for (size_t k = 0; k < GH_ARRAY_LEN(fields_a); k++) {
            fields_a[k][0] = '\0';
            fields_b[k][0] = '\0';
        }
        snprintf(fields_a[i], 3, "ab");
        snprintf(fields_a[i + 1], 2, "c");
        snprintf(fields_b[i], 2, "a");
        snprintf(fields_b[i + 1], 3, "bc");
        hash_of(prev, &a, ha);
        hash_of(prev, &b, hb);
        assert_memory_not_equal(ha, hb, sizeof(ha));
    }
}

/* Chaining: the same event after a different history hashes differently. */
static void
hash_depends_on_history(void **state)
{
    struct gh_audit_event first;
    struct gh_audit_event second;
    uint8_t zero[GH_CHAIN_HASH_BYTES] = {0};
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    uint8_t h1[GH_CHAIN_HASH_BYTES];
    uint8_t h2[GH_CHAIN_HASH_BYTES];
    uint8_t h2_other[GH_CHAIN_HASH_BYTES];

    (void)state;
    base_event(&first, prev);
    base_event(&second, prev);
    first.seq = 1;
    second.seq = 2;
    hash_of(zero, &first, h1);
    hash_of(h1, &second, h2);
    first.time_ms++;
    hash_of(zero, &first, h1);
    hash_of(h1, &second, h2_other);
    assert_memory_not_equal(h2, h2_other, sizeof(h2));
}

/*
 * The construction chain.h documents, rebuilt here: BLAKE2b-256 over a domain string, the
 * previous hash, seq and time as big-endian 64-bit values, then each text field as a big-endian
 * 64-bit length and its bytes, the account last and only when it is not empty.  Logs already
 * written depend on it never changing silently.
 */
static void
reference_put_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    }
    crypto_generichash_update(st, b, 8);
}

static void
reference_put_str(crypto_generichash_state *st, const char *s)
{
    reference_put_u64(st, strlen(s));
    crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
}

static void
reference_hash(const uint8_t prev[GH_CHAIN_HASH_BYTES], const struct gh_audit_event *ev,
               bool with_account, uint8_t expect[GH_CHAIN_HASH_BYTES])
{
    static const unsigned char domain[] = "gatehouse-audit-v1"; /* with its NUL */
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, GH_CHAIN_HASH_BYTES);
    crypto_generichash_update(&st, domain, sizeof(domain));
    crypto_generichash_update(&st, prev, GH_CHAIN_HASH_BYTES);
    reference_put_u64(&st, (uint64_t)ev->seq);
    reference_put_u64(&st, (uint64_t)ev->time_ms);
    reference_put_str(&st, ev->actor);
    reference_put_str(&st, ev->action);
    reference_put_str(&st, ev->target);
    reference_put_str(&st, ev->remote_addr);
    reference_put_str(&st, ev->user_agent);
    reference_put_str(&st, ev->outcome);
    reference_put_str(&st, ev->detail);
    if (with_account) {
        reference_put_str(&st, ev->account_sid);
    }
    crypto_generichash_final(&st, expect, GH_CHAIN_HASH_BYTES);
}

/* An event without an account hashes exactly as every event did before 0008. */
static void
hash_matches_the_documented_construction(void **state)
{
    static const unsigned char domain[] = "gatehouse-audit-v1"; /* with its NUL */
    struct gh_audit_event ev;
    crypto_generichash_state st;
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    uint8_t expect[GH_CHAIN_HASH_BYTES];
    uint8_t got[GH_CHAIN_HASH_BYTES];

    (void)state;
    base_event(&ev, prev);
    assert_string_equal(ev.account_sid, "");
    crypto_generichash_init(&st, NULL, 0, sizeof(expect));
    crypto_generichash_update(&st, domain, sizeof(domain));
    crypto_generichash_update(&st, prev, sizeof(prev));
    reference_put_u64(&st, (uint64_t)ev.seq);
    reference_put_u64(&st, (uint64_t)ev.time_ms);
    reference_put_str(&st, ev.actor);
    reference_put_str(&st, ev.action);
    reference_put_str(&st, ev.target);
    reference_put_str(&st, ev.remote_addr);
    reference_put_str(&st, ev.user_agent);
    reference_put_str(&st, ev.outcome);
    reference_put_str(&st, ev.detail);
    crypto_generichash_final(&st, expect, sizeof(expect));
    hash_of(prev, &ev, got);
    assert_memory_equal(got, expect, sizeof(got));
}

/*
 * The account is hashed after detail when set, and not at all when empty: the same event with
 * and without it hashes differently, and each matches its reference.
 */
static void
hash_covers_the_account_only_when_set(void **state)
{
    struct gh_audit_event ev;
    uint8_t prev[GH_CHAIN_HASH_BYTES];
    uint8_t without[GH_CHAIN_HASH_BYTES];
    uint8_t with[GH_CHAIN_HASH_BYTES];
    uint8_t expect[GH_CHAIN_HASH_BYTES];

    (void)state;
    base_event(&ev, prev);
    hash_of(prev, &ev, without);
    reference_hash(prev, &ev, false, expect);
    assert_memory_equal(without, expect, sizeof(expect));

    snprintf(ev.account_sid, sizeof(ev.account_sid), "AC00000000000000000000000000000001");
    hash_of(prev, &ev, with);
    reference_hash(prev, &ev, true, expect);
    assert_memory_equal(with, expect, sizeof(expect));
    assert_memory_not_equal(with, without, sizeof(with));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_is_deterministic),
        cmocka_unit_test(hash_changes_when_any_field_changes),
        cmocka_unit_test(hash_separates_adjacent_fields),
        cmocka_unit_test(hash_depends_on_history),
        cmocka_unit_test(hash_matches_the_documented_construction),
        cmocka_unit_test(hash_covers_the_account_only_when_set),
    };

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("chain", tests, NULL, NULL);
}
