/*
** docstore.h -- block-level access to the document store (docstore.c,
** FORMAT.md section 6), for segment merges.
**
** A merge copies the compressed blocks of its inputs' stores as they are
** whenever every document of a block stays live, instead of inflating and
** deflating them again; only blocks holding deleted documents (and small
** ones, so that they coalesce) are decoded and their live records re-added
** one by one with ng_store__enc_add().  Usage:
**
**     ng_fmt__verify_streaming(&src->f);                          // whole-file CRC
**     ng_store__ids_begin(src, &ids);
**     for (b = 0; b < src->n_blocks; b++) {
**         ng_store_block blk;
**         if ((rc = ng_store__block_info(src, b, &blk))) break;      // table only
**         if (no document of blk is live) continue;
**         if (keep it whole) { rc = ng_store__enc_copy_block(&enc, src, &ids, &blk); continue; }
**         if ((rc = ng_store__block_load(src, &blk, &scratch))) break; // inflate, verify
**         while (records left) {
**             ng_store__block_next(&p, end, fields); ... ng_store__enc_add(...)
**         }
**     }
**
** The rest of the store's interface (encoder, open, get, find) is in
** format.h.
*/
#ifndef NG_DOCSTORE_H
#define NG_DOCSTORE_H

#include "format/format.h"

#define NG_STORE_TABLE_ENTRY 24 /* bytes of a block table entry */

/* One block of a store, as its table entry says (ng_store__block_info) and,
** once loaded (ng_store__block_load), with its inflated records. */
typedef struct ng_store_block {
    uint32_t first;        /* docid of its first document, in its own store */
    uint32_t n_docs;       /* documents it holds, >= 1 */
    const uint8_t *comp;   /* its zlib stream, inside the store's mapping */
    uint32_t clen;         /* bytes of the zlib stream */
    uint32_t rlen;         /* bytes of its records once inflated */
    const uint8_t *raw;    /* the rlen inflated bytes (in the caller's scratch), NULL until loaded */
} ng_store_block;

/*
** Describe block b (< s->n_blocks) from the block table alone: the table
** entries of b and of b + 1 (whose first docid bounds b) are checked
** against their CRCs and bounds, as ng_store__get() does.  Nothing is
** inflated.  NG_ECORRUPT (same messages as a read), NG_EINVAL for b out
** of range.
*/
int ng_store__block_info(const ng_store *s, uint32_t b, ng_store_block *out);

/*
** Inflate blk (from ng_store__block_info on s) into scratch and verify it
** as a read does: zlib's adler32, the exact raw length, and exactly
** blk->n_docs well-formed records.  Sets blk->raw, valid until scratch
** changes.  NG_ECORRUPT ("store: block does not decompress", ...),
** NG_ENOMEM.
*/
int ng_store__block_load(const ng_store *s, ng_store_block *blk, ng_buf *scratch);

/*
** Decode the record at *p (inside a loaded block's raw bytes, ending at
** end) into fields[] and move *p past it.  Records of a block that
** ng_store__block_load() accepted always decode; NG_ECORRUPT otherwise.
*/
int ng_store__block_next(const uint8_t **p, const uint8_t *end, ng_field_ref fields[NG_FIELD_COUNT]);

/* A walk of a store's id blob in docid order (ng_store__enc_copy_block). */
typedef struct ng_store_ids {
    const uint8_t *p;  /* the entry of document `next` */
    uint32_t next;
} ng_store_ids;

/* Start a walk of s's ids at document 0, verifying the id area against
** its CRC (NG_ECORRUPT). */
int ng_store__ids_begin(const ng_store *s, ng_store_ids *ids);
/* The id of document ids->next, which it then counts (NG_EINVAL past the
** last document, NG_ECORRUPT for a damaged id blob). */
int ng_store__ids_next(const ng_store *s, ng_store_ids *ids, const char **id, size_t *len);

/*
** Append block blk of store src unchanged, its zlib stream as it is: the
** records pending in e are first closed as a block of their own (so
** docids stay in order), then blk's stream is written, its table entry
** names e's next docid as first docid, and its documents get the next
** blk->n_docs docids.  Their id entries come from src's id blob through
** ids (blocks in increasing order), the stream itself unread: the caller
** has verified src's whole file (ng_fmt__verify_streaming).  With ids
** NULL they come from blk's records, which must be loaded
** (ng_store__block_load, which checks the stream as a read does).
** NG_EINVAL (segment full, blocks out of order, not loaded), NG_ECORRUPT
** (id blob), NG_EIO, NG_ENOMEM.
*/
int ng_store__enc_copy_block(ng_store_enc *e, const ng_store *src, ng_store_ids *ids, const ng_store_block *blk);

#endif
