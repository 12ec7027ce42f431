/*
** lexer.c -- the query lexer: bytes in, tokens out.
**
** The lexer only recognises the few characters that have a meaning in the
** query language (whitespace, parentheses, quotes, a leading '-', and the
** uppercase words AND OR NOT NEAR, NEAR/k).  Suffixes and prefixes of words
** (* ~ ^ title: date:) are the parser's business.  Every other byte, valid UTF-8 or not, is part
** of a word and left for the analyzer to judge, so that "F-16", "U.S.",
** "O'Brien" or "38.101" reach it whole.
*/
#include "ng_int.h"

/* Length of the whitespace character at s[i], or 0 if there is none. */
static size_t space_len(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (c < 0xC2) return 0;
    if (c == 0xC2) return i + 1 < n && (s[i + 1] == 0x85 || s[i + 1] == 0xA0) ? 2 : 0;
    if (i + 2 >= n) return 0;
    if (c == 0xE1) return s[i + 1] == 0x9A && s[i + 2] == 0x80 ? 3 : 0; /* U+1680 */
    if (c == 0xE2) {
        if (s[i + 1] == 0x80) {
            unsigned char d = s[i + 2];
            /* U+2000..U+200B, U+2028, U+2029, U+202F */
            return (d >= 0x80 && d <= 0x8B) || d == 0xA8 || d == 0xA9 || d == 0xAF ? 3 : 0;
        }
        return s[i + 1] == 0x81 && s[i + 2] == 0x9F ? 3 : 0; /* U+205F */
    }
    if (c == 0xE3) return s[i + 1] == 0x80 && s[i + 2] == 0x80 ? 3 : 0;  /* U+3000 */
    if (c == 0xEF) return s[i + 1] == 0xBB && s[i + 2] == 0xBF ? 3 : 0;  /* U+FEFF */
    return 0;
}

/* Length of the phrase delimiter at s[i]: '"', U+201C, U+201D, U+201E. */
static size_t quote_len(const unsigned char *s, size_t i, size_t n)
{
    if (s[i] == '"') return 1;
    if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] >= 0x9C && s[i + 2] <= 0x9E) return 3;
    return 0;
}

/* Nonzero if s[i] starts a dash: '-', U+2010..U+2015, U+2212. */
static int is_dash(const unsigned char *s, size_t i, size_t n)
{
    if (s[i] == '-') return 1;
    if (s[i] != 0xE2 || i + 2 >= n) return 0;
    if (s[i + 1] == 0x80) return s[i + 2] >= 0x90 && s[i + 2] <= 0x95;
    return s[i + 1] == 0x88 && s[i + 2] == 0x92;
}

/* Nonzero if s[i] ends a word. */
static int word_end(const unsigned char *s, size_t i, size_t n)
{
    return i >= n || s[i] == '(' || s[i] == ')' || space_len(s, i, n) || quote_len(s, i, n);
}

void ng_qlex__init(ng_qlexer *lx, const char *text, size_t len)
{
    lx->text = text;
    lx->len = len;
    lx->pos = 0;
    lx->boundary = 1;
    lx->literal = 0;
}

static int is_op(const char *w, size_t n, const char *op)
{
    return n == strlen(op) && memcmp(w, op, n) == 0;
}

int ng_qlex__next(ng_qlexer *lx, ng_qtok *tok)
{
    const unsigned char *s = (const unsigned char *)lx->text;
    size_t n = lx->len, i = lx->pos, k;
    int boundary = lx->boundary, literal = lx->literal;

    lx->boundary = 0;
    lx->literal = 0;
    while (i < n && (k = space_len(s, i, n)) != 0) {
        i += k;
        boundary = 1;
    }
    tok->start = tok->text_start = i;
    if (i >= n) {
        tok->kind = NG_QT_EOF;
        tok->end = tok->text_end = n;
        lx->pos = n;
        return NG_OK;
    }
    if (s[i] == '(' || s[i] == ')') {
        tok->kind = s[i] == '(' ? NG_QT_LPAREN : NG_QT_RPAREN;
        tok->end = tok->text_end = i + 1;
        lx->pos = i + 1;
        lx->boundary = s[i] == '(';
        return NG_OK;
    }
    if ((k = quote_len(s, i, n)) != 0) {
        size_t j = i + k, q = 0;
        while (j < n && (q = quote_len(s, j, n)) == 0) j++;
        if (j >= n)
            return ng__err_at(NG_EQUERY, i, "query: unclosed '%.*s' at %zu", (int)k, lx->text + i, i);
        tok->kind = NG_QT_PHRASE;
        tok->text_start = i + k;
        tok->text_end = j;
        tok->end = j + q;
        lx->pos = j + q;
        return NG_OK;
    }
    if (s[i] == '-' && boundary && !literal && i + 1 < n && !space_len(s, i + 1, n) &&
        s[i + 1] != ')' && !is_dash(s, i + 1, n)) {
        tok->kind = NG_QT_MINUS;
        tok->end = tok->text_end = i + 1;
        lx->pos = i + 1;
        lx->literal = 1;
        return NG_OK;
    }
    k = i;
    while (!word_end(s, k, n)) k++;
    tok->end = tok->text_end = k;
    lx->pos = k;
    tok->kind = NG_QT_WORD;
    if (!literal) {
        const char *w = lx->text + i;
        if (is_op(w, k - i, "AND")) tok->kind = NG_QT_AND;
        else if (is_op(w, k - i, "OR")) tok->kind = NG_QT_OR;
        else if (is_op(w, k - i, "NOT")) tok->kind = NG_QT_NOT;
        else if (is_op(w, k - i, "NEAR") || (k - i > 4 && memcmp(w, "NEAR/", 5) == 0)) tok->kind = NG_QT_NEAR;
    }
    return NG_OK;
}
