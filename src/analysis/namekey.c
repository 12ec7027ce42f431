/*
** namekey.c -- the name key: one Latin spelling for the transliteration and
** spelling variants of a name (issue 4, "Name variants").
**
** The indexer stores NG_NS_NAME + key for every capitalised word, and a
** query for a name looks its key up, so that Zelensky, Zelenskyy,
** Zelenskiy, Zelenskii, Зеленський and Зеленский find each other.
**
** The key is built from the folded word (ng_token.word: lowercase, Latin
** diacritics stripped, Cyrillic only case folded with ё -> е) in two steps:
**
**  1. Cyrillic to Latin, letter by letter, in the English (BGN/PCGN-like)
**     convention the news uses: ж zh, х kh, ц ts, ч ch, ш sh, щ shch,
**     й y, ы y, ю yu, я ya, є ye, ї yi, і i, ґ g, е ye at the start of the
**     word (Ельцин = Yeltsin) and e elsewhere; ь and ъ become y before a
**     vowel (Васильев = Vasilyev, Ильич = Ilyich) and vanish elsewhere
**     (Зеленський = Zelensky); Serbian and Macedonian letters too.  Latin
**     letters are copied, apostrophes dropped.  Any other character (a
**     digit, another script) means "no key", as do words of fewer than 3
**     letters and the words of not_names[] (function words, months and
**     weekdays: capitalised only because a sentence starts with them).
**  2. Rewriting rules on the Latin string, in the order of the table
**     rules[] below, each a plain string rewrite that one sentence
**     explains.  They are deliberately few and narrow: every rule removes
**     a difference that transliteration conventions create (y/i, kh/h,
**     tsch/tch/ch, -wicz/-vich), and is confined (by position) so that it
**     does not merge ordinary English words: "tch" only at the start
**     (match/Mach), "ye" only after a vowel (year/ear), only "ii" is
**     collapsed (later/latter).  The endings -yy -iy -ij -yi -y -i meet as
**     a consequence: y -> i, final j after a vowel -> i, then ii -> i
**     ("zelenskyy" -> "zelenskii" -> "zelenski").  What y -> i merges in
**     English (dye/die, tyre/tire) is the price of Sergey = Sergei.
**
** Known limits (documented rather than guessed at): Ukrainian г is
** transliterated g (Russian style), so Honcharenko and Гончаренко differ;
** c is left alone (English k/s, Polish ts); German "ch" for х and "sch"
** for ш are not rewritten; đ/dj are not unified; initial e/ye differ in
** Latin (Evgeny, Yevgeny).
**
** ng__name_rules() returns the table so that the engine can print which
** rules made two spellings meet.
*/
#include <stdlib.h>

#include "ng_int.h"
#include "analysis/namekey.h"

#define MAX_WORD_BYTES 128 /* longer input gets no key (tokens are <= 64 bytes) */
#define KEY_BUF 600        /* > worst case: 64 x shch (4 bytes from 2) or 128 x -> ks */
#define MIN_LETTERS 3

/* Rule numbers, in order of application (bit numbers of the fired mask). */
enum {
    R_CYRILLIC, R_TCH, R_WICZ, R_KH, R_TZ, R_X, R_YE, R_WSK, R_Y, R_J, R_II, R_OV, R_VIC, R_COUNT
};

static const ng_name_rule rules[R_COUNT] = {
    {"cyrillic", "Cyrillic to Latin (zh kh ts ch sh shch y yu ya yi; initial e ye; soft sign y before a vowel)",
     "Лавров = Lavrov, Ельцин = Yeltsin"},
    {"tch-ch", "tsch -> ch, vitch -> vich, initial tch -> ch", "Tchaikovsky = Chaikovsky, -vitch = -vich"},
    {"wicz-vich", "wicz -> vich (Polish)", "Abramowicz = Abramovich"},
    {"kh-h", "kh -> h", "Khodorkovsky = Hodorkovsky"},
    {"tz-ts", "tz -> ts", "Kapitza = Kapitsa"},
    {"x-ks", "x -> ks", "Alexei = Aleksei"},
    {"ye-e", "ye -> e after a vowel", "Sergeyev = Sergeev = Сергеев, Dostoyevsky = Dostoevsky"},
    {"wsk-vsk", "wsk -> vsk", "Tschaikowsky = Tchaikovsky"},
    {"y-i", "y -> i", "Sergey = Sergei, Dmitry = Dmitri"},
    {"j-i", "final j after a vowel -> i", "Sergej = Sergei, Dmitrij = Dmitri"},
    {"ii-i", "ii -> i (so the endings -yy -iy -ij -yi -y -i all become -i)",
     "Zelenskyy = Zelensky = Zelenskii = Зеленський"},
    {"off-ov", "final off -> ov", "Rachmaninoff = Rachmaninov, Smirnoff = Smirnov"},
    {"vic", "final vic -> vich", "Abramovic = Abramovich"},
};

const ng_name_rule *ng__name_rules(size_t *n_out)
{
    if (n_out) *n_out = R_COUNT;
    return rules;
}

/* Where a rewrite may match. */
enum { W_ANY, W_START, W_END, W_AFTER_VOWEL, W_END_AFTER_VOWEL };

typedef struct rewrite {
    int rule;
    const char *from, *to; /* from == NULL: collapse runs of i */
    int where;
} rewrite;

static const rewrite rewrites[] = {
    /* "tch" only at the start: match, batch, Mitchell must not become mach, bach */
    {R_TCH, "tsch", "ch", W_ANY},    {R_TCH, "vitch", "vich", W_ANY}, {R_TCH, "tch", "ch", W_START},
    {R_WICZ, "wicz", "vich", W_ANY}, {R_KH, "kh", "h", W_ANY},        {R_TZ, "tz", "ts", W_ANY},
    {R_X, "x", "ks", W_ANY},
    /* not at the start: year, yeast must not become ear, east */
    {R_YE, "ye", "e", W_AFTER_VOWEL},
    {R_WSK, "wsk", "vsk", W_ANY},    {R_Y, "y", "i", W_ANY},          {R_J, "j", "i", W_END_AFTER_VOWEL},
    /* only i: other doubled letters tell words apart (later, latter) */
    {R_II, NULL, NULL, W_ANY},
    /* not -ow: how, below, follow would meet Hoff, Belov */
    {R_OV, "off", "ov", W_END},      {R_VIC, "vic", "vich", W_END},
};

typedef struct keybuf {
    char s[KEY_BUF];
    size_t n;
} keybuf;

/* ---------------------------------------------------------------- */
/* Words that are never names                                        */

/* English function words and the names of months and weekdays, folded,
** in byte order.  They are capitalised at the start of every other
** sentence ("The", "However", "In March") but have no spelling variants,
** so their name-key lists would repeat part of their stems' lists: at 1M
** news articles those lists were a fifth of all name-key bytes.  The stem
** still finds them; only the variant matching, which they never need, is
** given up. */
static const char *const not_names[] = {
    "about", "above", "across", "after", "against", "all", "along", "already", "also", "although",
    "always", "among", "amongst", "and", "another", "any", "anybody", "anyone", "anything", "april",
    "are", "around", "august", "because", "been", "before", "behind", "being", "below", "beneath",
    "beside", "besides", "between", "beyond", "both", "but", "can", "cannot", "could", "december",
    "did", "does", "doing", "done", "down", "during", "each", "either", "else", "enough", "even",
    "ever", "every", "everybody", "everyone", "everything", "february", "few", "for", "friday",
    "from", "further", "had", "has", "have", "having", "hence", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "however", "indeed", "into", "its", "itself", "january", "july",
    "june", "just", "least", "less", "many", "march", "may", "meanwhile", "might", "mine", "monday",
    "more", "moreover", "most", "much", "must", "myself", "neither", "never", "nevertheless",
    "nobody", "none", "nor", "not", "nothing", "november", "now", "october", "off", "often", "once",
    "one", "only", "onto", "other", "others", "otherwise", "ought", "our", "ours", "ourselves",
    "out", "over", "own", "perhaps", "quite", "rather", "same", "saturday", "september", "several",
    "shall", "she", "should", "since", "some", "somebody", "someone", "something", "sometimes",
    "still", "such", "sunday", "than", "that", "the", "their", "theirs", "them", "themselves",
    "then", "there", "thereby", "therefore", "these", "they", "this", "those", "though", "through",
    "throughout", "thursday", "thus", "too", "toward", "towards", "tuesday", "under", "unless",
    "until", "upon", "very", "via", "was", "wednesday", "were", "what", "whatever", "when",
    "whenever", "where", "whereas", "wherever", "whether", "which", "while", "who", "whoever",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
    "yours", "yourself", "yourselves",
};

typedef struct word_ref {
    const char *p;
    size_t n;
} word_ref;

static int cmp_word(const void *key, const void *elem)
{
    const word_ref *w = key;
    const char *s = *(const char *const *)elem;
    size_t n = strlen(s);
    int c = memcmp(w->p, s, w->n < n ? w->n : n);
    return c ? c : (w->n > n) - (w->n < n);
}

static int never_a_name(const char *word, size_t len)
{
    word_ref w;
    w.p = word;
    w.n = len;
    return bsearch(&w, not_names, NG_ARRAY_LEN(not_names), sizeof not_names[0], cmp_word) != NULL;
}

/* ---------------------------------------------------------------- */
/* Step 1: Cyrillic to Latin                                         */

/* U+0430..U+045F, lowercase; "" for the soft and hard signs (handled apart). */
static const char *const cyr_latin[0x30] = {
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",  /* а..п */
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", /* р..я */
    "e", "e", "dj", "g", "ye", "dz", "i", "yi", "j", "lj", "nj", "c", "k", "i", "u", "dzh", /* ѐ..џ */
};

static uint32_t cyr_lower(uint32_t cp)
{
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
    if (cp == 0x490) return 0x491;
    return cp;
}

static int cyr_vowel(uint32_t cp)
{
    cp = cyr_lower(cp);
    switch (cp) {
    case 0x430: case 0x435: case 0x438: case 0x43E: case 0x443: case 0x44B: case 0x44D:
    case 0x44E: case 0x44F: case 0x450: case 0x451: case 0x454: case 0x456: case 0x457:
        return 1;
    default:
        return 0;
    }
}

/* Latin for one lowercase Cyrillic letter, NULL if cp is not one.  `next`
** is the following code point (0 at the end): the signs need it. */
static const char *cyr_translit(uint32_t cp, uint32_t next, int first)
{
    cp = cyr_lower(cp);
    if (first && (cp == 0x435 || cp == 0x451)) return "ye"; /* Ельцин = Yeltsin, Евгений = Yevgeny */
    if (cp == 0x44C || cp == 0x44A) return cyr_vowel(next) ? "y" : ""; /* ь ъ */
    if (cp >= 0x430 && cp <= 0x45F) return cyr_latin[cp - 0x430];
    if (cp == 0x491) return "g"; /* ґ */
    return NULL;
}

static int put(keybuf *b, const char *s, size_t n)
{
    if (b->n + n > sizeof b->s) return -1;
    memcpy(b->s + b->n, s, n);
    b->n += n;
    return 0;
}

/* Transliterate word into b; -1 when the word gets no key. */
static int transliterate(const char *word, size_t len, keybuf *b, uint32_t *fired)
{
    uint32_t cps[MAX_WORD_BYTES];
    size_t n = 0, i, letters = 0, off = 0;
    while (off < len) {
        off += ng__utf8_decode(word + off, len - off, &cps[n]);
        if (cps[n] == NG_UTF8_BAD) return -1;
        n++;
    }
    b->n = 0;
    for (i = 0; i < n; i++) {
        uint32_t cp = cps[i];
        const char *lat;
        char c;
        if (cp == '\'') continue;
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        if (cp >= 'a' && cp <= 'z') {
            c = (char)cp;
            if (put(b, &c, 1)) return -1;
            letters++;
            continue;
        }
        if (!(lat = cyr_translit(cp, i + 1 < n ? cps[i + 1] : 0, b->n == 0))) return -1; /* digit, other script */
        if (put(b, lat, strlen(lat))) return -1;
        letters++;
        *fired |= 1u << R_CYRILLIC;
    }
    return letters >= MIN_LETTERS ? 0 : -1;
}

/* ---------------------------------------------------------------- */
/* Step 2: rewriting                                                 */

static int latin_vowel(char c) { return c && strchr("aeiouy", c) != NULL; }

static int where_ok(const keybuf *b, size_t i, size_t flen, int where)
{
    switch (where) {
    case W_START: return i == 0;
    case W_END: return i + flen == b->n;
    case W_AFTER_VOWEL: return i > 0 && latin_vowel(b->s[i - 1]);
    case W_END_AFTER_VOWEL: return i + flen == b->n && i > 0 && latin_vowel(b->s[i - 1]);
    default: return 1;
    }
}

/* The first match of rw (from is fl bytes) at i or after, or b->n: most
** rewrites match nothing in a given word, and memchr finds that fast. */
static size_t next_match(const keybuf *b, size_t i, size_t fl, const rewrite *rw)
{
    const char *p;
    while (i + fl <= b->n && (p = memchr(b->s + i, rw->from[0], b->n - fl + 1 - i)) != NULL) {
        i = (size_t)(p - b->s);
        if (memcmp(p, rw->from, fl) == 0 && where_ok(b, i, fl, rw->where)) return i;
        i++;
    }
    return b->n;
}

/* Replace every non-overlapping match, left to right; 1 if anything changed. */
static int apply(keybuf *b, const rewrite *rw)
{
    keybuf out;
    size_t i = 0, fl = strlen(rw->from), tl = strlen(rw->to), m = next_match(b, 0, fl, rw);
    if (m == b->n) return 0;
    out.n = 0;
    do { /* put cannot fail: KEY_BUF covers the worst case */
        if (put(&out, b->s + i, m - i) || put(&out, rw->to, tl)) return 0;
        i = m + fl;
    } while ((m = next_match(b, i, fl, rw)) < b->n);
    if (put(&out, b->s + i, b->n - i)) return 0;
    *b = out;
    return 1;
}

static int collapse_ii(keybuf *b)
{
    size_t i, o = 0;
    for (i = 0; i < b->n; i++)
        if (o == 0 || b->s[i] != 'i' || b->s[o - 1] != 'i') b->s[o++] = b->s[i];
    if (o == b->n) return 0;
    b->n = o;
    return 1;
}

size_t ng__name_key_explain(const char *word, size_t len, char *out, size_t cap, uint32_t *fired_out)
{
    keybuf b;
    uint32_t fired = 0;
    size_t i, n;
    if (fired_out) *fired_out = 0;
    if (cap > 0) out[0] = '\0';
    if (!word || len > MAX_WORD_BYTES || cap == 0) return 0;
    /* on the Latin letters, apostrophes gone: It's is its */
    if (transliterate(word, len, &b, &fired) || never_a_name(b.s, b.n)) return 0;
    for (i = 0; i < NG_ARRAY_LEN(rewrites); i++) {
        const rewrite *rw = &rewrites[i];
        if (rw->from ? apply(&b, rw) : collapse_ii(&b)) fired |= 1u << rw->rule;
    }
    n = b.n < cap - 1 ? b.n : cap - 1;
    memcpy(out, b.s, n);
    out[n] = '\0';
    if (fired_out) *fired_out = fired;
    return n;
}

size_t ng__name_key(const char *word, size_t len, char *out, size_t cap)
{
    return ng__name_key_explain(word, len, out, cap, NULL);
}
