/*
** eval.h -- query evaluation: cursors over one segment (term, AND, OR,
** NOT-exclusion, phrase), BM25 scoring, top-k selection.
**
** eval/ sees segments only through the cursor interface below (the PISA /
** Xapian split between storage and matching).  A cursor walks the
** documents of one segment in increasing local docid order:
**
**   c->doc        current docid, or NG_FMT_DOCID_END when exhausted
**   next(c)       move to the next document           -> NG_OK, NG_ITEROVER, <0
**   seek(c, d)    move to the first doc >= d; never moves back
**   score(c)      BM25 contribution at c->doc (positive cursors only)
**   max_score(c)  upper bound of score() over the whole list (for WAND)
*/
#ifndef NG_EVAL_H
#define NG_EVAL_H

#include <math.h>

#include "reader/reader.h"

typedef struct ng_cursor ng_cursor;

typedef struct ng_cursor_ops {
    int (*next)(ng_cursor *c);
    int (*seek)(ng_cursor *c, uint32_t target);
    double (*score)(ng_cursor *c);
    double (*max_score)(const ng_cursor *c);
    void (*free)(ng_cursor *c);
} ng_cursor_ops;

struct ng_cursor {
    const ng_cursor_ops *ops;
    uint32_t doc;      /* current docid, NG_FMT_DOCID_END at the end */
    uint64_t cost;     /* estimated documents (df): AND leads with the cheapest */
};

/* BM25 parameters and collection statistics, shared by a query's cursors. */
typedef struct ng_bm25 {
    double k1, b;      /* Robertson & Zaragoza's defaults 1.2 / 0.75 */
    double avgdl;      /* average live document length */
    double n_docs;     /* live documents */
} ng_bm25;

/*
** BM25 (Robertson, Walker et al., TREC-3, 1994; as surveyed in Robertson &
** Zaragoza, "The Probabilistic Relevance Framework", 2009):
**   idf(t)   = ln(1 + (N - df + 0.5) / (df + 0.5))   (never negative: Lucene's form)
**   w(tf,dl) = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
*/
static inline double ng_bm25_idf(const ng_bm25 *p, double df)
{
    return log(1.0 + (p->n_docs - df + 0.5) / (df + 0.5));
}
static inline double ng_bm25_tf(const ng_bm25 *p, double tf, double dl)
{
    return tf * (p->k1 + 1.0) / (tf + p->k1 * (1.0 - p->b + p->b * dl / p->avgdl));
}

/* Term cursor over one segment; an absent term gives an exhausted cursor. */
int ng_cursor__term(ng_cursor **out, const ng_segment *seg, const char *term, size_t len,
                    double idf, const ng_bm25 *p);
/* Positions of the term cursor at its current document. */
int ng_cursor__term_positions(ng_cursor *c, const uint32_t **pos_out, uint32_t *n_out);
uint32_t ng_cursor__term_tf(const ng_cursor *c);

/* AND of pos (all must match) minus any match of neg.  Takes ownership. */
int ng_cursor__and(ng_cursor **out, ng_cursor **pos, size_t n_pos, ng_cursor **neg, size_t n_neg);
/* OR of kids.  Takes ownership. */
int ng_cursor__or(ng_cursor **out, ng_cursor **kids, size_t n);
/* Exact phrase: terms (term cursors with positions) at rel_pos offsets. */
int ng_cursor__phrase(ng_cursor **out, ng_cursor **terms, const uint32_t *rel_pos, size_t n,
                      double idf_sum, const ng_segment *seg, const ng_bm25 *p);
/* A cursor that matches nothing. */
int ng_cursor__empty(ng_cursor **out);
void ng_cursor__free(ng_cursor *c);

static inline int ng_cursor__next(ng_cursor *c) { return c->ops->next(c); }
static inline int ng_cursor__seek(ng_cursor *c, uint32_t d) { return c->doc >= d ? NG_OK : c->ops->seek(c, d); }

/* Top-k selection: a min-heap of the k best (score desc, docnum asc). */
typedef struct ng_topk_item {
    double score;
    uint64_t docnum;
} ng_topk_item;

typedef struct ng_topk {
    ng_topk_item *heap; /* heap[0] is the worst kept hit */
    size_t n, k;
} ng_topk;

int ng_topk__init(ng_topk *t, size_t k);
void ng_topk__free(ng_topk *t);
void ng_topk__push(ng_topk *t, double score, uint64_t docnum);
/* Sort the kept hits best first (destroys the heap order). */
void ng_topk__sort(ng_topk *t);

#endif
