/*
 * chain.c -- BLAKE2b hash chain over audit events (unkeyed, so anyone holding the log can verify).
 *
 * The account an event concerns (account_sid, added by 0008_audit_account.sql) is hashed after
 * detail only when it is not empty: events written before 0008 read back with account "" and
 * keep the hashes they were written with, so existing logs still verify.  The encoding stays
 * unambiguous: every field before it is length-prefixed, so the bytes of an event with an account
 * never equal those of one without (they carry the account's prefix and bytes after detail).
 */
#include <sodium.h>

#include "crypto/chain.h"

static void
put_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    }
    crypto_generichash_update(st, b, sizeof(b));
}

static void
put_str(crypto_generichash_state *st, const char *s)
{
    size_t len = strlen(s);

    put_u64(st, len);
    crypto_generichash_update(st, (const unsigned char *)s, len);
}

void
gh__audit_chain_hash(const uint8_t prev[GH_CHAIN_HASH_BYTES], const struct gh_audit_event *ev,
                     uint8_t out[GH_CHAIN_HASH_BYTES])
{
    static const unsigned char domain[] = "gatehouse-audit-v1";
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, GH_CHAIN_HASH_BYTES);
    crypto_generichash_update(&st, domain, sizeof(domain));
    crypto_generichash_update(&st, prev, GH_CHAIN_HASH_BYTES);
    put_u64(&st, (uint64_t)ev->seq);
    put_u64(&st, (uint64_t)ev->time_ms);
    put_str(&st, ev->actor);
    put_str(&st, ev->action);
    put_str(&st, ev->target);
    put_str(&st, ev->remote_addr);
    put_str(&st, ev->user_agent);
    put_str(&st, ev->outcome);
    put_str(&st, ev->detail);
    if (ev->account_sid[0] != '\0') {
        put_str(&st, ev->account_sid); /* only when set: pre-0008 events keep their hashes */
    }
    crypto_generichash_final(&st, out, GH_CHAIN_HASH_BYTES);
}
