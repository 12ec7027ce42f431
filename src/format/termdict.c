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
** Integrity, checked lazily and once: the probes of the binary search
** compare first terms read in place and verify nothing (a probe costs a
** few dozen instructions instead of two CRCs).  The search's answer is
** then proven instead: the block it lands on (lo) is verified whole before
** it is scanned, the next block's first entry is verified, and both first
** terms are compared with the key again.  Authentic first(lo) <= key <
** first(lo+1) in a sorted dictionary means that the key is in block lo or
** nowhere, whatever a damaged probe made the search do on the way, so a
** damaged block the search went through gives NG_ECORRUPT or is harmless,
** never a silently missing term.  Seeding first_crc with the block number
** makes a damaged sparse-index offset that lands on another block's start
** fail too.  ng_dict.checked remembers, per block, which CRCs passed
** (atomic bytes: an index is searched from many threads), so each block is
** verified at most once per open dictionary.
*/
#include <stdatomic.h>

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
    /* every look-up binary-searches the sparse index */
    ng__map_willneed(&d->f.map, d->index, (size_t)d->n_blocks * 8);
    /* one byte a block (a few KB for a million documents) */
    d->checked = ng__calloc(d->n_blocks ? (size_t)d->n_blocks : 1, sizeof *d->checked);
    if (!d->checked) {
        rc = ng__oom();
        goto fail;
    }
    return NG_OK;
fail:
    ng_dict__close(d);
    return rc;
}

void ng_dict__close(ng_dict *d)
{
    ng__free((void *)d->checked);
    d->checked = NULL;
    ng_fmt__close(&d->f);
}

/* ng_dict.checked flags: first_crc passed; rest_crc passed too. */
enum { CHECKED_FIRST = 1, CHECKED_WHOLE = 2 };

/* Block b's entries: [*begin, *end), just after its two CRCs. */
static int block_span(const ng_dict *d, uint64_t b, const uint8_t **begin, const uint8_t **end)
{
    uint64_t off = ng__get_u64(d->index + 8 * b);
    uint64_t next = b + 1 < d->n_blocks ? ng__get_u64(d->index + 8 * (b + 1)) : (uint64_t)(d->index - d->f.body);
    if (off >= next || next - off <= 8 || next > d->f.body_len)
        return ng_fmt__corrupt(&d->f, d->index + 8 * b, "dictionary: bad block offset");
    *begin = d->f.body + off + 8;
    *end = d->f.body + next;
    return NG_OK;
}

/* The first term of block b, read in place ([*term, *term + *len) inside the
** block) and unverified; *entry_end: the end of the whole first entry, or
** NULL when the caller only wants the term. */
static int first_term(const ng_dict *d, uint64_t b, const uint8_t **term, size_t *len, const uint8_t **entry_end)
{
    const uint8_t *p, *end;
    uint64_t pre, suf, v;
    int rc, i;
    if ((rc = block_span(d, b, &p, &end)) != NG_OK) return rc;
    if (ng__vint_next(&p, end, &pre) || ng__vint_next(&p, end, &suf) || pre != 0 || suf > 255 ||
        suf > (uint64_t)(end - p))
        return ng_fmt__corrupt(&d->f, p, "dictionary: bad term entry");
    *term = p;
    *len = (size_t)suf;
    if (!entry_end) return NG_OK;
    p += suf;
    for (i = 0; i < 6; i++) /* df, cf - df, pst_delta, pst_len, pos_delta, pos_len */
        if (ng__vint_next(&p, end, &v)) return ng_fmt__corrupt(&d->f, p, "dictionary: truncated term entry");
    *entry_end = p;
    return NG_OK;
}

/* Verify block b's first_crc, and its rest_crc too when whole, unless an
** earlier call did.  The flags are only set after a check passed, and the
** bytes are immutable, so a relaxed race between two threads verifying the
** same block at once merely does the work twice. */
static int verify_block(const ng_dict *d, uint64_t b, int whole)
{
    uint8_t want = whole ? CHECKED_FIRST | CHECKED_WHOLE : CHECKED_FIRST;
    const uint8_t *begin, *end, *term, *first_end;
    size_t len;
    int rc;
    if ((atomic_load_explicit(&d->checked[b], memory_order_acquire) & want) == want) return NG_OK;
    if ((rc = block_span(d, b, &begin, &end)) != NG_OK ||
        (rc = first_term(d, b, &term, &len, &first_end)) != NG_OK)
        return rc;
    if (ng__crc32(first_crc_seed(b), begin, (size_t)(first_end - begin)) != ng__get_u32(begin - 8))
        return ng_fmt__corrupt(&d->f, begin - 8, "dictionary: block checksum mismatch");
    if (whole && ng__crc32(0, first_end, (size_t)(end - first_end)) != ng__get_u32(begin - 4))
        return ng_fmt__corrupt(&d->f, begin - 4, "dictionary: block checksum mismatch");
    atomic_fetch_or_explicit(&d->checked[b], want, memory_order_release);
    return NG_OK;
}

/* Read one entry at it->p into it->term / it->ti. */
static int read_entry(ng_dict_iter *it)
{
    const ng_dict *d = it->d;
    uint64_t pre, suf, df, cfx, pst, pstl, pos, posl;
    if (ng__vint_next(&it->p, it->end, &pre) || ng__vint_next(&it->p, it->end, &suf) ||
        pre > it->term_len || pre + suf > sizeof it->term - 1 || suf > (uint64_t)(it->end - it->p))
        return ng_fmt__corrupt(&d->f, it->p, "dictionary: bad term entry");
    memcpy(it->term + pre, it->p, (size_t)suf);
    it->p += suf;
    it->term_len = (size_t)(pre + suf);
    it->term[it->term_len] = '\0';
    if (ng__vint_next(&it->p, it->end, &df) || ng__vint_next(&it->p, it->end, &cfx) ||
        ng__vint_next(&it->p, it->end, &pst) || ng__vint_next(&it->p, it->end, &pstl) ||
        ng__vint_next(&it->p, it->end, &pos) || ng__vint_next(&it->p, it->end, &posl) ||
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

/* Position it before the first entry of block b, verified whole. */
static int open_block(ng_dict_iter *it, uint64_t b)
{
    const ng_dict *d = it->d;
    int rc;
    if ((rc = verify_block(d, b, 1)) != NG_OK || (rc = block_span(d, b, &it->p, &it->end)) != NG_OK) return rc;
    it->block = b;
    it->left = b + 1 < d->n_blocks ? NG_FMT_DICT_BLOCK : (uint32_t)(d->n_terms - NG_FMT_DICT_BLOCK * b);
    it->term_len = 0;
    it->prev_pst = it->prev_pos = 0;
    return NG_OK;
}

static int cmp_term(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = memcmp(a, b, m);
    return c ? c : (an < bn ? -1 : an > bn);
}

/* *c = first term of block b compared with key (<0, 0, >0). */
static int cmp_first(const ng_dict *d, uint64_t b, const char *key, size_t n, int *c)
{
    const uint8_t *term;
    size_t len;
    int rc = first_term(d, b, &term, &len, NULL);
    if (rc == NG_OK) *c = cmp_term((const char *)term, len, key, n);
    return rc;
}

/* The only block that can hold key: the last one whose first term is <=
** key (block 0 if none is), opened in it.  The binary search reads first
** terms unverified; its answer is proven afterwards (see the top). */
static int locate(ng_dict_iter *it, const ng_dict *d, const char *key, size_t n)
{
    uint64_t lo = 0, hi = d->n_blocks;
    int c, rc;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((rc = cmp_first(d, mid, key, n, &c)) != NG_OK) return rc;
        if (c <= 0) lo = mid;
        else hi = mid;
    }
    if ((rc = open_block(it, lo)) != NG_OK) return rc;
    if (lo > 0 && ((rc = cmp_first(d, lo, key, n, &c)) != NG_OK || c > 0))
        return rc ? rc : ng_fmt__corrupt(&d->f, d->index + 8 * lo, "dictionary: blocks out of order");
    if (lo + 1 < d->n_blocks &&
        ((rc = verify_block(d, lo + 1, 0)) != NG_OK || (rc = cmp_first(d, lo + 1, key, n, &c)) != NG_OK || c <= 0))
        return rc ? rc : ng_fmt__corrupt(&d->f, d->index + 8 * (lo + 1), "dictionary: blocks out of order");
    return NG_OK;
}

int ng_dict__iter_seek(ng_dict_iter *it, const ng_dict *d, const char *from, size_t from_len)
{
    int rc;
    memset(it, 0, sizeof *it);
    it->d = d;
    it->block = d->n_blocks;
    if (d->n_blocks == 0) return NG_OK;
    if ((rc = locate(it, d, from, from_len)) != NG_OK) return rc;
    /* position just before the first term >= from: scan the block.  Only the
       scalars are saved: an entry overwrites the term from its shared prefix
       on, and that prefix is the same in the term it follows, so re-reading
       the entry after a restore rebuilds it exactly. */
    while (it->left > 0) {
        const uint8_t *p = it->p;
        size_t term_len = it->term_len;
        uint64_t prev_pst = it->prev_pst, prev_pos = it->prev_pos;
        if ((rc = read_entry(it)) != NG_OK) return rc;
        if (cmp_term(it->term, it->term_len, from, from_len) >= 0) {
            it->p = p; /* next() re-reads this entry */
            it->term_len = term_len;
            it->prev_pst = prev_pst;
            it->prev_pos = prev_pos;
            it->left++;
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
        if ((rc = open_block(it, it->block + 1)) != NG_OK) return rc;
    }
    return read_entry(it);
}

int ng_dict__lookup(const ng_dict *d, const char *term, size_t len, ng_term_info *out)
{
    ng_dict_iter it;
    int rc;
    if (d->n_blocks == 0) return NG_ENOTFOUND;
    it.d = d;
    if ((rc = locate(&it, d, term, len)) != NG_OK) return rc;
    while (it.left > 0) {
        int c;
        if ((rc = read_entry(&it)) != NG_OK) return rc;
        c = cmp_term(it.term, it.term_len, term, len);
        if (c == 0) {
            *out = it.ti;
            return NG_OK;
        }
        if (c > 0) break;
    }
    return NG_ENOTFOUND;
}
