/*
 * breach.h -- the breached-passphrase index: an offline, compact set of the SHA-1 hashes of
 * passphrases known from breaches (Have I Been Pwned's Pwned Passwords format), memory-mapped
 * and answering "is this passphrase in the corpus" with no false negatives and a
 * false-positive rate of 2^-16 (binary fuse filters with 16-bit fingerprints, ~2.25 bytes per
 * entry).  Built by gh_breach_import (`gatehouse breach import`); read by the policy when a
 * passphrase is set and after every login.
 */
#ifndef GATEHOUSE_BREACH_H
#define GATEHOUSE_BREACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>
#include <gatehouse/passphrase.h>

/* The index's file name inside a data folder. */
#define GH_BREACH_INDEX_FILE "breach.idx"
#define GH_BREACH_SHA1_BYTES 20
/* The longest line a plain list may hold (a passphrase's bytes). */
#define GH_BREACH_PLAIN_MAX  GH_PASSPHRASE_MAX_BYTES
/* Keys held in memory while reading (8 bytes each, twice): 8 Mi keys, 128 MiB. */
#define GH_BREACH_CHUNK_KEYS ((size_t)8 << 20)
/* Random probes the import makes to measure the false-positive rate. */
#define GH_BREACH_PROBES     1000000u

struct gh_breach_index;

/**
 * Maps the index file at path.  GH_E_NOT_FOUND when there is none, GH_E_BREACH_INDEX when it is
 * unreadable, truncated or not an index (its header and shard table are checksummed).
 */
GH_API GH_MUST_CHECK gh_err gh_breach_open(const char *path, struct gh_breach_index **out);
GH_API void gh_breach_close(struct gh_breach_index *idx);

/** Whether a SHA-1 digest is in the index (or one of the rare false positives). */
GH_API bool gh_breach_contains_sha1(const struct gh_breach_index *idx,
                                    const uint8_t sha1[GH_BREACH_SHA1_BYTES]);
/**
 * Whether a passphrase is in the index: the SHA-1 of its bytes as given, and of its NFKC form
 * when that differs.  GH_E_CRYPTO when SHA-1 is unavailable.
 */
GH_API GH_MUST_CHECK gh_err gh_breach_contains(const struct gh_breach_index *idx, const char *text,
                                               size_t len, bool *found);
/** SHA-1 (OpenSSL's) of len bytes: the corpus's hash. */
GH_API GH_MUST_CHECK gh_err gh_breach_sha1(const void *data, size_t len,
                                           uint8_t out[GH_BREACH_SHA1_BYTES]);

struct gh_breach_info {
    uint64_t entries; /* distinct hashes */
    uint64_t records; /* valid input lines the import read (duplicates included) */
    uint64_t bytes;   /* the file's size */
    unsigned shards;  /* filters, by the hash's top bits */
    unsigned fingerprint_bits;
    int64_t created_s;      /* when the import finished (Unix time) */
    double bytes_per_entry; /* bytes / entries */
    double fp_rate_bound;   /* 2^-fingerprint_bits */
};

GH_API void gh_breach_info(const struct gh_breach_index *idx, struct gh_breach_info *out);
/**
 * Rereads every fingerprint and compares their BLAKE2b digest with the one the import wrote:
 * GH_E_BREACH_INDEX when they differ (a damaged file).
 */
GH_API GH_MUST_CHECK gh_err gh_breach_verify(const struct gh_breach_index *idx);

/* ---- import ------------------------------------------------------------------------------- */

enum gh_breach_format {
    GH_BREACH_HIBP = 0, /* "SHA1HEX:COUNT" (or "SHA1HEX"), any case, LF or CRLF, any order */
    GH_BREACH_PLAIN,    /* one passphrase per line, hashed with SHA-1 as its bytes stand */
};

enum gh_breach_phase {
    GH_BREACH_READING = 0,
    GH_BREACH_BUILDING,
    GH_BREACH_MEASURING,
};

struct gh_breach_progress {
    enum gh_breach_phase phase;
    uint64_t lines;       /* lines read so far */
    uint64_t bad;         /* of which bad */
    uint64_t bytes;       /* input bytes read so far */
    uint64_t total_bytes; /* of the regular files named; 0 when unknown (a pipe) */
    unsigned shards_done;
    unsigned shards;
};

/* A bad line: the file (as named; "-" is standard input), its line number and why. */
struct gh_breach_bad_line {
    const char *file;
    uint64_t line;
    const char *why;
};

struct gh_breach_import_opts {
    enum gh_breach_format format;
    const char *tmp_dir; /* for the spill file; NULL: the output's folder */
    size_t chunk_keys;   /* keys held while reading; 0: GH_BREACH_CHUNK_KEYS */
    unsigned probes;     /* false-positive probes; 0: GH_BREACH_PROBES */
    size_t shard_keys;   /* keys per shard, at most (until 4096 shards); 0: 2^21 (tests: less) */
    /* Called often (every 64 Ki lines, each shard); returning false stops the import. */
    bool (*progress)(const struct gh_breach_progress *p, void *arg);
    /* Called for each bad line. */
    void (*bad_line)(const struct gh_breach_bad_line *b, void *arg);
    void *arg;
};

struct gh_breach_import_result {
    uint64_t lines;   /* lines read */
    uint64_t records; /* good lines */
    uint64_t bad;     /* bad lines (each reported through bad_line) */
    uint64_t entries; /* distinct hashes in the index */
    uint64_t bytes;   /* the index file's size */
    unsigned shards;
    double bytes_per_entry;
    uint64_t probes;    /* random absent keys looked up */
    uint64_t fp_hits;   /* of which found: false positives */
    double fp_rate;     /* fp_hits / probes */
    size_t peak_memory; /* the largest working set the import allocated (bytes) */
};

/**
 * Builds the index at out_path from the files (a file named "-" is standard input): reads
 * them, spills their keys by the hash's top bits to an unlinked temporary file (8 bytes per
 * line), builds one filter per shard of at most ~2 M entries, checks that every key is found,
 * writes the index to an unlinked file in out_path's folder, fsyncs it, measures its
 * false-positive rate and only then renames it over out_path.  Memory: at most 16 bytes x
 * chunk_keys while reading, then ~56 bytes per entry of the largest shard.  An import that
 * fails or is stopped leaves the old index in place.  GH_E_IO (reading or writing; errno
 * kept), GH_E_INVALID when no line was good or more lines were bad than good (res says how
 * many), GH_E_INTERRUPTED when progress said stop, GH_E_NOMEM.
 */
GH_API GH_MUST_CHECK gh_err gh_breach_import(const char *const *files, size_t nfiles,
                                             const char *out_path,
                                             const struct gh_breach_import_opts *opts,
                                             struct gh_breach_import_result *res);

/**
 * Checks a passphrase against an index for a policy report: adds the breached reason when it
 * is found and marks the report as checked (idx NULL: not checked).
 */
GH_API GH_MUST_CHECK gh_err gh_breach_screen(const struct gh_breach_index *idx, const char *text,
                                             size_t len, struct gh_passphrase_report *report);

#endif
