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
**   max_score(c)  upper bound of score() over the whole list (for WAND);
**                 must be >= every score() the cursor can return
**
** Dynamic pruning (maxscore.c) needs, besides max_score, a tighter bound
** per range of documents: the optional c->block_max hook (contract at
** ng_cursor__block_max below).  It is a member of struct ng_cursor, not of
** ng_cursor_ops, on purpose: a new member of the ops table would break
** every table written positionally ({next, seek, ...}, as phrase.c's) under
** -Wextra's -Wmissing-field-initializers with --enable-werror.  Cursors are
** allocated zeroed (ng__calloc), so a kind that does not set the hook has
** NULL there and is bounded by its max_score() over the rest of the segment:
** a new cursor kind needs nothing for pruning to stay exact, only a correct
** max_score(); setting base.block_max in its constructor makes it prunable
** block by block.
**
** Rules for score() and max_score() that exact top-k relies on:
**  - score() >= 0 and score() <= max_score() for every document;
**  - an OR's score is the sum of its matching kids' scores, an AND's the
**    sum of its positive kids' (search.c scores OR kids one by one);
**  - score() is a pure function of the document: calling it twice, or in
**    any order among kids, gives the same double.
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
    /* optional block-max bound, NULL = none (see ng_cursor__block_max) */
    double (*block_max)(ng_cursor *c, uint32_t target, uint32_t *last);
    /* optional, set by a top-k loop on the root cursor only (NULL = none):
    ** next() and seek() may pass over documents whose score cannot beat
    ** *floor (they could not enter the top k), e.g. a phrase skips checking
    ** positions when its terms' tfs already bound its score below it.
    ** Cursors may ignore it; wrappers must not pass it to kids whose score
    ** is only part of theirs. */
    const double *floor;
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
int ng_cursor__term_open(ng_cursor **out, const ng_segment *seg, const ng_term_info *ti, double idf,
                         const ng_bm25 *p);
/* The same after looking term up in seg's dictionary (prefer term_open when
** the ng_term_info is already known: one dictionary lookup less). */
int ng_cursor__term(ng_cursor **out, const ng_segment *seg, const char *term, size_t len,
                    double idf, const ng_bm25 *p);
/* Positions of the term cursor at its current document. */
int ng_cursor__term_positions(ng_cursor *c, const uint32_t **pos_out, uint32_t *n_out);
uint32_t ng_cursor__term_tf(const ng_cursor *c);
/* Move term cursor c to its first document (from its current one) whose tf
** and length may score above floor, idf * w(tf, dl) written as
** w_num * tf / (tf + w_k + w_kdl * dl); NG_ITEROVER if none is left. */
int ng_cursor__term_next_bounded(ng_cursor *c, double w_num, double w_k, double w_kdl, double floor);
/* Move c, if it is a term cursor or a title sum led by one, to its first
** document (from its current one) past limit or whose own score may exceed
** floor; any other cursor stays.  NG_ITEROVER if none is left. */
int ng_cursor__term_next_above(ng_cursor *c, double floor, uint32_t limit);
int ng_cursor__next_above(ng_cursor *c, double floor, uint32_t limit);
/* If c is a term cursor whose decoded block holds target's neighbourhood:
** 1 and *next = the first document >= target it can still reach (without
** moving); else 0. */
int ng_cursor__term_next_known(const ng_cursor *c, uint32_t target, uint32_t *next);
/* The same, moving c to that document: for a caller that will never ask c
** about a document below target again. */
int ng_cursor__term_skip_known(ng_cursor *c, uint32_t target, uint32_t *next);
/* Move a and b, term cursors (or title sums driven by them) with decoded
** blocks, forward within those blocks until they stand on the same
** document or one block runs out (that cursor then stands on its block's
** last document, below the other's): the zig-zag of an intersection
** without a call per step.  Any other cursor: nothing moves. */
void ng_cursor__term_meet(ng_cursor *a, ng_cursor *b);
void ng_cursor__meet(ng_cursor *a, ng_cursor *b);
/* The idf a term cursor scores with. */
double ng_cursor__term_idf(const ng_cursor *c);

/* AND of pos (all must match) minus any match of neg.  Takes ownership. */
int ng_cursor__and(ng_cursor **out, ng_cursor **pos, size_t n_pos, ng_cursor **neg, size_t n_neg);
/* OR of kids.  Takes ownership. */
int ng_cursor__or(ng_cursor **out, ng_cursor **kids, size_t n);
/* Exact phrase: terms (term cursors with positions) at rel_pos offsets. */
int ng_cursor__phrase(ng_cursor **out, ng_cursor **terms, const uint32_t *rel_pos, size_t n,
                      double idf_sum, const ng_segment *seg, const ng_bm25 *p);
/* If c is an OR cursor: its kids (borrowed, in query order) and their count;
** otherwise 0.  search.c runs MaxScore over them. */
size_t ng_cursor__or_kids(ng_cursor *c, ng_cursor ***kids_out);
/* If c is an AND cursor: its positive kids (borrowed, cheapest first: the
** order its score sums them in) and their count, its exclusions in *neg_out
** and *n_neg_out; otherwise 0.  search.c runs a pruned conjunction over them. */
size_t ng_cursor__and_kids(ng_cursor *c, ng_cursor ***pos_out, ng_cursor ***neg_out, size_t *n_neg_out);

/*
** Block-max bound: returns B and sets *last >= target such that score() <= B
** for every document in [target, *last] the cursor may still reach.  Decodes
** no block (term cursors read skip entries ahead, FORMAT.md section 4) and
** never moves a term cursor.  Call it with non-decreasing targets, and only
** with targets no later step asks the cursor about a document below: a
** title sum moves its title cursor up to target (within its decoded block),
** so a later score() at an earlier document would miss the title part.
** Every caller (maxscore.c's loops, the wrappers below) asks at the
** cursor's document or at a window start its candidates never precede.
**   term:        the largest w over the (tf, len) frontier of the block holding target
**   AND, OR:     sum of the kids' bounds, *last the smallest of theirs
**   exhausted:   0 up to NG_FMT_DOCID_END - 1 (the hook is not called)
**   no hook:     max_score() up to NG_FMT_DOCID_END - 1
** A hook for a wrapper kind composes its kids' ng_cursor__block_max():
**   sum (a + b): bound(a) + bound(b), *last = the smaller last;
**   alt (best kid): the largest kid bound, *last = the smallest last;
**   scale by f >= 0: f * bound(inner), same last; decay (factor <= 1): bound(inner).
*/
double ng_cursor__block_max(ng_cursor *c, uint32_t target, uint32_t *last);

/* Debug counters of the calling thread, for tests and benchmarks: they
** show that pruning skips work.  Not reset by searches. */
typedef struct ng_eval_counters {
    uint64_t blocks_decoded;  /* postings blocks decoded by term cursors */
    uint64_t blocks_skipped;  /* blocks seeks passed over without decoding them */
    uint64_t docs_scored;     /* score() calls made by the top-k loops */
} ng_eval_counters;
const ng_eval_counters *ng_eval__counters(void);
void ng_eval__counters_reset(void);
void ng_eval__count_scored(uint64_t n);

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
/* The score a new hit must beat to enter: -HUGE_VAL until the heap is full
** (an equal score never enters: later documents lose ties). */
static inline double ng_topk__threshold(const ng_topk *t)
{
    return t->n < t->k || t->k == 0 ? -HUGE_VAL : t->heap[0].score;
}

/*
** Top-k of root's matches in seg into t (maxscore.c), exact: t ends as if
** every live match had been scored and pushed.  Documents must arrive in
** increasing docnum order: call it for the segments in order with the same
** t, so the threshold carries over.  *matched is increased by the number of
** live matches when exact_total, else by the matches scored (a lower
** bound).  root is consumed (left in any position).  Returns NG_OK or the
** cursors' error.
*/
int ng_eval__topk_segment(ng_topk *t, ng_cursor *root, const ng_segment *seg, int exact_total,
                          uint64_t *matched);

/* ng_search (search.c) with a choice: exact_total 0 lets top-k skip every
** document that cannot enter it, and ng_results_total() is then only a
** lower bound (the matches seen; ng_results_total_exact() tells).
** ng_search() passes 1 for NG_TOTAL_EXACT and version-1 options, else 0. */
int ng_eval__search(ng_results **out, ng_index *ix, const ng_query *q, const ng_search_options *o,
                    int exact_total);

#endif
