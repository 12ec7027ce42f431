/*
** textfile.c -- one article per text file: binary sniffing, title from the
** first non-blank line, date from a leading YYYY-MM-DD of the file name.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* st_mtim, strcasecmp, O_CLOEXEC under -std=c11 */
#endif
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "ng_int.h"

/* Length of the valid UTF-8 sequence at p (n bytes available), 0 if the
** bytes there are invalid, -1 if a valid prefix is cut by the end. */
static int utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len, i;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        else if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    for (i = 1; i < len; i++) {
        if (i >= n) return -1;
        if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF)) return 0;
    }
    return (int)len;
}

int ng_ingest__looks_binary(const char *text, size_t n, int at_eof)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, bad = 0;
    if (n > NG_INGEST_SNIFF) {
        n = NG_INGEST_SNIFF;
        at_eof = 0;
    }
    if (memchr(p, 0, n)) return 1;
    while (i < n) {
        int k = utf8_seq(p + i, n - i);
        if (k < 0) {
            if (!at_eof) break; /* cut by the sample, not by the file */
            k = 0;
        }
        if (k == 0) {
            bad++;
            i++;
            continue;
        }
        /* C0 controls other than whitespace, backspace and escape are
        ** rare in text */
        if (k == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' &&
            p[i] != '\f' && p[i] != '\v' && p[i] != '\b' && p[i] != 0x1B)
            bad++;
        i += (size_t)k;
    }
    /* "mostly": more than 30% of the bytes are suspicious (Latin-1 prose
    ** stays far below; random data is far above) */
    return n > 0 && bad * 10 > n * 3;
}

size_t ng_ingest__utf8_cut(const char *text, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t m, back = 0;
    if (n <= max) return n;
    m = max;
    /* p[m] exists (m < n); back off while it continues a sequence, at most
    ** 3 bytes (longer runs are invalid UTF-8 anyway) */
    while (m > 0 && back < 3 && (p[m] & 0xC0) == 0x80) {
        m--;
        back++;
    }
    if ((p[m] & 0xC0) == 0x80) m = max; /* not a sequence boundary anywhere near */
    return m;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

void ng_ingest__title(const char *text, size_t n, const char **title, size_t *title_len)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + n;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (p < end) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        const unsigned char *e = nl ? nl : end;
        while (p < e && is_space(*p)) p++;
        while (e > p && is_space(e[-1])) e--;
        if (e > p) {
            size_t len = ng_ingest__utf8_cut((const char *)p, (size_t)(e - p), NG_INGEST_TITLE_MAX);
            while (len > 0 && is_space(p[len - 1])) len--;
            *title = (const char *)p;
            *title_len = len;
            return;
        }
        if (!nl) break;
        p = nl + 1;
    }
    *title = "";
    *title_len = 0;
}

static int digits(const char *s, int n, int *v)
{
    int i;
    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

size_t ng_ingest__name_date(const char *base, char out[11])
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, dim;
    size_t i;
    for (i = 0; i < 10; i++)
        if (!base[i]) return 0;
    if (!digits(base, 4, &y) || base[4] != '-' || !digits(base + 5, 2, &m) || base[7] != '-' ||
        !digits(base + 8, 2, &d))
        return 0;
    if (base[10] >= '0' && base[10] <= '9') return 0; /* "2024-01-015" */
    if (m < 1 || m > 12 || d < 1) return 0;
    dim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) dim = 29;
    if (d > dim) return 0;
    memcpy(out, base, 10);
    out[10] = '\0';
    return 10;
}

static void lower_strerror(char *buf, size_t n, int err)
{
    snprintf(buf, n, "%s", strerror(err));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
}

int ng_ingest__text_file(ng_ingest_ctx *c, int fd, uint64_t size, int64_t mtime_ns)
{
    ng_buf *b = &c->text;
    const char *path = c->path.ptr;
    size_t want = NG_INGEST_TEXT_MAX + 1; /* one more byte tells "larger" */
    size_t body_len;
    int rc = NG_OK, eof = 0, checked = 0;
    const char *slash, *base;
    char date[11];
    ng_source_doc sd;

    ng__buf_clear(b);
    if ((rc = ng__buf_grow(b, size < want ? (size_t)size + 1 : want)) != NG_OK) goto out;
    while (b->size < want) {
        ssize_t got;
        size_t room = want - b->size;
        if (room > ((size_t)1 << 20)) room = (size_t)1 << 20;
        if ((rc = ng__buf_grow(b, room)) != NG_OK) goto out;
        got = read(fd, b->ptr + b->size, room);
        if (got < 0) {
            char ebuf[128];
            if (errno == EINTR) continue;
            lower_strerror(ebuf, sizeof ebuf, errno);
            ng__log(c->lg, NG_LOG_WARNING, "%s: read error: %s, skipped", path, ebuf);
            c->st.skipped++;
            goto out;
        }
        if (got == 0) {
            eof = 1;
            break;
        }
        b->size += (size_t)got;
        c->st.bytes += (uint64_t)got;
        if (!checked && b->size >= NG_INGEST_SNIFF) {
            checked = 1;
            if (ng_ingest__looks_binary(b->ptr, b->size, 0)) break;
        }
    }
    if (b->size == 0) {
        ng__log(c->lg, NG_LOG_WARNING, "%s: empty file", path);
        c->st.skipped++;
        goto out;
    }
    if (ng_ingest__looks_binary(b->ptr, b->size, eof)) {
        ng__log(c->lg, NG_LOG_WARNING, "%s: binary file skipped", path);
        c->st.skipped++;
        goto out;
    }
    body_len = b->size;
    if (!eof && b->size > NG_INGEST_TEXT_MAX) {
        body_len = ng_ingest__utf8_cut(b->ptr, b->size, NG_INGEST_TEXT_MAX);
        ng__log(c->lg, NG_LOG_WARNING, "%s: larger than %zu bytes, truncated", path,
                NG_INGEST_TEXT_MAX);
    }
    b->ptr[body_len] = '\0';

    memset(&sd, 0, sizeof sd);
    sd.doc.id = path;
    sd.doc.id_len = c->path.size;
    ng_ingest__title(b->ptr, body_len, &sd.doc.title, &sd.doc.title_len);
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    sd.doc.date_len = ng_ingest__name_date(base, date);
    sd.doc.date = sd.doc.date_len ? date : "";
    sd.doc.url = "";
    sd.doc.url_len = 0;
    sd.doc.body = b->ptr;
    sd.doc.body_len = body_len;
    sd.path = path;
    sd.line = 0;
    sd.size = size;
    sd.mtime_ns = mtime_ns;
    c->st.docs++;
    rc = c->fn(c->payload, &sd);

out:
    close(fd);
    if (b->asize > ((size_t)16 << 20)) ng_buf_dispose(b); /* keep no huge buffer */
    return rc;
}
