/*
** expand.h -- word expansion over the lexicon of a snapshot (expand.c):
** prefix (troop*), fuzzy (Zelensky~, Zelensky~2) and "did you mean".
**
** The lexicon is the NG_NS_WORD namespace of every segment's dictionary:
** "\x03" + folded unstemmed word, with df and cf (documents and occurrences
** in that segment, deleted documents included) and no postings.  Each
** function walks the dictionaries of all segments with range seeks, never
** a full scan, and merges their answers: one entry per distinct word, in
** byte order, df and cf summed over segments.  The engine then analyses
** each word (stem, name key) to build its query terms.
**
** Inputs are folded here (ng__fold_word) and cut to NG_MAX_TERM_BYTES as
** the tokenizer cuts words, so raw query text may be passed.
**
** Fuzzy distance: optimal string alignment (restricted Damerau-Levenshtein)
** on Unicode code points: insertion, deletion, substitution and the
** transposition of two adjacent letters each cost 1 ("lavorv" is 1 from
** "lavrov"); a transposed pair is not edited again.
*/
#ifndef NG_EXPAND_H
#define NG_EXPAND_H

#include "reader/reader.h"

#define NG_FUZZY_MAX_K 2 /* largest edit distance accepted */

/* One word of a list; its bytes are in the list's text buffer. */
typedef struct ng_wordent {
    size_t off;    /* offset of the word in ng_wordlist.text (NUL-terminated there) */
    uint32_t len;  /* bytes, without the namespace byte */
    uint32_t dist; /* edit distance to the query word (0 for prefix expansion) */
    uint64_t df;   /* documents, summed over segments (deleted ones included) */
    uint64_t cf;   /* occurrences, summed over segments */
} ng_wordent;

/* Work done by the last expansion (for --explain and the tests). */
typedef struct ng_expand_stats {
    uint64_t seeks;       /* ng_dict__iter_seek calls (each a binary search) */
    uint64_t terms_read;  /* dictionary entries decoded by the walk */
    uint64_t blocks_read; /* dictionary blocks whose entries the walk decoded */
} ng_expand_stats;

/* The answer of an expansion: v[0..n) sorted by word bytes, distinct. */
typedef struct ng_wordlist {
    ng_wordent *v;      /* entries */
    size_t n, cap;      /* used and allocated entries */
    ng_buf text;        /* the words' bytes */
    ng_expand_stats st; /* work of the call that filled the list */
} ng_wordlist;

#define NG_WORDLIST_INIT {NULL, 0, 0, NG_BUF_INIT, {0, 0, 0}}

/* Word i of a list (NUL-terminated; valid until the list changes). */
static inline const char *ng_wordlist__word(const ng_wordlist *l, size_t i) { return l->text.ptr + l->v[i].off; }
/* Free a list's memory and reset it to NG_WORDLIST_INIT.  NULL is fine. */
void ng_wordlist__free(ng_wordlist *l);

/* Default edit distance for a fuzzy query word of len_chars characters:
** 0 below 3 (exact: every short word is 1 from dozens of others), 1 for
** 3 to 9, 2 for 10 and longer (issue 4 says 1 for 5-9, 2 above). */
unsigned ng__fuzzy_default_k(size_t len_chars);

/* Every lexicon word that starts with prefix (folded first).  An empty
** prefix means every word.  Each call clears *out first (its memory is
** reused) and the caller frees it with ng_wordlist__free, even on error.
** Returns NG_OK (possibly with out->n == 0), NG_ELIMIT with the message
** "prefix 'troop*' matches more than MAX words" when more than max distinct
** words match, NG_ENOMEM, NG_ECORRUPT. */
int ng_index__expand_prefix(const ng_index *ix, const char *prefix, size_t len, size_t max, ng_wordlist *out);

/* Every lexicon word within distance k (0..NG_FUZZY_MAX_K) of word (folded
** first), with its distance (out->v[i].dist); the word itself is included
** at distance 0 if present.  A Levenshtein automaton walks each dictionary,
** seeking from every word it rejects to the next word it could accept.
** NG_OK, NG_EINVAL (k too large, empty word), NG_ELIMIT ("fuzzy
** 'zelensky~1' matches more than MAX words"), NG_ENOMEM, NG_ECORRUPT. */
int ng_index__expand_fuzzy(const ng_index *ix, const char *word, size_t len, unsigned k, size_t max,
                           ng_wordlist *out);

/* "Did you mean": the best lexicon word other than word (folded first):
** the smallest distance (1, else 2; only 1 for words of 3-4 characters,
** nothing for shorter ones), then the highest df, then the first in byte
** order.  On NG_OK out->n == 1.  NG_ENOTFOUND when there is none (its
** message says so), NG_ENOMEM, NG_ECORRUPT. */
int ng_index__suggest(const ng_index *ix, const char *word, size_t len, ng_wordlist *out);

#endif
