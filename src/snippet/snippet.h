/*
** snippet.h -- the best passage of a document for a query, with highlights.
**
** The text is re-tokenized with the index's analyzer (FTS5's approach: no
** offsets are stored in the index) and every token whose term equals a query
** term, or that starts a run matching a query phrase, is a match.  The
** window of about `words` words is chosen to hold the most distinct query
** terms, then the closest together, then the earliest; a capitalised token
** whose name key (NG_NS_NAME + ng__name_key) is a query term matches too
** (name variants); it starts at a
** sentence start when one lies within a few words before the first match.
**
** Output text: the window's bytes with runs of whitespace collapsed to one
** space, C0/C1 control characters replaced by a space, invalid UTF-8
** replaced by U+FFFD, and "…" (U+2026) where the window cuts the text.  It
** is always valid UTF-8 and safe to print.  Ranges are byte offsets into the
** output text, sorted, non-overlapping; a phrase match is one range.
**
** Details (src/snippet/snippet.c, highlight.c):
**  - units: identical units are counted once; a unit with n == 0 or an
**    empty term never matches.  A phrase matches at consecutive tokens.
**  - words == 0 means 30; the window is at least as long as the longest
**    unit.  Sentence alignment may lengthen it by up to 8 words.
**  - no match in the text: the first `words` words; no ranges.
**  - no token in the text (empty, only punctuation): empty text, no ranges.
**  - the window's text runs from its first token's start to its last
**    token's end, widened over adjacent opening quotes/brackets before and
**    closing quotes/brackets and . ! ? … after.  "…" is glued on without a
**    space: "…text…".  Whitespace also covers U+0085, U+00A0, U+1680,
**    U+2000-200A, U+2028/2029, U+202F, U+205F, U+3000, and the bidi
**    embedding/override/isolate controls U+202A-202E, U+2066-2069.
**  - every match lying wholly inside the window is highlighted (not only
**    the best cluster); overlapping matches are merged into one range.
**  - out is cleared first, and out->ptr is non-NULL on success.
**    *ranges_out is allocated with ng__malloc (free with ng_ranges_free),
**    NULL when there are no ranges.  On error out is cleared, *ranges_out
**    is NULL and *n_ranges_out is 0.
**  - O(n log n) time in the number of tokens, 16 bytes per token.
** Returns NG_OK, NG_EINVAL (NULL argument), NG_ENOMEM.
*/
#ifndef NG_SNIPPET_H
#define NG_SNIPPET_H

#include <stddef.h>

/* A query unit to highlight: n >= 1 analysed terms at consecutive positions. */
typedef struct ng_snip_phrase {
    const char *const *terms; /* analysed terms */
    const size_t *lens;       /* their lengths */
    size_t n;                 /* 1 for a single term */
} ng_snip_phrase;

int ng_snippet__make(ng_buf *out, ng_range **ranges_out, size_t *n_ranges_out,
                     ng_analyzer *a, const char *text, size_t len,
                     const ng_snip_phrase *phrases, size_t n_phrases, size_t words);

/* Flags of ng_snippet__render(). */
#define NG_SNIP_ELLIPSIS_BEFORE 0x01u /* prefix "…" */
#define NG_SNIP_ELLIPSIS_AFTER 0x02u  /* suffix "…" */

/* Internal to src/snippet (exposed for tests): write the normalised bytes
** text[start..end) to out (cleared first), widening start backwards over
** opening punctuation down to lo and end forwards over closing punctuation
** up to hi (lo <= start <= end <= hi <= len).  hl[0..n_hl) are sorted,
** non-overlapping source byte ranges within [start,end); *ranges_out
** receives them mapped to offsets in out (NULL when n_hl == 0). */
int ng_snippet__render(ng_buf *out, ng_range **ranges_out, size_t *n_ranges_out,
                       const char *text, size_t len, size_t start, size_t end,
                       size_t lo, size_t hi, unsigned flags,
                       const ng_range *hl, size_t n_hl);

#endif
