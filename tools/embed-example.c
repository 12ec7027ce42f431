/*
 * embed-example.c -- libnewsgrep embedded in a small program.
 *
 * Indexes a directory of articles into an index directory, then reads
 * queries from standard input, one a line, and prints the top 5 hits of
 * each with a snippet whose matched words are shown [like this].
 *
 *   cc embed-example.c $(pkg-config --cflags --libs newsgrep) -o embed-example
 *   echo "Lavrov troops" | ./embed-example /tmp/news.idx corpus/
 *
 * It uses only the public API (newsgrep.h); see libnewsgrep(3).
 */
#include <newsgrep.h>

#include <stdio.h>
#include <string.h>

/* Print the calling thread's last library error; returns 2 (exit status). */
static int report(const char *what)
{
    const ng_error *e = ng_error_last();
    fprintf(stderr, "embed-example: %s: %s\n", what, e->message);
    return 2;
}

/* Index every article under dir, replacing documents with the same id. */
static int build(const char *index_dir, const char *dir)
{
    ng_writer *w = NULL;
    ng_add_stats st;
    int rc = ng_writer_open(&w, index_dir, NULL);
    if (rc == NG_OK)
        rc = ng_writer_add_path(&st, w, dir);
    if (rc == NG_OK)
        rc = ng_writer_commit(w); /* nothing is visible before this */
    if (rc == NG_OK)
        printf("indexed %llu documents\n", (unsigned long long)st.docs_added);
    ng_writer_free(w); /* also releases the writer lock */
    return rc == NG_OK ? 0 : report("indexing");
}

/* The snippet with each highlight range in brackets. */
static void print_snippet(const ng_buf *text, const ng_range *ranges, size_t n)
{
    size_t at = 0, i;
    if (text->ptr == NULL) { /* an empty snippet */
        putchar('\n');
        return;
    }
    for (i = 0; i < n; i++) {
        if (ranges[i].start < at || ranges[i].end > text->size)
            continue; /* not expected: ranges are sorted and inside the text */
        printf("%.*s[%.*s]", (int)(ranges[i].start - at), text->ptr + at,
               (int)(ranges[i].end - ranges[i].start), text->ptr + ranges[i].start);
        at = ranges[i].end;
    }
    printf("%s\n", text->ptr + at);
}

/* One hit: rank, score, title, id, snippet. */
static int print_hit(ng_index *ix, const ng_query *q, const ng_hit *hit, size_t rank)
{
    ng_buf id = NG_BUF_INIT, title = NG_BUF_INIT, snip = NG_BUF_INIT;
    ng_range *ranges = NULL;
    size_t n_ranges = 0;
    int rc = ng_index_document(&id, ix, hit->docnum, NG_FIELD_ID);
    if (rc == NG_OK)
        rc = ng_index_document(&title, ix, hit->docnum, NG_FIELD_TITLE);
    if (rc == NG_OK)
        rc = ng_snippet(&snip, &ranges, &n_ranges, ix, q, hit->docnum, NULL);
    if (rc == NG_OK) {
        printf("%zu. %s (%.3f)\n   %s\n   ", rank, title.ptr, hit->score, id.ptr);
        print_snippet(&snip, ranges, n_ranges);
    }
    ng_buf_dispose(&id);
    ng_buf_dispose(&title);
    ng_buf_dispose(&snip);
    ng_ranges_free(ranges);
    return rc;
}

/* Parse and run one query; a syntax error is reported and skipped. */
static int answer(ng_index *ix, const char *text, size_t len)
{
    ng_search_options so;
    ng_query *q = NULL;
    ng_results *res = NULL;
    ng_hit hit;
    size_t i;
    int rc;
    if (ng_query_parse(&q, ix, text, len) != NG_OK) {
        report("query");
        return NG_OK;
    }
    ng_search_options_init(&so, NG_SEARCH_OPTIONS_VERSION);
    so.limit = 5;
    rc = ng_search(&res, ix, q, &so);
    if (rc == NG_OK)
        printf("%llu matching documents\n", (unsigned long long)ng_results_total(res));
    for (i = 0; rc == NG_OK && ng_results_hit(&hit, res, i) == NG_OK; i++)
        rc = print_hit(ix, q, &hit, i + 1);
    ng_results_free(res); /* results before the query, both before the index */
    ng_query_free(q);
    return rc;
}

int main(int argc, char **argv)
{
    ng_index *ix = NULL;
    char line[4096];
    int rc = NG_OK;

    if (argc != 3) {
        fprintf(stderr, "usage: %s INDEX_DIR ARTICLES_DIR < queries\n", argv[0]);
        return 2;
    }
    printf("libnewsgrep %s\n", ng_version());
    if (build(argv[1], argv[2]) != 0)
        return 2;
    if (ng_index_open(&ix, argv[1]) != NG_OK) /* a snapshot of the last commit */
        return report("opening the index");
    while (rc == NG_OK && fgets(line, sizeof line, stdin) != NULL) {
        size_t len = strcspn(line, "\r\n");
        if (len > 0)
            rc = answer(ix, line, len);
    }
    ng_index_free(ix);
    return rc == NG_OK ? 0 : report("search");
}
