/*
 * http.c -- the libmicrohttpd adapter: binds, bounds and parses requests, hands them to the
 * router, sends Twilio-shaped JSON back, and logs one line per request (method, path, status,
 * duration, credential SID: never a secret, never the query string).
 *
 * Limits: URI 8 KiB (414), headers 16 KiB (431), body 64 KiB (413), a connection cap and an
 * idle timeout.  Response bodies may carry secrets (a new key's secret), so they are built with
 * a wiping allocator and wiped again when libmicrohttpd frees them.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"

#define POOL_BYTES   (32 * 1024) /* URI (8 KiB) + headers (16 KiB) + room to answer */
#define LOG_PATH_MAX 200

struct exchange {
    char *uri; /* raw request target, NUL-terminated, at most GH_HTTP_URI_MAX bytes kept */
    bool uri_too_long;
    bool started;
    bool responded;
    bool body_too_large;
    size_t discarded;
    char *body;
    size_t body_len;
    struct timespec t0;
    int status;
    char method[16];
    char credential[GH_SID_SIZE];
};

/* ---- responses ---- */

static void
free_body(void *cls)
{
    char *body = cls;

    gh_wipe(body, strlen(body));
    free(body);
}

static enum MHD_Result
send_response(struct MHD_Connection *con, struct exchange *x, struct gh_response *res)
{
    size_t len = 0;
    char *text = res->has_body ? gh_jw_take(&res->body, &len) : NULL;
    struct MHD_Response *r;
    enum MHD_Result ok;

    if (res->has_body && text == NULL) {
        gh_respond_error(res, GH_E_NOMEM); /* the body outgrew its bound: say so, briefly */
        text = gh_jw_take(&res->body, &len);
    }
    if (text != NULL) {
        r = MHD_create_response_from_buffer_with_free_callback_cls(len, text, free_body, text);
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (r == NULL) {
        if (text != NULL) {
            free_body(text);
        }
        return MHD_NO;
    }
    if (text != NULL) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (res->auth_challenge) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"Gatehouse\"");
    }
    if (res->allow[0] != '\0') {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    }
    if (res->retry_after_s > 0) {
        char seconds[24];

        snprintf(seconds, sizeof(seconds), "%lld", (long long)res->retry_after_s);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    x->status = res->status;
    x->responded = true;
    ok = MHD_queue_response(con, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result
send_error(struct MHD_Connection *con, struct exchange *x, gh_err err)
{
    struct gh_response res;
    enum MHD_Result ok;

    memset(&res, 0, sizeof(res));
    gh_respond_error(&res, err);
    ok = send_response(con, x, &res);
    gh_response_clear(&res);
    return ok;
}

/* ---- request parts ---- */

static enum MHD_Result
sum_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    size_t *total = cls;

    (void)kind;
    *total += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static size_t
header_bytes(struct MHD_Connection *con)
{
    size_t total = 0;

    MHD_get_connection_values(con, MHD_HEADER_KIND, sum_header, &total);
    return total;
}

static bool
body_too_large(struct MHD_Connection *con)
{
    const char *cl =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

    return cl != NULL && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > GH_HTTP_BODY_MAX);
}

static void
remote_address(struct MHD_Connection *con, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

    snprintf(out, cap, "-");
    if (sa != NULL && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
    }
}

/* True when addr is one of the comma-separated addresses in list. */
static bool
listed(const char *list, const char *addr)
{
    size_t len = strlen(addr);

    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        while (n > 0 && p[n - 1] == ' ') {
            n--;
        }
        if (n == len && memcmp(p, addr, n) == 0) {
            return true;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/*
 * Behind a trusted load balancer, the client is the last address it appended to
 * X-Forwarded-For (anything before it came from the client and proves nothing).  Only a valid
 * IP address replaces the peer's.
 */
static void
forwarded_for(struct MHD_Connection *con, const struct gh_server_config *cfg, char *addr,
              size_t cap)
{
    const char *xff;
    const char *last;
    char candidate[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    size_t n;

    if (cfg->trusted_proxies == NULL || !listed(cfg->trusted_proxies, addr)) {
        return;
    }
    xff = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff == NULL) {
        return;
    }
    last = strrchr(xff, ',');
    last = last != NULL ? last + 1 : xff;
    while (*last == ' ') {
        last++;
    }
    n = strcspn(last, " ");
    if (n == 0 || n >= sizeof(candidate)) {
        return;
    }
    memcpy(candidate, last, n);
    candidate[n] = '\0';
    if (inet_pton(AF_INET, candidate, bin) == 1 || inet_pton(AF_INET6, candidate, bin) == 1) {
        snprintf(addr, cap, "%s", candidate);
    }
}

static bool
is_form(const char *content_type)
{
    static const char form[] = "application/x-www-form-urlencoded";
    size_t n = sizeof(form) - 1;

    return strncasecmp(content_type, form, n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/* Splits the raw target into a decoded path and the query; parses query and form body. */
static gh_err
parse_request(struct exchange *x, struct gh_request *req, char *path, size_t path_cap)
{
    char *q = strchr(x->uri, '?');
    size_t raw_len = q != NULL ? (size_t)(q - x->uri) : strlen(x->uri);
    gh_err rc;

    req->raw_query = q != NULL ? q + 1 : "";
    if (raw_len >= path_cap || memchr(x->uri, '%', raw_len) != NULL) {
        return GH_E_NOT_FOUND; /* no route has an encoded character in its path */
    }
    memcpy(path, x->uri, raw_len);
    path[raw_len] = '\0';
    req->path = path;
    rc = gh_form_parse(req->raw_query, strlen(req->raw_query), &req->params);
    if (rc != GH_OK) {
        return rc;
    }
    if (x->body_len == 0 && (req->content_type == NULL || strcmp(req->method, "POST") != 0)) {
        return GH_OK;
    }
    if (req->content_type == NULL || !is_form(req->content_type)) {
        return GH_E_UNSUPPORTED_MEDIA;
    }
    return gh_form_parse(x->body != NULL ? x->body : "", x->body_len, &req->params);
}

static enum MHD_Result
dispatch(struct MHD_Connection *con, struct exchange *x, const struct gh_server_config *cfg)
{
    char path[GH_HTTP_URI_MAX + 1];
    char addr[INET6_ADDRSTRLEN];
    struct gh_request req;
    struct gh_response res;
    enum MHD_Result ok;
    gh_err rc;

    memset(&req, 0, sizeof(req));
    memset(&res, 0, sizeof(res));
    remote_address(con, addr, sizeof(addr));
    forwarded_for(con, cfg, addr, sizeof(addr));
    req.cfg = cfg;
    req.method = x->method;
    req.origin.remote_addr = addr;
    req.origin.user_agent =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    req.host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    req.content_type =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    req.authorization =
        MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    req.body = x->body;
    req.body_len = x->body_len;
    rc = parse_request(x, &req, path, sizeof(path));
    if (rc == GH_E_LIMIT) {
        rc = GH_E_MALFORMED;
    }
    if (rc == GH_OK) {
        gh_route(&req, &res);
    } else {
        gh_respond_error(&res, rc);
    }
    snprintf(x->credential, sizeof(x->credential), "%s", req.who.sid);
    ok = send_response(con, x, &res);
    gh_response_clear(&res);
    gh_params_clear(&req.params);
    return ok;
}

/* ---- libmicrohttpd callbacks ---- */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    struct exchange *x = calloc(1, sizeof(*x));
    size_t len = strlen(uri);

    (void)cls;
    (void)con;
    if (x == NULL) {
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &x->t0);
    x->uri_too_long = len > GH_HTTP_URI_MAX;
    x->uri = strndup(uri, x->uri_too_long ? LOG_PATH_MAX : len); /* a long one: for the log */
    return x;
}

static enum MHD_Result
first_call(struct MHD_Connection *con, struct exchange *x, const char *method)
{
    x->started = true;
    snprintf(x->method, sizeof(x->method), "%s", method);
    if (x->uri == NULL) {
        return MHD_NO;
    }
    if (x->uri_too_long) {
        return send_error(con, x, GH_E_URI_TOO_LONG);
    }
    if (header_bytes(con) > GH_HTTP_HEADERS_MAX) {
        return send_error(con, x, GH_E_HEADERS_TOO_LARGE);
    }
    if (body_too_large(con)) {
        return send_error(con, x, GH_E_BODY_TOO_LARGE);
    }
    return MHD_YES;
}

/*
 * A body without Content-Length (chunked) can outgrow the cap while it arrives.  libmicrohttpd
 * cannot answer in the middle of an upload, so the rest is read and dropped, up to a limit past
 * which the connection is simply closed; the 413 goes out when the upload ends.
 */
#define DISCARD_MAX (4 * GH_HTTP_BODY_MAX)

static enum MHD_Result
take_body(struct exchange *x, const char *data, size_t len)
{
    char *grown;

    if (x->body_too_large || x->body_len + len > GH_HTTP_BODY_MAX) {
        x->body_too_large = true;
        x->discarded += len;
        return x->discarded <= DISCARD_MAX ? MHD_YES : MHD_NO;
    }
    grown = realloc(x->body, x->body_len + len + 1);
    if (grown == NULL) {
        return MHD_NO;
    }
    x->body = grown;
    memcpy(x->body + x->body_len, data, len);
    x->body_len += len;
    x->body[x->body_len] = '\0';
    return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct exchange *x = *con_cls;
    size_t len = *upload_data_size;

    (void)url;
    (void)version;
    if (x == NULL) {
        return MHD_NO;
    }
    if (!x->started) {
        return first_call(con, x, method);
    }
    if (len > 0) {
        *upload_data_size = 0;
        return x->responded ? MHD_YES : take_body(x, upload_data, len);
    }
    if (x->responded) {
        return MHD_YES;
    }
    return x->body_too_large ? send_error(con, x, GH_E_BODY_TOO_LARGE) : dispatch(con, x, cls);
}

/* "2026-11-27T22:14:01.123Z": the ISO 8601 second, then the milliseconds. */
static void
now_iso(char out[32])
{
    struct timespec ts;
    char second[GH_ISO8601_SIZE];

    clock_gettime(CLOCK_REALTIME, &ts);
    gh_time_iso8601((int64_t)ts.tv_sec * 1000, second);
    snprintf(out, 32, "%.19s.%03dZ", second, (int)(ts.tv_nsec / 1000000));
}

static void
log_line(const struct exchange *x, int64_t us)
{
    char when[32];
    char line[640];
    char path[LOG_PATH_MAX + 1];
    size_t i = 0;
    int n;

    for (; x->uri != NULL && x->uri[i] != '\0' && x->uri[i] != '?' && i < LOG_PATH_MAX; i++) {
        unsigned char c = (unsigned char)x->uri[i];

        path[i] = (c > 0x20 && c < 0x7F) ? (char)c : '?';
    }
    path[i] = '\0';
    now_iso(when);
    n = snprintf(line, sizeof(line), "%s %s %s %d %lld.%03lldms %s\n", when,
                 x->method[0] ? x->method : "-", i > 0 ? path : "-", x->status,
                 (long long)(us / 1000), (long long)(us % 1000),
                 x->credential[0] ? x->credential : "-");
    if (n > 0) {
        /* One write per line: lines from different threads never interleave. */
        ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line));
        (void)w;
    }
}

static void
on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct exchange *x = *con_cls;
    struct timespec t1;

    (void)cls;
    (void)con;
    (void)toe;
    if (x == NULL) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (x->started) {
        log_line(x, (int64_t)(t1.tv_sec - x->t0.tv_sec) * 1000000 +
                        (t1.tv_nsec - x->t0.tv_nsec) / 1000);
    }
    if (x->body != NULL) {
        gh_wipe(x->body, x->body_len);
    }
    free(x->body);
    free(x->uri);
    free(x);
    *con_cls = NULL;
}

/* ---- the daemon ---- */

static gh_err
resolve(const char *listen, struct sockaddr_storage *ss, bool *v6)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    struct addrinfo hints;
    struct addrinfo *ai = NULL;
    size_t hlen;

    if (colon == NULL || colon == listen || strlen(colon + 1) == 0) {
        return GH_E_INVALID;
    }
    hlen = (size_t)(colon - listen);
    if (listen[0] == '[' && hlen >= 2 && listen[hlen - 1] == ']') {
        listen++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host)) {
        return GH_E_INVALID;
    }
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || ai == NULL) {
        return GH_E_INVALID;
    }
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return GH_OK;
}

static unsigned
cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 && n < 256 ? (unsigned)n : 2;
}

static struct MHD_Daemon *
start_daemon(struct gh_server_config *cfg, struct sockaddr_storage *ss, bool v6)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC |
                     (v6 ? MHD_USE_IPv6 : 0);

    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, cfg, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads != 0 ? cfg->threads : cpu_count(),
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections != 0 ? cfg->max_connections : 1024,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s != 0 ? cfg->timeout_s : 30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_BYTES, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        1024, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_END);
}

static void
print_listening(struct MHD_Daemon *d, const char *listen, bool v6)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    const char *colon = strrchr(listen, ':');
    int hlen = (int)(colon - listen);

    (void)v6;
    printf("gatehouse: listening on http://%.*s:%u\n", hlen, listen,
           info != NULL ? (unsigned)info->port : 0);
    fflush(stdout);
}

int
gh_server_run(struct gh_server_config *cfg)
{
    struct sockaddr_storage ss;
    struct MHD_Daemon *d;
    sigset_t stop;
    bool v6 = false;
    int sig = 0;

    if (!gh_routes_complete()) {
        fprintf(stderr, "gatehouse: a route names no permission; refusing to start\n");
        return 1;
    }
    if (resolve(cfg->listen, &ss, &v6) != GH_OK) {
        fprintf(stderr, "gatehouse: cannot use listen address %s\n", cfg->listen);
        return 1;
    }
    gh_json_setup();
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    d = start_daemon(cfg, &ss, v6);
    if (d == NULL) {
        fprintf(stderr, "gatehouse: cannot listen on %s\n", cfg->listen);
        return 1;
    }
    print_listening(d, cfg->listen, v6);
    sigwait(&stop, &sig);
    fprintf(stderr, "gatehouse: stopping (signal %d)\n", sig);
    MHD_stop_daemon(d);
    return 0;
}
