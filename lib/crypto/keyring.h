/*
 * keyring.h -- the master keys: sealing secrets (XChaCha20-Poly1305, the owner's SID as
 * associated data) and keyed lookup digests (BLAKE2b).  Several keys can be loaded at once, so
 * rows sealed under an older key stay readable while the master key is rotated.
 */
#ifndef GATEHOUSE_KEYRING_H
#define GATEHOUSE_KEYRING_H

#include "internal.h"

#define GH_MASTER_KEY_BYTES 32
#define GH_KEYRING_MAX_KEYS 8
#define GH_LOOKUP_BYTES     32
/* nonce (24) + tag (16) */
#define GH_SEALED_OVERHEAD  40
/* Longest secret we seal. */
#define GH_SEALED_PLAIN_MAX 64
#define GH_SEALED_MAX       (GH_SEALED_OVERHEAD + GH_SEALED_PLAIN_MAX)
#define GH_KEY_CHECK_SIZE   80

struct gh_keyring;

/* Creates path (O_EXCL, 0600) holding one new random key with id 1. */
GH_MUST_CHECK gh_err gh__keyring_file_create(const char *path);
/* Loads every key of path; refuses a file readable by group or others. */
GH_MUST_CHECK gh_err gh__keyring_load(const char *path, struct gh_keyring **out);
/*
 * Loads keys given as text, the form of $GATEHOUSE_MASTER_KEY: "ID:BASE64" entries separated by
 * commas (e.g. "1:q83v..."), each a 32-byte key.  `gatehouse master-key export` prints it.
 */
GH_MUST_CHECK gh_err gh__keyring_load_text(const char *text, struct gh_keyring **out);
/* The text form of path's keys (for an environment variable); wipe it after use. */
GH_MUST_CHECK gh_err gh__keyring_file_export(const char *path, char *out, size_t cap);
void gh__keyring_free(struct gh_keyring *kr);
/* Appends a new random key to path (atomically: temporary file, fsync, rename). */
GH_MUST_CHECK gh_err gh__keyring_file_add(const char *path, uint32_t *new_id);
/* Rewrites path keeping only key id. */
GH_MUST_CHECK gh_err gh__keyring_file_retain(const char *path, uint32_t id);

bool gh__keyring_has(const struct gh_keyring *kr, uint32_t id);
/* The newest key (highest id) in the ring. */
uint32_t gh__keyring_newest(const struct gh_keyring *kr);

/* Seals pt under key id with ad (a SID) as associated data: nonce || ciphertext || tag. */
GH_MUST_CHECK gh_err gh__keyring_seal(const struct gh_keyring *kr, uint32_t id, const char *ad,
                                      const void *pt, size_t pt_len, uint8_t *out, size_t cap,
                                      size_t *out_len);
/* Opens a sealed value; GH_E_CRYPTO when it does not authenticate. */
GH_MUST_CHECK gh_err gh__keyring_open(const struct gh_keyring *kr, uint32_t id, const char *ad,
                                      const uint8_t *ct, size_t ct_len, void *pt, size_t cap,
                                      size_t *pt_len);
/* Keyed digest of (sid, secret) under key id, for finding and comparing without decrypting. */
GH_MUST_CHECK gh_err gh__keyring_lookup(const struct gh_keyring *kr, uint32_t id, const char *sid,
                                        const void *secret, size_t len,
                                        uint8_t out[GH_LOOKUP_BYTES]);
/* How many lookup digests this process has computed (a test hook: equal work per attempt). */
unsigned long gh__keyring_lookup_count(void);
/* "<id>:<hex>": a value that identifies key id without revealing it (stored in the store). */
GH_MUST_CHECK gh_err gh__keyring_check_value(const struct gh_keyring *kr, uint32_t id,
                                             char out[GH_KEY_CHECK_SIZE]);
/* Parses a check value; GH_OK when its key is in the ring and matches, id receives its id. */
GH_MUST_CHECK gh_err gh__keyring_check_match(const struct gh_keyring *kr, const char *check,
                                             uint32_t *id);

#endif
