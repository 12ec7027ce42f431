/*
** index.h -- building segments: the in-memory inversion (memtable.c) and
** the segment writer (flush.c).  The public writer (writer.c) drives them.
*/
#ifndef NG_INDEX_H
#define NG_INDEX_H

#include "format/format.h"

/*
** A memtable term.  Its postings accumulate in `data` as, per document:
**   vint doc - last_doc (the first: doc + 1), vint tf, tf x vint position
**   delta (first position + 1, then pos - prev)
** so one flush pass decodes them in document order.  Lexicon terms
** (NG_NS_WORD) keep no positions: vint doc delta, vint tf only.
*/
typedef struct mt_term {
    uint32_t hash;      /* of the term bytes */
    uint32_t len;       /* term bytes */
    uint32_t last_doc;  /* last document appended, or UINT32_MAX */
    uint32_t cur_doc;   /* document being analysed, for counting tf */
    uint32_t cur_tf;    /* occurrences in cur_doc so far */
    uint32_t last_pos;  /* last position appended in cur_doc */
    uint32_t df;        /* documents */
    uint8_t *data;      /* encoded postings */
    size_t size, cap;   /* of data */
    char term[];        /* the term, not NUL-terminated */
} mt_term;

typedef struct mt_tok {
    mt_term *t;   /* the token's term */
    uint32_t pos; /* its position */
} mt_tok;

typedef struct ng_memtable {
    mt_term **slots;          /* open addressing, power-of-two size */
    size_t n_slots, n_terms;
    mt_tok *toks;             /* tokens of the current document */
    size_t n_toks, toks_cap;
    mt_term **doc_terms;      /* distinct terms of the current document */
    size_t n_doc_terms, doc_terms_cap;
    uint32_t *lens;           /* document lengths */
    int32_t *dates;           /* document dates (days), parallel to lens */
    size_t n_docs, lens_cap, dates_cap;
    size_t bytes;             /* memory in use, for the flush threshold */
    uint64_t tokens;          /* tokens of all documents */
} ng_memtable;

int ng_mt__init(ng_memtable *mt);
void ng_mt__free(ng_memtable *mt);
void ng_mt__reset(ng_memtable *mt);
/* Start document number mt->n_docs; feed tokens; end it (appends postings). */
void ng_mt__doc_begin(ng_memtable *mt);
int ng_mt__add_token(ng_memtable *mt, const char *term, size_t len, uint32_t pos);
int ng_mt__doc_end(ng_memtable *mt, uint32_t doclen, int32_t date);
/* Terms sorted by bytes into a new array (caller frees). */
int ng_mt__sorted(const ng_memtable *mt, mt_term ***out);

/* Write the memtable as segment seg_id in dir (.tdi .pst .pos .len; the
** .doc file is written by the caller as documents arrive). */
int ng_seg__write_inverted(const ng_memtable *mt, const char *dir, uint32_t seg_id, uint64_t *n_terms_out);

#endif
