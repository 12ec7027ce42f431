/*
** search.c -- running a parsed query over every segment of a snapshot:
** BM25 top-k selection with dynamic pruning (ng_search; the loops are in
** maxscore.c), unscored enumeration (ng_search_each) and counting
** (ng_search_count).
**
** Collection statistics (N, average length, document frequencies) are
** global to the snapshot, so a document scores the same whichever segment
** holds it.
*/
#include "eval/eval.h"
#include "eval/plan.h"
#include "api/api.h"

/* Walk every live match; fn(docnum, score) for each.  score only if scored. */
typedef int (*match_fn)(void *payload, uint64_t docnum, ng_cursor *c);

static int for_each_match(const ng_index *ix, const ng_qnode *root, const ng_plan *pl, match_fn fn, void *payload)
{
    uint32_t s;
    int rc = NG_OK;
    if (!root) return NG_OK;
    for (s = 0; s < ix->n_segs && !rc; s++) {
        const ng_segment *seg = &ix->segs[s];
        ng_cursor *c;
        if ((rc = ng_plan__build(&c, root, seg, pl)) != NG_OK) break;
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
    int total_exact; /* total counts every match (else a lower bound) */
};

/* Top-k over every segment in order, one heap: the threshold reached in a
** segment prunes the next ones from their first document. */
static int run_topk(ng_topk *t, uint64_t *total, const ng_index *ix, const ng_qnode *root, const ng_plan *pl,
                    int exact_total)
{
    uint32_t s;
    int rc = NG_OK;
    if (!root) return NG_OK;
    for (s = 0; s < ix->n_segs && !rc; s++) {
        const ng_segment *seg = &ix->segs[s];
        ng_cursor *c;
        if ((rc = ng_plan__build(&c, root, seg, pl)) != NG_OK) break;
        rc = ng_eval__topk_segment(t, c, seg, exact_total, total);
        ng_cursor__free(c);
    }
    return rc;
}

/* The fields of a version-1 ng_search_options (release 0.1.0), which ends at b. */
#define OPTIONS_V1_SIZE (offsetof(ng_search_options, b) + sizeof(double))

NG_EXTERN(int) ng_search_options_init(ng_search_options *o, unsigned int version)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    if (!o) return ng__err(NG_EINVAL, "search options: null argument");
    if (version != 1 && version != NG_SEARCH_OPTIONS_VERSION)
        return ng__err(NG_EINVAL, "search options: unknown version %u", version);
    def.version = version;
    /* a version-1 caller's struct is shorter: fill only what it has */
    memcpy(o, &def, version == 1 ? OPTIONS_V1_SIZE : sizeof def);
    return NG_OK;
}

/* Copy the caller's options into *o (defaults for what its version lacks;
** a version-1 caller was promised exact totals) and check them. */
static int read_options(ng_search_options *o, const ng_search_options *in)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    *o = def;
    if (!in) return NG_OK;
    if (in->version != 1 && in->version != NG_SEARCH_OPTIONS_VERSION)
        return ng__err(NG_EINVAL, "search options: unknown version %u", in->version);
    memcpy(o, in, in->version == 1 ? OPTIONS_V1_SIZE : sizeof *o);
    if (in->version == 1) o->total_mode = NG_TOTAL_EXACT;
    if (!(o->k1 >= 0 && o->k1 < 1000)) return ng__err(NG_EINVAL, "search options: k1 must be in [0, 1000)");
    if (!(o->b >= 0 && o->b <= 1)) return ng__err(NG_EINVAL, "search options: b must be in [0, 1]");
    if (o->total_mode != NG_TOTAL_EXACT && o->total_mode != NG_TOTAL_LOWER_BOUND)
        return ng__err(NG_EINVAL, "search options: unknown total_mode %d", o->total_mode);
    return NG_OK;
}

int ng_eval__search(ng_results **out, ng_index *ix, const ng_query *q, const ng_search_options *opts,
                    int exact_total)
{
    ng_search_options ov, *o = &ov;
    ng_results *r;
    ng_topk topk;
    uint64_t total = 0;
    ng_plan pl;
    size_t k, i;
    int rc;
    *out = NULL;
    if (!ix || !q) return ng__err(NG_EINVAL, "search: null argument");
    if ((rc = read_options(o, opts)) != NG_OK) return rc;
    k = o->limit > SIZE_MAX - o->offset ? SIZE_MAX : o->limit + o->offset;
    if (o->limit == 0) k = 0;
    if (k > ix->n_live) k = (size_t)ix->n_live;
    /* no hits wanted: counting is all there is to do (nothing is scored) */
    if (k == 0) exact_total = 1;
    if ((rc = ng_topk__init(&topk, k)) != NG_OK) return rc;
    if ((rc = ng_plan__init(&pl, ix, q->root, o)) == NG_OK)
        rc = o->sort == NG_SORT_DATE ? ng_plan__date_topk(&topk, &total, &pl)
                                     : run_topk(&topk, &total, ix, q->root, &pl, exact_total);
    ng_plan__free(&pl);
    if (!rc && !(r = ng__calloc(1, sizeof *r))) rc = ng__oom();
    if (rc) {
        ng_topk__free(&topk);
        return rc;
    }
    if (o->sort != NG_SORT_DATE) ng_topk__sort(&topk); /* date_topk returns its final order */
    /* the heap never filled (or holds every live document): nothing was
       pruned, every match was seen; date sort counts every match */
    r->total_exact = exact_total || o->sort == NG_SORT_DATE || topk.n < topk.k || topk.k == ix->n_live;
    r->total = r->total_exact || total > topk.n ? total : topk.n;
    r->n = topk.n > o->offset ? topk.n - o->offset : 0;
    r->hits = ng__malloc((r->n ? r->n : 1) * sizeof *r->hits);
    if (!r->hits) {
        ng__free(r);
        ng_topk__free(&topk);
        return ng__oom();
    }
    for (i = 0; i < r->n; i++) {
        r->hits[i].docnum = topk.heap[o->offset + i].docnum;
        r->hits[i].score = topk.heap[o->offset + i].score;
    }
    ng_topk__free(&topk);
    *out = r;
    return NG_OK;
}

NG_EXTERN(int) ng_search(ng_results **out, ng_index *ix, const ng_query *q, const ng_search_options *o)
{
    int exact = o ? o->version == 1 || (o->version == NG_SEARCH_OPTIONS_VERSION && o->total_mode == NG_TOTAL_EXACT)
                  : 0; /* NULL: the default, a lower bound */
    return ng_eval__search(out, ix, q, o, exact);
}

NG_EXTERN(void) ng_results_free(ng_results *r)
{
    if (!r) return;
    ng__free(r->hits);
    ng__free(r);
}

NG_EXTERN(size_t) ng_results_count(const ng_results *r) { return r ? r->n : 0; }
NG_EXTERN(uint64_t) ng_results_total(const ng_results *r) { return r ? r->total : 0; }
NG_EXTERN(int) ng_results_total_exact(const ng_results *r) { return r ? r->total_exact : 0; }

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
    ng_plan pl;
    int rc;
    if (!ix || !q) return ng__err(NG_EINVAL, "search: null argument");
    /* matching only: no idf, so no df (which decodes lists with tombstones) */
    if ((rc = ng_plan__init_unscored(&pl, ix, q->root)) == NG_OK) rc = for_each_match(ix, q->root, &pl, on_each, e);
    ng_plan__free(&pl);
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
