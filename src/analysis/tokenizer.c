/*
** tokenizer.c -- the analyzer object and the tokenizer (segmentation, the
** token rules of analysis.h, flags, stemming).
**
** Speed: one pass over the text; ASCII bytes are classified and folded by a
** table lookup without decoding; other code points go through a per-analyzer
** cache of ng_analysis__fold_cp() (direct-mapped below U+0800, hashed above),
** so utf8proc runs once per distinct character.  The word is built in a
** stack buffer of NG_MAX_TERM_BYTES and the stemmer reuses its own buffer:
** nothing is allocated per token.  An analyzer belongs to one thread, so
** the caches need no locks.
*/
#include <ctype.h>

#include "ng_int.h"

#define FOLD_LO 0x800        /* direct-mapped code points */
#define FOLD_HI_SLOTS 4096   /* hashed cache for the others; power of two */
#define FOLD_INLINE 10       /* folds longer than this are recomputed on use */

enum { ENT_EMPTY = 0, ENT_CACHED = 1, ENT_LONG = 2 };

typedef struct fold_ent {
    uint32_t cp;      /* key (hashed part only) */
    uint16_t cls;     /* NG_CC_* */
    uint8_t len;      /* bytes of s */
    uint8_t state;    /* ENT_* */
    char s[FOLD_INLINE];
} fold_ent;

struct ng_analyzer {
    ng_stemmer *stem; /* NULL: no stemming */
    char lang[32];
    char longbuf[NG_FOLD_MAX];
    fold_ent lo[FOLD_LO];
    fold_ent hi[FOLD_HI_SLOTS];
    char letter[256]; /* byte -> its one-byte fold if an ASCII letter, else 0 */
};

/* One decoded character: class, folding, size in the text. */
typedef struct chr {
    uint32_t cp;
    unsigned cls;
    const char *f;
    size_t flen;
    size_t n;
} chr;

static void fill(ng_analyzer *a, fold_ent *e, uint32_t cp, chr *c)
{
    size_t len;
    unsigned cls = ng_analysis__fold_cp(cp, a->longbuf, &len);
    e->cp = cp;
    e->cls = (uint16_t)cls;
    c->cls = cls;
    c->flen = len;
    if (len <= FOLD_INLINE) {
        memcpy(e->s, a->longbuf, len);
        e->len = (uint8_t)len;
        e->state = ENT_CACHED;
        c->f = e->s;
    } else {
        e->len = 0;
        e->state = ENT_LONG;
        c->f = a->longbuf;
    }
}

static inline void get_chr(ng_analyzer *a, const char *t, size_t len, size_t i, chr *c)
{
    unsigned char b = (unsigned char)t[i];
    fold_ent *e;
    if (NG_LIKELY(b < 0x80)) {
        e = &a->lo[b]; /* filled at creation */
        c->cp = b;
        c->cls = e->cls;
        c->f = e->s;
        c->flen = e->len;
        c->n = 1;
        return;
    }
    c->n = ng__utf8_decode(t + i, len - i, &c->cp);
    if (c->cp == NG_UTF8_BAD) {
        c->cls = 0;
        c->f = "";
        c->flen = 0;
        return;
    }
    if (c->cp < FOLD_LO) {
        e = &a->lo[c->cp];
        if (e->state != ENT_CACHED) { fill(a, e, c->cp, c); return; }
    } else {
        e = &a->hi[(c->cp * 2654435761u) >> 20 & (FOLD_HI_SLOTS - 1)];
        if (e->state != ENT_CACHED || e->cp != c->cp) { fill(a, e, c->cp, c); return; }
    }
    c->cls = e->cls;
    c->f = e->s;
    c->flen = e->len;
}

static size_t char_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Append f[0..fl) to the word, cutting at a character boundary. */
static inline void wput(char *w, size_t *wl, int *cut, const char *f, size_t fl)
{
    size_t j, cl;
    if (*cut) return;
    if (NG_LIKELY(*wl + fl <= NG_MAX_TERM_BYTES)) {
        memcpy(w + *wl, f, fl);
        *wl += fl;
        return;
    }
    for (j = 0; j < fl; j += cl) {
        cl = char_len((unsigned char)f[j]);
        if (*wl + cl > NG_MAX_TERM_BYTES) break;
        memcpy(w + *wl, f + j, cl);
        *wl += cl;
    }
    *cut = 1;
}

int ng_analyzer__new(ng_analyzer **out, const char *lang)
{
    ng_analyzer *a;
    size_t n, i;
    int rc;

    *out = NULL;
    if (!lang) lang = "english";
    n = strlen(lang);
    if (n == 0 || n >= sizeof a->lang)
        return ng__err(NG_EINVAL, "invalid stemming language '%.40s' (use 'none' or a snowball "
                       "language listed by ng__stem_languages(), e.g. english)", lang);
    a = ng__calloc(1, sizeof *a);
    if (!a) return ng__oom();
    for (i = 0; i < n; i++) a->lang[i] = (char)tolower((unsigned char)lang[i]);
    if (strcmp(a->lang, "none") != 0) {
        rc = ng_analysis__stemmer_new(&a->stem, a->lang);
        if (rc) {
            ng__free(a);
            return rc;
        }
    }
    for (i = 0; i < 0x80; i++) { /* the ASCII fast path reads these unchecked */
        chr c;
        fill(a, &a->lo[i], (uint32_t)i, &c);
        if ((a->lo[i].cls & NG_CC_LETTER) && a->lo[i].len == 1) a->letter[i] = a->lo[i].s[0];
    }
    *out = a;
    return NG_OK;
}

void ng_analyzer__free(ng_analyzer *a)
{
    if (!a) return;
    ng_analysis__stemmer_free(a->stem);
    ng__free(a);
}

const char *ng_analyzer__lang(const ng_analyzer *a)
{
    return a->lang;
}

void ng_analyzer__no_stem_cache(ng_analyzer *a)
{
    if (a->stem) ng_analysis__stem_no_cache(a->stem);
}

/* The indexed term of a folded word: its stem (numbers are not stemmed),
** cut to NG_MAX_TERM_BYTES on a character boundary; NULL on out of memory. */
static const char *term_of(ng_analyzer *a, const char *w, size_t wl, unsigned flags, size_t *tl)
{
    size_t sl, j, cl;
    const char *s;
    *tl = wl;
    if (!a->stem || (flags & NG_TOK_NUMBER)) return w;
    if (!(s = ng_analysis__stem(a->stem, w, wl, &sl))) return NULL;
    if (sl > NG_MAX_TERM_BYTES) { /* cannot happen with Snowball; stay safe */
        for (j = 0; j < sl; j += cl) {
            cl = char_len((unsigned char)s[j]);
            if (j + cl > NG_MAX_TERM_BYTES) break;
        }
        sl = j;
    }
    *tl = sl;
    return s;
}

const char *ng__token_term(ng_analyzer *a, const ng_token *t, size_t *len)
{
    if (t->term) {
        *len = t->term_len;
        return t->term;
    }
    return term_of(a, t->word, t->word_len, t->flags, len);
}

static int analyze(ng_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                   ng_token_fn fn, void *payload, uint32_t *n_tokens_out, int stem)
{
    char w[NG_MAX_TERM_BYTES + 1];
    size_t i = 0;
    uint32_t pos = first_pos, count = 0;
    int sent = 1;      /* next token starts a sentence */
    int acro_prev = 0; /* previous token was an acronym ending with "." */
    int nl = 0;        /* newlines since the last visible character */
    int rc = 0;
    chr c, d;

    while (i < len) {
        size_t start, end, wl = 0;
        unsigned first_cls, nletters = 0, nother = 0, flags = 0;
        int cut = 0, all_digit = 1, prev_alpha = 0, acro_dot = 0;
        ng_token tok;

        get_chr(a, text, len, i, &c);
        if (!(c.cls & NG_CC_WORD)) { /* separator */
            if (c.cls & NG_CC_NL) {
                if (++nl >= 2) sent = 1;
            } else if (c.cls & NG_CC_PARA) {
                sent = 1;
            } else if (!(c.cls & NG_CC_SPACE)) {
                nl = 0;
                if (c.cls & NG_CC_TERM) {
                    if (i + c.n >= len) {
                        sent = 1;
                    } else {
                        get_chr(a, text, len, i + c.n, &d);
                        if (!(d.cls & NG_CC_WORD)) sent = 1;
                    }
                }
            }
            i += c.n;
            continue;
        }

        /* A word: letters, marks, digits, plus the joiners of the rules. */
        nl = 0;
        start = i;
        first_cls = c.cls;
        for (;;) {
            if (c.cp < 0x80 && a->letter[c.cp]) {
                /* a run of ASCII letters, most of any English text: one
                ** table load a letter instead of a whole get_chr() */
                size_t k = i, room = cut ? 0 : NG_MAX_TERM_BYTES - wl;
                char f;
                while (k < len && (f = a->letter[(unsigned char)text[k]]) != 0) {
                    if (room) {
                        w[wl++] = f;
                        room--;
                    } else {
                        cut = 1; /* as wput(): the word goes on, its bytes not */
                    }
                    k++;
                }
                nletters += (unsigned)(k - i);
                prev_alpha = 1;
                all_digit = 0;
                i = k;
                if (i >= len) break;
                get_chr(a, text, len, i, &c);
                continue;
            }
            if (c.cls & NG_CC_WORD) {
                if (c.flen == 1 && wl < NG_MAX_TERM_BYTES && !cut) w[wl++] = c.f[0];
                else wput(w, &wl, &cut, c.f, c.flen);
                if (c.cls & NG_CC_LETTER) {
                    prev_alpha = 1; nletters++; all_digit = 0;
                } else if (c.cls & NG_CC_DIGIT) {
                    prev_alpha = 0; nother++;
                } else if (c.cls & NG_CC_MARK) {
                    all_digit = 0; /* prev_alpha unchanged: a mark extends its letter */
                } else {
                    prev_alpha = 0; nother++; all_digit = 0;
                }
                i += c.n;
            } else if (c.cls & (NG_CC_APOS | NG_CC_JOIN | NG_CC_TERM) || c.cp == ',') {
                /* Joins only if followed by the right kind of character. */
                unsigned need;
                if (c.cls & NG_CC_APOS) need = prev_alpha ? NG_CC_LETTER : 0;
                else if (c.cls & NG_CC_JOIN) need = NG_CC_WORD;
                else need = (all_digit && (c.cp == ',' || c.cp == '.')) ? NG_CC_DIGIT : 0;
                if (!need || i + c.n >= len) break;
                get_chr(a, text, len, i + c.n, &d);
                if (!(d.cls & need)) break;
                if (c.cls & NG_CC_APOS) {
                    wput(w, &wl, &cut, "'", 1);
                    prev_alpha = 0;
                }
                i += c.n;
                c = d;
                continue;
            } else {
                break;
            }
            if (i >= len) break;
            get_chr(a, text, len, i, &c);
        }
        end = i;

        /* Dotted acronym: one letter, ".", one letter, ... ("U.S.", "e.g."). */
        if (nletters == 1 && nother == 0 && i < len && text[i] == '.') {
            size_t j = i;
            int merged = 0;
            while (j + 1 < len && text[j] == '.') {
                size_t k, wl0 = wl;
                int cut0 = cut;
                get_chr(a, text, len, j + 1, &d);
                if (!(d.cls & NG_CC_LETTER)) break;
                wput(w, &wl, &cut, d.f, d.flen);
                k = j + 1 + d.n;
                while (k < len) {
                    get_chr(a, text, len, k, &d);
                    if (!(d.cls & NG_CC_MARK)) break;
                    wput(w, &wl, &cut, d.f, d.flen);
                    k += d.n;
                }
                if (k < len && (d.cls & NG_CC_WORD)) { /* "A.Smith": not an acronym */
                    wl = wl0;
                    cut = cut0;
                    break;
                }
                merged = 1;
                end = j = k;
            }
            if (merged && j < len && text[j] == '.') {
                end = j + 1;
                acro_dot = 1;
            }
            i = end;
        }

        if (wl == 0) continue; /* only stripped marks: no token, no position */
        w[wl] = '\0';
        if (first_cls & NG_CC_UPPER) flags |= NG_TOK_CAPITALIZED;
        if (all_digit) flags |= NG_TOK_NUMBER;
        if (sent || (acro_prev && (flags & NG_TOK_CAPITALIZED))) flags |= NG_TOK_SENTENCE;
        sent = 0;
        acro_prev = acro_dot;

        tok.word = w;
        tok.word_len = wl;
        tok.term = NULL; /* asked for later through ng__token_term() */
        tok.term_len = 0;
        if (stem && !(tok.term = term_of(a, w, wl, flags, &tok.term_len))) {
            rc = NG_ENOMEM;
            break;
        }
        tok.pos = pos;
        tok.start = start;
        tok.end = end;
        tok.flags = flags;
        pos++;
        count++;
        rc = fn(payload, &tok);
        if (rc) break;
    }
    if (n_tokens_out) *n_tokens_out = count;
    return rc;
}

int ng__analyze(ng_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                ng_token_fn fn, void *payload, uint32_t *n_tokens_out)
{
    return analyze(a, text, len, first_pos, fn, payload, n_tokens_out, 1);
}

int ng__analyze_words(ng_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                      ng_token_fn fn, void *payload, uint32_t *n_tokens_out)
{
    return analyze(a, text, len, first_pos, fn, payload, n_tokens_out, 0);
}
