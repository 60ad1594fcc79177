/*
 * cli.h -- the `gatehouse` command line: one cmd_<name>.c per subcommand, and the helpers they
 * share (options common to every command, opening the data folder, printing, dying).
 */
#ifndef GATEHOUSE_CLI_H
#define GATEHOUSE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <gatehouse/gatehouse.h>

/* A command's settings; see settings.c for where each comes from. */
struct cli_settings {
    const char *data_dir;        /* --data, $GATEHOUSE_DATA, ./var */
    const char *store;           /* --store, $GATEHOUSE_STORE, config "store"; NULL: SQLite */
    const char *config;          /* --config, $GATEHOUSE_CONFIG, <data>/gatehouse.conf */
    const char *key_file;        /* --key-file, config "master_key_file"; NULL: <data>/master.key */
    const char *master_key;      /* $GATEHOUSE_MASTER_KEY only */
    const char *listen;          /* serve: --listen, $GATEHOUSE_LISTEN, config, 127.0.0.1:8088 */
    const char *public_url;      /* serve */
    const char *trusted_proxies; /* serve: whose X-Forwarded-For to believe */
    unsigned threads;            /* serve */
    unsigned max_connections;
    unsigned timeout_s;
    unsigned store_connections;
    /* the passphrase hasher and policy, and login sessions (config file only) */
    unsigned pwhash_memory_mib;  /* Argon2id memory; 0: 64 MiB (never below 19) */
    unsigned pwhash_passes;      /* Argon2id passes; 0: 2 (never below 2) */
    unsigned pwhash_concurrency; /* hashes at once; 0: one per CPU */
    unsigned passphrase_min_length;
    const char *passphrase_blocklist;
    unsigned session_lifetime_minutes;
    unsigned session_idle_minutes;
    const char *breach_index;    /* config breach.index; NULL: <data>/breach.idx */
    const char *breach_required; /* config breach.required: true/false (yes/no, 1/0) */
    const char *mfa_issuer;      /* config mfa.issuer: the name authenticator apps show */
};

/* getopt_long values of the options every command takes. */
enum {
    CLI_OPT_DATA = 1000,
    CLI_OPT_STORE,
    CLI_OPT_CONFIG,
    CLI_OPT_KEY_FILE,
};

/* The struct option rows of the options every command takes. */
#define CLI_COMMON_OPTIONS                                                                         \
    {"data", required_argument, NULL, CLI_OPT_DATA},                                               \
        {"store", required_argument, NULL, CLI_OPT_STORE},                                         \
        {"config", required_argument, NULL, CLI_OPT_CONFIG},                                       \
    {                                                                                              \
        "key-file", required_argument, NULL, CLI_OPT_KEY_FILE                                      \
    }

#define CLI_COMMON_USAGE "[--data DIR] [--store URL] [--config FILE] [--key-file FILE]"

/* Takes a common option; false when c is not one. */
bool cli_common_option(int c, const char *arg, struct cli_settings *s);
/* Fills what flags left unset from the environment, the config file and the defaults. */
void cli_resolve(struct cli_settings *s);
void cli_ctx_config(const struct cli_settings *s, struct gh_ctx_config *cfg);
/* A number from 1 to 100000, or a usage error naming what. */
unsigned cli_number(const char *text, const char *what);

/* Prints "gatehouse: <what>: <error message>" to stderr and exits 1. */
_Noreturn void cli_die(const char *what, gh_err err);
/* Prints "gatehouse: <message>" to stderr and exits 2 (usage errors). */
_Noreturn void cli_usage(const char *message);
/* Opens the instance's context (resolving s first) or dies with a one-line message. */
struct gh_ctx *cli_open(struct cli_settings *s);
/* A passphrase buffer: GH_PASSPHRASE_MAX_BYTES, a byte to notice more, and the NUL. */
#define CLI_PASSPHRASE_BUF (GH_PASSPHRASE_MAX_BYTES + 2)
/*
 * Reads a passphrase (one line, without its "\n" or "\r\n"; echo off and a prompt on a
 * terminal) into buf, NUL-terminated; returns its length.  A longer line is cut at
 * GH_PASSPHRASE_MAX_BYTES + 1 bytes, which the policy refuses as too long.  The caller wipes buf.
 */
size_t cli_read_passphrase(const char *prompt, char buf[CLI_PASSPHRASE_BUF]);
/* Writes s as a JSON string (with quotes) to out; NULL writes null. */
void cli_json_string(FILE *out, const char *s);

int cmd_account(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_passphrase(int argc, char **argv);
int cmd_pwhash(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_master_key(int argc, char **argv);
int cmd_mfa(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_breach(int argc, char **argv);
int cmd_roles(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_webhook(int argc, char **argv);

#endif
