/*
** analysis.h -- text analysis: UTF-8 decoding, word segmentation, case and
** diacritic folding, Snowball stemming.  One pipeline used identically for
** documents and queries, so that what a query asks matches what was indexed.
**
** Token rules (documented for users in README "Text analysis"):
**  - a word is a maximal run of Unicode letters (L*), marks (M*) and digits (N*);
**  - folding: NFKD, case fold, strip combining marks, plus letters Unicode
**    does not decompose: l-stroke->l, o-slash->o, d-stroke->d, sharp s->ss,
**    ae->ae, oe->oe, thorn->th, eth->d, dotless i->i (complete table in fold.c);
**  - apostrophes (U+0027, U+2019, U+02BC, U+2018) between two letters stay in
**    the word as "'" (Ukraine's == Ukraine’s), then the stemmer removes 's;
**  - hyphens split: "30-minute" is "30" then "minute" at adjacent positions;
**  - digit groups joined by ',' or '.' followed by a digit are one number
**    with the separators removed ("100,000" -> "100000");
**  - dotted acronyms of single letters ("U.S.", "U.K.") are one word ("us");
**  - invalid UTF-8 bytes are treated as separators, never crash;
**  - every word is indexed, stopwords included.
**
** Details (fold.c and tokenizer.c implement them; test_analysis.c checks them):
**  - marks stripped by folding are the diacritics: enclosing marks, marks in
**    the combining-diacritics blocks, and marks of nonzero combining class
**    other than viramas (so Arabic harakat and Hebrew points go, Indic vowel
**    signs and viramas stay).  Cyrillic letters are only case folded (the
**    breve of й is kept, Russian stemming needs it) except ё -> е;
**  - soft hyphen, ZWJ, ZWNJ and word joiner inside a word are ignored;
**  - U+02BC (a letter in Unicode) is treated as an apostrophe;
**  - a word of one letter followed by "." and another one-letter word, and so
**    on, is one acronym token whose byte range includes the final "."; that
**    final "." ends a sentence only if the next word is capitalized;
**  - a sentence ends at . ! ? ... (and their CJK / Arabic / Devanagari
**    forms) not directly followed by a word character ("example.com" is two
**    words in one sentence), or at a blank line;
**  - tokens whose folded form is empty (a lone combining mark) are dropped
**    without taking a position;
**  - numbers are not stemmed; the stemmer sees the folded word.
*/
#ifndef NG_ANALYSIS_H
#define NG_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#define NG_MAX_TERM_BYTES 64 /* longer folded words are cut (at a character boundary) */

/* Token flags. */
#define NG_TOK_CAPITALIZED 0x01u /* first letter was uppercase in the source */
#define NG_TOK_SENTENCE 0x02u    /* first token of a sentence (after . ! ? or a blank line, or first of text) */
#define NG_TOK_NUMBER 0x04u      /* all digits */

typedef struct ng_token {
    const char *term; size_t term_len; /* folded and stemmed: the indexed term (NULL: ng__token_term) */
    const char *word; size_t word_len; /* folded, not stemmed (for fuzzy, names) */
    uint32_t pos;                      /* word position, first_pos + n */
    size_t start, end;                 /* byte range [start,end) in the input text */
    unsigned flags;                    /* NG_TOK_* */
} ng_token;

/* An analyzer owns a Snowball stemmer and scratch buffers: one per thread. */
typedef struct ng_analyzer ng_analyzer;

/* Called for each token; term and word are valid only during the call.
** Return 0 to go on, nonzero to stop (ng__analyze returns that value). */
typedef int (*ng_token_fn)(void *payload, const ng_token *tok);

/* lang: a Snowball language name ("english", "french", ...), NULL for
** english, "none" for no stemming.  NG_EINVAL names an unknown language.
** Names are case-insensitive and at most 31 bytes; ng_analyzer__lang()
** returns the name lowercased ("english" for NULL). */
int ng_analyzer__new(ng_analyzer **out, const char *lang);
void ng_analyzer__free(ng_analyzer *a);
const char *ng_analyzer__lang(const ng_analyzer *a);
/* For a caller that remembers each word's term itself (the indexer's
** vocabulary): stem without the analyzer's cache of recent words, which
** would only hold the same words a second time. */
void ng_analyzer__no_stem_cache(ng_analyzer *a);

/* Tokenize text[0..len) and call fn for each token, positions counting from
** first_pos.  Returns 0, the callback's nonzero value, or NG_ENOMEM.
** *n_tokens_out (may be NULL) receives the number of tokens emitted. */
int ng__analyze(ng_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                ng_token_fn fn, void *payload, uint32_t *n_tokens_out);
/* The same without stemming: tokens come with term NULL, and the callback
** asks for the term of those that need it with ng__token_term(), during
** the call.  The indexer stems a word once a document this way, not once
** an occurrence. */
int ng__analyze_words(ng_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                      ng_token_fn fn, void *payload, uint32_t *n_tokens_out);
/* The term of a token (its stem unless a number); NULL on out of memory.
** Valid until the analyzer's next call. */
const char *ng__token_term(ng_analyzer *a, const ng_token *t, size_t *len);

/* Fold one word (no segmentation) into out (size cap, NUL-terminated);
** returns the folded length.  Used by tests and by the snippet module.
** Every letter, mark and digit is folded as by the tokenizer; an apostrophe
** between two letters becomes "'"; everything else (dots, commas, invalid
** bytes) is dropped, so "U.S." -> "us" and "100,000" -> "100000".  The
** output is cut at a character boundary to fit cap - 1 bytes (no
** NG_MAX_TERM_BYTES limit here). */
size_t ng__fold_word(char *out, size_t cap, const char *word, size_t len);

/* The Snowball languages libstemmer offers, NULL-terminated. */
const char **ng__stem_languages(void);

/* Decode one UTF-8 character of s[0..len), len > 0.  Returns the bytes
** consumed (1..4) and sets *cp; an invalid or truncated sequence consumes
** one byte and sets *cp = NG_UTF8_BAD.  Never reads s[len] or beyond.
** Overlong forms, surrogates and values above U+10FFFF are invalid. */
#define NG_UTF8_BAD 0xFFFFFFFFu
size_t ng__utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp (<= U+10FFFF) into out[0..4); returns the length, 0 if invalid. */
size_t ng__utf8_encode(char *out, uint32_t cp);

/* Term namespaces.  Indexed terms are folded text and never start with a
** byte below 0x20; these prefixes mark the other kinds of dictionary entry
** (doc/FORMAT.md "Term namespaces"):
**   NG_NS_TITLE + stem   the stem, in the title (positions as in the document)
**   NG_NS_NAME  + key    name key of a capitalised word (ng__name_key)
**   NG_NS_WORD  + word   lexicon: a folded, unstemmed word; df and cf only,
**                        no postings (prefix, fuzzy and "did you mean") */
#define NG_NS_TITLE '\x01'
#define NG_NS_NAME '\x02'
#define NG_NS_WORD '\x03'

/* Name key of a folded word (ng_token.word): transliterated to Latin and
** normalised so that spelling variants of one name share it (Zelensky,
** Zelenskyy, Zelenskiy, Зеленський).  Writes at most cap - 1 bytes plus a NUL
** to out; returns the key length, 0 when the word gets no key (namekey.c). */
size_t ng__name_key(const char *word, size_t len, char *out, size_t cap);

/**************************************************************************
** Internal to src/analysis (shared between its .c files).
*/
/* Character classes returned by ng_analysis__fold_cp(). */
#define NG_CC_WORD 0x01u   /* part of a word: L*, M*, N* (not U+02BC) */
#define NG_CC_LETTER 0x02u /* L* */
#define NG_CC_MARK 0x04u   /* M* */
#define NG_CC_DIGIT 0x08u  /* Nd */
#define NG_CC_UPPER 0x10u  /* Lu, Lt */
#define NG_CC_APOS 0x20u   /* ' ’ ‘ ʼ */
#define NG_CC_TERM 0x40u   /* sentence terminator: . ! ? … 。 ！ ？ ؟ । */
#define NG_CC_SPACE 0x80u  /* white space other than a newline */
#define NG_CC_NL 0x100u    /* \n, U+2028 */
#define NG_CC_PARA 0x200u  /* U+2029: ends a paragraph like a blank line */
#define NG_CC_JOIN 0x400u  /* ignorable inside a word: soft hyphen, ZWJ, ZWNJ, WJ */
#define NG_FOLD_MAX 128    /* bytes: longest folding of one code point */
/* Classify cp and, for a word character, write its folding (UTF-8, not
** NUL-terminated, possibly empty) to out[0..NG_FOLD_MAX) and its length to
** *outlen (0 for other characters).  Pure function of cp; slow (utf8proc):
** the tokenizer caches it. */
unsigned ng_analysis__fold_cp(uint32_t cp, char *out, size_t *outlen);

typedef struct ng_stemmer ng_stemmer;
/* lang must be a valid libstemmer name; NG_EINVAL otherwise. */
int ng_analysis__stemmer_new(ng_stemmer **out, const char *lang);
void ng_analysis__stemmer_free(ng_stemmer *s);
/* Stem without the cache of recent words (ng_analyzer__no_stem_cache). */
void ng_analysis__stem_no_cache(ng_stemmer *s);
/* Stem w[0..n); returns a pointer valid until the next call, NULL on OOM. */
const char *ng_analysis__stem(ng_stemmer *s, const char *w, size_t n, size_t *outlen);

#endif
