/*
** topk.c -- the k best hits in a min-heap: heap[0] is the worst kept hit,
** so a new hit enters only if it beats it.  Order: higher score first, and
** for equal scores the earlier document (ties broken by document order).
*/
#include <stdlib.h>

#include "eval/eval.h"

/* Is a worse than b? */
static int worse(const ng_topk_item *a, const ng_topk_item *b)
{
    if (a->score != b->score) return a->score < b->score;
    return a->docnum > b->docnum;
}

int ng_topk__init(ng_topk *t, size_t k)
{
    t->n = 0;
    t->k = k;
    t->heap = ng__malloc((k ? k : 1) * sizeof *t->heap);
    return t->heap ? NG_OK : ng__oom();
}

void ng_topk__free(ng_topk *t)
{
    ng__free(t->heap);
    t->heap = NULL;
    t->n = t->k = 0;
}

static void sift_down(ng_topk *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        ng_topk_item tmp;
        if (l < t->n && worse(&t->heap[l], &t->heap[m])) m = l;
        if (r < t->n && worse(&t->heap[r], &t->heap[m])) m = r;
        if (m == i) return;
        tmp = t->heap[i];
        t->heap[i] = t->heap[m];
        t->heap[m] = tmp;
        i = m;
    }
}

void ng_topk__push(ng_topk *t, double score, uint64_t docnum)
{
    ng_topk_item it;
    size_t i;
    it.score = score;
    it.docnum = docnum;
    if (t->k == 0) return;
    if (t->n < t->k) {
        i = t->n++;
        while (i > 0 && worse(&it, &t->heap[(i - 1) / 2])) {
            t->heap[i] = t->heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        t->heap[i] = it;
        return;
    }
    if (!worse(&t->heap[0], &it)) return;
    t->heap[0] = it;
    sift_down(t, 0);
}

static int cmp_best_first(const void *a, const void *b)
{
    const ng_topk_item *x = a, *y = b;
    if (worse(x, y)) return 1;
    if (worse(y, x)) return -1;
    return 0;
}

void ng_topk__sort(ng_topk *t)
{
    qsort(t->heap, t->n, sizeof *t->heap, cmp_best_first);
}
