/*
** ng_test_main.c -- main() of every unit test program.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ng_test.h"

char ng_test_tmpdir[4096];

int ng_test_tmpdir_init(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(ng_test_tmpdir, sizeof ng_test_tmpdir, "%s/ngtest.XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(ng_test_tmpdir) ? 0 : -1;
}

int ng_test_tmpdir_clean(void)
{
    char cmd[4200];
    if (!ng_test_tmpdir[0]) return 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ng_test_tmpdir);
    ng_test_tmpdir[0] = '\0';
    return system(cmd) == 0 ? 0 : -1;
}

int ng_test_write(const char *relpath, const char *data, size_t len)
{
    char path[8192], *slash;
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", ng_test_tmpdir, relpath);
    for (slash = strchr(path + strlen(ng_test_tmpdir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) return -1;
        *slash = '/';
    }
    f = fopen(path, "wb");
    if (!f) return -1;
    if (len && fwrite(data, 1, len, f) != len) { fclose(f); return -1; }
    return fclose(f) == 0 ? 0 : -1;
}

uint64_t ng_test_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

int main(void)
{
    unsigned failed;
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    if (CU_register_suites(ng_test_suites) != CUE_SUCCESS) {
        fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
