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
** (NG_NS_WORD) keep no list at all: only their df and cf are counted.
*/
/* FNV-1a (ng_int.h): short terms, good enough spread for open addressing. */
static inline uint32_t ng_mt__hash_more(uint32_t h, const char *p, size_t n)
{
    return ng__fnv1a_more(h, p, n);
}
static inline uint32_t ng_mt__hash(const char *p, size_t n)
{
    return ng__fnv1a(p, n);
}

/* ng__vint_put with the one-byte case inline: most deltas and tfs are small. */
static inline size_t ng_mt__vint(uint8_t *out, uint64_t v)
{
    if (v < 0x80) {
        out[0] = (uint8_t)v;
        return 1;
    }
    return ng__vint_put(out, v);
}

/* Bytewise equality of short terms: cheaper inline than a memcmp call. */
static inline int ng_mt__same(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

typedef struct mt_term {
    uint32_t hash;      /* of the term bytes */
    uint32_t len;       /* term bytes */
    uint32_t last_doc;  /* last document appended, or UINT32_MAX */
    uint32_t df;        /* documents */
    uint64_t cf;        /* occurrences (kept for lexicon terms only) */
    uint8_t *data;      /* encoded postings (not for lexicon terms) */
    size_t size, cap;   /* of data */
    char term[];        /* the term, not NUL-terminated */
} mt_term;

typedef struct ng_memtable {
    mt_term **slots;          /* open addressing, power-of-two size */
    size_t n_slots, n_terms;
    uint32_t *lens;           /* document lengths */
    int32_t *dates;           /* document dates (days), parallel to lens */
    size_t n_docs, lens_cap, dates_cap;
    size_t bytes;             /* memory in use, for the flush threshold */
    uint64_t tokens;          /* tokens of all documents */
} ng_memtable;

int ng_mt__init(ng_memtable *mt);
void ng_mt__free(ng_memtable *mt);
void ng_mt__reset(ng_memtable *mt);
/*
** Add document number mt->n_docs one distinct term at a time, then end it.
** The analysis threads have already grouped the document's occurrences by
** term (pipeline.c), so the inverting thread probes the table once per
** distinct term, with a hash computed by them (hash = ng_mt__hash(term,
** len)), and appends ready-made bytes:
**   post[0..post_len) = vint tf, tf x vint position delta   (positional)
** A lexicon term (NG_NS_WORD) needs only tf; post is ignored.
*/
int ng_mt__add_doc_term(ng_memtable *mt, const char *term, size_t len, uint32_t hash, uint32_t tf,
                        const uint8_t *post, size_t post_len);
int ng_mt__doc_end(ng_memtable *mt, uint32_t doclen, int32_t date);
/*
** The table is far larger than the caches, so each add costs a few cache
** misses (slot, term, list tail).  The caller knows the next terms' hashes:
** it asks for the slot some terms ahead, the term a few later, and the
** list tail just before the add, so that the misses overlap.  Hints only.
*/
static inline void ng_mt__prefetch_slot(const ng_memtable *mt, uint32_t hash)
{
    __builtin_prefetch(&mt->slots[hash & (mt->n_slots - 1)]);
}
static inline void ng_mt__prefetch_term(const ng_memtable *mt, uint32_t hash)
{
    const mt_term *t = mt->slots[hash & (mt->n_slots - 1)];
    if (t) __builtin_prefetch(t);
}
static inline void ng_mt__prefetch_tail(const ng_memtable *mt, uint32_t hash)
{
    const mt_term *t = mt->slots[hash & (mt->n_slots - 1)];
    if (t && t->hash == hash && t->data) __builtin_prefetch(t->data + t->size, 1);
}
/* Terms sorted by bytes into a new array (caller frees). */
int ng_mt__sorted(const ng_memtable *mt, mt_term ***out);

/* Write the memtable as segment seg_id in dir (.tdi .pst .pos; the .doc
** file is written by the caller as documents arrive, the .len file by
** ng_seg__write_lengths).  With release, each term's list is freed once
** encoded, so that the memory of a flush on its own thread goes back
** while it runs.  With split, a helper thread encodes the second half of
** the terms (flush.c); the files are the same bytes either way. */
int ng_seg__write_inverted(ng_memtable *mt, const char *dir, uint32_t seg_id, int release, int split,
                           uint64_t *n_terms_out);
int ng_seg__write_lengths(const ng_memtable *mt, const char *dir, uint32_t seg_id);

/**************************************************************************
** Interface to code in src/index/pipeline.c -- parallel analysis.
**
** Documents are copied into the slots of a ring in the order they are
** added.  Analysis threads turn each slot's document into its list of
** distinct terms, in order of first occurrence, each with its precomputed
** hash, its tf and its memtable bytes (vint tf, position deltas) already
** encoded: everything per token happens on those threads, each with its
** own vocabulary (vocab.c).  The writer's thread takes the slots back
** strictly in ring order and adds their terms to the one memtable (one
** probe per distinct term), so the index is the same whatever the number
** of threads; the slot's text buffer then goes to the store queue.  The
** caller's thread helps analysing while it waits.
**
**   submit:  ng_pipe__slot -> fill job -> ng_pipe__submit
**   consume: ng_pipe__done(p, wait) -> ng_mt__add_doc_term per term
**            -> ng_pipe__release
*/
enum { NG_JOB_ADD = 1, NG_JOB_DELETE };

/* One distinct term of an analysed document. */
typedef struct ng_termrec {
    uint32_t hash;      /* ng_mt__hash of the term bytes */
    uint32_t off, len;  /* term bytes at job->terms.ptr + off */
    uint32_t tf;        /* occurrences in the document */
    uint32_t post_off;  /* memtable bytes at job->post.ptr + post_off */
    uint32_t post_len;  /* 0 for lexicon terms (NG_NS_WORD) */
} ng_termrec;

/* Per-token scratch of the analysis: term occurrences chained per term. */
typedef struct ng_occ {
    uint32_t pos;       /* position in the document */
    uint32_t next;      /* next occurrence of the same term + 1, 0 at the end */
} ng_occ;

/* Per-term scratch of the analysis, parallel to ng_job.recs. */
typedef struct ng_reclink {
    uint32_t first, last; /* its occurrences in ng_job.occ, + 1 */
} ng_reclink;

typedef struct ng_job {
    int op;                 /* NG_JOB_ADD, NG_JOB_DELETE (of doc.id) */
    int state;              /* ring state, pipeline.c */
    unsigned origin;        /* NG_ORIGIN_* of the writer: stats bookkeeping */
    ng_document doc;        /* fields point into text */
    ng_buf text;            /* copies of the fields */
    ng_termrec *recs;       /* distinct terms, in order of first occurrence */
    size_t n_recs, recs_cap;
    ng_buf terms;           /* term bytes of recs */
    ng_buf post;            /* memtable bytes of recs */
    uint32_t doclen;        /* title tokens + body tokens */
    int rc;                 /* analysis failure, with its message in err */
    ng_buf err;
    /* analysis scratch, reused from document to document */
    ng_reclink *links;      /* parallel to recs */
    size_t links_cap;
    ng_occ *occ;            /* occurrences of positional terms */
    size_t n_occ, occ_cap;
} ng_job;

/*
** Vocabulary (vocab.c): the terms an analysing thread has met, so that a
** token costs one lookup.  An entry is a term as the memtable stores it:
** a lexicon word (NG_NS_WORD + word), a stem, a title stem or a name key.
** It remembers what its word gives and its rec in the current document.
** Entry indexes stay valid until the next ng_vocab__doc_start; pointers
** from ng_vocab__ent until the next ng_vocab__find.
*/
#define NG_VOCAB_NONE UINT32_MAX /* ng_vocab_ent.name: the word has no name key */
#define NG_VOCAB_INLINE 11       /* bytes kept in the entry itself */
#define NG_VOCAB_MAX_ENTRIES (96u * 1024) /* past this, forgotten at the next document (vocab.c) */
typedef struct ng_vocab_ent {
    uint32_t hash;   /* ng_mt__hash of the bytes */
    uint32_t stamp;  /* document it last occurred in (ng_vocab__doc_start) */
    uint32_t rec;    /* its rec index in that document */
    uint32_t stem;   /* a word: its stem's entry + 1; a stem: its title term's + 1; 0 = not yet */
    uint32_t name;   /* a word: its name key's entry + 1, 0 = not yet, NG_VOCAB_NONE = none */
    uint8_t len;     /* bytes (at most 1 + 2 x NG_MAX_TERM_BYTES) */
    char inl[NG_VOCAB_INLINE]; /* the bytes if len <= NG_VOCAB_INLINE, else
                                  their uint32_t offset in ng_vocab.bytes */
} ng_vocab_ent; /* 32 bytes: two to a cache line */
typedef struct ng_vocab_slot {
    uint32_t hash;        /* of the entry: most mismatches end here */
    uint32_t ent;         /* entry index + 1, 0 = free */
} ng_vocab_slot;
typedef struct ng_vocab {
    ng_vocab_ent *ent;    /* cache-line aligned inside ent_mem */
    void *ent_mem;
    size_t n_ent, ent_cap;
    ng_vocab_slot *table;
    uint32_t n_slots;     /* power of two, at least twice n_ent */
    ng_buf bytes;         /* the bytes of entries longer than NG_VOCAB_INLINE */
    uint32_t stamp;       /* of the current document, from 1 */
} ng_vocab;
int ng_vocab__new(ng_vocab **out);
void ng_vocab__free(ng_vocab *v);
/* A new document: returns its stamp.  Past its size limit the vocabulary
** is emptied here, between documents. */
uint32_t ng_vocab__doc_start(ng_vocab *v);
/* The hash of ns + s[0..n) (ns 0: none), as ng_mt__hash, without a copy. */
static inline uint32_t ng_vocab__hash(char ns, const char *s, size_t n)
{
    return ng_mt__hash_more(ns ? ng_mt__hash(&ns, 1) : ng_mt__hash("", 0), s, n);
}
/* The entry of ns + s[0..n), whose hash is h, made if new. */
int ng_vocab__find(ng_vocab *v, char ns, const char *s, size_t n, uint32_t h, uint32_t *e);
/* Hints: the table slot of a term to be found soon, and a little later its
** entry.  Tokens are looked up in small batches so that the misses of a
** batch overlap. */
static inline void ng_vocab__prefetch_slot(const ng_vocab *v, uint32_t hash)
{
    __builtin_prefetch(&v->table[hash & (v->n_slots - 1)]);
}
static inline void ng_vocab__prefetch_ent(const ng_vocab *v, uint32_t hash)
{
    const ng_vocab_slot *s = &v->table[hash & (v->n_slots - 1)];
    if (s->ent) __builtin_prefetch(&v->ent[s->ent - 1]);
}
/* The entry of the stem of a word, when the word's entry has come in. */
static inline void ng_vocab__prefetch_stem(const ng_vocab *v, uint32_t hash)
{
    const ng_vocab_slot *s = &v->table[hash & (v->n_slots - 1)];
    if (s->ent && s->hash == hash && v->ent[s->ent - 1].stem) __builtin_prefetch(&v->ent[v->ent[s->ent - 1].stem - 1]);
}
static inline ng_vocab_ent *ng_vocab__ent(ng_vocab *v, uint32_t e) { return &v->ent[e]; }
static inline const char *ng_vocab__bytes(const ng_vocab *v, const ng_vocab_ent *x)
{
    uint32_t off;
    if (x->len <= NG_VOCAB_INLINE) return x->inl;
    memcpy(&off, x->inl, sizeof off);
    return v->bytes.ptr + off;
}

typedef struct ng_pipe ng_pipe;

/* threads: analysing threads in all, the caller's included (>= 1). */
int ng_pipe__new(ng_pipe **out, const char *lang, unsigned threads);
void ng_pipe__free(ng_pipe *p);
/* The next free slot, or NULL when the ring is full (consume first). */
ng_job *ng_pipe__slot(ng_pipe *p);
/* Hand the slot returned by ng_pipe__slot to the analysis threads. */
void ng_pipe__submit(ng_pipe *p);
/* The oldest submitted job once analysed, or NULL: none pending, or (when
** !wait) the oldest not analysed yet.  With wait the caller analyses queued
** jobs itself while it waits. */
ng_job *ng_pipe__done(ng_pipe *p, int wait);
/* Free the job returned by ng_pipe__done. */
void ng_pipe__release(ng_pipe *p);
/* Jobs submitted and not yet released. */
size_t ng_pipe__pending(const ng_pipe *p);
/* Copy doc into job (fields, lengths resolved) for NG_JOB_ADD. */
int ng_pipe__fill(ng_job *job, const ng_document *doc);

/**************************************************************************
** Interface to code in src/index/sources.c -- the SOURCES-G file
** (FORMAT.md section 1a): the files an index was built from, with their
** stat and the content hash of each document they gave, so that a second
** run over the same paths reads only what changed.
*/
typedef struct src_file {
    uint32_t path_off, path_len; /* path bytes in ng_sources.bytes */
    uint64_t size;               /* st_size when last read */
    int64_t mtime_ns;            /* st_mtim when last read */
    uint32_t first, n;           /* its entries: ents[first .. first+n) */
    uint8_t stale;               /* a document of it was changed through the API: read it again */
    uint8_t seen;                /* visited by this run's walk */
    uint8_t dead;                /* gone: not saved */
} src_file;

typedef struct src_ent {
    uint64_t hash;               /* ng_src__doc_hash of the document */
    uint32_t id_off, id_len;     /* id bytes in ng_sources.bytes */
    uint32_t file;               /* index in files */
    uint8_t live;                /* the owner of its id: the file that gave the indexed copy */
} src_ent;

typedef struct ng_sources {
    ng_buf bytes;                /* paths and ids */
    src_file *files;
    size_t n_files, files_cap;
    src_ent *ents;
    size_t n_ents, ents_cap;
    uint32_t *id_map;            /* id -> entry + 1 (its latest entry) */
    size_t id_slots, n_ids;
    uint32_t *path_map;          /* path -> file + 1 */
    size_t path_slots;
    int modified;                /* differs from the file it was loaded from */
} ng_sources;

/* Load SOURCES-gen from dir: an empty set if gen is 0 or the file is
** missing; a damaged file is a warning through lg and an empty set. */
int ng_src__load(ng_sources **out, const char *dir, uint64_t gen, const ng_logger *lg);
void ng_src__free(ng_sources *s);
/* Write SOURCES-gen (fsynced; the commit fsyncs the directory). */
int ng_src__save(const ng_sources *s, const char *dir, uint64_t gen);
int ng_src__path(ng_buf *out, const char *dir, uint64_t gen);
size_t ng_src__bytes(const ng_sources *s); /* memory held */
uint64_t ng_src__doc_hash(const ng_document *doc);
src_file *ng_src__file(ng_sources *s, const char *path, size_t len);
/* The live entry of id, or NULL. */
src_ent *ng_src__owner(ng_sources *s, const char *id, size_t len);
/* Find or add the file record of path (new: zero stat, no entries). */
int ng_src__add_file(ng_sources *s, const char *path, size_t len, uint32_t *index_out);
/* Append a live entry (file, id, hash); the id's previous owner is not live any more. */
int ng_src__add_ent(ng_sources *s, uint32_t file, const char *id, size_t len, uint64_t hash);
/* The document id was replaced or deleted through the API. */
void ng_src__forget(ng_sources *s, const char *id, size_t len);

/* The regular files under a path, as the reader of files visits them. */
typedef struct ng_src_item {
    size_t path_off, path_len;   /* NUL-terminated path in ng_src_list.bytes */
    uint64_t size;
    int64_t mtime_ns;
} ng_src_item;
typedef struct ng_src_list {
    ng_src_item *items;
    size_t n, cap;
    ng_buf bytes;
    uint64_t skipped;            /* entries skipped with a warning */
} ng_src_list;
/* Append the files under path (stat only).  NG_ENOTFOUND if path does
** not exist; problems below it are warnings through lg. */
int ng_src__walk(ng_src_list *out, const char *path, const ng_logger *lg);
void ng_src__list_free(ng_src_list *l);

/**************************************************************************
** Interface to code in src/index/storeq.c -- the document store on its
** own thread: documents are stored in the order pushed.
*/
typedef struct ng_storeq ng_storeq;
/* threaded = 0: push stores at once, on the caller's thread. */
int ng_storeq__new(ng_storeq **out, int threaded);
void ng_storeq__free(ng_storeq *q);
/* Queue doc for ng_store__enc_add(enc, doc); an earlier failure of the
** thread is returned here or by the next sync.  doc's fields point into
** *text, which the queue takes: *text receives a spare buffer in return
** (so the fields are not copied, and doc must not be read after). */
int ng_storeq__push(ng_storeq *q, ng_store_enc *enc, const ng_document *doc, ng_buf *text);
/* Wait until every queued document is stored. */
int ng_storeq__sync(ng_storeq *q);

/**************************************************************************
** Interface between src/index/writer.c (the writer: lock, segments,
** tombstones, merges, commit) and src/index/update.c (incremental
** updates from files, driven by SOURCES).
*/
#include <pthread.h>

typedef struct wseg {
    ng_store store;      /* for id lookups, opened lazily */
    int store_open;
    ng_lens lens;        /* to keep live_tokens exact on deletion */
    int lens_open;
    uint8_t *dels;       /* tombstone bitmap, loaded lazily */
    int dirty;           /* dels changed since the last commit */
    uint64_t *ids;       /* Bloom filter of its ids (segments of this writer), or NULL */
    uint64_t ids_mask;   /* bits in the filter - 1 */
} wseg;

typedef struct id_slot {
    uint32_t hash, off, len, doc; /* id bytes at id_bytes.ptr + off */
} id_slot;

/*
** A background merge.  The inputs are an adjacent run of the working
** manifest, pick[0] .. pick[0]+n-1, with a copy of their metas and
** tombstones taken when the merge started.  Segments are only appended
** while it runs (nothing is dropped before the commit, which waits for
** it), so the run stays where it was.
*/
typedef struct bg_merge {
    pthread_t tid;
    int running;          /* chosen at a flush and not yet applied */
    int launched;         /* its thread was started (after the flush thread ended) */
    volatile int cancel;  /* polled by ng_merge__run */
    const char *dir;
    uint32_t *pick;       /* indexes of the inputs in the working manifest */
    uint32_t n;
    ng_seg_meta *segs;    /* the inputs' metas when the merge started */
    uint8_t **dels;       /* copies of their tombstones then */
    uint32_t new_id;
    uint32_t due;         /* the flush (ng_writer.flushes) that applies it */
    int rc;               /* result, with its message in err */
    ng_buf err;
    ng_seg_meta out;      /* the merged segment */
    double started, seconds; /* monotonic start; run time (for the debug log) */
    uint32_t **remap;     /* per input: old docid -> new docid or UINT32_MAX */
} bg_merge;

/*
** A flush on its own thread: the inverted files of the segment just
** closed are written from the full memtable while the next one fills.
** The segment is in the working manifest already (its .doc and .len are
** written, so replacements can tombstone its documents); only its term
** count waits for the thread, and merges leave it out until then.
*/
typedef struct bg_flush {
    pthread_t tid;
    int running;          /* started and not yet joined */
    ng_memtable mt;       /* the memtable being written; empty otherwise */
    const char *dir;
    uint32_t seg_id;
    size_t n_docs;
    uint64_t n_terms;     /* result */
    int rc;               /* with its message in err */
    ng_buf err;
    double started, seconds;
} bg_flush;

enum { NG_ORIGIN_API = 0, NG_ORIGIN_FILE = 1 };

struct ng_writer {
    char *dir;
    int lock_fd;
    ng_manifest man;      /* working copy: what the next commit writes */
    wseg *ws;             /* parallel to man.segs */
    uint32_t first_new_seg; /* segments from this id on were written by this writer */
    size_t ws_cap;
    uint32_t *committed;  /* segment ids named by the committed MANIFEST */
    uint32_t n_committed;
    int changed;          /* anything to commit */
    int broken;           /* an earlier failure left the session inconsistent */
    ng_logger log;
    size_t mem_limit;
    ng_pipe *pipe;        /* analysis threads */
    ng_storeq *sq;        /* the store thread */
    uint64_t store_ids;   /* id bytes stored in the segment being built (memory estimate) */
    ng_sources *src;      /* SOURCES: files and their documents */
    int src_dirty;        /* src differs from the committed SOURCES file */
    int merging;          /* background merges allowed */
    bg_merge bg;
    bg_flush fl;
    int flush_threaded;   /* flushes run on their own thread (more than one core asked) */
    uint32_t flushes;     /* segments flushed by this writer */
    ng_writer_stats st;
    ng_progress_fn progress;
    void *progress_payload;
    double t0, last_tick; /* monotonic seconds: open, last progress call */
    /* the segment being built */
    ng_memtable mt;
    int seg_open;
    uint32_t seg_id;
    ng_fwriter docfw;
    ng_store_enc store;
    uint8_t *mt_dels;
    size_t mt_dels_cap;
    id_slot *ids;         /* open-addressing id map of the memtable */
    size_t ids_slots, ids_n;
    ng_buf id_bytes;
};

/* Queue a document (copied) for analysis and inversion, in order. */
int ng_writer__submit(ng_writer *w, const ng_document *doc, unsigned origin);
/* Queue the deletion of id, ordered after the documents queued before. */
int ng_writer__submit_delete(ng_writer *w, const char *id, size_t len);
/* Invert every analysed document that is ready (wait: all of them). */
int ng_writer__drain(ng_writer *w, int wait);
/* Call the progress callback if a quarter second passed (force: now). */
int ng_writer__tick(ng_writer *w, int force);
double ng_writer__now(void);

#endif

