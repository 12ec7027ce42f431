/*
** filter.c -- cursors that filter or rescore another cursor: the date
** filter over the .len date column (FORMAT.md section 7), the boost
** (scale), the recency decay, the title-weight sum and the ALT union of
** alternatives (expansions, name variants) scored by the best one.
**
** Each keeps max_score an upper bound of score() so that WAND stays exact:
**   scale: factor x inner bound;  decay: the factor is <= 1, inner bound;
**   sum: driver bound + extra bound;  alt: the largest kid bound;
**   date: 0 (it only filters).
** and sets base.block_max with the same composition over block windows
** (eval.h, ng_cursor__block_max), so that a query wrapped in them -- every
** word is a title sum, a name an ALT -- keeps block-max pruning.
*/
#include <math.h>

#include "eval/eval.h"
#include "eval/plan.h"

/* ---- date filter ---- */

typedef struct date_cursor {
    ng_cursor base;
    const ng_segment *seg;
    int32_t first, last;
} date_cursor;

/* Move to the first document >= d whose date is in range. */
static int date_from(date_cursor *c, uint32_t d)
{
    const ng_lens *l = &c->seg->lens;
    for (; d < l->n_docs; d++) {
        int32_t day = ng_lens__date(l, d);
        if (day != NG_DATE_NONE && day >= c->first && day <= c->last) {
            c->base.doc = d;
            return NG_OK;
        }
    }
    c->base.doc = NG_FMT_DOCID_END;
    return NG_ITEROVER;
}

static int date_next(ng_cursor *c)
{
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    return date_from((date_cursor *)c, c->doc + 1);
}

static int date_seek(ng_cursor *c, uint32_t target)
{
    if (c->doc >= target) return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
    return date_from((date_cursor *)c, target);
}

static double zero_score(ng_cursor *c) { (void)c; return 0; }
static double zero_max(const ng_cursor *c) { (void)c; return 0; }
static void plain_free(ng_cursor *c) { ng__free(c); }

/* Score 0 everywhere: a bound of 0 over the rest of the segment. */
static double date_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    (void)c;
    (void)target;
    *last = NG_FMT_DOCID_END - 1;
    return 0;
}

static const ng_cursor_ops date_ops = {
    .next = date_next, .seek = date_seek, .score = zero_score, .max_score = zero_max, .free = plain_free};

int ng_cursor__date(ng_cursor **out, const ng_segment *seg, int32_t first, int32_t last)
{
    date_cursor *c = ng__calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return ng__oom();
    c->base.ops = &date_ops;
    c->base.block_max = date_block_max;
    c->base.cost = seg->lens.n_docs; /* a scan: never the lead of an AND with words */
    c->seg = seg;
    c->first = first;
    c->last = last;
    date_from(c, 0);
    *out = &c->base;
    return NG_OK;
}

/* ---- wrappers around one inner cursor: scale, decay ---- */

typedef struct wrap_cursor {
    ng_cursor base;
    ng_cursor *inner;
    double factor;          /* scale */
    const ng_segment *seg;  /* decay: */
    double half_life;
    int32_t newest, oldest;
} wrap_cursor;

static int wrap_next(ng_cursor *c)
{
    wrap_cursor *w = (wrap_cursor *)c;
    int rc = ng_cursor__next(w->inner);
    c->doc = w->inner->doc;
    return rc;
}

static int wrap_seek(ng_cursor *c, uint32_t target)
{
    wrap_cursor *w = (wrap_cursor *)c;
    int rc = ng_cursor__seek(w->inner, target);
    c->doc = w->inner->doc;
    return rc == NG_OK && c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : rc;
}

static void wrap_free(ng_cursor *c)
{
    ng_cursor__free(((wrap_cursor *)c)->inner);
    ng__free(c);
}

static double scale_score(ng_cursor *c)
{
    wrap_cursor *w = (wrap_cursor *)c;
    return w->factor * w->inner->ops->score(w->inner);
}

static double scale_max(const ng_cursor *c)
{
    const wrap_cursor *w = (const wrap_cursor *)c;
    return w->factor * w->inner->ops->max_score(w->inner);
}

static double scale_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    wrap_cursor *w = (wrap_cursor *)c;
    return w->factor * ng_cursor__block_max(w->inner, target, last);
}

static const ng_cursor_ops scale_ops = {
    .next = wrap_next, .seek = wrap_seek, .score = scale_score, .max_score = scale_max, .free = wrap_free};

static double decay_score(ng_cursor *c)
{
    wrap_cursor *w = (wrap_cursor *)c;
    int32_t day = ng_lens__date(&w->seg->lens, c->doc);
    double age = (double)w->newest - (double)(day == NG_DATE_NONE ? w->oldest : day);
    if (age < 0) age = 0; /* dated after the newest live document (a deleted one's date) */
    return w->inner->ops->score(w->inner) * exp2(-age / w->half_life);
}

static double decay_max(const ng_cursor *c)
{
    const wrap_cursor *w = (const wrap_cursor *)c;
    return w->inner->ops->max_score(w->inner);
}

/* The decay factor is <= 1: the inner bound holds. */
static double decay_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    return ng_cursor__block_max(((wrap_cursor *)c)->inner, target, last);
}

static const ng_cursor_ops decay_ops = {
    .next = wrap_next, .seek = wrap_seek, .score = decay_score, .max_score = decay_max, .free = wrap_free};

static int wrap(ng_cursor **out, ng_cursor *inner, const ng_cursor_ops *ops,
                double (*block_max)(ng_cursor *, uint32_t, uint32_t *), wrap_cursor **w_out)
{
    wrap_cursor *w = ng__calloc(1, sizeof *w);
    *out = NULL;
    if (!w) {
        ng_cursor__free(inner);
        return ng__oom();
    }
    w->base.ops = ops;
    w->base.block_max = block_max;
    w->base.doc = inner->doc;
    w->base.cost = inner->cost;
    w->inner = inner;
    *w_out = w;
    *out = &w->base;
    return NG_OK;
}

int ng_cursor__scale(ng_cursor **out, ng_cursor *inner, double factor)
{
    wrap_cursor *w = NULL;
    int rc = wrap(out, inner, &scale_ops, scale_block_max, &w);
    if (!rc) w->factor = factor;
    return rc;
}

int ng_cursor__decay(ng_cursor **out, ng_cursor *inner, const ng_segment *seg, double half_life,
                     int32_t newest, int32_t oldest)
{
    wrap_cursor *w = NULL;
    int rc = wrap(out, inner, &decay_ops, decay_block_max, &w);
    if (!rc) {
        w->seg = seg;
        w->half_life = half_life;
        w->newest = newest;
        w->oldest = oldest;
    }
    return rc;
}

/* ---- sum: the driver's documents, plus the extra's score where it is ---- */

typedef struct sum_cursor {
    ng_cursor base;
    ng_cursor *driver, *extra;
    int err; /* a failed seek of extra inside score(): reported by next/seek */
} sum_cursor;

static int sum_next(ng_cursor *c)
{
    sum_cursor *s = (sum_cursor *)c;
    int rc = s->err ? s->err : ng_cursor__next(s->driver);
    c->doc = s->driver->doc;
    return rc;
}

static int sum_seek(ng_cursor *c, uint32_t target)
{
    sum_cursor *s = (sum_cursor *)c;
    int rc = s->err ? s->err : ng_cursor__seek(s->driver, target);
    c->doc = s->driver->doc;
    return rc == NG_OK && c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : rc;
}

static double sum_score(ng_cursor *c)
{
    sum_cursor *s = (sum_cursor *)c;
    double v = s->driver->ops->score(s->driver);
    if (s->extra->doc < c->doc) {
        int rc = ng_cursor__seek(s->extra, c->doc);
        if (rc < 0 && rc != NG_ITEROVER) s->err = rc;
    }
    if (s->extra->doc == c->doc) v += s->extra->ops->score(s->extra);
    return v;
}

static double sum_max(const ng_cursor *c)
{
    const sum_cursor *s = (const sum_cursor *)c;
    return s->driver->ops->max_score(s->driver) + s->extra->ops->max_score(s->extra);
}

static void sum_free(ng_cursor *c)
{
    sum_cursor *s = (sum_cursor *)c;
    ng_cursor__free(s->driver);
    ng_cursor__free(s->extra);
    ng__free(s);
}

/* driver + extra: the bounds add; the window is where both hold.  The
** extra list (a title's) is sparse: between its documents it adds nothing,
** so a window that starts in such a gap ends before its next document and
** is bounded by the driver alone; one that starts on its document and has a
** gap right after is that document alone.  Without that, a title list's
** bound would cover the whole body list and a one-word query would score
** every match. */
static double sum_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    sum_cursor *s = (sum_cursor *)c;
    uint32_t l1, l2, nx;
    double b1 = ng_cursor__block_max(s->driver, target, &l1), b2;
    /* no document below target is asked about again (callers bound windows
       that only move on): the extra may move up to target */
    if (ng_cursor__term_skip_known(s->extra, target, &nx) && nx > target) {
        *last = l1 < nx - 1 ? l1 : nx - 1;
        return b1;
    }
    b2 = ng_cursor__block_max(s->extra, target, &l2);
    *last = l1 < l2 ? l1 : l2;
    if (target < *last && ng_cursor__term_next_known(s->extra, target + 1, &nx) && nx > target + 1) *last = target;
    return b1 + b2;
}

static const ng_cursor_ops sum_ops = {
    .next = sum_next, .seek = sum_seek, .score = sum_score, .max_score = sum_max, .free = sum_free};

/* A sum's score is its driver's alone on documents the extra lacks: the
** driver passes, against floor, the documents up to the extra's next one,
** and stops on that one for the caller to score whole (eval.h). */
int ng_cursor__next_above(ng_cursor *c, double floor, uint32_t limit)
{
    sum_cursor *s = (sum_cursor *)c;
    int rc;
    if (c->ops != &sum_ops) return ng_cursor__term_next_above(c, floor, limit);
    if (s->err) return s->err;
    for (;;) {
        uint32_t d = s->driver->doc, lim = limit;
        if (d == NG_FMT_DOCID_END || d > limit) break;
        if (s->extra->doc < d && (rc = ng_cursor__seek(s->extra, d)) < 0 && rc != NG_ITEROVER) return rc;
        if (s->extra->doc == d) break; /* the extra is on it: score it whole */
        if (s->extra->doc - 1 < lim) lim = s->extra->doc - 1;
        if ((rc = ng_cursor__term_next_above(s->driver, floor, lim)) < 0 && rc != NG_ITEROVER) return rc;
        if (s->driver->doc <= lim) break; /* it passed (or is not a term cursor) */
    }
    c->doc = s->driver->doc;
    return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
}

void ng_cursor__meet(ng_cursor *a, ng_cursor *b)
{
    sum_cursor *sa = a->ops == &sum_ops ? (sum_cursor *)a : NULL, *sb = b->ops == &sum_ops ? (sum_cursor *)b : NULL;
    if ((sa && sa->err) || (sb && sb->err)) return;
    ng_cursor__term_meet(sa ? sa->driver : a, sb ? sb->driver : b);
    if (sa) a->doc = sa->driver->doc;
    if (sb) b->doc = sb->driver->doc;
}

int ng_cursor__sum(ng_cursor **out, ng_cursor *driver, ng_cursor *extra)
{
    sum_cursor *s = ng__calloc(1, sizeof *s);
    *out = NULL;
    if (!s) {
        ng_cursor__free(driver);
        ng_cursor__free(extra);
        return ng__oom();
    }
    s->base.ops = &sum_ops;
    s->base.block_max = sum_block_max;
    s->base.doc = driver->doc;
    s->base.cost = driver->cost;
    s->driver = driver;
    s->extra = extra;
    *out = &s->base;
    return NG_OK;
}

/* ---- alt: union of alternatives, scored by the best one on the doc ---- */

typedef struct alt_cursor {
    ng_cursor base;
    ng_cursor **kids;
    size_t n;
} alt_cursor;

static void alt_settle(alt_cursor *a)
{
    uint32_t d = NG_FMT_DOCID_END;
    size_t i;
    for (i = 0; i < a->n; i++)
        if (a->kids[i]->doc < d) d = a->kids[i]->doc;
    a->base.doc = d;
}

static int alt_next(ng_cursor *c)
{
    alt_cursor *a = (alt_cursor *)c;
    size_t i;
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    for (i = 0; i < a->n; i++)
        if (a->kids[i]->doc == c->doc) {
            int rc = ng_cursor__next(a->kids[i]);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
        }
    alt_settle(a);
    return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
}

static int alt_seek(ng_cursor *c, uint32_t target)
{
    alt_cursor *a = (alt_cursor *)c;
    size_t i;
    for (i = 0; i < a->n; i++) {
        int rc = ng_cursor__seek(a->kids[i], target);
        if (rc < 0 && rc != NG_ITEROVER) return rc;
    }
    alt_settle(a);
    return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
}

static double alt_score(ng_cursor *c)
{
    alt_cursor *a = (alt_cursor *)c;
    double best = 0;
    size_t i;
    for (i = 0; i < a->n; i++)
        if (a->kids[i]->doc == c->doc) {
            double s = a->kids[i]->ops->score(a->kids[i]);
            if (s > best) best = s;
        }
    return best;
}

static double alt_max(const ng_cursor *c)
{
    const alt_cursor *a = (const alt_cursor *)c;
    double best = 0;
    size_t i;
    for (i = 0; i < a->n; i++) {
        double s = a->kids[i]->ops->max_score(a->kids[i]);
        if (s > best) best = s;
    }
    return best;
}

static void alt_free(ng_cursor *c)
{
    alt_cursor *a = (alt_cursor *)c;
    size_t i;
    for (i = 0; i < a->n; i++) ng_cursor__free(a->kids[i]);
    ng__free(a->kids);
    ng__free(a);
}

/* The best kid scores: the largest kid bound, over the shortest window. */
static double alt_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    alt_cursor *a = (alt_cursor *)c;
    uint32_t end = NG_FMT_DOCID_END - 1, l;
    double best = 0;
    size_t i;
    for (i = 0; i < a->n; i++) {
        double b = ng_cursor__block_max(a->kids[i], target, &l);
        if (b > best) best = b;
        if (l < end) end = l;
    }
    *last = end;
    return best;
}

static const ng_cursor_ops alt_ops = {
    .next = alt_next, .seek = alt_seek, .score = alt_score, .max_score = alt_max, .free = alt_free};

int ng_cursor__alt(ng_cursor **out, ng_cursor **kids, size_t n)
{
    alt_cursor *a = ng__calloc(1, sizeof *a);
    size_t i;
    *out = NULL;
    if (!a || !(a->kids = ng__malloc((n ? n : 1) * sizeof *kids))) {
        for (i = 0; i < n; i++) ng_cursor__free(kids[i]);
        ng__free(a);
        return ng__oom();
    }
    memcpy(a->kids, kids, n * sizeof *kids);
    a->n = n;
    a->base.ops = &alt_ops;
    a->base.block_max = alt_block_max;
    for (i = 0; i < n; i++) a->base.cost += kids[i]->cost;
    alt_settle(a);
    *out = &a->base;
    return NG_OK;
}
