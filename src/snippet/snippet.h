/*
** snippet.h -- the best passage of a document for a query, with highlights.
**
** The text is re-tokenized with the index's analyzer (FTS5's approach: no
** offsets are stored in the index) and every token whose term equals a query
** term, or that starts a run matching a query phrase, is a match.  The
** window of about `words` words is chosen to hold the most distinct query
** terms, then the closest together, then the earliest; it starts at a
** sentence start when one lies within a few words before the first match.
**
** Output text: the window's bytes with runs of whitespace collapsed to one
** space, C0/C1 control characters replaced by a space, invalid UTF-8
** replaced by U+FFFD, and "…" (U+2026) where the window cuts the text.  It
** is always valid UTF-8 and safe to print.  Ranges are byte offsets into the
** output text, sorted, non-overlapping; a phrase match is one range.
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

#endif
