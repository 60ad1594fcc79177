/*
 * passphrase_generate.c -- diceware passphrases: words drawn uniformly (libsodium's
 * randombytes_uniform, which rejects biased samples) from a word list such as the EFF large
 * list.  The list is read whole (at most 1 MiB and 65,536 words).  A repeated word is refused,
 * not skipped: the entropy claimed is words x log2(list size), and a repeat would make it a lie.
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>

#include "crypto/passphrase_int.h"

#define LIST_MAX_BYTES ((size_t)1 << 20)
#define LIST_MAX_WORDS 65536
#define WORD_MAX_BYTES 64

struct wordlist {
    char *data;        /* the file; each word NUL-terminated in place */
    const char **word; /* LIST_MAX_WORDS slots */
    size_t n;
};

static void
wordlist_clear(struct wordlist *wl)
{
    gh__free(wl->data);
    gh__free(wl->word);
    memset(wl, 0, sizeof(*wl));
}

static gh_err
read_all(const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "re");
    gh_err rc = GH_OK;

    GH_ENSURE(f != NULL, GH_E_IO);
    *len = fread(buf, 1, cap, f);
    if (ferror(f)) {
        rc = GH_E_IO;
    } else if (*len == cap) {
        rc = GH_E_INVALID; /* larger than any word list we take */
    }
    (void)fclose(f);
    return rc;
}

/* The word of one line: "word", or "<digits><tab or spaces>word"; NULL when malformed. */
static char *
word_of_line(char *line, size_t len)
{
    size_t i = 0, start;

    while (i < len && line[i] >= '0' && line[i] <= '9') {
        i++;
    }
    if (i > 0 && i < len && (line[i] == '\t' || line[i] == ' ')) {
        while (i < len && (line[i] == '\t' || line[i] == ' ')) {
            i++;
        }
    } else {
        i = 0;
    }
    start = i;
    for (; i < len; i++) {
        if (line[i] == ' ' || line[i] == '\t') {
            return NULL;
        }
    }
    if (len == start || len - start >= WORD_MAX_BYTES ||
        gh_utf8_count(line + start, len - start) < 0) {
        return NULL;
    }
    line[len] = '\0';
    return line + start;
}

static int
word_order(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;

    while (*x != '\0' && *x == *y) {
        x++;
        y++;
    }
    return (int)*x - (int)*y;
}

/* Splits data (len bytes, NUL-terminated) into words; GH_E_INVALID for a malformed list. */
static gh_err
split_words(struct wordlist *wl, size_t len)
{
    char *p = wl->data, *end = wl->data + len;

    GH_ENSURE(strlen(wl->data) == len, GH_E_INVALID); /* no NUL inside */
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (nl != NULL ? nl : end) - p;
        char *w;

        if (n > 0 && p[n - 1] == '\r') {
            n--;
        }
        if (n > 0) {
            w = word_of_line(p, n);
            GH_ENSURE(w != NULL && wl->n < LIST_MAX_WORDS, GH_E_INVALID);
            wl->word[wl->n++] = w;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    GH_ENSURE(wl->n >= 2, GH_E_INVALID);
    qsort(wl->word, wl->n, sizeof(wl->word[0]), word_order);
    for (size_t i = 1; i < wl->n; i++) {
        GH_ENSURE(word_order(&wl->word[i - 1], &wl->word[i]) != 0, GH_E_INVALID);
    }
    return GH_OK;
}

static gh_err
wordlist_load(const char *path, struct wordlist *wl)
{
    size_t len = 0;

    memset(wl, 0, sizeof(*wl));
    wl->data = gh__alloc(LIST_MAX_BYTES + 1);
    wl->word = gh__calloc(LIST_MAX_WORDS, sizeof(wl->word[0]));
    GH_ENSURE(wl->data != NULL && wl->word != NULL, GH_E_NOMEM);
    GH_TRY(read_all(path, wl->data, LIST_MAX_BYTES + 1, &len));
    wl->data[len] = '\0';
    return split_words(wl, len);
}

/* Appends the words, drawn uniformly, separated by spaces. */
static gh_err
draw(const struct wordlist *wl, unsigned words, char *out, size_t cap)
{
    size_t len = 0;
    uint32_t pick = 0;
    gh_err rc = GH_OK;

    for (unsigned i = 0; i < words && rc == GH_OK; i++) {
        const char *w;
        size_t n;

        pick = randombytes_uniform((uint32_t)wl->n);
        w = wl->word[pick];
        n = strlen(w);
        if (len + (i > 0) + n + 1 > cap) {
            rc = GH_E_LIMIT;
            break;
        }
        if (i > 0) {
            out[len++] = ' ';
        }
        memcpy(out + len, w, n);
        len += n;
        out[len] = '\0';
    }
    sodium_memzero(&pick, sizeof(pick));
    return rc;
}

gh_err
gh_passphrase_generate(const char *wordlist_path, unsigned words, char *out, size_t cap,
                       double *bits)
{
    struct wordlist wl = {NULL, NULL, 0};
    gh_err rc;

    GH_ENSURE(out != NULL && cap > 0 && bits != NULL, GH_E_INVALID);
    out[0] = '\0';
    *bits = 0;
    if (words == 0) {
        words = GH_PASSPHRASE_WORDS_DEFAULT;
    }
    GH_ENSURE(words >= GH_PASSPHRASE_WORDS_MIN && words <= GH_PASSPHRASE_WORDS_MAX, GH_E_INVALID);
    rc = wordlist_load(wordlist_path != NULL ? wordlist_path : GH_PASSPHRASE_WORDLIST_DEFAULT, &wl);
    if (rc != GH_OK) {
        goto out;
    }
    rc = draw(&wl, words, out, cap);
    if (rc == GH_OK) {
        *bits = (double)words * log2((double)wl.n);
    }
out:
    if (rc != GH_OK) {
        sodium_memzero(out, cap);
    }
    wordlist_clear(&wl);
    return rc;
}
