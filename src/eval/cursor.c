/*
** cursor.c -- the term cursor: walks one term's block postings in a
** segment, skipping whole blocks through the skip entries on seek, and
** decoding positions only for the blocks a phrase asks about.
*/
#include "eval/eval.h"

typedef struct term_cursor {
    ng_cursor base;
    const ng_segment *seg;
    ng_post_dec dec;
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK];
    uint32_t n, i;          /* docs in the decoded block, index of the current */
    int decoded;            /* docs[] holds dec.cur's block */
    uint32_t *pos;          /* positions of the decoded block, decoded on demand */
    size_t pos_cap;
    uint32_t *pos_start;    /* per doc of the block: index of its first position */
    int pos_ready;
    double idf;
    const ng_bm25 *p;
    double max_score;
} term_cursor;

static int tc_load_block(term_cursor *t)
{
    int rc = ng_post__dec_docs(&t->dec, t->docs, t->tfs);
    if (rc) return rc;
    t->n = t->dec.cur.n;
    t->i = 0;
    t->decoded = 1;
    t->pos_ready = 0;
    if (t->docs[t->n - 1] >= t->seg->meta.n_docs)
        return ng_fmt__corrupt(&t->seg->pst, t->dec.cur.data, "postings: docid beyond the segment");
    t->base.doc = t->docs[0];
    return NG_OK;
}

static int tc_end(term_cursor *t)
{
    t->base.doc = NG_FMT_DOCID_END;
    return NG_ITEROVER;
}

static int tc_next(ng_cursor *c)
{
    term_cursor *t = (term_cursor *)c;
    int rc;
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    if (++t->i < t->n) {
        c->doc = t->docs[t->i];
        return NG_OK;
    }
    rc = ng_post__dec_next_block(&t->dec);
    if (rc == NG_ITEROVER) return tc_end(t);
    if (rc) return rc;
    return tc_load_block(t);
}

static int tc_seek(ng_cursor *c, uint32_t target)
{
    term_cursor *t = (term_cursor *)c;
    int rc;
    if (c->doc >= target) return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
    /* skip whole blocks whose last docid is below the target */
    if (t->dec.cur.last_doc < target) {
        do {
            rc = ng_post__dec_next_block(&t->dec);
            if (rc == NG_ITEROVER) return tc_end(t);
            if (rc) return rc;
        } while (t->dec.cur.last_doc < target);
        if ((rc = tc_load_block(t)) != NG_OK) return rc;
    }
    while (t->i < t->n && t->docs[t->i] < target) t->i++;
    if (t->i < t->n) {
        c->doc = t->docs[t->i];
        return NG_OK;
    }
    /* the block ended below target (single-block lists): move on */
    t->i = t->n - 1;
    rc = tc_next(c);
    if (rc) return rc;
    return c->doc >= target ? NG_OK : tc_seek(c, target);
}

static double tc_score(ng_cursor *c)
{
    term_cursor *t = (term_cursor *)c;
    return t->idf * ng_bm25_tf(t->p, t->tfs[t->i], ng_lens__get(&t->seg->lens, c->doc));
}

static double tc_max_score(const ng_cursor *c)
{
    return ((const term_cursor *)c)->max_score;
}

static void tc_free(ng_cursor *c)
{
    term_cursor *t = (term_cursor *)c;
    ng__free(t->pos);
    ng__free(t->pos_start);
    ng__free(t);
}

static const ng_cursor_ops term_ops = {tc_next, tc_seek, tc_score, tc_max_score, tc_free};

uint32_t ng_cursor__term_tf(const ng_cursor *c)
{
    const term_cursor *t = (const term_cursor *)c;
    return c->doc == NG_FMT_DOCID_END ? 0 : t->tfs[t->i];
}

int ng_cursor__term_positions(ng_cursor *c, const uint32_t **pos_out, uint32_t *n_out)
{
    term_cursor *t = (term_cursor *)c;
    int rc;
    if (c->ops != &term_ops || c->doc == NG_FMT_DOCID_END) return ng__err(NG_ERROR, "positions: cursor not on a document");
    if (!t->pos_ready) {
        size_t total = 0, k;
        for (k = 0; k < t->n; k++) total += t->tfs[k];
        if ((rc = NG_GROW(t->pos, t->pos_cap, total + 1)) != NG_OK) return rc;
        if (!t->pos_start && !(t->pos_start = ng__malloc(NG_FMT_BLOCK * sizeof *t->pos_start))) return ng__oom();
        if ((rc = ng_post__dec_positions(&t->dec, t->tfs, t->pos, total)) != NG_OK) return rc;
        for (k = 0, total = 0; k < t->n; k++) {
            t->pos_start[k] = (uint32_t)total;
            total += t->tfs[k];
        }
        t->pos_ready = 1;
    }
    *pos_out = t->pos + t->pos_start[t->i];
    *n_out = t->tfs[t->i];
    return NG_OK;
}

int ng_cursor__term(ng_cursor **out, const ng_segment *seg, const char *term, size_t len,
                    double idf, const ng_bm25 *p)
{
    ng_term_info ti;
    term_cursor *t;
    int rc;
    *out = NULL;
    rc = ng_dict__lookup(&seg->dict, term, len, &ti);
    if (rc == NG_ENOTFOUND) return ng_cursor__empty(out);
    if (rc) return rc;
    if (!(t = ng__calloc(1, sizeof *t))) return ng__oom();
    t->base.ops = &term_ops;
    t->base.cost = ti.df;
    t->seg = seg;
    t->idf = idf;
    t->p = p;
    /* whole-list bound: tf part tends to k1+1 as tf grows; block maxima refine it later */
    t->max_score = idf * (p->k1 + 1.0);
    rc = ng_seg__open_term(&t->dec, seg, &ti);
    if (!rc) rc = ng_post__dec_next_block(&t->dec);
    if (!rc) rc = tc_load_block(t);
    if (rc) {
        tc_free(&t->base);
        return rc;
    }
    *out = &t->base;
    return NG_OK;
}

/* ------------------------------------------------------------------ */

static int empty_next(ng_cursor *c) { c->doc = NG_FMT_DOCID_END; return NG_ITEROVER; }
static int empty_seek(ng_cursor *c, uint32_t d) { (void)d; c->doc = NG_FMT_DOCID_END; return NG_ITEROVER; }
static double empty_score(ng_cursor *c) { (void)c; return 0; }
static double empty_max(const ng_cursor *c) { (void)c; return 0; }
static void empty_free(ng_cursor *c) { ng__free(c); }
static const ng_cursor_ops empty_ops = {empty_next, empty_seek, empty_score, empty_max, empty_free};

int ng_cursor__empty(ng_cursor **out)
{
    ng_cursor *c = ng__calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return ng__oom();
    c->ops = &empty_ops;
    c->doc = NG_FMT_DOCID_END;
    *out = c;
    return NG_OK;
}

void ng_cursor__free(ng_cursor *c)
{
    if (c) c->ops->free(c);
}
