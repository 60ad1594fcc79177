/*
 * fuzz_keyring_text.c -- gh__keyring_load_text, the parser of $GATEHOUSE_MASTER_KEY
 * ("ID:BASE64[,ID:BASE64...]", each a 32-byte key).
 *
 * On success the text has the documented form, and the ring holds a key with a non-zero newest
 * id that seals and opens a secret and matches its own check value; on failure no ring is
 * returned.
 */
#include "fuzz.h"
#include "crypto/keyring.h"

static int
base64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

/*
 * What was accepted has the documented form: "ID:BASE64" entries, ID decimal digits, separated
 * by single commas.  (This target found that an ID could start with whitespace or '+', which
 * strtoul skips, and that libsodium 1.0.18 reads bytes 0x80..0xFF as '/'; both are refused now
 * and the reproducers are in the corpus.)
 */
static void
check_format(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;

    for (;;) {
        size_t digits = 0;
        size_t b64 = 0;

        for (; *p >= '0' && *p <= '9'; p++) {
            digits++;
        }
        FUZZ_CHECK(digits > 0 && *p == ':');
        for (p++; *p != ',' && *p != '\0'; p++) {
            FUZZ_CHECK(base64_char(*p));
            b64++;
        }
        FUZZ_CHECK(b64 > 0);
        if (*p == '\0') {
            return;
        }
        p++;
    }
}

static void
check_ring(const struct gh_keyring *kr)
{
    static const char sid[] = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static const char secret[] = "fuzz-secret";
    uint8_t sealed[GH_SEALED_MAX];
    char opened[GH_SEALED_PLAIN_MAX];
    char check[GH_KEY_CHECK_SIZE];
    size_t sealed_len = 0;
    size_t opened_len = 0;
    uint32_t id = gh__keyring_newest(kr);
    uint32_t matched = 0;

    FUZZ_CHECK(id != 0 && gh__keyring_has(kr, id) && !gh__keyring_has(kr, 0));
    FUZZ_CHECK(gh__keyring_seal(kr, id, sid, secret, sizeof(secret), sealed, sizeof(sealed),
                                &sealed_len) == GH_OK);
    FUZZ_CHECK(gh__keyring_open(kr, id, sid, sealed, sealed_len, opened, sizeof(opened),
                                &opened_len) == GH_OK);
    FUZZ_CHECK(opened_len == sizeof(secret) && memcmp(opened, secret, sizeof(secret)) == 0);
    FUZZ_CHECK(gh__keyring_check_value(kr, id, check) == GH_OK);
    FUZZ_CHECK(gh__keyring_check_match(kr, check, &matched) == GH_OK && matched == id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char unset;
    char *text = fuzz_text(data, size);
    struct gh_keyring *kr = (void *)&unset; /* must be overwritten: NULL unless GH_OK */
    gh_err rc;

    fuzz_library_init();
    rc = gh__keyring_load_text(text, &kr);
    FUZZ_CHECK(rc == GH_OK || rc == GH_E_KEYFILE || rc == GH_E_NOMEM);
    if (rc == GH_OK) {
        FUZZ_CHECK(kr != NULL);
        check_format(text);
        check_ring(kr);
    } else {
        FUZZ_CHECK(kr == NULL);
    }
    gh__keyring_free(kr);
    free(text);
    return 0;
}
