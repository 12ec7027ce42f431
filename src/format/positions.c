/*
** positions.c -- one block's positions (FORMAT.md section 5): the encoder,
** and a reader that decodes them one document at a time.
**
** A document's positions are written as values: the first position as is,
** each next one as (pos - prev - 1).  Each value is Golomb-Rice coded
** (Witten, Moffat and Bell, "Managing Gigabytes", ch. 3) with one
** parameter k for the whole block, chosen by the encoder: the value's k
** low bits, and its high part (value >> k) in unary.  That costs about
** k + 1 + value / 2^k bits a value, which follows the spread of a block's
** values closely, where a PFor chunk pays for the widest of its 128 values
** (the first positions of documents, as wide as the documents are long)
** nearly all of them.  On the 100k benchmark corpus: 8.8 bits a position
** against 9.5.  (A parameter per document from its tf, or from its length
** and tf, measured 8.9 and 8.65 bits: no better, or not enough better to
** make the decoder read .len.)
**
** Bits are numbered LSB first:
**
**   5 bits        k, 0..31
**   unary parts   for each value, in order, (value >> k) zero bits then a
**                 one bit; zero bits to the end of the byte
**   low bits      the values' k low bits, packed in order as bitpack.c
**                 packs (ceil(count * k / 8) bytes, the last padded with
**                 zero bits); they end the block, so they start
**                 ceil(count * k / 8) bytes before its end
**
** A unary part is at most NG_FMT_POS_QMAX - 1 bits long (one bit included):
** the encoder takes k no smaller than the largest value needs for that, so
** that whatever positions a caller passes no value costs more than 33 bits
** (at k = 27 every 32-bit value's unary part has at most 32 bits).
**
** One document's values are found without decoding the ones before them:
** with s values before it, its unary parts follow the s-th one bit (found
** by counting one bits, 64 at a time), and its low bits are values s on of
** a bit-packed array, unpacked eight at a time (with AVX2 when the CPU has
** it) from value s rounded down to a multiple of 8, a byte boundary.
** Documents are usually asked for in increasing order (phrase candidates,
** merges), so the count resumes from the last.
*/
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "format/format.h"

/* A unary part (its one bit included) is shorter. */
#define QMAX NG_FMT_POS_QMAX

/* ------------------------------------------------------------------ */
/* Encoder                                                             */
/* ------------------------------------------------------------------ */

typedef struct rice_size {
    uint64_t low_bits, unary_bits;
} rice_size;

/* sum(v[j] >> k): four at a time with SSE2, into two 64-bit lanes. */
static uint64_t sum_shifted(const uint32_t *v, uint64_t count, unsigned k)
{
    uint64_t s = 0, j = 0;
#if defined(__SSE2__)
    __m128i acc = _mm_setzero_si128(), zero = _mm_setzero_si128(), sh = _mm_cvtsi32_si128((int)k);
    uint64_t lanes[2];
    for (; j + 4 <= count; j += 4) {
        __m128i x = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)(const void *)(v + j)), sh);
        acc = _mm_add_epi64(acc, _mm_add_epi64(_mm_unpacklo_epi32(x, zero), _mm_unpackhi_epi32(x, zero)));
    }
    _mm_storeu_si128((__m128i *)(void *)lanes, acc);
    s = lanes[0] + lanes[1];
#endif
    for (; j < count; j++) s += v[j] >> k;
    return s;
}

static rice_size rice_measure(const uint32_t *v, uint64_t count, unsigned k)
{
    rice_size s;
    s.low_bits = count * k;
    s.unary_bits = count + sum_shifted(v, count, k);
    return s;
}

/* The block's bytes: k and the unary parts, then the low bits. */
static uint64_t rice_bytes(rice_size s)
{
    return (5 + s.unary_bits + 7) / 8 + (s.low_bits + 7) / 8;
}

/* The shortest k whose unary parts all stay under QMAX bits.  The size falls, then rises, as k grows (wider low bits, shorter
** unary parts), so walk from a guess, the bits of half the mean value, in
** the direction that shrinks it. */
static unsigned rice_choose(const uint32_t *v, uint64_t count, rice_size *out)
{
    uint64_t j, half_mean;
    uint32_t max = 0;
    unsigned k, k0, k_min = 0;
    rice_size best, s;
    for (j = 0; j < count; j++) max = v[j] > max ? v[j] : max;
    while ((uint64_t)(max >> k_min) + 1 >= QMAX) k_min++; /* stops at 27 at the latest */
    half_mean = count ? sum_shifted(v, count, 0) / count / 2 : 0;
    k0 = ng_fmt__bits(half_mean > UINT32_MAX ? UINT32_MAX : (uint32_t)half_mean);
    k0 = k0 > 31 ? 31 : k0 < k_min ? k_min : k0;
    best = rice_measure(v, count, k0);
    for (k = k0; k < 31; k++) {
        s = rice_measure(v, count, k + 1);
        if (rice_bytes(s) >= rice_bytes(best)) break;
        best = s;
    }
    if (k == k0)
        for (; k > k_min; k--) {
            s = rice_measure(v, count, k - 1);
            if (rice_bytes(s) >= rice_bytes(best)) break;
            best = s;
        }
    *out = best;
    return k;
}

/* Appends up to 56 bits at a time; the 8-byte stores need 8 spare bytes
** past the end. */
typedef struct bit_writer {
    uint8_t *p;
    uint64_t acc;
    unsigned n;
} bit_writer;

static inline void store64le(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8); /* one store */
#else
    ng__set_u64(p, v);
#endif
}

static inline void bw_put(bit_writer *w, uint64_t v, unsigned bits)
{
    unsigned bytes;
    w->acc |= v << w->n;
    w->n += bits;
    store64le(w->p, w->acc);
    bytes = w->n >> 3;
    w->p += bytes;
    w->acc = bytes ? w->acc >> (bytes * 8) : w->acc;
    w->n &= 7;
}

static uint8_t *bw_end(bit_writer *w)
{
    if (w->n) *w->p++ = (uint8_t)w->acc;
    return w->p;
}

/* k and the unary parts, then the low bits; the writers' 8-byte stores
** run past their end into what follows. */
static void put_rice(uint8_t *out, const uint32_t *v, uint64_t count, unsigned k, size_t unary_bytes)
{
    bit_writer un = {out, k, 5}, lo = {out + unary_bytes, 0, 0};
    uint32_t mask = k ? UINT32_MAX >> (32 - k) : 0;
    uint64_t j;
    for (j = 0; j < count; j++) bw_put(&un, UINT64_C(1) << (v[j] >> k), (v[j] >> k) + 1);
    bw_end(&un);
    if (k) {
        for (j = 0; j < count; j++) bw_put(&lo, v[j] & mask, k);
        bw_end(&lo);
    }
}

int ng_fmt__pos_encode(ng_buf *out, const uint32_t *values, const uint32_t *tfs, uint32_t n)
{
    uint64_t count = 0;
    uint32_t d;
    rice_size s;
    unsigned k;
    size_t len;
    int rc;
    for (d = 0; d < n; d++) count += tfs[d];
    k = rice_choose(values, count, &s);
    len = (size_t)rice_bytes(s);
    if ((rc = ng__buf_grow(out, len + 8)) != NG_OK) return rc;
    put_rice((uint8_t *)out->ptr + out->size, values, count, k, (size_t)((5 + s.unary_bits + 7) / 8));
    out->size += len;
    out->ptr[out->size] = 0;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

static int fail(ng_pos_reader *r, const char *why)
{
    r->why = why;
    return -1;
}

/* 64 bits from p on, little-endian; bytes at or past readable read as 0. */
static inline uint64_t load64(const uint8_t *p, const uint8_t *readable)
{
    uint8_t tmp[8] = {0};
    if (readable - p >= 8) return ng__get_u64(p);
    if (p < readable) memcpy(tmp, p, (size_t)(readable - p));
    return ng__get_u64(tmp);
}

/* The unary parts' bits from bit `at` on (at < bits), in the low bits of
** the result: *valid of them (1..57), none past the unary parts' bytes. */
static inline uint64_t peek(const ng_pos_reader *r, uint64_t at, unsigned *valid)
{
    uint64_t w = load64(r->un + (at >> 3), r->readable) >> (at & 7), left = r->bits - at;
    if (left >= 57) {
        *valid = 57;
        return w & ((UINT64_C(1) << 57) - 1);
    }
    *valid = (unsigned)left;
    return w & ((UINT64_C(1) << left) - 1);
}

static inline unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* Move the unary reader on by `need` (> 0) values, counting one bits: to
** a byte boundary, then 64 bits at a time, then within the word that holds
** the need-th one, a byte at a time and a bit at a time.  Written once for
** a software popcount and once for the CPU's. */
#define UNARY_SKIP_BODY(POPCOUNT)                                                                   \
    uint64_t at = r->ubit, w;                                                                   \
    unsigned valid, c;                                                                          \
    r->uval += need;                                                                            \
    if (at & 7) { /* to a byte boundary */                                                      \
        if (at >= r->bits) return fail(r, "positions: fewer than the frequencies say");         \
        w = peek(r, at, &valid) & ((1u << (8 - (at & 7))) - 1);                                 \
        if ((c = POPCOUNT(w)) >= need) goto found;                                              \
        need -= c;                                                                              \
        at = (at | 7) + 1;                                                                      \
    }                                                                                           \
    if (r->slack)                                                                               \
        while (r->bits - at >= 64) { /* whole words */                                          \
            w = ng__get_u64(r->un + (at >> 3));                                                 \
            if ((c = POPCOUNT(w)) >= need) goto found;                                          \
            need -= c;                                                                          \
            at += 64;                                                                           \
        }                                                                                       \
    for (;;) { /* near the end, or without slack */                                             \
        if (at >= r->bits) return fail(r, "positions: fewer than the frequencies say");         \
        w = peek(r, at, &valid);                                                                \
        if ((c = POPCOUNT(w)) >= need) goto found;                                              \
        need -= c;                                                                              \
        at += valid;                                                                            \
    }                                                                                           \
found: /* the need-th one bit is in w: find it a byte, then a bit, at a time */                 \
    while ((c = POPCOUNT(w & 0xff)) < need) {                                                   \
        need -= c;                                                                              \
        w >>= 8;                                                                                \
        at += 8;                                                                                \
    }                                                                                           \
    while (--need) w &= w - 1;                                                                  \
    r->ubit = at + (unsigned)__builtin_ctzll(w) + 1;                                            \
    return 0;

static int unary_skip_sw(ng_pos_reader *r, uint64_t need) { UNARY_SKIP_BODY(popcount64) }

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("popcnt"))) static int unary_skip_hw(ng_pos_reader *r, uint64_t need)
{
    UNARY_SKIP_BODY(__builtin_popcountll)
}

/* -1 unknown, 0 no, 1 yes; threads racing on the first call store the same. */
static int popcnt_state = -1;

static int unary_skip(ng_pos_reader *r, uint64_t need)
{
    int st = __atomic_load_n(&popcnt_state, __ATOMIC_RELAXED);
    if (st < 0) {
        __builtin_cpu_init();
        st = __builtin_cpu_supports("popcnt") ? 1 : 0;
        __atomic_store_n(&popcnt_state, st, __ATOMIC_RELAXED);
    }
    return st ? unary_skip_hw(r, need) : unary_skip_sw(r, need);
}
#else
static int unary_skip(ng_pos_reader *r, uint64_t need) { return unary_skip_sw(r, need); }
#endif

/* Move the unary reader to document i's first value (from the block's
** start if it is past it). */
static int rice_seek(ng_pos_reader *r, uint32_t i)
{
    if (r->start[i] < r->uval) {
        r->uval = 0;
        r->ubit = 5;
    }
    if (r->start[i] > r->uval && unary_skip(r, r->start[i] - r->uval)) return -1;
    return 0;
}

/* The high parts of document i's values into q[] (the unary reader is at
** its first). */
static int unary_doc(ng_pos_reader *r, uint32_t tf, uint32_t *q)
{
    uint64_t ubit = r->ubit;
    uint32_t j;
    if (r->slack) { /* 8-byte loads anywhere before lo stay readable */
        /* the one bits of a 55-bit window, lowest first: each bit's place
        ** comes off the window without waiting for the one before (the
        ** loop carries only w &= w - 1); a value's zero run is the gap
        ** between two places, and the window moves on from the last one
        ** bit when it runs out, so a run longer than 54 bits finds none */
        uint64_t base = ubit, w;
        unsigned last = 0;
        j = 0;
        for (;;) {
            uint64_t left;
            if (base >= r->bits) return fail(r, "positions: fewer than the frequencies say");
            left = r->bits - base;
            w = ng__get_u64(r->un + (base >> 3)) >> (base & 7) & ((UINT64_C(1) << (left < QMAX - 1 ? left : QMAX - 1)) - 1);
            if (!w) return fail(r, left < QMAX - 1 ? "positions: fewer than the frequencies say" : "positions: value out of range");
            for (; w && j < tf; j++) {
                unsigned at = (unsigned)__builtin_ctzll(w);
                w &= w - 1;
                q[j] = at - last;
                last = at + 1;
            }
            if (j == tf) break;
            base += last;
            last = 0;
        }
        ubit = base + last;
    } else {
        for (j = 0; j < tf; j++) {
            unsigned valid, z;
            uint64_t w = ubit < r->bits ? peek(r, ubit, &valid) : 0;
            if (!w) return fail(r, "positions: fewer than the frequencies say");
            z = (unsigned)__builtin_ctzll(w);
            if (z + 1 >= QMAX) return fail(r, "positions: value out of range");
            ubit += z + 1;
            q[j] = z;
        }
    }
    r->ubit = ubit;
    r->uval += tf;
    return 0;
}

/* Add the low bits of values [at, at + n) under the high parts in out:
** unpacked from a multiple of 8 values (a byte boundary), 128 at a time. */
static NG_NOINLINE void low_unpack(const ng_pos_reader *r, uint64_t at, uint32_t n, uint32_t *out)
{
    uint32_t low[NG_FMT_BLOCK], done = 0, j;
    unsigned k = r->k;
    while (done < n) {
        uint64_t from = at + done, from8 = from & ~UINT64_C(7), byte = from8 * k / 8;
        uint32_t skip = (uint32_t)(from - from8), m = n - done + skip > NG_FMT_BLOCK ? NG_FMT_BLOCK : n - done + skip;
        ng_fmt__unpack_in(low, r->lo + byte, m, k, (size_t)(r->readable - r->lo - byte));
        for (j = skip; j < m; j++, done++) out[done] = out[done] << k | low[j];
    }
}

/* Document i's values: the high parts from the unary reader, the low bits
** read in place (a few) or unpacked, then the running sums. */
static int rice_doc(ng_pos_reader *r, uint32_t i, uint32_t *out)
{
    uint32_t tf = r->tfs[i], j, or_all;
    unsigned k = r->k;
    if (rice_seek(r, i) || unary_doc(r, tf, out)) return -1;
    if (k && tf <= 8 && r->slack_end) {
        uint64_t bit = (uint64_t)r->start[i] * k, mask = (UINT64_C(1) << k) - 1;
        for (j = 0; j < tf; j++, bit += k) out[j] = out[j] << k | (uint32_t)(ng__get_u64(r->lo + (bit >> 3)) >> (bit & 7) & mask);
    } else if (k) {
        low_unpack(r, r->start[i], tf, out);
    }
    if (tf < 16) { /* positions: out[j] = out[j - 1] + value + 1 */
        uint64_t prev;
        for (prev = out[0], j = 1; j < tf; j++) out[j] = (uint32_t)(prev += (uint64_t)out[j] + 1);
        if (prev > UINT32_MAX) return fail(r, "positions: overflow");
        return 0;
    }
    /* the same four at a time, from -1 + value + 1 for the first; the
    ** values' OR bounds every step, so one test rules out a wrap unless
    ** they are huge */
    or_all = ng__prefix_sums(out, out, tf, UINT32_MAX, 1);
    if ((uint64_t)tf * ((uint64_t)or_all + 1) > UINT32_MAX + UINT64_C(1))
        for (j = 1; j < tf; j++) /* a step adds 1 to 2^32: a wrap shows as a fall */
            if (out[j] <= out[j - 1]) return fail(r, "positions: overflow");
    return 0;
}

int ng_fmt__pos_open(ng_pos_reader *r, const uint8_t *p, size_t len, const uint8_t *readable, const uint32_t *tfs,
                     uint32_t n)
{
    uint64_t lo_bytes;
    r->p = p;
    r->end = p + len;
    r->readable = readable > r->end ? readable : r->end;
    r->tfs = tfs;
    r->n = n;
    r->why = NULL;
    /* start[]: four sums at a time, unless a frequency is so large that
    ** 32-bit sums of up to NG_FMT_BLOCK of them could wrap */
    r->start[0] = 0;
    if (ng__prefix_sums(r->start + 1, tfs, n, 0, 0) >= (1u << 24)) {
        uint64_t total = 0;
        uint32_t d;
        for (d = 0; d < n; d++) {
            r->start[d] = (uint32_t)total;
            total += tfs[d];
        }
        if (total > UINT32_MAX) return fail(r, "positions: too many in a block");
        r->start[n] = (uint32_t)total;
    }
    if (len == 0) return fail(r, "positions: empty block");
    r->k = p[0] & 31u;
    lo_bytes = ((uint64_t)r->k * r->start[n] + 7) / 8;
    if (lo_bytes > len - 1) return fail(r, "positions: block shorter than its low bits");
    r->un = p;
    r->lo = r->end - lo_bytes;
    r->bits = (uint64_t)(r->lo - p) * 8;
    r->slack = r->readable - r->lo >= 8;
    r->slack_end = r->readable - r->end >= 8;
    r->uval = 0;
    r->ubit = 5;
    return 0;
}

int ng_fmt__pos_doc(ng_pos_reader *r, uint32_t i, uint32_t *out)
{
    if (i >= r->n) return fail(r, "positions: no such document in the block");
    if (r->tfs[i] == 0) return 0;
    return rice_doc(r, i, out);
}

int ng_fmt__pos_all(ng_pos_reader *r, uint32_t *out)
{
    uint32_t count = r->start[r->n], low[NG_FMT_BLOCK], d, j, at;
    unsigned k = r->k;
    r->uval = 0;
    r->ubit = 5;
    if (count == 0) return ng_fmt__pos_finish(r);
    if (unary_doc(r, count, out)) return -1;
    for (at = 0; k && at < count; at += NG_FMT_BLOCK) { /* a multiple of 8 values: a byte boundary */
        uint32_t m = count - at < NG_FMT_BLOCK ? count - at : NG_FMT_BLOCK;
        uint64_t byte = (uint64_t)at * k / 8;
        ng_fmt__unpack_in(low, r->lo + byte, m, k, (size_t)(r->readable - r->lo - byte));
        for (j = 0; j < m; j++) out[at + j] = out[at + j] << k | low[j];
    }
    for (d = 0; d < r->n; d++) { /* each document's running sums */
        uint32_t *v = out + r->start[d], tf = r->tfs[d];
        uint64_t prev = tf ? v[0] : 0;
        for (j = 1; j < tf; j++) v[j] = (uint32_t)(prev += (uint64_t)v[j] + 1);
        if (prev > UINT32_MAX) return fail(r, "positions: overflow");
    }
    return ng_fmt__pos_finish(r);
}

int ng_fmt__pos_finish(ng_pos_reader *r)
{
    uint64_t low_bits = (uint64_t)r->k * r->start[r->n], at;
    if (rice_seek(r, r->n)) return -1;
    /* the unary parts fill their bytes, the low bits theirs; padding is zero */
    if (r->ubit > r->bits || r->bits - r->ubit >= 8) return fail(r, "positions: trailing bytes");
    for (at = r->ubit; at < r->bits; at++)
        if (r->un[at >> 3] >> (at & 7) & 1) return fail(r, "positions: trailing bytes");
    if ((low_bits & 7) && r->lo[low_bits >> 3] >> (low_bits & 7)) return fail(r, "positions: trailing bytes");
    return 0;
}
