/*
 * settings.c -- where a command's settings come from, strongest first: its command-line flag,
 * then the environment ($GATEHOUSE_DATA, $GATEHOUSE_STORE, $GATEHOUSE_CONFIG,
 * $GATEHOUSE_LISTEN, $GATEHOUSE_MASTER_KEY), then the config file (--config, $GATEHOUSE_CONFIG,
 * else <data>/gatehouse.conf when it exists), then the defaults.  The config file is
 * "name = value" lines with '#' comments; an unknown name is an error, never ignored.  The
 * master key itself never comes from argv or the config file: only from the key file or the
 * environment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

#define CONFIG_MAX      (64 * 1024)
#define CONFIG_LINE_MAX 4096

enum kind { TEXT, NUMBER };

struct setting {
    const char *name;
    enum kind kind;
    size_t text_off;   /* offsetof a const char * in cli_settings (TEXT) */
    size_t number_off; /* offsetof an unsigned in cli_settings (NUMBER) */
};

#define T(name, field)                                                                             \
    {                                                                                              \
        name, TEXT, offsetof(struct cli_settings, field), 0                                        \
    }
#define N(name, field)                                                                             \
    {                                                                                              \
        name, NUMBER, 0, offsetof(struct cli_settings, field)                                      \
    }
static const struct setting table[] = {
    T("store", store),
    T("master_key_file", key_file),
    T("listen", listen),
    T("trusted_proxies", trusted_proxies),
    T("public_url", public_url),
    N("threads", threads),
    N("max_connections", max_connections),
    N("timeout", timeout_s),
    N("store_connections", store_connections),
    N("pwhash_memory_mib", pwhash_memory_mib),
    N("pwhash_passes", pwhash_passes),
    N("pwhash_concurrency", pwhash_concurrency),
    N("passphrase_min_length", passphrase_min_length),
    T("passphrase_blocklist", passphrase_blocklist),
    N("session_lifetime_minutes", session_lifetime_minutes),
    N("session_idle_minutes", session_idle_minutes),
    T("breach.index", breach_index),
    T("breach.required", breach_required),
    T("breach_index", breach_index), /* the same two, spelt like the others */
    T("breach_required", breach_required),
    T("mfa.issuer", mfa_issuer),
    T("mfa_issuer", mfa_issuer),
};
#undef T
#undef N

bool
cli_common_option(int c, const char *arg, struct cli_settings *s)
{
    switch (c) {
    case CLI_OPT_DATA:
        s->data_dir = arg;
        return true;
    case CLI_OPT_STORE:
        s->store = arg;
        return true;
    case CLI_OPT_CONFIG:
        s->config = arg;
        return true;
    case CLI_OPT_KEY_FILE:
        s->key_file = arg;
        return true;
    default:
        return false;
    }
}

static const char *
env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

unsigned
cli_number(const char *text, const char *what)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] < '0' || text[0] > '9' || v == 0 || v > 100000) {
        fprintf(stderr, "gatehouse: %s must be a number from 1 to 100000\n", what);
        exit(2);
    }
    return (unsigned)v;
}

static char *
trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) {
        *--end = '\0';
    }
    return s;
}

/*
 * The config file's text values live until the process ends; kept here (not only in a
 * command's stack-held settings) so that they stay reachable and leak checkers agree.
 */
static const char *
keep(char *value, const char *path)
{
    static char *volatile kept[2 * sizeof(table) / sizeof(table[0])]; /* stores never elided */
    static size_t n;

    if (value == NULL) {
        cli_die(path, GH_E_NOMEM);
    }
    if (n < sizeof(kept) / sizeof(kept[0])) {
        kept[n++] = value;
    }
    return value;
}

/* Applies one "name = value" line unless a stronger source already set it. */
static void
apply_line(struct cli_settings *s, const char *path, int lineno, char *line)
{
    char *eq = strchr(line, '=');
    char *name;
    char *value;

    if (eq == NULL) {
        fprintf(stderr, "gatehouse: %s:%d: expected \"name = value\"\n", path, lineno);
        exit(2);
    }
    *eq = '\0';
    name = trim(line);
    value = trim(eq + 1);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const struct setting *t = &table[i];

        if (strcmp(name, t->name) != 0) {
            continue;
        }
        if (t->kind == TEXT) {
            const char **field = (const char **)(void *)((char *)s + t->text_off);

            if (*field == NULL) {
                *field = keep(strdup(value), path);
            }
        } else {
            unsigned *field = (unsigned *)(void *)((char *)s + t->number_off);

            if (*field == 0) {
                *field = cli_number(value, name);
            }
        }
        return;
    }
    fprintf(stderr, "gatehouse: %s:%d: unknown setting '%s'\n", path, lineno, name);
    exit(2);
}

static void
read_config(struct cli_settings *s, const char *path, bool required)
{
    char line[CONFIG_LINE_MAX];
    struct stat st;
    int lineno = 0;
    FILE *f;

    if (stat(path, &st) != 0 && !required) {
        return;
    }
    f = fopen(path, "r");
    if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size > CONFIG_MAX) {
        fprintf(stderr, "gatehouse: cannot read config file %s\n", path);
        exit(2);
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *text = trim(line);
        size_t len = strlen(text);

        lineno++;
        if (len > 0 && text[len - 1] == '\n') {
            text[--len] = '\0';
        }
        text = trim(text);
        if (text[0] != '\0' && text[0] != '#') {
            apply_line(s, path, lineno, text);
        }
    }
    fclose(f);
}

void
cli_resolve(struct cli_settings *s)
{
    static char default_config[4096];
    bool explicit_config;

    s->data_dir = s->data_dir != NULL ? s->data_dir : env("GATEHOUSE_DATA");
    s->data_dir = s->data_dir != NULL ? s->data_dir : "./var";
    s->store = s->store != NULL && s->store[0] != '\0' ? s->store : env("GATEHOUSE_STORE");
    s->listen = s->listen != NULL ? s->listen : env("GATEHOUSE_LISTEN");
    s->master_key = env("GATEHOUSE_MASTER_KEY");
    s->config = s->config != NULL ? s->config : env("GATEHOUSE_CONFIG");
    explicit_config = s->config != NULL;
    if (!explicit_config) {
        snprintf(default_config, sizeof(default_config), "%s/gatehouse.conf", s->data_dir);
        s->config = default_config;
    }
    read_config(s, s->config, explicit_config);
    s->listen = s->listen != NULL ? s->listen : "127.0.0.1:8088";
}

/* A yes/no setting: true, yes, on, 1 or false, no, off, 0; anything else is a usage error. */
static bool
flag_value(const char *text, const char *name)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};

    if (text == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            return true;
        }
        if (strcasecmp(text, no[i]) == 0) {
            return false;
        }
    }
    fprintf(stderr, "gatehouse: %s must be true or false, not '%s'\n", name, text);
    exit(2);
}

void
cli_ctx_config(const struct cli_settings *s, struct gh_ctx_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->data_dir = s->data_dir;
    cfg->key_file = s->key_file;
    cfg->store_connections = s->store_connections;
    cfg->store_url = s->store;
    cfg->master_key = s->master_key;
    cfg->pwhash.memlimit = (size_t)s->pwhash_memory_mib << 20;
    cfg->pwhash.opslimit = s->pwhash_passes;
    cfg->pwhash.max_concurrent = s->pwhash_concurrency;
    cfg->passphrase.min_length = s->passphrase_min_length;
    cfg->passphrase.blocklist_path = s->passphrase_blocklist;
    cfg->session_ttl_s = (int64_t)s->session_lifetime_minutes * 60;
    cfg->session_idle_s = (int64_t)s->session_idle_minutes * 60;
    cfg->breach_index = s->breach_index;
    cfg->mfa_issuer = s->mfa_issuer;
    cfg->breach_required = flag_value(s->breach_required, "breach.required");
}
