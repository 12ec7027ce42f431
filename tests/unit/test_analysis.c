/*
** test_analysis.c -- unit tests of src/analysis: UTF-8 decoding, folding,
** the token rules of analysis.h, flags, and Snowball stemming checked
** against an independent implementation (tests/data/stem-*.txt, written by
** tools/gen-stem-reference with python3-snowballstemmer).
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_int.h"
#include "ng_test.h"

#ifndef NG_TEST_DATADIR
#define NG_TEST_DATADIR "tests/data"
#endif

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

#define MAX_TOKS 256

typedef struct tok_rec {
    char term[NG_MAX_TERM_BYTES + 1];
    char word[NG_MAX_TERM_BYTES + 1];
    size_t term_len, word_len;
    uint32_t pos;
    size_t start, end;
    unsigned flags;
} tok_rec;

typedef struct tok_list {
    tok_rec t[MAX_TOKS];
    size_t n;
    size_t stop_after; /* callback returns 7 after this many; 0: never */
    int overflow;
} tok_list;

static int collect(void *payload, const ng_token *tok)
{
    tok_list *l = payload;
    tok_rec *r;
    if (l->n >= MAX_TOKS) { l->overflow = 1; return 0; }
    r = &l->t[l->n++];
    CU_ASSERT_FATAL(tok->term_len <= NG_MAX_TERM_BYTES);
    CU_ASSERT_FATAL(tok->word_len <= NG_MAX_TERM_BYTES);
    memcpy(r->term, tok->term, tok->term_len);
    r->term[tok->term_len] = '\0';
    memcpy(r->word, tok->word, tok->word_len);
    r->word[tok->word_len] = '\0';
    r->term_len = tok->term_len;
    r->word_len = tok->word_len;
    r->pos = tok->pos;
    r->start = tok->start;
    r->end = tok->end;
    r->flags = tok->flags;
    return l->stop_after && l->n >= l->stop_after ? 7 : 0;
}

static ng_analyzer *g_en;   /* english */
static ng_analyzer *g_none; /* no stemming */

static int suite_init(void)
{
    if (ng_analyzer__new(&g_en, NULL) != NG_OK) return -1;
    if (ng_analyzer__new(&g_none, "none") != NG_OK) return -1;
    return 0;
}

static int suite_clean(void)
{
    ng_analyzer__free(g_en);
    ng_analyzer__free(g_none);
    g_en = g_none = NULL;
    return 0;
}

static tok_list g_toks; /* big: keep off the stack */

static tok_list *run_len(ng_analyzer *a, const char *text, size_t len)
{
    uint32_t n = 12345;
    memset(&g_toks, 0, sizeof g_toks);
    CU_ASSERT_EQUAL(ng__analyze(a, text, len, 0, collect, &g_toks, &n), 0);
    CU_ASSERT_EQUAL(n, g_toks.n);
    CU_ASSERT_FALSE(g_toks.overflow);
    return &g_toks;
}

static tok_list *run(ng_analyzer *a, const char *text)
{
    return run_len(a, text, strlen(text));
}

/* An expected token: its exact source text (found after the previous
** token's end, which checks the byte offsets), word, term and flags. */
typedef struct exp_tok {
    const char *src, *word, *term;
    unsigned flags;
} exp_tok;

#define C NG_TOK_CAPITALIZED
#define S NG_TOK_SENTENCE
#define N NG_TOK_NUMBER

static void expect_tokens_at(ng_analyzer *a, const char *text, const exp_tok *e, size_t ne,
                             const char *file, int line)
{
    tok_list *l = run(a, text);
    size_t i, cursor = 0;
    char where[64];
    snprintf(where, sizeof where, "%s:%d", file, line);
    CU_ASSERT_EQUAL(l->n, ne);
    if (l->n != ne) fprintf(stderr, "\n%s: %zu tokens, expected %zu\n", where, l->n, ne);
    for (i = 0; i < ne && i < l->n; i++) {
        const char *hit = strstr(text + cursor, e[i].src);
        tok_rec *t = &l->t[i];
        int ok;
        CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
        ok = t->pos == i && t->start == (size_t)(hit - text) &&
             t->end == t->start + strlen(e[i].src) && strcmp(t->word, e[i].word) == 0 &&
             strcmp(t->term, e[i].term) == 0 && t->flags == e[i].flags;
        CU_ASSERT(ok);
        if (!ok)
            fprintf(stderr, "\n%s: token %zu: got pos %u [%zu,%zu) '%s' '%s' flags %u; expected [%zu,%zu) '%s' '%s' flags %u\n",
                    where, i, t->pos, t->start, t->end, t->word, t->term, t->flags, (size_t)(hit - text),
                    (size_t)(hit - text) + strlen(e[i].src), e[i].word, e[i].term, e[i].flags);
        cursor = t->end;
    }
}
#define EXPECT(a, text, ...)                                                                   \
    do {                                                                                       \
        static const exp_tok e_[] = {__VA_ARGS__};                                             \
        expect_tokens_at((a), (text), e_, NG_ARRAY_LEN(e_), __FILE__, __LINE__);              \
    } while (0)

static void fold_is(const char *in, const char *want)
{
    char out[256];
    size_t n = ng__fold_word(out, sizeof out, in, strlen(in));
    CU_ASSERT_EQUAL(n, strlen(out));
    CU_ASSERT_STRING_EQUAL(out, want);
    if (strcmp(out, want) != 0) fprintf(stderr, "\nfold('%s') = '%s', expected '%s'\n", in, out, want);
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */
/* ------------------------------------------------------------------ */

static void test_utf8_valid(void)
{
    uint32_t cp;
    CU_ASSERT_EQUAL(ng__utf8_decode("A", 1, &cp), 1); CU_ASSERT_EQUAL(cp, 0x41);
    CU_ASSERT_EQUAL(ng__utf8_decode("\xc3\xa1", 2, &cp), 2); CU_ASSERT_EQUAL(cp, 0xE1);
    CU_ASSERT_EQUAL(ng__utf8_decode("\xe2\x80\x94", 3, &cp), 3); CU_ASSERT_EQUAL(cp, 0x2014);
    CU_ASSERT_EQUAL(ng__utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4); CU_ASSERT_EQUAL(cp, 0x1F600);
    CU_ASSERT_EQUAL(ng__utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4); CU_ASSERT_EQUAL(cp, 0x10FFFF);
    CU_ASSERT_EQUAL(ng__utf8_decode("\xed\x9f\xbf", 3, &cp), 3); CU_ASSERT_EQUAL(cp, 0xD7FF);
    CU_ASSERT_EQUAL(ng__utf8_decode("\0", 1, &cp), 1); CU_ASSERT_EQUAL(cp, 0);
}

static void test_utf8_invalid(void)
{
    static const char *const bad[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
        "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xff", "\xfe", "\xc3\x41", "\xe2\x28\xa1", "\xe2\x82\x28", "\xf0\x9f\x98\x28",
    };
    size_t i;
    uint32_t cp;
    for (i = 0; i < NG_ARRAY_LEN(bad); i++) {
        CU_ASSERT_EQUAL(ng__utf8_decode(bad[i], strlen(bad[i]), &cp), 1);
        CU_ASSERT_EQUAL(cp, NG_UTF8_BAD);
    }
}

/* Truncated sequences at the very end of a heap block: ASan catches any read past it. */
static void test_utf8_truncated(void)
{
    static const char *const full[] = {"\xc3\xa1", "\xe2\x80\x94", "\xf0\x9f\x98\x80"};
    size_t i, k;
    uint32_t cp;
    for (i = 0; i < NG_ARRAY_LEN(full); i++) {
        size_t n = strlen(full[i]);
        for (k = 1; k < n; k++) {
            char *p = malloc(k);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            memcpy(p, full[i], k);
            CU_ASSERT_EQUAL(ng__utf8_decode(p, k, &cp), 1);
            CU_ASSERT_EQUAL(cp, NG_UTF8_BAD);
            free(p);
        }
    }
}

static void test_utf8_roundtrip(void)
{
    uint32_t c, back;
    char buf[4];
    size_t n, bad = 0;
    for (c = 0; c <= 0x10FFFF; c++) {
        n = ng__utf8_encode(buf, c);
        if (c >= 0xD800 && c <= 0xDFFF) {
            if (n != 0) bad++;
            continue;
        }
        if (n == 0 || ng__utf8_decode(buf, n, &back) != n || back != c) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(ng__utf8_encode(buf, 0x110000), 0);
}

/* ------------------------------------------------------------------ */
/* Folding                                                             */
/* ------------------------------------------------------------------ */

static void test_fold_latin(void)
{
    fold_is("Orbán", "orban");
    fold_is("Zelenskyy", "zelenskyy");
    fold_is("ł", "l"); fold_is("Ł", "l"); fold_is("Łódź", "lodz");
    fold_is("ø", "o"); fold_is("Ø", "o");
    fold_is("đ", "d"); fold_is("Đ", "d");
    fold_is("ß", "ss"); fold_is("ẞ", "ss"); fold_is("Straße", "strasse");
    fold_is("æ", "ae"); fold_is("Æ", "ae");
    fold_is("œ", "oe"); fold_is("Œ", "oe");
    fold_is("þ", "th"); fold_is("Þ", "th");
    fold_is("ð", "d"); fold_is("Ð", "d");
    fold_is("ı", "i"); fold_is("İ", "i");
    fold_is("ħ", "h"); fold_is("ŧ", "t");
    fold_is("ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ", "aaaaaaceeeeiiiinooooouuuuy");
    fold_is("àáâãäåçèéêëìíîïñòóôõöùúûüýÿ", "aaaaaaceeeeiiiinooooouuuuyy");
    fold_is("ăąćčďęěğľńňőřśşšţťůűźżž", "aaccdeeglnnorsssttuuzzz");
    fold_is("e\xcc\x81te\xcc\x81", "ete"); /* decomposed acute accents */
    fold_is("ĳ", "ij"); fold_is("ǅ", "dz");
}

static void test_fold_scripts(void)
{
    /* Greek: case folded, accents and diaeresis stripped, final sigma. */
    fold_is("Ελληνικά", "ελληνικα");
    fold_is("ΆΈΉΊΌΎΏ", "αεηιουω");
    fold_is("ΐΰϊϋ", "ιυιυ");
    fold_is("Σίσυφος", "σισυφοσ");
    /* Cyrillic: case folded, й kept, ё -> е. */
    fold_is("Москва", "москва");
    fold_is("ЗЕЛЕНСКИЙ", "зеленский");
    fold_is("Ёлка", "елка");
    fold_is("Київ", "київ");
    fold_is("Москва\xcc\x81", "москва"); /* a stress mark after a vowel */
    /* CJK and Hangul are kept whole. */
    fold_is("北京", "北京");
    fold_is("한국어", "한국어");
    /* Arabic harakat and Hebrew points are removed. */
    fold_is("كَتَبَ", "كتب");
    fold_is("שָׁלוֹם", "שלום");
    /* Devanagari vowel signs and virama are kept. */
    fold_is("हिन्दी", "हिन्दी");
}

static void test_fold_compat(void)
{
    fold_is("ＡＢＣ１２３", "abc123"); /* full-width */
    fold_is("ｆｕｌｌ", "full");
    fold_is("ﬁne", "fine");          /* ligature */
    fold_is("①②", "12");            /* circled digits */
    fold_is("x²", "x2");
    fold_is("ſ", "s");
    fold_is("ｶﾀｶﾅ", "カタカナ");     /* half-width katakana (voicing marks stripped) */
    fold_is("Ukraine’s", "ukraine's");
    fold_is("Ukraine's", "ukraine's");
    fold_is("Ukraineʼs", "ukraine's");
    fold_is("dogs'", "dogs");
    fold_is("100,000", "100000");
    fold_is("U.S.", "us");
}

static void test_fold_cap(void)
{
    char out[4];
    /* Each ж is 2 bytes: only one fits in 3 bytes + NUL. */
    CU_ASSERT_EQUAL(ng__fold_word(out, sizeof out, "ЖЖЖ", strlen("ЖЖЖ")), 2);
    CU_ASSERT_STRING_EQUAL(out, "ж");
    CU_ASSERT_EQUAL(ng__fold_word(out, 1, "abc", 3), 0);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_EQUAL(ng__fold_word(out, sizeof out, "", 0), 0);
    CU_ASSERT_EQUAL(ng__fold_word(out, sizeof out, "\xff\xfe", 2), 0);
}

/* The cached folding of the tokenizer equals the uncached one, and folding
** is idempotent, for every BMP word character. */
static void test_fold_table_consistent(void)
{
    uint32_t c;
    size_t mismatch = 0, not_idem = 0, checked = 0;
    for (c = 0x80; c < 0x10000; c++) {
        char src[4], f1[NG_FOLD_MAX], f2[256], f3[256];
        size_t n, flen;
        tok_list *l;
        unsigned cls = ng_analysis__fold_cp(c, f1, &flen);
        if (!(cls & NG_CC_WORD) || (cls & NG_CC_MARK) || flen == 0 || flen > NG_MAX_TERM_BYTES) continue;
        n = ng__utf8_encode(src, c);
        if (!n) continue;
        checked++;
        memset(&g_toks, 0, sizeof g_toks);
        ng__analyze(g_none, src, n, 0, collect, &g_toks, NULL);
        l = &g_toks;
        if (l->n != 1 || l->t[0].word_len != flen || memcmp(l->t[0].word, f1, flen) != 0) {
            if (mismatch++ < 5) fprintf(stderr, "\nU+%04X: tokenizer and fold_cp differ\n", (unsigned)c);
        }
        ng__fold_word(f2, sizeof f2, f1, flen);
        ng__fold_word(f3, sizeof f3, f2, strlen(f2));
        if (strcmp(f2, f3) != 0 || strlen(f2) != flen || memcmp(f2, f1, flen) != 0) {
            if (not_idem++ < 5) fprintf(stderr, "\nU+%04X: folding is not idempotent\n", (unsigned)c);
        }
    }
    CU_ASSERT(checked > 40000);
    CU_ASSERT_EQUAL(mismatch, 0);
    CU_ASSERT_EQUAL(not_idem, 0);
}

/* ------------------------------------------------------------------ */
/* Tokens of the seed articles                                         */
/* ------------------------------------------------------------------ */

static void test_seed_dateline(void)
{
    /* 000: en dash after the dateline, Kremlin's, straight quotes. */
    EXPECT(g_en, "WASHINGTON – Russian President Vladimir Putin said the Kremlin's \"fundamental concerns have been ignored\"",
           {"WASHINGTON", "washington", "washington", C | S}, {"Russian", "russian", "russian", C},
           {"President", "president", "presid", C}, {"Vladimir", "vladimir", "vladimir", C},
           {"Putin", "putin", "putin", C}, {"said", "said", "said", 0}, {"the", "the", "the", 0},
           {"Kremlin's", "kremlin's", "kremlin", C}, {"fundamental", "fundamental", "fundament", 0},
           {"concerns", "concerns", "concern", 0}, {"have", "have", "have", 0},
           {"been", "been", "been", 0}, {"ignored", "ignored", "ignor", 0});
    /* 002: a photo caption, then the "CNN  —" dateline (em dash is a separator). */
    EXPECT(g_en, "(Martial Trezzini/Keystone via AP)\nCNN  — \n\nRussian Foreign Minister Sergey Lavrov",
           {"Martial", "martial", "martial", C | S}, {"Trezzini", "trezzini", "trezzini", C},
           {"Keystone", "keystone", "keyston", C}, {"via", "via", "via", 0}, {"AP", "ap", "ap", C},
           {"CNN", "cnn", "cnn", C}, {"Russian", "russian", "russian", C | S},
           {"Foreign", "foreign", "foreign", C}, {"Minister", "minister", "minist", C},
           {"Sergey", "sergey", "sergey", C}, {"Lavrov", "lavrov", "lavrov", C});
}

static void test_seed_offsets(void)
{
    /* Exact byte offsets around multi-byte characters. */
    static const char text[] = "CNN  — \n\nRussian"; /* — is 3 bytes */
    tok_list *l = run(g_en, text);
    CU_ASSERT_EQUAL_FATAL(l->n, 2);
    CU_ASSERT_EQUAL(l->t[0].start, 0); CU_ASSERT_EQUAL(l->t[0].end, 3);
    CU_ASSERT_EQUAL(l->t[1].start, 11); CU_ASSERT_EQUAL(l->t[1].end, 18);
    CU_ASSERT_EQUAL(l->t[1].pos, 1);
    l = run(g_en, "Viktor Orbán, his");
    CU_ASSERT_EQUAL_FATAL(l->n, 3);
    CU_ASSERT_EQUAL(l->t[1].start, 7); CU_ASSERT_EQUAL(l->t[1].end, 13); /* á is 2 bytes */
    CU_ASSERT_EQUAL(l->t[2].start, 15);
}

static void test_seed_names(void)
{
    /* 000 and 001: Orbán / Orban, Zelenskyy / Zelensky. */
    EXPECT(g_en, "Putin is hosting Hungary's prime minister, Viktor Orbán, his closest ally",
           {"Putin", "putin", "putin", C | S}, {"is", "is", "is", 0}, {"hosting", "hosting", "host", 0},
           {"Hungary's", "hungary's", "hungari", C}, {"prime", "prime", "prime", 0},
           {"minister", "minister", "minist", 0}, {"Viktor", "viktor", "viktor", C},
           {"Orbán", "orban", "orban", C}, {"his", "his", "his", 0}, {"closest", "closest", "closest", 0},
           {"ally", "ally", "alli", 0});
    EXPECT(g_en, "Hungarian Prime Minister Viktor Orban, Putin said",
           {"Hungarian", "hungarian", "hungarian", C | S}, {"Prime", "prime", "prime", C},
           {"Minister", "minister", "minist", C}, {"Viktor", "viktor", "viktor", C},
           {"Orban", "orban", "orban", C}, {"Putin", "putin", "putin", C}, {"said", "said", "said", 0});
    EXPECT(g_en, "Ukrainian President Volodymyr Zelenskyy. President Volodymyr Zelensky in Kyiv",
           {"Ukrainian", "ukrainian", "ukrainian", C | S}, {"President", "president", "presid", C},
           {"Volodymyr", "volodymyr", "volodymyr", C}, {"Zelenskyy", "zelenskyy", "zelenskyy", C},
           {"President", "president", "presid", C | S}, {"Volodymyr", "volodymyr", "volodymyr", C},
           {"Zelensky", "zelensky", "zelenski", C}, {"in", "in", "in", 0}, {"Kyiv", "kyiv", "kyiv", C});
    /* 000 and 002: Sergey / Sergei. */
    EXPECT(g_en, "Foreign Minister Sergey Lavrov; Foreign Minister Sergei Lavrov",
           {"Foreign", "foreign", "foreign", C | S}, {"Minister", "minister", "minist", C},
           {"Sergey", "sergey", "sergey", C}, {"Lavrov", "lavrov", "lavrov", C},
           {"Foreign", "foreign", "foreign", C}, {"Minister", "minister", "minist", C},
           {"Sergei", "sergei", "sergei", C}, {"Lavrov", "lavrov", "lavrov", C});
}

static void test_seed_apostrophes_hyphens(void)
{
    /* 000: curly apostrophe, de-escalation, 30-minute. */
    EXPECT(g_en, "withdrawal of troops and equipment from Ukraine’s borders\" in a 30-minute call",
           {"withdrawal", "withdrawal", "withdraw", S}, {"of", "of", "of", 0},
           {"troops", "troops", "troop", 0}, {"and", "and", "and", 0},
           {"equipment", "equipment", "equip", 0}, {"from", "from", "from", 0},
           {"Ukraine’s", "ukraine's", "ukrain", C}, {"borders", "borders", "border", 0},
           {"in", "in", "in", 0}, {"a", "a", "a", 0}, {"30", "30", "30", N},
           {"minute", "minute", "minut", 0}, {"call", "call", "call", 0});
    EXPECT(g_en, "Ukraine's de-escalation",
           {"Ukraine's", "ukraine's", "ukrain", C | S}, {"de", "de", "de", 0},
           {"escalation", "escalation", "escal", 0});
    /* Apostrophes not between two letters are separators. */
    EXPECT(g_none, "'quoted' the 90's dogs' rock'n'roll",
           {"quoted", "quoted", "quoted", S}, {"the", "the", "the", 0}, {"90", "90", "90", N},
           {"s", "s", "s", 0}, {"dogs", "dogs", "dogs", 0}, {"rock'n'roll", "rock'n'roll", "rock'n'roll", 0});
    /* Curly double quotes (002) are separators. */
    EXPECT(g_en, "the tone as “professional and fairly candid.”",
           {"the", "the", "the", S}, {"tone", "tone", "tone", 0}, {"as", "as", "as", 0},
           {"professional", "professional", "profession", 0}, {"and", "and", "and", 0},
           {"fairly", "fairly", "fair", 0}, {"candid", "candid", "candid", 0});
}

static void test_seed_numbers_acronyms(void)
{
    EXPECT(g_en, "expanding his country's army by 100,000 troops, bringing the total number to 350,000.",
           {"expanding", "expanding", "expand", S}, {"his", "his", "his", 0},
           {"country's", "country's", "countri", 0}, {"army", "army", "armi", 0},
           {"by", "by", "by", 0}, {"100,000", "100000", "100000", N}, {"troops", "troops", "troop", 0},
           {"bringing", "bringing", "bring", 0}, {"the", "the", "the", 0}, {"total", "total", "total", 0},
           {"number", "number", "number", 0}, {"to", "to", "to", 0}, {"350,000", "350000", "350000", N});
    EXPECT(g_en, "back to a \"1997 status quo,\" and 38.101 km. The end.",
           {"back", "back", "back", S}, {"to", "to", "to", 0}, {"a", "a", "a", 0},
           {"1997", "1997", "1997", N}, {"status", "status", "status", 0}, {"quo", "quo", "quo", 0},
           {"and", "and", "and", 0}, {"38.101", "38101", "38101", N}, {"km", "km", "km", 0},
           {"The", "the", "the", C | S}, {"end", "end", "end", 0});
    /* "U.S." is one word; the token covers the final dot. */
    EXPECT(g_en, "from the U.S. and NATO on its demands. U.S. Secretary of State; the U.K., e.g. here",
           {"from", "from", "from", S}, {"the", "the", "the", 0}, {"U.S.", "us", "us", C},
           {"and", "and", "and", 0}, {"NATO", "nato", "nato", C}, {"on", "on", "on", 0},
           {"its", "its", "it", 0}, {"demands", "demands", "demand", 0}, {"U.S.", "us", "us", C | S},
           {"Secretary", "secretary", "secretari", C | S}, {"of", "of", "of", 0},
           {"State", "state", "state", C}, {"the", "the", "the", 0}, {"U.K.", "uk", "uk", C},
           {"e.g.", "eg", "eg", 0}, {"here", "here", "here", 0});
    /* Not acronyms: a longer word after the dot, a trailing single letter. */
    EXPECT(g_none, "A.Smith is in Plan B. A new one, U.S",
           {"A", "a", "a", C | S}, {"Smith", "smith", "smith", C}, {"is", "is", "is", 0},
           {"in", "in", "in", 0}, {"Plan", "plan", "plan", C}, {"B", "b", "b", C},
           {"A", "a", "a", C | S}, {"new", "new", "new", 0}, {"one", "one", "one", 0},
           {"U.S", "us", "us", C});
    /* Separators that do not join numbers. */
    EXPECT(g_none, "2021, 2022. 3.x 1,a",
           {"2021", "2021", "2021", N | S}, {"2022", "2022", "2022", N}, {"3", "3", "3", N | S},
           {"x", "x", "x", 0}, {"1", "1", "1", N}, {"a", "a", "a", 0});
}

/* ------------------------------------------------------------------ */
/* Sentences, flags, positions                                         */
/* ------------------------------------------------------------------ */

static void test_sentences(void)
{
    EXPECT(g_none, "One. two! Three? four\n\nfive\nsix… seven example.com is 3.5",
           {"One", "one", "one", C | S}, {"two", "two", "two", S}, {"Three", "three", "three", C | S},
           {"four", "four", "four", S}, {"five", "five", "five", S}, {"six", "six", "six", 0},
           {"seven", "seven", "seven", S}, {"example", "example", "example", 0},
           {"com", "com", "com", 0}, {"is", "is", "is", 0}, {"3.5", "35", "35", N});
    /* Blank lines may hold spaces; a single newline does not end a sentence. */
    EXPECT(g_none, "a\n \t\r\nb\nc\r\n\r\nd",
           {"a", "a", "a", S}, {"b", "b", "b", S}, {"c", "c", "c", 0}, {"d", "d", "d", S});
    /* Quotes after the terminator. */
    EXPECT(g_none, "\"a war.\" \"This decree",
           {"a", "a", "a", S}, {"war", "war", "war", 0}, {"This", "this", "this", C | S},
           {"decree", "decree", "decree", 0});
}

static void test_positions_and_stop(void)
{
    tok_list *l;
    uint32_t n = 0;
    static const char text[] = "alpha beta gamma delta";
    memset(&g_toks, 0, sizeof g_toks);
    CU_ASSERT_EQUAL(ng__analyze(g_en, text, strlen(text), 1000, collect, &g_toks, &n), 0);
    l = &g_toks;
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_EQUAL(l->t[0].pos, 1000);
    CU_ASSERT_EQUAL(l->t[3].pos, 1003);
    /* The callback stops the analysis: its value is returned. */
    memset(&g_toks, 0, sizeof g_toks);
    g_toks.stop_after = 2;
    CU_ASSERT_EQUAL(ng__analyze(g_en, text, strlen(text), 0, collect, &g_toks, &n), 7);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(g_toks.n, 2);
    /* n_tokens_out may be NULL. */
    memset(&g_toks, 0, sizeof g_toks);
    CU_ASSERT_EQUAL(ng__analyze(g_en, text, strlen(text), 0, collect, &g_toks, NULL), 0);
    CU_ASSERT_EQUAL(g_toks.n, 4);
}

/* ------------------------------------------------------------------ */
/* Hostile input                                                       */
/* ------------------------------------------------------------------ */

static void test_invalid_input(void)
{
    tok_list *l;
    l = run_len(g_none, "", 0);
    CU_ASSERT_EQUAL(l->n, 0);
    l = run_len(g_none, NULL, 0);
    CU_ASSERT_EQUAL(l->n, 0);
    l = run_len(g_none, " \t\n—–.,;!?“”\"'’", strlen(" \t\n—–.,;!?“”\"'’"));
    CU_ASSERT_EQUAL(l->n, 0);
    /* Invalid bytes and NUL separate words. */
    l = run_len(g_none, "abc\xff" "def\x80ghi\0jkl\xc0\xafmno", 20);
    CU_ASSERT_EQUAL_FATAL(l->n, 5);
    CU_ASSERT_STRING_EQUAL(l->t[0].word, "abc");
    CU_ASSERT_STRING_EQUAL(l->t[1].word, "def");
    CU_ASSERT_EQUAL(l->t[1].start, 4);
    CU_ASSERT_STRING_EQUAL(l->t[2].word, "ghi");
    CU_ASSERT_STRING_EQUAL(l->t[3].word, "jkl");
    CU_ASSERT_STRING_EQUAL(l->t[4].word, "mno");
    CU_ASSERT_EQUAL(l->t[4].start, 17);
    /* A surrogate encoded in UTF-8 (CESU) inside a word. */
    l = run_len(g_none, "ab\xed\xa0\x80" "cd", 7);
    CU_ASSERT_EQUAL_FATAL(l->n, 2);
    CU_ASSERT_STRING_EQUAL(l->t[1].word, "cd");
    CU_ASSERT_EQUAL(l->t[1].start, 5);
    /* A lone combining mark makes no token and takes no position. */
    l = run_len(g_none, "a \xcc\x81 b", 6);
    CU_ASSERT_EQUAL_FATAL(l->n, 2);
    CU_ASSERT_EQUAL(l->t[1].pos, 1);
}

/* Every truncation of a multi-byte text at the end of a heap block. */
static void test_truncated_text(void)
{
    static const char text[] = "Orbán’s café — 北京 😀 U.S. 100,000";
    size_t k, len = strlen(text);
    for (k = 0; k <= len; k++) {
        char *p = malloc(k ? k : 1);
        tok_list *l;
        size_t i;
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        memcpy(p, text, k);
        l = run_len(g_en, p, k);
        for (i = 0; i < l->n; i++) CU_ASSERT(l->t[i].start < l->t[i].end && l->t[i].end <= k);
        free(p);
    }
}

/* Random bytes: no crash (ASan/UBSan), sane tokens, words are valid UTF-8. */
static void test_random_bytes(void)
{
    uint64_t seed = 42;
    int round;
    for (round = 0; round < 300; round++) {
        size_t len = ng_test_rand(&seed) % 300, i;
        char *p = malloc(len ? len : 1);
        tok_list *l;
        size_t prev_end = 0;
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        for (i = 0; i < len; i++) {
            uint64_t r = ng_test_rand(&seed);
            /* Mostly ASCII letters, some UTF-8 lead/continuation bytes and separators. */
            p[i] = (char)(r % 4 == 0 ? (int)(0x80 + (r >> 8) % 0x80)
                          : r % 4 == 1 ? " .,'-\n"[(r >> 8) % 6] : (int)('a' + (r >> 8) % 26));
        }
        l = run_len(g_en, p, len);
        for (i = 0; i < l->n; i++) {
            const tok_rec *t = &l->t[i];
            size_t j = 0;
            CU_ASSERT(t->start >= prev_end && t->start < t->end && t->end <= len);
            CU_ASSERT(t->word_len > 0 && t->term_len > 0);
            CU_ASSERT_EQUAL(t->pos, i);
            while (j < t->word_len) {
                uint32_t cp;
                j += ng__utf8_decode(t->word + j, t->word_len - j, &cp);
                CU_ASSERT_NOT_EQUAL(cp, NG_UTF8_BAD);
            }
            prev_end = t->end;
        }
        free(p);
    }
}

static void test_long_words(void)
{
    char buf[1024];
    tok_list *l;
    size_t i;
    /* ASCII: cut at 64 bytes; the token still covers the whole word. */
    memset(buf, 'a', 200);
    memcpy(buf + 200, " next", 6);
    l = run(g_en, buf);
    CU_ASSERT_EQUAL_FATAL(l->n, 2);
    CU_ASSERT_EQUAL(l->t[0].word_len, NG_MAX_TERM_BYTES);
    CU_ASSERT_EQUAL(l->t[0].start, 0);
    CU_ASSERT_EQUAL(l->t[0].end, 200);
    CU_ASSERT(l->t[0].term_len <= NG_MAX_TERM_BYTES);
    CU_ASSERT_STRING_EQUAL(l->t[1].word, "next");
    CU_ASSERT_EQUAL(l->t[1].pos, 1);
    /* 2-byte letters: 32 of them fit. */
    buf[0] = '\0';
    for (i = 0; i < 50; i++) strcat(buf, "Ж");
    l = run(g_none, buf);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_EQUAL(l->t[0].word_len, 64);
    CU_ASSERT_EQUAL(l->t[0].end, 100);
    /* 3-byte characters: cut at 63 bytes, never inside a character. */
    buf[0] = '\0';
    for (i = 0; i < 30; i++) strcat(buf, "語");
    l = run(g_none, buf);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_EQUAL(l->t[0].word_len, 63);
    /* é folds to one byte: 100 of them give 64 'e'. */
    buf[0] = '\0';
    for (i = 0; i < 100; i++) strcat(buf, "é");
    l = run(g_none, buf);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_EQUAL(l->t[0].word_len, 64);
    CU_ASSERT_EQUAL(strspn(l->t[0].word, "e"), 64);
    /* ß -> ss across the cut: 63 a then ß keeps one s only. */
    memset(buf, 'a', 63);
    strcpy(buf + 63, "ß");
    l = run(g_none, buf);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_EQUAL(l->t[0].word_len, 64);
    CU_ASSERT_EQUAL(l->t[0].word[63], 's');
    /* A long number: NUMBER flag kept. */
    memset(buf, '7', 100);
    buf[100] = '\0';
    l = run(g_en, buf);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_EQUAL(l->t[0].flags & NG_TOK_NUMBER, NG_TOK_NUMBER);
}

static void test_scripts_tokens(void)
{
    EXPECT(g_none, "Σίσυφος ΑΘΗΝΑ, Москва — Київ; 北京 ＡＢＣ",
           {"Σίσυφος", "σισυφοσ", "σισυφοσ", C | S}, {"ΑΘΗΝΑ", "αθηνα", "αθηνα", C},
           {"Москва", "москва", "москва", C}, {"Київ", "київ", "київ", C}, {"北京", "北京", "北京", 0},
           {"ＡＢＣ", "abc", "abc", C});
    /* Soft hyphen and zero-width joiners do not split a word. */
    EXPECT(g_none, "infor\xc2\xadmation\xc2\xad x",
           {"infor\xc2\xadmation", "information", "information", S}, {"x", "x", "x", 0});
}

/* ------------------------------------------------------------------ */
/* Stemming                                                            */
/* ------------------------------------------------------------------ */

static void test_stem_basic(void)
{
    tok_list *l;
    ng_analyzer *a = NULL;
    const char **langs;
    int found_en = 0, found_fr = 0;

    l = run(g_en, "Running runs ran RUNNER");
    CU_ASSERT_EQUAL_FATAL(l->n, 4);
    CU_ASSERT_STRING_EQUAL(l->t[0].term, "run");
    CU_ASSERT_STRING_EQUAL(l->t[0].word, "running");
    CU_ASSERT_STRING_EQUAL(l->t[1].term, "run");
    CU_ASSERT_STRING_EQUAL(l->t[3].term, "runner");
    l = run(g_none, "Running runs");
    CU_ASSERT_STRING_EQUAL(l->t[0].term, "running");
    CU_ASSERT_STRING_EQUAL(l->t[1].term, "runs");
    CU_ASSERT_STRING_EQUAL(ng_analyzer__lang(g_en), "english");
    CU_ASSERT_STRING_EQUAL(ng_analyzer__lang(g_none), "none");

    for (langs = ng__stem_languages(); *langs; langs++) {
        if (strcmp(*langs, "english") == 0) found_en = 1;
        if (strcmp(*langs, "french") == 0) found_fr = 1;
    }
    CU_ASSERT(found_en && found_fr);

    a = (ng_analyzer *)1;
    CU_ASSERT_EQUAL(ng_analyzer__new(&a, "klingon"), NG_EINVAL);
    CU_ASSERT_PTR_NULL(a);
    CU_ASSERT_EQUAL(ng_error_last()->code, NG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, "klingon"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, "none"));
    CU_ASSERT_EQUAL(ng_analyzer__new(&a, ""), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_analyzer__new(&a, "a-very-long-language-name-that-does-not-fit"), NG_EINVAL);
    /* Names are case-insensitive. */
    CU_ASSERT_EQUAL_FATAL(ng_analyzer__new(&a, "French"), NG_OK);
    CU_ASSERT_STRING_EQUAL(ng_analyzer__lang(a), "french");
    ng_analyzer__free(a);
    ng_analyzer__free(NULL);
}

/* A failing allocator: the constructor reports NG_ENOMEM and leaks nothing. */
static int g_fail_allocs;
static void *failing_malloc(size_t n) { return g_fail_allocs ? NULL : malloc(n); }
static void *failing_realloc(void *p, size_t n) { return g_fail_allocs ? NULL : realloc(p, n); }

static void test_oom(void)
{
    ng_analyzer *a = (ng_analyzer *)1;
    tok_list *l;
    ng_set_allocator(failing_malloc, failing_realloc, free);
    g_fail_allocs = 1;
    CU_ASSERT_EQUAL(ng_analyzer__new(&a, "english"), NG_ENOMEM);
    CU_ASSERT_PTR_NULL(a);
    g_fail_allocs = 0;
    CU_ASSERT_EQUAL_FATAL(ng_analyzer__new(&a, "english"), NG_OK);
    /* The stem cache is allocated on first use; without it stemming still works. */
    g_fail_allocs = 1;
    l = run(a, "nations");
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_STRING_EQUAL(l->t[0].term, "nation");
    g_fail_allocs = 0;
    ng_analyzer__free(a);
    ng_set_allocator(NULL, NULL, NULL);
}

/* Compare the full pipeline with an independent Snowball implementation. */
static void check_stem_file(const char *lang, size_t min_lines)
{
    const char *dir = getenv("NG_TEST_DATADIR");
    char path[4096], line[1024];
    FILE *f;
    ng_analyzer *a;
    size_t lines = 0, bad = 0;

    snprintf(path, sizeof path, "%s/stem-%s.txt", dir && *dir ? dir : NG_TEST_DATADIR, lang);
    f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (!f) {
        fprintf(stderr, "\ncannot open %s (set NG_TEST_DATADIR)\n", path);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(ng_analyzer__new(&a, lang), NG_OK);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_EQUAL(strncmp(line, "# DO NOT EDIT", 13), 0);
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t'), *nl;
        tok_list *l;
        if (!tab) continue;
        *tab = '\0';
        nl = strchr(tab + 1, '\n');
        if (nl) *nl = '\0';
        lines++;
        l = run(a, line);
        if (l->n != 1 || strcmp(l->t[0].term, tab + 1) != 0) {
            if (bad++ < 10)
                fprintf(stderr, "\n%s: '%s' -> '%s' (%zu tokens), oracle '%s'\n", lang, line,
                        l->n ? l->t[0].term : "", l->n, tab + 1);
        }
    }
    fclose(f);
    ng_analyzer__free(a);
    CU_ASSERT(lines >= min_lines);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_stem_english(void) { check_stem_file("english", 3000); }
static void test_stem_french(void) { check_stem_file("french", 10); }
static void test_stem_german(void) { check_stem_file("german", 10); }
static void test_stem_russian(void) { check_stem_file("russian", 10); }

/* Documents and queries fold alike: every spelling gives one term. */
static void test_same_term(void)
{
    static const char *const groups[][4] = {
        {"Orbán", "ORBAN", "orban", "Orbán"}, /* the last one decomposed below */
        {"Ukraine’s", "Ukraine's", "UKRAINE'S", "ukraineʼs"},
        {"Straße", "STRASSE", "strasse", "STRAẞE"},
        {"Łódź", "LODZ", "Lodz", "łódź"},
    };
    size_t g, i;
    for (g = 0; g < NG_ARRAY_LEN(groups); g++) {
        char first[NG_MAX_TERM_BYTES + 1];
        tok_list *l = run(g_en, groups[g][0]);
        CU_ASSERT_EQUAL_FATAL(l->n, 1);
        strcpy(first, l->t[0].term);
        for (i = 1; i < 4; i++) {
            l = run(g_en, groups[g][i]);
            CU_ASSERT_EQUAL_FATAL(l->n, 1);
            CU_ASSERT_STRING_EQUAL(l->t[0].term, first);
        }
    }
    {
        tok_list *l = run(g_en, "Orba\xcc\x81n");
        CU_ASSERT_EQUAL_FATAL(l->n, 1);
        CU_ASSERT_STRING_EQUAL(l->t[0].term, "orban");
        CU_ASSERT_EQUAL(l->t[0].end, 7);
    }
}

/* ------------------------------------------------------------------ */

static CU_TestInfo utf8_tests[] = {
    {"valid sequences", test_utf8_valid},
    {"invalid sequences", test_utf8_invalid},
    {"truncated at end of buffer", test_utf8_truncated},
    {"encode/decode round trip", test_utf8_roundtrip},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo fold_tests[] = {
    {"latin letters", test_fold_latin},
    {"greek, cyrillic, cjk, arabic, hebrew, devanagari", test_fold_scripts},
    {"compatibility forms, apostrophes", test_fold_compat},
    {"output capacity", test_fold_cap},
    {"cached table = uncached, idempotent (BMP)", test_fold_table_consistent},
    CU_TEST_INFO_NULL,
};

/* ng__analyze_words + ng__token_term (the indexer's way: a stem asked
** for per token) give exactly ng__analyze's tokens, term included. */
typedef struct lazy_ctx {
    ng_analyzer *a;
    tok_list *l;
} lazy_ctx;

static int collect_lazy(void *payload, const ng_token *tok)
{
    lazy_ctx *c = payload;
    ng_token full = *tok;
    CU_ASSERT_PTR_NULL(tok->term);
    full.term = ng__token_term(c->a, tok, &full.term_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(full.term);
    return collect(c->l, &full);
}

static tok_list g_lazy; /* big: keep off the stack */

static void check_lazy_same(ng_analyzer *a, const char *text, size_t len)
{
    tok_list *eager = run_len(a, text, len);
    lazy_ctx c = {a, &g_lazy};
    uint32_t n = 12345;
    size_t i;
    memset(&g_lazy, 0, sizeof g_lazy);
    CU_ASSERT_EQUAL(ng__analyze_words(a, text, len, 7, collect_lazy, &c, &n), 0);
    CU_ASSERT_EQUAL(n, g_lazy.n);
    CU_ASSERT_EQUAL_FATAL(g_lazy.n, eager->n);
    for (i = 0; i < eager->n; i++) {
        const tok_rec *x = &eager->t[i], *y = &g_lazy.t[i];
        CU_ASSERT_STRING_EQUAL(x->term, y->term);
        CU_ASSERT_STRING_EQUAL(x->word, y->word);
        CU_ASSERT_EQUAL(x->pos + 7, y->pos);
        CU_ASSERT_EQUAL(x->start, y->start);
        CU_ASSERT_EQUAL(x->end, y->end);
        CU_ASSERT_EQUAL(x->flags, y->flags);
    }
}

static void test_lazy_terms(void)
{
    static const char *const texts[] = {
        "Lavrov said Russian troops were running 2022's drills; U.S. officials, Zelenskyy and Orb\xc3\xa1n disagreed.",
        "Connections connected 1,000.5 times -- don't STOP  the 3rd caf\xc3\xa9's re-run!",
        "\xd0\x97\xd0\xb5\xd0\xbb\xd0\xb5\xd0\xbd\xd1\x81\xd1\x8c\xd0\xba\xd0\xb8\xd0\xb9 running runners ran",
    };
    char longw[3 * NG_MAX_TERM_BYTES];
    uint64_t seed = 7;
    size_t i, k;
    for (i = 0; i < NG_ARRAY_LEN(texts); i++) {
        check_lazy_same(g_en, texts[i], strlen(texts[i]));
        check_lazy_same(g_none, texts[i], strlen(texts[i]));
    }
    memset(longw, 'x', sizeof longw); /* a word past the term limit, then a stemmable one */
    memcpy(longw + sizeof longw - 9, " running", 8);
    check_lazy_same(g_en, longw, sizeof longw - 1);
    for (i = 0; i < 200; i++) { /* random text: letters, UTF-8 bytes, digits, separators */
        char p[256];
        size_t len = ng_test_rand(&seed) % sizeof p;
        for (k = 0; k < len; k++) {
            uint64_t r = ng_test_rand(&seed);
            p[k] = (char)(r % 5 == 0 ? (int)(0x80 + (r >> 8) % 0x80)
                          : r % 5 == 1 ? " .,'-\n0"[(r >> 8) % 7] : (int)("aeiouAZsTnG"[(r >> 8) % 11]));
        }
        check_lazy_same(g_en, p, len);
    }
}

static CU_TestInfo token_tests[] = {
    {"seed: datelines, en/em dash", test_seed_dateline},
    {"seed: byte offsets", test_seed_offsets},
    {"seed: name variants", test_seed_names},
    {"seed: apostrophes, hyphens, quotes", test_seed_apostrophes_hyphens},
    {"seed: numbers and acronyms", test_seed_numbers_acronyms},
    {"sentence flags", test_sentences},
    {"positions and callback stop", test_positions_and_stop},
    {"invalid utf-8, nul, empty", test_invalid_input},
    {"truncated text", test_truncated_text},
    {"random bytes", test_random_bytes},
    {"very long words", test_long_words},
    {"other scripts, joiners", test_scripts_tokens},
    {"same term for all spellings", test_same_term},
    {"unstemmed tokens, terms on demand", test_lazy_terms},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo stem_tests[] = {
    {"basics, languages, errors", test_stem_basic},
    {"out of memory", test_oom},
    {"english vs python snowball", test_stem_english},
    {"french vs python snowball", test_stem_french},
    {"german vs python snowball", test_stem_german},
    {"russian vs python snowball", test_stem_russian},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"analysis: utf8", NULL, NULL, NULL, NULL, utf8_tests},
    {"analysis: fold", suite_init, suite_clean, NULL, NULL, fold_tests},
    {"analysis: tokens", suite_init, suite_clean, NULL, NULL, token_tests},
    {"analysis: stem", suite_init, suite_clean, NULL, NULL, stem_tests},
    CU_SUITE_INFO_NULL,
};
