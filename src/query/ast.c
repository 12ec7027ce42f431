/*
** ast.c -- freeing and describing query trees.
*/
#include "ng_int.h"

void ng_qnode__free(ng_qnode *n)
{
    size_t i;
    if (!n) return;
    for (i = 0; i < n->n_terms; i++) {
        ng__free(n->terms[i].term);
        ng__free(n->terms[i].word);
    }
    ng__free(n->terms);
    for (i = 0; i < n->n_kids; i++) ng_qnode__free(n->kids[i]);
    ng__free(n->kids);
    ng__free(n);
}

static void describe(int *rc, ng_buf *out, const ng_qnode *n)
{
    size_t i;
    switch (n->kind) {
    case NG_Q_TERM:
        ng__buf_put(rc, out, n->terms[0].term, n->terms[0].term_len);
        break;
    case NG_Q_PHRASE:
        ng__buf_putc(rc, out, '"');
        for (i = 0; i < n->n_terms; i++) {
            if (i) ng__buf_putc(rc, out, ' ');
            ng__buf_put(rc, out, n->terms[i].term, n->terms[i].term_len);
        }
        ng__buf_putc(rc, out, '"');
        break;
    case NG_Q_AND:
    case NG_Q_OR:
    case NG_Q_NOT:
        ng__buf_puts(rc, out, n->kind == NG_Q_AND ? "(AND" : n->kind == NG_Q_OR ? "(OR" : "(NOT");
        for (i = 0; i < n->n_kids; i++) {
            ng__buf_putc(rc, out, ' ');
            describe(rc, out, n->kids[i]);
        }
        ng__buf_putc(rc, out, ')');
        break;
    default:
        if (!*rc) *rc = ng__err(NG_ERROR, "query: bad node kind %d", (int)n->kind);
        break;
    }
}

int ng_qnode__describe(ng_buf *out, const ng_qnode *n)
{
    int rc = NG_OK;
    if (!out) return ng__err(NG_EINVAL, "query: no output buffer");
    if (!n) {
        ng__buf_put(&rc, out, "", 0); /* empty query: nothing, but a valid string */
        return rc;
    }
    describe(&rc, out, n);
    return rc;
}
