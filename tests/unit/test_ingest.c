/*
** test_ingest.c -- unit tests of src/ingest: directory walks, text files,
** JSON Lines (plain and gzip), and the JSON object parser.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ng_int.h"
#include "ng_test.h"

/* ------------------------------------------------------------------ */
/* Capture of warnings and documents                                   */
/* ------------------------------------------------------------------ */

#define MAX_CAP 64

static char warns[MAX_CAP][1024];
static int nwarns;

static void log_cb(int level, const char *msg, void *payload)
{
    (void)payload;
    if (level == NG_LOG_WARNING && nwarns < MAX_CAP) snprintf(warns[nwarns++], sizeof warns[0], "%s", msg);
}

static const ng_logger logger = {log_cb, NULL};

typedef struct cap_doc {
    char id[512], title[512], date[32], url[128], path[512];
    char body[128]; /* first bytes */
    size_t body_len, title_len;
    uint64_t line, size;
    int64_t mtime_ns;
} cap_doc;

static cap_doc docs[MAX_CAP];
static int ndocs;
static int stop_after; /* nonzero: return 42 at this document */

static void copyn(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int doc_cb(void *payload, const ng_source_doc *sd)
{
    cap_doc *d;
    (void)payload;
    if (ndocs >= MAX_CAP) return 0;
    d = &docs[ndocs++];
    copyn(d->id, sizeof d->id, sd->doc.id, sd->doc.id_len);
    copyn(d->title, sizeof d->title, sd->doc.title, sd->doc.title_len);
    copyn(d->date, sizeof d->date, sd->doc.date, sd->doc.date_len);
    copyn(d->url, sizeof d->url, sd->doc.url, sd->doc.url_len);
    copyn(d->body, sizeof d->body, sd->doc.body, sd->doc.body_len);
    copyn(d->path, sizeof d->path, sd->path, strlen(sd->path));
    d->body_len = sd->doc.body_len;
    d->title_len = sd->doc.title_len;
    d->line = sd->line;
    d->size = sd->size;
    d->mtime_ns = sd->mtime_ns;
    if (stop_after && ndocs == stop_after) return 42;
    return 0;
}

static void reset(void)
{
    nwarns = 0;
    ndocs = 0;
    stop_after = 0;
}

static char *tpath(const char *rel)
{
    static char buf[4][8192];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", ng_test_tmpdir, rel);
    return buf[k];
}

static int run(const char *rel, ng_ingest_stats *st)
{
    reset();
    return ng_ingest__path(st, tpath(rel), &logger, doc_cb, NULL);
}

static int find_warn(const char *text)
{
    int i;
    for (i = 0; i < nwarns; i++)
        if (strcmp(warns[i], text) == 0) return 1;
    return 0;
}

#define PUT(rel, str) NG_ASSERT_OK(ng_test_write((rel), (str), strlen(str)))

/* ------------------------------------------------------------------ */
/* Walks                                                               */
/* ------------------------------------------------------------------ */

static void test_walk_order(void)
{
    ng_ingest_stats st;
    static const char *const want[] = {"w/C.txt", "w/a.txt", "w/b.txt", "w/sub/x.txt", "w/sub/z/deep.txt",
                                       "w/sub.txt"};
    size_t i;
    PUT("w/b.txt", "bee\n");
    PUT("w/a.txt", "ay\n");
    PUT("w/C.txt", "cee\n");
    PUT("w/sub.txt", "sub file\n");
    PUT("w/sub/x.txt", "x\n");
    PUT("w/sub/z/deep.txt", "deep\n");
    PUT("w/.hidden.txt", "hidden\n");
    PUT("w/.hdir/y.txt", "hidden dir\n");

    NG_ASSERT_OK(run("w", &st));
    CU_ASSERT_EQUAL(ndocs, (int)NG_ARRAY_LEN(want));
    CU_ASSERT_EQUAL(nwarns, 0);
    CU_ASSERT_EQUAL(st.docs, NG_ARRAY_LEN(want));
    CU_ASSERT_EQUAL(st.skipped, 0);
    CU_ASSERT_EQUAL(st.bytes, 4 + 3 + 4 + 9 + 2 + 5);
    for (i = 0; i < NG_ARRAY_LEN(want) && (int)i < ndocs; i++) {
        CU_ASSERT_STRING_EQUAL(docs[i].id, tpath(want[i]));
        CU_ASSERT_STRING_EQUAL(docs[i].path, tpath(want[i]));
        CU_ASSERT_EQUAL(docs[i].line, 0);
    }

    /* trailing slashes: the same ids, no "//" */
    NG_ASSERT_OK(run("w/", NULL));
    CU_ASSERT_EQUAL(ndocs, (int)NG_ARRAY_LEN(want));
    if (ndocs > 3) CU_ASSERT_STRING_EQUAL(docs[3].id, tpath("w/sub/x.txt"));
    NG_ASSERT_OK(run("w//", NULL));
    if (ndocs > 0) CU_ASSERT_STRING_EQUAL(docs[0].id, tpath("w/C.txt"));

    /* a single file argument: its id is the argument */
    NG_ASSERT_OK(run("w/sub/x.txt", &st));
    CU_ASSERT_EQUAL(ndocs, 1);
    CU_ASSERT_STRING_EQUAL(docs[0].id, tpath("w/sub/x.txt"));
    CU_ASSERT_EQUAL(st.docs, 1);

    /* relative argument as grep prints it */
    {
        char cwd[4096];
        CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
        NG_ASSERT_OK(chdir(ng_test_tmpdir));
        reset();
        NG_ASSERT_OK(ng_ingest__path(NULL, "w/sub/", &logger, doc_cb, NULL));
        CU_ASSERT_EQUAL(ndocs, 2);
        CU_ASSERT_STRING_EQUAL(docs[0].id, "w/sub/x.txt");
        CU_ASSERT_STRING_EQUAL(docs[1].id, "w/sub/z/deep.txt");
        NG_ASSERT_OK(chdir(cwd));
    }
}

static void test_text_fields(void)
{
    char big[400];
    struct stat sb;
    const char *text = "\n  \t\r\n   Troops move north  \r\nSecond line.\n";
    PUT("t/2024-02-29-report.txt", text);
    PUT("t/2023-02-29.txt", "not a leap year\n");
    PUT("t/2024-13-01.txt", "bad month\n");
    PUT("t/2024-04-31.txt", "bad day\n");
    PUT("t/2000-02-29.txt", "leap 2000\n");
    PUT("t/1999-12-310.txt", "digit after\n");
    /* 299 ASCII bytes then a 2-byte character straddling the 300 limit */
    memset(big, 'a', 299);
    memcpy(big + 299, "\xc3\xa9 tail\n", 8);
    NG_ASSERT_OK(ng_test_write("t/long.txt", big, 299 + 8));
    PUT("t/blank.txt", "  \n\t\n");

    NG_ASSERT_OK(run("t", NULL));
    CU_ASSERT_EQUAL_FATAL(ndocs, 8);
    /* sorted: 1999..., 2000..., 2023..., 2024-02..., 2024-04..., 2024-13..., blank, long */
    CU_ASSERT_STRING_EQUAL(docs[0].date, "");
    CU_ASSERT_STRING_EQUAL(docs[1].date, "2000-02-29");
    CU_ASSERT_STRING_EQUAL(docs[1].title, "leap 2000");
    CU_ASSERT_STRING_EQUAL(docs[2].date, "");
    CU_ASSERT_STRING_EQUAL(docs[3].id, tpath("t/2024-02-29-report.txt"));
    CU_ASSERT_STRING_EQUAL(docs[3].title, "Troops move north");
    CU_ASSERT_STRING_EQUAL(docs[3].date, "2024-02-29");
    CU_ASSERT_STRING_EQUAL(docs[3].url, "");
    CU_ASSERT_EQUAL(docs[3].body_len, strlen(text));
    CU_ASSERT_STRING_EQUAL(docs[3].body, text);
    CU_ASSERT_EQUAL(docs[3].size, strlen(text));
    NG_ASSERT_OK(stat(tpath("t/2024-02-29-report.txt"), &sb));
    CU_ASSERT_EQUAL(docs[3].mtime_ns, (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec);
    CU_ASSERT_STRING_EQUAL(docs[4].date, "");
    CU_ASSERT_STRING_EQUAL(docs[5].date, "");
    CU_ASSERT_STRING_EQUAL(docs[6].title, "");
    CU_ASSERT_EQUAL(docs[7].title_len, 299);
    CU_ASSERT_EQUAL(nwarns, 0);
}

static void test_binary_and_empty(void)
{
    ng_ingest_stats st;
    char bin[3000], noise[4096], msg[8300];
    uint64_t seed = 7;
    size_t i;
    memset(bin, 'x', sizeof bin);
    bin[2000] = '\0';
    for (i = 0; i < sizeof noise; i++) noise[i] = (char)(0x80 | (ng_test_rand(&seed) & 0x7F));
    NG_ASSERT_OK(ng_test_write("b/a-nul.dat", bin, sizeof bin));
    NG_ASSERT_OK(ng_test_write("b/b-noise.txt", noise, sizeof noise));
    PUT("b/c-latin1.txt", "Caf\xe9 cr\xe8me br\xfbl\xe9" "e, a dessert of France.\n");
    PUT("b/d.gz", "not really gzip but named so\n");
    NG_ASSERT_OK(ng_test_write("b/e-empty.txt", "", 0));
    NG_ASSERT_OK(ng_test_write("b/f-empty.jsonl", "", 0));
    {
        gzFile g = gzopen(tpath("b/g-empty.jsonl.gz"), "wb"); /* a valid gzip of nothing */
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        CU_ASSERT_EQUAL(gzclose(g), Z_OK);
    }

    NG_ASSERT_OK(run("b", &st));
    CU_ASSERT_EQUAL(ndocs, 1);
    if (ndocs == 1) CU_ASSERT_STRING_EQUAL(docs[0].id, tpath("b/c-latin1.txt"));
    CU_ASSERT_EQUAL(st.docs, 1);
    CU_ASSERT_EQUAL(st.skipped, 6);
    CU_ASSERT_EQUAL(nwarns, 6);
    snprintf(msg, sizeof msg, "%s: binary file skipped", tpath("b/a-nul.dat"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: binary file skipped", tpath("b/b-noise.txt"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: binary file skipped", tpath("b/d.gz"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: empty file", tpath("b/e-empty.txt"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: empty file", tpath("b/f-empty.jsonl"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: empty file", tpath("b/g-empty.jsonl.gz"));
    CU_ASSERT(find_warn(msg));

    /* the sniffing itself */
    CU_ASSERT_FALSE(ng_ingest__looks_binary("plain text\n", 11, 1));
    CU_ASSERT_TRUE(ng_ingest__looks_binary("a\0b", 3, 1));
    CU_ASSERT_FALSE(ng_ingest__looks_binary("\xe2\x82\xac\xe2\x82", 5, 0)); /* cut by the sample */
    CU_ASSERT_TRUE(ng_ingest__looks_binary("\x01\x02\x03\x04xy", 6, 1));
}

/* ------------------------------------------------------------------ */
/* JSON Lines                                                          */
/* ------------------------------------------------------------------ */

static void test_jsonl_mixed(void)
{
    ng_ingest_stats st;
    char msg[8300];
    const char *p = tpath("j/mixed.jsonl");
    const char *data =
        "{\"id\":\"a\",\"body\":\"one\"}\n"                              /* 1 */
        "\n"                                                             /* 2 blank */
        "{\"id\":\"b\",\"body\":2}\n"                                    /* 3 body not a string */
        "not json\n"                                                     /* 4 */
        "{\"id\":\"c\",\"title\":\"T\",\"date\":\"2024-01-01\",\"url\":\"http://x\","
        "\"body\":\"three\",\"extra\":[1,{\"a\":null}]}\r\n"             /* 5 CRLF */
        "[1,2]\n"                                                        /* 6 */
        "{\"body\":\"no id\"}\n"                                         /* 7 */
        "{\"id\":\"d\",\"body\":\"x\"} x\n"                              /* 8 trailing */
        "{\"id\":\"e\"}\n"                                               /* 9 no body */
        "   \r\n"                                                        /* 10 blank */
        "{\"id\":\"f\",\"body\":\"last\"}";                              /* 11, no newline */
    PUT("j/mixed.jsonl", data);

    NG_ASSERT_OK(run("j/mixed.jsonl", &st));
    CU_ASSERT_EQUAL_FATAL(ndocs, 4);
    CU_ASSERT_STRING_EQUAL(docs[0].id, "a");
    CU_ASSERT_EQUAL(docs[0].line, 1);
    CU_ASSERT_STRING_EQUAL(docs[0].body, "one");
    CU_ASSERT_STRING_EQUAL(docs[0].title, "");
    CU_ASSERT_STRING_EQUAL(docs[1].id, "c");
    CU_ASSERT_EQUAL(docs[1].line, 5);
    CU_ASSERT_STRING_EQUAL(docs[1].title, "T");
    CU_ASSERT_STRING_EQUAL(docs[1].date, "2024-01-01");
    CU_ASSERT_STRING_EQUAL(docs[1].url, "http://x");
    CU_ASSERT_STRING_EQUAL(docs[1].body, "three");
    snprintf(msg, sizeof msg, "%s:7", p);
    CU_ASSERT_STRING_EQUAL(docs[2].id, msg);
    CU_ASSERT_EQUAL(docs[2].line, 7);
    CU_ASSERT_STRING_EQUAL(docs[3].id, "f");
    CU_ASSERT_EQUAL(docs[3].line, 11);
    CU_ASSERT_STRING_EQUAL(docs[3].path, p);
    CU_ASSERT_EQUAL(docs[3].size, strlen(data));

    CU_ASSERT_EQUAL(st.docs, 4);
    CU_ASSERT_EQUAL(st.skipped, 5);
    CU_ASSERT_EQUAL(st.bytes, strlen(data));
    CU_ASSERT_EQUAL(nwarns, 5);
    snprintf(msg, sizeof msg, "%s:3: column 18: \"body\" must be a string", p);
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s:4: column 1: not a json object", p);
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s:6: column 1: not a json object", p);
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s:8: column 23: trailing characters after the object", p);
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s:9: column 1: missing \"body\"", p);
    CU_ASSERT(find_warn(msg));
}

static void test_jsonl_gz(void)
{
    ng_ingest_stats st;
    char line[256], msg[8300];
    size_t total = 0;
    int i, n = 2000;
    gzFile g;
    PUT("g/readme.txt", "makes the directory\n");
    g = gzopen(tpath("g/news.jsonl.gz"), "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    for (i = 1; i <= n; i++) {
        int k = snprintf(line, sizeof line, "{\"id\":%d,\"body\":\"article number %d with some words %08x\"}\n",
                         i, i, (unsigned)(i * 2654435761u));
        CU_ASSERT_EQUAL(gzwrite(g, line, (unsigned)k), k);
        total += (size_t)k;
    }
    CU_ASSERT_EQUAL(gzclose(g), Z_OK);

    NG_ASSERT_OK(run("g/news.jsonl.gz", &st));
    CU_ASSERT_EQUAL(ndocs, MAX_CAP); /* capture is capped; count is in st */
    CU_ASSERT_EQUAL(st.docs, (uint64_t)n);
    CU_ASSERT_EQUAL(st.skipped, 0);
    CU_ASSERT_EQUAL(st.bytes, total);
    CU_ASSERT_EQUAL(nwarns, 0);
    CU_ASSERT_STRING_EQUAL(docs[0].id, "1");
    CU_ASSERT_STRING_EQUAL(docs[63].id, "64");
    CU_ASSERT_EQUAL(docs[63].line, 64);

    /* truncated: documents before the cut are delivered, then a warning
    ** naming the file and the line reached */
    {
        struct stat sb;
        NG_ASSERT_OK(stat(tpath("g/news.jsonl.gz"), &sb));
        NG_ASSERT_OK(truncate(tpath("g/news.jsonl.gz"), sb.st_size / 2));
        NG_ASSERT_OK(run("g/news.jsonl.gz", &st));
        CU_ASSERT(st.docs > 10 && st.docs < (uint64_t)n);
        CU_ASSERT_EQUAL(st.skipped, 1);
        CU_ASSERT_EQUAL_FATAL(nwarns, 1);
        snprintf(msg, sizeof msg, "%s:%llu: ", tpath("g/news.jsonl.gz"), (unsigned long long)st.docs + 1);
        CU_ASSERT_EQUAL(strncmp(warns[0], msg, strlen(msg)), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(warns[0], "gzip"));
    }

    /* a corrupted byte in the middle: a warning, not a crash */
    {
        int fd;
        g = gzopen(tpath("g/bad.jsonl.gz"), "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        for (i = 1; i <= 50; i++) {
            int k = snprintf(line, sizeof line, "{\"body\":\"line %d\"}\n", i);
            gzwrite(g, line, (unsigned)k);
        }
        gzclose(g);
        fd = open(tpath("g/bad.jsonl.gz"), O_RDWR);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL(pwrite(fd, "\xff\xff\xff\xff", 4, 30), 4);
        close(fd);
        NG_ASSERT_OK(run("g/bad.jsonl.gz", &st));
        CU_ASSERT(st.skipped >= 1);
        CU_ASSERT(nwarns >= 1);
        if (nwarns) CU_ASSERT_PTR_NOT_NULL(strstr(warns[nwarns - 1], tpath("g/bad.jsonl.gz")));
    }
}

static void test_jsonl_long_line(void)
{
    ng_ingest_stats st;
    char msg[8300];
    size_t biglen = NG_INGEST_LINE_MAX + 100, i;
    char *buf = malloc(biglen + 200);
    size_t n = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    n += (size_t)sprintf(buf + n, "{\"id\":\"first\",\"body\":\"a\"}\n{\"body\":\"");
    for (i = 0; i < biglen; i++) buf[n++] = 'x';
    n += (size_t)sprintf(buf + n, "\"}\n{\"id\":\"after\",\"body\":\"b\"}\n");
    NG_ASSERT_OK(ng_test_write("l/long.jsonl", buf, n));
    free(buf);

    NG_ASSERT_OK(run("l/long.jsonl", &st));
    CU_ASSERT_EQUAL_FATAL(ndocs, 2);
    CU_ASSERT_STRING_EQUAL(docs[0].id, "first");
    CU_ASSERT_STRING_EQUAL(docs[1].id, "after");
    CU_ASSERT_EQUAL(docs[1].line, 3);
    CU_ASSERT_EQUAL(st.skipped, 1);
    CU_ASSERT_EQUAL(st.bytes, n);
    snprintf(msg, sizeof msg, "%s:2: line longer than %zu bytes, skipped", tpath("l/long.jsonl"),
             NG_INGEST_LINE_MAX);
    CU_ASSERT(find_warn(msg));
    unlink(tpath("l/long.jsonl"));
}

static void test_text_cap(void)
{
    /* a sparse file just above the cap, with a 2-byte character across it */
    ng_ingest_stats st;
    char msg[8300];
    int fd;
    /* the first 8 KiB must be text (the rest is a hole of NUL bytes) */
    static char head[NG_INGEST_SNIFF + 100];
    memset(head, 'w', sizeof head);
    memcpy(head, "Huge headline\n", 14);
    NG_ASSERT_OK(ng_test_write("cap/huge.txt", head, sizeof head));
    fd = open(tpath("cap/huge.txt"), O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(pwrite(fd, "\xc3\xa9", 2, (off_t)NG_INGEST_TEXT_MAX - 1), 2);
    NG_ASSERT_OK(ftruncate(fd, (off_t)NG_INGEST_TEXT_MAX + 10));
    close(fd);
    NG_ASSERT_OK(run("cap", &st));
    CU_ASSERT_EQUAL_FATAL(ndocs, 1);
    CU_ASSERT_EQUAL(docs[0].body_len, NG_INGEST_TEXT_MAX - 1);
    CU_ASSERT_STRING_EQUAL(docs[0].title, "Huge headline");
    CU_ASSERT_EQUAL(docs[0].size, NG_INGEST_TEXT_MAX + 10);
    snprintf(msg, sizeof msg, "%s: larger than %zu bytes, truncated", tpath("cap/huge.txt"),
             NG_INGEST_TEXT_MAX);
    CU_ASSERT(find_warn(msg));
    unlink(tpath("cap/huge.txt"));
}

/* ------------------------------------------------------------------ */
/* Failures, loops, stopping                                           */
/* ------------------------------------------------------------------ */

static void test_symlink_loop(void)
{
    ng_ingest_stats st;
    char msg[8300];
    PUT("s/a.txt", "alpha\n");
    PUT("s/sub/b.txt", "beta\n");
    NG_ASSERT_OK(symlink("..", tpath("s/sub/back")));
    NG_ASSERT_OK(symlink("self", tpath("s/self")));
    NG_ASSERT_OK(symlink("nowhere", tpath("s/dangling")));
    NG_ASSERT_OK(symlink("sub", tpath("s/tosub"))); /* not a loop: visited twice */

    NG_ASSERT_OK(run("s", &st));
    CU_ASSERT_EQUAL(ndocs, 3);
    if (ndocs == 3) {
        CU_ASSERT_STRING_EQUAL(docs[0].id, tpath("s/a.txt"));
        CU_ASSERT_STRING_EQUAL(docs[1].id, tpath("s/sub/b.txt"));
        CU_ASSERT_STRING_EQUAL(docs[2].id, tpath("s/tosub/b.txt"));
    }
    snprintf(msg, sizeof msg, "%s: symbolic link loop, skipped", tpath("s/sub/back"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: symbolic link loop, skipped", tpath("s/self"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: dangling symbolic link, skipped", tpath("s/dangling"));
    CU_ASSERT(find_warn(msg));
    snprintf(msg, sizeof msg, "%s: symbolic link loop, skipped", tpath("s/tosub/back"));
    CU_ASSERT(find_warn(msg));
    CU_ASSERT_EQUAL(nwarns, 4);
    CU_ASSERT_EQUAL(st.skipped, 4);
}

static void test_unreadable(void)
{
    ng_ingest_stats st;
    char msg[8300];
    PUT("u/a.txt", "readable\n");
    PUT("u/b.txt", "secret\n");
    PUT("u/c.txt", "readable too\n");
    NG_ASSERT_OK(chmod(tpath("u/b.txt"), 0));
    NG_ASSERT_OK(run("u", &st));
    if (geteuid() == 0) {
        /* root reads anything: the permission check does not apply */
        CU_ASSERT_EQUAL(ndocs, 3);
    } else {
        CU_ASSERT_EQUAL(ndocs, 2);
        CU_ASSERT_EQUAL(st.skipped, 1);
        snprintf(msg, sizeof msg, "%s: permission denied, skipped", tpath("u/b.txt"));
        CU_ASSERT(find_warn(msg));
    }
    chmod(tpath("u/b.txt"), 0644);
}

static void test_not_found(void)
{
    ng_ingest_stats st;
    st.docs = 99;
    CU_ASSERT_EQUAL(run("does/not/exist", &st), NG_ENOTFOUND);
    CU_ASSERT_EQUAL(st.docs, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, tpath("does/not/exist")));
    CU_ASSERT_EQUAL(ndocs, 0);
    PUT("nf/file.txt", "x\n");
    CU_ASSERT_EQUAL(run("nf/file.txt/below", NULL), NG_ENOTFOUND);
}

static void test_stop(void)
{
    ng_ingest_stats st;
    PUT("stop/a.txt", "a\n");
    PUT("stop/b.jsonl", "{\"body\":\"1\"}\n{\"body\":\"2\"}\n{\"body\":\"3\"}\n");
    PUT("stop/c.txt", "c\n");
    reset();
    stop_after = 3;
    CU_ASSERT_EQUAL(ng_ingest__path(&st, tpath("stop"), &logger, doc_cb, NULL), 42);
    CU_ASSERT_EQUAL(ndocs, 3);
    CU_ASSERT_EQUAL(st.docs, 3);
    reset();
    stop_after = 1;
    CU_ASSERT_EQUAL(ng_ingest__path(NULL, tpath("stop"), &logger, doc_cb, NULL), 42);
    CU_ASSERT_EQUAL(ndocs, 1);
}

/* ------------------------------------------------------------------ */
/* The JSON parser                                                     */
/* ------------------------------------------------------------------ */

static ng_buf scratch = NG_BUF_INIT;

static int parse(ng_document *d, const char *s)
{
    return ng_ingest__parse_jsonl(d, &scratch, s, strlen(s));
}

/* Expect an NG_EINVAL whose message is exactly want. */
static void bad(const char *s, const char *want)
{
    ng_document d;
    CU_ASSERT_EQUAL(parse(&d, s), NG_EINVAL);
    if (strcmp(ng_error_last()->message, want) != 0) {
        fprintf(stderr, "\n  input %s\n  got   %s\n  want  %s\n", s, ng_error_last()->message, want);
        CU_FAIL("wrong error message");
    }
}

static void test_json_escapes(void)
{
    ng_document d;
    static const char want[] = "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd"
                               "x \xef\xbf\xbd \0end";
    NG_ASSERT_OK(parse(&d, "{\"body\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00 "
                           "\\ud800x \\udc00 \\u0000end\"}"));
    CU_ASSERT_EQUAL(d.body_len, sizeof want - 1);
    CU_ASSERT(memcmp(d.body, want, sizeof want - 1) == 0);
    CU_ASSERT_PTR_NULL(d.id);
    CU_ASSERT_EQUAL(d.id_len, 0);
    CU_ASSERT_EQUAL(d.title_len, 0);

    /* raw invalid UTF-8 kept as is; a BOM and surrounding space ignored */
    NG_ASSERT_OK(parse(&d, "\xef\xbb\xbf  {\"title\":\"\xff\xfe ok\",\"body\":\"\xc3\"}  \t"));
    CU_ASSERT_EQUAL(d.title_len, 5);
    CU_ASSERT(memcmp(d.title, "\xff\xfe ok", 5) == 0);
    CU_ASSERT_EQUAL(d.body_len, 1);

    /* escaped key names are keys like any other */
    NG_ASSERT_OK(parse(&d, "{\"\\u0062ody\":\"escaped key\",\"b\\u006fdy\\u0000\":1}"));
    CU_ASSERT_EQUAL(d.body_len, 11);

    bad("{\"body\":\"\\x\"}", "column 10: invalid escape");
    bad("{\"body\":\"\\u12G4\"}", "column 10: invalid \\u escape");
    bad("{\"body\":\"\\u12\"}", "column 10: invalid \\u escape");
    bad("{\"body\":\"tab\there\"}", "column 13: control character in string");
    bad("{\"body\":\"open", "column 14: unterminated string");
}

/* The string scanner reads 16 bytes a step: an escape, a control byte,
** the closing quote or the line's end at every offset of a step, behind
** plain ASCII and behind bytes >= 0x80 (which are plain). */
static void test_json_string_steps(void)
{
    char line[160], want[160];
    size_t k, w;
    int high;
    for (high = 0; high < 2; high++)
        for (k = 0; k < 40; k++) {
            ng_document d;
            int n = snprintf(line, sizeof line, "{\"body\":\"");
            for (w = 0; w < k; w++) line[n++] = want[w] = high ? (char)(0x80 + w) : (char)('a' + w % 26);
            memcpy(line + n, "\\n-z\"}", 7); /* escape, plain, quote */
            line[n + 7] = '\0';
            memcpy(want + k, "\n-z", 3);
            NG_ASSERT_OK(parse(&d, line));
            CU_ASSERT_EQUAL(d.body_len, k + 3);
            CU_ASSERT(memcmp(d.body, want, k + 3) == 0);
            {
                char msg[64];
                line[n] = '\t'; /* a raw control byte at column n + 1 */
                snprintf(msg, sizeof msg, "column %d: control character in string", n + 1);
                bad(line, msg);
                line[n] = '\0'; /* the line ends inside the string */
                snprintf(msg, sizeof msg, "column %d: unterminated string", n + 1);
                CU_ASSERT_EQUAL(ng_ingest__parse_jsonl(&d, &scratch, line, (size_t)n), NG_EINVAL);
                CU_ASSERT_STRING_EQUAL(ng_error_last()->message, msg);
            }
        }
}

static void test_json_ids(void)
{
    ng_document d;
    NG_ASSERT_OK(parse(&d, "{\"id\":12345678901234567890123456789,\"body\":\"x\"}"));
    CU_ASSERT_EQUAL(d.id_len, 29);
    CU_ASSERT(memcmp(d.id, "12345678901234567890123456789", 29) == 0);
    NG_ASSERT_OK(parse(&d, "{\"id\":-7,\"body\":\"x\"}"));
    CU_ASSERT(d.id_len == 2 && memcmp(d.id, "-7", 2) == 0);
    NG_ASSERT_OK(parse(&d, "{\"id\":0,\"body\":\"x\"}"));
    CU_ASSERT(d.id_len == 1 && d.id[0] == '0');
    NG_ASSERT_OK(parse(&d, "{\"id\":\"s1\",\"id\":null,\"body\":\"x\"}"));
    CU_ASSERT_PTR_NULL(d.id);
    bad("{\"id\":1.5,\"body\":\"x\"}", "column 7: \"id\" must be a string or an integer");
    bad("{\"id\":1e3,\"body\":\"x\"}", "column 7: \"id\" must be a string or an integer");
    bad("{\"id\":true,\"body\":\"x\"}", "column 7: \"id\" must be a string or an integer");
    bad("{\"id\":[1],\"body\":\"x\"}", "column 7: \"id\" must be a string or an integer");
    bad("{\"title\":7,\"body\":\"x\"}", "column 10: \"title\" must be a string");
    bad("{\"body\":null}", "column 9: \"body\" must be a string");
}

static void test_json_tricky(void)
{
    ng_document d;
    ng_buf deep = NG_BUF_INIT;
    int rc = NG_OK, i;

    /* nesting: 100 levels are fine, a million fail cleanly */
    ng__buf_puts(&rc, &deep, "{\"x\":");
    for (i = 0; i < 100; i++) ng__buf_puts(&rc, &deep, i % 2 ? "{\"k\":" : "[");
    ng__buf_puts(&rc, &deep, "1");
    for (i = 99; i >= 0; i--) ng__buf_puts(&rc, &deep, i % 2 ? "}" : "]");
    ng__buf_puts(&rc, &deep, ",\"body\":\"deep\"}");
    NG_ASSERT_OK(rc);
    NG_ASSERT_OK(ng_ingest__parse_jsonl(&d, &scratch, deep.ptr, deep.size));
    CU_ASSERT(d.body_len == 4 && memcmp(d.body, "deep", 4) == 0);
    ng__buf_clear(&deep);
    ng__buf_puts(&rc, &deep, "{\"x\":");
    for (i = 0; i < 1000000; i++) ng__buf_putc(&rc, &deep, '[');
    NG_ASSERT_OK(rc);
    CU_ASSERT_EQUAL(ng_ingest__parse_jsonl(&d, &scratch, deep.ptr, deep.size), NG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(ng_error_last()->message, "nesting too deep"));
    ng_buf_dispose(&deep);

    /* huge and odd numbers in skipped values */
    NG_ASSERT_OK(parse(&d, "{\"n\":1e999999,\"m\":-0.0000000000000000000000001E-99999,\"big\":"
                           "123456789012345678901234567890123456789012345678901234567890,\"body\":\"\"}"));
    CU_ASSERT_EQUAL(d.body_len, 0);
    CU_ASSERT_PTR_NOT_NULL(d.body);
    bad("{\"n\":01,\"body\":\"x\"}", "column 6: invalid number");
    bad("{\"n\":1.,\"body\":\"x\"}", "column 6: invalid number");
    bad("{\"n\":.5,\"body\":\"x\"}", "column 6: invalid literal");
    bad("{\"n\":-,\"body\":\"x\"}", "column 6: invalid number");
    bad("{\"n\":+1,\"body\":\"x\"}", "column 6: invalid literal");
    bad("{\"n\":1e,\"body\":\"x\"}", "column 6: invalid number");

    /* literals */
    NG_ASSERT_OK(parse(&d, "{\"a\":true,\"b\":false,\"c\":null,\"url\":null,\"body\":\"x\"}"));
    bad("{\"a\":tru,\"body\":\"x\"}", "column 6: invalid literal");
    bad("{\"a\":nullx,\"body\":\"x\"}", "column 6: invalid literal");
    bad("{\"title\":nul,\"body\":\"x\"}", "column 10: invalid literal");

    /* trailing garbage and structure */
    bad("{\"body\":\"x\"} x", "column 14: trailing characters after the object");
    bad("{\"body\":\"x\"}{}", "column 13: trailing characters after the object");
    bad("{\"body\":\"x\",}", "column 13: expected a string key");
    bad("{\"body\":\"x\" \"a\":1}", "column 13: expected ',' or '}'");
    bad("{'body':'x'}", "column 2: expected a string key");
    bad("{\"body\" \"x\"}", "column 9: expected ':'");
    bad("{\"body\":\"x\"", "column 12: unexpected end of line");
    bad("{\"a\":[1,2,\"body\":\"x\"}", "column 17: expected ',' or ']'");
    bad("{\"a\":{\"b\"},\"body\":\"x\"}", "column 10: expected ':'");
    bad("{}", "column 1: missing \"body\"");
    bad("\"body\"", "column 1: not a json object");
    bad("", "column 1: empty line");

    /* duplicate keys: the last one wins */
    NG_ASSERT_OK(parse(&d, "{\"body\":\"first\",\"title\":\"t1\",\"body\":\"second\",\"title\":\"t2\"}"));
    CU_ASSERT(d.body_len == 6 && memcmp(d.body, "second", 6) == 0);
    CU_ASSERT(d.title_len == 2 && memcmp(d.title, "t2", 2) == 0);
    NG_ASSERT_OK(parse(&d, "{\"title\":\"x\",\"title\":null,\"body\":\"b\"}"));
    CU_ASSERT_EQUAL(d.title_len, 0);
    bad("{\"body\":\"ok\",\"body\":3}", "column 21: \"body\" must be a string");

    /* empty containers and whitespace everywhere */
    NG_ASSERT_OK(parse(&d, " { \"a\" : [ ] , \"o\" : { } , \"body\" : \"x\" } "));
    CU_ASSERT_EQUAL(d.body_len, 1);

    ng_buf_dispose(&scratch);
}

static void test_helpers(void)
{
    char date[11];
    const char *t;
    size_t n;
    CU_ASSERT_EQUAL(ng_ingest__name_date("2024-02-29.txt", date), 10);
    CU_ASSERT_STRING_EQUAL(date, "2024-02-29");
    CU_ASSERT_EQUAL(ng_ingest__name_date("1900-02-29.txt", date), 0);
    CU_ASSERT_EQUAL(ng_ingest__name_date("2024-00-10", date), 0);
    CU_ASSERT_EQUAL(ng_ingest__name_date("2024-01-00", date), 0);
    CU_ASSERT_EQUAL(ng_ingest__name_date("2024-1-01x", date), 0);
    CU_ASSERT_EQUAL(ng_ingest__name_date("2024-01", date), 0);
    CU_ASSERT_EQUAL(ng_ingest__name_date("x2024-01-01", date), 0);
    CU_ASSERT_EQUAL(ng_ingest__utf8_cut("ab\xe2\x82\xac", 5, 3), 2);
    CU_ASSERT_EQUAL(ng_ingest__utf8_cut("ab\xe2\x82\xac", 5, 5), 5);
    CU_ASSERT_EQUAL(ng_ingest__utf8_cut("ab\xe2\x82\xac" "c", 6, 5), 5);
    ng_ingest__title("\xef\xbb\xbf\n  Hello world \n", 20, &t, &n);
    CU_ASSERT(n == 11 && memcmp(t, "Hello world", 11) == 0);
}

static CU_TestInfo walk_tests[] = {
    {"walk order and ids", test_walk_order},
    {"text file fields", test_text_fields},
    {"binary and empty files", test_binary_and_empty},
    {"symlink loops", test_symlink_loop},
    {"unreadable file", test_unreadable},
    {"nonexistent path", test_not_found},
    {"callback stops the walk", test_stop},
    {"text file cap", test_text_cap},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo jsonl_tests[] = {
    {"good and bad lines", test_jsonl_mixed},
    {"gzip, truncated, corrupt", test_jsonl_gz},
    {"line longer than the limit", test_jsonl_long_line},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo json_tests[] = {
    {"escapes and surrogates", test_json_escapes},
    {"ids", test_json_ids},
    {"tricky inputs", test_json_tricky},
    {"string scan at every offset", test_json_string_steps},
    {"date, title, utf8 helpers", test_helpers},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"ingest walk", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, walk_tests},
    {"ingest jsonl", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, jsonl_tests},
    {"ingest json parser", NULL, NULL, NULL, NULL, json_tests},
    CU_SUITE_INFO_NULL,
};
