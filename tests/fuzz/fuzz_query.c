/*
** fuzz_query.c -- libFuzzer target: the query lexer and parser.
**
** Any byte string must parse to an AST or fail with NG_EQUERY / NG_ELIMIT
** (with an offset inside the query), never crash, leak or loop.  A parsed
** query is also described (the canonical form walks the whole AST).
*/
#include <stdio.h>
#include <stdlib.h>

#include "ng_int.h"

static ng_analyzer *g_an;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ng_qnode *root = NULL;
    ng_buf desc = NG_BUF_INIT;
    int rc;
    if (!g_an && ng_analyzer__new(&g_an, "english") != NG_OK) abort();
    rc = ng_query__parse(&root, g_an, (const char *)data, size);
    if (rc == NG_OK) {
        if (ng_qnode__describe(&desc, root) != NG_OK) abort();
        ng_buf_dispose(&desc);
        ng_qnode__free(root);
    } else {
        const ng_error *e = ng_error_last();
        if (root) abort(); /* *root_out must be NULL on failure */
        if (rc != NG_EQUERY && rc != NG_ELIMIT && rc != NG_ENOMEM) {
            fprintf(stderr, "unexpected rc %d: %s\n", rc, e->message);
            abort();
        }
        if (rc == NG_EQUERY && e->offset != NG_NOPOS && e->offset > size) abort();
    }
    return 0;
}
