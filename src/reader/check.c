/*
** check.c -- ng_index_check(): verify every file of a snapshot (newsgrep
** check).  Checks, per segment: each file's whole-file CRC-32; terms in
** strictly increasing byte order; every posting list decodes, with docids
** strictly increasing and inside the segment, term frequencies and
** positions consistent with the dictionary; every document-store block
** decompresses; every document's id is found through the id index.
*/
#include "format/docstore.h"
#include "reader/reader.h"

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = memcmp(a, b, m);
    return c ? c : (an < bn ? -1 : an > bn);
}

/* Decode one term's lists completely. */
static int check_term(const ng_segment *s, const ng_dict_iter *it, uint32_t **posv, size_t *cap)
{
    ng_post_dec d;
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], prev = NG_FMT_DOCID_END, i, seen = 0;
    uint64_t cf = 0;
    const ng_term_info *ti = &it->ti;
    int rc = ng_seg__open_term(&d, s, ti);
    while (!rc && (rc = ng_post__dec_next_block(&d)) == NG_OK) {
        size_t total = 0;
        if ((rc = ng_post__dec_docs(&d, docs, tfs)) != NG_OK) break;
        for (i = 0; i < d.cur.n; i++) {
            if ((prev != NG_FMT_DOCID_END && docs[i] <= prev) || docs[i] >= s->meta.n_docs)
                return ng__corrupt(s->pst.name, (uint64_t)(d.cur.data - s->pst.map.data), "postings: docids not increasing or out of range");
            prev = docs[i];
            total += tfs[i];
        }
        if ((rc = NG_GROW(*posv, *cap, total + 1)) != NG_OK) break;
        if ((rc = ng_post__dec_positions(&d, tfs, *posv, total)) != NG_OK) break;
        seen += d.cur.n;
        cf += total;
    }
    if (rc == NG_ITEROVER) rc = NG_OK;
    if (!rc && (seen != ti->df || cf != ti->cf))
        rc = ng__corrupt(s->pst.name, ti->pst_off, "postings: counts disagree with the dictionary");
    if (rc) ng__err_prefix("term '%s'", it->term);
    return rc;
}

static int check_dict(const ng_segment *s)
{
    ng_dict_iter it;
    char prev[256];
    size_t prev_len = 0;
    uint64_t n = 0;
    uint32_t *posv = NULL;
    size_t cap = 0;
    int rc = ng_dict__iter_seek(&it, &s->dict, "", 0);
    while (!rc && (rc = ng_dict__iter_next(&it)) == NG_OK) {
        if (n > 0 && cmp_bytes(prev, prev_len, it.term, it.term_len) >= 0) {
            rc = ng__corrupt(s->dict.f.name, 0, "dictionary: terms out of order");
            break;
        }
        memcpy(prev, it.term, it.term_len);
        prev_len = it.term_len;
        n++;
        if (it.term_len && it.term[0] == NG_NS_WORD) { /* lexicon: counts, no lists */
            if (it.ti.pst_len || it.ti.pos_len || it.ti.df > s->meta.n_docs || it.ti.cf < it.ti.df)
                rc = ng__corrupt(s->dict.f.name, 0, "dictionary: lexicon entry with postings or bad counts");
            continue;
        }
        rc = check_term(s, &it, &posv, &cap);
    }
    ng__free(posv);
    if (rc == NG_ITEROVER) rc = NG_OK;
    if (!rc && n != s->dict.n_terms) rc = ng__corrupt(s->dict.f.name, 0, "dictionary: term count mismatch");
    return rc;
}

/* Every block inflates and holds exactly the records its table entry says
** (ng_store__block_load checks them all); every id of the id blob, in
** docid order, is found through the id index. */
static int check_store(const ng_segment *s)
{
    const ng_store *st = &s->store;
    ng_buf scratch = NG_BUF_INIT;
    ng_store_block blk;
    const uint8_t *p = st->id_blob, *end = st->id_blob + st->id_blob_len;
    uint32_t b, d, found;
    int rc = NG_OK;
    for (b = 0; b < st->n_blocks && !rc; b++)
        if ((rc = ng_store__block_info(st, b, &blk)) == NG_OK) rc = ng_store__block_load(st, &blk, &scratch);
    ng_buf_dispose(&scratch);
    for (d = 0; d < st->n_docs && !rc; d++) {
        uint64_t len, docid;
        const uint8_t *id;
        if (ng__vint_get(&p, end, &len) || len > (uint64_t)(end - p))
            return ng__corrupt(st->f.name, 0, "store: bad id blob");
        id = p;
        p += len;
        if (ng__vint_get(&p, end, &docid) || docid != d) return ng__corrupt(st->f.name, 0, "store: id blob out of order");
        if (len == 0) continue;
        rc = ng_store__find(st, (const char *)id, (size_t)len, &found);
        if (rc == NG_ENOTFOUND || (rc == NG_OK && found < d))
            rc = ng__corrupt(st->f.name, 0, "store: id index misses a document");
    }
    if (!rc && p != end) rc = ng__corrupt(st->f.name, 0, "store: trailing bytes in the id blob");
    return rc;
}

NG_EXTERN(int) ng_index_check(ng_index *ix)
{
    uint32_t i;
    int rc = NG_OK;
    if (!ix) return ng__err(NG_EINVAL, "check: null index");
    for (i = 0; i < ix->n_segs && !rc; i++) {
        const ng_segment *s = &ix->segs[i];
        if ((rc = ng_fmt__verify(&s->dict.f)) || (rc = ng_fmt__verify(&s->pst)) || (rc = ng_fmt__verify(&s->pos)) ||
            (rc = ng_fmt__verify(&s->lens.f)) || (rc = ng_fmt__verify(&s->store.f)))
            break;
        if ((rc = check_dict(s)) != NG_OK) break;
        rc = check_store(s);
    }
    return rc;
}
