/*
** phrase.c -- exact phrases: the AND of the phrase's terms gives candidate
** documents, then their positions are intersected, the rarest term's
** positions first.  The phrase frequency (number of start positions where
** every term sits at its offset) is its tf for BM25; its idf is the sum of
** its terms' idfs (as Lucene's PhraseQuery does).
*/
#include "eval/eval.h"

typedef struct phrase_cursor {
    ng_cursor base;
    ng_cursor **terms;    /* term cursors, owned */
    uint32_t *rel;        /* offset of each term in the phrase */
    size_t n;
    size_t rarest;        /* term with the fewest positions in the current doc */
    uint32_t freq;        /* phrase occurrences in the current doc */
    double idf;
    const ng_segment *seg;
    const ng_bm25 *p;
} phrase_cursor;

/* Is pos in the sorted array v[0..n)?  Moves *k forward (v is scanned once). */
static int has_pos(const uint32_t *v, uint32_t n, uint32_t *k, uint32_t pos)
{
    while (*k < n && v[*k] < pos) (*k)++;
    return *k < n && v[*k] == pos;
}

/* Count phrase occurrences in the doc all term cursors are on. */
static int count_freq(phrase_cursor *ph, uint32_t *freq)
{
    const uint32_t *pv[64], *lead;
    uint32_t pn[64], kk[64], n_lead, i, f = 0;
    size_t t, r = 0;
    int rc;
    for (t = 0; t < ph->n; t++) {
        if ((rc = ng_cursor__term_positions(ph->terms[t], &pv[t], &pn[t])) != NG_OK) return rc;
        kk[t] = 0;
        if (pn[t] < pn[r]) r = t;
    }
    lead = pv[r];
    n_lead = pn[r];
    for (i = 0; i < n_lead; i++) {
        uint32_t start;
        if (lead[i] < ph->rel[r]) continue;
        start = lead[i] - ph->rel[r];
        for (t = 0; t < ph->n; t++)
            if (t != r && !has_pos(pv[t], pn[t], &kk[t], start + ph->rel[t])) break;
        if (t == ph->n) f++;
    }
    *freq = f;
    return NG_OK;
}

/* Align all terms on a common doc from terms[0]'s doc, then verify. */
static int ph_align(phrase_cursor *ph)
{
    int rc;
    for (;;) {
        uint32_t cand = ph->terms[0]->doc, f;
        size_t t;
        int moved = 0;
        if (cand == NG_FMT_DOCID_END) break;
        for (t = 1; t < ph->n; t++) {
            rc = ng_cursor__seek(ph->terms[t], cand);
            if (rc < 0 && rc != NG_ITEROVER) return rc;
            if (ph->terms[t]->doc == NG_FMT_DOCID_END) goto end;
            if (ph->terms[t]->doc != cand) {
                rc = ng_cursor__seek(ph->terms[0], ph->terms[t]->doc);
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

static double ph_max(const ng_cursor *c)
{
    const phrase_cursor *ph = (const phrase_cursor *)c;
    return ph->idf * (ph->p->k1 + 1.0);
}

static void ph_free(ng_cursor *c)
{
    phrase_cursor *ph = (phrase_cursor *)c;
    size_t t;
    for (t = 0; t < ph->n; t++) ng_cursor__free(ph->terms[t]);
    ng__free(ph->terms);
    ng__free(ph->rel);
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
    ph->idf = idf_sum;
    ph->seg = seg;
    ph->p = p;
    ph->base.ops = &phrase_ops;
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
