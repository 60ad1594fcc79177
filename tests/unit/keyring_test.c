/*
 * keyring_test.c -- lib/crypto/keyring.c: the master key file (creation, permissions, parsing,
 * atomic add and retire), sealing and opening secrets, lookup digests and check values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include "crypto/keyring.h"

#include "helpers.h"

#define SID_A "AC0123456789abcdef0123456789abcdef"
#define SID_B "AC0123456789abcdef0123456789abcdee"

struct fixture {
    struct test_dir dir;
    char key_path[PATH_MAX];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL) {
        return -1;
    }
    test_dir_make(&f->dir);
    test_path(&f->dir, "master.key", f->key_path);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    gh__alloc_fail_after(0);
    test_dir_remove(&f->dir);
    free(f);
    return 0;
}

/* The base64 of 32 bytes that all equal fill. */
static void
key_b64(unsigned char fill, char out[64])
{
    unsigned char raw[GH_MASTER_KEY_BYTES];

    memset(raw, fill, sizeof(raw));
    sodium_bin2base64(out, 64, raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
}

/* Writes a key file with keys id_i = ids[i], each filled with byte ids[i]. */
static void
write_key_file(const char *path, const uint32_t *ids, size_t n)
{
    char text[2048];
    size_t len = (size_t)snprintf(text, sizeof(text), "gatehouse-master-key-v1\n");

    for (size_t i = 0; i < n; i++) {
        char b64[64];

        key_b64((unsigned char)ids[i], b64);
        len +=
            (size_t)snprintf(text + len, sizeof(text) - len, "key %u %s\n", (unsigned)ids[i], b64);
        assert_true(len < sizeof(text));
    }
    test_write_file(path, text, 0600);
}

/* Copies tmpl into out with every "$K" replaced by key. */
static void
expand(const char *tmpl, const char *key, char *out, size_t cap)
{
    size_t len = 0;

    for (const char *p = tmpl; *p != '\0'; p++) {
        if (p[0] == '$' && p[1] == 'K') {
            len += (size_t)snprintf(out + len, cap - len, "%s", key);
            p++;
        } else {
            out[len++] = *p;
        }
        assert_true(len + 1 < cap);
    }
    out[len] = '\0';
}

static struct gh_keyring *
load_ok(const char *path)
{
    struct gh_keyring *kr = NULL;

    assert_gh(gh__keyring_load(path, &kr), GH_OK);
    assert_non_null(kr);
    return kr;
}

static void
assert_load_fails(const char *path, gh_err expected)
{
    struct gh_keyring *kr = (struct gh_keyring *)&kr; /* must be reset to NULL */

    assert_gh(gh__keyring_load(path, &kr), expected);
    assert_null(kr);
}

static size_t
count_key_lines(const char *path)
{
    char text[4096];
    size_t n = 0;

    test_read_file(path, text, sizeof(text));
    for (const char *p = text; (p = strstr(p, "\nkey ")) != NULL; p++) {
        n++;
    }
    return n;
}

/* ---- the file ---- */

static void
file_create_makes_a_0600_file_with_key_1(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    mode_t old = umask(0); /* a careless umask must not loosen the mode */
    gh_err rc = gh__keyring_file_create(f->key_path);
    char text[4096];

    umask(old);
    assert_gh(rc, GH_OK);
    assert_int_equal(test_mode_of(f->key_path), 0600);
    test_read_file(f->key_path, text, sizeof(text));
    assert_non_null(strstr(text, "\ngatehouse-master-key-v1\n"));
    assert_non_null(strstr(text, "\nkey 1 "));
    assert_int_equal(count_key_lines(f->key_path), 1);
    kr = load_ok(f->key_path);
    assert_true(gh__keyring_has(kr, 1));
    assert_false(gh__keyring_has(kr, 2));
    assert_int_equal(gh__keyring_newest(kr), 1);
    gh__keyring_free(kr);
}

static void
file_create_makes_a_new_key_each_time(void **state)
{
    struct fixture *f = *state;
    char other[PATH_MAX];
    char check_a[GH_KEY_CHECK_SIZE];
    char check_b[GH_KEY_CHECK_SIZE];
    struct gh_keyring *a;
    struct gh_keyring *b;

    test_path(&f->dir, "other.key", other);
    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    assert_gh(gh__keyring_file_create(other), GH_OK);
    a = load_ok(f->key_path);
    b = load_ok(other);
    assert_gh(gh__keyring_check_value(a, 1, check_a), GH_OK);
    assert_gh(gh__keyring_check_value(b, 1, check_b), GH_OK);
    assert_string_not_equal(check_a, check_b);
    gh__keyring_free(a);
    gh__keyring_free(b);
}

static void
file_create_refuses_an_existing_file(void **state)
{
    struct fixture *f = *state;
    char before[4096];
    char after[4096];
    char victim[PATH_MAX];
    char link_path[PATH_MAX];

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    test_read_file(f->key_path, before, sizeof(before));
    assert_gh(gh__keyring_file_create(f->key_path), GH_E_CONFLICT);
    test_read_file(f->key_path, after, sizeof(after));
    assert_string_equal(before, after);

    /* Nor does it write through a symbolic link planted at the path. */
    test_path(&f->dir, "victim", victim);
    test_path(&f->dir, "link.key", link_path);
    test_write_file(victim, "untouched\n", 0600);
    assert_int_equal(symlink(victim, link_path), 0);
    assert_true(gh__keyring_file_create(link_path) != GH_OK);
    test_read_file(victim, after, sizeof(after));
    assert_string_equal(after, "untouched\n");
}

static void
load_missing_file_is_not_found(void **state)
{
    struct fixture *f = *state;

    assert_load_fails(f->key_path, GH_E_NOT_FOUND);
}

static void
load_refuses_group_or_world_access(void **state)
{
    static const mode_t loose[] = {0640, 0604, 0620, 0602, 0610, 0601, 0644, 0660, 0666, 0700 | 04};
    struct fixture *f = *state;
    struct gh_keyring *kr;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    for (size_t i = 0; i < GH_ARRAY_LEN(loose); i++) {
        assert_int_equal(chmod(f->key_path, loose[i]), 0);
        assert_load_fails(f->key_path, GH_E_KEYFILE);
    }
    assert_int_equal(chmod(f->key_path, 0400), 0);
    kr = load_ok(f->key_path);
    gh__keyring_free(kr);
}

static void
load_refuses_symlinks_and_directories(void **state)
{
    struct fixture *f = *state;
    char link_path[PATH_MAX];
    char dir_path[PATH_MAX];

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    test_path(&f->dir, "link.key", link_path);
    assert_int_equal(symlink(f->key_path, link_path), 0);
    assert_load_fails(link_path, GH_E_KEYFILE);
    test_path(&f->dir, "dir.key", dir_path);
    assert_int_equal(mkdir(dir_path, 0700), 0);
    assert_load_fails(dir_path, GH_E_KEYFILE);
}

static void
load_refuses_malformed_files(void **state)
{
    struct fixture *f = *state;
    char k1[64];
    char short_key[64];
    char long_key[64];
    char text[8192];
    unsigned char raw[40];

    key_b64(1, k1);
    memset(raw, 7, sizeof(raw));
    sodium_bin2base64(short_key, sizeof(short_key), raw, 31, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(long_key, sizeof(long_key), raw, 33, sodium_base64_VARIANT_ORIGINAL);

    const struct {
        const char *what;
        const char *tmpl; /* $K: a well-formed key */
    } cases[] = {
        {"empty", ""},
        {"header only", "gatehouse-master-key-v1\n"},
        {"no header", "key 1 $K\n"},
        {"wrong header", "gatehouse-master-key-v2\nkey 1 $K\n"},
        {"header with a space", "gatehouse-master-key-v1 \nkey 1 $K\n"},
        {"key before header", "key 1 $K\ngatehouse-master-key-v1\n"},
        {"two headers", "gatehouse-master-key-v1\ngatehouse-master-key-v1\nkey 1 $K\n"},
        {"bad base64", "gatehouse-master-key-v1\nkey 1 !!notbase64!!\n"},
        {"unpadded base64",
         "gatehouse-master-key-v1\nkey 1 AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\n"},
        {"duplicate id", "gatehouse-master-key-v1\nkey 1 $K\nkey 1 $K\n"},
        {"id zero", "gatehouse-master-key-v1\nkey 0 $K\n"},
        {"id not a number", "gatehouse-master-key-v1\nkey one $K\n"},
        {"id with letters", "gatehouse-master-key-v1\nkey 1x $K\n"},
        {"negative id", "gatehouse-master-key-v1\nkey -1 $K\n"},
        {"id above 32 bits", "gatehouse-master-key-v1\nkey 4294967296 $K\n"},
        {"no id", "gatehouse-master-key-v1\nkey  $K\n"},
        {"no key", "gatehouse-master-key-v1\nkey 1\n"},
        {"empty key", "gatehouse-master-key-v1\nkey 1 \n"},
        {"wrong keyword", "gatehouse-master-key-v1\nkeys 1 $K\n"},
        {"trailing field", "gatehouse-master-key-v1\nkey 1 $K extra\n"},
        {"CRLF", "gatehouse-master-key-v1\r\nkey 1 $K\r\n"},
        {"key with CR", "gatehouse-master-key-v1\nkey 1 $K\r\n"},
        {"good then bad", "gatehouse-master-key-v1\nkey 1 $K\nkey 2 x$K\n"},
    };

    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        struct gh_keyring *kr = NULL;
        gh_err rc;

        expand(cases[i].tmpl, k1, text, sizeof(text));
        test_write_file(f->key_path, text, 0600);
        rc = gh__keyring_load(f->key_path, &kr);
        if (rc != GH_E_KEYFILE || kr != NULL) {
            gh__keyring_free(kr);
            fail_msg("key file with %s: %s, not GH_E_KEYFILE", cases[i].what, gh_err_name(rc));
        }
    }

    /* 31 and 33 bytes of key material. */
    snprintf(text, sizeof(text), "gatehouse-master-key-v1\nkey 1 %s\n", short_key);
    test_write_file(f->key_path, text, 0600);
    assert_load_fails(f->key_path, GH_E_KEYFILE);
    snprintf(text, sizeof(text), "gatehouse-master-key-v1\nkey 1 %s\n", long_key);
    test_write_file(f->key_path, text, 0600);
    assert_load_fails(f->key_path, GH_E_KEYFILE);

    /* More keys than a ring holds. */
    const uint32_t nine[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    write_key_file(f->key_path, nine, 9);
    assert_load_fails(f->key_path, GH_E_KEYFILE);

    /* A file too large to be a key file. */
    memset(text, '#', 5000);
    snprintf(text + 5000, sizeof(text) - 5000, "\ngatehouse-master-key-v1\nkey 1 %s\n", k1);
    test_write_file(f->key_path, text, 0600);
    assert_load_fails(f->key_path, GH_E_KEYFILE);
}

static void
load_accepts_comments_blank_lines_and_several_keys(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    char k1[64];
    char k7[64];
    char text[1024];

    key_b64(1, k1);
    key_b64(7, k7);
    snprintf(text, sizeof(text),
             "# a comment\n\n# another\ngatehouse-master-key-v1\n\nkey 1 %s\n# between\nkey 7 %s",
             k1, k7); /* no final newline */
    test_write_file(f->key_path, text, 0600);
    kr = load_ok(f->key_path);
    assert_true(gh__keyring_has(kr, 1));
    assert_true(gh__keyring_has(kr, 7));
    assert_false(gh__keyring_has(kr, 2));
    assert_false(gh__keyring_has(kr, 0));
    assert_int_equal(gh__keyring_newest(kr), 7);
    gh__keyring_free(kr);
}

static void
load_reports_allocation_failure(void **state)
{
    struct fixture *f = *state;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    gh__alloc_fail_after(1);
    assert_load_fails(f->key_path, GH_E_NOMEM);
}

static void
null_ring_holds_nothing(void **state)
{
    (void)state;
    gh__keyring_free(NULL);
    assert_false(gh__keyring_has(NULL, 1));
    assert_int_equal(gh__keyring_newest(NULL), 0);
}

/* ---- sealing ---- */

struct sealed {
    uint8_t ct[GH_SEALED_MAX];
    size_t len;
};

static void
seal_ok(const struct gh_keyring *kr, uint32_t id, const char *ad, const char *pt,
        struct sealed *out)
{
    assert_gh(gh__keyring_seal(kr, id, ad, pt, strlen(pt), out->ct, sizeof(out->ct), &out->len),
              GH_OK);
    assert_int_equal(out->len, strlen(pt) + GH_SEALED_OVERHEAD);
}

static gh_err
open_into(const struct gh_keyring *kr, uint32_t id, const char *ad, const struct sealed *s,
          char *pt, size_t cap, size_t *pt_len)
{
    return gh__keyring_open(kr, id, ad, s->ct, s->len, pt, cap, pt_len);
}

static void
assert_open_refused(const struct gh_keyring *kr, uint32_t id, const char *ad,
                    const struct sealed *s)
{
    char pt[GH_SEALED_PLAIN_MAX];
    size_t len = 12345;

    assert_gh(open_into(kr, id, ad, s, pt, sizeof(pt), &len), GH_E_CRYPTO);
    assert_int_equal(len, 0);
}

static void
seal_open_round_trip(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    struct sealed a;
    struct sealed b;
    char pt[GH_SEALED_PLAIN_MAX + 1];
    char max[GH_SEALED_PLAIN_MAX + 1];
    size_t len = 0;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    seal_ok(kr, 1, SID_A, "0123456789abcdef0123456789abcdef", &a);
    assert_gh(open_into(kr, 1, SID_A, &a, pt, sizeof(pt), &len), GH_OK);
    assert_int_equal(len, 32);
    assert_memory_equal(pt, "0123456789abcdef0123456789abcdef", 32);
    /* The same secret seals differently each time (a fresh nonce). */
    seal_ok(kr, 1, SID_A, "0123456789abcdef0123456789abcdef", &b);
    assert_memory_not_equal(a.ct, b.ct, a.len);
    /* The empty secret and the longest one. */
    seal_ok(kr, 1, SID_A, "", &a);
    assert_gh(open_into(kr, 1, SID_A, &a, pt, sizeof(pt), &len), GH_OK);
    assert_int_equal(len, 0);
    memset(max, 'm', GH_SEALED_PLAIN_MAX);
    max[GH_SEALED_PLAIN_MAX] = '\0';
    seal_ok(kr, 1, SID_A, max, &a);
    assert_gh(open_into(kr, 1, SID_A, &a, pt, GH_SEALED_PLAIN_MAX, &len), GH_OK);
    assert_int_equal(len, GH_SEALED_PLAIN_MAX);
    assert_memory_equal(pt, max, GH_SEALED_PLAIN_MAX);
    gh__keyring_free(kr);
}

static void
seal_refuses_oversized_input_and_small_output(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    uint8_t out[GH_SEALED_MAX + 8];
    char big[GH_SEALED_PLAIN_MAX + 1];
    size_t len = 99;

    memset(big, 'b', sizeof(big));
    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    assert_gh(gh__keyring_seal(kr, 1, SID_A, big, sizeof(big), out, sizeof(out), &len),
              GH_E_INVALID);
    assert_int_equal(len, 0);
    assert_gh(gh__keyring_seal(kr, 1, SID_A, big, 10, out, 10 + GH_SEALED_OVERHEAD - 1, &len),
              GH_E_INVALID);
    assert_gh(gh__keyring_seal(kr, 1, SID_A, big, 10, out, 10 + GH_SEALED_OVERHEAD, &len), GH_OK);
    assert_gh(gh__keyring_seal(kr, 2, SID_A, big, 10, out, sizeof(out), &len), GH_E_CRYPTO);
    assert_int_equal(len, 0);
    gh__keyring_free(kr);
}

static void
open_refuses_wrong_associated_data(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    struct sealed s;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    seal_ok(kr, 1, SID_A, "token", &s);
    assert_open_refused(kr, 1, SID_B, &s);
    assert_open_refused(kr, 1, "AC0123456789ABCDEF0123456789ABCDEF", &s);
    assert_open_refused(kr, 1, "", &s);
    assert_open_refused(kr, 1, SID_A "0", &s);
    gh__keyring_free(kr);
}

static void
open_refuses_tampered_ciphertext(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    struct sealed s;
    struct sealed t;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    seal_ok(kr, 1, SID_A, "0123456789abcdef0123456789abcdef", &s);
    /* One flipped bit anywhere: nonce, ciphertext or tag. */
    for (size_t i = 0; i < s.len; i++) {
        t = s;
        t.ct[i] ^= 0x01;
        assert_open_refused(kr, 1, SID_A, &t);
    }
    /* Truncated, or with a byte appended. */
    for (size_t cut = 0; cut < s.len; cut += 7) {
        t = s;
        t.len = cut;
        assert_open_refused(kr, 1, SID_A, &t);
    }
    t = s;
    t.len = s.len - 1;
    assert_open_refused(kr, 1, SID_A, &t);
    t = s;
    t.ct[t.len++] = 0;
    assert_open_refused(kr, 1, SID_A, &t);
    gh__keyring_free(kr);
}

static void
open_refuses_unknown_or_other_key(void **state)
{
    struct fixture *f = *state;
    char other[PATH_MAX];
    struct gh_keyring *a;
    struct gh_keyring *b;
    struct sealed s;

    test_path(&f->dir, "other.key", other);
    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    assert_gh(gh__keyring_file_create(other), GH_OK);
    a = load_ok(f->key_path);
    b = load_ok(other);
    seal_ok(a, 1, SID_A, "token", &s);
    assert_open_refused(a, 2, SID_A, &s); /* no key 2 in the ring */
    assert_open_refused(a, 0, SID_A, &s);
    assert_open_refused(b, 1, SID_A, &s); /* a different key with the same id */
    gh__keyring_free(a);
    gh__keyring_free(b);
}

static void
open_refuses_small_output(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    struct sealed s;
    char pt[GH_SEALED_PLAIN_MAX];
    size_t len = 0;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    seal_ok(kr, 1, SID_A, "0123456789", &s);
    assert_gh(open_into(kr, 1, SID_A, &s, pt, 9, &len), GH_E_CRYPTO);
    assert_gh(open_into(kr, 1, SID_A, &s, pt, 10, &len), GH_OK);
    assert_int_equal(len, 10);
    gh__keyring_free(kr);
}

/* ---- lookup digests ---- */

static void
lookup(const struct gh_keyring *kr, uint32_t id, const char *sid, const char *secret,
       uint8_t out[GH_LOOKUP_BYTES])
{
    assert_gh(gh__keyring_lookup(kr, id, sid, secret, strlen(secret), out), GH_OK);
}

static void
lookup_is_deterministic_and_separated(void **state)
{
    struct fixture *f = *state;
    char other[PATH_MAX];
    struct gh_keyring *a;
    struct gh_keyring *b;
    uint8_t d1[GH_LOOKUP_BYTES];
    uint8_t d2[GH_LOOKUP_BYTES];
    const uint32_t two[] = {1, 2};

    test_path(&f->dir, "other.key", other);
    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    assert_gh(gh__keyring_file_create(other), GH_OK);
    a = load_ok(f->key_path);
    b = load_ok(other);

    lookup(a, 1, SID_A, "secret", d1);
    lookup(a, 1, SID_A, "secret", d2);
    assert_memory_equal(d1, d2, sizeof(d1));
    lookup(a, 1, SID_B, "secret", d2); /* another SID */
    assert_memory_not_equal(d1, d2, sizeof(d1));
    lookup(a, 1, SID_A, "secreT", d2); /* another secret */
    assert_memory_not_equal(d1, d2, sizeof(d1));
    lookup(b, 1, SID_A, "secret", d2); /* another key */
    assert_memory_not_equal(d1, d2, sizeof(d1));
    /* Moving bytes between the SID and the secret changes the digest. */
    lookup(a, 1, "AC1", "23", d1);
    lookup(a, 1, "AC12", "3", d2);
    assert_memory_not_equal(d1, d2, sizeof(d1));
    assert_gh(gh__keyring_lookup(a, 2, SID_A, "secret", 6, d1), GH_E_CRYPTO);
    gh__keyring_free(a);
    gh__keyring_free(b);

    /* Two keys of one ring give different digests. */
    write_key_file(f->key_path, two, 2);
    a = load_ok(f->key_path);
    lookup(a, 1, SID_A, "secret", d1);
    lookup(a, 2, SID_A, "secret", d2);
    assert_memory_not_equal(d1, d2, sizeof(d1));
    gh__keyring_free(a);
}

/* ---- check values ---- */

static void
check_value_matches_its_own_key_only(void **state)
{
    struct fixture *f = *state;
    char other[PATH_MAX];
    struct gh_keyring *a;
    struct gh_keyring *b;
    char ca[GH_KEY_CHECK_SIZE];
    char cb[GH_KEY_CHECK_SIZE];
    char again[GH_KEY_CHECK_SIZE];
    uint32_t id = 77;

    test_path(&f->dir, "other.key", other);
    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    assert_gh(gh__keyring_file_create(other), GH_OK);
    a = load_ok(f->key_path);
    b = load_ok(other);
    assert_gh(gh__keyring_check_value(a, 1, ca), GH_OK);
    assert_gh(gh__keyring_check_value(a, 1, again), GH_OK);
    assert_gh(gh__keyring_check_value(b, 1, cb), GH_OK);
    assert_string_equal(ca, again);
    assert_string_not_equal(ca, cb);
    assert_int_equal(strlen(ca), 2 + 64);
    assert_memory_equal(ca, "1:", 2);

    assert_gh(gh__keyring_check_match(a, ca, &id), GH_OK);
    assert_int_equal(id, 1);
    id = 77;
    assert_gh(gh__keyring_check_match(b, ca, &id), GH_E_WRONG_KEY);
    assert_int_equal(id, 0);
    assert_gh(gh__keyring_check_value(a, 2, again), GH_E_CRYPTO);
    assert_string_equal(again, "");
    gh__keyring_free(a);
    gh__keyring_free(b);
}

static void
check_match_refuses_malformed_values(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *kr;
    char good[GH_KEY_CHECK_SIZE];
    char bad[GH_KEY_CHECK_SIZE + 8];
    uint32_t id = 0;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    assert_gh(gh__keyring_check_value(kr, 1, good), GH_OK);

    const char *const fixed[] = {
        "", "1", "1:", ":", "x:00", "0:00", "2:00", "-1:00", "4294967297:00", " 1:00"};
    for (size_t i = 0; i < GH_ARRAY_LEN(fixed); i++) {
        assert_gh(gh__keyring_check_match(kr, fixed[i], &id), GH_E_WRONG_KEY);
    }
    /* Truncated, extended, one digit changed, upper-case, leading zero or sign on the id. */
    snprintf(bad, sizeof(bad), "%.*s", (int)strlen(good) - 1, good);
    assert_gh(gh__keyring_check_match(kr, bad, &id), GH_E_WRONG_KEY);
    snprintf(bad, sizeof(bad), "%s0", good);
    assert_gh(gh__keyring_check_match(kr, bad, &id), GH_E_WRONG_KEY);
    snprintf(bad, sizeof(bad), "%s", good);
    bad[10] = bad[10] == '0' ? '1' : '0';
    assert_gh(gh__keyring_check_match(kr, bad, &id), GH_E_WRONG_KEY);
    snprintf(bad, sizeof(bad), "%s", good);
    for (char *p = bad; *p != '\0'; p++) {
        *p = (*p >= 'a' && *p <= 'f') ? (char)(*p - 'a' + 'A') : *p;
    }
    if (strcmp(bad, good) != 0) {
        assert_gh(gh__keyring_check_match(kr, bad, &id), GH_E_WRONG_KEY);
    }
    snprintf(bad, sizeof(bad), "0%s", good);
    assert_gh(gh__keyring_check_match(kr, bad, &id), GH_E_WRONG_KEY);
    snprintf(bad, sizeof(bad), "+%s", good);
    assert_gh(gh__keyring_check_match(kr, bad, &id), GH_E_WRONG_KEY);
    assert_int_equal(id, 0);
    gh__keyring_free(kr);
}

/* ---- adding and retiring keys ---- */

/* The text form ($GATEHOUSE_MASTER_KEY) holds the same keys as the file it was exported from. */
static void
export_and_load_text_round_trip(void **state)
{
    struct fixture *f = *state;
    struct gh_keyring *from_file = NULL;
    struct gh_keyring *from_text = NULL;
    uint8_t a[GH_LOOKUP_BYTES];
    uint8_t b[GH_LOOKUP_BYTES];
    char text[512];
    uint32_t id = 0;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_OK);
    assert_gh(gh__keyring_file_export(f->key_path, text, sizeof(text)), GH_OK);
    assert_non_null(strstr(text, "1:"));
    assert_non_null(strstr(text, ",2:"));
    from_file = load_ok(f->key_path);
    assert_gh(gh__keyring_load_text(text, &from_text), GH_OK);
    for (uint32_t k = 1; k <= 2; k++) {
        assert_true(gh__keyring_has(from_text, k));
        assert_gh(gh__keyring_lookup(from_file, k, "SKx", "secret", 6, a), GH_OK);
        assert_gh(gh__keyring_lookup(from_text, k, "SKx", "secret", 6, b), GH_OK);
        assert_memory_equal(a, b, sizeof(a));
    }
    assert_gh(gh__keyring_file_export(f->key_path, text, 20), GH_E_LIMIT); /* too small */
    gh__keyring_free(from_file);
    gh__keyring_free(from_text);
}

static void
load_text_refuses_malformed_keys(void **state)
{
    static const char *const bad[] = {
        "",
        "1",
        "1:",
        "0:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "1:AAAA",
        "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,",
        "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,1:"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "x:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        /* regressions found by tests/fuzz/keyring_text: strtoul skipped ' ' and '+', and
         * libsodium 1.0.18 read high bytes as '/' */
        " 1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "+1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x80=",
    };
    struct gh_keyring *kr = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_gh(gh__keyring_load_text(bad[i], &kr), GH_E_KEYFILE);
        assert_null(kr);
    }
    assert_gh(gh__keyring_load_text(NULL, &kr), GH_E_KEYFILE);
    assert_gh(gh__keyring_load_text("7:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &kr), GH_OK);
    assert_true(gh__keyring_has(kr, 7));
    gh__keyring_free(kr);
}

static void
file_add_then_retain(void **state)
{
    struct fixture *f = *state;
    char tmp[PATH_MAX];
    struct gh_keyring *kr;
    struct sealed under1;
    struct sealed under2;
    char pt[GH_SEALED_PLAIN_MAX];
    size_t len = 0;
    uint32_t id = 0;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    kr = load_ok(f->key_path);
    seal_ok(kr, 1, SID_A, "old secret", &under1);
    gh__keyring_free(kr);

    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_OK);
    assert_int_equal(id, 2);
    assert_int_equal(test_mode_of(f->key_path), 0600);
    assert_int_equal(count_key_lines(f->key_path), 2);
    test_path(&f->dir, "master.key.tmp", tmp);
    assert_false(test_exists(tmp));
    kr = load_ok(f->key_path);
    assert_true(gh__keyring_has(kr, 1));
    assert_true(gh__keyring_has(kr, 2));
    assert_int_equal(gh__keyring_newest(kr), 2);
    assert_gh(open_into(kr, 1, SID_A, &under1, pt, sizeof(pt), &len), GH_OK); /* key 1 kept */
    seal_ok(kr, 2, SID_A, "new secret", &under2);
    gh__keyring_free(kr);

    assert_gh(gh__keyring_file_retain(f->key_path, 2), GH_OK);
    assert_int_equal(test_mode_of(f->key_path), 0600);
    assert_int_equal(count_key_lines(f->key_path), 1);
    assert_false(test_exists(tmp));
    kr = load_ok(f->key_path);
    assert_false(gh__keyring_has(kr, 1));
    assert_true(gh__keyring_has(kr, 2));
    assert_gh(open_into(kr, 2, SID_A, &under2, pt, sizeof(pt), &len), GH_OK);
    assert_memory_equal(pt, "new secret", len);
    assert_open_refused(kr, 1, SID_A, &under1);
    gh__keyring_free(kr);

    /* The next key after 2 is 3, even though 1 is gone. */
    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_OK);
    assert_int_equal(id, 3);
}

static void
file_add_replaces_a_stale_temporary_file(void **state)
{
    struct fixture *f = *state;
    char tmp[PATH_MAX];
    uint32_t id = 0;

    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    test_path(&f->dir, "master.key.tmp", tmp);
    test_write_file(tmp, "left by a crash\n", 0644);
    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_OK);
    assert_int_equal(id, 2);
    assert_false(test_exists(tmp));
    assert_int_equal(test_mode_of(f->key_path), 0600);
}

static void
file_add_refuses_a_full_ring(void **state)
{
    static const uint32_t eight[] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct fixture *f = *state;
    char before[4096];
    char after[4096];
    uint32_t id = 99;

    write_key_file(f->key_path, eight, 8);
    test_read_file(f->key_path, before, sizeof(before));
    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_E_LIMIT);
    assert_int_equal(id, 0);
    test_read_file(f->key_path, after, sizeof(after));
    assert_string_equal(before, after);
}

static void
file_add_and_retain_refuse_bad_files_and_ids(void **state)
{
    struct fixture *f = *state;
    char before[4096];
    char after[4096];
    uint32_t id = 99;

    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_E_NOT_FOUND);
    assert_int_equal(id, 0);
    assert_gh(gh__keyring_file_retain(f->key_path, 1), GH_E_NOT_FOUND);
    assert_gh(gh__keyring_file_create(f->key_path), GH_OK);
    test_read_file(f->key_path, before, sizeof(before));
    assert_gh(gh__keyring_file_retain(f->key_path, 2), GH_E_NOT_FOUND);
    test_read_file(f->key_path, after, sizeof(after));
    assert_string_equal(before, after);
    assert_int_equal(chmod(f->key_path, 0644), 0);
    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_E_KEYFILE);
    assert_gh(gh__keyring_file_retain(f->key_path, 1), GH_E_KEYFILE);
}

/*
 * Regression (lib/crypto/keyring.c, gh__keyring_file_add): the new id was max + 1 in uint32_t,
 * so a file holding id 4294967295 got a key with id 0, which gh__keyring_load refuses.  Ids never
 * wrap: the add is refused and the file stays loadable.
 */
static void
file_add_refuses_to_wrap_the_id(void **state)
{
    static const uint32_t top[] = {UINT32_MAX};
    struct fixture *f = *state;
    struct gh_keyring *kr = NULL;
    uint32_t id = 7;

    write_key_file(f->key_path, top, 1);
    assert_gh(gh__keyring_file_add(f->key_path, &id), GH_E_LIMIT);
    assert_int_equal(id, 0);
    kr = load_ok(f->key_path);
    assert_true(gh__keyring_has(kr, UINT32_MAX));
    gh__keyring_free(kr);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(file_create_makes_a_0600_file_with_key_1),
        T(file_create_makes_a_new_key_each_time),
        T(file_create_refuses_an_existing_file),
        T(load_missing_file_is_not_found),
        T(load_refuses_group_or_world_access),
        T(load_refuses_symlinks_and_directories),
        T(load_refuses_malformed_files),
        T(load_accepts_comments_blank_lines_and_several_keys),
        T(load_reports_allocation_failure),
        T(null_ring_holds_nothing),
        T(seal_open_round_trip),
        T(seal_refuses_oversized_input_and_small_output),
        T(open_refuses_wrong_associated_data),
        T(open_refuses_tampered_ciphertext),
        T(open_refuses_unknown_or_other_key),
        T(open_refuses_small_output),
        T(lookup_is_deterministic_and_separated),
        T(check_value_matches_its_own_key_only),
        T(check_match_refuses_malformed_values),
        T(export_and_load_text_round_trip),
        T(load_text_refuses_malformed_keys),
        T(file_add_then_retain),
        T(file_add_replaces_a_stale_temporary_file),
        T(file_add_refuses_a_full_ring),
        T(file_add_and_retain_refuse_bad_files_and_ids),
        T(file_add_refuses_to_wrap_the_id),
    };
#undef T

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("keyring", tests, NULL, NULL);
}
