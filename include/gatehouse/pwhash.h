/*
 * pwhash.h -- passphrase hashing: Argon2id through libsodium's crypto_pwhash_str, never below
 * OWASP's floor (m = 19 MiB, t = 2), with a bounded number of hashes running at once so a login
 * flood cannot exhaust memory, and a dummy hash so an unknown user costs what a known one does.
 *
 * Peak memory: at most max_concurrent computations run at once per hasher, each taking its
 * memory limit, so a hasher never holds more than max_concurrent x memlimit (a stored string
 * made before memlimit was lowered costs its own, larger, memory limit; see gh_pwhash_verify).
 * Every function here is thread-safe, and none ever waits for a slot.
 */
#ifndef GATEHOUSE_PWHASH_H
#define GATEHOUSE_PWHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

#define GH_PWHASH_STR_SIZE  128         /* crypto_pwhash_STRBYTES */
#define GH_PWHASH_MEM_FLOOR (19u << 20) /* bytes: OWASP's minimum */
#define GH_PWHASH_OPS_FLOOR 2

struct gh_pwhash_params {
    uint64_t opslimit;       /* 0: the default (libsodium INTERACTIVE, raised to the floor) */
    size_t memlimit;         /* bytes; 0: the default (INTERACTIVE: 64 MiB) */
    unsigned max_concurrent; /* hashes running at once; 0: one per online CPU */
};

struct gh_pwhasher;

/**
 * A hasher with these parameters (NULL: all defaults), raised to the floor when below it, never
 * used below it; memlimit is rounded down to whole KiB.  It prepares the dummy hash used for
 * unknown users (one Argon2id computation at these parameters).  GH_E_INVALID for parameters
 * above libsodium's maxima; GH_E_NOMEM when the dummy hash's memory cannot be had.
 */
GH_API GH_MUST_CHECK gh_err gh_pwhash_new(const struct gh_pwhash_params *params,
                                          struct gh_pwhasher **out);
/** Wipes and frees h (NULL is fine).  No computation may be running on h. */
GH_API void gh_pwhash_free(struct gh_pwhasher *h);
/** The parameters in effect (after the defaults and the floor). */
GH_API void gh_pwhash_params_of(const struct gh_pwhasher *h, struct gh_pwhash_params *out);

/**
 * Hashes a (normalised) passphrase of len bytes (any bytes, NUL included) into out (a
 * crypto_pwhash_str string; "" on failure).  GH_E_INVALID, without hashing, when len exceeds
 * GH_PASSPHRASE_MAX_BYTES; GH_E_LIMIT when max_concurrent hashes already run (answer 429 and
 * Retry-After); GH_E_NOMEM when memory for the hash cannot be had.
 */
GH_API GH_MUST_CHECK gh_err gh_pwhash_hash(struct gh_pwhasher *h, const char *pass, size_t len,
                                           char out[GH_PWHASH_STR_SIZE]);

/**
 * Verifies pass against stored (NULL: against the dummy hash, same cost, always GH_E_DENIED).
 * GH_OK on a match; GH_E_DENIED otherwise; GH_E_INVALID (without hashing) when len exceeds
 * GH_PASSPHRASE_MAX_BYTES; GH_E_LIMIT as above.  libsodium reports a failed Argon2 allocation as
 * a mismatch, so memory exhaustion during a verify is GH_E_DENIED (GH_E_NOMEM only for its small
 * buffers).
 *
 * Every call that gets past those checks costs exactly one Argon2id computation.  A stored string
 * that is not "$argon2id$v=19$m=..,t=..,p=..$..." (argon2i, bcrypt, garbage), that libsodium
 * cannot decode (truncated), or that would cost more than libsodium's SENSITIVE preset (1 GiB,
 * 4 passes) and more than h's own parameters, is not computed: the dummy hash is verified instead
 * and the answer is GH_E_DENIED, so a malformed string costs what an unknown user does.  A
 * well-formed string costs its own parameters (a corrupt tag: as a wrong passphrase does; a weak
 * legacy string: less than the dummy, until it is rehashed).  *rehash (may be NULL) is set on a
 * match when stored's parameters differ from h's (crypto_pwhash_str_needs_rehash: raised or
 * lowered), so the caller stores gh_pwhash_hash's new string.
 */
GH_API GH_MUST_CHECK gh_err gh_pwhash_verify(struct gh_pwhasher *h, const char *stored,
                                             const char *pass, size_t len, bool *rehash);

/**
 * Test hook: how many Argon2id computations this process has completed (hash, verify, calibrate,
 * the dummy hash of gh_pwhash_new).
 */
GH_API unsigned long gh_pwhash_count(void);

/**
 * Proposes parameters for this machine: the memory limit given (0: 64 MiB; raised to the floor),
 * and the largest opslimit (at least the floor) whose hash takes at most target_ms, measured
 * with CLOCK_MONOTONIC over at most 24 hashes (opslimit at most 4096).  ms receives the measured
 * time of the proposal: above target_ms when even the floor is slower than the target.
 * max_concurrent is left 0 (one per CPU).  GH_E_INVALID when target_ms is 0.
 */
GH_API GH_MUST_CHECK gh_err gh_pwhash_calibrate(unsigned target_ms, size_t memlimit,
                                                struct gh_pwhash_params *out, double *ms);

#endif
