/*
** storeq.c -- the document store on its own thread (index.h).
**
** Compressing the stored fields (zlib, docstore.c) costs about as much as
** inverting them, and both must happen in document order.  So the writer's
** thread inverts, and hands each document's fields, with the buffer that
** holds them (the analysis slot's, swapped for a spare one: no copy), to a
** ring of slots read by this thread, which calls ng_store__enc_add() in
** the same order.  The writer waits for the queue to empty (sync)
** before it finishes a segment's store or starts the next one.
**
** With no thread (one analysis thread in all), push stores at once.
*/
#include <pthread.h>

#include "index/index.h"

#define STOREQ_SLOTS 256 /* room for a burst of short documents */
#define STOREQ_KEEP ((size_t)64 << 10) /* larger slot buffers are freed after use: 256 slots */

typedef struct sq_slot {
    ng_store_enc *enc; /* where the document goes */
    ng_document doc;   /* fields point into text */
    ng_buf text;
} sq_slot;

struct ng_storeq {
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* a slot was pushed or popped, or stop */
    pthread_t tid;
    int threaded, stop;
    sq_slot slots[STOREQ_SLOTS];
    uint64_t head, tail;    /* pushed, stored */
    int rc;                 /* first failure, with its message in err */
    ng_buf err;
};

static void fail(ng_storeq *q, int rc)
{
    if (q->rc) return;
    q->rc = rc;
    ng__err_save(&q->err);
}

static void *sq_main(void *arg)
{
    ng_storeq *q = arg;
    ng__thread_name("ng-store");
    pthread_mutex_lock(&q->mu);
    for (;;) {
        sq_slot *s;
        int rc;
        while (!q->stop && q->tail == q->head) pthread_cond_wait(&q->cv, &q->mu);
        if (q->tail == q->head) break; /* stop, and nothing left */
        s = &q->slots[q->tail % STOREQ_SLOTS];
        pthread_mutex_unlock(&q->mu);
        rc = q->rc ? NG_OK : ng_store__enc_add(s->enc, &s->doc);
        if (s->text.asize > STOREQ_KEEP) ng_buf_dispose(&s->text);
        pthread_mutex_lock(&q->mu);
        if (rc) fail(q, rc);
        q->tail++;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int ng_storeq__new(ng_storeq **out, int threaded)
{
    ng_storeq *q = ng__calloc(1, sizeof *q);
    *out = NULL;
    if (!q) return ng__oom();
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    if (threaded) {
        if (pthread_create(&q->tid, NULL, sq_main, q) != 0) {
            ng_storeq__free(q);
            return ng__err(NG_ERROR, "cannot start the store thread");
        }
        q->threaded = 1;
    }
    *out = q;
    return NG_OK;
}

void ng_storeq__free(ng_storeq *q)
{
    size_t i;
    if (!q) return;
    if (q->threaded) {
        pthread_mutex_lock(&q->mu);
        q->stop = 1;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
        pthread_join(q->tid, NULL);
    }
    for (i = 0; i < STOREQ_SLOTS; i++) ng_buf_dispose(&q->slots[i].text);
    ng_buf_dispose(&q->err);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    ng__free(q);
}

static int report(ng_storeq *q)
{
    return q->rc ? ng__err_carry(q->rc, &q->err, "document store failed") : NG_OK;
}

/* Slot s takes doc and the buffer its fields point into; *text gets the
** slot's old buffer. */
static void take_doc(sq_slot *s, const ng_document *d, ng_buf *text)
{
    ng_buf spare = s->text;
    s->text = *text;
    *text = spare;
    ng__buf_clear(text);
    s->doc = *d;
}

int ng_storeq__push(ng_storeq *q, ng_store_enc *enc, const ng_document *doc, ng_buf *text)
{
    sq_slot *s;
    int rc;
    if (!q->threaded) {
        rc = ng_store__enc_add(enc, doc);
        return rc;
    }
    pthread_mutex_lock(&q->mu);
    while (q->head - q->tail == STOREQ_SLOTS && !q->rc) pthread_cond_wait(&q->cv, &q->mu);
    rc = report(q);
    pthread_mutex_unlock(&q->mu);
    if (rc) return rc;
    /* the slot at head is ours until head moves: the thread reads only
       slots below head */
    s = &q->slots[q->head % STOREQ_SLOTS];
    take_doc(s, doc, text);
    s->enc = enc;
    pthread_mutex_lock(&q->mu);
    q->head++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return NG_OK;
}

int ng_storeq__sync(ng_storeq *q)
{
    int rc;
    if (!q->threaded) return NG_OK;
    pthread_mutex_lock(&q->mu);
    while (q->tail != q->head) pthread_cond_wait(&q->cv, &q->mu);
    rc = report(q);
    pthread_mutex_unlock(&q->mu);
    return rc;
}
