/*
** test_index.c -- the writer: incremental updates from files (SOURCES),
** parallel analysis, bounded memory, background merges, optimize, the
** writer lock, and searches running while a writer commits.
**
** Oracles: the test generates every file itself and keeps its own model of
** which documents the index must hold (id -> body); incremental indexes
** are also compared with an index rebuilt from scratch over the same files
** (same documents, same hits and scores for many queries), and indexes
** built with different thread counts are compared byte by byte.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index/index.h"
#include "reader/reader.h"

#include "ng_test.h"

/* ---------------------------------------------------------------- */
/* Helpers                                                           */

static const char *const vocab[] = {
    "river", "bank", "market", "troop", "border", "peace", "talk", "minister", "vote", "storm",
    "harbor", "wheat", "price", "court", "judge", "strike", "union", "rail", "bridge", "school",
    "doctor", "virus", "rocket", "moon", "ocean", "forest", "fire", "snow", "city", "village",
    "bread", "coal", "oil", "gold", "ship", "plane", "train", "road", "tax", "law",
};
#define N_VOCAB (sizeof vocab / sizeof vocab[0])

static void path_of(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", ng_test_tmpdir, rel);
}

/* A body of n words drawn from the vocabulary with a skewed choice. */
static void make_body(char *out, size_t cap, uint64_t *rng, int n)
{
    size_t k = 0;
    int i;
    out[0] = '\0';
    for (i = 0; i < n && k + 16 < cap; i++) {
        uint64_t r = ng_test_rand(rng);
        size_t w = (size_t)((r % N_VOCAB) * ((r >> 32) % N_VOCAB) / N_VOCAB);
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? " " : "", vocab[w]);
    }
}

static void write_text(const char *rel, const char *title, const char *body)
{
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "%s\n\n%s\n", title, body);
    CU_ASSERT_FATAL(ng_test_write(rel, buf, (size_t)n) == 0);
}

/* JSONL lines: ids[i] with bodies[i] (NULL id: skip the line). */
static void write_jsonl(const char *rel, char **ids, char **bodies, int n)
{
    size_t cap = 1 << 20, k = 0;
    char *buf = malloc(cap);
    int i;
    CU_ASSERT_FATAL(buf != NULL);
    for (i = 0; i < n; i++) {
        if (!ids[i]) continue;
        k += (size_t)snprintf(buf + k, cap - k, "{\"id\":\"%s\",\"title\":\"t %s\",\"body\":\"%s\"}\n", ids[i], ids[i],
                              bodies[i]);
    }
    CU_ASSERT_FATAL(ng_test_write(rel, buf, k) == 0);
    free(buf);
}

/* Set a file's mtime to a fixed second (so that "changed" never depends
** on the clock's resolution). */
static void set_mtime(const char *rel, time_t t)
{
    char p[4200];
    struct timespec ts[2];
    path_of(p, sizeof p, rel);
    ts[0].tv_sec = ts[1].tv_sec = t;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    CU_ASSERT(utimensat(AT_FDCWD, p, ts, 0) == 0);
}

static int g_no_merge; /* index_paths: no background merges */

typedef struct run_out {
    ng_add_stats add;
    ng_writer_stats st;
    int rc;
} run_out;

/* One indexing session over paths (relative to the tmpdir). */
static run_out index_paths(const char *ix, const char *const *rel, size_t n, unsigned threads, size_t memory,
                           int rebuild)
{
    ng_writer_options o;
    ng_writer *w = NULL;
    const char *abs[8];
    char bufs[8][4200];
    run_out r;
    size_t i;
    memset(&r, 0, sizeof r);
    CU_ASSERT_FATAL(ng_writer_options_init(&o, NG_WRITER_OPTIONS_VERSION) == 0);
    o.threads = threads;
    o.memory_limit = memory;
    o.rebuild = rebuild;
    o.no_merge = g_no_merge;
    for (i = 0; i < n; i++) {
        path_of(bufs[i], sizeof bufs[i], rel[i]);
        abs[i] = bufs[i];
    }
    r.rc = ng_writer_open(&w, ix, &o);
    if (!r.rc) r.rc = ng_writer_add_paths(&r.add, w, abs, n);
    if (!r.rc) r.rc = ng_writer_commit(w);
    if (!r.rc) r.st = *ng_writer_get_stats(w);
    if (r.rc) fprintf(stderr, "index_paths: %s\n", ng_error_last()->message);
    ng_writer_free(w);
    return r;
}

/* The live documents of an index as "id\tbody" lines, sorted. */
typedef struct doclist {
    char **v;
    size_t n, cap;
} doclist;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void doclist_free(doclist *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void doclist_add(doclist *l, const char *id, size_t idn, const char *body, size_t bn)
{
    char *s;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    s = malloc(idn + bn + 2);
    memcpy(s, id, idn);
    s[idn] = '\t';
    memcpy(s + idn + 1, body, bn);
    s[idn + bn + 1] = '\0';
    l->v[l->n++] = s;
}

static int index_docs(doclist *out, const char *dir)
{
    ng_index *ix = NULL;
    ng_buf scratch = NG_BUF_INIT;
    uint32_t i, d;
    int rc = ng_index_open(&ix, dir);
    memset(out, 0, sizeof *out);
    if (rc) return rc;
    for (i = 0; i < ix->n_segs && !rc; i++) {
        const ng_segment *s = &ix->segs[i];
        for (d = 0; d < s->meta.n_docs && !rc; d++) {
            ng_field_ref f[NG_FIELD_COUNT];
            if (ng_seg__deleted(s, d)) continue;
            if ((rc = ng_store__get(&s->store, d, &scratch, f)) == 0)
                doclist_add(out, f[NG_FIELD_ID].p, f[NG_FIELD_ID].n, f[NG_FIELD_BODY].p, f[NG_FIELD_BODY].n);
        }
    }
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
    ng_buf_dispose(&scratch);
    ng_index_free(ix);
    return rc;
}

/* Every hit of a query as "id score" lines, sorted (document order may
** differ between two indexes of the same documents). */
static int hits_of(doclist *out, ng_index *ix, const char *query, uint64_t *total)
{
    ng_query *q = NULL;
    ng_results *res = NULL;
    ng_search_options so = NG_SEARCH_OPTIONS_INIT;
    ng_buf id = NG_BUF_INIT;
    size_t i;
    int rc;
    memset(out, 0, sizeof *out);
    so.limit = 100000;
    if ((rc = ng_query_parse(&q, ix, query, (size_t)-1)) != 0) return rc;
    if ((rc = ng_search(&res, ix, q, &so)) == 0) {
        *total = ng_results_total(res);
        for (i = 0; i < ng_results_count(res) && !rc; i++) {
            ng_hit h;
            char line[64];
            rc = ng_results_hit(&h, res, i);
            if (!rc) rc = ng_index_document(&id, ix, h.docnum, NG_FIELD_ID);
            if (rc) break;
            snprintf(line, sizeof line, "%.6f", h.score);
            doclist_add(out, id.ptr, id.size, line, strlen(line));
        }
    }
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
    ng_buf_dispose(&id);
    ng_results_free(res);
    ng_query_free(q);
    return rc;
}

static int same_list(const doclist *a, const doclist *b)
{
    size_t i;
    if (a->n != b->n) return 0;
    for (i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0) return 0;
    return 1;
}

/* Same documents, and the same hits with the same scores for many queries. */
static void assert_same_index(const char *ix_a, const char *ix_b)
{
    doclist a, b;
    ng_index *x = NULL, *y = NULL;
    size_t i, j;
    CU_ASSERT_FATAL(index_docs(&a, ix_a) == 0);
    CU_ASSERT_FATAL(index_docs(&b, ix_b) == 0);
    CU_ASSERT(same_list(&a, &b));
    doclist_free(&a);
    doclist_free(&b);
    CU_ASSERT_FATAL(ng_index_open(&x, ix_a) == 0);
    CU_ASSERT_FATAL(ng_index_open(&y, ix_b) == 0);
    for (i = 0; i < N_VOCAB; i++) {
        for (j = i; j < N_VOCAB; j += 7) {
            char q[128];
            uint64_t ta = 0, tb = 0;
            if (i == j) snprintf(q, sizeof q, "%s", vocab[i]);
            else if (j % 2) snprintf(q, sizeof q, "%s %s", vocab[i], vocab[j]);
            else snprintf(q, sizeof q, "\"%s %s\" OR %s", vocab[i], vocab[j], vocab[(i + j) % N_VOCAB]);
            CU_ASSERT(hits_of(&a, x, q, &ta) == 0);
            CU_ASSERT(hits_of(&b, y, q, &tb) == 0);
            CU_ASSERT_EQUAL(ta, tb);
            if (!same_list(&a, &b)) {
                CU_FAIL("different hits");
                fprintf(stderr, "query %s: %zu vs %zu hits\n", q, a.n, b.n);
            }
            doclist_free(&a);
            doclist_free(&b);
        }
    }
    ng_index_free(x);
    ng_index_free(y);
}

/* The model: what the index must hold, "id\tbody" sorted. */
static void assert_docs(const char *ix, doclist *model)
{
    doclist got;
    size_t i;
    if (model->n) qsort(model->v, model->n, sizeof *model->v, cmp_str);
    CU_ASSERT_FATAL(index_docs(&got, ix) == 0);
    CU_ASSERT_EQUAL(got.n, model->n);
    for (i = 0; i < got.n && i < model->n; i++)
        if (strcmp(got.v[i], model->v[i]) != 0) {
            CU_FAIL("document differs from the model");
            fprintf(stderr, "got   %.80s\nwant  %.80s\n", got.v[i], model->v[i]);
            break;
        }
    doclist_free(&got);
}

/* ---------------------------------------------------------------- */
/* Incremental updates                                               */

#define N_TEXT 12
#define N_LINES 60

static char *jids[N_LINES + 8], *jbodies[N_LINES + 8];

static void model_text(doclist *m, const char *rel, const char *title, const char *body)
{
    char p[4200], full[8192];
    int n;
    path_of(p, sizeof p, rel);
    n = snprintf(full, sizeof full, "%s\n\n%s\n", title, body);
    doclist_add(m, p, strlen(p), full, (size_t)n);
}

static void test_incremental(void)
{
    static const char *paths[] = {"inc/src"};
    char ix[4200], ixr[4200], rel[64], title[64], body[2048], id[32];
    char tbody[N_TEXT][2048];
    uint64_t rng = 42;
    doclist m;
    run_out r;
    int i;
    memset(&m, 0, sizeof m);
    path_of(ix, sizeof ix, "inc/ix");
    path_of(ixr, sizeof ixr, "inc/rebuilt");
    /* 12 text files (one in a subdirectory) and a JSONL file of 60 lines */
    for (i = 0; i < N_TEXT; i++) {
        snprintf(rel, sizeof rel, i == 5 ? "inc/src/sub/t%02d.txt" : "inc/src/t%02d.txt", i);
        make_body(tbody[i], sizeof tbody[i], &rng, 40 + i);
        snprintf(title, sizeof title, "title %d", i);
        write_text(rel, title, tbody[i]);
        set_mtime(rel, 1000000000);
    }
    for (i = 0; i < N_LINES; i++) {
        snprintf(id, sizeof id, "j%03d", i);
        jids[i] = strdup(id);
        make_body(body, sizeof body, &rng, 30);
        jbodies[i] = strdup(body);
    }
    write_jsonl("inc/src/news.jsonl", jids, jbodies, N_LINES);
    set_mtime("inc/src/news.jsonl", 1000000000);

    r = index_paths(ix, paths, 1, 2, 0, 0);
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, N_TEXT + N_LINES);
    CU_ASSERT_EQUAL(r.st.files_new, N_TEXT + 1);

    /* second run, nothing changed: nothing read, nothing committed */
    r = index_paths(ix, paths, 1, 2, 0, 0);
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, 0);
    CU_ASSERT_EQUAL(r.add.bytes_read, 0);
    CU_ASSERT_EQUAL(r.st.files_unchanged, N_TEXT + 1);
    CU_ASSERT_EQUAL(r.st.docs_unchanged, N_TEXT + N_LINES);
    CU_ASSERT_EQUAL(r.st.commits, 0);

    /* changes: t00, t01 rewritten; t02 touched (same bytes); t03 deleted;
       t04 renamed; t20 new.  JSONL: 3 lines changed, 2 removed (j010 goes
       away, j011 moves to a new file more.jsonl), 1 added, j020 repeated
       with a new body later in the file (the later one wins) */
    make_body(tbody[0], sizeof tbody[0], &rng, 33);
    write_text("inc/src/t00.txt", "title 0 again", tbody[0]);
    make_body(tbody[1], sizeof tbody[1], &rng, 34);
    write_text("inc/src/t01.txt", "title 1", tbody[1]);
    set_mtime("inc/src/t02.txt", 1000000100);
    {
        char a[4200], b[4200];
        path_of(a, sizeof a, "inc/src/t03.txt");
        CU_ASSERT(unlink(a) == 0);
        path_of(a, sizeof a, "inc/src/t04.txt");
        path_of(b, sizeof b, "inc/src/t04-renamed.txt");
        CU_ASSERT(rename(a, b) == 0);
    }
    make_body(body, sizeof body, &rng, 20);
    write_text("inc/src/t20.txt", "title 20", body);
    for (i = 30; i < 33; i++) {
        make_body(body, sizeof body, &rng, 31);
        free(jbodies[i]);
        jbodies[i] = strdup(body);
    }
    {
        char *more_ids[1], *more_bodies[1];
        more_ids[0] = jids[11];
        more_bodies[0] = jbodies[11];
        write_jsonl("inc/src/more.jsonl", more_ids, more_bodies, 1);
    }
    free(jids[10]);
    jids[10] = NULL;
    free(jids[11]);
    jids[11] = NULL; /* now in more.jsonl */
    jids[N_LINES] = strdup("j900");
    jbodies[N_LINES] = strdup("a brand new line about the moon");
    jids[N_LINES + 1] = strdup("j020");
    jbodies[N_LINES + 1] = strdup("the second copy of j020 wins");
    write_jsonl("inc/src/news.jsonl", jids, jbodies, N_LINES + 2);

    r = index_paths(ix, paths, 1, 2, 0, 0);
    CU_ASSERT_EQUAL(r.rc, 0);
    /* analysed: t00 t01 t04-renamed t20, 3 changed lines, j900, the second
       j020 line (the first is unchanged; the later one replaces it), and
       j011 from more.jsonl (a new owner) */
    CU_ASSERT_EQUAL(r.add.docs_added, 4 + 3 + 1 + 1 + 1);
    CU_ASSERT_EQUAL(r.st.docs_deleted, 3); /* t03, t04 (renamed), j010 */
    CU_ASSERT_EQUAL(r.st.files_deleted, 2);
    CU_ASSERT_EQUAL(r.st.files_new, 3);     /* t04-renamed, t20, more.jsonl */
    CU_ASSERT_EQUAL(r.st.files_changed, 4); /* t00 t01 t02 news.jsonl */
    CU_ASSERT_EQUAL(r.st.docs_unchanged, (N_TEXT - 5) + 1 + (N_LINES - 3 - 2));

    {
        /* the model (t20 read back from disk: body was reused since) */
        char p[4200];
        FILE *f;
        size_t k;
        for (i = 0; i < N_TEXT; i++) {
            if (i == 3) continue;
            snprintf(rel, sizeof rel, i == 5 ? "inc/src/sub/t%02d.txt" : i == 4 ? "inc/src/t04-renamed.txt" : "inc/src/t%02d.txt", i);
            snprintf(title, sizeof title, i == 0 ? "title %d again" : "title %d", i);
            model_text(&m, rel, title, tbody[i]);
        }
        path_of(p, sizeof p, "inc/src/t20.txt");
        f = fopen(p, "rb");
        CU_ASSERT_FATAL(f != NULL);
        k = fread(body, 1, sizeof body - 1, f);
        fclose(f);
        doclist_add(&m, p, strlen(p), body, k);
        for (i = 0; i < N_LINES + 2; i++) {
            if (!jids[i] || i == 20) continue;
            doclist_add(&m, jids[i], strlen(jids[i]), jbodies[i], strlen(jbodies[i]));
        }
        doclist_add(&m, "j011", 4, jbodies[11], strlen(jbodies[11]));
    }
    assert_docs(ix, &m);

    /* again: up to date */
    r = index_paths(ix, paths, 1, 2, 0, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, 0);
    CU_ASSERT_EQUAL(r.st.commits, 0);

    /* the same files from scratch: the same documents and hits */
    r = index_paths(ixr, paths, 1, 2, 0, 1);
    CU_ASSERT_EQUAL(r.rc, 0);
    assert_docs(ixr, &m);
    assert_same_index(ix, ixr);
    doclist_free(&m);
    for (i = 0; i < N_LINES + 8; i++) {
        free(jids[i]);
        free(jbodies[i]);
        jids[i] = jbodies[i] = NULL;
    }
}

/* A big JSONL file where 1% of the lines change: only those are analysed. */
static void test_jsonl_one_percent(void)
{
    static const char *paths[] = {"pct/a.jsonl"};
    enum { N = 2000 };
    char **ids = calloc(N, sizeof *ids), **bodies = calloc(N, sizeof *bodies), ix[4200], ixr[4200], buf[2048];
    uint64_t rng = 7;
    run_out r;
    int i;
    path_of(ix, sizeof ix, "pct/ix");
    path_of(ixr, sizeof ixr, "pct/rebuilt");
    for (i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "doc-%d", i);
        ids[i] = strdup(buf);
        make_body(buf, sizeof buf, &rng, 25);
        bodies[i] = strdup(buf);
    }
    write_jsonl("pct/a.jsonl", ids, bodies, N);
    set_mtime("pct/a.jsonl", 1000000000);
    r = index_paths(ix, paths, 1, 2, 256 << 10, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, N);
    for (i = 0; i < N; i += 100) {
        make_body(buf, sizeof buf, &rng, 26);
        free(bodies[i]);
        bodies[i] = strdup(buf);
    }
    write_jsonl("pct/a.jsonl", ids, bodies, N);
    r = index_paths(ix, paths, 1, 2, 256 << 10, 0);
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, N / 100);
    CU_ASSERT_EQUAL(r.st.docs_updated, N / 100);
    CU_ASSERT_EQUAL(r.st.docs_unchanged, N - N / 100);
    r = index_paths(ixr, paths, 1, 2, 0, 1);
    assert_same_index(ix, ixr);
    for (i = 0; i < N; i++) {
        free(ids[i]);
        free(bodies[i]);
    }
    free(ids);
    free(bodies);
}

/* A document changed through the API: the next run reads its file again. */
static void test_api_change_rereads(void)
{
    static const char *paths[] = {"api/src"};
    char ix[4200], p[4200];
    ng_writer *w = NULL;
    ng_document d;
    run_out r;
    doclist m;
    path_of(ix, sizeof ix, "api/ix");
    write_text("api/src/a.txt", "alpha", "river bank");
    write_text("api/src/b.txt", "beta", "market price");
    r = index_paths(ix, paths, 1, 1, 0, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, 2);
    CU_ASSERT_FATAL(ng_writer_open(&w, ix, NULL) == 0);
    memset(&d, 0, sizeof d);
    path_of(p, sizeof p, "api/src/a.txt");
    d.id = p;
    d.id_len = (size_t)-1;
    d.body = "replaced through the api";
    d.body_len = (size_t)-1;
    CU_ASSERT(ng_writer_add(w, &d) == 0);
    CU_ASSERT(ng_writer_commit(w) == 0);
    ng_writer_free(w);
    r = index_paths(ix, paths, 1, 1, 0, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, 1);
    CU_ASSERT_EQUAL(r.st.files_changed, 1);
    memset(&m, 0, sizeof m);
    doclist_add(&m, p, strlen(p), "alpha\n\nriver bank\n", strlen("alpha\n\nriver bank\n"));
    path_of(p, sizeof p, "api/src/b.txt");
    doclist_add(&m, p, strlen(p), "beta\n\nmarket price\n", strlen("beta\n\nmarket price\n"));
    assert_docs(ix, &m);
    doclist_free(&m);
}

/* ---------------------------------------------------------------- */
/* The same index whatever the threads; many segments and merges      */

static void make_corpus(const char *rel_dir, int n_files, int lines)
{
    char rel[128], buf[2048];
    char **ids = calloc((size_t)lines, sizeof *ids), **bodies = calloc((size_t)lines, sizeof *bodies);
    uint64_t rng = 99;
    int f, i;
    for (f = 0; f < n_files; f++) {
        for (i = 0; i < lines; i++) {
            snprintf(buf, sizeof buf, "f%d-%d", f, i);
            ids[i] = strdup(buf);
            make_body(buf, sizeof buf, &rng, 20 + (int)(ng_test_rand(&rng) % 200));
            bodies[i] = strdup(buf);
        }
        snprintf(rel, sizeof rel, "%s/part%02d.jsonl", rel_dir, f);
        write_jsonl(rel, ids, bodies, lines);
        for (i = 0; i < lines; i++) {
            free(ids[i]);
            free(bodies[i]);
        }
    }
    free(ids);
    free(bodies);
}

static int same_dir(const char *a, const char *b)
{
    DIR *d = opendir(a);
    struct dirent *e;
    int same = d != NULL, files = 0;
    while (same && (e = readdir(d)) != NULL) {
        char pa[4200], pb[4200], cmd[9000];
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0) continue;
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", pa, pb);
        if (system(cmd) != 0) {
            fprintf(stderr, "%s differs\n", e->d_name);
            same = 0;
        }
        files++;
    }
    if (d) closedir(d);
    return same && files > 0;
}

static int count_segments(const char *ix)
{
    ng_index *x = NULL;
    ng_index_stats st;
    int n = -1;
    if (ng_index_open(&x, ix) == 0 && ng_index_stats_get(&st, x) == 0) n = (int)st.segments;
    ng_index_free(x);
    return n;
}

static void test_deterministic(void)
{
    static const char *paths[] = {"det/src"};
    static const unsigned threads[] = {1, 2, 4};
    static const size_t memory[] = {96u << 10, 0};
    char ix[3][4200], ref[4200];
    size_t m, t;
    run_out r;
    make_corpus("det/src", 4, 150);
    for (m = 0; m < 2; m++) {
        for (t = 0; t < 3; t++) {
            char rel[64];
            snprintf(rel, sizeof rel, "det/ix-m%zu-j%u", m, threads[t]);
            path_of(ix[t], sizeof ix[t], rel);
            r = index_paths(ix[t], paths, 1, threads[t], memory[m], 0);
            CU_ASSERT_EQUAL(r.rc, 0);
            if (m == 0) {
                /* tiny memory: many flushes, so merges ran */
                CU_ASSERT(r.st.merges > 0);
            }
        }
        CU_ASSERT(same_dir(ix[0], ix[1]));
        CU_ASSERT(same_dir(ix[0], ix[2]));
        CU_ASSERT(count_segments(ix[0]) >= 1);
        if (m == 0) path_of(ref, sizeof ref, "det/ix-m0-j1");
    }
    /* many segments and merges, or one: the same documents and hits */
    assert_same_index(ref, ix[0]);
}

static void test_optimize(void)
{
    static const char *paths[] = {"opt/src"};
    char ix[4200], ref[4200], p[4200];
    ng_writer *w = NULL;
    run_out r;
    make_corpus("opt/src", 3, 100);
    path_of(ix, sizeof ix, "opt/ix");
    path_of(ref, sizeof ref, "opt/ref");
    g_no_merge = 1;
    r = index_paths(ix, paths, 1, 2, 64u << 10, 0);
    g_no_merge = 0;
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r.st.merges, 0);
    CU_ASSERT(count_segments(ix) > 1);
    /* some deletions to purge */
    CU_ASSERT_FATAL(ng_writer_open(&w, ix, NULL) == 0);
    CU_ASSERT(ng_writer_delete(w, "f0-1", (size_t)-1) == 0);
    CU_ASSERT(ng_writer_delete(w, "f2-99", (size_t)-1) == 0);
    CU_ASSERT(ng_writer_optimize(w) == 0);
    ng_writer_free(w);
    CU_ASSERT_EQUAL(count_segments(ix), 1);
    {
        ng_index *x = NULL;
        ng_index_stats st;
        CU_ASSERT_FATAL(ng_index_open(&x, ix) == 0);
        CU_ASSERT(ng_index_check(x) == 0);
        CU_ASSERT(ng_index_stats_get(&st, x) == 0);
        CU_ASSERT_EQUAL(st.docs, 3 * 100 - 2);
        ng_index_free(x);
    }
    /* the deleted ones come back from their unchanged files?  No: they
       were deleted through the API, so their file is read again */
    r = index_paths(ix, paths, 1, 2, 0, 0);
    CU_ASSERT_EQUAL(r.add.docs_added, 2);
    r = index_paths(ref, paths, 1, 0, 0, 1);
    assert_same_index(ix, ref);
    /* the files of merged-away segments are gone */
    path_of(p, sizeof p, "opt/ix/seg-000001.tdi");
    CU_ASSERT(access(p, F_OK) != 0);
}

/* ---------------------------------------------------------------- */
/* Searches while a writer commits                                    */

#define BATCH 40

typedef struct conc {
    const char *ix;
    int stop; /* atomic: set by the writer's thread */
    int snapshots, bad;
} conc;

static void *reader_main(void *arg)
{
    conc *c = arg;
    while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
        ng_index *x = NULL;
        ng_index_stats st;
        ng_query *q = NULL;
        uint64_t n = 0;
        int rc = ng_index_open(&x, c->ix);
        if (rc == NG_ENOTFOUND && !c->snapshots) continue; /* no commit yet */
        if (rc) {
            fprintf(stderr, "reader: %s\n", ng_error_last()->message);
            c->bad++;
            break;
        }
        /* every commit holds whole half-batches, and every document says "common" */
        if (ng_index_stats_get(&st, x) != 0 || st.docs % (BATCH / 2) != 0) c->bad++;
        if (ng_query_parse(&q, x, "common", (size_t)-1) != 0 || ng_search_count(&n, x, q) != 0 || n != st.docs)
            c->bad++;
        ng_query_free(q);
        ng_index_free(x);
        c->snapshots++;
    }
    return NULL;
}

static void test_concurrent_search(void)
{
    char ix[4200], id[32], body[512];
    ng_writer_options o = NG_WRITER_OPTIONS_INIT;
    ng_writer *w = NULL;
    pthread_t th;
    conc c;
    uint64_t rng = 5;
    int b, i;
    path_of(ix, sizeof ix, "conc/ix");
    memset(&c, 0, sizeof c);
    c.ix = ix;
    o.memory_limit = 48u << 10; /* flushes, merges, dropped segments */
    o.threads = 2;
    CU_ASSERT_FATAL(ng_writer_open(&w, ix, &o) == 0);
    CU_ASSERT_FATAL(ng_writer_commit(w) == 0);
    CU_ASSERT_FATAL(pthread_create(&th, NULL, reader_main, &c) == 0);
    for (b = 0; b < 12; b++) {
        for (i = 0; i < BATCH; i++) {
            ng_document d;
            memset(&d, 0, sizeof d);
            /* half the ids repeat: replacements tombstone older copies */
            snprintf(id, sizeof id, "b%d-%d", i % 2 ? b : 0, i);
            make_body(body, sizeof body, &rng, 15);
            strcat(body, " common");
            d.id = id;
            d.id_len = (size_t)-1;
            d.body = body;
            d.body_len = (size_t)-1;
            CU_ASSERT(ng_writer_add(w, &d) == 0);
        }
        /* a batch: BATCH/2 new ids, BATCH/2 replaced (after the first) */
        CU_ASSERT(ng_writer_commit(w) == 0);
        if (b == 0) continue;
        for (i = 1; i < BATCH; i += 2) {
            snprintf(id, sizeof id, "b%d-%d", b, i);
            CU_ASSERT(ng_writer_delete(w, id, (size_t)-1) == 0);
        }
        for (i = 0; i < BATCH; i += 2) {
            ng_document d;
            memset(&d, 0, sizeof d);
            snprintf(id, sizeof id, "extra%d-%d", b, i);
            d.id = id;
            d.id_len = (size_t)-1;
            d.body = "common extra";
            d.body_len = (size_t)-1;
            CU_ASSERT(ng_writer_add(w, &d) == 0);
        }
        CU_ASSERT(ng_writer_commit(w) == 0);
    }
    __atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    ng_writer_free(w);
    CU_ASSERT(c.snapshots > 0);
    CU_ASSERT_EQUAL(c.bad, 0);
}

/* ---------------------------------------------------------------- */
/* The writer lock                                                    */

typedef struct releaser {
    ng_writer *w;
    int ms;
} releaser;

static void *release_later(void *arg)
{
    releaser *r = arg;
    struct timespec ts;
    ts.tv_sec = r->ms / 1000;
    ts.tv_nsec = (long)(r->ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
    ng_writer_free(r->w);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_lock(void)
{
    char ix[4200], pid[32];
    ng_writer_options o = NG_WRITER_OPTIONS_INIT;
    ng_writer *a = NULL, *b = NULL;
    releaser rel;
    pthread_t th;
    double t;
    path_of(ix, sizeof ix, "lock/ix");
    CU_ASSERT_FATAL(ng_writer_open(&a, ix, NULL) == 0);
    /* without waiting: refused at once, naming the holder */
    t = now();
    CU_ASSERT_EQUAL(ng_writer_open(&b, ix, NULL), NG_ELOCKED);
    CU_ASSERT(b == NULL);
    snprintf(pid, sizeof pid, "(pid %ld)", (long)getpid());
    CU_ASSERT(strstr(ng_error_last()->message, pid) != NULL);
    CU_ASSERT(now() - t < 0.5);
    /* waiting 0.3 s for a holder that stays: refused after the wait */
    o.lock_wait_ms = 300;
    t = now();
    CU_ASSERT_EQUAL(ng_writer_open(&b, ix, &o), NG_ELOCKED);
    CU_ASSERT(now() - t >= 0.29);
    /* waiting 5 s for a holder that leaves after 0.2 s: granted */
    rel.w = a;
    rel.ms = 200;
    CU_ASSERT_FATAL(pthread_create(&th, NULL, release_later, &rel) == 0);
    o.lock_wait_ms = 5000;
    t = now();
    CU_ASSERT_EQUAL(ng_writer_open(&b, ix, &o), 0);
    CU_ASSERT(now() - t < 4.0);
    pthread_join(th, NULL);
    ng_writer_free(b);
}

/* A version-1 options struct is still accepted. */
static void test_options_v1(void)
{
    ng_writer_options o;
    char ix[4200];
    ng_writer *w = NULL;
    path_of(ix, sizeof ix, "v1/ix");
    memset(&o, 0x5a, sizeof o);
    CU_ASSERT(ng_writer_options_init(&o, 1) == 0);
    CU_ASSERT_EQUAL(o.version, 1);
    CU_ASSERT_EQUAL(o.create, 1);
    /* fields of version 2 untouched: a version-1 caller's struct ends before */
    CU_ASSERT_EQUAL(o.no_merge, 0x5a5a5a5a);
    CU_ASSERT(ng_writer_open(&w, ix, &o) == 0);
    ng_writer_free(w);
    CU_ASSERT(ng_writer_options_init(&o, 3) == NG_EINVAL);
}

/* An index of another format version: refused, with the advice to
** rebuild, and `rebuild` then replaces it (the version is patched into a
** MANIFEST of this build, its file CRC recomputed). */
static void test_rebuild_other_version(void)
{
    static const char *paths[] = {"ver/src"};
    char ix[4200], man[4300];
    ng_index *x = NULL;
    ng_index_stats st;
    FILE *f;
    unsigned char buf[4096];
    size_t n;
    uint32_t crc;
    run_out r;
    make_corpus("ver/src", 2, 20);
    path_of(ix, sizeof ix, "ver/ix");
    r = index_paths(ix, paths, 1, 1, 0, 0);
    CU_ASSERT_FATAL(r.rc == 0);
    snprintf(man, sizeof man, "%s/MANIFEST", ix);
    CU_ASSERT_FATAL((f = fopen(man, "r+b")) != NULL);
    n = fread(buf, 1, sizeof buf, f);
    CU_ASSERT_FATAL(n > 24 && n < sizeof buf);
    buf[8] = 3; /* version 3 */
    buf[9] = buf[10] = buf[11] = 0;
    crc = ng__crc32(0, buf, n - 8);
    buf[n - 8] = (unsigned char)crc;
    buf[n - 7] = (unsigned char)(crc >> 8);
    buf[n - 6] = (unsigned char)(crc >> 16);
    buf[n - 5] = (unsigned char)(crc >> 24);
    rewind(f);
    CU_ASSERT_FATAL(fwrite(buf, 1, n, f) == n);
    fclose(f);
    CU_ASSERT(ng_index_open(&x, ix) == NG_EVERSION);
    CU_ASSERT(strstr(ng_error_last()->message, "--rebuild") != NULL);
    r = index_paths(ix, paths, 1, 1, 0, 0); /* incremental: refused the same way */
    CU_ASSERT(r.rc == NG_EVERSION);
    r = index_paths(ix, paths, 1, 1, 0, 1);
    CU_ASSERT_FATAL(r.rc == 0);
    CU_ASSERT_FATAL(ng_index_open(&x, ix) == 0);
    CU_ASSERT(ng_index_check(x) == 0);
    CU_ASSERT(ng_index_stats_get(&st, x) == 0);
    CU_ASSERT_EQUAL(st.docs, 2 * 20);
    ng_index_free(x);
}

static CU_TestInfo index_tests[] = {
    {"incremental runs against a rebuild", test_incremental},
    {"jsonl: 1% changed lines analysed", test_jsonl_one_percent},
    {"api change rereads the file", test_api_change_rereads},
    {"same bytes whatever the threads", test_deterministic},
    {"optimize", test_optimize},
    {"search during commits", test_concurrent_search},
    {"writer lock and wait", test_lock},
    {"options version 1", test_options_v1},
    {"rebuild over another format version", test_rebuild_other_version},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"index", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, index_tests},
    CU_SUITE_INFO_NULL,
};
