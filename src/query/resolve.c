/*
** resolve.c -- the expansion pass: PREFIX and FUZZY nodes become an ALT of
** the distinct stems of the lexicon words they stand for.
**
** The lexicon is read through the callbacks of ng_qexpander (the api module
** wires them to src/reader/expand.c), so this file needs no index.  Each
** lexicon word is analysed with the query's analyzer exactly as a document
** word would be, so "troops" and "troop" give one stem.  A word that expands
** to nothing leaves an ALT without kids, which matches nothing: "zzq* troop"
** finds no document, as an unknown word would.
*/
#include <stdio.h>

#include "ng_int.h"

typedef struct stems {
    ng_qterm *v; /* distinct stems so far */
    size_t n, cap;
    ng_analyzer *a;
    const ng_qnode *src; /* the PREFIX or FUZZY node */
    int rc;
} stems;

static int have_stem(const stems *s, const char *t, size_t n)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (s->v[i].term_len == n && memcmp(s->v[i].term, t, n) == 0) return 1;
    return 0;
}

/* Analyzer callback: keep the token's stem (in the node's field) if new. */
static int on_stem(void *payload, const ng_token *tok)
{
    stems *s = payload;
    char buf[NG_MAX_TERM_BYTES * 4 + 8];
    size_t n = 0;
    ng_qterm *t;
    if (tok->term_len + 2 > sizeof buf) return 0;
    if (s->src->field == NG_QF_TITLE) buf[n++] = NG_NS_TITLE;
    memcpy(buf + n, tok->term, tok->term_len);
    n += tok->term_len;
    if (have_stem(s, buf, n)) return 0;
    if (NG_GROW(s->v, s->cap, s->n + 1) != NG_OK) return s->rc = NG_ENOMEM;
    t = &s->v[s->n];
    memset(t, 0, sizeof *t);
    t->term = ng__strndup(buf, n);
    t->word = ng__strndup(tok->word, tok->word_len);
    if (!t->term || !t->word) {
        ng__free(t->term);
        ng__free(t->word);
        return s->rc = ng__oom();
    }
    t->term_len = n;
    t->word_len = tok->word_len;
    t->offset = s->src->terms[0].offset;
    t->src_len = s->src->terms[0].src_len;
    t->tok_flags = tok->flags;
    s->n++;
    return 0;
}

/* Expansion callback: analyse one lexicon word. */
static int on_word(const char *word, size_t len, void *arg)
{
    stems *s = arg;
    int rc = ng__analyze(s->a, word, len, 0, on_stem, s, NULL);
    if (s->rc) return s->rc;
    return rc ? ng__oom() : NG_OK;
}

/* Re-raise an expansion error at the node's query position. */
static int at_position(int rc, const ng_qnode *n)
{
    char msg[256];
    if (rc != NG_ELIMIT && rc != NG_EINVAL) return rc;
    snprintf(msg, sizeof msg, "%s", ng_error_last()->message);
    return ng__err_at(rc == NG_ELIMIT ? NG_ELIMIT : NG_EQUERY, n->offset, "query: %s at %zu", msg, n->offset);
}

/* Turn PREFIX/FUZZY node n into an ALT of TERMs, in place. */
static int expand_node(ng_qnode *n, ng_analyzer *a, const ng_qexpander *ex)
{
    stems s;
    ng_qterm *w = &n->terms[0];
    size_t i;
    int rc;

    memset(&s, 0, sizeof s);
    s.a = a;
    s.src = n;
    if (n->kind == NG_Q_PREFIX)
        rc = ex->prefix(ex->ctx, w->word, w->word_len, NG_QUERY_MAX_EXPAND, on_word, &s);
    else
        rc = ex->fuzzy(ex->ctx, w->word, w->word_len, n->fuzzy_k, NG_QUERY_MAX_EXPAND, on_word, &s);
    if (!rc && !(n->kids = ng__calloc(s.n ? s.n : 1, sizeof *n->kids))) rc = ng__oom();
    for (i = 0; i < s.n && !rc; i++) {
        ng_qnode *k = ng__calloc(1, sizeof *k);
        if (!k || !(k->terms = ng__malloc(sizeof *k->terms))) {
            ng__free(k);
            rc = ng__oom();
            break;
        }
        k->kind = NG_Q_TERM;
        k->boost = 1.0;
        k->field = n->field;
        k->offset = n->offset;
        k->length = n->length;
        k->terms[0] = s.v[i]; /* the kid owns the strings now */
        k->n_terms = 1;
        n->kids[n->n_kids++] = k;
    }
    for (i = n->n_kids; i < s.n; i++) { /* stems not handed over (error) */
        ng__free(s.v[i].term);
        ng__free(s.v[i].word);
    }
    ng__free(s.v);
    if (rc) return at_position(rc, n); /* the caller frees the tree */
    n->kind = NG_Q_ALT;
    return NG_OK;
}

int ng_query__expand(ng_qnode **root, ng_analyzer *a, const ng_qexpander *ex)
{
    ng_qnode *n = root ? *root : NULL;
    size_t i;
    int rc;
    if (!n) return NG_OK;
    if (n->kind == NG_Q_PREFIX || n->kind == NG_Q_FUZZY) return expand_node(n, a, ex);
    for (i = 0; i < n->n_kids; i++)
        if ((rc = ng_query__expand(&n->kids[i], a, ex)) != NG_OK) return rc;
    return NG_OK;
}
