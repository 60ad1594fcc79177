/*
 * chain.h -- the audit log's hash chain: each event's hash covers the previous hash and every
 * field of the event, length-prefixed, so no field can be changed or events reordered unseen.
 * The account an event concerns is covered when it is set (events written before schema 0008
 * have none and keep their hashes).
 */
#ifndef GATEHOUSE_CHAIN_H
#define GATEHOUSE_CHAIN_H

#include "internal.h"

#define GH_CHAIN_HASH_BYTES 32

void gh__audit_chain_hash(const uint8_t prev[GH_CHAIN_HASH_BYTES], const struct gh_audit_event *ev,
                          uint8_t out[GH_CHAIN_HASH_BYTES]);

#endif
