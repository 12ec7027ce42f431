/*
** stem.c -- the Snowball stemmer (libstemmer) behind a small wrapper.
**
** libstemmer keeps its own growing buffer, so stemming allocates nothing
** once warmed up.  A direct-mapped cache of recent words in front of it
** saves most calls on news text, whose vocabulary repeats heavily.
**
** The cache starts small and grows (x4, keeping its words) whenever it is
** a quarter full (fewer collisions), up to STEM_CACHE_SLOTS: a one-query
** process stems a few hundred distinct words and should not pay for
** clearing the 6 MB that indexing wants.  Slots are not cleared either:
** a bitmap says which ones hold a word, so a new table costs one small
** memset.
*/
#include <libstemmer.h>

#include "ng_int.h"

/* Power of two: the largest table.  An indexer meets tens of thousands of
** distinct words (names above all) in a few thousand articles; at 16384
** slots 15% of the words stemmed missed (4 months of the benchmark corpus,
** 3,300 articles), at 131072 4%, and a Snowball call costs some 2,500
** instructions against one cache miss. */
#define STEM_CACHE_SLOTS 131072
#define STEM_CACHE_FIRST 512   /* power of two: the first table */
#define STEM_CACHE_WORD 23     /* longer words bypass the cache */

typedef struct stem_slot {
    uint8_t wlen, slen;   /* lengths of w and s */
    char w[STEM_CACHE_WORD];
    char s[STEM_CACHE_WORD + 1];
} stem_slot;

typedef struct stem_cache {
    stem_slot *slot;      /* n_slots, uninitialised unless marked in used */
    uint8_t *used;        /* n_slots bits: slot holds a word */
    uint32_t n_slots;     /* power of two */
    uint32_t n_used;      /* slots marked in used */
} stem_cache;

struct ng_stemmer {
    struct sb_stemmer *sb;
    stem_cache cache; /* empty until first use */
    int no_cache;     /* the caller remembers stems itself */
};

const char **ng__stem_languages(void)
{
    return sb_stemmer_list();
}

int ng_analysis__stemmer_new(ng_stemmer **out, const char *lang)
{
    ng_stemmer *s;
    *out = NULL;
    s = ng__calloc(1, sizeof *s);
    if (!s) return ng__oom();
    s->sb = sb_stemmer_new(lang, "UTF_8");
    if (!s->sb) {
        ng__free(s);
        /* sb_stemmer_new also fails on out of memory; tell the two apart. */
        {
            const char **l;
            for (l = sb_stemmer_list(); *l; l++)
                if (strcmp(*l, lang) == 0) return ng__oom();
        }
        return ng__err(NG_EINVAL, "unknown stemming language '%s' (use 'none', or one of the "
                       "snowball languages listed by ng__stem_languages(), e.g. english, french, german)", lang);
    }
    *out = s;
    return NG_OK;
}

void ng_analysis__stemmer_free(ng_stemmer *s)
{
    if (!s) return;
    sb_stemmer_delete(s->sb);
    ng__free(s->cache.slot);
    ng__free(s->cache.used);
    ng__free(s);
}

void ng_analysis__stem_no_cache(ng_stemmer *s)
{
    s->no_cache = 1;
}

static uint32_t hash_word(const char *w, size_t n)
{
    uint32_t h = ng__fnv1a(w, n);
    return h ^ (h >> 15);
}

static stem_slot *cache_slot(const stem_cache *c, const char *w, size_t n, int *used)
{
    uint32_t i = hash_word(w, n) & (c->n_slots - 1);
    *used = (c->used[i >> 3] >> (i & 7)) & 1;
    return &c->slot[i];
}

static void cache_put(stem_cache *c, const char *w, size_t n, const char *st, size_t sl)
{
    int used;
    stem_slot *slot = cache_slot(c, w, n, &used);
    uint32_t i = (uint32_t)(slot - c->slot);
    if (!used) {
        c->used[i >> 3] |= (uint8_t)(1u << (i & 7));
        c->n_used++;
    }
    slot->wlen = (uint8_t)n;
    slot->slen = (uint8_t)sl;
    memcpy(slot->w, w, n);
    memcpy(slot->s, st, sl);
    slot->s[sl] = '\0';
}

/* Make the cache n_slots big, re-inserting the words it holds.  On out of
** memory the old table stays (the cache is only an optimisation). */
static void cache_resize(stem_cache *c, uint32_t n_slots)
{
    stem_cache bigger = {NULL, NULL, n_slots, 0};
    uint32_t i;
    bigger.slot = ng__malloc((size_t)n_slots * sizeof *bigger.slot);
    bigger.used = ng__calloc(n_slots / 8, 1);
    if (!bigger.slot || !bigger.used) {
        ng__free(bigger.slot);
        ng__free(bigger.used);
        return;
    }
    for (i = 0; i < c->n_slots; i++)
        if ((c->used[i >> 3] >> (i & 7)) & 1) {
            const stem_slot *o = &c->slot[i];
            cache_put(&bigger, o->w, o->wlen, o->s, o->slen);
        }
    ng__free(c->slot);
    ng__free(c->used);
    *c = bigger;
}

const char *ng_analysis__stem(ng_stemmer *s, const char *w, size_t n, size_t *outlen)
{
    stem_cache *c = &s->cache;
    const sb_symbol *r;
    int rl, cacheable = n > 0 && n <= STEM_CACHE_WORD && !s->no_cache;

    if (cacheable) {
        if (c->n_slots == 0 || (c->n_used * 4 > c->n_slots && c->n_slots < STEM_CACHE_SLOTS))
            cache_resize(c, c->n_slots == 0 ? STEM_CACHE_FIRST
                            : c->n_slots * 4 < STEM_CACHE_SLOTS ? c->n_slots * 4 : STEM_CACHE_SLOTS);
        if (c->n_slots > 0) { /* without one (out of memory) just don't cache */
            int used;
            const stem_slot *slot = cache_slot(c, w, n, &used);
            if (used && slot->wlen == n && memcmp(slot->w, w, n) == 0) {
                *outlen = slot->slen;
                return slot->s;
            }
        }
    }
    r = sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)n);
    if (!r) {
        ng__oom();
        return NULL;
    }
    rl = sb_stemmer_length(s->sb);
    if (cacheable && c->n_slots > 0 && rl <= STEM_CACHE_WORD) cache_put(c, w, n, (const char *)r, (size_t)rl);
    *outlen = (size_t)rl;
    return (const char *)r;
}
