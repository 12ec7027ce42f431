/*
** prefix.c -- running sums of a block of 32-bit integers, four at a time
** with SSE2: doc-id gaps to ids (postings.c), a block's frequencies to
** the offsets of each document's positions (cursor.c).
*/
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ng_int.h"

uint32_t ng__prefix_sums(uint32_t *out, const uint32_t *in, uint32_t n, uint32_t base, uint32_t add)
{
    uint32_t i = 0, run = base, or_all = 0;
#if defined(__SSE2__)
    __m128i acc = _mm_set1_epi32((int)run), inc = _mm_set1_epi32((int)add), orv = _mm_setzero_si128();
    for (; i + 4 <= n; i += 4) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        orv = _mm_or_si128(orv, x);
        x = _mm_add_epi32(x, inc);
        x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
        x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
        x = _mm_add_epi32(x, acc);
        _mm_storeu_si128((__m128i *)(void *)(out + i), x);
        acc = _mm_shuffle_epi32(x, 0xff);
    }
    orv = _mm_or_si128(orv, _mm_srli_si128(orv, 8));
    orv = _mm_or_si128(orv, _mm_srli_si128(orv, 4));
    or_all = (uint32_t)_mm_cvtsi128_si32(orv);
    run = (uint32_t)_mm_cvtsi128_si32(acc);
#endif
    for (; i < n; i++) {
        uint32_t v = in[i];
        or_all |= v;
        out[i] = run += v + add;
    }
    return or_all;
}
