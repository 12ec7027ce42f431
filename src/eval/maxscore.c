/*
** maxscore.c -- exact top-k over one segment with dynamic pruning: the
** documents that cannot enter the top-k heap are neither scored nor, where
** the postings allow it, decoded.
**
** Three loops, chosen by ng_eval__topk_segment():
**
**  - OR of two or more kids: MaxScore (Turtle & Flood, "Query evaluation:
**    strategies and optimizations", IP&M 1995) refined with block-max bounds
**    per window of documents, as Lucene's MaxScoreBulkScorer does and as
**    "block-max MaxScore" is described by Mallia, Siedlaczek & Suel ("An
**    experimental study of index compression and DAAT query processing
**    methods", ECIR 2019).  We chose it over Block-Max WAND (Ding & Suel,
**    SIGIR 2011) because (1) it treats any kid generically -- a phrase, a
**    NEAR or a nested OR is just a list with a coarser bound -- where WAND
**    needs every list to expose docids in lockstep and pivots per document;
**    (2) it keeps the kids in query order for scoring, so the summed score is
**    the same double as the exhaustive OR cursor's; (3) on the short queries
**    of a news archive (2-5 words) the cited study finds it as fast or
**    faster than BMW for k = 10 and clearly faster for k = 1000.
**    Measured here: see the report of the change and doc/BENCHMARKS.md.
**
**      window [ws, we]: we = the smallest block end among the kids at ws,
**                       so each kid has one block bound B_i over it
**      order kids by B_i; the longest prefix whose bounds sum to <= the
**      heap threshold is "non-essential": a document matching only those
**      cannot enter the heap.  If every kid is non-essential, the whole
**      window goes by without decoding anything.
**      candidates: the essential kids' documents in the window; score them,
**      then add non-essential kids best first, stopping as soon as the
**      score so far plus the bounds of those left cannot beat the threshold.
**
**  - any other cursor (term, AND, phrase, ...): document at a time, and when
**    the heap is full, a document whose block bound (ng_cursor__block_max)
**    cannot beat the threshold makes the cursor seek past the block window
**    (for an AND: past the first of its kids' blocks to end).
**
**  - exact total wanted: every match is visited and counted, but only those
**    whose bound beats the threshold are scored.
**
** Exactness.  A document enters the heap only with a score above the
** threshold (equal scores lose: documents come in increasing docnum order,
** segments in order, and ties go to the smaller docnum), so skipping
** documents whose upper bound is <= the threshold changes nothing.  Bounds
** are compared with a relative slack of 1e-9 so that rounding in sums taken
** in another order can never prune a document the exhaustive loop keeps.
** The threshold is the heap's, which the caller keeps across segments.
*/
#include "eval/eval.h"

#define BOUND_SLACK 1e-9 /* relative: far above the rounding of a few sums */

static int can_beat(double bound, double thr) { return bound + bound * BOUND_SLACK > thr; }

static int iter_err(int rc) { return rc < 0 && rc != NG_ITEROVER; }

static void push(ng_topk *t, ng_cursor *c, const ng_segment *seg, uint32_t doc, uint64_t *matched)
{
    ng_topk__push(t, c->ops->score(c), seg->base + doc);
    ng_eval__count_scored(1);
    (*matched)++;
}

/* ------------------------------------------------------------------ */
/* Exact total: visit everything, score only what may enter            */

/* Bound of c at the document it is on: for an OR, only the kids on it. */
static double doc_bound(ng_cursor *c, uint32_t doc)
{
    ng_cursor **kids;
    size_t n = ng_cursor__or_kids(c, &kids), i;
    uint32_t last;
    double s = 0;
    if (n == 0) return ng_cursor__block_max(c, doc, &last);
    for (i = 0; i < n; i++)
        if (kids[i]->doc == doc) s += ng_cursor__block_max(kids[i], doc, &last);
    return s;
}

static int scan_counting(ng_topk *t, ng_cursor *c, const ng_segment *seg, uint64_t *matched)
{
    int rc;
    while (c->doc != NG_FMT_DOCID_END) {
        uint32_t doc = c->doc;
        if (!ng_seg__deleted(seg, doc)) {
            if (t->k > 0 && (t->n < t->k || can_beat(doc_bound(c, doc), ng_topk__threshold(t)))) {
                push(t, c, seg, doc, matched);
            } else {
                (*matched)++;
            }
        }
        if (iter_err(rc = ng_cursor__next(c))) return rc;
    }
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Any cursor: skip block windows that cannot beat the threshold        */

static int scan_block_max(ng_topk *t, ng_cursor *c, const ng_segment *seg, uint64_t *matched)
{
    uint32_t win_last = 0;
    double win_bound = 0, floor = -HUGE_VAL;
    int rc = NG_OK, have_win = 0;
    c->floor = &floor; /* the root's score is the hit's: it may skip below it */
    while (c->doc != NG_FMT_DOCID_END) {
        uint32_t doc = c->doc;
        if (t->n == t->k) {
            /* one bound per block window: asked again only past its end */
            if (!have_win || doc > win_last) {
                win_bound = ng_cursor__block_max(c, doc, &win_last);
                have_win = 1;
            }
            if (!can_beat(win_bound, ng_topk__threshold(t))) {
                /* nothing up to win_last can enter; the threshold never goes down */
                if (win_last >= NG_FMT_DOCID_END - 1) break;
                if (iter_err(rc = ng_cursor__seek(c, win_last + 1))) break;
                continue;
            }
        }
        if (!ng_seg__deleted(seg, doc)) {
            push(t, c, seg, doc, matched);
            /* below the threshold, with the same slack as can_beat() */
            if (t->n == t->k) floor = ng_topk__threshold(t) / (1.0 + BOUND_SLACK);
        }
        if (iter_err(rc = ng_cursor__next(c))) break;
    }
    c->floor = NULL;
    return iter_err(rc) ? rc : NG_OK;
}

/* ------------------------------------------------------------------ */
/* AND: the lead's candidates, bounded before the other kids move       */

/*
** A conjunction driven by its cheapest kid (the lead) as bool.c's
** and_align() does, but pruned document by document once the heap is full:
**
**   1. window: the sum of every kid's block bound at the candidate (skip
**      entries only); if it cannot beat the threshold, the lead jumps past
**      the first block end among the kids, as scan_block_max() would;
**   2. the lead's exact score plus the other kids' block bounds: if that
**      cannot beat the threshold, the lead moves on and the other kids do
**      not move at all, so a block of theirs whose candidates all fail here
**      is never decoded (and_align() would seek, hence decode, every one);
**   3. the other kids are sought one by one, each exact score replacing its
**      bound, stopping as soon as the sum cannot beat the threshold.
**
** A document that passes is scored as and_score() does -- the kids' scores
** summed in the AND's order -- so the top-k is the exhaustive one, double
** for double.  Bounds hold over [candidate, last] for each kid, and the
** candidates only increase, so a kid's bound is asked again only past its
** last.
*/
#define CONJ_MAX_KIDS 32 /* wider ANDs take the generic loop */

typedef struct conj {
    ng_cursor **pos, **neg; /* the AND's kids (borrowed), pos[0] leads */
    size_t n_pos, n_neg;
    double bound[CONJ_MAX_KIDS];   /* block bound of each kid at the candidate */
    uint32_t until[CONJ_MAX_KIDS]; /* ... valid below this document (0: ask) */
    double contrib[CONJ_MAX_KIDS]; /* exact score of each kid at the candidate */
} conj;

/* Refresh the kids' bounds at d; returns their sum, *end the first block end. */
static double conj_window(conj *cj, uint32_t d, uint32_t *end)
{
    double sum = 0;
    uint32_t e = NG_FMT_DOCID_END - 1;
    size_t i;
    for (i = 0; i < cj->n_pos; i++) {
        if (d >= cj->until[i]) {
            uint32_t last;
            cj->bound[i] = ng_cursor__block_max(cj->pos[i], d, &last);
            cj->until[i] = last + 1; /* last < NG_FMT_DOCID_END: no wrap */
        }
        sum += cj->bound[i];
        if (cj->until[i] - 1 < e) e = cj->until[i] - 1;
    }
    *end = e;
    return sum;
}

/* Align the other kids on the lead's document d, scoring as they arrive
** when thr is finite.  Returns 1 if all are on d and the sum may beat thr,
** 0 if d is out (the lead was moved to the next candidate), 2 if a kid is
** exhausted (no match is left), or an error. */
static int conj_align(conj *cj, uint32_t d, double thr, double rest)
{
    ng_cursor *lead = cj->pos[0];
    double s = cj->contrib[0];
    size_t i;
    int rc;
    for (i = 1; i < cj->n_pos; i++) {
        ng_cursor *k = cj->pos[i];
        if (iter_err(rc = ng_cursor__seek(k, d))) return rc;
        if (k->doc != d) { /* advance the laggard: the lead jumps to the overshoot */
            if (k->doc == NG_FMT_DOCID_END) return 2;
            return iter_err(rc = ng_cursor__seek(lead, k->doc)) ? rc : 0;
        }
        if (thr == -HUGE_VAL) continue;
        cj->contrib[i] = k->ops->score(k);
        s += cj->contrib[i];
        rest -= cj->bound[i];
        if (!can_beat(s + rest, thr)) return iter_err(rc = ng_cursor__next(lead)) ? rc : 0;
    }
    for (i = 0; i < cj->n_neg; i++) {
        if (iter_err(rc = ng_cursor__seek(cj->neg[i], d))) return rc;
        if (cj->neg[i]->doc == d) return iter_err(rc = ng_cursor__next(lead)) ? rc : 0;
    }
    return 1;
}

static int conj_run(conj *cj, ng_topk *t, const ng_segment *seg, uint64_t *matched, uint64_t *scored)
{
    ng_cursor *lead = cj->pos[0];
    size_t i;
    int rc;
    for (i = 0; i < cj->n_pos; i++) cj->until[i] = 0;
    while (lead->doc != NG_FMT_DOCID_END) {
        uint32_t d = lead->doc, end;
        double thr = ng_topk__threshold(t), rest = 0, s;
        for (i = 1; i < cj->n_pos && lead->doc == d; i++) ng_cursor__meet(lead, cj->pos[i]);
        if (lead->doc != d) continue; /* d is not in every kid: from the top with the new one */
        if (ng_seg__deleted(seg, d)) {
            if (iter_err(rc = ng_cursor__next(lead))) return rc;
            continue;
        }
        if (t->n == t->k) {
            double sum = conj_window(cj, d, &end);
            if (!can_beat(sum, thr)) { /* nothing up to end can enter */
                if (end >= NG_FMT_DOCID_END - 1) break;
                if (iter_err(rc = ng_cursor__seek(lead, end + 1))) return rc;
                continue;
            }
            rest = sum - cj->bound[0];
            if (thr > 0) { /* pass, inside the lead's cursor, what its own score rules out */
                if (iter_err(rc = ng_cursor__next_above(lead, thr - rest - 2 * BOUND_SLACK * thr, end))) return rc;
                if (lead->doc != d) continue; /* moved: deleted? same window? from the top */
            }
            cj->contrib[0] = lead->ops->score(lead);
            if (!can_beat(cj->contrib[0] + rest, thr)) {
                if (iter_err(rc = ng_cursor__next(lead))) return rc;
                continue;
            }
        }
        if ((rc = conj_align(cj, d, thr, rest)) < 0) return rc;
        if (rc == 2) break;
        if (rc == 0) continue;
        if (thr == -HUGE_VAL) /* heap not full: every match enters, score it all */
            for (i = 0; i < cj->n_pos; i++) cj->contrib[i] = cj->pos[i]->ops->score(cj->pos[i]);
        for (s = 0, i = 0; i < cj->n_pos; i++) s += cj->contrib[i]; /* and_score()'s order */
        ng_topk__push(t, s, seg->base + d);
        (*scored)++;
        (*matched)++;
        if (iter_err(rc = ng_cursor__next(lead))) return rc;
    }
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* OR: MaxScore over block-max windows                                 */

#define MS_MAX_KIDS 32 /* a bit per essential kid (uint32_t); wider ORs: generic loop */

typedef struct ms {
    ng_cursor **kids;  /* the OR's kids, query order (borrowed) */
    size_t n;
    size_t *order;     /* kid indexes by window bound, ascending */
    double *bound;     /* window bound of each kid */
    uint32_t *until;   /* ... valid for windows starting below this (0: ask) */
    double *cum;       /* cum[j] = bound[order[0]] + ... + bound[order[j]] */
    double *contrib;   /* score of each kid at the candidate */
    uint64_t seg_base; /* the segment's first docnum */
    size_t ne;         /* order[0..ne) are non-essential */
    ng_cursor **ess;   /* the window's essential kids, order[ne..n) */
    double *ess_bound; /* their window bounds */
} ms;

/* Bounds of every kid over the window from ws; returns its end, or
** NG_FMT_DOCID_END if every kid is exhausted. */
static uint32_t ms_window(ms *m, uint32_t ws, double thr)
{
    uint32_t we = NG_FMT_DOCID_END - 1, l;
    size_t i, j;
    int live = 0;
    for (i = 0; i < m->n; i++) {
        /* a bound over [ws', l] holds over [ws, l] for ws >= ws': a kid
        ** whose window goes on past ws keeps it (asking again at ws would
        ** give the same block and the same bound) */
        if (ws >= m->until[i]) {
            m->bound[i] = ng_cursor__block_max(m->kids[i], ws, &l);
            m->until[i] = l + 1; /* l < NG_FMT_DOCID_END: no wrap */
        }
        if (m->until[i] - 1 < we) we = m->until[i] - 1;
        live |= m->kids[i]->doc != NG_FMT_DOCID_END;
    }
    if (!live) return NG_FMT_DOCID_END;
    for (i = 0; i < m->n; i++) { /* insertion sort: a handful of kids */
        size_t k = i;
        for (j = i; j > 0 && m->bound[m->order[j - 1]] > m->bound[k]; j--) m->order[j] = m->order[j - 1];
        m->order[j] = k;
    }
    for (j = 0; j < m->n; j++) m->cum[j] = (j ? m->cum[j - 1] : 0) + m->bound[m->order[j]];
    for (m->ne = 0; m->ne < m->n && !can_beat(m->cum[m->ne], thr); m->ne++) {}
    return we;
}

/* Score the candidate if it may enter the heap; the kids' contributions are
** summed in query order at the end, as the OR cursor does.  on_bits has a
** bit per essential position j - ne whose kid is on cand; ub the sum of
** their window bounds and of every non-essential kid's.  The loop state is
** read into locals once (stores through m would make the compiler reload
** it), and the kids on cand are a bit mask (MS_MAX_KIDS <= 32). */
static int ms_score(ms *m, ng_topk *t, uint32_t cand, uint32_t on_bits, double ub, uint64_t *matched,
                    uint64_t *scored)
{
    const double thr = ng_topk__threshold(t), *cum = m->cum;
    const size_t n = m->n, ne = m->ne, *order = m->order;
    ng_cursor **kids = m->kids;
    double *contrib = m->contrib, s = 0;
    uint32_t on = 0; /* bit i: kid i (query order) is on cand */
    size_t j, i;
    int rc;
    /* block bounds of the essential kids on cand first: often enough to stop */
    if (!can_beat(ub, thr)) return NG_OK;
    for (j = ne; j < n; j++) {
        if (!(on_bits >> (j - ne) & 1u)) continue;
        i = order[j];
        contrib[i] = kids[i]->ops->score(kids[i]);
        on |= 1u << i;
        s += contrib[i];
    }
    (*scored)++;
    for (j = ne; j-- > 0;) { /* non-essential kids, largest bound first */
        if (!can_beat(s + cum[j], thr)) return NG_OK;
        i = order[j];
        if (iter_err(rc = ng_cursor__seek(kids[i], cand))) return rc;
        if (kids[i]->doc == cand) {
            contrib[i] = kids[i]->ops->score(kids[i]);
            on |= 1u << i;
            s += contrib[i];
        }
    }
    for (s = 0, i = 0; i < n; i++)
        if (on >> i & 1u) s += contrib[i];
    ng_topk__push(t, s, m->seg_base + cand);
    (*matched)++;
    return NG_OK;
}

/* One essential kid (the usual state once the heap is full): a candidate
** needs its score above the threshold less the other kids' bounds (base),
** which its cursor tests in one loop over its block (as the AND lead does);
** ms_score() would reject every document it passes. */
static int ms_one_essential(ms *m, ng_topk *t, const ng_segment *seg, uint32_t we, double base, uint64_t *matched,
                            uint64_t *scored)
{
    ng_cursor *c = m->ess[0];
    double ub = base + m->ess_bound[0];
    int rc;
    while (c->doc <= we) {
        double thr = ng_topk__threshold(t);
        if (thr > 0 && iter_err(rc = ng_cursor__next_above(c, thr - base - 2 * BOUND_SLACK * thr, we))) return rc;
        if (c->doc > we) break;
        if (!ng_seg__deleted(seg, c->doc) && (rc = ms_score(m, t, c->doc, 1u, ub, matched, scored)) != NG_OK)
            return rc;
        if (iter_err(rc = ng_cursor__next(c))) return rc;
    }
    return NG_OK;
}

/* The candidates of one window: the essential kids' documents up to we,
** each visited once; the kids on a candidate advance together. */
static int ms_window_docs(ms *m, ng_topk *t, const ng_segment *seg, uint32_t ws, uint32_t we, uint64_t *matched,
                          uint64_t *scored)
{
    ng_cursor **ess = m->ess;
    size_t n_ess = m->n - m->ne, j;
    double base = m->ne ? m->cum[m->ne - 1] : 0;
    uint32_t cand = NG_FMT_DOCID_END;
    int rc;
    for (j = 0; j < n_ess; j++) {
        ess[j] = m->kids[m->order[m->ne + j]];
        m->ess_bound[j] = m->bound[m->order[m->ne + j]];
        if (iter_err(rc = ng_cursor__seek(ess[j], ws))) return rc;
        if (ess[j]->doc < cand) cand = ess[j]->doc;
    }
    if (n_ess == 1 && m->ne > 0) return ms_one_essential(m, t, seg, we, base, matched, scored);
    while (cand <= we) {
        uint32_t on_bits = 0, next = NG_FMT_DOCID_END, other = NG_FMT_DOCID_END;
        size_t only = 0;
        double ub = base, thr;
        for (j = 0; j < n_ess; j++)
            if (ess[j]->doc == cand) {
                on_bits |= 1u << j;
                ub += m->ess_bound[j];
                only = j;
            } else if (ess[j]->doc < other) {
                other = ess[j]->doc;
            }
        if (!(on_bits & (on_bits - 1)) && (thr = ng_topk__threshold(t)) > 0) {
            /* one kid alone up to the others' next document: its own score
            ** must beat the threshold less every non-essential bound, which
            ** its cursor tests in one loop (as in ms_one_essential) */
            ng_cursor *c = ess[only];
            uint32_t lim = other - 1 < we ? other - 1 : we;
            if (iter_err(rc = ng_cursor__next_above(c, thr - base - 2 * BOUND_SLACK * thr, lim))) return rc;
            if (c->doc != cand) {
                cand = c->doc < other ? c->doc : other;
                continue;
            }
        }
        if (!ng_seg__deleted(seg, cand) && (rc = ms_score(m, t, cand, on_bits, ub, matched, scored)) != NG_OK)
            return rc;
        for (j = 0; j < n_ess; j++) {
            if (on_bits >> j & 1u && iter_err(rc = ng_cursor__next(ess[j]))) return rc;
            if (ess[j]->doc < next) next = ess[j]->doc;
        }
        cand = next;
    }
    return NG_OK;
}

static int ms_run(ms *m, ng_topk *t, const ng_segment *seg, uint64_t *matched, uint64_t *scored)
{
    uint32_t ws = 0, we;
    int rc;
    for (;;) {
        if ((we = ms_window(m, ws, ng_topk__threshold(t))) == NG_FMT_DOCID_END) break;
        if (m->ne < m->n && (rc = ms_window_docs(m, t, seg, ws, we, matched, scored)) != NG_OK) return rc;
        if (we >= NG_FMT_DOCID_END - 1) break;
        ws = we + 1;
    }
    return NG_OK;
}

static int maxscore(ng_topk *t, ng_cursor **kids, size_t n, const ng_segment *seg, uint64_t *matched)
{
    ms m;
    uint64_t scored = 0;
    int rc;
    memset(&m, 0, sizeof m);
    m.kids = kids;
    m.n = n;
    m.seg_base = seg->base;
    m.order = ng__malloc(n * sizeof *m.order);
    m.bound = ng__malloc(n * sizeof *m.bound);
    m.until = ng__calloc(n, sizeof *m.until);
    m.cum = ng__malloc(n * sizeof *m.cum);
    m.contrib = ng__malloc(n * sizeof *m.contrib);
    m.ess = ng__malloc(n * sizeof *m.ess);
    m.ess_bound = ng__malloc(n * sizeof *m.ess_bound);
    rc = m.order && m.bound && m.until && m.cum && m.contrib && m.ess && m.ess_bound
             ? ms_run(&m, t, seg, matched, &scored)
             : ng__oom();
    ng_eval__count_scored(scored);
    ng__free(m.order);
    ng__free(m.bound);
    ng__free(m.until);
    ng__free(m.cum);
    ng__free(m.contrib);
    ng__free(m.ess);
    ng__free(m.ess_bound);
    return rc;
}

/* ------------------------------------------------------------------ */

int ng_eval__topk_segment(ng_topk *t, ng_cursor *root, const ng_segment *seg, int exact_total, uint64_t *matched)
{
    ng_cursor **kids, **neg;
    size_t n, n_neg;
    if (exact_total) return scan_counting(t, root, seg, matched);
    if (t->k == 0) return NG_OK;
    n = ng_cursor__or_kids(root, &kids);
    if (n >= 2 && n <= MS_MAX_KIDS) return maxscore(t, kids, n, seg, matched);
    n = ng_cursor__and_kids(root, &kids, &neg, &n_neg);
    if (n >= 2 && n <= CONJ_MAX_KIDS) {
        conj cj;
        uint64_t scored = 0;
        int rc;
        cj.pos = kids;
        cj.n_pos = n;
        cj.neg = neg;
        cj.n_neg = n_neg;
        rc = conj_run(&cj, t, seg, matched, &scored);
        ng_eval__count_scored(scored);
        return rc;
    }
    return scan_block_max(t, root, seg, matched);
}
