/*
** phrase.c -- exact phrases: the AND of the phrase's terms gives candidate
** documents, then their positions are intersected, the rarest term's
** positions first.  The phrase frequency (number of start positions where
** every term sits at its offset) is its tf for BM25; its idf is the sum of
** its terms' idfs (as Lucene's PhraseQuery does).
**
** Work per candidate document (one the AND of the terms found): the term
** with the lowest tf in the document (known without decoding positions)
** is decoded first and gives the possible starts; each other term, in
** increasing tf order, then removes the starts it does not continue, and
** once none is left the remaining terms' positions are never decoded.  Term cursors decode the
** positions of a block only when one of its documents is a candidate.
**
** Bounds for top-k pruning.  A phrase occurs at most min_i tf_i times in a
** document, so with the phrase idf S = sum of the terms' idf_i,
**   score <= S * w(tf_i, dl) = (S / idf_i) * term_i's score   for every i,
** and each term's block bound (eval.h) gives one for the phrase over the
** same window: the smallest of the scaled term bounds (ph_block_max).
*/
#include "eval/eval.h"

typedef struct phrase_cursor {
    ng_cursor base;
    ng_cursor **terms;    /* term cursors, owned */
    uint32_t *rel;        /* offset of each term in the phrase */
    size_t n;
    uint8_t seek[64];     /* terms 1.. by increasing df: the likeliest to miss is sought first */
    uint32_t freq;        /* phrase occurrences in the current doc */
    uint32_t *starts;     /* candidate start positions (count_freq's scratch) */
    size_t starts_cap;
    double idf;
    double w_num, w_k, w_kdl; /* idf * w(tf, dl) = w_num * tf / (tf + w_k + w_kdl * dl) */
    const ng_segment *seg;
    const ng_bm25 *p;
} phrase_cursor;

/* Is pos in the sorted array v[0..n)?  Moves *k forward (v is scanned once). */
static int has_pos(const uint32_t *v, uint32_t n, uint32_t *k, uint32_t pos)
{
    while (*k < n && v[*k] < pos) (*k)++;
    return *k < n && v[*k] == pos;
}

/* Can the phrase, at most tf times in doc, beat the top-k floor?  Its tf
** is at most the smallest of its terms' (no positions needed for that).
** The lead alone is tested inside its cursor, by
** ng_cursor__term_next_bounded(), before the other terms' blocks are even
** decoded; count_freq() asks this with every term on the candidate. */
static int may_beat_floor(const phrase_cursor *ph, uint32_t doc, uint32_t tf)
{
    double floor;
    if (!ph->base.floor || (floor = *ph->base.floor) == -HUGE_VAL) return 1;
    /* idf * w(tf, dl) > floor without dividing: the denominator is
    ** positive, and the floor's slack (maxscore.c) dwarfs the rounding */
    return ph->w_num * tf > floor * (tf + ph->w_k + ph->w_kdl * ng_lens__get(&ph->seg->lens, doc));
}

/* Count phrase occurrences in the doc all term cursors are on: the starts
** given by the term of lowest tf, filtered by the others in increasing tf
** order.  A stopword's long position list is then decoded only for the
** few documents where the rarer words already line up.  0, with nothing
** decoded, when even the smallest tf cannot beat the top-k floor. */
static int count_freq(phrase_cursor *ph, uint32_t *freq)
{
    const uint32_t *v;
    uint32_t n, i, k, kept = 0, tf[64];
    uint8_t order[64];
    size_t t, j;
    int rc;
    *freq = 0;
    for (t = 0; t < ph->n; t++) { /* insertion sort of the terms by tf: a phrase is short */
        tf[t] = ng_cursor__term_tf(ph->terms[t]);
        for (j = t; j > 0 && tf[order[j - 1]] > tf[t]; j--) order[j] = order[j - 1];
        order[j] = (uint8_t)t;
    }
    if (!may_beat_floor(ph, ph->terms[0]->doc, tf[order[0]])) return NG_OK;
    t = order[0];
    if ((rc = ng_cursor__term_positions(ph->terms[t], &v, &n)) != NG_OK) return rc;
    if ((rc = NG_GROW(ph->starts, ph->starts_cap, n + 1)) != NG_OK) return rc;
    for (i = 0; i < n; i++)
        if (v[i] >= ph->rel[t]) ph->starts[kept++] = v[i] - ph->rel[t];
    for (j = 1; j < ph->n && kept > 0; j++) {
        uint32_t m = 0;
        t = order[j];
        if ((rc = ng_cursor__term_positions(ph->terms[t], &v, &n)) != NG_OK) return rc;
        for (i = 0, k = 0; i < kept; i++) /* starts and v both increase: one merge pass */
            if (has_pos(v, n, &k, ph->starts[i] + ph->rel[t])) ph->starts[m++] = ph->starts[i];
        kept = m;
    }
    *freq = kept;
    return NG_OK;
}


/* Align all terms on a common doc from terms[0]'s doc, then verify. */
static int ph_align(phrase_cursor *ph)
{
    int rc;
    for (;;) {
        uint32_t cand, f;
        size_t t;
        int moved = 0;
        if (ph->base.floor && *ph->base.floor != -HUGE_VAL) { /* the lead's own tf rules most out */
            rc = ng_cursor__term_next_bounded(ph->terms[0], ph->w_num, ph->w_k, ph->w_kdl, *ph->base.floor);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
        }
        if ((cand = ph->terms[0]->doc) == NG_FMT_DOCID_END) break;
        for (t = 1; t < ph->n; t++) {
            ng_cursor *k = ph->terms[ph->seek[t]];
            rc = ng_cursor__seek(k, cand);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
            if (k->doc == NG_FMT_DOCID_END) goto end;
            if (k->doc != cand) {
                rc = ng_cursor__seek(ph->terms[0], k->doc);
                if (rc < 0 && rc != NG_ITEROVER) return rc;
                moved = 1;
                break;
            }
        }
        if (moved) continue;
        if ((rc = count_freq(ph, &f)) != NG_OK) return rc;
        if (f > 0) {
            ph->freq = f;
            ph->base.doc = cand;
            return NG_OK;
        }
        rc = ng_cursor__next(ph->terms[0]);
        if (rc < 0 && rc != NG_ITEROVER) return rc;
    }
end:
    ph->base.doc = NG_FMT_DOCID_END;
    return NG_ITEROVER;
}

static int ph_next(ng_cursor *c)
{
    phrase_cursor *ph = (phrase_cursor *)c;
    int rc;
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    rc = ng_cursor__next(ph->terms[0]);
    if (rc < 0 && rc != NG_ITEROVER) return rc;
    return ph_align(ph);
}

static int ph_seek(ng_cursor *c, uint32_t target)
{
    phrase_cursor *ph = (phrase_cursor *)c;
    int rc = ng_cursor__seek(ph->terms[0], target);
    if (rc < 0 && rc != NG_ITEROVER) return rc;
    return ph_align(ph);
}

static double ph_score(ng_cursor *c)
{
    phrase_cursor *ph = (phrase_cursor *)c;
    return ph->idf * ng_bm25_tf(ph->p, ph->freq, ng_lens__get(&ph->seg->lens, c->doc));
}

/* S / idf_i: how a bound of term i scales to the phrase (0: no bound). */
static double ph_scale(const phrase_cursor *ph, size_t t)
{
    double idf = ng_cursor__term_idf(ph->terms[t]);
    return idf > 0 ? ph->idf / idf : 0;
}

static double ph_max(const ng_cursor *c)
{
    const phrase_cursor *ph = (const phrase_cursor *)c;
    double best = ph->idf * (ph->p->k1 + 1.0), b;
    size_t t;
    for (t = 0; t < ph->n; t++) {
        double f = ph_scale(ph, t);
        if (f > 0 && (b = f * ph->terms[t]->ops->max_score(ph->terms[t])) < best) best = b;
    }
    return best;
}

/* The smallest scaled term bound; the window where every term's holds. */
static double ph_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    phrase_cursor *ph = (phrase_cursor *)c;
    uint32_t end = NG_FMT_DOCID_END - 1, l;
    double best = ph->idf * (ph->p->k1 + 1.0), b;
    size_t t;
    for (t = 0; t < ph->n; t++) {
        double f = ph_scale(ph, t);
        if (f <= 0) continue;
        b = f * ng_cursor__block_max(ph->terms[t], target, &l);
        if (b < best) best = b;
        if (l < end) end = l;
    }
    *last = end;
    return best;
}

static void ph_free(ng_cursor *c)
{
    phrase_cursor *ph = (phrase_cursor *)c;
    size_t t;
    for (t = 0; t < ph->n; t++) ng_cursor__free(ph->terms[t]);
    ng__free(ph->terms);
    ng__free(ph->rel);
    ng__free(ph->starts);
    ng__free(ph);
}

static const ng_cursor_ops phrase_ops = {ph_next, ph_seek, ph_score, ph_max, ph_free};

int ng_cursor__phrase(ng_cursor **out, ng_cursor **terms, const uint32_t *rel_pos, size_t n,
                      double idf_sum, const ng_segment *seg, const ng_bm25 *p)
{
    phrase_cursor *ph = ng__calloc(1, sizeof *ph);
    size_t t, lead = 0;
    int rc;
    *out = NULL;
    if (n > 64) {
        for (t = 0; t < n; t++) ng_cursor__free(terms[t]);
        ng__free(ph);
        return ng__err(NG_EQUERY, "query: phrase longer than 64 words");
    }
    if (!ph || !(ph->terms = ng__malloc(n * sizeof *terms)) || !(ph->rel = ng__malloc(n * sizeof *rel_pos))) {
        for (t = 0; t < n; t++) ng_cursor__free(terms[t]);
        if (ph) ng__free(ph->terms);
        ng__free(ph);
        return ng__oom();
    }
    /* the rarest term leads the document intersection */
    for (t = 1; t < n; t++)
        if (terms[t]->cost < terms[lead]->cost) lead = t;
    for (t = 0; t < n; t++) {
        size_t src = t == 0 ? lead : (t == lead ? 0 : t);
        ph->terms[t] = terms[src];
        ph->rel[t] = rel_pos[src];
    }
    ph->n = n;
    for (t = 1; t < n; t++) { /* insertion sort by cost: a phrase is short */
        size_t j;
        for (j = t; j > 1 && ph->terms[ph->seek[j - 1]]->cost > ph->terms[t]->cost; j--) ph->seek[j] = ph->seek[j - 1];
        ph->seek[j] = (uint8_t)t;
    }
    ph->idf = idf_sum;
    ph->seg = seg;
    ph->p = p;
    ph->w_num = idf_sum * (p->k1 + 1.0);
    ph->w_k = p->k1 * (1.0 - p->b);
    ph->w_kdl = p->k1 * p->b / p->avgdl;
    ph->base.ops = &phrase_ops;
    ph->base.block_max = ph_block_max;
    ph->base.cost = ph->terms[0]->cost;
    *out = &ph->base;
    for (t = 0; t < n; t++)
        if (ph->terms[t]->doc == NG_FMT_DOCID_END) {
            ph->base.doc = NG_FMT_DOCID_END;
            return NG_OK;
        }
    rc = ph_align(ph);
    if (rc == NG_ITEROVER) return NG_OK;
    if (rc) {
        ph_free(&ph->base);
        *out = NULL;
    }
    return rc;
}
