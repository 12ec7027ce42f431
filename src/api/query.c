/*
** query.c -- public query objects, snippets and the version string.
*/
#include <stdio.h>

#include "api/api.h"

NG_EXTERN(const char *) ng_version(void)
{
#define NG_STR2(x) #x
#define NG_STR(x) NG_STR2(x)
    return NG_STR(NG_VERSION_MAJOR) "." NG_STR(NG_VERSION_MINOR) "." NG_STR(NG_VERSION_PATCH);
}

NG_EXTERN(int) ng_query_parse(ng_query **out, ng_index *ix, const char *text, size_t len)
{
    ng_query *q;
    int rc;
    *out = NULL;
    if (!ix || !text) return ng__err(NG_EINVAL, "query_parse: null argument");
    if (len == (size_t)-1) len = strlen(text);
    if (!(q = ng__calloc(1, sizeof *q))) return ng__oom();
    snprintf(q->lang, sizeof q->lang, "%s", ix->man.lang);
    if ((rc = ng_analyzer__new(&q->an, q->lang)) == NG_OK) rc = ng_query__parse(&q->root, q->an, text, len);
    if (rc) {
        ng_query_free(q);
        return rc;
    }
    *out = q;
    return NG_OK;
}

NG_EXTERN(void) ng_query_free(ng_query *q)
{
    if (!q) return;
    ng_qnode__free(q->root);
    ng_analyzer__free(q->an);
    ng__free(q);
}

NG_EXTERN(int) ng_query_describe(ng_buf *out, const ng_query *q)
{
    if (!out || !q) return ng__err(NG_EINVAL, "query_describe: null argument");
    ng__buf_clear(out);
    return ng_qnode__describe(out, q->root);
}

/* ------------------------------------------------------------------ */
/* Snippets: highlight the positive terms and phrases of the query.     */
/* ------------------------------------------------------------------ */

typedef struct units {
    ng_snip_phrase *v;
    size_t n, cap;
    const char **terms; /* storage for all units' term pointers */
    size_t *lens;
    size_t n_terms, cap_terms;
} units;

static int count_terms(const ng_qnode *n)
{
    size_t i;
    int c = (int)n->n_terms;
    if (n->kind == NG_Q_NOT) return 0;
    for (i = 0; i < n->n_kids; i++) c += count_terms(n->kids[i]);
    return c;
}

static void collect_units(units *u, const ng_qnode *n)
{
    size_t i;
    if (n->kind == NG_Q_NOT) return;
    if (n->kind == NG_Q_TERM || n->kind == NG_Q_PHRASE) {
        ng_snip_phrase *p = &u->v[u->n++];
        p->terms = u->terms + u->n_terms;
        p->lens = u->lens + u->n_terms;
        p->n = n->n_terms;
        for (i = 0; i < n->n_terms; i++) {
            u->terms[u->n_terms] = n->terms[i].term;
            u->lens[u->n_terms] = n->terms[i].term_len;
            u->n_terms++;
        }
        return;
    }
    for (i = 0; i < n->n_kids; i++) collect_units(u, n->kids[i]);
}

NG_EXTERN(int) ng_snippet(ng_buf *text_out, ng_range **ranges_out, size_t *n_ranges_out, ng_index *ix,
                          const ng_query *q, uint64_t docnum, const ng_snippet_options *opts)
{
    ng_snippet_options def = NG_SNIPPET_OPTIONS_INIT;
    ng_buf body = NG_BUF_INIT;
    units u;
    size_t nt;
    int rc;
    if (ranges_out) *ranges_out = NULL;
    if (n_ranges_out) *n_ranges_out = 0;
    if (!text_out || !ranges_out || !n_ranges_out || !ix || !q) return ng__err(NG_EINVAL, "snippet: null argument");
    if (!opts) opts = &def;
    if (opts->version != NG_SNIPPET_OPTIONS_VERSION) return ng__err(NG_EINVAL, "snippet options: unknown version %u", opts->version);
    memset(&u, 0, sizeof u);
    nt = q->root ? (size_t)count_terms(q->root) : 0;
    u.v = ng__calloc(nt + 1, sizeof *u.v);
    u.terms = ng__calloc(nt + 1, sizeof *u.terms);
    u.lens = ng__calloc(nt + 1, sizeof *u.lens);
    if (!u.v || !u.terms || !u.lens) {
        rc = ng__oom();
        goto out;
    }
    if (q->root) collect_units(&u, q->root);
    if ((rc = ng_index_document(&body, ix, docnum, NG_FIELD_BODY)) != NG_OK) goto out;
    rc = ng_snippet__make(text_out, ranges_out, n_ranges_out, q->an, body.ptr ? body.ptr : "", body.size, u.v, u.n,
                          opts->words ? opts->words : 30);
out:
    ng_buf_dispose(&body);
    ng__free(u.v);
    ng__free(u.terms);
    ng__free(u.lens);
    return rc;
}
