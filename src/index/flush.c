/*
** flush.c -- writes the memtable's inverted lists as a segment's .tdi,
** .pst, .pos and .len files (the .doc file is streamed by writer.c while
** documents arrive).  Terms go out in byte order; each term's list is
** decoded from the memtable's vint form and re-encoded in blocks of 128.
*/
#include "index/index.h"

typedef struct flush_ctx {
    ng_fwriter pst, pos, tdi;
    int open_pst, open_pos, open_tdi;
    ng_dict_enc dict;
    ng_post_enc enc;
    uint32_t *posv;
    size_t posv_cap;
} flush_ctx;

/* Decode one memtable term and feed the block encoder. */
static int encode_term(flush_ctx *c, const ng_memtable *mt, const mt_term *t)
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
        rc = ng_post__enc_add(&c->enc, doc, c->posv, (uint32_t)tf, doc < mt->n_docs ? mt->lens[doc] : 1);
        if (rc) return rc;
    }
    return ng_post__enc_finish(&c->enc);
}

static int write_terms(flush_ctx *c, const ng_memtable *mt, mt_term **terms, int release)
{
    size_t i;
    int rc = NG_OK;
    for (i = 0; i < mt->n_terms && !rc; i++) {
        ng_term_info ti;
        const mt_term *t = terms[i];
        if (t->len && t->term[0] == NG_NS_WORD) {
            /* a lexicon term is counted, not listed: df and cf only */
            memset(&ti, 0, sizeof ti);
            ti.df = t->df;
            ti.cf = t->cf;
            ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
            ti.pos_off = c->pos.off - NG_FMT_HEADER_SIZE;
            rc = ng_dict__enc_add(&c->dict, t->term, t->len, &ti);
            continue;
        }
        ti.pos_off = c->pos.off - NG_FMT_HEADER_SIZE; /* before the encoder streams them */
        if ((rc = encode_term(c, mt, t)) != NG_OK) break;
        ti.df = c->enc.df;
        ti.cf = c->enc.cf;
        ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
        ti.pst_len = c->enc.pst.size;
        ti.pos_len = c->enc.pos_len;
        rc = ng_fmt__fw_write(&c->pst, c->enc.pst.ptr, c->enc.pst.size);
        if (!rc) rc = ng_dict__enc_add(&c->dict, t->term, t->len, &ti);
        if (release) {
            ng__free(terms[i]->data);
            terms[i]->data = NULL;
            terms[i]->size = terms[i]->cap = 0;
        }
    }
    return rc;
}

int ng_seg__write_lengths(const ng_memtable *mt, const char *dir, uint32_t seg_id)
{
    ng_buf path = NG_BUF_INIT;
    int rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_LEN, 0);
    if (rc == NG_OK) rc = ng_lens__write(path.ptr, mt->lens, mt->dates, (uint32_t)mt->n_docs);
    ng_buf_dispose(&path);
    return rc;
}

int ng_seg__write_inverted(ng_memtable *mt, const char *dir, uint32_t seg_id, int release, uint64_t *n_terms_out)
{
    flush_ctx c;
    ng_buf path = NG_BUF_INIT;
    mt_term **terms = NULL;
    uint8_t meta[8];
    int rc;
    memset(&c, 0, sizeof c);
    ng_post__enc_init(&c.enc);
    if ((rc = ng_mt__sorted(mt, &terms)) != NG_OK) goto out;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_PST, 0)) || (rc = ng_fmt__fw_open(&c.pst, path.ptr, NG_FK_PST))) goto out;
    c.open_pst = 1;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_POS, 0)) || (rc = ng_fmt__fw_open(&c.pos, path.ptr, NG_FK_POS))) goto out;
    c.open_pos = 1;
    c.enc.pos_sink = &c.pos;
    if ((rc = ng_fmt__seg_path(&path, dir, seg_id, NG_FK_TDI, 0)) || (rc = ng_fmt__fw_open(&c.tdi, path.ptr, NG_FK_TDI))) goto out;
    c.open_tdi = 1;
    ng_dict__enc_init(&c.dict, &c.tdi);
    if ((rc = write_terms(&c, mt, terms, release)) != NG_OK) goto out;
    ng__set_u64(meta, mt->n_terms);
    if ((rc = ng_fmt__fw_finish(&c.pst, meta, 8)) != NG_OK) goto out;
    c.open_pst = 0;
    if ((rc = ng_fmt__fw_finish(&c.pos, meta, 8)) != NG_OK) goto out;
    c.open_pos = 0;
    if ((rc = ng_dict__enc_finish(&c.dict)) != NG_OK) goto out;
    c.open_tdi = 0;
    if (n_terms_out) *n_terms_out = mt->n_terms;
out:
    if (c.open_pst) ng_fmt__fw_abort(&c.pst);
    if (c.open_pos) ng_fmt__fw_abort(&c.pos);
    if (c.open_tdi) ng_fmt__fw_abort(&c.tdi);
    ng_dict__enc_free(&c.dict);
    ng_post__enc_free(&c.enc);
    ng__free(c.posv);
    ng__free(terms);
    ng_buf_dispose(&path);
    return rc;
}
