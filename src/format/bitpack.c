/*
** bitpack.c -- fixed-width bit packing of up to 128 32-bit values.
**
** Values are laid LSB first into a little-endian bit stream: value i
** occupies bits [i*w, (i+1)*w).  A block of 128 values of width w takes
** exactly 16*w bytes, so a reader can skip it without decoding.  Packing
** keeps a 64-bit accumulator and touches each output byte once; unpacking
** reads each value with one unaligned 64-bit load.
*/
#include "format/format.h"

unsigned ng_fmt__bits(uint32_t v)
{
    return v ? 32u - (unsigned)__builtin_clz(v) : 0u;
}

unsigned ng_fmt__max_bits(const uint32_t *v, size_t n)
{
    uint32_t acc = 0;
    size_t i;
    for (i = 0; i < n; i++) acc |= v[i];
    return ng_fmt__bits(acc);
}

/* Pack the low w bits (those of mask) of n values. */
static size_t pack_masked(uint8_t *out, const uint32_t *in, size_t n, unsigned w, uint32_t mask)
{
    uint64_t acc = 0;
    unsigned have = 0; /* bits in acc, below 32 between values */
    size_t i, o = 0;
    if (w == 0) return 0;
    for (i = 0; i < n; i++) {
        acc |= (uint64_t)(in[i] & mask) << have;
        have += w;
        if (have >= 32) { /* four bytes at once, little-endian */
            ng__set_u32(out + o, (uint32_t)acc);
            o += 4;
            acc >>= 32;
            have -= 32;
        }
    }
    for (; have > 0; have = have > 8 ? have - 8 : 0) {
        out[o++] = (uint8_t)acc;
        acc >>= 8;
    }
    return o;
}

size_t ng_fmt__pack(uint8_t *out, const uint32_t *in, size_t n, unsigned w)
{
    return pack_masked(out, in, n, w, 0xffffffffu);
}

/* Little-endian 64-bit load from any address; compilers make it one move. */
static inline uint64_t load64le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

/* Value i of width w starts at bit i*w: one 64-bit load at its first byte
** holds it whole (7 + 32 bits < 64).  Eight values take exactly w bytes, so
** the loop goes a group of eight at a time with every offset a constant of
** w; the compiler instantiates it once per width (unpack_w* below).  Loads
** may read up to 8 bytes past a group: only groups whose loads end inside
** the packed bytes are done in place, the rest from a zero-padded copy. */
static inline size_t unpack_groups(uint32_t *out, const uint8_t *in, size_t n, size_t len, unsigned w)
{
    uint32_t mask = w >= 32 ? 0xffffffffu : (1u << w) - 1;
    size_t g, groups = n / 8;
    for (g = 0; g < groups && g * w + w + 8 <= len; g++) {
        const uint8_t *p = in + g * w;
        uint32_t *o = out + g * 8;
        unsigned j;
#if defined(__GNUC__)
#pragma GCC unroll 8
#endif
        for (j = 0; j < 8; j++) o[j] = (uint32_t)(load64le(p + (j * w >> 3)) >> (j * w & 7)) & mask;
    }
    return g * 8;
}

#define UNPACK_W(W) \
    static size_t unpack_w##W(uint32_t *out, const uint8_t *in, size_t n, size_t len) \
    { return unpack_groups(out, in, n, len, W); }
UNPACK_W(1) UNPACK_W(2) UNPACK_W(3) UNPACK_W(4) UNPACK_W(5) UNPACK_W(6) UNPACK_W(7) UNPACK_W(8)
UNPACK_W(9) UNPACK_W(10) UNPACK_W(11) UNPACK_W(12) UNPACK_W(13) UNPACK_W(14) UNPACK_W(15) UNPACK_W(16)
UNPACK_W(17) UNPACK_W(18) UNPACK_W(19) UNPACK_W(20) UNPACK_W(21) UNPACK_W(22) UNPACK_W(23) UNPACK_W(24)
UNPACK_W(25) UNPACK_W(26) UNPACK_W(27) UNPACK_W(28) UNPACK_W(29) UNPACK_W(30) UNPACK_W(31) UNPACK_W(32)
#undef UNPACK_W

typedef size_t (*unpack_fn)(uint32_t *, const uint8_t *, size_t, size_t);
static const unpack_fn unpack_by_width[33] = {
    NULL, unpack_w1, unpack_w2, unpack_w3, unpack_w4, unpack_w5, unpack_w6, unpack_w7, unpack_w8,
    unpack_w9, unpack_w10, unpack_w11, unpack_w12, unpack_w13, unpack_w14, unpack_w15, unpack_w16,
    unpack_w17, unpack_w18, unpack_w19, unpack_w20, unpack_w21, unpack_w22, unpack_w23, unpack_w24,
    unpack_w25, unpack_w26, unpack_w27, unpack_w28, unpack_w29, unpack_w30, unpack_w31, unpack_w32};

/* ------------------------------------------------------------------ */
/* AVX2: a group of 8 values in one register                           */
/* ------------------------------------------------------------------ */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NG_UNPACK_AVX2 1
#include <immintrin.h>

/* For w <= 24 every value lies within the 4 bytes from its first, and so
** within 16 bytes of its half-group's start.  Lane k (k < 4) takes the
** bytes of value k from the group's start; lane 4 + k those of value 4 + k
** from the second half's start, (4w) / 8 bytes in, where bit (4w) % 8
** begins.  The shuffle gathers each value's 4 bytes into its lane and the
** variable shift drops the bits below it. */
#define SB1(w, k, i) (uint8_t)((((k) * (w)) >> 3) + (i))
#define SB2(w, k, i) (uint8_t)(((((4 * (w)) & 7) + (k) * (w)) >> 3) + (i))
#define SB4(S, w, k) S(w, k, 0), S(w, k, 1), S(w, k, 2), S(w, k, 3)
#define SHUF(w) {SB4(SB1, w, 0), SB4(SB1, w, 1), SB4(SB1, w, 2), SB4(SB1, w, 3), \
                 SB4(SB2, w, 0), SB4(SB2, w, 1), SB4(SB2, w, 2), SB4(SB2, w, 3)}
#define SH(w) {0u, (w) & 7u, (2u * (w)) & 7u, (3u * (w)) & 7u, (4u * (w)) & 7u, (5u * (w)) & 7u, \
               (6u * (w)) & 7u, (7u * (w)) & 7u}
#define AVX2_MAX_W 24
static const uint8_t avx2_shuf[AVX2_MAX_W + 1][32] = {
    {0}, SHUF(1), SHUF(2), SHUF(3), SHUF(4), SHUF(5), SHUF(6), SHUF(7), SHUF(8), SHUF(9), SHUF(10), SHUF(11),
    SHUF(12), SHUF(13), SHUF(14), SHUF(15), SHUF(16), SHUF(17), SHUF(18), SHUF(19), SHUF(20), SHUF(21),
    SHUF(22), SHUF(23), SHUF(24)};
static const uint32_t avx2_shift[AVX2_MAX_W + 1][8] = {
    {0}, SH(1), SH(2), SH(3), SH(4), SH(5), SH(6), SH(7), SH(8), SH(9), SH(10), SH(11), SH(12),
    SH(13), SH(14), SH(15), SH(16), SH(17), SH(18), SH(19), SH(20), SH(21), SH(22), SH(23), SH(24)};
#undef SB1
#undef SB2
#undef SB4
#undef SHUF
#undef SH

/* Groups of 8 in place while both 16-byte loads stay inside avail; the
** number of values done.  (Values 4-7 start at bit (4w) % 8 of their
** half, which SH gives as (4w + kw) % 8 = (4 + k)w % 8.) */
__attribute__((target("avx2"))) static size_t unpack_groups_avx2(uint32_t *out, const uint8_t *in, size_t n,
                                                                 size_t avail, unsigned w)
{
    const __m256i shuf = _mm256_loadu_si256((const __m256i *)(const void *)avx2_shuf[w]);
    const __m256i shift = _mm256_loadu_si256((const __m256i *)(const void *)avx2_shift[w]);
    const __m256i mask = _mm256_set1_epi32((int)((1u << w) - 1));
    size_t g, groups = n / 8, half = (4 * w) >> 3;
    for (g = 0; g < groups && g * w + half + 16 <= avail; g++) {
        const uint8_t *p = in + g * w;
        __m256i v = _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)p));
        v = _mm256_inserti128_si256(v, _mm_loadu_si128((const __m128i *)(const void *)(p + half)), 1);
        v = _mm256_srlv_epi32(_mm256_shuffle_epi8(v, shuf), shift);
        _mm256_storeu_si256((__m256i *)(void *)(out + g * 8), _mm256_and_si256(v, mask));
    }
    return g * 8;
}

/* -1 unknown, 0 no, 1 yes; threads racing on the first call store the same. */
static int avx2_state = -1;

static int use_avx2(void)
{
    int st = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (st < 0) {
        __builtin_cpu_init();
        st = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&avx2_state, st, __ATOMIC_RELAXED);
    }
    return st;
}
#endif

int ng_fmt__unpack_simd(int on)
{
#ifdef NG_UNPACK_AVX2
    if (on >= 0) {
        __atomic_store_n(&avx2_state, -1, __ATOMIC_RELAXED);
        if (!on || !use_avx2()) __atomic_store_n(&avx2_state, 0, __ATOMIC_RELAXED);
    }
    return use_avx2();
#else
    (void)on;
    return 0;
#endif
}

/* Unpack n values of w bits from in, where avail >= ceil(n * w / 8) bytes
** are readable: the groups whose loads stay inside avail run in place. */
static void unpack_avail(uint32_t *out, const uint8_t *in, size_t n, unsigned w, size_t avail)
{
    /* the tail: fewer than w + 8 bytes are left (see unpack_groups); in a
    ** zero-padded copy its groups all fit, and loads stay inside it */
    uint8_t pad[64];
    uint32_t mask = w >= 32 ? 0xffffffffu : ((1u << w) - 1);
    size_t len = (n * w + 7) / 8, i, start, rest;
    if (w == 0) {
        for (i = 0; i < n; i++) out[i] = 0;
        return;
    }
    if (n < 8) { /* a few exceptions' high parts: no group to gain, read bytes */
        uint64_t acc = 0;
        unsigned have = 0;
        for (i = 0; i < n; i++) {
            while (have < w) {
                acc |= (uint64_t)*in++ << have;
                have += 8;
            }
            out[i] = (uint32_t)acc & mask;
            acc >>= w;
            have -= w;
        }
        return;
    }
    i = 0;
#ifdef NG_UNPACK_AVX2
    if (w <= AVX2_MAX_W && use_avx2()) i = unpack_groups_avx2(out, in, n, avail, w);
#endif
    if (i < n) i += unpack_by_width[w](out + i, in + i * w / 8, n - i, avail - i * w / 8);
    if (i == n) return;
    start = i * w / 8; /* i is a multiple of 8: a byte boundary */
    rest = len - start;
    memcpy(pad, in + start, rest);
    memset(pad + rest, 0, 8); /* a load reads at most 8 bytes from a value's first */
    i += unpack_by_width[w](out + i, pad, n - i, sizeof pad);
    for (; i < n; i++) { /* the last n % 8 values */
        size_t bit = i * w - start * 8;
        out[i] = (uint32_t)(load64le(pad + (bit >> 3)) >> (bit & 7)) & mask;
    }
}

void ng_fmt__unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned w)
{
    unpack_avail(out, in, n, w, (n * w + 7) / 8);
}

void ng_fmt__unpack_in(uint32_t *out, const uint8_t *in, size_t n, unsigned w, size_t avail)
{
    unpack_avail(out, in, n, w, avail < (n * w + 7) / 8 ? (n * w + 7) / 8 : avail);
}

/* ------------------------------------------------------------------ */
/* Patched frame of reference (PFor) chunks -- FORMAT.md section 4.   */
/* ------------------------------------------------------------------ */

/* A chunk of n (1..128) values is either
**   head 0x80, then n vints                         (the "vint form"), or
**   head b (0..32, bit 0x40 clear), then the n values packed in b bits, or
**   head b | 0x40, u8 n_exc, u8 e, the n low-b-bit parts packed, n_exc
**     u8 indexes (increasing) of the values wider than b, and their high
**     parts (v >> b) packed in e bits.
** One wide value no longer widens the whole chunk: a document's first
** position among small gaps, a rare long gap among short ones.  The
** encoder takes whichever form is smallest. */

#define PFOR_VINT 0x80u
#define PFOR_EXC 0x40u

size_t ng_fmt__pfor_encode(uint8_t *out, const uint32_t *in, size_t n)
{
    /* hist[w]: values of w bits; above[b]: values wider than b bits */
    size_t hist[33] = {0}, above[33], vbytes, best_cost, best_exc = 0, cost, i, o = 0;
    unsigned maxb, best_b, b, w;
    for (i = 0; i < n; i++) hist[ng_fmt__bits(in[i])]++;
    for (maxb = 32; maxb > 0 && hist[maxb] == 0; maxb--) {}
    vbytes = hist[0]; /* a vint of a w-bit value takes max(1, ceil(w / 7)) bytes */
    for (w = 1; w <= maxb; w++) vbytes += hist[w] * ((w + 6) / 7);
    above[maxb] = 0;
    for (b = maxb; b > 0; b--) above[b - 1] = above[b] + hist[b];
    /* the form of base width b: its packed values, then its exceptions'
    ** indexes and high parts; the smallest b of the least bytes wins */
    best_b = maxb;
    best_cost = 1 + (n * maxb + 7) / 8;
    for (b = 0; b < maxb; b++) {
        size_t e = above[b];
        cost = 1 + (n * b + 7) / 8 + (e ? 2 + e + (e * (maxb - b) + 7) / 8 : 0);
        if (cost < best_cost && e <= 255) {
            best_cost = cost;
            best_b = b;
            best_exc = e;
        }
    }
    if (1 + vbytes < best_cost) {
        out[o++] = PFOR_VINT;
        for (i = 0; i < n; i++) o += ng__vint_put(out + o, in[i]);
        return o;
    }
    if (best_exc == 0) {
        out[o++] = (uint8_t)best_b;
        return o + ng_fmt__pack(out + o, in, n, best_b);
    }
    {
        uint32_t high[NG_FMT_BLOCK];
        size_t e = 0;
        out[o++] = (uint8_t)(best_b | PFOR_EXC);
        out[o++] = (uint8_t)best_exc;
        out[o++] = (uint8_t)(maxb - best_b);
        o += pack_masked(out + o, in, n, best_b, best_b ? 0xffffffffu >> (32 - best_b) : 0);
        for (i = 0; i < n; i++)
            if (in[i] >> best_b) { /* wider than best_b bits (best_b < maxb <= 32) */
                out[o++] = (uint8_t)i;
                high[e++] = in[i] >> best_b;
            }
        return o + ng_fmt__pack(out + o, high, e, maxb - best_b);
    }
}

/* Bytes of the chunk at p (n values), without decoding it; 0 if it does
** not fit before end or its head is invalid. */
size_t ng_fmt__pfor_size(const uint8_t *p, const uint8_t *end, size_t n)
{
    size_t len, avail = (size_t)(end - p);
    unsigned head, b;
    if (avail < 1) return 0;
    head = p[0];
    if (head == PFOR_VINT) {
        const uint8_t *q = p + 1;
        size_t k = 0;
        while (k < n && q < end) k += !(*q++ & 0x80);
        return k == n ? (size_t)(q - p) : 0;
    }
    b = head & 0x3fu;
    if (b > 32 || (head & PFOR_VINT)) return 0;
    len = 1 + (n * b + 7) / 8;
    if (head & PFOR_EXC) {
        size_t e;
        unsigned eb;
        if (avail < 3) return 0;
        e = p[1];
        eb = p[2];
        if (e == 0 || e > n || eb == 0 || b + eb > 32) return 0;
        len += 2 + e + (e * eb + 7) / 8;
    }
    return len <= avail ? len : 0;
}

/* Add the e exceptions' high parts (eb bits each, packed after their e
** indexes at ix) above bit b of their values: one 64-bit load each where
** the bytes up to readable allow it, else bytes one by one.  Indexes must
** increase and high parts be nonzero (the encoder's canonical form). */
static int patch_exceptions(uint32_t *out, size_t n, unsigned b, const uint8_t *ix, size_t e, unsigned eb,
                            const uint8_t *readable)
{
    const uint8_t *hp = ix + e;
    const uint32_t emask = eb >= 32 ? 0xffffffffu : (1u << eb) - 1;
    size_t i, wide = (size_t)(readable - hp) >= (e * eb + 7) / 8 + 8 ? e : 0;
    uint64_t acc = 0;
    unsigned have = 0, prev = 0, idx;
    uint32_t hv;
    for (i = 0; i < e; i++) {
        if (i < wide) {
            size_t bit = i * eb;
            hv = (uint32_t)(load64le(hp + (bit >> 3)) >> (bit & 7)) & emask;
        } else {
            while (have < eb) {
                acc |= (uint64_t)*hp++ << have;
                have += 8;
            }
            hv = (uint32_t)acc & emask;
            acc >>= eb;
            have -= eb;
        }
        idx = ix[i];
        if ((i > 0 && idx <= prev) | (idx >= n) | (hv == 0)) return -1; /* not canonical */
        out[idx] |= hv << b;
        prev = idx;
    }
    return 0;
}

int ng_fmt__pfor_decode(uint32_t *out, size_t n, const uint8_t **pp, const uint8_t *end)
{
    return ng_fmt__pfor_decode_in(out, n, pp, end, end);
}

int ng_fmt__pfor_decode_in(uint32_t *out, size_t n, const uint8_t **pp, const uint8_t *end, const uint8_t *readable)
{
    const uint8_t *p = *pp;
    size_t len, i;
    unsigned head, b;
    if (p >= end) return -1;
    if (readable < end) readable = end; /* never fewer bytes than the chunk's own */
    head = p[0];
    if (head == PFOR_VINT) { /* one pass: the bytes are walked once */
        const uint8_t *q = p + 1;
        for (i = 0; i < n; i++) {
            if (q < end && *q < 0x80) out[i] = *q++;
            else if (ng__vint_get32(&q, end, &out[i])) return -1;
        }
        *pp = q;
        return 0;
    }
    if ((len = ng_fmt__pfor_size(p, end, n)) == 0) return -1;
    b = head & 0x3fu;
    /* a chunk followed by more of the list lets the unpacker read on */
    if (!(head & PFOR_EXC)) {
        unpack_avail(out, p + 1, n, b, (size_t)(readable - p) - 1);
    } else {
        size_t e = p[1], at = 3 + (n * b + 7) / 8;
        unpack_avail(out, p + 3, n, b, (size_t)(readable - p) - 3);
        if (patch_exceptions(out, n, b, p + at, e, p[2], readable)) return -1;
    }
    *pp = p + len;
    return 0;
}
