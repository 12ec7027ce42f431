/*
** test_merge.c -- segment merging and the merge policy (src/index/merge.c).
**
** Indexes are built through the public writer with a tiny memory limit
** (many segments), over several sessions with replacements and deletions
** (committed tombstones), from a plan whose outcome the test knows: which
** add events stay live, which words each one has.  After ng_merge__run the
** test writes a manifest naming the merged segment in place of the inputs
** and compares with oracles that do not use the merge code:
**   - remap: live documents numbered in input order, computed from the
**     tombstone bitmaps;
**   - postings: for every term of any input, the merged list (docs, tfs,
**     positions) equals the concatenation of the inputs' live postings,
**     each looked up in its own dictionary and renumbered by the remap;
**     terms left without live documents are absent;
**   - lengths, dates and stored fields of every live document;
**   - lexicon counts between the true live df (from the plan) and the
**     inputs' summed df;
**   - search results (ids, scores, totals) of many random queries equal
**     before and after; ng_index_check passes.
** The store is also checked on its own, against the documents the test
** added (every field, ids found again), with deletions inside blocks,
** documents bigger than a block, full blocks that must come out byte for
** byte (copied without re-compression) and damaged input blocks that must
** fail the merge, as a read of them fails.
** The policy is tested on synthetic size lists against hand-computed picks
** and by simulating a long indexing run (segment count, rewrites per doc).
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/docstore.h"
#include "index/merge.h"
#include "ng_test.h"
#include "reader/reader.h"

static unsigned g_nfail;
static char g_ctx[512];

/* An assertion that prints the context of the first failures only. */
#define EXPECT(c)                                                                                       \
    do {                                                                                                \
        int ok_ = !!(c);                                                                                \
        if (!ok_ && ++g_nfail <= 40) fprintf(stderr, "\n  FAIL %s:%d: %s [%s]", __FILE__, __LINE__, #c, \
                                              g_ctx);                                                   \
        CU_assertImplementation(ok_ ? CU_TRUE : CU_FALSE, __LINE__, #c, __FILE__, "", CU_FALSE);         \
    } while (0)
#define CTX(...) snprintf(g_ctx, sizeof g_ctx, __VA_ARGS__)

static uint32_t rndn(uint64_t *s, uint32_t n) { return n ? (uint32_t)(ng_test_rand(s) % n) : 0; }

static const char *sub(const char *name)
{
    static char bufs[4][4400];
    static unsigned k;
    k = (k + 1) % 4;
    snprintf(bufs[k], sizeof bufs[k], "%s/%s", ng_test_tmpdir, name);
    return bufs[k];
}

/* ---------------------------------------------------------------- */
/* A planned indexing history                                        */

static const char *const vocab[] = {"the",   "of",    "and",   "war",   "peace", "talks", "army",  "troops",
                                    "city",  "river", "bank",  "court", "judge", "vote",  "poll",  "storm",
                                    "flood", "price", "oil",   "gas",   "rail",  "port",  "ship",  "crew",
                                    "coach", "team",  "match", "goal",  "score", "fans"};
#define V ((int)NG_ARRAY_LEN(vocab))

/* Words that exist for the edge cases: markers put into exactly k live
** documents (blocks of exactly 128 and around), and a word only in
** documents that end up deleted. */
static const char *const marker[] = {"mkone", "mkfull", "mkfullone", "mktwo", "mktwoone", "mkfew"};
static const uint32_t marker_live[] = {1, 128, 129, 256, 257, 127};
#define NM ((int)NG_ARRAY_LEN(marker))
#define GHOST "ghostword"

#define MAXW 90
typedef struct event {
    int op;        /* 0 add, 1 delete */
    int id;        /* document id number */
    int session;   /* writer session (commit) */
    int live;      /* an add whose version survives to the end */
    int n, w[MAXW];/* words: < V vocab, V + k marker k, -1 ghost */
    int title_n;   /* the first title_n words are the title */
    int date;      /* day of the month, 0 = none */
} event;

typedef struct plan {
    event *ev;
    int n_ev, n_ids;
} plan;

static void plan_free(plan *p) { free(p->ev); memset(p, 0, sizeof *p); }

static int zipf_word(uint64_t *rs)
{
    /* P(k) ~ 1/(k+1): inverse transform on the harmonic sums */
    static double cum[V];
    double u;
    int i;
    if (cum[V - 1] == 0) {
        double tot = 0, acc = 0;
        for (i = 0; i < V; i++) tot += 1.0 / (i + 1);
        for (i = 0; i < V; i++) cum[i] = (acc += 1.0 / (i + 1) / tot);
    }
    u = (double)(ng_test_rand(rs) >> 11) / 9007199254740992.0;
    for (i = 0; i < V - 1 && u >= cum[i]; i++) {}
    return i;
}

/* sessions x docs_per_session new ids, plus replacements and deletions of
** older ids (in later sessions and within a session). */
static void plan_make(plan *p, uint64_t seed, int sessions, int per_session, int churn_pct)
{
    uint64_t rs = seed;
    int cap = sessions * per_session * 3 + 16, s, i, k, *last;
    memset(p, 0, sizeof *p);
    p->ev = calloc((size_t)cap, sizeof *p->ev);
    for (s = 0; s < sessions; s++) {
        for (i = 0; i < per_session; i++) {
            event *e = &p->ev[p->n_ev++];
            e->op = 0;
            e->id = p->n_ids++;
            e->session = s;
            /* churn: replace or delete an older id (maybe of this session) */
            if ((int)rndn(&rs, 100) < churn_pct && p->n_ids > 1) {
                event *c = &p->ev[p->n_ev++];
                c->op = rndn(&rs, 3) == 0 ? 1 : 0;
                c->id = (int)rndn(&rs, (uint32_t)p->n_ids - 1);
                c->session = s;
            }
        }
    }
    /* which adds survive: the last add of an id, if no delete follows it */
    last = malloc(sizeof *last * (size_t)p->n_ids);
    for (i = 0; i < p->n_ids; i++) last[i] = -1;
    for (i = 0; i < p->n_ev; i++) last[p->ev[i].id] = p->ev[i].op == 0 ? i : -1;
    for (i = 0; i < p->n_ids; i++)
        if (last[i] >= 0) p->ev[last[i]].live = 1;
    free(last);
    /* contents */
    {
        int mk_live[NM] = {0}, mk_dead[NM] = {0}, ghosts = 0;
        for (i = 0; i < p->n_ev; i++) {
            event *e = &p->ev[i];
            if (e->op) continue;
            e->n = 3 + (int)rndn(&rs, 60);
            for (k = 0; k < e->n; k++) e->w[k] = zipf_word(&rs);
            e->title_n = (int)rndn(&rs, 4);
            e->date = (int)rndn(&rs, 29);
            for (k = 0; k < NM; k++) {
                int *cnt = e->live ? &mk_live[k] : &mk_dead[k];
                uint32_t want = e->live ? marker_live[k] : 4;
                if ((uint32_t)*cnt < want && e->n < MAXW - 2) {
                    e->w[e->n++] = V + k;
                    if (rndn(&rs, 3) == 0) e->w[e->n++] = V + k; /* tf 2 */
                    (*cnt)++;
                }
            }
            if (!e->live && ghosts < 5 && e->n < MAXW) {
                e->w[e->n++] = -1;
                ghosts++;
            }
        }
    }
}

static const char *word_of(int w) { return w < 0 ? GHOST : w < V ? vocab[w] : marker[w - V]; }

static int add_event(ng_writer *wr, const event *e)
{
    char id[32], date[16], title[512], body[MAXW * 12];
    size_t tl = 0, bl = 0;
    int k;
    ng_document d;
    memset(&d, 0, sizeof d);
    snprintf(id, sizeof id, "doc-%d", e->id);
    for (k = 0; k < e->n; k++) {
        const char *w = word_of(e->w[k]);
        if (k < e->title_n) tl += (size_t)snprintf(title + tl, sizeof title - tl, "%s%s", k ? " " : "", w);
        else bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s%s", bl ? " " : "", w);
    }
    if (e->date) snprintf(date, sizeof date, "2021-03-%02d", e->date);
    d.id = id;
    d.id_len = strlen(id);
    d.title = title;
    d.title_len = tl;
    d.date = e->date ? date : NULL;
    d.date_len = e->date ? strlen(date) : 0;
    d.url = e->id % 3 ? "http://example.org/x" : NULL;
    d.url_len = e->id % 3 ? 20 : 0;
    d.body = body;
    d.body_len = bl;
    return ng_writer_add(wr, &d);
}

/* Run the plan into dir with a small memory limit (several segments). */
static int build(const char *dir, const plan *p, size_t mem)
{
    ng_writer_options o = NG_WRITER_OPTIONS_INIT;
    ng_writer *wr = NULL;
    int i, s = -1, rc = NG_OK;
    char id[32];
    o.language = "none";
    /* mem is for the memtable: the writer also counts two store blocks */
    o.memory_limit = mem + 2 * NG_FMT_STORE_BLOCK;
    o.no_merge = 1; /* the test merges by itself */
    for (i = 0; i < p->n_ev && !rc; i++) {
        const event *e = &p->ev[i];
        if (e->session != s) {
            if (wr && (rc = ng_writer_commit(wr)) != NG_OK) break;
            ng_writer_free(wr);
            wr = NULL;
            if ((rc = ng_writer_open(&wr, dir, &o)) != NG_OK) break;
            s = e->session;
        }
        if (e->op == 0) {
            rc = add_event(wr, e);
        } else {
            snprintf(id, sizeof id, "doc-%d", e->id);
            rc = ng_writer_delete(wr, id, strlen(id));
            if (rc == NG_ENOTFOUND) rc = NG_OK; /* deleted twice */
        }
    }
    if (!rc && wr) rc = ng_writer_commit(wr);
    if (getenv("NG_TEST_DEBUG")) {
        ng_index *ix;
        if (ng_index_open(&ix, dir) == 0) fprintf(stderr, "\n  %s: %u segments, %llu live", dir, ix->n_segs, (unsigned long long)ix->n_live);
        ng_index_free(ix);
    }
    if (rc) fprintf(stderr, "\n  build: %s", ng_error_last()->message);
    ng_writer_free(wr);
    return rc;
}

/* ---------------------------------------------------------------- */
/* Decoding whole lists (the oracle's side)                          */

typedef struct plist {
    uint32_t *docs, *tfs, *pos;
    size_t n, npos, cap, pcap;
} plist;

static void pl_free(plist *l) { free(l->docs); free(l->tfs); free(l->pos); memset(l, 0, sizeof *l); }

static void pl_add(plist *l, uint32_t doc, uint32_t tf, const uint32_t *pos)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->docs = realloc(l->docs, l->cap * sizeof *l->docs);
        l->tfs = realloc(l->tfs, l->cap * sizeof *l->tfs);
    }
    while (l->npos + tf > l->pcap) {
        l->pcap = l->pcap ? 2 * l->pcap : 256;
        l->pos = realloc(l->pos, l->pcap * sizeof *l->pos);
    }
    l->docs[l->n] = doc;
    l->tfs[l->n++] = tf;
    memcpy(l->pos + l->npos, pos, tf * sizeof *pos);
    l->npos += tf;
}

/* Append a segment's list of term, docids mapped through remap (NULL:
** as is), dropping documents mapped to UINT32_MAX.  0 if absent. */
static int pl_load(plist *l, const ng_segment *s, const char *term, size_t len, const uint32_t *remap, int *rc_out)
{
    ng_term_info ti;
    ng_post_dec d;
    uint32_t docs[NG_FMT_BLOCK], tfs[NG_FMT_BLOCK], j, *pos = NULL;
    int rc = ng_dict__lookup(&s->dict, term, len, &ti);
    *rc_out = NG_OK;
    if (rc == NG_ENOTFOUND) return 0;
    if (!rc) rc = ng_seg__open_term(&d, s, &ti);
    while (!rc && (rc = ng_post__dec_next_block(&d)) == NG_OK) {
        size_t tot = 0, off = 0;
        if ((rc = ng_post__dec_docs(&d, docs, tfs)) != NG_OK) break;
        for (j = 0; j < d.cur.n; j++) tot += tfs[j];
        pos = realloc(pos, (tot + 1) * sizeof *pos);
        if ((rc = ng_post__dec_positions(&d, tfs, pos, tot)) != NG_OK) break;
        for (j = 0; j < d.cur.n; j++) {
            uint32_t nd = remap ? remap[docs[j]] : docs[j];
            if (nd != UINT32_MAX) pl_add(l, nd, tfs[j], pos + off);
            off += tfs[j];
        }
    }
    free(pos);
    *rc_out = rc == NG_ITEROVER ? NG_OK : rc;
    return 1;
}

static int pl_equal(const plist *a, const plist *b)
{
    return a->n == b->n && a->npos == b->npos && (!a->n || !memcmp(a->docs, b->docs, a->n * sizeof *a->docs)) &&
           (!a->n || !memcmp(a->tfs, b->tfs, a->n * sizeof *a->tfs)) &&
           (!a->npos || !memcmp(a->pos, b->pos, a->npos * sizeof *a->pos));
}

/* ---------------------------------------------------------------- */
/* Checking a merge                                                  */

typedef struct term_set {
    char (*t)[256];
    size_t *len;
    size_t n, cap;
} term_set;

static int cmp_tkey(const void *a, const void *b, void *ts_)
{
    const term_set *ts = ts_;
    size_t i = *(const size_t *)a, j = *(const size_t *)b, m = ts->len[i] < ts->len[j] ? ts->len[i] : ts->len[j];
    int r = memcmp(ts->t[i], ts->t[j], m);
    return r ? r : (ts->len[i] < ts->len[j] ? -1 : ts->len[i] > ts->len[j]);
}

/* Every term of every segment of ix (with duplicates). */
static void collect_terms(term_set *ts, const ng_index *ix)
{
    uint32_t i;
    for (i = 0; i < ix->n_segs; i++) {
        ng_dict_iter it;
        if (ng_dict__iter_seek(&it, &ix->segs[i].dict, "", 0)) continue;
        while (ng_dict__iter_next(&it) == NG_OK) {
            if (ts->n == ts->cap) {
                ts->cap = ts->cap ? 2 * ts->cap : 1024;
                ts->t = realloc(ts->t, ts->cap * sizeof *ts->t);
                ts->len = realloc(ts->len, ts->cap * sizeof *ts->len);
            }
            memcpy(ts->t[ts->n], it.term, it.term_len);
            ts->len[ts->n++] = it.term_len;
        }
    }
}

/* The oracle's renumbering: live documents in segment order. */
static uint32_t **oracle_remap(const ng_index *ix, const uint8_t *const *dels, uint32_t *n_live)
{
    uint32_t **r = calloc(ix->n_segs, sizeof *r), i, d, k = 0;
    for (i = 0; i < ix->n_segs; i++) {
        r[i] = malloc(sizeof **r * (ix->segs[i].meta.n_docs + 1));
        for (d = 0; d < ix->segs[i].meta.n_docs; d++) {
            int dead = dels[i] && (dels[i][d >> 3] >> (d & 7)) & 1;
            r[i][d] = dead ? UINT32_MAX : k++;
        }
    }
    *n_live = k;
    return r;
}

/* Lists, lexicon, lengths, dates, stored fields of merged vs the inputs. */
static void check_contents(const ng_index *before, const uint8_t *const *dels, uint32_t *const *remap,
                           const ng_segment *m)
{
    term_set ts = {NULL, NULL, 0, 0};
    size_t *order, i, terms_expected = 0;
    uint32_t si, d;
    ng_buf sa = NG_BUF_INIT, sb = NG_BUF_INIT;
    collect_terms(&ts, before);
    order = malloc(sizeof *order * (ts.n + 1));
    for (i = 0; i < ts.n; i++) order[i] = i;
    qsort_r(order, ts.n, sizeof *order, cmp_tkey, &ts);
    for (i = 0; i < ts.n; i++) {
        const char *t = ts.t[order[i]];
        size_t len = ts.len[order[i]];
        plist exp = {0}, got = {0};
        ng_term_info mti;
        int rc, in_merged;
        if (i > 0 && cmp_tkey(&order[i - 1], &order[i], &ts) == 0) continue;
        CTX("term '%.*s'", (int)len, t);
        in_merged = ng_dict__lookup(&m->dict, t, len, &mti) == NG_OK;
        if (len && t[0] == NG_NS_WORD) {
            /* lexicon: an upper bound of the live df, at most the inputs' sum */
            uint64_t sum = 0;
            int live_segs = 0;
            for (si = 0; si < before->n_segs; si++) {
                ng_term_info ti;
                uint32_t live = 0;
                for (d = 0; d < before->segs[si].meta.n_docs; d++) live += remap[si][d] != UINT32_MAX;
                if (ng_dict__lookup(&before->segs[si].dict, t, len, &ti) == NG_OK && live) {
                    sum += ti.df;
                    live_segs++;
                }
            }
            EXPECT(in_merged == (live_segs > 0));
            if (in_merged) {
                terms_expected++;
                EXPECT(mti.df >= 1 && mti.df <= sum && mti.df <= m->meta.n_docs && mti.cf >= mti.df);
                EXPECT(mti.pst_len == 0 && mti.pos_len == 0);
            }
            continue;
        }
        for (si = 0; si < before->n_segs; si++) {
            pl_load(&exp, &before->segs[si], t, len, remap[si], &rc);
            EXPECT(rc == NG_OK);
        }
        EXPECT(in_merged == (exp.n > 0));
        if (exp.n > 0) {
            terms_expected++;
            pl_load(&got, m, t, len, NULL, &rc);
            EXPECT(rc == NG_OK);
            EXPECT(pl_equal(&exp, &got));
            EXPECT(mti.df == exp.n && mti.cf == exp.npos);
        }
        pl_free(&exp);
        pl_free(&got);
    }
    CTX("dictionary");
    EXPECT(m->dict.n_terms == terms_expected);
    /* lengths, dates, stored documents */
    for (si = 0; si < before->n_segs; si++) {
        const ng_segment *s = &before->segs[si];
        for (d = 0; d < s->meta.n_docs; d++) {
            ng_field_ref fa[NG_FIELD_COUNT], fb[NG_FIELD_COUNT];
            uint32_t nd = remap[si][d];
            int k;
            (void)dels;
            if (nd == UINT32_MAX) continue;
            CTX("seg %u doc %u -> %u", si, d, nd);
            EXPECT(ng_lens__get(&s->lens, d) == ng_lens__get(&m->lens, nd));
            EXPECT(ng_lens__date(&s->lens, d) == ng_lens__date(&m->lens, nd));
            if (ng_store__get(&s->store, d, &sa, fa) || ng_store__get(&m->store, nd, &sb, fb)) {
                CTX("seg %u doc %u -> %u: %s", si, d, nd, ng_error_last()->message);
                EXPECT(0);
                continue;
            }
            for (k = 0; k < NG_FIELD_COUNT; k++)
                EXPECT(fa[k].n == fb[k].n && (!fa[k].n || !memcmp(fa[k].p, fb[k].p, fa[k].n)));
        }
    }
    ng_buf_dispose(&sa);
    ng_buf_dispose(&sb);
    free(order);
    free(ts.t);
    free(ts.len);
}

/* Name the merged segment instead of all inputs in dir's MANIFEST. */
static int commit_merged(const char *dir, const ng_seg_meta *merged)
{
    ng_manifest m;
    uint32_t *pick, n_pick, i;
    int rc = ng_manifest__read(&m, dir);
    if (rc) return rc;
    pick = malloc(sizeof *pick * (m.n_segs + 1));
    for (i = 0; i < m.n_segs; i++) pick[i] = i;
    n_pick = m.n_segs;
    rc = ng_merge__apply(m.segs, &m.n_segs, pick, n_pick, merged);
    m.generation++;
    if (merged->id >= m.next_seg_id) m.next_seg_id = merged->id + 1;
    if (!rc) rc = ng_manifest__write(&m, dir);
    ng_manifest__free(&m);
    free(pick);
    return rc;
}

/* ---------------------------------------------------------------- */
/* Search before and after                                            */

typedef struct qres {
    uint64_t total;
    size_t n;
    char (*ids)[32];
    double *scores;
} qres;

static void make_query(char *q, size_t qn, uint64_t *rs)
{
    const char *a = vocab[zipf_word(rs)], *b = vocab[zipf_word(rs)], *c = vocab[rndn(rs, V)];
    const char *mk = marker[rndn(rs, NM)];
    switch (rndn(rs, 8)) {
    case 0: snprintf(q, qn, "%s", c); break;
    case 1: snprintf(q, qn, "%s %s", a, c); break;
    case 2: snprintf(q, qn, "%s OR %s OR %s", a, b, c); break;
    case 3: snprintf(q, qn, "%s -%s", a, c); break;
    case 4: snprintf(q, qn, "\"%s %s\"", a, b); break;
    case 5: snprintf(q, qn, "(%s OR %s) %s", a, mk, c); break;
    case 6: snprintf(q, qn, "%s OR %s", mk, GHOST); break;
    default: snprintf(q, qn, "\"%s %s %s\" OR %s", a, b, c, mk); break;
    }
}

/* The id of every document number of ix, read block by block (one
** inflate per block rather than one per hit and field). */
static char (*index_ids(const ng_index *ix))[32]
{
    char (*ids)[32] = calloc(ix->n_docs_total + 1, sizeof *ids);
    ng_buf scratch = NG_BUF_INIT;
    uint32_t i, b, j;
    for (i = 0; i < ix->n_segs; i++) {
        const ng_store *st = &ix->segs[i].store;
        for (b = 0; b < st->n_blocks; b++) {
            ng_store_block blk;
            const uint8_t *p;
            if (ng_store__block_info(st, b, &blk) || ng_store__block_load(st, &blk, &scratch)) break;
            p = blk.raw;
            for (j = 0; j < blk.n_docs; j++) {
                ng_field_ref f[NG_FIELD_COUNT];
                if (ng_store__block_next(&p, blk.raw + blk.rlen, f)) break;
                snprintf(ids[ix->segs[i].base + blk.first + j], sizeof *ids, "%.*s", (int)f[NG_FIELD_ID].n,
                         f[NG_FIELD_ID].p);
            }
        }
    }
    ng_buf_dispose(&scratch);
    return ids;
}

static int run_query(qres *r, ng_index *ix, const char (*ids)[32], const char *text)
{
    ng_search_options so = NG_SEARCH_OPTIONS_INIT;
    ng_query *q;
    ng_results *res;
    size_t i;
    int rc;
    memset(r, 0, sizeof *r);
    so.limit = 200;
    so.total_mode = NG_TOTAL_EXACT; /* totals are compared across merges */
    if ((rc = ng_query_parse(&q, ix, text, (size_t)-1)) != NG_OK) return rc;
    rc = ng_search(&res, ix, q, &so);
    ng_query_free(q);
    if (rc) return rc;
    r->total = ng_results_total(res);
    r->n = ng_results_count(res);
    r->ids = calloc(r->n + 1, sizeof *r->ids);
    r->scores = calloc(r->n + 1, sizeof *r->scores);
    for (i = 0; i < r->n && !rc; i++) {
        ng_hit h;
        if ((rc = ng_results_hit(&h, res, i)) != NG_OK) break;
        if (h.docnum >= ix->n_docs_total) {
            rc = NG_ERROR;
            break;
        }
        memcpy(r->ids[i], ids[h.docnum], sizeof r->ids[i]);
        r->scores[i] = h.score;
    }
    ng_results_free(res);
    return rc;
}

static void qres_free(qres *r) { free(r->ids); free(r->scores); }

#define NQ 300

/* ---------------------------------------------------------------- */
/* The main oracle test                                              */

/* Merge every segment of dir (with dels, or the index's own tombstones
** when dels is NULL), check everything, commit the result when commit. */
static void merge_and_check(const char *dir, const uint8_t *const *dels_in, int commit, ng_seg_meta *merged_out)
{
    ng_index *before = NULL, *after = NULL;
    const uint8_t **dels;
    uint32_t **remap, **oremap, i, d, n_live = 0, n;
    uint64_t live_tokens = 0;
    ng_seg_meta out;
    qres *qb = NULL;
    char (*ids_before)[32] = NULL, (*ids_after)[32] = NULL;
    uint64_t rs = 99;
    int rc, q;
    char text[200];
    NG_ASSERT_OK(ng_index_open(&before, dir));
    if (!before) return;
    n = before->n_segs;
    dels = calloc(n + 1, sizeof *dels);
    remap = calloc(n + 1, sizeof *remap);
    for (i = 0; i < n; i++) dels[i] = dels_in ? dels_in[i] : before->segs[i].dels;
    oremap = oracle_remap(before, dels, &n_live);
    if (commit) {
        ids_before = index_ids(before);
        qb = calloc(NQ, sizeof *qb);
        for (q = 0; q < NQ; q++) {
            make_query(text, sizeof text, &rs);
            CTX("query [%s] before", text);
            EXPECT(run_query(&qb[q], before, (const char(*)[32])ids_before, text) == NG_OK);
        }
    }
    CTX("merge of %u segments", n);
    rc = ng_merge__run(dir, before->man.segs, dels, n, before->man.next_seg_id, &out, remap, NULL);
    EXPECT(rc == NG_OK);
    if (rc) fprintf(stderr, "\n  merge: %s", ng_error_last()->message);
    if (rc) goto out;
    /* remap and counts */
    for (i = 0; i < n; i++) {
        const ng_segment *s = &before->segs[i];
        for (d = 0; d < s->meta.n_docs; d++) {
            CTX("remap seg %u doc %u", i, d);
            EXPECT(remap[i][d] == oremap[i][d]);
            if (oremap[i][d] != UINT32_MAX) live_tokens += ng_lens__get(&s->lens, d);
        }
    }
    CTX("merged meta");
    EXPECT(out.id == before->man.next_seg_id && out.n_docs == n_live && out.n_deleted == 0 && out.del_gen == 0);
    EXPECT(out.live_tokens == live_tokens);
    if (!dels_in) {
        uint64_t t = 0;
        for (i = 0; i < n; i++) t += before->man.segs[i].live_tokens;
        EXPECT(out.live_tokens == t); /* the writer keeps live_tokens exact */
    }
    {
        /* the merged segment on its own, opened like a reader would */
        ng_segment m;
        ng_buf p = NG_BUF_INIT;
        memset(&m, 0, sizeof m);
        m.meta = out;
        rc = ng_fmt__seg_path(&p, dir, out.id, NG_FK_TDI, 0) || ng_dict__open(&m.dict, p.ptr) ||
             ng_fmt__seg_path(&p, dir, out.id, NG_FK_PST, 0) || ng_fmt__open(&m.pst, p.ptr, NG_FK_PST) ||
             ng_fmt__seg_path(&p, dir, out.id, NG_FK_POS, 0) || ng_fmt__open(&m.pos, p.ptr, NG_FK_POS) ||
             ng_fmt__seg_path(&p, dir, out.id, NG_FK_LEN, 0) || ng_lens__open(&m.lens, p.ptr) ||
             ng_fmt__seg_path(&p, dir, out.id, NG_FK_DOC, 0) || ng_store__open(&m.store, p.ptr);
        EXPECT(rc == 0);
        if (!rc) {
            EXPECT(m.lens.n_docs == out.n_docs && m.store.n_docs == out.n_docs && m.dict.n_terms == out.n_terms);
            EXPECT(m.lens.total == out.live_tokens);
            check_contents(before, dels, remap, &m);
        }
        ng_dict__close(&m.dict);
        ng_fmt__close(&m.pst);
        ng_fmt__close(&m.pos);
        ng_lens__close(&m.lens);
        ng_store__close(&m.store);
        ng_buf_dispose(&p);
    }
    if (merged_out) *merged_out = out;
    if (!commit) goto out;
    NG_ASSERT_OK(commit_merged(dir, &out));
    NG_ASSERT_OK(ng_index_open(&after, dir));
    if (!after) goto out;
    CTX("after");
    EXPECT(after->n_segs == (out.n_docs ? 1u : 0u));
    EXPECT(after->n_live == before->n_live);
    EXPECT(ng_index_check(after) == NG_OK);
    ids_after = index_ids(after);
    rs = 99;
    for (q = 0; q < NQ; q++) {
        qres qa;
        size_t k;
        make_query(text, sizeof text, &rs);
        CTX("query [%s] after", text);
        EXPECT(run_query(&qa, after, (const char(*)[32])ids_after, text) == NG_OK);
        EXPECT(qa.total == qb[q].total && qa.n == qb[q].n);
        for (k = 0; k < qa.n && k < qb[q].n; k++) {
            EXPECT(strcmp(qa.ids[k], qb[q].ids[k]) == 0);
            EXPECT(qa.scores[k] == qb[q].scores[k]);
        }
        qres_free(&qa);
    }
out:
    for (i = 0; i < n; i++) {
        ng__free(remap[i]);
        free(oremap[i]);
    }
    if (qb)
        for (q = 0; q < NQ; q++) qres_free(&qb[q]);
    free(qb);
    free(ids_before);
    free(ids_after);
    free(remap);
    free(oremap);
    free(dels);
    ng_index_free(after);
    ng_index_free(before);
}

/* Live documents of the plan that contain word w (the lexicon's truth). */
static uint32_t plan_live_df(const plan *p, int w)
{
    uint32_t df = 0;
    int i, k;
    for (i = 0; i < p->n_ev; i++) {
        const event *e = &p->ev[i];
        if (e->op || !e->live) continue;
        for (k = 0; k < e->n && e->w[k] != w; k++) {}
        df += k < e->n;
    }
    return df;
}

/* Blocks of fewer than 128 documents that are not the last of their list,
** in segment s: only a merge that copied whole blocks makes them. */
static uint64_t short_inner_blocks(const ng_segment *s, uint64_t *long_lists)
{
    ng_dict_iter it;
    uint64_t n = 0;
    int rc = ng_dict__iter_seek(&it, &s->dict, "", 0);
    *long_lists = 0;
    while (rc == NG_OK && (rc = ng_dict__iter_next(&it)) == NG_OK) {
        ng_post_dec d;
        if (it.ti.pst_len == 0 || it.ti.df <= NG_FMT_BLOCK) continue;
        ++*long_lists;
        if (ng_seg__open_term(&d, s, &it.ti) != NG_OK) return UINT64_MAX;
        while (ng_post__dec_next_block(&d) == NG_OK) n += d.cur.n < NG_FMT_BLOCK && d.next_block < d.n_blocks;
    }
    return rc == NG_ITEROVER ? n : UINT64_MAX;
}

/* Inputs without deletions and with long lists: their full blocks are
** copied rather than decoded (FORMAT.md 4), which must change nothing a
** reader sees: every list, stored field and query result as before, and
** the index passes check.  Then the merged segment is merged again with
** new segments, once without deletions (its short blocks copied too),
** once with tombstones in it (its lists decoded, the others copied). */
static void test_merge_copied_blocks(void)
{
    plan p;
    const char *dir = sub("copied");
    ng_index *ix = NULL;
    ng_seg_meta out;
    uint64_t longs = 0, shorts;
    uint32_t i;
    plan_make(&p, 777, 3, 1500, 0);
    NG_ASSERT_OK(build(dir, &p, 64u << 20)); /* a segment a session */
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    CTX("setup");
    EXPECT(ix->n_segs == 3);
    for (i = 0; i < ix->n_segs; i++) EXPECT(ix->segs[i].meta.n_deleted == 0);
    EXPECT(short_inner_blocks(&ix->segs[0], &longs) == 0 && longs >= 10);
    ng_index_free(ix);
    merge_and_check(dir, NULL, 1, &out);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    shorts = short_inner_blocks(&ix->segs[0], &longs);
    CTX("merged: %llu short blocks inside %llu long lists", (unsigned long long)shorts, (unsigned long long)longs);
    EXPECT(shorts != UINT64_MAX && shorts >= 10);
    ng_index_free(ix);
    {
        /* again, the merged segment (short blocks inside its lists) among
           new ones with ids of their own: everything copied where it can
           be, short blocks included */
        plan p2;
        int e;
        plan_make(&p2, 778, 2, 1200, 0);
        for (e = 0; e < p2.n_ev; e++) p2.ev[e].id += 100000;
        NG_ASSERT_OK(build(dir, &p2, 64u << 20));
        merge_and_check(dir, NULL, 1, &out);
        NG_ASSERT_OK(ng_index_open(&ix, dir));
        if (ix) {
            uint64_t more = short_inner_blocks(&ix->segs[0], &longs);
            CTX("second merge: %llu short blocks", (unsigned long long)more);
            EXPECT(more != UINT64_MAX && more > shorts);
            ng_index_free(ix);
        }
        plan_free(&p2);
    }
    {
        /* and with deletions in the merged segment (ids of the first plan
           added again): its lists are decoded, the new segment's copied */
        plan p3;
        plan_make(&p3, 779, 1, 800, 0);
        NG_ASSERT_OK(build(dir, &p3, 64u << 20));
        NG_ASSERT_OK(ng_index_open(&ix, dir));
        if (ix) {
            CTX("third: tombstones in the merged segment");
            EXPECT(ix->n_segs == 2 && ix->segs[0].meta.n_deleted > 0);
            ng_index_free(ix);
        }
        merge_and_check(dir, NULL, 1, &out);
        plan_free(&p3);
    }
    plan_free(&p);
}

static void test_merge_oracle(void)
{
    plan p;
    const char *dir = sub("main");
    ng_index *ix = NULL;
    ng_seg_meta out;
    int k;
    plan_make(&p, 12345, 4, 700, 25);
    NG_ASSERT_OK(build(dir, &p, 78 << 10));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        uint32_t i, with_dels = 0;
        for (i = 0; i < ix->n_segs; i++) with_dels += ix->segs[i].meta.n_deleted > 0;
        CTX("setup");
        EXPECT(ix->n_segs >= 6); /* the test is about many segments ... */
        EXPECT(with_dels >= 3);  /* ... with tombstones */
    }
    ng_index_free(ix);
    merge_and_check(dir, NULL, 1, &out);
    /* marker words: exactly their planned live df in the merged index */
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    for (k = 0; k < NM; k++) {
        ng_term_info ti;
        CTX("marker %s", marker[k]);
        EXPECT(ng_dict__lookup(&ix->segs[0].dict, marker[k], strlen(marker[k]), &ti) == NG_OK);
        EXPECT(ti.df == marker_live[k] && ti.df == plan_live_df(&p, V + k));
    }
    CTX("ghost");
    {
        ng_term_info ti;
        EXPECT(ng_dict__lookup(&ix->segs[0].dict, GHOST, strlen(GHOST), &ti) == NG_ENOTFOUND);
    }
    for (k = 0; k < V; k++) {
        char lex[64];
        ng_term_info ti;
        uint32_t truth = plan_live_df(&p, k);
        snprintf(lex, sizeof lex, "%c%s", NG_NS_WORD, vocab[k]);
        CTX("lexicon %s", vocab[k]);
        if (ng_dict__lookup(&ix->segs[0].dict, lex, strlen(lex), &ti) == NG_OK) EXPECT(ti.df >= truth);
        else EXPECT(truth == 0);
    }
    ng_index_free(ix);
    plan_free(&p);
}

/* Without deletions, the lexicon's counts are exact sums. */
static void test_merge_no_deletions(void)
{
    plan p;
    const char *dir = sub("nodel");
    ng_index *ix = NULL, *m = NULL;
    int k;
    plan_make(&p, 777, 2, 500, 0);
    NG_ASSERT_OK(build(dir, &p, 68 << 10));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    merge_and_check(dir, NULL, 1, NULL);
    NG_ASSERT_OK(ng_index_open(&m, dir));
    if (ix && m) {
        for (k = 0; k < V; k++) {
            char lex[64];
            ng_term_info ti, tm;
            uint64_t df = 0, cf = 0;
            uint32_t i;
            snprintf(lex, sizeof lex, "%c%s", NG_NS_WORD, vocab[k]);
            for (i = 0; i < ix->n_segs; i++)
                if (ng_dict__lookup(&ix->segs[i].dict, lex, strlen(lex), &ti) == NG_OK) {
                    df += ti.df;
                    cf += ti.cf;
                }
            CTX("lexicon %s", vocab[k]);
            EXPECT(ng_dict__lookup(&m->segs[0].dict, lex, strlen(lex), &tm) == NG_OK);
            EXPECT(tm.df == df && tm.cf == cf && df == plan_live_df(&p, k));
        }
    }
    ng_index_free(ix);
    ng_index_free(m);
    plan_free(&p);
}

/* Extra tombstones handed to the merge: one segment wholly deleted. */
static void test_merge_whole_segment_deleted(void)
{
    plan p;
    const char *dir = sub("wholeseg");
    ng_index *ix = NULL;
    uint8_t **dels;
    uint32_t i;
    plan_make(&p, 4242, 1, 600, 10);
    NG_ASSERT_OK(build(dir, &p, 68 << 10));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    CTX("setup");
    EXPECT(ix->n_segs >= 3);
    dels = calloc(ix->n_segs, sizeof *dels);
    for (i = 0; i < ix->n_segs; i++) {
        size_t nb = ix->segs[i].meta.n_docs / 8 + 1;
        dels[i] = calloc(nb, 1);
        if (ix->segs[i].dels) memcpy(dels[i], ix->segs[i].dels, nb);
        if (i == 1) memset(dels[i], 0xff, nb);
    }
    merge_and_check(dir, (const uint8_t *const *)dels, 0, NULL);
    for (i = 0; i < ix->n_segs; i++) free(dels[i]);
    free(dels);
    ng_index_free(ix);
    plan_free(&p);
}

static int seg_files_exist(const char *dir, uint32_t id)
{
    ng_buf p = NG_BUF_INIT;
    int k, n = 0;
    struct stat st;
    for (k = 0; k < NG_FK_DEL; k++)
        if (ng_fmt__seg_path(&p, dir, id, (ng_fkind)k, 0) == NG_OK && stat(p.ptr, &st) == 0) n++;
    ng_buf_dispose(&p);
    return n;
}

/* Every document deleted: an empty but valid segment; single segment. */
static void test_merge_everything_deleted(void)
{
    plan p;
    const char *dir = sub("alldel");
    ng_index *ix = NULL;
    ng_seg_meta out;
    uint8_t **dels;
    uint32_t i, **remap;
    plan_make(&p, 31337, 1, 200, 0);
    NG_ASSERT_OK(build(dir, &p, 58 << 10));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    CTX("all deleted");
    EXPECT(ix->n_segs >= 2);
    /* sized by the index: the writer's flush points may change */
    dels = calloc(ix->n_segs, sizeof *dels);
    remap = calloc(ix->n_segs, sizeof *remap);
    for (i = 0; i < ix->n_segs; i++) {
        dels[i] = malloc(ix->segs[i].meta.n_docs / 8 + 1);
        memset(dels[i], 0xff, ix->segs[i].meta.n_docs / 8 + 1);
    }
    NG_ASSERT_OK(ng_merge__run(dir, ix->man.segs, (const uint8_t *const *)dels, ix->n_segs, 900, &out, remap, NULL));
    EXPECT(out.n_docs == 0 && out.n_terms == 0 && out.live_tokens == 0);
    EXPECT(seg_files_exist(dir, 900) == 5);
    for (i = 0; i < ix->n_segs; i++) {
        uint32_t d, bad = 0;
        for (d = 0; d < ix->segs[i].meta.n_docs; d++) bad += remap[i][d] != UINT32_MAX;
        EXPECT(bad == 0);
        ng__free(remap[i]);
    }
    {
        ng_dict dict;
        ng_store st;
        ng_lens l;
        ng_buf b = NG_BUF_INIT;
        EXPECT(!ng_fmt__seg_path(&b, dir, 900, NG_FK_TDI, 0) && !ng_dict__open(&dict, b.ptr) && dict.n_terms == 0);
        ng_dict__close(&dict);
        EXPECT(!ng_fmt__seg_path(&b, dir, 900, NG_FK_DOC, 0) && !ng_store__open(&st, b.ptr) && st.n_docs == 0);
        ng_store__close(&st);
        EXPECT(!ng_fmt__seg_path(&b, dir, 900, NG_FK_LEN, 0) && !ng_lens__open(&l, b.ptr) && l.n_docs == 0);
        ng_lens__close(&l);
        ng_buf_dispose(&b);
    }
    for (i = 0; i < ix->n_segs; i++) free(dels[i]);
    free(dels);
    free(remap);
    ng_index_free(ix);
    plan_free(&p);
}

/* One segment with deletions: a rewrite that purges them (and commits). */
static void test_merge_single_segment(void)
{
    plan p;
    const char *dir = sub("single");
    ng_index *ix = NULL;
    plan_make(&p, 5150, 2, 300, 30);
    NG_ASSERT_OK(build(dir, &p, 64 << 20)); /* one segment per session */
    /* first fold the two segments into one, then purge that one again */
    merge_and_check(dir, NULL, 1, NULL);
    {
        ng_writer *w = NULL;
        ng_writer_options o = NG_WRITER_OPTIONS_INIT;
        int i;
        o.language = "none";
        NG_ASSERT_OK(ng_writer_open(&w, dir, &o));
        for (i = 0; w && i < 40; i += 3) {
            char id[32];
            snprintf(id, sizeof id, "doc-%d", i);
            (void)ng_writer_delete(w, id, strlen(id));
        }
        if (w) NG_ASSERT_OK(ng_writer_commit(w));
        ng_writer_free(w);
    }
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        CTX("single setup");
        EXPECT(ix->n_segs == 1 && ix->segs[0].meta.n_deleted > 0);
    }
    ng_index_free(ix);
    merge_and_check(dir, NULL, 1, NULL);
    plan_free(&p);
}

/* Cancellation, bad arguments and a failure half-way leave no files. */
static void test_merge_failures(void)
{
    plan p;
    const char *dir = sub("fail");
    ng_index *ix = NULL;
    ng_seg_meta out;
    volatile int cancel = 1;
    plan_make(&p, 8080, 1, 300, 0);
    NG_ASSERT_OK(build(dir, &p, 68 << 10));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    CTX("cancel");
    EXPECT(ng_merge__run(dir, ix->man.segs, NULL, ix->n_segs, 500, &out, NULL, &cancel) == NG_EUSER);
    EXPECT(seg_files_exist(dir, 500) == 0);
    cancel = 0;
    CTX("bad arguments");
    EXPECT(ng_merge__run(dir, ix->man.segs, NULL, ix->n_segs, ix->man.segs[0].id, &out, NULL, NULL) == NG_EINVAL);
    EXPECT(ng_merge__run(dir, ix->man.segs, NULL, 0, 501, &out, NULL, NULL) == NG_EINVAL);
    {
        /* a manifest that lies about a segment's size */
        ng_seg_meta bad[2];
        bad[0] = ix->man.segs[0];
        bad[1] = ix->man.segs[1];
        bad[1].n_docs++;
        EXPECT(ng_merge__run(dir, bad, NULL, 2, 502, &out, NULL, NULL) == NG_ECORRUPT);
        EXPECT(seg_files_exist(dir, 502) == 0);
    }
    {
        /* a well-framed .pst with a damaged body: fails after the store is
           written; nothing of seg 503 may remain */
        ng_buf path = NG_BUF_INIT, copy = NG_BUF_INIT;
        ng_fwriter fw;
        uint8_t meta[8], junk[4096];
        uint32_t last = ix->n_segs - 1;
        char cmd[9000];
        size_t k;
        for (k = 0; k < sizeof junk; k++) junk[k] = (uint8_t)(k * 7 + 3);
        ng_fmt__seg_path(&path, dir, ix->man.segs[last].id, NG_FK_PST, 0);
        ng__buf_printf(&(int){0}, &copy, "%s.keep", path.ptr);
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path.ptr, copy.ptr);
        EXPECT(system(cmd) == 0);
        ng__set_u64(meta, ix->man.segs[last].n_terms);
        NG_ASSERT_OK(ng_fmt__fw_open(&fw, path.ptr, NG_FK_PST));
        NG_ASSERT_OK(ng_fmt__fw_write(&fw, junk, sizeof junk));
        NG_ASSERT_OK(ng_fmt__fw_finish(&fw, meta, sizeof meta));
        CTX("damaged input");
        EXPECT(ng_merge__run(dir, ix->man.segs, NULL, ix->n_segs, 503, &out, NULL, NULL) == NG_ECORRUPT);
        EXPECT(seg_files_exist(dir, 503) == 0);
        snprintf(cmd, sizeof cmd, "mv '%s' '%s'", copy.ptr, path.ptr);
        EXPECT(system(cmd) == 0);
        ng_buf_dispose(&path);
        ng_buf_dispose(&copy);
    }
    ng_index_free(ix);
    plan_free(&p);
}

/* ---------------------------------------------------------------- */
/* The document store: blocks copied whole, or decoded and re-added  */

/* A document as the test added it (the oracle of the stored fields). */
typedef struct sdoc {
    char *f[NG_FIELD_COUNT]; /* id, title, date, url, body; NULL = absent */
    size_t n[NG_FIELD_COUNT];
    int live;                /* the version that survives */
} sdoc;

typedef struct sdocs {
    sdoc *d;
    size_t n, cap;
} sdocs;

static void sdocs_free(sdocs *s)
{
    size_t i;
    int k;
    for (i = 0; i < s->n; i++)
        for (k = 0; k < NG_FIELD_COUNT; k++) free(s->d[i].f[k]);
    free(s->d);
    memset(s, 0, sizeof *s);
}

/* Text of about len bytes from a vocabulary of made-up words, so that it
** compresses like prose rather than like noise or like a repeated word. */
static char *make_text(uint64_t *rs, size_t len, size_t *n_out)
{
    static const char syl[][4] = {"ka", "ro", "mi", "sen", "tu", "va", "lor", "e", "pi", "dan", "gu", "hel"};
    char *t = malloc(len + 16);
    size_t n = 0;
    while (n < len) {
        unsigned w = (unsigned)(ng_test_rand(rs) % 400), k, syls = 1 + w % 3;
        for (k = 0; k < syls; k++) {
            const char *s = syl[(w / (k + 1) + k * 5) % NG_ARRAY_LEN(syl)];
            size_t sl = strlen(s);
            memcpy(t + n, s, sl);
            n += sl;
        }
        t[n++] = rndn(rs, 12) == 0 ? '\n' : ' ';
    }
    t[n] = '\0';
    *n_out = n;
    return t;
}

static char *dup_str(const char *s, size_t *n_out)
{
    *n_out = strlen(s);
    return strdup(s);
}

/* Add document number id (a new version if it exists) with a body of
** body_len bytes, recording it in the oracle. */
static int add_sdoc(ng_writer *w, sdocs *s, uint64_t *rs, int id, size_t body_len)
{
    char buf[64];
    sdoc *d;
    ng_document doc;
    size_t i;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->d = realloc(s->d, s->cap * sizeof *s->d);
    }
    d = &s->d[s->n++];
    memset(d, 0, sizeof *d);
    snprintf(buf, sizeof buf, "st-%05d", id);
    d->f[NG_FIELD_ID] = dup_str(buf, &d->n[NG_FIELD_ID]);
    if (rndn(rs, 5)) d->f[NG_FIELD_TITLE] = make_text(rs, 10 + rndn(rs, 60), &d->n[NG_FIELD_TITLE]);
    if (rndn(rs, 4)) {
        snprintf(buf, sizeof buf, "2022-%02u-%02u", 1 + rndn(rs, 12), 1 + rndn(rs, 28));
        d->f[NG_FIELD_DATE] = dup_str(buf, &d->n[NG_FIELD_DATE]);
    }
    if (id % 3) {
        snprintf(buf, sizeof buf, "https://news.example/%d/%u", id, rndn(rs, 100000));
        d->f[NG_FIELD_URL] = dup_str(buf, &d->n[NG_FIELD_URL]);
    }
    d->f[NG_FIELD_BODY] = make_text(rs, body_len, &d->n[NG_FIELD_BODY]);
    d->live = 1;
    /* an older version of the id is replaced */
    for (i = 0; i + 1 < s->n; i++)
        if (!strcmp(s->d[i].f[NG_FIELD_ID], d->f[NG_FIELD_ID])) s->d[i].live = 0;
    memset(&doc, 0, sizeof doc);
    doc.id = d->f[NG_FIELD_ID];
    doc.id_len = d->n[NG_FIELD_ID];
    doc.title = d->f[NG_FIELD_TITLE];
    doc.title_len = d->n[NG_FIELD_TITLE];
    doc.date = d->f[NG_FIELD_DATE];
    doc.date_len = d->n[NG_FIELD_DATE];
    doc.url = d->f[NG_FIELD_URL];
    doc.url_len = d->n[NG_FIELD_URL];
    doc.body = d->f[NG_FIELD_BODY];
    doc.body_len = d->n[NG_FIELD_BODY];
    return ng_writer_add(w, &doc);
}

static int del_sdoc(ng_writer *w, sdocs *s, int id)
{
    char buf[32];
    size_t i;
    snprintf(buf, sizeof buf, "st-%05d", id);
    for (i = 0; i < s->n; i++)
        if (!strcmp(s->d[i].f[NG_FIELD_ID], buf)) s->d[i].live = 0;
    return ng_writer_delete(w, buf, strlen(buf));
}

#define BIG_DOC (3 * NG_FMT_STORE_BLOCK + 1234) /* a body bigger than a block */

/* Three sessions (three segments) of documents of 300..6300 bytes, with
** documents bigger than a block in the first two; with_dels: a fourth
** session deletes a few documents of the first two segments (some of a
** block, not all), replaces two (one of them the big one) and adds more. */
static int build_store_index(const char *dir, sdocs *s, int with_dels)
{
    ng_writer_options o = NG_WRITER_OPTIONS_INIT;
    ng_writer *w = NULL;
    uint64_t rs = 2024;
    int sess, i, id = 0, rc = NG_OK;
    o.language = "none";
    o.memory_limit = 64u << 20; /* one segment per session */
    o.no_merge = 1;
    for (sess = 0; sess < 3 + with_dels && !rc; sess++) {
        if ((rc = ng_writer_open(&w, dir, &o)) != NG_OK) break;
        for (i = 0; i < 120 && !rc; i++, id++)
            /* 168 is big too, so its block ends with it: 169 and 170 share the next one */
            rc = add_sdoc(w, s, &rs, id, (id == 20 || id == 168 || id == 170) ? BIG_DOC : 300 + rndn(&rs, 6000));
        if (sess == 3) {
            /* ids 10..29 share the first blocks of segment 0: delete some */
            static const int gone[] = {10, 11, 13, 17, 26, 150, 151, 169, 229};
            size_t k;
            for (k = 0; k < NG_ARRAY_LEN(gone) && !rc; k++) rc = del_sdoc(w, s, gone[k]);
            if (!rc) rc = add_sdoc(w, s, &rs, 20, 500); /* replaces the big one */
            if (!rc) rc = add_sdoc(w, s, &rs, 205, BIG_DOC);
        }
        if (!rc) rc = ng_writer_commit(w);
        ng_writer_free(w);
        w = NULL;
    }
    if (rc) fprintf(stderr, "\n  build_store_index: %s", ng_error_last()->message);
    return rc;
}

static int open_seg_store(ng_store *st, const char *dir, uint32_t id)
{
    ng_buf p = NG_BUF_INIT;
    int rc = ng_fmt__seg_path(&p, dir, id, NG_FK_DOC, 0);
    if (!rc) rc = ng_store__open(st, p.ptr);
    ng_buf_dispose(&p);
    return rc;
}

/* Every document of the merged store equals the oracle's live ones, in
** order; every live id finds its document. */
static void check_store_oracle(const ng_store *m, const sdocs *s)
{
    ng_buf scratch = NG_BUF_INIT;
    uint32_t k = 0, got;
    size_t i;
    for (i = 0; i < s->n; i++) {
        const sdoc *d = &s->d[i];
        ng_field_ref f[NG_FIELD_COUNT];
        int j, rc;
        if (!d->live) continue;
        CTX("merged doc %u (%s)", k, d->f[NG_FIELD_ID]);
        rc = ng_store__get(m, k, &scratch, f);
        EXPECT(rc == NG_OK);
        for (j = 0; !rc && j < NG_FIELD_COUNT; j++)
            EXPECT(f[j].n == d->n[j] && (!d->n[j] || !memcmp(f[j].p, d->f[j], d->n[j])));
        EXPECT(ng_store__find(m, d->f[NG_FIELD_ID], d->n[NG_FIELD_ID], &got) == NG_OK && got == k);
        k++;
    }
    CTX("merged store size");
    EXPECT(m->n_docs == k);
    ng_buf_dispose(&scratch);
}

/* Merge every segment of dir with its tombstones and check the store
** against the oracle; *copied_out counts the input blocks that appear
** in the output byte for byte (copied raw), *eligible_out those that
** should: all live and at least half a block. */
static void merge_store_and_check(const char *dir, const sdocs *s, uint32_t *copied_out, uint32_t *eligible_out,
                                  uint32_t *mixed_out)
{
    ng_index *ix = NULL;
    ng_seg_meta out;
    ng_store m;
    uint32_t **remap, i, b, n;
    const uint8_t **dels;
    *copied_out = *eligible_out = *mixed_out = 0;
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    n = ix->n_segs;
    remap = calloc(n, sizeof *remap);
    dels = calloc(n, sizeof *dels);
    for (i = 0; i < n; i++) dels[i] = ix->segs[i].dels;
    CTX("store merge");
    NG_ASSERT_OK(ng_merge__run(dir, ix->man.segs, dels, n, ix->man.next_seg_id, &out, remap, NULL));
    if (remap[0] && open_seg_store(&m, dir, out.id) == NG_OK) {
        check_store_oracle(&m, s);
        for (i = 0; i < n; i++) {
            const ng_store *st = &ix->segs[i].store;
            for (b = 0; b < st->n_blocks; b++) {
                ng_store_block sb, mb;
                uint32_t j, live = 0, mbi;
                NG_ASSERT_OK(ng_store__block_info(st, b, &sb));
                for (j = 0; j < sb.n_docs; j++) live += remap[i][sb.first + j] != UINT32_MAX;
                *mixed_out += live && live < sb.n_docs;
                if (live < sb.n_docs || sb.rlen < NG_FMT_STORE_BLOCK / 2) continue;
                ++*eligible_out;
                /* the output block holding its first document (table scan) */
                for (mbi = 0; mbi < m.n_blocks; mbi++) {
                    if (ng_store__block_info(&m, mbi, &mb) != NG_OK) break;
                    if (mb.first == remap[i][sb.first]) {
                        *copied_out += mb.n_docs == sb.n_docs && mb.clen == sb.clen && mb.rlen == sb.rlen &&
                                       !memcmp(mb.comp, sb.comp, sb.clen);
                        break;
                    }
                }
            }
        }
        ng_store__close(&m);
    }
    NG_ASSERT_OK(commit_merged(dir, &out));
    ng_index_free(ix);
    ix = NULL;
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        CTX("check after the store merge");
        EXPECT(ix->n_segs == 1);
        EXPECT(ng_index_check(ix) == NG_OK);
    }
    for (i = 0; i < n; i++) ng__free(remap[i]);
    free(remap);
    free(dels);
    ng_index_free(ix);
}

/* 1 if document id of dir's segment 1 lies in a block of which some but
** not all documents are deleted (so the merge re-adds it record by record). */
static int big_in_mixed_block(const char *dir, const char *id)
{
    ng_index *ix = NULL;
    uint32_t doc, b, j, dead = 0;
    int ret = -1;
    if (ng_index_open(&ix, dir) || ix->n_segs < 2) goto out;
    {
        const ng_segment *s = &ix->segs[1];
        if (!s->dels || ng_store__find(&s->store, id, strlen(id), &doc)) goto out;
        for (b = 0; b < s->store.n_blocks; b++) {
            ng_store_block blk;
            if (ng_store__block_info(&s->store, b, &blk)) goto out;
            if (doc < blk.first || doc >= blk.first + blk.n_docs) continue;
            for (j = 0; j < blk.n_docs; j++) dead += (s->dels[(blk.first + j) >> 3] >> ((blk.first + j) & 7)) & 1;
            ret = dead > 0 && dead < blk.n_docs;
        }
    }
out:
    ng_index_free(ix);
    return ret;
}

static void test_merge_store_no_deletions(void)
{
    sdocs s = {NULL, 0, 0};
    const char *dir = sub("store-nodel");
    uint32_t copied, eligible, mixed;
    NG_ASSERT_OK(build_store_index(dir, &s, 0));
    merge_store_and_check(dir, &s, &copied, &eligible, &mixed);
    CTX("raw copies: %u of %u", copied, eligible);
    if (getenv("NG_TEST_DEBUG")) fprintf(stderr, "\n  %s", g_ctx);
    EXPECT(eligible >= 15 && mixed == 0);
    EXPECT(copied == eligible); /* every full block went through unchanged */
    sdocs_free(&s);
}

static void test_merge_store_deletions(void)
{
    sdocs s = {NULL, 0, 0};
    const char *dir = sub("store-del");
    uint32_t copied, eligible, mixed;
    NG_ASSERT_OK(build_store_index(dir, &s, 1));
    CTX("setup: the big document 170 shares its block with deleted 169");
    EXPECT(big_in_mixed_block(dir, "st-00170") == 1);
    merge_store_and_check(dir, &s, &copied, &eligible, &mixed);
    CTX("raw copies: %u of %u, %u blocks partly deleted", copied, eligible, mixed);
    if (getenv("NG_TEST_DEBUG")) fprintf(stderr, "\n  %s", g_ctx);
    EXPECT(mixed >= 2);    /* blocks with some documents deleted (re-added) */
    EXPECT(eligible >= 10 && copied == eligible);
    /* and once more: the merged segment, now with its own deletions */
    {
        ng_writer_options o = NG_WRITER_OPTIONS_INIT;
        ng_writer *w = NULL;
        int id;
        o.language = "none";
        o.no_merge = 1;
        NG_ASSERT_OK(ng_writer_open(&w, dir, &o));
        for (id = 41; w && id < 300; id += 37) NG_ASSERT_OK(del_sdoc(w, &s, id));
        if (w) NG_ASSERT_OK(ng_writer_commit(w));
        ng_writer_free(w);
    }
    merge_store_and_check(dir, &s, &copied, &eligible, &mixed);
    CTX("second merge: raw copies: %u of %u, %u blocks partly deleted", copied, eligible, mixed);
    if (getenv("NG_TEST_DEBUG")) fprintf(stderr, "\n  %s", g_ctx);
    EXPECT(mixed >= 3 && copied == eligible);
    sdocs_free(&s);
}

/* Flip one byte of file path at offset off. */
static int flip_byte(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    int c, rc = -1;
    if (!f) return -1;
    if (fseek(f, off, SEEK_SET) == 0 && (c = fgetc(f)) != EOF && fseek(f, off, SEEK_SET) == 0 &&
        fputc(c ^ 0x5a, f) != EOF)
        rc = 0;
    return fclose(f) || rc ? -1 : 0;
}

/* A damaged block of an input fails the merge with the error a read of
** that block gives (the input's file CRC fails, and then each block copied
** is checked), and leaves no file of the new segment; so does a damaged
** block table entry.  Damage in a block whose documents are all deleted
** does not fail it. */
static void test_merge_store_damaged(void)
{
    sdocs s = {NULL, 0, 0};
    const char *dir = sub("store-bad");
    ng_manifest man;
    ng_store st;
    ng_store_block blk;
    ng_buf path = NG_BUF_INIT, scratch = NG_BUF_INIT;
    ng_seg_meta out;
    ng_field_ref f[NG_FIELD_COUNT];
    char want[160], cmd[9000];
    int where;
    NG_ASSERT_OK(build_store_index(dir, &s, 0));
    NG_ASSERT_OK(ng_manifest__read(&man, dir));
    if (man.n_segs < 3) {
        CU_FAIL("setup: three segments");
        return;
    }
    ng_fmt__seg_path(&path, dir, man.segs[1].id, NG_FK_DOC, 0);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s.keep'", path.ptr, path.ptr);
    EXPECT(system(cmd) == 0);
    for (where = 0; where < 2; where++) {
        long off;
        int rc;
        /* block 2 of segment 1: whole and live, so it would be copied raw */
        NG_ASSERT_OK(ng_store__open(&st, path.ptr));
        NG_ASSERT_OK(ng_store__block_info(&st, 2, &blk));
        CTX("damage %d: setup", where);
        EXPECT(blk.rlen >= NG_FMT_STORE_BLOCK / 2);
        /* 0: inside its zlib stream; 1: its table entry's clen */
        off = where == 0 ? (long)(NG_FMT_HEADER_SIZE + (blk.comp - st.f.body) + blk.clen / 2)
                         : (long)(NG_FMT_HEADER_SIZE + (st.table - st.f.body) + 2 * NG_STORE_TABLE_ENTRY + 13);
        ng_store__close(&st);
        NG_ASSERT_OK(flip_byte(path.ptr, off));
        /* what a read of a document of that block says */
        NG_ASSERT_OK(ng_store__open(&st, path.ptr));
        rc = ng_store__get(&st, blk.first + 1, &scratch, f);
        snprintf(want, sizeof want, "%.150s", ng_error_last()->message);
        ng_store__close(&st);
        CTX("damage %d: read gives %d (%s)", where, rc, want);
        EXPECT(rc == NG_ECORRUPT);
        rc = ng_merge__run(dir, man.segs, NULL, man.n_segs, 700 + (uint32_t)where, &out, NULL, NULL);
        CTX("damage %d: merge gives %d (%.150s), read %s", where, rc, ng_error_last()->message, want);
        EXPECT(rc == NG_ECORRUPT);
        /* the file CRC fails, so the blocks are checked one by one: the
           damaged one fails as its read does */
        EXPECT(strstr(ng_error_last()->message, want) != NULL);
        EXPECT(seg_files_exist(dir, 700 + (uint32_t)where) == 0);
        snprintf(cmd, sizeof cmd, "cp '%s.keep' '%s'", path.ptr, path.ptr);
        EXPECT(system(cmd) == 0);
    }
    {
        /* damage in a block whose documents are all deleted: the merge
           drops the block, so the damage cannot fail it */
        const uint8_t *dels[16];
        uint8_t *bits;
        uint32_t d, k;
        long off;
        NG_ASSERT_OK(ng_store__open(&st, path.ptr));
        NG_ASSERT_OK(ng_store__block_info(&st, 2, &blk));
        off = (long)(NG_FMT_HEADER_SIZE + (blk.comp - st.f.body) + blk.clen / 2);
        ng_store__close(&st);
        NG_ASSERT_OK(flip_byte(path.ptr, off));
        bits = calloc(man.segs[1].n_docs / 8 + 1, 1);
        for (d = blk.first; d < blk.first + blk.n_docs; d++) bits[d >> 3] |= (uint8_t)(1u << (d & 7));
        for (k = 0; k < man.n_segs && k < 16; k++) dels[k] = k == 1 ? bits : NULL;
        CTX("damage in a dead block");
        NG_ASSERT_OK(ng_merge__run(dir, man.segs, dels, man.n_segs, 705, &out, NULL, NULL));
        EXPECT(out.n_docs == s.n - blk.n_docs);
        free(bits);
        snprintf(cmd, sizeof cmd, "cp '%s.keep' '%s'", path.ptr, path.ptr);
        EXPECT(system(cmd) == 0);
    }
    /* the undamaged inputs merge fine */
    CTX("restored");
    NG_ASSERT_OK(ng_merge__run(dir, man.segs, NULL, man.n_segs, 710, &out, NULL, NULL));
    EXPECT(out.n_docs == s.n);
    ng_manifest__free(&man);
    ng_buf_dispose(&path);
    ng_buf_dispose(&scratch);
    sdocs_free(&s);
}

/* ---------------------------------------------------------------- */
/* Policy                                                            */

static ng_seg_meta segm(uint32_t id, uint32_t docs, uint32_t deleted)
{
    ng_seg_meta s;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.n_docs = docs;
    s.n_deleted = deleted;
    s.live_tokens = (uint64_t)(docs - deleted) * 100;
    return s;
}

static int picked(const uint32_t *pick, uint32_t n_pick, uint32_t first, uint32_t count)
{
    uint32_t i;
    if (n_pick != count) return 0;
    for (i = 0; i < n_pick; i++)
        if (pick[i] != first + i) return 0;
    return 1;
}

static void test_policy_hand(void)
{
    ng_seg_meta s[32];
    uint32_t pick[32], np, i;
    ng_merge_policy pol = NG_MERGE_POLICY_INIT;
    /* 9 small segments: not yet a full tier */
    for (i = 0; i < 9; i++) s[i] = segm(i + 1, 300, 0);
    CTX("9 small");
    NG_ASSERT_OK(ng_merge__pick(s, 9, NULL, pick, &np));
    EXPECT(np == 0);
    /* the tenth: all ten */
    s[9] = segm(10, 800, 0);
    CTX("10 small");
    NG_ASSERT_OK(ng_merge__pick(s, 10, NULL, pick, &np));
    EXPECT(picked(pick, np, 0, 10));
    /* big old segments in front: the tail of ten tier-0 ones, [2, 12) */
    s[0] = segm(1, 50000, 0);
    s[1] = segm(2, 5000, 0);
    for (i = 2; i < 12; i++) s[i] = segm(i + 1, 500, 0);
    CTX("tail");
    NG_ASSERT_OK(ng_merge__pick(s, 12, &pol, pick, &np));
    EXPECT(picked(pick, np, 2, 10));
    /* a tier-1 segment between two runs of five tier-0 ones: the tier-0
       segments on either side are not dragged into a tier-1 merge */
    for (i = 0; i < 11; i++) s[i] = segm(i + 1, 100, 0);
    s[5] = segm(6, 50000, 0);
    CTX("barrier");
    NG_ASSERT_OK(ng_merge__pick(s, 11, &pol, pick, &np));
    EXPECT(np == 0);
    /* five more flushes: the ten after it */
    for (i = 11; i < 16; i++) s[i] = segm(i + 1, 100, 0);
    NG_ASSERT_OK(ng_merge__pick(s, 16, &pol, pick, &np));
    EXPECT(picked(pick, np, 6, 10));
    /* ... unless that is bigger than max_merged */
    pol.max_merged = 9999;
    NG_ASSERT_OK(ng_merge__pick(s, 16, &pol, pick, &np));
    EXPECT(np == 0);
    pol.max_merged = 0;
    /* fillers: a shrunk segment between tier-1 ones is merged with them */
    for (i = 0; i < 10; i++) s[i] = segm(i + 1, 20000, 0);
    s[5] = segm(6, 20000, 19500);
    CTX("filler");
    NG_ASSERT_OK(ng_merge__pick(s, 10, &pol, pick, &np));
    EXPECT(picked(pick, np, 0, 10));
    /* nine tier-0 between two tier-1: both windows cost 20000 + 9*1000; the
       first wins */
    for (i = 0; i < 11; i++) s[i] = segm(i + 1, 700, 0);
    s[0] = segm(1, 20000, 0);
    s[10] = segm(11, 20000, 0);
    NG_ASSERT_OK(ng_merge__pick(s, 11, &pol, pick, &np));
    EXPECT(picked(pick, np, 0, 10));
    /* eleven equal: the window holding the segment with 50% deleted wins
       ([1,11): 9*1000 + 1000/2 < [0,10): 10*1000) */
    for (i = 0; i < 11; i++) s[i] = segm(i + 1, 1000, 0);
    s[10] = segm(11, 1000, 500);
    CTX("deleted preference");
    NG_ASSERT_OK(ng_merge__pick(s, 11, &pol, pick, &np));
    EXPECT(picked(pick, np, 1, 10));
    /* no tier is full: the segment with 30% deleted, with its smaller
       right neighbour; the tier-2 one on its left stays */
    s[0] = segm(1, 100000, 0);
    s[1] = segm(2, 10000, 3000);
    s[2] = segm(3, 2000, 0);
    CTX("deletions pass");
    NG_ASSERT_OK(ng_merge__pick(s, 3, &pol, pick, &np));
    EXPECT(picked(pick, np, 1, 2));
    /* exactly 20% is not more than 20%; 21% alone is a lone rewrite */
    s[0] = segm(1, 100, 20);
    NG_ASSERT_OK(ng_merge__pick(s, 1, &pol, pick, &np));
    EXPECT(np == 0);
    s[0] = segm(1, 100, 21);
    NG_ASSERT_OK(ng_merge__pick(s, 1, &pol, pick, &np));
    EXPECT(picked(pick, np, 0, 1));
    /* factor 3, by tokens: tiers of 500000-token floors */
    pol.factor = 3;
    pol.by_tokens = 1;
    s[0] = segm(1, 40000, 0); /* 4M tokens: 8 floors, tier 1 */
    s[1] = segm(2, 1000, 0);  /* 100k tokens: floor, tier 0 */
    s[2] = segm(3, 10, 0);
    s[3] = segm(4, 6000, 0);  /* 600k: tier 0 */
    CTX("factor 3 by tokens");
    NG_ASSERT_OK(ng_merge__pick(s, 4, &pol, pick, &np));
    EXPECT(picked(pick, np, 1, 3));
    pol.factor = 1;
    EXPECT(ng_merge__pick(s, 4, &pol, pick, &np) == NG_EINVAL);
    /* optimize */
    CTX("pick_all");
    ng_merge__pick_all(s, 0, pick, &np);
    EXPECT(np == 0);
    s[0] = segm(1, 10, 0);
    ng_merge__pick_all(s, 1, pick, &np);
    EXPECT(np == 0);
    s[0] = segm(1, 10, 1);
    ng_merge__pick_all(s, 1, pick, &np);
    EXPECT(picked(pick, np, 0, 1));
    ng_merge__pick_all(s, 4, pick, &np);
    EXPECT(picked(pick, np, 0, 4));
}

static void test_policy_apply_and_carry(void)
{
    ng_seg_meta s[6], m = segm(99, 7, 0);
    uint32_t n = 6, i, pick[3] = {1, 2, 3}, bad[2] = {1, 3}, *remap[2], nd;
    uint8_t d0[1] = {0x05}, d1[1] = {0x02}, bits[2] = {0, 0};
    const uint8_t *now[2] = {d0, d1};
    uint32_t r0[4] = {0, UINT32_MAX, 1, 2}, r1[3] = {3, 4, UINT32_MAX};
    for (i = 0; i < 6; i++) s[i] = segm(i + 1, 10, 0);
    CTX("apply");
    EXPECT(ng_merge__apply(s, &n, bad, 2, &m) == NG_EINVAL);
    NG_ASSERT_OK(ng_merge__apply(s, &n, pick, 3, &m));
    EXPECT(n == 4 && s[0].id == 1 && s[1].id == 99 && s[2].id == 5 && s[3].id == 6);
    m.n_docs = 0; /* an empty result just disappears */
    pick[0] = 0;
    pick[1] = 1;
    NG_ASSERT_OK(ng_merge__apply(s, &n, pick, 2, &m));
    EXPECT(n == 2 && s[0].id == 5 && s[1].id == 6);
    /* carry: seg 0 docs 0 and 2 deleted meanwhile (doc 1 was already
       dropped), seg 1 doc 1: new docs 0, 1, 4 */
    remap[0] = r0;
    remap[1] = r1;
    s[0] = segm(1, 4, 0);
    s[1] = segm(2, 3, 0);
    CTX("carry");
    ng_merge__carry_deletes(bits, 5, &nd, s, now, remap, 2);
    EXPECT(nd == 3 && bits[0] == 0x13 && bits[1] == 0);
}

/* A long indexing run: flush segments of 500..1500 documents and apply
** every merge the policy asks for, with or without deletions in older
** segments.  Invariants: picks are adjacent runs inside the list; document
** order is kept; the segment count stays small; without deletions no
** document is rewritten more than log_factor(N / floor) + 1 times; with
** them, the documents written by merges stay a small multiple of those
** flushed (write amplification). */
typedef struct sim_stats {
    uint32_t max_segs, max_rewrites;
    uint64_t flushed, merged;
    int bad;
} sim_stats;

static void simulate(sim_stats *st, int flushes, int with_deletions)
{
    enum { MAXS = 512 };
    ng_seg_meta s[MAXS];
    uint32_t rewrites[MAXS], first_doc[MAXS], pick[MAXS], np, n = 0, i, next_id = 1;
    uint64_t rs = 7;
    ng_merge_policy pol = NG_MERGE_POLICY_INIT;
    int f;
    memset(st, 0, sizeof *st);
    for (f = 0; f < flushes && !st->bad; f++) {
        uint32_t size = 500 + rndn(&rs, 1000);
        s[n] = segm(next_id++, size, 0);
        rewrites[n] = 0;
        first_doc[n] = (uint32_t)st->flushed;
        st->flushed += size;
        n++;
        if (with_deletions && f % 7 == 0) {
            uint32_t k = rndn(&rs, n);
            s[k].n_deleted += (s[k].n_docs - s[k].n_deleted) / 10;
            s[k].live_tokens = (uint64_t)(s[k].n_docs - s[k].n_deleted) * 100;
        }
        for (;;) {
            ng_seg_meta m;
            uint32_t k, rw = 0;
            if (ng_merge__pick(s, n, &pol, pick, &np) != NG_OK) { st->bad = 1; break; }
            if (np == 0) break;
            for (k = 0; k < np; k++)
                if (pick[k] != pick[0] + k || pick[k] >= n) st->bad = 1;
            if (st->bad) break;
            m = segm(next_id++, 0, 0);
            for (k = 0; k < np; k++) {
                m.n_docs += s[pick[k]].n_docs - s[pick[k]].n_deleted;
                if (rewrites[pick[k]] > rw) rw = rewrites[pick[k]];
            }
            m.live_tokens = (uint64_t)m.n_docs * 100;
            st->merged += m.n_docs;
            /* the side arrays follow: the run collapses to its first */
            rewrites[pick[0]] = rw + 1;
            memmove(rewrites + pick[0] + 1, rewrites + pick[0] + np, (n - pick[0] - np) * sizeof *rewrites);
            memmove(first_doc + pick[0] + 1, first_doc + pick[0] + np, (n - pick[0] - np) * sizeof *first_doc);
            if (ng_merge__apply(s, &n, pick, np, &m) != NG_OK) { st->bad = 1; break; }
            if (rw + 1 > st->max_rewrites) st->max_rewrites = rw + 1;
        }
        if (n > st->max_segs) st->max_segs = n;
        if (n >= MAXS - 1) st->bad = 1;
        for (i = 1; i < n; i++)
            if (first_doc[i] <= first_doc[i - 1]) st->bad = 1; /* order kept */
    }
}

static void test_policy_simulation(void)
{
    sim_stats st;
    /* 3000 flushes of ~1000 documents: 3M documents, floor 1000, factor
       10: tiers 0..3, so at most 9 segments per tier plus the new flush */
    simulate(&st, 3000, 0);
    CTX("no deletions: %u segments at most, %u rewrites at most", st.max_segs, st.max_rewrites);
    EXPECT(!st.bad);
    EXPECT(st.max_segs <= 4 * 9 + 1);
    EXPECT(st.max_rewrites <= (uint32_t)ceil(log((double)st.flushed / 1000) / log(10)) + 1);
    if (getenv("NG_TEST_DEBUG")) fprintf(stderr, "\n  %s; %llu merged / %llu flushed", g_ctx,
                                         (unsigned long long)st.merged, (unsigned long long)st.flushed);
    simulate(&st, 3000, 1);
    CTX("deletions: %u segments, %llu merged / %llu flushed", st.max_segs, (unsigned long long)st.merged,
        (unsigned long long)st.flushed);
    EXPECT(!st.bad);
    EXPECT(st.max_segs <= 4 * 9 + 1 + 10);
    EXPECT(st.merged <= 6 * st.flushed);
    if (getenv("NG_TEST_DEBUG")) fprintf(stderr, "\n  %s", g_ctx);
}

/* ---------------------------------------------------------------- */

static CU_TestInfo tests[] = {
    {"oracle: many segments, deletions, replacements; search identical", test_merge_oracle},
    {"no deletions: lexicon counts are exact", test_merge_no_deletions},
    {"a wholly deleted segment among the inputs", test_merge_whole_segment_deleted},
    {"every document deleted: empty valid segment", test_merge_everything_deleted},
    {"single segment rewrite purges deletions", test_merge_single_segment},
    {"cancel, bad arguments, damaged input leave no files", test_merge_failures},
    {"store: no deletions, every full block copied raw", test_merge_store_no_deletions},
    {"store: deletions, big documents, partly deleted blocks", test_merge_store_deletions},
    {"store: a damaged input block fails the merge as a read", test_merge_store_damaged},
    {"inputs without deletions: whole postings blocks copied, nothing changed", test_merge_copied_blocks},
    {"policy: hand-computed picks", test_policy_hand},
    {"policy: apply and carry deletions", test_policy_apply_and_carry},
    {"policy: simulated indexing run", test_policy_simulation},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"merge", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};
