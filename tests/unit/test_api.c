/*
** test_api.c -- end to end through the public API only (<newsgrep.h>,
** linked against libnewsgrep): indexing the corpus, searching, snippets,
** hand-computed BM25, error paths, replacement and deletion, snapshots,
** integrity checks, and allocation-failure injection.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <newsgrep.h>

#include "ng_test.h"

#ifndef NG_CORPUS_DIR
#define NG_CORPUS_DIR "corpus"
#endif

static char corpus_ix[4200];
static ng_index *g_ix;

/* ---------------------------------------------------------------- */
/* Helpers                                                           */

static void subdir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", ng_test_tmpdir, name);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
    if (p) p[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return p;
}

static int spit(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    if (fwrite(p, 1, n, f) != n) { fclose(f); return -1; }
    return fclose(f);
}

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static int add_doc(ng_writer *w, const char *id, const char *title, const char *body)
{
    ng_document d;
    memset(&d, 0, sizeof d);
    d.id = id; d.id_len = (size_t)-1;
    d.title = title; d.title_len = (size_t)-1;
    d.body = body; d.body_len = (size_t)-1;
    return ng_writer_add(w, &d);
}

static uint64_t count_of(ng_index *ix, const char *query)
{
    ng_query *q = NULL;
    uint64_t n = (uint64_t)-1;
    if (ng_query_parse(&q, ix, query, (size_t)-1) != NG_OK) return (uint64_t)-2;
    if (ng_search_count(&n, ix, q) != NG_OK) n = (uint64_t)-3;
    ng_query_free(q);
    return n;
}

static int suite_init(void)
{
    ng_writer *w;
    ng_add_stats st;
    if (ng_test_tmpdir_init() != 0) return -1;
    subdir(corpus_ix, sizeof corpus_ix, "corpus-ix");
    if (ng_writer_open(&w, corpus_ix, NULL) != NG_OK) return -1;
    if (ng_writer_add_path(&st, w, NG_CORPUS_DIR) != NG_OK || st.docs_added != 3 || st.docs_skipped != 0 ||
        ng_writer_commit(w) != NG_OK) {
        ng_writer_free(w);
        return -1;
    }
    ng_writer_free(w);
    return ng_index_open(&g_ix, corpus_ix) == NG_OK ? 0 : -1;
}

static int suite_clean(void)
{
    ng_index_free(g_ix);
    g_ix = NULL;
    return ng_test_tmpdir_clean();
}

/* ---------------------------------------------------------------- */
/* The corpus                                                        */

/* Fold a highlighted range for comparison: ASCII lowercase, and the only
** non-ASCII letter of interest (á, C3 A1) to a. */
static void fold_range(char *out, size_t cap, const char *p, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0xC3 && i + 1 < n && (unsigned char)p[i + 1] == 0xA1) {
            out[o++] = 'a';
            i++;
        } else {
            out[o++] = (char)tolower(c);
        }
    }
    out[o] = '\0';
}

static void check_highlights(const char *query, const char *const *prefixes, size_t np, size_t want_hits)
{
    ng_query *q;
    ng_results *r;
    size_t i, j, k;
    NG_ASSERT_OK(ng_query_parse(&q, g_ix, query, (size_t)-1));
    if (!q) return;
    NG_ASSERT_OK(ng_search(&r, g_ix, q, NULL));
    if (!r) { ng_query_free(q); return; }
    CU_ASSERT_EQUAL(ng_results_total(r), want_hits);
    CU_ASSERT_EQUAL(ng_results_count(r), want_hits);
    for (i = 0; i < ng_results_count(r); i++) {
        ng_hit h;
        ng_buf text = NG_BUF_INIT;
        ng_range *rg = NULL;
        size_t nr = 0;
        NG_ASSERT_OK(ng_results_hit(&h, r, i));
        CU_ASSERT(h.score > 0);
        NG_ASSERT_OK(ng_snippet(&text, &rg, &nr, g_ix, q, h.docnum, NULL));
        CU_ASSERT(nr > 0);
        CU_ASSERT(text.size > 0);
        for (j = 0; j < nr; j++) {
            char f[256];
            int ok = 0;
            CU_ASSERT(rg[j].start < rg[j].end && rg[j].end <= text.size);
            if (!(rg[j].start < rg[j].end && rg[j].end <= text.size)) continue;
            fold_range(f, sizeof f, text.ptr + rg[j].start, rg[j].end - rg[j].start);
            for (k = 0; k < np; k++)
                if (strncmp(f, prefixes[k], strlen(prefixes[k])) == 0) ok = 1;
            if (!ok) fprintf(stderr, "\n  [%s] unexpected highlight '%s'", query, f);
            CU_ASSERT(ok);
        }
        ng_ranges_free(rg);
        ng_buf_dispose(&text);
    }
    ng_results_free(r);
    ng_query_free(q);
}

static void test_corpus_search(void)
{
    static const char *const lt[] = {"lavrov", "troop"};
    static const char *const orban[] = {"orban"};
    ng_index_stats st;
    NG_ASSERT_OK(ng_index_stats_get(&st, g_ix));
    CU_ASSERT_EQUAL(st.docs, 3);
    check_highlights("Lavrov troops", lt, 2, 3);
    check_highlights("Orban", orban, 1, 3);
    check_highlights("Orb\xC3\xA1n", orban, 1, 3);
    check_highlights("orBAN", orban, 1, 3);
    CU_ASSERT_EQUAL(count_of(g_ix, "Lavrov -troops"), 0);
    CU_ASSERT_EQUAL(count_of(g_ix, "zzyzzx"), 0);
}

static int strcasestr_n(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}

/* "secretary of state": the oracle greps the raw files. */
static void test_corpus_phrase(void)
{
    static const char *const phrase = "secretary of state";
    DIR *d = opendir(NG_CORPUS_DIR);
    struct dirent *e;
    char *titles[16];
    int contains[16], nf = 0, want = 0, i;
    ng_query *q;
    ng_results *r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    while ((e = readdir(d)) != NULL && nf < 16) {
        char path[4200], *text, *nl;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", NG_CORPUS_DIR, e->d_name);
        if (!(text = slurp(path, NULL))) continue;
        contains[nf] = strcasestr_n(text, phrase);
        want += contains[nf];
        nl = strchr(text, '\n');
        if (nl) *nl = '\0';
        titles[nf++] = text;
    }
    closedir(d);
    CU_ASSERT_EQUAL(nf, 3);
    NG_ASSERT_OK(ng_query_parse(&q, g_ix, "\"secretary of state\"", (size_t)-1));
    if (q) {
        {
            ng_buf desc = NG_BUF_INIT;
            NG_ASSERT_OK(ng_query_describe(&desc, q));
            CU_ASSERT(desc.ptr && strchr(desc.ptr, '"') != NULL);
            ng_buf_dispose(&desc);
        }
        NG_ASSERT_OK(ng_search(&r, g_ix, q, NULL));
        if (r) {
            size_t k;
            CU_ASSERT_EQUAL(ng_results_total(r), (uint64_t)want);
            for (k = 0; k < ng_results_count(r); k++) {
                ng_hit h;
                ng_buf t = NG_BUF_INIT;
                int found = -1;
                ng_results_hit(&h, r, k);
                NG_ASSERT_OK(ng_index_document(&t, g_ix, h.docnum, NG_FIELD_TITLE));
                for (i = 0; i < nf; i++)
                    if (t.ptr && strncmp(titles[i], t.ptr, t.size) == 0) found = i;
                CU_ASSERT(found >= 0);
                if (found >= 0) CU_ASSERT(contains[found]);
                ng_buf_dispose(&t);
            }
            ng_results_free(r);
        }
        ng_query_free(q);
    }
    /* words out of order are no phrase */
    CU_ASSERT_EQUAL(count_of(g_ix, "\"state of secretary\""), 0);
    for (i = 0; i < nf; i++) free(titles[i]);
}

/* ---------------------------------------------------------------- */
/* BM25 by hand                                                      */

/*
** Three documents, title empty, k1 = 1.2, b = 0.75:
**   d0 "a a b"    dl 3      d1 "b c"   dl 2      d2 "c c c d"   dl 4
** N = 3, avgdl = 9/3 = 3.  df: a 1, b 2, c 2, d 1.
**   idf(df=1) = ln(1 + 2.5/1.5) = ln(8/3);  idf(df=2) = ln(1 + 1.5/2.5) = ln(1.6)
**   K(dl) = k1*(1 - b + b*dl/avgdl) = 1.2*(0.25 + 0.25*dl) = 0.3*(1 + dl):
**   K(2) = 0.9, K(3) = 1.2, K(4) = 1.5;  w = idf * tf*2.2/(tf + K)
**  "a":      d0 tf 2: ln(8/3) * 4.4/3.2
**  "b":      d1: ln(1.6) * 2.2/1.9  >  d0: ln(1.6) * 2.2/2.2
**  "c":      d2 tf 3: ln(1.6) * 6.6/4.5  >  d1: ln(1.6) * 2.2/1.9
**  "b OR d": d1 ln(1.6)*2.2/1.9 = 0.5442..; d2 ln(8/3)*2.2/2.5 = 0.8631..; d0 ln(1.6) = 0.4700..
**  "a b":    d0: ln(8/3)*4.4/3.2 + ln(1.6)
**  "c -d":   d1 only: ln(1.6)*2.2/1.9
**  "\"c c\"": d2: two occurrences, idf 2 ln(1.6): 2 ln(1.6) * 4.4/3.5
*/
typedef struct exp_hit {
    uint64_t docnum;
    double score;
} exp_hit;

static void expect(ng_index *ix, const char *query, const exp_hit *e, size_t n)
{
    ng_query *q;
    ng_results *r;
    size_t i;
    NG_ASSERT_OK(ng_query_parse(&q, ix, query, (size_t)-1));
    if (!q) return;
    NG_ASSERT_OK(ng_search(&r, ix, q, NULL));
    if (r) {
        CU_ASSERT_EQUAL(ng_results_total(r), n);
        CU_ASSERT_EQUAL(ng_results_count(r), n);
        for (i = 0; i < n && i < ng_results_count(r); i++) {
            ng_hit h;
            NG_ASSERT_OK(ng_results_hit(&h, r, i));
            CU_ASSERT_EQUAL(h.docnum, e[i].docnum);
            CU_ASSERT(fabs(h.score - e[i].score) <= 1e-9 * e[i].score);
            if (fabs(h.score - e[i].score) > 1e-9 * e[i].score)
                fprintf(stderr, "\n  [%s] hit %zu: %.17g, expected %.17g", query, i, h.score, e[i].score);
        }
        {
            ng_hit h;
            CU_ASSERT_EQUAL(ng_results_hit(&h, r, n), NG_ENOTFOUND);
        }
        ng_results_free(r);
    }
    ng_query_free(q);
}

static void test_bm25_by_hand(void)
{
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    const double i1 = log(8.0 / 3.0), i2 = log(1.6);
    subdir(dir, sizeof dir, "bm25");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    NG_ASSERT_OK(add_doc(w, "d0", NULL, "a a b"));
    NG_ASSERT_OK(add_doc(w, "d1", "", "b c"));
    NG_ASSERT_OK(add_doc(w, "d2", NULL, "c c c d"));
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    {
        exp_hit e[] = {{0, i1 * 4.4 / 3.2}};
        expect(ix, "a", e, 1);
    }
    {
        exp_hit e[] = {{1, i2 * 2.2 / 1.9}, {0, i2 * 2.2 / 2.2}};
        expect(ix, "b", e, 2);
    }
    {
        exp_hit e[] = {{2, i2 * 6.6 / 4.5}, {1, i2 * 2.2 / 1.9}};
        expect(ix, "c", e, 2);
    }
    {
        exp_hit e[] = {{2, i1 * 2.2 / 2.5}, {1, i2 * 2.2 / 1.9}, {0, i2}};
        expect(ix, "b OR d", e, 3);
    }
    {
        exp_hit e[] = {{0, i1 * 4.4 / 3.2 + i2}};
        expect(ix, "a b", e, 1);
        expect(ix, "a AND b", e, 1);
    }
    {
        exp_hit e[] = {{1, i2 * 2.2 / 1.9}};
        expect(ix, "c -d", e, 1);
        expect(ix, "c NOT d", e, 1);
    }
    {
        exp_hit e[] = {{2, 2 * i2 * 4.4 / 3.5}};
        expect(ix, "\"c c\"", e, 1);
    }
    {
        /* custom k1 = 0 (tf saturates at once), b = 0: w = idf */
        ng_search_options so;
        ng_query *q;
        ng_results *r;
        ng_hit h;
        NG_ASSERT_OK(ng_search_options_init(&so, NG_SEARCH_OPTIONS_VERSION));
        so.k1 = 0;
        so.b = 0;
        NG_ASSERT_OK(ng_query_parse(&q, ix, "c", (size_t)-1));
        NG_ASSERT_OK(ng_search(&r, ix, q, &so));
        if (r && ng_results_hit(&h, r, 0) == NG_OK) {
            CU_ASSERT(fabs(h.score - i2) <= 1e-9 * i2);
            CU_ASSERT_EQUAL(h.docnum, 1); /* tie: document order */
        }
        ng_results_free(r);
        so.b = 2; /* out of range */
        CU_ASSERT_EQUAL(ng_search(&r, ix, q, &so), NG_EINVAL);
        CU_ASSERT_PTR_NULL(r);
        ng_query_free(q);
    }
    ng_index_free(ix);
}

/* ---------------------------------------------------------------- */
/* Error paths                                                       */

static void test_query_errors(void)
{
    ng_query *q = (ng_query *)1;
    CU_ASSERT_EQUAL(ng_query_parse(&q, g_ix, "\"unclosed", (size_t)-1), NG_EQUERY);
    CU_ASSERT_PTR_NULL(q);
    CU_ASSERT_EQUAL(ng_error_last()->code, NG_EQUERY);
    CU_ASSERT_EQUAL(ng_error_last()->offset, 0);
    CU_ASSERT_PTR_NOT_NULL(ng_error_last()->message);
    CU_ASSERT_EQUAL(ng_query_parse(&q, g_ix, "(Putin AND", (size_t)-1), NG_EQUERY);
    CU_ASSERT_PTR_NULL(q);
    CU_ASSERT_EQUAL(ng_query_parse(&q, g_ix, "Putin)", (size_t)-1), NG_EQUERY);
    CU_ASSERT_EQUAL(ng_error_last()->offset, 5);
    CU_ASSERT_EQUAL(ng_query_parse(&q, g_ix, "-Putin", (size_t)-1), NG_EQUERY);
    ng_error_clear();
    CU_ASSERT_EQUAL(ng_error_last()->code, NG_OK);
    CU_ASSERT_PTR_NOT_NULL(ng_strerror(NG_ECORRUPT));
}

static void test_open_errors(void)
{
    char dir[4200], man[4300];
    ng_index *ix = (ng_index *)1;
    char *data;
    size_t n;
    subdir(dir, sizeof dir, "does-not-exist");
    CU_ASSERT_EQUAL(ng_index_open(&ix, dir), NG_ENOTFOUND);
    CU_ASSERT_PTR_NULL(ix);

    /* copy of the corpus index's MANIFEST into fresh directories */
    snprintf(man, sizeof man, "%s/MANIFEST", corpus_ix);
    data = slurp(man, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    CU_ASSERT_FATAL(n > 32);

    /* a flipped byte */
    subdir(dir, sizeof dir, "bad-manifest");
    mkdir(dir, 0755);
    snprintf(man, sizeof man, "%s/MANIFEST", dir);
    data[n / 2] ^= 0x40;
    CU_ASSERT_EQUAL(spit(man, data, n), 0);
    CU_ASSERT_EQUAL(ng_index_open(&ix, dir), NG_ECORRUPT);
    CU_ASSERT_PTR_NULL(ix);
    data[n / 2] ^= 0x40;

    /* a future version (99), CRC left stale: either check may fire first */
    subdir(dir, sizeof dir, "v2-manifest");
    mkdir(dir, 0755);
    snprintf(man, sizeof man, "%s/MANIFEST", dir);
    data[8] = 99; data[9] = 0; data[10] = 0; data[11] = 0;
    CU_ASSERT_EQUAL(spit(man, data, n), 0);
    {
        int rc = ng_index_open(&ix, dir);
        CU_ASSERT(rc == NG_EVERSION || rc == NG_ECORRUPT);
    }
    /* version 99 with a valid file CRC: the version is what is wrong */
    {
        uint32_t c = crc32_ieee((const unsigned char *)data, n - 8);
        data[n - 8] = (char)(c & 0xFF);
        data[n - 7] = (char)(c >> 8 & 0xFF);
        data[n - 6] = (char)(c >> 16 & 0xFF);
        data[n - 5] = (char)(c >> 24 & 0xFF);
    }
    CU_ASSERT_EQUAL(spit(man, data, n), 0);
    CU_ASSERT_EQUAL(ng_index_open(&ix, dir), NG_EVERSION);
    CU_ASSERT_EQUAL(ng_error_last()->code, NG_EVERSION);
    CU_ASSERT_PTR_NULL(ix);
    free(data);
}

static int g_warnings, g_warn_line2;

static void on_log(int level, const char *msg, void *payload)
{
    (void)payload;
    if (level == NG_LOG_WARNING) {
        g_warnings++;
        if (strstr(msg, "bad.jsonl:2")) g_warn_line2++;
    }
}

static void test_bad_jsonl(void)
{
    static const char lines[] = "{\"id\":\"j1\",\"title\":\"first\",\"body\":\"kiwi mango\"}\n"
                                "{\"id\":\"j2\",\"body\": oops}\n"
                                "{\"id\":\"j3\",\"title\":\"third\",\"body\":\"kiwi papaya\"}\n";
    char dir[4200], src[4200];
    ng_writer_options o;
    ng_writer *w;
    ng_add_stats st;
    ng_index *ix;
    CU_ASSERT_EQUAL(ng_test_write("jsonl-src/bad.jsonl", lines, sizeof lines - 1), 0);
    subdir(src, sizeof src, "jsonl-src/bad.jsonl");
    subdir(dir, sizeof dir, "jsonl-ix");
    NG_ASSERT_OK(ng_writer_options_init(&o, NG_WRITER_OPTIONS_VERSION));
    o.log = on_log;
    g_warnings = g_warn_line2 = 0;
    NG_ASSERT_OK(ng_writer_open(&w, dir, &o));
    if (!w) return;
    NG_ASSERT_OK(ng_writer_add_path(&st, w, src));
    CU_ASSERT_EQUAL(st.docs_added, 2);
    CU_ASSERT_EQUAL(st.docs_skipped, 1);
    CU_ASSERT_EQUAL(g_warnings, 1);
    CU_ASSERT_EQUAL(g_warn_line2, 1);
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    CU_ASSERT_EQUAL(count_of(ix, "kiwi"), 2);
    CU_ASSERT_EQUAL(count_of(ix, "papaya"), 1);
    CU_ASSERT_EQUAL(count_of(ix, "oops"), 0);
    ng_index_free(ix);
}

static void test_writer_errors(void)
{
    char dir[4200], pid[32];
    ng_writer *w, *w2 = (ng_writer *)1;
    ng_document d;
    ng_writer_options o;
    ng_search_options so;
    ng_snippet_options sno = NG_SNIPPET_OPTIONS_INIT;
    subdir(dir, sizeof dir, "werr");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    memset(&d, 0, sizeof d);
    d.id = "x"; d.id_len = 1;
    d.title = "title only"; d.title_len = (size_t)-1;
    CU_ASSERT_EQUAL(ng_writer_add(w, &d), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_error_last()->code, NG_EINVAL);
    CU_ASSERT_EQUAL(ng_writer_open(&w2, dir, NULL), NG_ELOCKED);
    CU_ASSERT_PTR_NULL(w2);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, pid));
    CU_ASSERT_EQUAL(ng_writer_delete(w, "nope", (size_t)-1), NG_ENOTFOUND);
    ng_writer_free(w);
    /* the lock is released with the writer */
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    ng_writer_free(w);

    /* option versions */
    CU_ASSERT_EQUAL(ng_writer_options_init(&o, 99), NG_EINVAL);
    CU_ASSERT_EQUAL(ng_search_options_init(&so, 99), NG_EINVAL);
    NG_ASSERT_OK(ng_writer_options_init(&o, NG_WRITER_OPTIONS_VERSION));
    o.version = 99;
    CU_ASSERT_EQUAL(ng_writer_open(&w, dir, &o), NG_EINVAL);
    CU_ASSERT_PTR_NULL(w);
    {
        ng_query *q;
        ng_results *r;
        ng_buf t = NG_BUF_INIT;
        ng_range *rg;
        size_t nr;
        NG_ASSERT_OK(ng_query_parse(&q, g_ix, "Putin", (size_t)-1));
        NG_ASSERT_OK(ng_search_options_init(&so, NG_SEARCH_OPTIONS_VERSION));
        so.version = 99;
        CU_ASSERT_EQUAL(ng_search(&r, g_ix, q, &so), NG_EINVAL);
        sno.version = 99;
        CU_ASSERT_EQUAL(ng_snippet(&t, &rg, &nr, g_ix, q, 0, &sno), NG_EINVAL);
        ng_buf_dispose(&t);
        ng_query_free(q);
    }
}

static void test_version(void)
{
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", NG_VERSION_MAJOR, NG_VERSION_MINOR, NG_VERSION_PATCH);
    CU_ASSERT_STRING_EQUAL(ng_version(), want);
}

/* ---------------------------------------------------------------- */
/* Replacement, deletion, snapshots                                  */

static void test_replace_delete_snapshot(void)
{
    char dir[4200];
    ng_writer *w;
    ng_index *old, *ix;
    subdir(dir, sizeof dir, "replace");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    NG_ASSERT_OK(add_doc(w, "k", "t", "walrus first version"));
    NG_ASSERT_OK(add_doc(w, "k", "t", "penguin second version"));
    NG_ASSERT_OK(add_doc(w, "other", NULL, "unrelated version"));
    NG_ASSERT_OK(ng_writer_commit(w));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        CU_ASSERT_EQUAL(count_of(ix, "version"), 2);
        CU_ASSERT_EQUAL(count_of(ix, "walrus"), 0);
        CU_ASSERT_EQUAL(count_of(ix, "penguin"), 1);
        ng_index_free(ix);
    }
    /* replace a committed document */
    NG_ASSERT_OK(add_doc(w, "k", "t", "puffin third version"));
    NG_ASSERT_OK(ng_index_open(&old, dir)); /* before the commit */
    NG_ASSERT_OK(ng_writer_commit(w));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        ng_query *q;
        ng_results *r;
        ng_hit h;
        CU_ASSERT_EQUAL(count_of(ix, "version"), 2);
        CU_ASSERT_EQUAL(count_of(ix, "penguin"), 0);
        CU_ASSERT_EQUAL(count_of(ix, "puffin"), 1);
        NG_ASSERT_OK(ng_query_parse(&q, ix, "puffin", (size_t)-1));
        NG_ASSERT_OK(ng_search(&r, ix, q, NULL));
        if (r && ng_results_hit(&h, r, 0) == NG_OK) {
            ng_buf b = NG_BUF_INIT;
            NG_ASSERT_OK(ng_index_document(&b, ix, h.docnum, NG_FIELD_BODY));
            CU_ASSERT_STRING_EQUAL(b.ptr, "puffin third version");
            NG_ASSERT_OK(ng_index_document(&b, ix, h.docnum, NG_FIELD_ID));
            CU_ASSERT_STRING_EQUAL(b.ptr, "k");
            ng_buf_dispose(&b);
        }
        ng_results_free(r);
        ng_query_free(q);
        ng_index_free(ix);
    }
    if (old) { /* the old snapshot still sees the second version */
        CU_ASSERT_EQUAL(count_of(old, "penguin"), 1);
        CU_ASSERT_EQUAL(count_of(old, "puffin"), 0);
    }
    /* delete */
    NG_ASSERT_OK(ng_writer_delete(w, "k", (size_t)-1));
    NG_ASSERT_OK(ng_writer_commit(w));
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        ng_index_stats st;
        CU_ASSERT_EQUAL(count_of(ix, "version"), 1);
        CU_ASSERT_EQUAL(count_of(ix, "puffin"), 0);
        NG_ASSERT_OK(ng_index_stats_get(&st, ix));
        CU_ASSERT_EQUAL(st.docs, 1);
        NG_ASSERT_OK(ng_index_check(ix));
        ng_index_free(ix);
    }
    if (old) {
        CU_ASSERT_EQUAL(count_of(old, "penguin"), 1);
        CU_ASSERT_EQUAL(count_of(old, "version"), 2);
        ng_index_free(old);
    }
    CU_ASSERT_EQUAL(ng_writer_delete(w, "k", (size_t)-1), NG_ENOTFOUND);
    ng_writer_free(w);
}

/* Ids by document number: the first reads of a segment's store inflate
** the document's block, later ones come from a docid -> id table built
** from the id area (ng_store__id).  Both must give the id that was
** written, for every document of several segments, in any order, and
** leave the other fields of the same document as they were. */
static void test_ids_by_docnum(void)
{
    enum { N = 400 };
    char dir[4200], id[64], title[64];
    ng_writer *w;
    ng_index *ix;
    int i, pass;
    subdir(dir, sizeof dir, "ids");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (i = 0; i < N; i++) {
        /* ids of varied lengths; a third of them written twice (replaced) */
        snprintf(id, sizeof id, "%.*s-%d", 1 + i % 9, "abcdefghij", i);
        snprintf(title, sizeof title, "title %d", i);
        NG_ASSERT_OK(add_doc(w, id, title, "body words"));
        if (i % 3 == 0) NG_ASSERT_OK(add_doc(w, id, title, "body words again"));
        if (i == N / 2) NG_ASSERT_OK(ng_writer_commit(w)); /* two segments */
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < N; i++) {
            int k = pass ? N - 1 - i : i;
            uint64_t docnum;
            ng_buf b = NG_BUF_INIT;
            snprintf(id, sizeof id, "%.*s-%d", 1 + k % 9, "abcdefghij", k);
            snprintf(title, sizeof title, "title %d", k);
            NG_ASSERT_OK(ng_index_find(&docnum, ix, id, (size_t)-1));
            if (k % 2) { /* a field from the block first, then the id */
                NG_ASSERT_OK(ng_index_document(&b, ix, docnum, NG_FIELD_TITLE));
                CU_ASSERT_STRING_EQUAL(b.ptr, title);
            }
            NG_ASSERT_OK(ng_index_document(&b, ix, docnum, NG_FIELD_ID));
            CU_ASSERT_STRING_EQUAL(b.ptr, id);
            CU_ASSERT_EQUAL(b.size, strlen(id));
            NG_ASSERT_OK(ng_index_document(&b, ix, docnum, NG_FIELD_TITLE));
            CU_ASSERT_STRING_EQUAL(b.ptr, title);
            ng_buf_dispose(&b);
        }
    }
    NG_ASSERT_OK(ng_index_check(ix));
    ng_index_free(ix);
}

/* ---------------------------------------------------------------- */
/* Integrity check                                                   */

static void test_check_corrupt(void)
{
    char dir[4200], pst[4400] = "";
    ng_writer *w;
    ng_index *ix;
    DIR *d;
    struct dirent *e;
    ng_add_stats st;
    subdir(dir, sizeof dir, "check");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    NG_ASSERT_OK(ng_writer_add_path(&st, w, NG_CORPUS_DIR));
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (ix) {
        NG_ASSERT_OK(ng_index_check(ix));
        ng_index_free(ix);
    }
    d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".pst") == 0) snprintf(pst, sizeof pst, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    CU_ASSERT_FATAL(pst[0] != '\0');
    {
        size_t n;
        char *data = slurp(pst, &n);
        uint64_t meta_off = 0;
        int k;
        CU_ASSERT_PTR_NOT_NULL_FATAL(data);
        CU_ASSERT_FATAL(n > 16 + 24);
        for (k = 7; k >= 0; k--) meta_off = meta_off << 8 | (unsigned char)data[n - 24 + k];
        CU_ASSERT_FATAL(meta_off > 16 && meta_off <= n - 24);
        data[16 + (meta_off - 16) / 2] ^= 0x10; /* inside the body */
        CU_ASSERT_EQUAL(spit(pst, data, n), 0);
        free(data);
    }
    {
        int rc = ng_index_open(&ix, dir);
        CU_ASSERT(rc == NG_OK || rc == NG_ECORRUPT);
        if (ix) {
            CU_ASSERT_EQUAL(ng_index_check(ix), NG_ECORRUPT);
            CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, ".pst"));
            ng_index_free(ix);
        }
    }
}

/* ---------------------------------------------------------------- */
/* Allocation failures                                               */

static long g_alloc_n, g_fail_at;
static int g_failed;

static void *f_malloc(size_t n)
{
    if (++g_alloc_n == g_fail_at) { g_failed = 1; return NULL; }
    return malloc(n);
}

static void *f_realloc(void *p, size_t n)
{
    if (++g_alloc_n == g_fail_at) { g_failed = 1; return NULL; }
    return realloc(p, n);
}

/* Index two docs, search, snippet, count; 0 if everything succeeded. */
static int small_run(const char *dir)
{
    ng_writer *w = NULL;
    ng_index *ix = NULL;
    ng_query *q = NULL;
    ng_results *r = NULL;
    ng_buf t = NG_BUF_INIT;
    ng_range *rg = NULL;
    size_t nr;
    uint64_t cnt;
    ng_hit h;
    int rc;
    if ((rc = ng_writer_open(&w, dir, NULL)) != NG_OK) goto out;
    if ((rc = add_doc(w, "1", "Lavrov and Blinken", "Lavrov spoke with Blinken about troops. It was cold.")) != NG_OK) goto out;
    if ((rc = add_doc(w, "2", NULL, "Troops gathered near the border; Orb\xC3\xA1n met Putin.")) != NG_OK) goto out;
    if ((rc = add_doc(w, "1", "Lavrov again", "Lavrov replaced: troops, troops and more troops.")) != NG_OK) goto out;
    if ((rc = ng_writer_commit(w)) != NG_OK) goto out;
    ng_writer_free(w);
    w = NULL;
    if ((rc = ng_index_open(&ix, dir)) != NG_OK) goto out;
    if ((rc = ng_query_parse(&q, ix, "troops OR (\"lavrov replaced\" -putin)", (size_t)-1)) != NG_OK) goto out;
    if ((rc = ng_search(&r, ix, q, NULL)) != NG_OK) goto out;
    if ((rc = ng_results_hit(&h, r, 0)) != NG_OK) goto out;
    if ((rc = ng_snippet(&t, &rg, &nr, ix, q, h.docnum, NULL)) != NG_OK) goto out;
    if ((rc = ng_search_count(&cnt, ix, q)) != NG_OK) goto out;
    if ((rc = ng_index_check(ix)) != NG_OK) goto out;
    if (cnt != 2) rc = 1; /* a wrong answer */
out:
    ng_ranges_free(rg);
    ng_buf_dispose(&t);
    ng_results_free(r);
    ng_query_free(q);
    ng_index_free(ix);
    ng_writer_free(w);
    return rc;
}

static void test_alloc_failures(void)
{
    char dir[4200];
    long n;
    int bad_rc = 0, done = 0;
    ng_set_allocator(f_malloc, f_realloc, free);
    for (n = 1; n < 20000 && !done; n++) {
        int rc;
        snprintf(dir, sizeof dir, "%s/oom-%ld", ng_test_tmpdir, n);
        g_alloc_n = 0;
        g_fail_at = n;
        g_failed = 0;
        rc = small_run(dir);
        g_fail_at = 0;
        if (!g_failed) {
            NG_ASSERT_OK(rc); /* nothing failed: everything must have worked */
            done = 1;
        } else if (rc > 0) {
            /* an injected failure was swallowed and produced a wrong answer */
            if (bad_rc < 5) fprintf(stderr, "\n  allocation %ld failed -> wrong answer", n);
            bad_rc++;
        } else if (rc < 0 && rc != NG_ENOMEM && rc != NG_EIO && rc != NG_ERROR && rc != NG_ENOTFOUND) {
            if (bad_rc < 5) fprintf(stderr, "\n  allocation %ld failed -> %d (%s)", n, rc, ng_strerror(rc));
            bad_rc++;
        }
        {
            char cmd[4400];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
            if (system(cmd) != 0) {}
        }
    }
    ng_set_allocator(NULL, NULL, NULL);
    fprintf(stderr, "\n  allocation failure injection: %ld runs", n - 1);
    CU_ASSERT(done);
    CU_ASSERT_EQUAL(bad_rc, 0);
}

/* ---------------------------------------------------------------- */
/* Sorting by date, totals, option versions                          */

typedef struct dated {
    uint64_t docnum;
    int32_t day; /* INT32_MIN: undated */
} dated;

static int collect_doc(uint64_t docnum, void *payload)
{
    dated **v = payload;
    size_t n = 0;
    while ((*v)[n].docnum != UINT64_MAX) n++;
    (*v)[n].docnum = docnum;
    (*v)[n + 1].docnum = UINT64_MAX;
    return 0;
}

/* Newest first, undated last, ties by document order: the promised order. */
static int cmp_date_order(const void *a, const void *b)
{
    const dated *x = a, *y = b;
    if (x->day != y->day) return x->day > y->day ? -1 : 1;
    return x->docnum < y->docnum ? -1 : x->docnum > y->docnum;
}

static void test_sort_date_api(void)
{
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    ng_query *q;
    dated *all;
    size_t n = 0, i, off;
    int id;
    subdir(dir, sizeof dir, "sortdate");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (id = 0; id < 60; id++) { /* dates repeat (ties), every 7th undated */
        ng_document d;
        char idb[16], date[16], body[64];
        memset(&d, 0, sizeof d);
        snprintf(idb, sizeof idb, "d%d", id);
        snprintf(date, sizeof date, "2021-%02d-%02d", 1 + (id * 5) % 12, 1 + (id * 11) % 3);
        snprintf(body, sizeof body, "walrus %s", id % 3 ? "penguin" : "walrus walrus");
        d.id = idb; d.id_len = (size_t)-1;
        d.body = body; d.body_len = (size_t)-1;
        if (id % 7) { d.date = date; d.date_len = strlen(date); }
        NG_ASSERT_OK(ng_writer_add(w, &d));
        if (id == 30) NG_ASSERT_OK(ng_writer_commit(w)); /* two segments */
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    NG_ASSERT_OK(ng_query_parse(&q, ix, "walrus", (size_t)-1));
    /* the oracle: every match with the date stored for it, sorted */
    all = malloc(62 * sizeof *all);
    all[0].docnum = UINT64_MAX;
    NG_ASSERT_OK(ng_search_each(ix, q, collect_doc, &all));
    while (all[n].docnum != UINT64_MAX) n++;
    CU_ASSERT_EQUAL(n, 60);
    for (i = 0; i < n; i++) {
        ng_buf b = NG_BUF_INIT;
        int32_t first, last;
        NG_ASSERT_OK(ng_index_document(&b, ix, all[i].docnum, NG_FIELD_DATE));
        all[i].day = b.size && ng_date_range(&first, &last, b.ptr, b.size) == NG_OK ? first : INT32_MIN;
        ng_buf_dispose(&b);
    }
    qsort(all, n, sizeof *all, cmp_date_order);
    for (off = 0; off < 60; off += 17) {
        ng_search_options so;
        ng_results *r = NULL, *all_scores = NULL;
        NG_ASSERT_OK(ng_search_options_init(&so, NG_SEARCH_OPTIONS_VERSION));
        so.limit = 60; /* the scores of every match, by BM25 */
        NG_ASSERT_OK(ng_search(&all_scores, ix, q, &so));
        so.sort = NG_SORT_DATE;
        so.limit = 12;
        so.offset = off;
        NG_ASSERT_OK(ng_search(&r, ix, q, &so));
        if (!r || !all_scores) break;
        CU_ASSERT_EQUAL(ng_results_total(r), 60);
        CU_ASSERT(ng_results_total_exact(r));
        CU_ASSERT_EQUAL(ng_results_count(r), off + 12 <= 60 ? 12 : 60 - off);
        for (i = 0; i < ng_results_count(r); i++) {
            ng_hit h, g;
            size_t j;
            NG_ASSERT_OK(ng_results_hit(&h, r, i));
            CU_ASSERT_EQUAL(h.docnum, all[off + i].docnum);
            /* its score is its BM25 score */
            for (j = 0; j < ng_results_count(all_scores); j++)
                if (ng_results_hit(&g, all_scores, j) == NG_OK && g.docnum == h.docnum)
                    CU_ASSERT(fabs(g.score - h.score) <= 1e-9 * g.score);
        }
        ng_results_free(r);
        ng_results_free(all_scores);
    }
    free(all);
    ng_query_free(q);
    ng_index_free(ix);
}

/* Totals: exact with NG_TOTAL_EXACT (= ng_search_count), a lower bound by
** default, flagged as such; version-1 option structs keep exact totals and
** their later fields are neither written nor read. */
static void test_totals_and_versions(void)
{
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    ng_query *q;
    uint64_t count = 0;
    int id;
    subdir(dir, sizeof dir, "totals");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (id = 0; id < 3000; id++) { /* "common" in every doc, a few rich ones first */
        char idb[16], body[96];
        snprintf(idb, sizeof idb, "t%d", id);
        snprintf(body, sizeof body, "%s filler words here %d", id < 20 ? "common common common" : "common", id);
        NG_ASSERT_OK(add_doc(w, idb, NULL, body));
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    NG_ASSERT_OK(ng_query_parse(&q, ix, "common", (size_t)-1));
    NG_ASSERT_OK(ng_search_count(&count, ix, q));
    CU_ASSERT_EQUAL(count, 3000);
    {
        ng_search_options so;
        ng_results *lb = NULL, *ex = NULL, *nul = NULL, *few = NULL;
        ng_hit a, b;
        size_t i;
        NG_ASSERT_OK(ng_search_options_init(&so, NG_SEARCH_OPTIONS_VERSION));
        CU_ASSERT_EQUAL(so.total_mode, NG_TOTAL_LOWER_BOUND);
        NG_ASSERT_OK(ng_search(&lb, ix, q, &so));
        NG_ASSERT_OK(ng_search(&nul, ix, q, NULL));
        so.total_mode = NG_TOTAL_EXACT;
        NG_ASSERT_OK(ng_search(&ex, ix, q, &so));
        so.limit = 0; /* count only: always exact */
        so.total_mode = NG_TOTAL_LOWER_BOUND;
        NG_ASSERT_OK(ng_search(&few, ix, q, &so));
        if (lb && ex && nul && few) {
            CU_ASSERT_EQUAL(ng_results_total(ex), count);
            CU_ASSERT(ng_results_total_exact(ex));
            CU_ASSERT(ng_results_total(lb) >= 10 && ng_results_total(lb) <= count);
            /* the rich documents win early: pruning must have skipped most */
            CU_ASSERT(ng_results_total(lb) < count);
            CU_ASSERT(!ng_results_total_exact(lb));
            CU_ASSERT_EQUAL(ng_results_total(nul), ng_results_total(lb));
            CU_ASSERT(!ng_results_total_exact(nul));
            CU_ASSERT_EQUAL(ng_results_total(few), count);
            CU_ASSERT(ng_results_total_exact(few));
            CU_ASSERT_EQUAL(ng_results_count(lb), 10);
            CU_ASSERT_EQUAL(ng_results_count(ex), 10);
            for (i = 0; i < 10; i++) { /* the same hits either way */
                NG_ASSERT_OK(ng_results_hit(&a, lb, i));
                NG_ASSERT_OK(ng_results_hit(&b, ex, i));
                CU_ASSERT(a.docnum == b.docnum && a.score == b.score);
            }
        }
        ng_results_free(lb);
        ng_results_free(ex);
        ng_results_free(nul);
        ng_results_free(few);
        so.total_mode = 7;
        so.limit = 10;
        CU_ASSERT_EQUAL(ng_search(&lb, ix, q, &so), NG_EINVAL);
    }
    {
        /* a version-1 struct is the fields up to b: guard bytes after it
           must stay untouched by init and must not be read by the search */
        union {
            ng_search_options o;
            unsigned char bytes[sizeof(ng_search_options)];
        } u;
        size_t v1 = offsetof(ng_search_options, b) + sizeof(double), i;
        ng_results *r = NULL;
        int untouched = 1;
        memset(u.bytes, 0xA5, sizeof u.bytes);
        NG_ASSERT_OK(ng_search_options_init(&u.o, 1));
        for (i = v1; i < sizeof u.bytes; i++) untouched &= u.bytes[i] == 0xA5;
        CU_ASSERT(untouched);
        CU_ASSERT_EQUAL(u.o.version, 1);
        CU_ASSERT_EQUAL(u.o.limit, 10);
        NG_ASSERT_OK(ng_search(&r, ix, q, &u.o)); /* garbage after b: ignored */
        if (r) {
            CU_ASSERT_EQUAL(ng_results_total(r), count); /* version 1 promised exact totals */
            CU_ASSERT(ng_results_total_exact(r));
            CU_ASSERT_EQUAL(ng_results_count(r), 10);
        }
        ng_results_free(r);
        CU_ASSERT_EQUAL(ng_search_options_init(&u.o, 3), NG_EINVAL);
    }
    ng_query_free(q);
    ng_index_free(ix);
}

/* ---------------------------------------------------------------- */
/* Query language on the seed corpus: suggestions, name variants      */

/* Oracle: the corpus files (by id = path) whose text contains any of the
** needles, compared ASCII-case-insensitively; returns how many. */
static size_t grep_corpus(char ids[][4200], const char *const *needles, size_t nn)
{
    DIR *d = opendir(NG_CORPUS_DIR);
    struct dirent *e;
    size_t n = 0, k;
    if (!d) return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4200];
        char *text;
        int hit = 0;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", NG_CORPUS_DIR, e->d_name);
        if (!(text = slurp(path, NULL))) continue;
        for (k = 0; k < nn; k++) hit |= strcasestr(text, needles[k]) != NULL;
        if (hit && n < 8) snprintf(ids[n++], 4200, "%s", path);
        free(text);
    }
    closedir(d);
    return n;
}

/* The top 8 of query on ix (exact total when asked), or NULL if it fails. */
static ng_results *top8(ng_index *ix, const char *query, int exact_total)
{
    ng_query *q;
    ng_search_options so;
    ng_results *r = NULL;
    if (ng_query_parse(&q, ix, query, (size_t)-1) != NG_OK) return NULL;
    ng_search_options_init(&so, NG_SEARCH_OPTIONS_VERSION);
    so.limit = 8;
    if (exact_total) so.total_mode = NG_TOTAL_EXACT;
    if (ng_search(&r, ix, q, &so) != NG_OK) r = NULL;
    ng_query_free(q);
    return r;
}

/* The ids of every match of query on the corpus index (at most 8). */
static size_t match_ids(char ids[][4200], const char *query, uint64_t *docnums)
{
    ng_results *r = top8(g_ix, query, 1);
    size_t n = 0, i;
    if (!r) return (size_t)-1;
    for (i = 0; i < ng_results_count(r) && i < 8; i++) {
        ng_hit h;
        ng_buf b = NG_BUF_INIT;
        if (ng_results_hit(&h, r, i) != NG_OK || ng_index_document(&b, g_ix, h.docnum, NG_FIELD_ID) != NG_OK) continue;
        snprintf(ids[n], 4200, "%.*s", (int)b.size, b.ptr ? b.ptr : "");
        docnums[n++] = h.docnum;
        ng_buf_dispose(&b);
    }
    CU_ASSERT_EQUAL(ng_results_total(r), n);
    ng_results_free(r);
    return n;
}

static int has_id(char ids[][4200], size_t n, const char *id)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0) return 1;
    return 0;
}

/* Each spelling finds the documents of every spelling (the grep oracle),
** and ng_query_matched_words names the variant each document spells. */
static void check_variants(const char *const *queries, size_t nq, const char *const *needles, size_t nn)
{
    static char want[8][4200], got[8][4200];
    uint64_t docnums[8];
    size_t nw = grep_corpus(want, needles, nn), i, j;
    CU_ASSERT(nw >= 2); /* the corpus really has several spellings */
    for (i = 0; i < nq; i++) {
        size_t ng = match_ids(got, queries[i], docnums);
        CU_ASSERT_EQUAL(ng, nw);
        if (ng != nw) fprintf(stderr, "\n  [%s]: %zu documents, grep finds %zu", queries[i], ng, nw);
        for (j = 0; j < ng && j < 8; j++) {
            ng_query *q;
            ng_buf mw = NG_BUF_INIT;
            char *text = slurp(got[j], NULL);
            const char *p;
            CU_ASSERT(has_id(want, nw, got[j]));
            NG_ASSERT_OK(ng_query_parse(&q, g_ix, queries[i], (size_t)-1));
            NG_ASSERT_OK(ng_query_matched_words(&mw, g_ix, q, docnums[j]));
            CU_ASSERT(mw.size > 0);
            /* every matched word is spelled so in the file and is a variant */
            for (p = mw.ptr; text && p && p < mw.ptr + mw.size;) {
                const char *nl = memchr(p, '\n', (size_t)(mw.ptr + mw.size - p));
                size_t len = nl ? (size_t)(nl - p) : (size_t)(mw.ptr + mw.size - p), k;
                char word[128];
                int variant = 0;
                snprintf(word, sizeof word, "%.*s", (int)len, p);
                CU_ASSERT_PTR_NOT_NULL(strstr(text, word));
                for (k = 0; k < nn; k++) variant |= strncasecmp(word, needles[k], strlen(needles[k])) == 0;
                CU_ASSERT(variant);
                if (!variant) fprintf(stderr, "\n  [%s] matched '%s'", queries[i], word);
                p = nl ? nl + 1 : NULL;
            }
            ng_buf_dispose(&mw);
            ng_query_free(q);
            free(text);
        }
    }
}

static void test_name_variants(void)
{
    static const char *const zq[] = {"Zelensky", "Zelenskyy", "\xD0\x97\xD0\xB5\xD0\xBB\xD0\xB5\xD0\xBD\xD1\x81\xD1\x8C\xD0\xBA\xD0\xB8\xD0\xB9"};
    static const char *const zn[] = {"zelensk", "\xD0\x97\xD0\xB5\xD0\xBB\xD0\xB5\xD0\xBD\xD1\x81\xD1\x8C\xD0\xBA"};
    static const char *const sq[] = {"Sergei", "Sergey"};
    static const char *const sn[] = {"sergei", "sergey"};
    static const char *const oq[] = {"Orb\xC3\xA1n", "Orban"};
    static const char *const on[] = {"orban", "orb\xC3\xA1n"};
    check_variants(zq, 3, zn, 2);
    check_variants(sq, 2, sn, 2);
    check_variants(oq, 2, on, 2);
}

/* The hits of query on ix, docnums and scores, at most 8. */
static size_t ranked(ng_index *ix, const char *query, uint64_t *docnums, double *scores)
{
    ng_results *r = top8(ix, query, 0);
    size_t n = 0, i;
    if (!r) return (size_t)-1;
    for (i = 0; i < ng_results_count(r) && i < 8; i++) {
        ng_hit h;
        if (ng_results_hit(&h, r, i) != NG_OK) continue;
        docnums[n] = h.docnum;
        scores[n++] = h.score;
    }
    ng_results_free(r);
    return n;
}

/* Does the capitalised query rank exactly as the lowercase one? */
static int ranks_as_lowercase(ng_index *ix, const char *cap, const char *low)
{
    uint64_t da[8], db[8];
    double sa[8], sb[8];
    size_t na = ranked(ix, cap, da, sa), nb = ranked(ix, low, db, sb), k;
    CU_ASSERT(na == 5 && nb == 5);
    if (na != nb || na > 8) return 0; /* (size_t)-1: a parse failed */
    for (k = 0; k < na; k++)
        if (da[k] != db[k] || sa[k] != sb[k]) return 0;
    return 1;
}

/* A capitalised function word has no name key, so it ranks exactly as the
** lowercase word.  An ordinary capitalised word keeps its key: only d0
** spells it capitalised, so the key is rare and d0 scores by it. */
static void test_function_words_no_names(void)
{
    char dir[4200];
    ng_writer *w;
    ng_index *ix;
    int i;
    subdir(dir, sizeof dir, "funcwords");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    NG_ASSERT_OK(add_doc(w, "d0", NULL, "The Report came in March. However late, With care."));
    for (i = 1; i <= 4; i++)
        NG_ASSERT_OK(add_doc(w, i == 1 ? "d1" : i == 2 ? "d2" : i == 3 ? "d3" : "d4", NULL,
                             "the report of march, however the report came with the rest"));
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    CU_ASSERT(ranks_as_lowercase(ix, "The", "the"));
    CU_ASSERT(ranks_as_lowercase(ix, "However", "however"));
    CU_ASSERT(ranks_as_lowercase(ix, "With", "with"));
    CU_ASSERT(ranks_as_lowercase(ix, "March", "march"));
    CU_ASSERT(!ranks_as_lowercase(ix, "Report", "report"));
    ng_index_free(ix);
}

static void test_suggest(void)
{
    static char ids[8][4200];
    static const char *const typo[] = {"lavorv"}, *const right[] = {"lavrov"};
    ng_query *q;
    ng_buf b = NG_BUF_INIT;
    /* the oracle: the typo is in no file, the name is */
    CU_ASSERT_EQUAL(grep_corpus(ids, typo, 1), 0);
    CU_ASSERT(grep_corpus(ids, right, 1) > 0);
    NG_ASSERT_OK(ng_query_parse(&q, g_ix, "Lavorv troops", (size_t)-1));
    NG_ASSERT_OK(ng_query_suggest(&b, g_ix, q));
    CU_ASSERT(b.size == strlen("lavrov troops") && memcmp(b.ptr, "lavrov troops", b.size) == 0);
    ng_buf_dispose(&b);
    ng_query_free(q);
    /* nothing to suggest for words the index has */
    NG_ASSERT_OK(ng_query_parse(&q, g_ix, "Lavrov troops", (size_t)-1));
    NG_ASSERT_OK(ng_query_suggest(&b, g_ix, q));
    CU_ASSERT_EQUAL(b.size, 0);
    ng_buf_dispose(&b);
    ng_query_free(q);
}

/* A prefix expands to at most 512 lexicon words; past that NG_ELIMIT at
** the word's position in the query. */
static void test_prefix_cap(void)
{
    static const char cons[] = "bcdfghjklmnpqrstvwxz";
    char dir[4200];
    ng_writer *w;
    ng_index *ix = NULL;
    ng_query *q = NULL;
    uint64_t n = 0;
    const char *query = "walrus OR  zq*";
    int i;
    subdir(dir, sizeof dir, "prefixcap");
    NG_ASSERT_OK(ng_writer_open(&w, dir, NULL));
    if (!w) return;
    for (i = 0; i <= 512; i++) { /* 513 distinct words zq...; consonants: no stemming */
        char idb[16], body[16];
        snprintf(idb, sizeof idb, "w%d", i);
        snprintf(body, sizeof body, "zq%c%c%c", cons[i % 20], cons[(i / 20) % 20], cons[i / 400]);
        NG_ASSERT_OK(add_doc(w, idb, NULL, body));
        if (i == 511) { /* 512 words: the cap is inclusive */
            NG_ASSERT_OK(ng_writer_commit(w));
            NG_ASSERT_OK(ng_index_open(&ix, dir));
            NG_ASSERT_OK(ng_query_parse(&q, ix, query, (size_t)-1));
            NG_ASSERT_OK(ng_search_count(&n, ix, q));
            CU_ASSERT_EQUAL(n, 512);
            ng_query_free(q);
            ng_index_free(ix);
        }
    }
    NG_ASSERT_OK(ng_writer_commit(w));
    ng_writer_free(w);
    NG_ASSERT_OK(ng_index_open(&ix, dir));
    if (!ix) return;
    q = NULL;
    CU_ASSERT_EQUAL(ng_query_parse(&q, ix, query, (size_t)-1), NG_ELIMIT);
    CU_ASSERT_PTR_NULL(q);
    CU_ASSERT_EQUAL(ng_error_last()->code, NG_ELIMIT);
    CU_ASSERT_EQUAL(ng_error_last()->offset, (size_t)(strstr(query, "zq*") - query));
    CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, "512"));
    ng_query_free(q);
    ng_index_free(ix);
}

static CU_TestInfo tests[] = {
    {"corpus: terms, folding, highlights", test_corpus_search},
    {"corpus: phrase against grep", test_corpus_phrase},
    {"bm25 by hand", test_bm25_by_hand},
    {"query syntax errors", test_query_errors},
    {"open errors: missing, corrupt, version", test_open_errors},
    {"bad jsonl line is skipped and logged", test_bad_jsonl},
    {"ids by document number, from blocks and the id table", test_ids_by_docnum},
    {"writer errors, lock, option versions", test_writer_errors},
    {"version", test_version},
    {"replace, delete, snapshots", test_replace_delete_snapshot},
    {"check detects a corrupt postings file", test_check_corrupt},
    {"sort by date through the API", test_sort_date_api},
    {"exact and lower-bound totals, option versions", test_totals_and_versions},
    {"name variants on the corpus, matched words", test_name_variants},
    {"function words get no name key", test_function_words_no_names},
    {"did you mean: Lavorv", test_suggest},
    {"prefix expansion cap", test_prefix_cap},
    {"allocation failure injection", test_alloc_failures},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"api", suite_init, suite_clean, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};
