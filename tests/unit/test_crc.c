/*
** test_crc.c -- CRC-32 (src/util/crc.c).
**
** Two independent oracles: zlib's crc32() itself, and a bit-at-a-time CRC
** written here from the definition (reflected polynomial 0xEDB88320,
** register preset and final value complemented).  Both ng__crc32() (the
** PCLMULQDQ path on CPUs that have it) and ng__crc32_portable() (zlib) are
** checked.  Each buffer under test is its own allocation that ends exactly
** at the last byte checked, so ASan reports any SIMD load past the end.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ng_int.h"
#include "ng_test.h"

static uint32_t bitwise_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static uint32_t zlib_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
    return (uint32_t)crc32(crc, p, (uInt)n);
}

static void fill_random(unsigned char *p, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(ng_test_rand(state) >> 56);
}

/* A copy of src[0..n) at `offset` bytes past a fresh allocation's start,
** ending at the allocation's end. */
static unsigned char *copy_at(const unsigned char *src, size_t n, size_t offset, unsigned char **block)
{
    *block = malloc(offset + n + 1); /* +1: malloc(0) may return NULL */
    if (!*block) return NULL;
    memset(*block, 0xA5, offset);
    memcpy(*block + offset, src, n);
    return *block + offset;
}

static void test_check_value(void)
{
    const unsigned char *s = (const unsigned char *)"123456789";
    CU_ASSERT_EQUAL(bitwise_crc32(0, s, 9), 0xCBF43926u);
    CU_ASSERT_EQUAL(ng__crc32(0, s, 9), 0xCBF43926u);
    CU_ASSERT_EQUAL(ng__crc32_portable(0, s, 9), 0xCBF43926u);
    CU_ASSERT_EQUAL(ng__crc32(0, s, 0), 0u);
    CU_ASSERT_EQUAL(ng__crc32(0x12345678u, s, 0), 0x12345678u);
}

/* The SIMD path must be the one under test wherever the CPU allows it. */
static void test_path_selected(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int has = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    CU_ASSERT_EQUAL(ng__crc32_accelerated(), has);
    if (!has) fprintf(stderr, "\n  note: no PCLMULQDQ on this CPU, only the zlib path is tested\n");
#else
    CU_ASSERT_EQUAL(ng__crc32_accelerated(), 0);
#endif
}

/* Every length 0..1024 at every alignment 0..63, with a random seed crc. */
static void test_lengths_and_offsets(void)
{
    enum { MAXLEN = 1024 };
    unsigned char src[MAXLEN];
    uint64_t rng = 42;
    unsigned failures = 0;
    fill_random(src, sizeof src, &rng);
    for (size_t offset = 0; offset < 64; offset++) {
        for (size_t len = 0; len <= MAXLEN; len++) {
            unsigned char *block, *p = copy_at(src, len, offset, &block);
            uint32_t seed = (uint32_t)ng_test_rand(&rng);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            uint32_t want = zlib_crc32(seed, p, len);
            if (ng__crc32(seed, p, len) != want || ng__crc32_portable(seed, p, len) != want ||
                ng__crc32(0, p, len) != zlib_crc32(0, p, len))
                failures++;
            free(block);
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
}

/* The hand-written oracle agrees with both paths on short inputs. */
static void test_against_bitwise(void)
{
    unsigned char src[300];
    uint64_t rng = 7;
    fill_random(src, sizeof src, &rng);
    for (size_t len = 0; len <= sizeof src; len++) {
        uint32_t want = bitwise_crc32(0xFFFFFFFFu, src, len);
        CU_ASSERT_EQUAL(ng__crc32(0xFFFFFFFFu, src, len), want);
        CU_ASSERT_EQUAL(ng__crc32_portable(0xFFFFFFFFu, src, len), want);
    }
}

/* 1 MB and odd sizes around it, at several alignments. */
static void test_large(void)
{
    static const size_t sizes[] = {1u << 20, (1u << 20) + 1, (1u << 20) - 1, 999983, 1234567, 65, 4095, 4097};
    size_t maxlen = 1234567 + 64;
    unsigned char *src = malloc(maxlen);
    uint64_t rng = 99;
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    fill_random(src, maxlen, &rng);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t offset = 0; offset < 64; offset += 13) {
            unsigned char *block, *p = copy_at(src + offset, sizes[i], offset, &block);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            uint32_t want = zlib_crc32(0, p, sizes[i]);
            CU_ASSERT_EQUAL(ng__crc32(0, p, sizes[i]), want);
            CU_ASSERT_EQUAL(ng__crc32_portable(0, p, sizes[i]), want);
            free(block);
        }
    }
    /* all-zero and all-one bytes: the register, not the data, carries the CRC */
    memset(src, 0, maxlen);
    CU_ASSERT_EQUAL(ng__crc32(0, src, maxlen), zlib_crc32(0, src, maxlen));
    memset(src, 0xFF, maxlen);
    CU_ASSERT_EQUAL(ng__crc32(0, src, maxlen), zlib_crc32(0, src, maxlen));
    free(src);
}

/* crc(a||b) == crc(crc(a), b) for every split of a 300-byte buffer, and for
** splits of a 4 KB one so that both halves take the SIMD path. */
static void test_incremental(void)
{
    unsigned char buf[4096];
    uint64_t rng = 1234;
    fill_random(buf, sizeof buf, &rng);
    uint32_t whole300 = zlib_crc32(0, buf, 300);
    for (size_t cut = 0; cut <= 300; cut++) {
        CU_ASSERT_EQUAL(ng__crc32(ng__crc32(0, buf, cut), buf + cut, 300 - cut), whole300);
        CU_ASSERT_EQUAL(ng__crc32_portable(ng__crc32_portable(0, buf, cut), buf + cut, 300 - cut), whole300);
    }
    uint32_t whole = zlib_crc32(0, buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut += 37) {
        for (size_t cut2 = cut; cut2 <= sizeof buf; cut2 += 301) {
            uint32_t c = ng__crc32(0, buf, cut);
            c = ng__crc32(c, buf + cut, cut2 - cut);
            CU_ASSERT_EQUAL(ng__crc32(c, buf + cut2, sizeof buf - cut2), whole);
        }
    }
}

static CU_TestInfo crc_tests[] = {
    {"check value of \"123456789\"", test_check_value},
    {"SIMD path chosen when the CPU has it", test_path_selected},
    {"lengths 0..1024 at alignments 0..63 vs zlib", test_lengths_and_offsets},
    {"both paths vs a bitwise CRC", test_against_bitwise},
    {"1 MB and odd sizes vs zlib", test_large},
    {"incremental splits", test_incremental},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"crc", NULL, NULL, NULL, NULL, crc_tests},
    CU_SUITE_INFO_NULL,
};
