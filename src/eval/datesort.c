/*
** datesort.c -- --sort=date: the k newest matching documents.
**
** No BM25 is computed while selecting: matches are enumerated with their
** cursors' next() only, and the key is the document's day from the .len
** date column (undated documents rank after every dated one).  Segments
** are visited newest first by their newest document; once k hits are held
** and a segment's newest day cannot beat the worst kept hit, its matches
** are only counted (for the exact total), their dates never read.  BM25
** scores are computed at the end for the k selected hits only, by seeking
** a fresh cursor tree to them in document order.
*/
#include <stdlib.h>

#include "eval/eval.h"
#include "eval/plan.h"

/* Key of a date in the heap: dated > undated; ties by docnum (topk does). */
static double date_key(int32_t day) { return day == NG_DATE_NONE ? -1e12 : (double)day; }

typedef struct seg_order {
    uint32_t seg;
    int32_t newest; /* newest live dated day, NG_DATE_NONE if none */
} seg_order;

static int cmp_newest_first(const void *a, const void *b)
{
    const seg_order *x = a, *y = b;
    if (x->newest != y->newest) return x->newest > y->newest ? -1 : 1;
    return x->seg < y->seg ? -1 : x->seg > y->seg;
}

static int32_t seg_newest(const ng_segment *seg)
{
    int32_t best = NG_DATE_NONE;
    uint32_t d;
    for (d = 0; d < seg->lens.n_docs; d++) {
        int32_t day = ng_lens__date(&seg->lens, d);
        if (day != NG_DATE_NONE && !ng_seg__deleted(seg, d) && (best == NG_DATE_NONE || day > best)) best = day;
    }
    return best;
}

/* Enumerate the matches of one segment; push (date, docnum) unless count_only. */
static int scan_segment(ng_topk *t, uint64_t *total, const ng_segment *seg, const ng_plan *pl, int count_only)
{
    ng_cursor *c;
    int rc;
    if ((rc = ng_plan__build(&c, pl->root, seg, pl)) != NG_OK) return rc;
    while (c->doc != NG_FMT_DOCID_END) {
        if (!ng_seg__deleted(seg, c->doc)) {
            (*total)++;
            if (!count_only) ng_topk__push(t, date_key(ng_lens__date(&seg->lens, c->doc)), seg->base + c->doc);
        }
        rc = ng_cursor__next(c);
        if (rc == NG_ITEROVER) rc = NG_OK;
        if (rc) break;
    }
    ng_cursor__free(c);
    return rc;
}

static int cmp_docnum(const void *a, const void *b)
{
    const ng_topk_item *x = *(const ng_topk_item *const *)a, *y = *(const ng_topk_item *const *)b;
    return x->docnum < y->docnum ? -1 : x->docnum > y->docnum;
}

/* Replace each kept hit's key by its BM25 score. */
static int score_hits(ng_topk *t, const ng_plan *pl)
{
    ng_topk_item **by_doc = ng__malloc((t->n ? t->n : 1) * sizeof *by_doc);
    ng_cursor *c = NULL;
    const ng_segment *cur = NULL;
    size_t i;
    int rc = NG_OK;
    if (!by_doc) return ng__oom();
    for (i = 0; i < t->n; i++) by_doc[i] = &t->heap[i];
    qsort(by_doc, t->n, sizeof *by_doc, cmp_docnum);
    for (i = 0; i < t->n && !rc; i++) {
        const ng_segment *seg;
        uint32_t local;
        if ((rc = ng_index__locate(pl->ix, by_doc[i]->docnum, &seg, &local)) != NG_OK) break;
        if (seg != cur) {
            ng_cursor__free(c);
            c = NULL;
            cur = seg;
            if ((rc = ng_plan__build(&c, pl->root, seg, pl)) != NG_OK) break;
        }
        rc = ng_cursor__seek(c, local);
        if (rc == NG_ITEROVER) rc = NG_OK;
        by_doc[i]->score = !rc && c->doc == local ? c->ops->score(c) : 0;
    }
    ng_cursor__free(c);
    ng__free(by_doc);
    return rc;
}

int ng_plan__date_topk(ng_topk *t, uint64_t *total, const ng_plan *pl)
{
    seg_order *order;
    uint32_t s;
    int rc = NG_OK;
    *total = 0;
    if (!pl->root) return NG_OK;
    if (!(order = ng__malloc((pl->ix->n_segs ? pl->ix->n_segs : 1) * sizeof *order))) return ng__oom();
    for (s = 0; s < pl->ix->n_segs; s++) {
        order[s].seg = s;
        order[s].newest = seg_newest(&pl->ix->segs[s]);
    }
    qsort(order, pl->ix->n_segs, sizeof *order, cmp_newest_first);
    for (s = 0; s < pl->ix->n_segs && !rc; s++) {
        /* the heap is full and nothing here is newer than its worst hit */
        int skip = t->k == 0 || (t->n == t->k && date_key(order[s].newest) < t->heap[0].score);
        rc = scan_segment(t, total, &pl->ix->segs[order[s].seg], pl, skip);
    }
    ng__free(order);
    if (rc) return rc;
    ng_topk__sort(t); /* newest first, ties by docnum */
    return score_hits(t, pl);
}
