/*
** test_search.c -- query evaluation (src/eval) against a brute-force oracle.
**
** Documents are generated deterministically from a small vocabulary with
** Zipf-like frequencies and written through the public writer with a tiny
** memory limit (several segments).  The oracle keeps the word lists of the
** live documents and evaluates every random query by brute force: the
** matching set, and the BM25 score computed in double from the definitions
** of src/eval/eval.h:
**   idf = ln(1 + (N - df + 0.5)/(df + 0.5)), N = live docs, df = live docs
**         holding the term;
**   w   = idf * tf*(k1+1) / (tf + k1*(1 - b + b*dl/avgdl)), dl = tokens of
**         the doc (title is empty here), avgdl = mean live length;
**   phrase: tf = occurrences (start positions), idf = sum of its terms';
**   AND / OR: sum of the scores of the matching positive kids; NOT: 0.
** Engine docnums are mapped to the oracle's documents through the stored id.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_int.h"
#include "ng_test.h"
#include "reader/reader.h"
#include "eval/eval.h"
#include "eval/plan.h"
#include "api/api.h"

/* ---------------------------------------------------------------- */
/* Vocabulary                                                        */

static const char *const vocab[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
                                    "golf", "hotel", "india", "juliet", "kilo", "lima"};
#define V ((int)NG_ARRAY_LEN(vocab))
static char vterm[V][NG_MAX_TERM_BYTES + 1];
static double zipf_cum[V];

typedef struct tokcol {
    int n;
    char term[8][NG_MAX_TERM_BYTES + 1];
    uint32_t pos[8];
} tokcol;

static int on_tok(void *payload, const ng_token *t)
{
    tokcol *c = payload;
    if (c->n < 8) {
        snprintf(c->term[c->n], sizeof c->term[c->n], "%.*s", (int)t->term_len, t->term);
        c->pos[c->n] = t->pos;
    }
    c->n++;
    return 0;
}

static int suite_init(void)
{
    ng_analyzer *a;
    double tot = 0, acc = 0;
    int i, j;
    if (ng_test_tmpdir_init() != 0) return -1;
    if (ng_analyzer__new(&a, "english") != NG_OK) return -1;
    for (i = 0; i < V; i++) {
        tokcol c;
        memset(&c, 0, sizeof c);
        if (ng__analyze(a, vocab[i], strlen(vocab[i]), 0, on_tok, &c, NULL) != 0 || c.n != 1) {
            ng_analyzer__free(a);
            return -1;
        }
        strcpy(vterm[i], c.term[0]);
        for (j = 0; j < i; j++)
            if (strcmp(vterm[i], vterm[j]) == 0) { ng_analyzer__free(a); return -1; }
    }
    ng_analyzer__free(a);
    for (i = 0; i < V; i++) tot += 1.0 / (i + 1);
    for (i = 0; i < V; i++) {
        acc += 1.0 / (i + 1) / tot;
        zipf_cum[i] = acc;
    }
    zipf_cum[V - 1] = 1.0;
    return 0;
}

static int suite_clean(void) { return ng_test_tmpdir_clean(); }

static int zipf_word(uint64_t *rs)
{
    double u = (double)(ng_test_rand(rs) >> 11) / 9007199254740992.0;
    int i;
    for (i = 0; i < V - 1; i++)
        if (u < zipf_cum[i]) return i;
    return V - 1;
}

/* ---------------------------------------------------------------- */
/* The oracle's documents                                            */

#define MAXDOCS 4000
#define MAXLEN 60

typedef struct odoc {
    int n;
    int w[MAXLEN];
    int live;
} odoc;

typedef struct oracle {
    odoc docs[MAXDOCS]; /* by id number */
    int n_ids;
    int64_t doc_of[MAXDOCS * 4]; /* engine docnum -> id, -1 if not live */
    uint64_t n_docnums;
    int64_t docnum_of[MAXDOCS]; /* id -> engine docnum */
    double N, avgdl, df[V];
} oracle;

static void gen_doc(odoc *d, uint64_t *rs)
{
    int i;
    d->n = 1 + (int)(ng_test_rand(rs) % MAXLEN);
    for (i = 0; i < d->n; i++) d->w[i] = zipf_word(rs);
    d->live = 1;
}

static int write_doc(ng_writer *w, int id, const odoc *d)
{
    char idbuf[32], body[MAXLEN * 12];
    size_t off = 0;
    int i;
    ng_document doc;
    memset(&doc, 0, sizeof doc);
    snprintf(idbuf, sizeof idbuf, "d%d", id);
    for (i = 0; i < d->n; i++) {
        /* vary separators and case: analysis must not care */
        const char *sep = i == 0 ? "" : (i % 7 == 0 ? ". " : (i % 5 == 0 ? ", " : " "));
        off += (size_t)snprintf(body + off, sizeof body - off, "%s%s", sep, vocab[d->w[i]]);
        if (i % 11 == 3) body[off - strlen(vocab[d->w[i]])] = (char)(body[off - strlen(vocab[d->w[i]])] - 32);
    }
    doc.id = idbuf;
    doc.id_len = (size_t)-1;
    doc.body = body;
    doc.body_len = off;
    return ng_writer_add(w, &doc);
}

/* Diagnostic: take df from the index's dictionaries (which, as of this
** writing, also count replaced and deleted documents) to show that every
** other part of the scoring agrees with the oracle. */
static void oracle_engine_df(oracle *o, ng_index *ix)
{
    int k;
    for (k = 0; k < V; k++) {
        uint64_t df = 0;
        NG_ASSERT_OK(ng_index__df(ix, vterm[k], strlen(vterm[k]), &df));
        o->df[k] = (double)df;
    }
}

static void oracle_stats(oracle *o)
{
    uint64_t tokens = 0;
    int i, j, k;
    o->N = 0;
    for (k = 0; k < V; k++) o->df[k] = 0;
    for (i = 0; i < o->n_ids; i++) {
        const odoc *d = &o->docs[i];
        int seen[V] = {0};
        if (!d->live) continue;
        o->N++;
        tokens += (uint64_t)d->n;
        for (j = 0; j < d->n; j++) seen[d->w[j]] = 1;
        for (k = 0; k < V; k++) o->df[k] += seen[k];
    }
    o->avgdl = o->N ? (double)tokens / o->N : 1.0;
}

/* ---------------------------------------------------------------- */
/* Queries: a random tree rendered to text, evaluated by the oracle  */

typedef enum { Q_TERM, Q_PHRASE, Q_AND, Q_OR, Q_NOT } qk;

typedef struct qn {
    qk kind;
    int w[3], nw;
    struct qn *kids[4];
    int nk;
} qn;

typedef struct qgen {
    qn pool[256];
    int used;
    char text[4096];
    size_t len;
    uint64_t *rs;
} qgen;

static qn *newnode(qgen *g, qk k)
{
    qn *n = &g->pool[g->used++];
    memset(n, 0, sizeof *n);
    n->kind = k;
    return n;
}

static void emit(qgen *g, const char *s)
{
    g->len += (size_t)snprintf(g->text + g->len, sizeof g->text - g->len, "%s", s);
}

static unsigned rnd(qgen *g, unsigned n) { return (unsigned)(ng_test_rand(g->rs) % n); }

static qn *gen_and(qgen *g, int depth);

/* primary := "(" and_expr ")" | '"' words '"' | WORD */
static qn *gen_primary(qgen *g, int depth)
{
    unsigned r = rnd(g, 10);
    if (r < 2 && depth > 0 && g->used < 200) {
        qn *n;
        emit(g, "(");
        n = gen_and(g, depth - 1);
        emit(g, ")");
        return n;
    }
    if (r < 4) {
        int nw = 2 + (int)rnd(g, 2), i;
        qn *n = newnode(g, Q_PHRASE);
        if (rnd(g, 8) == 0) nw = 1; /* a quoted single word is a term */
        emit(g, "\"");
        for (i = 0; i < nw; i++) {
            n->w[i] = zipf_word(g->rs) % 6; /* frequent words: phrases match often */
            if (i) emit(g, " ");
            emit(g, vocab[n->w[i]]);
        }
        emit(g, "\"");
        n->nw = nw;
        if (nw == 1) n->kind = Q_TERM;
        return n;
    } else {
        qn *n = newnode(g, Q_TERM);
        n->w[0] = (int)rnd(g, V);
        n->nw = 1;
        emit(g, vocab[n->w[0]]);
        return n;
    }
}

/* or_expr := unary { OR unary } (positive unaries only) */
static qn *gen_or(qgen *g, int depth)
{
    int n = rnd(g, 3) == 0 ? 2 + (int)rnd(g, 2) : 1, i;
    qn *o;
    if (n == 1) return gen_primary(g, depth);
    o = newnode(g, Q_OR);
    for (i = 0; i < n; i++) {
        if (i) emit(g, " OR ");
        o->kids[o->nk++] = gen_primary(g, depth);
    }
    return o;
}

/* and_expr := or_expr { [AND] or_expr }, with NOT items beside a positive one */
static qn *gen_and(qgen *g, int depth)
{
    int n = 1 + (int)rnd(g, 3), i, pos = 0;
    qn *a = newnode(g, Q_AND);
    for (i = 0; i < n; i++) {
        int neg = i > 0 || n > 1 ? rnd(g, 4) == 0 : 0;
        if (i == n - 1 && !pos) neg = 0;
        if (i) emit(g, rnd(g, 2) ? " AND " : " ");
        if (neg) {
            qn *x = newnode(g, Q_NOT);
            emit(g, rnd(g, 2) ? "-" : "NOT ");
            x->kids[0] = gen_primary(g, depth);
            x->nk = 1;
            a->kids[a->nk++] = x;
        } else {
            a->kids[a->nk++] = gen_or(g, depth);
            pos++;
        }
    }
    if (a->nk == 1) return a->kids[0];
    return a;
}

typedef struct bm25p {
    double k1, b;
} bm25p;

static double o_idf(const oracle *o, double df) { return log(1.0 + (o->N - df + 0.5) / (df + 0.5)); }

static double o_tf(const oracle *o, const bm25p *p, double tf, double dl)
{
    return tf * (p->k1 + 1.0) / (tf + p->k1 * (1.0 - p->b + p->b * dl / o->avgdl));
}

/* Does n match d?  *score receives its BM25 score. */
static int o_eval(const oracle *o, const bm25p *p, const qn *n, const odoc *d, double *score)
{
    int i, j, m;
    double s = 0, ks;
    *score = 0;
    switch (n->kind) {
    case Q_TERM:
        for (i = 0, m = 0; i < d->n; i++) m += d->w[i] == n->w[0];
        if (!m) return 0;
        *score = o_idf(o, o->df[n->w[0]]) * o_tf(o, p, m, d->n);
        return 1;
    case Q_PHRASE: {
        double idf = 0;
        for (i = 0, m = 0; i + n->nw <= d->n; i++) {
            for (j = 0; j < n->nw && d->w[i + j] == n->w[j]; j++) {}
            m += j == n->nw;
        }
        if (!m) return 0;
        for (j = 0; j < n->nw; j++) idf += o_idf(o, o->df[n->w[j]]);
        *score = idf * o_tf(o, p, m, d->n);
        return 1;
    }
    case Q_AND:
        for (i = 0; i < n->nk; i++) {
            if (n->kids[i]->kind == Q_NOT) {
                if (o_eval(o, p, n->kids[i]->kids[0], d, &ks)) return 0;
            } else {
                if (!o_eval(o, p, n->kids[i], d, &ks)) return 0;
                s += ks;
            }
        }
        *score = s;
        return 1;
    case Q_OR:
        for (i = 0, m = 0; i < n->nk; i++)
            if (o_eval(o, p, n->kids[i], d, &ks)) {
                m = 1;
                s += ks;
            }
        *score = s;
        return m;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------- */
/* Mapping engine docnums to ids                                     */

typedef struct vec {
    uint64_t *v;
    size_t n, cap;
} vec;

static int collect(uint64_t docnum, void *payload)
{
    vec *x = payload;
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 256;
        x->v = realloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n++] = docnum;
    return 0;
}

static int build_map(oracle *o, ng_index *ix)
{
    char qs[512];
    size_t off = 0;
    ng_query *q;
    vec all = {NULL, 0, 0};
    ng_buf b = NG_BUF_INIT;
    size_t i;
    int k, bad = 0;
    for (k = 0; k < V; k++) off += (size_t)snprintf(qs + off, sizeof qs - off, "%s%s", k ? " OR " : "", vocab[k]);
    if (ng_query_parse(&q, ix, qs, (size_t)-1) != NG_OK) return -1;
    if (ng_search_each(ix, q, collect, &all) != NG_OK) return -1;
    ng_query_free(q);
    for (i = 0; i < MAXDOCS * 4; i++) o->doc_of[i] = -1;
    for (i = 0; i < MAXDOCS; i++) o->docnum_of[i] = -1;
    o->n_docnums = 0;
    for (i = 0; i < all.n; i++) {
        int id;
        if (all.v[i] >= MAXDOCS * 4 || ng_index_document(&b, ix, all.v[i], NG_FIELD_ID) != NG_OK ||
            sscanf(b.ptr ? b.ptr : "", "d%d", &id) != 1 || id < 0 || id >= o->n_ids) {
            bad++;
            continue;
        }
        if (o->docnum_of[id] != -1 || !o->docs[id].live) bad++;
        o->doc_of[all.v[i]] = id;
        o->docnum_of[id] = (int64_t)all.v[i];
        if (all.v[i] + 1 > o->n_docnums) o->n_docnums = all.v[i] + 1;
    }
    CU_ASSERT_EQUAL(all.n, (size_t)o->N);
    for (k = 0; k < o->n_ids; k++)
        if (o->docs[k].live && o->docnum_of[k] < 0) bad++;
    ng_buf_dispose(&b);
    free(all.v);
    CU_ASSERT_EQUAL(bad, 0);
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- */
/* Comparing engine and oracle                                       */

typedef struct ohit {
    double score;
    uint64_t docnum;
} ohit;

static int cmp_ohit(const void *a, const void *b)
{
    const ohit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->docnum < y->docnum ? -1 : x->docnum > y->docnum;
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * fabs(b) + 1e-12; }

typedef struct tally {
    int queries, count_bad, each_bad, total_bad, score_bad, order_bad, strict_order, page_bad, parse_bad;
    int near_ties;
    int nonempty;
} tally;

static void report(const char *what, const char *q, int *ctr)
{
    if (++*ctr <= 5) fprintf(stderr, "\n  %s mismatch for query [%s]", what, q);
}

/* A total is right if exact and equal to the matches, or flagged as a
** lower bound and between the hits seen (offset + count) and the matches;
** must_exact: it has to be exact. */
static int total_ok(const ng_results *r, size_t matches, size_t offset, int must_exact)
{
    uint64_t t = ng_results_total(r);
    size_t seen = offset + ng_results_count(r);
    if (ng_results_total_exact(r)) return t == matches;
    /* fewer matches than offset + limit: nothing was pruned, it must be exact */
    return !must_exact && t <= matches && t >= (seen < matches ? seen : matches) && ng_results_count(r) > 0;
}

static void check_query(oracle *o, ng_index *ix, const char *text, const qn *root, tally *t, int paging)
{
    bm25p p = {1.2, 0.75};
    ohit *exp = malloc(sizeof *exp * (size_t)(o->n_ids + 1));
    size_t nexp = 0, i;
    ng_query *q;
    uint64_t cnt = 0;
    vec each = {NULL, 0, 0};
    static const size_t limits[2] = {10, 1000};
    int li, id;
    size_t n_;
    t->queries++;
    for (id = 0; id < o->n_ids; id++) {
        double s;
        if (!o->docs[id].live) continue;
        if (o_eval(o, &p, root, &o->docs[id], &s)) {
            exp[nexp].score = s;
            exp[nexp].docnum = (uint64_t)o->docnum_of[id];
            nexp++;
        }
    }
    qsort(exp, nexp, sizeof *exp, cmp_ohit);
    if (nexp) t->nonempty++;
    if (ng_query_parse(&q, ix, text, (size_t)-1) != NG_OK) {
        report("parse", text, &t->parse_bad);
        free(exp);
        return;
    }
    if (ng_search_count(&cnt, ix, q) != NG_OK || cnt != nexp) report("count", text, &t->count_bad);
    if (ng_search_each(ix, q, collect, &each) != NG_OK || each.n != nexp) {
        report("each", text, &t->each_bad);
    } else {
        /* document order, and the same set */
        uint64_t *sorted = malloc(sizeof *sorted * (nexp + 1));
        int bad = 0;
        for (i = 0; i < nexp; i++) sorted[i] = exp[i].docnum;
        for (i = 1; i < nexp; i++) /* insertion sort is fine: small */
        {
            uint64_t x = sorted[i];
            size_t j = i;
            while (j > 0 && sorted[j - 1] > x) { sorted[j] = sorted[j - 1]; j--; }
            sorted[j] = x;
        }
        for (i = 0; i < nexp; i++) bad |= sorted[i] != each.v[i];
        if (bad) report("each set", text, &t->each_bad);
        free(sorted);
    }
    free(each.v);
    for (li = 0; li < 2; li++) {
        ng_search_options so = NG_SEARCH_OPTIONS_INIT;
        ng_results *r;
        size_t want;
        int sbad = 0, obad = 0, strict = 0;
        so.limit = limits[li];
        if (li == 1) so.total_mode = NG_TOTAL_EXACT; /* li 0: the default, a lower bound */
        if (ng_search(&r, ix, q, &so) != NG_OK) {
            report("search", text, &t->total_bad);
            continue;
        }
        want = nexp < so.limit ? nexp : so.limit;
        if (!total_ok(r, nexp, 0, li == 1) || ng_results_count(r) != want) report("total", text, &t->total_bad);
        for (i = 0; i < ng_results_count(r) && i < want; i++) {
            ng_hit h;
            int hid;
            double os;
            ng_results_hit(&h, r, i);
            hid = h.docnum < MAXDOCS * 4 ? (int)o->doc_of[h.docnum] : -1;
            if (hid < 0 || !o_eval(o, &p, root, &o->docs[hid], &os)) {
                sbad = 1;
                continue;
            }
            if (!close_to(h.score, os) || !close_to(h.score, exp[i].score)) {
                if (!sbad && t->score_bad < 5)
                    fprintf(stderr, "\n  hit %zu: engine %.17g oracle(doc) %.17g oracle(rank) %.17g", i, h.score, os,
                            exp[i].score);
                sbad = 1;
            }
            if (h.docnum != exp[i].docnum) {
                /* only acceptable for a near-tie between different-looking doubles */
                if (close_to(os, exp[i].score)) {
                    strict = 1;
                } else {
                    obad = 1;
                }
            }
            if (i > 0) {
                ng_hit prev;
                ng_results_hit(&prev, r, i - 1);
                if (prev.score < h.score || (prev.score == h.score && prev.docnum >= h.docnum)) obad = 1;
            }
        }
        if (sbad) report("score", text, &t->score_bad);
        if (obad) report("order", text, &t->order_bad);
        t->near_ties += strict;
        if (paging && li == 1 && nexp > 0) {
            /* offset paging equals slicing the full list (limit SIZE_MAX: everything) */
            size_t offs[6], k;
            ng_search_options fo = NG_SEARCH_OPTIONS_INIT;
            ng_results *full = NULL;
            fo.limit = (size_t)-1;
            if (ng_search(&full, ix, q, &fo) != NG_OK || ng_results_count(full) != nexp) {
                report("page full", text, &t->page_bad);
                ng_results_free(full);
                full = NULL;
            }
            offs[0] = 0; offs[1] = 7; offs[2] = 13; offs[3] = nexp > 3 ? nexp - 3 : 0; offs[4] = nexp + 5;
            offs[5] = nexp / 2;
            for (k = 0; k < 6 && full; k++) {
                ng_search_options po = NG_SEARCH_OPTIONS_INIT;
                ng_results *pr;
                size_t n, wantn = offs[k] < nexp ? nexp - offs[k] : 0;
                po.limit = 7;
                po.offset = offs[k];
                if (wantn > 7) wantn = 7;
                if (ng_search(&pr, ix, q, &po) != NG_OK) {
                    report("page", text, &t->page_bad);
                    continue;
                }
                if (ng_results_count(pr) != wantn || !total_ok(pr, nexp, offs[k], 0)) {
                    if (t->page_bad < 5)
                        fprintf(stderr, "\n  offset %zu limit 7: %zu hits (want %zu), total %llu (want %zu)",
                                offs[k], ng_results_count(pr), wantn, (unsigned long long)ng_results_total(pr), nexp);
                    report("page count", text, &t->page_bad);
                }
                for (n = 0; n < ng_results_count(pr) && n < wantn; n++) {
                    ng_hit a, b;
                    ng_results_hit(&a, pr, n);
                    ng_results_hit(&b, full, offs[k] + n);
                    if (a.docnum != b.docnum || a.score != b.score) {
                        report("page slice", text, &t->page_bad);
                        break;
                    }
                }
                ng_results_free(pr);
            }
            /* and the first 1000 of the full list are the limit-1000 hits */
            for (n_ = 0; full && n_ < ng_results_count(r); n_++) {
                ng_hit a, b;
                ng_results_hit(&a, r, n_);
                ng_results_hit(&b, full, n_);
                if (a.docnum != b.docnum || a.score != b.score) {
                    report("page prefix", text, &t->page_bad);
                    break;
                }
            }
            ng_results_free(full);
        }
        ng_results_free(r);
    }
    ng_query_free(q);
    free(exp);
}

static void run_queries(oracle *o, ng_index *ix, uint64_t seed, int nq, tally *t)
{
    uint64_t rs = seed;
    int i;
    memset(t, 0, sizeof *t);
    for (i = 0; i < nq; i++) {
        qgen *g = calloc(1, sizeof *g);
        qn *root;
        g->rs = &rs;
        root = gen_and(g, 2);
        check_query(o, ix, g->text, root, t, i % 10 == 0);
        free(g);
    }
    /* precedence without parentheses: NOT > OR > AND */
    {
        static const char *const fixed[] = {"alpha OR bravo charlie", "alpha bravo OR charlie",
                                            "alpha OR bravo AND charlie OR delta -echo",
                                            "\"alpha bravo\" OR \"bravo alpha\" -charlie",
                                            "NOT alpha bravo", "(alpha OR (bravo \"alpha alpha\")) -(charlie delta)"};
        qgen g;
        memset(&g, 0, sizeof g);
        g.rs = &rs;
        for (i = 0; i < (int)NG_ARRAY_LEN(fixed); i++) {
            qn *a = newnode(&g, Q_AND), *x, *y, *z;
            switch (i) {
            case 0: /* (alpha OR bravo) AND charlie */
                x = newnode(&g, Q_OR);
                y = newnode(&g, Q_TERM); y->w[0] = 0; y->nw = 1; x->kids[x->nk++] = y;
                y = newnode(&g, Q_TERM); y->w[0] = 1; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                y = newnode(&g, Q_TERM); y->w[0] = 2; y->nw = 1; a->kids[a->nk++] = y;
                break;
            case 1: /* alpha AND (bravo OR charlie) */
                y = newnode(&g, Q_TERM); y->w[0] = 0; y->nw = 1; a->kids[a->nk++] = y;
                x = newnode(&g, Q_OR);
                y = newnode(&g, Q_TERM); y->w[0] = 1; y->nw = 1; x->kids[x->nk++] = y;
                y = newnode(&g, Q_TERM); y->w[0] = 2; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                break;
            case 2: /* (alpha OR bravo) AND (charlie OR delta) AND NOT echo */
                x = newnode(&g, Q_OR);
                y = newnode(&g, Q_TERM); y->w[0] = 0; y->nw = 1; x->kids[x->nk++] = y;
                y = newnode(&g, Q_TERM); y->w[0] = 1; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                x = newnode(&g, Q_OR);
                y = newnode(&g, Q_TERM); y->w[0] = 2; y->nw = 1; x->kids[x->nk++] = y;
                y = newnode(&g, Q_TERM); y->w[0] = 3; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                x = newnode(&g, Q_NOT);
                y = newnode(&g, Q_TERM); y->w[0] = 4; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                break;
            case 3:
                x = newnode(&g, Q_OR);
                y = newnode(&g, Q_PHRASE); y->w[0] = 0; y->w[1] = 1; y->nw = 2; x->kids[x->nk++] = y;
                y = newnode(&g, Q_PHRASE); y->w[0] = 1; y->w[1] = 0; y->nw = 2; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                x = newnode(&g, Q_NOT);
                y = newnode(&g, Q_TERM); y->w[0] = 2; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                break;
            case 4:
                x = newnode(&g, Q_NOT);
                y = newnode(&g, Q_TERM); y->w[0] = 0; y->nw = 1; x->kids[x->nk++] = y;
                a->kids[a->nk++] = x;
                y = newnode(&g, Q_TERM); y->w[0] = 1; y->nw = 1; a->kids[a->nk++] = y;
                break;
            default:
                x = newnode(&g, Q_OR);
                y = newnode(&g, Q_TERM); y->w[0] = 0; y->nw = 1; x->kids[x->nk++] = y;
                z = newnode(&g, Q_AND);
                y = newnode(&g, Q_TERM); y->w[0] = 1; y->nw = 1; z->kids[z->nk++] = y;
                y = newnode(&g, Q_PHRASE); y->w[0] = 0; y->w[1] = 0; y->nw = 2; z->kids[z->nk++] = y;
                x->kids[x->nk++] = z;
                a->kids[a->nk++] = x;
                x = newnode(&g, Q_NOT);
                z = newnode(&g, Q_AND);
                y = newnode(&g, Q_TERM); y->w[0] = 2; y->nw = 1; z->kids[z->nk++] = y;
                y = newnode(&g, Q_TERM); y->w[0] = 3; y->nw = 1; z->kids[z->nk++] = y;
                x->kids[x->nk++] = z;
                a->kids[a->nk++] = x;
                break;
            }
            check_query(o, ix, fixed[i], a, t, 1);
        }
    }
}

static void assert_tally(const char *name, const tally *t)
{
    fprintf(stderr, "\n  [%s] %d queries (%d non-empty): count %d, each %d, total %d, score %d, order %d, page %d, parse %d mismatches; %d near-tie swaps\n",
            name, t->queries, t->nonempty, t->count_bad, t->each_bad, t->total_bad, t->score_bad, t->order_bad, t->page_bad,
            t->parse_bad, t->near_ties);
    CU_ASSERT(t->nonempty > t->queries / 2);
    CU_ASSERT_EQUAL(t->parse_bad, 0);
    CU_ASSERT_EQUAL(t->count_bad, 0);
    CU_ASSERT_EQUAL(t->each_bad, 0);
    CU_ASSERT_EQUAL(t->total_bad, 0);
    CU_ASSERT_EQUAL(t->score_bad, 0);
    CU_ASSERT_EQUAL(t->order_bad, 0);
    CU_ASSERT_EQUAL(t->page_bad, 0);
}

static int open_writer(ng_writer **w, const char *dir)
{
    ng_writer_options wo;
    ng_writer_options_init(&wo, NG_WRITER_OPTIONS_VERSION);
    wo.memory_limit = 64 << 10;
    return ng_writer_open(w, dir, &wo);
}

/* ---------------------------------------------------------------- */
/* Tests                                                             */

/* One commit, several segments, no deletions. */
static void test_oracle_fresh(void)
{
    oracle *o = calloc(1, sizeof *o);
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    ng_index_stats st;
    uint64_t rs = 12345;
    tally t;
    int i;
    snprintf(dir, sizeof dir, "%s/fresh", ng_test_tmpdir);
    NG_ASSERT_OK(open_writer(&w, dir));
    if (!w) { free(o); return; }
    o->n_ids = 900;
    for (i = 0; i < o->n_ids; i++) {
        gen_doc(&o->docs[i], &rs);
        NG_ASSERT_OK(write_doc(w, i, &o->docs[i]));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) { free(o); return; }
    NG_ASSERT_OK(ng_index_stats_get(&st, ix));
    fprintf(stderr, "\n  fresh index: %llu docs, %u segments", (unsigned long long)st.docs, st.segments);
    CU_ASSERT(st.segments >= 3);
    CU_ASSERT_EQUAL(st.docs, 900);
    oracle_stats(o);
    if (build_map(o, ix) == 0) {
        /* no deletions: docnum order is insertion order */
        for (i = 0; i < o->n_ids; i++) CU_ASSERT_EQUAL(o->docnum_of[i], i);
        run_queries(o, ix, 777, 400, &t);
        assert_tally("fresh", &t);
    }
    NG_ASSERT_OK(ng_index_check(ix));
    ng_index_free(ix);
    free(o);
}

/* Two commits with replacements (same id, in the memtable and in flushed or
** committed segments) and deletions. */
static void test_oracle_updates(void)
{
    oracle *o = calloc(1, sizeof *o);
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    uint64_t rs = 999;
    tally t;
    int i, n_del = 0;
    snprintf(dir, sizeof dir, "%s/updates", ng_test_tmpdir);
    NG_ASSERT_OK(open_writer(&w, dir));
    if (!w) { free(o); return; }
    o->n_ids = 1200;
    for (i = 0; i < o->n_ids; i++) {
        gen_doc(&o->docs[i], &rs);
        NG_ASSERT_OK(write_doc(w, i, &o->docs[i]));
        if (i % 8 == 7) { /* replace an earlier doc: recent (memtable) or old (flushed) */
            int id = (int)(ng_test_rand(&rs) % (uint64_t)(i + 1));
            if (i % 16 == 7) id = i - 1;
            gen_doc(&o->docs[id], &rs);
            NG_ASSERT_OK(write_doc(w, id, &o->docs[id]));
        }
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);

    /* first generation */
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        oracle_stats(o);
        if (build_map(o, ix) == 0) {
            run_queries(o, ix, 4242, 150, &t);
            assert_tally("replaced, 1st commit", &t);
            oracle_engine_df(o, ix);
            run_queries(o, ix, 4242, 150, &t);
            assert_tally("replaced, 1st commit, df from the dictionaries", &t);
        }
        ng_index_free(ix);
    }

    NG_ASSERT_OK(open_writer(&w, dir));
    if (!w) { free(o); return; }
    for (i = 0; i < 150; i++) { /* replace committed docs */
        int id = (int)(ng_test_rand(&rs) % (uint64_t)o->n_ids);
        gen_doc(&o->docs[id], &rs);
        NG_ASSERT_OK(write_doc(w, id, &o->docs[id]));
    }
    for (i = 0; i < 120; i++) { /* delete live docs */
        int id = (int)(ng_test_rand(&rs) % (uint64_t)o->n_ids);
        char idb[32];
        snprintf(idb, sizeof idb, "d%d", id);
        if (o->docs[id].live) {
            NG_ASSERT_OK(ng_writer_delete(w, idb, (size_t)-1));
            o->docs[id].live = 0;
            n_del++;
        } else {
            CU_ASSERT_EQUAL(ng_writer_delete(w, idb, (size_t)-1), NG_ENOTFOUND);
        }
    }
    for (i = 0; i < 300; i++) {
        int id = o->n_ids++;
        gen_doc(&o->docs[id], &rs);
        NG_ASSERT_OK(write_doc(w, id, &o->docs[id]));
        if (i % 10 == 0) { /* new doc replaced, then deleted, in the same session */
            char idb[32];
            gen_doc(&o->docs[id], &rs);
            NG_ASSERT_OK(write_doc(w, id, &o->docs[id]));
            if (i % 20 == 0) {
                snprintf(idb, sizeof idb, "d%d", id);
                NG_ASSERT_OK(ng_writer_delete(w, idb, (size_t)-1));
                o->docs[id].live = 0;
            }
        }
    }
    CU_ASSERT_EQUAL(ng_writer_delete(w, "nope", 4), NG_ENOTFOUND);
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);

    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) { free(o); return; }
    oracle_stats(o);
    {
        ng_index_stats st;
        NG_ASSERT_OK(ng_index_stats_get(&st, ix));
        CU_ASSERT_EQUAL(st.docs, (uint64_t)o->N);
        fprintf(stderr, "\n  updated index: %llu live docs, %u segments, %d deleted", (unsigned long long)st.docs,
                st.segments, n_del);
    }
    if (build_map(o, ix) == 0) {
        run_queries(o, ix, 31337, 400, &t);
        assert_tally("replaced + deleted, 2nd commit", &t);
        oracle_engine_df(o, ix);
        run_queries(o, ix, 31337, 400, &t);
        assert_tally("replaced + deleted, 2nd commit, df from the dictionaries", &t);
    }
    NG_ASSERT_OK(ng_index_check(ix));
    ng_index_free(ix);
    free(o);
}

/* Reproducer: df counts tombstoned documents, so idf goes negative. */
static void test_df_ignores_deleted(void)
{
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    ng_query *q;
    ng_results *r;
    ng_hit h;
    static const char *const bodies[3] = {"xray yankee", "xray zulu", "xray whiskey"};
    int i;
    snprintf(dir, sizeof dir, "%s/dfdel", ng_test_tmpdir);
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (i = 0; i < 3; i++) {
        ng_document d;
        char id[8];
        memset(&d, 0, sizeof d);
        snprintf(id, sizeof id, "x%d", i);
        d.id = id; d.id_len = (size_t)-1;
        d.body = bodies[i]; d.body_len = (size_t)-1;
        NG_ASSERT_OK(ng_writer_add(w, &d));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    NG_ASSERT_OK(ng_writer_delete(w, "x1", (size_t)-1));
    NG_ASSERT_OK(ng_writer_delete(w, "x2", (size_t)-1));
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    NG_ASSERT_OK(ng_query_parse(&q, ix, "xray", (size_t)-1));
    NG_ASSERT_OK(ng_search(&r, ix, q, NULL));
    CU_ASSERT_EQUAL(ng_results_total(r), 1);
    if (ng_results_hit(&h, r, 0) == NG_OK) {
        /* N = 1, df = 1, dl = avgdl = 2, tf = 1: idf = ln(1 + 0.5/1.5) = ln(4/3), tf part = 1 */
        double want = log(4.0 / 3.0);
        if (!close_to(h.score, want))
            fprintf(stderr, "\n  df counts deleted docs: score %.17g, expected %.17g (df=3 would give %.17g)", h.score,
                    want, log(1.0 + (1 - 3 + 0.5) / 3.5));
        CU_ASSERT(h.score > 0);
        CU_ASSERT(close_to(h.score, want));
    }
    ng_results_free(r);
    ng_query_free(q);
    ng_index_free(ix);
}

/* Live df over multi-block lists: tombstones in a cluster (the blocks
** around it are decoded, the others counted from their skip entries) and
** scattered one by one, at and near 64-document boundaries, against a
** count of the documents left. */
static int lives_has(int doc, int word)
{
    static const int every[4] = {1, 2, 7, 61}; /* word k is in every every[k]-th document */
    return doc % every[word] == 0;
}

static int tombstoned(int doc, int round)
{
    if (round >= 1 && doc >= 1000 && doc < 1300) return 1;                      /* a cluster */
    if (round >= 2 && (doc % 97 == 0 || doc == 63 || doc == 64 || doc == 2047)) return 1; /* scattered */
    return 0;
}

static void test_live_df_skips_clean_blocks(void)
{
    static const char *const words[4] = {"kvrx", "kvrz", "kvrq", "kvrb"};
    enum { N = 3000 };
    char dir[4200];
    ng_writer *w;
    ng_writer_options o;
    int doc, k, round;
    snprintf(dir, sizeof dir, "%s/livedf", ng_test_tmpdir);
    ng_writer_options_init(&o, NG_WRITER_OPTIONS_VERSION);
    o.no_merge = 1; /* keep the tombstones in the segment */
    NG_ASSERT_OK(ng_writer_open(&w, dir, &o));
    if (!w) return;
    for (doc = 0; doc < N; doc++) {
        char id[16], body[64] = "filler";
        ng_document d;
        memset(&d, 0, sizeof d);
        for (k = 0; k < 4; k++)
            if (lives_has(doc, k)) strcat(strcat(body, " "), words[k]);
        snprintf(id, sizeof id, "d%d", doc);
        d.id = id; d.id_len = (size_t)-1;
        d.body = body; d.body_len = (size_t)-1;
        NG_ASSERT_OK(ng_writer_add(w, &d));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    for (round = 0; round < 3; round++) {
        ng_index *ix;
        if (round > 0) {
            for (doc = 0; doc < N; doc++)
                if (tombstoned(doc, round) && !tombstoned(doc, round - 1)) {
                    char id[16];
                    snprintf(id, sizeof id, "d%d", doc);
                    NG_ASSERT_OK(ng_writer_delete(w, id, (size_t)-1));
                }
            NG_ASSERT_OK(ng_writer_commit(w));
        }
        NG_ASSERT_OK(ng_index_open(&ix, dir));
        if (!ix) break;
        CU_ASSERT_EQUAL(ix->n_segs, 1);
        for (k = 0; k < 4; k++) {
            uint64_t df = 0, want = 0;
            for (doc = 0; doc < N; doc++) want += lives_has(doc, k) && !tombstoned(doc, round);
            NG_ASSERT_OK(ng_index__df(ix, words[k], strlen(words[k]), &df));
            CU_ASSERT_EQUAL(df, want);
            if (df != want) fprintf(stderr, "\n  round %d %s: live df %llu, want %llu", round, words[k],
                                    (unsigned long long)df, (unsigned long long)want);
        }
        ng_index_free(ix);
    }
    ng_writer_free(w);
}

/* ---------------------------------------------------------------- */
/* Dynamic pruning (src/eval/maxscore.c) against exhaustive scoring  */
/*
** A larger collection: PV words with Zipfian frequencies (s = 1), so that
** frequent words have long multi-block lists and rare words short ones;
** several segments and tombstones.  Words are consonant strings that the
** English stemmer leaves alone.  For random queries -- OR of 2-6 words, AND
** of 2-3, and mixtures with an OR group, a phrase or a NOT -- the pruned
** top-k (ng_eval__search without exact total, and ng_search) must equal
** the exhaustive top-k computed here by scoring every match of the same
** cursors: same documents in the same order, scores within 1e-9.  The
** match count is checked against a brute-force evaluation of the word
** lists, and the top hits' scores against BM25 computed from the lists.
*/

#define PV 300
#define PDOCS 6000
#define PMAXLEN 80

typedef struct pcoll {
    char word[PV][8];
    double cum[PV];
    int *w[PDOCS];    /* words of each doc */
    int len[PDOCS];
    int live[PDOCS];
    int64_t docnum_of[PDOCS];
    int *id_of;       /* docnum -> id */
    uint64_t n_docnums;
    double N, avgdl, df[PV];
    int rich;         /* titles (a third of the docs) and dates: p_write_rich */
} pcoll;

static int p_word(const pcoll *pc, uint64_t *rs)
{
    double u = (double)(ng_test_rand(rs) >> 11) / 9007199254740992.0;
    int lo = 0, hi = PV - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < pc->cum[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static void p_init_words(pcoll *pc)
{
    static const char cons[] = "bcdfghjklmnpqrstvwxz";
    double tot = 0, acc = 0;
    int i;
    for (i = 0; i < PV; i++) {
        snprintf(pc->word[i], sizeof pc->word[i], "q%c%c%c", cons[i % 20], cons[(i / 20) % 20], cons[(i / 400) % 20]);
        tot += 1.0 / (i + 1);
    }
    for (i = 0; i < PV; i++) {
        acc += 1.0 / (i + 1) / tot;
        pc->cum[i] = acc;
    }
    pc->cum[PV - 1] = 1.0;
}

static int p_write(ng_writer *w, const pcoll *pc, int id)
{
    char idbuf[32], *body = malloc(PMAXLEN * 8 + 1);
    size_t off = 0;
    int i, rc;
    ng_document doc;
    memset(&doc, 0, sizeof doc);
    snprintf(idbuf, sizeof idbuf, "p%d", id);
    for (i = 0; i < pc->len[id]; i++) off += (size_t)sprintf(body + off, "%s%s", i ? " " : "", pc->word[pc->w[id][i]]);
    doc.id = idbuf;
    doc.id_len = (size_t)-1;
    doc.body = body;
    doc.body_len = off;
    if (pc->rich) { /* title: 1-3 of the body's words; date: one of ~3 years */
        char title[3 * 8 + 1], date[16];
        size_t toff = 0;
        int nt = id % 3 == 0 ? 1 + id % 3 + (id / 3) % 3 : 0;
        for (i = 0; i < nt && i < pc->len[id]; i++)
            toff += (size_t)sprintf(title + toff, "%s%s", i ? " " : "", pc->word[pc->w[id][(i * 7 + id) % pc->len[id]]]);
        snprintf(date, sizeof date, "20%02d-%02d-%02d", 18 + id % 3, 1 + (id / 3) % 12, 1 + (id / 36) % 28);
        doc.title = title;
        doc.title_len = toff;
        if (id % 17) { /* some undated */
            doc.date = date;
            doc.date_len = strlen(date);
        }
        rc = ng_writer_add(w, &doc);
        free(body);
        return rc;
    }
    rc = ng_writer_add(w, &doc);
    free(body);
    return rc;
}

static void p_stats(pcoll *pc)
{
    uint64_t tokens = 0;
    int i, j;
    static int seen[PV];
    pc->N = 0;
    memset(pc->df, 0, sizeof pc->df);
    for (i = 0; i < PDOCS; i++) {
        if (!pc->live[i]) continue;
        pc->N++;
        tokens += (uint64_t)pc->len[i];
        memset(seen, 0, sizeof seen);
        for (j = 0; j < pc->len[i]; j++) seen[pc->w[i][j]] = 1;
        for (j = 0; j < PV; j++) pc->df[j] += seen[j];
    }
    pc->avgdl = (double)tokens / pc->N;
}

/* A query: AND of groups, each an OR of items (a word or a 2-word phrase),
** plus at most one NOT word. */
typedef struct pitem { int w[2], nw; } pitem;
typedef struct pquery {
    pitem item[4][6];
    int n_items[4], n_groups, not_word;
    char text[512];
} pquery;

static void p_gen_query(const pcoll *pc, uint64_t *rs, pquery *q)
{
    int kind = (int)(ng_test_rand(rs) % 4), g, i;
    size_t off = 0;
    memset(q, 0, sizeof *q);
    q->not_word = -1;
    if (kind <= 1) { /* OR of 2-6 */
        q->n_groups = 1;
        q->n_items[0] = 2 + (int)(ng_test_rand(rs) % 5);
    } else if (kind == 2) { /* AND of 2-3 */
        q->n_groups = 2 + (int)(ng_test_rand(rs) % 2);
        for (g = 0; g < q->n_groups; g++) q->n_items[g] = 1;
    } else { /* mixed: (OR) AND word, maybe a NOT */
        q->n_groups = 2;
        q->n_items[0] = 2 + (int)(ng_test_rand(rs) % 3);
        q->n_items[1] = 1 + (int)(ng_test_rand(rs) % 2);
        if (ng_test_rand(rs) % 2) q->not_word = (int)(ng_test_rand(rs) % 40);
    }
    for (g = 0; g < q->n_groups; g++) {
        if (g) off += (size_t)snprintf(q->text + off, sizeof q->text - off, " ");
        if (q->n_items[g] > 1 && q->n_groups > 1) off += (size_t)snprintf(q->text + off, sizeof q->text - off, "(");
        for (i = 0; i < q->n_items[g]; i++) {
            pitem *it = &q->item[g][i];
            it->nw = ng_test_rand(rs) % 8 == 0 ? 2 : 1;
            /* mix a rare word among frequent ones: the case pruning is for */
            it->w[0] = ng_test_rand(rs) % 3 == 0 ? (int)(ng_test_rand(rs) % PV) : p_word(pc, rs);
            it->w[1] = p_word(pc, rs) % 10;
            if (i) off += (size_t)snprintf(q->text + off, sizeof q->text - off, " OR ");
            if (it->nw == 2)
                off += (size_t)snprintf(q->text + off, sizeof q->text - off, "\"%s %s\"", pc->word[it->w[0]],
                                        pc->word[it->w[1]]);
            else
                off += (size_t)snprintf(q->text + off, sizeof q->text - off, "%s", pc->word[it->w[0]]);
        }
        if (q->n_items[g] > 1 && q->n_groups > 1) off += (size_t)snprintf(q->text + off, sizeof q->text - off, ")");
    }
    if (q->not_word >= 0) snprintf(q->text + off, sizeof q->text - off, " -%s", pc->word[q->not_word]);
}

/* Brute force: does doc id match, and its BM25 score. */
static int p_match(const pcoll *pc, const pquery *q, int id, double *score)
{
    const double k1 = 1.2, b = 0.75;
    double s = 0;
    int g, i, j;
    const int *w = pc->w[id], n = pc->len[id];
    if (q->not_word >= 0)
        for (j = 0; j < n; j++)
            if (w[j] == q->not_word) return 0;
    for (g = 0; g < q->n_groups; g++) {
        int any = 0;
        for (i = 0; i < q->n_items[g]; i++) {
            const pitem *it = &q->item[g][i];
            double tf = 0, idf;
            for (j = 0; j + it->nw <= n; j++) tf += w[j] == it->w[0] && (it->nw == 1 || w[j + 1] == it->w[1]);
            if (tf == 0) continue;
            any = 1;
            idf = log(1.0 + (pc->N - pc->df[it->w[0]] + 0.5) / (pc->df[it->w[0]] + 0.5));
            if (it->nw == 2) idf += log(1.0 + (pc->N - pc->df[it->w[1]] + 0.5) / (pc->df[it->w[1]] + 0.5));
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * n / pc->avgdl));
        }
        if (!any) return 0;
    }
    *score = s;
    return 1;
}

/* The exhaustive top-k: score every live match of the plan's cursors. */
static int exhaustive_topk_opt(ng_topk *t, uint64_t *total, ng_index *ix, const ng_query *q,
                              const ng_search_options *o)
{
    ng_plan pl;
    uint32_t s;
    int rc = ng_plan__init(&pl, ix, q->root, o);
    *total = 0;
    for (s = 0; !rc && q->root && s < ix->n_segs; s++) {
        const ng_segment *seg = &ix->segs[s];
        ng_cursor *c;
        if ((rc = ng_plan__build(&c, q->root, seg, &pl)) != NG_OK) break;
        while (c->doc != NG_FMT_DOCID_END) {
            if (!ng_seg__deleted(seg, c->doc)) {
                ng_topk__push(t, c->ops->score(c), seg->base + c->doc);
                (*total)++;
            }
            rc = ng_cursor__next(c);
            if (rc == NG_ITEROVER) rc = NG_OK;
            if (rc) break;
        }
        ng_cursor__free(c);
    }
    ng_plan__free(&pl);
    ng_topk__sort(t);
    return rc;
}

static int exhaustive_topk(ng_topk *t, uint64_t *total, ng_index *ix, const ng_query *q)
{
    return exhaustive_topk_opt(t, total, ix, q, NULL);
}

typedef struct ptally {
    int queries, runs, nonempty, pruned_bad, exact_bad, count_bad, oracle_bad;
    uint64_t scored_pruned, scored_exhaustive;
} ptally;

static void p_check(const pcoll *pc, ng_index *ix, const pquery *pq, ptally *pt)
{
    static const size_t ks[4] = {1, 10, 100, 1000};
    ng_query *q;
    uint64_t total, cnt = 0, brute = 0;
    int id, ki;
    double sc;
    for (id = 0; id < PDOCS; id++) brute += pc->live[id] && p_match(pc, pq, id, &sc);
    if (ng_query_parse(&q, ix, pq->text, (size_t)-1) != NG_OK) {
        report("parse", pq->text, &pt->count_bad);
        return;
    }
    pt->queries++;
    pt->nonempty += brute > 0;
    if (ng_search_count(&cnt, ix, q) != NG_OK || cnt != brute) report("count", pq->text, &pt->count_bad);
    for (ki = 0; ki < 4; ki++) {
        ng_topk ref;
        ng_search_options so = NG_SEARCH_OPTIONS_INIT;
        ng_results *pr = NULL, *er = NULL;
        size_t i;
        int bad = 0, ebad = 0;
        so.limit = ks[ki];
        ng_topk__init(&ref, ks[ki]);
        ng_eval__counters_reset();
        if (exhaustive_topk(&ref, &total, ix, q) != NG_OK || total != brute) report("exhaustive", pq->text, &pt->count_bad);
        pt->scored_exhaustive += total;
        ng_eval__counters_reset();
        if (ng_eval__search(&pr, ix, q, &so, 0) != NG_OK) bad = 1;
        pt->scored_pruned += ng_eval__counters()->docs_scored;
        so.total_mode = NG_TOTAL_EXACT; /* the count is checked too */
        if (ng_search(&er, ix, q, &so) != NG_OK || ng_results_total(er) != brute) ebad = 1;
        so.total_mode = NG_TOTAL_LOWER_BOUND;
        pt->runs++;
        if (!bad && ng_results_count(pr) != ref.n) bad = 1;
        if (!ebad && ng_results_count(er) != ref.n) ebad = 1;
        for (i = 0; i < ref.n; i++) {
            ng_hit h;
            double os;
            int hid;
            if (!bad && (ng_results_hit(&h, pr, i) != NG_OK || h.docnum != ref.heap[i].docnum ||
                         !close_to(h.score, ref.heap[i].score)))
                bad = 1;
            if (!ebad && (ng_results_hit(&h, er, i) != NG_OK || h.docnum != ref.heap[i].docnum ||
                          !close_to(h.score, ref.heap[i].score)))
                ebad = 1;
            /* the reference itself against BM25 from the word lists */
            hid = ref.heap[i].docnum < pc->n_docnums ? pc->id_of[ref.heap[i].docnum] : -1;
            if (hid < 0 || !p_match(pc, pq, hid, &os) || !close_to(ref.heap[i].score, os))
                report("oracle score", pq->text, &pt->oracle_bad);
        }
        if (bad) report("pruned top-k", pq->text, &pt->pruned_bad);
        if (ebad) report("ng_search top-k", pq->text, &pt->exact_bad);
        ng_results_free(pr);
        ng_results_free(er);
        ng_topk__free(&ref);
    }
    ng_query_free(q);
}

static int p_map(pcoll *pc, ng_index *ix)
{
    ng_buf b = NG_BUF_INIT;
    uint64_t d;
    int id, bad = 0;
    pc->n_docnums = ix->n_docs_total;
    pc->id_of = malloc(sizeof *pc->id_of * (pc->n_docnums + 1));
    for (id = 0; id < PDOCS; id++) pc->docnum_of[id] = -1;
    for (d = 0; d < pc->n_docnums; d++) {
        const ng_segment *seg;
        uint32_t local;
        pc->id_of[d] = -1;
        if (ng_index__locate(ix, d, &seg, &local) != NG_OK || ng_seg__deleted(seg, local)) continue;
        if (ng_index_document(&b, ix, d, NG_FIELD_ID) != NG_OK || sscanf(b.ptr, "p%d", &id) != 1 || id < 0 ||
            id >= PDOCS || !pc->live[id]) {
            bad++;
            continue;
        }
        pc->id_of[d] = id;
        pc->docnum_of[id] = (int64_t)d;
    }
    ng_buf_dispose(&b);
    CU_ASSERT_EQUAL(bad, 0);
    return bad;
}

static pcoll *p_build_ex(const char *name, ng_index **ix_out, int rich)
{
    pcoll *pc = calloc(1, sizeof *pc);
    char dir[4200];
    ng_writer *w;
    ng_writer_options wo;
    uint64_t rs = 2024;
    int i;
    *ix_out = NULL;
    pc->rich = rich;
    p_init_words(pc);
    snprintf(dir, sizeof dir, "%s/%s", ng_test_tmpdir, name);
    ng_writer_options_init(&wo, NG_WRITER_OPTIONS_VERSION);
    wo.memory_limit = 1 << 20; /* several segments of a few thousand docs */
    NG_ASSERT_OK(ng_writer_open(&w, dir, &wo));
    if (!w) return pc;
    for (i = 0; i < PDOCS; i++) {
        int j;
        pc->len[i] = 5 + (int)(ng_test_rand(&rs) % (PMAXLEN - 4));
        pc->w[i] = malloc(sizeof(int) * PMAXLEN);
        for (j = 0; j < pc->len[i]; j++) pc->w[i][j] = p_word(pc, &rs);
        pc->live[i] = 1;
        NG_ASSERT_OK(p_write(w, pc, i));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    for (i = 0; i < PDOCS / 20; i++) { /* 5% tombstones */
        int id = (int)(ng_test_rand(&rs) % PDOCS);
        char idb[32];
        if (!pc->live[id]) continue;
        snprintf(idb, sizeof idb, "p%d", id);
        NG_ASSERT_OK(ng_writer_delete(w, idb, (size_t)-1));
        pc->live[id] = 0;
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(ix_out, dir));
    p_stats(pc);
    if (*ix_out) p_map(pc, *ix_out);
    return pc;
}

static pcoll *p_build(const char *name, ng_index **ix_out) { return p_build_ex(name, ix_out, 0); }

static void p_free(pcoll *pc)
{
    int i;
    for (i = 0; i < PDOCS; i++) free(pc->w[i]);
    free(pc->id_of);
    free(pc);
}

static void test_pruned_topk_equals_exhaustive(void)
{
    ng_index *ix;
    pcoll *pc = p_build("prune", &ix);
    ptally pt;
    uint64_t rs = 77;
    int i;
    if (!ix) { p_free(pc); return; }
    fprintf(stderr, "\n  pruning index: %u segments, %.0f live docs", ix->n_segs, pc->N);
    CU_ASSERT(ix->n_segs >= 2);
    memset(&pt, 0, sizeof pt);
    for (i = 0; i < 1500; i++) {
        pquery pq;
        p_gen_query(pc, &rs, &pq);
        p_check(pc, ix, &pq, &pt);
    }
    fprintf(stderr, "\n  %d queries (%d non-empty), %d top-k runs: pruned %d, ng_search %d, count %d, oracle %d mismatches;"
                    " scored %llu of %llu matches\n",
            pt.queries, pt.nonempty, pt.runs, pt.pruned_bad, pt.exact_bad, pt.count_bad, pt.oracle_bad,
            (unsigned long long)pt.scored_pruned, (unsigned long long)pt.scored_exhaustive);
    CU_ASSERT(pt.nonempty > pt.queries / 2);
    CU_ASSERT_EQUAL(pt.pruned_bad, 0);
    CU_ASSERT_EQUAL(pt.exact_bad, 0);
    CU_ASSERT_EQUAL(pt.count_bad, 0);
    CU_ASSERT_EQUAL(pt.oracle_bad, 0);
    CU_ASSERT(pt.scored_pruned < pt.scored_exhaustive);
    ng_index_free(ix);
    p_free(pc);
}

/* A selective query skips: two frequent words OR a rare one, top 10.
** Exhaustive scoring decodes every block and scores every match; pruning
** must score far fewer documents and decode fewer blocks (few: the lists of
** this small collection span about 45 blocks, and the rare word's documents
** reach most of them; the benchmark shows the effect at scale). */
static void test_pruning_skips(void)
{
    ng_index *ix;
    pcoll *pc = p_build("skips", &ix);
    char text[64];
    ng_query *q;
    ng_results *r = NULL;
    ng_topk ref;
    uint64_t total;
    ng_eval_counters ex, pr;
    ng_search_options so = NG_SEARCH_OPTIONS_INIT;
    if (!ix) { p_free(pc); return; }
    snprintf(text, sizeof text, "%s OR %s OR %s", pc->word[0], pc->word[1], pc->word[PV - 1]);
    NG_ASSERT_OK(ng_query_parse(&q, ix, text, (size_t)-1));
    ng_topk__init(&ref, 10);
    ng_eval__counters_reset();
    NG_ASSERT_OK(exhaustive_topk(&ref, &total, ix, q));
    ex = *ng_eval__counters();
    ex.docs_scored = total;
    ng_eval__counters_reset();
    NG_ASSERT_OK(ng_eval__search(&r, ix, q, &so, 0));
    pr = *ng_eval__counters();
    fprintf(stderr, "\n  [%s] top 10: exhaustive scores %llu docs, decodes %llu blocks; pruned scores %llu, decodes %llu,"
                    " skips %llu\n",
            text, (unsigned long long)ex.docs_scored, (unsigned long long)ex.blocks_decoded,
            (unsigned long long)pr.docs_scored, (unsigned long long)pr.blocks_decoded,
            (unsigned long long)pr.blocks_skipped);
    CU_ASSERT(pr.docs_scored * 5 < ex.docs_scored);
    CU_ASSERT(pr.blocks_decoded < ex.blocks_decoded);
    CU_ASSERT_EQUAL(ng_results_count(r), 10);
    ng_results_free(r);
    ng_topk__free(&ref);
    ng_query_free(q);
    ng_index_free(ix);
    p_free(pc);
}

/*
** The wrappers of the query language keep pruning exact: on a collection
** with titles and dates, with title weighting (every word a title sum),
** capitalised words (name keys: ALT), boosts (scale), recency (decay) and
** --since (date filter), the pruned top-k equals the exhaustive scoring of
** the same cursors, and scores fewer documents overall.
*/
static void p_rich_query(const pcoll *pc, uint64_t *rs, char *text, size_t cap)
{
    int n = 1 + (int)(ng_test_rand(rs) % 4), i, kind = (int)(ng_test_rand(rs) % 4);
    size_t off = 0;
    if (kind == 3) { /* a lone phrase of frequent words: the root is the phrase */
        int a = (int)(ng_test_rand(rs) % 12), b = (int)(ng_test_rand(rs) % 12), c = (int)(ng_test_rand(rs) % 12);
        if (ng_test_rand(rs) % 2)
            snprintf(text, cap, "\"%s %s\"", pc->word[a], pc->word[b]);
        else
            snprintf(text, cap, "\"%s %s %s\"", pc->word[a], pc->word[b], pc->word[c]);
        return;
    }
    for (i = 0; i < n; i++) {
        int w = ng_test_rand(rs) % 3 == 0 ? (int)(ng_test_rand(rs) % PV) : p_word(pc, rs);
        char word[8];
        snprintf(word, sizeof word, "%s", pc->word[w]);
        if (ng_test_rand(rs) % 4 == 0) word[0] = 'Q'; /* a name: stem ALT name key */
        if (i) off += (size_t)snprintf(text + off, cap - off, "%s", kind == 1 ? " " : " OR ");
        off += (size_t)snprintf(text + off, cap - off, "%s", word);
        if (ng_test_rand(rs) % 5 == 0) off += (size_t)snprintf(text + off, cap - off, "^%d", 2 + (int)(ng_test_rand(rs) % 3));
    }
    if (kind == 2 && cap > off) /* a phrase among words */
        snprintf(text + off, cap - off, " OR \"%s %s\"", pc->word[p_word(pc, rs)], pc->word[p_word(pc, rs) % 10]);
}

static void test_pruned_wrappers_equal_exhaustive(void)
{
    static const double weights[] = {0, 0.5, 2};
    static const size_t ks[] = {1, 10, 100};
    ng_index *ix;
    pcoll *pc = p_build_ex("prune-rich", &ix, 1);
    uint64_t rs = 4242, scored_pruned = 0, scored_all = 0;
    int i, runs = 0, bad = 0, nonempty = 0;
    if (!ix) { p_free(pc); return; }
    for (i = 0; i < 600; i++) {
        char text[256];
        ng_search_options so = NG_SEARCH_OPTIONS_INIT;
        ng_query *q;
        ng_topk ref;
        ng_results *r = NULL;
        uint64_t total;
        size_t j;
        int hit_bad = 0;
        p_rich_query(pc, &rs, text, sizeof text);
        so.limit = ks[i % 3];
        so.title_weight = weights[(i / 3) % 3];
        so.recent_half_life = i % 4 == 0 ? 30 + (double)(i % 200) : 0;
        if (i % 7 == 0) so.since = 17897 + (int32_t)(i % 500); /* 2019-01-01 + */
        if (ng_query_parse(&q, ix, text, (size_t)-1) != NG_OK) {
            report("parse", text, &bad);
            continue;
        }
        ng_topk__init(&ref, so.limit);
        if (exhaustive_topk_opt(&ref, &total, ix, q, &so) != NG_OK) hit_bad = 1;
        scored_all += total;
        nonempty += total > 0;
        ng_eval__counters_reset();
        if (!hit_bad && ng_eval__search(&r, ix, q, &so, 0) != NG_OK) hit_bad = 1;
        scored_pruned += ng_eval__counters()->docs_scored;
        if (!hit_bad && ng_results_count(r) != ref.n) hit_bad = 1;
        for (j = 0; !hit_bad && j < ref.n; j++) {
            ng_hit h;
            if (ng_results_hit(&h, r, j) != NG_OK || h.docnum != ref.heap[j].docnum ||
                !close_to(h.score, ref.heap[j].score))
                hit_bad = 1;
        }
        if (hit_bad) {
            fprintf(stderr, "\n  options: k %zu, title_weight %g, half-life %g, since %d", so.limit, so.title_weight,
                    so.recent_half_life, (int)so.since);
            report("pruned top-k with wrappers", text, &bad);
        }
        runs++;
        ng_results_free(r);
        ng_topk__free(&ref);
        ng_query_free(q);
    }
    fprintf(stderr, "\n  %d runs (%d non-empty), %d mismatches; scored %llu of %llu matches\n", runs, nonempty, bad,
            (unsigned long long)scored_pruned, (unsigned long long)scored_all);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(nonempty > runs / 2);
    CU_ASSERT(scored_pruned < scored_all);
    ng_index_free(ix);
    p_free(pc);
}

/* Single words wrapped by the query language keep block-max skipping.
** The collection makes skipping possible: 4000 documents of equal length
** hold the word once, the first 20 (the first block) three times and in
** their title; once those fill the top 10, no later block can beat them.
** A boost (scale), a title sum, a name (ALT of stem and name key) and the
** recency decay must skip as the bare word does. */
static void test_wrapped_word_skips(void)
{
    static const char *const queries[] = {"qzz", "qzz^3", "Qzz"};
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    int id;
    size_t i;
    snprintf(dir, sizeof dir, "%s/%s", ng_test_tmpdir, "skips-wrapped");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (id = 0; id < 4000; id++) {
        char idb[16], body[64], date[16];
        ng_document d;
        memset(&d, 0, sizeof d);
        snprintf(idb, sizeof idb, "w%d", id);
        snprintf(body, sizeof body, "%s qbb qcc qdd qff", id < 20 ? "qzz qzz qzz" : "qzz qgg qhh");
        snprintf(date, sizeof date, "2020-01-%02d", id < 20 ? 28 : 1 + id % 27); /* the rich are newest */
        d.id = idb; d.id_len = (size_t)-1;
        d.body = body; d.body_len = (size_t)-1;
        d.title = id < 20 ? "qzz" : "qkk"; d.title_len = 3;
        d.date = date; d.date_len = strlen(date);
        NG_ASSERT_OK(ng_writer_add(w, &d));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    for (i = 0; i < 4 * NG_ARRAY_LEN(queries); i++) {
        const char *text = queries[i % NG_ARRAY_LEN(queries)];
        double tw = i / NG_ARRAY_LEN(queries) % 2 ? 1.0 : 0.0;
        double half_life = i / NG_ARRAY_LEN(queries) / 2 ? 10.0 : 0.0;
        ng_query *q;
        ng_results *r = NULL;
        ng_search_options so = NG_SEARCH_OPTIONS_INIT;
        uint64_t scored;
        NG_ASSERT_OK(ng_query_parse(&q, ix, text, (size_t)-1));
        so.title_weight = tw;
        so.recent_half_life = half_life;
        ng_eval__counters_reset();
        NG_ASSERT_OK(ng_eval__search(&r, ix, q, &so, 0));
        scored = ng_eval__counters()->docs_scored;
        if (scored > 200)
            fprintf(stderr, "\n  [%s] title weight %g, half-life %g: top 10 scored %llu of 4000 matches", text, tw,
                    half_life, (unsigned long long)scored);
        CU_ASSERT(scored <= 200);
        CU_ASSERT_EQUAL(ng_results_count(r), 10);
        ng_results_free(r);
        ng_query_free(q);
    }
    ng_index_free(ix);
}

/*
** A conjunction prunes before its other kids move (maxscore.c, conj_run):
** 4096 documents hold "qaa" once (the frequent kid) and every second one
** "qbb" (the lead).  The lead's first document of every 128 holds qbb four
** times in a short document, so every lead block bound is high and only
** the documents' own scores tell them apart; the first 16 documents hold
** both words four times and fill the top 10 at once.  Pruned top-k must equal
** exhaustive scoring (with and without title sums, with an exclusion),
** score few documents and leave about half the blocks of the frequent word
** undecoded (those whose candidates are all ordinary lead documents).
*/
static void test_and_prunes_before_seeking(void)
{
    static const char *const queries[] = {"qaa qbb", "qbb qaa -qzz", "qaa qbb qaa"};
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    int id;
    size_t i, j;
    snprintf(dir, sizeof dir, "%s/%s", ng_test_tmpdir, "and-prunes");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (id = 0; id < 4096; id++) {
        char idb[16], body[96];
        ng_document d;
        int lead = id % 2 == 0, spike = lead && id % 256 == 0;
        memset(&d, 0, sizeof d);
        snprintf(idb, sizeof idb, "a%d", id);
        if (id < 16)
            snprintf(body, sizeof body, "qaa qaa qaa qaa qbb qbb qbb qbb");
        else if (spike)
            snprintf(body, sizeof body, "qbb qbb qbb qbb qaa qcc");
        else
            snprintf(body, sizeof body, "%s qaa qcc qdd qee qff qgg qhh qii qjj%s", lead ? "qbb" : "qkk",
                     id % 97 == 0 ? " qzz" : "");
        d.id = idb; d.id_len = (size_t)-1;
        d.body = body; d.body_len = (size_t)-1;
        d.title = id % 3 == 0 ? "qaa" : "qll"; d.title_len = 3;
        NG_ASSERT_OK(ng_writer_add(w, &d));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    for (i = 0; i < 2 * NG_ARRAY_LEN(queries); i++) {
        const char *text = queries[i % NG_ARRAY_LEN(queries)];
        ng_search_options so = NG_SEARCH_OPTIONS_INIT;
        ng_eval_counters ex, pr;
        ng_query *q;
        ng_results *r = NULL;
        ng_topk ref;
        uint64_t total;
        int bad = 0;
        so.title_weight = i < NG_ARRAY_LEN(queries) ? 0 : 0.5;
        NG_ASSERT_OK(ng_query_parse(&q, ix, text, (size_t)-1));
        ng_topk__init(&ref, so.limit);
        ng_eval__counters_reset();
        NG_ASSERT_OK(exhaustive_topk_opt(&ref, &total, ix, q, &so));
        ex = *ng_eval__counters();
        ng_eval__counters_reset();
        NG_ASSERT_OK(ng_eval__search(&r, ix, q, &so, 0));
        pr = *ng_eval__counters();
        CU_ASSERT_EQUAL(ng_results_count(r), ref.n);
        for (j = 0; j < ref.n && j < ng_results_count(r); j++) {
            ng_hit h;
            NG_ASSERT_OK(ng_results_hit(&h, r, j));
            if (h.docnum != ref.heap[j].docnum || h.score != ref.heap[j].score) bad = 1;
        }
        if (bad || pr.docs_scored > 100 || pr.blocks_decoded * 4 >= ex.blocks_decoded * 3)
            fprintf(stderr, "\n  [%s] title weight %g: %llu matches; exhaustive decodes %llu blocks, pruned scores %llu,"
                            " decodes %llu%s",
                    text, so.title_weight, (unsigned long long)total, (unsigned long long)ex.blocks_decoded,
                    (unsigned long long)pr.docs_scored, (unsigned long long)pr.blocks_decoded, bad ? ": MISMATCH" : "");
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT(total > 1900);
        CU_ASSERT(pr.docs_scored <= 100);
        CU_ASSERT(pr.blocks_decoded * 4 < ex.blocks_decoded * 3); /* about half of qaa's blocks stay shut */
        ng_results_free(r);
        ng_topk__free(&ref);
        ng_query_free(q);
    }
    ng_index_free(ix);
}

/* Parsing borrows the index's analyzer (api/query.c): threads parsing on
** one index at once each get one (the index's or a fresh one) and the same
** trees; a query that needs its own analyzer later (snippets) makes it. */
#define PARSE_THREADS 4
typedef struct parse_job {
    ng_index *ix;
    const char *const *texts;
    size_t n_texts;
    const char *const *want; /* description of each text */
    int bad;
} parse_job;

static void *parse_thread(void *arg)
{
    parse_job *j = arg;
    ng_buf b = NG_BUF_INIT;
    size_t i;
    for (i = 0; i < 300; i++) {
        ng_query *q;
        size_t k = i % j->n_texts;
        if (ng_query_parse(&q, j->ix, j->texts[k], (size_t)-1) != NG_OK || ng_query_describe(&b, q) != NG_OK ||
            strcmp(b.ptr ? b.ptr : "", j->want[k]) != 0)
            j->bad++;
        ng_query_free(q);
    }
    ng_buf_dispose(&b);
    return NULL;
}

static void test_parse_shares_analyzer(void)
{
    static const char *const texts[] = {"Running dogs", "peace OR talks -war", "\"ended peacefully\" Kremlin"};
    char *want[3];
    const char *wantc[3];
    ng_index *ix;
    pcoll *pc = p_build("parse-threads", &ix);
    pthread_t th[PARSE_THREADS];
    parse_job jobs[PARSE_THREADS];
    ng_buf b = NG_BUF_INIT, text = NG_BUF_INIT;
    ng_range *ranges = NULL;
    size_t n_ranges = 0, i;
    int live;
    ng_query *q;
    if (!ix) { p_free(pc); return; }
    for (i = 0; i < 3; i++) { /* reference trees, each from a fresh index analyzer's first use */
        NG_ASSERT_OK(ng_query_parse(&q, ix, texts[i], (size_t)-1));
        NG_ASSERT_OK(ng_query_describe(&b, q));
        want[i] = strdup(b.ptr ? b.ptr : "");
        wantc[i] = want[i];
        ng_query_free(q);
    }
    CU_ASSERT(strstr(want[0], "run") != NULL); /* stemmed: the borrowed analyzer stems */
    for (i = 0; i < PARSE_THREADS; i++) {
        jobs[i].ix = ix;
        jobs[i].texts = texts;
        jobs[i].n_texts = 3;
        jobs[i].want = wantc;
        jobs[i].bad = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, parse_thread, &jobs[i]), 0);
    }
    for (i = 0; i < PARSE_THREADS; i++) {
        pthread_join(th[i], NULL);
        CU_ASSERT_EQUAL(jobs[i].bad, 0);
    }
    /* a snippet makes the query's own analyzer on demand */
    for (live = 0; live < PDOCS - 1 && pc->docnum_of[live] < 0; live++) {}
    NG_ASSERT_OK(ng_query_parse(&q, ix, pc->word[0], (size_t)-1));
    CU_ASSERT_PTR_NULL(q->an);
    NG_ASSERT_OK(ng_snippet(&text, &ranges, &n_ranges, ix, q, (uint64_t)pc->docnum_of[live], NULL));
    CU_ASSERT_PTR_NOT_NULL(q->an);
    CU_ASSERT(text.size > 0);
    ng_query_free(q);
    ng_ranges_free(ranges);
    ng_buf_dispose(&text);
    ng_buf_dispose(&b);
    for (i = 0; i < 3; i++) free(want[i]);
    ng_index_free(ix);
    p_free(pc);
}

static CU_TestInfo tests[] = {
    {"oracle: fresh multi-segment index", test_oracle_fresh},
    {"oracle: replacements and deletions over two commits", test_oracle_updates},
    {"df counts live documents only (idf never negative)", test_df_ignores_deleted},
    {"live df: clean blocks counted from skip entries", test_live_df_skips_clean_blocks},
    {"pruned top-k equals exhaustive scoring (MaxScore, block-max)", test_pruned_topk_equals_exhaustive},
    {"pruning skips blocks and documents on a selective query", test_pruning_skips},
    {"pruned top-k with title sums, names, boosts, recency, since", test_pruned_wrappers_equal_exhaustive},
    {"a title-weighted word (and a name) still skips blocks", test_wrapped_word_skips},
    {"AND prunes candidates before seeking its other kids", test_and_prunes_before_seeking},
    {"threads parsing on one index share its analyzer safely", test_parse_shares_analyzer},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"search", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};
