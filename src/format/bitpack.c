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

static size_t vint_len(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Bytes of the packed form with base width b, given the histogram of
** value widths; *n_exc set. */
static size_t pfor_cost(const size_t *hist, unsigned maxb, size_t n, unsigned b, size_t *n_exc)
{
    size_t e = 0, cost;
    unsigned k;
    for (k = b + 1; k <= maxb; k++) e += hist[k];
    cost = 1 + (n * b + 7) / 8;
    if (e) cost += 2 + e + (e * (maxb - b) + 7) / 8;
    *n_exc = e;
    return cost;
}

size_t ng_fmt__pfor_encode(uint8_t *out, const uint32_t *in, size_t n)
{
    size_t hist[33] = {0}, vbytes = 0, best_cost, best_exc = 0, i, o = 0, n_exc;
    unsigned maxb = 0, best_b, b;
    for (i = 0; i < n; i++) {
        unsigned w = ng_fmt__bits(in[i]);
        hist[w]++;
        if (w > maxb) maxb = w;
        vbytes += vint_len(in[i]);
    }
    best_b = maxb;
    best_cost = pfor_cost(hist, maxb, n, maxb, &n_exc);
    for (b = 0; b < maxb; b++) {
        size_t c = pfor_cost(hist, maxb, n, b, &n_exc);
        if (c < best_cost && n_exc <= 255) {
            best_cost = c;
            best_b = b;
            best_exc = n_exc;
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
        uint32_t low[NG_FMT_BLOCK], high[NG_FMT_BLOCK];
        uint32_t mask = best_b ? 0xffffffffu >> (32 - best_b) : 0;
        size_t e = 0;
        out[o++] = (uint8_t)(best_b | PFOR_EXC);
        out[o++] = (uint8_t)best_exc;
        out[o++] = (uint8_t)(maxb - best_b);
        for (i = 0; i < n; i++) low[i] = in[i] & mask;
        o += ng_fmt__pack(out + o, low, n, best_b);
        for (i = 0; i < n; i++)
            if (ng_fmt__bits(in[i]) > best_b) {
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

int ng_fmt__pfor_decode(uint32_t *out, size_t n, const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    size_t len = ng_fmt__pfor_size(p, end, n), i;
    unsigned head, b;
    if (len == 0) return -1;
    head = p[0];
    if (head == PFOR_VINT) {
        const uint8_t *q = p + 1;
        for (i = 0; i < n; i++)
            if (ng__vint_get32(&q, end, &out[i])) return -1;
        if (q != p + len) return -1;
        *pp = q;
        return 0;
    }
    b = head & 0x3fu;
    if (!(head & PFOR_EXC)) {
        ng_fmt__unpack(out, p + 1, n, b);
    } else {
        uint32_t high[NG_FMT_BLOCK];
        size_t e = p[1], at = 3 + (n * b + 7) / 8;
        unsigned eb = p[2];
        int prev = -1;
        ng_fmt__unpack(out, p + 3, n, b);
        ng_fmt__unpack(high, p + at + e, e, eb);
        for (i = 0; i < e; i++) {
            unsigned idx = p[at + i];
            if ((int)idx <= prev || idx >= n || high[i] == 0) return -1; /* not canonical */
            out[idx] |= high[i] << b;
            prev = (int)idx;
        }
    }
    *pp = p + len;
    return 0;
}
