/*
 * import.c -- building the breach index from Pwned Passwords files (or plain passphrase lists)
 * in bounded memory, atomically.
 *
 *   1. Read: each good line becomes a 64-bit key (the SHA-1's first 8 bytes).  Keys gather in a
 *      chunk (at most chunk_keys); a full chunk is partitioned by the key's top 12 bits and
 *      appended to an unlinked spill file as one run.  Bad lines are counted and reported.
 *   2. Build: the shard count is chosen from the number of keys (shards of at most ~2 M keys,
 *      at most 4096 shards); each shard gathers its slice of every run, builds its binary fuse
 *      filter (fuse.c), checks that every one of its keys is found, and appends its
 *      fingerprints to an unlinked output file in the destination's folder.
 *   3. Seal: header and table written, fsync, the file mapped and checked as a reader would,
 *      random absent keys probed for the false-positive rate; then linked under a temporary
 *      name and renamed over the old index, and the folder fsynced.  Until the rename, the old
 *      index is untouched; a killed import leaves at most the "<index>.tmp-<pid>" of the last
 *      instant, never a damaged index.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "breach/format.h"

#define BUCKET_BITS   GH_BRF_SHARD_BITS
#define BUCKETS       ((size_t)1 << BUCKET_BITS)
#define SHARD_TARGET  ((uint64_t)1 << 21) /* keys per shard, at most (until 4096 shards) */
#define READ_BUF      ((size_t)1 << 20)
#define POLL_MS       250
#define PROGRESS_MASK 0xFFFFu
#define HIBP_HEX      40
#define COUNT_DIGITS  20
#define CHUNK_FIRST   ((size_t)1 << 16)
#define PROBE_SEED    UINT64_C(0x6768627265616368) /* "ghbreach": the same probes every time */

/* One spilled chunk: where each bucket's keys start in the spill file (in keys). */
struct run {
    uint64_t start[BUCKETS + 1];
};

struct importer {
    const struct gh_breach_import_opts *o;
    struct gh_breach_import_result *res;
    struct gh_breach_progress prog;
    const char *file; /* the file being read, as named */
    uint64_t line;    /* its current line */
    char *buf;        /* READ_BUF */
    uint64_t *chunk;
    size_t chunk_len;
    size_t chunk_alloc;
    size_t chunk_cap;
    int spill_fd;
    uint64_t spilled; /* keys in the spill file */
    struct run *runs;
    size_t nruns;
};

/* A hex digit's value plus one, either case; 0 for anything else (the parser's hot loop). */
static const uint8_t hex_plus_one[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static void
note_memory(struct importer *im, size_t bytes)
{
    if (bytes > im->res->peak_memory) {
        im->res->peak_memory = bytes;
    }
}

static gh_err
report_progress(struct importer *im)
{
    if (im->o->progress != NULL && !im->o->progress(&im->prog, im->o->arg)) {
        return GH_E_INTERRUPTED;
    }
    return GH_OK;
}

/* ---- spilling ---- */

static gh_err
write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        GH_ENSURE(n > 0, GH_E_IO);
        p += n;
        len -= (size_t)n;
    }
    return GH_OK;
}

static gh_err
read_at(int fd, void *data, size_t len, uint64_t off)
{
    uint8_t *p = data;

    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        GH_ENSURE(n > 0, GH_E_IO);
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return GH_OK;
}

/* Partitions the chunk by bucket and appends it to the spill file as one run. */
static gh_err
spill(struct importer *im)
{
    struct run *runs;
    struct run *r;
    uint64_t *sorted;
    size_t next[BUCKETS];
    gh_err rc;

    if (im->chunk_len == 0) {
        return GH_OK;
    }
    runs = gh__realloc(im->runs, im->nruns + 1, sizeof(*runs));
    GH_ENSURE(runs != NULL, GH_E_NOMEM);
    im->runs = runs;
    r = &runs[im->nruns];
    sorted = gh__calloc(im->chunk_len, sizeof(*sorted));
    GH_ENSURE(sorted != NULL, GH_E_NOMEM);
    note_memory(im, READ_BUF + (im->chunk_alloc + im->chunk_len) * sizeof(uint64_t) +
                        (im->nruns + 1) * sizeof(*runs));
    memset(next, 0, sizeof(next));
    for (size_t i = 0; i < im->chunk_len; i++) {
        next[im->chunk[i] >> (64 - BUCKET_BITS)]++;
    }
    r->start[0] = im->spilled;
    for (size_t b = 0, at = 0; b < BUCKETS; b++) {
        size_t count = next[b];

        next[b] = at;
        at += count;
        r->start[b + 1] = im->spilled + at;
    }
    for (size_t i = 0; i < im->chunk_len; i++) {
        sorted[next[im->chunk[i] >> (64 - BUCKET_BITS)]++] = im->chunk[i];
    }
    rc = write_all(im->spill_fd, sorted, im->chunk_len * sizeof(*sorted));
    gh__free(sorted);
    GH_TRY(rc);
    im->nruns++;
    im->spilled += im->chunk_len;
    im->chunk_len = 0;
    return GH_OK;
}

static gh_err
add_key(struct importer *im, uint64_t key)
{
    if (im->chunk_len == im->chunk_alloc) {
        size_t grow;
        uint64_t *bigger;

        if (im->chunk_alloc == im->chunk_cap) {
            GH_TRY(spill(im));
        } else {
            grow = im->chunk_alloc == 0 ? CHUNK_FIRST : im->chunk_alloc * 2;
            grow = grow > im->chunk_cap ? im->chunk_cap : grow;
            bigger = gh__realloc(im->chunk, grow, sizeof(*bigger));
            GH_ENSURE(bigger != NULL, GH_E_NOMEM);
            im->chunk = bigger;
            im->chunk_alloc = grow;
        }
    }
    im->chunk[im->chunk_len++] = key;
    return GH_OK;
}

/* ---- lines ---- */

/* A Pwned Passwords line: 40 hex digits, optionally ':' and a count.  NULL or why not. */
static const char *
parse_hibp(const char *p, size_t len, uint64_t *key)
{
    uint64_t k = 0;
    unsigned bad = 0;

    if (len == 0) {
        return "empty line";
    }
    if (len < HIBP_HEX) {
        return "not a 40-digit SHA-1";
    }
    for (size_t i = 0; i < 16; i++) {
        unsigned v = hex_plus_one[(unsigned char)p[i]];

        bad |= v == 0;
        k = (k << 4) | (uint64_t)((v - 1) & 0xf);
    }
    for (size_t i = 16; i < HIBP_HEX; i++) {
        bad |= hex_plus_one[(unsigned char)p[i]] == 0;
    }
    if (bad != 0) {
        return "not a 40-digit SHA-1";
    }
    if (len > HIBP_HEX) {
        if (p[HIBP_HEX] != ':') {
            return "expected ':' and a count after the SHA-1";
        }
        if (len == HIBP_HEX + 1 || len > HIBP_HEX + 1 + COUNT_DIGITS) {
            return "the count is not a number";
        }
        for (size_t i = HIBP_HEX + 1; i < len; i++) {
            if (p[i] < '0' || p[i] > '9') {
                return "the count is not a number";
            }
        }
    }
    *key = k;
    return NULL;
}

/* A plain list's line: one passphrase, hashed as its bytes stand.  NULL or why not. */
static const char *
parse_plain(const char *p, size_t len, uint64_t *key)
{
    uint8_t sha1[GH_BREACH_SHA1_BYTES];

    if (len == 0) {
        return "empty line";
    }
    if (len > GH_BREACH_PLAIN_MAX) {
        return "longer than 1024 bytes";
    }
    if (memchr(p, '\0', len) != NULL) {
        return "contains a NUL byte";
    }
    if (gh_breach_sha1(p, len, sha1) != GH_OK) {
        return "cannot hash (SHA-1 unavailable)";
    }
    *key = gh__breach_key(sha1);
    return NULL;
}

static gh_err
take_line(struct importer *im, const char *p, size_t len, bool overlong)
{
    const char *why;
    uint64_t key = 0;

    im->line++;
    im->prog.lines++;
    if (len > 0 && p[len - 1] == '\r') {
        len--;
    }
    if (overlong) {
        why = "line too long";
    } else if (im->o->format == GH_BREACH_PLAIN) {
        why = parse_plain(p, len, &key);
    } else {
        why = parse_hibp(p, len, &key);
    }
    if (why != NULL) {
        struct gh_breach_bad_line bad = {im->file, im->line, why};

        im->prog.bad++;
        if (im->o->bad_line != NULL) {
            im->o->bad_line(&bad, im->o->arg);
        }
    } else {
        GH_TRY(add_key(im, key));
    }
    if ((im->prog.lines & PROGRESS_MASK) == 0) {
        GH_TRY(report_progress(im));
    }
    return GH_OK;
}

/* The lines in buf[0, end), scanning for newlines from `from`; *used: where the rest starts. */
static gh_err
take_lines(struct importer *im, size_t from, size_t end, bool *skipping, size_t *used)
{
    size_t start = 0;
    const char *nl;

    while ((nl = memchr(im->buf + from, '\n', end - from)) != NULL) {
        size_t at = (size_t)(nl - im->buf);

        GH_TRY(take_line(im, im->buf + start, at - start, *skipping));
        *skipping = false;
        start = from = at + 1;
    }
    *used = start;
    return GH_OK;
}

static gh_err
read_fd(struct importer *im, int fd)
{
    size_t have = 0;
    bool skipping = false;

    /* A pipe's 64 KiB buffer costs a context switch per 1,400 lines: ask for 1 MiB (best effort). */
    (void)fcntl(fd, F_SETPIPE_SZ, (int)READ_BUF);

    for (;;) {
        struct pollfd wait = {fd, POLLIN, 0};
        ssize_t n;
        size_t used;

        /* Input that stalls (a pipe) still lets progress run, and a stop request be seen. */
        n = poll(&wait, 1, POLL_MS);
        if (n == 0 || (n < 0 && errno == EINTR)) {
            GH_TRY(report_progress(im));
            continue;
        }
        n = read(fd, im->buf + have, READ_BUF - have);
        if (n < 0 && errno == EINTR) {
            GH_TRY(report_progress(im));
            continue;
        }
        GH_ENSURE(n >= 0, GH_E_IO);
        if (n == 0) {
            break;
        }
        im->prog.bytes += (uint64_t)n;
        GH_TRY(take_lines(im, have, have + (size_t)n, &skipping, &used));
        have += (size_t)n - used;
        if (used == 0 && have == READ_BUF) {
            skipping = true; /* a line longer than the buffer: drop it, count it once */
            have = 0;
        } else {
            memmove(im->buf, im->buf + used, have);
        }
    }
    if (have > 0 || skipping) {
        GH_TRY(take_line(im, im->buf, have, skipping));
    }
    return GH_OK;
}

static gh_err
read_file(struct importer *im, const char *name)
{
    int fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
    gh_err rc;

    GH_ENSURE(fd >= 0, GH_E_IO);
    im->file = name;
    im->line = 0;
    rc = read_fd(im, fd);
    if (fd != STDIN_FILENO) {
        close(fd);
    }
    return rc;
}

/* ---- files ---- */

/*
 * An unlinked file in dir: O_TMPFILE, else (a file system without it) a named file, whose name
 * goes to named (cap PATH_MAX; "" for O_TMPFILE) when named is not NULL, else unlinked at once.
 */
static int
open_unlinked(const char *dir, char *named)
{
    char path[PATH_MAX];
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);

    if (named != NULL) {
        named[0] = '\0';
    }
    if (fd >= 0) {
        return fd;
    }
    if (snprintf(path, sizeof(path), "%s/.gatehouse-breach-XXXXXX", dir) >= (int)sizeof(path)) {
        return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0 && named == NULL) {
        unlink(path);
    } else if (fd >= 0) {
        memcpy(named, path, strlen(path) + 1);
        (void)fchmod(fd, 0644);
    }
    return fd;
}

/* Gives the file fd (unlinked, or named) the name path, atomically replacing what was there. */
static gh_err
publish(int fd, const char *named, const char *dir, const char *path)
{
    char tmp[PATH_MAX];
    char self[64];
    int dfd;
    int ok;

    if (named[0] == '\0') {
        GH_ENSURE(snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid()) < (int)sizeof(tmp),
                  GH_E_INVALID);
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        (void)unlink(tmp);
        GH_ENSURE(linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0, GH_E_IO);
        named = tmp;
    }
    if (rename(named, path) != 0) {
        int saved = errno;

        unlink(named);
        errno = saved;
        return GH_E_IO;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    GH_ENSURE(dfd >= 0, GH_E_IO);
    ok = fsync(dfd);
    close(dfd);
    return ok == 0 ? GH_OK : GH_E_IO;
}

/* ---- building ---- */

struct output {
    int fd;
    char named[PATH_MAX]; /* the file's temporary name, "" when unlinked (O_TMPFILE) */
    unsigned bits;
    uint64_t at; /* where the next shard's fingerprints go */
    uint8_t *table;
    crypto_generichash_state digest;
};

/* The keys of shard s, gathered from every run into a new array (*n keys). */
static gh_err
gather(struct importer *im, unsigned bits, uint32_t s, uint64_t **keys, size_t *n)
{
    size_t lo = (size_t)s << (BUCKET_BITS - bits);
    size_t hi = (size_t)(s + 1) << (BUCKET_BITS - bits);
    size_t total = 0;
    uint64_t *k;

    for (size_t r = 0; r < im->nruns; r++) {
        total += (size_t)(im->runs[r].start[hi] - im->runs[r].start[lo]);
    }
    *n = total;
    *keys = k = gh__calloc(total, sizeof(*k));
    GH_ENSURE(k != NULL, GH_E_NOMEM);
    for (size_t r = 0, at = 0; r < im->nruns; r++) {
        uint64_t first = im->runs[r].start[lo];
        size_t count = (size_t)(im->runs[r].start[hi] - first);

        GH_TRY(read_at(im->spill_fd, k + at, count * sizeof(*k), first * sizeof(*k)));
        at += count;
    }
    for (size_t i = 0; i < total; i++) {
        GH_ENSURE(gh__breach_shard(k[i], bits) == s, GH_E_INTERNAL);
    }
    return GH_OK;
}

/* Builds shard s, checks it holds every key, appends its fingerprints. */
static gh_err
build_shard(struct importer *im, struct output *out, uint32_t s)
{
    static const uint8_t pad[8];
    struct gh_fuse f;
    uint64_t *keys = NULL;
    size_t n = 0;
    size_t bytes;
    gh_err rc = gather(im, out->bits, s, &keys, &n);

    memset(&f, 0, sizeof(f));
    if (rc == GH_OK) {
        note_memory(im, n * sizeof(*keys) + gh__fuse_build_bytes(n));
        rc = gh__fuse_build(keys, n, PROBE_SEED ^ ((uint64_t)s << 32), &f);
    }
    for (size_t i = 0; rc == GH_OK && i < n; i++) {
        if (!gh__fuse_contains(&f, keys[i])) {
            rc = GH_E_INTERNAL; /* a false negative: never ship it */
        }
    }
    gh__free(keys);
    bytes = (size_t)f.array_length * sizeof(uint16_t);
    if (rc == GH_OK) {
        gh__brf_put_entry(out->table + (size_t)s * GH_BRF_ENTRY, &f, out->at);
        crypto_generichash_update(&out->digest, (const uint8_t *)(const void *)f.fp, bytes);
        rc = write_all(out->fd, f.fp, bytes);
    }
    if (rc == GH_OK && bytes % 8 != 0) {
        rc = write_all(out->fd, pad, 8 - bytes % 8);
    }
    out->at += (bytes + 7) / 8 * 8;
    im->res->entries += f.entries;
    gh__free((void *)(uintptr_t)f.fp);
    return rc;
}

/* Shard bits: shards of at most target keys, at most 2^12 shards. */
static unsigned
shard_bits(uint64_t keys, uint64_t target)
{
    unsigned bits = 0;

    while (bits < GH_BRF_SHARD_BITS && (keys >> bits) > target) {
        bits++;
    }
    return bits;
}

static gh_err
seal(struct importer *im, struct output *out)
{
    uint8_t header[GH_BRF_HEADER];
    size_t table_len = GH_BRF_ENTRY << out->bits;

    memset(header, 0, sizeof(header));
    memcpy(header, GH_BRF_MAGIC, 8);
    gh__put_le32(header + 8, GH_BRF_VERSION);
    gh__put_le32(header + 12, out->bits);
    gh__put_le64(header + 16, im->res->entries);
    gh__put_le64(header + 24, im->res->records);
    gh__put_le64(header + 32, (uint64_t)time(NULL));
    gh__put_le64(header + 40, out->at);
    gh__put_le32(header + 48, GH_BRF_FP_BITS);
    gh__put_le32(header + 52, GH_BRF_ENTRY);
    gh__put_le64(header + 56, GH_BRF_HEADER + table_len);
    crypto_generichash_final(&out->digest, header + GH_BRF_DIGEST_AT, GH_BRF_DIGEST_BYTES);
    gh__brf_checksum(header, out->table, table_len, header + GH_BRF_CHECK_AT);
    GH_ENSURE(pwrite(out->fd, header, sizeof(header), 0) == (ssize_t)sizeof(header), GH_E_IO);
    GH_ENSURE(pwrite(out->fd, out->table, table_len, GH_BRF_HEADER) == (ssize_t)table_len, GH_E_IO);
    GH_ENSURE(fsync(out->fd) == 0, GH_E_IO);
    im->res->bytes = out->at;
    im->res->shards = 1u << out->bits;
    im->res->bytes_per_entry =
        im->res->entries == 0 ? 0.0 : (double)out->at / (double)im->res->entries;
    return GH_OK;
}

/* Maps the written file as a reader would and probes random keys: the false-positive rate. */
static gh_err
measure(struct importer *im, int fd)
{
    struct gh_breach_index *idx;
    uint64_t state = PROBE_SEED;
    unsigned probes = im->o->probes != 0 ? im->o->probes : GH_BREACH_PROBES;

    im->prog.phase = GH_BREACH_MEASURING;
    GH_TRY(report_progress(im));
    GH_TRY(gh__breach_map_fd(fd, &idx));
    for (unsigned i = 0; i < probes; i++) {
        im->res->fp_hits += gh__breach_contains_key(idx, gh__splitmix64(&state)) ? 1 : 0;
    }
    gh_breach_close(idx);
    im->res->probes = probes;
    im->res->fp_rate = (double)im->res->fp_hits / (double)probes;
    return GH_OK;
}

static gh_err
build(struct importer *im, const char *dir, const char *out_path)
{
    struct output out;
    uint8_t zero[GH_BRF_HEADER];
    gh_err rc = GH_OK;

    memset(&out, 0, sizeof(out));
    memset(zero, 0, sizeof(zero));
    out.bits = shard_bits(im->spilled, im->o->shard_keys != 0 ? im->o->shard_keys : SHARD_TARGET);
    out.at = GH_BRF_HEADER + ((uint64_t)GH_BRF_ENTRY << out.bits);
    out.table = gh__calloc((size_t)1 << out.bits, GH_BRF_ENTRY);
    GH_ENSURE(out.table != NULL, GH_E_NOMEM);
    out.fd = open_unlinked(dir, out.named);
    if (out.fd < 0) {
        gh__free(out.table);
        return GH_E_IO;
    }
    crypto_generichash_init(&out.digest, NULL, 0, GH_BRF_DIGEST_BYTES);
    /* The header and table are written last; reserve their room. */
    for (uint64_t left = out.at; rc == GH_OK && left > 0;) {
        size_t step = left < sizeof(zero) ? (size_t)left : sizeof(zero);

        rc = write_all(out.fd, zero, step);
        left -= step;
    }
    im->prog.phase = GH_BREACH_BUILDING;
    im->prog.shards = 1u << out.bits;
    for (uint32_t s = 0; rc == GH_OK && s < (1u << out.bits); s++) {
        rc = report_progress(im);
        if (rc == GH_OK) {
            rc = build_shard(im, &out, s);
        }
        im->prog.shards_done = s + 1;
    }
    if (rc == GH_OK) {
        rc = seal(im, &out);
    }
    if (rc == GH_OK) {
        rc = measure(im, out.fd);
    }
    if (rc == GH_OK) {
        rc = report_progress(im); /* the last chance to stop before the index changes */
    }
    if (rc == GH_OK) {
        rc = publish(out.fd, out.named, dir, out_path);
    } else if (out.named[0] != '\0') {
        unlink(out.named);
    }
    close(out.fd);
    gh__free(out.table);
    return rc;
}

static gh_err
read_all(struct importer *im, const char *const *files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++) {
        struct stat st;

        if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0 && S_ISREG(st.st_mode)) {
            im->prog.total_bytes += (uint64_t)st.st_size;
        }
    }
    GH_TRY(report_progress(im));
    for (size_t i = 0; i < nfiles; i++) {
        GH_TRY(read_file(im, files[i]));
    }
    GH_TRY(spill(im));
    gh__free(im->chunk);
    im->chunk = NULL;
    im->chunk_alloc = im->chunk_len = 0;
    im->res->lines = im->prog.lines;
    im->res->bad = im->prog.bad;
    im->res->records = im->spilled;
    /* A file in the wrong format is not a corpus: refuse rather than publish an empty index. */
    GH_ENSURE(im->spilled > 0 && im->prog.bad <= im->spilled, GH_E_INVALID);
    return report_progress(im);
}

/* The folder of path (for the output file) into dir. */
static gh_err
folder_of(const char *path, char dir[PATH_MAX])
{
    char copy[PATH_MAX];

    GH_ENSURE(strlen(path) < sizeof(copy), GH_E_INVALID);
    memcpy(copy, path, strlen(path) + 1);
    return gh__strlcpy(dir, dirname(copy), PATH_MAX);
}

gh_err
gh_breach_import(const char *const *files, size_t nfiles, const char *out_path,
                 const struct gh_breach_import_opts *opts, struct gh_breach_import_result *res)
{
    static const struct gh_breach_import_opts defaults;
    struct importer im;
    char dir[PATH_MAX];
    gh_err rc;

    GH_ENSURE(files != NULL && nfiles > 0 && out_path != NULL && res != NULL, GH_E_INVALID);
    memset(res, 0, sizeof(*res));
    memset(&im, 0, sizeof(im));
    GH_TRY(folder_of(out_path, dir));
    im.o = opts != NULL ? opts : &defaults;
    im.res = res;
    im.chunk_cap = im.o->chunk_keys != 0 ? im.o->chunk_keys : GH_BREACH_CHUNK_KEYS;
    im.buf = gh__alloc(READ_BUF);
    GH_ENSURE(im.buf != NULL, GH_E_NOMEM);
    im.spill_fd = open_unlinked(im.o->tmp_dir != NULL ? im.o->tmp_dir : dir, NULL);
    rc = im.spill_fd >= 0 ? GH_OK : GH_E_IO;
    if (rc == GH_OK) {
        rc = read_all(&im, files, nfiles);
    }
    gh__free(im.buf);
    im.buf = NULL;
    if (rc == GH_OK) {
        rc = build(&im, dir, out_path);
    }
    if (im.spill_fd >= 0) {
        close(im.spill_fd);
    }
    gh__free(im.chunk);
    gh__free(im.runs);
    return rc;
}
