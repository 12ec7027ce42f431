/*
** search.c -- running a parsed query over every segment of a snapshot:
** exhaustive document-at-a-time evaluation with BM25 scoring and top-k
** selection (ng_search), unscored enumeration (ng_search_each) and
** counting (ng_search_count).
**
** Collection statistics (N, average length, document frequencies) are
** global to the snapshot, so a document scores the same whichever segment
** holds it.
*/
#include "eval/eval.h"
#include "api/api.h"

typedef struct term_idf {
    const ng_qterm *qt;
    double idf;
} term_idf;

typedef struct plan {
    const ng_index *ix;
    ng_bm25 bm25;
    term_idf *terms;
    size_t n_terms, cap;
} plan;

static int collect_idf(plan *pl, const ng_qnode *n)
{
    size_t i;
    int rc;
    for (i = 0; i < n->n_terms; i++) {
        uint64_t df;
        if ((rc = ng_index__df(pl->ix, n->terms[i].term, n->terms[i].term_len, &df)) != NG_OK) return rc;
        if ((rc = NG_GROW(pl->terms, pl->cap, pl->n_terms + 1)) != NG_OK) return rc;
        pl->terms[pl->n_terms].qt = &n->terms[i];
        pl->terms[pl->n_terms].idf = ng_bm25_idf(&pl->bm25, (double)df);
        pl->n_terms++;
    }
    for (i = 0; i < n->n_kids; i++)
        if ((rc = collect_idf(pl, n->kids[i])) != NG_OK) return rc;
    return NG_OK;
}

static double idf_of(const plan *pl, const ng_qterm *qt)
{
    size_t i;
    for (i = 0; i < pl->n_terms; i++)
        if (pl->terms[i].qt == qt) return pl->terms[i].idf;
    return 0;
}

static int plan_init(plan *pl, const ng_index *ix, const ng_qnode *root, const ng_search_options *o)
{
    memset(pl, 0, sizeof *pl);
    pl->ix = ix;
    pl->bm25.k1 = o ? o->k1 : 1.2;
    pl->bm25.b = o ? o->b : 0.75;
    pl->bm25.avgdl = ix->avgdl;
    pl->bm25.n_docs = (double)ix->n_live;
    return root ? collect_idf(pl, root) : NG_OK;
}

static void plan_free(plan *pl) { ng__free(pl->terms); }

static int build(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const plan *pl);

static int build_phrase(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const plan *pl)
{
    ng_cursor *terms[64];
    uint32_t rel[64];
    double idf = 0;
    size_t i;
    int rc;
    if (n->n_terms > 64) return ng__err_at(NG_EQUERY, n->offset, "query: phrase longer than 64 words at %zu", n->offset);
    for (i = 0; i < n->n_terms; i++) {
        const ng_qterm *qt = &n->terms[i];
        rc = ng_cursor__term(&terms[i], seg, qt->term, qt->term_len, idf_of(pl, qt), &pl->bm25);
        if (rc) {
            while (i--) ng_cursor__free(terms[i]);
            return rc;
        }
        rel[i] = qt->rel_pos;
        idf += idf_of(pl, qt);
    }
    return ng_cursor__phrase(out, terms, rel, n->n_terms, idf, seg, &pl->bm25);
}

static int build_kids(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const plan *pl)
{
    ng_cursor **pos = ng__calloc(n->n_kids, sizeof *pos), **neg = ng__calloc(n->n_kids, sizeof *neg);
    size_t i, np = 0, nn = 0;
    int rc = NG_OK;
    if (!pos || !neg) rc = ng__oom();
    for (i = 0; i < n->n_kids && !rc; i++) {
        const ng_qnode *k = n->kids[i];
        if (k->kind == NG_Q_NOT) {
            if (!(rc = build(&neg[nn], k->kids[0], seg, pl))) nn++;
        } else if (!(rc = build(&pos[np], k, seg, pl))) {
            np++;
        }
    }
    if (!rc && n->kind == NG_Q_AND && np == 0) rc = ng__err(NG_EQUERY, "query: nothing to match beside NOT");
    if (rc) {
        for (i = 0; i < np; i++) ng_cursor__free(pos[i]);
        for (i = 0; i < nn; i++) ng_cursor__free(neg[i]);
    } else if (n->kind == NG_Q_AND) {
        rc = ng_cursor__and(out, pos, np, neg, nn);
    } else {
        rc = ng_cursor__or(out, pos, np);
    }
    ng__free(pos);
    ng__free(neg);
    return rc;
}

static int build(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const plan *pl)
{
    *out = NULL;
    switch (n->kind) {
    case NG_Q_TERM:
        return ng_cursor__term(out, seg, n->terms[0].term, n->terms[0].term_len, idf_of(pl, &n->terms[0]), &pl->bm25);
    case NG_Q_PHRASE:
        return build_phrase(out, n, seg, pl);
    case NG_Q_AND:
    case NG_Q_OR:
        return build_kids(out, n, seg, pl);
    default:
        return ng__err_at(NG_EQUERY, n->offset, "query: NOT outside AND at %zu", n->offset);
    }
}

/* Walk every live match; fn(docnum, score) for each.  score only if scored. */
typedef int (*match_fn)(void *payload, uint64_t docnum, ng_cursor *c);

static int for_each_match(const ng_index *ix, const ng_qnode *root, const plan *pl, match_fn fn, void *payload)
{
    uint32_t s;
    int rc = NG_OK;
    if (!root) return NG_OK;
    for (s = 0; s < ix->n_segs && !rc; s++) {
        const ng_segment *seg = &ix->segs[s];
        ng_cursor *c;
        if ((rc = build(&c, root, seg, pl)) != NG_OK) break;
        while (c->doc != NG_FMT_DOCID_END) {
            if (!ng_seg__deleted(seg, c->doc) && (rc = fn(payload, seg->base + c->doc, c)) != 0) break;
            rc = ng_cursor__next(c);
            if (rc == NG_ITEROVER) rc = NG_OK;
            if (rc) break;
        }
        ng_cursor__free(c);
    }
    return rc;
}

struct ng_results {
    ng_hit *hits;
    size_t n;
    uint64_t total;
};

typedef struct score_ctx {
    ng_topk topk;
    uint64_t total;
} score_ctx;

static int on_scored(void *payload, uint64_t docnum, ng_cursor *c)
{
    score_ctx *sc = payload;
    sc->total++;
    if (sc->topk.k) ng_topk__push(&sc->topk, c->ops->score(c), docnum);
    return 0;
}

NG_EXTERN(int) ng_search_options_init(ng_search_options *o, unsigned int version)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    if (version != NG_SEARCH_OPTIONS_VERSION) return ng__err(NG_EINVAL, "search options: unknown version %u", version);
    *o = def;
    return NG_OK;
}

static int check_options(const ng_search_options *o)
{
    if (!o) return NG_OK;
    if (o->version != NG_SEARCH_OPTIONS_VERSION) return ng__err(NG_EINVAL, "search options: unknown version %u", o->version);
    if (!(o->k1 >= 0 && o->k1 < 1000)) return ng__err(NG_EINVAL, "search options: k1 must be in [0, 1000)");
    if (!(o->b >= 0 && o->b <= 1)) return ng__err(NG_EINVAL, "search options: b must be in [0, 1]");
    return NG_OK;
}

NG_EXTERN(int) ng_search(ng_results **out, ng_index *ix, const ng_query *q, const ng_search_options *o)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    ng_results *r;
    score_ctx sc;
    plan pl;
    size_t k, i;
    int rc;
    *out = NULL;
    if (!ix || !q) return ng__err(NG_EINVAL, "search: null argument");
    if ((rc = check_options(o)) != NG_OK) return rc;
    if (!o) o = &def;
    k = o->limit > SIZE_MAX - o->offset ? SIZE_MAX : o->limit + o->offset;
    if (o->limit == 0) k = 0;
    if (k > ix->n_live) k = (size_t)ix->n_live;
    memset(&sc, 0, sizeof sc);
    if ((rc = ng_topk__init(&sc.topk, k)) != NG_OK) return rc;
    if ((rc = plan_init(&pl, ix, q->root, o)) == NG_OK)
        rc = for_each_match(ix, q->root, &pl, on_scored, &sc);
    plan_free(&pl);
    if (!rc && !(r = ng__calloc(1, sizeof *r))) rc = ng__oom();
    if (rc) {
        ng_topk__free(&sc.topk);
        return rc;
    }
    ng_topk__sort(&sc.topk);
    r->total = sc.total;
    r->n = sc.topk.n > o->offset ? sc.topk.n - o->offset : 0;
    r->hits = ng__malloc((r->n ? r->n : 1) * sizeof *r->hits);
    if (!r->hits) {
        ng__free(r);
        ng_topk__free(&sc.topk);
        return ng__oom();
    }
    for (i = 0; i < r->n; i++) {
        r->hits[i].docnum = sc.topk.heap[o->offset + i].docnum;
        r->hits[i].score = sc.topk.heap[o->offset + i].score;
    }
    ng_topk__free(&sc.topk);
    *out = r;
    return NG_OK;
}

NG_EXTERN(void) ng_results_free(ng_results *r)
{
    if (!r) return;
    ng__free(r->hits);
    ng__free(r);
}

NG_EXTERN(size_t) ng_results_count(const ng_results *r) { return r ? r->n : 0; }
NG_EXTERN(uint64_t) ng_results_total(const ng_results *r) { return r ? r->total : 0; }

NG_EXTERN(int) ng_results_hit(ng_hit *out, const ng_results *r, size_t i)
{
    if (!r || !out) return ng__err(NG_EINVAL, "results_hit: null argument");
    if (i >= r->n) return ng__err(NG_ENOTFOUND, "no hit %zu (%zu hits)", i, r->n);
    *out = r->hits[i];
    return NG_OK;
}

typedef struct each_ctx {
    int (*fn)(uint64_t, void *);
    void *payload;
    uint64_t count;
} each_ctx;

static int on_each(void *payload, uint64_t docnum, ng_cursor *c)
{
    each_ctx *e = payload;
    (void)c;
    e->count++;
    if (e->fn && e->fn(docnum, e->payload)) return NG_EUSER;
    return 0;
}

static int run_each(ng_index *ix, const ng_query *q, each_ctx *e)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    plan pl;
    int rc;
    if (!ix || !q) return ng__err(NG_EINVAL, "search: null argument");
    if ((rc = plan_init(&pl, ix, q->root, &def)) == NG_OK) rc = for_each_match(ix, q->root, &pl, on_each, e);
    plan_free(&pl);
    if (rc == NG_EUSER) ng__err(NG_EUSER, "search stopped by the callback");
    return rc;
}

NG_EXTERN(int) ng_search_each(ng_index *ix, const ng_query *q, int (*fn)(uint64_t, void *), void *payload)
{
    each_ctx e;
    e.fn = fn;
    e.payload = payload;
    e.count = 0;
    return run_each(ix, q, &e);
}

NG_EXTERN(int) ng_search_count(uint64_t *out, ng_index *ix, const ng_query *q)
{
    each_ctx e;
    int rc;
    memset(&e, 0, sizeof e);
    rc = run_each(ix, q, &e);
    if (out) *out = rc ? 0 : e.count;
    return rc;
}
