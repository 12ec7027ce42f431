/*
** memtable.c -- the in-memory inversion (FTS5's fts5_hash.c plays this
** role): a hash table from term to an append-only byte list of postings.
**
** A document arrives as its distinct terms, each with its tf and position
** deltas already encoded by an analysis thread (pipeline.c): the term
** appends its doc delta and those bytes, so each term's list stays in
** document order without sorting.  Only this part runs on the inverting
** thread, so it is kept to one probe and one copy per distinct term.
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
    ng__free(mt->lens);
    ng__free(mt->dates);
    memset(mt, 0, sizeof *mt);
}

void ng_mt__reset(ng_memtable *mt)
{
    free_terms(mt);
    mt->n_terms = 0;
    mt->n_docs = 0;
    mt->tokens = 0;
    mt->bytes = mt->n_slots * sizeof *mt->slots + mt->lens_cap * 8;
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
    size_t mask = mt->n_slots - 1, j = h & mask;
    mt_term *t;
    for (; (t = mt->slots[j]) != NULL; j = (j + 1) & mask)
        if (t->hash == h && t->len == len && ng_mt__same(t->term, term, len)) return t;
    t = ng__malloc(sizeof *t + len);
    if (!t) {
        *rc = ng__oom();
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->hash = h;
    t->len = (uint32_t)len;
    t->last_doc = UINT32_MAX;
    memcpy(t->term, term, len);
    mt->slots[j] = t;
    mt->n_terms++;
    mt->bytes += sizeof *t + len + 16;
    if (mt->n_terms * 2 > mt->n_slots && (*rc = rehash(mt)) != NG_OK) return NULL;
    return t;
}

/* Room for n more bytes in t's list. */
static int term_room(ng_memtable *mt, mt_term *t, size_t n)
{
    size_t old = t->cap;
    void *p = t->data;
    if (t->cap - t->size >= n) return NG_OK;
    if (ng__grow(&p, &t->cap, t->size + n, 1) != NG_OK) return NG_ENOMEM;
    t->data = p;
    /* what malloc really holds: the capacity plus its chunk header */
    mt->bytes += t->cap - old + (old ? 0 : 16);
    return NG_OK;
}

int ng_mt__add_doc_term(ng_memtable *mt, const char *term, size_t len, uint32_t hash, uint32_t tf,
                        const uint8_t *post, size_t post_len)
{
    uint32_t doc = (uint32_t)mt->n_docs;
    int rc = NG_OK;
    mt_term *t = find_or_add(mt, term, len, hash, &rc);
    if (!t) return rc;
    t->df++;
    if (len && term[0] == NG_NS_WORD) { /* lexicon: counts only */
        t->cf += tf;
        return NG_OK;
    }
    if (term_room(mt, t, 10 + post_len) != NG_OK) return ng__oom();
    t->size += ng_mt__vint(t->data + t->size, t->last_doc == UINT32_MAX ? (uint64_t)doc + 1 : doc - t->last_doc);
    memcpy(t->data + t->size, post, post_len);
    t->size += post_len;
    t->last_doc = doc;
    return NG_OK;
}

int ng_mt__doc_end(ng_memtable *mt, uint32_t doclen, int32_t date)
{
    int rc = NG_OK;
    if (mt->n_docs == mt->lens_cap || mt->n_docs == mt->dates_cap) {
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
