/*
** reader.h -- a read-only snapshot of an index (reader.c) and term cursors
** over its segments (cursor.c).
**
** Document numbers: a segment holds local docids 0..n_docs-1; the snapshot
** numbers documents globally as seg->base + local, in manifest order, so
** that "ties broken by document order" is well defined across segments.
*/
#ifndef NG_READER_H
#define NG_READER_H

#include <stdatomic.h>

#include "format/format.h"

typedef struct ng_segment {
    ng_seg_meta meta;   /* from the manifest */
    uint64_t base;      /* first global document number */
    ng_dict dict;
    ng_file pst, pos;
    ng_lens lens;
    ng_store store;
    uint8_t *dels;      /* tombstones or NULL */
    uint32_t *del_rank; /* with dels: del_rank[w] = tombstones among docs [0, 64w) */
} ng_segment;

struct ng_index {
    char *dir;
    ng_manifest man;
    ng_segment *segs;
    uint32_t n_segs;
    uint64_t n_docs_total; /* including deleted */
    uint64_t n_live;       /* live documents (BM25's N) */
    double avgdl;          /* average live document length */
    /* An analyzer lent to one ng_query_parse() at a time (api/query.c), NULL
    ** while lent out or before the first parse: a fresh analyzer costs more
    ** than parsing a short query (its stemmer allocates and clears a large
    ** word cache on first use).  Atomic: an index is searched from many
    ** threads, and a thread that finds it lent out makes its own. */
    _Atomic(ng_analyzer *) parse_an;
    /* The last document read by ng_index_document(), lent out the same way:
    ** showing a hit reads its id, title, date and body one call each, and
    ** each would decompress the same store block again. */
    _Atomic(struct ng_doc_cache *) doc_cache;
};

static inline int ng_seg__deleted(const ng_segment *s, uint32_t doc)
{
    return s->dels && (s->dels[doc >> 3] >> (doc & 7)) & 1u;
}

/* Open a decoder on a term's lists in seg, checking that the dictionary's
** offsets stay inside the .pst and .pos bodies (NG_ECORRUPT otherwise). */
int ng_seg__open_term(ng_post_dec *d, const ng_segment *seg, const ng_term_info *ti);

/* Map a global document number to its segment and local docid. */
int ng_index__locate(const ng_index *ix, uint64_t docnum, const ng_segment **seg_out, uint32_t *local_out);

/* Live documents of a term in seg, whose dictionary entry is ti: its df
** less its tombstoned documents.  Only the blocks whose docid range holds a
** tombstone are decoded (skip entries give the ranges, del_rank counts the
** tombstones of a range at once). */
int ng_seg__live_df(const ng_segment *seg, const ng_term_info *ti, uint64_t *out);

/* Live document frequency of term over all segments: tombstoned documents
** are not counted, so that df <= N and scores do not depend on deletions. */
int ng_index__df(const ng_index *ix, const char *term, size_t len, uint64_t *df_out);

#endif
