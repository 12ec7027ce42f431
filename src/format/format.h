/*
** format.h -- the on-disk format of a newsgrep index (doc/FORMAT.md).
**
** Encoders and decoders sit side by side in each src/format/ file.  Every
** decoder works on untrusted mmap'ed bytes: it bounds-checks each read and
** reports damage as NG_ECORRUPT through ng__corrupt(), never by assert().
**
** An index directory holds:
**   MANIFEST              the live generation: segment list and corpus stats
**   LOCK                  the writer lock (flock) with the holder's pid
**   seg-NNNNNN.tdi        term dictionary (front-coded blocks + sparse index)
**   seg-NNNNNN.pst        postings: doc-id gaps and term frequencies, in
**                         blocks of 128 with skip and block-max data
**   seg-NNNNNN.pos        positions, delta-encoded, bit-packed per block
**   seg-NNNNNN.len        document lengths in tokens (BM25)
**   seg-NNNNNN.doc        zlib-compressed stored fields + sorted id table
**   seg-NNNNNN.del-G      tombstones of generation G (bitmap)
*/
#ifndef NG_FORMAT_H
#define NG_FORMAT_H

#include "ng_int.h"

#define NG_FMT_VERSION 5           /* on-disk format version (FORMAT.md "Versions") */
#define NG_FMT_FRONT 4            /* most (tf, len) points of a block's block-max data */
#define NG_FMT_BLOCK 128           /* postings per block: docids are bit-packed 128 at a time */
#define NG_FMT_HEADER_SIZE 16      /* magic[8] version u32 seg_id u32 */
#define NG_FMT_FOOTER_SIZE 24      /* meta_off u64, meta_len u32, meta_crc u32, file_crc u32, "NGE1" */
#define NG_FMT_DICT_BLOCK 32       /* terms per front-coded dictionary block */
#define NG_FMT_STORE_BLOCK 65536   /* uncompressed bytes per document-store block (>= 1 doc) */
#define NG_FMT_MAX_DOCS 0x7fffffffu /* docids are u32 with room for a sentinel */
#define NG_FMT_DOCID_END 0xffffffffu /* "no more documents" in cursors */

/* File kinds and their magics (8 bytes, the last one a kind byte). */
typedef enum ng_fkind {
    NG_FK_TDI = 0, NG_FK_PST, NG_FK_POS, NG_FK_LEN, NG_FK_DOC, NG_FK_DEL, NG_FK_MANIFEST, NG_FK_COUNT
} ng_fkind;

extern const char *const ng_fmt_ext[NG_FK_COUNT]; /* "tdi", "pst", ... */

/**************************************************************************
** Framing common to every file (segfile.c) -- FORMAT.md section 2.
**
**   header:  magic[8]  u32 version  u32 seg_id (from the file name "seg-N.*",
**            0 for other names: binds a file to its segment)
**   body:    kind-specific
**   meta:    kind-specific, small; its CRC is checked on open
**   footer:  u64 meta_off  u32 meta_len  u32 meta_crc
**            u32 file_crc (bytes [0, size-8))  u32 end magic "NGE1"
*/
typedef struct ng_fwriter {
    int fd;             /* open for writing */
    char *path;         /* final path (file is written in place, named in the manifest only after fsync) */
    uint64_t off;       /* bytes written so far */
    uint32_t crc;       /* running CRC of everything written */
    ng_buf buf;         /* write-behind buffer */
} ng_fwriter;

int ng_fmt__fw_open(ng_fwriter *w, const char *path, ng_fkind kind);
int ng_fmt__fw_write(ng_fwriter *w, const void *p, size_t n);
/* Write meta + footer, fsync, close.  */
int ng_fmt__fw_finish(ng_fwriter *w, const void *meta, size_t meta_len);
void ng_fmt__fw_abort(ng_fwriter *w); /* close and unlink */
/* Append what was written to spill after its header (a scratch file made
** with ng_fmt__fw_open, never finished) to dst; the caller then aborts
** spill.  Spills let threads write parts of one file side by side. */
int ng_fmt__fw_append_spill(ng_fwriter *dst, ng_fwriter *spill);

typedef struct ng_file {
    ng_map map;          /* the whole file */
    const char *name;    /* file name for messages (owned) */
    const uint8_t *body; /* first byte after the header */
    size_t body_len;     /* bytes from body to meta */
    const uint8_t *meta; /* meta section */
    size_t meta_len;
    /* .pst and .pos: one bit per NG_FMT_CRC_GRAIN bytes of the body, set
    ** when the checksummed region starting there has passed its check
    ** (ng_fmt__crc_passed); NULL when not kept. */
    uint8_t *crc_seen;
    size_t crc_seen_len; /* its bytes */
} ng_file;

/* Map path, check magic/version/footer/meta CRC.  NG_ECORRUPT, NG_EVERSION. */
int ng_fmt__open(ng_file *f, const char *path, ng_fkind kind);
void ng_fmt__close(ng_file *f);
/* Verify the whole-file CRC (newsgrep check).  The _streaming one drops
** the file's pages from the process as it goes, so that reading a whole
** file does not grow the resident set (merges, beside a running build). */
int ng_fmt__verify(const ng_file *f);
int ng_fmt__verify_streaming(const ng_file *f);
int ng_fmt__corrupt(const ng_file *f, const uint8_t *at, const char *why);

/* Checks once per open file.  A query verifies each block's CRC the first
** time it decodes it; an index kept open (a server, --batch, a library
** user) would verify the same hot blocks again for every query, and for
** the blocks of frequent words that costs as much as decoding them, since
** the CRC reads every byte where a phrase reads a few documents.  So a
** file remembers which of its checksummed regions have passed.  The
** regions of a .pst or .pos file never overlap (term headers, skip
** entries, blocks, positions blocks), so a region of at least
** NG_FMT_CRC_GRAIN bytes is known by the grain its first byte lies in;
** shorter ones are cheap to check again and are not remembered.  A failed
** check is never remembered: a damaged block fails every time. */
#define NG_FMT_CRC_GRAIN 64
/* Has the region [p, p + len) of f passed its check before? */
int ng_fmt__crc_seen(const ng_file *f, const uint8_t *p, size_t len);
/* Record that it has (no-op for short regions or files without the map). */
void ng_fmt__crc_passed(const ng_file *f, const uint8_t *p, size_t len);
/* Both: 1 if [p, p + len) has the CRC want (checked at most once). */
int ng_fmt__crc_ok(const ng_file *f, const uint8_t *p, size_t len, uint32_t want);

/**************************************************************************
** Bit packing (bitpack.c): n <= 128 values of width w (0..32) bits, LSB
** first, in ceil(n*w/8) bytes.
*/
size_t ng_fmt__pack(uint8_t *out, const uint32_t *in, size_t n, unsigned w);
void ng_fmt__unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned w);
/* The same where avail bytes from in on may be loaded (wide loads). */
void ng_fmt__unpack_in(uint32_t *out, const uint8_t *in, size_t n, unsigned w, size_t avail);
/* Whether unpacking uses AVX2 (when the CPU has it): on = 1 or 0 sets it
** (tests compare both paths), -1 only asks. */
int ng_fmt__unpack_simd(int on);
unsigned ng_fmt__bits(uint32_t v); /* bits needed for v (0 for 0) */
unsigned ng_fmt__max_bits(const uint32_t *v, size_t n);
/* PFor chunks of n (1..128) values (FORMAT.md section 4): encode returns
** the bytes written (at most NG_FMT_PFOR_MAX); size gives the bytes of the
** chunk at p without decoding it (0: invalid or past end); decode advances
** *pp past the chunk and returns -1 if it is invalid. */
#define NG_FMT_PFOR_MAX (3 + 16 * 32 + 128 + 16 * 32)
size_t ng_fmt__pfor_encode(uint8_t *out, const uint32_t *in, size_t n);
size_t ng_fmt__pfor_size(const uint8_t *p, const uint8_t *end, size_t n);
int ng_fmt__pfor_decode(uint32_t *out, size_t n, const uint8_t **pp, const uint8_t *end);
/* The same where bytes up to readable (>= end) may be loaded, though only
** those before end belong to the chunk: wide loads then run in place to
** the chunk's last group instead of from a padded copy. */
int ng_fmt__pfor_decode_in(uint32_t *out, size_t n, const uint8_t **pp, const uint8_t *end, const uint8_t *readable);

/**************************************************************************
** One block's positions (positions.c) -- FORMAT.md section 5: Golomb-Rice
** codes with one parameter k for the block.
*/
#define NG_FMT_POS_QMAX 56   /* a unary part (its one bit included) is shorter */

/* values: each document's tf values (the first position, then pos - prev
** - 1), documents in order; tfs: the n documents' frequencies.  Appends
** to out. */
int ng_fmt__pos_encode(ng_buf *out, const uint32_t *values, const uint32_t *tfs, uint32_t n);

/* Reader of one block's positions, one document at a time (any order,
** cheapest in increasing order).  Functions return 0, or -1 with why set. */
typedef struct ng_pos_reader {
    const uint8_t *p, *end, *readable; /* the block's bytes; loads may reach readable */
    const uint32_t *tfs;
    uint32_t n;                        /* documents in the block */
    uint32_t start[NG_FMT_BLOCK + 1];  /* index of each document's first value */
    const char *why;                   /* what was wrong, after a -1 */
    unsigned k;                        /* the block's Rice parameter */
    const uint8_t *un, *lo;            /* the unary parts (from bit 5), the low bits */
    uint64_t bits;                     /* bits from un to lo */
    int slack, slack_end;              /* 8 readable bytes past lo, past end */
    uint64_t uval, ubit;               /* the unary reader: value uval starts at bit ubit */
} ng_pos_reader;

int ng_fmt__pos_open(ng_pos_reader *r, const uint8_t *p, size_t len, const uint8_t *readable, const uint32_t *tfs,
                     uint32_t n);
/* Document i's tfs[i] positions, absolute, into out. */
int ng_fmt__pos_doc(ng_pos_reader *r, uint32_t i, uint32_t *out);
/* After the last document: the bytes end exactly where the values do. */
int ng_fmt__pos_finish(ng_pos_reader *r);
/* Every document's positions at once, document after document (start[]
** says where each begins), then the finish check: a whole-block decode
** (merges, checks) without a skip or a call per document. */
int ng_fmt__pos_all(ng_pos_reader *r, uint32_t *out);

/**************************************************************************
** Postings and positions (postings.c) -- FORMAT.md sections 4 and 5.
*/

/* Encoder: fed one term at a time, documents in increasing order. */
typedef struct ng_post_enc {
    ng_buf pst;                 /* the term's postings bytes */
    ng_buf pos;                 /* the term's position bytes (without pos_sink) */
    ng_fwriter *pos_sink;       /* if set, each block's positions are written here at once */
    uint64_t pos_len;           /* bytes of the term's positions so far */
    ng_buf blocks;              /* scratch: block bodies */
    ng_buf skips;               /* scratch: skip entries */
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], lens[NG_FMT_BLOCK];
    uint32_t *posv; size_t posv_n, posv_cap; /* positions of the current block */
    size_t n;                   /* docs in the current block */
    uint32_t prev_last;         /* last docid of the previous block, or END */
    uint32_t df;                /* docs in the term so far */
    uint64_t cf;                /* total tf so far */
    uint32_t n_blocks;
    uint64_t pos_bytes_before;  /* positions bytes of earlier blocks */
} ng_post_enc;

void ng_post__enc_init(ng_post_enc *e);
void ng_post__enc_free(ng_post_enc *e);
void ng_post__enc_reset(ng_post_enc *e);
/* Add doc with tf positions (strictly increasing) and its length (for block-max). */
int ng_post__enc_add(ng_post_enc *e, uint32_t doc, const uint32_t *pos, uint32_t tf, uint32_t doclen);
/* Finish the term: e->pst holds its postings; its pos_len bytes of
** positions are in e->pos, or already written to e->pos_sink (set it
** after init: a merge of the largest terms then holds one block of
** positions in memory, not the whole list). */
int ng_post__enc_finish(ng_post_enc *e);

/* A skip entry / block descriptor. */
typedef struct ng_post_block {
    uint32_t last_doc;   /* last docid in the block */
    uint32_t n;          /* docs in the block (1..128) */
    uint32_t max_tf;     /* largest tf in the block (= front_tf[0]) */
    uint32_t min_len;    /* smallest document length (= front_len[n_front - 1]) */
    uint32_t n_front;    /* block-max data: 1..NG_FMT_FRONT points (tf, len) */
    uint32_t front_tf[NG_FMT_FRONT], front_len[NG_FMT_FRONT];
    const uint8_t *data; /* doc/tf bytes */
    size_t data_len;
    uint64_t pos_off;    /* offset of its positions in the term's positions bytes */
    uint32_t pos_len;
    uint32_t data_crc;   /* CRC-32 of data[0..data_len), checked by ng_post__dec_docs */
    uint32_t pos_crc;    /* CRC-32 of its positions, checked by ng_post__dec_positions */
    int crc_ok;          /* data already verified (single-block terms, on open) */
} ng_post_block;

/* Decoder: reads a term's lists lazily, block by block. */
typedef struct ng_post_dec {
    const ng_file *pf, *xf;      /* .pst and .pos files (for messages) */
    const uint8_t *p, *end;      /* skip entries not yet read */
    const uint8_t *data;         /* next block's data */
    const uint8_t *data_end;     /* end of the term's postings */
    const uint8_t *pos_base, *pos_end; /* the term's position bytes */
    /* how far loads may run past either (the file's body, when the bytes
    ** lie in it): an unpacker's wide loads read on into the next term */
    const uint8_t *data_readable, *pos_readable;
    const uint8_t *pos_ahead;    /* positions asked to be read ahead up to here */
    uint32_t n_blocks, next_block; /* blocks in the term, index of the next to read */
    uint32_t df;
    uint32_t docs_left;          /* documents of the blocks after `cur` */
    uint64_t pos_next;           /* positions offset of the next block */
    uint32_t prev_last;          /* last doc of the block before `cur` */
    ng_post_block cur;           /* the current block's descriptor */
} ng_post_dec;

/* pst/pos: the term's bytes, as located by the dictionary.  Verifies the
** skip entries (or a single-block term whole): NG_ECORRUPT on mismatch. */
int ng_post__dec_open(ng_post_dec *d, const ng_file *pf, const uint8_t *pst, size_t pst_len,
                      const ng_file *xf, const uint8_t *pos, size_t pos_len, uint32_t df);
/* Advance to the next block descriptor (skip entry); NG_ITEROVER at the end. */
int ng_post__dec_next_block(ng_post_dec *d);
/* Decode the current block: docs and tfs (n values each; tfs NULL: the doc
** ids only); checks its CRC. */
int ng_post__dec_docs(ng_post_dec *d, uint32_t *docs, uint32_t *tfs);
/* Check the current block's positions (CRC, once per open file) and open
** a reader on them, tfs being the block's frequencies: NG_ECORRUPT naming
** the file otherwise.  The cursors' and the merges' one way in. */
int ng_post__pos_open(ng_post_dec *d, const uint32_t *tfs, ng_pos_reader *r);
/* Decode the current block's positions: sum(tfs) values, absolute per doc;
** checks their CRC. */
int ng_post__dec_positions(ng_post_dec *d, const uint32_t *tfs, uint32_t *out, size_t n_out);

/* Merges: can d's current block (its descriptor read, nothing decoded)
** go into e as it is, its docids raised by shift?  Yes for a block of a
** long list, full or with e holding no document, whose first gap stays
** the same: the document e holds last (or would follow) is the one
** before the block, raised by shift. */
int ng_post__enc_can_copy(const ng_post_enc *e, const ng_post_dec *d, uint32_t shift);
/* Append d's current block unchanged (ng_post__enc_can_copy must hold):
** the documents e holds are first closed as a short block, the block's
** bytes and positions are checked against their CRCs and copied, and its
** skip entry is rewritten with the new last docid.  df counts its
** documents; cf does not (their tfs are not decoded): the caller adds
** them.  NG_EINVAL, NG_ECORRUPT, NG_EIO, NG_ENOMEM. */
int ng_post__enc_copy_block(ng_post_enc *e, const ng_post_dec *d, uint32_t shift);

/**************************************************************************
** Term dictionary (termdict.c) -- FORMAT.md section 3.
*/
typedef struct ng_term_info {
    uint32_t df;          /* documents containing the term */
    uint64_t cf;          /* total occurrences */
    uint64_t pst_off;     /* offset of its postings in the .pst body */
    uint64_t pst_len;
    uint64_t pos_off;     /* offset of its positions in the .pos body */
    uint64_t pos_len;
} ng_term_info;

typedef struct ng_dict_enc {
    ng_fwriter *fw;      /* the .tdi file */
    ng_buf block;        /* current block */
    ng_buf index;        /* sparse index: u64 offsets of blocks */
    ng_buf prev;         /* previous term */
    uint32_t in_block;   /* terms in the current block */
    size_t first_len;    /* bytes of the block's first entry (first_crc covers them) */
    uint64_t n_terms;
    uint64_t prev_pst, prev_pos;
} ng_dict_enc;

void ng_dict__enc_init(ng_dict_enc *e, ng_fwriter *fw);
void ng_dict__enc_free(ng_dict_enc *e);
/* Terms must come in strictly increasing byte order. */
int ng_dict__enc_add(ng_dict_enc *e, const char *term, size_t len, const ng_term_info *ti);
int ng_dict__enc_finish(ng_dict_enc *e); /* writes blocks, index and meta; finishes fw */

typedef struct ng_dict {
    ng_file f;
    uint64_t n_terms;
    uint64_t n_blocks;
    const uint8_t *index; /* n_blocks u64 block offsets (relative to body) */
    _Atomic(uint8_t) *checked; /* n_blocks bytes: which CRCs of each block were verified
                                  (termdict.c); shared by the threads using d */
} ng_dict;

int ng_dict__open(ng_dict *d, const char *path);
void ng_dict__close(ng_dict *d);
/* Exact lookup; NG_ENOTFOUND if absent. */
int ng_dict__lookup(const ng_dict *d, const char *term, size_t len, ng_term_info *out);

/* Ordered iteration from the first term >= `from` (all terms if from_len 0). */
typedef struct ng_dict_iter {
    const ng_dict *d;
    uint64_t block;        /* current block number */
    const uint8_t *p, *end;/* position in the current block */
    uint32_t left;         /* terms left in the block */
    char term[256];        /* current term */
    size_t term_len;
    ng_term_info ti;
    uint64_t prev_pst, prev_pos;
} ng_dict_iter;
int ng_dict__iter_seek(ng_dict_iter *it, const ng_dict *d, const char *from, size_t from_len);
/* NG_OK positioned on a term, NG_ITEROVER at the end, NG_ECORRUPT. */
int ng_dict__iter_next(ng_dict_iter *it);

/**************************************************************************
** Document store (docstore.c) -- FORMAT.md section 6.
*/
typedef struct ng_store_enc {
    ng_fwriter *fw;
    ng_buf raw;          /* current block, uncompressed */
    ng_buf comp;         /* compression scratch */
    ng_buf table;        /* block table: u64 off, u32 first_doc, u32 clen, u32 rlen */
    ng_buf ids;          /* id blob: vint len, bytes, vint docid per doc */
    uint32_t *id_offs;   /* offset of each doc's entry in ids */
    size_t id_cap;
    uint32_t n_docs, block_first, n_blocks;
    void *deflater;      /* libdeflate's compressor, made on the first block (if built with it) */
} ng_store_enc;

void ng_store__enc_init(ng_store_enc *e, ng_fwriter *fw);
void ng_store__enc_free(ng_store_enc *e);
/* Docids are 0,1,2,... in call order. */
int ng_store__enc_add(ng_store_enc *e, const ng_document *doc);
int ng_store__enc_finish(ng_store_enc *e);

typedef struct ng_store {
    ng_file f;
    uint32_t n_docs, n_blocks;
    const uint8_t *table;      /* n_blocks x 24 bytes */
    const uint8_t *id_index;   /* n_docs u32 offsets into id blob, sorted by id */
    const uint8_t *id_blob;
    size_t id_blob_len;
    uint32_t ids_crc;          /* CRC-32 of id blob + id index (meta) */
    int ids_ok;                /* ids verified (set once by the first lookup; atomic) */
    unsigned id_reads;         /* ng_store__id calls before the table below (atomic) */
    uint32_t *id_by_doc;       /* each doc's id blob offset, built on demand (atomic) */
} ng_store;

int ng_store__open(ng_store *s, const char *path);
void ng_store__close(ng_store *s);
/* Decompress doc's block into scratch and point fields[] into it. */
typedef struct ng_field_ref { const char *p; size_t n; } ng_field_ref;
int ng_store__get(const ng_store *s, uint32_t doc, ng_buf *scratch, ng_field_ref fields[NG_FIELD_COUNT]);
/* Look an id up: NG_OK and *doc_out, or NG_ENOTFOUND; the first lookup
** verifies the whole id area (NG_ECORRUPT). */
int ng_store__find(const ng_store *s, const char *id, size_t len, uint32_t *doc_out);
/* doc's id from the id area, without inflating its block: NG_OK, or 1
** while too few ids have been asked for to be worth a docid -> id table
** (the caller reads the block), or NG_ECORRUPT. */
int ng_store__id(const ng_store *s, uint32_t doc, const char **id, size_t *len);

/**************************************************************************
** Document lengths and tombstones (lengths.c) -- FORMAT.md sections 7, 8.
*/
int ng_lens__write(const char *path, const uint32_t *lens, const int32_t *dates, uint32_t n);
typedef struct ng_lens {
    ng_file f;
    uint32_t n_docs;
    const uint8_t *v;      /* n_docs u32 */
    const uint8_t *dates;  /* n_docs i32 days since 1970-01-01, NG_DATE_NONE = none */
    uint64_t total;        /* sum of lengths */
} ng_lens;
int ng_lens__open(ng_lens *l, const char *path);
void ng_lens__close(ng_lens *l);
static inline uint32_t ng_lens__get(const ng_lens *l, uint32_t doc)
{
    return doc < l->n_docs ? ng__get_u32(l->v + 4 * (size_t)doc) : 1;
}
static inline int32_t ng_lens__date(const ng_lens *l, uint32_t doc)
{
    return doc < l->n_docs ? (int32_t)ng__get_u32(l->dates + 4 * (size_t)doc) : NG_DATE_NONE;
}

int ng_del__write(const char *path, const uint8_t *bits, uint32_t n_docs);
/* Loads the bitmap into *bits_out (ng__malloc'ed, ceil(n/8) bytes). */
int ng_del__read(uint8_t **bits_out, const char *path, uint32_t n_docs);

/**************************************************************************
** Manifest (manifest.c) -- FORMAT.md section 9.
*/
typedef struct ng_seg_meta {
    uint32_t id;          /* file names seg-<id> */
    uint32_t n_docs;      /* documents in the segment, deleted included */
    uint32_t n_deleted;   /* tombstoned documents */
    uint32_t del_gen;     /* generation of its .del file, 0 = none */
    uint64_t live_tokens; /* summed length of live documents */
    uint64_t n_terms;     /* distinct terms */
} ng_seg_meta;

typedef struct ng_manifest {
    uint64_t generation;  /* incremented by every commit */
    uint32_t next_seg_id; /* id of the next new segment */
    char lang[32];        /* Snowball language of every segment */
    ng_seg_meta *segs;
    uint32_t n_segs;
    size_t cap;
} ng_manifest;

int ng_manifest__read(ng_manifest *m, const char *dir); /* NG_ENOTFOUND if none */
int ng_manifest__write(const ng_manifest *m, const char *dir); /* atomic + dir fsync */
void ng_manifest__free(ng_manifest *m);
int ng_manifest__copy(ng_manifest *dst, const ng_manifest *src);
int ng_fmt__seg_path(ng_buf *out, const char *dir, uint32_t seg_id, ng_fkind kind, uint32_t gen);

#endif
