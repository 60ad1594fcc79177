/*
 * fuzz_policy.c -- gh_policy_from_json (server/twilio_json.c), the parser of a restricted key's
 * Policy field: JSON text that jansson parses and Gatehouse checks.
 *
 * On success the permission list passes gh_key_policy_check, and gh_write_policy renders JSON
 * that jansson parses back to {"allow": [...]} with the same permissions in the same order, the
 * same as the input's "allow" array.  On failure nothing is returned.
 */
#include <jansson.h>

#include "fuzz.h"
#include "server.h"

/* The '\n'-separated list equals the JSON array of strings. */
static void
check_same_list(const char *permissions, const json_t *allow)
{
    const char *p = permissions;
    size_t i = 0;

    FUZZ_CHECK(json_is_array(allow));
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        const json_t *v = json_array_get(allow, i++);

        FUZZ_CHECK(json_is_string(v) && json_string_length(v) == len);
        FUZZ_CHECK(memcmp(json_string_value(v), p, len) == 0);
        if (nl == NULL) {
            break;
        }
        p = nl + 1;
    }
    FUZZ_CHECK(i == json_array_size(allow));
}

static void
check_rendered(const char *text, const char *permissions)
{
    struct gh_jw w;
    json_error_t jerr;
    json_t *doc;
    json_t *back;
    size_t len = 0;
    char *out;

    FUZZ_CHECK(gh_key_policy_check(permissions) == GH_OK);

    gh_jw_init(&w);
    gh_write_policy(&w, permissions);
    out = gh_jw_take(&w, &len);
    FUZZ_CHECK(out != NULL && strlen(out) == len);
    back = json_loadb(out, len, JSON_REJECT_DUPLICATES, &jerr);
    FUZZ_CHECK(back != NULL && json_is_object(back) && json_object_size(back) == 1);
    check_same_list(permissions, json_object_get(back, "allow"));

    doc = json_loads(text, 0, &jerr);
    FUZZ_CHECK(doc != NULL);
    check_same_list(permissions, json_object_get(doc, "allow"));
    json_decref(doc);
    json_decref(back);
    gh_wipe(out, len);
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int setup;
    static char unset[] = "unset";
    char *text = fuzz_text(data, size);
    char *permissions = unset;
    gh_err rc;

    if (!setup) {
        gh_json_setup(); /* the server's wiping allocator for jansson */
        setup = 1;
    }
    rc = gh_policy_from_json(text, &permissions);
    FUZZ_CHECK(rc == GH_OK || rc == GH_E_POLICY || rc == GH_E_NOMEM);
    if (rc == GH_OK) {
        FUZZ_CHECK(permissions != NULL);
        check_rendered(text, permissions);
    } else {
        FUZZ_CHECK(permissions == NULL);
    }
    free(permissions);
    free(text);
    return 0;
}
