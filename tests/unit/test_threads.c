/*
** test_threads.c -- the library from several threads (public API only).
**
** 1. Eight threads search one open ng_index at the same time, each running
**    every query of a list many times in its own order, with snippets and
**    stored fields; every answer must equal the single-threaded answer
**    computed first (the oracle), to the last bit of the score.  The
**    threads search an index opened apart from the oracle's and never
**    searched before, so that they race on its first reads (the checksums
**    each file remembers, the dictionary's verified blocks).
** 2. One thread indexes with an ng_writer and commits batch after batch
**    while another opens snapshots and searches them: each snapshot must be
**    one whole generation -- its batches a prefix 1..m of the committed
**    ones, each batch complete -- and pass ng_index_check().
** tests/tsan.sh runs this program under ThreadSanitizer.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <newsgrep.h>

#include "ng_test.h"

#ifndef NG_CORPUS_DIR
#define NG_CORPUS_DIR "corpus"
#endif

#define N_THREADS 8
#define ROUNDS 6

static const char *const queries[] = {
    "troops", "Lavrov troops", "Putin OR Orban", "Putin -Orban", "\"secretary of state\"", "(Blinken OR Price) Lavrov",
    "the", "peace talks", "border NOT zebra", "\"the border\"", "grain OR port OR sanctions", "minister summit",
    "nothingmatchesthis", "war", "\"peace talks resumed\"",
};
#define N_QUERIES (sizeof queries / sizeof queries[0])

/* One query's answer: top hits, total, and a digest of snippet and title. */
typedef struct answer {
    size_t n;
    ng_hit hits[10];
    uint64_t total;
    uint64_t digest;
    int rc;
} answer;

static ng_index *g_ix;
static ng_index *g_fresh; /* opened after the oracle, searched only by the threads */
static answer g_expected[N_QUERIES];

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void run_query(answer *a, ng_index *ix, const char *text)
{
    ng_query *q = NULL;
    ng_results *r = NULL;
    size_t i;
    memset(a, 0, sizeof *a);
    a->digest = 0xcbf29ce484222325ull;
    if ((a->rc = ng_query_parse(&q, ix, text, strlen(text))) != NG_OK) return;
    if ((a->rc = ng_search(&r, ix, q, NULL)) == NG_OK) {
        a->n = ng_results_count(r);
        a->total = ng_results_total(r);
        for (i = 0; i < a->n && i < 10; i++) {
            ng_buf text_out = NG_BUF_INIT, title = NG_BUF_INIT;
            ng_range *ranges = NULL;
            size_t nr = 0;
            if (ng_results_hit(&a->hits[i], r, i) != NG_OK) a->rc = NG_ERROR;
            if (i < 3) { /* snippets and stored fields read the store concurrently */
                if (ng_snippet(&text_out, &ranges, &nr, ix, q, a->hits[i].docnum, NULL) == NG_OK)
                    a->digest = mix(mix(a->digest, text_out.ptr, text_out.size), ranges, nr * sizeof *ranges);
                if (ng_index_document(&title, ix, a->hits[i].docnum, NG_FIELD_TITLE) == NG_OK)
                    a->digest = mix(a->digest, title.ptr, title.size);
            }
            ng_buf_dispose(&text_out);
            ng_buf_dispose(&title);
            ng_ranges_free(ranges);
        }
    }
    ng_results_free(r);
    ng_query_free(q);
}

static int same_answer(const answer *a, const answer *b)
{
    size_t i;
    if (a->rc != b->rc || a->n != b->n || a->total != b->total || a->digest != b->digest) return 0;
    for (i = 0; i < a->n && i < 10; i++)
        if (a->hits[i].docnum != b->hits[i].docnum || memcmp(&a->hits[i].score, &b->hits[i].score, sizeof(double)) != 0)
            return 0;
    return 1;
}

static int add_doc(ng_writer *w, const char *id, const char *title, const char *body)
{
    ng_document d;
    memset(&d, 0, sizeof d);
    d.id = id, d.id_len = (size_t)-1;
    d.title = title, d.title_len = (size_t)-1;
    d.date = "2022-03-01", d.date_len = (size_t)-1;
    d.body = body, d.body_len = (size_t)-1;
    return ng_writer_add(w, &d);
}

static int threads_init(void)
{
    static const char *const words[] = {"peace", "talks", "border", "grain", "port", "sanctions", "minister", "summit",
                                        "war", "troops", "the", "resumed"};
    ng_writer *w = NULL;
    char dir[4200], id[32], title[64], body[512];
    uint64_t seed = 99;
    int i, j;
    size_t q;
    if (ng_test_tmpdir_init()) return -1;
    snprintf(dir, sizeof dir, "%s/ix", ng_test_tmpdir);
    /* the sample corpus plus 600 generated articles, in three segments */
    for (j = 0; j < 3; j++) {
        if (ng_writer_open(&w, dir, NULL) != NG_OK) return -1;
        if (j == 0 && ng_writer_add_path(NULL, w, NG_CORPUS_DIR) != NG_OK) return -1;
        for (i = 0; i < 200; i++) {
            size_t n = 0;
            int k;
            snprintf(id, sizeof id, "gen-%d-%d", j, i);
            snprintf(title, sizeof title, "Generated %d %s", i, words[i % 12]);
            for (k = 0; k < 30; k++)
                n += (size_t)snprintf(body + n, sizeof body - n, "%s%s", k ? " " : "",
                                      words[(ng_test_rand(&seed) >> 33) % 12]);
            if (add_doc(w, id, title, body) != NG_OK) return -1;
        }
        if (ng_writer_commit(w) != NG_OK) return -1;
        ng_writer_free(w);
    }
    if (ng_index_open(&g_ix, dir) != NG_OK) return -1;
    for (q = 0; q < N_QUERIES; q++) run_query(&g_expected[q], g_ix, queries[q]);
    if (ng_index_open(&g_fresh, dir) != NG_OK) return -1;
    return 0;
}

static int threads_clean(void)
{
    ng_index_free(g_ix);
    ng_index_free(g_fresh);
    g_ix = g_fresh = NULL;
    return ng_test_tmpdir_clean();
}

typedef struct searcher {
    unsigned id;
    unsigned mismatches;
    unsigned runs;
} searcher;

static void *search_thread(void *arg)
{
    searcher *s = arg;
    unsigned r;
    size_t k;
    for (r = 0; r < ROUNDS; r++)
        for (k = 0; k < N_QUERIES; k++) {
            size_t q = (k * 7 + s->id * 3 + r) % N_QUERIES; /* a different order in each thread */
            answer a;
            run_query(&a, g_fresh, queries[q]);
            if (!same_answer(&a, &g_expected[q])) s->mismatches++;
            s->runs++;
        }
    return NULL;
}

static void test_threads_search(void)
{
    pthread_t t[N_THREADS];
    searcher s[N_THREADS];
    unsigned i, total_hits = 0;
    size_t q;
    for (q = 0; q < N_QUERIES; q++) {
        CU_ASSERT_EQUAL(g_expected[q].rc, NG_OK);
        total_hits += (unsigned)g_expected[q].n;
    }
    CU_ASSERT(total_hits > 50); /* the queries really find things */
    for (i = 0; i < N_THREADS; i++) {
        s[i].id = i;
        s[i].mismatches = s[i].runs = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, search_thread, &s[i]), 0);
    }
    for (i = 0; i < N_THREADS; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(s[i].runs, ROUNDS * N_QUERIES);
        CU_ASSERT_EQUAL(s[i].mismatches, 0);
    }
}

/* ------------------------------------------------------------------ */
/* A writer committing while a reader opens snapshots                  */
/* ------------------------------------------------------------------ */

#define BATCHES 12
#define BATCH_DOCS 25

typedef struct shared {
    char dir[4200];
    int committed;    /* batches committed so far (atomic) */
    int writer_rc;
    int writer_done;  /* the writer thread has ended (atomic) */
    unsigned snapshots, bad, checked;
    char why[256];
} shared;

static void *writer_thread(void *arg)
{
    shared *sh = arg;
    ng_writer *w = NULL;
    int b, i, rc = NG_OK;
    char id[32], body[128];
    for (b = 1; b <= BATCHES && rc == NG_OK; b++) {
        if ((rc = ng_writer_open(&w, sh->dir, NULL)) != NG_OK) break;
        for (i = 0; i < BATCH_DOCS && rc == NG_OK; i++) {
            ng_document d;
            memset(&d, 0, sizeof d);
            snprintf(id, sizeof id, "b%d-%d", b, i);
            snprintf(body, sizeof body, "allofthem batchword%c doc%d text", 'a' + b, i);
            d.id = id, d.id_len = (size_t)-1;
            d.body = body, d.body_len = (size_t)-1;
            rc = ng_writer_add(w, &d);
        }
        if (rc == NG_OK) rc = ng_writer_commit(w);
        ng_writer_free(w);
        w = NULL;
        if (rc == NG_OK) __atomic_store_n(&sh->committed, b, __ATOMIC_SEQ_CST);
    }
    sh->writer_rc = rc;
    __atomic_store_n(&sh->writer_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static uint64_t count(ng_index *ix, const char *text, int *rc)
{
    ng_query *q = NULL;
    uint64_t n = 0;
    if ((*rc = ng_query_parse(&q, ix, text, strlen(text))) == NG_OK) *rc = ng_search_count(&n, ix, q);
    ng_query_free(q);
    return n;
}

static void *reader_thread(void *arg)
{
    shared *sh = arg;
    for (;;) {
        int done = __atomic_load_n(&sh->writer_done, __ATOMIC_SEQ_CST);
        int before = __atomic_load_n(&sh->committed, __ATOMIC_SEQ_CST), rc = NG_OK, b, after;
        ng_index *ix = NULL;
        uint64_t all, m;
        if (ng_index_open(&ix, sh->dir) == NG_OK) {
            sh->snapshots++;
            all = count(ix, "allofthem", &rc);
            after = __atomic_load_n(&sh->committed, __ATOMIC_SEQ_CST);
            m = all / BATCH_DOCS;
            /* whole batches only, at least those committed before opening */
            if (rc != NG_OK || all % BATCH_DOCS != 0 || (int)m < before || (int)m > after + 1)
                snprintf(sh->why, sizeof sh->why, "snapshot of %llu documents (committed %d..%d), rc %d",
                         (unsigned long long)all, before, after, rc), sh->bad++;
            for (b = 1; b <= BATCHES && rc == NG_OK; b++) {
                char w[32];
                uint64_t n;
                snprintf(w, sizeof w, "batchword%c", 'a' + b);
                n = count(ix, w, &rc);
                if (rc != NG_OK || n != ((uint64_t)b <= m ? BATCH_DOCS : 0))
                    snprintf(sh->why, sizeof sh->why, "batch %d has %llu documents in a snapshot of %llu batches", b,
                             (unsigned long long)n, (unsigned long long)m), sh->bad++;
            }
            if (sh->snapshots % 4 == 0) {
                if (ng_index_check(ix) != NG_OK)
                    snprintf(sh->why, sizeof sh->why, "check: %s", ng_error_last()->message), sh->bad++;
                sh->checked++;
            }
            ng_index_free(ix);
        }
        if (done) break; /* one last snapshot after the writer ended */
    }
    return NULL;
}

static void test_threads_writer_reader(void)
{
    shared sh;
    pthread_t wt, rt;
    memset(&sh, 0, sizeof sh);
    snprintf(sh.dir, sizeof sh.dir, "%s/live", ng_test_tmpdir);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&wt, NULL, writer_thread, &sh), 0);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&rt, NULL, reader_thread, &sh), 0);
    pthread_join(wt, NULL);
    pthread_join(rt, NULL);
    CU_ASSERT_EQUAL(sh.writer_rc, NG_OK);
    CU_ASSERT_EQUAL(sh.committed, BATCHES);
    CU_ASSERT(sh.snapshots > 0);
    CU_ASSERT_EQUAL(sh.bad, 0);
    if (sh.bad) fprintf(stderr, "\n  inconsistent snapshot: %s\n", sh.why);
}

static CU_TestInfo thread_tests[] = {
    {"8 threads search one index", test_threads_search},
    {"snapshots while a writer commits", test_threads_writer_reader},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"threads", threads_init, threads_clean, NULL, NULL, thread_tests},
    CU_SUITE_INFO_NULL,
};
