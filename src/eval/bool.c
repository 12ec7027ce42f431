/*
** bool.c -- AND (with NOT exclusions) and OR cursors.
**
** AND leads with its rarest operand (least cost) and seeks the others to
** the candidate; whoever overshoots becomes the next candidate ("advance
** laggard").  Exclusions are checked only on documents all operands share.
** OR is the union: its document is the smallest of its operands'.
*/
#include <stdlib.h>

#include "eval/eval.h"

typedef struct and_cursor {
    ng_cursor base;
    ng_cursor **pos, **neg;
    size_t n_pos, n_neg;
} and_cursor;

typedef struct or_cursor {
    ng_cursor base;
    ng_cursor **kids;
    size_t n;
} or_cursor;

static double and_block_max(ng_cursor *c, uint32_t target, uint32_t *last);
static double or_block_max(ng_cursor *c, uint32_t target, uint32_t *last);

static int cmp_cost(const void *a, const void *b)
{
    const ng_cursor *x = *(ng_cursor *const *)a, *y = *(ng_cursor *const *)b;
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

/* From the lead's current doc, find the next doc all operands share and no
** exclusion has. */
static int and_align(and_cursor *a)
{
    ng_cursor *lead = a->pos[0];
    size_t i;
    int rc;
    for (;;) {
        uint32_t cand = lead->doc;
        int again = 0;
        if (cand == NG_FMT_DOCID_END) break;
        for (i = 1; i < a->n_pos; i++) {
            rc = ng_cursor__seek(a->pos[i], cand);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
            if (a->pos[i]->doc != cand) {
                /* advance laggard: the lead jumps to the overshoot */
                if (a->pos[i]->doc == NG_FMT_DOCID_END) {
                    a->base.doc = NG_FMT_DOCID_END;
                    return NG_ITEROVER;
                }
                rc = ng_cursor__seek(lead, a->pos[i]->doc);
                if (rc < 0 && rc != NG_ITEROVER) return rc;
                again = 1;
                break;
            }
        }
        if (again) continue;
        for (i = 0; i < a->n_neg; i++) {
            rc = ng_cursor__seek(a->neg[i], cand);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
            if (a->neg[i]->doc == cand) break;
        }
        if (i < a->n_neg) { /* excluded */
            rc = ng_cursor__next(lead);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
            continue;
        }
        a->base.doc = cand;
        return NG_OK;
    }
    a->base.doc = NG_FMT_DOCID_END;
    return NG_ITEROVER;
}

static int and_next(ng_cursor *c)
{
    and_cursor *a = (and_cursor *)c;
    int rc;
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    rc = ng_cursor__next(a->pos[0]);
    if (rc < 0 && rc != NG_ITEROVER) return rc;
    return and_align(a);
}

static int and_seek(ng_cursor *c, uint32_t target)
{
    and_cursor *a = (and_cursor *)c;
    int rc = ng_cursor__seek(a->pos[0], target);
    if (rc < 0 && rc != NG_ITEROVER) return rc;
    return and_align(a);
}

static double and_score(ng_cursor *c)
{
    and_cursor *a = (and_cursor *)c;
    double s = 0;
    size_t i;
    for (i = 0; i < a->n_pos; i++) s += a->pos[i]->ops->score(a->pos[i]);
    return s;
}

static double and_max(const ng_cursor *c)
{
    const and_cursor *a = (const and_cursor *)c;
    double s = 0;
    size_t i;
    for (i = 0; i < a->n_pos; i++) s += a->pos[i]->ops->max_score(a->pos[i]);
    return s;
}

static void and_free(ng_cursor *c)
{
    and_cursor *a = (and_cursor *)c;
    size_t i;
    for (i = 0; i < a->n_pos; i++) ng_cursor__free(a->pos[i]);
    for (i = 0; i < a->n_neg; i++) ng_cursor__free(a->neg[i]);
    ng__free(a->pos);
    ng__free(a->neg);
    ng__free(a);
}

static const ng_cursor_ops and_ops = {and_next, and_seek, and_score, and_max, and_free};

int ng_cursor__and(ng_cursor **out, ng_cursor **pos, size_t n_pos, ng_cursor **neg, size_t n_neg)
{
    and_cursor *a = ng__calloc(1, sizeof *a);
    size_t i;
    int rc;
    *out = NULL;
    if (!a) goto oom;
    a->base.ops = &and_ops;
    a->base.block_max = and_block_max;
    a->pos = ng__malloc(n_pos * sizeof *pos);
    a->neg = ng__malloc((n_neg ? n_neg : 1) * sizeof *neg);
    if (!a->pos || !a->neg) goto oom;
    memcpy(a->pos, pos, n_pos * sizeof *pos);
    if (n_neg) memcpy(a->neg, neg, n_neg * sizeof *neg);
    a->n_pos = n_pos;
    a->n_neg = n_neg;
    qsort(a->pos, n_pos, sizeof *a->pos, cmp_cost);
    a->base.cost = a->pos[0]->cost;
    *out = &a->base;
    rc = and_align(a);
    if (rc == NG_ITEROVER) return NG_OK;
    if (rc) {
        and_free(&a->base);
        *out = NULL;
    }
    return rc;
oom:
    for (i = 0; i < n_pos; i++) ng_cursor__free(pos[i]);
    for (i = 0; i < n_neg; i++) ng_cursor__free(neg[i]);
    if (a) {
        ng__free(a->pos);
        ng__free(a->neg);
        ng__free(a);
    }
    return ng__oom();
}

/* ------------------------------------------------------------------ */

static void or_settle(or_cursor *o)
{
    uint32_t d = NG_FMT_DOCID_END;
    size_t i;
    for (i = 0; i < o->n; i++)
        if (o->kids[i]->doc < d) d = o->kids[i]->doc;
    o->base.doc = d;
}

static int or_next(ng_cursor *c)
{
    or_cursor *o = (or_cursor *)c;
    uint32_t cur = c->doc;
    size_t i;
    if (cur == NG_FMT_DOCID_END) return NG_ITEROVER;
    for (i = 0; i < o->n; i++) {
        if (o->kids[i]->doc == cur) {
            int rc = ng_cursor__next(o->kids[i]);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
        }
    }
    or_settle(o);
    return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
}

static int or_seek(ng_cursor *c, uint32_t target)
{
    or_cursor *o = (or_cursor *)c;
    size_t i;
    for (i = 0; i < o->n; i++) {
        int rc = ng_cursor__seek(o->kids[i], target);
        if (rc < 0 && rc != NG_ITEROVER) return rc;
    }
    or_settle(o);
    return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
}

static double or_score(ng_cursor *c)
{
    or_cursor *o = (or_cursor *)c;
    double s = 0;
    size_t i;
    for (i = 0; i < o->n; i++)
        if (o->kids[i]->doc == c->doc) s += o->kids[i]->ops->score(o->kids[i]);
    return s;
}

static double or_max(const ng_cursor *c)
{
    const or_cursor *o = (const or_cursor *)c;
    double s = 0;
    size_t i;
    for (i = 0; i < o->n; i++) s += o->kids[i]->ops->max_score(o->kids[i]);
    return s;
}

static void or_free(ng_cursor *c)
{
    or_cursor *o = (or_cursor *)c;
    size_t i;
    for (i = 0; i < o->n; i++) ng_cursor__free(o->kids[i]);
    ng__free(o->kids);
    ng__free(o);
}

static const ng_cursor_ops or_ops = {or_next, or_seek, or_score, or_max, or_free};

int ng_cursor__or(ng_cursor **out, ng_cursor **kids, size_t n)
{
    or_cursor *o = ng__calloc(1, sizeof *o);
    size_t i;
    *out = NULL;
    if (!o || !(o->kids = ng__malloc(n * sizeof *kids))) {
        for (i = 0; i < n; i++) ng_cursor__free(kids[i]);
        ng__free(o);
        return ng__oom();
    }
    memcpy(o->kids, kids, n * sizeof *kids);
    o->n = n;
    o->base.ops = &or_ops;
    o->base.block_max = or_block_max;
    for (i = 0; i < n; i++) o->base.cost += kids[i]->cost;
    or_settle(o);
    *out = &o->base;
    return NG_OK;
}

size_t ng_cursor__and_kids(ng_cursor *c, ng_cursor ***pos_out, ng_cursor ***neg_out, size_t *n_neg_out)
{
    and_cursor *a = (and_cursor *)c;
    if (c->ops != &and_ops) return 0;
    *pos_out = a->pos;
    *neg_out = a->neg;
    *n_neg_out = a->n_neg;
    return a->n_pos;
}

size_t ng_cursor__or_kids(ng_cursor *c, ng_cursor ***kids_out)
{
    or_cursor *o = (or_cursor *)c;
    if (c->ops != &or_ops) return 0;
    *kids_out = o->kids;
    return o->n;
}

/* Sum of the kids' block bounds; the window ends where the first kid's block
** does.  Every kid's bound holds over [target, its last] which covers it. */
static double sum_block_max(ng_cursor **kids, size_t n, uint32_t target, uint32_t *last)
{
    double s = 0;
    uint32_t end = NG_FMT_DOCID_END - 1, l;
    size_t i;
    for (i = 0; i < n; i++) {
        s += ng_cursor__block_max(kids[i], target, &l);
        if (l < end) end = l;
    }
    *last = end;
    return s;
}

static double and_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    and_cursor *a = (and_cursor *)c;
    return sum_block_max(a->pos, a->n_pos, target, last);
}

static double or_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    or_cursor *o = (or_cursor *)c;
    return sum_block_max(o->kids, o->n, target, last);
}
