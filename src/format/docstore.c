/*
** docstore.c -- the document store (.doc) -- FORMAT.md section 6.
**
**   body:  blocks: zlib (deflate, level STORE_LEVEL) of the concatenated
**          records of consecutive documents, about NG_FMT_STORE_BLOCK
**          bytes raw (a record bigger than that makes a block alone);
**            record: 5 x (vint len, bytes) = id, title, date, url, body
**          block table: n_blocks x (u64 offset in body, u32 first docid,
**                                   u32 compressed len, u32 raw len,
**                                   u32 CRC-32 of the 20 bytes before it)
**          id blob: per document in docid order: vint len, id bytes, vint docid
**          id index: n_docs x u32 offset into the id blob, sorted by id bytes
**   meta:  u32 n_docs, u32 n_blocks, u64 table_off, u64 blob_off,
**          u64 blob_len, u64 index_off   (offsets relative to body),
**          u32 ids_crc  (CRC-32 of the id blob, then of the id index)
**
** The id index lets the writer find the document a new version replaces
** (JSONL ids, file paths) by binary search, without reading the blocks.
**
** Integrity: zlib's adler32 covers each block's raw bytes; the table entry
** of the block fetched, and of the next one (whose first docid bounds the
** block), are checked against their CRCs, and the block must hold exactly
** the records the table says.  The id area is verified once, on the first
** lookup (only writers and check look ids up).
**
** Merges (docstore.h) copy whole blocks of their inputs without inflating
** and deflating them again: ng_store__enc_copy_block() writes a block's
** zlib stream unchanged under a new first docid and takes its id entries
** from the input's id blob.  The merge checks each input's whole-file
** CRC first, so that a damaged block is never carried into a new segment;
** if that fails, the blocks it copies are inflated and checked one by one,
** their ids taken from their records.
** (Inflating every copied block to check it, as merges did before, made
** the store copy of a four-segment 1M optimize take 18 s; with the file
** CRC it takes 7.5 s, mostly the kernel's copying of the written bytes.)
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* qsort_r */
#endif
#include <stdlib.h>
#include <zlib.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "format/docstore.h"

#define META_LEN 44
#define TABLE_ENTRY NG_STORE_TABLE_ENTRY
/* Deflate level of the blocks.  The streams are zlib's (RFC 1950) either
** way; libdeflate, when built with it, writes them 1.5-2 times faster than
** zlib and a little smaller.  Measured with libdeflate on the benchmark
** corpus's stored fields (its 2016 files, 47 MB of records):
**   32 KiB blocks: level 6 38.7% at 39 MB/s, 4 39.6% at 53 MB/s
**   64 KiB blocks: level 6 36.7% at 42 MB/s, 4 37.7% at 67 MB/s
** (16 KiB blocks and zlib 5, the 0.2 store: 41.8%).  A 64 KiB block at
** level 4 is smaller than a 32 KiB one at 6 and written 1.7 times faster:
** the window of the second half is full.  The price is on reads: a hit
** shown inflates twice the bytes (a one-query process with its top 10 and
** snippets took 1.04 times as long on the 100k benchmark index).
** Level 1 (39.9% at 95 MB/s on the same records) is what the store uses:
** deflating was a fifth of a 1M build's CPU.  On two years of the 1M bench
** corpus the .doc files grow 5.8% (351.5 to 371.7 MB, the whole index by
** 3.4%) and the build takes 0.91 of the CPU time. */
#define STORE_LEVEL 1

void ng_store__enc_init(ng_store_enc *e, ng_fwriter *fw)
{
    memset(e, 0, sizeof *e);
    e->fw = fw;
}

void ng_store__enc_free(ng_store_enc *e)
{
    ng_buf_dispose(&e->raw);
    ng_buf_dispose(&e->comp);
    ng_buf_dispose(&e->table);
    ng_buf_dispose(&e->ids);
    ng__free(e->id_offs);
#ifdef HAVE_LIBDEFLATE
    if (e->deflater) libdeflate_free_compressor(e->deflater);
#endif
    memset(e, 0, sizeof *e);
}

/* Append a block table entry for a zlib stream of clen bytes about to be
** written, then the stream itself; its documents are block_first ..
** n_docs - 1. */
static int put_block(ng_store_enc *e, const void *comp, uint32_t clen, uint32_t rlen)
{
    int rc = NG_OK;
    ng__buf_put_u64(&rc, &e->table, e->fw->off - NG_FMT_HEADER_SIZE);
    ng__buf_put_u32(&rc, &e->table, e->block_first);
    ng__buf_put_u32(&rc, &e->table, clen);
    ng__buf_put_u32(&rc, &e->table, rlen);
    if (!rc) ng__buf_put_u32(&rc, &e->table, ng__crc32(0, e->table.ptr + e->table.size - 20, 20));
    if (!rc) rc = ng_fmt__fw_write(e->fw, comp, clen);
    e->block_first = e->n_docs;
    e->n_blocks++;
    return rc;
}

/* The zlib stream of e->raw into e->comp; its length in *clen. */
static int deflate_block(ng_store_enc *e, size_t *clen)
{
    int rc;
#ifdef HAVE_LIBDEFLATE
    size_t bound;
    if (!e->deflater && !(e->deflater = libdeflate_alloc_compressor(STORE_LEVEL))) return ng__oom();
    bound = libdeflate_zlib_compress_bound(e->deflater, e->raw.size);
    if ((rc = ng__buf_grow(&e->comp, bound)) != NG_OK) return rc;
    *clen = libdeflate_zlib_compress(e->deflater, e->raw.ptr, e->raw.size, e->comp.ptr, bound);
    if (*clen == 0) return ng__err(NG_ERROR, "deflate failed");
#else
    uLongf n = compressBound((uLong)e->raw.size);
    if ((rc = ng__buf_grow(&e->comp, n)) != NG_OK) return rc;
    if (compress2((Bytef *)e->comp.ptr, &n, (const Bytef *)e->raw.ptr, (uLong)e->raw.size, STORE_LEVEL) != Z_OK)
        return ng__err(NG_ERROR, "zlib compression failed");
    *clen = n;
#endif
    return NG_OK;
}

/* Inflate a zlib stream into exactly rlen bytes; -1 if it does not. */
static int inflate_block(const uint8_t *comp, size_t clen, void *out, size_t rlen)
{
#ifdef HAVE_LIBDEFLATE
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    enum libdeflate_result r;
    if (!d) return -1;
    r = libdeflate_zlib_decompress(d, comp, clen, out, rlen, NULL); /* NULL: exactly rlen */
    libdeflate_free_decompressor(d);
    return r == LIBDEFLATE_SUCCESS ? 0 : -1;
#else
    uLongf n = (uLongf)rlen;
    return uncompress((Bytef *)out, &n, comp, (uLong)clen) == Z_OK && n == rlen ? 0 : -1;
#endif
}

static int flush_block(ng_store_enc *e)
{
    size_t clen = 0;
    int rc;
    if (e->raw.size == 0) return NG_OK;
    if ((rc = deflate_block(e, &clen)) != NG_OK) return rc;
    rc = put_block(e, e->comp.ptr, (uint32_t)clen, (uint32_t)e->raw.size);
    ng__buf_clear(&e->raw);
    return rc;
}

static void put_field(int *rc, ng_buf *b, const char *p, size_t n)
{
    if (!p) n = 0;
    else if (n == (size_t)-1) n = strlen(p);
    ng__buf_put_vint(rc, b, n);
    ng__buf_put(rc, b, p, n);
}

/* The id entry of the next document (docid n_docs), which it counts. */
static int add_id(ng_store_enc *e, const char *id, size_t idn)
{
    int rc = NG_GROW(e->id_offs, e->id_cap, (size_t)e->n_docs + 1);
    if (rc) return rc;
    e->id_offs[e->n_docs] = (uint32_t)e->ids.size;
    put_field(&rc, &e->ids, id, idn);
    ng__buf_put_vint(&rc, &e->ids, e->n_docs);
    if (rc) return rc;
    if (e->ids.size > UINT32_MAX) return ng__err(NG_EINVAL, "segment id table over 4 GiB");
    e->n_docs++;
    return NG_OK;
}

int ng_store__enc_add(ng_store_enc *e, const ng_document *doc)
{
    int rc = NG_OK;
    size_t idn = doc->id ? (doc->id_len == (size_t)-1 ? strlen(doc->id) : doc->id_len) : 0;
    if (e->n_docs >= NG_FMT_MAX_DOCS) return ng__err(NG_EINVAL, "segment full");
    put_field(&rc, &e->raw, doc->id, doc->id_len);
    put_field(&rc, &e->raw, doc->title, doc->title_len);
    put_field(&rc, &e->raw, doc->date, doc->date_len);
    put_field(&rc, &e->raw, doc->url, doc->url_len);
    put_field(&rc, &e->raw, doc->body, doc->body_len);
    if (rc || (rc = add_id(e, doc->id, idn)) != NG_OK) return rc;
    if (e->raw.size >= NG_FMT_STORE_BLOCK) return flush_block(e);
    return NG_OK;
}

/* Decode the id at blob offset off; -1 (and an empty id) if it does not fit. */
static int id_at(const uint8_t *blob, size_t blob_len, uint32_t off, const uint8_t **p, size_t *n);
static int verify_ids(const ng_store *s);

int ng_store__ids_begin(const ng_store *s, ng_store_ids *it)
{
    it->p = s->id_blob;
    it->next = 0;
    return verify_ids(s);
}

/* Walk src's id blob forward to doc's entry (doc >= it->next): every
** entry passed must name its own docid, as build_id_table checks. */
static int ids_seek(const ng_store *s, ng_store_ids *it, uint32_t doc, const uint8_t **id, size_t *n)
{
    const uint8_t *end = s->id_blob + s->id_blob_len;
    uint64_t docid;
    if (doc < it->next || doc >= s->n_docs) return ng__err(NG_EINVAL, "store: id walk out of order");
    for (;;) {
        if (id_at(s->id_blob, s->id_blob_len, (uint32_t)(it->p - s->id_blob), id, n)) break;
        it->p = *id + *n;
        if (ng__vint_get(&it->p, end, &docid) || docid != it->next) break;
        if (it->next++ == doc) return NG_OK;
    }
    return ng_fmt__corrupt(&s->f, it->p, "store: id blob entries out of docid order");
}

int ng_store__ids_next(const ng_store *s, ng_store_ids *ids, const char **id, size_t *len)
{
    const uint8_t *p = NULL;
    int rc = ids_seek(s, ids, ids->next, &p, len);
    *id = (const char *)p;
    return rc;
}

int ng_store__enc_copy_block(ng_store_enc *e, const ng_store *src, ng_store_ids *ids, const ng_store_block *blk)
{
    const uint8_t *p = blk->raw, *end = blk->raw + blk->rlen;
    uint32_t i;
    int rc;
    if (!ids && !blk->raw) return ng__err(NG_EINVAL, "store: block to copy was not loaded");
    if (blk->n_docs > NG_FMT_MAX_DOCS - e->n_docs) return ng__err(NG_EINVAL, "segment full");
    /* pending records first: they hold the docids before this block's */
    if ((rc = flush_block(e)) != NG_OK) return rc;
    for (i = 0; i < blk->n_docs; i++) {
        const uint8_t *id = NULL;
        size_t n = 0;
        if (ids) {
            rc = ids_seek(src, ids, blk->first + i, &id, &n);
        } else { /* from the loaded records */
            ng_field_ref f[NG_FIELD_COUNT];
            rc = ng_store__block_next(&p, end, f);
            id = (const uint8_t *)f[NG_FIELD_ID].p;
            n = f[NG_FIELD_ID].n;
        }
        if (rc || (rc = add_id(e, (const char *)id, n)) != NG_OK) return rc;
    }
    /* block_first is still the first of its docids: put_block names it */
    return put_block(e, blk->comp, blk->clen, blk->rlen);
}

static int id_at(const uint8_t *blob, size_t blob_len, uint32_t off, const uint8_t **p, size_t *n)
{
    const uint8_t *q = blob + (off < blob_len ? off : blob_len);
    uint64_t len = 0;
    *p = q;
    *n = 0;
    if (off >= blob_len || ng__vint_get(&q, blob + blob_len, &len) || len > (uint64_t)(blob + blob_len - q))
        return -1;
    *p = q;
    *n = (size_t)len;
    return 0;
}

static int cmp_ids(const void *a, const void *b, void *payload)
{
    const ng_buf *ids = payload;
    const uint8_t *pa, *pb;
    size_t na, nb;
    int c;
    (void)id_at((const uint8_t *)ids->ptr, ids->size, *(const uint32_t *)a, &pa, &na);
    (void)id_at((const uint8_t *)ids->ptr, ids->size, *(const uint32_t *)b, &pb, &nb);
    c = memcmp(pa, pb, na < nb ? na : nb);
    if (c) return c;
    if (na != nb) return na < nb ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1; /* later docs after */
}

int ng_store__enc_finish(ng_store_enc *e)
{
    uint8_t meta[META_LEN];
    uint64_t table_off, blob_off, index_off;
    size_t i;
    uint32_t ids_crc;
    int rc = flush_block(e);
    if (rc) return rc;
    table_off = e->fw->off - NG_FMT_HEADER_SIZE;
    if ((rc = ng_fmt__fw_write(e->fw, e->table.ptr, e->table.size)) != NG_OK) return rc;
    blob_off = e->fw->off - NG_FMT_HEADER_SIZE;
    if ((rc = ng_fmt__fw_write(e->fw, e->ids.ptr, e->ids.size)) != NG_OK) return rc;
    index_off = e->fw->off - NG_FMT_HEADER_SIZE;
    if (e->n_docs) qsort_r(e->id_offs, e->n_docs, sizeof *e->id_offs, cmp_ids, &e->ids);
    ids_crc = ng__crc32(0, e->ids.ptr, e->ids.size);
    for (i = 0; i < e->n_docs && !rc; i++) {
        uint8_t tmp[4];
        ng__set_u32(tmp, e->id_offs[i]);
        ids_crc = ng__crc32(ids_crc, tmp, 4);
        rc = ng_fmt__fw_write(e->fw, tmp, 4);
    }
    if (rc) return rc;
    ng__set_u32(meta, e->n_docs);
    ng__set_u32(meta + 4, e->n_blocks);
    ng__set_u64(meta + 8, table_off);
    ng__set_u64(meta + 16, blob_off);
    ng__set_u64(meta + 24, e->ids.size);
    ng__set_u64(meta + 32, index_off);
    ng__set_u32(meta + 40, ids_crc);
    return ng_fmt__fw_finish(e->fw, meta, sizeof meta);
}

int ng_store__open(ng_store *s, const char *path)
{
    uint64_t table_off, blob_off, blob_len, index_off, bl = 0;
    int rc;
    memset(s, 0, sizeof *s);
    if ((rc = ng_fmt__open(&s->f, path, NG_FK_DOC)) != NG_OK) return rc;
    if (s->f.meta_len != META_LEN) {
        rc = ng_fmt__corrupt(&s->f, s->f.meta, "store: bad meta length");
        goto fail;
    }
    bl = s->f.body_len;
    s->n_docs = ng__get_u32(s->f.meta);
    s->n_blocks = ng__get_u32(s->f.meta + 4);
    table_off = ng__get_u64(s->f.meta + 8);
    blob_off = ng__get_u64(s->f.meta + 16);
    blob_len = ng__get_u64(s->f.meta + 24);
    index_off = ng__get_u64(s->f.meta + 32);
    s->ids_crc = ng__get_u32(s->f.meta + 40);
    if (table_off > bl || (uint64_t)s->n_blocks * TABLE_ENTRY > bl - table_off || blob_off > bl ||
        blob_len > bl - blob_off || index_off > bl || (uint64_t)s->n_docs * 4 > bl - index_off ||
        (s->n_docs > 0 && s->n_blocks == 0) || s->n_blocks > s->n_docs) {
        rc = ng_fmt__corrupt(&s->f, s->f.meta, "store: sections out of bounds");
        goto fail;
    }
    s->table = s->f.body + table_off;
    /* every document fetch binary-searches the block table */
    ng__map_willneed(&s->f.map, s->table, (size_t)s->n_blocks * TABLE_ENTRY);
    s->id_blob = s->f.body + blob_off;
    s->id_blob_len = (size_t)blob_len;
    s->id_index = s->f.body + index_off;
    return NG_OK;
fail:
    ng_store__close(s);
    return rc;
}

void ng_store__close(ng_store *s)
{
    ng__free(s->id_by_doc);
    s->id_by_doc = NULL;
    ng_fmt__close(&s->f);
}

static uint32_t block_of(const ng_store *s, uint32_t doc)
{
    uint32_t lo = 0, hi = s->n_blocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ng__get_u32(s->table + (size_t)mid * TABLE_ENTRY + 8) <= doc) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Block b's table entry, verified: offset, first docid, lengths. */
static int table_entry(const ng_store *s, uint32_t b, uint64_t *off, uint32_t *first, uint32_t *clen, uint32_t *rlen)
{
    const uint8_t *e = s->table + (size_t)b * TABLE_ENTRY;
    if (ng__crc32(0, e, 20) != ng__get_u32(e + 20)) return ng_fmt__corrupt(&s->f, e, "store: block table checksum mismatch");
    *off = ng__get_u64(e);
    *first = ng__get_u32(e + 8);
    *clen = ng__get_u32(e + 12);
    *rlen = ng__get_u32(e + 16);
    if (*first >= s->n_docs || *off > s->f.body_len || *clen > s->f.body_len - *off || *rlen > (1u << 30))
        return ng_fmt__corrupt(&s->f, e, "store: bad block table entry");
    return NG_OK;
}

int ng_store__block_info(const ng_store *s, uint32_t b, ng_store_block *out)
{
    uint64_t off, noff;
    uint32_t next_first = s->n_docs, nclen, nrlen;
    int rc;
    memset(out, 0, sizeof *out);
    if (b >= s->n_blocks) return ng__err(NG_EINVAL, "%s: no block %u", s->f.name, b);
    if ((rc = table_entry(s, b, &off, &out->first, &out->clen, &out->rlen)) != NG_OK) return rc;
    if (b + 1 < s->n_blocks && (rc = table_entry(s, b + 1, &noff, &next_first, &nclen, &nrlen)) != NG_OK) return rc;
    if (out->first >= next_first)
        return ng_fmt__corrupt(&s->f, s->table + (size_t)b * TABLE_ENTRY, "store: block table out of order");
    out->n_docs = next_first - out->first;
    out->comp = s->f.body + off;
    return NG_OK;
}

/* One record: NG_FIELD_COUNT x (vint len, bytes); -1 if cut short. */
static int parse_record(const uint8_t **p, const uint8_t *end, ng_field_ref fields[NG_FIELD_COUNT])
{
    int k;
    for (k = 0; k < NG_FIELD_COUNT; k++) {
        uint64_t n;
        if (ng__vint_get(p, end, &n) || n > (uint64_t)(end - *p)) return -1;
        fields[k].p = (const char *)*p;
        fields[k].n = (size_t)n;
        *p += n;
    }
    return 0;
}

int ng_store__block_next(const uint8_t **p, const uint8_t *end, ng_field_ref fields[NG_FIELD_COUNT])
{
    if (parse_record(p, end, fields)) return ng__err(NG_ECORRUPT, "store: bad record in block");
    return NG_OK;
}

/* Inflate blk and walk all its records, exactly blk->n_docs of them;
** fields[] gets those of record `want` (relative to blk->first) if any. */
static int load_block(const ng_store *s, ng_store_block *blk, ng_buf *scratch, uint32_t want,
                      ng_field_ref fields[NG_FIELD_COUNT])
{
    const uint8_t *p, *end;
    ng_field_ref f[NG_FIELD_COUNT];
    uint32_t i;
    int rc;
    blk->raw = NULL;
    ng__buf_clear(scratch);
    if ((rc = ng__buf_grow(scratch, blk->rlen)) != NG_OK) return rc;
    ng__map_willneed(&s->f.map, blk->comp, blk->clen);
    if (inflate_block(blk->comp, blk->clen, scratch->ptr, blk->rlen))
        return ng_fmt__corrupt(&s->f, blk->comp, "store: block does not decompress");
    scratch->size = blk->rlen;
    p = (const uint8_t *)scratch->ptr;
    end = p + blk->rlen;
    for (i = 0; i < blk->n_docs; i++) {
        if (parse_record(&p, end, f)) return ng_fmt__corrupt(&s->f, blk->comp, "store: bad record in block");
        if (i == want) memcpy(fields, f, sizeof f);
    }
    if (p != end) return ng_fmt__corrupt(&s->f, blk->comp, "store: block holds more records than its table says");
    blk->raw = (const uint8_t *)scratch->ptr;
    return NG_OK;
}

int ng_store__block_load(const ng_store *s, ng_store_block *blk, ng_buf *scratch)
{
    return load_block(s, blk, scratch, UINT32_MAX, NULL);
}

int ng_store__get(const ng_store *s, uint32_t doc, ng_buf *scratch, ng_field_ref fields[NG_FIELD_COUNT])
{
    ng_store_block blk;
    uint32_t b;
    int rc;
    if (doc >= s->n_docs) return ng__err(NG_ENOTFOUND, "%s: no document %u", s->f.name, doc);
    b = block_of(s, doc);
    if ((rc = ng_store__block_info(s, b, &blk)) != NG_OK) return rc;
    /* a damaged first docid elsewhere can misroute the search: the block
       found must really hold doc, as the records count confirms */
    if (blk.first > doc || doc - blk.first >= blk.n_docs)
        return ng_fmt__corrupt(&s->f, s->table + (size_t)b * TABLE_ENTRY, "store: block table out of order");
    return load_block(s, &blk, scratch, doc - blk.first, fields);
}

/* Compare the id of index slot i with (id, len); *docid_out gets its docid. */
static int cmp_slot(const ng_store *s, uint32_t i, const char *id, size_t len, uint32_t *docid_out, int *rc)
{
    const uint8_t *p, *q;
    size_t n;
    uint64_t docid;
    int c, bad;
    uint32_t off = ng__get_u32(s->id_index + 4 * (size_t)i);
    *rc = NG_OK;
    bad = id_at(s->id_blob, s->id_blob_len, off, &p, &n);
    q = p + n;
    if (bad || ng__vint_get(&q, s->id_blob + s->id_blob_len, &docid) || docid >= s->n_docs) {
        *rc = ng_fmt__corrupt(&s->f, s->id_index + 4 * (size_t)i, "store: bad id index entry");
        return 0;
    }
    *docid_out = (uint32_t)docid;
    c = memcmp(p, id, n < len ? n : len);
    return c ? c : (n < len ? -1 : n > len);
}

/* Verify the id blob and id index against ids_crc, once per open store.
** Concurrent callers may both verify; the flag is only ever set to 1. */
static int verify_ids(const ng_store *s)
{
    int *ok = (int *)&s->ids_ok; /* a cache, not part of the value */
    uint32_t crc;
    if (__atomic_load_n(ok, __ATOMIC_ACQUIRE)) return NG_OK;
    /* the blob and the index lie end to end: one read ahead for both, not
       a fault a page (the store is mapped for random reads), which made a
       writer's first id lookups in a cold 1M index take seconds */
    ng__map_willneed(&s->f.map, s->id_blob, s->id_blob_len + 4 * (size_t)s->n_docs);
    crc = ng__crc32(ng__crc32(0, s->id_blob, s->id_blob_len), s->id_index, 4 * (size_t)s->n_docs);
    if (crc != s->ids_crc) return ng_fmt__corrupt(&s->f, s->id_blob, "store: id table checksum mismatch");
    __atomic_store_n(ok, 1, __ATOMIC_RELEASE);
    return NG_OK;
}

int ng_store__find(const ng_store *s, const char *id, size_t len, uint32_t *doc_out)
{
    uint32_t lo = 0, hi = s->n_docs, docid = 0;
    int rc, c;
    if ((rc = verify_ids(s)) != NG_OK) return rc;
    while (lo < hi) { /* lower bound */
        uint32_t mid = lo + (hi - lo) / 2;
        c = cmp_slot(s, mid, id, len, &docid, &rc);
        if (rc) return rc;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= s->n_docs) return NG_ENOTFOUND;
    c = cmp_slot(s, lo, id, len, &docid, &rc);
    if (rc) return rc;
    if (c != 0) return NG_ENOTFOUND;
    /* equal ids sort by docid: the newest is the last of the run */
    for (*doc_out = docid, lo++; lo < s->n_docs; lo++) {
        c = cmp_slot(s, lo, id, len, &docid, &rc);
        if (rc) return rc;
        if (c != 0) break;
        *doc_out = docid;
    }
    return NG_OK;
}

/* Ids asked for by docid before the store builds its docid -> id table:
** listing many matches (-l) would otherwise inflate a block per match,
** while a page of ten hits should not pay for walking every id. */
#define ID_TABLE_AFTER 64

/* The id blob holds one entry per document in docid order; record where
** each starts, checking that the entries follow each other and name their
** own docids. */
static int build_id_table(const ng_store *s, uint32_t **out)
{
    const uint8_t *p = s->id_blob, *end = s->id_blob + s->id_blob_len;
    uint32_t *t, d;
    int rc;
    *out = NULL;
    if ((rc = verify_ids(s)) != NG_OK) return rc;
    if (!(t = ng__malloc(((size_t)s->n_docs + 1) * sizeof *t))) return ng__oom();
    for (d = 0; d < s->n_docs; d++) {
        uint64_t len, docid;
        t[d] = (uint32_t)(p - s->id_blob);
        if (ng__vint_get(&p, end, &len) || len > (uint64_t)(end - p)) break;
        p += len;
        if (ng__vint_get(&p, end, &docid) || docid != d) break;
    }
    if (d < s->n_docs) {
        ng__free(t);
        return ng_fmt__corrupt(&s->f, p, "store: id blob entries out of docid order");
    }
    *out = t;
    return NG_OK;
}

int ng_store__id(const ng_store *s, uint32_t doc, const char **id, size_t *len)
{
    uint32_t **slot = (uint32_t **)&s->id_by_doc; /* a cache, not part of the value */
    uint32_t *t = __atomic_load_n(slot, __ATOMIC_ACQUIRE), *none = NULL;
    const uint8_t *p;
    int rc;
    if (doc >= s->n_docs) return ng__err(NG_EINVAL, "%s: no document %u", s->f.name, doc);
    if (!t) {
        if (__atomic_add_fetch((unsigned *)&s->id_reads, 1u, __ATOMIC_RELAXED) < ID_TABLE_AFTER) return 1;
        if ((rc = build_id_table(s, &t)) != NG_OK) return rc;
        /* two threads may both build it: the first installed stays */
        if (!__atomic_compare_exchange_n(slot, &none, t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            ng__free(t);
            t = none;
        }
    }
    if (id_at(s->id_blob, s->id_blob_len, t[doc], &p, len)) /* checked when built */
        return ng_fmt__corrupt(&s->f, s->id_blob, "store: bad id entry");
    *id = (const char *)p;
    return NG_OK;
}
