/*
 * fuzz_webhook.c -- webhook signature checks (lib/crypto/webhook.c), which read a URL, form
 * parameters, a JSON body and an X-Twilio-Signature header from the request being validated:
 * the input is split at NUL bytes into a URL, a signature, a body and name/value pairs; every
 * call answers GH_OK (valid or not) or a refusal of its input, and a signature made by
 * gh_webhook_sign over the same input always validates.
 */
#include "fuzz.h"

#define PARAMS_MAX 16

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_webhook_param p[PARAMS_MAX];
    const char *part[3 + 2 * PARAMS_MAX];
    char sig[GH_WEBHOOK_SIG_SIZE];
    char *text = malloc(size + 1);
    size_t parts = 0;
    size_t n;
    bool valid = false;
    gh_err rc;

    fuzz_library_init();
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    part[parts++] = text;
    for (size_t i = 0; i < size && parts < sizeof(part) / sizeof(part[0]); i++) {
        if (text[i] == '\0') {
            part[parts++] = text + i + 1;
        }
    }
    while (parts < 3) {
        part[parts++] = "";
    }
    n = (parts - 3) / 2;
    for (size_t i = 0; i < n; i++) {
        p[i].name = part[3 + 2 * i];
        p[i].value = part[4 + 2 * i];
    }
    for (int alg = GH_WEBHOOK_HMAC_SHA1; alg <= GH_WEBHOOK_HMAC_SHA256; alg++) {
        rc =
            gh_webhook_verify((enum gh_webhook_alg)alg, "12345", 5, part[0], p, n, part[1], &valid);
        FUZZ_CHECK(rc == GH_OK || rc == GH_E_INVALID || rc == GH_E_LIMIT);
        rc = gh_webhook_sign((enum gh_webhook_alg)alg, "12345", 5, part[0], p, n, sig);
        if (rc == GH_OK) {
            FUZZ_CHECK(gh_webhook_verify((enum gh_webhook_alg)alg, "12345", 5, part[0], p, n, sig,
                                         &valid) == GH_OK &&
                       valid);
        }
        rc = gh_webhook_verify_with_body((enum gh_webhook_alg)alg, "12345", 5, part[0], part[2],
                                         strlen(part[2]), part[1], &valid);
        FUZZ_CHECK(rc == GH_OK || rc == GH_E_INVALID || rc == GH_E_LIMIT);
    }
    free(text);
    return 0;
}
