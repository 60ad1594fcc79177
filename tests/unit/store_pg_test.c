/*
 * store_pg_test.c -- the storage contract (store_contract.c) run on the PostgreSQL backend,
 * each case in a fresh database of the throwaway cluster that scripts/pg.sh started; the base
 * URL (of its "postgres" database) comes from $GATEHOUSE_TEST_PG_URL.  Plus what only this
 * backend decides: an unreachable server is GH_E_UNREACHABLE, at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "store/store.h"

#include "helpers.h"
#include "store_contract.h"

static const char *base_url;

struct pg_target {
    const struct store_contract_case *c;
    char db[64];
    char url[4096];
};

/* Runs one SQL command on the cluster's "postgres" database. */
static int
admin(const char *sql)
{
    PGconn *pg = PQconnectdb(base_url);
    PGresult *res = NULL;
    int ok = 0;

    if (PQstatus(pg) == CONNECTION_OK) {
        res = PQexec(pg, sql);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    }
    PQclear(res);
    PQfinish(pg);
    return ok ? 0 : -1;
}

/* base_url ("postgresql://user@/postgres?host=..."), its database name replaced by db. */
static int
url_for(const char *db, char *out, size_t cap)
{
    const char *slash = strstr(base_url, "/postgres?");
    int n;

    if (slash == NULL) {
        return -1;
    }
    n = snprintf(out, cap, "%.*s/%s%s", (int)(slash - base_url), base_url, db,
                 slash + strlen("/postgres"));
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int
fresh_target(void **state)
{
    static unsigned counter;
    struct pg_target *t = calloc(1, sizeof(*t));
    char sql[128];

    if (t == NULL) {
        return -1;
    }
    t->c = *state;
    snprintf(t->db, sizeof(t->db), "gh_contract_%d_%u", (int)getpid(), counter++);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", t->db);
    if (admin(sql) != 0 || url_for(t->db, t->url, sizeof(t->url)) != 0) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int
remove_target(void **state)
{
    struct pg_target *t = *state;
    char sql[128];

    store_contract_cleanup();
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->db);
    (void)admin(sql);
    free(t);
    return 0;
}

static void
run_case(void **state)
{
    const struct pg_target *t = *state;

    t->c->run(t->url);
}

static void
unreachable_server_is_reported_at_once(void **state)
{
    struct gh_store *st = (struct gh_store *)&st;

    (void)state;
    assert_gh(gh__store_open("postgresql://nobody@/x?host=/nonexistent-gatehouse-socket", 2, &st),
              GH_E_UNREACHABLE);
    assert_null(st);
}

/* The change counter the cache trusts: even, and moved by every committed write, by anyone. */
static void
every_commit_moves_the_revision(void **state)
{
    const struct pg_target *t = *state;
    struct gh_store *st = NULL;
    struct gh_store *other = NULL;
    struct gh_tx *tx = NULL;
    uint64_t before = 0;
    uint64_t inside = 0;
    uint64_t after = 0;

    assert_gh(gh__store_open(t->url, 2, &st), GH_OK);
    assert_gh(gh__store_open(t->url, 2, &other), GH_OK);
    assert_gh(st->ops->migrate(st), GH_OK);
    assert_true(st->ops->revision(st, NULL, &before));
    assert_int_equal(before % 2, 0);
    assert_gh(other->ops->begin(other, GH_TX_WRITE, &tx), GH_OK);
    assert_gh(GH_ST(tx)->meta_put(tx, "x", "1"), GH_OK);
    assert_true(st->ops->revision(st, NULL, &inside));
    assert_true(inside == before); /* not committed yet: nothing to see */
    assert_gh(GH_ST(tx)->commit(tx), GH_OK);
    assert_true(st->ops->revision(st, NULL, &after));
    assert_true(after != before);
    assert_int_equal(after % 2, 0);
    gh__store_close(other);
    gh__store_close(st);
}

int
main(void)
{
    const size_t n = 2 + store_contract_count;
    struct CMUnitTest *tests;
    char(*names)[128];
    int failed;

    base_url = getenv("GATEHOUSE_TEST_PG_URL");
    if (base_url == NULL || base_url[0] == '\0') {
        printf("1..0 # SKIP GATEHOUSE_TEST_PG_URL is not set (scripts/test.sh sets it)\n");
        return 0;
    }
    tests = calloc(n, sizeof(*tests));
    names = calloc(store_contract_count, sizeof(*names));
    if (tests == NULL || names == NULL) {
        return 1;
    }
    tests[0] = (struct CMUnitTest)cmocka_unit_test(unreachable_server_is_reported_at_once);
    tests[1] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(every_commit_moves_the_revision,
                                                                  fresh_target, remove_target);
    tests[1].initial_state = (void *)(uintptr_t)&store_contract_cases[0];
    for (size_t i = 0; i < store_contract_count; i++) {
        struct CMUnitTest *t = &tests[2 + i];

        snprintf(names[i], sizeof(names[i]), "postgresql: %s", store_contract_cases[i].name);
        t->name = names[i];
        t->test_func = run_case;
        t->setup_func = fresh_target;
        t->teardown_func = remove_target;
        t->initial_state = (void *)(uintptr_t)&store_contract_cases[i];
    }
    test_tap_output();
    failed = _cmocka_run_group_tests("store_pg", tests, n, NULL, NULL);
    free(names);
    free(tests);
    return failed;
}
