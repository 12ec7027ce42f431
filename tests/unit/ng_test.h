/*
** ng_test.h -- shared helpers of the CUnit test programs.
**
** Each tests/unit/test_<module>.c defines the NULL-terminated table
** ng_test_suites[] (CU_SuiteInfo); ng_test_main.c registers and runs it
** with the basic interface and exits non-zero if any assertion failed.
** Suites that need files use ng_test_tmpdir_init/ng_test_tmpdir_clean as
** their init/cleanup pair: a fresh directory in ng_test_tmpdir.
*/
#ifndef NG_TEST_H
#define NG_TEST_H

#include <CUnit/CUnit.h>
#include <stdint.h>

extern CU_SuiteInfo ng_test_suites[];
extern char ng_test_tmpdir[];

int ng_test_tmpdir_init(void);
int ng_test_tmpdir_clean(void);

/* Write a file under ng_test_tmpdir (creating directories); returns 0. */
int ng_test_write(const char *relpath, const char *data, size_t len);
/* Deterministic PRNG (xorshift64*) for property tests. */
uint64_t ng_test_rand(uint64_t *state);

#define NG_ASSERT_OK(expr) CU_ASSERT_EQUAL((expr), 0)

#endif
