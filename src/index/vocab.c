/*
** vocab.c -- an analysing thread's memory of the terms it has met
** (index.h, "Vocabulary").
**
** A document's tokens repeat a small vocabulary.  Without a memory, each
** token cost a hash of its word and a probe of the document's own term
** table, and each distinct word of a document a stem (through a cache), a
** name key and two more probes.  With it, a token costs one hash and one
** probe: the entry of the word holds the entries of its stem and name key,
** made once for the thread's life, and each entry remembers the document
** it last occurred in (stamp) and its term there (rec), so no per-document
** table is needed either.  (Indexing 100k documents of the benchmark
** corpus, -j1: 0.85 of the time, with the same index.)
**
** Entries live in one array and one open-addressing table, keyed by the
** term bytes as the memtable will store them (namespace byte first for the
** namespaced kinds) and hashed by ng_mt__hash, so the hash is handed on
** with the term.  Memory is bounded: past NG_VOCAB_MAX_ENTRIES the vocabulary
** is emptied at the next document and learnt again; the common words come
** back within a few documents.
*/
#include "index/index.h"

/* An entry is 32 bytes and a table slot 8, the table at least twice as
** many slots as entries: up to 96k entries it stays at 262,144 slots, so
** a vocabulary holds about 3 MB of entries and a 2 MB table.  The
** analyzers of the indexer stem without their own cache of recent words
** (6 MB each), which would hold the same words again.  A third of this
** limit made indexing 8% slower; five times it, no faster (100k
** documents, -j1). */
#define VOCAB_MIN_SLOTS 1024u /* power of two */
#define LINE 64               /* cache line: entries are aligned to it */

int ng_vocab__new(ng_vocab **out)
{
    ng_vocab *v = ng__calloc(1, sizeof *v);
    *out = NULL;
    if (!v || !(v->table = ng__calloc(VOCAB_MIN_SLOTS, sizeof *v->table))) {
        ng__free(v);
        return ng__oom();
    }
    v->n_slots = VOCAB_MIN_SLOTS;
    *out = v;
    return NG_OK;
}

void ng_vocab__free(ng_vocab *v)
{
    if (!v) return;
    ng__free(v->ent_mem);
    ng__free(v->table);
    ng_buf_dispose(&v->bytes);
    ng__free(v);
}

/* Empty the vocabulary.  One huge document may have grown it far past the
** limit (its words are all kept until it ends): then the arrays go too, so
** that the thread does not hold that memory for the rest of the run. */
static void forget_all(ng_vocab *v)
{
    v->n_ent = 0;
    ng__buf_clear(&v->bytes);
    if (v->ent_cap > 2 * NG_VOCAB_MAX_ENTRIES) {
        ng__free(v->ent_mem);
        v->ent_mem = NULL;
        v->ent = NULL;
        v->ent_cap = 0;
        ng_buf_dispose(&v->bytes);
    }
    if (v->n_slots > 4 * NG_VOCAB_MAX_ENTRIES) {
        ng_vocab_slot *t = ng__calloc(VOCAB_MIN_SLOTS, sizeof *t);
        if (t) { /* else the big table stays, cleared */
            ng__free(v->table);
            v->table = t;
            v->n_slots = VOCAB_MIN_SLOTS;
            return;
        }
    }
    memset(v->table, 0, (size_t)v->n_slots * sizeof *v->table);
}

uint32_t ng_vocab__doc_start(ng_vocab *v)
{
    if (v->n_ent > NG_VOCAB_MAX_ENTRIES) forget_all(v);
    if (++v->stamp == 0) { /* wrapped: no entry may look current */
        size_t i;
        for (i = 0; i < v->n_ent; i++) v->ent[i].stamp = 0;
        v->stamp = 1;
    }
    return v->stamp;
}

static int same(const ng_vocab *v, const ng_vocab_ent *x, char ns, const char *s, size_t n)
{
    const char *b = ng_vocab__bytes(v, x);
    if (ns) {
        if (x->len != n + 1 || b[0] != ns) return 0;
        b++;
    } else if (x->len != n) {
        return 0;
    }
    return ng_mt__same(b, s, n);
}

static int grow_table(ng_vocab *v)
{
    uint32_t n = v->n_slots * 2;
    ng_vocab_slot *t = ng__calloc(n, sizeof *t);
    size_t i;
    if (!t) return ng__oom();
    for (i = 0; i < v->n_ent; i++) {
        uint32_t k = v->ent[i].hash & (n - 1);
        while (t[k].ent) k = (k + 1) & (n - 1);
        t[k].hash = v->ent[i].hash;
        t[k].ent = (uint32_t)i + 1;
    }
    ng__free(v->table);
    v->table = t;
    v->n_slots = n;
    return NG_OK;
}

/* Room for one more entry, the array kept aligned to cache lines so that
** an entry is one line to fetch, not two. */
static int ent_room(ng_vocab *v)
{
    size_t cap = v->ent_cap ? v->ent_cap * 2 : 1024;
    void *mem;
    ng_vocab_ent *ent;
    if (v->n_ent < v->ent_cap) return NG_OK;
    if (!(mem = ng__malloc(cap * sizeof *ent + LINE))) return ng__oom();
    ent = (ng_vocab_ent *)(((uintptr_t)mem + LINE - 1) & ~(uintptr_t)(LINE - 1));
    if (v->n_ent) memcpy(ent, v->ent, v->n_ent * sizeof *ent);
    ng__free(v->ent_mem);
    v->ent_mem = mem;
    v->ent = ent;
    v->ent_cap = cap;
    return NG_OK;
}

/* A new entry for ns + s at free table slot *slot. */
static int add(ng_vocab *v, ng_vocab_slot *slot, char ns, const char *s, size_t n, uint32_t h, uint32_t *e)
{
    ng_vocab_ent *x;
    char *b;
    size_t len = n + (ns ? 1 : 0);
    int rc;
    if ((rc = ent_room(v)) != NG_OK) return rc;
    x = &v->ent[v->n_ent];
    memset(x, 0, sizeof *x);
    x->hash = h;
    x->len = (uint8_t)len;
    if (len <= NG_VOCAB_INLINE) {
        b = x->inl;
    } else {
        uint32_t off = (uint32_t)v->bytes.size;
        if ((rc = ng__buf_grow(&v->bytes, len)) != NG_OK) return rc;
        memcpy(x->inl, &off, sizeof off);
        b = v->bytes.ptr + v->bytes.size;
        v->bytes.size += len;
    }
    if (ns) *b++ = ns;
    memcpy(b, s, n);
    slot->hash = h;
    slot->ent = (uint32_t)++v->n_ent;
    *e = (uint32_t)v->n_ent - 1;
    if (v->n_ent * 2 > v->n_slots) return grow_table(v);
    return NG_OK;
}

int ng_vocab__find(ng_vocab *v, char ns, const char *s, size_t n, uint32_t h, uint32_t *e)
{
    uint32_t mask = v->n_slots - 1, k = h & mask;
    ng_vocab_slot *slot;
    for (; (slot = &v->table[k])->ent != 0; k = (k + 1) & mask) {
        if (slot->hash == h && same(v, &v->ent[slot->ent - 1], ns, s, n)) {
            *e = slot->ent - 1;
            return NG_OK;
        }
    }
    return add(v, slot, ns, s, n, h, e);
}
