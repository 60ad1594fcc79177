/*
 * b64.h -- the strict base64 alphabet check that libsodium 1.0.18 lacks: its decoder reads
 * every byte 0x80..0xFF as '/' (a signed-char comparison), so text that is not base64 decodes.
 * Found by tests/fuzz (basic_auth, keyring_text).
 */
#ifndef GATEHOUSE_B64_H
#define GATEHOUSE_B64_H

#include "internal.h"

/*
 * True when every byte of s is in the standard base64 alphabet or '='.  Runs in time that
 * depends only on len (the text may be a secret: a Basic credential, a master key).
 */
bool gh__b64_alphabet_ok(const char *s, size_t len);

#endif
