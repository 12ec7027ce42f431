/*
** utf8.c -- strict UTF-8 decoding and encoding.
**
** The decoder follows the well-formed byte sequences of Unicode 15, table 3-7:
** the second byte's range depends on the lead byte, which rules out overlong
** forms, surrogates and code points above U+10FFFF in one check.  Anything
** else costs one byte and yields NG_UTF8_BAD, which the tokenizer treats as
** a separator.
*/
#include "ng_int.h"

size_t ng__utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF; /* valid range of the second byte */
    size_t need, i;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2) goto bad; /* continuation byte or overlong C0/C1 */
    if (c < 0xE0) {
        need = 1; v = c & 0x1F;
    } else if (c < 0xF0) {
        need = 2; v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        else if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c < 0xF5) {
        need = 3; v = c & 0x07;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        goto bad;
    }
    if (len <= need) goto bad; /* truncated */
    if (s[1] < lo || s[1] > hi) goto bad;
    v = v << 6 | (s[1] & 0x3Fu);
    for (i = 2; i <= need; i++) {
        if ((s[i] & 0xC0u) != 0x80u) goto bad;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    *cp = v;
    return need + 1;
bad:
    *cp = NG_UTF8_BAD;
    return 1;
}

size_t ng__utf8_encode(char *out, uint32_t cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        o[0] = (unsigned char)(0xF0 | cp >> 18);
        o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}
