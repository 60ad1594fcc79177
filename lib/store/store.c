/*
 * store.c -- chooses a backend from the target's form, and puts the read cache in front of it
 * when it keeps a change counter.
 */
#include "store/rows.h"
#include "store/store.h"

const char *const gh__status_names[3] = {"active", "suspended", "closed"};
const char *const gh__slot_names[2] = {"primary", "secondary"};
const char *const gh__key_type_names[4] = {"main", "standard", "restricted", "signing"};

int
gh__name_index(const char *const *names, size_t n, const char *v)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        if (strcmp(names[i], v) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool
gh__hash_fits(const char *hash)
{
    return hash != NULL && strnlen(hash, GH_STORE_HASH_MAX) < GH_STORE_HASH_MAX;
}

gh_err
gh__store_open(const char *target, unsigned connections, struct gh_store **out)
{
    struct gh_store *inner = NULL;
    uint64_t rev;

    *out = NULL;
    GH_ENSURE(target != NULL && target[0] != '\0', GH_E_INVALID);
    if (connections == 0) {
        connections = GH_STORE_CONNECTIONS_DEFAULT;
    }
    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0) {
        GH_TRY(gh__pg_open(target, connections, &inner));
    } else {
        GH_TRY(gh__sqlite_open(target, connections, &inner));
    }
    if (!inner->ops->revision(inner, NULL, &rev)) {
        *out = inner;
        return GH_OK;
    }
    return gh__cache_wrap(inner, out);
}

void
gh__store_close(struct gh_store *st)
{
    if (st != NULL) {
        st->ops->close(st);
    }
}
