/*
 * init.c -- library initialisation and the versions of the security libraries in use.
 */
#include <openssl/crypto.h>
#include <sodium.h>

#include "internal.h"

gh_err
gh_library_init(void)
{
    return sodium_init() < 0 ? GH_E_CRYPTO : GH_OK;
}

const char *
gh_library_versions(void)
{
    static char text[256];

    snprintf(text, sizeof(text), "libsodium %s\nopenssl %s\n", sodium_version_string(),
             OpenSSL_version(OPENSSL_VERSION_STRING));
    return text;
}
