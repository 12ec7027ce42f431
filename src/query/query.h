/*
** query.h -- the query language: lexer and recursive-descent parser that
** turn a query string into an AST of analysed terms.
**
** Grammar (precedence NOT > OR > AND, as web search engines do, so that
** "Zelensky OR Zelenskyy troops" means (Zelensky OR Zelenskyy) AND troops):
**
**   query   := and_expr EOF
**   and_expr:= or_expr { ["AND"] or_expr }        implicit AND between items
**   or_expr := unary { "OR" unary }
**   unary   := ("NOT" | "-") unary | primary      "-" only at the start of a word
**   primary := "(" and_expr ")" | '"' text '"' | WORD
**
**  - Operators are the uppercase words AND, OR, NOT; lowercase ones are words.
**  - A WORD is a run of characters other than whitespace, '(', ')' and '"'.
**    It goes through the analyzer: no token -> dropped; one token -> TERM;
**    several ("F-16", "30-minute") -> PHRASE of adjacent positions.
**    Inner punctuation is never an operator ("U.S.", "O'Brien", "38.101").
**  - A quoted text is a PHRASE of its tokens (a TERM if only one).
**  - NOT may only appear as a child of AND beside at least one positive
**    operand; a query with nothing positive is an error.
**  - Errors are NG_EQUERY with ng_error_last()->offset = byte position:
**    "query: unclosed '\"' at 0", "query: unbalanced '(' at 0",
**    "query: expected a term after 'AND' at 9", "query: unexpected ')' at 5".
**  - Limits: NG_QUERY_MAX_BYTES, NG_QUERY_MAX_DEPTH, NG_QUERY_MAX_TERMS.
*/
#ifndef NG_QUERY_H
#define NG_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define NG_QUERY_MAX_BYTES 65536 /* longer queries are refused */
#define NG_QUERY_MAX_DEPTH 64    /* nesting of parentheses and NOT */
#define NG_QUERY_MAX_TERMS 1024  /* analysed terms in one query */

typedef enum ng_qkind {
    NG_Q_TERM = 1, /* one analysed term */
    NG_Q_PHRASE,   /* terms at consecutive positions */
    NG_Q_AND,      /* all kids (NOT kids exclude) */
    NG_Q_OR,       /* any kid */
    NG_Q_NOT       /* one kid; only directly under AND */
} ng_qkind;

typedef struct ng_qterm {
    char *term; size_t term_len; /* analysed (stemmed) term, NUL-terminated, owned */
    char *word; size_t word_len; /* folded unstemmed word, owned */
    uint32_t rel_pos;            /* position relative to the phrase start */
    size_t offset;               /* byte offset of its word in the query */
} ng_qterm;

typedef struct ng_qnode {
    ng_qkind kind;
    size_t offset, length;    /* span in the query text */
    ng_qterm *terms;          /* TERM: 1, PHRASE: n_terms >= 2 (owned) */
    size_t n_terms;
    struct ng_qnode **kids;   /* AND, OR: >= 2; NOT: 1 (owned) */
    size_t n_kids;
    int field;                /* reserved for field queries; 0 = all fields */
    double boost;             /* reserved for term boosts; 1.0 */
} ng_qnode;

/* Parse text[0..len) with analyzer a.  *root_out is NULL (and NG_OK is
** returned) when the query has no term at all after analysis, e.g. "—";
** callers treat that as matching nothing.  NG_EQUERY with position, NG_ENOMEM. */
int ng_query__parse(ng_qnode **root_out, ng_analyzer *a, const char *text, size_t len);
void ng_qnode__free(ng_qnode *n);

/* Canonical form: (AND t1 (OR t2 t3) (NOT t4) "p1 p2").  Appends to out
** (does not clear it); a NULL node (empty query) appends nothing.  Kids are
** shown in query order; a phrase shows its analysed terms. */
int ng_qnode__describe(ng_buf *out, const ng_qnode *n);

/* ---- Internal to src/query (lexer.c <-> parser.c); not for other modules. ----
**
** Lexical rules beyond the grammar above:
**  - whitespace is ASCII space, \t \n \v \f \r and the Unicode spaces
**    U+0085 U+00A0 U+1680 U+2000..U+200B U+2028 U+2029 U+202F U+205F
**    U+3000 U+FEFF;
**  - phrase delimiters are '"' and the curly quotes U+201C U+201D U+201E;
**    any of them closes a phrase opened by any of them;
**  - '-' is NOT when it starts a word (query start, after whitespace or
**    '(') and is followed by something other than whitespace, ')', the end
**    or another dash (- U+2010..U+2015 U+2212): so "-putin", "-(a b)" and
**    -"a b" negate, while "-", "--", "-—" are words (analysing to nothing);
**  - the word right after such a '-' is never an operator ("-OR" = NOT or).
*/
typedef enum ng_qtok_kind {
    NG_QT_EOF = 0,
    NG_QT_WORD,   /* text = the word */
    NG_QT_PHRASE, /* text = between the quotes; start/end include them */
    NG_QT_LPAREN,
    NG_QT_RPAREN,
    NG_QT_AND,
    NG_QT_OR,
    NG_QT_NOT,    /* the word NOT */
    NG_QT_MINUS   /* '-' at the start of a word */
} ng_qtok_kind;

typedef struct ng_qtok {
    ng_qtok_kind kind;
    size_t start, end;           /* the token's bytes [start,end) in the query */
    size_t text_start, text_end; /* WORD, PHRASE: the text to analyse */
} ng_qtok;

typedef struct ng_qlexer {
    const char *text;
    size_t len;
    size_t pos;      /* next byte to scan */
    int boundary;    /* the previous token lets '-' be NOT (start, '(') */
    int literal;     /* the previous token was '-': next word is no operator */
} ng_qlexer;

void ng_qlex__init(ng_qlexer *lx, const char *text, size_t len);
/* Scan the next token into *tok: NG_OK, or NG_EQUERY for an unclosed quote
** (offset of the opening quote).  At the end, NG_QT_EOF at offset len. */
int ng_qlex__next(ng_qlexer *lx, ng_qtok *tok);

#endif
