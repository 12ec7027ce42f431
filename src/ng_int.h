/*
** ng_int.h -- the private interface between the modules of libnewsgrep.
**
** Each module has a banner below (FTS5's fts5Int.h style) or its own header
** in its directory, included at the end of this file.  Dependencies point one
** way only:
**
**   util <- analysis <- ingest <- format <- index, reader <- query, eval
**        <- snippet <- api <- cli (public API only)
**
** Internal names shared between files are ng_<module>__<verb>; they are not
** exported from the shared library (built with -fvisibility=hidden).
*/
#ifndef NG_INT_H
#define NG_INT_H

#ifndef NG_BUILDING
#define NG_BUILDING 1
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "newsgrep.h"

#if defined(__GNUC__)
#define NG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NG_LIKELY(x) __builtin_expect(!!(x), 1)
#define NG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NG_NOINLINE __attribute__((noinline))
#else
#define NG_PRINTF(f, a)
#define NG_LIKELY(x) (x)
#define NG_UNLIKELY(x) (x)
#define NG_NOINLINE
#endif

#define NG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NG_NOPOS ((size_t)-1)

/**************************************************************************
** Interface to code in src/util/alloc.c
*/
void *ng__malloc(size_t n);
void *ng__calloc(size_t n, size_t size);
void *ng__realloc(void *p, size_t n);
void ng__free(void *p);
char *ng__strndup(const char *s, size_t n);
/* Grow *pa (array of *pcap elements of size elt) to hold at least need. */
int ng__grow(void **pa, size_t *pcap, size_t need, size_t elt);
/* the call only when the array must grow: hot loops ask every time */
#define NG_GROW(arr, cap, need) \
    ((size_t)(need) <= (size_t)(cap) ? NG_OK : ng__grow((void **)&(arr), &(cap), (need), sizeof(*(arr))))

/**************************************************************************
** Interface to code in src/util/error.c
**
** ng__err() sets the calling thread's error and returns its code, so that
** "return ng__err(NG_EIO, "%s: %s", path, strerror(errno));" is one statement.
*/
int ng__err(int code, const char *fmt, ...) NG_PRINTF(2, 3);
int ng__err_at(int code, size_t offset, const char *fmt, ...) NG_PRINTF(3, 4);
int ng__err_errno(int err, const char *fmt, ...) NG_PRINTF(2, 3); /* NG_EIO + ": strerror" */
int ng__oom(void);                                                /* NG_ENOMEM */
/* One place to break on corruption (FTS5_CORRUPT). */
int ng__corrupt(const char *file, uint64_t off, const char *why);
/* Prefix the current message with "prefix: " (adds context on the way up). */
void ng__err_prefix(const char *fmt, ...) NG_PRINTF(1, 2);
/* Errors are per thread: a worker thread saves its last message into a
** buffer of its own (ng__err_save), and the thread that joins it raises
** it again as its own (ng__err_carry, with fallback if none was saved). */
void ng__err_save(ng_buf *to);
int ng__err_carry(int code, const ng_buf *from, const char *fallback);

/**************************************************************************
** Interface to code in src/util/buf.c
**
** ng_buf (public) is a growable byte buffer.  The put functions take a
** sticky error code: they do nothing once *rc != NG_OK, so that a long
** encoding sequence is checked once at the end.
*/
int ng__buf_grow(ng_buf *b, size_t need); /* capacity for need more bytes (+NUL) */
void ng__buf_put(int *rc, ng_buf *b, const void *p, size_t n);
void ng__buf_putc(int *rc, ng_buf *b, int c);
void ng__buf_puts(int *rc, ng_buf *b, const char *s);
void ng__buf_printf(int *rc, ng_buf *b, const char *fmt, ...) NG_PRINTF(3, 4);
void ng__buf_put_vint(int *rc, ng_buf *b, uint64_t v);
void ng__buf_put_u32(int *rc, ng_buf *b, uint32_t v);
void ng__buf_put_u64(int *rc, ng_buf *b, uint64_t v);
void ng__buf_clear(ng_buf *b); /* size = 0, keeps memory */

/**************************************************************************
** Interface to code in src/util/varint.c -- unsigned LEB128 and LE ints.
**
** Decoders take (const uint8_t **p, const uint8_t *end), advance *p, and
** return NG_ECORRUPT-free status as 0 / -1: -1 if the input is cut short
** or the value overflows; callers turn that into ng__corrupt().
*/
/* out[i] = base + (in[0] + add) + ... + (in[i] + add) for i < n, in 32
** bits (wrapping; callers bound the sums with the OR of in[] returned).
** out may be in. */
uint32_t ng__prefix_sums(uint32_t *out, const uint32_t *in, uint32_t n, uint32_t base, uint32_t add);

size_t ng__vint_put(uint8_t *out, uint64_t v); /* writes at most 10 bytes */
int ng__vint_get(const uint8_t **p, const uint8_t *end, uint64_t *v);
int ng__vint_get32(const uint8_t **p, const uint8_t *end, uint32_t *v);
size_t ng__vint_len(uint64_t v);
/* ng__vint_get inlined for values of one or two bytes, the usual case in
** skip entries read on every seek. */
static inline int ng__vint_next(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (end - p >= 2) {
        if (p[0] < 0x80) {
            *v = p[0];
            *pp = p + 1;
            return 0;
        }
        if (p[1] < 0x80) {
            *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
            *pp = p + 2;
            return 0;
        }
    }
    return ng__vint_get(pp, end, v);
}
/* FNV-1a, continued from h (start: ng__fnv1a): how the in-memory tables
** hash their short keys (terms, ids, words). */
static inline uint32_t ng__fnv1a_more(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}
static inline uint32_t ng__fnv1a(const void *p, size_t n)
{
    return ng__fnv1a_more(2166136261u, p, n);
}
static inline uint32_t ng__get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ng__get_u64(const uint8_t *p)
{
    return (uint64_t)ng__get_u32(p) | (uint64_t)ng__get_u32(p + 4) << 32;
}
static inline void ng__set_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void ng__set_u64(uint8_t *p, uint64_t v)
{
    ng__set_u32(p, (uint32_t)v); ng__set_u32(p + 4, (uint32_t)(v >> 32));
}

/**************************************************************************
** Interface to code in src/util/crc.c (zlib crc32)
*/
uint32_t ng__crc32(uint32_t crc, const void *p, size_t n); /* = zlib crc32(), PCLMULQDQ if the CPU has it */
uint32_t ng__crc32_portable(uint32_t crc, const void *p, size_t n); /* zlib only (tests) */
int ng__crc32_accelerated(void); /* 1 if ng__crc32 uses the SIMD path (tests) */

/**************************************************************************
** Interface to code in src/util/fs.c -- files, atomic replace, mmap, lock.
*/
typedef struct ng_map {
    const uint8_t *data; /* read-only mapping, or NULL for an empty file */
    size_t size;         /* bytes mapped */
} ng_map;
int ng__map_file(ng_map *out, const char *path);   /* NG_ENOTFOUND, NG_EIO */
void ng__unmap(ng_map *m);
void ng__map_release(const ng_map *m); /* drop resident pages, keep the mapping */
void ng__map_release_range(const ng_map *m, const void *p, size_t n); /* its whole pages in [p, p + n) */
void ng__map_random(const ng_map *m);  /* faults read only the page touched */
void ng__map_sequential(const ng_map *m); /* read far ahead: the file is streamed */
/* Ask for [p, p + n) of m to be read ahead, in one request (advice only). */
void ng__map_willneed(const ng_map *m, const void *p, size_t n);
/* n zero bytes, writable, from pages that cost nothing until first
** written (a sparse bitmap over a large file); NULL on failure. */
uint8_t *ng__zero_pages(size_t n);
void ng__zero_pages_free(uint8_t *p, size_t n);
int ng__fsync_dir(const char *dir);
/* Name the calling thread (up to 15 bytes) for top -H, perf and gdb. */
void ng__thread_name(const char *name);
int ng__mkdir_p(const char *path);
int ng__path_join(ng_buf *out, const char *dir, const char *name);

/**************************************************************************
** Interface to code in src/util/log.c
*/
typedef struct ng_logger {
    ng_log_fn fn;  /* may be NULL: diagnostics dropped */
    void *payload; /* passed to fn */
} ng_logger;
void ng__log(const ng_logger *lg, int level, const char *fmt, ...) NG_PRINTF(3, 4);

/**************************************************************************
** Interface to code in src/util/date.c -- dates as days since 1970-01-01.
*/
#define NG_DATE_NONE INT32_MIN /* a document without a (valid) date */
enum { NG_DATE_YEAR = 1, NG_DATE_MONTH, NG_DATE_DAY };
typedef struct ng_date_span {
    int32_t first, last; /* days covered, inclusive */
    int precision;       /* NG_DATE_YEAR, _MONTH or _DAY */
    size_t consumed;     /* bytes of the input parsed: 4, 7 or 10 */
} ng_date_span;
int32_t ng__days_from_civil(int y, unsigned m, unsigned d);
void ng__civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d);
/* Parse the leading "YYYY", "YYYY-MM" or "YYYY-MM-DD" of s[0..n) into the
** span of days it covers; NG_EINVAL (no message set) if there is none. */
int ng__date_parse(const char *s, size_t n, ng_date_span *out);
/* A document's day from its date field ("YYYY-MM-DD", optionally followed
** by a time), NG_DATE_NONE if it has none. */
int32_t ng__doc_date(const char *s, size_t n);

#include "analysis/analysis.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "snippet/snippet.h"

#endif /* NG_INT_H */
