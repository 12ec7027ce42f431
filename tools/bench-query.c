/* bench-query.c -- the newsgrep side of tools/bench, through the public API only.
 *
 *   bench-query INDEX_DIR QUERYFILE
 *
 * Opens the index once; a query file has one query a line,
 * "TYPE<TAB>word word...", TYPE one of term, and, or, phrase.  Each query is
 * ng_query_parse() + ng_search() (top 10 by BM25) + reading every hit, run
 * once to warm the caches, then once timed with clock_gettime(); one line
 * "TYPE<TAB>milliseconds<TAB>hits<TAB>matching documents" is printed per query.
 *
 *   cc -O2 tools/bench-query.c $(pkg-config --cflags --libs newsgrep) -o bench-query */
#define _POSIX_C_SOURCE 200809L
#include <newsgrep.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char type[16];
    char *text; /* newsgrep query syntax */
} bench_query;

static void die(const char *what)
{
    fprintf(stderr, "bench-query: %s: %s\n", what, ng_error_last()->message);
    exit(2);
}

/* The newsgrep query for a typed query: AND is implicit, OR explicit. */
static char *query_text(const char *type, const char *words)
{
    size_t n = strlen(words);
    char *out = malloc(4 * n + 3), *o = out;
    if (!out) { fprintf(stderr, "bench-query: out of memory\n"); exit(2); }
    if (!strcmp(type, "phrase")) {
        sprintf(out, "\"%s\"", words);
        return out;
    }
    for (const char *w = words; *w; w++) {
        if (*w == ' ' && !strcmp(type, "or")) { memcpy(o, " OR ", 4); o += 4; }
        else *o++ = *w;
    }
    *o = '\0';
    return out;
}

static bench_query *read_queries(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    bench_query *qs = NULL;
    char *line = NULL;
    size_t cap = 0, n = 0;
    if (!f) { perror(path); exit(2); }
    while (getline(&line, &cap, f) > 0) {
        char *tab = strchr(line, '\t');
        if (!tab || tab - line >= 16) continue;
        *tab = '\0';
        tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
        qs = realloc(qs, (n + 1) * sizeof *qs);
        if (!qs) { fprintf(stderr, "bench-query: out of memory\n"); exit(2); }
        strcpy(qs[n].type, line);
        qs[n].text = query_text(line, tab + 1);
        n++;
    }
    free(line);
    fclose(f);
    *count = n;
    return qs;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Parse, search the top 10, read every hit; the number of hits. */
static size_t run_query(ng_index *ix, const char *text, uint64_t *total)
{
    ng_query *q;
    ng_results *r;
    ng_hit hit;
    size_t i, n;
    if (ng_query_parse(&q, ix, text, strlen(text))) die(text);
    if (ng_search(&r, ix, q, NULL)) die(text);
    n = ng_results_count(r);
    for (i = 0; i < n; i++) {
        volatile uint64_t docnum;
        if (ng_results_hit(&hit, r, i)) die(text);
        docnum = hit.docnum;
        (void)docnum;
    }
    *total = ng_results_total(r);
    ng_results_free(r);
    ng_query_free(q);
    return n;
}

int main(int argc, char **argv)
{
    ng_index *ix;
    bench_query *qs;
    size_t n, i;
    uint64_t total;

    if (argc != 3) {
        fprintf(stderr, "usage: bench-query INDEX_DIR QUERYFILE\n");
        return 2;
    }
    qs = read_queries(argv[2], &n);
    if (ng_index_open(&ix, argv[1])) die(argv[1]);
    for (i = 0; i < n; i++) run_query(ix, qs[i].text, &total); /* warm the caches */
    for (i = 0; i < n; i++) {
        double t0 = now_ms();
        size_t hits = run_query(ix, qs[i].text, &total);
        printf("%s\t%.4f\t%zu\t%llu\n", qs[i].type, now_ms() - t0, hits, (unsigned long long)total);
    }
    ng_index_free(ix);
    for (i = 0; i < n; i++) free(qs[i].text);
    free(qs);
    return 0;
}
