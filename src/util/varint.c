/*
** varint.c -- unsigned LEB128: 7 bits a byte, low bits first, high bit set
** on every byte but the last.  At most 10 bytes for 64 bits.
*/
#include "ng_int.h"

size_t ng__vint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t ng__vint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}

int ng__vint_get(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    uint64_t r = 0;
    unsigned shift = 0;
    while (p < end) {
        uint8_t c = *p++;
        if (shift == 63 && c > 1) return -1; /* overflows 64 bits */
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            *pp = p;
            return 0;
        }
        shift += 7;
        if (shift > 63) return -1;
    }
    return -1; /* cut short */
}

int ng__vint_get32(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
    uint64_t x;
    const uint8_t *p = *pp;
    /* fast path: one byte */
    if (p < end && *p < 0x80) {
        *v = *p;
        *pp = p + 1;
        return 0;
    }
    if (ng__vint_get(&p, end, &x) || x > UINT32_MAX) return -1;
    *v = (uint32_t)x;
    *pp = p;
    return 0;
}
