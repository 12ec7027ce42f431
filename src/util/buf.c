/*
** buf.c -- growable buffers with sticky error codes (FTS5's Fts5Buffer).
*/
#include <stdio.h>

#include "ng_int.h"

NG_EXTERN(void) ng_buf_dispose(ng_buf *b)
{
    if (!b) return;
    ng__free(b->ptr);
    b->ptr = NULL;
    b->size = b->asize = 0;
}

int ng__buf_grow(ng_buf *b, size_t need)
{
    size_t want, cap;
    char *p;
    if (need > SIZE_MAX - b->size - 1) return ng__oom();
    want = b->size + need + 1;
    if (want <= b->asize) return NG_OK;
    cap = b->asize < 64 ? 64 : b->asize;
    while (cap < want) cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    p = ng__realloc(b->ptr, cap);
    if (!p) return ng__oom();
    b->ptr = p;
    b->asize = cap;
    return NG_OK;
}

void ng__buf_put(int *rc, ng_buf *b, const void *p, size_t n)
{
    if (*rc) return;
    if ((*rc = ng__buf_grow(b, n)) != NG_OK) return;
    if (n) memcpy(b->ptr + b->size, p, n);
    b->size += n;
    b->ptr[b->size] = '\0';
}

void ng__buf_putc(int *rc, ng_buf *b, int c)
{
    char ch = (char)c;
    ng__buf_put(rc, b, &ch, 1);
}

void ng__buf_puts(int *rc, ng_buf *b, const char *s) { ng__buf_put(rc, b, s, strlen(s)); }

void ng__buf_printf(int *rc, ng_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (*rc) return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) { *rc = ng__err(NG_ERROR, "format error"); return; }
    if ((*rc = ng__buf_grow(b, (size_t)n)) != NG_OK) return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->size += (size_t)n;
}

void ng__buf_put_vint(int *rc, ng_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    ng__buf_put(rc, b, tmp, ng__vint_put(tmp, v));
}

void ng__buf_put_u32(int *rc, ng_buf *b, uint32_t v)
{
    uint8_t tmp[4];
    ng__set_u32(tmp, v);
    ng__buf_put(rc, b, tmp, 4);
}

void ng__buf_put_u64(int *rc, ng_buf *b, uint64_t v)
{
    uint8_t tmp[8];
    ng__set_u64(tmp, v);
    ng__buf_put(rc, b, tmp, 8);
}

void ng__buf_clear(ng_buf *b)
{
    b->size = 0;
    if (b->ptr) b->ptr[0] = '\0';
}
