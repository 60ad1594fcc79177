/*
 * keyring.c -- master keys on disk and in memory.
 *
 * The key file is text: a header line, then "key <id> <base64 of 32 bytes>" lines.  Each master
 * key is expanded with crypto_kdf into three subkeys (sealing, lookup, check value), held in
 * sodium_malloc memory (guard pages, locked, read-only after derivation) and wiped on free.
 * The file is always replaced atomically: write a temporary file, fsync it, rename, fsync the
 * folder, so a crash leaves the old file or the new one.
 */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/keyring.h"

#define FILE_HEADER "gatehouse-master-key-v1"
#define FILE_COMMENT                                                                               \
    "# Gatehouse master key. Keep it secret (mode 0600) and backed up: without it the\n"           \
    "# secrets in the store cannot be read. Rotate with `gatehouse master-key rotate`.\n"
#define FILE_MAX      4096
#define SUBKEY_SEAL   1
#define SUBKEY_LOOKUP 2
#define SUBKEY_CHECK  3
static atomic_ulong lookups;
static const char kdf_ctx[crypto_kdf_CONTEXTBYTES] = {'g', 'h', 'k', 'e', 'y', 'r', 'n', 'g'};

struct ring_key {
    uint32_t id;
    unsigned char *master; /* sodium_malloc: master, seal, lookup, check (4 x 32 bytes) */
};

struct gh_keyring {
    size_t n;
    struct ring_key keys[GH_KEYRING_MAX_KEYS];
};

/* The raw key material of a file: ids and 32-byte keys. */
struct file_keys {
    size_t n;
    uint32_t ids[GH_KEYRING_MAX_KEYS];
    unsigned char keys[GH_KEYRING_MAX_KEYS][GH_MASTER_KEY_BYTES];
};

static unsigned char *
sub(const struct ring_key *k, int which)
{
    return k->master + (size_t)which * GH_MASTER_KEY_BYTES;
}

static const struct ring_key *
find(const struct gh_keyring *kr, uint32_t id)
{
    for (size_t i = 0; i < kr->n; i++) {
        if (kr->keys[i].id == id) {
            return &kr->keys[i];
        }
    }
    return NULL;
}

/* ---- file I/O ---- */

static gh_err
read_small_file(const char *path, char *buf, size_t cap, size_t *len)
{
    struct stat st;
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    *len = 0;
    if (fd < 0) {
        return errno == ENOENT ? GH_E_NOT_FOUND : GH_E_KEYFILE;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
        (size_t)st.st_size >= cap) {
        close(fd);
        return GH_E_KEYFILE;
    }
    got = read(fd, buf, cap - 1);
    close(fd);
    if (got < 0 || (size_t)got != (size_t)st.st_size) {
        return GH_E_KEYFILE;
    }
    buf[got] = '\0';
    *len = (size_t)got;
    return GH_OK;
}

static gh_err
parse_key_line(const char *line, size_t len, struct file_keys *fk)
{
    char idbuf[12];
    const char *sp;
    const char *b64;
    size_t key_len = 0;
    unsigned long id;
    char *end;

    GH_ENSURE(len > 4 && sodium_memcmp(line, "key ", 4) == 0, GH_E_KEYFILE);
    sp = memchr(line + 4, ' ', len - 4);
    GH_ENSURE(sp != NULL && (size_t)(sp - line - 4) < sizeof(idbuf), GH_E_KEYFILE);
    memcpy(idbuf, line + 4, (size_t)(sp - line - 4));
    idbuf[sp - line - 4] = '\0';
    for (const char *d = idbuf; *d != '\0'; d++) {
        GH_ENSURE(*d >= '0' && *d <= '9', GH_E_KEYFILE); /* strtoul would skip ' ' and '+' */
    }
    errno = 0;
    id = strtoul(idbuf, &end, 10);
    GH_ENSURE(errno == 0 && *end == '\0' && idbuf[0] != '\0' && id > 0 && id <= UINT32_MAX,
              GH_E_KEYFILE);
    GH_ENSURE(fk->n < GH_KEYRING_MAX_KEYS, GH_E_KEYFILE);
    for (size_t i = 0; i < fk->n; i++) {
        GH_ENSURE(fk->ids[i] != id, GH_E_KEYFILE);
    }
    b64 = sp + 1;
    if (!gh__b64_alphabet_ok(b64, len - (size_t)(b64 - line)) ||
        sodium_base642bin(fk->keys[fk->n], GH_MASTER_KEY_BYTES, b64, len - (size_t)(b64 - line),
                          NULL, &key_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        key_len != GH_MASTER_KEY_BYTES) {
        return GH_E_KEYFILE;
    }
    fk->ids[fk->n++] = (uint32_t)id;
    return GH_OK;
}

static gh_err
parse_file(const char *text, size_t len, struct file_keys *fk)
{
    const char *p = text;
    const char *end = text + len;
    bool header = false;

    memset(fk, 0, sizeof(*fk));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

        if (n == 0 || p[0] == '#') {
            /* blank line or comment */
        } else if (!header) {
            GH_ENSURE(n == strlen(FILE_HEADER) && sodium_memcmp(p, FILE_HEADER, n) == 0,
                      GH_E_KEYFILE);
            header = true;
        } else {
            GH_TRY(parse_key_line(p, n, fk));
        }
        p += n + (nl != NULL ? 1 : 0);
    }
    GH_ENSURE(header && fk->n > 0, GH_E_KEYFILE);
    return GH_OK;
}

static gh_err
format_file(const struct file_keys *fk, struct gh_buf *out)
{
    char b64[sodium_base64_ENCODED_LEN(GH_MASTER_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    char head[32];
    gh_err rc = GH_OK;

    GH_TRY(gh__buf_appendz(out, FILE_COMMENT FILE_HEADER "\n"));
    for (size_t i = 0; i < fk->n && rc == GH_OK; i++) {
        sodium_bin2base64(b64, sizeof(b64), fk->keys[i], GH_MASTER_KEY_BYTES,
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(head, sizeof(head), "key %u ", (unsigned)fk->ids[i]);
        rc = gh__buf_appendz(out, head);
        if (rc == GH_OK) {
            rc = gh__buf_appendz(out, b64);
        }
        if (rc == GH_OK) {
            rc = gh__buf_appendz(out, "\n");
        }
    }
    sodium_memzero(b64, sizeof(b64));
    return rc;
}

static gh_err
fsync_dir_of(const char *path)
{
    char copy[4096];
    int fd;
    int rc;

    GH_TRY(gh__strlcpy(copy, path, sizeof(copy)));
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return GH_E_IO;
    }
    rc = fsync(fd);
    close(fd);
    return rc == 0 ? GH_OK : GH_E_IO;
}

static gh_err
write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return GH_E_IO;
        }
        data += w;
        len -= (size_t)w;
    }
    return GH_OK;
}

/* Writes fk to path: exclusive create when fresh, else temporary file + rename. */
static gh_err
store_file(const char *path, const struct file_keys *fk, bool fresh)
{
    char tmp[4200];
    struct gh_buf text;
    gh_err rc;
    int fd;

    gh__buf_init(&text, FILE_MAX);
    rc = format_file(fk, &text);
    if (rc != GH_OK) {
        goto out;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(fresh ? path : tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && !fresh && errno == EEXIST) {
        unlink(tmp); /* left over by an interrupted rotation */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
    if (fd < 0) {
        rc = errno == EEXIST ? GH_E_CONFLICT : GH_E_IO;
        goto out;
    }
    rc = write_all(fd, text.data, text.len);
    if (rc == GH_OK && fsync(fd) != 0) {
        rc = GH_E_IO;
    }
    close(fd);
    if (rc == GH_OK && !fresh && rename(tmp, path) != 0) {
        rc = GH_E_IO;
    }
    if (rc != GH_OK && !fresh) {
        unlink(tmp);
    }
    if (rc == GH_OK) {
        rc = fsync_dir_of(path);
    }
out:
    gh__buf_clear(&text);
    return rc;
}

/* "ID:BASE64[,ID:BASE64...]" as "key ID BASE64" lines, for parse_key_line. */
static gh_err
parse_text(const char *text, struct file_keys *fk)
{
    char line[128];
    const char *p = text;

    memset(fk, 0, sizeof(*fk));
    GH_ENSURE(text != NULL && strlen(text) < FILE_MAX, GH_E_KEYFILE);
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        const char *colon = memchr(p, ':', n);
        int len;

        GH_ENSURE(colon != NULL && n < 100, GH_E_KEYFILE);
        len = snprintf(line, sizeof(line), "key %.*s %.*s", (int)(colon - p), p,
                       (int)(n - (size_t)(colon - p) - 1), colon + 1);
        GH_ENSURE(len > 0 && (size_t)len < sizeof(line), GH_E_KEYFILE);
        gh_err rc = parse_key_line(line, (size_t)len, fk);

        sodium_memzero(line, sizeof(line));
        GH_TRY(rc);
        GH_ENSURE(comma == NULL || comma[1] != '\0', GH_E_KEYFILE); /* no empty last entry */
        p += n + (comma != NULL ? 1 : 0);
    }
    GH_ENSURE(fk->n > 0, GH_E_KEYFILE);
    return GH_OK;
}

static gh_err
load_file_keys(const char *path, struct file_keys *fk)
{
    char text[FILE_MAX];
    size_t len;
    gh_err rc;

    rc = read_small_file(path, text, sizeof(text), &len);
    if (rc == GH_OK) {
        rc = parse_file(text, len, fk);
    }
    sodium_memzero(text, sizeof(text));
    return rc;
}

gh_err
gh__keyring_file_create(const char *path)
{
    struct file_keys fk;
    gh_err rc;

    memset(&fk, 0, sizeof(fk));
    fk.n = 1;
    fk.ids[0] = 1;
    crypto_kdf_keygen(fk.keys[0]);
    rc = store_file(path, &fk, true);
    sodium_memzero(&fk, sizeof(fk));
    return rc;
}

gh_err
gh__keyring_file_add(const char *path, uint32_t *new_id)
{
    struct file_keys fk;
    uint32_t max = 0;
    gh_err rc;

    *new_id = 0;
    rc = load_file_keys(path, &fk);
    if (rc != GH_OK) {
        goto out;
    }
    if (fk.n >= GH_KEYRING_MAX_KEYS) {
        rc = GH_E_LIMIT;
        goto out;
    }
    for (size_t i = 0; i < fk.n; i++) {
        max = fk.ids[i] > max ? fk.ids[i] : max;
    }
    if (max == UINT32_MAX) {
        rc = GH_E_LIMIT; /* ids never wrap: 0 is not a key id */
        goto out;
    }
    fk.ids[fk.n] = max + 1;
    crypto_kdf_keygen(fk.keys[fk.n]);
    fk.n++;
    rc = store_file(path, &fk, false);
    if (rc == GH_OK) {
        *new_id = max + 1;
    }
out:
    sodium_memzero(&fk, sizeof(fk));
    return rc;
}

gh_err
gh__keyring_file_retain(const char *path, uint32_t id)
{
    struct file_keys fk;
    struct file_keys keep;
    gh_err rc;

    memset(&keep, 0, sizeof(keep));
    rc = load_file_keys(path, &fk);
    for (size_t i = 0; rc == GH_OK && i < fk.n; i++) {
        if (fk.ids[i] == id) {
            keep.ids[0] = id;
            memcpy(keep.keys[0], fk.keys[i], GH_MASTER_KEY_BYTES);
            keep.n = 1;
        }
    }
    if (rc == GH_OK) {
        rc = keep.n == 1 ? store_file(path, &keep, false) : GH_E_NOT_FOUND;
    }
    sodium_memzero(&fk, sizeof(fk));
    sodium_memzero(&keep, sizeof(keep));
    return rc;
}

/* ---- in memory ---- */

static gh_err
expand_key(struct ring_key *k, uint32_t id, const unsigned char master[GH_MASTER_KEY_BYTES])
{
    k->id = id;
    k->master = sodium_malloc(4 * GH_MASTER_KEY_BYTES);
    if (k->master == NULL) {
        return GH_E_NOMEM;
    }
    memcpy(k->master, master, GH_MASTER_KEY_BYTES);
    if (crypto_kdf_derive_from_key(sub(k, 1), GH_MASTER_KEY_BYTES, SUBKEY_SEAL, kdf_ctx, master) !=
            0 ||
        crypto_kdf_derive_from_key(sub(k, 2), GH_MASTER_KEY_BYTES, SUBKEY_LOOKUP, kdf_ctx,
                                   master) != 0 ||
        crypto_kdf_derive_from_key(sub(k, 3), GH_MASTER_KEY_BYTES, SUBKEY_CHECK, kdf_ctx, master) !=
            0) {
        return GH_E_CRYPTO;
    }
    sodium_mprotect_readonly(k->master);
    return GH_OK;
}

static gh_err
ring_of(struct file_keys *fk, struct gh_keyring **out)
{
    struct gh_keyring *kr = gh__calloc(1, sizeof(*kr));
    gh_err rc = GH_OK;

    GH_ENSURE(kr != NULL, GH_E_NOMEM);
    for (size_t i = 0; i < fk->n && rc == GH_OK; i++) {
        rc = expand_key(&kr->keys[i], fk->ids[i], fk->keys[i]);
        kr->n = i + 1;
    }
    if (rc != GH_OK) {
        gh__keyring_free(kr);
        return rc;
    }
    *out = kr;
    return GH_OK;
}

gh_err
gh__keyring_load_text(const char *text, struct gh_keyring **out)
{
    struct file_keys fk;
    gh_err rc;

    *out = NULL;
    rc = parse_text(text, &fk);
    if (rc == GH_OK) {
        rc = ring_of(&fk, out);
    }
    sodium_memzero(&fk, sizeof(fk));
    return rc;
}

gh_err
gh__keyring_file_export(const char *path, char *out, size_t cap)
{
    char b64[sodium_base64_ENCODED_LEN(GH_MASTER_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    struct file_keys fk;
    size_t used = 0;
    gh_err rc = load_file_keys(path, &fk);

    out[0] = '\0';
    for (size_t i = 0; rc == GH_OK && i < fk.n; i++) {
        int n;

        sodium_bin2base64(b64, sizeof(b64), fk.keys[i], GH_MASTER_KEY_BYTES,
                          sodium_base64_VARIANT_ORIGINAL);
        n = snprintf(out + used, cap - used, "%s%u:%s", i > 0 ? "," : "", (unsigned)fk.ids[i], b64);
        rc = n > 0 && (size_t)n < cap - used ? GH_OK : GH_E_LIMIT;
        used += rc == GH_OK ? (size_t)n : 0;
    }
    sodium_memzero(b64, sizeof(b64));
    sodium_memzero(&fk, sizeof(fk));
    if (rc != GH_OK) {
        sodium_memzero(out, cap);
    }
    return rc;
}

gh_err
gh__keyring_load(const char *path, struct gh_keyring **out)
{
    struct file_keys fk;
    gh_err rc;

    *out = NULL;
    rc = load_file_keys(path, &fk);
    if (rc == GH_OK) {
        rc = ring_of(&fk, out);
    }
    sodium_memzero(&fk, sizeof(fk));
    return rc;
}

void
gh__keyring_free(struct gh_keyring *kr)
{
    if (kr == NULL) {
        return;
    }
    for (size_t i = 0; i < kr->n; i++) {
        if (kr->keys[i].master != NULL) {
            sodium_free(kr->keys[i].master); /* wipes */
        }
    }
    sodium_memzero(kr, sizeof(*kr));
    gh__free(kr);
}

bool
gh__keyring_has(const struct gh_keyring *kr, uint32_t id)
{
    return kr != NULL && find(kr, id) != NULL;
}

uint32_t
gh__keyring_newest(const struct gh_keyring *kr)
{
    uint32_t max = 0;

    for (size_t i = 0; kr != NULL && i < kr->n; i++) {
        max = kr->keys[i].id > max ? kr->keys[i].id : max;
    }
    return max;
}

gh_err
gh__keyring_seal(const struct gh_keyring *kr, uint32_t id, const char *ad, const void *pt,
                 size_t pt_len, uint8_t *out, size_t cap, size_t *out_len)
{
    const struct ring_key *k = find(kr, id);
    unsigned long long clen = 0;
    uint8_t *nonce = out;

    *out_len = 0;
    GH_ENSURE(k != NULL, GH_E_CRYPTO);
    GH_ENSURE(pt_len <= GH_SEALED_PLAIN_MAX && cap >= pt_len + GH_SEALED_OVERHEAD, GH_E_INVALID);
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(
            out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, pt, pt_len,
            (const unsigned char *)ad, strlen(ad), NULL, nonce, sub(k, SUBKEY_SEAL)) != 0) {
        return GH_E_CRYPTO;
    }
    *out_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
    return GH_OK;
}

gh_err
gh__keyring_open(const struct gh_keyring *kr, uint32_t id, const char *ad, const uint8_t *ct,
                 size_t ct_len, void *pt, size_t cap, size_t *pt_len)
{
    const struct ring_key *k = find(kr, id);
    unsigned long long plen = 0;

    *pt_len = 0;
    GH_ENSURE(k != NULL, GH_E_CRYPTO);
    GH_ENSURE(ct_len >= GH_SEALED_OVERHEAD && ct_len - GH_SEALED_OVERHEAD <= cap, GH_E_CRYPTO);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            pt, &plen, NULL, ct + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            ct_len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, (const unsigned char *)ad,
            strlen(ad), ct, sub(k, SUBKEY_SEAL)) != 0) {
        return GH_E_CRYPTO;
    }
    *pt_len = (size_t)plen;
    return GH_OK;
}

gh_err
gh__keyring_lookup(const struct gh_keyring *kr, uint32_t id, const char *sid, const void *secret,
                   size_t len, uint8_t out[GH_LOOKUP_BYTES])
{
    static const unsigned char domain[] = "gatehouse-lookup-v1";
    const struct ring_key *k = find(kr, id);
    crypto_generichash_state st;
    unsigned char sep = 0;

    GH_ENSURE(k != NULL, GH_E_CRYPTO);
    atomic_fetch_add(&lookups, 1);
    crypto_generichash_init(&st, sub(k, SUBKEY_LOOKUP), GH_MASTER_KEY_BYTES, GH_LOOKUP_BYTES);
    crypto_generichash_update(&st, domain, sizeof(domain));
    crypto_generichash_update(&st, (const unsigned char *)sid, strlen(sid));
    crypto_generichash_update(&st, &sep, 1);
    crypto_generichash_update(&st, secret, len);
    crypto_generichash_final(&st, out, GH_LOOKUP_BYTES);
    sodium_memzero(&st, sizeof(st));
    return GH_OK;
}

unsigned long
gh__keyring_lookup_count(void)
{
    return atomic_load(&lookups);
}

gh_err
gh__keyring_check_value(const struct gh_keyring *kr, uint32_t id, char out[GH_KEY_CHECK_SIZE])
{
    static const unsigned char domain[] = "gatehouse-key-check-v1";
    const struct ring_key *k = find(kr, id);
    unsigned char mac[32];
    char hex[65];

    out[0] = '\0';
    GH_ENSURE(k != NULL, GH_E_CRYPTO);
    crypto_generichash(mac, sizeof(mac), domain, sizeof(domain), sub(k, SUBKEY_CHECK),
                       GH_MASTER_KEY_BYTES);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(out, GH_KEY_CHECK_SIZE, "%u:%s", (unsigned)id, hex);
    return GH_OK;
}

gh_err
gh__keyring_check_match(const struct gh_keyring *kr, const char *check, uint32_t *id)
{
    char mine[GH_KEY_CHECK_SIZE];
    unsigned long parsed;
    char *end;

    *id = 0;
    parsed = strtoul(check, &end, 10);
    GH_ENSURE(end != check && *end == ':' && parsed > 0 && parsed <= UINT32_MAX, GH_E_WRONG_KEY);
    GH_ENSURE(gh__keyring_has(kr, (uint32_t)parsed), GH_E_WRONG_KEY);
    GH_TRY(gh__keyring_check_value(kr, (uint32_t)parsed, mine));
    GH_ENSURE(strlen(mine) == strlen(check) && sodium_memcmp(mine, check, strlen(mine)) == 0,
              GH_E_WRONG_KEY);
    *id = (uint32_t)parsed;
    return GH_OK;
}
