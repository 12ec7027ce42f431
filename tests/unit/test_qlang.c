/*
** test_qlang.c -- the query language of issue 4 against a brute-force oracle.
**
** Documents are generated from a small vocabulary (with words that share a
** prefix, tango/tangle, and two spellings of a name, zelensky/zelenskyy),
** each with a title, a body and a date (some undated), written through the
** public writer with a small memory limit (several segments).  The oracle
** keeps every document's words by position (title at 0..nt-1, body from
** nt+1, as the writer numbers them) and evaluates each operator from its
** definition in src/query/query.h, computing BM25 in double:
**   idf = ln(1 + (N - df + 0.5)/(df + 0.5)); tf part with dl = nt + nb;
**   unfielded word: bm25 + title_weight * idf * tt*(k1+1)/(tt+k1), tt = its
**   tf in the title; title:w: idf(title df) * tt*(k1+1)/(tt+k1);
**   NEAR / sloppy phrase: tf = anchors of operand 0, idf = sum of idfs;
**   ALT (prefix, fuzzy): the best alternative; boost multiplies;
**   recency: x 2^-(newest - date)/half_life.
** Matches and scores of every engine hit are compared with the oracle's.
** Queries are lowercase so that no name key is involved; name variants are
** checked on the seed corpus (corpus/).
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_int.h"
#include "ng_test.h"
#include "api/api.h"
#include "eval/plan.h"

static const char *const vocab[] = {"alpha", "bravo", "charlie", "delta", "echo", "tango", "tangle", "zelensky", "zelenskyy", "lima"};
#define V ((int)NG_ARRAY_LEN(vocab))
static char stem[V][NG_MAX_TERM_BYTES + 1];

#define NDOCS 500
#define MAXT 4
#define MAXB 30
#define K1 1.2
#define B 0.75
#define TW NG_TITLE_WEIGHT_DEFAULT

typedef struct odoc {
    int nt, nb;
    int w[MAXT + 1 + MAXB]; /* word at position p; -1 for the gap */
    int32_t date;           /* NG_DATE_NONE or a day */
} odoc;

static odoc g_docs[NDOCS];
static int64_t g_id_of[NDOCS]; /* engine docnum -> doc index */
static ng_index *g_ix;
static double g_N, g_avgdl;
static uint64_t g_rs = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n) { return (unsigned)(ng_test_rand(&g_rs) % n); }

static int on_stem(void *payload, const ng_token *t)
{
    snprintf(payload, NG_MAX_TERM_BYTES + 1, "%.*s", (int)t->term_len, t->term);
    return 0;
}

static int npos(const odoc *d) { return d->nt ? d->nt + 1 + d->nb : d->nb; }
static int dl(const odoc *d) { return d->nt + d->nb; }

/* Stem index of a vocabulary word; words sharing a stem share an index. */
static int stem_of(int w)
{
    int k;
    for (k = 0; k < w; k++)
        if (strcmp(stem[k], stem[w]) == 0) return k;
    return w;
}

static int write_docs(const char *dir)
{
    ng_writer_options wo = NG_WRITER_OPTIONS_INIT;
    ng_writer *w;
    int i, j;
    wo.memory_limit = 64 * 1024;
    wo.threads = 1;
    if (ng_writer_open(&w, dir, &wo) != NG_OK) return -1;
    for (i = 0; i < NDOCS; i++) {
        odoc *d = &g_docs[i];
        char id[16], title[MAXT * 12], body[MAXB * 12], date[16];
        size_t tl = 0, bl = 0;
        ng_document doc;
        int y;
        unsigned m, dd;
        d->nt = (int)rnd(MAXT + 1);
        d->nb = 1 + (int)rnd(MAXB);
        for (j = 0; j < d->nt; j++) {
            d->w[j] = (int)rnd(V);
            tl += (size_t)snprintf(title + tl, sizeof title - tl, "%s%s", j ? " " : "", vocab[d->w[j]]);
        }
        if (d->nt) d->w[d->nt] = -1;
        for (j = 0; j < d->nb; j++) {
            d->w[npos(d) - d->nb + j] = (int)rnd(V);
            bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s%s", j ? " " : "", vocab[d->w[npos(d) - d->nb + j]]);
        }
        d->date = rnd(10) == 0 ? NG_DATE_NONE : ng__days_from_civil(2021, 12, 1) + (int32_t)rnd(120);
        memset(&doc, 0, sizeof doc);
        snprintf(id, sizeof id, "%d", i);
        doc.id = id;
        doc.id_len = strlen(id);
        doc.title = title;
        doc.title_len = tl;
        doc.body = body;
        doc.body_len = bl;
        if (d->date != NG_DATE_NONE) {
            ng__civil_from_days(d->date, &y, &m, &dd);
            snprintf(date, sizeof date, "%04d-%02u-%02u", y, m, dd);
            doc.date = date;
            doc.date_len = 10;
        }
        if (ng_writer_add(w, &doc) != NG_OK) {
            ng_writer_free(w);
            return -1;
        }
    }
    i = ng_writer_commit(w);
    ng_writer_free(w);
    return i;
}

static int suite_init(void)
{
    ng_analyzer *a;
    char dir[4200];
    uint64_t n, docnum;
    double tokens = 0;
    int i;
    if (ng_test_tmpdir_init() != 0 || ng_analyzer__new(&a, "english") != NG_OK) return -1;
    for (i = 0; i < V; i++) ng__analyze(a, vocab[i], strlen(vocab[i]), 0, on_stem, stem[i], NULL);
    ng_analyzer__free(a);
    snprintf(dir, sizeof dir, "%s/ix", ng_test_tmpdir);
    if (write_docs(dir) != 0 || ng_index_open(&g_ix, dir) != NG_OK) return -1;
    n = g_ix->n_live;
    for (docnum = 0; docnum < n; docnum++) {
        ng_buf b = NG_BUF_INIT;
        if (ng_index_document(&b, g_ix, docnum, NG_FIELD_ID) != NG_OK) return -1;
        g_id_of[docnum] = atoi(b.ptr);
        ng_buf_dispose(&b);
    }
    g_N = NDOCS;
    for (i = 0; i < NDOCS; i++) tokens += dl(&g_docs[i]);
    g_avgdl = tokens / g_N;
    return g_ix->n_segs > 1 ? 0 : -1; /* several segments, as intended */
}

static int suite_clean(void)
{
    ng_index_free(g_ix);
    g_ix = NULL;
    return ng_test_tmpdir_clean();
}

/* ---------------------------------------------------------------- */
/* The oracle                                                        */

static double o_idf(double df) { return log(1.0 + (g_N - df + 0.5) / (df + 0.5)); }
static double o_tf(double tf, double len) { return tf * (K1 + 1) / (tf + K1 * (1 - B + B * len / g_avgdl)); }
static double o_sat(double tf) { return tf * (K1 + 1) / (tf + K1); }

/* Does word position p of d hold stem s (in the title only if title)? */
static int has(const odoc *d, int p, int s, int title)
{
    return p >= 0 && p < npos(d) && d->w[p] >= 0 && stem_of(d->w[p]) == s && (!title || p < d->nt);
}

static int tf_of(const odoc *d, int s, int title)
{
    int p, n = 0;
    for (p = 0; p < npos(d); p++) n += has(d, p, s, title);
    return n;
}

static double df_of(int s, int title)
{
    int i, n = 0;
    for (i = 0; i < NDOCS; i++) n += tf_of(&g_docs[i], s, title) > 0;
    return n;
}

/* Unfielded word s: bm25 + title weight. */
static double o_word(const odoc *d, int s, double tw)
{
    double idf = o_idf(df_of(s, 0));
    int tf = tf_of(d, s, 0), tt = tf_of(d, s, 1);
    if (!tf) return -1;
    return idf * o_tf(tf, dl(d)) + tw * idf * o_sat(tt);
}

/* Positional match: operands s[0..n) at offsets rel, width W, anchors counted. */
static int o_anchors(const odoc *d, const int *s, const int *rel, int n, int W)
{
    int p0, f = 0, P = npos(d);
    for (p0 = 0; p0 < P; p0++) {
        int pos[3], ok = 0;
        if (!has(d, p0, s[0], 0)) continue;
        pos[0] = p0;
        /* brute force over the other operands' positions (n <= 3) */
        for (pos[1] = 0; pos[1] < P && !ok; pos[1]++) {
            if (n > 1 && !has(d, pos[1], s[1], 0)) continue;
            for (pos[2] = 0; pos[2] < P && !ok; pos[2]++) {
                int lo = 1 << 30, hi = -(1 << 30), i, j, distinct = 1;
                if (n > 2 && !has(d, pos[2], s[2], 0)) continue;
                for (i = 0; i < n; i++) {
                    int v = pos[i] - rel[i];
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                    for (j = 0; j < i; j++)
                        if (s[i] == s[j] && pos[i] == pos[j]) distinct = 0;
                }
                ok = distinct && hi - lo <= W;
                if (n <= 2) break;
            }
            if (n <= 1) break;
        }
        f += ok;
    }
    return f;
}

/* ---------------------------------------------------------------- */
/* Engine vs oracle                                                  */

typedef double (*oracle_fn)(const odoc *d, const void *arg); /* < 0: no match */

static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * fabs(b) + 1e-12; }

/* Run text with options; every doc must match iff the oracle says so, with its score. */
static void check(const char *text, const ng_search_options *o, oracle_fn fn, const void *arg, int line)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    ng_query *q = NULL;
    ng_results *r = NULL;
    int seen[NDOCS] = {0}, bad = 0, i;
    size_t n, h;
    if (!o) o = &def;
    def = *o;
    def.limit = NDOCS;
    if (ng_query_parse(&q, g_ix, text, strlen(text)) != NG_OK || ng_search(&r, g_ix, q, &def) != NG_OK) {
        fprintf(stderr, "\n  line %d: [%s] failed: %s\n", line, text, ng_error_last()->message);
        CU_FAIL("query failed");
        ng_query_free(q);
        return;
    }
    n = ng_results_count(r);
    for (h = 0; h < n; h++) {
        ng_hit hit;
        double want;
        ng_results_hit(&hit, r, h);
        i = (int)g_id_of[hit.docnum];
        seen[i] = 1;
        want = fn(&g_docs[i], arg);
        if (want < 0 || !close_to(hit.score, want)) {
            if (bad++ < 3) fprintf(stderr, "\n  line %d: [%s] doc %d: engine %.12g, oracle %.12g\n", line, text, i, hit.score, want);
        }
    }
    for (i = 0; i < NDOCS; i++)
        if (!seen[i] && fn(&g_docs[i], arg) >= 0 && bad++ < 3) {
            int p;
            fprintf(stderr, "\n  line %d: [%s] doc %d missed:", line, text, i);
            for (p = 0; p < npos(&g_docs[i]); p++) fprintf(stderr, " %s", g_docs[i].w[p] < 0 ? "|" : vocab[g_docs[i].w[p]]);
            fputc('\n', stderr);
        }
    CU_assertImplementation(bad == 0, (unsigned)line, "engine == oracle", __FILE__, "", CU_FALSE);
    CU_ASSERT_EQUAL(ng_results_total(r), n);
    ng_results_free(r);
    ng_query_free(q);
}

typedef struct qarg {
    int s[3], rel[3], n, W;
    double boost, tw;
    int dated;            /* only documents dated first..last */
    int32_t first, last;
    double half_life;     /* recency */
    int32_t newest, oldest;
} qarg;

static qarg plain(int s0)
{
    qarg a;
    memset(&a, 0, sizeof a);
    a.s[0] = s0;
    a.n = 1;
    a.boost = 1.0;
    a.tw = TW;
    return a;
}

static double f_word(const odoc *d, const void *arg)
{
    const qarg *a = arg;
    double v = o_word(d, a->s[0], a->tw);
    if (v < 0) return -1;
    if (a->dated && (d->date == NG_DATE_NONE || d->date < a->first || d->date > a->last)) return -1;
    if (a->half_life > 0)
        v *= exp2(-(double)(a->newest - (d->date == NG_DATE_NONE ? a->oldest : d->date)) / a->half_life);
    return a->boost * v;
}

static double f_positional(const odoc *d, const void *arg)
{
    const qarg *a = arg;
    double idf = 0;
    int f = o_anchors(d, a->s, a->rel, a->n, a->W), i;
    if (!f) return -1;
    for (i = 0; i < a->n; i++) idf += o_idf(df_of(a->s[i], 0));
    return idf * o_tf(f, dl(d));
}

static double f_alt(const odoc *d, const void *arg) /* the best of s[0..n) */
{
    const qarg *a = arg;
    double best = -1;
    int i;
    for (i = 0; i < a->n; i++) {
        double v = o_word(d, a->s[i], TW);
        if (v > best) best = v;
    }
    return best;
}

static double f_title(const odoc *d, const void *arg)
{
    const qarg *a = arg;
    int tt = tf_of(d, a->s[0], 1);
    return tt ? o_idf(df_of(a->s[0], 1)) * o_sat(tt) : -1;
}

static double f_boost_and(const odoc *d, const void *arg) /* s0^boost s1 */
{
    const qarg *a = arg;
    double x = o_word(d, a->s[0], TW), y = o_word(d, a->s[1], TW);
    return x < 0 || y < 0 ? -1 : a->boost * x + y;
}

static int word_index(const char *w)
{
    int i;
    for (i = 0; i < V; i++)
        if (strcmp(vocab[i], w) == 0) return i;
    return 0;
}
#define S(w) stem_of(word_index(w))

static void test_words_and_title_weight(void)
{
    int w;
    for (w = 0; w < V; w++) {
        qarg a = plain(stem_of(w));
        ng_search_options o = NG_SEARCH_OPTIONS_INIT;
        check(vocab[w], NULL, f_word, &a, __LINE__);
        o.title_weight = a.tw = 2.0;
        check(vocab[w], &o, f_word, &a, __LINE__);
        o.title_weight = a.tw = 0;
        check(vocab[w], &o, f_word, &a, __LINE__);
    }
}

static void test_near_and_sloppy(void)
{
    int t, k;
    for (t = 0; t < 40; t++) {
        qarg a = plain(stem_of((int)rnd(V)));
        char q[2048];
        a.s[1] = t % 5 == 0 ? a.s[0] : stem_of((int)rnd(V)); /* sometimes the same word twice */
        a.n = 2;
        k = (int)rnd(6);
        a.W = k + 1;
        snprintf(q, sizeof q, "%s NEAR/%d %s", vocab[a.s[0]], k, vocab[a.s[1]]);
        check(q, NULL, f_positional, &a, __LINE__);
        if (t % 4 == 0) { /* three operands: one span of k + 2 */
            a.s[2] = stem_of((int)rnd(V));
            a.n = 3;
            a.W = k + 2;
            snprintf(q, sizeof q, "%s NEAR/%d %s NEAR/%d %s", vocab[a.s[0]], k, vocab[a.s[1]], k, vocab[a.s[2]]);
            check(q, NULL, f_positional, &a, __LINE__);
        }
        /* sloppy phrase of 2 or 3 words */
        a.n = 2 + (int)rnd(2);
        a.s[2] = stem_of((int)rnd(V));
        a.rel[0] = 0, a.rel[1] = 1, a.rel[2] = 2;
        a.W = 1 + (int)rnd(4);
        if (a.n == 2) snprintf(q, sizeof q, "\"%s %s\"~%d", vocab[a.s[0]], vocab[a.s[1]], a.W);
        else snprintf(q, sizeof q, "\"%s %s %s\"~%d", vocab[a.s[0]], vocab[a.s[1]], vocab[a.s[2]], a.W);
        check(q, NULL, f_positional, &a, __LINE__);
    }
    { /* NEAR alone is NEAR/10 */
        qarg a = plain(S("alpha"));
        a.s[1] = S("echo");
        a.n = 2;
        a.W = 11;
        check("alpha NEAR echo", NULL, f_positional, &a, __LINE__);
    }
}

static void test_prefix_fuzzy(void)
{
    qarg a = plain(S("tango"));
    a.s[1] = S("tangle");
    a.n = 2;
    check("tang*", NULL, f_alt, &a, __LINE__);
    check("tan*", NULL, f_alt, &a, __LINE__);
    a.n = 1;
    check("tango*", NULL, f_alt, &a, __LINE__);
    a = plain(S("zelensky"));
    a.s[1] = S("zelenskyy");
    a.n = 2;
    check("zelensky~", NULL, f_alt, &a, __LINE__); /* 8 letters: k = 1 */
    check("zelenskyy~1", NULL, f_alt, &a, __LINE__);
    a.n = 1;
    check("zelenskx~1", NULL, f_alt, &a, __LINE__); /* zelenskyy is 2 away */
    check("zelensky~0", NULL, f_alt, &a, __LINE__);
    a.n = 0;
    check("qqqq*", NULL, f_alt, &a, __LINE__); /* expands to nothing: no match */
}

static void test_fields_boost(void)
{
    int w;
    for (w = 0; w < V; w++) {
        qarg a = plain(stem_of(w));
        char q[64];
        snprintf(q, sizeof q, "title:%s", vocab[w]);
        check(q, NULL, f_title, &a, __LINE__);
    }
    {
        qarg a = plain(S("alpha"));
        a.s[1] = S("bravo");
        a.boost = 2.5;
        check("alpha^2.5 bravo", NULL, f_boost_and, &a, __LINE__);
        a.boost = 1;
        check("alpha^1 bravo", NULL, f_boost_and, &a, __LINE__);
    }
}

static void test_dates(void)
{
    qarg a = plain(S("delta"));
    ng_search_options o = NG_SEARCH_OPTIONS_INIT;
    a.dated = 1;
    a.first = ng__days_from_civil(2022, 1, 1);
    a.last = ng__days_from_civil(2022, 1, 31);
    check("delta date:2022-01", NULL, f_word, &a, __LINE__);
    check("delta date:2022-01-01..2022-01-31", NULL, f_word, &a, __LINE__);
    a.last = INT32_MAX;
    check("delta date:2022..", NULL, f_word, &a, __LINE__);
    a.first = INT32_MIN + 1;
    a.last = ng__days_from_civil(2021, 12, 15);
    check("delta date:..2021-12-15", NULL, f_word, &a, __LINE__);
    o.since = a.first = ng__days_from_civil(2021, 12, 10);
    o.until = a.last = ng__days_from_civil(2022, 2, 3);
    check("delta", &o, f_word, &a, __LINE__);
}

static void test_recency(void)
{
    qarg a = plain(S("charlie"));
    ng_search_options o = NG_SEARCH_OPTIONS_INIT;
    int i;
    a.newest = INT32_MIN;
    a.oldest = INT32_MAX;
    for (i = 0; i < NDOCS; i++) {
        if (g_docs[i].date == NG_DATE_NONE) continue;
        if (g_docs[i].date > a.newest) a.newest = g_docs[i].date;
        if (g_docs[i].date < a.oldest) a.oldest = g_docs[i].date;
    }
    o.recent_half_life = a.half_life = 30;
    check("charlie", &o, f_word, &a, __LINE__);
}

/* --sort=date: newest first, ties by docnum, undated last; BM25 scores. */
static void test_sort_date(void)
{
    ng_search_options o = NG_SEARCH_OPTIONS_INIT;
    ng_query *q = NULL;
    ng_topk t;
    ng_plan pl;
    uint64_t total = 0, want_total = 0, docnum;
    size_t h;
    qarg a = plain(S("bravo"));
    NG_ASSERT_OK(ng_query_parse(&q, g_ix, "bravo", 5));
    NG_ASSERT_OK(ng_topk__init(&t, 25));
    NG_ASSERT_OK(ng_plan__init(&pl, g_ix, q->root, &o));
    NG_ASSERT_OK(ng_plan__date_topk(&t, &total, &pl));
    for (docnum = 0; docnum < g_ix->n_live; docnum++) want_total += o_word(&g_docs[g_id_of[docnum]], a.s[0], TW) >= 0;
    CU_ASSERT_EQUAL(total, want_total);
    CU_ASSERT_EQUAL(t.n, 25);
    for (h = 0; h < t.n; h++) {
        const odoc *d = &g_docs[g_id_of[t.heap[h].docnum]];
        CU_ASSERT(close_to(t.heap[h].score, o_word(d, a.s[0], TW)));
        /* no matching document outranks it: newer, or as new with a lower docnum */
        for (docnum = 0; docnum < g_ix->n_live; docnum++) {
            const odoc *e = &g_docs[g_id_of[docnum]];
            int32_t de = e->date == NG_DATE_NONE ? INT32_MIN : e->date, dd = d->date == NG_DATE_NONE ? INT32_MIN : d->date;
            int before = de > dd || (de == dd && docnum < t.heap[h].docnum);
            size_t j;
            int kept = 0;
            if (!before || o_word(e, a.s[0], TW) < 0) continue;
            for (j = 0; j < h; j++) kept |= t.heap[j].docnum == docnum;
            CU_ASSERT(kept);
        }
    }
    ng_plan__free(&pl);
    ng_topk__free(&t);
    ng_query_free(q);
}

static void expect_error(const char *q, int code, size_t off, int line)
{
    ng_query *x = NULL;
    int rc = ng_query_parse(&x, g_ix, q, strlen(q));
    int ok = rc == code && ng_error_last()->offset == off && x == NULL;
    CU_assertImplementation(ok, (unsigned)line, "error code and offset", __FILE__, "", CU_FALSE);
    if (!ok) fprintf(stderr, "\n  line %d: [%s] -> %d at %zu (%s)\n", line, q, rc, ng_error_last()->offset, ng_error_last()->message);
    ng_query_free(x);
}

static void test_errors(void)
{
    expect_error("a NEAR/x b", NG_EQUERY, 2, __LINE__);
    expect_error("a NEAR/1001 b", NG_EQUERY, 2, __LINE__);
    expect_error("a NEAR/2 b NEAR/3 c", NG_EQUERY, 11, __LINE__);
    expect_error("NEAR b", NG_EQUERY, 0, __LINE__);
    expect_error("a NEAR", NG_EQUERY, 2, __LINE__);
    expect_error("a NEAR \"b c\"", NG_EQUERY, 7, __LINE__);
    expect_error("date:2022-13", NG_EQUERY, 5, __LINE__);
    expect_error("x date:2022-02-30", NG_EQUERY, 7, __LINE__);
    expect_error("date:", NG_EQUERY, 0, __LINE__);
    expect_error("date:2023..2022", NG_EQUERY, 5, __LINE__);
    expect_error("title:", NG_EQUERY, 0, __LINE__);
    expect_error("title: x", NG_EQUERY, 0, __LINE__);
    expect_error("alpha~x", NG_EQUERY, 5, __LINE__);
    expect_error("alpha~3", NG_EQUERY, 5, __LINE__);
    expect_error("alpha^x", NG_EQUERY, 5, __LINE__);
    expect_error("alpha^0", NG_EQUERY, 5, __LINE__);
    expect_error("alpha^", NG_EQUERY, 5, __LINE__);
    expect_error("\"a b\"~", NG_EQUERY, 5, __LINE__);
    expect_error("\"a b\"~x", NG_EQUERY, 5, __LINE__);
    expect_error("(a b", NG_EQUERY, 0, __LINE__);
    expect_error("b *", NG_EQUERY, 2, __LINE__);
}

static CU_TestInfo tests[] = {
    {"words, title weight", test_words_and_title_weight},
    {"NEAR and sloppy phrases", test_near_and_sloppy},
    {"prefix and fuzzy expansion", test_prefix_fuzzy},
    {"title field and boosts", test_fields_boost},
    {"date filters, since/until", test_dates},
    {"recency decay", test_recency},
    {"sort by date", test_sort_date},
    {"errors with positions", test_errors},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"qlang", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};
