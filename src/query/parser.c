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
#include <stdlib.h>

#include "ng_int.h"

typedef struct qparser {
    ng_qlexer lx;
    ng_qtok tok; /* one token of look-ahead */
    ng_analyzer *a;
    const char *text;
    size_t n_terms; /* analysed terms so far, for NG_QUERY_MAX_TERMS */
    unsigned depth;
    unsigned flags;  /* NG_QPARSE_* */
    size_t prev_end; /* end of the token before tok (suffixes must touch it) */
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

static int advance(qparser *p)
{
    p->prev_end = p->tok.end;
    return ng_qlex__next(&p->lx, &p->tok);
}

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
    case NG_QT_NEAR: return "NEAR";
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
    int field;   /* NG_QF_TITLE: terms get the NG_NS_TITLE prefix */
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
        ng__free(t[i].key);
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
    if (c->field == NG_QF_TITLE) {
        if ((t->term = ng__malloc(tok->term_len + 2)) != NULL) {
            t->term[0] = NG_NS_TITLE;
            memcpy(t->term + 1, tok->term, tok->term_len);
            t->term[tok->term_len + 1] = '\0';
        }
        t->term_len = tok->term_len + 1;
    } else {
        t->term = ng__strndup(tok->term, tok->term_len);
        t->term_len = tok->term_len;
    }
    t->word = ng__strndup(tok->word, tok->word_len);
    if (!t->term || !t->word) {
        ng__free(t->term);
        ng__free(t->word);
        return c->rc = ng__oom();
    }
    t->src_len = tok->end - tok->start;
    t->tok_flags = tok->flags;
    t->word_len = tok->word_len;
    if (c->n == 0) c->first_pos = tok->pos;
    t->rel_pos = tok->pos - c->first_pos;
    t->offset = at;
    c->n++;
    c->p->n_terms++;
    return 0;
}

/* Give a capitalised single word its name key term (NG_NS_NAME + key). */
static int add_name_key(ng_qterm *t)
{
    char key[NG_MAX_TERM_BYTES * 4 + 8];
    size_t n;
    if (!(t->tok_flags & NG_TOK_CAPITALIZED) || (t->tok_flags & NG_TOK_NUMBER)) return NG_OK;
    n = ng__name_key(t->word, t->word_len, key + 1, sizeof key - 1);
    if (n == 0) return NG_OK;
    key[0] = NG_NS_NAME;
    if (!(t->key = ng__strndup(key, n + 1))) return ng__oom();
    t->key_len = n + 1;
    return NG_OK;
}

/* Analyse text[ts..te) (from the token spanning [start,end)) into a TERM, a
** PHRASE or nothing (*out NULL), terms in the given field.  Does not move. */
static int analyse_text(qparser *p, size_t ts, size_t te, size_t start, size_t end, int field, ng_qnode **out)
{
    qcollect c;
    ng_qnode *n;
    int rc;

    *out = NULL;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.base = ts;
    c.field = field;
    rc = ng__analyze(p->a, p->text + ts, te - ts, 0, collect_token, &c, NULL);
    if (rc != 0) {
        terms_free(c.terms, c.n);
        if (c.rc) return c.rc;
        return rc == NG_ENOMEM ? ng__oom() : ng__err(NG_ERROR, "query: analysis failed (%d)", rc);
    }
    if (c.n == 0) {
        ng__free(c.terms);
        return NG_OK;
    }
    n = node_new(c.n == 1 ? NG_Q_TERM : NG_Q_PHRASE);
    if (!n) {
        terms_free(c.terms, c.n);
        return ng__oom();
    }
    n->terms = c.terms;
    n->n_terms = c.n;
    n->offset = start;
    n->length = end - start;
    n->field = field;
    if (n->kind == NG_Q_TERM && field == NG_QF_ALL && !(p->flags & NG_QPARSE_NO_NAMES) &&
        (rc = add_name_key(&n->terms[0])) != NG_OK) {
        ng_qnode__free(n);
        return rc;
    }
    *out = n;
    return NG_OK;
}

/* A PREFIX or FUZZY node for the folded word text[ts..te). */
static int word_node(qparser *p, ng_qkind kind, size_t ts, size_t te, size_t start, size_t end, int field,
                     ng_qnode **out)
{
    char folded[NG_MAX_TERM_BYTES * 4 + 8];
    size_t n = ng__fold_word(folded, sizeof folded, p->text + ts, te - ts);
    ng_qnode *q;

    *out = NULL;
    if (n == 0)
        return ng__err_at(NG_EQUERY, start, "query: '%s' needs a word before it at %zu",
                          kind == NG_Q_PREFIX ? "*" : "~", start);
    if (p->n_terms >= NG_QUERY_MAX_TERMS)
        return ng__err_at(NG_EQUERY, start, "query: too many terms (more than %d) at %zu", NG_QUERY_MAX_TERMS, start);
    if (!(q = node_new(kind)) || !(q->terms = ng__calloc(1, sizeof *q->terms)) ||
        !(q->terms[0].word = ng__strndup(folded, n)) || !(q->terms[0].term = ng__strndup(folded, n))) {
        ng_qnode__free(q);
        return ng__oom();
    }
    q->n_terms = 1;
    q->terms[0].word_len = q->terms[0].term_len = n;
    q->terms[0].offset = start;
    q->terms[0].src_len = end - start;
    q->offset = start;
    q->length = end - start;
    q->field = field;
    p->n_terms++;
    *out = q;
    return NG_OK;
}

/* Parse an unsigned decimal text[s..e) no larger than max; -1 if invalid. */
static long parse_count(const char *text, size_t s, size_t e, long max)
{
    long v = 0;
    if (s >= e || e - s > 6) return -1;
    for (; s < e; s++) {
        if (text[s] < '0' || text[s] > '9') return -1;
        v = v * 10 + (text[s] - '0');
    }
    return v <= max ? v : -1;
}

/* Parse a boost number text[s..e): digits with an optional fraction. */
static int parse_boost(qparser *p, size_t s, size_t e, size_t at, double *out)
{
    char tmp[32], *end;
    size_t i, dots = 0;
    double v;
    int ok = s < e && e - s < sizeof tmp;
    for (i = s; ok && i < e; i++) {
        if (p->text[i] == '.') dots++;
        else if (p->text[i] < '0' || p->text[i] > '9') ok = 0;
    }
    if (ok && dots <= 1 && p->text[s] != '.') {
        memcpy(tmp, p->text + s, e - s);
        tmp[e - s] = '\0';
        v = strtod(tmp, &end);
        if (*end == '\0' && v > 0 && v <= NG_QUERY_MAX_BOOST) {
            *out = v;
            return NG_OK;
        }
    }
    return ng__err_at(NG_EQUERY, at, "query: expected a number in (0, %g] after '^' at %zu", NG_QUERY_MAX_BOOST, at);
}

/* Position of the last byte c in text[s..e), or e. */
static size_t last_of(const char *text, size_t s, size_t e, char c)
{
    size_t i = e;
    while (i > s)
        if (text[--i] == c) return i;
    return e;
}

/* Parse one side of a date range text[s..e) (non-empty). */
static int parse_date_side(qparser *p, size_t s, size_t e, ng_date_span *out)
{
    if (ng__date_parse(p->text + s, e - s, out) != NG_OK || out->consumed != e - s)
        return ng__err_at(NG_EQUERY, s, "query: bad date '%.*s' (want YYYY, YYYY-MM or YYYY-MM-DD) at %zu",
                          (int)(e - s > 40 ? 40 : e - s), p->text + s, s);
    return NG_OK;
}

/* date:SPEC with SPEC = D | D.. | ..D | D..D; text[s..e) is SPEC. */
static int parse_date(qparser *p, size_t start, size_t s, size_t e, ng_qnode **out)
{
    ng_date_span a, b;
    size_t dots = e;
    ng_qnode *n;
    int rc;
    size_t i;

    *out = NULL;
    for (i = s; i + 1 < e; i++)
        if (p->text[i] == '.' && p->text[i + 1] == '.') { dots = i; break; }
    if (s == e || (dots == s && dots + 2 == e))
        return ng__err_at(NG_EQUERY, start, "query: 'date:' needs a date or a range at %zu", start);
    a.first = INT32_MIN + 1;
    b.last = INT32_MAX;
    if (dots == e) {
        if ((rc = parse_date_side(p, s, e, &a)) != NG_OK) return rc;
        b = a;
    } else {
        if (dots > s && (rc = parse_date_side(p, s, dots, &a)) != NG_OK) return rc;
        if (dots + 2 < e && (rc = parse_date_side(p, dots + 2, e, &b)) != NG_OK) return rc;
        if (a.first > b.last)
            return ng__err_at(NG_EQUERY, s, "query: empty date range (start after end) at %zu", s);
    }
    if (!(n = node_new(NG_Q_DATE))) return ng__oom();
    n->date_first = a.first;
    n->date_last = b.last;
    n->offset = start;
    n->length = e - start;
    *out = n;
    return NG_OK;
}

/* Suffixes "~k" and/or "^b" in text[s..e) after a phrase (slop may be NULL:
** only a boost is allowed, after ')'). */
static int parse_suffix(qparser *p, size_t s, size_t e, uint32_t *slop, double *boost)
{
    size_t caret = last_of(p->text, s, e, '^');
    if (caret < e) {
        int rc = parse_boost(p, caret + 1, e, caret, boost);
        if (rc) return rc;
        e = caret;
    }
    if (s == e) return NG_OK;
    if (p->text[s] == '~' && slop) {
        long k = parse_count(p->text, s + 1, e, NG_QUERY_MAX_SLOP);
        if (k < 0)
            return ng__err_at(NG_EQUERY, s, "query: expected a slop 0..%d after '~' at %zu", NG_QUERY_MAX_SLOP, s);
        *slop = (uint32_t)k;
        return NG_OK;
    }
    return ng__err_at(NG_EQUERY, s, "query: unexpected '%.*s' after a phrase at %zu", (int)(e - s > 20 ? 20 : e - s),
                      p->text + s, s);
}

/* The current token is a WORD that touches the previous token and starts
** with one of chars: a suffix of what came before. */
static int at_suffix(const qparser *p, const char *chars)
{
    return p->tok.kind == NG_QT_WORD && p->tok.start == p->prev_end && p->tok.start < p->tok.end &&
           strchr(chars, p->text[p->tok.start]) != NULL;
}

/* A PHRASE token (current) in field, with its optional ~slop / ^boost suffix. */
static int parse_phrase(qparser *p, size_t start, int field, ng_qnode **out)
{
    ng_qtok t = p->tok;
    uint32_t slop = 0;
    double boost = 1.0;
    int rc;

    if ((rc = analyse_text(p, t.text_start, t.text_end, start, t.end, field, out)) != NG_OK) return rc;
    if ((rc = advance(p)) == NG_OK && at_suffix(p, "~^")) {
        if ((rc = parse_suffix(p, p->tok.start, p->tok.end, &slop, &boost)) == NG_OK) rc = advance(p);
    }
    if (rc != NG_OK) {
        ng_qnode__free(*out);
        *out = NULL;
        return rc;
    }
    if (*out) {
        (*out)->boost = boost;
        if ((*out)->kind == NG_Q_PHRASE) (*out)->slop = slop;
    }
    return NG_OK;
}

/* A WORD token: [title:|date:] word [*|~[k]] [^b].  Moves past it. */
static int parse_word(qparser *p, ng_qnode **out)
{
    ng_qtok t = p->tok;
    const char *x = p->text;
    size_t s = t.text_start, e = t.text_end, caret, tilde;
    int field = NG_QF_ALL, rc;
    double boost = 1.0;
    long k = -1;

    *out = NULL;
    if (e - s >= 5 && memcmp(x + s, "date:", 5) == 0) {
        if ((rc = parse_date(p, t.start, s + 5, e, out)) != NG_OK) return rc;
        if ((rc = advance(p)) != NG_OK) { /* e.g. an unclosed quote after the date */
            ng_qnode__free(*out);
            *out = NULL;
        }
        return rc;
    }
    if (e - s >= 6 && memcmp(x + s, "title:", 6) == 0) {
        field = NG_QF_TITLE;
        s += 6;
        if (s == e) {
            if ((rc = advance(p)) != NG_OK) return rc;
            if (p->tok.kind != NG_QT_PHRASE || p->tok.start != p->prev_end)
                return ng__err_at(NG_EQUERY, t.start, "query: 'title:' needs a word or a phrase at %zu", t.start);
            return parse_phrase(p, t.start, field, out);
        }
    }
    caret = last_of(x, s, e, '^');
    if (caret < e) {
        if ((rc = parse_boost(p, caret + 1, e, caret, &boost)) != NG_OK) return rc;
        e = caret;
    }
    tilde = last_of(x, s, e, '~');
    if (tilde < e) {
        if (tilde + 1 == e) {
            k = NG_QFUZZY_DEFAULT;
        } else if ((k = parse_count(x, tilde + 1, e, 2)) < 0) {
            return ng__err_at(NG_EQUERY, tilde, "query: bad fuzzy distance '%.*s' (want ~, ~0, ~1 or ~2) at %zu",
                              (int)(e - tilde > 20 ? 20 : e - tilde), x + tilde, tilde);
        }
        rc = word_node(p, NG_Q_FUZZY, s, tilde, t.start, t.end, field, out);
        if (rc == NG_OK) (*out)->fuzzy_k = (unsigned)k;
    } else if (e > s && x[e - 1] == '*') {
        rc = word_node(p, NG_Q_PREFIX, s, e - 1, t.start, t.end, field, out);
    } else {
        if (s == e)
            return ng__err_at(NG_EQUERY, t.start, "query: expected a word before '^' at %zu", t.start);
        rc = analyse_text(p, s, e, t.start, t.end, field, out);
    }
    if (rc == NG_OK && (rc = advance(p)) != NG_OK) {
        ng_qnode__free(*out);
        *out = NULL;
    }
    if (rc == NG_OK && *out) (*out)->boost = boost;
    return rc;
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
        return parse_word(p, out);
    case NG_QT_PHRASE:
        return parse_phrase(p, t.start, NG_QF_ALL, out);

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
        if ((rc = advance(p)) == NG_OK && at_suffix(p, "^")) {
            double boost = 1.0;
            if ((rc = parse_suffix(p, p->tok.start, p->tok.end, NULL, &boost)) == NG_OK) rc = advance(p);
            if (rc == NG_OK && kid) kid->boost *= boost;
        }
        if (rc != NG_OK) {
            ng_qnode__free(kid);
            return rc;
        }
        *out = kid;
        return NG_OK;

    case NG_QT_AND:
    case NG_QT_OR:
    case NG_QT_NEAR:
        return ng__err_at(NG_EQUERY, t.start, "query: expected a term before '%s' at %zu",
                          tok_name(t.kind), t.start);
    case NG_QT_RPAREN:
        return ng__err_at(NG_EQUERY, t.start, "query: unexpected ')' at %zu", t.start);
    case NG_QT_EOF:
    default:
        return ng__err_at(NG_EQUERY, t.start, "query: expected a term at %zu", t.start);
    }
}

/* The distance of the NEAR token t: NEAR = 10, NEAR/k. */
static int near_distance(qparser *p, const ng_qtok *t, uint32_t *k)
{
    long v;
    if (t->end - t->start == 4) {
        *k = NG_QUERY_NEAR_DEFAULT;
        return NG_OK;
    }
    v = parse_count(p->text, t->start + 5, t->end, NG_QUERY_MAX_SLOP);
    if (v < 0)
        return ng__err_at(NG_EQUERY, t->start, "query: bad distance in '%.*s' (want NEAR/0..NEAR/%d) at %zu",
                          (int)(t->end - t->start > 20 ? 20 : t->end - t->start), p->text + t->start,
                          NG_QUERY_MAX_SLOP, t->start);
    *k = (uint32_t)v;
    return NG_OK;
}

static int near_operand_ok(const ng_qnode *n)
{
    return (n->kind == NG_Q_TERM || n->kind == NG_Q_PREFIX || n->kind == NG_Q_FUZZY) && n->boost == 1.0;
}

/* near_expr := unary { NEAR unary }: a chain must keep one distance. */
static int parse_near(qparser *p, ng_qnode **out)
{
    qlist l = {NULL, 0, 0};
    ng_qnode *n = NULL, *near;
    uint32_t k = 0;
    int rc, chained = 0;

    *out = NULL;
    if ((rc = parse_unary(p, &n)) != NG_OK) return rc;
    if (p->tok.kind != NG_QT_NEAR) {
        *out = n;
        return NG_OK;
    }
    if ((rc = qlist_push(&l, n)) != NG_OK) return rc;
    while (p->tok.kind == NG_QT_NEAR) {
        ng_qtok t = p->tok;
        uint32_t k2 = 0;
        if ((rc = near_distance(p, &t, &k2)) != NG_OK) goto fail;
        if (chained && k2 != k) {
            rc = ng__err_at(NG_EQUERY, t.start, "query: a NEAR chain must use one distance at %zu", t.start);
            goto fail;
        }
        k = k2;
        chained = 1;
        if ((rc = advance(p)) != NG_OK) goto fail;
        if (!starts_operand(p->tok.kind)) {
            rc = ng__err_at(NG_EQUERY, t.start, "query: expected a term after 'NEAR' at %zu", t.start);
            goto fail;
        }
        if ((rc = parse_unary(p, &n)) != NG_OK || (rc = qlist_push(&l, n)) != NG_OK) goto fail;
    }
    for (size_t i = 0; i < l.n; i++)
        if (!near_operand_ok(l.v[i])) {
            rc = ng__err_at(NG_EQUERY, l.v[i]->offset, "query: NEAR takes single words (no phrase, group, boost or NOT) at %zu",
                            l.v[i]->offset);
            goto fail;
        }
    if (l.n < 2) return make_nary(out, NG_Q_AND, &l); /* operands vanished: what is left */
    if ((rc = make_nary(&near, NG_Q_AND, &l)) != NG_OK) return rc;
    near->kind = NG_Q_NEAR; /* make_nary never merges: its kids are words */
    near->slop = k;
    *out = near;
    return NG_OK;
fail:
    qlist_free(&l);
    return rc;
}

/* or_expr := near_expr { "OR" near_expr } */
static int parse_or(qparser *p, ng_qnode **out)
{
    qlist l = {NULL, 0, 0};
    ng_qnode *n = NULL;
    int rc;

    *out = NULL;
    if ((rc = parse_near(p, &n)) != NG_OK || (rc = qlist_push(&l, n)) != NG_OK) goto fail;
    while (p->tok.kind == NG_QT_OR) {
        size_t at = p->tok.start;
        if ((rc = advance(p)) != NG_OK) goto fail;
        if (!starts_operand(p->tok.kind)) {
            rc = ng__err_at(NG_EQUERY, at, "query: expected a term after 'OR' at %zu", at);
            goto fail;
        }
        if ((rc = parse_near(p, &n)) != NG_OK || (rc = qlist_push(&l, n)) != NG_OK) goto fail;
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
    return ng_query__parse_ex(root_out, a, text, len, NG_QPARSE_NO_NAMES);
}

int ng_query__parse_ex(ng_qnode **root_out, ng_analyzer *a, const char *text, size_t len, unsigned flags)
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
    p.flags = flags;
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
