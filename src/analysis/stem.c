/*
** stem.c -- the Snowball stemmer (libstemmer) behind a small wrapper.
**
** libstemmer keeps its own growing buffer, so stemming allocates nothing
** once warmed up.  A direct-mapped cache of recent words in front of it
** saves most calls on news text, whose vocabulary repeats heavily.
*/
#include <libstemmer.h>

#include "ng_int.h"

#define STEM_CACHE_SLOTS 16384 /* power of two */
#define STEM_CACHE_WORD 23    /* longer words bypass the cache */

typedef struct stem_slot {
    uint8_t wlen, slen;   /* wlen == 0: empty slot */
    char w[STEM_CACHE_WORD];
    char s[STEM_CACHE_WORD + 1];
} stem_slot;

struct ng_stemmer {
    struct sb_stemmer *sb;
    stem_slot *cache; /* STEM_CACHE_SLOTS, allocated on first use */
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
    ng__free(s->cache);
    ng__free(s);
}

static uint32_t hash_word(const char *w, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h ^ (h >> 15);
}

const char *ng_analysis__stem(ng_stemmer *s, const char *w, size_t n, size_t *outlen)
{
    stem_slot *slot = NULL;
    const sb_symbol *r;
    int rl;

    if (n <= STEM_CACHE_WORD) {
        if (!s->cache) s->cache = ng__calloc(STEM_CACHE_SLOTS, sizeof *s->cache);
        if (s->cache) { /* without it (out of memory) just don't cache */
            slot = &s->cache[hash_word(w, n) & (STEM_CACHE_SLOTS - 1)];
            if (slot->wlen == n && memcmp(slot->w, w, n) == 0) {
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
    if (slot && rl <= STEM_CACHE_WORD) {
        slot->wlen = (uint8_t)n;
        slot->slen = (uint8_t)rl;
        memcpy(slot->w, w, n);
        memcpy(slot->s, r, (size_t)rl);
        slot->s[rl] = '\0';
    }
    *outlen = (size_t)rl;
    return (const char *)r;
}
