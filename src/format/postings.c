/*
** postings.c -- postings (.pst) and positions (.pos) of one term --
** FORMAT.md sections 4 and 5.  Encoder and decoder side by side.
**
** A term's postings (located by the dictionary's pst_off/pst_len):
**
**   n_blocks == 1 (df <= 128; most terms, by Zipf's law):
**     vint  n_blocks          1
**     front                   block-max data (see below)
**     u32   data_crc          CRC-32 of n_blocks, front and the block
**     u32   pos_crc           CRC-32 of the term's positions
**     block
**   n_blocks > 1:
**     vint  n_blocks          at least ceil(df / 128)
**     vint  skip_len          bytes of the skip entries that follow
**     n_blocks x skip entry:
**       vint  last_doc_delta  last docid of the block minus that of the
**                             previous block (the first: the docid itself)
**       vint  n - 1           documents in the block, 1..128 (128 but in
**                             the last block unless a merge copied blocks)
**       vint  data_len        bytes of the block
**       vint  pos_len         bytes of its positions in .pos
**       front                 block-max data
**       u32   data_crc        CRC-32 of the block
**       u32   pos_crc         CRC-32 of the block's positions
**     u32   skip_crc          CRC-32 of everything above, from n_blocks on
**     n_blocks x block
**
**   block of n documents (1..128): a PFor chunk of the n (doc - prev - 1),
**   then one of the n (tf - 1); prev is the previous docid of the term,
**   before the first -1.  A PFor chunk (bitpack.c) is bit-packed at one
**   width with the few wider values patched in as exceptions, or n vints
**   when that is shorter.
**
** Integrity, checked lazily: a query reads only the blocks it enters, so
** each block carries its own CRC, verified when it is decoded; positions
** likewise when a phrase decodes them.  The skip entries, which a seek
** trusts without decoding the blocks they describe, are verified as a
** whole when the term is opened (they are read front to back by every
** seek anyway).  A single-block term is verified whole on open.
**
** Block-max data: the block's (tf, len) Pareto frontier (block_front),
** at most NG_FMT_FRONT points.  BM25's w(tf, len) grows with tf and
** shrinks with len, so the largest w over the points bounds every document
** of the block for any k1, b and average length, and is the block's exact
** maximum unless the frontier was capped: the bound Block-Max WAND needs
** (Ding & Suel, 2011), without tying the file to the scoring parameters.
**
** Positions of a block: for each document, its tf positions: the first as
** is, each next as (pos - prev - 1), Rice-coded with a parameter from the
** document's tf (positions.c).  They are written to the
** encoder's pos_sink block by block when it has one.
**
** Why blocks may be short in the middle of a list: a merge renumbers an
** input's documents by adding the same offset to all of them, which
** changes no gap inside the input's list but the first.  So a full block
** whose first gap is unchanged is copied, bytes, frontier, positions and
** CRCs as they are (ng_post__enc_copy_block), instead of being decoded
** and encoded again; in practice only the first block of each input's
** list goes through the encoder.  Where a copied full block follows
** documents the encoder holds, those are closed as a short block; a short
** block is copied only when the encoder holds none.  Short blocks thus
** do not coalesce: a list carries one per input boundary of each merge
** that copied blocks, until a merge with deletions re-encodes it.
*/
#include <stdio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "format/format.h"

/* ------------------------------------------------------------------ */
/* Encoder                                                             */
/* ------------------------------------------------------------------ */

void ng_post__enc_init(ng_post_enc *e)
{
    memset(e, 0, sizeof *e);
    e->prev_last = NG_FMT_DOCID_END;
}

void ng_post__enc_free(ng_post_enc *e)
{
    ng_buf_dispose(&e->pst);
    ng_buf_dispose(&e->pos);
    ng_buf_dispose(&e->blocks);
    ng_buf_dispose(&e->skips);
    ng__free(e->posv);
    memset(e, 0, sizeof *e);
}

void ng_post__enc_reset(ng_post_enc *e)
{
    ng__buf_clear(&e->pst);
    ng__buf_clear(&e->pos);
    ng__buf_clear(&e->blocks);
    ng__buf_clear(&e->skips);
    e->n = 0;
    e->posv_n = 0;
    e->prev_last = NG_FMT_DOCID_END;
    e->pos_len = 0;
    e->df = 0;
    e->cf = 0;
    e->n_blocks = 0;
}

static void put_pfor(int *rc, ng_buf *b, const uint32_t *v, size_t n)
{
    uint8_t tmp[NG_FMT_PFOR_MAX];
    ng__buf_put(rc, b, tmp, ng_fmt__pfor_encode(tmp, v, n));
}

/* The block's (tf, len) Pareto frontier, tf and len both decreasing: every
** document of the block has a point with tf >= its tf and len <= its
** length.  Past NG_FMT_FRONT - 1 points, the last one covers every document
** left (their largest tf, their smallest length), so it stays a bound. */
static uint32_t block_front(const ng_post_enc *e, uint32_t *ftf, uint32_t *flen)
{
    const uint32_t *tfs = e->tfs, *lens = e->lens;
    uint32_t k = 0, below = UINT32_MAX, min_len = UINT32_MAX, i, n = (uint32_t)e->n;
    /* Branch-free passes (the point is data-dependent, so branches on it
    ** mispredict): the smallest length, then per point the largest tf of
    ** the documents left and the smallest length among those with it.
    ** While any document is left the shortest one is, so min_len is the
    ** smallest length left too. */
    for (i = 0; i < n; i++) min_len = lens[i] < min_len ? lens[i] : min_len;
    while (k < NG_FMT_FRONT) {
        uint32_t tf = 0, len = UINT32_MAX;
        for (i = 0; i < n; i++) {
            uint32_t t = lens[i] < below ? tfs[i] : 0;
            tf = t > tf ? t : tf;
        }
        if (tf == 0) break; /* tfs are at least 1: no document left */
        for (i = 0; i < n; i++) {
            uint32_t l = tfs[i] == tf && lens[i] < below ? lens[i] : UINT32_MAX;
            len = l < len ? l : len;
        }
        ftf[k] = tf;
        flen[k] = k == NG_FMT_FRONT - 1 ? min_len : len;
        below = flen[k++];
        if (below == min_len) break; /* no document is shorter */
    }
    return k;
}

/* Frontier points as the skip entry stores them: the count, the first
** point, then each next as decrements minus one (both strictly fall). */
static void put_points(int *rc, ng_buf *b, const uint32_t *tf, const uint32_t *len, uint32_t n)
{
    uint32_t k;
    ng__buf_put_vint(rc, b, n);
    ng__buf_put_vint(rc, b, tf[0]);
    ng__buf_put_vint(rc, b, len[0]);
    for (k = 1; k < n; k++) {
        ng__buf_put_vint(rc, b, tf[k - 1] - tf[k] - 1);
        ng__buf_put_vint(rc, b, len[k - 1] - len[k] - 1);
    }
}

/* A skip entry for the block ending at docid last: the one written for a
** block encoded here and for a block copied whole alike. */
static void put_skip(int *rc, ng_post_enc *e, uint32_t last, uint32_t n, size_t data_len, size_t pos_len,
                     const ng_post_block *front, uint32_t data_crc, uint32_t pos_crc)
{
    ng__buf_put_vint(rc, &e->skips, e->n_blocks == 0 ? last : last - e->prev_last);
    ng__buf_put_vint(rc, &e->skips, n - 1);
    ng__buf_put_vint(rc, &e->skips, data_len);
    ng__buf_put_vint(rc, &e->skips, pos_len);
    put_points(rc, &e->skips, front->front_tf, front->front_len, front->n_front);
    ng__buf_put_u32(rc, &e->skips, data_crc);
    ng__buf_put_u32(rc, &e->skips, pos_crc);
}

static int enc_flush_block(ng_post_enc *e)
{
    uint32_t gaps[NG_FMT_BLOCK], tfm1[NG_FMT_BLOCK];
    uint32_t prev = e->prev_last;
    ng_post_block front;
    size_t i, data_start = e->blocks.size, pos_start = e->pos.size;
    int rc = NG_OK;
    for (i = 0; i < e->n; i++) {
        gaps[i] = e->docs[i] - prev - 1; /* prev = -1 wraps to give docs[0] */
        tfm1[i] = e->tfs[i] - 1;
        prev = e->docs[i];
    }
    put_pfor(&rc, &e->blocks, gaps, e->n);
    put_pfor(&rc, &e->blocks, tfm1, e->n);
    if (!rc) rc = ng_fmt__pos_encode(&e->pos, e->posv, e->tfs, (uint32_t)e->n);
    front.n_front = block_front(e, front.front_tf, front.front_len);
    put_skip(&rc, e, e->docs[e->n - 1], (uint32_t)e->n, e->blocks.size - data_start, e->pos.size - pos_start, &front,
             ng__crc32(0, e->blocks.ptr + data_start, e->blocks.size - data_start),
             ng__crc32(0, e->pos.ptr + pos_start, e->pos.size - pos_start));
    e->pos_len += e->pos.size - pos_start;
    if (!rc && e->pos_sink) {
        rc = ng_fmt__fw_write(e->pos_sink, e->pos.ptr, e->pos.size);
        ng__buf_clear(&e->pos);
    }
    e->prev_last = e->docs[e->n - 1];
    e->n_blocks++;
    e->n = 0;
    e->posv_n = 0;
    return rc;
}

int ng_post__enc_add(ng_post_enc *e, uint32_t doc, const uint32_t *pos, uint32_t tf, uint32_t doclen)
{
    uint32_t i, prev = 0;
    int rc;
    if (tf == 0) return ng__err(NG_EINVAL, "postings: tf of 0 for doc %u", doc);
    if ((rc = NG_GROW(e->posv, e->posv_cap, e->posv_n + tf)) != NG_OK) return rc;
    for (i = 0; i < tf; i++) {
        e->posv[e->posv_n++] = i == 0 ? pos[0] : pos[i] - prev - 1;
        prev = pos[i];
    }
    e->docs[e->n] = doc;
    e->tfs[e->n] = tf;
    e->lens[e->n] = doclen;
    e->n++;
    e->df++;
    e->cf += tf;
    if (e->n == NG_FMT_BLOCK) return enc_flush_block(e);
    return NG_OK;
}

/* The docid the encoder's next document follows, or END before the first. */
static uint32_t enc_last_doc(const ng_post_enc *e)
{
    return e->n ? e->docs[e->n - 1] : e->prev_last;
}

int ng_post__enc_can_copy(const ng_post_enc *e, const ng_post_dec *d, uint32_t shift)
{
    /* a single block has no skip entry (nor a CRC of its own).  A short
       block is copied only when the encoder holds no document (it would
       come out the same), else it is decoded to join them.  The first gap
       is unchanged when the docid before the block moves by shift too
       (END + 1 wraps to 0: a list's first block, which counts from 0,
       goes first into an empty encoder unshifted, or right after docid
       shift - 1). */
    return d->n_blocks > 1 && (d->cur.n == NG_FMT_BLOCK || e->n == 0) &&
           enc_last_doc(e) + 1u == d->prev_last + 1u + shift;
}

int ng_post__enc_copy_block(ng_post_enc *e, const ng_post_dec *d, uint32_t shift)
{
    const ng_post_block *b = &d->cur;
    const uint8_t *pos = d->pos_base + b->pos_off;
    uint32_t last = b->last_doc + shift;
    int rc = NG_OK;
    if (!ng_post__enc_can_copy(e, d, shift) || last < b->last_doc || last >= NG_FMT_DOCID_END)
        return ng__err(NG_EINVAL, "postings: block cannot be copied");
    if (!b->crc_ok && !ng_fmt__crc_ok(d->pf, b->data, b->data_len, b->data_crc))
        return ng_fmt__corrupt(d->pf, b->data, "postings: block checksum mismatch");
    if (!ng_fmt__crc_ok(d->xf, pos, b->pos_len, b->pos_crc))
        return ng_fmt__corrupt(d->xf, pos, "positions: checksum mismatch");
    if (e->n > 0 && (rc = enc_flush_block(e)) != NG_OK) return rc;
    put_skip(&rc, e, last, b->n, b->data_len, b->pos_len, b, b->data_crc, b->pos_crc);
    ng__buf_put(&rc, &e->blocks, b->data, b->data_len);
    if (rc) return rc;
    if (e->pos_sink) rc = ng_fmt__fw_write(e->pos_sink, pos, b->pos_len);
    else ng__buf_put(&rc, &e->pos, pos, b->pos_len);
    e->pos_len += b->pos_len;
    e->prev_last = last;
    e->n_blocks++;
    e->df += b->n;
    return rc;
}

int ng_post__enc_finish(ng_post_enc *e)
{
    int rc = NG_OK;
    if (e->n > 0 && (rc = enc_flush_block(e)) != NG_OK) return rc;
    ng__buf_clear(&e->pst);
    ng__buf_put_vint(&rc, &e->pst, e->n_blocks);
    if (e->n_blocks == 1) {
        /* drop last_doc, n, data_len and pos_len: they are implied; the
           data CRC then covers this header and the block */
        const uint8_t *p = (const uint8_t *)e->skips.ptr, *end = p + e->skips.size;
        uint64_t v;
        uint32_t crc;
        int k;
        for (k = 0; k < 4; k++)
            if (ng__vint_get(&p, end, &v)) return ng__err(NG_ERROR, "postings: internal skip error");
        if (end - p < 8) return ng__err(NG_ERROR, "postings: internal skip error");
        ng__buf_put(&rc, &e->pst, p, (size_t)(end - 8 - p)); /* the frontier */
        p = end - 8;
        if (rc) return rc;
        crc = ng__crc32(ng__crc32(0, e->pst.ptr, e->pst.size), e->blocks.ptr, e->blocks.size);
        ng__buf_put_u32(&rc, &e->pst, crc);
        ng__buf_put(&rc, &e->pst, p + 4, 4); /* pos_crc */
    } else {
        ng__buf_put_vint(&rc, &e->pst, e->skips.size);
        ng__buf_put(&rc, &e->pst, e->skips.ptr, e->skips.size);
        if (!rc) ng__buf_put_u32(&rc, &e->pst, ng__crc32(0, e->pst.ptr, e->pst.size));
    }
    ng__buf_put(&rc, &e->pst, e->blocks.ptr, e->blocks.size);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Decoder                                                             */
/* ------------------------------------------------------------------ */

#define DEC_CORRUPT(d, at, why) ng_fmt__corrupt((d)->pf, (at), (why))

/* Read-ahead of cold files (ng__map_willneed): a term's postings when
** longer than PREFETCH_MIN, its positions POS_WINDOW at a time, as wide as
** a common default readahead. */
#define PREFETCH_MIN 8192
#define POS_WINDOW ((size_t)128 * 1024)

/* Read a block's frontier (see block_front) into b; -1 if malformed. */
static int get_front(const uint8_t **p, const uint8_t *end, ng_post_block *b)
{
    uint64_t n, tf, len, dtf, dlen;
    uint32_t k;
    if (ng__vint_next(p, end, &n) || n == 0 || n > NG_FMT_FRONT || ng__vint_next(p, end, &tf) ||
        ng__vint_next(p, end, &len) || tf == 0 || tf > UINT32_MAX || len > UINT32_MAX)
        return -1;
    b->n_front = (uint32_t)n;
    b->front_tf[0] = (uint32_t)tf;
    b->front_len[0] = (uint32_t)len;
    for (k = 1; k < n; k++) {
        if (ng__vint_next(p, end, &dtf) || ng__vint_next(p, end, &dlen) || dtf >= tf - 1 || dlen >= len) return -1;
        tf -= dtf + 1;
        len -= dlen + 1;
        b->front_tf[k] = (uint32_t)tf;
        b->front_len[k] = (uint32_t)len;
    }
    b->max_tf = b->front_tf[0];
    b->min_len = b->front_len[n - 1];
    return 0;
}

/* The end of f's body if [p, p + len) lies in it (the usual case: the
** bytes are the mapped file's), else of the bytes themselves. */
static const uint8_t *readable_end(const ng_file *f, const uint8_t *p, size_t len)
{
    uintptr_t a = (uintptr_t)p, lo, hi;
    if (!f || !f->body) return p + len;
    lo = (uintptr_t)f->body;
    hi = lo + f->body_len;
    return a >= lo && a <= hi && len <= hi - a ? f->body + f->body_len : p + len;
}

int ng_post__dec_open(ng_post_dec *d, const ng_file *pf, const uint8_t *pst, size_t pst_len,
                      const ng_file *xf, const uint8_t *pos, size_t pos_len, uint32_t df)
{
    const uint8_t *p = pst, *end = pst + pst_len;
    uint64_t nb, v;
    memset(d, 0, sizeof *d);
    d->pf = pf;
    d->xf = xf;
    d->df = df;
    d->pos_base = d->pos_ahead = pos;
    d->pos_end = pos + pos_len;
    d->data_readable = readable_end(pf, pst, pst_len);
    d->pos_readable = readable_end(xf, pos, pos_len);
    d->prev_last = NG_FMT_DOCID_END;
    /* blocks hold 1..128 documents (short ones only where a merge copied
       the blocks after them) */
    if (df == 0 || ng__vint_next(&p, end, &nb) || nb < (df + NG_FMT_BLOCK - 1) / NG_FMT_BLOCK || nb > df ||
        (nb == 1) != (df <= NG_FMT_BLOCK))
        return DEC_CORRUPT(d, pst, "postings: bad block count");
    d->n_blocks = (uint32_t)nb;
    d->docs_left = df;
    if (nb == 1) {
        uint32_t crc;
        if (get_front(&p, end, &d->cur) || end - p < 8)
            return DEC_CORRUPT(d, p, "postings: bad block-max data");
        /* the whole term at once: the cursor decodes its block right away */
        if (!ng_fmt__crc_seen(pf, pst, pst_len)) {
            crc = ng__crc32(ng__crc32(0, pst, (size_t)(p - pst)), p + 8, (size_t)(end - p - 8));
            if (crc != ng__get_u32(p)) return DEC_CORRUPT(d, p, "postings: block checksum mismatch");
            ng_fmt__crc_passed(pf, pst, pst_len);
        }
        /* a single block: its descriptor is known without skip entries */
        d->cur.pos_crc = ng__get_u32(p + 4);
        p += 8;
        d->p = d->end = p;
        d->data = p;
        d->data_end = end;
        d->cur.crc_ok = 1;
        return NG_OK;
    }
    if (ng__vint_next(&p, end, &v) || v > (uint64_t)(end - p) || (uint64_t)(end - p) - v < 4)
        return DEC_CORRUPT(d, p, "postings: bad skip length");
    /* The first read of a long list in this open file asks for all of it
       at once: its blocks are read in order, and a cold file would
       otherwise fault them in a page at a time (ng__map_random) */
    if (pf && pst_len > PREFETCH_MIN && !ng_fmt__crc_seen(pf, pst, (size_t)(p - pst + v)))
        ng__map_willneed(&pf->map, pst, pst_len);
    /* seeks trust skip entries without decoding the blocks: verify them all */
    if (!ng_fmt__crc_ok(pf, pst, (size_t)(p - pst + v), ng__get_u32(p + v)))
        return DEC_CORRUPT(d, p, "postings: skip entries checksum mismatch");
    d->p = p;
    d->end = p + v;
    d->data = d->end + 4;
    d->data_end = end;
    return NG_OK;
}

int ng_post__dec_next_block(ng_post_dec *d)
{
    uint64_t delta, nm1, dlen, plen;
    if (d->next_block >= d->n_blocks) return NG_ITEROVER;
    if (d->next_block > 0) d->prev_last = d->cur.last_doc;
    if (d->n_blocks == 1) {
        d->cur.n = d->df;
        d->cur.last_doc = NG_FMT_DOCID_END - 1; /* known once decoded */
        d->cur.data = d->data;
        d->cur.data_len = (size_t)(d->data_end - d->data);
        d->cur.pos_off = 0;
        d->cur.pos_len = (uint32_t)(d->pos_end - d->pos_base);
        d->next_block = 1; /* pos_crc, crc_ok: set by ng_post__dec_open */
        return NG_OK;
    }
    if (ng__vint_next(&d->p, d->end, &delta) || ng__vint_next(&d->p, d->end, &nm1) ||
        ng__vint_next(&d->p, d->end, &dlen) || ng__vint_next(&d->p, d->end, &plen) ||
        get_front(&d->p, d->end, &d->cur) || d->end - d->p < 8)
        return DEC_CORRUPT(d, d->p, "postings: truncated skip entry");
    /* every block holds at least one document, the last all that are left */
    if (nm1 >= NG_FMT_BLOCK || nm1 >= d->docs_left ||
        (d->next_block + 1 == d->n_blocks) != (nm1 + 1 == d->docs_left) ||
        d->docs_left - nm1 - 1 < d->n_blocks - d->next_block - 1)
        return DEC_CORRUPT(d, d->p, "postings: bad block size");
    d->cur.data_crc = ng__get_u32(d->p);
    d->cur.pos_crc = ng__get_u32(d->p + 4);
    d->cur.crc_ok = 0;
    d->p += 8;
    if (dlen > (uint64_t)(d->data_end - d->data)) return DEC_CORRUPT(d, d->data, "postings: block past end of list");
    if (d->pos_next > (uint64_t)(d->pos_end - d->pos_base) || plen > (uint64_t)(d->pos_end - d->pos_base) - d->pos_next)
        return DEC_CORRUPT(d, d->p, "postings: positions past end of list");
    {
        uint64_t last = d->next_block == 0 ? delta : (uint64_t)d->prev_last + delta;
        if ((d->next_block > 0 && delta == 0) || last >= NG_FMT_DOCID_END)
            return DEC_CORRUPT(d, d->p, "postings: skip docids not increasing");
        d->cur.last_doc = (uint32_t)last;
    }
    d->cur.n = (uint32_t)nm1 + 1;
    d->docs_left -= d->cur.n;
    d->cur.data = d->data;
    d->cur.data_len = (size_t)dlen;
    d->cur.pos_off = d->pos_next;
    d->cur.pos_len = (uint32_t)plen;
    d->data += dlen;
    d->pos_next += plen;
    d->next_block++;
    return NG_OK;
}

/* The doc ids alone: the frequencies' chunk is checked for its size only. */
/* Gaps to doc ids in place: docs[i] = first + sum(gaps[0..i]) + i.  Returns
** the last id, or UINT64_MAX if the sums passed 32 bits, so that one
** comparison checks the whole block: the ids increase.  With SSE2 four
** prefix sums go at a time; a bound on the gaps (their OR) rules out
** overflow without a 64-bit sum in all but sparse lists of huge segments. */
static uint64_t gaps_to_docs(uint32_t *docs, uint32_t n, uint64_t first)
{
    uint32_t or_all = ng__prefix_sums(docs, docs, n, (uint32_t)first - 1u, 1), i;
    /* every gap <= or_all: the last is at most first - 1 + n * (or_all + 1) */
    if (first + (uint64_t)n * ((uint64_t)or_all + 1) <= NG_FMT_DOCID_END) return docs[n - 1];
    /* rare (huge gaps): a step adds at most 2^32, so a 32-bit wrap shows
    ** as an id not above the one before it */
    if (first > 0 && docs[0] < first) return UINT64_MAX;
    for (i = 1; i < n; i++)
        if (docs[i] <= docs[i - 1]) return UINT64_MAX;
    return docs[n - 1];
}

/* Stored tf - 1 to tf in place; 0 if a value was UINT32_MAX (tf would wrap). */
static int tfs_plus_one(uint32_t *tfs, uint32_t n)
{
    uint32_t i = 0, any_max = 0;
#if defined(__SSE2__)
    __m128i one = _mm_set1_epi32(1), ones = _mm_set1_epi32(-1), eq = _mm_setzero_si128();
    for (; i + 4 <= n; i += 4) {
        __m128i x = _mm_loadu_si128((const __m128i *)(tfs + i));
        eq = _mm_or_si128(eq, _mm_cmpeq_epi32(x, ones));
        _mm_storeu_si128((__m128i *)(tfs + i), _mm_add_epi32(x, one));
    }
    any_max = (uint32_t)_mm_movemask_epi8(eq);
#endif
    for (; i < n; i++) {
        any_max |= tfs[i] == UINT32_MAX;
        tfs[i] += 1;
    }
    return !any_max;
}

/* The block's ids are decoded: check them against the skip entry. */
static int docs_done(ng_post_dec *d, const uint32_t *docs, uint64_t last)
{
    const ng_post_block *b = &d->cur;
    if (last >= NG_FMT_DOCID_END) return DEC_CORRUPT(d, b->data, "postings: docid overflow");
    if (d->n_blocks > 1 && docs[b->n - 1] != b->last_doc)
        return DEC_CORRUPT(d, b->data, "postings: block disagrees with its skip entry");
    if (d->n_blocks == 1) d->cur.last_doc = docs[b->n - 1];
    return NG_OK;
}

int ng_post__dec_docs(ng_post_dec *d, uint32_t *docs, uint32_t *tfs)
{
    const ng_post_block *b = &d->cur;
    const uint8_t *p = b->data, *end = b->data + b->data_len;
    uint64_t first = (uint64_t)d->prev_last + 1; /* the smallest id the block may start at */
    uint32_t n = b->n;
    size_t len;
    if (d->prev_last == NG_FMT_DOCID_END) first = 0;
    if (!b->crc_ok && !ng_fmt__crc_ok(d->pf, b->data, b->data_len, b->data_crc))
        return DEC_CORRUPT(d, b->data, "postings: block checksum mismatch");
    if (ng_fmt__pfor_decode_in(docs, n, &p, end, d->data_readable)) return DEC_CORRUPT(d, p, "postings: bad doc gaps");
    if (tfs) {
        if (ng_fmt__pfor_decode_in(tfs, n, &p, end, d->data_readable))
            return DEC_CORRUPT(d, p, "postings: bad frequencies");
        if (!tfs_plus_one(tfs, n)) return DEC_CORRUPT(d, b->data, "postings: frequency overflow");
    } else { /* the doc ids alone: the frequencies' chunk is only sized */
        if ((len = ng_fmt__pfor_size(p, end, n)) == 0) return DEC_CORRUPT(d, p, "postings: bad frequencies");
        p += len;
    }
    if (p != end) return DEC_CORRUPT(d, p, "postings: trailing bytes in block");
    return docs_done(d, docs, gaps_to_docs(docs, n, first));
}

int ng_post__pos_open(ng_post_dec *d, const uint32_t *tfs, ng_pos_reader *r)
{
    const ng_post_block *b = &d->cur;
    const uint8_t *p = d->pos_base + b->pos_off;
    /* A term's positions can run to many MB of which a phrase reads a few
       blocks: read ahead a window at a time, from the first block read
       past the last window, and only for blocks not yet read */
    if (d->xf && p + b->pos_len > d->pos_ahead && !ng_fmt__crc_seen(d->xf, p, b->pos_len)) {
        size_t n = (size_t)(d->pos_end - p) < POS_WINDOW ? (size_t)(d->pos_end - p) : POS_WINDOW;
        ng__map_willneed(&d->xf->map, p, n);
        d->pos_ahead = p + n;
    }
    if (!ng_fmt__crc_ok(d->xf, p, b->pos_len, b->pos_crc)) {
        char why[160]; /* the CRC is kept in .pst: either file may be the damaged one */
        snprintf(why, sizeof why, "positions: checksum mismatch (with the checksum in %s)", d->pf->name);
        return ng_fmt__corrupt(d->xf, p, why);
    }
    if (ng_fmt__pos_open(r, p, b->pos_len, d->pos_readable, tfs, b->n)) return ng_fmt__corrupt(d->xf, p, r->why);
    return NG_OK;
}

int ng_post__dec_positions(ng_post_dec *d, const uint32_t *tfs, uint32_t *out, size_t n_out)
{
    const ng_post_block *b = &d->cur;
    const uint8_t *p = d->pos_base + b->pos_off;
    ng_pos_reader r;
    int rc;
    if ((rc = ng_post__pos_open(d, tfs, &r)) != NG_OK) return rc;
    if (r.start[b->n] != n_out) return ng_fmt__corrupt(d->xf, p, "positions: fewer than the frequencies say");
    if (ng_fmt__pos_all(&r, out)) return ng_fmt__corrupt(d->xf, p, r.why);
    return NG_OK;
}
