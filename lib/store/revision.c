/*
 * revision.c -- the shared change counter (see revision.h): one 64-bit word in a mapped file,
 * updated with atomic compare-and-swap so processes and threads agree on it.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/revision.h"

#define MAP_BYTES 4096

struct gh_revision {
    uint64_t *word; /* in the shared mapping */
};

gh_err
gh__revision_open(const char *path, struct gh_revision **out)
{
    struct gh_revision *rev;
    struct stat st;
    void *map;
    int fd;

    *out = NULL;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return GH_E_IO;
    }
    if (fstat(fd, &st) != 0 || (st.st_size < MAP_BYTES && ftruncate(fd, MAP_BYTES) != 0)) {
        close(fd);
        return GH_E_IO;
    }
    map = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        return GH_E_IO;
    }
    rev = gh__calloc(1, sizeof(*rev));
    if (rev == NULL) {
        munmap(map, MAP_BYTES);
        return GH_E_NOMEM;
    }
    rev->word = map;
    *out = rev;
    return GH_OK;
}

void
gh__revision_close(struct gh_revision *rev)
{
    if (rev == NULL) {
        return;
    }
    munmap(rev->word, MAP_BYTES);
    gh__free(rev);
}

uint64_t
gh__revision_load(const struct gh_revision *rev)
{
    return __atomic_load_n(rev->word, __ATOMIC_ACQUIRE);
}

void
gh__revision_begin_write(struct gh_revision *rev)
{
    uint64_t v = __atomic_load_n(rev->word, __ATOMIC_ACQUIRE);

    while ((v & 1) == 0 && !__atomic_compare_exchange_n(rev->word, &v, v + 1, false,
                                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    }
}

void
gh__revision_end_write(struct gh_revision *rev)
{
    uint64_t v = __atomic_load_n(rev->word, __ATOMIC_ACQUIRE);

    while ((v & 1) == 1 && !__atomic_compare_exchange_n(rev->word, &v, v + 1, false,
                                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    }
}
