/*
** walk_index.h -- read everything a query can read from an open index and
** fold it into a digest (shared by tests/unit/test_format.c and the index
** fuzz target).
**
** For every segment and every term of its dictionary, a term cursor (the
** one queries use) walks the postings with next(), a second one seeks to
** every third document, and each document's tf, positions and BM25 score
** go into the digest; then every stored document is fetched.  A damaged
** index must make this return NG_ECORRUPT (or NG_EVERSION) or give the
** digest of the undamaged index: anything else is a wrong answer computed
** silently from damaged bytes.
*/
#ifndef NG_WALK_INDEX_H
#define NG_WALK_INDEX_H

#include "eval/eval.h"

typedef struct ng_walk {
    uint64_t h;          /* FNV-1a digest of everything read */
    uint64_t postings;   /* postings visited */
    uint64_t max_terms;  /* stop after this many terms per segment (fuzzing) */
    int skip_docs;       /* do not fetch stored documents */
} ng_walk;

static void walk_mix(ng_walk *w, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++) w->h = (w->h ^ b[i]) * 0x100000001b3ull;
}

static void walk_mix_u64(ng_walk *w, uint64_t v) { walk_mix(w, &v, sizeof v); }

static int walk_term(ng_walk *w, const ng_segment *s, const char *term, size_t len, const ng_bm25 *bm)
{
    ng_cursor *c = NULL, *k = NULL;
    uint32_t n = 0;
    int rc = ng_cursor__term(&c, s, term, len, 1.0, bm);
    walk_mix(w, term, len);
    while (rc == NG_OK && c->doc != NG_FMT_DOCID_END) {
        const uint32_t *pos;
        uint32_t npos;
        double sc = c->ops->score(c);
        walk_mix_u64(w, c->doc);
        walk_mix_u64(w, ng_cursor__term_tf(c));
        walk_mix(w, &sc, sizeof sc);
        if ((rc = ng_cursor__term_positions(c, &pos, &npos)) != NG_OK) break;
        walk_mix(w, pos, npos * sizeof *pos);
        w->postings++;
        rc = ng_cursor__next(c);
    }
    if (rc == NG_ITEROVER) rc = NG_OK;
    /* seeks skip blocks through the skip entries: every third document */
    if (!rc) rc = ng_cursor__term(&k, s, term, len, 1.0, bm);
    while (rc == NG_OK && k->doc != NG_FMT_DOCID_END) {
        walk_mix_u64(w, k->doc);
        n = k->doc + 3;
        rc = ng_cursor__seek(k, n);
    }
    if (rc == NG_ITEROVER) rc = NG_OK;
    ng_cursor__free(c);
    ng_cursor__free(k);
    return rc;
}

/* Walk the whole index; returns the first error (w->h is then meaningless). */
static int walk_index(ng_walk *w, ng_index *ix)
{
    ng_bm25 bm;
    ng_buf doc = NG_BUF_INIT;
    uint64_t d;
    uint32_t i;
    int rc = NG_OK, f;
    bm.k1 = 1.2;
    bm.b = 0.75;
    bm.avgdl = ix->avgdl;
    bm.n_docs = (double)ix->n_live;
    for (i = 0; i < ix->n_segs && !rc; i++) {
        const ng_segment *s = &ix->segs[i];
        ng_dict_iter it;
        uint64_t nt = 0;
        rc = ng_dict__iter_seek(&it, &s->dict, "", 0);
        while (!rc && (rc = ng_dict__iter_next(&it)) == NG_OK) {
            char term[256];
            size_t len = it.term_len;
            ng_term_info ti;
            memcpy(term, it.term, len);
            /* the lookup a query does (binary search of the sparse index) */
            if ((rc = ng_dict__lookup(&s->dict, term, len, &ti)) != NG_OK) {
                if (rc == NG_ENOTFOUND) rc = ng__err(NG_ECORRUPT, "walk: listed term not found by lookup");
                break;
            }
            walk_mix_u64(w, ti.df);
            walk_mix_u64(w, ti.cf);
            /* lexicon entries (NG_NS_WORD) have counts but no lists */
            if (!(len && term[0] == NG_NS_WORD) && (rc = walk_term(w, s, term, len, &bm)) != NG_OK) break;
            if (w->max_terms && ++nt >= w->max_terms) break;
        }
        if (rc == NG_ITEROVER) rc = NG_OK;
        for (d = 0; d < s->meta.n_docs && !rc; d++) {
            uint32_t dl = ng_lens__get(&s->lens, (uint32_t)d);
            walk_mix_u64(w, dl);
            walk_mix_u64(w, ng_seg__deleted(s, (uint32_t)d));
        }
    }
    /* every document's stored fields, as a hit shows them */
    for (d = 0; d < ix->n_docs_total && !rc && !w->skip_docs; d++) {
        const ng_segment *s;
        uint32_t local;
        ng_field_ref fr[NG_FIELD_COUNT];
        if ((rc = ng_index__locate(ix, d, &s, &local)) != NG_OK) break;
        if ((rc = ng_store__get(&s->store, local, &doc, fr)) != NG_OK) break;
        for (f = 0; f < NG_FIELD_COUNT; f++) walk_mix(w, fr[f].p, fr[f].n);
    }
    ng_buf_dispose(&doc);
    return rc;
}

#endif
