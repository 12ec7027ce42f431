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
        ng__free(n->terms[i].key);
    }
    ng__free(n->terms);
    for (i = 0; i < n->n_kids; i++) ng_qnode__free(n->kids[i]);
    ng__free(n->kids);
    ng__free(n);
}

/* A term, its namespace shown as a readable prefix ("title:", "name:"). */
static void put_term(int *rc, ng_buf *out, const char *t, size_t n)
{
    if (n && t[0] == NG_NS_TITLE) {
        ng__buf_puts(rc, out, "title:");
        t++, n--;
    } else if (n && t[0] == NG_NS_NAME) {
        ng__buf_puts(rc, out, "name:");
        t++, n--;
    }
    ng__buf_put(rc, out, t, n);
}

static void put_date(int *rc, ng_buf *out, int32_t day)
{
    int y;
    unsigned m, d;
    ng__civil_from_days(day, &y, &m, &d);
    ng__buf_printf(rc, out, "%04d-%02u-%02u", y, m, d);
}

static void describe(int *rc, ng_buf *out, const ng_qnode *n)
{
    size_t i;
    switch (n->kind) {
    case NG_Q_TERM:
        put_term(rc, out, n->terms[0].term, n->terms[0].term_len);
        if (n->terms[0].key) { /* the name variants it also matches */
            ng__buf_putc(rc, out, '|');
            put_term(rc, out, n->terms[0].key, n->terms[0].key_len);
        }
        break;
    case NG_Q_PHRASE:
        if (n->field == NG_QF_TITLE) ng__buf_puts(rc, out, "title:");
        ng__buf_putc(rc, out, '"');
        for (i = 0; i < n->n_terms; i++) {
            const char *t = n->terms[i].term;
            size_t len = n->terms[i].term_len;
            if (i) ng__buf_putc(rc, out, ' ');
            if (len && t[0] == NG_NS_TITLE) t++, len--;
            ng__buf_put(rc, out, t, len);
        }
        ng__buf_putc(rc, out, '"');
        if (n->slop) ng__buf_printf(rc, out, "~%u", (unsigned)n->slop);
        break;
    case NG_Q_PREFIX:
    case NG_Q_FUZZY:
        if (n->field == NG_QF_TITLE) ng__buf_puts(rc, out, "title:");
        ng__buf_put(rc, out, n->terms[0].word, n->terms[0].word_len);
        if (n->kind == NG_Q_PREFIX) ng__buf_putc(rc, out, '*');
        else if (n->fuzzy_k == NG_QFUZZY_DEFAULT) ng__buf_putc(rc, out, '~');
        else ng__buf_printf(rc, out, "~%u", n->fuzzy_k);
        break;
    case NG_Q_DATE:
        ng__buf_puts(rc, out, "date:");
        if (n->date_first != INT32_MIN + 1) put_date(rc, out, n->date_first);
        if (n->date_first != n->date_last) {
            ng__buf_puts(rc, out, "..");
            if (n->date_last != INT32_MAX) put_date(rc, out, n->date_last);
        }
        break;
    case NG_Q_AND:
    case NG_Q_OR:
    case NG_Q_NOT:
    case NG_Q_ALT:
    case NG_Q_NEAR:
        if (n->kind == NG_Q_NEAR) ng__buf_printf(rc, out, "(NEAR/%u", (unsigned)n->slop);
        else ng__buf_puts(rc, out, n->kind == NG_Q_AND ? "(AND" : n->kind == NG_Q_OR ? "(OR" : n->kind == NG_Q_ALT ? "(ALT" : "(NOT");
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
    if (n->boost != 1.0) ng__buf_printf(rc, out, "^%g", n->boost);
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
