/*
** cursor.c -- the term cursor: walks one term's block postings in a
** segment, skipping whole blocks through the skip entries on seek, and
** decoding positions only for the blocks a phrase asks about.
**
** Block-max bounds (Ding & Suel, "Faster top-k document retrieval using
** block-max indexes", SIGIR 2011).  Every block carries the Pareto
** frontier of its documents' (tf, dl) pairs (FORMAT.md section 4); BM25's
** w(tf, dl) grows with tf and shrinks with dl, so the largest w over the
** frontier bounds every document of the block, for any k1, b and average
** length, and is the block's exact maximum when the frontier is whole.  Bounds are
** read from a second, "shallow" decoder that walks skip entries ahead of
** the real one without decoding any block: asking for the bound of a far
** document costs skip-entry reads only, and a later seek to that document
** starts from the shallow position instead of walking the entries again.
**
**   dec      ... [block of docs[]] ...........................
**   shallow  ...................... [block holding target] ..
**
** The list-wide bound (max_score) is the largest block bound, computed on
** first use from the skip entries (a walk of 5 vints per block).
**
** Positions (FORMAT.md section 5) are asked for one document at a time (a
** phrase candidate), and decoded alone by the block's position reader
** (positions.c), which finds a document's values without decoding the
** ones before it.  The block's CRC is checked once, when its first
** document is asked for, so damage is still reported as with a full decode.
*/
#include <stdio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "eval/eval.h"

/* Debug counters of the calling thread (tests and benchmarks only). */
#if defined(__GNUC__)
/* initial-exec: a plain load instead of a __tls_get_addr call per count */
static _Thread_local ng_eval_counters t_counters __attribute__((tls_model("initial-exec")));
#else
static _Thread_local ng_eval_counters t_counters;
#endif

const ng_eval_counters *ng_eval__counters(void) { return &t_counters; }
void ng_eval__counters_reset(void) { memset(&t_counters, 0, sizeof t_counters); }
void ng_eval__count_scored(uint64_t n) { t_counters.docs_scored += n; }

typedef struct term_cursor {
    ng_cursor base;
    const ng_segment *seg;
    ng_post_dec dec;        /* dec.cur is the block of docs[] once decoded */
    ng_post_dec shallow;    /* skip-entry reader at or ahead of dec (bounds) */
    ng_post_dec head;       /* the decoder before its first block (max_score) */
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK];
    uint32_t n, i;          /* docs in the decoded block, index of the current */
    int decoded;            /* docs[] holds dec.cur's block */
    uint32_t *pos;          /* positions of one document, decoded on demand */
    size_t pos_cap;
    int pos_ready;          /* pos_rd open (and the CRC checked) on dec.cur's block */
    uint32_t pos_doc;       /* index in the block of the doc pos holds, or UINT32_MAX */
    ng_pos_reader pos_rd;   /* the block's positions */
    double idf;
    const ng_bm25 *p;
    double w_num, w_k, w_kdl; /* score = w_num * tf / (tf + w_k + w_kdl * dl): BM25, one division */
    double max_score;       /* list-wide bound; < 0 until computed */
    double cur_bound;       /* bound of dec.cur's block */
    double shallow_bound;   /* bound of shallow.cur's block */
} term_cursor;

/* The largest w(tf, len) over the block's frontier: no document of it
** scores more, and one document scores exactly that unless the frontier
** was capped. */
static double block_bound(const term_cursor *t, const ng_post_block *b)
{
    double best = 0, w;
    uint32_t k;
    for (k = 0; k < b->n_front; k++)
        if ((w = ng_bm25_tf(t->p, b->front_tf[k], b->front_len[k])) > best) best = w;
    return t->idf * best;
}

static int tc_load_block(term_cursor *t)
{
    int rc = ng_post__dec_docs(&t->dec, t->docs, t->tfs);
    if (rc) return rc;
    t->n = t->dec.cur.n;
    t->i = 0;
    t->decoded = 1;
    t->pos_ready = 0;
    t->pos_doc = UINT32_MAX;
    t->cur_bound = block_bound(t, &t->dec.cur);
    t_counters.blocks_decoded++;
    if (t->docs[t->n - 1] >= t->seg->meta.n_docs)
        return ng_fmt__corrupt(&t->seg->pst, t->dec.cur.data, "postings: docid beyond the segment");
    t->base.doc = t->docs[0];
    return NG_OK;
}

static int tc_end(term_cursor *t)
{
    t->base.doc = NG_FMT_DOCID_END;
    return NG_ITEROVER;
}

static int tc_next(ng_cursor *c)
{
    term_cursor *t = (term_cursor *)c;
    int rc;
    if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
    if (++t->i < t->n) {
        c->doc = t->docs[t->i];
        return NG_OK;
    }
    rc = ng_post__dec_next_block(&t->dec);
    if (rc == NG_ITEROVER) return tc_end(t);
    if (rc) return rc;
    return tc_load_block(t);
}

/* Index of the first of docs[i..n) (increasing) that is >= target, or n.
** Seeks mostly move a few documents: count the next 8 without branching
** (sorted, so the count is the offset), then halve what is left without
** branching either; a scan's mispredicted exit cost more than the search. */
static uint32_t first_geq(const uint32_t *docs, uint32_t i, uint32_t n, uint32_t target)
{
    const uint32_t *b;
    uint32_t len, k, c = 0;
    if (i < n && docs[i] >= target) return i; /* already there: the usual AND step */
    if (i > n || n - i < 8) {
        while (i < n && docs[i] < target) i++;
        return i;
    }
#if defined(__SSE2__)
    { /* unsigned compare as signed, both sides offset by 2^31 */
        const __m128i flip = _mm_set1_epi32(INT32_MIN), tv = _mm_set1_epi32((int)(target ^ 0x80000000u));
        __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(docs + i)), flip);
        __m128i z = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(docs + i + 4)), flip);
        unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(a, tv))) |
                     (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(z, tv))) << 4;
        m = m - ((m >> 1) & 0x55u); /* 8-bit popcount */
        m = (m & 0x33u) + ((m >> 2) & 0x33u);
        c = (m + (m >> 4)) & 0x0fu;
        (void)k;
    }
#else
    for (k = 0; k < 8; k++) c += docs[i + k] < target;
#endif
    if (c < 8) return i + c;
    b = docs + i + 8;
    len = n - i - 8;
    if (len == 0) return n;
    while (len > 1) {
        uint32_t half = len / 2;
        b = b[half] < target ? b + half : b;
        len -= half;
    }
    return (uint32_t)(b - docs) + (*b < target);
}

static int tc_seek(ng_cursor *c, uint32_t target)
{
    term_cursor *t = (term_cursor *)c;
    int rc;
    if (c->doc >= target) return c->doc == NG_FMT_DOCID_END ? NG_ITEROVER : NG_OK;
    /* skip whole blocks whose last docid is below the target; every block
       before the shallow decoder's ends below it when shallow.prev_last does */
    if (t->dec.cur.last_doc < target) {
        if (t->shallow.next_block > t->dec.next_block && t->shallow.prev_last < target) {
            t_counters.blocks_skipped += t->shallow.next_block - t->dec.next_block - 1;
            t->dec = t->shallow;
            if (t->dec.cur.last_doc >= target) goto load;
        }
        do {
            rc = ng_post__dec_next_block(&t->dec);
            if (rc == NG_ITEROVER) return tc_end(t);
            if (rc) return rc;
            t_counters.blocks_skipped += t->dec.cur.last_doc < target;
        } while (t->dec.cur.last_doc < target);
    load:
        if ((rc = tc_load_block(t)) != NG_OK) return rc;
    }
    t->i = first_geq(t->docs, t->i, t->n, target);
    if (t->i < t->n) {
        c->doc = t->docs[t->i];
        return NG_OK;
    }
    /* the block ended below target (single-block lists): move on */
    t->i = t->n - 1;
    rc = tc_next(c);
    if (rc) return rc;
    return c->doc >= target ? NG_OK : tc_seek(c, target);
}

/* BM25 (eval.h) with its constants folded at open: one division instead of
** two, on the path every scored document takes.  It may differ from
** ng_bm25_tf() in the last bits, which the bounds' slack (maxscore.c)
** absorbs; exhaustive and pruned loops both score through here. */
static double tc_score(ng_cursor *c)
{
    term_cursor *t = (term_cursor *)c;
    double tf = t->tfs[t->i];
    return t->w_num * tf / (tf + t->w_k + t->w_kdl * ng_lens__get(&t->seg->lens, c->doc));
}

/* The largest block bound of the list, from its skip entries; on damaged
** entries the loose bound idf * (k1 + 1) (the real seek reports them). */
static double tc_max_score(const ng_cursor *c)
{
    term_cursor *t = (term_cursor *)(uintptr_t)c; /* lazily cached: not really const */
    if (t->max_score < 0) {
        ng_post_dec d = t->head;
        double m = 0;
        int rc;
        while ((rc = ng_post__dec_next_block(&d)) == NG_OK) {
            double b = block_bound(t, &d.cur);
            if (b > m) m = b;
        }
        t->max_score = rc == NG_ITEROVER ? m : t->idf * (t->p->k1 + 1.0);
    }
    return t->max_score;
}

/* Bound of the documents in [target, *last]: the block holding target. */
static double tc_block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    term_cursor *t = (term_cursor *)c;
    int rc;
    if (t->base.doc == NG_FMT_DOCID_END) {
        *last = NG_FMT_DOCID_END - 1;
        return 0;
    }
    if (target <= t->dec.cur.last_doc) { /* the decoded block (nothing in [target, doc)) */
        *last = t->dec.cur.last_doc;
        return t->cur_bound;
    }
    if (t->shallow.next_block <= t->dec.next_block) {
        t->shallow = t->dec;
        t->shallow_bound = t->cur_bound;
    } else if (t->shallow.prev_last >= target) {
        /* target lies in a block the shallow decoder has passed: list bound */
        *last = t->shallow.prev_last;
        return tc_max_score(&t->base);
    }
    while (t->shallow.cur.last_doc < target) {
        rc = ng_post__dec_next_block(&t->shallow);
        if (rc == NG_ITEROVER) {
            *last = NG_FMT_DOCID_END - 1;
            return 0;
        }
        if (rc) { /* damaged skip entries: stay safe, the seek will report it */
            *last = target;
            return tc_max_score(&t->base);
        }
        t->shallow_bound = block_bound(t, &t->shallow.cur);
    }
    *last = t->shallow.cur.last_doc;
    return t->shallow_bound;
}

static void tc_free(ng_cursor *c)
{
    term_cursor *t = (term_cursor *)c;
    ng__free(t->pos);
    ng__free(t);
}

static const ng_cursor_ops term_ops = {tc_next, tc_seek, tc_score, tc_max_score, tc_free};

/* The first document from the cursor's on that is past limit or whose
** (tf, length) may score above floor under idf * w = w_num * tf / (tf +
** w_k + w_kdl * dl): one tight loop over the decoded block, where a caller
** testing document by document paid a call and a reload per document. */
static int term_advance(term_cursor *t, double w_num, double w_k, double w_kdl, double floor, uint32_t limit)
{
    ng_cursor *c = &t->base;
    const ng_lens *lens = &t->seg->lens;
    int rc;
    for (;;) {
        uint32_t i;
        if (c->doc == NG_FMT_DOCID_END) return NG_ITEROVER;
        for (i = t->i; i < t->n; i++) {
            uint32_t d = t->docs[i];
            double tf = t->tfs[i];
            if (d > limit || w_num * tf > floor * (tf + w_k + w_kdl * ng_lens__get(lens, d))) {
                t->i = i;
                c->doc = d;
                return NG_OK;
            }
        }
        t->i = t->n - 1; /* the block is passed: tc_next loads the next */
        if ((rc = tc_next(c)) != NG_OK) return rc;
    }
}

int ng_cursor__term_next_bounded(ng_cursor *c, double w_num, double w_k, double w_kdl, double floor)
{
    return term_advance((term_cursor *)c, w_num, w_k, w_kdl, floor, NG_FMT_DOCID_END - 1);
}

int ng_cursor__term_next_above(ng_cursor *c, double floor, uint32_t limit)
{
    term_cursor *t = (term_cursor *)c;
    if (c->ops != &term_ops) return NG_OK;
    return term_advance(t, t->w_num, t->w_k, t->w_kdl, floor, limit);
}

uint32_t ng_cursor__term_tf(const ng_cursor *c)
{
    const term_cursor *t = (const term_cursor *)c;
    return c->doc == NG_FMT_DOCID_END ? 0 : t->tfs[t->i];
}

/* Index of the first document at or after target in t's decoded block,
** or UINT32_MAX when the block does not tell. */
static uint32_t known_at(const term_cursor *t, uint32_t target)
{
    uint32_t lo, hi;
    if (t->base.ops != &term_ops || t->base.doc == NG_FMT_DOCID_END || !t->decoded || target > t->dec.cur.last_doc)
        return UINT32_MAX;
    if (t->base.doc >= target) return t->i; /* the usual case: asked about the next window */
    lo = t->i;
    if (lo + 1 < t->n && t->docs[lo + 1] >= target) return lo + 1; /* the one after: a sum asks for it */
    hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->docs[mid] < target) lo = mid + 1;
        else hi = mid;
    }
    return lo < t->n ? lo : UINT32_MAX;
}

int ng_cursor__term_next_known(const ng_cursor *c, uint32_t target, uint32_t *next)
{
    const term_cursor *t = (const term_cursor *)c;
    uint32_t at = known_at(t, target);
    if (at == UINT32_MAX) return 0;
    *next = t->docs[at];
    return 1;
}

int ng_cursor__term_skip_known(ng_cursor *c, uint32_t target, uint32_t *next)
{
    term_cursor *t = (term_cursor *)c;
    uint32_t at = known_at(t, target);
    if (at == UINT32_MAX) return 0;
    t->i = at; /* the later questions start here: no search again */
    c->doc = *next = t->docs[at];
    return 1;
}

/* first_geq() for the short hops of a zig-zag between lists of similar
** density: the next four ids compared at once (or scanned), then the
** search over the rest. */
static inline uint32_t near_geq(const uint32_t *docs, uint32_t i, uint32_t n, uint32_t target)
{
    uint32_t lim = n - i > 4 ? i + 4 : n;
    const uint32_t *b;
    uint32_t len;
#if defined(__SSE2__) && defined(__GNUC__)
    if (i + 4 <= NG_FMT_BLOCK) {
        /* docs is a cursor's docs[NG_FMT_BLOCK]: four loads stay inside it,
        ** and the ones below target among the first four, counted from the
        ** first (the ids increase), tell where target goes unless every one
        ** of the block's is below it (what follows n is stale) */
        const __m128i flip = _mm_set1_epi32(INT32_MIN), tv = _mm_set1_epi32((int)(target ^ 0x80000000u));
        __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(docs + i)), flip);
        unsigned below = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(a, tv)));
        uint32_t c = (uint32_t)__builtin_ctz(~below); /* leading run of ones: at most 4 */
        if (c >= n - i) return n;
        if (c < 4) return i + c;
        i += 4;
    } else
#endif
    {
        while (i < lim && docs[i] < target) i++;
        if (i < lim || i == n) return i;
    }
    for (b = docs + i, len = n - i; len > 1;) { /* as first_geq(), which stays inlined in tc_seek */
        uint32_t half = len / 2;
        b = b[half] < target ? b + half : b;
        len -= half;
    }
    return (uint32_t)(b - docs) + (*b < target);
}

#if defined(__SSE2__) && defined(__GNUC__)
/* Lanes of a (a bit each) equal to some lane of b: a against b and its
** three rotations, every pair of the 4 x 4 compared without a branch. */
static inline unsigned lanes_in(__m128i a, __m128i b)
{
    __m128i m = _mm_cmpeq_epi32(a, b);
    m = _mm_or_si128(m, _mm_cmpeq_epi32(a, _mm_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1))));
    m = _mm_or_si128(m, _mm_cmpeq_epi32(a, _mm_shuffle_epi32(b, _MM_SHUFFLE(1, 0, 3, 2))));
    m = _mm_or_si128(m, _mm_cmpeq_epi32(a, _mm_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3))));
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(m));
}

/* The meet four by four while both blocks have four ids left: a window of
** four from each; a window wholly below the other's first id hops (a
** search, for lists of unlike density); else the 16 pairs are compared at
** once, and the window that ends lower moves on by four.  The scalar
** zig-zag mispredicted about once per id it passed on lists of like
** density; this passes four per branch.  The first shared id of the two
** windows is the first of the lists' from i and j, since every id before
** either window was passed as unshared.  Stops on it, or when a block is
** too near its end (the caller goes on one by one). */
static void meet_by_four(const uint32_t *xd, uint32_t *pi, uint32_t xn, const uint32_t *yd, uint32_t *pj, uint32_t yn)
{
    uint32_t i = *pi, j = *pj;
    while (i + 4 <= xn && j + 4 <= yn) {
        __m128i va, vb;
        unsigned mx;
        if (xd[i + 3] < yd[j]) {
            i = near_geq(xd, i + 4, xn, yd[j]);
            continue;
        }
        if (yd[j + 3] < xd[i]) {
            j = near_geq(yd, j + 4, yn, xd[i]);
            continue;
        }
        va = _mm_loadu_si128((const __m128i *)(const void *)(xd + i));
        vb = _mm_loadu_si128((const __m128i *)(const void *)(yd + j));
        if ((mx = lanes_in(va, vb)) != 0) {
            i += (uint32_t)__builtin_ctz(mx);
            j += (uint32_t)__builtin_ctz(lanes_in(vb, va));
            break;
        }
        if (xd[i + 3] < yd[j + 3]) i += 4;
        else j += 4; /* not equal: they would have matched */
    }
    *pi = i;
    *pj = j;
}
#endif

void ng_cursor__term_meet(ng_cursor *a, ng_cursor *b)
{
    term_cursor *x = (term_cursor *)a, *y = (term_cursor *)b;
    const uint32_t *xd, *yd;
    uint32_t i, j, u, v;
    /* the kinds first: other cursors are smaller than a term cursor */
    if (a->ops != &term_ops || b->ops != &term_ops) return;
    if (!x->decoded || !y->decoded || a->doc == NG_FMT_DOCID_END || b->doc == NG_FMT_DOCID_END) return;
    xd = x->docs;
    yd = y->docs;
    i = x->i;
    j = y->i;
#if defined(__SSE2__) && defined(__GNUC__)
    if (xd[i] != yd[j]) meet_by_four(xd, &i, x->n, yd, &j, y->n);
    if (i == x->n) i = x->n - 1; /* a hop ran off the block: as below */
    if (j == y->n) j = y->n - 1;
#endif
    for (u = xd[i], v = yd[j]; u != v;) {
        if (u < v) {
            if ((i = near_geq(xd, i + 1, x->n, v)) == x->n) { i = x->n - 1; break; }
            u = xd[i];
        } else {
            if ((j = near_geq(yd, j + 1, y->n, u)) == y->n) { j = y->n - 1; break; }
            v = yd[j];
        }
    }
    x->i = i;
    a->doc = xd[i];
    y->i = j;
    b->doc = yd[j];
}

double ng_cursor__term_idf(const ng_cursor *c)
{
    return c->ops == &term_ops ? ((const term_cursor *)c)->idf : 0;
}

/* First use of the block's positions: check its CRC, open its reader. */
static int pos_prepare(term_cursor *t)
{
    int rc = ng_post__pos_open(&t->dec, t->tfs, &t->pos_rd);
    if (rc) return rc;
    t->pos_ready = 1;
    return NG_OK;
}

int ng_cursor__term_positions(ng_cursor *c, const uint32_t **pos_out, uint32_t *n_out)
{
    term_cursor *t = (term_cursor *)c;
    uint32_t tf;
    int rc;
    if (c->ops != &term_ops || c->doc == NG_FMT_DOCID_END) return ng__err(NG_ERROR, "positions: cursor not on a document");
    tf = t->tfs[t->i];
    if (t->pos_doc != t->i) {
        if (!t->pos_ready && (rc = pos_prepare(t)) != NG_OK) return rc;
        if ((rc = NG_GROW(t->pos, t->pos_cap, (size_t)tf + 1)) != NG_OK) return rc;
        if (ng_fmt__pos_doc(&t->pos_rd, t->i, t->pos))
            return ng_fmt__corrupt(t->dec.xf, t->dec.pos_base + t->dec.cur.pos_off, t->pos_rd.why);
        t->pos_doc = t->i;
    }
    *pos_out = t->pos;
    *n_out = tf;
    return NG_OK;
}

int ng_cursor__term_open(ng_cursor **out, const ng_segment *seg, const ng_term_info *ti, double idf,
                         const ng_bm25 *p)
{
    term_cursor *t;
    int rc;
    *out = NULL;
    if (!(t = ng__calloc(1, sizeof *t))) return ng__oom();
    t->base.ops = &term_ops;
    t->base.block_max = tc_block_max;
    t->base.cost = ti->df;
    t->seg = seg;
    t->idf = idf;
    t->p = p;
    t->w_num = idf * (p->k1 + 1.0);
    t->w_k = p->k1 * (1.0 - p->b);
    t->w_kdl = p->k1 * p->b / p->avgdl;
    t->max_score = -1;
    rc = ng_seg__open_term(&t->dec, seg, ti);
    t->head = t->dec;
    if (!rc) rc = ng_post__dec_next_block(&t->dec);
    if (!rc) rc = tc_load_block(t);
    if (rc) {
        tc_free(&t->base);
        return rc;
    }
    t->shallow = t->dec;
    t->shallow_bound = t->cur_bound;
    *out = &t->base;
    return NG_OK;
}

int ng_cursor__term(ng_cursor **out, const ng_segment *seg, const char *term, size_t len,
                    double idf, const ng_bm25 *p)
{
    ng_term_info ti;
    int rc;
    *out = NULL;
    rc = ng_dict__lookup(&seg->dict, term, len, &ti);
    if (rc == NG_ENOTFOUND) return ng_cursor__empty(out);
    if (rc) return rc;
    return ng_cursor__term_open(out, seg, &ti, idf, p);
}

/* ------------------------------------------------------------------ */

static int empty_next(ng_cursor *c) { c->doc = NG_FMT_DOCID_END; return NG_ITEROVER; }
static int empty_seek(ng_cursor *c, uint32_t d) { (void)d; c->doc = NG_FMT_DOCID_END; return NG_ITEROVER; }
static double empty_score(ng_cursor *c) { (void)c; return 0; }
static double empty_max(const ng_cursor *c) { (void)c; return 0; }
static void empty_free(ng_cursor *c) { ng__free(c); }
static const ng_cursor_ops empty_ops = {empty_next, empty_seek, empty_score, empty_max, empty_free};

int ng_cursor__empty(ng_cursor **out)
{
    ng_cursor *c = ng__calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return ng__oom();
    c->ops = &empty_ops;
    c->doc = NG_FMT_DOCID_END;
    *out = c;
    return NG_OK;
}

void ng_cursor__free(ng_cursor *c)
{
    if (c) c->ops->free(c);
}

/* ------------------------------------------------------------------ */

double ng_cursor__block_max(ng_cursor *c, uint32_t target, uint32_t *last)
{
    if (c->doc == NG_FMT_DOCID_END) {
        *last = NG_FMT_DOCID_END - 1;
        return 0;
    }
    if (c->block_max) return c->block_max(c, target, last);
    *last = NG_FMT_DOCID_END - 1;
    return c->ops->max_score(c);
}
