/*
** reader.c -- ng_index: a snapshot of one manifest generation.
**
** Opening maps each live segment's files and checks their framing (magic,
** version, footer, meta CRCs); the postings themselves are only touched by
** the queries that need them.  A writer may delete the files of an older
** generation between our reading MANIFEST and opening them: then the
** manifest is read again (a few times) so that a reader always gets one
** whole generation.
*/
#include <stdio.h>

#include "reader/reader.h"

#define OPEN_RETRIES 5

/* One decoded document: its store block and the fields pointing into it. */
struct ng_doc_cache {
    const ng_segment *seg;            /* NULL: holds nothing */
    uint32_t local;                   /* the document in seg */
    ng_buf block;                     /* its decompressed store block */
    ng_field_ref f[NG_FIELD_COUNT];   /* its fields, inside block */
};

static void doc_cache_free(struct ng_doc_cache *c)
{
    if (!c) return;
    ng_buf_dispose(&c->block);
    ng__free(c);
}

static void seg_close(ng_segment *s)
{
    ng_dict__close(&s->dict);
    ng_fmt__close(&s->pst);
    ng_fmt__close(&s->pos);
    ng_lens__close(&s->lens);
    ng_store__close(&s->store);
    ng__free(s->dels);
    ng__free(s->del_rank);
    memset(s, 0, sizeof *s);
}

/* Tombstone bits of docs [64w, 64w + 64) (0 past the bitmap's end). */
static uint64_t del_word(const ng_segment *s, uint32_t w)
{
    size_t nb = ((size_t)s->meta.n_docs + 7) / 8, off = (size_t)w * 8, k;
    uint64_t v = 0;
    for (k = 0; k < 8 && off + k < nb; k++) v |= (uint64_t)s->dels[off + k] << (8 * k);
    return v;
}

static int rank_tombstones(ng_segment *s)
{
    uint32_t n_words = (uint32_t)(((uint64_t)s->meta.n_docs + 63) / 64), w;
    if (!(s->del_rank = ng__malloc(((size_t)n_words + 1) * sizeof *s->del_rank))) return ng__oom();
    s->del_rank[0] = 0;
    for (w = 0; w < n_words; w++) s->del_rank[w + 1] = s->del_rank[w] + (uint32_t)__builtin_popcountll(del_word(s, w));
    return NG_OK;
}

/* Tombstones among docs [0, doc), doc <= n_docs. */
static uint32_t tombstones_below(const ng_segment *s, uint32_t doc)
{
    uint32_t w = doc >> 6, r = doc & 63;
    return s->del_rank[w] + (r ? (uint32_t)__builtin_popcountll(del_word(s, w) & ((UINT64_C(1) << r) - 1)) : 0);
}

static int seg_open(ng_segment *s, const char *dir, const ng_seg_meta *m)
{
    ng_buf p = NG_BUF_INIT;
    int rc;
    memset(s, 0, sizeof *s);
    s->meta = *m;
    if ((rc = ng_fmt__seg_path(&p, dir, m->id, NG_FK_TDI, 0)) || (rc = ng_dict__open(&s->dict, p.ptr))) goto out;
    if ((rc = ng_fmt__seg_path(&p, dir, m->id, NG_FK_PST, 0)) || (rc = ng_fmt__open(&s->pst, p.ptr, NG_FK_PST))) goto out;
    if ((rc = ng_fmt__seg_path(&p, dir, m->id, NG_FK_POS, 0)) || (rc = ng_fmt__open(&s->pos, p.ptr, NG_FK_POS))) goto out;
    if ((rc = ng_fmt__seg_path(&p, dir, m->id, NG_FK_LEN, 0)) || (rc = ng_lens__open(&s->lens, p.ptr))) goto out;
    if ((rc = ng_fmt__seg_path(&p, dir, m->id, NG_FK_DOC, 0)) || (rc = ng_store__open(&s->store, p.ptr))) goto out;
    if (m->del_gen && ((rc = ng_fmt__seg_path(&p, dir, m->id, NG_FK_DEL, m->del_gen)) ||
                       (rc = ng_del__read(&s->dels, p.ptr, m->n_docs)) || (rc = rank_tombstones(s))))
        goto out;
    if (s->lens.n_docs != m->n_docs || s->store.n_docs != m->n_docs || s->dict.n_terms != m->n_terms)
        rc = ng__err(NG_ECORRUPT, "seg-%06u: files disagree with the manifest on document or term counts", m->id);
out:
    if (rc) seg_close(s);
    ng_buf_dispose(&p);
    return rc;
}

static void close_segments(ng_index *ix)
{
    uint32_t i;
    for (i = 0; i < ix->n_segs; i++) seg_close(&ix->segs[i]);
    ng__free(ix->segs);
    ix->segs = NULL;
    ix->n_segs = 0;
}

static int open_generation(ng_index *ix)
{
    uint64_t tokens = 0;
    uint32_t i;
    int rc;
    ng_manifest__free(&ix->man);
    if ((rc = ng_manifest__read(&ix->man, ix->dir)) != NG_OK) return rc;
    ix->segs = ng__calloc(ix->man.n_segs ? ix->man.n_segs : 1, sizeof *ix->segs);
    if (!ix->segs) return ng__oom();
    ix->n_docs_total = ix->n_live = 0;
    for (i = 0; i < ix->man.n_segs; i++) {
        const ng_seg_meta *m = &ix->man.segs[i];
        if ((rc = seg_open(&ix->segs[i], ix->dir, m)) != NG_OK) return rc;
        ix->n_segs++;
        ix->segs[i].base = ix->n_docs_total;
        ix->n_docs_total += m->n_docs;
        ix->n_live += m->n_docs - m->n_deleted;
        tokens += m->live_tokens;
    }
    ix->avgdl = ix->n_live ? (double)tokens / (double)ix->n_live : 1.0;
    if (ix->avgdl <= 0) ix->avgdl = 1.0;
    return NG_OK;
}

NG_EXTERN(int) ng_index_open(ng_index **out, const char *path)
{
    ng_index *ix;
    int rc = NG_OK, attempt;
    *out = NULL;
    if (!path || !*path) return ng__err(NG_EINVAL, "no index directory given");
    if (!(ix = ng__calloc(1, sizeof *ix))) return ng__oom();
    atomic_init(&ix->parse_an, NULL);
    atomic_init(&ix->doc_cache, NULL);
    if (!(ix->dir = ng__strndup(path, strlen(path)))) {
        ng__free(ix);
        return ng__oom();
    }
    for (attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        rc = open_generation(ix);
        if (rc != NG_ENOTFOUND || attempt == OPEN_RETRIES - 1) break;
        /* a file vanished: did a newer generation replace ours? */
        {
            ng_manifest now;
            uint64_t gen = ix->man.generation;
            close_segments(ix);
            if (ng_manifest__read(&now, ix->dir) != NG_OK) break;
            ng_manifest__free(&now);
            if (now.generation == gen) break;
        }
    }
    if (rc) {
        ng_index_free(ix);
        return rc;
    }
    *out = ix;
    return NG_OK;
}

NG_EXTERN(void) ng_index_free(ng_index *ix)
{
    if (!ix) return;
    close_segments(ix);
    ng_analyzer__free(atomic_load(&ix->parse_an));
    doc_cache_free(atomic_load(&ix->doc_cache));
    ng_manifest__free(&ix->man);
    ng__free(ix->dir);
    ng__free(ix);
}

int ng_index__locate(const ng_index *ix, uint64_t docnum, const ng_segment **seg_out, uint32_t *local_out)
{
    uint32_t lo = 0, hi = ix->n_segs;
    if (docnum >= ix->n_docs_total) return ng__err(NG_ENOTFOUND, "no document number %llu", (unsigned long long)docnum);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->segs[mid].base <= docnum) lo = mid;
        else hi = mid;
    }
    *seg_out = &ix->segs[lo];
    *local_out = (uint32_t)(docnum - ix->segs[lo].base);
    return NG_OK;
}

int ng_seg__open_term(ng_post_dec *d, const ng_segment *s, const ng_term_info *ti)
{
    if (ti->pst_off > s->pst.body_len || ti->pst_len > s->pst.body_len - ti->pst_off ||
        ti->pos_off > s->pos.body_len || ti->pos_len > s->pos.body_len - ti->pos_off ||
        ti->df > s->meta.n_docs)
        return ng__corrupt(s->dict.f.name, 0, "dictionary: term points outside the postings");
    return ng_post__dec_open(d, &s->pst, s->pst.body + ti->pst_off, (size_t)ti->pst_len, &s->pos,
                             s->pos.body + ti->pos_off, (size_t)ti->pos_len, ti->df);
}

/* Can d's current block be counted whole from its skip entry?  Only in a
** list of several blocks (one block has no skip entry: its range is known
** once decoded), whose range is sound (a range too short for its documents
** is damage, which decoding reports) and holds no tombstone. */
static int block_all_live(const ng_segment *s, const ng_post_dec *d)
{
    uint32_t first = d->prev_last == NG_FMT_DOCID_END ? 0 : d->prev_last + 1, last = d->cur.last_doc;
    if (d->n_blocks < 2 || last >= s->meta.n_docs || first > last || d->cur.n > last - first + 1) return 0;
    return !s->dels || tombstones_below(s, last + 1) == tombstones_below(s, first);
}

int ng_seg__live_df(const ng_segment *s, const ng_term_info *ti, uint64_t *out)
{
    ng_post_dec d;
    uint32_t docs[NG_FMT_BLOCK], i;
    uint64_t n = 0;
    int rc = ng_seg__open_term(&d, s, ti);
    *out = 0;
    while (!rc && (rc = ng_post__dec_next_block(&d)) == NG_OK) {
        if (block_all_live(s, &d)) {
            n += d.cur.n;
            continue;
        }
        if ((rc = ng_post__dec_docs(&d, docs, NULL)) != NG_OK) break; /* no frequencies needed */
        /* doc ids increase: the block's last is its largest */
        if (docs[d.cur.n - 1] >= s->meta.n_docs) return ng__corrupt(s->pst.name, 0, "postings: docid beyond the segment");
        for (i = 0; i < d.cur.n; i++) n += !ng_seg__deleted(s, docs[i]);
    }
    if (rc == NG_ITEROVER) rc = NG_OK;
    *out = n;
    return rc;
}

int ng_index__df(const ng_index *ix, const char *term, size_t len, uint64_t *df_out)
{
    uint64_t df = 0;
    uint32_t i;
    for (i = 0; i < ix->n_segs; i++) {
        const ng_segment *s = &ix->segs[i];
        ng_term_info ti;
        int rc = ng_dict__lookup(&s->dict, term, len, &ti);
        if (rc == NG_ENOTFOUND) continue;
        if (rc) return rc;
        if (s->dels && s->meta.n_deleted > 0) {
            /* exact BM25 statistics: tombstoned documents do not count (a merge
               that purges them will make this the dictionary's df again) */
            uint64_t n;
            if ((rc = ng_seg__live_df(s, &ti, &n)) != NG_OK) return rc;
            df += n;
        } else {
            df += ti.df;
        }
    }
    *df_out = df;
    return NG_OK;
}

NG_EXTERN(int) ng_index_stats_get(ng_index_stats *out, const ng_index *ix)
{
    uint32_t i;
    if (!out || !ix) return ng__err(NG_EINVAL, "stats: null argument");
    memset(out, 0, sizeof *out);
    out->docs = ix->n_live;
    out->segments = ix->n_segs;
    out->format_version = NG_FMT_VERSION;
    out->generation = ix->man.generation;
    snprintf(out->language, sizeof out->language, "%s", ix->man.lang);
    out->bytes_other = 0;
    for (i = 0; i < ix->n_segs; i++) {
        const ng_segment *s = &ix->segs[i];
        out->terms += s->meta.n_terms;
        out->tokens += s->lens.total;
        out->bytes_dict += s->dict.f.map.size;
        out->bytes_postings += s->pst.map.size;
        out->bytes_positions += s->pos.map.size;
        out->bytes_store += s->store.f.map.size;
        out->bytes_other += s->lens.f.map.size + (s->dels ? (s->meta.n_docs + 7) / 8 + 48 : 0);
    }
    return NG_OK;
}

/* out = the n bytes at p, NUL-terminated. */
static int copy_field(ng_buf *out, const char *p, size_t n)
{
    int rc = NG_OK;
    ng__buf_clear(out);
    ng__buf_put(&rc, out, p, n);
    if (!rc && !out->ptr) rc = ng__buf_grow(out, 0);
    if (!rc) out->ptr[out->size] = '\0';
    return rc;
}

/* The id from the store's id area, once the store has been asked for
** enough of them (ng_store__id); 1: read it from the document's block. */
static int document_id(ng_buf *out, const ng_segment *s, uint32_t local)
{
    const char *id;
    size_t n;
    int rc = ng_store__id(&s->store, local, &id, &n);
    return rc != NG_OK ? rc : copy_field(out, id, n);
}

NG_EXTERN(int) ng_index_document(ng_buf *out, ng_index *ix, uint64_t docnum, int field)
{
    const ng_segment *s;
    uint32_t local;
    struct ng_doc_cache *c, *none = NULL;
    int rc;
    if (!out || !ix || field < 0 || field >= NG_FIELD_COUNT) return ng__err(NG_EINVAL, "document: bad argument");
    if ((rc = ng_index__locate(ix, docnum, &s, &local)) != NG_OK) return rc;
    if (field == NG_FIELD_ID) {
        if ((rc = document_id(out, s, local)) <= 0) return rc;
        rc = NG_OK; /* 1: not from the id table yet, so from the block */
    }
    /* borrow the cache; a thread that finds it lent out makes its own */
    c = atomic_exchange(&ix->doc_cache, NULL);
    if (!c && !(c = ng__calloc(1, sizeof *c))) return ng__oom();
    if (c->seg != s || c->local != local) {
        c->seg = NULL;
        if ((rc = ng_store__get(&s->store, local, &c->block, c->f)) == NG_OK) {
            c->seg = s;
            c->local = local;
        }
    }
    if (rc == NG_OK) rc = copy_field(out, c->f[field].p, c->f[field].n);
    if (!atomic_compare_exchange_strong(&ix->doc_cache, &none, c)) doc_cache_free(c);
    return rc;
}

/* Newest segment first: a replaced document's older copies are tombstoned,
** so the first live match is the only one. */
NG_EXTERN(int) ng_index_find(uint64_t *docnum_out, ng_index *ix, const char *id, size_t id_len)
{
    uint32_t i;
    if (!docnum_out || !ix || !id) return ng__err(NG_EINVAL, "find: null argument");
    if (id_len == (size_t)-1) id_len = strlen(id);
    for (i = ix->n_segs; i-- > 0;) {
        const ng_segment *s = &ix->segs[i];
        uint32_t local;
        int rc = ng_store__find(&s->store, id, id_len, &local);
        if (rc == NG_ENOTFOUND) continue;
        if (rc != NG_OK) return rc;
        if (ng_seg__deleted(s, local)) continue;
        *docnum_out = s->base + local;
        return NG_OK;
    }
    return ng__err(NG_ENOTFOUND, "no document with id '%.*s'", (int)(id_len > 200 ? 200 : id_len), id);
}
