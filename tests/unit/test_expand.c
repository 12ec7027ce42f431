/*
** test_expand.c -- prefix, fuzzy and "did you mean" (src/reader/expand.c)
** against brute force.
**
** Three kinds of index:
**  - synthetic: segment dictionaries written directly with ng_dict__enc_*
**    (random words over a small alphabet with 1-, 2- and 3-byte UTF-8
**    characters, plus terms of the other namespaces around the lexicon),
**    opened into a bare ng_index; the oracle scans every word and computes
**    the optimal-string-alignment distance with a plain full-matrix DP;
**  - a 100k-word dictionary, to measure the blocks a fuzzy query touches
**    against a full scan (printed; asserted to be a small fraction);
**  - real indexes built by the writer: random documents over several
**    segments (df and cf of the lexicon against counts kept by the test),
**    and the seed corpus (Lavorv suggests Lavrov).
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_int.h"
#include "ng_test.h"
#include "reader/expand.h"

/* ---------------------------------------------------------------- */
/* Oracle                                                            */

typedef struct oword {
    char w[64];
    uint64_t df, cf;
    uint32_t dist;
} oword;

typedef struct olist {
    oword *v;
    size_t n, cap;
} olist;

static void olist_add(olist *l, const char *w, uint64_t df, uint64_t cf, uint32_t dist)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    snprintf(l->v[l->n].w, sizeof l->v[l->n].w, "%s", w);
    l->v[l->n].df = df;
    l->v[l->n].cf = cf;
    l->v[l->n].dist = dist;
    l->n++;
}

static int cmp_oword(const void *a, const void *b) { return strcmp(((const oword *)a)->w, ((const oword *)b)->w); }

/* Sort by bytes (strcmp compares as unsigned char) and sum equal words. */
static void olist_merge(olist *l)
{
    size_t i, o = 0;
    if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_oword);
    for (i = 0; i < l->n; i++) {
        if (o && strcmp(l->v[o - 1].w, l->v[i].w) == 0) {
            l->v[o - 1].df += l->v[i].df;
            l->v[o - 1].cf += l->v[i].cf;
        } else {
            l->v[o++] = l->v[i];
        }
    }
    l->n = o;
}

/* Code points of a UTF-8 string (the test's own decoder: valid input only). */
static size_t to_cps(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        if (*p < 0x80) cp[n++] = *p++;
        else if (*p < 0xE0) { cp[n++] = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F); p += 2; }
        else if (*p < 0xF0) { cp[n++] = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F); p += 3; }
        else { cp[n++] = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F); p += 4; }
    }
    return n;
}

static unsigned min3(unsigned a, unsigned b, unsigned c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

/* Optimal string alignment distance, full matrix (Damerau's restricted form). */
static unsigned osa(const char *a, const char *b)
{
    uint32_t x[80], y[80];
    static unsigned d[81][81];
    size_t n = to_cps(a, x), m = to_cps(b, y), i, j;
    for (i = 0; i <= n; i++) d[i][0] = (unsigned)i;
    for (j = 0; j <= m; j++) d[0][j] = (unsigned)j;
    for (i = 1; i <= n; i++)
        for (j = 1; j <= m; j++) {
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] != y[j - 1]));
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[n][m];
}

static size_t nchars(const char *s)
{
    uint32_t cp[300];
    return to_cps(s, cp);
}

/* ---------------------------------------------------------------- */
/* Synthetic segments                                                */

typedef struct sword {
    char w[64];
    uint32_t df;
    uint64_t cf;
} sword;

typedef struct synth {
    sword *words[8]; /* lexicon words of each segment */
    size_t n[8];
    int n_segs;
    ng_index ix;
} synth;

static const char *const pieces[] = {"a", "b", "c", "d", "e", "a", "e", "ж", "й", "中"};

static void rand_word(char *out, size_t cap, uint64_t *rs, size_t maxlen)
{
    size_t len = 1 + ng_test_rand(rs) % maxlen, i, o = 0;
    for (i = 0; i < len; i++) {
        const char *p = pieces[ng_test_rand(rs) % NG_ARRAY_LEN(pieces)];
        if (o + strlen(p) >= cap) break;
        memcpy(out + o, p, strlen(p));
        o += strlen(p);
    }
    out[o] = '\0';
}

static int cmp_sword(const void *a, const void *b) { return strcmp(((const sword *)a)->w, ((const sword *)b)->w); }

typedef struct term {
    char t[80];
    size_t len;
} term;

static int cmp_term(const void *a, const void *b)
{
    const term *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->t, y->t, m);
    return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

/* Write seg-<id>.tdi in dir: the lexicon words plus a few terms of the other
** namespaces on both sides, so that the walks must stop at the boundary. */
static int write_dict(const char *dir, int id, const sword *words, size_t n)
{
    static const char *const others[] = {"\x01" "abc", "\x01" "zz", "\x02" "aaa", "\x02" "zelenski", "a", "abc",
                                         "b", "ea", "\x04" "a", "\xd0\xb6"};
    term *t = calloc(n + NG_ARRAY_LEN(others), sizeof *t);
    size_t nt = 0, i;
    char path[4300];
    ng_fwriter fw;
    ng_dict_enc e;
    int rc;
    for (i = 0; i < n; i++) {
        t[nt].t[0] = NG_NS_WORD;
        memcpy(t[nt].t + 1, words[i].w, strlen(words[i].w));
        t[nt++].len = 1 + strlen(words[i].w);
    }
    for (i = 0; i < NG_ARRAY_LEN(others); i++) {
        memcpy(t[nt].t, others[i], strlen(others[i]));
        t[nt++].len = strlen(others[i]);
    }
    qsort(t, nt, sizeof *t, cmp_term);
    snprintf(path, sizeof path, "%s/seg-%06d.tdi", dir, id);
    if ((rc = ng_fmt__fw_open(&fw, path, NG_FK_TDI)) != NG_OK) { free(t); return rc; }
    ng_dict__enc_init(&e, &fw);
    for (i = 0; i < nt && !rc; i++) {
        ng_term_info ti;
        const sword *sw = NULL;
        memset(&ti, 0, sizeof ti);
        if (t[i].t[0] == NG_NS_WORD) { /* its counts: words[] is sorted by strcmp */
            sword key;
            snprintf(key.w, sizeof key.w, "%.*s", (int)(t[i].len - 1), t[i].t + 1);
            sw = bsearch(&key, words, n, sizeof *words, cmp_sword);
        }
        ti.df = sw ? sw->df : 7;
        ti.cf = sw ? sw->cf : 9;
        rc = ng_dict__enc_add(&e, t[i].t, t[i].len, &ti);
    }
    if (!rc) rc = ng_dict__enc_finish(&e);
    else ng_fmt__fw_abort(&fw);
    ng_dict__enc_free(&e);
    free(t);
    return rc;
}

/* n_segs segments of about n random words each (distinct within a segment,
** overlapping between segments), opened as a bare snapshot. */
static int synth_build(synth *s, const char *name, int n_segs, size_t n, size_t maxlen, uint64_t seed)
{
    char dir[4200], path[4300];
    uint64_t rs = seed;
    int g;
    memset(s, 0, sizeof *s);
    snprintf(dir, sizeof dir, "%s/%s", ng_test_tmpdir, name);
    if (ng__mkdir_p(dir) != NG_OK) return -1;
    s->n_segs = n_segs;
    s->ix.segs = calloc((size_t)n_segs, sizeof *s->ix.segs);
    for (g = 0; g < n_segs; g++) {
        sword *v = calloc(n, sizeof *v);
        size_t i, o = 0;
        for (i = 0; i < n; i++) {
            rand_word(v[i].w, sizeof v[i].w, &rs, maxlen);
            v[i].df = 1 + (uint32_t)(ng_test_rand(&rs) % 50);
            v[i].cf = v[i].df + ng_test_rand(&rs) % 5;
        }
        qsort(v, n, sizeof *v, cmp_sword);
        for (i = 0; i < n; i++)
            if (o == 0 || strcmp(v[o - 1].w, v[i].w) != 0) v[o++] = v[i];
        s->words[g] = v;
        s->n[g] = o;
        if (write_dict(dir, g + 1, v, o) != NG_OK) return -1;
        snprintf(path, sizeof path, "%s/seg-%06d.tdi", dir, g + 1);
        if (ng_dict__open(&s->ix.segs[g].dict, path) != NG_OK) return -1;
        s->ix.n_segs++;
    }
    return 0;
}

static void synth_free(synth *s)
{
    int g;
    for (g = 0; g < s->n_segs; g++) free(s->words[g]);
    for (g = 0; g < (int)s->ix.n_segs; g++) ng_dict__close(&s->ix.segs[g].dict);
    free(s->ix.segs);
}

static void oracle_prefix(const synth *s, const char *pre, olist *out)
{
    int g;
    size_t i, pl = strlen(pre);
    out->n = 0;
    for (g = 0; g < s->n_segs; g++)
        for (i = 0; i < s->n[g]; i++)
            if (strncmp(s->words[g][i].w, pre, pl) == 0) olist_add(out, s->words[g][i].w, s->words[g][i].df, s->words[g][i].cf, 0);
    olist_merge(out);
}

static void oracle_fuzzy(const synth *s, const char *q, unsigned k, olist *out)
{
    int g;
    size_t i;
    out->n = 0;
    for (g = 0; g < s->n_segs; g++)
        for (i = 0; i < s->n[g]; i++) {
            unsigned d = osa(q, s->words[g][i].w);
            if (d <= k) olist_add(out, s->words[g][i].w, s->words[g][i].df, s->words[g][i].cf, d);
        }
    olist_merge(out);
}

/* Does the engine's list equal the oracle's, word by word? */
static int same_list(const ng_wordlist *got, const olist *want, int with_dist)
{
    size_t i;
    if (got->n != want->n) return 0;
    for (i = 0; i < got->n; i++) {
        const char *w = ng_wordlist__word(got, i);
        if (strcmp(w, want->v[i].w) != 0 || strlen(w) != got->v[i].len || got->v[i].df != want->v[i].df ||
            got->v[i].cf != want->v[i].cf || (with_dist && got->v[i].dist != want->v[i].dist))
            return 0;
    }
    return 1;
}

/* A query near the dictionary: a word of it with 0-3 random edits, or a random word. */
static void near_word(const synth *s, char *q, size_t cap, uint64_t *rs)
{
    uint32_t cp[80];
    size_t n, e, i, edits = ng_test_rand(rs) % 4;
    int g = (int)(ng_test_rand(rs) % (uint64_t)s->n_segs);
    if (ng_test_rand(rs) % 5 == 0 || s->n[g] == 0) {
        rand_word(q, cap, rs, 9);
        return;
    }
    n = to_cps(s->words[g][ng_test_rand(rs) % s->n[g]].w, cp);
    for (e = 0; e < edits; e++) {
        size_t at = n ? ng_test_rand(rs) % n : 0;
        uint32_t c, one[4];
        to_cps(pieces[ng_test_rand(rs) % NG_ARRAY_LEN(pieces)], one);
        c = one[0];
        switch (ng_test_rand(rs) % 4) {
        case 0: if (n < 60) { memmove(cp + at + 1, cp + at, (n - at) * sizeof *cp); cp[at] = c; n++; } break;
        case 1: if (n > 1) { memmove(cp + at, cp + at + 1, (n - at - 1) * sizeof *cp); n--; } break;
        case 2: if (n) cp[at] = c; break;
        default: if (at + 1 < n) { uint32_t t = cp[at]; cp[at] = cp[at + 1]; cp[at + 1] = t; } break;
        }
    }
    for (i = 0, e = 0; i < n && e + 4 < cap; i++) e += ng__utf8_encode(q + e, cp[i]);
    q[e] = '\0';
}

/* ---------------------------------------------------------------- */
/* Tests on synthetic dictionaries                                   */

static void test_expand_prefix_oracle(void)
{
    synth s;
    ng_wordlist got = NG_WORDLIST_INIT;
    olist want = {0};
    uint64_t rs = 99;
    int q, bad = 0, limited = 0;
    if (synth_build(&s, "prefix", 3, 900, 7, 7)) { CU_FAIL("build"); return; }
    for (q = 0; q < 3000; q++) {
        char pre[64];
        size_t max = q % 3 == 0 ? 5 : q % 3 == 1 ? 60 : 100000;
        int rc;
        near_word(&s, pre, sizeof pre, &rs);
        if (q % 4 == 0) pre[ng_test_rand(&rs) % (strlen(pre) + 1)] = '\0'; /* may cut a character: fold drops it */
        {
            char f[NG_MAX_TERM_BYTES + 1];
            ng__fold_word(f, sizeof f, pre, strlen(pre)); /* what the engine walks with */
            oracle_prefix(&s, f, &want);
        }
        rc = ng_index__expand_prefix(&s.ix, pre, strlen(pre), max, &got);
        if (want.n > max) {
            limited++;
            if (rc != NG_ELIMIT || !strstr(ng_error_last()->message, "matches more than")) bad++;
        } else if (rc != NG_OK || !same_list(&got, &want, 1)) {
            if (bad++ < 3) fprintf(stderr, "\n  prefix '%s': got %zu words, want %zu", pre, got.n, want.n);
        }
    }
    fprintf(stderr, "\n  prefix: 3000 queries, %d over the cap", limited);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(limited > 100);
    /* the message names the prefix and the cap */
    CU_ASSERT_EQUAL(ng_index__expand_prefix(&s.ix, "a", 1, 3, &got), NG_ELIMIT);
    CU_ASSERT_STRING_EQUAL(ng_error_last()->message, "prefix 'a*' matches more than 3 words");
    CU_ASSERT_EQUAL(got.n, 0);
    ng_wordlist__free(&got);
    free(want.v);
    synth_free(&s);
}

static void test_expand_fuzzy_oracle(void)
{
    synth s;
    ng_wordlist got = NG_WORDLIST_INIT;
    olist want = {0};
    uint64_t rs = 1234;
    int q, bad = 0, limited = 0;
    size_t total = 0;
    if (synth_build(&s, "fuzzy", 3, 700, 8, 11)) { CU_FAIL("build"); return; }
    for (q = 0; q < 2500; q++) {
        char w[64];
        unsigned k = (unsigned)(q % 3);
        size_t max = q % 7 == 0 ? 3 : 100000;
        int rc;
        near_word(&s, w, sizeof w, &rs);
        oracle_fuzzy(&s, w, k, &want);
        rc = ng_index__expand_fuzzy(&s.ix, w, strlen(w), k, max, &got);
        if (want.n > max) {
            limited++;
            if (rc != NG_ELIMIT) bad++;
        } else if (rc != NG_OK || !same_list(&got, &want, 1)) {
            if (bad++ < 3) fprintf(stderr, "\n  fuzzy '%s'~%u: rc %d, got %zu words, want %zu", w, k, rc, got.n, want.n);
        }
        total += want.n;
    }
    fprintf(stderr, "\n  fuzzy: 2500 queries, %zu words expected in all, %d over the cap", total, limited);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(limited > 10);
    CU_ASSERT_EQUAL(ng_index__expand_fuzzy(&s.ix, "abc", 3, 3, 10, &got), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_index__expand_fuzzy(&s.ix, "...", 3, 1, 10, &got), NG_EINVAL);
    ng_wordlist__free(&got);
    free(want.v);
    synth_free(&s);
}

/* Oracle of ng_index__suggest (expand.h): distance 1, else 2 (1 only for
** 3-4 characters, none below), then highest df, then first in byte order. */
static int oracle_suggest(const synth *s, const char *q, char *best, uint64_t *best_df)
{
    olist all = {0};
    size_t i, c = nchars(q);
    unsigned k, kmax = c < 3 ? 0 : c < 5 ? 1 : 2;
    int found = 0;
    for (k = 1; k <= kmax && !found; k++) {
        oracle_fuzzy(s, q, k, &all);
        for (i = 0; i < all.n; i++)
            if (all.v[i].dist == k && (!found || all.v[i].df > *best_df)) {
                strcpy(best, all.v[i].w);
                *best_df = all.v[i].df;
                found = 1;
            }
    }
    free(all.v);
    return found;
}

static void test_expand_suggest_oracle(void)
{
    synth s;
    ng_wordlist got = NG_WORDLIST_INIT;
    uint64_t rs = 777;
    int q, bad = 0, found = 0;
    if (synth_build(&s, "suggest", 2, 800, 9, 5)) { CU_FAIL("build"); return; }
    for (q = 0; q < 800; q++) {
        char w[64], best[64];
        uint64_t df = 0;
        int want, rc;
        near_word(&s, w, sizeof w, &rs);
        want = oracle_suggest(&s, w, best, &df);
        rc = ng_index__suggest(&s.ix, w, strlen(w), &got);
        if (want) {
            found++;
            if (rc != NG_OK || got.n != 1 || strcmp(ng_wordlist__word(&got, 0), best) != 0 || got.v[0].df != df) {
                if (bad++ < 3) fprintf(stderr, "\n  suggest '%s': got '%s', want '%s'", w, got.n ? ng_wordlist__word(&got, 0) : "", best);
            }
        } else if (rc != NG_ENOTFOUND) {
            bad++;
        }
    }
    fprintf(stderr, "\n  suggest: 800 queries, %d with a suggestion", found);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(found > 200);
    ng_wordlist__free(&got);
    synth_free(&s);
}

/* 100k words: how much of the dictionary does a fuzzy query read? */

/* Uniform random letters: the worst case, every short prefix exists. */
static void gen_uniform(char *w, uint64_t *rs)
{
    size_t len = 4 + ng_test_rand(rs) % 9, j;
    for (j = 0; j < len; j++) w[j] = (char)('a' + ng_test_rand(rs) % 26);
    w[len] = '\0';
}

/* Words of 1-4 syllables (onset, vowel, coda): prefixes as sparse as a language's. */
static void gen_syllabic(char *w, uint64_t *rs)
{
    static const char *const on[] = {"b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t",
                                     "v", "z", "br", "st", "tr", "ch", "sh", "kr", "pl", ""};
    static const char *const nu[] = {"a", "e", "i", "o", "u", "ia", "ou"};
    static const char *const co[] = {"", "", "", "n", "r", "s", "l", "t"};
    int syl = 1 + (int)(ng_test_rand(rs) % 4), i;
    w[0] = '\0';
    for (i = 0; i < syl; i++) {
        strcat(w, on[ng_test_rand(rs) % NG_ARRAY_LEN(on)]);
        strcat(w, nu[ng_test_rand(rs) % NG_ARRAY_LEN(nu)]);
        strcat(w, co[ng_test_rand(rs) % NG_ARRAY_LEN(co)]);
    }
}

/* Build one segment of ~n words from gen; run nq fuzzy queries at k = 1, 2
** (words of the dictionary, 5+ characters), print the blocks and entries
** read per query against the dictionary's size, and return the mean blocks
** read at each k in blocks_out[1..2]. */
static void measure_blocks(const char *name, void (*gen)(char *, uint64_t *), size_t n, int nq, double *blocks_out,
                           uint64_t *n_blocks)
{
    synth s;
    ng_wordlist got = NG_WORDLIST_INIT;
    olist want = {0};
    uint64_t rs = 31337;
    char dir[4200], path[4300];
    sword *v = calloc(n, sizeof *v);
    size_t i, o = 0;
    int q, k, bad = 0;
    memset(&s, 0, sizeof s);
    for (i = 0; i < n; i++) {
        gen(v[i].w, &rs);
        v[i].df = 1 + (uint32_t)(ng_test_rand(&rs) % 9);
        v[i].cf = v[i].df;
    }
    qsort(v, n, sizeof *v, cmp_sword);
    for (i = 0; i < n; i++)
        if (o == 0 || strcmp(v[o - 1].w, v[i].w) != 0) v[o++] = v[i];
    snprintf(dir, sizeof dir, "%s/%s", ng_test_tmpdir, name);
    CU_ASSERT_EQUAL(ng__mkdir_p(dir), NG_OK);
    CU_ASSERT_EQUAL(write_dict(dir, 1, v, o), NG_OK);
    snprintf(path, sizeof path, "%s/seg-%06d.tdi", dir, 1);
    s.ix.segs = calloc(1, sizeof *s.ix.segs);
    s.words[0] = v;
    s.n[0] = o;
    s.n_segs = 1;
    if (ng_dict__open(&s.ix.segs[0].dict, path) != NG_OK) {
        CU_FAIL("open");
        synth_free(&s);
        return;
    }
    s.ix.n_segs = 1;
    *n_blocks = s.ix.segs[0].dict.n_blocks;
    for (k = 1; k <= 2; k++) {
        uint64_t blocks = 0, seeks = 0, terms = 0, matches = 0;
        for (q = 0; q < nq; q++) {
            const char *w;
            do w = v[ng_test_rand(&rs) % o].w; while (strlen(w) < 5);
            NG_ASSERT_OK(ng_index__expand_fuzzy(&s.ix, w, strlen(w), (unsigned)k, 100000, &got));
            blocks += got.st.blocks_read;
            seeks += got.st.seeks;
            terms += got.st.terms_read;
            matches += got.n;
            if (q < 3) { /* a few against the oracle as well */
                oracle_fuzzy(&s, w, (unsigned)k, &want);
                bad += !same_list(&got, &want, 1);
            }
        }
        blocks_out[k] = (double)blocks / nq;
        fprintf(stderr,
                "\n  %s, %zu words in %llu blocks: k=%d reads %.0f blocks (%.1f%%) and %.0f entries (%.1f%%), "
                "%.0f seeks (each a binary search of %d probes), %.1f matches",
                name, o, (unsigned long long)*n_blocks, k, blocks_out[k], 100.0 * blocks_out[k] / (double)*n_blocks,
                (double)terms / nq, 100.0 * (double)terms / nq / (double)o, (double)seeks / nq,
                64 - __builtin_clzll(*n_blocks), (double)matches / nq);
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(want.v);
    ng_wordlist__free(&got);
    synth_free(&s);
}

static void test_expand_fuzzy_blocks(void)
{
    double uni[3], syl[3];
    uint64_t nb_uni, nb_syl;
    measure_blocks("uniform", gen_uniform, 100000, 30, uni, &nb_uni);
    measure_blocks("syllabic", gen_syllabic, 100000, 30, syl, &nb_syl);
    /* a walk, not a scan: k=1 reads a few percent of the blocks; k=2 on
       random letters (every 2-letter prefix is live) is the worst case */
    CU_ASSERT(uni[1] < (double)nb_uni / 10);
    CU_ASSERT(syl[1] < (double)nb_syl / 10);
    CU_ASSERT(syl[2] < (double)nb_syl / 3); /* 27% at 75k words, 7% at 700k */
}

/* ---------------------------------------------------------------- */
/* Indexes built by the writer                                       */

static int open_writer(ng_writer **w, const char *dir, size_t mem)
{
    ng_writer_options wo;
    ng_writer_options_init(&wo, NG_WRITER_OPTIONS_VERSION);
    wo.memory_limit = mem;
    wo.no_merge = 1; /* keep the segments: their lexicons are merged at query time */
    return ng_writer_open(w, dir, &wo);
}

/* Random documents over a vocabulary of random lowercase words, several
** segments: the lexicon's merged df and cf equal the test's own counts. */
static void test_expand_writer_lexicon(void)
{
    enum { NV = 400, ND = 1500 };
    static char vocab[NV][16];
    static uint64_t df[NV], cf[NV];
    char dir[4200], body[2000];
    ng_writer *w = NULL;
    ng_index *ix = NULL;
    ng_wordlist got = NG_WORDLIST_INIT;
    olist want = {0};
    uint64_t rs = 2024;
    int d, v, q, bad = 0;
    ng_index_stats st;
    for (v = 0; v < NV; v++) { /* distinct words over 6 letters: dense, many neighbours */
        int u, dup;
        do {
            size_t len = 3 + ng_test_rand(&rs) % 7, j;
            for (j = 0; j < len; j++) vocab[v][j] = (char)('a' + ng_test_rand(&rs) % 6);
            vocab[v][len] = '\0';
            for (u = 0, dup = 0; u < v && !dup; u++) dup = strcmp(vocab[u], vocab[v]) == 0;
        } while (dup);
    }
    snprintf(dir, sizeof dir, "%s/writer", ng_test_tmpdir);
    NG_ASSERT_OK(open_writer(&w, dir, 64 << 10));
    if (!w) return;
    for (d = 0; d < ND; d++) {
        char id[32];
        int seen[NV] = {0}, n = 1 + (int)(ng_test_rand(&rs) % 30), i;
        size_t off = 0;
        ng_document doc;
        for (i = 0; i < n; i++) {
            v = (int)(ng_test_rand(&rs) % NV);
            off += (size_t)snprintf(body + off, sizeof body - off, "%s%s", i ? " " : "", vocab[v]);
            cf[v]++;
            if (!seen[v]++) df[v]++;
        }
        memset(&doc, 0, sizeof doc);
        snprintf(id, sizeof id, "doc%d", d);
        doc.id = id;
        doc.id_len = (size_t)-1;
        doc.body = body;
        doc.body_len = off;
        if (ng_writer_add(w, &doc) != NG_OK) break;
    }
    if (d < ND) fprintf(stderr, "\n  writer: %s", ng_error_last()->message);
    CU_ASSERT_EQUAL(d, ND);
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix || d < ND) {
        ng_index_free(ix);
        return;
    }
    NG_ASSERT_OK(ng_index_stats_get(&st, ix));
    CU_ASSERT(st.segments >= 3);
    for (q = 0; q < 1500; q++) {
        char qw[32];
        unsigned k = (unsigned)(q % 3);
        int rc;
        snprintf(qw, sizeof qw, "%s", vocab[ng_test_rand(&rs) % NV]);
        if (q % 2) qw[ng_test_rand(&rs) % strlen(qw)] = (char)('a' + ng_test_rand(&rs) % 7);
        want.n = 0;
        for (v = 0; v < NV; v++) {
            int hit = q < 500 ? strncmp(vocab[v], qw, strlen(qw) / 2) == 0 : osa(qw, vocab[v]) <= k;
            if (hit && df[v]) olist_add(&want, vocab[v], df[v], cf[v], q < 500 ? 0 : osa(qw, vocab[v]));
        }
        olist_merge(&want);
        if (q < 500) {
            rc = ng_index__expand_prefix(ix, qw, strlen(qw) / 2, 100000, &got);
        } else {
            rc = ng_index__expand_fuzzy(ix, qw, strlen(qw), k, 100000, &got);
        }
        if (rc != NG_OK || !same_list(&got, &want, 1))
            if (bad++ < 3) fprintf(stderr, "\n  '%s' (%s): got %zu, want %zu", qw, q < 500 ? "prefix" : "fuzzy", got.n, want.n);
    }
    CU_ASSERT_EQUAL(bad, 0);
    ng_wordlist__free(&got);
    free(want.v);
    ng_index_free(ix);
}

static void test_expand_seed_corpus(void)
{
    char dir[4200];
    ng_writer *w = NULL;
    ng_index *ix = NULL;
    ng_wordlist got = NG_WORDLIST_INIT;
    size_t i;
    int has_kremlin = 0;
    snprintf(dir, sizeof dir, "%s/seed", ng_test_tmpdir);
    NG_ASSERT_OK(open_writer(&w, dir, 0));
    if (!w) return;
    NG_ASSERT_OK(ng_writer_add_path(NULL, w, NG_CORPUS_DIR));
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    /* did you mean */
    NG_ASSERT_OK(ng_index__suggest(ix, "Lavorv", 6, &got));
    CU_ASSERT(got.n == 1 && strcmp(ng_wordlist__word(&got, 0), "lavrov") == 0 && got.v[0].dist == 1);
    NG_ASSERT_OK(ng_index__suggest(ix, "Zelenski", 8, &got));
    CU_ASSERT(got.n == 1 && (strcmp(ng_wordlist__word(&got, 0), "zelensky") == 0 ||
                             strcmp(ng_wordlist__word(&got, 0), "zelenskyy") == 0));
    NG_ASSERT_OK(ng_index__suggest(ix, "Sergie", 6, &got));
    CU_ASSERT(got.n == 1 && (strcmp(ng_wordlist__word(&got, 0), "sergei") == 0 ||
                             strcmp(ng_wordlist__word(&got, 0), "sergey") == 0));
    CU_ASSERT_EQUAL(ng_index__suggest(ix, "Qwxzvb", 6, &got), NG_ENOTFOUND);
    /* fuzzy: Zelensky~ finds both spellings, Sergei~ finds Sergey */
    NG_ASSERT_OK(ng_index__expand_fuzzy(ix, "Zelensky", 8, ng__fuzzy_default_k(8), 50, &got));
    CU_ASSERT(got.n >= 2 && strcmp(ng_wordlist__word(&got, 0), "zelensky") == 0 &&
              strcmp(ng_wordlist__word(&got, 1), "zelenskyy") == 0);
    NG_ASSERT_OK(ng_index__expand_fuzzy(ix, "Sergei", 6, ng__fuzzy_default_k(6), 50, &got));
    CU_ASSERT(got.n == 2 && strcmp(ng_wordlist__word(&got, 0), "sergei") == 0 &&
              strcmp(ng_wordlist__word(&got, 1), "sergey") == 0 && got.v[1].dist == 1);
    /* prefix: Kreml* */
    NG_ASSERT_OK(ng_index__expand_prefix(ix, "Kreml", 5, 50, &got));
    for (i = 0; i < got.n; i++) {
        CU_ASSERT(strncmp(ng_wordlist__word(&got, i), "kreml", 5) == 0);
        has_kremlin |= strcmp(ng_wordlist__word(&got, i), "kremlin") == 0;
    }
    CU_ASSERT(has_kremlin);
    CU_ASSERT_EQUAL(ng_index__expand_prefix(ix, "t", 1, 3, &got), NG_ELIMIT);
    CU_ASSERT_STRING_EQUAL(ng_error_last()->message, "prefix 't*' matches more than 3 words");
    ng_wordlist__free(&got);
    ng_index_free(ix);
}

static void test_expand_default_k(void)
{
    /* issue 4: 1 for 5-9 letters, 2 for longer; our choice below 5 */
    CU_ASSERT_EQUAL(ng__fuzzy_default_k(2), 0);
    CU_ASSERT_EQUAL(ng__fuzzy_default_k(3), 1);
    CU_ASSERT_EQUAL(ng__fuzzy_default_k(5), 1);
    CU_ASSERT_EQUAL(ng__fuzzy_default_k(9), 1);
    CU_ASSERT_EQUAL(ng__fuzzy_default_k(10), 2);
    CU_ASSERT_EQUAL(ng__fuzzy_default_k(40), 2);
}

static CU_TestInfo expand_tests[] = {
    {"prefix expansion equals a full scan", test_expand_prefix_oracle},
    {"fuzzy expansion equals a full scan", test_expand_fuzzy_oracle},
    {"suggestion equals the brute-force best", test_expand_suggest_oracle},
    {"fuzzy walk reads few blocks of 100k words", test_expand_fuzzy_blocks},
    {"writer's lexicon: df and cf over segments", test_expand_writer_lexicon},
    {"seed corpus: Lavorv suggests Lavrov", test_expand_seed_corpus},
    {"default edit distance", test_expand_default_k},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"expand", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, expand_tests},
    CU_SUITE_INFO_NULL,
};
