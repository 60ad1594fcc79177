/*
 * breach.c -- the breached-passphrase index of a context: where it is, whether it is required,
 * and the index itself, reopened whenever its file changes (an import renames a new file into
 * place, so a running server sees it at its next lookup; a removed file is no index).
 *
 * Fail closed: when the index is required and missing or unusable, setting a passphrase fails
 * (GH_E_BREACH_INDEX).  When it is not required, the passphrase is set and the report says the
 * breach check did not run; the server warns at start (and the checkup will).
 */
#include <errno.h>
#include <sys/stat.h>

#include "service/service.h"

gh_err
gh__breach_configure(struct gh_ctx *ctx, const struct gh_ctx_config *cfg)
{
    struct gh__breach_source *b = &ctx->breach;

    pthread_mutex_init(&b->lock, NULL);
    b->required = cfg->breach_required;
    b->state = GH_E_NOT_FOUND;
    if (cfg->breach_index != NULL) {
        return gh__strlcpy(b->path, cfg->breach_index, sizeof(b->path));
    }
    return gh__data_path(cfg->data_dir != NULL ? cfg->data_dir : "./var", GH_BREACH_INDEX_FILE,
                         b->path, sizeof(b->path));
}

void
gh__breach_unconfigure(struct gh_ctx *ctx)
{
    gh_breach_close(ctx->breach.idx);
    ctx->breach.idx = NULL;
    pthread_mutex_destroy(&ctx->breach.lock);
}

static bool
same_file(const struct gh__breach_source *b, const struct stat *st)
{
    return b->dev == st->st_dev && b->ino == st->st_ino && b->size == st->st_size &&
           b->mtime.tv_sec == st->st_mtim.tv_sec && b->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Brings b->idx up to date with the file (b->lock held). */
static void
refresh(struct gh__breach_source *b)
{
    struct gh_breach_index *fresh = NULL;
    struct stat st;

    if (stat(b->path, &st) != 0) {
        gh_breach_close(b->idx);
        b->idx = NULL;
        b->state = errno == ENOENT ? GH_E_NOT_FOUND : GH_E_BREACH_INDEX;
        return;
    }
    if (b->idx != NULL && same_file(b, &st)) {
        return;
    }
    b->state = gh_breach_open(b->path, &fresh);
    gh_breach_close(b->idx);
    b->idx = fresh;
    b->dev = st.st_dev;
    b->ino = st.st_ino;
    b->size = st.st_size;
    b->mtime = st.st_mtim;
}

gh_err
gh__breach_screen(struct gh_ctx *ctx, const char *text, size_t len,
                  struct gh_passphrase_report *report)
{
    struct gh__breach_source *b = &ctx->breach;
    gh_err rc;

    pthread_mutex_lock(&b->lock);
    refresh(b);
    if (b->idx == NULL && b->required) {
        rc = GH_E_BREACH_INDEX;
    } else {
        rc = gh_breach_screen(b->idx, text, len, report);
    }
    pthread_mutex_unlock(&b->lock);
    return rc;
}

bool
gh__breach_holds(struct gh_ctx *ctx, const char *text, size_t len)
{
    struct gh__breach_source *b = &ctx->breach;
    bool found = false;

    pthread_mutex_lock(&b->lock);
    refresh(b);
    if (b->idx != NULL && gh_breach_contains(b->idx, text, len, &found) != GH_OK) {
        found = false;
    }
    pthread_mutex_unlock(&b->lock);
    return found;
}

void
gh_ctx_breach_status(struct gh_ctx *ctx, struct gh_breach_status *out)
{
    struct gh__breach_source *b;

    if (ctx == NULL || out == NULL) {
        return;
    }
    b = &ctx->breach;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&b->lock);
    refresh(b);
    snprintf(out->path, sizeof(out->path), "%s", b->path);
    out->required = b->required;
    out->state = b->idx != NULL ? GH_OK : b->state;
    gh_breach_info(b->idx, &out->info);
    pthread_mutex_unlock(&b->lock);
}
