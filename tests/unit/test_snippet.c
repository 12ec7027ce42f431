/*
** test_snippet.c -- snippets and highlights (src/snippet).
**
** Most checks are properties checked against the analyzer itself: every
** range of the output, re-analysed, must spell a query unit (or a union of
** overlapping ones); every match in the output must be highlighted; the
** output must be printable UTF-8; and the window must hold as many distinct
** units, as close together, as a brute-force oracle over all windows finds.
** The seed articles are read from $NG_TEST_SEEDS, else NG_SEEDS_DIR, else
** ../shared/seeds (relative to the repository).
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ng_int.h"
#include "ng_test.h"

#ifndef NG_SEEDS_DIR
#define NG_SEEDS_DIR "../shared/seeds"
#endif

static ng_analyzer *g_an;

static int suite_init(void) { return ng_analyzer__new(&g_an, "english") == NG_OK ? 0 : -1; }
static int suite_clean(void) { ng_analyzer__free(g_an); g_an = NULL; return 0; }

/* ---------------------------------------------------------------- */
/* Query units written as strings: "lavrov", "secretari of state".   */

#define MAXU 8
#define MAXT 8
typedef struct units {
    ng_snip_phrase p[MAXU];
    const char *t[MAXU][MAXT];
    size_t l[MAXU][MAXT];
    char buf[MAXU][128];
    size_t n;
} units;

/* Each argument is one unit, its terms separated by spaces; NULL ends. */
static void units_set(units *u, const char *const *spec)
{
    size_t i;
    memset(u, 0, sizeof *u);
    for (i = 0; spec[i] && i < MAXU; i++) {
        char *save = NULL, *w;
        size_t k = 0;
        snprintf(u->buf[i], sizeof u->buf[i], "%s", spec[i]);
        for (w = strtok_r(u->buf[i], " ", &save); w && k < MAXT; w = strtok_r(NULL, " ", &save)) {
            u->t[i][k] = w;
            u->l[i][k] = strlen(w);
            k++;
        }
        u->p[i].terms = u->t[i];
        u->p[i].lens = u->l[i];
        u->p[i].n = k;
    }
    u->n = i;
}

/* ---------------------------------------------------------------- */
/* Tokens of a text, as the analyzer sees them.                       */

typedef struct toks {
    char **term;
    size_t *start, *end;
    unsigned *flags;
    size_t n, cap;
} toks;

static int toks_cb(void *payload, const ng_token *t)
{
    toks *k = payload;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 64;
        k->term = realloc(k->term, k->cap * sizeof *k->term);
        k->start = realloc(k->start, k->cap * sizeof *k->start);
        k->end = realloc(k->end, k->cap * sizeof *k->end);
        k->flags = realloc(k->flags, k->cap * sizeof *k->flags);
        if (!k->term || !k->start || !k->end || !k->flags) abort();
    }
    k->term[k->n] = strndup(t->term, t->term_len);
    k->start[k->n] = t->start;
    k->end[k->n] = t->end;
    k->flags[k->n] = t->flags;
    k->n++;
    return 0;
}

static void toks_get(toks *k, const char *text, size_t len)
{
    memset(k, 0, sizeof *k);
    CU_ASSERT_EQUAL_FATAL(ng__analyze(g_an, text, len, 0, toks_cb, k, NULL), 0);
}

static void toks_free(toks *k)
{
    size_t i;
    for (i = 0; i < k->n; i++) free(k->term[i]);
    free(k->term); free(k->start); free(k->end); free(k->flags);
    memset(k, 0, sizeof *k);
}

/* Does unit u match at token i? */
static int unit_at(const toks *k, const units *u, size_t ui, size_t i)
{
    size_t j;
    const ng_snip_phrase *p = &u->p[ui];
    if (p->n == 0 || i + p->n > k->n) return 0;
    for (j = 0; j < p->n; j++) {
        if (strlen(k->term[i + j]) != p->lens[j] || memcmp(k->term[i + j], p->terms[j], p->lens[j]) != 0)
            return 0;
    }
    return 1;
}

/* Is unit ui the same as an earlier one (counted once)? */
static int unit_dup(const units *u, size_t ui)
{
    size_t v, j;
    for (v = 0; v < ui; v++) {
        if (u->p[v].n != u->p[ui].n) continue;
        for (j = 0; j < u->p[v].n; j++) {
            if (strcmp(u->p[v].terms[j], u->p[ui].terms[j]) != 0) break;
        }
        if (j == u->p[v].n) return 1;
    }
    return 0;
}

/* Distinct units wholly inside tokens [a,b]; *span = last end - first start
** of the matches inside (token counts). */
static size_t distinct_in(const toks *k, const units *u, size_t a, size_t b, size_t *first, size_t *last)
{
    size_t ui, i, d = 0;
    *first = SIZE_MAX; *last = 0;
    for (ui = 0; ui < u->n; ui++) {
        int seen = 0;
        if (unit_dup(u, ui)) continue;
        for (i = a; i <= b && i < k->n; i++) {
            if (i + u->p[ui].n - 1 <= b && unit_at(k, u, ui, i)) {
                seen = 1;
                if (i < *first) *first = i;
                if (i + u->p[ui].n - 1 > *last) *last = i + u->p[ui].n - 1;
            }
        }
        d += (size_t)seen;
    }
    return d;
}

/* Brute force: the most distinct units a window of W tokens holds, and the
** smallest span (last - first token) of a token interval holding that many. */
static void oracle(const toks *k, const units *u, size_t W, size_t *D, size_t *span)
{
    size_t s, e, f, l, d;
    *D = 0; *span = SIZE_MAX;
    if (W > k->n) W = k->n;
    for (s = 0; s + W <= k->n; s++) {
        d = distinct_in(k, u, s, s + W - 1, &f, &l);
        if (d > *D) *D = d;
    }
    if (*D == 0) return;
    for (s = 0; s < k->n; s++) {
        for (e = s; e < k->n && e - s < W; e++) {
            if (distinct_in(k, u, s, e, &f, &l) == *D) {
                if (e - s < *span) *span = e - s;
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------- */
/* Output checks.                                                     */

/* Valid UTF-8 with no control characters, no doubled, leading or trailing space. */
static void check_printable(const char *s, size_t n)
{
    size_t i = 0;
    CU_ASSERT_EQUAL(s[n], '\0');
    if (n) {
        CU_ASSERT(s[0] != ' ');
        CU_ASSERT(s[n - 1] != ' ');
    }
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        size_t need = 0, j;
        unsigned cp;
        if (b < 0x80) {
            CU_ASSERT(b >= 0x20 && b != 0x7f);
            if (b == ' ') CU_ASSERT(i + 1 < n && s[i + 1] != ' ');
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) { need = 1; cp = b & 0x1Fu; }
        else if (b >= 0xE0 && b <= 0xEF) { need = 2; cp = b & 0x0Fu; }
        else if (b >= 0xF0 && b <= 0xF4) { need = 3; cp = b & 0x07u; }
        else { CU_FAIL("bad lead byte"); return; }
        if (i + need >= n) { CU_FAIL("truncated sequence"); return; }
        for (j = 1; j <= need; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if ((c & 0xC0) != 0x80) { CU_FAIL("bad continuation"); return; }
            cp = cp << 6 | (c & 0x3Fu);
        }
        CU_ASSERT(!(cp >= 0x80 && cp <= 0x9F));                      /* C1 */
        CU_ASSERT(!(cp >= 0xD800 && cp <= 0xDFFF));                  /* surrogate */
        CU_ASSERT(cp <= 0x10FFFF);
        CU_ASSERT((need == 1 && cp >= 0x80) || (need == 2 && cp >= 0x800) || (need == 3 && cp >= 0x10000));
        i += need + 1;
    }
}

/* Every range is sorted, disjoint, inside out, starts and ends on a word
** edge and covers only words matched by units; every match in out is
** inside a range.  Returns the number of distinct units seen in out. */
static size_t check_ranges(const ng_buf *out, const ng_range *r, size_t nr, const units *u)
{
    size_t i, j, ui, d = 0;
    toks k;
    unsigned char *covered;
    for (i = 0; i < nr; i++) {
        toks w;
        CU_ASSERT(r[i].start < r[i].end);
        CU_ASSERT(r[i].end <= out->size);
        if (i) CU_ASSERT(r[i - 1].end <= r[i].start);
        if (!(r[i].start < r[i].end && r[i].end <= out->size)) continue;
        toks_get(&w, out->ptr + r[i].start, r[i].end - r[i].start);
        CU_ASSERT(w.n >= 1);
        if (w.n >= 1) {
            CU_ASSERT_EQUAL(w.start[0], 0);
            CU_ASSERT_EQUAL(w.end[w.n - 1], r[i].end - r[i].start);
        }
        covered = calloc(w.n + 1, 1);
        for (j = 0; j < w.n; j++) {
            for (ui = 0; ui < u->n; ui++) {
                if (unit_at(&w, u, ui, j)) memset(covered + j, 1, u->p[ui].n);
            }
        }
        for (j = 0; j < w.n; j++) CU_ASSERT(covered[j]);
        free(covered);
        toks_free(&w);
    }
    /* completeness: every match in the output is highlighted */
    toks_get(&k, out->ptr, out->size);
    for (ui = 0; ui < u->n; ui++) {
        int seen = 0;
        for (j = 0; j < k.n; j++) {
            if (!unit_at(&k, u, ui, j)) continue;
            seen = 1;
            for (i = 0; i < nr; i++) {
                if (r[i].start <= k.start[j] && k.end[j + u->p[ui].n - 1] <= r[i].end) break;
            }
            CU_ASSERT(i < nr);
        }
        if (!unit_dup(u, ui)) d += (size_t)seen;
    }
    toks_free(&k);
    return d;
}

static char *range_text(const ng_buf *out, const ng_range *r)
{
    return strndup(out->ptr + r->start, r->end - r->start);
}

/* Run the snippet and the generic checks; returns NG_OK or the error. */
static int snip(ng_buf *out, ng_range **r, size_t *nr, const char *text, size_t len,
                const units *u, size_t words)
{
    int rc = ng_snippet__make(out, r, nr, g_an, text, len, u->p, u->n, words);
    CU_ASSERT_EQUAL(rc, NG_OK);
    if (rc != NG_OK) return rc;
    CU_ASSERT_PTR_NOT_NULL_FATAL(out->ptr);
    CU_ASSERT_EQUAL(strlen(out->ptr), out->size);
    check_printable(out->ptr, out->size);
    check_ranges(out, *r, *nr, u);
    return rc;
}

/* The full check against the oracle on one text. */
static void check_oracle(const char *text, size_t len, const units *u, size_t words)
{
    ng_buf out = NG_BUF_INIT;
    ng_range *r = NULL;
    size_t nr = 0, D, span, W = words ? words : 30, d_out, ospan, s, e, f, l;
    toks src, o;
    for (s = 0; s < u->n; s++) {
        if (u->p[s].n > W) W = u->p[s].n; /* the window holds the longest unit */
    }
    toks_get(&src, text, len);
    oracle(&src, u, W, &D, &span);
    if (snip(&out, &r, &nr, text, len, u, words) == NG_OK) {
        d_out = check_ranges(&out, r, nr, u);
        CU_ASSERT(d_out >= D);
        toks_get(&o, out.ptr, out.size);
        CU_ASSERT(o.n <= W + 8);
        if (D == 0) {
            CU_ASSERT_EQUAL(nr, 0);
            CU_ASSERT_EQUAL(o.n, src.n < W ? src.n : W);
        } else {
            /* the output holds a cluster of D units as tight as the best */
            ospan = SIZE_MAX;
            for (s = 0; s < o.n; s++) {
                for (e = s; e < o.n; e++) {
                    if (distinct_in(&o, u, s, e, &f, &l) >= D) {
                        if (e - s < ospan) ospan = e - s;
                        break;
                    }
                }
            }
            CU_ASSERT_EQUAL(ospan, span);
            if (d_out < D || ospan != span)
                fprintf(stderr, "\nW=%zu D=%zu span=%zu d_out=%zu ospan=%zu\ntext=[%.*s]\nout=[%s]\n", W, D, span,
                        d_out, ospan, (int)len, text, out.ptr);
            if (d_out < D || ospan != span) {
                for (s = 0; s < u->n; s++) {
                    for (e = 0; e < u->p[s].n; e++) fprintf(stderr, "%s ", u->p[s].terms[e]);
                    fprintf(stderr, "| ");
                }
            }
        }
        toks_free(&o);
    }
    toks_free(&src);
    ng_ranges_free(r);
    ng_buf_dispose(&out);
}

/* ---------------------------------------------------------------- */
/* Seeds.                                                             */

static char *read_seed(const char *name, size_t *len)
{
    const char *dir = getenv("NG_TEST_SEEDS");
    char path[4096];
    FILE *f;
    char *p;
    long n;
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : NG_SEEDS_DIR, name);
    f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s (set NG_TEST_SEEDS)\n", path); return NULL; }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
    fclose(f);
    if (p) { p[n] = '\0'; *len = (size_t)n; }
    return p;
}

static const char *const seed_names[] = {"2022-02-01-putin-says-security-concerns-ignored.txt",
                                         "2022-02-01-putin-orban-moscow-news-conference.txt",
                                         "2022-02-01-blinken-lavrov-call-troops-belarus.txt"};

static void test_seeds_oracle(void)
{
    static const char *const q1[] = {"lavrov", NULL};
    static const char *const q2[] = {"troop", NULL};
    static const char *const q3[] = {"secretari of state", NULL};
    static const char *const q4[] = {"lavrov", "troop", NULL};
    static const char *const q5[] = {"putin", "nato", "troop", "ukrain", NULL};
    static const char *const q6[] = {"blinken", "secretari of state", "state", "price", NULL};
    static const char *const q7[] = {"russian", "de escal", "border", NULL};
    static const char *const q8[] = {"zzzunseen", NULL};
    static const char *const *qs[] = {q1, q2, q3, q4, q5, q6, q7, q8};
    static const size_t ws[] = {0, 10, 30, 3, 1};
    size_t i, j, w, len;
    units u;
    for (i = 0; i < NG_ARRAY_LEN(seed_names); i++) {
        char *text = read_seed(seed_names[i], &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        for (j = 0; j < NG_ARRAY_LEN(qs); j++) {
            units_set(&u, qs[j]);
            for (w = 0; w < NG_ARRAY_LEN(ws); w++) check_oracle(text, len, &u, ws[w]);
        }
        free(text);
    }
}

/* A phrase is one range, spelled as in the text; a term inside it merges. */
static void test_seeds_phrase(void)
{
    static const char *const q[] = {"secretari of state", NULL};
    static const char *const q2[] = {"state", "secretari of state", NULL};
    size_t len, nr = 0, i, found;
    char *text = read_seed(seed_names[0], &len);
    ng_buf out = NG_BUF_INIT;
    ng_range *r = NULL;
    units u;
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    units_set(&u, q);
    if (snip(&out, &r, &nr, text, len, &u, 30) == NG_OK) {
        CU_ASSERT_EQUAL(nr, 1);
        if (nr == 1) {
            char *t = range_text(&out, &r[0]);
            CU_ASSERT_STRING_EQUAL(t, "Secretary of State");
            free(t);
        }
        /* the sentence starts right at the phrase */
        {
            static const char want[] = "\xE2\x80\xA6Secretary of State Antony Blinken";
            CU_ASSERT(strncmp(out.ptr, want, sizeof want - 1) == 0);
        }
    }
    ng_ranges_free(r); r = NULL;
    units_set(&u, q2);
    if (snip(&out, &r, &nr, text, len, &u, 30) == NG_OK) {
        for (i = found = 0; i < nr; i++) {
            char *t = range_text(&out, &r[i]);
            CU_ASSERT(strcmp(t, "Secretary of State") == 0 || strcmp(t, "State") == 0);
            found += strcmp(t, "Secretary of State") == 0;
            free(t);
        }
        CU_ASSERT_EQUAL(found, 1);
    }
    ng_ranges_free(r);
    ng_buf_dispose(&out);
    free(text);
}

/* ---------------------------------------------------------------- */
/* Constructed texts.                                                 */

static void expect(const char *text, const char *const *q, size_t words, const char *want,
                   const char *const *want_hl)
{
    ng_buf out = NG_BUF_INIT;
    ng_range *r = NULL;
    size_t nr = 0, i;
    units u;
    units_set(&u, q);
    if (snip(&out, &r, &nr, text, strlen(text), &u, words) == NG_OK) {
        CU_ASSERT_STRING_EQUAL(out.ptr, want);
        if (strcmp(out.ptr, want) != 0) fprintf(stderr, "\n got: [%s]\nwant: [%s]\n", out.ptr, want);
        for (i = 0; want_hl[i]; i++) {
            CU_ASSERT_FATAL(i < nr);
            {
                char *t = range_text(&out, &r[i]);
                CU_ASSERT_STRING_EQUAL(t, want_hl[i]);
                free(t);
            }
        }
        CU_ASSERT_EQUAL(nr, i);
    }
    ng_ranges_free(r);
    ng_buf_dispose(&out);
}

static const char *const no_hl[] = {NULL};

static void test_sentence_align(void)
{
    static const char *const q[] = {"lavrov", NULL};
    static const char *const hl[] = {"Lavrov", NULL};
    /* sentence start 3 words before the match: start there */
    expect("One two three four five six seven eight nine ten eleven twelve. Alpha beta gamma Lavrov "
           "delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau.",
           q, 10, "\xE2\x80\xA6" "Alpha beta gamma Lavrov delta epsilon zeta eta theta iota\xE2\x80\xA6", hl);
    /* 10 words before: not aligned, (10-1)/2 = 4 words of lead */
    expect("One two three four five six seven eight nine ten eleven twelve. Alpha beta gamma delta "
           "epsilon zeta eta theta iota kappa Lavrov lambda mu nu xi omicron pi rho sigma tau upsilon.",
           q, 10, "\xE2\x80\xA6" "eta theta iota kappa Lavrov lambda mu nu xi omicron\xE2\x80\xA6", hl);
    /* exactly 8 words before: aligned */
    expect("Zero one. Alpha beta gamma delta epsilon zeta eta theta Lavrov lambda mu nu xi omicron pi.",
           q, 12, "\xE2\x80\xA6" "Alpha beta gamma delta epsilon zeta eta theta Lavrov lambda mu nu\xE2\x80\xA6", hl);
    /* a blank line starts a sentence too */
    expect("Zero one two three four five six seven eight\n\nAlpha beta Lavrov gamma delta epsilon zeta eta "
           "theta iota kappa lambda mu nu xi.",
           q, 6, "\xE2\x80\xA6" "Alpha beta Lavrov gamma delta epsilon\xE2\x80\xA6", hl);
    /* near the end of the text the window is filled from before */
    expect("Aa bb cc. Dd ee ff gg Lavrov hh.", q, 6, "\xE2\x80\xA6" "Dd ee ff gg Lavrov hh.", hl);
    /* a whole short text fits: shown whole, no ellipses */
    expect("Aa bb. Cc dd Lavrov ee.", q, 30, "Aa bb. Cc dd Lavrov ee.", hl);
}

static void test_normalise(void)
{
    static const char *const q[] = {"lavrov", "blinken", NULL};
    static const char *const hl[] = {"Lavrov", "Blinken", NULL};
    expect("Start here.\tThe\x01 quick\r\n\n brown \x1b[31m Lavrov\xc2\xa0\xc2\xa0met\xc2\x85 Blinken "
           "\xff\xfe today\x7f\xe2\x80\xae end",
           q, 100,
           "Start here. The quick brown [31m Lavrov met Blinken \xEF\xBF\xBD\xEF\xBF\xBD today end", hl);
    /* invalid sequences glued to words; the ranges still cover the words */
    expect("x\xc3Lavrov\xe2\x82 met\xed\xa0\x80" "Blinken\xf0\x9f\x98" "and \xc0\xaf. \xf5\xf4\x90\x80\x80 end",
           q, 100,
           "x\xEF\xBF\xBDLavrov\xEF\xBF\xBD met\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "Blinken\xEF\xBF\xBD"
           "and \xEF\xBF\xBD\xEF\xBF\xBD. \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end",
           hl);
    /* the other blanks: U+2003, U+3000, U+2028, U+202F, U+0009 runs; valid multi-byte kept */
    expect("Caf\xC3\xA9\xE2\x80\x83\xE3\x80\x80Lavrov\xE2\x80\xA8\xE2\x80\xAF\t\tna\xC3\xAFve \xF0\x9F\x98\x80 Blinken",
           q, 100, "Caf\xC3\xA9 Lavrov na\xC3\xAFve \xF0\x9F\x98\x80 Blinken", hl);
}

static void test_punct_and_ellipses(void)
{
    static const char *const q[] = {"lavrov", NULL};
    static const char *const hl[] = {"Lavrov", NULL};
    static const char *const q2[] = {"state of the art", NULL};
    static const char *const hl2[] = {"state-of-the-art", NULL};
    /* opening and closing quotes adjacent to the window are kept */
    expect("Aa bb cc dd ee. \xE2\x80\x9CLavrov said it\xE2\x80\x99s fine.\xE2\x80\x9D Then more words follow here now.",
           q, 4, "\xE2\x80\xA6\xE2\x80\x9CLavrov said it\xE2\x80\x99s fine.\xE2\x80\x9D\xE2\x80\xA6", hl);
    expect("He said: \"Lavrov.\" Done", q, 2, "He said: \"Lavrov.\"\xE2\x80\xA6", hl);
    expect("a b c d e f g h i j k said: \"Lavrov.\" Done here", q, 1, "\xE2\x80\xA6\"Lavrov.\"\xE2\x80\xA6", hl);
    /* a trailing comma is not kept; first word of the text: no prefix */
    expect("Lavrov, Blinken, Price, Johnson and others.", q, 2, "Lavrov, Blinken\xE2\x80\xA6", hl);
    /* a phrase is one range across hyphens */
    expect("It is a state-of-the-art system.", q2, 30, "It is a state-of-the-art system.", hl2);
}

static void test_no_match(void)
{
    static const char *const q[] = {"zzz", "lavrov blinken", NULL};
    static const char *const none[] = {NULL};
    expect("  One two, three four five six seven.", q, 3, "One two, three\xE2\x80\xA6", no_hl);
    expect("One two three.", q, 0, "One two three.", no_hl);
    /* a phrase whose words appear apart does not match */
    expect("Lavrov met Blinken; Blinken, Lavrov.", q, 30, "Lavrov met Blinken; Blinken, Lavrov.", no_hl);
    /* no units at all */
    {
        ng_buf out = NG_BUF_INIT;
        ng_range *r = (ng_range *)1;
        size_t nr = 7;
        CU_ASSERT_EQUAL(ng_snippet__make(&out, &r, &nr, g_an, "a b c", 5, NULL, 0, 2), NG_OK);
        CU_ASSERT_STRING_EQUAL(out.ptr, "a b\xE2\x80\xA6");
        CU_ASSERT_PTR_NULL(r);
        CU_ASSERT_EQUAL(nr, 0);
        ng_buf_dispose(&out);
    }
    (void)none;
}

static void test_empty(void)
{
    static const char *const q[] = {"lavrov", NULL};
    expect("", q, 30, "", no_hl);
    expect(" \n\t-- !!! \xE2\x80\x94 ", q, 30, "", no_hl);
    {
        ng_buf out = NG_BUF_INIT;
        ng_range *r = NULL;
        size_t nr = 3;
        units u;
        units_set(&u, q);
        CU_ASSERT_EQUAL(ng_snippet__make(&out, &r, &nr, g_an, NULL, 0, u.p, u.n, 30), NG_OK);
        CU_ASSERT_PTR_NOT_NULL(out.ptr);
        CU_ASSERT_EQUAL(out.size, 0);
        CU_ASSERT_EQUAL(nr, 0);
        ng_buf_dispose(&out);
    }
}

static void test_overlap_units(void)
{
    static const char *const q[] = {"of state", "secretari of", "secretari of state", "state", NULL};
    static const char *const hl[] = {"Secretary of State", "State", NULL};
    static const char *const q2[] = {"lavrov", "lavrov", "sergey lavrov", NULL};
    static const char *const hl2[] = {"Sergey Lavrov", "Lavrov", NULL};
    expect("The Secretary of State met the State Department.", q, 30,
           "The Secretary of State met the State Department.", hl);
    /* duplicate units count once; the term inside the phrase merges */
    expect("Sergey Lavrov spoke. Lavrov again.", q2, 30, "Sergey Lavrov spoke. Lavrov again.", hl2);
}

/* More distinct terms beat more occurrences; tighter beats looser; earlier on ties. */
static void test_window_choice(void)
{
    static const char *const q[] = {"alpha", "beta", "gamma", NULL};
    static const char *const hl[] = {"alpha", "beta", "gamma", NULL};
    static const char *const hl2[] = {"alpha", "beta", NULL};
    expect("alpha alpha alpha alpha x x x x x x x x x x x x x x x x. y y y y y y y y y alpha y beta y y gamma y y y y y y",
           q, 8, "\xE2\x80\xA6y alpha y beta y y gamma y\xE2\x80\xA6", hl);
    /* a sentence start 8 words before: aligned, the window grows to hold the cluster */
    expect("alpha alpha alpha alpha x x x x x x x x x x x x x x x x. y y y y y y y y alpha y beta y y gamma y y y y y y",
           q, 8, "\xE2\x80\xA6y y y y y y y y alpha y beta y y gamma\xE2\x80\xA6", hl);
    /* loose pair first, tight pair later: the tight one */
    expect("alpha x x x x beta x x x x x x x x x x x x x x x x x x x x x x alpha beta x x x x x x x x x x x",
           q, 6, "\xE2\x80\xA6x x alpha beta x x\xE2\x80\xA6", hl2);
    /* two equally tight pairs: the first */
    expect("x x x x x x x x x x alpha beta x x x x x x x x x x x x x x x x x alpha beta x x x x x x x x x",
           q, 6, "\xE2\x80\xA6x x alpha beta x x\xE2\x80\xA6", hl2);
}

/* Random texts over a small vocabulary against the brute-force oracle. */
static void test_random_oracle(void)
{
    static const char *const vocab[] = {"alpha", "beta", "gamma", "delta", "x", "y", "z", "w",
                                        "alpha.", "beta,", "Gamma!", "delta\n\n", "x\t", "y-"};
    static const char *const terms[] = {"alpha", "beta", "gamma", "delta", "x"};
    uint64_t seed = 42;
    int iter;
    for (iter = 0; iter < 300; iter++) {
        char text[4096], spec[MAXU][64];
        const char *specp[MAXU + 1];
        size_t n = 5 + ng_test_rand(&seed) % 120, i, len = 0, nu, words;
        units u;
        for (i = 0; i < n && len + 16 < sizeof text; i++) {
            const char *w = vocab[ng_test_rand(&seed) % NG_ARRAY_LEN(vocab)];
            len += (size_t)snprintf(text + len, sizeof text - len, "%s ", w);
        }
        nu = 1 + ng_test_rand(&seed) % 4;
        for (i = 0; i < nu; i++) {
            size_t plen = 1 + (ng_test_rand(&seed) % 3 == 0 ? ng_test_rand(&seed) % 3 : 0), k, sl = 0;
            spec[i][0] = '\0';
            for (k = 0; k < plen; k++)
                sl += (size_t)snprintf(spec[i] + sl, sizeof spec[i] - sl, "%s%s", k ? " " : "",
                                       terms[ng_test_rand(&seed) % NG_ARRAY_LEN(terms)]);
            specp[i] = spec[i];
        }
        specp[nu] = NULL;
        units_set(&u, specp);
        words = ng_test_rand(&seed) % 15;
        check_oracle(text, len, &u, words);
    }
}

/* A few MB: linear-ish time, the right window found at the far end. */
static void test_large(void)
{
    static const char *const q[] = {"lavrov", "blinken", "secretari of state", "the", NULL};
    size_t cap = 4u << 20, len = 0, nr = 0;
    char *text = malloc(cap + 256);
    ng_buf out = NG_BUF_INIT;
    ng_range *r = NULL;
    units u;
    clock_t t0;
    uint64_t seed = 7;
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    while (len < cap) {
        /* every tenth word matches "the"; Lavrov and Blinken are scattered far apart */
        static const char *const w[] = {"the ", "news ", "of ", "state ", "Lavrov ", "said. ",
                                        "Blinken ", "report ", "week ", "troops "};
        uint64_t x = ng_test_rand(&seed) % 1000;
        const char *s = x < 100 ? w[0] : x < 102 ? w[4] : x < 104 ? w[6] : w[1 + (x % 9 == 3 ? 2 : x % 9)];
        size_t k = strlen(s);
        memcpy(text + len, s, k);
        len += k;
    }
    len += (size_t)sprintf(text + len, "Finally the Secretary of State Blinken met Lavrov.");
    units_set(&u, q);
    t0 = clock();
    if (snip(&out, &r, &nr, text, len, &u, 30) == NG_OK) {
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        CU_ASSERT(secs < 30.0);
        CU_ASSERT(strstr(out.ptr, "Finally the Secretary of State Blinken met Lavrov.") != NULL);
        CU_ASSERT(nr >= 4);
    }
    ng_ranges_free(r);
    ng_buf_dispose(&out);
    free(text);
}

/* ---------------------------------------------------------------- */
/* Errors: bad arguments and allocation failures leave nothing.       */

static long g_fail_at = -1, g_allocs;
static void *fail_malloc(size_t n) { return g_allocs++ == g_fail_at ? NULL : malloc(n); }
static void *fail_realloc(void *p, size_t n) { return g_allocs++ == g_fail_at ? NULL : realloc(p, n); }

static void test_errors(void)
{
    static const char *const q[] = {"lavrov", "secretari of state", NULL};
    ng_buf out = NG_BUF_INIT;
    ng_range *r = NULL;
    size_t nr = 0, len;
    units u;
    long k;
    int rc = 0, ok = 0;
    char *text = read_seed(seed_names[0], &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    units_set(&u, q);
    CU_ASSERT_EQUAL(ng_snippet__make(NULL, &r, &nr, g_an, text, len, u.p, u.n, 30), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_snippet__make(&out, NULL, &nr, g_an, text, len, u.p, u.n, 30), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_snippet__make(&out, &r, NULL, g_an, text, len, u.p, u.n, 30), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_snippet__make(&out, &r, &nr, NULL, text, len, u.p, u.n, 30), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_snippet__make(&out, &r, &nr, g_an, NULL, 3, u.p, u.n, 30), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_snippet__make(&out, &r, &nr, g_an, text, len, NULL, 1, 30), NG_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(nr, 0);
    CU_ASSERT_EQUAL(ng_snippet__render(&out, &r, &nr, "abc", 3, 2, 1, 0, 3, 0, NULL, 0), NG_EINVAL);
    for (k = 0; k < 200 && !ok; k++) {
        rc = 0;
        ng__buf_put(&rc, &out, "junk", 4);
        g_allocs = 0;
        g_fail_at = k;
        ng_set_allocator(fail_malloc, fail_realloc, NULL);
        r = (ng_range *)&out;
        nr = 99;
        rc = ng_snippet__make(&out, &r, &nr, g_an, text, len, u.p, u.n, 30);
        ng_set_allocator(NULL, NULL, NULL);
        if (rc == NG_OK) {
            ok = 1;
            CU_ASSERT(nr >= 1);
            ng_ranges_free(r);
        } else {
            CU_ASSERT_EQUAL(rc, NG_ENOMEM);
            CU_ASSERT_PTR_NULL(r);
            CU_ASSERT_EQUAL(nr, 0);
            CU_ASSERT_EQUAL(out.size, 0);
        }
        ng_buf_dispose(&out);
    }
    CU_ASSERT(ok);
    g_fail_at = -1;
    free(text);
}

static CU_TestInfo snippet_tests[] = {
    {"seed articles against the brute-force oracle", test_seeds_oracle},
    {"seed phrase is one highlight", test_seeds_phrase},
    {"sentence alignment", test_sentence_align},
    {"whitespace, control and invalid UTF-8 normalisation", test_normalise},
    {"adjacent punctuation and ellipses", test_punct_and_ellipses},
    {"no match: the first words", test_no_match},
    {"empty text", test_empty},
    {"overlapping and duplicate units", test_overlap_units},
    {"window choice: distinct, compact, earliest", test_window_choice},
    {"random texts against the oracle", test_random_oracle},
    {"a few megabytes", test_large},
    {"errors and allocation failures", test_errors},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"snippet", suite_init, suite_clean, NULL, NULL, snippet_tests},
    CU_SUITE_INFO_NULL,
};
