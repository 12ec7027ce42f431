/*
** highlight.c -- the text of a snippet: normalise the window's bytes into
** printable UTF-8 and map highlight ranges from source to output offsets.
**
** The text is scanned once.  Each range boundary (source offset) is given
** the output length at the moment the scan reaches it; since boundaries lie
** on token edges, never inside a whitespace run or a UTF-8 sequence, this
** is exact, and the mapping is monotone so sorted, disjoint ranges stay so.
*/
#include "ng_int.h"

#define NG_U8_BAD 0xFFFFFFFFu

static const char ng_ellipsis[] = "\xE2\x80\xA6";  /* U+2026 */
static const char ng_replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Decode one character of s[0..n), n >= 1.  Returns the bytes consumed;
** *cp is the code point, or NG_U8_BAD for an ill-formed sequence, in which
** case the length is that of its maximal well-formed prefix (at least 1),
** as Unicode recommends for U+FFFD substitution. */
static size_t ng_u8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned b = s[0];
    size_t need, i;
    unsigned lo = 0x80, hi = 0xBF;
    uint32_t c;
    if (b < 0x80) { *cp = b; return 1; }
    if (b >= 0xC2 && b <= 0xDF) { need = 1; c = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) {
        need = 2; c = b & 0x0F;
        if (b == 0xE0) lo = 0xA0;      /* no overlong forms */
        else if (b == 0xED) hi = 0x9F; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3; c = b & 0x07;
        if (b == 0xF0) lo = 0x90;
        else if (b == 0xF4) hi = 0x8F; /* <= U+10FFFF */
    } else { *cp = NG_U8_BAD; return 1; }
    for (i = 1; i <= need; i++) {
        unsigned t;
        if (i >= n) { *cp = NG_U8_BAD; return i; }
        t = s[i];
        if (t < lo || t > hi) { *cp = NG_U8_BAD; return i; }
        lo = 0x80; hi = 0xBF;
        c = c << 6 | (t & 0x3F);
    }
    *cp = c;
    return need + 1;
}

/* Characters shown as (collapsible) space: whitespace, C0 and C1 controls,
** DEL, and the invisible bidi embedding/override/isolate controls, which
** could otherwise reorder what a terminal shows after the snippet. */
static int ng_is_blank(uint32_t c)
{
    if (c <= 0x20 || (c >= 0x7F && c <= 0xA0)) return 1;
    if (c < 0x1680) return 0;
    return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202A && c <= 0x202F) || c == 0x205F || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x3000;
}

/* Punctuation kept when adjacent to the window's first / last word. */
static const char *const ng_open_punct[] = {
    "\"", "'", "(", "[", "{", "\xE2\x80\x9C" /* “ */, "\xE2\x80\x98" /* ‘ */,
    "\xE2\x80\x9E" /* „ */, "\xC2\xAB" /* « */, "\xE2\x80\xB9" /* ‹ */,
    "\xC2\xBF" /* ¿ */, "\xC2\xA1" /* ¡ */, NULL};
static const char *const ng_close_punct[] = {
    ".", "!", "?", "\"", "'", ")", "]", "}", "\xE2\x80\x9D" /* ” */,
    "\xE2\x80\x99" /* ’ */, "\xC2\xBB" /* » */, "\xE2\x80\xBA" /* › */,
    "\xE2\x80\xA6" /* … */, NULL};

/* Length of the punctuation mark ending at text[p] (text[lo..p)), or 0. */
static size_t ng_punct_before(const char *text, size_t lo, size_t p)
{
    size_t i, k;
    for (i = 0; ng_open_punct[i]; i++) {
        k = strlen(ng_open_punct[i]);
        if (p - lo >= k && memcmp(text + p - k, ng_open_punct[i], k) == 0) return k;
    }
    return 0;
}

/* Length of the punctuation mark starting at text[p] (text[p..hi)), or 0. */
static size_t ng_punct_after(const char *text, size_t p, size_t hi)
{
    size_t i, k;
    for (i = 0; ng_close_punct[i]; i++) {
        k = strlen(ng_close_punct[i]);
        if (hi - p >= k && memcmp(text + p, ng_close_punct[i], k) == 0) return k;
    }
    return 0;
}

int ng_snippet__render(ng_buf *out, ng_range **ranges_out, size_t *n_ranges_out,
                       const char *text, size_t len, size_t start, size_t end,
                       size_t lo, size_t hi, unsigned flags,
                       const ng_range *hl, size_t n_hl)
{
    const unsigned char *s = (const unsigned char *)text;
    ng_range *r = NULL;
    size_t c, k, pi = 0, np = 2 * n_hl;
    int rc = NG_OK, blank = 0;

    if (ranges_out) *ranges_out = NULL;
    if (n_ranges_out) *n_ranges_out = 0;
    if (!out || !ranges_out || !n_ranges_out || (!text && len) || (!hl && n_hl))
        return ng__err(NG_EINVAL, "snippet: missing argument");
    ng__buf_clear(out);
    if (!(lo <= start && start <= end && end <= hi && hi <= len))
        return ng__err(NG_EINVAL, "snippet: bad window %zu..%zu of %zu bytes", start, end, len);
    if (n_hl) {
        if (n_hl > SIZE_MAX / 2 / sizeof *r) return ng__oom();
        r = ng__malloc(n_hl * sizeof *r);
        if (!r) return ng__oom();
    }

    while (start > lo && (k = ng_punct_before(text, lo, start)) != 0) start -= k;
    while (end < hi && (k = ng_punct_after(text, end, hi)) != 0) end += k;

    ng__buf_put(&rc, out, "", 0); /* out->ptr is never NULL */
    if (flags & NG_SNIP_ELLIPSIS_BEFORE) ng__buf_put(&rc, out, ng_ellipsis, 3);
    for (c = start; c < end && rc == NG_OK; c += k) {
        uint32_t cp;
        /* Boundaries the scan has reached map to the current output size;
        ** one left behind by the scan (inside a sequence) maps here too. */
        while (pi < np && (pi & 1 ? hl[pi / 2].end : hl[pi / 2].start) <= c) {
            if (pi & 1) r[pi / 2].end = out->size; else r[pi / 2].start = out->size;
            pi++;
        }
        k = ng_u8_decode(s + c, end - c, &cp);
        if (cp == NG_U8_BAD) {
            ng__buf_put(&rc, out, ng_replacement, 3);
            blank = 0;
        } else if (ng_is_blank(cp)) {
            if (!blank) ng__buf_putc(&rc, out, ' ');
            blank = 1;
        } else {
            ng__buf_put(&rc, out, s + c, k);
            blank = 0;
        }
    }
    for (; pi < np; pi++) {
        if (pi & 1) r[pi / 2].end = out->size; else r[pi / 2].start = out->size;
    }
    if (flags & NG_SNIP_ELLIPSIS_AFTER) ng__buf_put(&rc, out, ng_ellipsis, 3);
    if (rc != NG_OK) {
        ng__free(r);
        ng__buf_clear(out);
        return rc;
    }
    *ranges_out = r;
    *n_ranges_out = n_hl;
    return NG_OK;
}
