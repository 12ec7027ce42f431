/*
** crc.c -- CRC-32 (ISO-HDLC, as zlib's crc32) over index files.
**
** Two implementations that give bit-identical results:
**
**   ng__crc32_portable()  zlib's crc32(), fed in pieces (zlib takes uInt).
**   crc_clmul()           x86 carry-less multiplication (PCLMULQDQ), after
**                         Intel's "Fast CRC Computation for Generic
**                         Polynomials Using PCLMULQDQ Instruction".
**
** ng__crc32() picks the second one at first use if the CPU has PCLMULQDQ
** and SSE4.1.  No compiler flag is needed: the SIMD functions carry a
** target attribute, and on other CPUs and architectures only zlib is used.
**
** How the folding works (reflected bit order throughout).  A 16-byte block
** loaded into an XMM register holds 128 message bits; register bit i is the
** coefficient of x^(127-i), so the low quadword L holds the first (highest)
** 64 coefficients and the high quadword H the next 64: the block is
** L(x)*x^64 + H(x).  A block that lies D bits before another one
** contributes L*x^(64+D) + H*x^D to it, and since only the residue mod P
** matters, each power is replaced by its (32-bit) residue: two 64x32-bit
** carry-less products fold the block onto the later one.  PCLMULQDQ on
** reflected operands yields the product times x, so the constant for
** "multiply by x^n" is x^(n-1) mod P, bit-reflected into the top half of a
** quadword (bit 63-m holds the coefficient of x^m).
**
** The main loop keeps four registers (64 bytes) and folds each over 512
** bits; the four are then folded into one over 128 bits, whole 16-byte
** blocks are folded in, and the last register A gives the CRC as
** A*x^32 mod P: two more folds bring it to 64 bits and a Barrett reduction
** (mu = x^64 div P) to 32.  A last partial block is merged into the
** register with byte shuffles (see crc_fold_tail), so only inputs shorter
** than NG_CRC_CLMUL_MIN go through zlib.
*/
#include <zlib.h>

#include "ng_int.h"

uint32_t ng__crc32_portable(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    /* zlib takes uInt lengths: feed large regions in pieces */
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, b, chunk);
        b += chunk;
        n -= chunk;
    }
    return crc;
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define NG_CRC_CLMUL 1
#include <immintrin.h>

#define NG_CRC_TARGET __attribute__((target("pclmul,sse4.1")))

/* Below this length the setup costs more than the SIMD loop saves. */
#ifndef NG_CRC_CLMUL_MIN
#define NG_CRC_CLMUL_MIN 16
#endif
_Static_assert(NG_CRC_CLMUL_MIN >= 16, "crc_clmul_reg loads whole 16-byte blocks");

/* "Multiply by x^n" constants (see the header comment), each the 32-bit
** reflected residue x^(n-1) mod P, to be placed in the top half of a
** quadword.  Computed offline by repeated shift-and-reduce. */
#define K_X576 0x653d9822u /* fold 4 lanes: low quadword, D = 512 */
#define K_X512 0xcad38e8fu /* fold 4 lanes: high quadword */
#define K_X192 0x65673b46u /* fold 1 lane: low quadword, D = 128 */
#define K_X128 0x9ba54c6fu /* fold 1 lane: high quadword */
#define K_X96 0xccaa009eu  /* 128 -> 96 bits: low quadword times x^96 */
#define K_X64 0xb8bc6765u  /* 96 -> 64 bits: top 32 bits times x^64 */
/* Barrett: mu = x^64 div P and P itself, 33 bits each, reflected so that
** bit 32-m holds the coefficient of x^m. */
#define K_MU_HI 0x1u
#define K_MU_LO 0xf7011641u
#define K_P_HI 0x1u
#define K_P_LO 0xdb710641u

/* A register of two quadwords {lo, hi} from two 32-bit constants placed in
** the top halves (selector 0x00 picks lo, 0x11 picks hi). */
NG_CRC_TARGET static inline __m128i crc_pair(uint32_t k_lo, uint32_t k_hi)
{
    return _mm_set_epi32((int)k_hi, 0, (int)k_lo, 0);
}

/* x_lo*x^(64+D) + x_hi*x^D, at most 96 bits, plus the later block `next` */
NG_CRC_TARGET static inline __m128i crc_fold(__m128i x, __m128i k, __m128i next)
{
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

/* A*x^32 mod P for the 128-bit polynomial A, as a reflected 32-bit value */
NG_CRC_TARGET static uint32_t crc_reduce128(__m128i a)
{
    __m128i k = crc_pair(K_X96, K_X64);
    /* L*x^96 + H*x^32: H moves from bits 64..127 to 32..95 */
    __m128i h32 = _mm_slli_si128(_mm_srli_si128(a, 8), 4);
    __m128i t = _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), h32);
    /* t has bits 32..127; bits 32..63 are x^95..x^64: replace by residue */
    t = _mm_xor_si128(t, _mm_clmulepi64_si128(t, k, 0x10));
    /* high quadword of t: a 64-bit polynomial, x^63 in bit 0 */
    uint32_t top = (uint32_t)_mm_extract_epi32(t, 2);   /* x^63..x^32 */
    uint32_t low = (uint32_t)_mm_extract_epi32(t, 3);   /* x^31..x^0  */
    __m128i mu_p = _mm_set_epi32((int)K_P_HI, (int)K_P_LO, (int)K_MU_HI, (int)K_MU_LO);
    __m128i q = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)top), mu_p, 0x00);
    q = _mm_and_si128(q, _mm_cvtsi32_si128(-1)); /* quotient: 32 bits */
    __m128i qp = _mm_clmulepi64_si128(q, mu_p, 0x10);
    return low ^ (uint32_t)_mm_extract_epi32(qp, 1);
}

/* pshufb masks: 16 bytes from shift_masks + 16 + r shift a register down
** by r bytes, from shift_masks + r up by 16 - r bytes (0x80 = zero byte). */
static const unsigned char shift_masks[48] = {
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
};

/* Append the last r (1..15) message bytes to x.  x followed by r bytes is
** the same message as x's first r bytes (after 16 - r leading zero bytes,
** which do not change a CRC) followed by x's other 16 - r bytes and the r
** new ones: two whole blocks, folded as usual.  `last16` holds the last 16
** bytes of the buffer, so the load stays inside it. */
NG_CRC_TARGET static __m128i crc_fold_tail(__m128i x, size_t r, __m128i last16)
{
    __m128i up = _mm_loadu_si128((const __m128i *)(const void *)(shift_masks + r));
    __m128i down = _mm_loadu_si128((const __m128i *)(const void *)(shift_masks + 16 + r));
    __m128i first = _mm_shuffle_epi8(x, up);
    /* up has the high bit set exactly in the 16 - r bytes that come from x */
    __m128i second = _mm_blendv_epi8(last16, _mm_shuffle_epi8(x, down), up);
    return crc_fold(first, crc_pair(K_X192, K_X128), second);
}

NG_CRC_TARGET static inline __m128i crc_load(const unsigned char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* n >= 16; crc is the raw register (not complemented).  Unaligned loads
** only, none outside [p, p + n). */
NG_CRC_TARGET static uint32_t crc_clmul_reg(uint32_t crc, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    __m128i k1 = crc_pair(K_X192, K_X128);
    __m128i x0 = _mm_xor_si128(crc_load(p), _mm_cvtsi32_si128((int)crc));

    p += 16;
    if (n >= 64) {
        __m128i k4 = crc_pair(K_X576, K_X512);
        __m128i x1 = crc_load(p), x2 = crc_load(p + 16), x3 = crc_load(p + 32);
        for (p += 48; end - p >= 64; p += 64) {
            x0 = crc_fold(x0, k4, crc_load(p));
            x1 = crc_fold(x1, k4, crc_load(p + 16));
            x2 = crc_fold(x2, k4, crc_load(p + 32));
            x3 = crc_fold(x3, k4, crc_load(p + 48));
        }
        x0 = crc_fold(crc_fold(crc_fold(x0, k1, x1), k1, x2), k1, x3);
    }
    for (; end - p >= 16; p += 16) x0 = crc_fold(x0, k1, crc_load(p));
    if (p < end) x0 = crc_fold_tail(x0, (size_t)(end - p), crc_load(end - 16));
    return crc_reduce128(x0);
}

static uint32_t crc_clmul(uint32_t crc, const void *p, size_t n)
{
    if (n < NG_CRC_CLMUL_MIN) return ng__crc32_portable(crc, p, n);
    /* zlib's crc is the complement of the register, before and after */
    return ~crc_clmul_reg(~crc, p, n);
}

static int crc_cpu_has_clmul(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}
#endif /* x86 */

typedef uint32_t crc_fn(uint32_t crc, const void *p, size_t n);
static crc_fn crc_resolve;

/* The implementation in use.  Threads that race on the first call all
** store the same pointer, so a relaxed atomic is enough. */
static crc_fn *crc_impl = crc_resolve;

static crc_fn *crc_choose(void)
{
#ifdef NG_CRC_CLMUL
    if (crc_cpu_has_clmul()) return crc_clmul;
#endif
    return ng__crc32_portable;
}

static uint32_t crc_resolve(uint32_t crc, const void *p, size_t n)
{
    crc_fn *fn = crc_choose();
    __atomic_store_n(&crc_impl, fn, __ATOMIC_RELAXED);
    return fn(crc, p, n);
}

int ng__crc32_accelerated(void)
{
    return crc_choose() != ng__crc32_portable;
}

uint32_t ng__crc32(uint32_t crc, const void *p, size_t n)
{
    return __atomic_load_n(&crc_impl, __ATOMIC_RELAXED)(crc, p, n);
}
