/*
 * store_contract.h -- the storage contract: what every backend of struct gh_store_ops must do,
 * as backend-independent test cases (STYLE.md section 8: one contract suite, run on each
 * backend).
 *
 * Each case takes a store target, the string gh__store_open accepts (a SQLite file path, or a
 * "postgresql://" URL), naming a store that is empty and not yet migrated; the runner makes a
 * fresh one for every case.  A case opens the target itself (more than once when it checks
 * persistence), and fails through cmocka's assertions.  After each case, successful or not, the
 * runner calls store_contract_cleanup() to close whatever the case left open.
 *
 * store_test.c runs the cases on SQLite; a PostgreSQL runner only has to provide fresh targets.
 */
#ifndef GATEHOUSE_TEST_STORE_CONTRACT_H
#define GATEHOUSE_TEST_STORE_CONTRACT_H

#include <stddef.h>

struct store_contract_case {
    const char *name;
    void (*run)(const char *target);
};

extern const struct store_contract_case store_contract_cases[];
extern const size_t store_contract_count;

/* Closes every store a case opened and did not close (after a failed assertion). */
void store_contract_cleanup(void);

#endif
