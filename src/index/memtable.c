/*
** memtable.c -- the in-memory inversion (FTS5's fts5_hash.c plays this
** role): a hash table from term to an append-only byte list of postings.
**
** Per document, tokens are first collected with their term pointers; at
** doc_end every distinct term appends (doc delta, tf) and then its
** positions, so each term's list stays in document order without sorting.
** Nothing is allocated per token once the buffers have grown.
*/
#include <stdlib.h>

#include "index/index.h"

#define MT_MIN_SLOTS 4096

int ng_mt__init(ng_memtable *mt)
{
    memset(mt, 0, sizeof *mt);
    mt->slots = ng__calloc(MT_MIN_SLOTS, sizeof *mt->slots);
    if (!mt->slots) return ng__oom();
    mt->n_slots = MT_MIN_SLOTS;
    mt->bytes = MT_MIN_SLOTS * sizeof *mt->slots;
    return NG_OK;
}

static void free_terms(ng_memtable *mt)
{
    size_t i;
    for (i = 0; i < mt->n_slots; i++) {
        if (mt->slots[i]) {
            ng__free(mt->slots[i]->data);
            ng__free(mt->slots[i]);
            mt->slots[i] = NULL;
        }
    }
}

void ng_mt__free(ng_memtable *mt)
{
    if (mt->slots) free_terms(mt);
    ng__free(mt->slots);
    ng__free(mt->toks);
    ng__free(mt->doc_terms);
    ng__free(mt->lens);
    ng__free(mt->dates);
    memset(mt, 0, sizeof *mt);
}

void ng_mt__reset(ng_memtable *mt)
{
    free_terms(mt);
    mt->n_terms = 0;
    mt->n_docs = 0;
    mt->n_toks = 0;
    mt->n_doc_terms = 0;
    mt->tokens = 0;
    mt->bytes = mt->n_slots * sizeof *mt->slots + mt->lens_cap * 8 + mt->toks_cap * sizeof(mt_tok) +
                mt->doc_terms_cap * sizeof *mt->doc_terms;
}

static int rehash(ng_memtable *mt)
{
    size_t n = mt->n_slots * 2, i;
    mt_term **s = ng__calloc(n, sizeof *s);
    if (!s) return ng__oom();
    for (i = 0; i < mt->n_slots; i++) {
        mt_term *t = mt->slots[i];
        size_t j;
        if (!t) continue;
        for (j = t->hash & (n - 1); s[j]; j = (j + 1) & (n - 1)) {}
        s[j] = t;
    }
    ng__free(mt->slots);
    mt->bytes += (n - mt->n_slots) * sizeof *s;
    mt->slots = s;
    mt->n_slots = n;
    return NG_OK;
}

static mt_term *find_or_add(ng_memtable *mt, const char *term, size_t len, uint32_t h, int *rc)
{
    size_t j = h & (mt->n_slots - 1);
    mt_term *t;
    for (; (t = mt->slots[j]) != NULL; j = (j + 1) & (mt->n_slots - 1))
        if (t->hash == h && t->len == len && memcmp(t->term, term, len) == 0) return t;
    t = ng__malloc(sizeof *t + len);
    if (!t) {
        *rc = ng__oom();
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->hash = h;
    t->len = (uint32_t)len;
    t->last_doc = UINT32_MAX;
    t->cur_doc = UINT32_MAX;
    memcpy(t->term, term, len);
    mt->slots[j] = t;
    mt->n_terms++;
    mt->bytes += sizeof *t + len + 16;
    if (mt->n_terms * 2 > mt->n_slots && (*rc = rehash(mt)) != NG_OK) return NULL;
    return t;
}

void ng_mt__doc_begin(ng_memtable *mt)
{
    mt->n_toks = 0;
    mt->n_doc_terms = 0;
}

int ng_mt__add_token(ng_memtable *mt, const char *term, size_t len, uint32_t pos)
{
    return ng_mt__add_token_h(mt, term, len, ng_mt__hash(term, len), pos);
}

int ng_mt__add_token_h(ng_memtable *mt, const char *term, size_t len, uint32_t hash, uint32_t pos)
{
    uint32_t doc = (uint32_t)mt->n_docs;
    int rc = NG_OK;
    mt_term *t = find_or_add(mt, term, len, hash, &rc);
    if (!t) return rc;
    if (t->cur_doc != doc) {
        t->cur_doc = doc;
        t->cur_tf = 0;
        if (mt->n_doc_terms == mt->doc_terms_cap) {
            size_t old = mt->doc_terms_cap;
            if ((rc = NG_GROW(mt->doc_terms, mt->doc_terms_cap, mt->n_doc_terms + 1)) != NG_OK) return rc;
            mt->bytes += (mt->doc_terms_cap - old) * sizeof *mt->doc_terms;
        }
        mt->doc_terms[mt->n_doc_terms++] = t;
    }
    t->cur_tf++;
    if (len && term[0] == NG_NS_WORD) return NG_OK; /* lexicon: counts only, no positions */
    if (mt->n_toks == mt->toks_cap) {
        size_t old = mt->toks_cap;
        if ((rc = NG_GROW(mt->toks, mt->toks_cap, mt->n_toks + 1)) != NG_OK) return rc;
        mt->bytes += (mt->toks_cap - old) * sizeof(mt_tok);
    }
    mt->toks[mt->n_toks].t = t;
    mt->toks[mt->n_toks].pos = pos;
    mt->n_toks++;
    return NG_OK;
}

static int term_append(ng_memtable *mt, mt_term *t, uint64_t v)
{
    if (t->cap - t->size < 10) {
        size_t old = t->cap;
        void *p = t->data;
        if (ng__grow(&p, &t->cap, t->size + 10, 1) != NG_OK) return NG_ENOMEM;
        t->data = p;
        /* what malloc really holds: the capacity plus its chunk header */
        mt->bytes += t->cap - old + (old ? 0 : 16);
    }
    t->size += ng__vint_put(t->data + t->size, v);
    return NG_OK;
}

int ng_mt__doc_end(ng_memtable *mt, uint32_t doclen, int32_t date)
{
    uint32_t doc = (uint32_t)mt->n_docs;
    size_t i;
    int rc = NG_OK;
    for (i = 0; i < mt->n_doc_terms && !rc; i++) {
        mt_term *t = mt->doc_terms[i];
        rc = term_append(mt, t, t->last_doc == UINT32_MAX ? (uint64_t)doc + 1 : doc - t->last_doc);
        if (!rc) rc = term_append(mt, t, t->cur_tf);
        t->last_doc = doc;
        t->last_pos = UINT32_MAX;
        t->df++;
    }
    /* positions in token order land in each term's own list, after its header */
    for (i = 0; i < mt->n_toks && !rc; i++) {
        mt_term *t = mt->toks[i].t;
        uint32_t pos = mt->toks[i].pos;
        rc = term_append(mt, t, t->last_pos == UINT32_MAX ? (uint64_t)pos + 1 : pos - t->last_pos);
        t->last_pos = pos;
    }
    if (!rc && (mt->n_docs == mt->lens_cap || mt->n_docs == mt->dates_cap)) {
        size_t old = mt->lens_cap;
        rc = NG_GROW(mt->lens, mt->lens_cap, mt->n_docs + 1);
        if (!rc) rc = NG_GROW(mt->dates, mt->dates_cap, mt->n_docs + 1);
        mt->bytes += (mt->lens_cap - old) * 8;
    }
    if (rc) return rc == NG_ENOMEM ? ng__oom() : rc;
    mt->dates[mt->n_docs] = date;
    mt->lens[mt->n_docs++] = doclen;
    mt->tokens += doclen;
    return NG_OK;
}

static int cmp_terms(const void *a, const void *b)
{
    const mt_term *x = *(mt_term *const *)a, *y = *(mt_term *const *)b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, m);
    return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

int ng_mt__sorted(const ng_memtable *mt, mt_term ***out)
{
    mt_term **v = ng__malloc((mt->n_terms ? mt->n_terms : 1) * sizeof *v);
    size_t i, k = 0;
    if (!v) return ng__oom();
    for (i = 0; i < mt->n_slots; i++)
        if (mt->slots[i]) v[k++] = mt->slots[i];
    qsort(v, k, sizeof *v, cmp_terms);
    *out = v;
    return NG_OK;
}
