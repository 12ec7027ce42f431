/*
** merge.c -- merging segments, and the tiered policy that chooses merges.
**
** Why merge.  Every flush of the memtable adds a segment, and a query pays
** per segment (one dictionary lookup per term, one cursor per list), so an
** index left alone gets slower with every batch.  Deletions and
** replacements only set tombstone bits: the dead documents keep their
** postings, stored text and dictionary df until their segment is rewritten.
** A merge fixes both: n segments become one, and the tombstoned documents
** are left out (this is the only place where deletions are purged).
**
** What a merge writes (ng_merge__run).  The inputs are n committed,
** immutable segments that the caller names in manifest order, with the
** tombstone bitmaps it holds for them.  Live documents are renumbered
** 0, 1, 2, ... in input order (segment 0's before segment 1's, local order
** within), so the global document order of the index, which breaks score
** ties, does not change; the caller puts the merged segment where the first
** input was.  The remap table (old local docid -> new docid, UINT32_MAX for
** a dropped document) is returned so that the caller can carry over the
** deletions that arrived while the merge ran: the inputs' tombstones may
** change meanwhile, their postings cannot.
**
**   1. .len and remap: lengths and dates of the live documents, in order.
**   2. .doc: the inputs' store blocks in order (docstore.h).  A block whose
**      documents all stay live is copied as it is, its zlib stream
**      unchanged (deflating is most of the cost of writing a store, and
**      tiered merges rewrite each document several times), and its ids
**      come from the input's id area.  Each input's .doc is first checked
**      whole against its file CRC (one read of the file, where inflating
**      every block to check it cost far more CPU); if it fails, the blocks
**      copied are inflated and checked one by one as before, so damage in
**      a block the merge drops never fails it and damage it would carry
**      always does.  A block
**      with deleted documents, or a small one (so that the short last
**      blocks of flushed segments coalesce), is decoded and its live
**      records re-added one by one; a block with no live document is not
**      decoded at all.
**   3. .pst/.pos/.tdi: a k-way merge of the inputs' dictionaries, a binary
**      heap keyed by (term, input index) so that equal terms come out in
**      input order.  For each term, each input holding it is decoded block
**      by block (docids, tfs, then the block's positions), deleted
**      documents are skipped, the rest are renumbered and fed to the block
**      encoder with their new lengths (block-max data).  An input without
**      deletions is renumbered by an offset, which leaves every gap of its
**      lists but the first as it was: its full blocks after the first are
**      copied with their positions, frontier and CRCs, only their skip
**      entries rewritten (postings.c), which is most of the bytes of the
**      long lists and so of a merge.  A term left without
**      documents is not written.  Lexicon terms (NG_NS_WORD, FORMAT.md 3a)
**      have no lists, only df and cf, so deletions cannot be subtracted
**      exactly: each input contributes min(df, its live documents) to df
**      and its whole cf, an input with no live document contributes
**      nothing, and an entry whose df comes out 0 is dropped.  The merged
**      lexicon df is thus an upper bound of the true one (exact when the
**      inputs had no deletions); the lexicon only serves expansions and
**      suggestions, never BM25.
**   4. the directory is fsynced.  No manifest names the segment: the caller
**      commits it.  On any error or cancellation every file of the new
**      segment is unlinked; after a crash, the writer's garbage collection
**      removes the leftovers (files of segments no manifest names), so a
**      half-written segment is never mistaken for a real one.
**
** Memory: the per-document arrays (remap, lengths, dates: 12 bytes per
** input document), the inputs' mappings, one decoded block (128 docids and
** tfs plus that block's positions) at a time, and the encoder's buffers of
** the term being written (ng_post_enc builds one term's lists in memory
** before they are written; that is the largest term's compressed size).
** Nothing is allocated per posting.  The copy of the store is bounded by one
** store block.  The inputs' files are only read, so a reader may go on
** using them until the commit that drops them.
**
** The policy (ng_merge__pick).  Goals: few segments, each document rewritten
** only O(log N) times, and documents never reordered.  Lucene's
** TieredMergePolicy merges any segments of similar size; we cannot, since the
** manifest order is the document order and a merged segment must take the
** place of a contiguous run.  So, in the spirit of Lucene's older
** LogMergePolicy (which keeps adjacency for the same reason):
**
**   - a segment's size is its live documents (or live tokens), at least
**     `floor`, so that tiny flushes all count as equal;
**   - its tier is floor(log_factor(size / floor)): tier 0 holds sizes in
**     [floor, floor*factor), tier 1 the next factor, ...;
**   - for T = 0, 1, 2, ...: segments of tier > T are barriers.  In each
**     maximal run of adjacent segments of tier <= T between barriers, the
**     tier-T group runs from the first to the last segment of tier exactly
**     T: smaller segments inside it (shrunk by deletions, or left between
**     bigger ones) are carried along as fillers, smaller ones before or
**     after it belong to lower tiers and are not dragged into a bigger
**     merge.  A group of at least `factor` segments yields candidate
**     windows of exactly `factor` adjacent segments.  The first tier with a
**     candidate wins, and among its candidates the one of smallest cost:
**     the sum of the sizes, where a segment with more than deleted_pct % of
**     its documents deleted counts half (so merges that purge many
**     deletions are preferred); windows over max_merged are skipped.
**   - if no tier has a candidate, the segment with the largest share of
**     deleted documents above deleted_pct is rewritten, together with its
**     adjacent neighbours of the same or a lower tier, up to factor of them.
**
** Merging factor segments of tier T gives a segment of tier T+1 or more
** (fillers aside), so a document moves up a tier per rewrite: about
** log_factor(N / floor) + 1 rewrites, and fewer than factor segments stay
** in each tier group, so an index of N documents keeps about (factor - 1)
** * (log_factor(N / floor) + 1) segments.  A deletion rewrite happens only
** once more than deleted_pct % of a segment is dead, so its cost is paid for
** by the deletions.  Lower tiers are merged first because they are cheap
** and they are where flushes pile up.  (tests/unit/test_merge.c simulates
** 3000 flushes: at most 28 segments and 4 rewrites per document.)
*/
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "format/docstore.h"
#include "index/merge.h"

/* One input segment: its files, dictionary cursor and renumbering. */
typedef struct min_seg {
    const ng_seg_meta *meta;
    const uint8_t *dels;     /* tombstones or NULL */
    uint32_t *remap;         /* old docid -> new docid or UINT32_MAX */
    uint32_t live;           /* documents not deleted */
    uint32_t base;           /* new docid of its first live document */
    ng_dict dict;
    ng_file pst, pos;
    ng_lens lens;
    ng_store store;
    int dict_open, pst_open, pos_open, lens_open, store_open;
    ng_dict_iter it;         /* positioned on the input's current term */
} min_seg;

typedef struct merge_ctx {
    const char *dir;
    uint32_t new_id;
    volatile int *cancel;
    min_seg *in;
    uint32_t n_in;
    uint32_t *lens;          /* new docid -> length */
    int32_t *dates;          /* new docid -> date */
    uint32_t n_docs;         /* documents of the new segment */
    uint64_t tokens;         /* their summed length */
    uint64_t n_terms;        /* terms written */
    uint64_t n_steps;        /* terms merged, for releasing input pages */
    uint64_t read_since;     /* postings and positions bytes read since the last release */
    ng_fwriter pst, pos, tdi, doc;
    int open_pst, open_pos, open_tdi, open_doc;
    ng_dict_enc dict;
    ng_post_enc enc;
    uint32_t *heap;          /* indexes of inputs, a min-heap by (term, index) */
    uint32_t heap_n;
    uint32_t *same;          /* inputs holding the current term, ascending */
    uint32_t *posv;          /* one block's positions */
    size_t posv_cap;
    ng_buf path, scratch;    /* path: the main thread's; scratch: the store's */
    int stop_docs;           /* the store copy's thread is to give up (atomic) */
    int doc_rc;              /* its result, with its message in doc_err */
    ng_buf doc_err;
} merge_ctx;

static inline int is_deleted(const uint8_t *bits, uint32_t d)
{
    return bits && (bits[d >> 3] >> (d & 7)) & 1u;
}

static int cancelled(const merge_ctx *c)
{
    return (c->cancel && *c->cancel) || __atomic_load_n(&c->stop_docs, __ATOMIC_RELAXED);
}

static int cancel_err(void)
{
    return ng__err(NG_EUSER, "merge cancelled");
}

/* ------------------------------------------------------------------ */
/* Inputs                                                               */
/* ------------------------------------------------------------------ */

static int open_input(merge_ctx *c, min_seg *s)
{
    const ng_seg_meta *m = s->meta;
    ng_buf *p = &c->path;
    int rc;
    if ((rc = ng_fmt__seg_path(p, c->dir, m->id, NG_FK_TDI, 0)) || (rc = ng_dict__open(&s->dict, p->ptr))) return rc;
    s->dict_open = 1;
    if ((rc = ng_fmt__seg_path(p, c->dir, m->id, NG_FK_PST, 0)) || (rc = ng_fmt__open(&s->pst, p->ptr, NG_FK_PST))) return rc;
    s->pst_open = 1;
    if ((rc = ng_fmt__seg_path(p, c->dir, m->id, NG_FK_POS, 0)) || (rc = ng_fmt__open(&s->pos, p->ptr, NG_FK_POS))) return rc;
    s->pos_open = 1;
    if ((rc = ng_fmt__seg_path(p, c->dir, m->id, NG_FK_LEN, 0)) || (rc = ng_lens__open(&s->lens, p->ptr))) return rc;
    s->lens_open = 1;
    if ((rc = ng_fmt__seg_path(p, c->dir, m->id, NG_FK_DOC, 0)) || (rc = ng_store__open(&s->store, p->ptr))) return rc;
    s->store_open = 1;
    if (s->lens.n_docs != m->n_docs || s->store.n_docs != m->n_docs || s->dict.n_terms != m->n_terms)
        return ng__err(NG_ECORRUPT, "seg-%06u: files disagree with the manifest on document or term counts", m->id);
    /* a merge reads each input from end to end */
    ng__map_sequential(&s->dict.f.map);
    ng__map_sequential(&s->pst.map);
    ng__map_sequential(&s->pos.map);
    ng__map_sequential(&s->store.f.map);
    return NG_OK;
}

static void close_input(min_seg *s)
{
    if (s->dict_open) ng_dict__close(&s->dict);
    if (s->pst_open) ng_fmt__close(&s->pst);
    if (s->pos_open) ng_fmt__close(&s->pos);
    if (s->lens_open) ng_lens__close(&s->lens);
    if (s->store_open) ng_store__close(&s->store);
    ng__free(s->remap);
    s->remap = NULL;
    s->dict_open = s->pst_open = s->pos_open = s->lens_open = s->store_open = 0;
}

/* Number the live documents and gather their lengths and dates. */
static int build_remap(merge_ctx *c)
{
    uint64_t total = 0;
    uint32_t i, d, k = 0;
    for (i = 0; i < c->n_in; i++) {
        min_seg *s = &c->in[i];
        s->live = 0;
        for (d = 0; d < s->meta->n_docs; d++) s->live += !is_deleted(s->dels, d);
        total += s->live;
    }
    if (total > NG_FMT_MAX_DOCS) return ng__err(NG_EINVAL, "merge: %llu documents do not fit in one segment", (unsigned long long)total);
    c->n_docs = (uint32_t)total;
    c->lens = ng__malloc(sizeof *c->lens * (total ? total : 1));
    c->dates = ng__malloc(sizeof *c->dates * (total ? total : 1));
    if (!c->lens || !c->dates) return ng__oom();
    for (i = 0; i < c->n_in; i++) {
        min_seg *s = &c->in[i];
        if (!(s->remap = ng__malloc(sizeof *s->remap * (s->meta->n_docs ? s->meta->n_docs : 1)))) return ng__oom();
        s->base = k; /* with no deletion, remap[d] = base + d */
        for (d = 0; d < s->meta->n_docs; d++) {
            if (is_deleted(s->dels, d)) {
                s->remap[d] = UINT32_MAX;
                continue;
            }
            s->remap[d] = k;
            c->lens[k] = ng_lens__get(&s->lens, d);
            c->dates[k] = ng_lens__date(&s->lens, d);
            c->tokens += c->lens[k];
            k++;
        }
    }
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Document store                                                       */
/* ------------------------------------------------------------------ */

/* Blocks smaller than this are decoded and their records re-added rather
** than copied whole: the small last blocks of flushed segments then
** coalesce into full ones instead of piling up merge after merge. */
#define MIN_COPY_RAW (NG_FMT_STORE_BLOCK / 2)

/* Re-add the live records of a loaded block one by one. */
static int readd_block(ng_store_enc *enc, const min_seg *s, const ng_store_block *blk)
{
    const uint8_t *p = blk->raw, *end = blk->raw + blk->rlen;
    ng_field_ref f[NG_FIELD_COUNT];
    uint32_t j;
    int rc = NG_OK;
    for (j = 0; j < blk->n_docs && !rc; j++) {
        ng_document doc;
        if ((rc = ng_store__block_next(&p, end, f)) != NG_OK) break;
        if (s->remap[blk->first + j] == UINT32_MAX) continue;
        doc.id = f[NG_FIELD_ID].p;
        doc.id_len = f[NG_FIELD_ID].n;
        doc.title = f[NG_FIELD_TITLE].p;
        doc.title_len = f[NG_FIELD_TITLE].n;
        doc.date = f[NG_FIELD_DATE].p;
        doc.date_len = f[NG_FIELD_DATE].n;
        doc.url = f[NG_FIELD_URL].p;
        doc.url_len = f[NG_FIELD_URL].n;
        doc.body = f[NG_FIELD_BODY].p;
        doc.body_len = f[NG_FIELD_BODY].n;
        rc = ng_store__enc_add(enc, &doc);
    }
    return rc;
}

/* Documents of blk (inside input s) that stay live. */
static uint32_t live_in(const min_seg *s, const ng_store_block *blk)
{
    uint32_t j, live = 0;
    for (j = 0; j < blk->n_docs; j++) live += s->remap[blk->first + j] != UINT32_MAX;
    return live;
}

/* Is blk copied as it is?  Small blocks are re-added instead (MIN_COPY_RAW). */
static int copied_whole(const ng_store_block *blk, uint32_t live)
{
    return live == blk->n_docs && blk->rlen >= MIN_COPY_RAW;
}

/* Will any block of input s be copied whole? */
static int copies_blocks(const min_seg *s)
{
    const ng_store *st = &s->store;
    uint32_t b;
    for (b = 0; b < st->n_blocks; b++) {
        ng_store_block blk;
        if (ng_store__block_info(st, b, &blk) != NG_OK) return 1; /* copy_store reports it */
        if (blk.first > st->n_docs || blk.n_docs > st->n_docs - blk.first) continue;
        if (copied_whole(&blk, live_in(s, &blk))) return 1;
    }
    return 0;
}

/* Input s's blocks in order: dead ones skipped unread, wholly live full
** ones copied as they are, the others decoded and their live records
** re-added.  Blocks are copied unread once the input's file passed its
** CRC; a file that does not (damage somewhere, maybe only in dead blocks
** or the id area) has each block it copies inflated and checked as a read
** would check it, its ids taken from its records, so that damage the
** merge drops never fails it and damage it would carry always does. */
static int copy_store(merge_ctx *c, ng_store_enc *enc, const min_seg *s)
{
    const ng_store *st = &s->store;
    ng_store_ids ids, *whole = NULL;
    uint64_t since_release = 0;
    uint32_t b, next = 0, live;
    int rc = NG_OK;
    if (copies_blocks(s) && ng_fmt__verify_streaming(&st->f) == NG_OK && ng_store__ids_begin(st, &ids) == NG_OK)
        whole = &ids;
    ng__map_release(&st->f.map); /* the id area was read whole to check it */
    for (b = 0; b < st->n_blocks && !rc; b++) {
        ng_store_block blk;
        if (cancelled(c)) return cancel_err();
        if ((rc = ng_store__block_info(st, b, &blk)) != NG_OK) break;
        /* the blocks must tile 0 .. n_docs - 1 (a read checks only the
           block it fetches; a merge reads them all) */
        if (blk.first != next)
            return ng_fmt__corrupt(&st->f, st->table + (size_t)b * NG_STORE_TABLE_ENTRY,
                                   "store: block table out of order");
        next = blk.first + blk.n_docs;
        if ((live = live_in(s, &blk)) == 0) continue; /* never read: a dead block cannot fail the merge */
        if (copied_whole(&blk, live)) {
            /* the encoder numbers it from its next docid: the remap's */
            if (enc->n_docs != s->remap[blk.first]) return ng__err(NG_ERROR, "merge: store out of step with the remap");
            if (!whole && (rc = ng_store__block_load(st, &blk, &c->scratch)) != NG_OK) break;
            rc = ng_store__enc_copy_block(enc, st, whole, &blk);
        } else if ((rc = ng_store__block_load(st, &blk, &c->scratch)) == NG_OK) {
            rc = readd_block(enc, s, &blk);
        }
        if ((since_release += blk.clen) >= (4u << 20)) { /* bounded RSS: 4 MB, beside the postings thread */
            ng__map_release(&st->f.map);
            since_release = 0;
        }
    }
    if (!rc && next != st->n_docs) rc = ng_fmt__corrupt(&st->f, st->table, "store: block table out of order");
    ng__map_release(&st->f.map); /* this input's store is done with */
    return rc;
}

static int copy_documents(merge_ctx *c)
{
    ng_store_enc enc;
    ng_buf path = NG_BUF_INIT; /* c->path belongs to the other thread */
    uint32_t i;
    int rc;
    if ((rc = ng_fmt__seg_path(&path, c->dir, c->new_id, NG_FK_DOC, 0)) == NG_OK)
        rc = ng_fmt__fw_open(&c->doc, path.ptr, NG_FK_DOC);
    ng_buf_dispose(&path);
    if (rc) return rc;
    c->open_doc = 1;
    ng_store__enc_init(&enc, &c->doc);
    for (i = 0; i < c->n_in && !rc; i++)
        if (c->in[i].live) rc = copy_store(c, &enc, &c->in[i]);
    if (!rc) {
        rc = ng_store__enc_finish(&enc); /* finishes (or leaves to abort) c->doc */
        if (!rc) c->open_doc = 0;
    }
    ng_store__enc_free(&enc);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The k-way merge of dictionaries                                      */
/* ------------------------------------------------------------------ */

static int cmp_term(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int r = memcmp(a, b, m);
    return r ? r : (an < bn ? -1 : an > bn);
}

/* Order of the heap: term, then input index (equal terms in input order). */
static int heap_less(const merge_ctx *c, uint32_t a, uint32_t b)
{
    const ng_dict_iter *x = &c->in[a].it, *y = &c->in[b].it;
    int r = cmp_term(x->term, x->term_len, y->term, y->term_len);
    return r < 0 || (r == 0 && a < b);
}

static void heap_push(merge_ctx *c, uint32_t v)
{
    uint32_t i = c->heap_n++;
    while (i > 0 && heap_less(c, v, c->heap[(i - 1) / 2])) {
        c->heap[i] = c->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    c->heap[i] = v;
}

static uint32_t heap_pop(merge_ctx *c)
{
    uint32_t top = c->heap[0], v = c->heap[--c->heap_n], i = 0;
    for (;;) {
        uint32_t k = 2 * i + 1;
        if (k >= c->heap_n) break;
        if (k + 1 < c->heap_n && heap_less(c, c->heap[k + 1], c->heap[k])) k++;
        if (!heap_less(c, c->heap[k], v)) break;
        c->heap[i] = c->heap[k];
        i = k;
    }
    if (c->heap_n) c->heap[i] = v;
    return top;
}

/* Move input i to its next term; back into the heap unless exhausted. */
static int advance(merge_ctx *c, uint32_t i)
{
    int rc = ng_dict__iter_next(&c->in[i].it);
    if (rc == NG_ITEROVER) return NG_OK;
    if (rc) return rc;
    heap_push(c, i);
    return NG_OK;
}

static void release_inputs(merge_ctx *c);

/* Append input s's live postings of the current term to the encoder.  An
** input without deletions is renumbered by adding s->base, so its full
** blocks go across unchanged but for their skip entries (postings.c):
** only each list's first block and short last one are decoded. */
static int feed_postings(merge_ctx *c, const min_seg *s)
{
    const ng_term_info *ti = &s->it.ti;
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], j;
    uint64_t cf_before = c->enc.cf;
    int whole = s->live == s->meta->n_docs, copied = 0;
    ng_post_dec dec;
    int rc;
    if (ti->pst_off > s->pst.body_len || ti->pst_len > s->pst.body_len - ti->pst_off ||
        ti->pos_off > s->pos.body_len || ti->pos_len > s->pos.body_len - ti->pos_off || ti->df > s->meta->n_docs)
        return ng_fmt__corrupt(&s->dict.f, NULL, "dictionary: term points outside the postings");
    rc = ng_post__dec_open(&dec, &s->pst, s->pst.body + ti->pst_off, (size_t)ti->pst_len, &s->pos,
                           s->pos.body + ti->pos_off, (size_t)ti->pos_len, ti->df);
    while (!rc && (rc = ng_post__dec_next_block(&dec)) == NG_OK) {
        uint64_t total = 0, off = 0;
        int any_live = 0;
        if ((c->read_since += dec.cur.data_len + dec.cur.pos_len) >= (8u << 20))
            release_inputs(c); /* the most frequent terms span tens of MB */
        if (whole && dec.cur.last_doc < s->meta->n_docs && ng_post__enc_can_copy(&c->enc, &dec, s->base)) {
            rc = ng_post__enc_copy_block(&c->enc, &dec, s->base);
            copied = 1;
            continue;
        }
        if ((rc = ng_post__dec_docs(&dec, docs, tfs)) != NG_OK) break;
        for (j = 0; j < dec.cur.n; j++) {
            if (docs[j] >= s->meta->n_docs) return ng_fmt__corrupt(&s->pst, dec.cur.data, "postings: docid beyond the segment");
            any_live |= s->remap[docs[j]] != UINT32_MAX;
            total += tfs[j];
        }
        if (!any_live) continue; /* a dead block: its positions need not be decoded */
        if (total > SIZE_MAX / sizeof *c->posv - 1) return ng__oom();
        if ((rc = NG_GROW(c->posv, c->posv_cap, (size_t)total + 1)) != NG_OK) break;
        if ((rc = ng_post__dec_positions(&dec, tfs, c->posv, (size_t)total)) != NG_OK) break;
        for (j = 0; j < dec.cur.n && !rc; j++) {
            uint32_t nd = s->remap[docs[j]];
            if (nd != UINT32_MAX) rc = ng_post__enc_add(&c->enc, nd, c->posv + off, tfs[j], c->lens[nd]);
            off += tfs[j];
        }
    }
    /* copied blocks' tfs were not decoded: the input's whole list went in */
    if (copied) c->enc.cf = cf_before + ti->cf;
    return rc == NG_ITEROVER ? NG_OK : rc;
}

/* A term with lists: re-encode its live postings; drop it if none is left. */
static int merge_listed_term(merge_ctx *c, uint32_t n_same)
{
    const ng_dict_iter *it = &c->in[c->same[0]].it;
    ng_term_info ti;
    uint64_t pos_off = c->pos.off - NG_FMT_HEADER_SIZE; /* before the encoder streams them */
    uint32_t k;
    int rc = NG_OK;
    ng_post__enc_reset(&c->enc);
    for (k = 0; k < n_same && !rc; k++) {
        const min_seg *s = &c->in[c->same[k]];
        if (s->live) rc = feed_postings(c, s);
    }
    if (rc || c->enc.df == 0) return rc;
    if ((rc = ng_post__enc_finish(&c->enc)) != NG_OK) return rc;
    memset(&ti, 0, sizeof ti);
    ti.df = c->enc.df;
    ti.cf = c->enc.cf;
    ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
    ti.pst_len = c->enc.pst.size;
    ti.pos_off = pos_off;
    ti.pos_len = c->enc.pos_len;
    if ((rc = ng_fmt__fw_write(&c->pst, c->enc.pst.ptr, c->enc.pst.size)) ||
        (rc = ng_dict__enc_add(&c->dict, it->term, it->term_len, &ti)))
        return rc;
    c->n_terms++;
    return NG_OK;
}

/* A lexicon term: counts only (see the top of the file for why the df is
** an upper bound after deletions). */
static int merge_lexicon_term(merge_ctx *c, uint32_t n_same)
{
    const ng_dict_iter *it = &c->in[c->same[0]].it;
    ng_term_info ti;
    uint64_t df = 0, cf = 0;
    uint32_t k;
    int rc;
    for (k = 0; k < n_same; k++) {
        const min_seg *s = &c->in[c->same[k]];
        if (!s->live) continue;
        df += s->it.ti.df < s->live ? s->it.ti.df : s->live;
        cf += s->it.ti.cf;
    }
    if (df == 0) return NG_OK;
    memset(&ti, 0, sizeof ti);
    ti.df = (uint32_t)df; /* <= c->n_docs: each input adds at most its live count */
    ti.cf = cf < df ? df : cf;
    ti.pst_off = c->pst.off - NG_FMT_HEADER_SIZE;
    ti.pos_off = c->pos.off - NG_FMT_HEADER_SIZE;
    if ((rc = ng_dict__enc_add(&c->dict, it->term, it->term_len, &ti)) != NG_OK) return rc;
    c->n_terms++;
    return NG_OK;
}

/* The inputs are read once, front to back, through their mappings: drop
** the pages read so far now and then, so that the merge's resident set
** stays small whatever the segments' size (FORMAT.md "Merging"). */
static void release_inputs(merge_ctx *c)
{
    uint32_t i;
    c->read_since = 0;
    for (i = 0; i < c->n_in; i++) {
        ng__map_release(&c->in[i].pst.map);
        ng__map_release(&c->in[i].pos.map);
        ng__map_release(&c->in[i].dict.f.map);
    }
}

static int merge_terms(merge_ctx *c)
{
    uint32_t i, k, n_same;
    int rc;
    if (!(c->heap = ng__malloc(sizeof *c->heap * c->n_in)) || !(c->same = ng__malloc(sizeof *c->same * c->n_in)))
        return ng__oom();
    for (i = 0; i < c->n_in; i++) {
        if ((rc = ng_dict__iter_seek(&c->in[i].it, &c->in[i].dict, "", 0)) != NG_OK) return rc;
        if ((rc = advance(c, i)) != NG_OK) return rc;
    }
    while (c->heap_n > 0) {
        const ng_dict_iter *top;
        if (cancelled(c)) return cancel_err();
        if ((++c->n_steps & 8191) == 0) release_inputs(c);
        /* collect every input positioned on the smallest term */
        n_same = 0;
        c->same[n_same++] = heap_pop(c);
        top = &c->in[c->same[0]].it;
        while (c->heap_n > 0 && cmp_term(c->in[c->heap[0]].it.term, c->in[c->heap[0]].it.term_len, top->term,
                                         top->term_len) == 0)
            c->same[n_same++] = heap_pop(c);
        if (top->term_len && top->term[0] == NG_NS_WORD) rc = merge_lexicon_term(c, n_same);
        else rc = merge_listed_term(c, n_same);
        if (rc) {
            ng__err_prefix("merge: term '%.*s'", (int)top->term_len, top->term);
            return rc;
        }
        for (k = 0; k < n_same; k++)
            if ((rc = advance(c, c->same[k])) != NG_OK) return rc;
    }
    return NG_OK;
}

static int write_inverted(merge_ctx *c)
{
    uint8_t meta[8];
    int rc;
    if ((rc = ng_fmt__seg_path(&c->path, c->dir, c->new_id, NG_FK_PST, 0)) ||
        (rc = ng_fmt__fw_open(&c->pst, c->path.ptr, NG_FK_PST)))
        return rc;
    c->open_pst = 1;
    if ((rc = ng_fmt__seg_path(&c->path, c->dir, c->new_id, NG_FK_POS, 0)) ||
        (rc = ng_fmt__fw_open(&c->pos, c->path.ptr, NG_FK_POS)))
        return rc;
    c->open_pos = 1;
    if ((rc = ng_fmt__seg_path(&c->path, c->dir, c->new_id, NG_FK_TDI, 0)) ||
        (rc = ng_fmt__fw_open(&c->tdi, c->path.ptr, NG_FK_TDI)))
        return rc;
    c->open_tdi = 1;
    ng_dict__enc_init(&c->dict, &c->tdi);
    if ((rc = merge_terms(c)) != NG_OK) return rc;
    ng__set_u64(meta, c->n_terms);
    if ((rc = ng_fmt__fw_finish(&c->pst, meta, sizeof meta)) != NG_OK) return rc;
    c->open_pst = 0;
    if ((rc = ng_fmt__fw_finish(&c->pos, meta, sizeof meta)) != NG_OK) return rc;
    c->open_pos = 0;
    if ((rc = ng_dict__enc_finish(&c->dict)) != NG_OK) return rc;
    c->open_tdi = 0;
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                          */
/* ------------------------------------------------------------------ */

/* Unlink every file the merge may have created. */
static void remove_output(merge_ctx *c)
{
    static const ng_fkind kinds[] = {NG_FK_DOC, NG_FK_PST, NG_FK_POS, NG_FK_TDI, NG_FK_LEN};
    size_t k;
    if (c->open_doc) ng_fmt__fw_abort(&c->doc);
    if (c->open_pst) ng_fmt__fw_abort(&c->pst);
    if (c->open_pos) ng_fmt__fw_abort(&c->pos);
    if (c->open_tdi) ng_fmt__fw_abort(&c->tdi);
    c->open_doc = c->open_pst = c->open_pos = c->open_tdi = 0;
    for (k = 0; k < NG_ARRAY_LEN(kinds); k++)
        if (ng_fmt__seg_path(&c->path, c->dir, c->new_id, kinds[k], 0) == NG_OK) unlink(c->path.ptr);
}

static int check_args(const char *dir, const ng_seg_meta *segs, uint32_t n, uint32_t new_id, const ng_seg_meta *out)
{
    uint32_t i;
    if (!dir || !out || (n && !segs)) return ng__err(NG_EINVAL, "merge: null argument");
    if (n == 0) return ng__err(NG_EINVAL, "merge: no segment to merge");
    for (i = 0; i < n; i++)
        if (segs[i].id == new_id) return ng__err(NG_EINVAL, "merge: new segment id %u is one of the inputs", new_id);
    return NG_OK;
}

static void *copy_documents_main(void *arg)
{
    merge_ctx *c = arg;
    ng__thread_name("ng-merge-doc");
    if ((c->doc_rc = copy_documents(c)) != NG_OK) ng__err_save(&c->doc_err);
    return NULL;
}

/* The .doc file and the inverted files share nothing but the inputs'
** remap, read only: the store is copied on a thread of its own, so that
** a merge left alone at the end of a build (the writer waits for it) uses
** both cores. */
static int copy_all(merge_ctx *c)
{
    pthread_t tid;
    int rc;
    if (pthread_create(&tid, NULL, copy_documents_main, c) != 0) {
        if ((rc = copy_documents(c)) != NG_OK) return rc;
        return write_inverted(c);
    }
    rc = write_inverted(c);
    if (rc) __atomic_store_n(&c->stop_docs, 1, __ATOMIC_RELAXED);
    pthread_join(tid, NULL);
    if (!rc && c->doc_rc) rc = ng__err_carry(c->doc_rc, &c->doc_err, "merge: store copy failed");
    return rc;
}

static int run(merge_ctx *c)
{
    uint32_t i;
    int rc;
    for (i = 0; i < c->n_in; i++)
        if ((rc = open_input(c, &c->in[i])) != NG_OK) return rc;
    if ((rc = build_remap(c)) != NG_OK) return rc;
    if ((rc = copy_all(c)) != NG_OK) return rc;
    if (cancelled(c)) return cancel_err();
    if ((rc = ng_fmt__seg_path(&c->path, c->dir, c->new_id, NG_FK_LEN, 0)) ||
        (rc = ng_lens__write(c->path.ptr, c->lens, c->dates, c->n_docs)))
        return rc;
    return ng__fsync_dir(c->dir);
}

int ng_merge__run(const char *dir, const ng_seg_meta *segs, const uint8_t *const *dels, uint32_t n,
                  uint32_t new_id, ng_seg_meta *out, uint32_t **remap_out, volatile int *cancel)
{
    merge_ctx c;
    uint32_t i;
    int rc;
    if ((rc = check_args(dir, segs, n, new_id, out)) != NG_OK) return rc;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.new_id = new_id;
    c.cancel = cancel;
    c.n_in = n;
    ng_post__enc_init(&c.enc);
    c.enc.pos_sink = &c.pos; /* opened by run() before any term is encoded */
    if (!(c.in = ng__calloc(n, sizeof *c.in))) return ng__oom();
    for (i = 0; i < n; i++) {
        c.in[i].meta = &segs[i];
        c.in[i].dels = dels ? dels[i] : NULL;
    }
    rc = run(&c);
    if (rc) {
        remove_output(&c);
    } else {
        memset(out, 0, sizeof *out);
        out->id = new_id;
        out->n_docs = c.n_docs;
        out->live_tokens = c.tokens;
        out->n_terms = c.n_terms;
        for (i = 0; remap_out && i < n; i++) {
            remap_out[i] = c.in[i].remap; /* handed over */
            c.in[i].remap = NULL;
        }
    }
    for (i = 0; i < n; i++) close_input(&c.in[i]);
    ng_dict__enc_free(&c.dict);
    ng_post__enc_free(&c.enc);
    ng__free(c.in);
    ng__free(c.lens);
    ng__free(c.dates);
    ng__free(c.heap);
    ng__free(c.same);
    ng__free(c.posv);
    ng_buf_dispose(&c.path);
    ng_buf_dispose(&c.scratch);
    ng_buf_dispose(&c.doc_err);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Policy                                                               */
/* ------------------------------------------------------------------ */

typedef struct pol {
    uint32_t factor, deleted_pct;
    uint64_t floor, max_merged;
    int by_tokens;
} pol;

static uint64_t seg_size(const pol *p, const ng_seg_meta *s)
{
    uint64_t v = p->by_tokens ? s->live_tokens : (uint64_t)(s->n_docs - (s->n_deleted < s->n_docs ? s->n_deleted : s->n_docs));
    return v < p->floor ? p->floor : v;
}

static unsigned seg_tier(const pol *p, const ng_seg_meta *s)
{
    uint64_t v = seg_size(p, s) / p->floor;
    unsigned t = 0;
    while (v >= p->factor) {
        v /= p->factor;
        t++;
    }
    return t;
}

/* More than deleted_pct % of the segment's documents are tombstoned. */
static int many_deleted(const pol *p, const ng_seg_meta *s)
{
    return s->n_docs && (uint64_t)s->n_deleted * 100 > (uint64_t)p->deleted_pct * s->n_docs;
}

static uint64_t seg_cost(const pol *p, const ng_seg_meta *s)
{
    uint64_t v = seg_size(p, s);
    return many_deleted(p, s) ? v / 2 : v;
}

/* Cheapest window of `factor` adjacent segments in segs[a..b]; 0 if none. */
static int cheapest_window(const pol *p, const ng_seg_meta *segs, uint32_t a, uint32_t b, uint32_t *start_out,
                           uint64_t *cost_out)
{
    uint32_t j, k;
    int found = 0;
    for (j = a; b >= j && b - j + 1 >= p->factor; j++) {
        uint64_t cost = 0, size = 0;
        for (k = j; k < j + p->factor; k++) {
            cost += seg_cost(p, &segs[k]);
            size += seg_size(p, &segs[k]);
        }
        if (p->max_merged && size > p->max_merged) continue;
        if (!found || cost < *cost_out) {
            *cost_out = cost;
            *start_out = j;
            found = 1;
        }
    }
    return found;
}

/* Best window of tier t: within each maximal run of segments of tier <= t,
** the group from its first to its last segment of tier exactly t (smaller
** segments inside count as fillers; those outside belong to lower tiers). */
static int best_window(const pol *p, const ng_seg_meta *segs, uint32_t n, unsigned t, uint32_t *start_out)
{
    uint64_t best = UINT64_MAX, cost = 0;
    uint32_t i = 0, start = 0;
    int found = 0;
    while (i < n) {
        uint32_t a = UINT32_MAX, b = 0;
        for (; i < n && seg_tier(p, &segs[i]) <= t; i++) {
            if (seg_tier(p, &segs[i]) != t) continue;
            if (a == UINT32_MAX) a = i;
            b = i;
        }
        if (a != UINT32_MAX && cheapest_window(p, segs, a, b, &start, &cost) && cost < best) {
            best = cost;
            *start_out = start;
            found = 1;
        }
        i++; /* skip the barrier */
    }
    return found;
}

/* The segment most worth purging, with its small neighbours. */
static void pick_deletions(const pol *p, const ng_seg_meta *segs, uint32_t n, uint32_t *pick, uint32_t *n_pick)
{
    uint32_t i, best = UINT32_MAX, lo, hi;
    unsigned t;
    for (i = 0; i < n; i++) {
        const ng_seg_meta *s = &segs[i];
        if (!many_deleted(p, s)) continue;
        /* larger deleted share first: compare n_deleted/n_docs exactly */
        if (best == UINT32_MAX ||
            (uint64_t)s->n_deleted * segs[best].n_docs > (uint64_t)segs[best].n_deleted * s->n_docs)
            best = i;
    }
    if (best == UINT32_MAX) return;
    t = seg_tier(p, &segs[best]);
    lo = hi = best;
    while (hi - lo + 1 < p->factor) {
        if (hi + 1 < n && seg_tier(p, &segs[hi + 1]) <= t) hi++;
        else if (lo > 0 && seg_tier(p, &segs[lo - 1]) <= t) lo--;
        else break;
    }
    for (i = lo; i <= hi; i++) pick[(*n_pick)++] = i;
}

int ng_merge__pick(const ng_seg_meta *segs, uint32_t n, const ng_merge_policy *mp, uint32_t *pick,
                   uint32_t *n_pick)
{
    ng_merge_policy def = NG_MERGE_POLICY_INIT;
    pol p;
    unsigned t, max_tier = 0;
    uint32_t i, start = 0;
    *n_pick = 0;
    if (!mp) mp = &def;
    if (mp->factor == 1) return ng__err(NG_EINVAL, "merge policy: a factor of 1 never shrinks anything");
    p.factor = mp->factor ? mp->factor : 10;
    p.by_tokens = mp->by_tokens;
    p.floor = mp->floor ? mp->floor : (p.by_tokens ? 500000 : 1000);
    p.max_merged = mp->max_merged;
    p.deleted_pct = mp->deleted_pct ? mp->deleted_pct : 20;
    for (i = 0; i < n; i++) {
        unsigned st = seg_tier(&p, &segs[i]);
        if (st > max_tier) max_tier = st;
    }
    /* lowest tier first: cheap merges, and where flushes pile up */
    for (t = 0; t <= max_tier && n >= p.factor; t++) {
        if (!best_window(&p, segs, n, t, &start)) continue;
        for (i = 0; i < p.factor; i++) pick[i] = start + i;
        *n_pick = p.factor;
        return NG_OK;
    }
    pick_deletions(&p, segs, n, pick, n_pick);
    return NG_OK;
}

void ng_merge__pick_all(const ng_seg_meta *segs, uint32_t n, uint32_t *pick, uint32_t *n_pick)
{
    uint32_t i;
    *n_pick = 0;
    if (n == 0 || (n == 1 && segs[0].n_deleted == 0)) return;
    for (i = 0; i < n; i++) pick[i] = i;
    *n_pick = n;
}

int ng_merge__apply(ng_seg_meta *segs, uint32_t *n, const uint32_t *pick, uint32_t n_pick, const ng_seg_meta *merged)
{
    uint32_t i, first, keep;
    if (n_pick == 0) return NG_OK;
    first = pick[0];
    if (first >= *n || n_pick > *n - first) return ng__err(NG_EINVAL, "merge: picked segments out of range");
    for (i = 1; i < n_pick; i++)
        if (pick[i] != first + i) return ng__err(NG_EINVAL, "merge: picked segments are not adjacent");
    keep = merged->n_docs > 0;
    if (keep) segs[first] = *merged;
    memmove(segs + first + keep, segs + first + n_pick, (*n - first - n_pick) * sizeof *segs);
    *n -= n_pick - keep;
    return NG_OK;
}

void ng_merge__carry_deletes(uint8_t *bits, uint32_t new_n_docs, uint32_t *n_deleted_out, const ng_seg_meta *segs,
                             const uint8_t *const *dels_now, uint32_t *const *remap, uint32_t n)
{
    uint32_t i, d, count = 0;
    for (i = 0; i < n; i++) {
        if (!dels_now || !dels_now[i]) continue;
        for (d = 0; d < segs[i].n_docs; d++) {
            uint32_t nd = remap[i][d];
            if (nd == UINT32_MAX || nd >= new_n_docs || !is_deleted(dels_now[i], d)) continue;
            bits[nd >> 3] |= (uint8_t)(1u << (nd & 7));
        }
    }
    for (d = 0; d < new_n_docs; d++) count += is_deleted(bits, d);
    *n_deleted_out = count;
}
