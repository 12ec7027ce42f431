/*
** termdict.c -- the term dictionary (.tdi) -- FORMAT.md section 3.
**
**   body:   blocks of up to 32 terms, front-coded:
**             u32 first_crc   CRC-32 of the block number (u64le) followed
**                             by the bytes of the block's first entry
**             u32 rest_crc    CRC-32 of the other entries' bytes
**             entry: vint prefix_len  (bytes shared with the previous term
**                                      of the block; 0 for the first)
**                    vint suffix_len, suffix bytes
**                    vint df, vint cf - df
**                    vint pst_delta   (pst_off minus the previous entry's;
**                                      the first of a block: absolute)
**                    vint pst_len
**                    vint pos_delta, vint pos_len   (same for .pos)
**           sparse index: n_blocks x u64 block offset (relative to body)
**   meta:   u64 n_terms, u64 n_blocks, u64 index_off (relative to body)
**
** A lookup binary-searches the sparse index on each block's first term
** (stored whole), then scans one block: two or three pages of an mmap'ed
** file, never the whole dictionary.
**
** Integrity, checked lazily and cheaply: a probe of the binary search
** verifies first_crc (a few bytes: it covers only what the probe reads),
** and a block that is scanned is verified whole first.  Seeding first_crc
** with the block number makes a damaged sparse-index offset that happens
** to land on another block's start fail too, instead of misrouting the
** search to a block that then silently lacks the term.
*/
#include "format/format.h"

#define META_LEN 24

void ng_dict__enc_init(ng_dict_enc *e, ng_fwriter *fw)
{
    memset(e, 0, sizeof *e);
    e->fw = fw;
}

void ng_dict__enc_free(ng_dict_enc *e)
{
    ng_buf_dispose(&e->block);
    ng_buf_dispose(&e->index);
    ng_buf_dispose(&e->prev);
}

/* first_crc starts from the CRC of the block number, as 8 bytes LE. */
static uint32_t first_crc_seed(uint64_t block)
{
    uint8_t b[8];
    ng__set_u64(b, block);
    return ng__crc32(0, b, sizeof b);
}

static int flush_block(ng_dict_enc *e)
{
    int rc = NG_OK;
    if (e->in_block == 0) return NG_OK;
    {
    uint8_t crcs[8];
    ng__set_u32(crcs, ng__crc32(first_crc_seed(e->index.size / 8), e->block.ptr, e->first_len));
    ng__set_u32(crcs + 4, ng__crc32(0, e->block.ptr + e->first_len, e->block.size - e->first_len));
    ng__buf_put_u64(&rc, &e->index, e->fw->off - NG_FMT_HEADER_SIZE);
    if (!rc) rc = ng_fmt__fw_write(e->fw, crcs, sizeof crcs);
    if (!rc) rc = ng_fmt__fw_write(e->fw, e->block.ptr, e->block.size);
    }
    ng__buf_clear(&e->block);
    e->in_block = 0;
    return rc;
}

int ng_dict__enc_add(ng_dict_enc *e, const char *term, size_t len, const ng_term_info *ti)
{
    size_t pre = 0;
    int rc = NG_OK;
    if (len > 255) return ng__err(NG_EINVAL, "term longer than 255 bytes");
    if (e->n_terms > 0) {
        size_t m = e->prev.size < len ? e->prev.size : len;
        while (pre < m && e->prev.ptr[pre] == term[pre]) pre++;
        if (pre == len || (pre < e->prev.size && (uint8_t)e->prev.ptr[pre] > (uint8_t)term[pre]))
            return ng__err(NG_EINVAL, "dictionary terms out of order");
    }
    if (e->in_block == NG_FMT_DICT_BLOCK && (rc = flush_block(e)) != NG_OK) return rc;
    if (e->in_block == 0) {
        pre = 0;
        e->prev_pst = e->prev_pos = 0;
    }
    ng__buf_put_vint(&rc, &e->block, pre);
    ng__buf_put_vint(&rc, &e->block, len - pre);
    ng__buf_put(&rc, &e->block, term + pre, len - pre);
    ng__buf_put_vint(&rc, &e->block, ti->df);
    ng__buf_put_vint(&rc, &e->block, ti->cf - ti->df);
    ng__buf_put_vint(&rc, &e->block, ti->pst_off - e->prev_pst);
    ng__buf_put_vint(&rc, &e->block, ti->pst_len);
    ng__buf_put_vint(&rc, &e->block, ti->pos_off - e->prev_pos);
    ng__buf_put_vint(&rc, &e->block, ti->pos_len);
    if (e->in_block == 0) e->first_len = e->block.size;
    e->prev_pst = ti->pst_off;
    e->prev_pos = ti->pos_off;
    ng__buf_clear(&e->prev);
    ng__buf_put(&rc, &e->prev, term, len);
    e->in_block++;
    e->n_terms++;
    return rc;
}

int ng_dict__enc_finish(ng_dict_enc *e)
{
    uint8_t meta[META_LEN];
    uint64_t index_off;
    int rc = flush_block(e);
    if (rc) return rc;
    index_off = e->fw->off - NG_FMT_HEADER_SIZE;
    if ((rc = ng_fmt__fw_write(e->fw, e->index.ptr, e->index.size)) != NG_OK) return rc;
    ng__set_u64(meta, e->n_terms);
    ng__set_u64(meta + 8, e->index.size / 8);
    ng__set_u64(meta + 16, index_off);
    return ng_fmt__fw_finish(e->fw, meta, sizeof meta);
}

int ng_dict__open(ng_dict *d, const char *path)
{
    uint64_t index_off;
    int rc;
    memset(d, 0, sizeof *d);
    if ((rc = ng_fmt__open(&d->f, path, NG_FK_TDI)) != NG_OK) return rc;
    if (d->f.meta_len != META_LEN) {
        rc = ng_fmt__corrupt(&d->f, d->f.meta, "dictionary: bad meta length");
        goto fail;
    }
    d->n_terms = ng__get_u64(d->f.meta);
    d->n_blocks = ng__get_u64(d->f.meta + 8);
    index_off = ng__get_u64(d->f.meta + 16);
    if (index_off > d->f.body_len || d->n_blocks > (d->f.body_len - index_off) / 8 ||
        d->n_blocks != (d->n_terms + NG_FMT_DICT_BLOCK - 1) / NG_FMT_DICT_BLOCK) {
        rc = ng_fmt__corrupt(&d->f, d->f.meta, "dictionary: bad sparse index bounds");
        goto fail;
    }
    d->index = d->f.body + index_off;
    return NG_OK;
fail:
    ng_dict__close(d);
    return rc;
}

void ng_dict__close(ng_dict *d) { ng_fmt__close(&d->f); }

/* Read one entry at it->p into it->term / it->ti. */
static int read_entry(ng_dict_iter *it)
{
    const ng_dict *d = it->d;
    uint64_t pre, suf, df, cfx, pst, pstl, pos, posl;
    if (ng__vint_get(&it->p, it->end, &pre) || ng__vint_get(&it->p, it->end, &suf) ||
        pre > it->term_len || pre + suf > sizeof it->term - 1 || suf > (uint64_t)(it->end - it->p))
        return ng_fmt__corrupt(&d->f, it->p, "dictionary: bad term entry");
    memcpy(it->term + pre, it->p, (size_t)suf);
    it->p += suf;
    it->term_len = (size_t)(pre + suf);
    it->term[it->term_len] = '\0';
    if (ng__vint_get(&it->p, it->end, &df) || ng__vint_get(&it->p, it->end, &cfx) ||
        ng__vint_get(&it->p, it->end, &pst) || ng__vint_get(&it->p, it->end, &pstl) ||
        ng__vint_get(&it->p, it->end, &pos) || ng__vint_get(&it->p, it->end, &posl) ||
        df == 0 || df > NG_FMT_MAX_DOCS)
        return ng_fmt__corrupt(&d->f, it->p, "dictionary: truncated term entry");
    it->ti.df = (uint32_t)df;
    it->ti.cf = df + cfx;
    it->ti.pst_off = it->prev_pst + pst;
    it->ti.pst_len = pstl;
    it->ti.pos_off = it->prev_pos + pos;
    it->ti.pos_len = posl;
    it->prev_pst = it->ti.pst_off;
    it->prev_pos = it->ti.pos_off;
    it->left--;
    return NG_OK;
}

/* Position it before the first entry of block b.  Verifies first_crc, and
** rest_crc too when whole (the block is going to be scanned). */
static int open_block(ng_dict_iter *it, uint64_t b, int whole)
{
    const ng_dict *d = it->d;
    uint64_t off = ng__get_u64(d->index + 8 * b);
    uint64_t next = b + 1 < d->n_blocks ? ng__get_u64(d->index + 8 * (b + 1)) : (uint64_t)(d->index - d->f.body);
    ng_dict_iter first;
    int rc;
    if (off >= next || next - off <= 8 || next > d->f.body_len)
        return ng_fmt__corrupt(&d->f, d->index + 8 * b, "dictionary: bad block offset");
    it->block = b;
    it->p = d->f.body + off + 8;
    it->end = d->f.body + next;
    it->left = b + 1 < d->n_blocks ? NG_FMT_DICT_BLOCK : (uint32_t)(d->n_terms - NG_FMT_DICT_BLOCK * b);
    it->term_len = 0;
    it->prev_pst = it->prev_pos = 0;
    first = *it;
    if ((rc = read_entry(&first)) != NG_OK) return rc;
    if (ng__crc32(first_crc_seed(b), it->p, (size_t)(first.p - it->p)) != ng__get_u32(it->p - 8))
        return ng_fmt__corrupt(&d->f, it->p - 8, "dictionary: block checksum mismatch");
    if (whole && ng__crc32(0, first.p, (size_t)(it->end - first.p)) != ng__get_u32(it->p - 4))
        return ng_fmt__corrupt(&d->f, it->p - 4, "dictionary: block checksum mismatch");
    return NG_OK;
}

static int cmp_term(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = memcmp(a, b, m);
    return c ? c : (an < bn ? -1 : an > bn);
}

/* First term of block b, decoded without disturbing an iterator. */
static int block_first(const ng_dict *d, uint64_t b, ng_dict_iter *tmp)
{
    int rc;
    tmp->d = d;
    if ((rc = open_block(tmp, b, 0)) != NG_OK) return rc;
    return read_entry(tmp);
}

int ng_dict__iter_seek(ng_dict_iter *it, const ng_dict *d, const char *from, size_t from_len)
{
    ng_dict_iter tmp;
    uint64_t lo = 0, hi = d->n_blocks;
    int rc;
    memset(it, 0, sizeof *it);
    it->d = d;
    it->block = d->n_blocks;
    if (d->n_blocks == 0) return NG_OK;
    /* last block whose first term <= from */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((rc = block_first(d, mid, &tmp)) != NG_OK) return rc;
        if (cmp_term(tmp.term, tmp.term_len, from, from_len) <= 0) lo = mid;
        else hi = mid;
    }
    if ((rc = open_block(it, lo, 1)) != NG_OK) return rc;
    it->term_len = 0;
    /* position just before the first term >= from: scan the block */
    for (;;) {
        ng_dict_iter save = *it;
        if (it->left == 0) {
            *it = save;
            break;
        }
        if ((rc = read_entry(it)) != NG_OK) return rc;
        if (cmp_term(it->term, it->term_len, from, from_len) >= 0) {
            *it = save; /* next() re-reads this entry */
            break;
        }
    }
    return NG_OK;
}

int ng_dict__iter_next(ng_dict_iter *it)
{
    int rc;
    while (it->left == 0) {
        if (it->block + 1 >= it->d->n_blocks) return NG_ITEROVER;
        if ((rc = open_block(it, it->block + 1, 1)) != NG_OK) return rc;
    }
    return read_entry(it);
}

int ng_dict__lookup(const ng_dict *d, const char *term, size_t len, ng_term_info *out)
{
    ng_dict_iter it;
    int rc = ng_dict__iter_seek(&it, d, term, len);
    if (rc) return rc;
    rc = ng_dict__iter_next(&it);
    if (rc == NG_ITEROVER || (rc == NG_OK && cmp_term(it.term, it.term_len, term, len) != 0)) return NG_ENOTFOUND;
    if (rc) return rc;
    *out = it.ti;
    return NG_OK;
}
