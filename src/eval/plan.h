/*
** plan.h -- internal interface of src/eval/plan.c: the per-query plan
** (BM25 parameters, idf of each query term, options) and the building of a
** cursor tree for one segment from the parsed query; plus the cursors of
** the query language of issue 4 (near.c, filter.c) and --sort=date.
*/
#ifndef NG_EVAL_PLAN_H
#define NG_EVAL_PLAN_H

#include "eval/eval.h"

/*
** ng_plan_idf.ti, .key_ti: the dictionary entries that the df lookups found,
** one per segment (a marked entry where segment s lacks the term), kept so that building
** a segment's cursors does not look the term up again.  NULL when the plan
** does not score (ng_plan__init_unscored): cursors then look terms up once.
*/
typedef struct ng_plan_idf {
    const ng_qterm *qt;   /* a term of the query tree */
    double idf;           /* its BM25 idf over the whole snapshot */
    double key_idf;       /* idf of its name key term (qt->key), 0 if none */
    ng_term_info *ti;     /* per segment: qt->term's entry (owned), or NULL */
    ng_term_info *key_ti; /* per segment: qt->key's entry (owned), or NULL */
} ng_plan_idf;

typedef struct ng_plan {
    const ng_index *ix;     /* the snapshot searched */
    const ng_qnode *root;   /* the query (may be NULL) */
    ng_bm25 bm25;           /* k1, b and collection statistics */
    ng_bm25 bm25_title;     /* the same with b = 0: titles have no stored length */
    ng_plan_idf *terms;     /* one per query term (owned) */
    size_t n_terms, cap;
    double title_weight;    /* plain terms also score w * title match */
    int32_t since, until;   /* date filter on the root, inclusive; NG_DATE_ANY = none */
    double half_life;       /* recency decay in days, 0 = off */
    int32_t newest, oldest; /* dated documents' span (recency), NG_DATE_NONE if none */
    int scoring;            /* 0: matching only (count, list): no df, idf = 0 */
} ng_plan;

/* Prepare a plan for root (may be NULL) over ix with options o (may be
** NULL: defaults).  Free with ng_plan__free even on error.  NG_EINVAL for
** an out-of-range option. */
int ng_plan__init(ng_plan *pl, const ng_index *ix, const ng_qnode *root, const ng_search_options *o);
/* The same for matching without scores (ng_search_count, ng_search_each):
** no document frequency is computed (with tombstones that would decode
** whole lists), every score is 0. */
int ng_plan__init_unscored(ng_plan *pl, const ng_index *ix, const ng_qnode *root);
void ng_plan__free(ng_plan *pl);
/* Build the cursor tree of node n over segment seg; *out owned by the
** caller.  For n == pl->root the options' date bounds and recency decay
** wrap the tree. */
int ng_plan__build(ng_cursor **out, const ng_qnode *n, const ng_segment *seg, const ng_plan *pl);

/* --sort=date: the t->k newest live matches (ties: lower docnum first;
** undated documents last), t->heap[0..t->n) in that final order with
** their BM25 scores (computed for these hits only); *total = every live
** match.  See plan.c for how segments that cannot contribute are skipped. */
int ng_plan__date_topk(ng_topk *t, uint64_t *total, const ng_plan *pl);

/* ---- cursors of near.c ---- */
/* Positional operand: alternatives (term cursors) whose positions unite. */
typedef struct ng_near_operand {
    ng_cursor **terms; /* term cursors (owned by the near cursor once built) */
    size_t n;
    uint32_t rel;      /* offset in the phrase (0 for NEAR) */
    uint32_t group;    /* operands with the same group are the same word(s) */
} ng_near_operand;
/* Documents where one position per operand satisfies
** max(p_i - rel_i) - min(p_i - rel_i) <= width, operands of one group at
** distinct positions; tf = positions of operand 0 that start a match.
** Takes ownership of the operands' cursors (ops array copied). */
int ng_cursor__near(ng_cursor **out, const ng_near_operand *ops, size_t n, uint32_t width, double idf_sum,
                    const ng_segment *seg, const ng_bm25 *p);

/* ---- cursors of filter.c (all take ownership of their inner cursors) ---- */
/* Documents of seg dated first..last (inclusive); score 0. */
int ng_cursor__date(ng_cursor **out, const ng_segment *seg, int32_t first, int32_t last);
/* inner, its score multiplied by factor >= 0. */
int ng_cursor__scale(ng_cursor **out, ng_cursor *inner, double factor);
/* inner, its score multiplied by 2^(-age/half_life), age = newest - date
** (undated: newest - oldest), so the factor is at most 1. */
int ng_cursor__decay(ng_cursor **out, ng_cursor *inner, const ng_segment *seg, double half_life,
                     int32_t newest, int32_t oldest);
/* driver's documents; score = driver + extra when extra is on the doc. */
int ng_cursor__sum(ng_cursor **out, ng_cursor *driver, ng_cursor *extra);
/* Union of kids; score = the best kid's on the document. */
int ng_cursor__alt(ng_cursor **out, ng_cursor **kids, size_t n);

#endif
