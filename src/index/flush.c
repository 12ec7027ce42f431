/*
** flush.c -- writes the memtable's inverted lists as a segment's .tdi,
** .pst, .pos and .len files (the .doc file is streamed by writer.c while
** documents arrive).  Terms go out in byte order; each term's list is
** decoded from the memtable's vint form and re-encoded in blocks of 128.
*/
#include <pthread.h>

#include "index/index.h"

typedef struct flush_ctx {
    ng_fwriter pst, pos, tdi;
    int open_pst, open_pos, open_tdi;
    ng_dict_enc dict;
} flush_ctx;

/* One thread's encoder and scratch. */
typedef struct term_coder {
    ng_post_enc enc;
    uint32_t *posv;
    size_t posv_cap;
} term_coder;

/* Decode one memtable term and feed the block encoder. */
static int encode_term(term_coder *c, const ng_memtable *mt, const mt_term *t)
{
    const uint8_t *p = t->data, *end = t->data + t->size;
    uint32_t doc = UINT32_MAX, i;
    int rc;
    ng_post__enc_reset(&c->enc);
    while (p < end) {
        uint64_t dd, tf, pd;
        uint32_t pos = UINT32_MAX;
        if (ng__vint_get(&p, end, &dd) || ng__vint_get(&p, end, &tf) || tf == 0)
            return ng__err(NG_ERROR, "memtable: bad postings (internal)");
        doc = doc == UINT32_MAX ? (uint32_t)(dd - 1) : doc + (uint32_t)dd;
        if ((rc = NG_GROW(c->posv, c->posv_cap, tf)) != NG_OK) return rc;
        for (i = 0; i < tf; i++) {
            if (ng__vint_get(&p, end, &pd)) return ng__err(NG_ERROR, "memtable: bad positions (internal)");
            pos = pos == UINT32_MAX ? (uint32_t)(pd - 1) : pos + (uint32_t)pd;
            c->posv[i] = pos;
        }
        rc = ng_post__enc_add(&c->enc, doc, c->posv, (uint32_t)tf, doc < mt->n_docs ? mt->lens[doc] : 1);
        if (rc) return rc;
    }
    return ng_post__enc_finish(&c->enc);
}

/* ------------------------------------------------------------------ */
/* Chunks: runs of terms encoded into memory, by two threads at once    */
/* ------------------------------------------------------------------ */

/* The terms are cut into chunks of about CHUNK_BYTES of memtable lists;
** the caller's thread and one helper each take the next chunk not yet
** taken and encode it into the chunk's buffers, and the caller writes the
** chunks out in order, so the files are the same bytes as one thread's.
** At most CHUNKS_IN_FLIGHT chunks are held.  A term whose list alone
** passes CHUNK_BYTES (a stopword's) is not held at all: the caller encodes
** it when everything before it is written, streaming its positions to the
** file block by block as one thread always did, so memory stays a few
** small chunks over what the flush took before. */
#define CHUNKS_IN_FLIGHT 4
size_t ng__flush_chunk_bytes = (size_t)1 << 19;
#define CHUNK_BYTES ng__flush_chunk_bytes

typedef struct chunk {
    size_t first, end;   /* terms [first, end) of the sorted array */
    ng_buf pst, pos;     /* their encoded bytes, in term order */
    ng_term_info *ti;    /* one per term: offsets from the chunk's start */
    size_t ti_cap;
    int rc;
    int done;
    int big;             /* one term, encoded straight into the files */
} chunk;

typedef struct chunk_queue {
    const ng_memtable *mt;
    mt_term **terms;
    chunk ring[CHUNKS_IN_FLIGHT];
    size_t taken, written; /* chunks handed out, chunks written */
    size_t next_term;      /* first term of the next chunk to hand out */
    int stop;              /* an error: take no more */
    pthread_mutex_t mu;
    pthread_cond_t cv;     /* a chunk finished or was written */
} chunk_queue;

static int is_lexicon(const mt_term *t) { return t->len && t->term[0] == NG_NS_WORD; }

static int is_big(const mt_term *t) { return t->size > CHUNK_BYTES; }

static int all_taken(const chunk_queue *q) { return q->stop || q->next_term == q->mt->n_terms; }

/* Under the mutex: the next chunk to encode, NULL when none may be taken
** now.  A big term is a chunk of its own, for the writer alone, once
** every chunk before it is written. */
static chunk *take_chunk(chunk_queue *q, int writer)
{
    chunk *k;
    size_t bytes = 0, i = q->next_term;
    if (all_taken(q) || q->taken - q->written == CHUNKS_IN_FLIGHT) return NULL;
    if (is_big(q->terms[i]) && !(writer && q->written == q->taken)) return NULL;
    k = &q->ring[q->taken % CHUNKS_IN_FLIGHT];
    k->first = i;
    k->big = is_big(q->terms[i]);
    do bytes += q->terms[i++]->size + 16;
    while (!k->big && i < q->mt->n_terms && !is_big(q->terms[i]) && bytes + q->terms[i]->size + 16 <= CHUNK_BYTES);
    k->end = q->next_term = i;
    k->done = 0;
    k->rc = NG_OK;
    q->taken++;
    return k;
}

/* Encode a small chunk's terms into its buffers (outside the mutex). */
static int encode_chunk(term_coder *c, const ng_memtable *mt, mt_term **terms, chunk *k)
{
    size_t i;
    int rc = NG_OK;
    ng__buf_clear(&k->pst);
    ng__buf_clear(&k->pos);
    if ((rc = NG_GROW(k->ti, k->ti_cap, k->end - k->first)) != NG_OK) return rc;
    for (i = k->first; i < k->end && !rc; i++) {
        const mt_term *t = terms[i];
        ng_term_info *ti = &k->ti[i - k->first];
        memset(ti, 0, sizeof *ti);
        ti->pst_off = k->pst.size;
        ti->pos_off = k->pos.size;
        if (is_lexicon(t)) { /* a lexicon term is counted, not listed: df and cf only */
            ti->df = t->df;
            ti->cf = t->cf;
            continue;
        }
        if ((rc = encode_term(c, mt, t)) != NG_OK) break;
        ti->df = c->enc.df;
        ti->cf = c->enc.cf;
        ti->pst_len = c->enc.pst.size;
        ti->pos_len = c->enc.pos_len;
        ng__buf_put(&rc, &k->pst, c->enc.pst.ptr, c->enc.pst.size);
        ng__buf_put(&rc, &k->pos, c->enc.pos.ptr, c->enc.pos.size);
    }
    return rc;
}

/* The helper: take and encode small chunks until all are taken. */
typedef struct helper {
    chunk_queue *q;
    term_coder coder;
} helper;

static void *helper_main(void *arg)
{
    helper *h = arg;
    chunk_queue *q = h->q;
    pthread_mutex_lock(&q->mu);
    while (!all_taken(q)) {
        chunk *k = take_chunk(q, 0);
        if (!k) {
            pthread_cond_wait(&q->cv, &q->mu); /* no room, or a big term next */
            continue;
        }
        pthread_mutex_unlock(&q->mu);
        k->rc = encode_chunk(&h->coder, q->mt, q->terms, k);
        pthread_mutex_lock(&q->mu);
        k->done = 1;
        if (k->rc) q->stop = 1;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* Append a small chunk to the files and its terms to the dictionary. */
static int write_chunk(flush_ctx *c, mt_term **terms, const chunk *k)
{
    uint64_t pst_base = c->pst.off - NG_FMT_HEADER_SIZE, pos_base = c->pos.off - NG_FMT_HEADER_SIZE;
    size_t i;
    int rc = k->rc;
    if (!rc) rc = ng_fmt__fw_write(&c->pst, k->pst.ptr, k->pst.size);
    if (!rc) rc = ng_fmt__fw_write(&c->pos, k->pos.ptr, k->pos.size);
    for (i = k->first; i < k->end && !rc; i++) {
        ng_term_info ti = k->ti[i - k->first];
        ti.pst_off += pst_base;
        ti.pos_off += pos_base;
        rc = ng_dict__enc_add(&c->dict, terms[i]->term, terms[i]->len, &ti);
    }
    return rc;
}

/* Encode a big term straight into the files, its positions streamed. */
static int write_big(flush_ctx *c, term_coder *own, const ng_memtable *mt, const mt_term *t)
{
    ng_term_info ti;
    int rc;
    memset(&ti, 0, sizeof ti);
    ti.pos_off = c->pos.off - NG_FMT_HEADER_SIZE; /* before the encoder streams them */
    own->enc.pos_sink = &c->pos;
    rc = encode_term(own, mt, t);
    own->enc.pos_sink = NULL;
    if (rc) return rc;
    ti.df = own->enc.df;
    ti.cf = own->enc.cf;
    ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
    ti.pst_len = own->enc.pst.size;
    ti.pos_len = own->enc.pos_len;
    if ((rc = ng_fmt__fw_write(&c->pst, own->enc.pst.ptr, own->enc.pst.size)) != NG_OK) return rc;
    return ng_dict__enc_add(&c->dict, t->term, t->len, &ti);
}

/* The caller's side, under the mutex: write the next chunk if it is done;
** else take one (a big term is written at once) and encode it; else wait. */
static int write_chunks(flush_ctx *c, chunk_queue *q, term_coder *own)
{
    int rc = NG_OK;
    pthread_mutex_lock(&q->mu);
    while (!(q->written == q->taken && all_taken(q))) {
        chunk *k = &q->ring[q->written % CHUNKS_IN_FLIGHT];
        if (q->written < q->taken && k->done) {
            pthread_mutex_unlock(&q->mu); /* a done chunk is the writer's alone */
            rc = write_chunk(c, q->terms, k);
            if (k->pst.asize + k->pos.asize > 2 * CHUNK_BYTES) {
                ng_buf_dispose(&k->pst);
                ng_buf_dispose(&k->pos);
            }
        } else if ((k = take_chunk(q, 1)) != NULL) {
            pthread_mutex_unlock(&q->mu);
            if (k->big) {
                rc = write_big(c, own, q->mt, q->terms[k->first]);
                k->done = 1;
            } else {
                k->rc = encode_chunk(own, q->mt, q->terms, k);
                pthread_mutex_lock(&q->mu);
                k->done = 1;
                if (k->rc) q->stop = 1;
                pthread_cond_broadcast(&q->cv);
                continue;
            }
        } else {
            pthread_cond_wait(&q->cv, &q->mu);
            continue;
        }
        pthread_mutex_lock(&q->mu);
        q->written++; /* the chunk written, or the big term */
        if (rc) q->stop = 1;
        pthread_cond_broadcast(&q->cv);
        if (rc) break;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int write_terms(flush_ctx *c, const ng_memtable *mt, mt_term **terms, int two_threads)
{
    chunk_queue q;
    helper h;
    term_coder own;
    pthread_t tid;
    int started = 0, rc;
    size_t i;
    memset(&q, 0, sizeof q);
    memset(&own, 0, sizeof own);
    memset(&h, 0, sizeof h);
    q.mt = mt;
    q.terms = terms;
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    ng_post__enc_init(&own.enc);
    ng_post__enc_init(&h.coder.enc);
    h.q = &q;
    /* one thread when asked, or when the helper cannot start: same bytes */
    if (two_threads && mt->n_terms > 1 && pthread_create(&tid, NULL, helper_main, &h) == 0) started = 1;
    rc = write_chunks(c, &q, &own);
    if (rc) { /* wake the helper if it waits for room */
        pthread_mutex_lock(&q.mu);
        q.stop = 1;
        pthread_cond_broadcast(&q.cv);
        pthread_mutex_unlock(&q.mu);
    }
    if (started) pthread_join(tid, NULL);
    for (i = 0; i < CHUNKS_IN_FLIGHT; i++) {
        ng_buf_dispose(&q.ring[i].pst);
        ng_buf_dispose(&q.ring[i].pos);
        ng__free(q.ring[i].ti);
    }
    ng_post__enc_free(&own.enc);
    ng_post__enc_free(&h.coder.enc);
    ng__free(own.posv);
    ng__free(h.coder.posv);
    pthread_cond_destroy(&q.cv);
    pthread_mutex_destroy(&q.mu);
    return rc;
}

int ng_seg__write_inverted(const ng_memtable *mt, const char *dir, uint32_t seg_id, int two_threads,
                           uint64_t *n_terms_out)
{
    flush_ctx c;
    ng_buf path = NG_BUF_INIT;
    mt_term **terms = NULL;
    uint8_t meta[8];
    int rc;
    memset(&c, 0, sizeof c);
    if ((rc = ng_mt__sorted(mt, &terms)) != NG_OK) goto out;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_PST, 0)) || (rc = ng_fmt__fw_open(&c.pst, path.ptr, NG_FK_PST))) goto out;
    c.open_pst = 1;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_POS, 0)) || (rc = ng_fmt__fw_open(&c.pos, path.ptr, NG_FK_POS))) goto out;
    c.open_pos = 1;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_TDI, 0)) || (rc = ng_fmt__fw_open(&c.tdi, path.ptr, NG_FK_TDI))) goto out;
    c.open_tdi = 1;
    ng_dict__enc_init(&c.dict, &c.tdi);
    if ((rc = write_terms(&c, mt, terms, two_threads)) != NG_OK) goto out;
    ng__set_u64(meta, mt->n_terms);
    if ((rc = ng_fmt__fw_finish(&c.pst, meta, 8)) != NG_OK) goto out;
    c.open_pst = 0;
    if ((rc = ng_fmt__fw_finish(&c.pos, meta, 8)) != NG_OK) goto out;
    c.open_pos = 0;
    if ((rc = ng_dict__enc_finish(&c.dict)) != NG_OK) goto out;
    c.open_tdi = 0;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_LEN, 0)) == NG_OK)
        rc = ng_lens__write(path.ptr, mt->lens, mt->dates, (uint32_t)mt->n_docs);
    if (n_terms_out) *n_terms_out = mt->n_terms;
out:
    if (c.open_pst) ng_fmt__fw_abort(&c.pst);
    if (c.open_pos) ng_fmt__fw_abort(&c.pos);
    if (c.open_tdi) ng_fmt__fw_abort(&c.tdi);
    ng_dict__enc_free(&c.dict);
    ng__free(terms);
    ng_buf_dispose(&path);
    return rc;
}
