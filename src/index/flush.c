/*
** flush.c -- writes the memtable's inverted lists as a segment's .tdi,
** .pst, .pos and .len files (the .doc file is streamed by writer.c while
** documents arrive).  Terms go out in byte order; each term's list is
** decoded from the memtable's vint form and re-encoded in blocks of 128.
**
** Two threads share the encoding.  The terms are split where half of the
** memtable's list bytes lie before the split: the flush thread encodes
** the first part straight into the segment's files, a helper encodes the
** second into spill files (seg-N.pst.part.tmp, .pos.part.tmp) and keeps
** each term's offsets relative to them.  Then the spills are appended and
** the second part's dictionary entries added with their offsets moved:
** the files are byte for byte those one thread writes.  Why: at the end of
** a build the last flush ran alone on one core, and a flush that outlived
** the filling of a third of the next memtable stalled the writer.  The
** spills live in the page cache, not in the process, and the flush frees
** each term's list as it goes: what it adds is the second part's entries
** (48 bytes a term, 4 MB for a segment of 84k documents) and a second
** encoder.
*/
#include <pthread.h>

#include "index/index.h"

/* One thread's share of the terms. */
typedef struct flush_part {
    const ng_memtable *mt;
    mt_term **terms;
    size_t n;
    int release;              /* free each list once encoded */
    ng_fwriter pst, pos;      /* the segment's files, or the spills */
    int open_pst, open_pos;
    ng_dict_enc *dict;        /* first part: entries go straight in */
    ng_term_info *ti;         /* second part: kept, offsets relative to the spills */
    ng_post_enc enc;
    uint32_t *posv;
    size_t posv_cap;
    volatile int *stop;       /* a part failed (atomic) */
    int stopped;              /* this part gave up because the other failed */
    int rc;
    ng_buf err;               /* the helper's error message */
} flush_part;

/* Decode one memtable term and feed the block encoder. */
static int encode_term(flush_part *c, const mt_term *t)
{
    const uint8_t *p = t->data, *end = t->data + t->size;
    uint32_t doc = UINT32_MAX, i;
    int rc;
    ng_post__enc_reset(&c->enc);
    while (p < end) {
        uint64_t dd, tf, pd;
        uint32_t pos = UINT32_MAX;
        if (ng__vint_next(&p, end, &dd) || ng__vint_next(&p, end, &tf) || tf == 0)
            return ng__err(NG_ERROR, "memtable: bad postings (internal)");
        doc = doc == UINT32_MAX ? (uint32_t)(dd - 1) : doc + (uint32_t)dd;
        if ((rc = NG_GROW(c->posv, c->posv_cap, tf)) != NG_OK) return rc;
        for (i = 0; i < tf; i++) {
            if (ng__vint_next(&p, end, &pd)) return ng__err(NG_ERROR, "memtable: bad positions (internal)");
            pos = pos == UINT32_MAX ? (uint32_t)(pd - 1) : pos + (uint32_t)pd;
            c->posv[i] = pos;
        }
        rc = ng_post__enc_add(&c->enc, doc, c->posv, (uint32_t)tf, doc < c->mt->n_docs ? c->mt->lens[doc] : 1);
        if (rc) return rc;
    }
    return ng_post__enc_finish(&c->enc);
}

/* Term i of the part: encoded and written, its entry made. */
static int write_term(flush_part *c, size_t i)
{
    mt_term *t = c->terms[i];
    ng_term_info ti;
    int rc;
    memset(&ti, 0, sizeof ti);
    ti.pos_off = c->pos.off - NG_FMT_HEADER_SIZE; /* before the encoder streams them */
    if (t->len && t->term[0] == NG_NS_WORD) {
        /* a lexicon term is counted, not listed: df and cf only */
        ti.df = t->df;
        ti.cf = t->cf;
        ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
    } else {
        if ((rc = encode_term(c, t)) != NG_OK) return rc;
        ti.df = c->enc.df;
        ti.cf = c->enc.cf;
        ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
        ti.pst_len = c->enc.pst.size;
        ti.pos_len = c->enc.pos_len;
        if ((rc = ng_fmt__fw_write(&c->pst, c->enc.pst.ptr, c->enc.pst.size)) != NG_OK) return rc;
        if (c->release) {
            ng__free(t->data);
            t->data = NULL;
            t->size = t->cap = 0;
        }
    }
    if (c->dict) return ng_dict__enc_add(c->dict, t->term, t->len, &ti);
    c->ti[i] = ti;
    return NG_OK;
}

static void write_part(flush_part *c)
{
    size_t i;
    c->enc.pos_sink = &c->pos;
    for (i = 0; i < c->n && !c->rc; i++) {
        if (__atomic_load_n(c->stop, __ATOMIC_RELAXED)) {
            c->stopped = 1;
            c->rc = NG_ERROR;
            break;
        }
        c->rc = write_term(c, i);
    }
    if (c->rc) __atomic_store_n(c->stop, 1, __ATOMIC_RELAXED);
}

static void *part_main(void *arg)
{
    flush_part *c = arg;
    ng__thread_name("ng-flush-2");
    write_part(c);
    if (c->rc) ng__err_save(&c->err);
    return NULL;
}

/* Where the second part starts: past half of the list bytes, so that both
** threads encode about as much; n when the terms are too few to split. */
static size_t split_point(mt_term **terms, size_t n)
{
    uint64_t total = 0, run = 0;
    size_t i;
    for (i = 0; i < n; i++) total += terms[i]->size;
    for (i = 0; i < n && run * 2 < total; i++) run += terms[i]->size;
    return i > 0 && i < n ? i : n;
}

static int open_files(flush_part *c, const char *dir, uint32_t seg_id, int spill)
{
    ng_buf path = NG_BUF_INIT;
    int rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_PST, 0);
    if (!rc && spill) ng__buf_puts(&rc, &path, ".part.tmp");
    if (!rc && (rc = ng_fmt__fw_open(&c->pst, path.ptr, NG_FK_PST)) == NG_OK) c->open_pst = 1;
    if (!rc) rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_POS, 0);
    if (!rc && spill) ng__buf_puts(&rc, &path, ".part.tmp");
    if (!rc && (rc = ng_fmt__fw_open(&c->pos, path.ptr, NG_FK_POS)) == NG_OK) c->open_pos = 1;
    ng_buf_dispose(&path);
    return rc;
}

static void part_free(flush_part *c)
{
    if (c->open_pst) ng_fmt__fw_abort(&c->pst);
    if (c->open_pos) ng_fmt__fw_abort(&c->pos);
    ng_post__enc_free(&c->enc);
    ng__free(c->posv);
    ng__free(c->ti);
    ng_buf_dispose(&c->err);
}

/* After both parts: the spills go after the first part's bytes, and the
** second part's entries into the dictionary, their offsets moved. */
static int join_parts(flush_part *a, flush_part *b)
{
    uint64_t pst_base = a->pst.off - NG_FMT_HEADER_SIZE, pos_base = a->pos.off - NG_FMT_HEADER_SIZE;
    size_t i;
    int rc;
    if ((rc = ng_fmt__fw_append_spill(&a->pst, &b->pst)) != NG_OK ||
        (rc = ng_fmt__fw_append_spill(&a->pos, &b->pos)) != NG_OK)
        return rc;
    for (i = 0; i < b->n && !rc; i++) {
        ng_term_info *ti = &b->ti[i];
        ti->pst_off += pst_base;
        ti->pos_off += pos_base;
        rc = ng_dict__enc_add(a->dict, b->terms[i]->term, b->terms[i]->len, ti);
    }
    return rc;
}

/* Encode the parts, the second on a helper thread when there is one (if
** none can be started, after the first on this thread: same bytes). */
static int write_parts(flush_part *a, flush_part *b, const char *dir, uint32_t seg_id)
{
    pthread_t tid;
    int threaded = 0, rc;
    if (b->n > 0) {
        if (!(b->ti = ng__malloc(b->n * sizeof *b->ti))) return ng__oom();
        if ((rc = open_files(b, dir, seg_id, 1)) != NG_OK) return rc;
        threaded = pthread_create(&tid, NULL, part_main, b) == 0;
    }
    write_part(a);
    if (threaded) pthread_join(tid, NULL);
    else if (b->n > 0 && !a->rc) write_part(b);
    if (a->rc && !a->stopped) return a->rc; /* its error is this thread's */
    if (b->rc) return threaded ? ng__err_carry(b->rc, &b->err, "flush failed") : b->rc;
    return b->n > 0 ? join_parts(a, b) : NG_OK;
}

int ng_seg__write_lengths(const ng_memtable *mt, const char *dir, uint32_t seg_id)
{
    ng_buf path = NG_BUF_INIT;
    int rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_LEN, 0);
    if (rc == NG_OK) rc = ng_lens__write(path.ptr, mt->lens, mt->dates, (uint32_t)mt->n_docs);
    ng_buf_dispose(&path);
    return rc;
}

int ng_seg__write_inverted(ng_memtable *mt, const char *dir, uint32_t seg_id, int release, int split,
                           uint64_t *n_terms_out)
{
    flush_part a, b;
    ng_fwriter tdi;
    ng_dict_enc dict;
    ng_buf path = NG_BUF_INIT;
    mt_term **terms = NULL;
    volatile int stop = 0;
    uint8_t meta[8];
    int rc, open_tdi = 0;
    size_t at;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&dict, 0, sizeof dict);
    ng_post__enc_init(&a.enc);
    ng_post__enc_init(&b.enc);
    if ((rc = ng_mt__sorted(mt, &terms)) != NG_OK) goto out;
    at = split ? split_point(terms, mt->n_terms) : mt->n_terms;
    a.mt = b.mt = mt;
    a.release = b.release = release;
    a.stop = b.stop = &stop;
    a.terms = terms;
    a.n = at;
    b.terms = terms + at;
    b.n = mt->n_terms - at;
    if ((rc = open_files(&a, dir, seg_id, 0)) != NG_OK) goto out;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_TDI, 0)) || (rc = ng_fmt__fw_open(&tdi, path.ptr, NG_FK_TDI)))
        goto out;
    open_tdi = 1;
    ng_dict__enc_init(&dict, &tdi);
    a.dict = &dict;
    if ((rc = write_parts(&a, &b, dir, seg_id)) != NG_OK) goto out;
    ng__set_u64(meta, mt->n_terms);
    if ((rc = ng_fmt__fw_finish(&a.pst, meta, 8)) != NG_OK) goto out;
    a.open_pst = 0;
    if ((rc = ng_fmt__fw_finish(&a.pos, meta, 8)) != NG_OK) goto out;
    a.open_pos = 0;
    if ((rc = ng_dict__enc_finish(&dict)) != NG_OK) goto out;
    open_tdi = 0;
    if (n_terms_out) *n_terms_out = mt->n_terms;
out:
    if (open_tdi) ng_fmt__fw_abort(&tdi);
    part_free(&a);
    part_free(&b); /* the spills are scratch: always unlinked */
    ng_dict__enc_free(&dict);
    ng__free(terms);
    ng_buf_dispose(&path);
    return rc;
}
