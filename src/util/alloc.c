/*
** alloc.c -- every allocation of the library goes through here, so that
** ng_set_allocator() can inject failures in tests (jansson's test_chaos).
*/
#include <stdlib.h>

#include "ng_int.h"

static void *(*g_malloc)(size_t) = malloc;
static void *(*g_realloc)(void *, size_t) = realloc;
static void (*g_free)(void *) = free;

NG_EXTERN(void) ng_set_allocator(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *))
{
    g_malloc = m ? m : malloc;
    g_realloc = r ? r : realloc;
    g_free = f ? f : free;
}

void *ng__malloc(size_t n) { return g_malloc(n ? n : 1); }
void *ng__realloc(void *p, size_t n) { return g_realloc(p, n ? n : 1); }
void ng__free(void *p) { if (p) g_free(p); }

void *ng__calloc(size_t n, size_t size)
{
    void *p;
    if (size && n > SIZE_MAX / size) return NULL;
    p = ng__malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

char *ng__strndup(const char *s, size_t n)
{
    char *p = ng__malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Geometric growth keeps appends amortised O(1). */
int ng__grow(void **pa, size_t *pcap, size_t need, size_t elt)
{
    size_t cap = *pcap;
    void *p;
    if (need <= cap) return NG_OK;
    if (cap < 8) cap = 8;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / elt) return ng__oom();
        cap *= 2;
    }
    p = ng__realloc(*pa, cap * elt);
    if (!p) return ng__oom();
    *pa = p;
    *pcap = cap;
    return NG_OK;
}
