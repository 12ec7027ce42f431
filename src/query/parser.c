/*
** parser.c -- recursive-descent parser of the query language (grammar in
** query.h), building the AST with analysed terms.
**
** Two kinds of emptiness are kept apart:
**  - structural: an operator with no operand in the text ("Putin AND",
**    "OR x", "()") is an NG_EQUERY error at the operator;
**  - analytical: an operand whose words analyse to nothing ("—") vanishes,
**    and so does an operator whose operands all vanished ("Putin AND —"
**    is just putin).  A parse function reports a vanished operand as a
**    NULL node with NG_OK.
** AND in AND and OR in OR are merged as they are built, bottom-up, and
** one-kid AND/OR are replaced by their kid; NOT NOT x is x.  The placement
** of NOT (under an AND beside something positive) is checked on the final
** tree, since "(a -b) c" is only known to be valid after merging.
**
** Recursion is bounded: every '(' and NOT raises the depth, checked against
** NG_QUERY_MAX_DEPTH before recursing.
*/
#include "ng_int.h"

typedef struct qparser {
    ng_qlexer lx;
    ng_qtok tok; /* one token of look-ahead */
    ng_analyzer *a;
    const char *text;
    size_t n_terms; /* analysed terms so far, for NG_QUERY_MAX_TERMS */
    unsigned depth;
} qparser;

/* A growable list of nodes that owns them until handed over. */
typedef struct qlist {
    ng_qnode **v;
    size_t n, cap;
} qlist;

static void qlist_free(qlist *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) ng_qnode__free(l->v[i]);
    ng__free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* Append n (consumed: freed on failure).  A NULL node is skipped. */
static int qlist_push(qlist *l, ng_qnode *n)
{
    if (!n) return NG_OK;
    if (NG_GROW(l->v, l->cap, l->n + 1) != NG_OK) {
        ng_qnode__free(n);
        return NG_ENOMEM;
    }
    l->v[l->n++] = n;
    return NG_OK;
}

static ng_qnode *node_new(ng_qkind kind)
{
    ng_qnode *n = ng__calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->boost = 1.0;
    return n;
}

static int advance(qparser *p) { return ng_qlex__next(&p->lx, &p->tok); }

static int starts_operand(ng_qtok_kind k)
{
    return k == NG_QT_WORD || k == NG_QT_PHRASE || k == NG_QT_LPAREN || k == NG_QT_NOT || k == NG_QT_MINUS;
}

static const char *tok_name(ng_qtok_kind k)
{
    switch (k) {
    case NG_QT_AND: return "AND";
    case NG_QT_OR: return "OR";
    case NG_QT_NOT: return "NOT";
    case NG_QT_MINUS: return "-";
    default: return "?";
    }
}

/* Build an AND or OR of the nodes in l (emptied): kids of the same kind are
** spliced in, no kid gives NULL and one kid is returned as is. */
static int make_nary(ng_qnode **out, ng_qkind kind, qlist *l)
{
    size_t total = 0, i, j, k, lo = SIZE_MAX, hi = 0;
    ng_qnode *n;

    *out = NULL;
    if (l->n == 0) { qlist_free(l); return NG_OK; }
    if (l->n == 1) {
        *out = l->v[0];
        l->n = 0;
        qlist_free(l);
        return NG_OK;
    }
    for (i = 0; i < l->n; i++) total += l->v[i]->kind == kind ? l->v[i]->n_kids : 1;
    n = node_new(kind);
    if (n) n->kids = ng__calloc(total, sizeof *n->kids);
    if (!n || !n->kids) {
        ng__free(n);
        qlist_free(l);
        return ng__oom();
    }
    for (i = j = 0; i < l->n; i++) {
        ng_qnode *kid = l->v[i];
        if (kid->kind == kind) {
            for (k = 0; k < kid->n_kids; k++) n->kids[j++] = kid->kids[k];
            ng__free(kid->kids);
            ng__free(kid);
        } else {
            n->kids[j++] = kid;
        }
    }
    n->n_kids = j;
    for (i = 0; i < j; i++) {
        if (n->kids[i]->offset < lo) lo = n->kids[i]->offset;
        if (n->kids[i]->offset + n->kids[i]->length > hi) hi = n->kids[i]->offset + n->kids[i]->length;
    }
    n->offset = lo;
    n->length = hi - lo;
    l->n = 0;
    qlist_free(l);
    *out = n;
    return NG_OK;
}

/* ---- analysis of words and phrases ---- */

typedef struct qcollect {
    qparser *p;
    size_t base; /* offset of the analysed text in the query */
    ng_qterm *terms;
    size_t n, cap;
    uint32_t first_pos;
    int rc; /* error raised by the callback */
} qcollect;

static void terms_free(ng_qterm *t, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        ng__free(t[i].term);
        ng__free(t[i].word);
    }
    ng__free(t);
}

static int collect_token(void *payload, const ng_token *tok)
{
    qcollect *c = payload;
    ng_qterm *t;
    size_t at = c->base + tok->start;

    if (c->p->n_terms >= NG_QUERY_MAX_TERMS) {
        c->rc = ng__err_at(NG_EQUERY, at, "query: too many terms (more than %d) at %zu",
                           NG_QUERY_MAX_TERMS, at);
        return c->rc;
    }
    if (NG_GROW(c->terms, c->cap, c->n + 1) != NG_OK) return c->rc = NG_ENOMEM;
    t = &c->terms[c->n];
    memset(t, 0, sizeof *t);
    t->term = ng__strndup(tok->term, tok->term_len);
    t->word = ng__strndup(tok->word, tok->word_len);
    if (!t->term || !t->word) {
        ng__free(t->term);
        ng__free(t->word);
        return c->rc = ng__oom();
    }
    t->term_len = tok->term_len;
    t->word_len = tok->word_len;
    if (c->n == 0) c->first_pos = tok->pos;
    t->rel_pos = tok->pos - c->first_pos;
    t->offset = at;
    c->n++;
    c->p->n_terms++;
    return 0;
}

/* Analyse the text of the current WORD or PHRASE token into a TERM, a
** PHRASE or nothing (NULL), and move past the token. */
static int parse_text(qparser *p, ng_qnode **out)
{
    qcollect c;
    ng_qnode *n;
    int rc;

    *out = NULL;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.base = p->tok.text_start;
    rc = ng__analyze(p->a, p->text + p->tok.text_start, p->tok.text_end - p->tok.text_start, 0,
                     collect_token, &c, NULL);
    if (rc != 0) {
        terms_free(c.terms, c.n);
        if (c.rc) return c.rc;
        return rc == NG_ENOMEM ? ng__oom() : ng__err(NG_ERROR, "query: analysis failed (%d)", rc);
    }
    if (c.n == 0) {
        ng__free(c.terms);
        return advance(p);
    }
    n = node_new(c.n == 1 ? NG_Q_TERM : NG_Q_PHRASE);
    if (!n) {
        terms_free(c.terms, c.n);
        return ng__oom();
    }
    n->terms = c.terms;
    n->n_terms = c.n;
    n->offset = p->tok.start;
    n->length = p->tok.end - p->tok.start;
    rc = advance(p);
    if (rc != NG_OK) {
        ng_qnode__free(n);
        return rc;
    }
    *out = n;
    return NG_OK;
}

/* ---- the grammar ---- */

static int parse_and(qparser *p, ng_qnode **out);

static int too_deep(qparser *p)
{
    return ng__err_at(NG_EQUERY, p->tok.start, "query: nested deeper than %d levels at %zu",
                      NG_QUERY_MAX_DEPTH, p->tok.start);
}

/* unary := ("NOT" | "-") unary | primary
** primary := "(" and_expr ")" | PHRASE | WORD */
static int parse_unary(qparser *p, ng_qnode **out)
{
    ng_qtok t = p->tok;
    ng_qnode *kid = NULL, *n;
    int rc;

    *out = NULL;
    switch (t.kind) {
    case NG_QT_WORD:
    case NG_QT_PHRASE:
        return parse_text(p, out);

    case NG_QT_NOT:
    case NG_QT_MINUS:
        if (p->depth >= NG_QUERY_MAX_DEPTH) return too_deep(p);
        if ((rc = advance(p)) != NG_OK) return rc;
        if (!starts_operand(p->tok.kind))
            return ng__err_at(NG_EQUERY, t.start, "query: expected a term after '%s' at %zu",
                              tok_name(t.kind), t.start);
        p->depth++;
        rc = parse_unary(p, &kid);
        p->depth--;
        if (rc != NG_OK || !kid) return rc;
        if (kid->kind == NG_Q_NOT) { /* NOT NOT x is x */
            *out = kid->kids[0];
            ng__free(kid->kids);
            ng__free(kid);
            return NG_OK;
        }
        n = node_new(NG_Q_NOT);
        if (n) n->kids = ng__malloc(sizeof *n->kids);
        if (!n || !n->kids) {
            ng__free(n);
            ng_qnode__free(kid);
            return ng__oom();
        }
        n->kids[0] = kid;
        n->n_kids = 1;
        n->offset = t.start;
        n->length = kid->offset + kid->length - t.start;
        *out = n;
        return NG_OK;

    case NG_QT_LPAREN:
        if (p->depth >= NG_QUERY_MAX_DEPTH) return too_deep(p);
        if ((rc = advance(p)) != NG_OK) return rc;
        if (p->tok.kind == NG_QT_RPAREN)
            return ng__err_at(NG_EQUERY, t.start, "query: empty parentheses at %zu", t.start);
        p->depth++;
        rc = parse_and(p, &kid);
        p->depth--;
        if (rc != NG_OK) return rc;
        if (p->tok.kind != NG_QT_RPAREN) {
            ng_qnode__free(kid);
            return ng__err_at(NG_EQUERY, t.start, "query: unbalanced '(' at %zu", t.start);
        }
        if ((rc = advance(p)) != NG_OK) {
            ng_qnode__free(kid);
            return rc;
        }
        *out = kid;
        return NG_OK;

    case NG_QT_AND:
    case NG_QT_OR:
        return ng__err_at(NG_EQUERY, t.start, "query: expected a term before '%s' at %zu",
                          tok_name(t.kind), t.start);
    case NG_QT_RPAREN:
        return ng__err_at(NG_EQUERY, t.start, "query: unexpected ')' at %zu", t.start);
    case NG_QT_EOF:
    default:
        return ng__err_at(NG_EQUERY, t.start, "query: expected a term at %zu", t.start);
    }
}

/* or_expr := unary { "OR" unary } */
static int parse_or(qparser *p, ng_qnode **out)
{
    qlist l = {NULL, 0, 0};
    ng_qnode *n = NULL;
    int rc;

    *out = NULL;
    if ((rc = parse_unary(p, &n)) != NG_OK || (rc = qlist_push(&l, n)) != NG_OK) goto fail;
    while (p->tok.kind == NG_QT_OR) {
        size_t at = p->tok.start;
        if ((rc = advance(p)) != NG_OK) goto fail;
        if (!starts_operand(p->tok.kind)) {
            rc = ng__err_at(NG_EQUERY, at, "query: expected a term after 'OR' at %zu", at);
            goto fail;
        }
        if ((rc = parse_unary(p, &n)) != NG_OK || (rc = qlist_push(&l, n)) != NG_OK) goto fail;
    }
    return make_nary(out, NG_Q_OR, &l);
fail:
    qlist_free(&l);
    return rc;
}

/* and_expr := or_expr { ["AND"] or_expr }, up to ')' or the end. */
static int parse_and(qparser *p, ng_qnode **out)
{
    qlist l = {NULL, 0, 0};
    ng_qnode *n = NULL;
    int rc, any = 0;

    *out = NULL;
    while (p->tok.kind != NG_QT_EOF && p->tok.kind != NG_QT_RPAREN) {
        if (p->tok.kind == NG_QT_AND) {
            size_t at = p->tok.start;
            if (!any) {
                rc = ng__err_at(NG_EQUERY, at, "query: expected a term before 'AND' at %zu", at);
                goto fail;
            }
            if ((rc = advance(p)) != NG_OK) goto fail;
            if (!starts_operand(p->tok.kind)) {
                rc = ng__err_at(NG_EQUERY, at, "query: expected a term after 'AND' at %zu", at);
                goto fail;
            }
        }
        if ((rc = parse_or(p, &n)) != NG_OK || (rc = qlist_push(&l, n)) != NG_OK) goto fail;
        any = 1;
    }
    return make_nary(out, NG_Q_AND, &l);
fail:
    qlist_free(&l);
    return rc;
}

/* NOT must be a kid of an AND that has at least one positive kid. */
static int check_not(const ng_qnode *n, ng_qkind parent)
{
    size_t i, pos = 0;
    int rc;

    switch (n->kind) {
    case NG_Q_NOT:
        if (parent == NG_Q_OR)
            return ng__err_at(NG_EQUERY, n->offset, "query: nothing to match beside NOT inside OR at %zu",
                              n->offset);
        if (parent != NG_Q_AND)
            return ng__err_at(NG_EQUERY, n->offset, "query: nothing to match beside NOT at %zu", n->offset);
        return check_not(n->kids[0], NG_Q_NOT);
    case NG_Q_AND:
        for (i = 0; i < n->n_kids; i++) pos += n->kids[i]->kind != NG_Q_NOT;
        if (pos == 0)
            return ng__err_at(NG_EQUERY, n->kids[0]->offset, "query: nothing to match beside NOT at %zu",
                              n->kids[0]->offset);
        /* fall through */
    case NG_Q_OR:
        for (i = 0; i < n->n_kids; i++)
            if ((rc = check_not(n->kids[i], n->kind)) != NG_OK) return rc;
        return NG_OK;
    default:
        return NG_OK;
    }
}

int ng_query__parse(ng_qnode **root_out, ng_analyzer *a, const char *text, size_t len)
{
    qparser p;
    ng_qnode *root = NULL;
    int rc;

    if (!root_out) return ng__err(NG_EINVAL, "query: no output pointer");
    *root_out = NULL;
    if (!a || (!text && len)) return ng__err(NG_EINVAL, "query: no analyzer or text");
    if (len > NG_QUERY_MAX_BYTES)
        return ng__err_at(NG_EQUERY, NG_QUERY_MAX_BYTES, "query: longer than %d bytes at %d",
                          NG_QUERY_MAX_BYTES, NG_QUERY_MAX_BYTES);
    memset(&p, 0, sizeof p);
    p.a = a;
    p.text = text ? text : "";
    ng_qlex__init(&p.lx, p.text, len);
    if ((rc = advance(&p)) != NG_OK) return rc;
    if ((rc = parse_and(&p, &root)) != NG_OK) return rc;
    if (p.tok.kind == NG_QT_RPAREN) {
        ng_qnode__free(root);
        return ng__err_at(NG_EQUERY, p.tok.start, "query: unexpected ')' at %zu", p.tok.start);
    }
    if (root && (rc = check_not(root, 0)) != NG_OK) {
        ng_qnode__free(root);
        return rc;
    }
    *root_out = root;
    return NG_OK;
}
