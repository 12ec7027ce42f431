/*
** query.c -- public query objects, snippets and the version string.
*/
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "reader/expand.h"

NG_EXTERN(const char *) ng_version(void)
{
#define NG_STR2(x) #x
#define NG_STR(x) NG_STR2(x)
    return NG_STR(NG_VERSION_MAJOR) "." NG_STR(NG_VERSION_MINOR) "." NG_STR(NG_VERSION_PATCH);
}

/* ---- the lexicon, for the expansion pass (src/query/resolve.c) ---- */

static int feed_words(const ng_wordlist *l, ng_qword_fn add, void *arg)
{
    size_t i;
    int rc;
    for (i = 0; i < l->n; i++)
        if ((rc = add(ng_wordlist__word(l, i), l->v[i].len, arg)) != NG_OK) return rc;
    return NG_OK;
}

static int lex_prefix(void *ctx, const char *prefix, size_t len, size_t max, ng_qword_fn add, void *arg)
{
    ng_wordlist l = NG_WORDLIST_INIT;
    int rc = ng_index__expand_prefix(ctx, prefix, len, max, &l);
    if (!rc) rc = feed_words(&l, add, arg);
    ng_wordlist__free(&l);
    return rc;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t i, c = 0;
    for (i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static int lex_fuzzy(void *ctx, const char *word, size_t len, unsigned k, size_t max, ng_qword_fn add, void *arg)
{
    ng_wordlist l = NG_WORDLIST_INIT;
    int rc;
    if (k == NG_QFUZZY_DEFAULT) k = ng__fuzzy_default_k(utf8_chars(word, len));
    rc = ng_index__expand_fuzzy(ctx, word, len, k, max, &l);
    if (!rc) rc = feed_words(&l, add, arg);
    ng_wordlist__free(&l);
    return rc;
}

/* The index's parsing analyzer, or a new one when another thread has it. */
static int borrow_analyzer(ng_analyzer **out, ng_index *ix)
{
    *out = atomic_exchange(&ix->parse_an, NULL);
    return *out ? NG_OK : ng_analyzer__new(out, ix->man.lang);
}

/* Give it back; if another thread's analyzer went back meanwhile, free ours. */
static void return_analyzer(ng_index *ix, ng_analyzer *an)
{
    ng_analyzer *none = NULL;
    if (an && !atomic_compare_exchange_strong(&ix->parse_an, &none, an)) ng_analyzer__free(an);
}

/* The query's own analyzer (snippets, matched words), made on first use:
** parsing borrows the index's, so that a query that is only searched never
** pays for one.  A query belongs to one thread at a time, so the lazy
** assignment through the const pointer races with nobody. */
static int query_analyzer(ng_analyzer **out, const ng_query *q)
{
    ng_query *mq = (ng_query *)(uintptr_t)q;
    int rc;
    if (!mq->an && (rc = ng_analyzer__new(&mq->an, mq->lang)) != NG_OK) return rc;
    *out = mq->an;
    return NG_OK;
}

NG_EXTERN(int) ng_query_parse_ex(ng_query **out, ng_index *ix, const char *text, size_t len, unsigned int flags)
{
    ng_qexpander ex;
    ng_analyzer *an = NULL;
    ng_query *q;
    int rc;
    if (out) *out = NULL;
    if (!out || !ix || !text) return ng__err(NG_EINVAL, "query_parse: null argument");
    if (flags & ~(unsigned)NG_QUERY_NO_NAMES) return ng__err(NG_EINVAL, "query_parse: unknown flags 0x%x", flags);
    if (len == (size_t)-1) len = strlen(text);
    if (!(q = ng__calloc(1, sizeof *q))) return ng__oom();
    snprintf(q->lang, sizeof q->lang, "%s", ix->man.lang);
    q->flags = flags;
    q->len = len;
    if (!(q->text = ng__strndup(text, len))) rc = ng__oom();
    else rc = borrow_analyzer(&an, ix);
    if (!rc)
        rc = ng_query__parse_ex(&q->root, an, text, len, (flags & NG_QUERY_NO_NAMES) ? NG_QPARSE_NO_NAMES : 0);
    ex.prefix = lex_prefix;
    ex.fuzzy = lex_fuzzy;
    ex.ctx = ix;
    if (!rc) rc = ng_query__expand(&q->root, an, &ex);
    return_analyzer(ix, an);
    if (rc) {
        ng_query_free(q);
        return rc;
    }
    *out = q;
    return NG_OK;
}

NG_EXTERN(int) ng_query_parse(ng_query **out, ng_index *ix, const char *text, size_t len)
{
    return ng_query_parse_ex(out, ix, text, len, 0);
}

NG_EXTERN(void) ng_query_free(ng_query *q)
{
    if (!q) return;
    ng_qnode__free(q->root);
    ng_analyzer__free(q->an);
    ng__free(q->text);
    ng__free(q);
}

/* ---- "did you mean" ---- */

typedef struct fix {
    size_t off, len; /* the word's bytes in the query text */
    ng_wordlist w;   /* the suggested word (n == 1) */
} fix;

typedef struct fixes {
    fix *v;
    size_t n, cap;
} fixes;

/* Rare enough to be a misspelling: in no document or in one. */
#define NG_SUGGEST_MAX_DF 1

static int suggest_term(fixes *f, ng_index *ix, const ng_qterm *qt)
{
    uint64_t df = 0, kdf = 0;
    fix *x;
    int rc;
    if (qt->tok_flags & NG_TOK_NUMBER) return NG_OK;
    if ((rc = ng_index__df(ix, qt->term, qt->term_len, &df)) != NG_OK) return rc;
    if (qt->key && (rc = ng_index__df(ix, qt->key, qt->key_len, &kdf)) != NG_OK) return rc;
    if (df > NG_SUGGEST_MAX_DF || kdf > NG_SUGGEST_MAX_DF) return NG_OK;
    if ((rc = NG_GROW(f->v, f->cap, f->n + 1)) != NG_OK) return rc;
    x = &f->v[f->n];
    memset(x, 0, sizeof *x);
    rc = ng_index__suggest(ix, qt->word, qt->word_len, &x->w);
    if (rc == NG_ENOTFOUND || (!rc && x->w.v[0].df <= df)) { /* nothing better */
        ng_wordlist__free(&x->w);
        ng_error_clear();
        return NG_OK;
    }
    if (rc) {
        ng_wordlist__free(&x->w);
        return rc;
    }
    x->off = qt->offset;
    x->len = qt->src_len;
    f->n++;
    return NG_OK;
}

static int suggest_walk(fixes *f, ng_index *ix, const ng_qnode *n)
{
    size_t i;
    int rc;
    if (n->kind == NG_Q_NOT || n->kind == NG_Q_ALT || n->kind == NG_Q_DATE) return NG_OK;
    if (n->kind == NG_Q_TERM || n->kind == NG_Q_PHRASE)
        for (i = 0; i < n->n_terms; i++)
            if ((rc = suggest_term(f, ix, &n->terms[i])) != NG_OK) return rc;
    for (i = 0; i < n->n_kids; i++)
        if ((rc = suggest_walk(f, ix, n->kids[i])) != NG_OK) return rc;
    return NG_OK;
}

static int cmp_fix(const void *a, const void *b)
{
    const fix *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

NG_EXTERN(int) ng_query_suggest(ng_buf *out, ng_index *ix, const ng_query *q)
{
    fixes f = {NULL, 0, 0};
    size_t i, at = 0;
    int rc;
    if (!out || !ix || !q) return ng__err(NG_EINVAL, "query_suggest: null argument");
    ng__buf_clear(out);
    rc = q->root ? suggest_walk(&f, ix, q->root) : NG_OK;
    if (!rc && f.n) {
        qsort(f.v, f.n, sizeof *f.v, cmp_fix);
        for (i = 0; i < f.n; i++) {
            if (f.v[i].off < at) continue; /* one word analysed twice (never expected) */
            ng__buf_put(&rc, out, q->text + at, f.v[i].off - at);
            ng__buf_puts(&rc, out, ng_wordlist__word(&f.v[i].w, 0));
            at = f.v[i].off + f.v[i].len;
        }
        ng__buf_put(&rc, out, q->text + at, q->len - at);
    }
    if (!rc) ng__buf_put(&rc, out, "", 0);
    for (i = 0; i < f.n; i++) ng_wordlist__free(&f.v[i].w);
    ng__free(f.v);
    return rc;
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

/* Terms to highlight: upper bound of their number (name keys count twice). */
static int count_terms(const ng_qnode *n)
{
    size_t i;
    int c = 2 * (int)n->n_terms;
    if (n->kind == NG_Q_NOT) return 0;
    for (i = 0; i < n->n_kids; i++) c += count_terms(n->kids[i]);
    return c;
}

/* One unit of one term (its title prefix dropped: the body is shown). */
static void add_unit(units *u, const char *t, size_t len)
{
    ng_snip_phrase *p = &u->v[u->n++];
    if (len && t[0] == NG_NS_TITLE) t++, len--;
    p->terms = u->terms + u->n_terms;
    p->lens = u->lens + u->n_terms;
    p->n = 1;
    u->terms[u->n_terms] = t;
    u->lens[u->n_terms] = len;
    u->n_terms++;
}

static void collect_units(units *u, const ng_qnode *n)
{
    size_t i;
    if (n->kind == NG_Q_NOT || n->kind == NG_Q_DATE) return;
    if (n->kind == NG_Q_PHRASE && !n->slop) { /* exact phrase: one unit */
        ng_snip_phrase *p = &u->v[u->n++];
        p->terms = u->terms + u->n_terms;
        p->lens = u->lens + u->n_terms;
        p->n = n->n_terms;
        for (i = 0; i < n->n_terms; i++) {
            const char *t = n->terms[i].term;
            size_t len = n->terms[i].term_len;
            if (len && t[0] == NG_NS_TITLE) t++, len--;
            u->terms[u->n_terms] = t;
            u->lens[u->n_terms] = len;
            u->n_terms++;
        }
        return;
    }
    if (n->kind == NG_Q_TERM || n->kind == NG_Q_PHRASE) { /* words, sloppy phrase words */
        for (i = 0; i < n->n_terms; i++) {
            add_unit(u, n->terms[i].term, n->terms[i].term_len);
            if (n->terms[i].key) add_unit(u, n->terms[i].key, n->terms[i].key_len);
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
    ng_analyzer *an;
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
    if ((rc = query_analyzer(&an, q)) != NG_OK) goto out;
    if ((rc = ng_index_document(&body, ix, docnum, NG_FIELD_BODY)) != NG_OK) goto out;
    rc = ng_snippet__make(text_out, ranges_out, n_ranges_out, an, body.ptr ? body.ptr : "", body.size, u.v, u.n,
                          opts->words ? opts->words : 30);
out:
    ng_buf_dispose(&body);
    ng__free(u.v);
    ng__free(u.terms);
    ng__free(u.lens);
    return rc;
}

/* ---- the words of a document a query matched ---- */

typedef struct matched {
    units u;          /* the query's terms (as for snippets) */
    const char *text; /* the field being analysed */
    ng_buf *out;
    int rc;
} matched;

static int unit_has(const units *u, const char *t, size_t n)
{
    size_t i;
    for (i = 0; i < u->n_terms; i++)
        if (u->lens[i] == n && memcmp(u->terms[i], t, n) == 0) return 1;
    return 0;
}

/* Is the line w[0..n) already in out? */
static int listed(const ng_buf *out, const char *w, size_t n)
{
    const char *p = out->ptr, *end = out->ptr ? out->ptr + out->size : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len == n && memcmp(p, w, n) == 0) return 1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

static int on_matched_token(void *payload, const ng_token *t)
{
    matched *m = payload;
    char key[NG_MAX_TERM_BYTES * 4 + 8];
    const char *w = m->text + t->start;
    size_t n = t->end - t->start, kn;
    int hit = unit_has(&m->u, t->term, t->term_len);
    if (!hit && (t->flags & NG_TOK_CAPITALIZED) &&
        (kn = ng__name_key(t->word, t->word_len, key + 1, sizeof key - 1)) != 0) {
        key[0] = NG_NS_NAME;
        hit = unit_has(&m->u, key, kn + 1);
    }
    if (hit && !listed(m->out, w, n)) {
        ng__buf_put(&m->rc, m->out, w, n);
        ng__buf_putc(&m->rc, m->out, '\n');
    }
    return m->rc;
}

NG_EXTERN(int) ng_query_matched_words(ng_buf *out, ng_index *ix, const ng_query *q, uint64_t docnum)
{
    static const int fields[2] = {NG_FIELD_TITLE, NG_FIELD_BODY};
    ng_buf text = NG_BUF_INIT;
    ng_analyzer *an = NULL;
    matched m;
    size_t nt, i;
    int rc = NG_OK;
    if (!out || !ix || !q) return ng__err(NG_EINVAL, "query_matched_words: null argument");
    ng__buf_clear(out);
    memset(&m, 0, sizeof m);
    m.out = out;
    nt = q->root ? (size_t)count_terms(q->root) : 0;
    m.u.v = ng__calloc(nt + 1, sizeof *m.u.v);
    m.u.terms = ng__calloc(nt + 1, sizeof *m.u.terms);
    m.u.lens = ng__calloc(nt + 1, sizeof *m.u.lens);
    if (!m.u.v || !m.u.terms || !m.u.lens) rc = ng__oom();
    if (!rc && q->root) collect_units(&m.u, q->root);
    if (!rc) rc = query_analyzer(&an, q);
    for (i = 0; i < 2 && !rc; i++) {
        if ((rc = ng_index_document(&text, ix, docnum, fields[i])) != NG_OK) break;
        m.text = text.ptr ? text.ptr : "";
        rc = ng__analyze(an, m.text, text.size, 0, on_matched_token, &m, NULL);
        if (rc > 0) rc = m.rc ? m.rc : ng__err(NG_ERROR, "matched words: analyzer stopped");
    }
    if (!rc) ng__buf_put(&rc, out, "", 0);
    ng_buf_dispose(&text);
    ng__free(m.u.v);
    ng__free(m.u.terms);
    ng__free(m.u.lens);
    return rc;
}

NG_EXTERN(int) ng_date_range(int32_t *first_out, int32_t *last_out, const char *text, size_t len)
{
    ng_date_span d;
    if (!first_out || !last_out || !text) return ng__err(NG_EINVAL, "date_range: null argument");
    if (len == (size_t)-1) len = strlen(text);
    if (ng__date_parse(text, len, &d) != NG_OK || d.consumed != len)
        return ng__err(NG_EINVAL, "bad date '%.*s' (want YYYY, YYYY-MM or YYYY-MM-DD)", (int)(len > 40 ? 40 : len), text);
    *first_out = d.first;
    *last_out = d.last;
    return NG_OK;
}
