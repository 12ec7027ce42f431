/*
** lengths.c -- document lengths (.len) and tombstones (.del-G) --
** FORMAT.md sections 7 and 8.
**
** .len   body: n_docs x u32 length in tokens (title and body), for BM25,
**              then n_docs x i32 date (days since 1970-01-01, INT32_MIN
**              for none), for date filters, sorting and recency
**        meta: u32 n_docs, u64 total tokens
** .del-G body: ceil(n_docs/8) bytes, bit d%8 of byte d/8 set = deleted
**        meta: u32 n_docs, u32 n_deleted
** Tombstones are never modified in place: a commit that deletes more
** documents of a segment writes generation G+1 and the manifest names it.
*/
#include "format/format.h"

static int write_u32s(ng_fwriter *fw, const uint32_t *v, uint32_t n, uint64_t *sum)
{
    uint8_t tmp[4096];
    uint32_t i = 0;
    int rc = NG_OK;
    while (!rc && i < n) {
        size_t k = 0;
        for (; i < n && k + 4 <= sizeof tmp; i++, k += 4) {
            ng__set_u32(tmp + k, v[i]);
            *sum += v[i];
        }
        rc = ng_fmt__fw_write(fw, tmp, k);
    }
    return rc;
}

int ng_lens__write(const char *path, const uint32_t *lens, const int32_t *dates, uint32_t n)
{
    ng_fwriter fw;
    uint8_t meta[12];
    uint64_t total = 0, unused = 0;
    int rc = ng_fmt__fw_open(&fw, path, NG_FK_LEN);
    if (!rc) rc = write_u32s(&fw, lens, n, &total);
    if (!rc) rc = write_u32s(&fw, (const uint32_t *)(const void *)dates, n, &unused);
    ng__set_u32(meta, n);
    ng__set_u64(meta + 4, total);
    if (!rc) rc = ng_fmt__fw_finish(&fw, meta, sizeof meta);
    if (rc) ng_fmt__fw_abort(&fw);
    return rc;
}

int ng_lens__open(ng_lens *l, const char *path)
{
    int rc;
    memset(l, 0, sizeof *l);
    if ((rc = ng_fmt__open(&l->f, path, NG_FK_LEN)) != NG_OK) return rc;
    if (l->f.meta_len != 12 || (uint64_t)ng__get_u32(l->f.meta) * 8 != l->f.body_len) {
        rc = ng_fmt__corrupt(&l->f, l->f.meta, "lengths: size disagrees with count");
        ng_lens__close(l);
        return rc;
    }
    /* Scores read lengths and dates with no error path, so the whole file
       is verified here: 8 bytes a document, about 1 ms per 100k documents */
    if ((rc = ng_fmt__verify(&l->f)) != NG_OK) {
        ng_lens__close(l);
        return rc;
    }
    l->n_docs = ng__get_u32(l->f.meta);
    l->total = ng__get_u64(l->f.meta + 4);
    l->v = l->f.body;
    l->dates = l->f.body + 4 * (size_t)l->n_docs;
    return NG_OK;
}

void ng_lens__close(ng_lens *l) { ng_fmt__close(&l->f); }

int ng_del__write(const char *path, const uint8_t *bits, uint32_t n_docs)
{
    ng_fwriter fw;
    uint8_t meta[8];
    uint32_t i, dels = 0;
    size_t nb = ((size_t)n_docs + 7) / 8;
    int rc;
    for (i = 0; i < n_docs; i++) dels += (bits[i >> 3] >> (i & 7)) & 1u;
    if ((rc = ng_fmt__fw_open(&fw, path, NG_FK_DEL)) != NG_OK) return rc;
    ng__set_u32(meta, n_docs);
    ng__set_u32(meta + 4, dels);
    rc = ng_fmt__fw_write(&fw, bits, nb);
    if (!rc) rc = ng_fmt__fw_finish(&fw, meta, sizeof meta);
    if (rc) ng_fmt__fw_abort(&fw);
    return rc;
}

int ng_del__read(uint8_t **bits_out, const char *path, uint32_t n_docs)
{
    ng_file f;
    size_t nb = ((size_t)n_docs + 7) / 8;
    int rc;
    *bits_out = NULL;
    if ((rc = ng_fmt__open(&f, path, NG_FK_DEL)) != NG_OK) return rc;
    if (f.meta_len != 8 || ng__get_u32(f.meta) != n_docs || f.body_len != nb) {
        rc = ng_fmt__corrupt(&f, f.meta, "tombstones: size disagrees with the segment");
    } else if ((rc = ng_fmt__verify(&f)) == NG_OK) {
        /* small and read whole: the checksum is cheap, so always verified */
        *bits_out = ng__malloc(nb ? nb : 1);
        if (!*bits_out) rc = ng__oom();
        else if (nb) memcpy(*bits_out, f.body, nb);
    }
    ng_fmt__close(&f);
    return rc;
}
