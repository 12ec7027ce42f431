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
** state) and vocabulary, and writes only into its slot's buffers, which
** are reused from document to document: after the first documents nothing
** is allocated per token.
**
** The analysis also does the per-token half of the inversion, so that the
** one inverting thread works per distinct term, not per token: each token
** is looked up in the thread's vocabulary (vocab.c), whose entries know
** their rec in the current document; this gives the document's distinct
** terms in order of first occurrence with their occurrences chained in
** token order; at the end they are encoded as the memtable will store them
** (vint tf, position deltas).
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
    ng_vocab *vc;
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
    ng_vocab *own_vc;         /* and vocabulary */
    worker *workers;
    unsigned n_workers;
};

/* ------------------------------------------------------------------ */
/* Analysis of one job                                                 */
/* ------------------------------------------------------------------ */

/* Tokens wait in batches of BATCH, their table slots and then their
** vocabulary entries asked for ahead (AHEAD tokens), so that the cache
** misses of a batch overlap: the vocabulary is larger than a core's L2
** cache, and the lookups of rare words missed it three times each. */
#define BATCH 32
#define AHEAD 8

typedef struct pending {
    uint32_t hash;  /* of its lexicon term */
    uint32_t pos;
    uint8_t len;
    uint8_t flags;
    char word[NG_MAX_TERM_BYTES];
} pending;

typedef struct an_ctx {
    ng_job *job;
    ng_analyzer *an;
    ng_vocab *vc;
    int in_title;   /* also record the title-namespace term */
    size_t n_batch;
    pending batch[BATCH];
} an_ctx;

/* The rec of vocabulary entry e in this document, made at its first
** occurrence: so recs come in order of first occurrence. */
static int rec_of(an_ctx *c, uint32_t e, uint32_t *idx)
{
    ng_job *j = c->job;
    ng_vocab_ent *x = ng_vocab__ent(c->vc, e);
    ng_termrec *r;
    int rc = NG_OK;
    if (x->stamp == c->vc->stamp) { /* met already in this document */
        *idx = x->rec;
        return NG_OK;
    }
    if (j->n_recs == j->recs_cap && (rc = NG_GROW(j->recs, j->recs_cap, j->n_recs + 1)) != NG_OK) return rc;
    if (j->n_recs == j->links_cap && (rc = NG_GROW(j->links, j->links_cap, j->n_recs + 1)) != NG_OK) return rc;
    r = &j->recs[j->n_recs];
    r->hash = x->hash;
    r->off = (uint32_t)j->terms.size;
    r->len = x->len;
    r->tf = 0;
    r->post_off = r->post_len = 0;
    ng__buf_put(&rc, &j->terms, ng_vocab__bytes(c->vc, x), x->len);
    if (rc) return rc;
    j->links[j->n_recs].first = j->links[j->n_recs].last = 0;
    x->stamp = c->vc->stamp;
    x->rec = (uint32_t)j->n_recs;
    *idx = (uint32_t)j->n_recs++;
    return NG_OK;
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

/* One occurrence at pos of the term of vocabulary entry e. */
static int occur(an_ctx *c, uint32_t e, uint32_t pos)
{
    uint32_t idx;
    int rc = rec_of(c, e, &idx);
    return rc ? rc : add_occ(c->job, idx, pos);
}

/* The entry of the indexed term of token t, whose word is entry w.  A
** word's stem is made once and remembered; a number is its own term, and
** is looked up as such so that what the stemmer would make of the same
** bytes never matters. */
static int stem_entry(an_ctx *c, const pending *t, uint32_t w, uint32_t *s)
{
    ng_token tok;
    const char *term;
    size_t len;
    int rc;
    if (t->flags & NG_TOK_NUMBER) return ng_vocab__find(c->vc, 0, t->word, t->len, ng_vocab__hash(0, t->word, t->len), s);
    if (ng_vocab__ent(c->vc, w)->stem) {
        *s = ng_vocab__ent(c->vc, w)->stem - 1;
        return NG_OK;
    }
    memset(&tok, 0, sizeof tok);
    tok.word = t->word;
    tok.word_len = t->len;
    tok.flags = t->flags;
    if (!(term = ng__token_term(c->an, &tok, &len))) return NG_ENOMEM;
    if ((rc = ng_vocab__find(c->vc, 0, term, len, ng_vocab__hash(0, term, len), s)) != NG_OK) return rc;
    ng_vocab__ent(c->vc, w)->stem = *s + 1;
    return NG_OK;
}

/* The entry of the title term of stem entry s, remembered in s. */
static int title_entry(an_ctx *c, uint32_t s, uint32_t *e)
{
    char stem[NG_MAX_TERM_BYTES * 2];
    const ng_vocab_ent *x = ng_vocab__ent(c->vc, s);
    size_t len = x->len;
    int rc;
    if (x->stem) {
        *e = x->stem - 1;
        return NG_OK;
    }
    /* a copy: the find may move the bytes; as writer.c always did, a
    ** namespaced term keeps at most 2x the cut */
    if (len > sizeof stem) len = sizeof stem;
    memcpy(stem, ng_vocab__bytes(c->vc, x), len);
    if ((rc = ng_vocab__find(c->vc, NG_NS_TITLE, stem, len, ng_vocab__hash(NG_NS_TITLE, stem, len), e)) != NG_OK)
        return rc;
    ng_vocab__ent(c->vc, s)->stem = *e + 1;
    return NG_OK;
}

/* The entry of the name key of word entry w (word bytes word[0..len)), or
** NG_VOCAB_NONE; made once and remembered in w. */
static int name_entry(an_ctx *c, const char *word, size_t len, uint32_t w, uint32_t *e)
{
    char key[2 * NG_MAX_TERM_BYTES + 1];
    uint32_t known = ng_vocab__ent(c->vc, w)->name;
    size_t klen;
    int rc;
    if (known) {
        *e = known == NG_VOCAB_NONE ? NG_VOCAB_NONE : known - 1;
        return NG_OK;
    }
    if ((klen = ng__name_key(word, len, key, sizeof key)) == 0) {
        ng_vocab__ent(c->vc, w)->name = *e = NG_VOCAB_NONE;
        return NG_OK;
    }
    if (klen > 2 * NG_MAX_TERM_BYTES) klen = 2 * NG_MAX_TERM_BYTES;
    if ((rc = ng_vocab__find(c->vc, NG_NS_NAME, key, klen, ng_vocab__hash(NG_NS_NAME, key, klen), e)) != NG_OK)
        return rc;
    ng_vocab__ent(c->vc, w)->name = *e + 1;
    return NG_OK;
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

/* Forget the previous document's terms. */
static void reset_terms(ng_job *j)
{
    j->n_recs = 0;
    j->n_occ = 0;
    ng__buf_clear(&j->terms);
    ng__buf_clear(&j->post);
}

/* Every token is indexed as its stem, plus: the stem again in the title
** namespace when in the title (title: queries, title weighting), the name
** key of a capitalised word (spelling variants of names), and its
** unstemmed word in the lexicon (prefix, fuzzy, suggestions).  The tokens
** come unstemmed (ng__analyze_words): the vocabulary stems and keys a
** word the first time the thread meets it. */
static int add_token(an_ctx *c, const pending *t)
{
    uint32_t w, e, idx;
    int rc;
    if ((rc = ng_vocab__find(c->vc, NG_NS_WORD, t->word, t->len, t->hash, &w)) != NG_OK) return rc;
    if ((rc = rec_of(c, w, &idx)) != NG_OK) return rc;
    c->job->recs[idx].tf++; /* lexicon: counted, no positions */
    if ((rc = stem_entry(c, t, w, &e)) != NG_OK || (rc = occur(c, e, t->pos)) != NG_OK) return rc;
    if (c->in_title && ((rc = title_entry(c, e, &e)) != NG_OK || (rc = occur(c, e, t->pos)) != NG_OK))
        return rc;
    if (!(t->flags & NG_TOK_CAPITALIZED)) return NG_OK;
    if ((rc = name_entry(c, t->word, t->len, w, &e)) != NG_OK) return rc;
    return e == NG_VOCAB_NONE ? NG_OK : occur(c, e, t->pos);
}

/* Add the batch's tokens, in order. */
static int run_batch(an_ctx *c)
{
    size_t i, n = c->n_batch;
    int rc;
    c->n_batch = 0;
    for (i = 0; i < n; i++) ng_vocab__prefetch_ent(c->vc, c->batch[i].hash);
    for (i = 0; i < n; i++) {
        if (i + AHEAD < n) ng_vocab__prefetch_stem(c->vc, c->batch[i + AHEAD].hash);
        if ((rc = add_token(c, &c->batch[i])) != NG_OK) return rc;
    }
    return NG_OK;
}

static int on_token(void *payload, const ng_token *t)
{
    an_ctx *c = payload;
    pending *p = &c->batch[c->n_batch++];
    memcpy(p->word, t->word, t->word_len);
    p->len = (uint8_t)t->word_len;
    p->flags = (uint8_t)t->flags;
    p->pos = t->pos;
    p->hash = ng_vocab__hash(NG_NS_WORD, t->word, t->word_len);
    ng_vocab__prefetch_slot(c->vc, p->hash);
    return c->n_batch == BATCH ? run_batch(c) : NG_OK;
}

static void analyse(ng_analyzer *an, ng_vocab *vc, ng_job *j)
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
    c.vc = vc;
    ng_vocab__doc_start(vc);
    c.n_batch = 0;
    c.in_title = 1;
    rc = ng__analyze_words(an, j->doc.title, j->doc.title_len, 0, on_token, &c, &nt);
    if (!rc) rc = run_batch(&c);
    c.in_title = 0;
    /* a one-position gap keeps phrases from spanning title and body */
    if (!rc) rc = ng__analyze_words(an, j->doc.body, j->doc.body_len, nt ? nt + 1 : 0, on_token, &c, &nb);
    if (!rc) rc = run_batch(&c);
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
        analyse(wk->an, wk->vc, j);
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
    if ((rc = ng_analyzer__new(&p->own, lang)) != NG_OK || (rc = ng_vocab__new(&p->own_vc)) != NG_OK)
        goto fail;
    ng_analyzer__no_stem_cache(p->own);
    if (threads > 1 && !(p->workers = ng__calloc(threads - 1, sizeof *p->workers))) goto oom;
    for (i = 0; i + 1 < threads; i++) {
        worker *wk = &p->workers[i];
        wk->p = p;
        if ((rc = ng_analyzer__new(&wk->an, lang)) != NG_OK || (rc = ng_vocab__new(&wk->vc)) != NG_OK) {
            ng_analyzer__free(wk->an);
            goto fail;
        }
        ng_analyzer__no_stem_cache(wk->an);
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
        ng_vocab__free(p->workers[i].vc);
    }
    for (i = 0; p->ring && i < p->n_slots; i++) {
        ng_buf_dispose(&p->ring[i].text);
        ng_buf_dispose(&p->ring[i].terms);
        ng_buf_dispose(&p->ring[i].post);
        ng_buf_dispose(&p->ring[i].err);
        ng__free(p->ring[i].recs);
        ng__free(p->ring[i].links);
        ng__free(p->ring[i].occ);
    }
    ng_analyzer__free(p->own);
    ng_vocab__free(p->own_vc);
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
        analyse(p->own, p->own_vc, j);
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
        analyse(p->own, p->own_vc, mine);
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
            j->recs_cap * (sizeof *j->recs + sizeof *j->links) > SLOT_KEEP_BYTES) {
        reset_terms(j);
        ng_buf_dispose(&j->terms);
        ng_buf_dispose(&j->post);
        ng__free(j->recs);
        ng__free(j->links);
        ng__free(j->occ);
        j->recs = NULL;
        j->links = NULL;
        j->occ = NULL;
        j->recs_cap = j->links_cap = j->occ_cap = 0;
    }
    j->state = SLOT_FREE;
    p->tail++;
}
