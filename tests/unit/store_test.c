/*
 * store_test.c -- lib/store: the storage contract (store_contract.c) run on the SQLite backend,
 * each case on a fresh database file in its own scratch folder, plus what only the front door
 * (gh__store_open) decides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/store.h"

#include "helpers.h"
#include "store_contract.h"

struct sqlite_target {
    const struct store_contract_case *c;
    struct test_dir dir;
    char path[PATH_MAX];
};

static int
fresh_target(void **state)
{
    struct sqlite_target *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    t->c = *state;
    test_dir_make(&t->dir);
    test_path(&t->dir, "store.db", t->path);
    *state = t;
    return 0;
}

static int
remove_target(void **state)
{
    struct sqlite_target *t = *state;

    store_contract_cleanup();
    test_dir_remove(&t->dir);
    free(t);
    return 0;
}

static void
run_case(void **state)
{
    const struct sqlite_target *t = *state;

    t->c->run(t->path);
}

/* ---- gh__store_open ---- */

static int
scratch(void **state)
{
    struct test_dir *d = calloc(1, sizeof(*d));

    if (d == NULL) {
        return -1;
    }
    test_dir_make(d);
    *state = d;
    return 0;
}

static int
unscratch(void **state)
{
    struct test_dir *d = *state;

    gh__alloc_fail_after(0);
    test_dir_remove(d);
    free(d);
    return 0;
}

static void
open_refuses_empty_targets_and_routes_postgres_urls(void **state)
{
    struct gh_store *st = (struct gh_store *)&st;

    (void)state;
    assert_gh(gh__store_open(NULL, 1, &st), GH_E_INVALID);
    assert_null(st);
    assert_gh(gh__store_open("", 1, &st), GH_E_INVALID);
    assert_null(st);
    /* PostgreSQL URLs go to the PostgreSQL backend, never become SQLite file names. */
    assert_gh(gh__store_open("postgresql://nobody@/gh?host=/nonexistent-gh-dir", 1, &st),
              GH_E_UNREACHABLE);
    assert_null(st);
    assert_gh(gh__store_open("postgres://nobody@/gh?host=/nonexistent-gh-dir", 1, &st),
              GH_E_UNREACHABLE);
    assert_null(st);
    assert_false(test_exists("postgres:"));
}

static void
open_refuses_an_unusable_path(void **state)
{
    const struct test_dir *d = *state;
    char path[PATH_MAX];
    struct gh_store *st = (struct gh_store *)&st;

    test_path(d, "missing/dir/store.db", path);
    assert_true(gh__store_open(path, 2, &st) != GH_OK);
    assert_null(st);
    test_path(d, "folder", path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_true(gh__store_open(path, 2, &st) != GH_OK); /* a folder, not a file */
    assert_null(st);
}

static void
open_reports_allocation_failure(void **state)
{
    const struct test_dir *d = *state;
    char path[PATH_MAX];
    struct gh_store *st = NULL;

    test_path(d, "store.db", path);
    for (unsigned long n = 1; n <= 2; n++) {
        gh__alloc_fail_after(n);
        assert_gh(gh__store_open(path, 2, &st), GH_E_NOMEM);
        assert_null(st);
    }
    gh__alloc_fail_after(0);
    assert_gh(gh__store_open(path, 0, &st), GH_OK); /* 0: the default pool */
    assert_non_null(st->ops->name);
    gh__store_close(st);
    gh__store_close(NULL);
}

int
main(void)
{
    static const struct CMUnitTest front_door[] = {
        cmocka_unit_test(open_refuses_empty_targets_and_routes_postgres_urls),
        cmocka_unit_test_setup_teardown(open_refuses_an_unusable_path, scratch, unscratch),
        cmocka_unit_test_setup_teardown(open_reports_allocation_failure, scratch, unscratch),
    };
    const size_t n = GH_ARRAY_LEN(front_door) + store_contract_count;
    struct CMUnitTest *tests = calloc(n, sizeof(*tests));
    char(*names)[128] = calloc(store_contract_count, sizeof(*names));
    int failed;

    if (tests == NULL || names == NULL) {
        return 1;
    }
    memcpy(tests, front_door, sizeof(front_door));
    for (size_t i = 0; i < store_contract_count; i++) {
        struct CMUnitTest *t = &tests[GH_ARRAY_LEN(front_door) + i];

        snprintf(names[i], sizeof(names[i]), "sqlite: %s", store_contract_cases[i].name);
        t->name = names[i];
        t->test_func = run_case;
        t->setup_func = fresh_target;
        t->teardown_func = remove_target;
        t->initial_state = (void *)(uintptr_t)&store_contract_cases[i];
    }
    test_tap_output();
    failed = _cmocka_run_group_tests("store", tests, n, NULL, NULL);
    free(names);
    free(tests);
    return failed;
}
