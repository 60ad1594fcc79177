/*
 * pwhash.c -- Argon2id passphrase hashes (libsodium's crypto_pwhash), never below OWASP's floor.
 *
 * Invariants: at most max_concurrent computations run at once per hasher (a lock-free counter;
 * a request that finds no free slot gets GH_E_LIMIT at once, it never waits); every verify runs
 * exactly one Argon2id computation, against the dummy hash when the user is unknown or the stored
 * string is unusable, so neither is a timing oracle; a stored string is parsed, and its cost
 * bounded, before libsodium sees it.
 */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/pwhash_pool.h"

_Static_assert(GH_PWHASH_STR_SIZE == crypto_pwhash_STRBYTES, "the string size is libsodium's");
_Static_assert(GH_PWHASH_MEM_FLOOR % 1024 == 0, "Argon2 counts memory in KiB");

/*
 * The most a stored string may cost before it is refused unverified (it then costs one dummy
 * verify): libsodium's SENSITIVE preset (1 GiB, 4 passes), or the hasher's own parameters when
 * they are higher.  Strings made under lowered parameters still verify; an attacker-chosen
 * "m=4294967295" never allocates.
 */
#define STORED_MEM_MAX  ((uint64_t)crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)
#define STORED_WORK_MAX (STORED_MEM_MAX * crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE)

/* calibrate: how many hashes it measures, and the highest opslimit it tries. */
#define CALIBRATE_TRIALS  24
#define CALIBRATE_OPS_MAX 4096u

struct gh_pwhasher {
    struct gh_pwhash_params params; /* in effect: floored, memlimit a whole number of KiB */
    atomic_uint busy;               /* slots in use, at most params.max_concurrent */
    char dummy[GH_PWHASH_STR_SIZE]; /* hash of a random passphrase nobody knows */
};

static atomic_ulong computations;

unsigned long
gh_pwhash_count(void)
{
    return atomic_load(&computations);
}

static unsigned
online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1u : n > 4096 ? 4096u : (unsigned)n;
}

/* out = in with the defaults filled in and everything raised to the floor. */
static gh_err
effective_params(const struct gh_pwhash_params *in, struct gh_pwhash_params *out)
{
    static const struct gh_pwhash_params none = {0};

    *out = in != NULL ? *in : none;
    if (out->opslimit == 0) {
        out->opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
    }
    if (out->memlimit == 0) {
        out->memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
    }
    if (out->max_concurrent == 0) {
        out->max_concurrent = online_cpus();
    }
    out->opslimit = out->opslimit < GH_PWHASH_OPS_FLOOR ? GH_PWHASH_OPS_FLOOR : out->opslimit;
    out->memlimit = out->memlimit < GH_PWHASH_MEM_FLOOR ? GH_PWHASH_MEM_FLOOR : out->memlimit;
    out->memlimit -= out->memlimit % 1024; /* what the string records, so needs_rehash agrees */
    GH_ENSURE(out->opslimit <= crypto_pwhash_argon2id_OPSLIMIT_MAX, GH_E_INVALID);
    GH_ENSURE(out->memlimit <= crypto_pwhash_argon2id_MEMLIMIT_MAX, GH_E_INVALID);
    return GH_OK;
}

gh_err
gh__pwhash_slot_take(struct gh_pwhasher *h)
{
    unsigned busy = atomic_load(&h->busy);

    while (busy < h->params.max_concurrent) {
        if (atomic_compare_exchange_weak(&h->busy, &busy, busy + 1)) {
            return GH_OK;
        }
    }
    return GH_E_LIMIT;
}

void
gh__pwhash_slot_give(struct gh_pwhasher *h)
{
    atomic_fetch_sub(&h->busy, 1);
}

/* One Argon2id computation into a crypto_pwhash_str string; out is "" on failure. */
static gh_err
hash_str(char out[GH_PWHASH_STR_SIZE], const char *pass, size_t len, uint64_t opslimit,
         size_t memlimit)
{
    int rc;

    errno = 0;
    rc = crypto_pwhash_str_alg(out, pass, len, opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13);
    if (rc != 0) {
        memset(out, 0, GH_PWHASH_STR_SIZE);
        return errno == ENOMEM ? GH_E_NOMEM : GH_E_CRYPTO;
    }
    atomic_fetch_add(&computations, 1);
    return GH_OK;
}

gh_err
gh_pwhash_new(const struct gh_pwhash_params *params, struct gh_pwhasher **out)
{
    struct gh_pwhash_params eff;
    struct gh_pwhasher *h = NULL;
    unsigned char unknown[32];
    gh_err rc;

    GH_ENSURE(out != NULL, GH_E_INVALID);
    *out = NULL;
    GH_ENSURE(sodium_init() >= 0, GH_E_CRYPTO);
    GH_TRY(effective_params(params, &eff));
    h = gh__calloc(1, sizeof(*h));
    GH_ENSURE(h != NULL, GH_E_NOMEM);
    h->params = eff;
    atomic_init(&h->busy, 0);
    randombytes_buf(unknown, sizeof(unknown));
    rc = hash_str(h->dummy, (const char *)unknown, sizeof(unknown), eff.opslimit, eff.memlimit);
    if (rc != GH_OK) {
        goto out;
    }
    *out = h;
    h = NULL;
out:
    sodium_memzero(unknown, sizeof(unknown));
    gh_pwhash_free(h);
    return rc;
}

void
gh_pwhash_free(struct gh_pwhasher *h)
{
    if (h == NULL) {
        return;
    }
    sodium_memzero(h, sizeof(*h));
    gh__free(h);
}

void
gh_pwhash_params_of(const struct gh_pwhasher *h, struct gh_pwhash_params *out)
{
    static const struct gh_pwhash_params none = {0};

    if (out != NULL) {
        *out = h != NULL ? h->params : none;
    }
}

gh_err
gh_pwhash_hash(struct gh_pwhasher *h, const char *pass, size_t len, char out[GH_PWHASH_STR_SIZE])
{
    gh_err rc;

    GH_ENSURE(out != NULL, GH_E_INVALID);
    memset(out, 0, GH_PWHASH_STR_SIZE);
    GH_ENSURE(h != NULL && pass != NULL, GH_E_INVALID);
    GH_ENSURE(len <= GH_PASSPHRASE_MAX_BYTES, GH_E_INVALID);
    GH_TRY(gh__pwhash_slot_take(h));
    rc = hash_str(out, pass, len, h->params.opslimit, h->params.memlimit);
    gh__pwhash_slot_give(h);
    return rc;
}

/* Skips prefix at *p; false when it is not there. */
static bool
skip(const char **p, const char *prefix)
{
    const char *s = *p;

    for (; *prefix != '\0'; prefix++, s++) {
        if (*s != *prefix) {
            return false;
        }
    }
    *p = s;
    return true;
}

/* Reads 1 to 10 decimal digits at *p followed by stop, and skips both. */
static bool
read_number(const char **p, char stop, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    size_t n = 0;

    for (; n < 10 && s[n] >= '0' && s[n] <= '9'; n++) {
        v = v * 10 + (uint64_t)(s[n] - '0');
    }
    if (n == 0 || s[n] != stop) {
        return false;
    }
    *out = v;
    *p = s + n + 1;
    return true;
}

/* a * b, or UINT64_MAX when it does not fit. */
static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
    return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/*
 * True when stored reads "$argon2id$v=19$m=M,t=T,p=P$" (the rest is libsodium's to check) and
 * costs no more than STORED_MEM_MAX / STORED_WORK_MAX or h's own parameters.  Not secret: the
 * stored string's parameters are public by design.
 */
static bool
stored_usable(const struct gh_pwhasher *h, const char *stored)
{
    const char *p = stored;
    uint64_t m_kib, t, lanes, mem, mem_max, work_max;

    if (strnlen(stored, GH_PWHASH_STR_SIZE) == GH_PWHASH_STR_SIZE) {
        return false;
    }
    if (!skip(&p, "$argon2id$v=19$m=") || !read_number(&p, ',', &m_kib) || !skip(&p, "t=") ||
        !read_number(&p, ',', &t) || !skip(&p, "p=") || !read_number(&p, '$', &lanes)) {
        return false;
    }
    mem = m_kib * 1024;
    mem_max = h->params.memlimit > STORED_MEM_MAX ? h->params.memlimit : STORED_MEM_MAX;
    work_max = mul_sat(h->params.memlimit, h->params.opslimit);
    work_max = work_max > STORED_WORK_MAX ? work_max : STORED_WORK_MAX;
    return m_kib > 0 && t > 0 && lanes > 0 && mem <= mem_max && t <= work_max / mem;
}

/*
 * One crypto_pwhash_argon2id_str_verify: 0 on a match, EINVAL on a mismatch (libsodium's errno
 * once the tag was computed), anything else when libsodium refused the string before computing.
 * Counts the computations.
 */
static int
verify_raw(const char *str, const char *pass, size_t len)
{
    errno = 0;
    if (crypto_pwhash_argon2id_str_verify(str, pass, len) == 0) {
        atomic_fetch_add(&computations, 1);
        return 0;
    }
    if (errno == EINVAL) {
        atomic_fetch_add(&computations, 1);
        return EINVAL;
    }
    return errno != 0 ? errno : EIO;
}

/*
 * One Argon2id computation in a slot of h: against stored, or against the dummy hash when stored
 * is NULL or libsodium refused it before computing (so that costs what an unknown user does).
 */
static gh_err
verify_str(struct gh_pwhasher *h, const char *stored, const char *pass, size_t len)
{
    int rc = ENOENT;

    GH_TRY(gh__pwhash_slot_take(h));
    if (stored != NULL) {
        rc = verify_raw(stored, pass, len);
    }
    if (rc != 0 && rc != EINVAL && rc != ENOMEM) {
        rc = verify_raw(h->dummy, pass, len) == ENOMEM ? ENOMEM : EINVAL;
    }
    gh__pwhash_slot_give(h);
    return rc == 0 ? GH_OK : rc == ENOMEM ? GH_E_NOMEM : GH_E_DENIED;
}

gh_err
gh_pwhash_verify(struct gh_pwhasher *h, const char *stored, const char *pass, size_t len,
                 bool *rehash)
{
    if (rehash != NULL) {
        *rehash = false;
    }
    GH_ENSURE(h != NULL && pass != NULL, GH_E_INVALID);
    GH_ENSURE(len <= GH_PASSPHRASE_MAX_BYTES, GH_E_INVALID);
    if (stored != NULL && !stored_usable(h, stored)) {
        stored = NULL; /* deliberately the same work as an unknown user: one dummy verify */
    }
    GH_TRY(verify_str(h, stored, pass, len));
    GH_ENSURE(stored != NULL, GH_E_DENIED);
    if (rehash != NULL) {
        *rehash = crypto_pwhash_argon2id_str_needs_rehash(stored, h->params.opslimit,
                                                          h->params.memlimit) != 0;
    }
    return GH_OK;
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Times one crypto_pwhash at these parameters (random passphrase and salt). */
static gh_err
time_one(uint64_t opslimit, size_t memlimit, double *ms)
{
    unsigned char pass[32], salt[crypto_pwhash_SALTBYTES], key[32];
    double start;
    int rc;

    randombytes_buf(pass, sizeof(pass));
    randombytes_buf(salt, sizeof(salt));
    start = now_ms();
    errno = 0;
    rc = crypto_pwhash(key, sizeof(key), (const char *)pass, sizeof(pass), salt, opslimit, memlimit,
                       crypto_pwhash_ALG_ARGON2ID13);
    *ms = now_ms() - start;
    sodium_memzero(pass, sizeof(pass));
    sodium_memzero(key, sizeof(key));
    if (rc != 0) {
        return errno == ENOMEM ? GH_E_NOMEM : GH_E_CRYPTO;
    }
    atomic_fetch_add(&computations, 1);
    return GH_OK;
}

/*
 * Doubles opslimit from the floor until a hash takes longer than target_ms, then bisects between
 * the last fast and the first slow value; the time is close to linear in opslimit.
 */
gh_err
gh_pwhash_calibrate(unsigned target_ms, size_t memlimit, struct gh_pwhash_params *out, double *ms)
{
    uint64_t good = GH_PWHASH_OPS_FLOOR, bad = 0, next;
    double good_ms, t;

    GH_ENSURE(out != NULL && ms != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    *ms = 0;
    GH_ENSURE(target_ms > 0, GH_E_INVALID);
    GH_ENSURE(sodium_init() >= 0, GH_E_CRYPTO);
    memlimit = memlimit == 0 ? crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE : memlimit;
    memlimit = memlimit < GH_PWHASH_MEM_FLOOR ? GH_PWHASH_MEM_FLOOR : memlimit;
    memlimit -= memlimit % 1024;
    GH_ENSURE(memlimit <= crypto_pwhash_argon2id_MEMLIMIT_MAX, GH_E_INVALID);
    GH_TRY(time_one(good, memlimit, &good_ms));
    for (int trial = 1; trial < CALIBRATE_TRIALS && good_ms <= target_ms; trial++) {
        next = bad == 0 ? good * 2 : good + (bad - good) / 2;
        if (next > CALIBRATE_OPS_MAX || next == good) {
            break;
        }
        GH_TRY(time_one(next, memlimit, &t));
        if (t <= target_ms) {
            good = next;
            good_ms = t;
        } else {
            bad = next;
        }
    }
    out->opslimit = good;
    out->memlimit = memlimit;
    *ms = good_ms;
    return GH_OK;
}
