/*
** test_query_parse.c -- the query language: lexer, parser, AST.
**
** Most tests compare ng_qnode__describe() of the parsed tree with the
** expected canonical form, or check the NG_EQUERY offset of an error.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_int.h"
#include "ng_test.h"

static ng_analyzer *g_an;

static int suite_init(void) { return ng_analyzer__new(&g_an, "english") == NG_OK ? 0 : -1; }
static int suite_clean(void)
{
    ng_analyzer__free(g_an);
    g_an = NULL;
    return 0;
}

/* Parse q (length n) and return a malloc'ed description: the canonical
** form, "" for an empty query, or "!<offset>" for NG_EQUERY ("!?" for any
** other failure). */
static char *describe_n(const char *q, size_t n)
{
    ng_qnode *root = (ng_qnode *)1;
    ng_buf b = NG_BUF_INIT;
    char *s;
    int rc = ng_query__parse(&root, g_an, q, n);
    if (rc != NG_OK) {
        char tmp[64];
        CU_ASSERT_PTR_NULL(root);
        if (rc == NG_EQUERY) snprintf(tmp, sizeof tmp, "!%zu", ng_error_last()->offset);
        else snprintf(tmp, sizeof tmp, "!?%d", rc);
        return strdup(tmp);
    }
    if (ng_qnode__describe(&b, root) != NG_OK) {
        ng_qnode__free(root);
        ng_buf_dispose(&b);
        return strdup("!describe");
    }
    s = strdup(b.ptr ? b.ptr : "");
    ng_buf_dispose(&b);
    ng_qnode__free(root);
    return s;
}

static int g_show = 1;
static void expect_at(const char *q, size_t n, const char *want, int line)
{
    char *got = describe_n(q, n);
    int ok = got && strcmp(got, want) == 0;
    CU_assertImplementation(ok, (unsigned)line, "describe(query) == want", __FILE__, "", CU_FALSE);
    if (!ok && g_show) fprintf(stderr, "\n  line %d: [%.60s] -> [%.60s], want [%.60s]\n", line, q, got ? got : "(null)", want);
    free(got);
}
#define EXPECT(q, want) expect_at((q), strlen(q), (want), __LINE__)
#define EXPECT_N(q, n, want) expect_at((q), (n), (want), __LINE__)

/* An NG_EQUERY at offset off whose message starts "query: ", contains
** word and ends " at <off>". */
static void expect_err_at(const char *q, size_t off, const char *word, int line)
{
    ng_qnode *root = NULL;
    int rc = ng_query__parse(&root, g_an, q, strlen(q));
    const ng_error *e = ng_error_last();
    char tail[32];
    int ok = rc == NG_EQUERY && root == NULL && e->code == NG_EQUERY && e->offset == off;
    snprintf(tail, sizeof tail, " at %zu", off);
    ok = ok && strncmp(e->message, "query: ", 7) == 0 && strstr(e->message, word) != NULL &&
         strlen(e->message) >= strlen(tail) &&
         strcmp(e->message + strlen(e->message) - strlen(tail), tail) == 0;
    CU_assertImplementation(ok, (unsigned)line, "NG_EQUERY at offset with message", __FILE__, "", CU_FALSE);
    if (!ok)
        fprintf(stderr, "\n  line %d: [%.60s] -> rc %d offset %zu \"%s\", want error at %zu with \"%s\"\n", line,
                q, rc, e->offset, e->message, off, word);
    ng_qnode__free(root);
}
#define EXPECT_ERR(q, off, word) expect_err_at((q), (off), (word), __LINE__)

/* ---------------------------------------------------------------- */

static void test_implicit_and(void)
{
    EXPECT("putin", "putin");
    EXPECT("Lavrov troops", "(AND lavrov troop)");
    EXPECT("  Lavrov   troops  ", "(AND lavrov troop)");
    EXPECT("Lavrov AND troops", "(AND lavrov troop)");
    EXPECT("a b c d", "(AND a b c d)");
    EXPECT("a AND b c AND d", "(AND a b c d)");
    /* lowercase operators are words */
    EXPECT("cats and dogs", "(AND cat and dog)");
    EXPECT("war or peace not", "(AND war or peac not)");
    EXPECT("And Or Not", "(AND and or not)");
    /* operators are whole words only */
    EXPECT("ANDROID ORBIT NOTE", "(AND android orbit note)");
    EXPECT("AND. OR, NOT!", "(AND and or not)");
}

static void test_precedence(void)
{
    EXPECT("Zelensky OR Zelenskyy", "(OR zelenski zelenskyy)");
    EXPECT("Zelensky OR Zelenskyy troops", "(AND (OR zelenski zelenskyy) troop)");
    EXPECT("troops Zelensky OR Zelenskyy", "(AND troop (OR zelenski zelenskyy))");
    EXPECT("a OR b AND c OR d", "(AND (OR a b) (OR c d))");
    EXPECT("a OR b OR c", "(OR a b c)");
    EXPECT("a b OR c d", "(AND a (OR b c) d)");
    EXPECT("x NOT a b", "(AND x (NOT a) b)");
    EXPECT("x AND NOT y", "(AND x (NOT y))");
    EXPECT("x -a -b", "(AND x (NOT a) (NOT b))");
    EXPECT("-a x", "(AND (NOT a) x)");
    /* NOT binds tighter than OR: (OR (NOT a) b) is a NOT inside OR */
    EXPECT_ERR("x NOT a OR b", 2, "NOT");
    /* double negation */
    EXPECT("NOT NOT a", "a");
    EXPECT("x NOT NOT a", "(AND x a)");
    EXPECT("x - -a", "(AND x (NOT a))"); /* lone '-' is a word: dropped */
    EXPECT("NOT -a", "a");
    EXPECT("x NOT (NOT a)", "(AND x a)");
    EXPECT("x NOT NOT NOT a", "(AND x (NOT a))");
    EXPECT("x NOT (a NOT b)", "(AND x (NOT (AND a (NOT b))))");
}

static void test_parentheses(void)
{
    EXPECT("war (Kyiv OR Kiev)", "(AND war (OR kyiv kiev))");
    EXPECT("(Kyiv OR Kiev) war", "(AND (OR kyiv kiev) war)");
    EXPECT("((putin))", "putin");
    EXPECT("(((a b)))", "(AND a b)");
    EXPECT("(a b) (c d)", "(AND a b c d)");
    EXPECT("(a b) AND (c AND d)", "(AND a b c d)");
    EXPECT("(a OR b) OR c", "(OR a b c)");
    EXPECT("a OR (b OR (c OR d))", "(OR a b c d)");
    EXPECT("a OR (b c)", "(OR a (AND b c))");
    EXPECT("(a OR b) (c OR d)", "(AND (OR a b) (OR c d))");
    EXPECT("x (a -b)", "(AND x a (NOT b))");
    EXPECT("(-b a) x", "(AND (NOT b) a x)");
    EXPECT("(NOT b) x", "(AND (NOT b) x)");
    EXPECT("a(b)c", "(AND a b c)");
    EXPECT("a -(b OR c)", "(AND a (NOT (OR b c)))");
    EXPECT("a NOT(b c)", "(AND a (NOT (AND b c)))");
}

static void test_hyphen(void)
{
    EXPECT("F-16", "\"f 16\"");
    EXPECT("F-16 jets", "(AND \"f 16\" jet)");
    EXPECT("-F-16 jets", "(AND (NOT \"f 16\") jet)");
    EXPECT("jets -F-16", "(AND jet (NOT \"f 16\"))");
    EXPECT("Covid-19", "\"covid 19\"");
    EXPECT("e-mail", "\"e mail\"");
    EXPECT("30-minute", "\"30 minut\"");
    EXPECT("x-y z", "(AND \"x y\" z)");
    EXPECT("(-a b)", "(AND (NOT a) b)");
    EXPECT("a -\"b c\"", "(AND a (NOT \"b c\"))");
    EXPECT("x -OR", "(AND x (NOT or))");
    EXPECT("x -AND -NOT", "(AND x (NOT and) (NOT not))");
    /* '-' not at the start of a word is no operator */
    EXPECT("a)-b", "!1");
    EXPECT("(a)-b", "(AND a b)");
    EXPECT("\"a\"-b", "(AND a b)");
    /* dashes that are not NOT */
    EXPECT("x --y", "(AND x y)");
    EXPECT("x -\xe2\x80\x94y", "(AND x y)");
    EXPECT("x \xe2\x80\x94y", "(AND x y)");
    EXPECT("x -", "x");
    EXPECT("x - y", "(AND x y)");
    EXPECT("x \xe2\x80\x94 y", "(AND x y)");
    EXPECT("(x -)", "x");
}

static void test_words(void)
{
    EXPECT("U.S.", "us");
    EXPECT("O'Brien", "o'brien");
    EXPECT("38.101", "38101");
    EXPECT("Zelenskyy's", "zelenskyy");
    EXPECT("Zelenskyy\xe2\x80\x99s", "zelenskyy");
    EXPECT("U.S. O'Brien 38.101 Zelenskyy's", "(AND us o'brien 38101 zelenskyy)");
    EXPECT("Caf\xc3\xa9 Ukraine\xe2\x80\x99s", "(AND cafe ukrain)"); /* folded, stemmed */
}

static void test_quotes(void)
{
    EXPECT("\"secretary of state\"", "\"secretari of state\"");
    EXPECT("\xe2\x80\x9csecretary of state\xe2\x80\x9d", "\"secretari of state\"");
    EXPECT("\xe2\x80\x9esecretary of state\xe2\x80\x9c", "\"secretari of state\"");
    EXPECT("\"secretary of state\xe2\x80\x9d", "\"secretari of state\"");
    EXPECT("Blinken \"secretary of state\"", "(AND blinken \"secretari of state\")");
    EXPECT("\"a b\" OR \"c d\"", "(OR \"a b\" \"c d\")");
    EXPECT("\"war AND peace\"", "\"war and peac\"");
    EXPECT("\"(a) -b OR\"", "\"a b or\"");
    EXPECT("\"F-16\"", "\"f 16\"");
    /* phrase of one word is a term; of none, dropped */
    EXPECT("\"putin\"", "putin");
    EXPECT("\"  putin  \"", "putin");
    EXPECT("\"\"", "");
    EXPECT("\"\" putin", "putin");
    EXPECT("putin \"\xe2\x80\x94\"", "putin");
    /* a quote ends a word */
    EXPECT("a\"b c\"d", "(AND a \"b c\" d)");
    /* apostrophes are no quotes */
    EXPECT("\xe2\x80\x98war\xe2\x80\x99", "war");
}

static void test_empty_words(void)
{
    EXPECT("", "");
    EXPECT("   \t\n", "");
    EXPECT("\xc2\xa0\xe2\x80\x83\xe3\x80\x80", "");
    EXPECT("\xe2\x80\x94", "");
    EXPECT("-", "");
    EXPECT("- - --", "");
    EXPECT("(\xe2\x80\x94)", "");
    EXPECT("Putin AND \xe2\x80\x94", "putin");
    EXPECT("\xe2\x80\x94 AND Putin", "putin");
    EXPECT("Putin OR \xe2\x80\x94", "putin");
    EXPECT("\xe2\x80\x94 OR \xe2\x80\x94", "");
    EXPECT("a NOT \xe2\x80\x94", "a");
    EXPECT("a -(\xe2\x80\x94 !)", "a");
    EXPECT("a (\xe2\x80\x94 \xe2\x80\x93) b", "(AND a b)");
    EXPECT("a OR (! ?) OR b", "(OR a b)");
    /* Unicode spaces separate words */
    EXPECT("putin\xc2\xa0troops", "(AND putin troop)");
    EXPECT("putin\xe2\x80\x83troops", "(AND putin troop)");
    EXPECT("\xc2\xa0-putin\xe2\x80\x83x", "(AND (NOT putin) x)");
    EXPECT_N("a\0b", 3, "\"a b\""); /* NUL is inside the word */
}

static void test_errors(void)
{
    EXPECT_ERR("\"abc", 0, "unclosed");
    EXPECT_ERR("a \"b", 2, "unclosed");
    EXPECT_ERR("a \xe2\x80\x9c" "b c", 2, "unclosed");
    EXPECT_ERR("\"a\" \"b", 4, "unclosed");
    EXPECT_ERR("date:6666\"", 9, "unclosed"); /* fuzz finding: the date node leaked */
    EXPECT_ERR("(a", 0, "unbalanced '('");
    EXPECT_ERR("x (a (b) c", 2, "unbalanced '('");
    EXPECT_ERR("x (a (b c", 5, "unbalanced '('");
    EXPECT_ERR("a)", 1, "unexpected ')'");
    EXPECT_ERR(")", 0, "unexpected ')'");
    EXPECT_ERR("(a))", 3, "unexpected ')'");
    EXPECT_ERR("a) (b", 1, "unexpected ')'");
    EXPECT_ERR("Putin AND", 6, "after 'AND'");
    EXPECT_ERR("Putin AND   ", 6, "after 'AND'");
    EXPECT_ERR("Putin OR", 6, "after 'OR'");
    EXPECT_ERR("Putin NOT", 6, "after 'NOT'");
    EXPECT_ERR("(Putin AND)", 7, "after 'AND'");
    EXPECT_ERR("(Putin OR) x", 7, "after 'OR'");
    EXPECT_ERR("a AND OR b", 2, "after 'AND'");
    EXPECT_ERR("a OR OR b", 2, "after 'OR'");
    EXPECT_ERR("a OR AND b", 2, "after 'OR'");
    EXPECT_ERR("a NOT AND b", 2, "after 'NOT'");
    EXPECT_ERR("a AND AND b", 2, "after 'AND'");
    EXPECT_ERR("AND Putin", 0, "before 'AND'");
    EXPECT_ERR("OR x", 0, "before 'OR'");
    EXPECT_ERR("(OR a)", 1, "before 'OR'");
    EXPECT_ERR("a (AND b)", 3, "before 'AND'");
    EXPECT_ERR("()", 0, "empty parentheses");
    EXPECT_ERR("a ( ) b", 2, "empty parentheses");
    EXPECT_ERR("a (()) b", 3, "empty parentheses");
    EXPECT_ERR("a -()", 3, "empty parentheses");
    /* the first error in the text wins */
    EXPECT_ERR(") \"x", 0, "unexpected ')'");
    EXPECT_ERR("AND \"x", 0, "before 'AND'");
    EXPECT_ERR("a \"x AND", 2, "unclosed");
    /* NOT with nothing positive beside it */
    EXPECT_ERR("-putin", 0, "nothing to match beside NOT");
    EXPECT_ERR("NOT putin", 0, "nothing to match beside NOT");
    EXPECT_ERR("a OR -b", 5, "nothing to match beside NOT");
    EXPECT_ERR("-a OR b", 0, "nothing to match beside NOT");
    EXPECT_ERR("-a -b", 0, "nothing to match beside NOT");
    EXPECT_ERR("(NOT a)", 1, "nothing to match beside NOT");
    EXPECT_ERR("(a OR -b) c", 6, "nothing to match beside NOT");
    EXPECT_ERR("x -(-a -b)", 4, "nothing to match beside NOT");
    EXPECT_ERR("\xe2\x80\x94 -b", 4, "nothing to match beside NOT");
    EXPECT_ERR("NOT a AND \xe2\x80\x94", 0, "nothing to match beside NOT");
    EXPECT_ERR("NOT NOT NOT a", 0, "nothing to match beside NOT");
}

/* Tree invariants: AND/OR have >= 2 kids and no kid of their own kind, NOT
** has one kid and sits in an AND with a positive sibling, TERM has one term,
** PHRASE >= 2 with increasing rel_pos; every offset is inside the text. */
static int tree_ok(const ng_qnode *n, ng_qkind parent, size_t len)
{
    size_t i, pos = 0;
    if (n->offset > len || n->length > len - n->offset) return 0;
    switch (n->kind) {
    case NG_Q_TERM:
        return n->n_terms == 1 && n->n_kids == 0 && n->terms[0].term && n->terms[0].word &&
               n->terms[0].rel_pos == 0 && n->terms[0].offset < len &&
               strlen(n->terms[0].term) == n->terms[0].term_len;
    case NG_Q_PHRASE:
        if (n->n_terms < 2 || n->n_kids) return 0;
        for (i = 0; i < n->n_terms; i++) {
            if (!n->terms[i].term || n->terms[i].offset >= len) return 0;
            if (i && n->terms[i].rel_pos <= n->terms[i - 1].rel_pos) return 0;
        }
        return n->terms[0].rel_pos == 0;
    case NG_Q_NOT:
        return parent == NG_Q_AND && n->n_kids == 1 && n->kids[0]->kind != NG_Q_NOT &&
               tree_ok(n->kids[0], NG_Q_NOT, len);
    case NG_Q_AND:
    case NG_Q_OR:
        if (n->n_kids < 2 || n->n_terms) return 0;
        for (i = 0; i < n->n_kids; i++) {
            if (n->kids[i]->kind == n->kind || !tree_ok(n->kids[i], n->kind, len)) return 0;
            pos += n->kids[i]->kind != NG_Q_NOT;
        }
        return n->kind == NG_Q_OR || pos > 0;
    default:
        return 0;
    }
}

static void test_terms_fields(void)
{
    const char *q = "war \"secretary of state\" Lavrov's F-16";
    ng_qnode *r = NULL;
    ng_buf b = NG_BUF_INIT;
    NG_ASSERT_OK(ng_query__parse(&r, g_an, q, strlen(q)));
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT(tree_ok(r, 0, strlen(q)));
    CU_ASSERT_EQUAL(r->kind, NG_Q_AND);
    CU_ASSERT_EQUAL_FATAL(r->n_kids, 4);
    CU_ASSERT_EQUAL(r->offset, 0);
    CU_ASSERT_EQUAL(r->length, strlen(q));
    CU_ASSERT_EQUAL(r->field, 0);
    CU_ASSERT_DOUBLE_EQUAL(r->boost, 1.0, 1e-12);
    /* war */
    CU_ASSERT_EQUAL(r->kids[0]->kind, NG_Q_TERM);
    CU_ASSERT_EQUAL(r->kids[0]->offset, 0);
    CU_ASSERT_EQUAL(r->kids[0]->length, 3);
    CU_ASSERT_STRING_EQUAL(r->kids[0]->terms[0].term, "war");
    /* "secretary of state": span includes the quotes */
    {
        const ng_qnode *p = r->kids[1];
        CU_ASSERT_EQUAL(p->kind, NG_Q_PHRASE);
        CU_ASSERT_EQUAL(p->offset, 4);
        CU_ASSERT_EQUAL(p->length, 20);
        CU_ASSERT_EQUAL_FATAL(p->n_terms, 3);
        CU_ASSERT_STRING_EQUAL(p->terms[0].term, "secretari");
        CU_ASSERT_EQUAL(p->terms[0].term_len, 9);
        CU_ASSERT_STRING_EQUAL(p->terms[0].word, "secretary");
        CU_ASSERT_EQUAL(p->terms[0].word_len, 9);
        CU_ASSERT_EQUAL(p->terms[0].offset, 5);
        CU_ASSERT_EQUAL(p->terms[1].offset, 15);
        CU_ASSERT_EQUAL(p->terms[2].offset, 18);
        CU_ASSERT_EQUAL(p->terms[0].rel_pos, 0);
        CU_ASSERT_EQUAL(p->terms[1].rel_pos, 1);
        CU_ASSERT_EQUAL(p->terms[2].rel_pos, 2);
    }
    /* Lavrov's: term stemmed, word folded */
    CU_ASSERT_EQUAL(r->kids[2]->kind, NG_Q_TERM);
    CU_ASSERT_STRING_EQUAL(r->kids[2]->terms[0].term, "lavrov");
    CU_ASSERT_STRING_EQUAL(r->kids[2]->terms[0].word, "lavrov's");
    CU_ASSERT_EQUAL(r->kids[2]->terms[0].offset, 25);
    CU_ASSERT_EQUAL(r->kids[2]->offset, 25);
    CU_ASSERT_EQUAL(r->kids[2]->length, 8);
    /* F-16 */
    CU_ASSERT_EQUAL(r->kids[3]->kind, NG_Q_PHRASE);
    CU_ASSERT_EQUAL(r->kids[3]->offset, 34);
    CU_ASSERT_EQUAL(r->kids[3]->length, 4);
    CU_ASSERT_EQUAL(r->kids[3]->terms[0].offset, 34);
    CU_ASSERT_EQUAL(r->kids[3]->terms[1].offset, 36);
    CU_ASSERT_EQUAL(r->kids[3]->terms[1].rel_pos, 1);
    /* describe appends */
    ng__buf_puts(&(int){0}, &b, ">");
    NG_ASSERT_OK(ng_qnode__describe(&b, r));
    CU_ASSERT_STRING_EQUAL(b.ptr, ">(AND war \"secretari of state\" lavrov \"f 16\")");
    ng_buf_dispose(&b);
    ng_qnode__free(r);

    /* NOT span and offsets */
    q = "a -b";
    NG_ASSERT_OK(ng_query__parse(&r, g_an, q, strlen(q)));
    CU_ASSERT_FATAL(r && r->n_kids == 2);
    CU_ASSERT_EQUAL(r->kids[1]->kind, NG_Q_NOT);
    CU_ASSERT_EQUAL(r->kids[1]->offset, 2);
    CU_ASSERT_EQUAL(r->kids[1]->length, 2);
    CU_ASSERT_EQUAL(r->kids[1]->kids[0]->offset, 3);
    ng_qnode__free(r);

    /* describe of the empty query, bad arguments */
    NG_ASSERT_OK(ng_qnode__describe(&b, NULL));
    CU_ASSERT_PTR_NOT_NULL(b.ptr);
    if (b.ptr) CU_ASSERT_STRING_EQUAL(b.ptr, "");
    ng_buf_dispose(&b);
    CU_ASSERT_EQUAL(ng_query__parse(NULL, g_an, "a", 1), NG_EINVAL);
    r = (ng_qnode *)1;
    CU_ASSERT_EQUAL(ng_query__parse(&r, NULL, "a", 1), NG_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    NG_ASSERT_OK(ng_query__parse(&r, g_an, NULL, 0));
    CU_ASSERT_PTR_NULL(r);
    ng_qnode__free(NULL);
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail), i;
    char *s = malloc(u * times + t + 1);
    CU_ASSERT_FATAL(s != NULL);
    for (i = 0; i < times; i++) memcpy(s + i * u, unit, u);
    memcpy(s + u * times, tail, t + 1);
    return s;
}

static void test_limits_depth(void)
{
    char *q, *r;
    size_t d = NG_QUERY_MAX_DEPTH;

    /* exactly the maximum nesting is fine, one more is not */
    q = repeat("(", d, "a");
    r = repeat(")", d, "");
    {
        char *s = malloc(strlen(q) + strlen(r) + 1);
        strcpy(s, q);
        strcat(s, r);
        EXPECT(s, "a");
        free(s);
    }
    free(q);
    free(r);
    q = repeat("(", d + 1, "a");
    EXPECT_ERR(q, d, "nested deeper");
    free(q);
    q = repeat("NOT ", d, "a b");
    EXPECT(q, "(AND a b)");
    free(q);
    q = repeat("NOT ", d + 1, "a b");
    EXPECT_ERR(q, 4 * d, "nested deeper");
    free(q);
    q = repeat("x -(", d / 2, "(a"); /* NOT and ( both nest: the last ( is level d+1 */
    EXPECT_ERR(q, 4 * (d / 2), "nested deeper");
    free(q);
    /* no recursion blow-up: the depth is checked before recursing */
    q = repeat("(", NG_QUERY_MAX_BYTES, "");
    EXPECT_ERR(q, d, "nested deeper");
    free(q);
    q = repeat("(", 100000, ""); /* longer than the limit: refused at once */
    EXPECT_ERR(q, NG_QUERY_MAX_BYTES, "longer than");
    free(q);
    q = repeat("NOT ", NG_QUERY_MAX_BYTES / 4 - 1, "a");
    EXPECT_ERR(q, 4 * d, "nested deeper");
    free(q);
    q = repeat("-", NG_QUERY_MAX_BYTES - 1, "a"); /* "--" is no NOT: one word */
    EXPECT(q, "a");
    free(q);
    q = repeat("(-", NG_QUERY_MAX_BYTES / 2 - 1, "a");
    EXPECT_ERR(q, d, "nested deeper");
    free(q);
    q = repeat(")", NG_QUERY_MAX_BYTES, "");
    EXPECT_ERR(q, 0, "unexpected ')'");
    free(q);
    q = repeat("a OR ", 5000, "a");
    EXPECT_ERR(q, 1024 * 5, "too many terms");
    free(q);
}

static void test_limits_size(void)
{
    char *q;
    size_t max = NG_QUERY_MAX_BYTES;

    q = repeat(" ", max - 1, "a");
    EXPECT(q, "a");
    free(q);
    q = repeat(" ", max, "a");
    EXPECT_ERR(q, max, "longer than");
    free(q);
    q = repeat("\xe2\x80\x94 ", 16000, "");
    EXPECT(q, "");
    free(q);

    /* terms */
    q = repeat("a ", NG_QUERY_MAX_TERMS, "");
    {
        ng_qnode *r = NULL;
        NG_ASSERT_OK(ng_query__parse(&r, g_an, q, strlen(q)));
        CU_ASSERT(r && r->kind == NG_Q_AND && r->n_kids == NG_QUERY_MAX_TERMS);
        ng_qnode__free(r);
    }
    free(q);
    q = repeat("a ", NG_QUERY_MAX_TERMS, "b");
    EXPECT_ERR(q, 2 * NG_QUERY_MAX_TERMS, "too many terms");
    free(q);
    /* in a phrase, and in a hyphenated word */
    q = repeat("a ", NG_QUERY_MAX_TERMS + 1, "");
    {
        char *s = malloc(strlen(q) + 3);
        sprintf(s, "\"%s\"", q);
        EXPECT_ERR(s, 1 + 2 * NG_QUERY_MAX_TERMS, "too many terms");
        free(s);
    }
    free(q);
    q = repeat("a-", NG_QUERY_MAX_TERMS + 5, "a");
    EXPECT_ERR(q, 2 * NG_QUERY_MAX_TERMS, "too many terms");
    free(q);
    /* terms under NOT count too */
    q = repeat("x -a ", NG_QUERY_MAX_TERMS / 2, "z");
    EXPECT_ERR(q, 5 * (NG_QUERY_MAX_TERMS / 2), "too many terms");
    free(q);
}

/* Random byte strings from an alphabet of syntax and UTF-8 pieces. */
static void test_random(void)
{
    static const char *alpha[] = {"(", ")", "\"", "-", "AND", "OR", "NOT", "a", "b", " ", " ", " ",
                                  "\xe2\x80\x9c", "\xe2\x80\x9d", "\xc3\xa9", "\xe2\x80\x94", "\xc2\xa0",
                                  "\xe2\x80\x83", "\xff", "\xe2", "\xe2\x80", "F-16", "'", ".", "\xe2\x80\x99"};
    uint64_t seed = 0x5eed1234abcdULL;
    char q[256];
    size_t iter, bad = 0, ok = 0, err = 0;

    for (iter = 0; iter < 100000; iter++) {
        size_t n = 0, parts = (size_t)(ng_test_rand(&seed) % 24), i;
        ng_qnode *r = NULL;
        int rc;
        for (i = 0; i < parts; i++) {
            const char *p = alpha[ng_test_rand(&seed) % NG_ARRAY_LEN(alpha)];
            size_t l = strlen(p);
            memcpy(q + n, p, l);
            n += l;
        }
        if (ng_test_rand(&seed) % 4 == 0 && n) n -= (size_t)(ng_test_rand(&seed) % n); /* cut anywhere */
        rc = ng_query__parse(&r, g_an, q, n);
        if (rc == NG_OK) {
            ng_buf b = NG_BUF_INIT;
            ok++;
            if (r && (!tree_ok(r, 0, n) || ng_qnode__describe(&b, r) != NG_OK)) bad++;
            ng_buf_dispose(&b);
            ng_qnode__free(r);
        } else {
            err++;
            if (rc != NG_EQUERY || r != NULL || ng_error_last()->offset > n ||
                strncmp(ng_error_last()->message, "query: ", 7) != 0)
                bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(ok > 1000);
    CU_ASSERT(err > 1000);
}

/* Allocation failures: every failing allocation gives NG_ENOMEM and leaks
** nothing (LeakSanitizer checks at exit). */
static long g_fail_after;
static void *fail_malloc(size_t n) { return g_fail_after-- > 0 ? malloc(n) : NULL; }
static void *fail_realloc(void *p, size_t n) { return g_fail_after-- > 0 ? realloc(p, n) : NULL; }

static void test_oom(void)
{
    static const char *qs[] = {"war (Kyiv OR Kiev) -\"secretary of state\" F-16 NOT NOT x",
                               "a OR b OR (c d -e) \342\200\234f g\342\200\235", "(a"};
    size_t i;
    for (i = 0; i < NG_ARRAY_LEN(qs); i++) {
        long k;
        int done = 0;
        for (k = 0; k < 1000 && !done; k++) {
            ng_qnode *r = NULL;
            ng_buf b = NG_BUF_INIT;
            int rc, drc;
            g_fail_after = k;
            ng_set_allocator(fail_malloc, fail_realloc, NULL);
            rc = ng_query__parse(&r, g_an, qs[i], strlen(qs[i]));
            drc = r ? ng_qnode__describe(&b, r) : NG_OK;
            ng_set_allocator(NULL, NULL, NULL);
            CU_ASSERT(rc == NG_OK || rc == NG_ENOMEM || rc == NG_EQUERY);
            CU_ASSERT(drc == NG_OK || drc == NG_ENOMEM);
            if (rc != NG_OK) CU_ASSERT_PTR_NULL(r);
            if (rc != NG_ENOMEM && drc == NG_OK) done = 1;
            ng_buf_dispose(&b);
            ng_qnode__free(r);
        }
        CU_ASSERT(done);
    }
}

static CU_TestInfo query_tests[] = {
    {"implicit AND, operator words", test_implicit_and},
    {"precedence NOT > OR > AND", test_precedence},
    {"parentheses and flattening", test_parentheses},
    {"leading '-' vs inner hyphen", test_hyphen},
    {"words with inner punctuation", test_words},
    {"quotes, straight and curly", test_quotes},
    {"words analysing to nothing", test_empty_words},
    {"errors and their offsets", test_errors},
    {"term fields, spans, describe", test_terms_fields},
    {"limits: depth and terms", test_limits_depth},
    {"limits: size and terms", test_limits_size},
    {"random garbage never crashes", test_random},
    {"allocation failures", test_oom},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"query_parse", suite_init, suite_clean, NULL, NULL, query_tests},
    CU_SUITE_INFO_NULL,
};
