/*
 * pwhash_test.c -- lib/crypto/pwhash.c: the Argon2id vectors of ../shared/vectors/argon2id.json,
 * the floor, rehashing, the dummy hash (counted, never timed), the bounded pool and input limits.
 *
 * Every hash here runs at the floor (19 MiB, t = 2) or at a vector's own parameters, and there
 * are few of them, so the suite stays quick under valgrind.  The vectors file is found through
 * $GATEHOUSE_VECTORS (a folder) or else from this file's path: <repo>/../shared/vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <sys/resource.h>

#include "internal.h"

#include "crypto/pwhash_pool.h"

#include "helpers.h"

#define FLOOR_PREFIX    "$argon2id$v=19$m=19456,t=2,p=1$"
#define VECTOR_PASS_MAX (GH_PASSPHRASE_MAX_BYTES + 1)

/* ---- the vectors file, read with a small JSON scanner (no escapes in the fields we read) ---- */

struct vector {
    char encoded[GH_PWHASH_STR_SIZE];
    char pass[VECTOR_PASS_MAX];
    size_t pass_len;
    char tag_hex[65];
    char salt[17];
    unsigned t, m_kib;
};

static char *vectors_json;

/* <build root>/<__FILE__> when __FILE__ is relative (Meson compiles from the build root). */

static const char *
skip_string(const char *s)
{
    for (s++; *s != '"'; s++) {
        assert_true(*s != '\0');
        s += *s == '\\';
    }
    return s + 1;
}

/* One past the ']' or '}' that closes the '[' or '{' at s. */
static const char *
closing(const char *s)
{
    int depth = 0;

    for (;;) {
        assert_true(*s != '\0');
        if (*s == '"') {
            s = skip_string(s);
            continue;
        }
        depth += (*s == '[' || *s == '{') - (*s == ']' || *s == '}');
        s++;
        if (depth == 0) {
            return s;
        }
    }
}

/* The '[' of the array named key, searched from s. */
static const char *
array_of(const char *s, const char *key)
{
    s = strstr(s, key);
    assert_non_null(s);
    s = strchr(s, '[');
    assert_non_null(s);
    return s;
}

/* Copies the string field "name" of the object [obj, end) into out; false when absent. */
static bool
field(const char *obj, const char *end, const char *name, char *out, size_t cap)
{
    char quoted[32];
    const char *p, *q;

    assert_true((size_t)snprintf(quoted, sizeof(quoted), "\"%s\"", name) < sizeof(quoted));
    p = strstr(obj, quoted);
    if (p == NULL || p >= end) {
        return false;
    }
    p = strchr(p + strlen(quoted), '"');
    assert_non_null(p);
    q = strchr(p + 1, '"');
    assert_true(q != NULL && (size_t)(q - p - 1) < cap);
    memcpy(out, p + 1, (size_t)(q - p - 1));
    out[q - p - 1] = '\0';
    assert_null(memchr(out, '\\', strlen(out)));
    return true;
}

/* The number field "name" of [obj, end). */
static unsigned
number(const char *obj, const char *end, const char *name)
{
    char quoted[32];
    const char *p;

    assert_true((size_t)snprintf(quoted, sizeof(quoted), "\"%s\":", name) < sizeof(quoted));
    p = strstr(obj, quoted);
    assert_true(p != NULL && p < end);
    return (unsigned)strtoul(p + strlen(quoted), NULL, 10);
}

/* Reads up to cap objects of the array at arr into v; returns how many. */
static size_t
read_vectors(const char *arr, struct vector *v, size_t cap)
{
    const char *end = closing(arr), *obj, *obj_end;
    char hex[2 * VECTOR_PASS_MAX + 1];
    size_t n = 0;

    for (obj = strchr(arr, '{'); obj != NULL && obj < end; obj = strchr(obj_end, '{')) {
        assert_true(n < cap);
        obj_end = closing(obj);
        memset(&v[n], 0, sizeof(v[n]));
        assert_true(field(obj, obj_end, "encoded", v[n].encoded, sizeof(v[n].encoded)));
        if (field(obj, obj_end, "password_hex", hex, sizeof(hex))) {
            assert_int_equal(sodium_hex2bin((unsigned char *)v[n].pass, sizeof(v[n].pass), hex,
                                            strlen(hex), NULL, &v[n].pass_len, NULL),
                             0);
            assert_true(field(obj, obj_end, "salt_ascii", v[n].salt, sizeof(v[n].salt)));
            assert_true(field(obj, obj_end, "tag_hex", v[n].tag_hex, sizeof(v[n].tag_hex)));
            v[n].t = number(obj, obj_end, "t");
            v[n].m_kib = number(obj, obj_end, "m_kib");
        } else {
            assert_true(field(obj, obj_end, "password", v[n].pass, sizeof(v[n].pass)));
            v[n].pass_len = strlen(v[n].pass);
        }
        n++;
    }
    return n;
}

static void
load_vectors(void)
{
    char path[PATH_MAX];
    FILE *f;
    long size;

    test_vectors_path("argon2id.json", path);
    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s (set GATEHOUSE_VECTORS to its folder)", path);
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    vectors_json = calloc(1, (size_t)size + 1);
    assert_non_null(vectors_json);
    assert_int_equal(fread(vectors_json, 1, (size_t)size, f), (size_t)size);
    fclose(f);
}

/* ---- one hasher at the floor, shared by the tests (each new hasher costs a hash) ---- */

static struct gh_pwhasher *
floor_hasher(unsigned max_concurrent)
{
    struct gh_pwhash_params p = {GH_PWHASH_OPS_FLOOR, GH_PWHASH_MEM_FLOOR, max_concurrent};
    struct gh_pwhasher *h = NULL;

    assert_gh(gh_pwhash_new(&p, &h), GH_OK);
    return h;
}

static int
setup(void **state)
{
    load_vectors();
    *state = floor_hasher(0);
    return 0;
}

static int
teardown(void **state)
{
    gh_pwhash_free(*state);
    free(vectors_json);
    vectors_json = NULL;
    return 0;
}

/* Verifies and checks that it cost exactly one computation. */
static gh_err
verify_once(struct gh_pwhasher *h, const char *stored, const char *pass, size_t len, bool *rehash)
{
    unsigned long before = gh_pwhash_count();
    gh_err rc = gh_pwhash_verify(h, stored, pass, len, rehash);

    assert_int_equal(gh_pwhash_count() - before, 1);
    return rc;
}

/* ---- the vectors ---- */

/* The reference implementation's PHC strings verify, and all are weaker than ours: rehash. */
static void
reference_strings_verify(void **state)
{
    struct gh_pwhasher *h = *state;
    struct vector v[8];
    size_t n = read_vectors(array_of(vectors_json, "\"reference_phc_strings\""), v, 8);
    bool rehash;

    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        rehash = false;
        assert_gh(verify_once(h, v[i].encoded, v[i].pass, v[i].pass_len, &rehash), GH_OK);
        assert_true(rehash);
    }
}

/*
 * Byte-exact: libsodium's raw Argon2id gives each tag, each string verifies, and no input
 * verifies against its neighbour's string (NFC/NFD, NUL/prefix, 1024/1023/72 bytes differ).
 * The 1024-byte passphrase is GH_PASSPHRASE_MAX_BYTES: accepted.  (RFC 9106's vector needs
 * Argon2's secret and associated data, which crypto_pwhash does not take.)
 */
static void
edge_inputs_are_byte_exact(void **state)
{
    struct gh_pwhasher *h = *state;
    const char *arr = array_of(strstr(vectors_json, "\"derived_edge_inputs\""), "\"vectors\"");
    struct vector v[8];
    unsigned char tag[32];
    char tag_hex[65];
    size_t n = read_vectors(arr, v, 8), j;

    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(v[i].salt), crypto_pwhash_SALTBYTES);
        assert_int_equal(crypto_pwhash(tag, sizeof(tag), v[i].pass, v[i].pass_len,
                                       (const unsigned char *)v[i].salt, v[i].t,
                                       (size_t)v[i].m_kib * 1024, crypto_pwhash_ALG_ARGON2ID13),
                         0);
        sodium_bin2hex(tag_hex, sizeof(tag_hex), tag, sizeof(tag));
        assert_string_equal(tag_hex, v[i].tag_hex);
        assert_gh(verify_once(h, v[i].encoded, v[i].pass, v[i].pass_len, NULL), GH_OK);
        j = (i + 1) % n;
        assert_gh(verify_once(h, v[i].encoded, v[j].pass, v[j].pass_len, NULL), GH_E_DENIED);
    }
}

/* Each string that must not verify is denied at the cost of one computation. */
static void
reject_strings_are_denied(void **state)
{
    struct gh_pwhasher *h = *state;
    struct vector v[8];
    size_t n = read_vectors(array_of(vectors_json, "\"encoded_string_rejects\""), v, 8);
    bool rehash;

    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        rehash = true;
        assert_gh(verify_once(h, v[i].encoded, v[i].pass, v[i].pass_len, &rehash), GH_E_DENIED);
        assert_false(rehash);
    }
}

/* ---- the hasher ---- */

static void
hash_verify_round_trip(void **state)
{
    static const char pass[] = "correct horse battery staple";
    struct gh_pwhasher *h = *state;
    char a[GH_PWHASH_STR_SIZE], b[GH_PWHASH_STR_SIZE];
    bool rehash = true;

    assert_gh(gh_pwhash_hash(h, pass, strlen(pass), a), GH_OK);
    assert_memory_equal(a, FLOOR_PREFIX, strlen(FLOOR_PREFIX));
    assert_gh(verify_once(h, a, pass, strlen(pass), &rehash), GH_OK);
    assert_false(rehash);
    rehash = true;
    assert_gh(verify_once(h, a, "correct horse battery stapler", strlen(pass) + 1, &rehash),
              GH_E_DENIED);
    assert_false(rehash);
    assert_gh(gh_pwhash_hash(h, pass, strlen(pass), b), GH_OK);
    assert_string_not_equal(a, b); /* a fresh salt each time */
}

static void
parameters_below_the_floor_are_raised(void **state)
{
    struct gh_pwhash_params low = {1, 1u << 20, 3}, odd = {2, GH_PWHASH_MEM_FLOOR + 100, 1};
    struct gh_pwhash_params huge = {(uint64_t)crypto_pwhash_OPSLIMIT_MAX + 1, 0, 1};
    struct gh_pwhash_params got;
    struct gh_pwhasher *h = NULL;
    char s[GH_PWHASH_STR_SIZE];
    unsigned long before;

    (void)state;
    assert_gh(gh_pwhash_new(&low, &h), GH_OK);
    gh_pwhash_params_of(h, &got);
    assert_int_equal(got.opslimit, GH_PWHASH_OPS_FLOOR);
    assert_int_equal(got.memlimit, GH_PWHASH_MEM_FLOOR);
    assert_int_equal(got.max_concurrent, 3);
    assert_gh(gh_pwhash_hash(h, "x", 1, s), GH_OK);
    assert_memory_equal(s, FLOOR_PREFIX, strlen(FLOOR_PREFIX));
    gh_pwhash_free(h);

    assert_gh(gh_pwhash_new(&odd, &h), GH_OK); /* memory in whole KiB, as the string says */
    gh_pwhash_params_of(h, &got);
    assert_int_equal(got.memlimit, GH_PWHASH_MEM_FLOOR);
    gh_pwhash_free(h);

    assert_gh(gh_pwhash_new(NULL, &h), GH_OK); /* the defaults: INTERACTIVE, one per CPU */
    gh_pwhash_params_of(h, &got);
    assert_int_equal(got.opslimit, 2);
    assert_int_equal(got.memlimit, 64u << 20);
    assert_int_equal(got.max_concurrent, (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
    gh_pwhash_free(h);

    before = gh_pwhash_count();
    assert_gh(gh_pwhash_new(&huge, &h), GH_E_INVALID);
    assert_null(h);
    assert_int_equal(gh_pwhash_count(), before);
}

/* A string made at the floor verifies under t = 3 and asks to be rehashed; under t = 2 not. */
static void
rehash_when_parameters_rose(void **state)
{
    struct gh_pwhash_params p3 = {3, GH_PWHASH_MEM_FLOOR, 0};
    struct gh_pwhasher *h = *state, *h3 = NULL;
    char s[GH_PWHASH_STR_SIZE];
    bool rehash = false;

    assert_gh(gh_pwhash_hash(h, "passphrase", 10, s), GH_OK);
    assert_gh(gh_pwhash_new(&p3, &h3), GH_OK);
    assert_gh(verify_once(h3, s, "passphrase", 10, &rehash), GH_OK);
    assert_true(rehash);
    assert_gh(verify_once(h, s, "passphrase", 10, &rehash), GH_OK);
    assert_false(rehash);
    gh_pwhash_free(h3);
}

/* The unknown-user path is counted, not timed: one computation, like a wrong passphrase. */
static void
unknown_user_costs_one_computation(void **state)
{
    struct gh_pwhasher *h = *state;
    char s[GH_PWHASH_STR_SIZE];
    bool rehash = true;

    assert_gh(gh_pwhash_hash(h, "right", 5, s), GH_OK);
    assert_gh(verify_once(h, s, "wrong", 5, &rehash), GH_E_DENIED);
    assert_false(rehash);
    rehash = true;
    assert_gh(verify_once(h, NULL, "wrong", 5, &rehash), GH_E_DENIED);
    assert_false(rehash);
    assert_gh(verify_once(h, NULL, "right", 5, NULL), GH_E_DENIED);
}

/*
 * Stored strings that are not Argon2id, are cut short, or would cost more than the cap are
 * denied, and each costs one (dummy) computation: never a crash, never a 2 GiB allocation (the
 * process's peak resident memory stays far below it).
 */
static void
malformed_stored_strings_are_denied(void **state)
{
    static const char *const bad[] = {
        "",
        "garbage",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        /* a genuine Argon2i string of "password": crypto_pwhash_str_verify would accept it */
        "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJ",
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNh",
        "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=2097152,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=100,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=00000065536,t=2,p=1$c29tZXNhbHQ$"
        "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRP",
    };
    struct gh_pwhasher *h = *state;
    char unterminated[GH_PWHASH_STR_SIZE + 8];
    struct rusage usage;
    bool rehash;

    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        rehash = true;
        assert_gh(verify_once(h, bad[i], "password", 8, &rehash), GH_E_DENIED);
        assert_false(rehash);
    }
    memset(unterminated, 'a', sizeof(unterminated) - 1); /* longer than any hash string */
    unterminated[sizeof(unterminated) - 1] = '\0';
    memcpy(unterminated, FLOOR_PREFIX, strlen(FLOOR_PREFIX));
    assert_gh(verify_once(h, unterminated, "password", 8, NULL), GH_E_DENIED);
    assert_int_equal(getrusage(RUSAGE_SELF, &usage), 0);
    assert_in_range(usage.ru_maxrss, 1, 1024 * 1024); /* KiB */
}

/* ---- limits ---- */

/* Refused fast: GH_E_INVALID before any computation, so the count does not move. */
static void
overlong_passphrase_is_refused_without_hashing(void **state)
{
    static const char stored[] =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    struct gh_pwhasher *h = *state;
    char pass[GH_PASSPHRASE_MAX_BYTES + 1], out[GH_PWHASH_STR_SIZE];
    unsigned long before = gh_pwhash_count();

    memset(pass, 'a', sizeof(pass));
    memset(out, 'x', sizeof(out));
    assert_gh(gh_pwhash_hash(h, pass, sizeof(pass), out), GH_E_INVALID);
    assert_string_equal(out, "");
    assert_gh(gh_pwhash_verify(h, stored, pass, sizeof(pass), NULL), GH_E_INVALID);
    assert_gh(gh_pwhash_verify(h, NULL, pass, sizeof(pass), NULL), GH_E_INVALID);
    assert_int_equal(gh_pwhash_count(), before);
}

static void
null_arguments_are_invalid(void **state)
{
    struct gh_pwhasher *h = *state;
    struct gh_pwhash_params p = {9, 9, 9};
    char out[GH_PWHASH_STR_SIZE];
    unsigned long before = gh_pwhash_count();
    double ms = 1;

    assert_gh(gh_pwhash_new(NULL, NULL), GH_E_INVALID);
    assert_gh(gh_pwhash_hash(NULL, "x", 1, out), GH_E_INVALID);
    assert_gh(gh_pwhash_hash(h, NULL, 0, out), GH_E_INVALID);
    assert_gh(gh_pwhash_hash(h, "x", 1, NULL), GH_E_INVALID);
    assert_gh(gh_pwhash_verify(NULL, NULL, "x", 1, NULL), GH_E_INVALID);
    assert_gh(gh_pwhash_verify(h, NULL, NULL, 0, NULL), GH_E_INVALID);
    assert_gh(gh_pwhash_calibrate(0, 0, &p, &ms), GH_E_INVALID);
    assert_int_equal(p.opslimit, 0);
    assert_gh(gh_pwhash_calibrate(10, 0, NULL, &ms), GH_E_INVALID);
    assert_gh(gh_pwhash_calibrate(10, 0, &p, NULL), GH_E_INVALID);
    gh_pwhash_params_of(NULL, &p);
    assert_int_equal(p.memlimit, 0);
    gh_pwhash_free(NULL);
    assert_int_equal(gh_pwhash_count(), before);
}

struct holder {
    struct gh_pwhasher *h;
    gh_err taken_rc; /* checked by the main thread: cmocka asserts only there */
    pthread_barrier_t taken, done;
};

/* Occupies the only slot from another thread until the main thread has tried. */
static void *
hold_slot(void *arg)
{
    struct holder *x = arg;

    x->taken_rc = gh__pwhash_slot_take(x->h);
    pthread_barrier_wait(&x->taken);
    pthread_barrier_wait(&x->done);
    gh__pwhash_slot_give(x->h);
    return NULL;
}

/* max_concurrent = 1 and the slot busy in another thread: GH_E_LIMIT at once, nothing computed. */
static void
full_pool_answers_limit_without_waiting(void **state)
{
    static const char stored[] =
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
    struct holder x = {.h = floor_hasher(1), .taken_rc = GH_E_INTERNAL};
    char out[GH_PWHASH_STR_SIZE];
    unsigned long before;
    pthread_t t;
    bool rehash = true;

    (void)state;
    assert_int_equal(pthread_barrier_init(&x.taken, NULL, 2), 0);
    assert_int_equal(pthread_barrier_init(&x.done, NULL, 2), 0);
    assert_int_equal(pthread_create(&t, NULL, hold_slot, &x), 0);
    pthread_barrier_wait(&x.taken);
    assert_gh(x.taken_rc, GH_OK);
    before = gh_pwhash_count();
    assert_gh(gh_pwhash_hash(x.h, "x", 1, out), GH_E_LIMIT);
    assert_string_equal(out, "");
    assert_gh(gh_pwhash_verify(x.h, stored, "password", 8, &rehash), GH_E_LIMIT);
    assert_false(rehash);
    assert_gh(gh_pwhash_verify(x.h, NULL, "password", 8, NULL), GH_E_LIMIT);
    assert_gh(gh__pwhash_slot_take(x.h), GH_E_LIMIT);
    assert_int_equal(gh_pwhash_count(), before);
    pthread_barrier_wait(&x.done);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_gh(verify_once(x.h, stored, "password", 8, NULL), GH_OK); /* the slot came back */
    pthread_barrier_destroy(&x.taken);
    pthread_barrier_destroy(&x.done);
    gh_pwhash_free(x.h);
}

/* Two slots: two taken, the third refused. */
static void
pool_counts_every_slot(void **state)
{
    struct gh_pwhasher *h = floor_hasher(2);

    (void)state;
    assert_gh(gh__pwhash_slot_take(h), GH_OK);
    assert_gh(gh__pwhash_slot_take(h), GH_OK);
    assert_gh(gh__pwhash_slot_take(h), GH_E_LIMIT);
    gh__pwhash_slot_give(h);
    assert_gh(gh__pwhash_slot_take(h), GH_OK);
    gh__pwhash_slot_give(h);
    gh__pwhash_slot_give(h);
    gh_pwhash_free(h);
}

/* ---- calibration ---- */

/*
 * A 1 ms target is below anything 19 MiB can do: the floor comes back, with its (slower) time,
 * after one measurement; memory below the floor is raised.  A target a little above that time
 * gives an opslimit whose measured time fits it (or the floor); which one depends on the machine.
 */
static void
calibrate_never_goes_below_the_floor(void **state)
{
    struct gh_pwhash_params p;
    unsigned long before = gh_pwhash_count();
    unsigned target;
    double ms = 0;

    (void)state;
    assert_gh(gh_pwhash_calibrate(1, 1u << 20, &p, &ms), GH_OK);
    assert_int_equal(gh_pwhash_count() - before, 1);
    assert_int_equal(p.opslimit, GH_PWHASH_OPS_FLOOR);
    assert_int_equal(p.memlimit, GH_PWHASH_MEM_FLOOR);
    assert_int_equal(p.max_concurrent, 0);
    assert_true(ms > 1.0);

    target = (unsigned)(ms * 1.6) + 1;
    before = gh_pwhash_count();
    assert_gh(gh_pwhash_calibrate(target, GH_PWHASH_MEM_FLOOR, &p, &ms), GH_OK);
    assert_in_range(gh_pwhash_count() - before, 1, 24);
    assert_true(p.opslimit >= GH_PWHASH_OPS_FLOOR);
    assert_true(p.opslimit == GH_PWHASH_OPS_FLOOR || ms <= target);
}

int
main(void)
{
#define T(fn) cmocka_unit_test(fn)
    const struct CMUnitTest tests[] = {
        T(reference_strings_verify),
        T(edge_inputs_are_byte_exact),
        T(reject_strings_are_denied),
        T(hash_verify_round_trip),
        T(parameters_below_the_floor_are_raised),
        T(rehash_when_parameters_rose),
        T(unknown_user_costs_one_computation),
        T(malformed_stored_strings_are_denied),
        T(overlong_passphrase_is_refused_without_hashing),
        T(null_arguments_are_invalid),
        T(full_pool_answers_limit_without_waiting),
        T(pool_counts_every_slot),
        T(calibrate_never_goes_below_the_floor),
    };
#undef T

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("pwhash", tests, setup, teardown);
}
