/*
 * pwhash_pool.h -- the slots of a hasher's bounded pool.  gh_pwhash_hash and gh_pwhash_verify
 * take one for each Argon2id computation; they are non-static only so that tests can occupy
 * slots deterministically (no sleeps, no races).
 */
#ifndef GATEHOUSE_PWHASH_POOL_H
#define GATEHOUSE_PWHASH_POOL_H

#include "internal.h"

/* Takes a slot without ever waiting: GH_E_LIMIT when all max_concurrent are in use. */
GH_MUST_CHECK gh_err gh__pwhash_slot_take(struct gh_pwhasher *h);
/* Gives back a slot taken by gh__pwhash_slot_take. */
void gh__pwhash_slot_give(struct gh_pwhasher *h);

#endif
