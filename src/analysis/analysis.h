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
    const char *term; size_t term_len; /* folded and stemmed: the indexed term */
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
** english, "none" for no stemming.  NG_EINVAL names an unknown language. */
int ng_analyzer__new(ng_analyzer **out, const char *lang);
void ng_analyzer__free(ng_analyzer *a);
const char *ng_analyzer__lang(const ng_analyzer *a);

/* Tokenize text[0..len) and call fn for each token, positions counting from
** first_pos.  Returns 0, the callback's nonzero value, or NG_ENOMEM.
** *n_tokens_out (may be NULL) receives the number of tokens emitted. */
int ng__analyze(ng_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                ng_token_fn fn, void *payload, uint32_t *n_tokens_out);

/* Fold one word (no segmentation) into out (size cap, NUL-terminated);
** returns the folded length.  Used by tests and by the snippet module. */
size_t ng__fold_word(char *out, size_t cap, const char *word, size_t len);

/* The Snowball languages libstemmer offers, NULL-terminated. */
const char **ng__stem_languages(void);

#endif
