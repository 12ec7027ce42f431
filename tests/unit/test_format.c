/*
** test_format.c -- unit tests of the on-disk format (src/format/).
**
** Every test encodes input it generated itself, writes real framed files in
** a temporary directory, reads them back through the decoders and compares
** with the input (the oracle).  The corruption and hostile-input suites
** check that damaged bytes give NG_ECORRUPT / NG_EVERSION, never a crash or
** an out-of-bounds read (CI runs this program under ASan/UBSan).
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "format/format.h"
#include "ng_test.h"
#include "../fuzz/walk_index.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static unsigned g_nfail;   /* failures reported so far (output is capped) */
static char g_ctx[256];    /* what the current check is about */

/* An assertion that reports the context of the first failures only, so that
** a broken decoder does not print a million lines. */
#define EXPECT(c)                                                                         \
    do {                                                                                  \
        int ok_ = !!(c);                                                                  \
        if (!ok_ && ++g_nfail <= 40) fprintf(stderr, "\n  FAIL %s:%d: %s [%s]", __FILE__, \
                                              __LINE__, #c, g_ctx);                        \
        CU_assertImplementation(ok_ ? CU_TRUE : CU_FALSE, __LINE__, #c, __FILE__, "",       \
                                CU_FALSE);                                                \
    } while (0)
#define CTX(...) snprintf(g_ctx, sizeof g_ctx, __VA_ARGS__)

static const char *tpath(const char *name)
{
    static char bufs[8][4400];
    static unsigned k;
    k = (k + 1) % 8;
    snprintf(bufs[k], sizeof bufs[k], "%s/%s", ng_test_tmpdir, name);
    return bufs[k];
}

static uint32_t rnd32(uint64_t *s) { return (uint32_t)(ng_test_rand(s) >> 32); }
static uint32_t rndn(uint64_t *s, uint32_t n) { return n ? (uint32_t)(ng_test_rand(s) % n) : 0; }

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long len;
    *n = 0;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc(len > 0 ? (size_t)len : 1);
    if (p && len > 0 && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = p ? (size_t)len : 0;
    return p;
}

static int spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    if (n && fwrite(p, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* Write a framed file of `kind` with the given body and meta. */
static int write_framed(const char *path, ng_fkind kind, const void *body, size_t body_len, const void *meta,
                        size_t meta_len)
{
    ng_fwriter fw;
    int rc = ng_fmt__fw_open(&fw, path, kind);
    if (rc) return rc;
    if ((rc = ng_fmt__fw_write(&fw, body, body_len)) == NG_OK) rc = ng_fmt__fw_finish(&fw, meta, meta_len);
    if (rc) ng_fmt__fw_abort(&fw);
    return rc;
}

static int msg_has(const char *s)
{
    const ng_error *e = ng_error_last();
    return e && e->message && strstr(e->message, s) != NULL;
}

/* ------------------------------------------------------------------ */
/* 1. Bit packing                                                      */
/* ------------------------------------------------------------------ */

static void test_bitpack_roundtrip(void)
{
    /* every count: the unpacker works in groups of 8 values, in place
    ** while its 8-byte loads stay inside the input, then from a copy */
    uint64_t seed = 42;
    unsigned w, rep;
    size_t n;
    int simd, has_simd = ng_fmt__unpack_simd(-1);
    for (simd = has_simd; simd >= 0; simd--) { /* the SIMD path where the CPU has one, then the portable one */
        ng_fmt__unpack_simd(simd);
        for (w = 0; w <= 32; w++) {
            uint32_t mask = w == 32 ? 0xffffffffu : (w ? (1u << w) - 1 : 0);
            for (n = 1; n <= 128; n++) {
                for (rep = 0; rep < 4; rep++) {
                    size_t i, want = (n * w + 7) / 8, got;
                    uint32_t in[128], out[128];
                    uint8_t packed[16 * 32 + 16], *exact;
                    for (i = 0; i < n; i++) {
                        uint32_t v = rnd32(&seed);
                        if (rep == 1) v = 0xffffffffu;           /* all ones */
                        if (rep == 2) v = (i & 1) ? 0xffffffffu : 0; /* alternating */
                        in[i] = v & mask;
                    }
                    memset(packed, 0xA5, sizeof packed);
                    CTX("simd=%d w=%u n=%zu rep=%u", simd, w, n, rep);
                    got = ng_fmt__pack(packed, in, n, w);
                    EXPECT(got == want);
                    for (i = want; i < sizeof packed; i++)
                        if (packed[i] != 0xA5) break;
                    EXPECT(i == sizeof packed); /* nothing written past ceil(n*w/8) */
                    /* decode from an exactly-sized heap copy: ASan sees over-reads */
                    exact = malloc(want ? want : 1);
                    memcpy(exact, packed, want);
                    memset(out, 0x5A, sizeof out);
                    ng_fmt__unpack(out, exact, n, w);
                    EXPECT(memcmp(out, in, n * sizeof *in) == 0);
                    EXPECT(out[n < 128 ? n : 127] == (n < 128 ? 0x5A5A5A5Au : in[127])); /* no write past n */
                    free(exact);
                    if (w > 0 && n == 128) EXPECT(want == 16 * w);
                }
            }
        }
    }
    ng_fmt__unpack_simd(has_simd);
}

static void test_bitpack_layout(void)
{
    /* LSB-first layout: value i occupies bits [i*w, (i+1)*w) */
    uint32_t in[3] = {0x5, 0x2, 0x7}, out[3];
    uint8_t b[4] = {0, 0, 0, 0};
    CTX("layout");
    EXPECT(ng_fmt__pack(b, in, 3, 3) == 2);
    EXPECT(b[0] == (0x5 | 0x2 << 3 | (0x7 & 3) << 6));
    EXPECT(b[1] == 0x1);
    ng_fmt__unpack(out, b, 3, 3);
    EXPECT(out[0] == 5 && out[1] == 2 && out[2] == 7);
}

/* Values of one chunk: a base width with some wide outliers, or random. */
static void pfor_values(uint32_t *v, size_t n, unsigned mode, uint64_t *seed)
{
    size_t i;
    unsigned base = rndn(seed, 33), wide = rndn(seed, 33);
    for (i = 0; i < n; i++) {
        unsigned w = (mode == 1 && rndn(seed, 10) == 0) ? wide : base;
        uint32_t r = rnd32(seed);
        if (mode == 2) w = rndn(seed, 33);
        v[i] = w == 0 ? 0 : r >> (32 - w);
        if (mode == 3) v[i] = i == n / 2 ? 0xffffffffu : 0; /* one 32-bit outlier */
    }
}

static size_t vint_bytes(uint32_t v) { return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5; }

static void pfor_roundtrip(void)
{
    uint64_t seed = 7;
    unsigned rep;
    for (rep = 0; rep < 4000; rep++) {
        size_t n = 1 + rndn(&seed, 128), len, i, plain = 1, vints = 1;
        uint32_t in[128], out[129];
        uint8_t buf[NG_FMT_PFOR_MAX], *exact;
        const uint8_t *p;
        pfor_values(in, n, rep % 4, &seed);
        len = ng_fmt__pfor_encode(buf, in, n);
        plain += (n * ng_fmt__max_bits(in, n) + 7) / 8;
        for (i = 0; i < n; i++) vints += vint_bytes(in[i]);
        CTX("pfor rep=%u n=%zu", rep, n);
        EXPECT(len >= 1 && len <= NG_FMT_PFOR_MAX);
        EXPECT(len <= plain && len <= vints); /* never worse than either simple form */
        exact = malloc(len);
        memcpy(exact, buf, len);
        EXPECT(ng_fmt__pfor_size(exact, exact + len, n) == len);
        p = exact;
        out[n] = 0x5A5A5A5Au;
        EXPECT(ng_fmt__pfor_decode(out, n, &p, exact + len) == 0);
        EXPECT(p == exact + len);
        EXPECT(memcmp(out, in, n * sizeof *in) == 0);
        EXPECT(out[n] == 0x5A5A5A5Au);
        { /* loads may run on past the chunk (the bytes after it are the
             next term's): the same values whatever those bytes are */
            size_t extra = rndn(&seed, 40);
            uint8_t *more = malloc(len + extra);
            memcpy(more, exact, len);
            memset(more + len, rep & 1 ? 0xff : 0xa5, extra);
            p = more;
            EXPECT(ng_fmt__pfor_decode_in(out, n, &p, more + len, more + len + extra) == 0);
            EXPECT(p == more + len);
            EXPECT(memcmp(out, in, n * sizeof *in) == 0);
            free(more);
        }
        /* every truncation is refused, never read past the end (ASan) */
        for (i = 0; i < len; i++) {
            uint8_t *cut = malloc(i ? i : 1);
            memcpy(cut, exact, i);
            p = cut;
            EXPECT(ng_fmt__pfor_size(cut, cut + i, n) == 0);
            EXPECT(ng_fmt__pfor_decode(out, n, &p, cut + i) == -1);
            free(cut);
        }
        free(exact);
    }
}

/* Both unpackers (AVX2 where the CPU has it, and the portable one). */
static void test_pfor_roundtrip(void)
{
    int simd, has_simd = ng_fmt__unpack_simd(-1);
    for (simd = 0; simd <= has_simd; simd++) {
        ng_fmt__unpack_simd(simd);
        pfor_roundtrip();
    }
    ng_fmt__unpack_simd(has_simd);
}

static void test_pfor_forms(void)
{
    uint32_t v[128], out[128];
    uint8_t b[NG_FMT_PFOR_MAX];
    const uint8_t *p;
    size_t i, len;
    /* 127 zeros and one big value: exceptions, far smaller than 128 x 20 bits */
    for (i = 0; i < 128; i++) v[i] = 0;
    v[77] = 1u << 19;
    len = ng_fmt__pfor_encode(b, v, 128);
    CTX("pfor forms");
    EXPECT((b[0] & 0x40) != 0);
    EXPECT(len < 1 + 16 * 20 && len == 3 + 0 + 1 + 3); /* head, n_exc, e, no low bits, index, 20 high bits */
    /* few values of mixed widths: the vint form (1 + 1 + 3 + 1 bytes) beats
       17-bit packing (8) and 2-bit packing with an exception (7) */
    v[0] = 1;
    v[1] = 100000;
    v[2] = 2;
    EXPECT(ng_fmt__pfor_encode(b, v, 3) == 6 && b[0] == 0x80);
    /* malformed heads are refused */
    for (i = 0; i < 128; i++) v[i] = i;
    len = ng_fmt__pfor_encode(b, v, 128);
    b[0] = 33;
    p = b;
    EXPECT(ng_fmt__pfor_decode(out, 128, &p, b + len) == -1);
    b[0] = 0xC7; /* vint and exception bits together */
    p = b;
    EXPECT(ng_fmt__pfor_decode(out, 128, &p, b + len) == -1);
    /* an exception whose high part is 0 is not canonical */
    for (i = 0; i < 128; i++) v[i] = 1;
    v[3] = 1u << 12;
    len = ng_fmt__pfor_encode(b, v, 128);
    EXPECT((b[0] & 0x40) != 0 && b[1] == 1);
    b[len - 2] = 0;
    b[len - 1] = 0;
    p = b;
    EXPECT(ng_fmt__pfor_decode(out, 128, &p, b + len) == -1);
}

static void test_bitpack_bits(void)
{
    uint32_t v0[2] = {0, 0}, v1[2] = {1, 0x80000000u}, v2[3] = {3, 4, 1}, v3[1] = {0xffffffffu};
    CTX("bits");
    EXPECT(ng_fmt__bits(0) == 0);
    EXPECT(ng_fmt__bits(1) == 1);
    EXPECT(ng_fmt__bits(2) == 2);
    EXPECT(ng_fmt__bits(3) == 2);
    EXPECT(ng_fmt__bits(255) == 8);
    EXPECT(ng_fmt__bits(256) == 9);
    EXPECT(ng_fmt__bits(0x7fffffffu) == 31);
    EXPECT(ng_fmt__bits(0x80000000u) == 32);
    EXPECT(ng_fmt__bits(UINT32_MAX) == 32);
    EXPECT(ng_fmt__max_bits(v0, 0) == 0);
    EXPECT(ng_fmt__max_bits(v0, 2) == 0);
    EXPECT(ng_fmt__max_bits(v1, 1) == 1);
    EXPECT(ng_fmt__max_bits(v1, 2) == 32);
    EXPECT(ng_fmt__max_bits(v2, 3) == 3);
    EXPECT(ng_fmt__max_bits(v3, 1) == 32);
}

/* ------------------------------------------------------------------ */
/* 2. Varints                                                          */
/* ------------------------------------------------------------------ */

static void test_varint_roundtrip(void)
{
    static const uint64_t vals[] = {0, 1, 127, 128, 255, 16383, 16384, 0xffffffffull, 0x100000000ull,
                                    1ull << 63, (1ull << 63) - 1, UINT64_MAX};
    static const size_t lens[] = {1, 1, 1, 2, 2, 2, 3, 5, 5, 10, 9, 10};
    size_t i, k;
    for (i = 0; i < NG_ARRAY_LEN(vals); i++) {
        uint8_t b[16];
        const uint8_t *p;
        uint64_t v = 12345;
        uint32_t v32 = 12345;
        size_t n = ng__vint_put(b, vals[i]);
        int rc;
        CTX("vint %llu", (unsigned long long)vals[i]);
        EXPECT(n == lens[i]);
        EXPECT(ng__vint_len(vals[i]) == n);
        p = b;
        EXPECT(ng__vint_get(&p, b + n, &v) == 0);
        EXPECT(v == vals[i]);
        EXPECT(p == b + n);
        /* a following byte is not consumed */
        b[n] = 0x7f;
        p = b;
        EXPECT(ng__vint_get(&p, b + n + 1, &v) == 0 && p == b + n && v == vals[i]);
        p = b;
        rc = ng__vint_get32(&p, b + n, &v32);
        if (vals[i] <= UINT32_MAX) {
            EXPECT(rc == 0);
            EXPECT(v32 == (uint32_t)vals[i]);
            EXPECT(p == b + n);
        } else {
            EXPECT(rc == -1);
            EXPECT(p == b); /* not advanced on failure */
        }
        /* every truncation fails */
        for (k = 0; k < n; k++) {
            p = b;
            EXPECT(ng__vint_get(&p, b + k, &v) == -1);
            p = b;
            EXPECT(ng__vint_get32(&p, b + k, &v32) == -1);
        }
    }
}

static void test_varint_reject(void)
{
    uint8_t b[16] = {0};
    const uint8_t *p;
    uint64_t v;
    uint32_t v32;
    int i;
    CTX("vint reject");
    /* overlong: 10 continuation bytes then a terminator (11 bytes) */
    for (i = 0; i < 10; i++) b[i] = 0x80;
    b[10] = 0x00;
    p = b;
    EXPECT(ng__vint_get(&p, b + 11, &v) == -1);
    /* 11 bytes encoding 1 (redundant zero groups) */
    b[0] = 0x81;
    p = b;
    EXPECT(ng__vint_get(&p, b + 11, &v) == -1);
    /* tenth byte carrying more than bit 63 */
    for (i = 0; i < 9; i++) b[i] = 0xff;
    b[9] = 0x02;
    p = b;
    EXPECT(ng__vint_get(&p, b + 10, &v) == -1);
    b[9] = 0x7f;
    p = b;
    EXPECT(ng__vint_get(&p, b + 10, &v) == -1);
    b[9] = 0x01;
    p = b;
    EXPECT(ng__vint_get(&p, b + 10, &v) == 0 && v == UINT64_MAX);
    /* get32: 2^32 and UINT64_MAX rejected, 5-byte 2^32-1 accepted */
    p = b;
    EXPECT(ng__vint_get32(&p, b + 10, &v32) == -1);
    {
        size_t n = ng__vint_put(b, 0x100000000ull);
        p = b;
        EXPECT(ng__vint_get32(&p, b + n, &v32) == -1);
        n = ng__vint_put(b, 0xffffffffull);
        p = b;
        EXPECT(ng__vint_get32(&p, b + n, &v32) == 0 && v32 == 0xffffffffu);
    }
    /* empty input */
    p = b;
    EXPECT(ng__vint_get(&p, b, &v) == -1);
    EXPECT(ng__vint_get32(&p, b, &v32) == -1);
}

/* ------------------------------------------------------------------ */
/* 3. Postings                                                         */
/* ------------------------------------------------------------------ */

typedef struct pcase {
    uint32_t n;
    uint32_t *docs, *tfs, *lens;
    uint32_t **pos;
    uint32_t n_blocks;  /* blocks expected; 0: ceil(n / 128), all full but the last */
    /* where it landed in the files */
    uint64_t pst_off, pst_len, pos_off, pos_len;
} pcase;

static void pcase_free(pcase *c)
{
    uint32_t i;
    for (i = 0; i < c->n; i++) free(c->pos[i]);
    free(c->pos);
    free(c->docs);
    free(c->tfs);
    free(c->lens);
    memset(c, 0, sizeof *c);
}

/* gap(i) gives doc_i - doc_{i-1} - 1; tf(i) gives tf. */
enum { GAP_SMALL, GAP_DENSE, GAP_HUGE, GAP_RANDOM };
static void pcase_make(pcase *c, uint32_t n, uint32_t first, int gapmode, uint32_t max_tf, uint64_t *seed)
{
    uint32_t i, j;
    uint64_t doc = first;
    memset(c, 0, sizeof *c);
    c->n = n;
    c->docs = calloc(n, sizeof *c->docs);
    c->tfs = calloc(n, sizeof *c->tfs);
    c->lens = calloc(n, sizeof *c->lens);
    c->pos = calloc(n, sizeof *c->pos);
    for (i = 0; i < n; i++) {
        if (i > 0) {
            uint64_t gap;
            switch (gapmode) {
            case GAP_DENSE: gap = 0; break;
            case GAP_HUGE: gap = (i == 40) ? 0x7ffffff0u : (i == 700) ? 0x3ffffff0u : (i == 300) ? 0x20000000u : rndn(seed, 5); break;
            case GAP_RANDOM: gap = rndn(seed, 8) == 0 ? rndn(seed, 100000) : rndn(seed, 30); break;
            default: gap = rndn(seed, 10); break;
            }
            doc += gap + 1;
        }
        c->docs[i] = (uint32_t)doc;
        c->tfs[i] = max_tf <= 1 ? 1 : 1 + rndn(seed, rndn(seed, 4) == 0 ? max_tf : (max_tf < 5 ? max_tf : 5));
        c->lens[i] = 1 + rndn(seed, 100000);
        c->pos[i] = malloc(c->tfs[i] * sizeof(uint32_t));
        {
            uint64_t p = rndn(seed, 3) == 0 ? rndn(seed, 1u << 20) : rndn(seed, 50);
            for (j = 0; j < c->tfs[i]; j++) {
                c->pos[i][j] = (uint32_t)p;
                p += 1 + (rndn(seed, 16) == 0 ? rndn(seed, 100000) : rndn(seed, 20));
            }
        }
    }
}

static unsigned g_enc_mismatch;

/* Encode the terms one after another into one .pst and one .pos file. */
static int encode_terms(pcase *cs, size_t nt, const char *pst_path, const char *pos_path)
{
    ng_post_enc e;
    ng_buf pst = NG_BUF_INIT, pos = NG_BUF_INIT;
    uint8_t meta[8];
    size_t t;
    uint32_t i;
    int rc = NG_OK;
    ng_post__enc_init(&e);
    for (t = 0; t < nt && !rc; t++) {
        uint64_t cf = 0;
        ng_post__enc_reset(&e);
        for (i = 0; i < cs[t].n && !rc; i++) {
            rc = ng_post__enc_add(&e, cs[t].docs[i], cs[t].pos[i], cs[t].tfs[i], cs[t].lens[i]);
            cf += cs[t].tfs[i];
        }
        if (!rc) rc = ng_post__enc_finish(&e);
        if (e.df != cs[t].n || e.cf != cf) g_enc_mismatch++; /* checked by run_terms (also used in suite init) */
        cs[t].pst_off = pst.size;
        cs[t].pst_len = e.pst.size;
        cs[t].pos_off = pos.size;
        cs[t].pos_len = e.pos.size;
        ng__buf_put(&rc, &pst, e.pst.ptr, e.pst.size);
        ng__buf_put(&rc, &pos, e.pos.ptr, e.pos.size);
    }
    ng_post__enc_free(&e);
    ng__set_u64(meta, nt);
    if (!rc) rc = write_framed(pst_path, NG_FK_PST, pst.ptr, pst.size, meta, 8);
    if (!rc) rc = write_framed(pos_path, NG_FK_POS, pos.ptr, pos.size, meta, 8);
    ng_buf_dispose(&pst);
    ng_buf_dispose(&pos);
    return rc;
}

/* A block's (tf, len) frontier against its documents, for a few BM25
** settings: the bound (the frontier's best w) is never below a document's
** w, and equals the best document's when the frontier was not capped. */
static void check_front(const ng_post_block *b, const uint32_t *tfs, const uint32_t *lens, uint32_t n)
{
    static const double k1s[] = {0.5, 1.2, 2.0}, bs[] = {0.0, 0.75, 1.0}, avgs[] = {10, 700, 50000};
    unsigned x;
    uint32_t i, k;
    EXPECT(b->n_front >= 1 && b->n_front <= NG_FMT_FRONT);
    for (k = 1; k < b->n_front; k++) EXPECT(b->front_tf[k] < b->front_tf[k - 1] && b->front_len[k] < b->front_len[k - 1]);
    for (x = 0; x < 27; x++) {
        double k1 = k1s[x % 3], bb = bs[x / 3 % 3], avg = avgs[x / 9], best_doc = 0, bound = 0;
        for (i = 0; i < n; i++) {
            double w = tfs[i] * (k1 + 1) / (tfs[i] + k1 * (1 - bb + bb * lens[i] / avg));
            if (w > best_doc) best_doc = w;
        }
        for (k = 0; k < b->n_front; k++) {
            double w = b->front_tf[k] * (k1 + 1) / (b->front_tf[k] + k1 * (1 - bb + bb * b->front_len[k] / avg));
            if (w > bound) bound = w;
        }
        EXPECT(bound >= best_doc);
        if (b->n_front < NG_FMT_FRONT) EXPECT(bound == best_doc);
    }
}

/* Decode term c fully and compare with the input. */
static void check_term(const pcase *c, const ng_file *pf, const ng_file *xf, const char *name)
{
    ng_post_dec d;
    uint32_t nb = c->n_blocks ? c->n_blocks : (c->n + NG_FMT_BLOCK - 1) / NG_FMT_BLOCK, b = 0, base = 0;
    uint64_t pos_total = 0;
    int rc;
    CTX("%s: open", name);
    EXPECT(c->pst_off + c->pst_len <= pf->body_len);
    EXPECT(c->pos_off + c->pos_len <= xf->body_len);
    rc = ng_post__dec_open(&d, pf, pf->body + c->pst_off, c->pst_len, xf, xf->body + c->pos_off, c->pos_len, c->n);
    EXPECT(rc == NG_OK);
    if (rc) return;
    EXPECT(d.n_blocks == nb);
    for (b = 0;; b++) {
        uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], bn, i, j, mx = 0, mn = UINT32_MAX;
        uint32_t *out;
        size_t sum = 0, k;
        rc = ng_post__dec_next_block(&d);
        if (rc == NG_ITEROVER) break;
        CTX("%s: block %u", name, b);
        EXPECT(rc == NG_OK);
        if (rc || b >= nb) break;
        bn = c->n - base < NG_FMT_BLOCK ? c->n - base : NG_FMT_BLOCK;
        if (c->n_blocks) bn = d.cur.n <= c->n - base ? d.cur.n : c->n - base; /* short blocks where a merge put them */
        for (i = 0; i < bn; i++) {
            if (c->tfs[base + i] > mx) mx = c->tfs[base + i];
            if (c->lens[base + i] < mn) mn = c->lens[base + i];
            sum += c->tfs[base + i];
        }
        EXPECT(d.cur.n == bn);
        EXPECT(d.cur.max_tf == mx);
        EXPECT(d.cur.min_len == mn);
        check_front(&d.cur, c->tfs + base, c->lens + base, bn);
        if (nb > 1) EXPECT(d.cur.last_doc == c->docs[base + bn - 1]);
        rc = ng_post__dec_docs(&d, docs, tfs);
        EXPECT(rc == NG_OK);
        if (rc) break;
        for (i = 0; i < bn; i++) {
            if (docs[i] != c->docs[base + i] || tfs[i] != c->tfs[base + i]) break;
        }
        EXPECT(i == bn);
        EXPECT(d.cur.last_doc == c->docs[base + bn - 1]);
        out = malloc((sum ? sum : 1) * sizeof *out);
        rc = ng_post__dec_positions(&d, tfs, out, sum);
        EXPECT(rc == NG_OK);
        if (rc == NG_OK) {
            int same = 1;
            for (i = 0, k = 0; i < bn; i++)
                for (j = 0; j < c->tfs[base + i]; j++, k++)
                    if (out[k] != c->pos[base + i][j]) same = 0;
            EXPECT(same);
        }
        free(out);
        pos_total += d.cur.pos_len;
        base += bn;
    }
    CTX("%s: end", name);
    EXPECT(b == nb);
    EXPECT(base == c->n);
    EXPECT(pos_total == c->pos_len);
    EXPECT(ng_post__dec_next_block(&d) == NG_ITEROVER);
}

/* Walk only the skip entries: block descriptors without decoding blocks. */
static void check_skips(const pcase *c, const ng_file *pf, const ng_file *xf, const char *name)
{
    ng_post_dec d;
    uint32_t nb = c->n_blocks ? c->n_blocks : (c->n + NG_FMT_BLOCK - 1) / NG_FMT_BLOCK, b, base = 0;
    uint64_t pos_next = 0;
    int rc = ng_post__dec_open(&d, pf, pf->body + c->pst_off, c->pst_len, xf, xf->body + c->pos_off, c->pos_len, c->n);
    CTX("%s: skips", name);
    EXPECT(rc == NG_OK);
    if (rc) return;
    for (b = 0; b < nb; b++) {
        uint32_t bn = c->n - base < NG_FMT_BLOCK ? c->n - base : NG_FMT_BLOCK, i, mx = 0, mn = UINT32_MAX;
        CTX("%s: skip %u", name, b);
        rc = ng_post__dec_next_block(&d);
        EXPECT(rc == NG_OK);
        if (rc) return;
        if (c->n_blocks) bn = d.cur.n <= c->n - base ? d.cur.n : c->n - base;
        for (i = 0; i < bn; i++) {
            if (c->tfs[base + i] > mx) mx = c->tfs[base + i];
            if (c->lens[base + i] < mn) mn = c->lens[base + i];
        }
        EXPECT(d.cur.n == bn);
        if (nb > 1) EXPECT(d.cur.last_doc == c->docs[base + bn - 1]);
        EXPECT(d.cur.max_tf == mx && d.cur.min_len == mn);
        EXPECT(d.cur.pos_off == pos_next);
        pos_next += d.cur.pos_len;
        base += bn;
    }
    EXPECT(base == c->n);
    EXPECT(pos_next == c->pos_len);
    EXPECT(ng_post__dec_next_block(&d) == NG_ITEROVER);
}

/* Encode, write, reopen and check a set of terms. */
static void run_terms(pcase *cs, size_t nt, const char *label)
{
    char pn[64], xn[64];
    ng_file pf, xf;
    size_t t;
    int rc;
    snprintf(pn, sizeof pn, "%s.pst", label);
    snprintf(xn, sizeof xn, "%s.pos", label);
    rc = encode_terms(cs, nt, tpath(pn), tpath(xn));
    CTX("%s: write", label);
    EXPECT(rc == NG_OK);
    EXPECT(g_enc_mismatch == 0); /* encoder's df and cf agree with the input */
    g_enc_mismatch = 0;
    if (rc) return;
    EXPECT(ng_fmt__open(&pf, tpath(pn), NG_FK_PST) == NG_OK);
    EXPECT(ng_fmt__open(&xf, tpath(xn), NG_FK_POS) == NG_OK);
    EXPECT(ng_fmt__verify(&pf) == NG_OK && ng_fmt__verify(&xf) == NG_OK);
    EXPECT(pf.meta_len == 8 && ng__get_u64(pf.meta) == nt);
    for (t = 0; t < nt; t++) {
        char name[96];
        snprintf(name, sizeof name, "%s term %zu (df %u)", label, t, cs[t].n);
        check_term(&cs[t], &pf, &xf, name);
        check_skips(&cs[t], &pf, &xf, name);
    }
    for (t = 0; t < nt; t++) { /* again, through the checks the files now remember */
        char name[96];
        snprintf(name, sizeof name, "%s term %zu (df %u), second read", label, t, cs[t].n);
        check_term(&cs[t], &pf, &xf, name);
    }
    ng_fmt__close(&pf);
    ng_fmt__close(&xf);
}

static void test_post_small(void)
{
    uint64_t seed = 7;
    pcase cs[4];
    pcase_make(&cs[0], 1, 5, GAP_SMALL, 1, &seed);  /* one doc */
    pcase_make(&cs[1], 1, 0, GAP_SMALL, 3, &seed);  /* docid 0 */
    pcase_make(&cs[2], 7, 0, GAP_DENSE, 4, &seed);  /* docs 0..6 */
    pcase_make(&cs[3], 1, NG_FMT_MAX_DOCS - 1, GAP_SMALL, 2, &seed); /* the largest docid of a segment */
    run_terms(cs, 4, "small");
    for (int i = 0; i < 4; i++) pcase_free(&cs[i]);
}

static void test_post_block_edges(void)
{
    uint64_t seed = 11;
    pcase cs[6];
    pcase_make(&cs[0], 128, 0, GAP_DENSE, 1, &seed);    /* one full packed block, gap width 0, tf width 0 */
    pcase_make(&cs[1], 128, 3, GAP_RANDOM, 9, &seed);
    pcase_make(&cs[2], 129, 0, GAP_SMALL, 6, &seed);    /* a full block + a 1-doc vint block */
    pcase_make(&cs[3], 127, 100, GAP_SMALL, 6, &seed);
    pcase_make(&cs[4], 256, 0, GAP_DENSE, 3, &seed);    /* two full blocks, last one packed */
    pcase_make(&cs[5], 255, 1, GAP_RANDOM, 3, &seed);
    run_terms(cs, 6, "edges");
    for (int i = 0; i < 6; i++) pcase_free(&cs[i]);
}

static void test_post_large(void)
{
    uint64_t seed = 12345;
    pcase cs[3];
    uint32_t i;
    pcase_make(&cs[0], 1000, 0, GAP_RANDOM, 20, &seed);
    pcase_make(&cs[1], 1000, 2, GAP_HUGE, 4, &seed); /* gaps near 2^31 and 2^30 */
    pcase_make(&cs[2], 300, 9, GAP_SMALL, 1000, &seed);
    /* force several documents to tf 1000 (positions span packed chunks) */
    for (i = 0; i < cs[2].n; i += 37) {
        uint32_t j;
        free(cs[2].pos[i]);
        cs[2].tfs[i] = 1000;
        cs[2].pos[i] = malloc(1000 * sizeof(uint32_t));
        for (j = 0; j < 1000; j++) cs[2].pos[i][j] = j * (i % 3 == 0 ? 1u : 4099u) + (i % 5);
    }
    /* positions reaching UINT32_MAX */
    cs[2].pos[1][cs[2].tfs[1] - 1] = UINT32_MAX;
    CTX("huge gaps");
    EXPECT(cs[1].docs[999] > 0xc0000000u && cs[1].docs[999] < NG_FMT_DOCID_END);
    run_terms(cs, 3, "large");
    for (i = 0; i < 3; i++) pcase_free(&cs[i]);
}

/* Append list c (term t of pf/xf) to e with its docids raised by shift,
** as a merge does: blocks ng_post__enc_can_copy() accepts are copied, the
** others decoded and added.  Counts the copies. */
static int append_list(ng_post_enc *e, const ng_file *pf, const ng_file *xf, const pcase *c, uint32_t shift,
                       int may_copy, unsigned *copies)
{
    ng_post_dec d;
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], idx = 0, i;
    uint32_t *posv = malloc(sizeof *posv * 200000);
    int rc = ng_post__dec_open(&d, pf, pf->body + c->pst_off, c->pst_len, xf, xf->body + c->pos_off, c->pos_len, c->n);
    while (!rc && (rc = ng_post__dec_next_block(&d)) == NG_OK) {
        size_t total = 0, off = 0;
        if (may_copy && ng_post__enc_can_copy(e, &d, shift)) {
            rc = ng_post__enc_copy_block(e, &d, shift);
            idx += d.cur.n;
            ++*copies;
            continue;
        }
        if ((rc = ng_post__dec_docs(&d, docs, tfs)) != NG_OK) break;
        for (i = 0; i < d.cur.n; i++) total += tfs[i];
        if ((rc = ng_post__dec_positions(&d, tfs, posv, total)) != NG_OK) break;
        for (i = 0; i < d.cur.n && !rc; i++, idx++) {
            rc = ng_post__enc_add(e, docs[i] + shift, posv + off, tfs[i], c->lens[idx]);
            off += tfs[i];
        }
    }
    free(posv);
    return rc == NG_ITEROVER ? NG_OK : rc;
}

/* Lists joined as a merge joins inputs: full blocks are copied whole
** (short blocks appear where a copy follows documents the encoder held),
** and the result decodes to the concatenation, with every block's
** frontier, skip entry and positions right.  With first_decoded, the
** first list is decoded whole (as an input with deletions is), so that
** the encoder holds documents when the second list's copies begin. */
static void join_lists(int first_decoded, unsigned want_copies)
{
    uint64_t seed = 4242;
    pcase in[3], cat;
    ng_post_enc e;
    ng_file pf, xf;
    ng_buf pst = NG_BUF_INIT, pos = NG_BUF_INIT;
    uint32_t shift[3], i, k, at = 0;
    unsigned copies = 0;
    uint8_t meta[8];
    int rc = NG_OK;
    pcase_make(&in[0], 700, 3, GAP_SMALL, 7, &seed);  /* 5 full blocks and 60 */
    pcase_make(&in[1], 650, 0, GAP_RANDOM, 4, &seed); /* 5 full blocks and 10 */
    pcase_make(&in[2], 384, 0, GAP_DENSE, 3, &seed);  /* 3 full blocks, docs 0.. */
    /* the second input starts past a gap; the third right after the
       second's last document, so that even its first block keeps its gap */
    shift[0] = 0;
    shift[1] = in[0].docs[in[0].n - 1] + 1000;
    shift[2] = shift[1] + in[1].docs[in[1].n - 1] + 1;
    memset(&cat, 0, sizeof cat);
    cat.n = in[0].n + in[1].n + in[2].n;
    cat.docs = calloc(cat.n, sizeof *cat.docs);
    cat.tfs = calloc(cat.n, sizeof *cat.tfs);
    cat.lens = calloc(cat.n, sizeof *cat.lens);
    cat.pos = calloc(cat.n, sizeof *cat.pos);
    for (k = 0; k < 3; k++)
        for (i = 0; i < in[k].n; i++, at++) {
            cat.docs[at] = in[k].docs[i] + shift[k];
            cat.tfs[at] = in[k].tfs[i];
            cat.lens[at] = in[k].lens[i];
            cat.pos[at] = malloc(cat.tfs[at] * sizeof(uint32_t));
            memcpy(cat.pos[at], in[k].pos[i], cat.tfs[at] * sizeof(uint32_t));
        }
    CTX("copy: inputs");
    EXPECT(encode_terms(in, 3, tpath("copy-in.pst"), tpath("copy-in.pos")) == NG_OK);
    EXPECT(ng_fmt__open(&pf, tpath("copy-in.pst"), NG_FK_PST) == NG_OK);
    EXPECT(ng_fmt__open(&xf, tpath("copy-in.pos"), NG_FK_POS) == NG_OK);
    ng_post__enc_init(&e);
    for (k = 0; k < 3 && !rc; k++) {
        uint64_t cf_before = e.cf, cf = 0;
        unsigned before = copies;
        rc = append_list(&e, &pf, &xf, &in[k], shift[k], !(first_decoded && k == 0), &copies);
        for (i = 0; i < in[k].n; i++) cf += in[k].tfs[i];
        if (copies > before) e.cf = cf_before + cf; /* as the merge does */
    }
    if (!rc) rc = ng_post__enc_finish(&e);
    CTX("copy: joined (rc %d, %u copies, %u blocks)", rc, copies, e.n_blocks);
    EXPECT(rc == NG_OK);
    /* copied: all 6 of A (its short last one too: the encoder is empty),
       B's 5 after its first, all 3 of C: 6 + 1 + 5 + 3 blocks.  A decoded
       instead: its 5 full blocks, B's first block with A's last 60
       documents, those 60 of B closed short before B's copies, B's 4 full
       and its short one, then C's 3: 5 + 1 + 1 + 5 + 3 blocks, 8 copies */
    EXPECT(copies == want_copies);
    EXPECT(e.n_blocks == 15);
    EXPECT(e.df == cat.n);
    cat.n_blocks = e.n_blocks;
    cat.pst_len = e.pst.size;
    cat.pos_len = e.pos.size;
    ng__buf_put(&rc, &pst, e.pst.ptr, e.pst.size);
    ng__buf_put(&rc, &pos, e.pos.ptr, e.pos.size);
    ng__set_u64(meta, 1);
    EXPECT(write_framed(tpath("copy-out.pst"), NG_FK_PST, pst.ptr, pst.size, meta, 8) == NG_OK);
    EXPECT(write_framed(tpath("copy-out.pos"), NG_FK_POS, pos.ptr, pos.size, meta, 8) == NG_OK);
    ng_fmt__close(&pf);
    ng_fmt__close(&xf);
    EXPECT(ng_fmt__open(&pf, tpath("copy-out.pst"), NG_FK_PST) == NG_OK);
    EXPECT(ng_fmt__open(&xf, tpath("copy-out.pos"), NG_FK_POS) == NG_OK);
    check_term(&cat, &pf, &xf, "joined");
    check_skips(&cat, &pf, &xf, "joined");
    {
        /* a copy the encoder cannot make is refused, not made wrong */
        ng_post_dec d;
        ng_post__enc_reset(&e);
        EXPECT(ng_post__dec_open(&d, &pf, pf.body, cat.pst_len, &xf, xf.body, cat.pos_len, cat.n) == NG_OK);
        EXPECT(ng_post__dec_next_block(&d) == NG_OK && ng_post__dec_next_block(&d) == NG_OK);
        EXPECT(ng_post__enc_can_copy(&e, &d, 0) == 0); /* its first gap would change */
        EXPECT(ng_post__enc_copy_block(&e, &d, 0) == NG_EINVAL);
    }
    ng_fmt__close(&pf);
    ng_fmt__close(&xf);
    ng_post__enc_free(&e);
    ng_buf_dispose(&pst);
    ng_buf_dispose(&pos);
    for (k = 0; k < 3; k++) pcase_free(&in[k]);
    pcase_free(&cat);
}

static void test_post_copy_blocks(void)
{
    join_lists(0, 14);
    join_lists(1, 8);
}

/* The block sizes of a long list are checked against df: a skip entry
** whose count is changed (its CRC made right again) is damage, reported,
** never a wrong list. */
static void test_post_bad_block_sizes(void)
{
    uint64_t seed = 77;
    pcase c;
    ng_file pf, xf;
    static const uint8_t counts[] = {126, 0}; /* n - 1 given to the first block */
    unsigned v_i;
    pcase_make(&c, 300, 0, GAP_SMALL, 3, &seed); /* 128 + 128 + 44 */
    CTX("sizes: setup");
    EXPECT(encode_terms(&c, 1, tpath("sizes.pst"), tpath("sizes.pos")) == NG_OK);
    for (v_i = 0; v_i < sizeof counts; v_i++) {
        uint8_t *b;
        const uint8_t *p, *end;
        uint64_t nb, skip_len, v;
        ng_buf body = NG_BUF_INIT;
        ng_post_dec d;
        uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK];
        uint8_t meta[8];
        int rc = NG_OK;
        EXPECT(ng_fmt__open(&pf, tpath("sizes.pst"), NG_FK_PST) == NG_OK);
        ng__buf_put(&rc, &body, pf.body, pf.body_len);
        ng_fmt__close(&pf);
        b = (uint8_t *)body.ptr;
        p = b;
        end = b + body.size;
        EXPECT(ng__vint_get(&p, end, &nb) == 0 && nb == 3);
        EXPECT(ng__vint_get(&p, end, &skip_len) == 0);
        {
            const uint8_t *skips = p;
            EXPECT(ng__vint_get(&p, end, &v) == 0); /* last_doc_delta */
            /* the first block's n - 1 (127, one vint byte) */
            CTX("sizes: n - 1 = %u", counts[v_i]);
            EXPECT(*p == 127);
            b[p - b] = counts[v_i];
            ng__set_u32(b + (skips - b) + skip_len, ng__crc32(0, b, (size_t)(skips - b) + skip_len));
        }
        ng__set_u64(meta, 1);
        EXPECT(write_framed(tpath("sizes-bad.pst"), NG_FK_PST, body.ptr, body.size, meta, 8) == NG_OK);
        ng_buf_dispose(&body);
        EXPECT(ng_fmt__open(&pf, tpath("sizes-bad.pst"), NG_FK_PST) == NG_OK);
        EXPECT(ng_fmt__open(&xf, tpath("sizes.pos"), NG_FK_POS) == NG_OK);
        rc = ng_post__dec_open(&d, &pf, pf.body, c.pst_len, &xf, xf.body, c.pos_len, c.n);
        while (rc == NG_OK && (rc = ng_post__dec_next_block(&d)) == NG_OK) rc = ng_post__dec_docs(&d, docs, tfs);
        EXPECT(rc == NG_ECORRUPT);
        ng_fmt__close(&pf);
        ng_fmt__close(&xf);
    }
    {
        /* the skip entries alone, blocks undecoded: a df one short of the
           counts or one over, and a count of 129 (n - 1 = 128, a two-byte vint spliced
           in, the skip length and CRC made right), are both caught by
           ng_post__dec_next_block itself */
        ng_post_dec d;
        ng_buf body = NG_BUF_INIT;
        const uint8_t *p, *end;
        uint64_t nb, skip_len, v;
        uint8_t meta[8];
        size_t at;
        int rc = NG_OK;
        EXPECT(ng_fmt__open(&pf, tpath("sizes.pst"), NG_FK_PST) == NG_OK);
        EXPECT(ng_fmt__open(&xf, tpath("sizes.pos"), NG_FK_POS) == NG_OK);
        for (v = 0; v < 2; v++) { /* df one short, one over */
            rc = ng_post__dec_open(&d, &pf, pf.body, c.pst_len, &xf, xf.body, c.pos_len, v ? c.n + 1 : c.n - 1);
            while (rc == NG_OK) rc = ng_post__dec_next_block(&d);
            CTX("sizes: df %s", v ? "one over" : "one short");
            EXPECT(rc == NG_ECORRUPT && strstr(ng_error_last()->message, "bad block size") != NULL);
        }
        p = pf.body;
        end = p + c.pst_len;
        EXPECT(ng__vint_get(&p, end, &nb) == 0 && ng__vint_get(&p, end, &skip_len) == 0 && skip_len < 127);
        at = (size_t)(p - pf.body);
        EXPECT(ng__vint_get(&p, end, &v) == 0 && *p == 127); /* last_doc_delta, then n - 1 */
        rc = NG_OK;
        ng__buf_put(&rc, &body, pf.body, at - 1);
        ng__buf_put(&rc, &body, (const uint8_t[]){(uint8_t)(skip_len + 1)}, 1);
        ng__buf_put(&rc, &body, pf.body + at, (size_t)(p - pf.body) - at);
        ng__buf_put(&rc, &body, (const uint8_t[]){0x80, 0x01}, 2);
        ng__buf_put(&rc, &body, p + 1, (size_t)(pf.body + at + skip_len + 4 - (p + 1)) - 4);
        {
            uint8_t crc[4];
            ng__set_u32(crc, ng__crc32(0, body.ptr, body.size));
            ng__buf_put(&rc, &body, crc, 4);
        }
        ng__buf_put(&rc, &body, pf.body + at + skip_len + 4, c.pst_len - (at + skip_len + 4));
        ng_fmt__close(&pf);
        ng__set_u64(meta, 1);
        EXPECT(rc == NG_OK && write_framed(tpath("sizes-129.pst"), NG_FK_PST, body.ptr, body.size, meta, 8) == NG_OK);
        EXPECT(ng_fmt__open(&pf, tpath("sizes-129.pst"), NG_FK_PST) == NG_OK);
        rc = ng_post__dec_open(&d, &pf, pf.body, body.size, &xf, xf.body, c.pos_len, c.n);
        CTX("sizes: a block of 129");
        EXPECT(rc == NG_OK); /* the skip entries pass their CRC */
        if (rc == NG_OK) rc = ng_post__dec_next_block(&d);
        EXPECT(rc == NG_ECORRUPT && strstr(ng_error_last()->message, "bad block size") != NULL);
        ng_buf_dispose(&body);
        ng_fmt__close(&pf);
        ng_fmt__close(&xf);
    }
    pcase_free(&c);
}

static void test_post_many_terms(void)
{
    uint64_t seed = 99;
    pcase cs[40];
    size_t t;
    for (t = 0; t < 40; t++)
        pcase_make(&cs[t], 1 + rndn(&seed, t % 4 == 0 ? 700 : 140), rndn(&seed, 50), t % 3 ? GAP_SMALL : GAP_RANDOM,
                   1 + rndn(&seed, 30), &seed);
    run_terms(cs, 40, "many");
    for (t = 0; t < 40; t++) pcase_free(&cs[t]);
}

/* ng_fmt__crc_ok remembers a passed region of at least a grain, by its
** first byte, and nothing else: not a failure, not a short region, not a
** region outside the body, nothing when the file keeps no map. */
static void test_crc_once(void)
{
    uint8_t body[1024];
    ng_file f;
    size_t i;
    uint32_t c0, c1, c2, c_short;
    uint64_t seed = 99;
    CTX("checks remembered");
    for (i = 0; i < sizeof body; i++) body[i] = (uint8_t)rnd32(&seed);
    memset(&f, 0, sizeof f);
    f.body = body;
    f.body_len = sizeof body;
    f.crc_seen = calloc(sizeof body / NG_FMT_CRC_GRAIN / 8 + 1, 1);
    c0 = ng__crc32(0, body, 64);          /* exactly a grain */
    c1 = ng__crc32(0, body + 64, 300);    /* the next region, not grain-aligned at its end */
    c2 = ng__crc32(0, body + 364, 536);   /* starts inside a grain */
    c_short = ng__crc32(0, body + 900, NG_FMT_CRC_GRAIN - 1);
    EXPECT(!ng_fmt__crc_ok(&f, body, 64, c0 ^ 1)); /* a failure ... */
    EXPECT(!ng_fmt__crc_seen(&f, body, 64));       /* ... is not remembered */
    EXPECT(!ng_fmt__crc_ok(&f, body, 64, c0 ^ 1));
    EXPECT(ng_fmt__crc_ok(&f, body, 64, c0));
    EXPECT(ng_fmt__crc_seen(&f, body, 64));
    EXPECT(!ng_fmt__crc_seen(&f, body + 64, 300)); /* each region by its own grain */
    EXPECT(ng_fmt__crc_ok(&f, body + 64, 300, c1));
    EXPECT(!ng_fmt__crc_seen(&f, body + 364, 536));
    EXPECT(ng_fmt__crc_ok(&f, body + 364, 536, c2));
    EXPECT(ng_fmt__crc_ok(&f, body + 900, NG_FMT_CRC_GRAIN - 1, c_short));
    EXPECT(!ng_fmt__crc_seen(&f, body + 900, NG_FMT_CRC_GRAIN - 1)); /* short: checked each time */
    /* what is remembered is no longer read: damage after the first check
    ** goes unseen in this open file (the file is immutable; `check` and a
    ** new open read everything again), while the short region is caught */
    body[10] ^= 4;
    body[400] ^= 4;
    body[901] ^= 4;
    EXPECT(ng_fmt__crc_ok(&f, body, 64, c0));
    EXPECT(ng_fmt__crc_ok(&f, body + 364, 536, c2));
    EXPECT(!ng_fmt__crc_ok(&f, body + 900, NG_FMT_CRC_GRAIN - 1, c_short));
    /* outside the body, or no map: never remembered */
    {
        uint8_t other[128];
        uint32_t co;
        memcpy(other, body, sizeof other);
        co = ng__crc32(0, other, sizeof other);
        EXPECT(ng_fmt__crc_ok(&f, other, sizeof other, co));
        EXPECT(!ng_fmt__crc_seen(&f, other, sizeof other));
        free(f.crc_seen);
        f.crc_seen = NULL;
        body[10] ^= 4;
        EXPECT(ng_fmt__crc_ok(&f, body, 64, c0));
        EXPECT(!ng_fmt__crc_seen(&f, body, 64));
        body[10] ^= 4;
        EXPECT(!ng_fmt__crc_ok(&f, body, 64, c0));
    }
}

/* Pages of m in the page cache, among [first, first + n). */
static size_t resident_pages(const ng_map *m, size_t first, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), i, k = 0;
    unsigned char vec[1024];
    if (n > sizeof vec || mincore((void *)(uintptr_t)(m->data + first * page), n * page, vec) != 0) return SIZE_MAX;
    for (i = 0; i < n; i++) k += vec[i] & 1u;
    return k;
}

/* A random-access mapping of a cold file brings in the page touched and
** the ranges asked for, not a readahead window around them (which at 8 MB
** read a whole small file).  Observed with mincore(); a file system that
** cannot evict the file's pages (tmpfs) cannot show it, and says so. */
static void test_map_readahead(void)
{
    const size_t np = 1024;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), i, waited;
    const char *path = tpath("cold.bin");
    uint8_t *buf = malloc(np * page);
    volatile uint8_t sink;
    ng_map m;
    int fd;
    CTX("read-ahead advice");
    for (i = 0; i < np * page; i++) buf[i] = (uint8_t)(i * 7 + 1);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT(fd >= 0 && write(fd, buf, np * page) == (ssize_t)(np * page) && fsync(fd) == 0);
    close(fd);
    free(buf);
    EXPECT(ng__map_file(&m, path) == NG_OK && m.size == np * page);
    fd = open(path, O_RDONLY);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    if (resident_pages(&m, 0, np) != 0) {
        fprintf(stderr, "\n  note: %s stays in memory (tmpfs?): read-ahead not observable here", ng_test_tmpdir);
        ng__unmap(&m);
        return;
    }
    ng__map_random(&m);
    sink = m.data[512 * page + 5];
    (void)sink;
    EXPECT(resident_pages(&m, 512, 1) == 1);
    EXPECT(resident_pages(&m, 0, np) == 1);
    /* pages 100..103 asked for (from inside page 100 to inside page 103) */
    ng__map_willneed(&m, m.data + 100 * page + 10, 3 * page);
    for (waited = 0; resident_pages(&m, 100, 4) != 4 && waited < 5000; waited++) usleep(1000);
    EXPECT(resident_pages(&m, 100, 4) == 4);
    EXPECT(resident_pages(&m, 0, np) == 5);
    /* clipped to the mapping, and nothing for ranges outside it or empty */
    ng__map_willneed(&m, m.data + (np - 2) * page, 100 * page);
    ng__map_willneed(&m, m.data + np * page, page);
    ng__map_willneed(&m, m.data + 700 * page, 0);
    ng__map_willneed(&m, m.data - page, 2 * page);
    for (waited = 0; resident_pages(&m, np - 2, 2) != 2 && waited < 5000; waited++) usleep(1000);
    EXPECT(resident_pages(&m, np - 2, 2) == 2);
    EXPECT(resident_pages(&m, 0, np) == 7);
    ng__unmap(&m);
}

static void test_post_tf0(void)
{
    ng_post_enc e;
    uint32_t p = 3;
    CTX("tf 0");
    ng_post__enc_init(&e);
    EXPECT(ng_post__enc_add(&e, 1, &p, 0, 10) == NG_EINVAL);
    EXPECT(e.df == 0 && e.n == 0);
    EXPECT(ng_post__enc_add(&e, 1, &p, 1, 10) == NG_OK);
    EXPECT(e.df == 1);
    ng_post__enc_free(&e);
}

/* ------------------------------------------------------------------ */
/* 4. Term dictionary                                                  */
/* ------------------------------------------------------------------ */

typedef struct tstr {
    char s[256];
    size_t n;
} tstr;

static int bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = memcmp(a, b, m);
    return c ? c : (an < bn ? -1 : an > bn);
}
static int cmp_tstr(const void *a, const void *b)
{
    const tstr *x = a, *y = b;
    return bytecmp(x->s, x->n, y->s, y->n);
}

/* index of the first term >= (s, n) */
static size_t lower_bound(const tstr *t, size_t nt, const char *s, size_t n)
{
    size_t lo = 0, hi = nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bytecmp(t[mid].s, t[mid].n, s, n) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void rand_term(tstr *t, uint64_t *seed)
{
    static const char alpha[] = "abcz\xc3\xa9\xff\x01";
    size_t i, n = rndn(seed, 40) == 0 ? 1 + rndn(seed, 255) : 1 + rndn(seed, 10);
    for (i = 0; i < n; i++) t->s[i] = alpha[rndn(seed, sizeof alpha - 1)];
    t->s[n] = '\0';
    t->n = n;
}

static int ti_eq(const ng_term_info *a, const ng_term_info *b)
{
    return a->df == b->df && a->cf == b->cf && a->pst_off == b->pst_off && a->pst_len == b->pst_len &&
           a->pos_off == b->pos_off && a->pos_len == b->pos_len;
}

/* Check iteration from (s, n) against the oracle for up to `steps` terms. */
static void check_seek(const ng_dict *d, const tstr *t, const ng_term_info *ti, size_t nt, const char *s, size_t n,
                       size_t steps)
{
    ng_dict_iter it;
    size_t i = lower_bound(t, nt, s, n), k;
    int rc = ng_dict__iter_seek(&it, d, s, n), ok = 1;
    EXPECT(rc == NG_OK);
    if (rc) return;
    for (k = 0; k < steps && i < nt; k++, i++) {
        rc = ng_dict__iter_next(&it);
        if (rc != NG_OK || bytecmp(it.term, it.term_len, t[i].s, t[i].n) != 0 || !ti_eq(&it.ti, &ti[i])) {
            ok = 0;
            break;
        }
    }
    EXPECT(ok);
    if (ok && i == nt) EXPECT(ng_dict__iter_next(&it) == NG_ITEROVER);
}

static void dict_case(size_t N, uint64_t seed)
{
    tstr *t = calloc(N * 2 + 1, sizeof *t);
    ng_term_info *ti = calloc(N + 1, sizeof *ti);
    size_t nt = 0, i, j;
    uint64_t po = 0, xo = 0;
    char name[64];
    ng_fwriter fw;
    ng_dict_enc e;
    ng_dict d;
    int rc;
    /* N distinct random terms, sorted */
    while (nt < N) {
        size_t m = nt;
        for (i = 0; i < N; i++) rand_term(&t[m++], &seed);
        qsort(t, m, sizeof *t, cmp_tstr);
        for (i = 0, j = 0; i < m; i++)
            if (j == 0 || cmp_tstr(&t[j - 1], &t[i]) != 0) t[j++] = t[i];
        nt = j;
    }
    while (nt > N) { /* drop random ones down to N */
        i = rndn(&seed, (uint32_t)nt);
        memmove(&t[i], &t[i + 1], (nt - i - 1) * sizeof *t);
        nt--;
    }
    for (i = 0; i < N; i++) {
        ti[i].df = 1 + rndn(&seed, rndn(&seed, 2) ? 100 : NG_FMT_MAX_DOCS);
        ti[i].cf = ti[i].df + (rndn(&seed, 2) ? rndn(&seed, 1000) : (ng_test_rand(&seed) >> 24));
        po += rndn(&seed, 5) == 0 ? (ng_test_rand(&seed) >> 30) : rndn(&seed, 5000);
        xo += rndn(&seed, 5000);
        ti[i].pst_off = po;
        ti[i].pst_len = 1 + (rndn(&seed, 2) ? rndn(&seed, 4000) : (ng_test_rand(&seed) >> 28));
        ti[i].pos_off = xo;
        ti[i].pos_len = rndn(&seed, 3000);
    }
    snprintf(name, sizeof name, "dict-%zu.tdi", N);
    CTX("dict N=%zu write", N);
    rc = ng_fmt__fw_open(&fw, tpath(name), NG_FK_TDI);
    EXPECT(rc == NG_OK);
    if (rc) goto out;
    ng_dict__enc_init(&e, &fw);
    for (i = 0; i < N && !rc; i++) rc = ng_dict__enc_add(&e, t[i].s, t[i].n, &ti[i]);
    if (!rc) rc = ng_dict__enc_finish(&e);
    ng_dict__enc_free(&e);
    EXPECT(rc == NG_OK);
    if (rc) {
        ng_fmt__fw_abort(&fw);
        goto out;
    }
    rc = ng_dict__open(&d, tpath(name));
    EXPECT(rc == NG_OK);
    if (rc) goto out;
    EXPECT(d.n_terms == N);
    EXPECT(d.n_blocks == (N + NG_FMT_DICT_BLOCK - 1) / NG_FMT_DICT_BLOCK);
    EXPECT(ng_fmt__verify(&d.f) == NG_OK);
    /* every term found with its info */
    for (i = 0; i < N; i++) {
        ng_term_info got;
        memset(&got, 0xee, sizeof got);
        CTX("dict N=%zu lookup #%zu", N, i);
        EXPECT(ng_dict__lookup(&d, t[i].s, t[i].n, &got) == NG_OK);
        EXPECT(ti_eq(&got, &ti[i]));
    }
    /* full iteration */
    CTX("dict N=%zu full iteration", N);
    check_seek(&d, t, ti, N, "", 0, N + 1);
    /* absent probes and seeks: before first, after last, prefixes, between */
    {
        tstr p;
        size_t probe;
        for (probe = 0; probe < 6 * N + 40; probe++) {
            ng_term_info got;
            size_t lb;
            int present;
            if (probe < 4 * N) {
                const tstr *base = &t[probe / 4];
                p = *base;
                switch (probe % 4) {
                case 0: p.n = base->n - 1; break;                       /* prefix (maybe empty) */
                case 1: if (p.n < 255) p.s[p.n++] = '\0'; break;        /* just after */
                case 2: p.s[p.n - 1] = (char)((uint8_t)p.s[p.n - 1] + 1); break; /* between */
                default: if (p.n < 255) p.s[p.n++] = 'b'; break;
                }
            } else if (probe < 4 * N + 20) {
                rand_term(&p, &seed);
            } else if (probe == 4 * N + 20) {
                p.n = 0; /* "" */
            } else if (probe == 4 * N + 21) {
                memset(p.s, 0xff, 255);
                p.n = 255; /* after the last */
            } else if (probe == 4 * N + 22) {
                p.s[0] = '\0';
                p.n = 1; /* before everything */
            } else {
                rand_term(&p, &seed);
                p.n = 1 + rndn(&seed, 3);
            }
            lb = lower_bound(t, N, p.s, p.n);
            present = lb < N && bytecmp(t[lb].s, t[lb].n, p.s, p.n) == 0;
            CTX("dict N=%zu probe %zu (len %zu, lb %zu)", N, probe, p.n, lb);
            if (!present) EXPECT(ng_dict__lookup(&d, p.s, p.n, &got) == NG_ENOTFOUND);
            else EXPECT(ng_dict__lookup(&d, p.s, p.n, &got) == NG_OK && ti_eq(&got, &ti[lb]));
            check_seek(&d, t, ti, N, p.s, p.n, N <= 40 ? N + 1 : 40);
        }
    }
    /* seek to every term and to the last term's successor */
    for (i = 0; i < N; i += (N > 100 ? 13 : 1)) {
        CTX("dict N=%zu seek to #%zu", N, i);
        check_seek(&d, t, ti, N, t[i].s, t[i].n, 70);
    }
    ng_dict__close(&d);
out:
    free(t);
    free(ti);
}

/* Lookups that verify lazily (termdict.c): a dictionary of DMG_N terms whose
** block b starts at file offset 16 + index[b] (header, then the body). */
#include <pthread.h>

#define DMG_N 2000 /* 63 blocks */

typedef struct dmg_dict {
    tstr *t;            /* the terms, sorted (the oracle) */
    ng_term_info *ti;   /* their infos */
    uint8_t *file;      /* the pristine .tdi */
    size_t size;
    uint64_t n_blocks;
    uint64_t *block_off; /* file offset of each block (its first_crc) */
} dmg_dict;

/* Terms "k%05zu" + random tail: distinct and sorted by construction. */
static int dmg_build(dmg_dict *g, const char *name)
{
    uint64_t seed = 77;
    ng_fwriter fw;
    ng_dict_enc e;
    ng_dict d;
    size_t i;
    int rc;
    memset(g, 0, sizeof *g);
    g->t = calloc(DMG_N, sizeof *g->t);
    g->ti = calloc(DMG_N, sizeof *g->ti);
    if (!g->t || !g->ti) return -1;
    for (i = 0; i < DMG_N; i++) {
        size_t k, tail = rndn(&seed, 6);
        g->t[i].n = (size_t)snprintf(g->t[i].s, sizeof g->t[i].s, "k%05zu", i * 3);
        for (k = 0; k < tail; k++) g->t[i].s[g->t[i].n++] = (char)('a' + rndn(&seed, 26));
        g->ti[i].df = 1 + rndn(&seed, 1000);
        g->ti[i].cf = g->ti[i].df + rndn(&seed, 50);
        g->ti[i].pst_off = i ? g->ti[i - 1].pst_off + g->ti[i - 1].pst_len : 0;
        g->ti[i].pst_len = 1 + rndn(&seed, 300);
        g->ti[i].pos_off = i ? g->ti[i - 1].pos_off + g->ti[i - 1].pos_len : 0;
        g->ti[i].pos_len = rndn(&seed, 300);
    }
    if (ng_fmt__fw_open(&fw, tpath(name), NG_FK_TDI) != NG_OK) return -1;
    ng_dict__enc_init(&e, &fw);
    for (i = 0, rc = NG_OK; i < DMG_N && !rc; i++) rc = ng_dict__enc_add(&e, g->t[i].s, g->t[i].n, &g->ti[i]);
    if (!rc) rc = ng_dict__enc_finish(&e);
    ng_dict__enc_free(&e);
    if (rc) {
        ng_fmt__fw_abort(&fw);
        return -1;
    }
    if (ng_dict__open(&d, tpath(name)) != NG_OK) return -1;
    g->n_blocks = d.n_blocks;
    g->block_off = calloc(d.n_blocks, sizeof *g->block_off);
    for (i = 0; g->block_off && i < d.n_blocks; i++)
        g->block_off[i] = NG_FMT_HEADER_SIZE + ng__get_u64(d.index + 8 * i);
    ng_dict__close(&d);
    g->file = slurp(tpath(name), &g->size);
    return g->file && g->block_off && g->n_blocks == (DMG_N + NG_FMT_DICT_BLOCK - 1) / NG_FMT_DICT_BLOCK ? 0 : -1;
}

static void dmg_free(dmg_dict *g)
{
    free(g->t);
    free(g->ti);
    free(g->file);
    free(g->block_off);
}

/* One lookup judged against the oracle: a term (i < DMG_N) must be found with
** its info, a key between terms must be absent; either may instead be
** reported corrupt when `may_corrupt`.  Returns the lookup's code. */
static int dmg_lookup(const dmg_dict *g, const ng_dict *d, const char *key, size_t n, long i, int may_corrupt)
{
    ng_term_info got;
    int rc = ng_dict__lookup(d, key, n, &got);
    if (rc == NG_ECORRUPT) EXPECT(may_corrupt);
    else if (i >= 0) EXPECT(rc == NG_OK && ti_eq(&got, &g->ti[i]));
    else EXPECT(rc == NG_ENOTFOUND);
    return rc;
}

/* Damage one byte at `at` (a file offset inside block `blk`'s CRC-covered
** bytes or its CRCs), then: lookups of every term in other blocks first (they
** verify their blocks), then every term of the damaged block must be
** reported corrupt, twice (a failed check is never remembered as passed),
** and no lookup anywhere (terms or keys between them) may answer wrongly. */
static void dmg_case(const dmg_dict *g, uint64_t blk, size_t at, uint8_t mask, const char *what)
{
    uint8_t *copy = malloc(g->size);
    ng_dict d;
    size_t i;
    if (!copy) return;
    memcpy(copy, g->file, g->size);
    copy[at] ^= mask;
    CTX("damaged dict: block %llu, %s (offset %zu)", (unsigned long long)blk, what, at);
    EXPECT(spit(tpath("dmg.tdi"), copy, g->size) == 0);
    free(copy);
    if (ng_dict__open(&d, tpath("dmg.tdi")) != NG_OK) { /* the damage is in a block: open cannot see it */
        EXPECT(0);
        return;
    }
    for (i = 0; i < DMG_N; i++)
        if (i / NG_FMT_DICT_BLOCK != blk) dmg_lookup(g, &d, g->t[i].s, g->t[i].n, (long)i, 1);
    for (i = blk * NG_FMT_DICT_BLOCK; i < DMG_N && i / NG_FMT_DICT_BLOCK == blk; i++) {
        EXPECT(dmg_lookup(g, &d, g->t[i].s, g->t[i].n, (long)i, 1) == NG_ECORRUPT);
        EXPECT(dmg_lookup(g, &d, g->t[i].s, g->t[i].n, (long)i, 1) == NG_ECORRUPT);
    }
    /* keys between terms ("k00001" lies between k00000* and k00003*) */
    for (i = 0; i < DMG_N; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "k%05zu", i * 3 + 1);
        dmg_lookup(g, &d, key, (size_t)n, -1, 1);
    }
    /* an iteration over everything reaches the damaged block: corrupt */
    {
        ng_dict_iter it;
        int rc = ng_dict__iter_seek(&it, &d, "", 0);
        size_t k = 0;
        while (rc == NG_OK && (rc = ng_dict__iter_next(&it)) == NG_OK) {
            EXPECT(k < DMG_N && bytecmp(it.term, it.term_len, g->t[k].s, g->t[k].n) == 0);
            k++;
        }
        EXPECT(rc == NG_ECORRUPT);
    }
    ng_dict__close(&d);
}

static void test_dict_damaged_block(void)
{
    dmg_dict g;
    static const uint64_t blocks[] = {0, 1, 17, 31, 32, 61, 62}; /* ends, the first probes, inner */
    size_t k;
    CTX("damaged dict: build");
    EXPECT(dmg_build(&g, "dmg-src.tdi") == 0);
    if (g.n_blocks == 0 || !g.file) goto out;
    for (k = 0; k < NG_ARRAY_LEN(blocks); k++) {
        uint64_t b = blocks[k];
        size_t start = (size_t)g.block_off[b];
        size_t end = b + 1 < g.n_blocks ? (size_t)g.block_off[b + 1] : start + 40; /* inside the last block */
        dmg_case(&g, b, start + 1, 0x20, "first_crc");
        dmg_case(&g, b, start + 5, 0x20, "rest_crc");
        /* after 8 CRC bytes and 2 length bytes, "k0...": a first term made
           smaller ('k' -> 'K') or larger ('0' -> 'p') misroutes the probes */
        dmg_case(&g, b, start + 10, 0x20, "first term smaller");
        dmg_case(&g, b, start + 11, 0x40, "first term larger");
        dmg_case(&g, b, end - 1, 0x20, "last entry");
    }
out:
    dmg_free(&g);
}

/* The verified-block flags are shared: threads looking terms up at once in
** one dictionary (sound and damaged) all get the oracle's answers. */
typedef struct dict_thread {
    const dmg_dict *g;
    const ng_dict *d;
    uint64_t bad_block;  /* a damaged block, or UINT64_MAX */
    unsigned start;      /* where this thread starts in the term list */
    unsigned wrong;      /* answers that disagree with the oracle */
} dict_thread;

static void *dict_thread_main(void *arg)
{
    dict_thread *a = arg;
    unsigned r, i;
    for (r = 0; r < 3; r++)
        for (i = 0; i < DMG_N; i++) {
            size_t k = (a->start + i * 7u) % DMG_N; /* 7 is prime to DMG_N: every term */
            ng_term_info got;
            int rc = ng_dict__lookup(a->d, a->g->t[k].s, a->g->t[k].n, &got);
            uint64_t b = k / NG_FMT_DICT_BLOCK;
            /* the damaged block's terms: corrupt; the block before it also
               reads the damaged first term (the upper bound of its search) */
            int ok = b == a->bad_block ? rc == NG_ECORRUPT
                     : (rc == NG_OK && ti_eq(&got, &a->g->ti[k])) || (rc == NG_ECORRUPT && b + 1 == a->bad_block);
            a->wrong += !ok;
        }
    return NULL;
}

static void dict_threads_case(const dmg_dict *g, uint64_t bad_block)
{
    enum { NT = 4 };
    pthread_t th[NT];
    dict_thread a[NT];
    ng_dict d;
    unsigned i, started = 0;
    uint8_t *copy = malloc(g->size);
    if (!copy) return;
    memcpy(copy, g->file, g->size);
    if (bad_block != UINT64_MAX) copy[g->block_off[bad_block] + 12] ^= 0x01;
    EXPECT(spit(tpath("thr.tdi"), copy, g->size) == 0);
    free(copy);
    EXPECT(ng_dict__open(&d, tpath("thr.tdi")) == NG_OK);
    for (i = 0; i < NT; i++) {
        a[i].g = g;
        a[i].d = &d;
        a[i].bad_block = bad_block;
        a[i].start = i * (DMG_N / NT);
        a[i].wrong = 0;
        if (pthread_create(&th[i], NULL, dict_thread_main, &a[i]) == 0) started++;
        else break;
    }
    EXPECT(started == NT);
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        EXPECT(a[i].wrong == 0);
    }
    ng_dict__close(&d);
}

static void test_dict_threads(void)
{
    dmg_dict g;
    CTX("dict threads");
    EXPECT(dmg_build(&g, "thr-src.tdi") == 0);
    if (g.file && g.n_blocks > 40) {
        dict_threads_case(&g, UINT64_MAX);
        dict_threads_case(&g, 40);
    }
    dmg_free(&g);
}

static void test_dict_sizes(void)
{
    static const size_t sizes[] = {0, 1, 2, 31, 32, 33, 64, 65, 1000};
    size_t i;
    for (i = 0; i < NG_ARRAY_LEN(sizes); i++) dict_case(sizes[i], 1000 + i);
}

static void test_dict_order(void)
{
    ng_fwriter fw;
    ng_dict_enc e;
    ng_term_info ti = {1, 1, 0, 1, 0, 1};
    char longterm[300];
    CTX("dict order");
    EXPECT(ng_fmt__fw_open(&fw, tpath("order.tdi"), NG_FK_TDI) == NG_OK);
    ng_dict__enc_init(&e, &fw);
    EXPECT(ng_dict__enc_add(&e, "b", 1, &ti) == NG_OK);
    EXPECT(ng_dict__enc_add(&e, "a", 1, &ti) == NG_EINVAL);   /* smaller */
    EXPECT(ng_dict__enc_add(&e, "b", 1, &ti) == NG_EINVAL);   /* duplicate */
    EXPECT(ng_dict__enc_add(&e, "bc", 2, &ti) == NG_OK);
    EXPECT(ng_dict__enc_add(&e, "b", 1, &ti) == NG_EINVAL);   /* prefix of previous */
    EXPECT(ng_dict__enc_add(&e, "bb", 2, &ti) == NG_EINVAL);  /* same length, smaller */
    EXPECT(ng_dict__enc_add(&e, "b\xc3", 2, &ti) == NG_OK);   /* unsigned byte order */
    EXPECT(ng_dict__enc_add(&e, "b\x7f", 2, &ti) == NG_EINVAL);
    memset(longterm, 'z', sizeof longterm);
    EXPECT(ng_dict__enc_add(&e, longterm, 256, &ti) == NG_EINVAL); /* > 255 bytes */
    EXPECT(ng_dict__enc_add(&e, longterm, 255, &ti) == NG_OK);
    EXPECT(e.n_terms == 4);
    EXPECT(ng_dict__enc_finish(&e) == NG_OK);
    ng_dict__enc_free(&e);
    {
        ng_dict d;
        ng_term_info got;
        EXPECT(ng_dict__open(&d, tpath("order.tdi")) == NG_OK);
        EXPECT(d.n_terms == 4);
        EXPECT(ng_dict__lookup(&d, longterm, 255, &got) == NG_OK);
        EXPECT(ng_dict__lookup(&d, longterm, 256, &got) == NG_ENOTFOUND);
        EXPECT(ng_dict__lookup(&d, "b\xc3", 2, &got) == NG_OK);
        ng_dict__close(&d);
    }
}

/* ------------------------------------------------------------------ */
/* 5. Document store                                                   */
/* ------------------------------------------------------------------ */

typedef struct sdoc {
    char *f[NG_FIELD_COUNT];
    size_t n[NG_FIELD_COUNT]; /* oracle lengths */
    int nul_terminated[NG_FIELD_COUNT];
    int null_ptr[NG_FIELD_COUNT];
} sdoc;

static void sdoc_field(sdoc *d, int k, size_t n, int binary, uint64_t *seed)
{
    size_t i;
    d->f[k] = malloc(n + 1);
    for (i = 0; i < n; i++) d->f[k][i] = binary ? (char)rnd32(seed) : (char)('a' + rndn(seed, 26));
    d->f[k][n] = '\0';
    d->n[k] = n;
}

static void sdocs_make(sdoc *docs, uint32_t n, uint64_t *seed)
{
    uint32_t i;
    int k;
    for (i = 0; i < n; i++) {
        sdoc *d = &docs[i];
        char id[64];
        memset(d, 0, sizeof *d);
        snprintf(id, sizeof id, "doc-%05u", (unsigned)(rnd32(seed) % 100000u) * 1000u + i);
        d->f[0] = strdup(id);
        d->n[0] = strlen(id);
        sdoc_field(d, 1, rndn(seed, 4) == 0 ? 0 : rndn(seed, 80), 0, seed);
        sdoc_field(d, 2, rndn(seed, 2) ? 10 : 0, 0, seed);
        sdoc_field(d, 3, rndn(seed, 3) ? rndn(seed, 60) : 0, 0, seed);
        sdoc_field(d, 4, rndn(seed, 10) == 0 ? 0 : rndn(seed, 3000), rndn(seed, 2), seed);
        for (k = 0; k < NG_FIELD_COUNT; k++) {
            /* some fields given NUL-terminated (length -1), some as NULL pointers */
            if (d->n[k] > 0 && memchr(d->f[k], 0, d->n[k]) == NULL && rndn(seed, 5) == 0) d->nul_terminated[k] = 1;
            if (d->n[k] == 0 && rndn(seed, 2)) d->null_ptr[k] = 1;
        }
    }
}

static void sdocs_free(sdoc *docs, uint32_t n)
{
    uint32_t i;
    int k;
    for (i = 0; i < n; i++)
        for (k = 0; k < NG_FIELD_COUNT; k++) free(docs[i].f[k]);
}

static void sdoc_set_id(sdoc *d, const char *id, size_t n)
{
    free(d->f[0]);
    d->f[0] = malloc(n + 1);
    memcpy(d->f[0], id, n);
    d->f[0][n] = '\0';
    d->n[0] = n;
    d->nul_terminated[0] = 0;
    d->null_ptr[0] = 0;
}

static int store_write(const char *path, const sdoc *docs, uint32_t n)
{
    ng_fwriter fw;
    ng_store_enc e;
    uint32_t i;
    int rc = ng_fmt__fw_open(&fw, path, NG_FK_DOC);
    if (rc) return rc;
    ng_store__enc_init(&e, &fw);
    for (i = 0; i < n && !rc; i++) {
        ng_document nd;
        const char *p[NG_FIELD_COUNT];
        size_t l[NG_FIELD_COUNT];
        int k;
        for (k = 0; k < NG_FIELD_COUNT; k++) {
            p[k] = docs[i].null_ptr[k] ? NULL : docs[i].f[k];
            l[k] = docs[i].nul_terminated[k] ? (size_t)-1 : docs[i].n[k];
        }
        nd.id = p[0], nd.id_len = l[0];
        nd.title = p[1], nd.title_len = l[1];
        nd.date = p[2], nd.date_len = l[2];
        nd.url = p[3], nd.url_len = l[3];
        nd.body = p[4], nd.body_len = l[4];
        rc = ng_store__enc_add(&e, &nd);
    }
    if (!rc) rc = ng_store__enc_finish(&e);
    ng_store__enc_free(&e);
    if (rc) ng_fmt__fw_abort(&fw);
    return rc;
}

/* the last docid whose id equals docs[i]'s */
static uint32_t oracle_find(const sdoc *docs, uint32_t n, const char *id, size_t len, int *found)
{
    uint32_t i, r = 0;
    *found = 0;
    for (i = 0; i < n; i++)
        if (bytecmp(docs[i].f[0], docs[i].n[0], id, len) == 0) {
            r = i;
            *found = 1;
        }
    return r;
}

static void check_get(const ng_store *s, const sdoc *docs, uint32_t i, ng_buf *scratch)
{
    ng_field_ref fr[NG_FIELD_COUNT];
    int rc = ng_store__get(s, i, scratch, fr), k, ok = 1;
    CTX("store get %u", i);
    EXPECT(rc == NG_OK);
    if (rc) return;
    for (k = 0; k < NG_FIELD_COUNT; k++)
        if (fr[k].n != docs[i].n[k] || (fr[k].n && memcmp(fr[k].p, docs[i].f[k], fr[k].n) != 0)) ok = 0;
    EXPECT(ok);
}

static void test_store_roundtrip(void)
{
    enum { N = 400 };
    static sdoc docs[N];
    uint64_t seed = 2024;
    ng_store s;
    ng_buf scratch = NG_BUF_INIT;
    uint32_t i, got;
    int rc, found;
    sdocs_make(docs, N, &seed);
    /* a 100 KB binary body */
    free(docs[123].f[4]);
    sdoc_field(&docs[123], 4, 100 * 1024, 1, &seed);
    docs[123].nul_terminated[4] = docs[123].null_ptr[4] = 0;
    /* every field empty */
    for (i = 0; i < NG_FIELD_COUNT; i++) {
        free(docs[50].f[i]);
        docs[50].f[i] = strdup("");
        docs[50].n[i] = 0;
        docs[50].nul_terminated[i] = 0;
        docs[50].null_ptr[i] = i % 2;
    }
    docs[51].null_ptr[0] = 0;
    /* duplicate ids: the last docid wins */
    sdoc_set_id(&docs[10], "dup-A", 5);
    sdoc_set_id(&docs[200], "dup-A", 5);
    sdoc_set_id(&docs[3], "dup-B", 5);
    sdoc_set_id(&docs[4], "dup-B", 5);
    sdoc_set_id(&docs[399], "dup-B", 5);
    sdoc_set_id(&docs[77], "\xff\x00\x80id", 5); /* binary id */
    sdoc_set_id(&docs[78], "\x01", 1);
    rc = store_write(tpath("store.doc"), docs, N);
    CTX("store write");
    EXPECT(rc == NG_OK);
    rc = ng_store__open(&s, tpath("store.doc"));
    EXPECT(rc == NG_OK);
    if (rc) goto out;
    EXPECT(s.n_docs == N);
    EXPECT(s.n_blocks > 5 && s.n_blocks <= N);
    EXPECT(ng_fmt__verify(&s.f) == NG_OK);
    for (i = 0; i < N; i++) check_get(&s, docs, i, &scratch);
    for (i = 0; i < 2000; i++) check_get(&s, docs, rndn(&seed, N), &scratch);
    {
        ng_field_ref fr[NG_FIELD_COUNT];
        CTX("store get out of range");
        EXPECT(ng_store__get(&s, N, &scratch, fr) == NG_ENOTFOUND);
        EXPECT(ng_store__get(&s, UINT32_MAX, &scratch, fr) == NG_ENOTFOUND);
    }
    for (i = 0; i < N; i++) {
        uint32_t want = oracle_find(docs, N, docs[i].f[0], docs[i].n[0], &found);
        got = 0xdeadbeef;
        CTX("store find id of doc %u", i);
        EXPECT(ng_store__find(&s, docs[i].f[0], docs[i].n[0], &got) == NG_OK);
        EXPECT(got == want);
    }
    CTX("store find dups");
    EXPECT(ng_store__find(&s, "dup-A", 5, &got) == NG_OK && got == 200);
    EXPECT(ng_store__find(&s, "dup-B", 5, &got) == NG_OK && got == 399);
    {
        static const char *absent[] = {"dup-", "dup-C", "dup-AA", "doc-", "zzzz", "\xff\xff", "\x00", "a"};
        size_t k;
        for (k = 0; k < NG_ARRAY_LEN(absent); k++) {
            size_t len = k == 6 ? 1 : strlen(absent[k]);
            (void)oracle_find(docs, N, absent[k], len, &found);
            CTX("store find absent %zu", k);
            EXPECT(!found);
            EXPECT(ng_store__find(&s, absent[k], len, &got) == NG_ENOTFOUND);
        }
        /* random absent ids */
        for (k = 0; k < 500; k++) {
            char id[32];
            size_t len = (size_t)snprintf(id, sizeof id, "doc-%u", rnd32(&seed));
            (void)oracle_find(docs, N, id, len, &found);
            if (!found) EXPECT(ng_store__find(&s, id, len, &got) == NG_ENOTFOUND);
        }
    }
    /* the empty id (documents without one) */
    {
        uint32_t want = oracle_find(docs, N, "", 0, &found);
        CTX("store find empty id");
        EXPECT(found);
        EXPECT(ng_store__find(&s, "", 0, &got) == NG_OK && got == want);
    }
    ng_store__close(&s);
out:
    ng_buf_dispose(&scratch);
    sdocs_free(docs, N);
}

static void test_store_empty(void)
{
    ng_store s;
    ng_buf scratch = NG_BUF_INIT;
    ng_field_ref fr[NG_FIELD_COUNT];
    uint32_t got;
    CTX("empty store");
    EXPECT(store_write(tpath("empty.doc"), NULL, 0) == NG_OK);
    EXPECT(ng_store__open(&s, tpath("empty.doc")) == NG_OK);
    EXPECT(s.n_docs == 0 && s.n_blocks == 0);
    EXPECT(ng_store__find(&s, "x", 1, &got) == NG_ENOTFOUND);
    EXPECT(ng_store__find(&s, "", 0, &got) == NG_ENOTFOUND);
    EXPECT(ng_store__get(&s, 0, &scratch, fr) == NG_ENOTFOUND);
    ng_store__close(&s);
    ng_buf_dispose(&scratch);
}

static void test_store_one_doc(void)
{
    sdoc d[1];
    uint64_t seed = 5;
    ng_store s;
    ng_buf scratch = NG_BUF_INIT;
    uint32_t got;
    sdocs_make(d, 1, &seed);
    CTX("one-doc store");
    EXPECT(store_write(tpath("one.doc"), d, 1) == NG_OK);
    EXPECT(ng_store__open(&s, tpath("one.doc")) == NG_OK);
    EXPECT(s.n_docs == 1 && s.n_blocks == 1);
    check_get(&s, d, 0, &scratch);
    EXPECT(ng_store__find(&s, d[0].f[0], d[0].n[0], &got) == NG_OK && got == 0);
    ng_store__close(&s);
    ng_buf_dispose(&scratch);
    sdocs_free(d, 1);
}

/* ------------------------------------------------------------------ */
/* 6. Lengths, tombstones, manifest                                    */
/* ------------------------------------------------------------------ */

static void test_lengths(void)
{
    static const uint32_t ns[] = {0, 1, 1023, 1024, 1025, 3000};
    uint64_t seed = 77;
    size_t c;
    for (c = 0; c < NG_ARRAY_LEN(ns); c++) {
        uint32_t n = ns[c], i, *v = malloc((n + 1) * sizeof *v);
        int32_t *dates = malloc((n + 1) * sizeof *dates);
        uint64_t total = 0;
        ng_lens l;
        int ok = 1;
        for (i = 0; i < n; i++) {
            v[i] = i % 50 == 0 ? UINT32_MAX - i : rnd32(&seed) % 5000;
            dates[i] = i % 7 == 0 ? NG_DATE_NONE : (int32_t)(rnd32(&seed) % 40000) - 10000;
            total += v[i];
        }
        CTX("lengths n=%u", n);
        EXPECT(ng_lens__write(tpath("x.len"), v, dates, n) == NG_OK);
        EXPECT(ng_lens__open(&l, tpath("x.len")) == NG_OK);
        EXPECT(l.n_docs == n);
        EXPECT(l.total == total);
        EXPECT(ng_fmt__verify(&l.f) == NG_OK);
        for (i = 0; i < n; i++)
            if (ng_lens__get(&l, i) != v[i] || ng_lens__date(&l, i) != dates[i]) ok = 0;
        EXPECT(ok);
        EXPECT(ng_lens__get(&l, n) == 1); /* out of range: 1 */
        EXPECT(ng_lens__get(&l, UINT32_MAX) == 1);
        ng_lens__close(&l);
        free(v);
        free(dates);
    }
}

static void test_tombstones(void)
{
    static const uint32_t ns[] = {0, 1, 7, 8, 9, 1000};
    uint64_t seed = 31;
    size_t c;
    for (c = 0; c < NG_ARRAY_LEN(ns); c++) {
        uint32_t n = ns[c], i, dels = 0;
        size_t nb = ((size_t)n + 7) / 8;
        uint8_t *bits = calloc(nb + 1, 1), *got = NULL;
        char name[32];
        for (i = 0; i < n; i++)
            if (rndn(&seed, 3) == 0 || i == n - 1) {
                bits[i >> 3] |= (uint8_t)(1u << (i & 7));
                dels++;
            }
        snprintf(name, sizeof name, "seg-000001.del-%zu", c + 1);
        CTX("tombstones n=%u", n);
        EXPECT(ng_del__write(tpath(name), bits, n) == NG_OK);
        EXPECT(ng_del__read(&got, tpath(name), n) == NG_OK);
        EXPECT(got != NULL);
        if (got) EXPECT(nb == 0 || memcmp(got, bits, nb) == 0);
        free(got);
        got = NULL;
        {
            ng_file f;
            EXPECT(ng_fmt__open(&f, tpath(name), NG_FK_DEL) == NG_OK);
            EXPECT(f.meta_len == 8 && ng__get_u32(f.meta) == n && ng__get_u32(f.meta + 4) == dels);
            ng_fmt__close(&f);
        }
        /* a different document count is refused */
        EXPECT(ng_del__read(&got, tpath(name), n + 1) == NG_ECORRUPT);
        EXPECT(got == NULL);
        if (n > 0) EXPECT(ng_del__read(&got, tpath(name), n - 1) == NG_ECORRUPT);
        free(got);
        free(bits);
    }
    {
        uint8_t *got = (uint8_t *)1;
        CTX("tombstones missing");
        EXPECT(ng_del__read(&got, tpath("nonexistent.del-1"), 3) == NG_ENOTFOUND);
        EXPECT(got == NULL);
    }
}

static int seg_eq(const ng_seg_meta *a, const ng_seg_meta *b)
{
    return a->id == b->id && a->n_docs == b->n_docs && a->n_deleted == b->n_deleted && a->del_gen == b->del_gen &&
           a->live_tokens == b->live_tokens && a->n_terms == b->n_terms;
}

static void test_manifest(void)
{
    ng_manifest m, r, c;
    ng_seg_meta segs[5];
    const char *dir = tpath("idx");
    uint32_t i;
    struct stat st;
    CTX("manifest");
    mkdir(dir, 0755);
    EXPECT(ng_manifest__read(&r, dir) == NG_ENOTFOUND);
    memset(&m, 0, sizeof m);
    m.generation = 0x123456789abcull;
    m.next_seg_id = 1000;
    strcpy(m.lang, "english");
    for (i = 0; i < 5; i++) {
        segs[i].id = i * 7 + 1;
        segs[i].n_docs = 1000 * (i + 1);
        segs[i].n_deleted = i * 3;
        segs[i].del_gen = i;
        segs[i].live_tokens = 0x100000000ull * i + 17;
        segs[i].n_terms = 0xfedcba9876ull + i;
    }
    m.segs = segs;
    m.n_segs = 5;
    EXPECT(ng_manifest__write(&m, dir) == NG_OK);
    EXPECT(stat(tpath("idx/MANIFEST.tmp"), &st) != 0); /* no temp file left */
    EXPECT(ng_manifest__read(&r, dir) == NG_OK);
    EXPECT(r.generation == m.generation && r.next_seg_id == m.next_seg_id);
    EXPECT(strcmp(r.lang, "english") == 0);
    EXPECT(r.n_segs == 5);
    if (r.n_segs == 5)
        for (i = 0; i < 5; i++) EXPECT(seg_eq(&r.segs[i], &segs[i]));
    EXPECT(ng_manifest__copy(&c, &r) == NG_OK);
    EXPECT(c.n_segs == 5 && c.segs != r.segs && c.segs && seg_eq(&c.segs[4], &segs[4]));
    ng_manifest__free(&c);
    ng_manifest__free(&r);
    /* replace: no segments, longest language name */
    m.generation++;
    m.n_segs = 0;
    memset(m.lang, 'x', 31);
    m.lang[31] = '\0';
    EXPECT(ng_manifest__write(&m, dir) == NG_OK);
    EXPECT(ng_manifest__read(&r, dir) == NG_OK);
    EXPECT(r.generation == m.generation && r.n_segs == 0 && strlen(r.lang) == 31);
    ng_manifest__free(&r);
    /* inconsistent entries are refused on read */
    m.segs = segs;
    m.n_segs = 2;
    m.lang[0] = '\0';
    segs[1].id = m.next_seg_id; /* not below next_seg_id */
    EXPECT(ng_manifest__write(&m, dir) == NG_OK);
    EXPECT(ng_manifest__read(&r, dir) == NG_ECORRUPT);
    EXPECT(r.segs == NULL && r.n_segs == 0);
    segs[1].id = 8;
    segs[1].n_deleted = segs[1].n_docs + 1; /* more deleted than docs */
    EXPECT(ng_manifest__write(&m, dir) == NG_OK);
    EXPECT(ng_manifest__read(&r, dir) == NG_ECORRUPT);
    segs[1].n_deleted = 0;
    EXPECT(ng_manifest__write(&m, dir) == NG_OK);
    EXPECT(ng_manifest__read(&r, dir) == NG_OK);
    EXPECT(r.n_segs == 2 && r.lang[0] == '\0');
    ng_manifest__free(&r);
}

static void test_seg_path(void)
{
    ng_buf b = NG_BUF_INIT;
    CTX("seg path");
    EXPECT(ng_fmt__seg_path(&b, "/x", 12, NG_FK_PST, 0) == NG_OK && strcmp(b.ptr, "/x/seg-000012.pst") == 0);
    EXPECT(ng_fmt__seg_path(&b, "/x", 3, NG_FK_DEL, 4) == NG_OK && strcmp(b.ptr, "/x/seg-000003.del-4") == 0);
    EXPECT(ng_fmt__seg_path(&b, "d", 1234567, NG_FK_TDI, 0) == NG_OK && strcmp(b.ptr, "d/seg-1234567.tdi") == 0);
    ng_buf_dispose(&b);
}

/* ------------------------------------------------------------------ */
/* 7. Corruption                                                       */
/* ------------------------------------------------------------------ */

/* The small valid files that get damaged. */
static tstr c_terms[40];
static ng_term_info c_ti[40];
static pcase c_post[3];
static sdoc c_docs[12];
static uint32_t c_lens[20];
static uint8_t c_del[3] = {0x5a, 0x81, 0x01};

/* Open a (possibly damaged) file of each kind, exercise its decoders
** (must not crash), and return the status of open or else verify. */
static int use_tdi(const char *path)
{
    ng_dict d;
    ng_dict_iter it;
    ng_term_info ti;
    size_t i;
    int rc = ng_dict__open(&d, path);
    if (rc) return rc;
    if (ng_dict__iter_seek(&it, &d, "", 0) == NG_OK)
        for (i = 0; i < 100000 && ng_dict__iter_next(&it) == NG_OK; i++) {}
    for (i = 0; i < NG_ARRAY_LEN(c_terms); i++) (void)ng_dict__lookup(&d, c_terms[i].s, c_terms[i].n, &ti);
    (void)ng_dict__lookup(&d, "zzz", 3, &ti);
    rc = ng_fmt__verify(&d.f);
    ng_dict__close(&d);
    return rc;
}

/* Decode a term defensively (its bytes copied to exact-size heap buffers so
** ASan catches any over-read).  Returns the first error, or NG_OK. */
static int hostile_decode(const ng_file *pf, const uint8_t *pst, size_t pst_len, const ng_file *xf, const uint8_t *pos,
                          size_t pos_len, uint32_t df)
{
    uint8_t *a = malloc(pst_len ? pst_len : 1), *b = malloc(pos_len ? pos_len : 1);
    ng_post_dec d;
    uint64_t prev = 0;
    int first = 1, rc;
    uint32_t blocks = 0;
    if (pst_len) memcpy(a, pst, pst_len);
    if (pos_len) memcpy(b, pos, pos_len);
    rc = ng_post__dec_open(&d, pf, a, pst_len, xf, b, pos_len, df);
    while (rc == NG_OK && blocks++ < 100000) {
        uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], i;
        uint64_t sum = 0;
        rc = ng_post__dec_next_block(&d);
        if (rc) break;
        EXPECT(d.cur.n >= 1 && d.cur.n <= NG_FMT_BLOCK);
        if (d.cur.n < 1 || d.cur.n > NG_FMT_BLOCK) break;
        rc = ng_post__dec_docs(&d, docs, tfs);
        if (rc) break;
        for (i = 0; i < d.cur.n; i++) {
            /* what the decoder returns as valid must be valid */
            EXPECT(first || docs[i] > prev);
            EXPECT(docs[i] < NG_FMT_DOCID_END && tfs[i] >= 1);
            prev = docs[i];
            first = 0;
            sum += tfs[i];
        }
        EXPECT(d.cur.last_doc == docs[d.cur.n - 1]);
        if (sum <= (1u << 20)) {
            uint32_t *out = malloc((size_t)(sum ? sum : 1) * sizeof *out), j, k = 0;
            rc = ng_post__dec_positions(&d, tfs, out, (size_t)sum);
            if (rc == NG_OK) {
                int incr = 1;
                for (i = 0; i < d.cur.n; i++)
                    for (j = 0; j < tfs[i]; j++, k++)
                        if (j > 0 && out[k] <= out[k - 1]) incr = 0;
                EXPECT(incr);
            }
            free(out);
        }
    }
    if (rc == NG_ITEROVER) rc = NG_OK;
    free(a);
    free(b);
    return rc;
}

static int use_postings(const char *pst_path, const char *pos_path, int verify_which)
{
    ng_file pf, xf;
    size_t t;
    int rc = ng_fmt__open(&pf, pst_path, NG_FK_PST);
    if (rc) return rc;
    if ((rc = ng_fmt__open(&xf, pos_path, NG_FK_POS)) != NG_OK) {
        ng_fmt__close(&pf);
        return rc;
    }
    for (t = 0; t < NG_ARRAY_LEN(c_post); t++) {
        const pcase *c = &c_post[t];
        if (c->pst_off + c->pst_len > pf.body_len || c->pos_off + c->pos_len > xf.body_len) continue;
        (void)hostile_decode(&pf, pf.body + c->pst_off, c->pst_len, &xf, xf.body + c->pos_off, c->pos_len, c->n);
    }
    rc = ng_fmt__verify(verify_which ? &xf : &pf);
    ng_fmt__close(&pf);
    ng_fmt__close(&xf);
    return rc;
}
static int use_pst(const char *path) { return use_postings(path, tpath("corr/ok.pos"), 0); }
static int use_pos(const char *path) { return use_postings(tpath("corr/ok.pst"), path, 1); }

static int use_len(const char *path)
{
    ng_lens l;
    uint32_t i, acc = 0;
    int rc = ng_lens__open(&l, path);
    if (rc) return rc;
    for (i = 0; i <= l.n_docs && i < 100; i++) acc += ng_lens__get(&l, i);
    (void)acc;
    rc = ng_fmt__verify(&l.f);
    ng_lens__close(&l);
    return rc;
}

static int use_doc(const char *path)
{
    ng_store s;
    ng_buf scratch = NG_BUF_INIT;
    ng_field_ref fr[NG_FIELD_COUNT];
    uint32_t i, got;
    int rc = ng_store__open(&s, path);
    if (rc) return rc;
    for (i = 0; i < s.n_docs && i < 64; i++) (void)ng_store__get(&s, i, &scratch, fr);
    for (i = 0; i < NG_ARRAY_LEN(c_docs); i++) (void)ng_store__find(&s, c_docs[i].f[0], c_docs[i].n[0], &got);
    (void)ng_store__find(&s, "nope", 4, &got);
    rc = ng_fmt__verify(&s.f);
    ng_store__close(&s);
    ng_buf_dispose(&scratch);
    return rc;
}

static int use_manifest(const char *path)
{
    ng_manifest m;
    char dir[4400];
    int rc;
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    rc = ng_manifest__read(&m, dir);
    if (rc == NG_OK) ng_manifest__free(&m);
    return rc;
}

static int use_del(const char *path)
{
    uint8_t *bits = NULL;
    int rc = ng_del__read(&bits, path, 20);
    free(bits);
    return rc;
}

typedef struct corr_kind {
    const char *name;   /* file under corr/ */
    int (*use)(const char *path);
} corr_kind;

static const corr_kind c_kinds[] = {
    {"ok.tdi", use_tdi}, {"ok.pst", use_pst}, {"ok.pos", use_pos},           {"ok.len", use_len},
    {"ok.doc", use_doc}, {"man/MANIFEST", use_manifest}, {"ok.del-1", use_del},
};

static int corr_init(void)
{
    uint64_t seed = 4242;
    ng_fwriter fw;
    ng_dict_enc e;
    ng_manifest m;
    ng_seg_meta segs[2] = {{1, 20, 2, 1, 300, 40}, {4, 9, 0, 0, 77, 12}};
    size_t i, j, nt = 0;
    char dir[4400];
    if (ng_test_tmpdir_init()) return -1;
    snprintf(dir, sizeof dir, "%s/corr", ng_test_tmpdir);
    if (mkdir(dir, 0755)) return -1;
    snprintf(dir, sizeof dir, "%s/corr/man", ng_test_tmpdir);
    if (mkdir(dir, 0755)) return -1;
    /* tdi: 40 terms (two blocks) */
    while (nt < NG_ARRAY_LEN(c_terms)) {
        rand_term(&c_terms[nt], &seed);
        if (c_terms[nt].n > 12) continue;
        for (j = 0; j < nt; j++)
            if (cmp_tstr(&c_terms[j], &c_terms[nt]) == 0) break;
        if (j == nt) nt++;
    }
    qsort(c_terms, nt, sizeof *c_terms, cmp_tstr);
    for (i = 0; i < nt; i++) {
        ng_term_info t = {1 + (uint32_t)i, 2 + i * 3, i * 100, 50, i * 70, 30};
        c_ti[i] = t;
    }
    if (ng_fmt__fw_open(&fw, tpath("corr/ok.tdi"), NG_FK_TDI)) return -1;
    ng_dict__enc_init(&e, &fw);
    for (i = 0; i < nt; i++)
        if (ng_dict__enc_add(&e, c_terms[i].s, c_terms[i].n, &c_ti[i])) return -1;
    if (ng_dict__enc_finish(&e)) return -1;
    ng_dict__enc_free(&e);
    /* pst/pos: a 1-doc term, a single-block term, a two-block term */
    pcase_make(&c_post[0], 1, 3, GAP_SMALL, 3, &seed);
    pcase_make(&c_post[1], 20, 0, GAP_SMALL, 130, &seed);
    pcase_make(&c_post[2], 150, 1, GAP_SMALL, 3, &seed);
    if (encode_terms(c_post, 3, tpath("corr/ok.pst"), tpath("corr/ok.pos"))) return -1;
    /* len */
    for (i = 0; i < NG_ARRAY_LEN(c_lens); i++) c_lens[i] = (uint32_t)(i * 13 + 1);
    if (ng_lens__write(tpath("corr/ok.len"), c_lens, (const int32_t *)c_lens, NG_ARRAY_LEN(c_lens))) return -1;
    /* doc */
    sdocs_make(c_docs, NG_ARRAY_LEN(c_docs), &seed);
    if (store_write(tpath("corr/ok.doc"), c_docs, NG_ARRAY_LEN(c_docs))) return -1;
    /* manifest */
    memset(&m, 0, sizeof m);
    m.generation = 9;
    m.next_seg_id = 5;
    strcpy(m.lang, "german");
    m.segs = segs;
    m.n_segs = 2;
    if (ng_manifest__write(&m, dir)) return -1;
    /* del: 20 docs */
    if (ng_del__write(tpath("corr/ok.del-1"), c_del, 20)) return -1;
    return 0;
}

static int corr_clean(void)
{
    size_t i;
    for (i = 0; i < NG_ARRAY_LEN(c_post); i++) pcase_free(&c_post[i]);
    sdocs_free(c_docs, NG_ARRAY_LEN(c_docs));
    return ng_test_tmpdir_clean();
}

static const char *cpath(const char *name)
{
    static char buf[4400];
    snprintf(buf, sizeof buf, "%s/corr/%s", ng_test_tmpdir, name);
    return buf;
}

/* Target path for a damaged copy: same directory layout (the manifest
** reader wants dir/MANIFEST). */
static const char *damaged_path(const corr_kind *k)
{
    static char buf[4400];
    if (k->use == use_manifest) {
        snprintf(buf, sizeof buf, "%s/corr/bad", ng_test_tmpdir);
        mkdir(buf, 0755);
        snprintf(buf, sizeof buf, "%s/corr/bad/MANIFEST", ng_test_tmpdir);
    } else {
        snprintf(buf, sizeof buf, "%s/corr/bad-%s", ng_test_tmpdir, k->name);
    }
    return buf;
}

static void test_corr_valid(void)
{
    size_t k;
    for (k = 0; k < NG_ARRAY_LEN(c_kinds); k++) {
        CTX("valid %s", c_kinds[k].name);
        EXPECT(c_kinds[k].use(cpath(c_kinds[k].name)) == NG_OK);
    }
}

static void test_corr_flips(void)
{
    static const uint8_t masks[] = {0xff, 0x01, 0x80};
    size_t k;
    for (k = 0; k < NG_ARRAY_LEN(c_kinds); k++) {
        const corr_kind *ck = &c_kinds[k];
        const char *bad = damaged_path(ck);
        char badcopy[4400];
        size_t n, i, step, m;
        uint8_t *orig = slurp(cpath(ck->name), &n), *buf;
        unsigned n_ok = 0, n_wrong = 0, tried = 0;
        snprintf(badcopy, sizeof badcopy, "%s", bad);
        CTX("flip %s: read", ck->name);
        EXPECT(orig != NULL && n >= NG_FMT_HEADER_SIZE + NG_FMT_FOOTER_SIZE);
        if (!orig) continue;
        buf = malloc(n);
        step = n > 4096 ? 7 : 1;
        for (i = 0; i < n; i += step) {
            for (m = 0; m < NG_ARRAY_LEN(masks); m++) {
                int rc;
                memcpy(buf, orig, n);
                buf[i] ^= masks[m];
                if (spit(badcopy, buf, n)) continue;
                rc = ck->use(badcopy);
                tried++;
                if (rc == NG_OK) n_ok++;
                else if (i >= 8 && i < 12 ? rc != NG_EVERSION : rc != NG_ECORRUPT) {
                    n_wrong++;
                    CTX("flip %s byte %zu ^%02x: rc %d (%s)", ck->name, i, masks[m], rc,
                        ng_error_last()->message);
                    EXPECT(rc == NG_ECORRUPT || rc == NG_EVERSION);
                }
            }
        }
        CTX("flip %s: %u flips accepted of %u", ck->name, n_ok, tried);
        EXPECT(n_ok == 0);
        EXPECT(n_wrong == 0);
        EXPECT(tried > 0);
        free(buf);
        free(orig);
    }
}

static void test_corr_truncate(void)
{
    size_t k;
    for (k = 0; k < NG_ARRAY_LEN(c_kinds); k++) {
        const corr_kind *ck = &c_kinds[k];
        char badcopy[4400];
        size_t n, t;
        uint8_t *orig = slurp(cpath(ck->name), &n);
        size_t cuts[16];
        snprintf(badcopy, sizeof badcopy, "%s", damaged_path(ck));
        if (!orig) {
            CU_FAIL("cannot read file");
            continue;
        }
        cuts[0] = 0, cuts[1] = 1, cuts[2] = 8, cuts[3] = 15, cuts[4] = 16, cuts[5] = 17, cuts[6] = 39,
        cuts[7] = 40, cuts[8] = n / 2, cuts[9] = n - 1, cuts[10] = n - 4, cuts[11] = n - 8, cuts[12] = n - 24,
        cuts[13] = n - 25, cuts[14] = n / 3, cuts[15] = n - 2;
        for (t = 0; t < NG_ARRAY_LEN(cuts); t++) {
            int rc;
            if (cuts[t] >= n) continue;
            if (spit(badcopy, orig, cuts[t])) continue;
            rc = ck->use(badcopy);
            CTX("truncate %s to %zu of %zu: rc %d", ck->name, cuts[t], n, rc);
            EXPECT(rc == NG_ECORRUPT);
        }
        /* appended garbage: the footer is no longer at the end */
        {
            uint8_t *big = malloc(n + 5);
            int rc;
            memcpy(big, orig, n);
            memcpy(big + n, "\0\0\0\0\0", 5);
            spit(badcopy, big, n + 5);
            rc = ck->use(badcopy);
            CTX("append to %s: rc %d", ck->name, rc);
            EXPECT(rc == NG_ECORRUPT);
            free(big);
        }
        free(orig);
    }
}

static void test_corr_header(void)
{
    size_t n;
    uint8_t *pst = slurp(tpath("corr/ok.pst"), &n), *buf;
    ng_file f;
    const char *p = tpath("corr/hdr.pst");
    CTX("header checks");
    if (!pst) {
        CU_FAIL("cannot read ok.pst");
        return;
    }
    /* wrong kind */
    EXPECT(ng_fmt__open(&f, tpath("corr/ok.pst"), NG_FK_TDI) == NG_ECORRUPT);
    EXPECT(msg_has("wrong file kind"));
    EXPECT(ng_fmt__open(&f, tpath("corr/ok.pst"), NG_FK_POS) == NG_ECORRUPT);
    EXPECT(msg_has("wrong file kind"));
    {
        ng_dict d;
        ng_store s;
        ng_lens l;
        EXPECT(ng_dict__open(&d, tpath("corr/ok.pst")) == NG_ECORRUPT && msg_has("wrong file kind"));
        EXPECT(ng_store__open(&s, tpath("corr/ok.tdi")) == NG_ECORRUPT && msg_has("wrong file kind"));
        EXPECT(ng_lens__open(&l, tpath("corr/ok.doc")) == NG_ECORRUPT && msg_has("wrong file kind"));
    }
    buf = malloc(n);
    /* a future version */
    memcpy(buf, pst, n);
    ng__set_u32(buf + 8, 99);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_EVERSION);
    EXPECT(msg_has("version 99"));
    /* version 0 */
    ng__set_u32(buf + 8, 0);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_EVERSION);
    /* reserved flags */
    memcpy(buf, pst, n);
    ng__set_u32(buf + 12, 0x80000000u);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_ECORRUPT);
    EXPECT(msg_has("file of segment 2147483648"));
    /* a file of another segment (right CRCs, wrong name) */
    memcpy(buf, pst, n);
    spit(tpath("corr/seg-000007.pst"), buf, n);
    EXPECT(ng_fmt__open(&f, tpath("corr/seg-000007.pst"), NG_FK_PST) == NG_ECORRUPT);
    EXPECT(msg_has("seg-000007.pst") && msg_has("file of segment 0"));
    /* not a newsgrep file */
    memcpy(buf, pst, n);
    memcpy(buf, "PK\3\4", 4);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_ECORRUPT);
    EXPECT(msg_has("bad magic"));
    /* meta out of bounds: meta_off past the footer (CRC-free meta of 8 bytes moved) */
    memcpy(buf, pst, n);
    ng__set_u64(buf + n - NG_FMT_FOOTER_SIZE, n);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_ECORRUPT);
    EXPECT(msg_has("out of bounds"));
    memcpy(buf, pst, n);
    ng__set_u64(buf + n - NG_FMT_FOOTER_SIZE, 3);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_ECORRUPT);
    memcpy(buf, pst, n);
    ng__set_u32(buf + n - NG_FMT_FOOTER_SIZE + 8, 0xffffffffu);
    spit(p, buf, n);
    EXPECT(ng_fmt__open(&f, p, NG_FK_PST) == NG_ECORRUPT);
    /* a missing file is not corruption */
    EXPECT(ng_fmt__open(&f, tpath("corr/none.pst"), NG_FK_PST) == NG_ENOTFOUND);
    /* a directory is not a file */
    EXPECT(ng_fmt__open(&f, tpath("corr"), NG_FK_PST) != NG_OK);
    free(buf);
    free(pst);
}

/* ------------------------------------------------------------------ */
/* 8. Hostile postings                                                 */
/* ------------------------------------------------------------------ */

static void test_hostile_random(void)
{
    uint64_t seed = 0xbadc0de;
    ng_file pf, xf;
    unsigned iter, n_ok = 0;
    CTX("hostile: open wrappers");
    EXPECT(ng_fmt__open(&pf, tpath("corr/ok.pst"), NG_FK_PST) == NG_OK);
    EXPECT(ng_fmt__open(&xf, tpath("corr/ok.pos"), NG_FK_POS) == NG_OK);
    for (iter = 0; iter < 30000; iter++) {
        uint8_t a[600], b[600];
        size_t la = rndn(&seed, 600), lb = rndn(&seed, 600), i;
        uint32_t df;
        int rc;
        for (i = 0; i < la; i++) a[i] = (uint8_t)rnd32(&seed);
        for (i = 0; i < lb; i++) b[i] = (uint8_t)rnd32(&seed);
        /* make a plausible header often: the right block count for df */
        switch (rndn(&seed, 4)) {
        case 0: df = rnd32(&seed); break;
        case 1: df = 1 + rndn(&seed, 128); if (la) a[0] = 1; break;
        case 2: df = 129 + rndn(&seed, 300); if (la) a[0] = (uint8_t)((df + 127) / 128); break;
        default: df = 0xffffff80u + rndn(&seed, 128); break;
        }
        CTX("hostile random iter %u df %u", iter, df);
        rc = hostile_decode(&pf, a, la, &xf, b, lb, df);
        EXPECT(rc == NG_OK || rc == NG_ECORRUPT);
        if (rc == NG_OK) n_ok++;
    }
    (void)n_ok;
    ng_fmt__close(&pf);
    ng_fmt__close(&xf);
}

static void test_hostile_mutated(void)
{
    uint64_t seed = 0x5eed;
    ng_file pf, xf;
    size_t t;
    unsigned iter;
    CTX("hostile mutated: open");
    EXPECT(ng_fmt__open(&pf, tpath("corr/ok.pst"), NG_FK_PST) == NG_OK);
    EXPECT(ng_fmt__open(&xf, tpath("corr/ok.pos"), NG_FK_POS) == NG_OK);
    for (t = 0; t < NG_ARRAY_LEN(c_post); t++) {
        const pcase *c = &c_post[t];
        uint8_t *a = malloc(c->pst_len + 8), *b = malloc(c->pos_len + 8);
        CTX("hostile mutated term %zu: valid", t);
        EXPECT(hostile_decode(&pf, pf.body + c->pst_off, c->pst_len, &xf, xf.body + c->pos_off, c->pos_len, c->n) ==
               NG_OK);
        for (iter = 0; iter < 6000; iter++) {
            size_t la = c->pst_len, lb = c->pos_len, k, nm = 1 + rndn(&seed, 3);
            uint32_t df = c->n;
            int rc;
            memcpy(a, pf.body + c->pst_off, la);
            memcpy(b, xf.body + c->pos_off, lb);
            for (k = 0; k < nm; k++) {
                switch (rndn(&seed, 6)) {
                case 0: if (la) a[rndn(&seed, (uint32_t)la)] ^= (uint8_t)(1u << rndn(&seed, 8)); break;
                case 1: if (la) a[rndn(&seed, (uint32_t)la)] = (uint8_t)rnd32(&seed); break;
                case 2: if (lb) b[rndn(&seed, (uint32_t)lb)] ^= (uint8_t)(1u << rndn(&seed, 8)); break;
                case 3: la = rndn(&seed, (uint32_t)la + 1); break;
                case 4: lb = rndn(&seed, (uint32_t)lb + 1); break;
                default: df = rndn(&seed, 2) ? df + 1 : (df > 1 ? df - 1 : df); break;
                }
            }
            CTX("hostile mutated term %zu iter %u", t, iter);
            rc = hostile_decode(&pf, a, la, &xf, b, lb, df);
            EXPECT(rc == NG_OK || rc == NG_ECORRUPT);
        }
        free(a);
        free(b);
    }
    ng_fmt__close(&pf);
    ng_fmt__close(&xf);
}

/* ------------------------------------------------------------------ */
/* 9. Damage to a whole index, seen through the read path              */
/* ------------------------------------------------------------------ */

/*
** A real index (two segments, a tombstone, long and short postings,
** several dictionary and store blocks) is damaged one file at a time:
** every byte flipped (sampled in large files), truncated at many offsets,
** and the files of the two segments swapped.  Each damaged index is opened,
** every term is read through the query cursors and every document fetched
** (walk_index.h), then ng_index_check() runs.  The oracle is the digest of
** the undamaged index: the read path must fail with NG_ECORRUPT (or
** NG_EVERSION) naming a file, or return exactly the undamaged answers; and
** check must fail whenever the bytes differ.
*/
static char ix_good[4400], ix_bad[4400];
static char ix_msg[1024]; /* the read path's error message */
static uint64_t ix_digest, ix_digest_nodocs; /* walks of the undamaged index */
static unsigned ix_flips, ix_detected_read, ix_detected_check, ix_unprotected;

/* Every file kind is now verified on the read path (the .len file whole at
** open), so no file is exempt; kept as a hook for a future file kind. */
static int ix_unprotected_file(const char *name)
{
    (void)name;
    return 0;
}

static void ix_doc(ng_writer *w, const char *id, const char *title, const char *body)
{
    ng_document d;
    memset(&d, 0, sizeof d);
    d.id = id, d.id_len = (size_t)-1;
    d.title = title, d.title_len = (size_t)-1;
    d.date = "2022-02-01", d.date_len = (size_t)-1;
    d.body = body, d.body_len = (size_t)-1;
    if (ng_writer_add(w, &d) != NG_OK) fprintf(stderr, "ix_doc: %s\n", ng_error_last()->message);
}

static int ix_build(void)
{
    static const char *const words[] = {"war", "peace", "talks", "troops", "border", "minister", "summit", "sanctions",
                                        "gas", "pipeline", "treaty", "embassy", "missile", "drone", "grain", "port"};
    ng_writer_options o = NG_WRITER_OPTIONS_INIT;
    ng_writer *w = NULL;
    char id[32], title[64], *body = malloc(40000);
    uint64_t seed = 77;
    int i, j;
    snprintf(ix_good, sizeof ix_good, "%s/ixgood", ng_test_tmpdir);
    snprintf(ix_bad, sizeof ix_bad, "%s/ixbad", ng_test_tmpdir);
    o.language = "english";
    /* segment 1: 150 documents (peace in all: a two-block term), 150 rare
       words (several dictionary blocks), one long document (store blocks) */
    if (ng_writer_open(&w, ix_good, &o) != NG_OK) return -1;
    for (i = 0; i < 150; i++) {
        size_t n = 0;
        snprintf(id, sizeof id, "d%03d", i);
        snprintf(title, sizeof title, "Note %d", i);
        n += (size_t)sprintf(body + n, "rare%dx peace", i);
        for (j = 0; j < 3 + i % 5; j++) n += (size_t)sprintf(body + n, " %s", words[rndn(&seed, 16)]);
        if (i % 3 == 0) n += (size_t)sprintf(body + n, " peace talks resumed.");
        if (i == 100)
            while (n < 20000) n += (size_t)sprintf(body + n, " %s", words[rndn(&seed, 16)]);
        ix_doc(w, id, title, body);
    }
    if (ng_writer_commit(w) != NG_OK) return -1;
    ng_writer_free(w);
    /* segment 2: replaces d005 and deletes d007 (tombstones in segment 1) */
    if (ng_writer_open(&w, ix_good, &o) != NG_OK) return -1;
    for (i = 0; i < 20; i++) {
        snprintf(id, sizeof id, i == 0 ? "d005" : "e%03d", i);
        snprintf(title, sizeof title, "Second %d", i);
        snprintf(body, 40000, "peace summit %s %s again", words[i % 16], words[(i * 7) % 16]);
        ix_doc(w, id, title, body);
    }
    if (ng_writer_delete(w, "d007", 4) != NG_OK) return -1;
    if (ng_writer_commit(w) != NG_OK) return -1;
    ng_writer_free(w);
    free(body);
    return 0;
}

/* The index files: MANIFEST and seg-* (not LOCK). */
static size_t ix_files(char names[][64], size_t cap)
{
    DIR *d = opendir(ix_good);
    struct dirent *e;
    size_t n = 0;
    if (!d) return 0;
    while ((e = readdir(d)) != NULL && n < cap)
        if (strcmp(e->d_name, "MANIFEST") == 0 || strncmp(e->d_name, "seg-", 4) == 0)
            snprintf(names[n++], 64, "%.63s", e->d_name);
    closedir(d);
    return n;
}

static void ix_copy(const char *name)
{
    char a[4500], b[4500];
    size_t n;
    uint8_t *p;
    snprintf(a, sizeof a, "%s/%s", ix_good, name);
    snprintf(b, sizeof b, "%s/%s", ix_bad, name);
    p = slurp(a, &n);
    spit(b, p, n);
    free(p);
}

/* Open, walk and check ix_bad.  *digest_ok: the walk gave the undamaged
** digest.  Returns the read path's status; *check_rc gets check's. */
static int ix_try(int *digest_ok, int *check_rc, int docs)
{
    ng_index *ix = NULL;
    ng_walk w = {0xcbf29ce484222325ull, 0, 0, 0};
    int rc = ng_index_open(&ix, ix_bad);
    *digest_ok = 0;
    *check_rc = rc;
    snprintf(ix_msg, sizeof ix_msg, "%.1000s", ng_error_last()->message);
    if (rc) return rc;
    w.skip_docs = !docs;
    rc = walk_index(&w, ix);
    *digest_ok = rc == NG_OK && w.h == (docs ? ix_digest : ix_digest_nodocs);
    snprintf(ix_msg, sizeof ix_msg, "%.1000s", ng_error_last()->message);
    *check_rc = ng_index_check(ix);
    ng_index_free(ix);
    return rc;
}

static int ix_init(void)
{
    char names[64][64];
    size_t n, i;
    ng_index *ix = NULL;
    ng_walk w = {0xcbf29ce484222325ull, 0, 0, 0}, wn = {0xcbf29ce484222325ull, 0, 0, 1};
    if (ng_test_tmpdir_init() || ix_build() || ng_index_open(&ix, ix_good) != NG_OK) {
        fprintf(stderr, "ix_init: %s\n", ng_error_last()->message);
        return -1;
    }
    if (walk_index(&w, ix) != NG_OK || walk_index(&wn, ix) != NG_OK || ng_index_check(ix) != NG_OK) {
        fprintf(stderr, "ix_init: %s\n", ng_error_last()->message);
        ng_index_free(ix);
        return -1;
    }
    ix_digest = w.h;
    ix_digest_nodocs = wn.h;
    ng_index_free(ix);
    mkdir(ix_bad, 0755);
    n = ix_files(names, 64);
    for (i = 0; i < n; i++) ix_copy(names[i]);
    return 0;
}

/* Damaged file `name` (already in ix_bad): apply the oracle. */
static void ix_judge(const char *name, const char *what, int must_fail_read)
{
    /* stored documents are read only when the store (or the manifest
       that maps it) is the damaged file: they cost most of the walk */
    int docs = strstr(name, ".doc") != NULL || strcmp(name, "MANIFEST") == 0;
    int digest_ok, check_rc, rc = ix_try(&digest_ok, &check_rc, docs);
    const char *msg = ix_msg;
    ix_flips++;
    if (rc == NG_OK) {
        if (!digest_ok && !must_fail_read && ix_unprotected_file(name)) {
            ix_unprotected++;
        } else {
            CTX("%s %s: wrong answers from a damaged index, rc 0", name, what);
            EXPECT(digest_ok && !must_fail_read);
        }
        CTX("%s %s: check passed", name, what);
        EXPECT(check_rc == NG_ECORRUPT || check_rc == NG_EVERSION);
        if (check_rc == NG_ECORRUPT || check_rc == NG_EVERSION) ix_detected_check++;
        return;
    }
    ix_detected_read++;
    ix_detected_check++;
    CTX("%s %s: rc %d (%.150s)", name, what, rc, msg);
    EXPECT(rc == NG_ECORRUPT || rc == NG_EVERSION);
    /* the message names the damaged file, or for MANIFEST the segment
       whose counts it no longer matches */
    EXPECT(strstr(msg, name) != NULL || (strcmp(name, "MANIFEST") == 0 && strstr(msg, "seg-") != NULL));
}

static void test_ix_flips(void)
{
    char names[64][64];
    size_t nf = ix_files(names, 64), k;
    uint64_t seed = 4242;
    CTX("index files");
    EXPECT(nf >= 12); /* MANIFEST, 2 x 5 files, a tombstone file */
    for (k = 0; k < nf; k++) {
        char path[4500];
        size_t n, i, stride;
        uint8_t *orig, *buf;
        snprintf(path, sizeof path, "%s/%s", ix_good, names[k]);
        orig = slurp(path, &n);
        if (!orig) continue;
        buf = malloc(n);
        snprintf(path, sizeof path, "%s/%s", ix_bad, names[k]);
        /* every byte of small files; about 500 spread samples of large ones */
        stride = n <= 1000 ? 1 : n / 500;
        for (i = 0; i < n; i += stride) {
            size_t at = stride == 1 ? i : i + rndn(&seed, (uint32_t)stride);
            char what[64];
            if (at >= n) break;
            memcpy(buf, orig, n);
            buf[at] ^= (uint8_t)(1u << rndn(&seed, 8));
            spit(path, buf, n);
            snprintf(what, sizeof what, "byte %zu flipped", at);
            ix_judge(names[k], what, 0);
        }
        spit(path, orig, n);
        free(buf);
        free(orig);
    }
    fprintf(stderr, "\n    %u damaged indexes: %u caught by open/search, %u by check, %u silent in .len ", ix_flips,
            ix_detected_read, ix_detected_check, ix_unprotected);
}

static void test_ix_truncate(void)
{
    char names[64][64];
    size_t nf = ix_files(names, 64), k;
    for (k = 0; k < nf; k++) {
        char path[4500];
        size_t n, t;
        uint8_t *orig;
        snprintf(path, sizeof path, "%s/%s", ix_good, names[k]);
        orig = slurp(path, &n);
        if (!orig) continue;
        snprintf(path, sizeof path, "%s/%s", ix_bad, names[k]);
        for (t = 0; t < n; t += (t < 48 ? 1 : n / 40 + 1)) {
            char what[64];
            spit(path, orig, t);
            snprintf(what, sizeof what, "truncated to %zu", t);
            ix_judge(names[k], what, 1);
        }
        spit(path, orig, n);
        free(orig);
    }
}

static void test_ix_swap(void)
{
    static const char *const ext[] = {"tdi", "pst", "pos", "len", "doc"};
    size_t k;
    for (k = 0; k < NG_ARRAY_LEN(ext); k++) {
        char a[64], b[64], pa[4500], pb[4500];
        size_t na, nb;
        uint8_t *da, *db;
        snprintf(a, sizeof a, "seg-000001.%s", ext[k]);
        snprintf(b, sizeof b, "seg-000002.%s", ext[k]);
        snprintf(pa, sizeof pa, "%s/%s", ix_good, a);
        snprintf(pb, sizeof pb, "%s/%s", ix_good, b);
        da = slurp(pa, &na);
        db = slurp(pb, &nb);
        CTX("swap %s: files exist", ext[k]);
        EXPECT(da && db);
        snprintf(pa, sizeof pa, "%s/%s", ix_bad, a);
        snprintf(pb, sizeof pb, "%s/%s", ix_bad, b);
        spit(pa, db, nb);
        spit(pb, da, na);
        ix_judge(a, "swapped with segment 2's", 1);
        /* one file copied over the other: both segments then hold the same bytes */
        spit(pb, db, nb);
        ix_judge(a, "replaced by segment 2's", 1);
        spit(pa, da, na);
        free(da);
        free(db);
    }
}

/* ------------------------------------------------------------------ */
/* Positions of one block (positions.c, FORMAT.md section 5)           */
/* ------------------------------------------------------------------ */

typedef struct pblock {
    uint32_t n, tfs[NG_FMT_BLOCK];
    uint32_t *pos;    /* absolute positions, document after document */
    uint32_t *vals;   /* what the encoder takes: first as is, then pos - prev - 1 */
    uint64_t count;
} pblock;

enum { PB_NEWS, PB_DENSE, PB_HUGE, PB_ONE_LONG, PB_MODES };

/* A block of n documents: news-like (lengths 50..3000, tf mostly small),
** dense (consecutive positions: every value 0), huge (gaps near 2^31 and
** UINT32_MAX), or one document of 5000 positions among short ones. */
static void pblock_make(pblock *b, uint32_t n, int mode, uint64_t *seed)
{
    uint32_t d, j;
    uint64_t m = 0;
    b->n = n;
    b->count = 0;
    for (d = 0; d < n; d++) {
        b->tfs[d] = mode == PB_ONE_LONG && d == n / 2 ? 5000 : 1 + (rndn(seed, 4) ? rndn(seed, 3) : rndn(seed, 60));
        if (mode == PB_HUGE) b->tfs[d] = 1 + rndn(seed, 3);
        b->count += b->tfs[d];
    }
    b->pos = malloc(b->count * sizeof *b->pos);
    b->vals = malloc(b->count * sizeof *b->vals);
    for (d = 0; d < n; d++) {
        uint32_t tf = b->tfs[d], len = 50 + rndn(seed, 3000);
        uint64_t p = 0;
        for (j = 0; j < tf; j++, m++) {
            if (mode == PB_DENSE) p = j == 0 ? rndn(seed, 3) : p + 1;
            else if (mode == PB_HUGE) p = j == 0 ? (rndn(seed, 2) ? rndn(seed, 1u << 31) : rnd32(seed) / 4) : p + 1 + rndn(seed, 1u << 30);
            else p = j == 0 ? rndn(seed, len / tf + 1) : p + 1 + rndn(seed, 2 * (len / tf) + 1);
            if (mode == PB_HUGE && j == tf - 1 && d % 5 == 0) p = UINT32_MAX - (tf - 1 - j);
            if (p > UINT32_MAX) p = UINT32_MAX;
            b->pos[m] = (uint32_t)p;
        }
        /* keep them strictly increasing when a clamp made two equal */
        for (j = tf - 1; j > 0; j--)
            if (b->pos[m - tf + j - 1] >= b->pos[m - tf + j]) b->pos[m - tf + j - 1] = b->pos[m - tf + j] - 1;
        for (j = 0; j < tf; j++) {
            uint64_t at = m - tf + j;
            b->vals[at] = j ? b->pos[at] - b->pos[at - 1] - 1 : b->pos[at];
        }
    }
}

static void pblock_free(pblock *b)
{
    free(b->pos);
    free(b->vals);
}

static int ref_bit(const uint8_t *b, uint64_t i) { return b[i >> 3] >> (i & 7) & 1; }

/* The layout of FORMAT.md section 5 read one bit at a time: an oracle
** independent of the reader's word-at-a-time code.  0, or -1 if the bytes
** are not exactly such a block. */
static int ref_decode(const uint8_t *blk, size_t len, const uint32_t *tfs, uint32_t n, uint32_t *out)
{
    uint64_t ubit = 5, m, prev = 0, count = 0, lo_bytes, lbit;
    unsigned k, t;
    uint32_t d, j;
    if (len < 1) return -1;
    for (k = 0, t = 0; t < 5; t++) k |= (unsigned)ref_bit(blk, t) << t;
    for (d = 0; d < n; d++) count += tfs[d];
    lo_bytes = (count * k + 7) / 8;
    if (lo_bytes > len - 1) return -1;
    lbit = (len - lo_bytes) * 8; /* the low bits' first */
    for (m = 0, d = 0; d < n; d++)
        for (j = 0; j < tfs[d]; j++, m++) {
            uint64_t q = 0, low = 0, v;
            while (ubit < lbit && !ref_bit(blk, ubit)) q++, ubit++;
            if (ubit++ >= (len - lo_bytes) * 8 || q + 1 >= NG_FMT_POS_QMAX) return -1;
            for (t = 0; t < k; t++) low |= (uint64_t)ref_bit(blk, lbit + m * k + t) << t;
            v = q << k | low;
            prev = j ? prev + v + 1 : v;
            if (prev > UINT32_MAX) return -1;
            out[m] = (uint32_t)prev;
        }
    /* each part ends in the last byte it is given; padding bits are zero */
    if ((ubit + 7) / 8 != len - lo_bytes) return -1;
    for (; ubit < (len - lo_bytes) * 8; ubit++)
        if (ref_bit(blk, ubit)) return -1;
    for (m = lbit + count * k; m < (uint64_t)len * 8; m++)
        if (ref_bit(blk, m)) return -1;
    return 0;
}

/* Bytes of the block at parameter k, from the values (the size the
** encoder must reach); 0 if k is too small for the largest value. */
static uint64_t rice_size_at(const pblock *b, unsigned k)
{
    uint64_t un = 0, m;
    for (m = 0; m < b->count; m++) {
        if ((b->vals[m] >> k) + 1 >= NG_FMT_POS_QMAX) return 0;
        un += (b->vals[m] >> k) + 1;
    }
    return (5 + un + 7) / 8 + (b->count * k + 7) / 8;
}

/* Read every document through the reader, in order or in the order
** given: 0 if all match b->pos, -1 if the reader says the block is bad.
** In order, the whole-block decode must agree: 2 if it fails a good block,
** 3 if it takes a bad one for b's positions. */
static int reader_check(const pblock *b, const uint8_t *blk, size_t len, const uint8_t *readable, const uint32_t *order)
{
    ng_pos_reader r;
    uint32_t *out = malloc(5001 * sizeof *out), d, i, j;
    uint64_t start[NG_FMT_BLOCK + 1];
    int bad = 0;
    for (start[0] = 0, d = 0; d < b->n; d++) start[d + 1] = start[d] + b->tfs[d];
    if (ng_fmt__pos_open(&r, blk, len, readable, b->tfs, b->n)) bad = 1;
    for (i = 0; i < b->n && !bad; i++) {
        d = order ? order[i] : i;
        if (ng_fmt__pos_doc(&r, d, out)) bad = 1;
        for (j = 0; j < b->tfs[d] && !bad; j++) bad = out[j] != b->pos[start[d] + j];
    }
    if (!bad && !order && ng_fmt__pos_finish(&r)) bad = 1;
    free(out);
    if (!bad && !order) { /* the whole block at once: the same, and the same verdict */
        uint32_t *all = malloc((b->count + 1) * sizeof *all);
        if (ng_fmt__pos_open(&r, blk, len, readable, b->tfs, b->n) || ng_fmt__pos_all(&r, all) ||
            memcmp(all, b->pos, b->count * sizeof *all) != 0)
            bad = 2;
        free(all);
    } else if (bad && !order) {
        uint32_t *all = malloc((b->count + 1) * sizeof *all);
        if (ng_fmt__pos_open(&r, blk, len, readable, b->tfs, b->n) == 0 && ng_fmt__pos_all(&r, all) == 0 &&
            memcmp(all, b->pos, b->count * sizeof *all) == 0)
            bad = 3; /* damage the one-by-one reader saw and the whole-block one did not */
        free(all);
    }
    return bad == 1 ? -1 : bad;
}

static void test_pos_roundtrip(void)
{
    uint64_t seed = 0x9051;
    unsigned rep;
    for (rep = 0; rep < 600; rep++) {
        pblock b;
        ng_buf buf = NG_BUF_INIT;
        uint32_t order[NG_FMT_BLOCK], i, *ref;
        uint64_t best = 0, got;
        uint8_t *exact;
        unsigned k;
        int mode = (int)(rep % PB_MODES);
        pblock_make(&b, 1 + (rep % 7 == 0 ? 127 : rndn(&seed, 128)), mode, &seed);
        CTX("positions rep %u mode %d n %u count %llu", rep, mode, b.n, (unsigned long long)b.count);
        EXPECT(ng_fmt__pos_encode(&buf, b.vals, b.tfs, b.n) == NG_OK);
        got = buf.size;
        /* the size: that of its own k, and no more than a byte over the best k */
        EXPECT(buf.size >= 1);
        EXPECT(rice_size_at(&b, (uint8_t)buf.ptr[0] & 31u) == got);
        for (k = 0; k < 32; k++) {
            uint64_t sz = rice_size_at(&b, k);
            if (sz && (!best || sz < best)) best = sz;
        }
        EXPECT(got <= best + 1);
        /* an exact-size copy: ASan sees any read past the block */
        exact = malloc(buf.size);
        memcpy(exact, buf.ptr, buf.size);
        ref = malloc(b.count * sizeof *ref);
        EXPECT(ref_decode(exact, buf.size, b.tfs, b.n, ref) == 0);
        EXPECT(memcmp(ref, b.pos, b.count * sizeof *ref) == 0);
        EXPECT(reader_check(&b, exact, buf.size, exact + buf.size, NULL) == 0);
        /* with slack past the end (the reader's unchecked loads) */
        EXPECT(reader_check(&b, (const uint8_t *)buf.ptr, buf.size, (const uint8_t *)buf.ptr + buf.size + 8, NULL) == 0);
        /* documents asked for in any order */
        for (i = 0; i < b.n; i++) order[i] = i;
        for (i = b.n; i > 1; i--) {
            uint32_t x = rndn(&seed, i), t = order[i - 1];
            order[i - 1] = order[x];
            order[x] = t;
        }
        EXPECT(reader_check(&b, exact, buf.size, exact + buf.size, order) == 0);
        free(ref);
        free(exact);
        ng_buf_dispose(&buf);
        pblock_free(&b);
    }
}

/* The parameter's extremes: every value 0 gives k = 0 and one bit a value;
** a value of UINT32_MAX needs k >= 27; the largest value a k allows. */
static void test_pos_edges(void)
{
    uint32_t tfs[2] = {8, 1}, vals[9] = {0}, pos[9], out[8];
    ng_buf buf = NG_BUF_INIT;
    ng_pos_reader r;
    uint32_t i;
    for (i = 0; i < 8; i++) pos[i] = i;
    pos[8] = 0;
    CTX("positions: all zero");
    EXPECT(ng_fmt__pos_encode(&buf, vals, tfs, 2) == NG_OK);
    EXPECT(buf.size == 2 && (uint8_t)buf.ptr[0] == 0xe0 && buf.ptr[1] == 0x3f); /* k 0, then 9 one bits */
    EXPECT(ng_fmt__pos_open(&r, (const uint8_t *)buf.ptr, buf.size, NULL, tfs, 2) == 0);
    EXPECT(ng_fmt__pos_doc(&r, 0, out) == 0 && memcmp(out, pos, 8 * sizeof *out) == 0);
    EXPECT(ng_fmt__pos_doc(&r, 1, out) == 0 && out[0] == 0 && ng_fmt__pos_finish(&r) == 0);
    ng__buf_clear(&buf);
    CTX("positions: UINT32_MAX");
    vals[0] = UINT32_MAX;
    tfs[0] = 1;
    EXPECT(ng_fmt__pos_encode(&buf, vals, tfs, 1) == NG_OK);
    EXPECT(buf.size >= 1 && ((uint8_t)buf.ptr[0] & 31u) >= 27);
    EXPECT(ng_fmt__pos_open(&r, (const uint8_t *)buf.ptr, buf.size, NULL, tfs, 1) == 0);
    EXPECT(ng_fmt__pos_doc(&r, 0, out) == 0 && out[0] == UINT32_MAX && ng_fmt__pos_finish(&r) == 0);
    ng__buf_clear(&buf);
    /* k = 0, one value with the longest unary part allowed: 54 zero bits */
    CTX("positions: longest unary part");
    {
        uint8_t blk[9] = {0, 0, 0, 0, 0, 0, 0, 0x08, 0}; /* k 0, 54 zero bits, the one at bit 59 */
        uint8_t bad[9] = {0, 0, 0, 0, 0, 0, 0, 0x10, 0}; /* 55 zero bits: out of range */
        EXPECT(ng_fmt__pos_open(&r, blk, 8, blk + 8, tfs, 1) == 0);
        EXPECT(ng_fmt__pos_doc(&r, 0, out) == 0 && out[0] == 54 && ng_fmt__pos_finish(&r) == 0);
        EXPECT(ng_fmt__pos_open(&r, bad, 8, bad + 8, tfs, 1) == 0);
        EXPECT(ng_fmt__pos_doc(&r, 0, out) == -1);
        EXPECT(ng_fmt__pos_open(&r, blk, 8, blk + 9, tfs, 1) == 0); /* with slack: the other path */
        EXPECT(ng_fmt__pos_doc(&r, 0, out) == 0 && out[0] == 54);
        EXPECT(ng_fmt__pos_open(&r, bad, 8, bad + 9, tfs, 1) == 0);
        EXPECT(ng_fmt__pos_doc(&r, 0, out) == -1);
    }
    ng_buf_dispose(&buf);
}

/* Damaged blocks: truncated or extended by a byte, a bit set between the
** parts, or random bytes: never a crash, and what is returned as valid is
** valid. */
static void test_pos_damage(void)
{
    uint64_t seed = 0xbadb;
    unsigned rep;
    uint32_t *out = malloc(5001 * sizeof *out);
    for (rep = 0; rep < 400; rep++) {
        pblock b;
        ng_buf buf = NG_BUF_INIT;
        uint8_t *cut, *ext;
        uint32_t i;
        pblock_make(&b, 1 + rndn(&seed, 128), (int)(rep % PB_MODES), &seed);
        CTX("positions damage rep %u", rep);
        EXPECT(ng_fmt__pos_encode(&buf, b.vals, b.tfs, b.n) == NG_OK);
        cut = malloc(buf.size);
        memcpy(cut, buf.ptr, buf.size - 1);
        EXPECT(reader_check(&b, cut, buf.size - 1, cut + buf.size - 1, NULL) == -1);
        ext = malloc(buf.size + 1);
        memcpy(ext, buf.ptr, buf.size);
        ext[buf.size] = 0;
        EXPECT(reader_check(&b, ext, buf.size + 1, ext + buf.size + 1, NULL) == -1);
        /* a padding bit set, after the unary parts or after the low bits */
        {
            uint64_t k = (uint8_t)buf.ptr[0] & 31u, u = 5, m;
            for (m = 0; m < b.count; m++) u += (b.vals[m] >> k) + 1;
            if (u % 8) {
                memcpy(ext, buf.ptr, buf.size);
                ext[u >> 3] |= (uint8_t)(1u << (u & 7));
                EXPECT(reader_check(&b, ext, buf.size, ext + buf.size, NULL) == -1);
            }
            if (b.count * k % 8) {
                memcpy(ext, buf.ptr, buf.size);
                ext[buf.size - 1] |= 0x80;
                EXPECT(reader_check(&b, ext, buf.size, ext + buf.size, NULL) == -1);
            }
        }
        /* random bytes for the same frequencies */
        for (i = 1; i < buf.size; i++) cut[i - 1] = (uint8_t)rnd32(&seed);
        {
            ng_pos_reader r;
            uint32_t d, j;
            if (ng_fmt__pos_open(&r, cut, buf.size - 1, cut + buf.size - 1, b.tfs, b.n) == 0)
                for (d = 0; d < b.n; d++) {
                    if (ng_fmt__pos_doc(&r, d, out)) break;
                    for (j = 1; j < b.tfs[d]; j++) EXPECT(out[j] > out[j - 1]);
                }
        }
        free(cut);
        free(ext);
        ng_buf_dispose(&buf);
        pblock_free(&b);
    }
    free(out);
}

/* ------------------------------------------------------------------ */

static CU_TestInfo bitpack_tests[] = {
    {"pack/unpack every width", test_bitpack_roundtrip},
    {"bit layout", test_bitpack_layout},
    {"bits/max_bits", test_bitpack_bits},
    {"pfor round trips and truncation", test_pfor_roundtrip},
    {"pfor forms", test_pfor_forms},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo positions_tests[] = {
    {"round trips against a bit-by-bit reader, any order, sizes", test_pos_roundtrip},
    {"k = 0, UINT32_MAX, the longest unary part", test_pos_edges},
    {"truncated, extended, padding, random bytes", test_pos_damage},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo varint_tests[] = {
    {"round trips and truncation", test_varint_roundtrip},
    {"overflow and overlong", test_varint_reject},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo postings_tests[] = {
    {"one doc, docid 0", test_post_small},
    {"block boundaries 127/128/129/256", test_post_block_edges},
    {"1000 docs, huge gaps, tf 1000", test_post_large},
    {"many terms in one file", test_post_many_terms},
    {"lists joined with copied blocks, short blocks inside", test_post_copy_blocks},
    {"block sizes that disagree with df are damage", test_post_bad_block_sizes},
    {"tf 0 rejected", test_post_tf0},
    {"a passed check is remembered, nothing else", test_crc_once},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo dict_tests[] = {
    {"lookup, absent, iteration, seek", test_dict_sizes},
    {"order and length enforced", test_dict_order},
    {"damaged block: corrupt once reached, never a wrong answer", test_dict_damaged_block},
    {"lookups from threads share the verified blocks", test_dict_threads},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo store_tests[] = {
    {"round trip and id lookup", test_store_roundtrip},
    {"empty store", test_store_empty},
    {"one document", test_store_one_doc},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo small_tests[] = {
    {"lengths", test_lengths},
    {"tombstones", test_tombstones},
    {"manifest", test_manifest},
    {"segment paths", test_seg_path},
    {"cold mapping reads what is asked for", test_map_readahead},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo corr_tests[] = {
    {"valid files open and verify", test_corr_valid},
    {"every byte flipped", test_corr_flips},
    {"truncated and extended", test_corr_truncate},
    {"kind, version, flags, magic, footer", test_corr_header},
    CU_TEST_INFO_NULL,
};
static CU_TestInfo hostile_tests[] = {
    {"random bytes", test_hostile_random},
    {"mutated valid lists", test_hostile_mutated},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo ix_tests[] = {
    {"every byte of every file flipped", test_ix_flips},
    {"every file truncated", test_ix_truncate},
    {"files of two segments swapped", test_ix_swap},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"format/bitpack", NULL, NULL, NULL, NULL, bitpack_tests},
    {"format/varint", NULL, NULL, NULL, NULL, varint_tests},
    {"format/positions", NULL, NULL, NULL, NULL, positions_tests},
    {"format/postings", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, postings_tests},
    {"format/termdict", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, dict_tests},
    {"format/docstore", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, store_tests},
    {"format/lengths-tombstones-manifest", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, small_tests},
    {"format/corruption", corr_init, corr_clean, NULL, NULL, corr_tests},
    {"format/hostile", corr_init, corr_clean, NULL, NULL, hostile_tests},
    {"format/damaged-index", ix_init, ng_test_tmpdir_clean, NULL, NULL, ix_tests},
    CU_SUITE_INFO_NULL,
};
