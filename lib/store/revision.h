/*
 * revision.h -- a store-wide change counter shared by every process on this machine that opens
 * the same SQLite database (a small file mapped MAP_SHARED beside it).
 *
 * Protocol (a seqlock): a writer, holding the database's write lock, makes the counter odd just
 * before COMMIT and even again after it.  A reader that sees the same even value before and
 * after reading knows no commit happened in between.  A writer that dies between the two steps
 * leaves the counter odd, which only disables caching until the next write completes.
 */
#ifndef GATEHOUSE_REVISION_H
#define GATEHOUSE_REVISION_H

#include "internal.h"

struct gh_revision;

/* Opens (creating, 0600) the counter file at path. */
GH_MUST_CHECK gh_err gh__revision_open(const char *path, struct gh_revision **out);
void gh__revision_close(struct gh_revision *rev);
uint64_t gh__revision_load(const struct gh_revision *rev);
/* Before COMMIT: make the counter odd (a write is landing). */
void gh__revision_begin_write(struct gh_revision *rev);
/* After COMMIT (or its failure): make the counter even again, one past the odd value. */
void gh__revision_end_write(struct gh_revision *rev);

#endif
