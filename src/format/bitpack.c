/*
** bitpack.c -- fixed-width bit packing of up to 128 32-bit values.
**
** Values are laid LSB first into a little-endian bit stream: value i
** occupies bits [i*w, (i+1)*w).  A block of 128 values of width w takes
** exactly 16*w bytes, so a reader can skip it without decoding.  The loops
** keep a 64-bit accumulator and touch each output byte once.
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

size_t ng_fmt__pack(uint8_t *out, const uint32_t *in, size_t n, unsigned w)
{
    uint64_t acc = 0;
    unsigned have = 0;
    size_t i, o = 0;
    if (w == 0) return 0;
    for (i = 0; i < n; i++) {
        acc |= (uint64_t)in[i] << have;
        have += w;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    if (have) out[o++] = (uint8_t)acc;
    return o;
}

void ng_fmt__unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned w)
{
    uint64_t acc = 0;
    unsigned have = 0;
    uint32_t mask = w >= 32 ? 0xffffffffu : ((1u << w) - 1);
    size_t i;
    if (w == 0) {
        for (i = 0; i < n; i++) out[i] = 0;
        return;
    }
    for (i = 0; i < n; i++) {
        while (have < w) {
            acc |= (uint64_t)*in++ << have;
            have += 8;
        }
        out[i] = (uint32_t)acc & mask;
        acc >>= w;
        have -= w;
    }
}
