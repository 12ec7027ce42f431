#include "ng_test.h"
CU_SuiteInfo ng_test_suites[] = {CU_SUITE_INFO_NULL};
