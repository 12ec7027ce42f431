/*
** near.c -- proximity: NEAR/k and sloppy phrases ("a b"~k).
**
** Operand i is a set of alternative term cursors (a word, its name key,
** its prefix or fuzzy expansions) whose positions are united; rel_i is its
** offset in the phrase (0 for NEAR).  A document matches when positions
** p_i can be chosen, one per operand, with
**     max(p_i - rel_i) - min(p_i - rel_i) <= width
** (Lucene's slop for phrases; for NEAR/k over n words width = k + n - 1,
** i.e. at most k other words inside the span), operands of the same group
** (the same word twice) taking different positions.
**
** Evaluation: candidate documents come from the intersection of the
** operands, led by the rarest (as AND does); positions are read only for
** candidates.  The tf for BM25 is the number of positions a of operand 0
** for which a match exists with p_0 = a.  For a fixed a, a window
** [lo, lo + width] of values v = p - rel containing a - rel_0 can be slid
** left until lo is one of the chosen values, so only lo in
** {v of some operand's position} within [a - rel_0 - width, a - rel_0] are
** tried; for each, every operand needs a position inside its interval
** [lo + rel_i, lo + width + rel_i].  Operands of one group share the same
** positions and intervals of equal width, so taking them by increasing
** interval and giving each the smallest free position is an optimal
** assignment (interval scheduling); operand 0's position is taken first.
*/
#include <stdlib.h>

#include "eval/eval.h"
#include "eval/plan.h"

typedef struct near_op {
    ng_cursor **terms;
    size_t n;
    uint32_t rel, group;
    uint64_t cost;
    uint32_t *pos; /* positions in the current candidate, sorted, distinct */
    size_t n_pos, cap_pos;
} near_op;

typedef struct near_cursor {
    ng_cursor base;
    near_op *ops; /* ops[0] is operand 0 of the query (tf is counted on it) */
    size_t n;
    size_t *order;  /* operand indexes by cost: order[0] leads */
    uint32_t width;
    uint32_t freq;
    double idf;
    const ng_segment *seg;
    const ng_bm25 *p;
    uint32_t *used; /* scratch: positions taken in one group check */
} near_cursor;

static uint32_t op_doc(const near_op *o)
{
    uint32_t d = NG_FMT_DOCID_END;
    size_t j;
    for (j = 0; j < o->n; j++)
        if (o->terms[j]->doc < d) d = o->terms[j]->doc;
    return d;
}

static int op_seek(near_op *o, uint32_t target)
{
    size_t j;
    for (j = 0; j < o->n; j++) {
        int rc = ng_cursor__seek(o->terms[j], target);
        if (rc < 0 && rc != NG_ITEROVER) return rc;
    }
    return NG_OK;
}

/* Move the operand past doc d (its alternatives on d step on). */
static int op_next(near_op *o, uint32_t d)
{
    size_t j;
    for (j = 0; j < o->n; j++)
        if (o->terms[j]->doc == d) {
            int rc = ng_cursor__next(o->terms[j]);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
        }
    return NG_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Gather the operand's positions in doc d (union of its alternatives). */
static int op_positions(near_op *o, uint32_t d)
{
    size_t j, k, total = 0;
    int rc;
    o->n_pos = 0;
    for (j = 0; j < o->n; j++) {
        const uint32_t *pv;
        uint32_t pn;
        if (o->terms[j]->doc != d) continue;
        if ((rc = ng_cursor__term_positions(o->terms[j], &pv, &pn)) != NG_OK) return rc;
        if ((rc = NG_GROW(o->pos, o->cap_pos, total + pn + 1)) != NG_OK) return rc;
        memcpy(o->pos + total, pv, pn * sizeof *pv);
        total += pn;
    }
    if (total > 1 && o->n > 1) {
        qsort(o->pos, total, sizeof *o->pos, cmp_u32);
        for (j = 1, k = 1; j < total; j++)
            if (o->pos[j] != o->pos[k - 1]) o->pos[k++] = o->pos[j];
        total = k;
    }
    o->n_pos = total;
    return NG_OK;
}

/* Index of the first position >= x in o->pos (x may be negative). */
static size_t lower_bound(const near_op *o, int64_t x)
{
    size_t lo = 0, hi = o->n_pos;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((int64_t)o->pos[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Can every operand find a position with value in [lo, lo + width], the
** anchor (operand 0) sitting at position a? */
static int window_fits(near_cursor *nc, uint32_t a, int64_t lo)
{
    int64_t hi = lo + nc->width;
    size_t g, i, n_used;
    /* one pass per group; groups are small, operands few */
    for (g = 0; g < nc->n; g++) {
        if (nc->ops[g].group != g) continue; /* group leader: its first operand */
        n_used = 0;
        if (nc->ops[0].group == g) nc->used[n_used++] = a;
        for (i = g; i < nc->n; i++) { /* same group, by increasing rel: rel order = query order here */
            const near_op *o = &nc->ops[i];
            size_t k;
            if (o->group != g || i == 0) continue;
            for (k = lower_bound(o, lo + o->rel); k < o->n_pos && (int64_t)o->pos[k] <= hi + o->rel; k++) {
                size_t u;
                for (u = 0; u < n_used && nc->used[u] != o->pos[k]; u++) {}
                if (u == n_used) break;
            }
            if (k == o->n_pos || (int64_t)o->pos[k] > hi + o->rel) return 0;
            nc->used[n_used++] = o->pos[k];
        }
    }
    return 1;
}

/* Does a match exist with operand 0 at position a? */
static int anchored(near_cursor *nc, uint32_t a)
{
    int64_t v0 = (int64_t)a - nc->ops[0].rel, from = v0 - nc->width;
    size_t i, k;
    /* candidate window starts: values of positions within [v0 - width, v0] */
    for (i = 0; i < nc->n; i++) {
        const near_op *o = &nc->ops[i];
        for (k = lower_bound(o, from + o->rel); k < o->n_pos && (int64_t)o->pos[k] - o->rel <= v0; k++)
            if (window_fits(nc, a, (int64_t)o->pos[k] - o->rel)) return 1;
    }
    return 0;
}

/* Count anchors of the candidate doc d: the tf of the match (0: none). */
static int count_freq(near_cursor *nc, uint32_t d, uint32_t *freq)
{
    size_t i, k;
    int rc;
    *freq = 0;
    for (i = 0; i < nc->n; i++)
        if ((rc = op_positions(&nc->ops[i], d)) != NG_OK) return rc;
    for (k = 0; k < nc->ops[0].n_pos; k++)
        if (anchored(nc, nc->ops[0].pos[k])) (*freq)++;
    return NG_OK;
}

/* From the lead's current doc, the next candidate all operands share whose
** positions match. */
static int near_align(near_cursor *nc)
{
    near_op *lead = &nc->ops[nc->order[0]];
    int rc;
    for (;;) {
        uint32_t cand = op_doc(lead), f;
        size_t i;
        int again = 0;
        if (cand == NG_FMT_DOCID_END) break;
        for (i = 1; i < nc->n; i++) {
            near_op *o = &nc->ops[nc->order[i]];
            uint32_t d;
            if ((rc = op_seek(o, cand)) != NG_OK) return rc;
            d = op_doc(o);
            if (d == NG_FMT_DOCID_END) goto end;
            if (d != cand) { /* advance laggard */
                if ((rc = op_seek(lead, d)) != NG_OK) return rc;
                again = 1;
                break;
            }
        }
        if (again) continue;
        if ((rc = count_freq(nc, cand, &f)) != NG_OK) return rc;
        if (f > 0) {
            nc->freq = f;
            nc->base.doc = cand;
            return NG_OK;
        }
        if ((rc = op_next(lead, cand)) != NG_OK) return rc;
    }
end:
    nc->base.doc = NG_FMT_DOCID_END;
    return NG_ITEROVER;
}

static int near_next(ng_cursor *c)
{
    near_cursor *nc = (near_cursor *)c;
    int rc;
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    if ((rc = op_next(&nc->ops[nc->order[0]], c->doc)) != NG_OK) return rc;
    return near_align(nc);
}

static int near_seek(ng_cursor *c, uint32_t target)
{
    near_cursor *nc = (near_cursor *)c;
    int rc;
    if (c->doc >= target) return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
    if ((rc = op_seek(&nc->ops[nc->order[0]], target)) != NG_OK) return rc;
    return near_align(nc);
}

static double near_score(ng_cursor *c)
{
    near_cursor *nc = (near_cursor *)c;
    return nc->idf * ng_bm25_tf(nc->p, nc->freq, ng_lens__get(&nc->seg->lens, c->doc));
}

static double near_max(const ng_cursor *c)
{
    const near_cursor *nc = (const near_cursor *)c;
    return nc->idf * (nc->p->k1 + 1.0);
}

static void near_free(ng_cursor *c)
{
    near_cursor *nc = (near_cursor *)c;
    size_t i, j;
    for (i = 0; i < nc->n; i++) {
        for (j = 0; j < nc->ops[i].n; j++) ng_cursor__free(nc->ops[i].terms[j]);
        ng__free(nc->ops[i].terms);
        ng__free(nc->ops[i].pos);
    }
    ng__free(nc->ops);
    ng__free(nc->order);
    ng__free(nc->used);
    ng__free(nc);
}

static const ng_cursor_ops near_ops = {
    .next = near_next, .seek = near_seek, .score = near_score, .max_score = near_max, .free = near_free};

int ng_cursor__near(ng_cursor **out, const ng_near_operand *ops, size_t n, uint32_t width, double idf_sum,
                    const ng_segment *seg, const ng_bm25 *p)
{
    near_cursor *nc = ng__calloc(1, sizeof *nc);
    size_t i, j, k;
    int rc;
    *out = NULL;
    if (!nc || !(nc->ops = ng__calloc(n ? n : 1, sizeof *nc->ops)) || !(nc->order = ng__calloc(n ? n : 1, sizeof *nc->order)) ||
        !(nc->used = ng__calloc(n ? n : 1, sizeof *nc->used))) {
        for (i = 0; i < n; i++) {
            for (j = 0; j < ops[i].n; j++) ng_cursor__free(ops[i].terms[j]);
            ng__free(ops[i].terms);
        }
        if (nc) {
            ng__free(nc->ops);
            ng__free(nc->order);
            ng__free(nc);
        }
        return ng__oom();
    }
    nc->n = n;
    for (i = 0; i < n; i++) {
        near_op *o = &nc->ops[i];
        o->terms = ops[i].terms;
        o->n = ops[i].n;
        o->rel = ops[i].rel;
        o->group = ops[i].group;
        for (j = 0; j < o->n; j++) o->cost += o->terms[j]->cost;
        nc->order[i] = i;
    }
    /* number each group by its first operand; order operands by cost
    ** (insertion sort: a handful of operands, and no qsort context) */
    for (i = 0; i < n; i++) {
        for (k = 0; k < i && ops[k].group != ops[i].group; k++) {}
        nc->ops[i].group = (uint32_t)k;
    }
    for (i = 1; i < n; i++) {
        size_t x = nc->order[i];
        for (k = i; k > 0 && nc->ops[nc->order[k - 1]].cost > nc->ops[x].cost; k--) nc->order[k] = nc->order[k - 1];
        nc->order[k] = x;
    }
    nc->width = width;
    nc->idf = idf_sum;
    nc->seg = seg;
    nc->p = p;
    nc->base.ops = &near_ops;
    nc->base.cost = n ? nc->ops[nc->order[0]].cost : 0;
    *out = &nc->base;
    if (n == 0) {
        nc->base.doc = NG_FMT_DOCID_END;
        return NG_OK;
    }
    rc = near_align(nc);
    if (rc == NG_ITEROVER) return NG_OK;
    if (rc) {
        near_free(&nc->base);
        *out = NULL;
    }
    return rc;
}
