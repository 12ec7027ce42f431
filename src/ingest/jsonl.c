/*
** jsonl.c -- JSON Lines: a small strict parser for one object per line, and
** a streaming line reader for plain and gzip-compressed files.
**
** The parser decodes only what an article needs (id, title, date, url,
** body) into a caller-owned scratch buffer; every other value is checked
** for syntax and skipped without recursion.  The reader keeps one buffer
** for the whole walk and never holds more than one line (at most
** NG_INGEST_LINE_MAX bytes) plus one read chunk.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* st_mtim, strcasecmp, O_CLOEXEC under -std=c11 */
#endif
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ng_int.h"

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

typedef struct jparse {
    const unsigned char *s;   /* start of the line (columns count from here) */
    const unsigned char *p;   /* cursor */
    const unsigned char *end;
    ng_buf *out;              /* decoded strings */
} jparse;

enum { F_NONE = -1, F_ID, F_TITLE, F_DATE, F_URL, F_BODY, F_COUNT };

static const char *const field_names[F_COUNT] = {"id", "title", "date", "url", "body"};

static int jfail_at(const jparse *j, const unsigned char *at, const char *why)
{
    size_t col = (size_t)(at - j->s) + 1;
    return ng__err_at(NG_EINVAL, col - 1, "column %zu: %s", col, why);
}

static int jfail(const jparse *j, const char *why) { return jfail_at(j, j->p, why); }

static void skip_ws(jparse *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits at q (bounds checked by the caller); -1 if not hex. */
static long hex4(const unsigned char *q)
{
    long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        int h = hexval(q[i]);
        if (h < 0) return -1;
        v = v << 4 | h;
    }
    return v;
}

static size_t utf8_encode(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string at the cursor (which is on '"').  With decode, its value is
** appended to j->out (not NUL-terminated here). */
/* The first byte at p or after that ends a run of plain string bytes (a
** quote, a backslash, a control character), or end: sixteen bytes a step,
** for article bodies are long runs. */
static const unsigned char *plain_run_end(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                    _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl)); /* x <= 0x1f */
        unsigned bits = (unsigned)_mm_movemask_epi8(stop);
        if (bits) return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && *p >= 0x20) p++;
    return p;
}

static int parse_string(jparse *j, int decode)
{
    int rc = NG_OK;
    j->p++; /* opening quote */
    for (;;) {
        const unsigned char *run = j->p;
        j->p = plain_run_end(j->p, j->end);
        if (decode && j->p > run) {
            ng__buf_put(&rc, j->out, run, (size_t)(j->p - run));
            if (rc) return rc;
        }
        if (j->p >= j->end) return jfail(j, "unterminated string");
        if (*j->p == '"') {
            j->p++;
            return NG_OK;
        }
        if (*j->p < 0x20) return jfail(j, "control character in string");
        /* backslash */
        {
            const unsigned char *esc = j->p;
            unsigned char tmp[4];
            size_t n = 1;
            if (j->p + 1 >= j->end) return jfail(j, "unterminated string");
            switch (j->p[1]) {
            case '"': tmp[0] = '"'; break;
            case '\\': tmp[0] = '\\'; break;
            case '/': tmp[0] = '/'; break;
            case 'b': tmp[0] = '\b'; break;
            case 'f': tmp[0] = '\f'; break;
            case 'n': tmp[0] = '\n'; break;
            case 'r': tmp[0] = '\r'; break;
            case 't': tmp[0] = '\t'; break;
            case 'u': {
                long cp, lo;
                if (j->end - j->p < 6 || (cp = hex4(j->p + 2)) < 0)
                    return jfail_at(j, esc, "invalid \\u escape");
                j->p += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    /* a high surrogate wants \uDC00-\uDFFF next */
                    if (j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
                        (lo = hex4(j->p + 2)) >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        j->p += 6;
                    } else {
                        cp = 0xFFFD;
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    cp = 0xFFFD;
                }
                n = utf8_encode(tmp, (unsigned long)cp);
                if (decode) ng__buf_put(&rc, j->out, tmp, n);
                if (rc) return rc;
                continue;
            }
            default:
                return jfail_at(j, esc, "invalid escape");
            }
            j->p += 2;
            if (decode) ng__buf_put(&rc, j->out, tmp, n);
            if (rc) return rc;
        }
    }
}

/* A number at the cursor: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
** Only the syntax is checked; any magnitude is accepted. */
static int parse_number(jparse *j, int *is_int)
{
    const unsigned char *start = j->p;
    *is_int = 1;
    if (j->p < j->end && *j->p == '-') j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return jfail_at(j, start, "invalid number");
    if (*j->p == '0') {
        j->p++;
    } else {
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        *is_int = 0;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return jfail_at(j, start, "invalid number");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        *is_int = 0;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return jfail_at(j, start, "invalid number");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    /* "01", "1x": the value must end at a delimiter */
    if (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' ||
                          (*j->p >= 'a' && *j->p <= 'z') || (*j->p >= 'A' && *j->p <= 'Z') ||
                          *j->p == '+' || *j->p == '-'))
        return jfail_at(j, start, "invalid number");
    return NG_OK;
}

/* true / false / null at the cursor; returns the literal's first letter or
** an error. */
static int parse_literal(jparse *j, int *which)
{
    static const char *const lits[] = {"true", "false", "null"};
    size_t i;
    for (i = 0; i < NG_ARRAY_LEN(lits); i++) {
        size_t n = strlen(lits[i]);
        if ((size_t)(j->end - j->p) >= n && memcmp(j->p, lits[i], n) == 0) {
            const unsigned char *after = j->p + n;
            if (after < j->end && ((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z') ||
                                   (*after >= '0' && *after <= '9')))
                break;
            j->p = after;
            *which = lits[i][0];
            return NG_OK;
        }
    }
    return jfail(j, "invalid literal");
}

/* Skip one value of any kind, iteratively; depth is the nesting level of
** the container holding it (the record itself is level 1). */
static int skip_value(jparse *j, int depth)
{
    unsigned char stack[NG_JSON_MAX_DEPTH / 8 + 1]; /* bit set: object */
    int top = 0, rc, dummy;

    for (;;) {
        /* a value is expected at the cursor */
        skip_ws(j);
        if (j->p >= j->end) return jfail(j, "unexpected end of line");
        switch (*j->p) {
        case '{':
        case '[': {
            int is_obj = *j->p == '{';
            if (depth + top + 1 > NG_JSON_MAX_DEPTH) return jfail(j, "nesting too deep");
            if (is_obj) stack[top / 8] |= (unsigned char)(1u << (top % 8));
            else stack[top / 8] &= (unsigned char)~(1u << (top % 8));
            top++;
            j->p++;
            skip_ws(j);
            if (j->p < j->end && *j->p == (is_obj ? '}' : ']')) {
                j->p++;
                top--;
                break; /* an empty container is a complete value */
            }
            if (is_obj) {
                if (j->p >= j->end || *j->p != '"') return jfail(j, "expected a string key");
                if ((rc = parse_string(j, 0)) != NG_OK) return rc;
                skip_ws(j);
                if (j->p >= j->end || *j->p != ':') return jfail(j, "expected ':'");
                j->p++;
            }
            continue; /* the first member's value */
        }
        case '"':
            if ((rc = parse_string(j, 0)) != NG_OK) return rc;
            break;
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            if ((rc = parse_number(j, &dummy)) != NG_OK) return rc;
            break;
        default:
            if ((rc = parse_literal(j, &dummy)) != NG_OK) return rc;
            break;
        }
        /* after a complete value: close containers or go to the next member */
        for (;;) {
            int is_obj;
            if (top == 0) return NG_OK;
            is_obj = stack[(top - 1) / 8] >> ((top - 1) % 8) & 1;
            skip_ws(j);
            if (j->p >= j->end) return jfail(j, "unexpected end of line");
            if (*j->p == (is_obj ? '}' : ']')) {
                j->p++;
                top--;
                continue;
            }
            if (*j->p != ',') return jfail(j, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
            j->p++;
            if (is_obj) {
                skip_ws(j);
                if (j->p >= j->end || *j->p != '"') return jfail(j, "expected a string key");
                if ((rc = parse_string(j, 0)) != NG_OK) return rc;
                skip_ws(j);
                if (j->p >= j->end || *j->p != ':') return jfail(j, "expected ':'");
                j->p++;
            }
            break;
        }
    }
}

static int field_of(const char *k, size_t n)
{
    int f;
    for (f = 0; f < F_COUNT; f++)
        if (strlen(field_names[f]) == n && memcmp(field_names[f], k, n) == 0) return f;
    return F_NONE;
}

int ng_ingest__parse_jsonl(ng_document *doc, ng_buf *scratch, const char *line, size_t len)
{
    jparse j;
    size_t off[F_COUNT], flen[F_COUNT];
    int have[F_COUNT] = {0, 0, 0, 0, 0};
    int rc, f;

    memset(doc, 0, sizeof *doc);
    j.s = (const unsigned char *)line;
    j.p = j.s;
    j.end = j.s + len;
    j.out = scratch;
    ng__buf_clear(scratch);
    if ((rc = ng__buf_grow(scratch, 0)) != NG_OK) return rc; /* ptr non-NULL from here */

    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) j.p += 3;
    skip_ws(&j);
    if (j.p >= j.end) return jfail(&j, "empty line");
    if (*j.p != '{') return jfail(&j, "not a json object");
    j.p++;
    skip_ws(&j);
    if (j.p < j.end && *j.p == '}') {
        j.p++;
    } else {
        for (;;) {
            size_t key_off = scratch->size;
            const unsigned char *vstart;
            skip_ws(&j);
            if (j.p >= j.end || *j.p != '"') return jfail(&j, "expected a string key");
            if ((rc = parse_string(&j, 1)) != NG_OK) return rc;
            f = field_of(scratch->ptr + key_off, scratch->size - key_off);
            scratch->size = key_off; /* the key itself is not kept */
            skip_ws(&j);
            if (j.p >= j.end || *j.p != ':') return jfail(&j, "expected ':'");
            j.p++;
            skip_ws(&j);
            vstart = j.p;
            if (f == F_NONE) {
                if ((rc = skip_value(&j, 1)) != NG_OK) return rc;
            } else if (j.p < j.end && *j.p == '"') {
                off[f] = scratch->size;
                if ((rc = parse_string(&j, 1)) != NG_OK) return rc;
                flen[f] = scratch->size - off[f];
                ng__buf_put(&rc, scratch, "", 1); /* NUL after each value */
                if (rc) return rc;
                have[f] = 1;
            } else if (f == F_ID && j.p < j.end && (*j.p == '-' || (*j.p >= '0' && *j.p <= '9'))) {
                int is_int;
                if ((rc = parse_number(&j, &is_int)) != NG_OK) return rc;
                if (!is_int) return jfail_at(&j, vstart, "\"id\" must be a string or an integer");
                off[f] = scratch->size;
                flen[f] = (size_t)(j.p - vstart);
                ng__buf_put(&rc, scratch, vstart, flen[f]);
                ng__buf_put(&rc, scratch, "", 1);
                if (rc) return rc;
                have[f] = 1;
            } else if (f != F_BODY && (size_t)(j.end - j.p) >= 4 && memcmp(j.p, "null", 4) == 0) {
                int which;
                if ((rc = parse_literal(&j, &which)) != NG_OK) return rc;
                have[f] = 0; /* null: absent, also over an earlier value */
            } else {
                /* report a syntax error first, a type error otherwise */
                if ((rc = skip_value(&j, 1)) != NG_OK) return rc;
                return jfail_at(&j, vstart,
                                f == F_ID ? "\"id\" must be a string or an integer"
                                : f == F_BODY ? "\"body\" must be a string"
                                : f == F_TITLE ? "\"title\" must be a string"
                                : f == F_DATE ? "\"date\" must be a string"
                                              : "\"url\" must be a string");
            }
            skip_ws(&j);
            if (j.p >= j.end) return jfail(&j, "unexpected end of line");
            if (*j.p == '}') {
                j.p++;
                break;
            }
            if (*j.p != ',') return jfail(&j, "expected ',' or '}'");
            j.p++;
        }
    }
    skip_ws(&j);
    if (j.p < j.end) return jfail(&j, "trailing characters after the object");
    if (!have[F_BODY]) return jfail_at(&j, j.s, "missing \"body\"");

    doc->id = have[F_ID] ? scratch->ptr + off[F_ID] : NULL;
    doc->id_len = have[F_ID] ? flen[F_ID] : 0;
    doc->title = have[F_TITLE] ? scratch->ptr + off[F_TITLE] : "";
    doc->title_len = have[F_TITLE] ? flen[F_TITLE] : 0;
    doc->date = have[F_DATE] ? scratch->ptr + off[F_DATE] : "";
    doc->date_len = have[F_DATE] ? flen[F_DATE] : 0;
    doc->url = have[F_URL] ? scratch->ptr + off[F_URL] : "";
    doc->url_len = have[F_URL] ? flen[F_URL] : 0;
    doc->body = scratch->ptr + off[F_BODY];
    doc->body_len = flen[F_BODY];
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Line reader                                                         */
/* ------------------------------------------------------------------ */

#define CHUNK ((size_t)1 << 20)

typedef struct jreader {
    int fd;
    gzFile gz;
} jreader;

/* Read up to n bytes: >0 bytes, 0 at the end, -1 on error (*why set). */
static long jread(jreader *r, char *buf, size_t n, const char **why, int *err)
{
    *why = NULL;
    *err = 0;
    if (n > CHUNK) n = CHUNK;
    if (r->gz) {
        int errnum = Z_OK;
        int got = gzread(r->gz, buf, (unsigned)n);
        if (got > 0) return got;
        *why = gzerror(r->gz, &errnum);
        if (got == 0 && errnum == Z_OK) return 0;
        if (errnum == Z_ERRNO) *err = errno ? errno : EIO;
        if (errnum == Z_BUF_ERROR) *why = "unexpected end of compressed data";
        return -1;
    }
    for (;;) {
        ssize_t got = read(r->fd, buf, n);
        if (got >= 0) return (long)got;
        if (errno == EINTR) continue;
        *err = errno;
        return -1;
    }
}

static int is_blank(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\f' && p[i] != '\v') return 0;
    return 1;
}

static int one_line(ng_ingest_ctx *c, const char *p, size_t n, uint64_t lineno, uint64_t size,
                    int64_t mtime_ns)
{
    ng_source_doc sd;
    int rc;
    if (n > 0 && p[n - 1] == '\r') n--;
    if (is_blank(p, n)) return NG_OK;
    rc = ng_ingest__parse_jsonl(&sd.doc, &c->scratch, p, n);
    if (rc == NG_EINVAL) {
        ng__log(c->lg, NG_LOG_WARNING, "%s:%llu: %s", c->path.ptr, (unsigned long long)lineno,
                ng_error_last()->message);
        c->st.skipped++;
        return NG_OK;
    }
    if (rc) return rc;
    if (!sd.doc.id || sd.doc.id_len == 0) {
        ng__buf_clear(&c->id);
        ng__buf_printf(&rc, &c->id, "%s:%llu", c->path.ptr, (unsigned long long)lineno);
        if (rc) return rc;
        sd.doc.id = c->id.ptr;
        sd.doc.id_len = c->id.size;
    }
    sd.path = c->path.ptr;
    sd.line = lineno;
    sd.size = size;
    sd.mtime_ns = mtime_ns;
    c->st.docs++;
    return c->fn(c->payload, &sd);
}

int ng_ingest__jsonl_file(ng_ingest_ctx *c, int fd, int gz, uint64_t size, int64_t mtime_ns)
{
    jreader r;
    size_t pos = 0, end = 0, scanned = 0;
    uint64_t lineno = 0, total = 0;
    int rc = NG_OK, eof = 0;
    const char *why;
    int err;
    long got;

    r.fd = fd;
    r.gz = NULL;
    if (gz) {
        r.gz = gzdopen(fd, "rb");
        if (!r.gz) {
            close(fd);
            return ng__oom();
        }
        gzbuffer(r.gz, 1u << 17);
    }
    if (!c->line) {
        c->line = ng__malloc(CHUNK);
        if (!c->line) {
            rc = ng__oom();
            goto out;
        }
        c->line_cap = CHUNK;
    }

    for (;;) {
        char *nl = memchr(c->line + pos + scanned, '\n', end - pos - scanned);
        if (nl) {
            size_t n = (size_t)(nl - (c->line + pos));
            lineno++;
            if (n > NG_INGEST_LINE_MAX) {
                ng__log(c->lg, NG_LOG_WARNING, "%s:%llu: line longer than %zu bytes, skipped",
                        c->path.ptr, (unsigned long long)lineno, NG_INGEST_LINE_MAX);
                c->st.skipped++;
            } else if ((rc = one_line(c, c->line + pos, n, lineno, size, mtime_ns)) != NG_OK) {
                goto out;
            }
            pos += n + 1;
            scanned = 0;
            continue;
        }
        scanned = end - pos;
        if (eof) {
            if (lineno == 0 && end == 0 && total == 0) {
                ng__log(c->lg, NG_LOG_WARNING, "%s: empty file", c->path.ptr);
                c->st.skipped++;
            } else if (end > pos) {
                lineno++;
                rc = one_line(c, c->line + pos, end - pos, lineno, size, mtime_ns);
            }
            goto out;
        }
        if (end - pos > NG_INGEST_LINE_MAX) {
            /* too long: drop what we have and everything up to the next
            ** newline without keeping it */
            lineno++;
            ng__log(c->lg, NG_LOG_WARNING, "%s:%llu: line longer than %zu bytes, skipped",
                    c->path.ptr, (unsigned long long)lineno, NG_INGEST_LINE_MAX);
            c->st.skipped++;
            pos = end = scanned = 0;
            for (;;) {
                got = jread(&r, c->line, c->line_cap, &why, &err);
                if (got <= 0) break;
                c->st.bytes += (uint64_t)got;
                nl = memchr(c->line, '\n', (size_t)got);
                if (nl) {
                    pos = (size_t)(nl - c->line) + 1;
                    end = (size_t)got;
                    break;
                }
            }
            if (got == 0) goto out;
            if (got < 0) goto read_error;
            continue;
        }
        if (pos > 0) {
            memmove(c->line, c->line + pos, end - pos);
            end -= pos;
            pos = 0;
        }
        if (end == c->line_cap) {
            size_t cap = c->line_cap * 2;
            char *p;
            if (cap > NG_INGEST_LINE_MAX + CHUNK) cap = NG_INGEST_LINE_MAX + CHUNK;
            p = ng__realloc(c->line, cap);
            if (!p) {
                rc = ng__oom();
                goto out;
            }
            c->line = p;
            c->line_cap = cap;
        }
        got = jread(&r, c->line + end, c->line_cap - end, &why, &err);
        if (got < 0) goto read_error;
        if (got == 0) eof = 1;
        c->st.bytes += (uint64_t)got;
        total += (uint64_t)got;
        end += (size_t)got;
    }

read_error:
    /* a partial last line is not delivered: it was cut by the error */
    {
        char ebuf[128];
        const char *msg = why;
        if (err) {
            snprintf(ebuf, sizeof ebuf, "%s", strerror(err));
            if (ebuf[0] >= 'A' && ebuf[0] <= 'Z' && !(ebuf[1] >= 'A' && ebuf[1] <= 'Z'))
                ebuf[0] = (char)(ebuf[0] - 'A' + 'a');
            msg = ebuf;
        }
        ng__log(c->lg, NG_LOG_WARNING, "%s:%llu: %s%s, rest of file skipped", c->path.ptr,
                (unsigned long long)(lineno + 1), gz && !err ? "corrupt gzip data: " : "read error: ",
                msg ? msg : "unknown error");
        c->st.skipped++;
    }

out:
    if (r.gz) gzclose_r(r.gz);
    else close(fd);
    /* do not keep a huge buffer after one long line */
    if (c->line_cap > 8 * CHUNK) {
        ng__free(c->line);
        c->line = NULL;
        c->line_cap = 0;
    }
    return rc;
}
