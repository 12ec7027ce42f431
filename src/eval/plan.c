/*
** plan.c -- turning a parsed query (ng_qnode tree) into a tree of cursors
** over one segment.  Collection statistics (idf of every query term) are
** gathered once per query by ng_plan__init, so that a document scores the
** same whichever segment holds it.
**
** How each node becomes cursors:
**   TERM    term cursor; unfielded: + title_weight x title-term cursor
**           (ng_cursor__sum, the title part uses the stem's idf and b = 0);
**           with a name key: ALT(that, name-key term cursor)
**   PHRASE  exact: phrase.c; sloppy ("..."~k): near.c with the offsets
**   NEAR    near.c, each operand the union of its alternatives' positions
**   ALT     union scored by its best kid (expansions, name variants)
**   DATE    date filter over the .len column (score 0)
**   AND/OR  bool.c;  boost != 1: ng_cursor__scale
**   root    + date bounds of the options (AND with a date filter) and the
**           recency decay (ng_cursor__decay)
** Every wrapper keeps max_score a true upper bound (WAND stays exact):
** sum adds bounds, ALT takes the largest, scale multiplies, decay <= 1.
*/
#include <math.h>

#include "eval/eval.h"
#include "eval/plan.h"
#include "api/api.h"

/* An entry no dictionary holds (its offset is past any file: a real entry
** that far out is rejected by ng_seg__open_term, never mistaken for it). */
static void mark_absent(ng_term_info *ti)
{
    memset(ti, 0, sizeof *ti);
    ti->pst_off = UINT64_MAX;
}

static int is_absent(const ng_term_info *ti) { return ti->pst_off == UINT64_MAX && ti->df == 0 && ti->pst_len == 0; }

/* Live df of term over the snapshot, keeping each segment's dictionary
** entry in ti[] (mark_absent where the segment lacks it): one lookup per segment
** and term. */
static int lookup_df(const ng_plan *pl, const char *term, size_t len, ng_term_info *ti, uint64_t *df_out)
{
    uint64_t df = 0, n;
    uint32_t s;
    int rc;
    for (s = 0; s < pl->ix->n_segs; s++) {
        const ng_segment *seg = &pl->ix->segs[s];
        rc = ng_dict__lookup(&seg->dict, term, len, &ti[s]);
        if (rc == NG_ENOTFOUND) {
            mark_absent(&ti[s]);
            continue;
        }
        if (rc) return rc;
        if (seg->dels && seg->meta.n_deleted > 0) {
            /* exact BM25 statistics: tombstoned documents do not count */
            if ((rc = ng_seg__live_df(seg, &ti[s], &n)) != NG_OK) return rc;
            df += n;
        } else {
            df += ti[s].df;
        }
    }
    *df_out = df;
    return NG_OK;
}

static int add_idf(ng_plan *pl, const ng_qterm *qt)
{
    size_t n_segs = pl->ix->n_segs ? pl->ix->n_segs : 1;
    uint64_t df;
    ng_plan_idf *e;
    int rc;
    if ((rc = NG_GROW(pl->terms, pl->cap, pl->n_terms + 1)) != NG_OK) return rc;
    e = &pl->terms[pl->n_terms++];
    memset(e, 0, sizeof *e);
    e->qt = qt;
    if (!pl->scoring) return NG_OK; /* cursors look the term up themselves */
    if (!(e->ti = ng__malloc(n_segs * sizeof *e->ti))) return ng__oom();
    if ((rc = lookup_df(pl, qt->term, qt->term_len, e->ti, &df)) != NG_OK) return rc;
    e->idf = ng_bm25_idf(&pl->bm25, (double)df);
    if (qt->key) {
        if (!(e->key_ti = ng__malloc(n_segs * sizeof *e->key_ti))) return ng__oom();
        if ((rc = lookup_df(pl, qt->key, qt->key_len, e->key_ti, &df)) != NG_OK) return rc;
        e->key_idf = ng_bm25_idf(&pl->bm25, (double)df);
    }
    return NG_OK;
}

static int collect_idf(ng_plan *pl, const ng_qnode *n)
{
    size_t i;
    int rc;
    if (n->kind != NG_Q_ALT) /* an ALT's own term is the source word, not a term */
        for (i = 0; i < n->n_terms; i++)
            if ((rc = add_idf(pl, &n->terms[i])) != NG_OK) return rc;
    for (i = 0; i < n->n_kids; i++)
        if ((rc = collect_idf(pl, n->kids[i])) != NG_OK) return rc;
    return NG_OK;
}

static const ng_plan_idf *idf_entry(const ng_plan *pl, const ng_qterm *qt)
{
    static const ng_plan_idf none = {NULL, 0, 0, NULL, NULL};
    size_t i;
    for (i = 0; i < pl->n_terms; i++)
        if (pl->terms[i].qt == qt) return &pl->terms[i];
    return &none;
}

static double idf_of(const ng_plan *pl, const ng_qterm *qt) { return idf_entry(pl, qt)->idf; }

/* Term cursor for a query term (key = 0: its stem, 1: its name key) in seg,
** from the entry the df lookup kept, or by a lookup when there is none. */
static int open_term(ng_cursor **out, const ng_plan *pl, const ng_plan_idf *e, const ng_qterm *qt, int key,
                     const ng_segment *seg, double idf, const ng_bm25 *p)
{
    const ng_term_info *tis = key ? e->key_ti : e->ti;
    size_t s = (size_t)(seg - pl->ix->segs);
    if (tis && seg >= pl->ix->segs && s < pl->ix->n_segs) {
        if (is_absent(&tis[s])) return ng_cursor__empty(out);
        return ng_cursor__term_open(out, seg, &tis[s], idf, p);
    }
    return key ? ng_cursor__term(out, seg, qt->key, qt->key_len, idf, p)
               : ng_cursor__term(out, seg, qt->term, qt->term_len, idf, p);
}

/* Newest and oldest dates of the live documents (for the recency decay). */
static void date_span(ng_plan *pl)
{
    uint32_t s, d;
    pl->newest = pl->oldest = NG_DATE_NONE;
    for (s = 0; s < pl->ix->n_segs; s++) {
        const ng_segment *seg = &pl->ix->segs[s];
        for (d = 0; d < seg->lens.n_docs; d++) {
            int32_t day = ng_lens__date(&seg->lens, d);
            if (day == NG_DATE_NONE || ng_seg__deleted(seg, d)) continue;
            if (pl->newest == NG_DATE_NONE || day > pl->newest) pl->newest = day;
            if (pl->oldest == NG_DATE_NONE || day < pl->oldest) pl->oldest = day;
        }
    }
}

static int check_options(const ng_search_options *o)
{
    if (!(o->title_weight >= 0 && o->title_weight <= 1000))
        return ng__err(NG_EINVAL, "search options: title_weight must be in [0, 1000]");
    if (!(o->recent_half_life >= 0 && o->recent_half_life <= 1e7))
        return ng__err(NG_EINVAL, "search options: recent_half_life must be in [0, 1e7] days");
    if (o->sort != NG_SORT_SCORE && o->sort != NG_SORT_DATE)
        return ng__err(NG_EINVAL, "search options: unknown sort %d", o->sort);
    if (o->since != NG_DATE_ANY && o->until != NG_DATE_ANY && o->since > o->until)
        return ng__err(NG_EINVAL, "search options: since is after until");
    return NG_OK;
}

static int plan_init(ng_plan *pl, const ng_index *ix, const ng_qnode *root, const ng_search_options *o, int scoring)
{
    ng_search_options def = NG_SEARCH_OPTIONS_INIT;
    int rc;
    memset(pl, 0, sizeof *pl);
    pl->scoring = scoring;
    if (!o) o = &def;
    pl->ix = ix;
    pl->root = root;
    pl->bm25.k1 = o->k1;
    pl->bm25.b = o->b;
    pl->bm25.avgdl = ix->avgdl;
    pl->bm25.n_docs = (double)ix->n_live;
    pl->bm25_title = pl->bm25;
    pl->bm25_title.b = 0;
    pl->title_weight = o->title_weight;
    pl->since = o->since;
    pl->until = o->until;
    pl->half_life = o->recent_half_life;
    pl->newest = pl->oldest = NG_DATE_NONE;
    if ((rc = check_options(o)) != NG_OK) return rc;
    if (pl->half_life > 0) date_span(pl);
    return root ? collect_idf(pl, root) : NG_OK;
}

int ng_plan__init(ng_plan *pl, const ng_index *ix, const ng_qnode *root, const ng_search_options *o)
{
    return plan_init(pl, ix, root, o, 1);
}

int ng_plan__init_unscored(ng_plan *pl, const ng_index *ix, const ng_qnode *root)
{
    return plan_init(pl, ix, root, NULL, 0);
}

void ng_plan__free(ng_plan *pl)
{
    size_t i;
    for (i = 0; i < pl->n_terms; i++) {
        ng__free(pl->terms[i].ti);
        ng__free(pl->terms[i].key_ti);
    }
    ng__free(pl->terms);
}

static int build(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl);

static const ng_bm25 *bm25_for(const ng_plan *pl, const ng_qnode *n)
{
    return n->field == NG_QF_TITLE ? &pl->bm25_title : &pl->bm25;
}

/* One query word: stem (+ title weighting when unfielded) (+ name key). */
static int build_word(ng_cursor **out, const ng_qnode *n, const ng_qterm *qt, const ng_segment *seg, const ng_plan *pl)
{
    const ng_plan_idf *e = idf_entry(pl, qt);
    ng_cursor *c, *x, *alt[2];
    int rc;
    *out = NULL;
    if ((rc = open_term(&c, pl, e, qt, 0, seg, e->idf, bm25_for(pl, n))) != NG_OK) return rc;
    if (pl->scoring && n->field == NG_QF_ALL && pl->title_weight > 0 && qt->term_len < NG_MAX_TERM_BYTES * 4 && c->doc != NG_FMT_DOCID_END) {
        char t[NG_MAX_TERM_BYTES * 4 + 2];
        t[0] = NG_NS_TITLE;
        memcpy(t + 1, qt->term, qt->term_len);
        rc = ng_cursor__term(&x, seg, t, qt->term_len + 1, pl->title_weight * e->idf, &pl->bm25_title);
        if (rc) {
            ng_cursor__free(c);
            return rc;
        }
        if (x->doc == NG_FMT_DOCID_END) ng_cursor__free(x);
        else if ((rc = ng_cursor__sum(&c, c, x)) != NG_OK) return rc;
    }
    if (qt->key) {
        if ((rc = open_term(&x, pl, e, qt, 1, seg, e->key_idf, &pl->bm25)) != NG_OK) {
            ng_cursor__free(c);
            return rc;
        }
        alt[0] = c;
        alt[1] = x;
        if ((rc = ng_cursor__alt(&c, alt, 2)) != NG_OK) return rc;
    }
    *out = c;
    return NG_OK;
}

static int build_phrase(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
{
    ng_cursor *terms[64];
    uint32_t rel[64];
    double idf = 0;
    size_t i;
    int rc;
    if (n->n_terms > 64) return ng__err_at(NG_EQUERY, n->offset, "query: phrase longer than 64 words at %zu", n->offset);
    for (i = 0; i < n->n_terms; i++) {
        const ng_qterm *qt = &n->terms[i];
        rc = open_term(&terms[i], pl, idf_entry(pl, qt), qt, 0, seg, idf_of(pl, qt), bm25_for(pl, n));
        if (rc) {
            while (i--) ng_cursor__free(terms[i]);
            return rc;
        }
        rel[i] = qt->rel_pos;
        idf += idf_of(pl, qt);
    }
    return ng_cursor__phrase(out, terms, rel, n->n_terms, idf, seg, bm25_for(pl, n));
}

/* ---- positional operands (NEAR, sloppy phrases) ---- */

/* Do two operands stand for the same word(s)? (then positions must differ) */
static int same_terms(const ng_qnode *a, const ng_qnode *b)
{
    size_t i;
    if (a->kind != b->kind || a->n_kids != b->n_kids) return 0;
    if (a->kind == NG_Q_TERM)
        return a->terms[0].term_len == b->terms[0].term_len &&
               memcmp(a->terms[0].term, b->terms[0].term, a->terms[0].term_len) == 0;
    for (i = 0; i < a->n_kids; i++)
        if (!same_terms(a->kids[i], b->kids[i])) return 0;
    return 1;
}

static void free_operands(ng_near_operand *ops, size_t n)
{
    size_t i, j;
    for (i = 0; i < n; i++) {
        for (j = 0; j < ops[i].n; j++) ng_cursor__free(ops[i].terms[j]);
        ng__free(ops[i].terms);
    }
    ng__free(ops);
}

/* The term cursors of one operand: a TERM (stem, name key) or an ALT. */
static int operand_terms(ng_near_operand *op, const ng_qnode *k, const ng_segment *seg, const ng_plan *pl, double *idf)
{
    size_t n_alt = k->kind == NG_Q_ALT ? k->n_kids : 1, i;
    int rc;
    *idf = 0;
    if (!(op->terms = ng__calloc(2 * n_alt + 1, sizeof *op->terms))) return ng__oom();
    for (i = 0; i < n_alt; i++) {
        const ng_qterm *qt = k->kind == NG_Q_ALT ? &k->kids[i]->terms[0] : &k->terms[0];
        const ng_plan_idf *e = idf_entry(pl, qt);
        if ((rc = open_term(&op->terms[op->n], pl, e, qt, 0, seg, 0, &pl->bm25)) != NG_OK) return rc;
        op->n++;
        if (e->idf > *idf) *idf = e->idf; /* an operand weighs as its rarest alternative */
        if (qt->key) {
            if ((rc = open_term(&op->terms[op->n], pl, e, qt, 1, seg, 0, &pl->bm25)) != NG_OK) return rc;
            op->n++;
        }
    }
    return NG_OK;
}

/* NEAR (kids = words, width = k + n - 1) or sloppy phrase (terms, width = slop). */
static int build_near(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
{
    size_t n_ops = n->kind == NG_Q_NEAR ? n->n_kids : n->n_terms, i, j;
    ng_near_operand *ops = ng__calloc(n_ops, sizeof *ops);
    double idf_sum = 0, idf;
    uint32_t width;
    int rc = NG_OK;
    if (!ops) return ng__oom();
    for (i = 0; i < n_ops && !rc; i++) {
        if (n->kind == NG_Q_NEAR) {
            rc = operand_terms(&ops[i], n->kids[i], seg, pl, &idf);
            ops[i].group = (uint32_t)i;
            for (j = 0; j < i; j++)
                if (same_terms(n->kids[i], n->kids[j])) { ops[i].group = ops[j].group; break; }
        } else {
            const ng_qterm *qt = &n->terms[i];
            if (!(ops[i].terms = ng__calloc(1, sizeof *ops[i].terms))) { rc = ng__oom(); break; }
            rc = open_term(&ops[i].terms[0], pl, idf_entry(pl, qt), qt, 0, seg, 0, &pl->bm25);
            if (!rc) ops[i].n = 1;
            idf = idf_of(pl, qt);
            ops[i].rel = qt->rel_pos;
            ops[i].group = (uint32_t)i;
            for (j = 0; j < i; j++)
                if (n->terms[j].term_len == qt->term_len && memcmp(n->terms[j].term, qt->term, qt->term_len) == 0) {
                    ops[i].group = ops[j].group;
                    break;
                }
        }
        idf_sum += idf;
    }
    if (rc) {
        free_operands(ops, n_ops);
        return rc;
    }
    width = n->kind == NG_Q_NEAR ? n->slop + (uint32_t)n_ops - 1 : n->slop;
    rc = ng_cursor__near(out, ops, n_ops, width, idf_sum, seg, bm25_for(pl, n));
    ng__free(ops); /* the cursor took the operands' arrays */
    return rc;
}

static int build_alt(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
{
    ng_cursor **kids;
    size_t i;
    int rc = NG_OK;
    if (n->n_kids == 0) return ng_cursor__empty(out);
    if (!(kids = ng__calloc(n->n_kids, sizeof *kids))) return ng__oom();
    for (i = 0; i < n->n_kids && !rc; i++) rc = build(&kids[i], n->kids[i], seg, pl);
    if (rc) {
        while (i--) ng_cursor__free(kids[i]);
    } else {
        rc = ng_cursor__alt(out, kids, n->n_kids);
    }
    ng__free(kids);
    return rc;
}

static int build_kids(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
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

static int build_node(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
{
    switch (n->kind) {
    case NG_Q_TERM:
        return build_word(out, n, &n->terms[0], seg, pl);
    case NG_Q_PHRASE:
        return n->slop ? build_near(out, n, seg, pl) : build_phrase(out, n, seg, pl);
    case NG_Q_NEAR:
        return build_near(out, n, seg, pl);
    case NG_Q_ALT:
        return build_alt(out, n, seg, pl);
    case NG_Q_DATE:
        return ng_cursor__date(out, seg, n->date_first, n->date_last);
    case NG_Q_AND:
    case NG_Q_OR:
        return build_kids(out, n, seg, pl);
    case NG_Q_PREFIX:
    case NG_Q_FUZZY:
        return ng__err_at(NG_EQUERY, n->offset, "query: unexpanded word at %zu", n->offset);
    default:
        return ng__err_at(NG_EQUERY, n->offset, "query: NOT outside AND at %zu", n->offset);
    }
}

static int build(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
{
    int rc;
    *out = NULL;
    if ((rc = build_node(out, n, seg, pl)) != NG_OK) return rc;
    if (n->boost != 1.0) return ng_cursor__scale(out, *out, n->boost);
    return NG_OK;
}

int ng_plan__build(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl)
{
    ng_cursor *c, *pair[2];
    int rc;
    if ((rc = build(&c, n, seg, pl)) != NG_OK) return rc;
    if (n == pl->root && (pl->since != NG_DATE_ANY || pl->until != NG_DATE_ANY)) {
        pair[0] = c;
        if ((rc = ng_cursor__date(&pair[1], seg, pl->since == NG_DATE_ANY ? INT32_MIN + 1 : pl->since,
                                  pl->until == NG_DATE_ANY ? INT32_MAX : pl->until)) != NG_OK) {
            ng_cursor__free(c);
            return rc;
        }
        if ((rc = ng_cursor__and(&c, pair, 2, NULL, 0)) != NG_OK) return rc;
    }
    if (n == pl->root && pl->half_life > 0 && pl->newest != NG_DATE_NONE &&
        (rc = ng_cursor__decay(&c, c, seg, pl->half_life, pl->newest, pl->oldest)) != NG_OK)
        return rc;
    *out = c;
    return NG_OK;
}
