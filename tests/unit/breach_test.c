/*
 * breach_test.c -- lib/breach: the binary fuse filter (no false negatives, the false-positive
 * rate, the size per entry, tiny and duplicated sets), the importer on generated files in the
 * real formats (malformed lines counted with their line numbers, CRLF, any case, spilled runs,
 * several shards), the atomic replacement (a refused or stopped import keeps the old index),
 * the reader's refusal of damaged files, and Debian's john password list when installed.
 *
 * Keys come from a fixed splitmix64 sequence: every figure here is the same on every run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <sodium.h>

#include "internal.h"

#include "breach/format.h"

#include "helpers.h"

#define JOHN_LIST "/usr/share/john/password.lst"

static uint64_t
next_key(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* ---- the filter ---- */

static void
filter_has_every_key_and_few_others(void **state)
{
    enum { N = 100000, PROBES = 1000000 };
    uint64_t *keys = calloc(N, sizeof(*keys));
    uint64_t s = 1;
    unsigned hits = 0;
    struct gh_fuse f;

    (void)state;
    assert_non_null(keys);
    for (size_t i = 0; i < N; i++) {
        keys[i] = next_key(&s);
    }
    assert_gh(gh__fuse_build(keys, N, 42, &f), GH_OK);
    assert_int_equal(f.entries, N);
    for (size_t i = 0; i < N; i++) {
        assert_true(gh__fuse_contains(&f, keys[i]));
    }
    for (unsigned i = 0; i < PROBES; i++) {
        hits += gh__fuse_contains(&f, next_key(&s)) ? 1 : 0;
    }
    /* 2^-16 = 1.5e-5 expected: 15 of 10^6.  The target is 1e-4. */
    assert_true(hits <= PROBES / 10000);
    /* At 10^5 keys the paper's size factor is 1.175: 2.35 bytes per entry. */
    assert_true((double)f.array_length * 2 / N <= 2.4);
    free((void *)(uintptr_t)f.fp);
    free(keys);
}

static void
filter_builds_tiny_sets_and_drops_duplicates(void **state)
{
    uint64_t keys[300];
    uint64_t s = 7;
    struct gh_fuse f;

    (void)state;
    assert_gh(gh__fuse_build(NULL, 0, 1, &f), GH_OK);
    assert_int_equal(f.array_length, 0);
    assert_false(gh__fuse_contains(&f, 12345));
    for (size_t n = 1; n <= 300; n += (n < 20 ? 1 : 17)) {
        for (size_t i = 0; i < n; i++) {
            keys[i] = next_key(&s);
        }
        assert_gh(gh__fuse_build(keys, n, n, &f), GH_OK);
        assert_int_equal(f.entries, n);
        assert_true(gh__fuse_valid(&f));
        for (size_t i = 0; i < n; i++) {
            assert_true(gh__fuse_contains(&f, keys[i]));
        }
        free((void *)(uintptr_t)f.fp);
    }
    for (size_t i = 0; i < 300; i++) {
        keys[i] = i % 3; /* 0, 1, 2 a hundred times each */
    }
    assert_gh(gh__fuse_build(keys, 300, 9, &f), GH_OK);
    assert_int_equal(f.entries, 3);
    for (uint64_t k = 0; k < 3; k++) {
        assert_true(gh__fuse_contains(&f, k));
    }
    free((void *)(uintptr_t)f.fp);
}

static void
filter_parameters_are_checked(void **state)
{
    struct gh_fuse f = {0};

    (void)state;
    assert_true(gh__fuse_valid(&f));
    f.entries = 1; /* entries without slots */
    assert_false(gh__fuse_valid(&f));
    f.segment_length = 8;
    f.segment_count = 2;
    f.array_length = 32;
    assert_true(gh__fuse_valid(&f));
    f.segment_length = 12; /* not a power of two */
    assert_false(gh__fuse_valid(&f));
    f.segment_length = 8;
    f.array_length = 40; /* not (count + 2) x length */
    assert_false(gh__fuse_valid(&f));
}

/* ---- the importer ---- */

struct seen {
    unsigned bad;
    uint64_t lines[16];
    char why[16][64];
    int stop_at_phase; /* -1: never stop */
    unsigned calls;
};

static void
on_bad(const struct gh_breach_bad_line *b, void *arg)
{
    struct seen *s = arg;

    if (s->bad < 16) {
        s->lines[s->bad] = b->line;
        snprintf(s->why[s->bad], sizeof(s->why[0]), "%s", b->why);
    }
    s->bad++;
}

static bool
on_progress(const struct gh_breach_progress *p, void *arg)
{
    struct seen *s = arg;

    s->calls++;
    return s->stop_at_phase < 0 || (int)p->phase != s->stop_at_phase;
}

static void
sha1_hex(const char *text, char out[41], bool upper)
{
    uint8_t d[GH_BREACH_SHA1_BYTES];

    assert_gh(gh_breach_sha1(text, strlen(text), d), GH_OK);
    for (int i = 0; i < GH_BREACH_SHA1_BYTES; i++) {
        snprintf(out + 2 * i, 3, upper ? "%02X" : "%02x", d[i]);
    }
}

static void
sha1_matches_fips_vector(void **state)
{
    char hex[41];

    (void)state;
    sha1_hex("abc", hex, false);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sha1_hex("", hex, false);
    assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static gh_err
import_one(const char *file, const char *out, enum gh_breach_format format, struct seen *s,
           struct gh_breach_import_result *res)
{
    const char *files[] = {file};
    struct gh_breach_import_opts o = {0};

    o.format = format;
    o.bad_line = on_bad;
    o.progress = on_progress;
    o.arg = s;
    o.probes = 100000;
    return gh_breach_import(files, 1, out, &o, res);
}

static bool
has(struct gh_breach_index *idx, const char *text)
{
    bool found = false;

    assert_gh(gh_breach_contains(idx, text, strlen(text), &found), GH_OK);
    return found;
}

static void
import_reads_the_pwned_passwords_format(void **state)
{
    struct test_dir d;
    char in[PATH_MAX], out[PATH_MAX], text[4096], h1[41], h2[41], h3[41], h4[41], h5[41], h6[41];
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;
    struct gh_breach_info info;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "pwned.txt", in);
    test_path(&d, "breach.idx", out);
    sha1_hex("password", h1, true);
    sha1_hex("correct horse battery staple", h2, false);
    sha1_hex("Tr0ub4dor&3", h3, true);
    sha1_hex("four", h4, false);
    sha1_hex("five", h5, true);
    sha1_hex("six", h6, false);
    snprintf(text, sizeof(text),
             "%s:3861493\r\n"                                 /* 1: CRLF, upper case */
             "%s:12\n"                                        /* 2: lower case */
             "%s\n"                                           /* 3: no count */
             "%s:3861493\n"                                   /* 4: a duplicate */
             "\n"                                             /* 5: empty */
             "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD:1\n"    /* 6: 39 digits */
             "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FDG:1\n"   /* 7: not hex */
             "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8;1\n"   /* 8: wrong separator */
             "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:\n"    /* 9: no count after ':' */
             "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:12a\n" /* 10: count not a number */
             "%s:1\n%s:2\n%s:3",                              /* 11-13, no final newline */
             h1, h2, h3, h1, h4, h5, h6);
    test_write_file(in, text, 0600);
    assert_gh(import_one(in, out, GH_BREACH_HIBP, &s, &res), GH_OK);
    assert_int_equal(res.lines, 13);
    assert_int_equal(res.records, 7);
    assert_int_equal(res.bad, 6);
    assert_int_equal(res.entries, 6);
    assert_int_equal(s.bad, 6);
    assert_int_equal(s.lines[0], 5);
    assert_string_equal(s.why[0], "empty line");
    assert_int_equal(s.lines[1], 6);
    assert_string_equal(s.why[1], "not a 40-digit SHA-1");
    assert_int_equal(s.lines[2], 7);
    assert_int_equal(s.lines[3], 8);
    assert_string_equal(s.why[3], "expected ':' and a count after the SHA-1");
    assert_int_equal(s.lines[4], 9);
    assert_string_equal(s.why[4], "the count is not a number");
    assert_int_equal(s.lines[5], 10);
    assert_true(s.calls > 0);
    assert_int_equal(res.probes, 100000);
    assert_true(res.fp_rate <= 1e-4);

    assert_gh(gh_breach_open(out, &idx), GH_OK);
    assert_true(has(idx, "password"));
    assert_true(has(idx, "correct horse battery staple"));
    assert_true(has(idx, "Tr0ub4dor&3"));
    assert_true(has(idx, "six"));
    assert_false(has(idx, "Password"));
    /* NFKC: full-width letters normalise to the breached ASCII. */
    assert_true(has(idx, "\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93\xef\xbd\x97\xef\xbd\x8f"
                         "\xef\xbd\x92\xef\xbd\x84"));
    gh_breach_info(idx, &info);
    assert_int_equal(info.entries, 6);
    assert_int_equal(info.records, 7);
    assert_int_equal(info.shards, 1);
    assert_int_equal(info.fingerprint_bits, 16);
    assert_gh(gh_breach_verify(idx), GH_OK);
    gh_breach_close(idx);
    test_dir_remove(&d);
}

static void
import_reads_plain_lists(void **state)
{
    struct test_dir d;
    char in[PATH_MAX], out[PATH_MAX];
    char text[2048 + 128];
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "plain.txt", in);
    test_path(&d, "breach.idx", out);
    {
        const char *head = "letmein\r\n\nhunter2\nthe same phrase with spaces\n";
        const char *tail = "\nno final newline";
        size_t at = strlen(head);

        memset(text, 0, sizeof(text));
        memcpy(text, head, at);
        memset(text + at, 'x', 1100); /* line 5: too long for a passphrase */
        memcpy(text + at + 1100, tail, strlen(tail) + 1);
    }
    test_write_file(in, text, 0600);
    assert_gh(import_one(in, out, GH_BREACH_PLAIN, &s, &res), GH_OK);
    assert_int_equal(res.lines, 6);
    assert_int_equal(res.records, 4);
    assert_int_equal(res.bad, 2);
    assert_int_equal(s.lines[0], 2);
    assert_string_equal(s.why[0], "empty line");
    assert_int_equal(s.lines[1], 5);
    assert_string_equal(s.why[1], "longer than 1024 bytes");
    assert_gh(gh_breach_open(out, &idx), GH_OK);
    assert_true(has(idx, "letmein"));
    assert_true(has(idx, "hunter2"));
    assert_true(has(idx, "the same phrase with spaces"));
    assert_true(has(idx, "no final newline"));
    assert_false(has(idx, "letmein\r"));
    assert_false(has(idx, "a passphrase nobody ever leaked, surely"));
    gh_breach_close(idx);
    test_dir_remove(&d);
}

/* Writes n generated Pwned Passwords lines (lower case, counts) to path; keys[] gets them. */
static void
write_generated(const char *path, uint64_t *seed, size_t n, uint8_t (*sha)[20])
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 20; j += 8) {
            uint64_t r = next_key(seed);

            for (int b = 0; b < 8 && j + b < 20; b++) {
                sha[i][j + b] = (uint8_t)(r >> (56 - 8 * b));
            }
        }
        for (int j = 0; j < 20; j++) {
            fprintf(f, "%02x", sha[i][j]);
        }
        fprintf(f, ":%zu\n", i + 1);
    }
    assert_int_equal(fclose(f), 0);
}

static void
import_spills_runs_and_builds_shards(void **state)
{
    enum { N = 20000 };
    struct test_dir d;
    char in[PATH_MAX], out[PATH_MAX];
    uint8_t(*sha)[20] = calloc(N, 20);
    uint64_t seed = 99;
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;
    const char *files[1];
    struct gh_breach_import_opts o = {0};

    (void)state;
    assert_non_null(sha);
    test_dir_make(&d);
    test_path(&d, "gen.txt", in);
    test_path(&d, "breach.idx", out);
    write_generated(in, &seed, N, sha);
    files[0] = in;
    o.chunk_keys = 1500; /* 14 runs */
    o.shard_keys = 1000; /* 32 shards */
    o.probes = 200000;
    o.progress = on_progress;
    o.arg = &s;
    assert_gh(gh_breach_import(files, 1, out, &o, &res), GH_OK);
    assert_int_equal(res.records, N);
    assert_int_equal(res.entries, N);
    assert_int_equal(res.shards, 32);
    assert_true(res.fp_rate <= 1e-4);
    assert_gh(gh_breach_open(out, &idx), GH_OK);
    for (size_t i = 0; i < N; i++) {
        assert_true(gh_breach_contains_sha1(idx, sha[i]));
    }
    gh_breach_close(idx);
    free(sha);
    test_dir_remove(&d);
}

static unsigned
files_in(const struct test_dir *d)
{
    DIR *dir = opendir(d->path);
    struct dirent *e;
    unsigned n = 0;

    assert_non_null(dir);
    while ((e = readdir(dir)) != NULL) {
        n += e->d_name[0] != '.' ? 1 : 0;
    }
    closedir(dir);
    return n;
}

static void
refused_or_stopped_imports_keep_the_old_index(void **state)
{
    struct test_dir d;
    char good[PATH_MAX], bad[PATH_MAX], out[PATH_MAX], hex[41], text[128];
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "good.txt", good);
    test_path(&d, "bad.txt", bad);
    test_path(&d, "breach.idx", out);
    sha1_hex("password", hex, true);
    snprintf(text, sizeof(text), "%s:1\n", hex);
    test_write_file(good, text, 0600);
    assert_gh(import_one(good, out, GH_BREACH_HIBP, &s, &res), GH_OK);

    /* A file in the wrong format: more bad lines than good, nothing published. */
    test_write_file(bad, "password\nletmein\n", 0600);
    memset(&s, 0, sizeof(s));
    s.stop_at_phase = -1;
    assert_gh(import_one(bad, out, GH_BREACH_HIBP, &s, &res), GH_E_INVALID);
    assert_int_equal(res.bad, 2);
    assert_int_equal(res.records, 0);

    /* Stopped while building, then while measuring: the old index stays. */
    for (int phase = GH_BREACH_BUILDING; phase <= GH_BREACH_MEASURING; phase++) {
        memset(&s, 0, sizeof(s));
        s.stop_at_phase = phase;
        assert_gh(import_one(bad, out, GH_BREACH_PLAIN, &s, &res), GH_E_INTERRUPTED);
    }
    assert_gh(gh_breach_open(out, &idx), GH_OK);
    assert_true(has(idx, "password"));
    assert_false(has(idx, "letmein"));
    gh_breach_close(idx);
    /* No temporary file is left behind: the three inputs and the index. */
    assert_int_equal(files_in(&d), 3);

    /* A missing input is an I/O error; the index stays. */
    test_path(&d, "missing.txt", bad);
    assert_gh(import_one(bad, out, GH_BREACH_HIBP, &s, &res), GH_E_IO);
    assert_gh(gh_breach_open(out, &idx), GH_OK);
    gh_breach_close(idx);
    test_dir_remove(&d);
}

/* Copies src to dst, changing byte at (or truncating to `at` when flip is 0). */
static void
damaged_copy(const char *src, const char *dst, size_t at, uint8_t flip)
{
    static char buf[1 << 16];
    size_t n = test_read_file(src, buf, sizeof(buf));
    int fd;

    assert_true(at < n);
    if (flip != 0) {
        buf[at] = (char)(buf[at] ^ flip);
    } else {
        n = at;
    }
    (void)unlink(dst);
    fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void
reader_refuses_damaged_files(void **state)
{
    struct test_dir d;
    char in[PATH_MAX], out[PATH_MAX], bad[PATH_MAX];
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "plain.txt", in);
    test_path(&d, "breach.idx", out);
    test_path(&d, "damaged.idx", bad);
    test_write_file(in, "one\ntwo\nthree\nfour\nfive\n", 0600);
    assert_gh(import_one(in, out, GH_BREACH_PLAIN, &s, &res), GH_OK);
    assert_gh(gh_breach_open(bad, &idx), GH_E_NOT_FOUND);
    assert_null(idx);
    damaged_copy(out, bad, (size_t)res.bytes - 2, 0); /* truncated */
    assert_gh(gh_breach_open(bad, &idx), GH_E_BREACH_INDEX);
    damaged_copy(out, bad, 100, 0); /* shorter than its header */
    assert_gh(gh_breach_open(bad, &idx), GH_E_BREACH_INDEX);
    damaged_copy(out, bad, 0, 0x20); /* magic */
    assert_gh(gh_breach_open(bad, &idx), GH_E_BREACH_INDEX);
    damaged_copy(out, bad, 16, 1); /* entries: caught by the checksum */
    assert_gh(gh_breach_open(bad, &idx), GH_E_BREACH_INDEX);
    damaged_copy(out, bad, GH_BRF_HEADER + 20, 1); /* a shard's segment length */
    assert_gh(gh_breach_open(bad, &idx), GH_E_BREACH_INDEX);
    /* A damaged fingerprint: the file opens (lookups may then miss), verify says so. */
    damaged_copy(out, bad, GH_BRF_HEADER + GH_BRF_ENTRY + 2, 0x55);
    assert_gh(gh_breach_open(bad, &idx), GH_OK);
    assert_gh(gh_breach_verify(idx), GH_E_BREACH_INDEX);
    gh_breach_close(idx);
    /* Not a regular file. */
    assert_gh(gh_breach_open(d.path, &idx), GH_E_BREACH_INDEX);
    test_dir_remove(&d);
}

static void
screen_adds_the_breached_reason(void **state)
{
    struct test_dir d;
    char in[PATH_MAX], out[PATH_MAX];
    const char *leaked = "my very own leaked passphrase";
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;
    struct gh_passphrase_report r;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "plain.txt", in);
    test_path(&d, "breach.idx", out);
    test_write_file(in, "my very own leaked passphrase\n", 0600);
    assert_gh(import_one(in, out, GH_BREACH_PLAIN, &s, &res), GH_OK);
    assert_gh(gh_breach_open(out, &idx), GH_OK);
    assert_gh(gh_passphrase_check(NULL, leaked, strlen(leaked), NULL, &r), GH_OK);
    assert_true(r.accept);
    assert_gh(gh_breach_screen(NULL, leaked, strlen(leaked), &r), GH_OK);
    assert_false(r.breach_checked);
    assert_true(r.accept);
    assert_gh(gh_breach_screen(idx, leaked, strlen(leaked), &r), GH_OK);
    assert_true(r.breach_checked);
    assert_false(r.accept);
    assert_true((r.reasons & (1u << GH_PP_BREACHED)) != 0);
    assert_non_null(strstr(r.message, "breach"));
    gh_breach_close(idx);
    test_dir_remove(&d);
}

/* Debian's john-data ships a common-password list ("#!comment:" lines, one empty entry). */
static void
john_password_list_is_refused_entirely(void **state)
{
    struct test_dir d;
    char out[PATH_MAX], line[256];
    struct seen s = {.stop_at_phase = -1};
    struct gh_breach_import_result res;
    struct gh_breach_index *idx;
    unsigned checked = 0;
    FILE *f;

    (void)state;
    if (!test_exists(JOHN_LIST)) {
        skip(); /* scripts/deps.sh installs john-data; a hand-run build may lack it */
    }
    test_dir_make(&d);
    test_path(&d, "breach.idx", out);
    assert_gh(import_one(JOHN_LIST, out, GH_BREACH_PLAIN, &s, &res), GH_OK);
    assert_int_equal(res.bad, 1); /* its empty "password" */
    assert_gh(gh_breach_open(out, &idx), GH_OK);
    f = fopen(JOHN_LIST, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '\0') {
            assert_true(has(idx, line));
            checked++;
        }
    }
    fclose(f);
    assert_int_equal(checked, res.records);
    assert_true(checked > 3000);
    gh_breach_close(idx);
    test_dir_remove(&d);
}

int
main(void)
{
#define T(fn) cmocka_unit_test(fn)
    const struct CMUnitTest tests[] = {
        T(filter_has_every_key_and_few_others),
        T(filter_builds_tiny_sets_and_drops_duplicates),
        T(filter_parameters_are_checked),
        T(sha1_matches_fips_vector),
        T(import_reads_the_pwned_passwords_format),
        T(import_reads_plain_lists),
        T(import_spills_runs_and_builds_shards),
        T(refused_or_stopped_imports_keep_the_old_index),
        T(reader_refuses_damaged_files),
        T(screen_adds_the_breached_reason),
        T(john_password_list_is_refused_entirely),
    };
#undef T

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("breach", tests, NULL, NULL);
}
