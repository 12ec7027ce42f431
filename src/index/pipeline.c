/*
** pipeline.c -- analysis on several threads, inversion on one (index.h).
**
** A ring of slots holds the documents between ng_writer_add() and their
** inversion.  Slot states move FREE -> QUEUED (filled by the writer's
** thread) -> BUSY (taken by an analysing thread) -> DONE (token list
** ready) -> FREE (replayed by the writer's thread, in ring order).  Only
** the writer's thread fills and releases slots; analysing threads only
** take QUEUED slots in order and mark them DONE, so one mutex and two
** condition variables are enough.
**
** Each analysing thread has its own analyzer (Snowball stemmers keep
** state) and writes only into its slot's buffers, which are reused from
** document to document: after the first documents nothing is allocated
** per token.
**
** The analysis also does the per-token half of the inversion, so that the
** one inverting thread works per distinct term, not per token: each term
** occurrence is looked up in the slot's own small hash table (dedup), which
** gives the document's distinct terms in order of first occurrence with
** their occurrences chained in token order; at the end they are encoded as
** the memtable will store them (vint tf, position deltas).
*/
#include <pthread.h>
#include <stdlib.h>

#include "index/index.h"

enum { SLOT_FREE = 0, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

/* Slots in flight per analysing thread.  The writer's thread inverts them
** strictly in order, so one slow document holds up the ones behind it: with
** 4 slots a thread both cores sat idle a fifth of the time, with 32 the
** bursts even out (two years of the bench corpus, -j2: 0.88 of the wall
** time, peak RSS +24 MB). */
#define SLOTS_PER_THREAD 32
/* A slot keeps buffers up to this size from document to document (a
** typical article needs about 60 KB); larger ones are freed after use, so
** that each slot does not end up holding the largest document it saw. */
#define SLOT_KEEP_BYTES ((size_t)256 << 10)

typedef struct worker {
    ng_pipe *p;
    ng_analyzer *an;
    pthread_t tid;
    int started;
} worker;

struct ng_pipe {
    pthread_mutex_t mu;
    pthread_cond_t queued_cv; /* a slot became QUEUED, or stop */
    pthread_cond_t done_cv;   /* a slot became DONE */
    ng_job *ring;
    size_t n_slots;
    uint64_t head;            /* sequence number of the next slot to fill */
    uint64_t next;            /* next QUEUED slot to hand out */
    uint64_t tail;            /* next slot to release */
    int stop;
    ng_analyzer *own;         /* the caller's analyzer */
    worker *workers;
    unsigned n_workers;
};

/* ------------------------------------------------------------------ */
/* Analysis of one job                                                 */
/* ------------------------------------------------------------------ */

typedef struct an_ctx {
    ng_job *job;
    ng_analyzer *an;
    int in_title; /* also record the title-namespace term */
} an_ctx;

#define DEDUP_MIN_SLOTS 1024 /* power of two */

/* Find the rec of the term at j->terms.ptr + off (len bytes, hash h). */
static uint32_t *dedup_find(ng_job *j, const char *term, size_t len, uint32_t h)
{
    size_t mask = j->dedup_slots - 1, k = h & mask;
    for (; j->dedup[k]; k = (k + 1) & mask) {
        const ng_termrec *r = &j->recs[j->dedup[k] - 1];
        if (r->hash == h && r->len == len && ng_mt__same(j->terms.ptr + r->off, term, len)) break;
    }
    return &j->dedup[k];
}

/* Keep the dedup table under half full for one more rec. */
static int dedup_room(ng_job *j)
{
    size_t n = j->dedup_slots ? j->dedup_slots : DEDUP_MIN_SLOTS, i;
    uint32_t *d;
    if (j->dedup_slots && (j->n_recs + 1) * 2 <= j->dedup_slots) return NG_OK;
    while ((j->n_recs + 1) * 2 > n) n *= 2;
    if (!(d = ng__calloc(n, sizeof *d))) return ng__oom();
    for (i = 0; i < j->n_recs; i++) {
        size_t k = j->recs[i].hash & (n - 1);
        while (d[k]) k = (k + 1) & (n - 1);
        d[k] = (uint32_t)i + 1;
        j->links[i].slot = (uint32_t)k;
    }
    ng__free(j->dedup);
    j->dedup = d;
    j->dedup_slots = n;
    return NG_OK;
}

/* A new rec for the term just appended at j->terms.ptr + off. */
static int new_rec(ng_job *j, uint32_t *entry, size_t off, size_t len, uint32_t h, uint32_t *index)
{
    const uint32_t *table = j->dedup;
    ng_termrec *r;
    int rc;
    if (j->n_recs == j->recs_cap && (rc = NG_GROW(j->recs, j->recs_cap, j->n_recs + 1)) != NG_OK) return rc;
    if (j->n_recs == j->links_cap && (rc = NG_GROW(j->links, j->links_cap, j->n_recs + 1)) != NG_OK) return rc;
    if ((rc = dedup_room(j)) != NG_OK) return rc;
    /* a rebuilt table moved the free entry: find it again */
    if (j->dedup != table) entry = dedup_find(j, j->terms.ptr + off, len, h);
    *index = (uint32_t)j->n_recs;
    *entry = *index + 1;
    r = &j->recs[j->n_recs];
    r->hash = h;
    r->off = (uint32_t)off;
    r->len = (uint32_t)len;
    r->tf = 0;
    r->post_off = r->post_len = 0;
    memset(&j->links[j->n_recs], 0, sizeof *j->links);
    j->links[j->n_recs].slot = (uint32_t)(entry - j->dedup);
    j->n_recs++;
    return NG_OK;
}

/* The rec of term ns+term, created if new: its index in *idx. */
static int term_rec(ng_job *j, char ns, const char *term, size_t len, uint32_t *idx)
{
    size_t need = len + (ns ? 1 : 0), off;
    uint32_t h, *entry;
    int rc = NG_OK;
    /* as writer.c always did: a namespaced term keeps at most 2x the cut */
    if (ns && len > 2 * NG_MAX_TERM_BYTES) {
        len = 2 * NG_MAX_TERM_BYTES;
        need = len + 1;
    }
    if (j->terms.asize - j->terms.size < need + 1 && (rc = ng__buf_grow(&j->terms, need)) != NG_OK) return rc;
    if (!j->dedup_slots && (rc = dedup_room(j)) != NG_OK) return rc;
    /* append the term bytes; dropped again if the term is already known */
    off = j->terms.size;
    if (ns) j->terms.ptr[off] = ns;
    memcpy(j->terms.ptr + off + (ns ? 1 : 0), term, len);
    h = ng_mt__hash(j->terms.ptr + off, need);
    entry = dedup_find(j, j->terms.ptr + off, need, h);
    if (*entry) {
        *idx = *entry - 1;
        return NG_OK;
    }
    j->terms.size += need;
    return new_rec(j, entry, off, need, h, idx);
}

/* One occurrence at pos of the positional term of rec idx: counted, and
** chained to its earlier occurrences. */
static int add_occ(ng_job *j, uint32_t idx, uint32_t pos)
{
    ng_reclink *l;
    int rc;
    if (j->n_occ == j->occ_cap && (rc = NG_GROW(j->occ, j->occ_cap, j->n_occ + 1)) != NG_OK) return rc;
    j->recs[idx].tf++;
    j->occ[j->n_occ].pos = pos;
    j->occ[j->n_occ].next = 0;
    l = &j->links[idx];
    if (l->last) j->occ[l->last - 1].next = (uint32_t)j->n_occ + 1;
    else l->first = (uint32_t)j->n_occ + 1;
    l->last = (uint32_t)j->n_occ + 1;
    j->n_occ++;
    return NG_OK;
}

/* One occurrence at pos of the term of *memo (rec index + 1), looked up
** and remembered in *memo the first time.  memo points into links[], which
** term_rec may move: it is passed as an index. */
static int add_memo(ng_job *j, uint32_t word, int which, char ns, const char *term, size_t len, uint32_t pos)
{
    uint32_t idx;
    int rc;
    if (j->links[word].memo[which]) return add_occ(j, j->links[word].memo[which] - 1, pos);
    if ((rc = term_rec(j, ns, term, len, &idx)) != NG_OK) return rc;
    j->links[word].memo[which] = idx + 1;
    return add_occ(j, idx, pos);
}

/* Encode every positional rec's memtable bytes: vint tf, then its
** positions as deltas (the first + 1), walking its chain of occurrences. */
static int encode_recs(ng_job *j)
{
    size_t i, o;
    uint8_t *out;
    int rc;
    /* a vint of 32 bits takes at most 5 bytes */
    if ((rc = ng__buf_grow(&j->post, 5 * (j->n_occ + j->n_recs) + 1)) != NG_OK) return rc;
    out = (uint8_t *)j->post.ptr;
    o = j->post.size;
    for (i = 0; i < j->n_recs; i++) {
        ng_termrec *r = &j->recs[i];
        uint32_t k = j->links[i].first, prev = UINT32_MAX;
        r->post_off = (uint32_t)o;
        if (!k) continue; /* lexicon term */
        o += ng_mt__vint(out + o, r->tf);
        for (; k; k = j->occ[k - 1].next) {
            uint32_t pos = j->occ[k - 1].pos;
            o += ng_mt__vint(out + o, prev == UINT32_MAX ? (uint64_t)pos + 1 : pos - prev);
            prev = pos;
        }
        r->post_len = (uint32_t)(o - r->post_off);
    }
    j->post.size = o;
    return NG_OK;
}

/* Forget the previous document's terms: clear only the entries it used. */
static void reset_terms(ng_job *j)
{
    size_t i;
    for (i = 0; i < j->n_recs; i++) j->dedup[j->links[i].slot] = 0;
    j->n_recs = 0;
    j->n_occ = 0;
    ng__buf_clear(&j->terms);
    ng__buf_clear(&j->post);
}

/* Every token is indexed as its stem, plus: the stem again in the title
** namespace when in the title (title: queries, title weighting), the name
** key of a capitalised word (spelling variants of names), and its
** unstemmed word in the lexicon (prefix, fuzzy, suggestions).
**
** The stem and the name key are functions of the word, so the word's rec
** remembers the recs they gave (memo): a word seen before in the document
** costs one lookup, not four, and is neither stemmed nor keyed again (the
** tokens come unstemmed, ng__analyze_words). */
static int on_token(void *payload, const ng_token *t)
{
    an_ctx *c = payload;
    ng_job *j = c->job;
    char key[2 * NG_MAX_TERM_BYTES + 1];
    const char *term = NULL;
    size_t klen, tlen = 0;
    uint32_t w;
    int rc = term_rec(j, NG_NS_WORD, t->word, t->word_len, &w);
    if (rc) return rc;
    j->recs[w].tf++; /* lexicon: counted, no positions */
    if ((!j->links[w].memo[MEMO_STEM] || (c->in_title && !j->links[w].memo[MEMO_TITLE])) &&
        !(term = ng__token_term(c->an, t, &tlen)))
        return NG_ENOMEM;
    if ((rc = add_memo(j, w, MEMO_STEM, 0, term, tlen, t->pos)) != NG_OK) return rc;
    if (c->in_title && (rc = add_memo(j, w, MEMO_TITLE, NG_NS_TITLE, term, tlen, t->pos)) != NG_OK)
        return rc;
    if (!(t->flags & NG_TOK_CAPITALIZED) || j->links[w].memo[MEMO_NAME] == NO_NAME_KEY) return NG_OK;
    if (j->links[w].memo[MEMO_NAME]) return add_occ(j, j->links[w].memo[MEMO_NAME] - 1, t->pos);
    if ((klen = ng__name_key(t->word, t->word_len, key, sizeof key)) == 0) {
        j->links[w].memo[MEMO_NAME] = NO_NAME_KEY;
        return NG_OK;
    }
    return add_memo(j, w, MEMO_NAME, NG_NS_NAME, key, klen, t->pos);
}

static void analyse(ng_analyzer *an, ng_job *j)
{
    an_ctx c;
    uint32_t nt = 0, nb = 0;
    int rc;
    reset_terms(j);
    j->doclen = 0;
    j->rc = NG_OK;
    if (j->op != NG_JOB_ADD) return;
    c.job = j;
    c.an = an;
    c.in_title = 1;
    rc = ng__analyze_words(an, j->doc.title, j->doc.title_len, 0, on_token, &c, &nt);
    c.in_title = 0;
    /* a one-position gap keeps phrases from spanning title and body */
    if (!rc) rc = ng__analyze_words(an, j->doc.body, j->doc.body_len, nt ? nt + 1 : 0, on_token, &c, &nb);
    j->doclen = nt + nb;
    if (!rc) rc = encode_recs(j);
    if (rc) {
        /* the message lives in this thread's error slot: carry it over */
        j->rc = rc < 0 ? rc : NG_ERROR;
        ng__err_save(&j->err);
    }
}

int ng_pipe__fill(ng_job *j, const ng_document *doc)
{
    const char *src[NG_FIELD_COUNT] = {doc->id, doc->title, doc->date, doc->url, doc->body};
    size_t len[NG_FIELD_COUNT] = {doc->id_len, doc->title_len, doc->date_len, doc->url_len, doc->body_len};
    size_t off[NG_FIELD_COUNT], i;
    int rc = NG_OK;
    ng__buf_clear(&j->text);
    for (i = 0; i < NG_FIELD_COUNT; i++) {
        if (!src[i]) len[i] = 0;
        else if (len[i] == (size_t)-1) len[i] = strlen(src[i]);
        off[i] = j->text.size;
        if (len[i]) ng__buf_put(&rc, &j->text, src[i], len[i]);
        ng__buf_putc(&rc, &j->text, 0); /* NUL after each field */
    }
    if (rc) return rc;
    j->op = NG_JOB_ADD;
    j->doc.id = j->text.ptr + off[0];     j->doc.id_len = len[0];
    j->doc.title = j->text.ptr + off[1];  j->doc.title_len = len[1];
    j->doc.date = j->text.ptr + off[2];   j->doc.date_len = len[2];
    j->doc.url = j->text.ptr + off[3];    j->doc.url_len = len[3];
    j->doc.body = j->text.ptr + off[4];   j->doc.body_len = len[4];
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* The ring                                                            */
/* ------------------------------------------------------------------ */

static ng_job *slot_of(ng_pipe *p, uint64_t seq) { return &p->ring[seq % p->n_slots]; }

/* Under the mutex: take the next QUEUED slot, if any. */
static ng_job *take_queued(ng_pipe *p)
{
    ng_job *j;
    if (p->next == p->head) return NULL;
    j = slot_of(p, p->next++);
    j->state = SLOT_BUSY;
    return j;
}

static void *worker_main(void *arg)
{
    worker *wk = arg;
    ng_pipe *p = wk->p;
    ng__thread_name("ng-analyse");
    pthread_mutex_lock(&p->mu);
    for (;;) {
        ng_job *j;
        while (!p->stop && p->next == p->head) pthread_cond_wait(&p->queued_cv, &p->mu);
        if (p->stop) break;
        j = take_queued(p);
        pthread_mutex_unlock(&p->mu);
        analyse(wk->an, j);
        pthread_mutex_lock(&p->mu);
        j->state = SLOT_DONE;
        pthread_cond_broadcast(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int ng_pipe__new(ng_pipe **out, const char *lang, unsigned threads)
{
    ng_pipe *p;
    unsigned i;
    int rc;
    *out = NULL;
    if (threads < 1) threads = 1;
    if (!(p = ng__calloc(1, sizeof *p))) return ng__oom();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->queued_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    p->n_slots = (size_t)SLOTS_PER_THREAD * threads;
    if (!(p->ring = ng__calloc(p->n_slots, sizeof *p->ring))) goto oom;
    if ((rc = ng_analyzer__new(&p->own, lang)) != NG_OK) goto fail;
    if (threads > 1 && !(p->workers = ng__calloc(threads - 1, sizeof *p->workers))) goto oom;
    for (i = 0; i + 1 < threads; i++) {
        worker *wk = &p->workers[i];
        wk->p = p;
        if ((rc = ng_analyzer__new(&wk->an, lang)) != NG_OK) goto fail;
        p->n_workers++;
        if (pthread_create(&wk->tid, NULL, worker_main, wk) != 0) {
            rc = ng__err(NG_ERROR, "cannot start an analysis thread");
            goto fail;
        }
        wk->started = 1;
    }
    *out = p;
    return NG_OK;
oom:
    rc = ng__oom();
fail:
    ng_pipe__free(p);
    return rc;
}

void ng_pipe__free(ng_pipe *p)
{
    size_t i;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->queued_cv);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->n_workers; i++) {
        if (p->workers[i].started) pthread_join(p->workers[i].tid, NULL);
        ng_analyzer__free(p->workers[i].an);
    }
    for (i = 0; p->ring && i < p->n_slots; i++) {
        ng_buf_dispose(&p->ring[i].text);
        ng_buf_dispose(&p->ring[i].terms);
        ng_buf_dispose(&p->ring[i].post);
        ng_buf_dispose(&p->ring[i].err);
        ng__free(p->ring[i].recs);
        ng__free(p->ring[i].links);
        ng__free(p->ring[i].occ);
        ng__free(p->ring[i].dedup);
    }
    ng_analyzer__free(p->own);
    ng__free(p->workers);
    ng__free(p->ring);
    pthread_cond_destroy(&p->queued_cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    ng__free(p);
}

size_t ng_pipe__pending(const ng_pipe *p) { return (size_t)(p->head - p->tail); }

ng_job *ng_pipe__slot(ng_pipe *p)
{
    ng_job *j;
    if (p->head - p->tail == p->n_slots) return NULL;
    j = slot_of(p, p->head);
    j->origin = 0;
    j->rc = NG_OK;
    return j;
}

void ng_pipe__submit(ng_pipe *p)
{
    ng_job *j = slot_of(p, p->head);
    if (p->n_workers == 0) {
        /* one thread: analyse now, no locking */
        analyse(p->own, j);
        j->state = SLOT_DONE;
        p->head++;
        p->next = p->head;
        return;
    }
    pthread_mutex_lock(&p->mu);
    j->state = SLOT_QUEUED;
    p->head++;
    pthread_cond_signal(&p->queued_cv);
    pthread_mutex_unlock(&p->mu);
}

ng_job *ng_pipe__done(ng_pipe *p, int wait)
{
    ng_job *j;
    if (p->tail == p->head) return NULL;
    j = slot_of(p, p->tail);
    if (p->n_workers == 0) return j;
    pthread_mutex_lock(&p->mu);
    while (j->state != SLOT_DONE && wait) {
        ng_job *mine = take_queued(p);
        if (!mine) {
            pthread_cond_wait(&p->done_cv, &p->mu);
            continue;
        }
        /* rather than sleep, analyse a queued document ourselves */
        pthread_mutex_unlock(&p->mu);
        analyse(p->own, mine);
        pthread_mutex_lock(&p->mu);
        mine->state = SLOT_DONE;
    }
    if (j->state != SLOT_DONE) j = NULL;
    pthread_mutex_unlock(&p->mu);
    return j;
}

void ng_pipe__release(ng_pipe *p)
{
    ng_job *j = slot_of(p, p->tail);
    /* a huge document must not pin its buffers for the rest of the run */
    if (j->text.asize > SLOT_KEEP_BYTES) ng_buf_dispose(&j->text);
    if (j->terms.asize + j->post.asize + j->occ_cap * sizeof *j->occ +
            j->recs_cap * (sizeof *j->recs + sizeof *j->links) + j->dedup_slots * sizeof *j->dedup > SLOT_KEEP_BYTES) {
        reset_terms(j);
        ng_buf_dispose(&j->terms);
        ng_buf_dispose(&j->post);
        ng__free(j->recs);
        ng__free(j->links);
        ng__free(j->occ);
        ng__free(j->dedup);
        j->recs = NULL;
        j->links = NULL;
        j->occ = NULL;
        j->dedup = NULL;
        j->recs_cap = j->links_cap = j->occ_cap = j->dedup_slots = 0;
    }
    j->state = SLOT_FREE;
    p->tail++;
}
