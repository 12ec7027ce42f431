/* embed-example.c -- newsgrep embedded in 30 lines: index a directory, then
 * answer each query read from stdin with the top 5 hits and a snippet.
 *   cc embed-example.c $(pkg-config --cflags --libs newsgrep) -o embed-example
 *   ./embed-example /tmp/idx corpus/ <<< "Lavrov troops"                      */
#include <newsgrep.h>
#include <stdio.h>
#include <string.h>

static int fail(void) { fprintf(stderr, "error: %s\n", ng_error_last()->message); return 2; }

int main(int argc, char **argv)
{
    ng_writer *w; ng_index *ix; char line[1024];
    if (argc != 3) { fprintf(stderr, "usage: %s INDEX_DIR ARTICLES_DIR\n", argv[0]); return 2; }
    if (ng_writer_open(&w, argv[1], NULL) || ng_writer_add_path(NULL, w, argv[2]) || ng_writer_commit(w)) return fail();
    ng_writer_free(w);
    if (ng_index_open(&ix, argv[1])) return fail();
    while (fgets(line, sizeof line, stdin)) {
        ng_query *q; ng_results *r; ng_hit hit; ng_buf id = NG_BUF_INIT, snip = NG_BUF_INIT; ng_range *hl; size_t i, n;
        if (ng_query_parse(&q, ix, line, strcspn(line, "\n"))) { fail(); continue; }
        if (ng_search(&r, ix, q, NULL)) return fail();
        printf("%llu matches\n", (unsigned long long)ng_results_total(r));
        for (i = 0; i < ng_results_count(r) && i < 5 && !ng_results_hit(&hit, r, i); i++) {
            ng_index_document(&id, ix, hit.docnum, NG_FIELD_ID);
            ng_snippet(&snip, &hl, &n, ix, q, hit.docnum, NULL);
            printf("%.3f %s\n      %s\n", hit.score, id.ptr, snip.ptr ? snip.ptr : "");
            ng_ranges_free(hl); ng_buf_dispose(&id); ng_buf_dispose(&snip);
        }
        ng_results_free(r); ng_query_free(q);
    }
    ng_index_free(ix);
    return 0;
}
