/*
** fold.c -- character classes and folding of one code point.
**
** fold(c) = compatibility decomposition (NFKD) and full case folding by
** utf8proc, then: diacritic marks dropped, letters Unicode does not
** decompose replaced (l-stroke -> l, ...), anything that is not a letter,
** digit or kept mark dropped, and the rest recomposed canonically (so that
** Hangul syllables come back whole).  Cyrillic letters are only case folded.
** This is slow (a few hundred ns); the tokenizer caches it per analyzer.
*/
#include <utf8proc.h>

#include "ng_int.h"

#define FOLD_MAX_CPS 32 /* the longest NFKD of one code point is 18 */

/* Letters without a Unicode decomposition, folded as their base letters.
** Keyed by the case-folded (lowercase) form. */
static const char *fold_special(uint32_t c)
{
    switch (c) {
    case 0x00E6: return "ae"; /* æ */
    case 0x00F0: return "d";  /* ð eth */
    case 0x00F8: return "o";  /* ø */
    case 0x00FE: return "th"; /* þ thorn */
    case 0x0111: return "d";  /* đ */
    case 0x0127: return "h";  /* ħ */
    case 0x0131: return "i";  /* ı dotless i */
    case 0x0142: return "l";  /* ł */
    case 0x0153: return "oe"; /* œ */
    case 0x0167: return "t";  /* ŧ */
    case 0x0180: return "b";  /* ƀ */
    case 0x0188: return "c";  /* ƈ */
    case 0x0192: return "f";  /* ƒ */
    case 0x019A: return "l";  /* ƚ */
    case 0x01B6: return "z";  /* ƶ */
    case 0x01E5: return "g";  /* ǥ */
    case 0x023C: return "c";  /* ȼ */
    case 0x0247: return "e";  /* ɇ */
    case 0x0249: return "j";  /* ɉ */
    case 0x024D: return "r";  /* ɍ */
    case 0x024F: return "y";  /* ɏ */
    case 0x0268: return "i";  /* ɨ */
    case 0x0289: return "u";  /* ʉ */
    case 0x1D7D: return "p";  /* ᵽ */
    default: return NULL;
    }
}

static int is_diacritic_block(uint32_t c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

/* A mark that folding removes (see the contract in analysis.h). */
static int is_stripped_mark(uint32_t c, utf8proc_category_t cat)
{
    int ccc;
    if (cat == UTF8PROC_CATEGORY_ME) return 1;
    if (cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC) return 0;
    if (is_diacritic_block(c)) return 1;
    ccc = utf8proc_get_property((utf8proc_int32_t)c)->combining_class;
    return ccc != 0 && ccc != 9;
}

static unsigned classify(uint32_t c, utf8proc_category_t cat)
{
    switch (c) {
    case '\'': case 0x2018: case 0x2019: case 0x02BC:
        return NG_CC_APOS;
    case '.': case '!': case '?': case 0x2026: case 0x203C: case 0x2047: case 0x2048:
    case 0x2049: case 0x3002: case 0xFF01: case 0xFF0E: case 0xFF1F: case 0xFF61:
    case 0x061F: case 0x06D4: case 0x0964: case 0x0965:
        return NG_CC_TERM;
    case '\n': case 0x0085: case 0x2028:
        return NG_CC_NL;
    case 0x2029:
        return NG_CC_PARA;
    case ' ': case '\t': case '\r': case '\v': case '\f':
        return NG_CC_SPACE;
    case 0x00AD: case 0x200C: case 0x200D: case 0x2060:
        return NG_CC_JOIN;
    default:
        break;
    }
    switch (cat) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT:
        return NG_CC_WORD | NG_CC_LETTER | NG_CC_UPPER;
    case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        return NG_CC_WORD | NG_CC_LETTER;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return NG_CC_WORD | NG_CC_MARK;
    case UTF8PROC_CATEGORY_ND:
        return NG_CC_WORD | NG_CC_DIGIT;
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return NG_CC_WORD;
    case UTF8PROC_CATEGORY_ZS:
        return NG_CC_SPACE;
    default:
        return 0;
    }
}

unsigned ng_analysis__fold_cp(uint32_t cp, char *out, size_t *outlen)
{
    utf8proc_int32_t buf[FOLD_MAX_CPS], kept[FOLD_MAX_CPS * 2];
    utf8proc_ssize_t n, i, k = 0;
    utf8proc_category_t cat;
    unsigned cls;
    size_t o = 0;
    int bc = 0, nonascii = 0;

    *outlen = 0;
    if (cp > 0x10FFFF) return 0; /* NG_UTF8_BAD */
    if (cp < 0x80) { /* ASCII: no utf8proc */
        unsigned c = cp;
        if (c >= 'A' && c <= 'Z') { out[0] = (char)(c + 32); *outlen = 1; return NG_CC_WORD | NG_CC_LETTER | NG_CC_UPPER; }
        if (c >= 'a' && c <= 'z') { out[0] = (char)c; *outlen = 1; return NG_CC_WORD | NG_CC_LETTER; }
        if (c >= '0' && c <= '9') { out[0] = (char)c; *outlen = 1; return NG_CC_WORD | NG_CC_DIGIT; }
        return classify(cp, UTF8PROC_CATEGORY_PO);
    }
    cat = utf8proc_category((utf8proc_int32_t)cp);
    cls = classify(cp, cat);
    if (!(cls & NG_CC_WORD)) return cls;

    if (cp >= 0x0400 && cp <= 0x052F) { /* Cyrillic: case only, keep й ї ў ... */
        n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, FOLD_MAX_CPS, UTF8PROC_CASEFOLD, &bc);
        if (n < 1 || n > FOLD_MAX_CPS) { buf[0] = (utf8proc_int32_t)cp; n = 1; }
        for (i = 0; i < n; i++) {
            uint32_t c = (uint32_t)buf[i];
            if (c == 0x0451) c = 0x0435; /* ё -> е */
            o += ng__utf8_encode(out + o, c);
        }
        *outlen = o;
        return cls;
    }

    n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, FOLD_MAX_CPS,
                                UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD, &bc);
    if (n < 1 || n > FOLD_MAX_CPS) { buf[0] = (utf8proc_int32_t)cp; n = 1; }
    for (i = 0; i < n; i++) {
        uint32_t c = (uint32_t)buf[i];
        const char *rep = fold_special(c);
        utf8proc_category_t ccat;
        if (rep) {
            while (*rep) kept[k++] = (unsigned char)*rep++;
            continue;
        }
        ccat = utf8proc_category(buf[i]);
        if (is_stripped_mark(c, ccat)) continue;
        if (!(classify(c, ccat) & NG_CC_WORD)) continue; /* e.g. the fraction slash of ½ */
        if (c >= 0x80) nonascii = 1;
        kept[k++] = buf[i];
    }
    if (k > 1 && nonascii) {
        n = utf8proc_normalize_utf32(kept, k, UTF8PROC_COMPOSE);
        if (n >= 0) k = n;
    }
    for (i = 0; i < k && o + 4 <= NG_FOLD_MAX; i++) o += ng__utf8_encode(out + o, (uint32_t)kept[i]);
    *outlen = o;
    return cls;
}

/* Length of the UTF-8 character starting with lead byte c (1 for a bad one). */
static size_t char_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

size_t ng__fold_word(char *out, size_t cap, const char *word, size_t len)
{
    char f[NG_FOLD_MAX];
    size_t i = 0, o = 0, flen, n, j;
    int prev_alpha = 0, full = 0;
    uint32_t cp;

    if (cap == 0) return 0;
    while (i < len && !full) {
        unsigned cls;
        n = ng__utf8_decode(word + i, len - i, &cp);
        cls = ng_analysis__fold_cp(cp, f, &flen);
        if (cls & NG_CC_WORD) {
            if (cls & NG_CC_LETTER) prev_alpha = 1;
            else if (!(cls & NG_CC_MARK)) prev_alpha = 0;
        } else if ((cls & NG_CC_APOS) && prev_alpha && i + n < len) {
            uint32_t next;
            ng__utf8_decode(word + i + n, len - i - n, &next);
            prev_alpha = 0;
            if (ng_analysis__fold_cp(next, f, &flen) & NG_CC_LETTER) {
                f[0] = '\'';
                flen = 1;
            } else {
                flen = 0;
            }
        } else {
            prev_alpha = 0;
            flen = 0;
        }
        for (j = 0; j < flen;) { /* append whole characters while they fit */
            size_t cl = char_len((unsigned char)f[j]);
            if (o + cl > cap - 1) { full = 1; break; }
            memcpy(out + o, f + j, cl);
            o += cl;
            j += cl;
        }
        i += n;
    }
    out[o] = '\0';
    return o;
}
