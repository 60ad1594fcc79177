/*
 * helpers.h -- what the unit tests share: a scratch folder per test, a clock the test moves by
 * hand, small file helpers, and the TAP set-up every test program starts with.
 *
 * Include after <cmocka.h> (and its prerequisites).  Everything here is static inline, so each
 * test program takes only what it uses.
 */
#ifndef GATEHOUSE_TEST_HELPERS_H
#define GATEHOUSE_TEST_HELPERS_H

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gatehouse/clock.h>
#include <gatehouse/err.h>

/* Compares gh_err values by name, so a failure reads "GH_E_DENIED" != "GH_OK". */
#define assert_gh(expr, expected) assert_string_equal(gh_err_name(expr), gh_err_name(expected))

/* ---- TAP ---- */

/*
 * Every test program prints TAP, so an outer script can count "ok" and "not ok" lines.
 * CMOCKA_MESSAGE_OUTPUT in the environment still wins, as cmocka documents.
 */
static inline void
test_tap_output(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
}

/* ---- scratch folders ---- */

struct test_dir {
    char path[PATH_MAX];
};

/* A fresh, empty folder under $TMPDIR (or /tmp); fails the test if it cannot be made. */
static inline void
test_dir_make(struct test_dir *d)
{
    const char *base = getenv("TMPDIR");
    int n;

    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    n = snprintf(d->path, sizeof(d->path), "%s/gatehouse-unit-XXXXXX", base);
    assert_true(n > 0 && (size_t)n < sizeof(d->path));
    assert_non_null(mkdtemp(d->path));
}

static inline int
test_dir_unlink_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes the folder and everything in it. */
static inline void
test_dir_remove(struct test_dir *d)
{
    if (d->path[0] != '\0') {
        (void)nftw(d->path, test_dir_unlink_one, 16, FTW_DEPTH | FTW_PHYS);
        d->path[0] = '\0';
    }
}

/* out = <dir>/<name>. */
static inline void
test_path(const struct test_dir *d, const char *name, char out[PATH_MAX])
{
    int n = snprintf(out, PATH_MAX, "%s/%s", d->path, name);

    assert_true(n > 0 && n < PATH_MAX);
}

/* ---- files ---- */

/* Writes text to path with the given mode (exactly: the umask does not apply). */
static inline void
test_write_file(const char *path, const char *text, mode_t mode)
{
    size_t len = strlen(text);
    int fd;

    (void)unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
}

/* Reads at most cap - 1 bytes of path into buf (NUL-terminated); returns the length. */
static inline size_t
test_read_file(const char *path, char *buf, size_t cap)
{
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    assert_true(fd >= 0);
    got = read(fd, buf, cap - 1);
    assert_true(got >= 0);
    buf[got] = '\0';
    assert_int_equal(close(fd), 0);
    return (size_t)got;
}

/* The permission bits of path. */
static inline mode_t
test_mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static inline int
test_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* ---- a clock the test moves by hand ---- */

struct test_clock {
    int64_t now_ms;
    struct gh_clock clock;
};

static inline int64_t
test_clock_read(void *arg)
{
    return ((const struct test_clock *)arg)->now_ms;
}

/* Starts at start_ms; pass &c->clock wherever the library takes a const struct gh_clock *. */
static inline void
test_clock_init(struct test_clock *c, int64_t start_ms)
{
    c->now_ms = start_ms;
    c->clock.now_ms = test_clock_read;
    c->clock.arg = c;
}

static inline void
test_clock_advance(struct test_clock *c, int64_t ms)
{
    c->now_ms += ms;
}

/* 2016-06-13T22:50:08Z, the instant of Twilio's documentation examples. */
#define TEST_EPOCH_MS INT64_C(1465858208000)

/* ---- the shared test vectors ---- */

/*
 * out = the path of ../shared/vectors/<name> beside the repository ($GATEHOUSE_VECTORS
 * overrides the folder).  Found from this header's path, made absolute through the test
 * executable's own path (<build>/tests/unit/<exe>) when the compiler gave a relative one.
 */
static inline void
test_vectors_path(const char *name, char out[PATH_MAX])
{
    const char *dir = getenv("GATEHOUSE_VECTORS");
    char exe[PATH_MAX], src[PATH_MAX];
    ssize_t n;
    int w;

    if (dir != NULL && dir[0] != '\0') {
        w = snprintf(out, PATH_MAX, "%s/%s", dir, name);
        assert_true(w > 0 && w < PATH_MAX);
        return;
    }
    if (__FILE__[0] == '/') {
        w = snprintf(src, sizeof(src), "%s", __FILE__);
    } else {
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        assert_true(n > 0);
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) { /* <build root>/tests/unit/<exe> */
            *strrchr(exe, '/') = '\0';
        }
        w = snprintf(src, sizeof(src), "%s/%s", exe, __FILE__);
    }
    assert_true(w > 0 && (size_t)w < sizeof(src));
    *strrchr(src, '/') = '\0'; /* <repo>/tests/unit */
    w = snprintf(out, PATH_MAX, "%s/../../../shared/vectors/%s", src, name);
    assert_true(w > 0 && w < PATH_MAX);
}

#endif
