/*
** query.h -- the query language: lexer and recursive-descent parser that
** turn a query string into an AST of analysed terms, and the expansion
** pass (expand.c) that resolves prefix and fuzzy words against an index.
**
** Grammar (precedence NOT > NEAR > OR > AND, as web search engines do, so
** that "Zelensky OR Zelenskyy troops" means (Zelensky OR Zelenskyy) AND troops):
**
**   query   := and_expr EOF
**   and_expr:= or_expr { ["AND"] or_expr }        implicit AND between items
**   or_expr := near_expr { "OR" near_expr }
**   near_expr := unary { NEAR unary }             NEAR = "NEAR" | "NEAR/" digits
**   unary   := ("NOT" | "-") unary | primary      "-" only at the start of a word
**   primary := ( "(" and_expr ")" | PHRASE ["~" digits] | field | date | WORD ) ["^" number]
**   field   := "title:" ( WORD | PHRASE ["~" digits] )   (no space after ':')
**   date    := "date:" DATE | "date:" [DATE] ".." [DATE]  DATE = YYYY[-MM[-DD]]
**   WORD    := word | word "*" | word "~" [digit]
**
** Operators and their meaning:
**  - AND, OR, NOT, -x, ( ), "a b": boolean and exact phrase (as before).
**  - a NEAR/k b: both words within k words of each other, in either order:
**    at most k other words between them (NEAR alone is NEAR/10).  A chain
**    a NEAR/k b NEAR/k c needs the three words in one span of at most
**    k + 3 - 1 positions.  Operands are single words (also prefix, fuzzy
**    and fielded words); a chain must use one distance.  0 <= k <= 1000.
**  - "a b c"~k, sloppy phrase (Lucene's slop): the words at positions p_i
**    with offsets r_i in the phrase match when max(p_i - r_i) - min(p_i - r_i)
**    <= k, i.e. the total "moves" needed to line them up; order is free
**    ("a b"~2 matches "b a").  ~0 is the exact phrase.  0 <= k <= 1000.
**    For NEAR and sloppy phrases, operands that are the same word must sit at
**    different positions.  Their tf for BM25 is the number of positions of
**    the first operand that start a match; their idf the sum of the words'.
**  - troop*: every lexicon word starting with "troop", analysed to its stem;
**    the distinct stems are alternatives.  At most NG_QUERY_MAX_EXPAND words
**    (NG_ELIMIT at the word's position).
**  - Zelensky~ / Zelensky~1: lexicon words within that edit distance of the
**    folded unstemmed word (default: 0 below 3 letters, 1 for 3-9, 2 for
**    10 and more); k <= 2.
**  - Name variants: a capitalised single word also matches its name key
**    term (NG_NS_NAME + ng__name_key(word)) unless NG_QPARSE_NO_NAMES.
**  - title:x, title:"a b": the title field (NG_NS_TITLE terms).
**  - date:...: documents whose date (.len) lies in the span; a filter that
**    scores 0.  date:2022-02 is February 2022; a..b is inclusive; a.. and
**    ..b are open.
**  - x^b: multiplies the score of x by b (0 < b <= 1000).
**  Alternatives (expansions, name variants) form an NG_Q_ALT node: it
**  matches when any alternative matches and scores as its best one.
**
** Lexical rules:
**  - Operators are the uppercase words AND, OR, NOT, NEAR; lowercase ones are words.
**  - A WORD is a run of characters other than whitespace, '(', ')' and '"'.
**    It goes through the analyzer: no token -> dropped; one token -> TERM;
**    several ("F-16", "30-minute") -> PHRASE of adjacent positions.
**    Inner punctuation is never an operator ("U.S.", "O'Brien", "38.101").
**  - A quoted text is a PHRASE of its tokens (a TERM if only one).
**  - NOT may only appear as a child of AND beside at least one positive
**    operand; a query with nothing positive is an error.
**  - Errors are NG_EQUERY with ng_error_last()->offset = byte position:
**    "query: unclosed '\"' at 0", "query: unbalanced '(' at 0",
**    "query: expected a term after 'AND' at 9", "query: unexpected ')' at 5",
**    "query: bad distance in 'NEAR/x' at 6", "query: bad date '2022-13' at 5",
**    "query: 'title:' needs a word or a phrase at 0", "query: expected a
**    number after '^' at 6", "query: bad fuzzy distance '~x' at 8".
**  - Limits: NG_QUERY_MAX_BYTES, NG_QUERY_MAX_DEPTH, NG_QUERY_MAX_TERMS,
**    NG_QUERY_MAX_SLOP, NG_QUERY_MAX_EXPAND (NG_ELIMIT).
*/
#ifndef NG_QUERY_H
#define NG_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define NG_QUERY_MAX_BYTES 65536 /* longer queries are refused */
#define NG_QUERY_MAX_DEPTH 64    /* nesting of parentheses and NOT */
#define NG_QUERY_MAX_TERMS 1024  /* analysed terms in one query */
#define NG_QUERY_MAX_SLOP 1000   /* NEAR/k and "..."~k */
#define NG_QUERY_MAX_EXPAND 512  /* lexicon words one prefix or fuzzy word may expand to */
#define NG_QUERY_NEAR_DEFAULT 10 /* NEAR without /k */
#define NG_QUERY_MAX_BOOST 1000.0

/* Flags of ng_query__parse_ex(). */
#define NG_QPARSE_NO_NAMES 0x01u /* capitalised words do not match their name key */

/* Fields (ng_qnode.field). */
#define NG_QF_ALL 0   /* body and title (plain terms) */
#define NG_QF_TITLE 1 /* NG_NS_TITLE terms */

typedef enum ng_qkind {
    NG_Q_TERM = 1, /* one analysed term */
    NG_Q_PHRASE,   /* terms at consecutive positions */
    NG_Q_AND,      /* all kids (NOT kids exclude) */
    NG_Q_OR,       /* any kid */
    NG_Q_NOT,      /* one kid; only directly under AND */
    NG_Q_NEAR,     /* kids (TERM, ALT, PREFIX, FUZZY) within slop words, any order */
    NG_Q_PREFIX,   /* terms[0].word = the folded prefix; replaced by expansion */
    NG_Q_FUZZY,    /* terms[0].word = the folded word, fuzzy_k; replaced by expansion */
    NG_Q_ALT,      /* alternatives of one word: kids TERM (>= 1); best kid scores */
    NG_Q_DATE      /* date_first..date_last (days since 1970, inclusive); no terms */
} ng_qkind;

typedef struct ng_qterm {
    char *term; size_t term_len; /* analysed (stemmed) term, NUL-terminated, owned */
    char *word; size_t word_len; /* folded unstemmed word, owned */
    char *key; size_t key_len;   /* NG_NS_NAME + name key, or NULL (names off, no key) */
    uint32_t rel_pos;            /* position relative to the phrase start */
    size_t offset;               /* byte offset of its word in the query */
    size_t src_len;              /* bytes of that word in the query */
    unsigned tok_flags;          /* NG_TOK_* of the analysed word */
} ng_qterm;

typedef struct ng_qnode {
    ng_qkind kind;
    size_t offset, length;    /* span in the query text */
    ng_qterm *terms;          /* TERM: 1, PHRASE: n_terms >= 2 (owned) */
    size_t n_terms;
    struct ng_qnode **kids;   /* AND, OR: >= 2; NOT: 1 (owned) */
    size_t n_kids;
    int field;                /* NG_QF_ALL or NG_QF_TITLE (terms carry the prefix) */
    double boost;             /* score multiplier, 1.0 */
    uint32_t slop;            /* NEAR: k; PHRASE: sloppy when > 0 */
    unsigned fuzzy_k;         /* FUZZY: edit distance, NG_QFUZZY_DEFAULT: by word length */
    int32_t date_first, date_last; /* DATE: inclusive span of days */
} ng_qnode;

/* Parse text[0..len) with analyzer a.  *root_out is NULL (and NG_OK is
** returned) when the query has no term at all after analysis, e.g. "—";
** callers treat that as matching nothing.  NG_EQUERY with position, NG_ENOMEM. */
int ng_query__parse(ng_qnode **root_out, ng_analyzer *a, const char *text, size_t len);
/* As ng_query__parse with NG_QPARSE_* flags; ng_query__parse passes
** NG_QPARSE_NO_NAMES (the internal default keeps trees index-free). */
int ng_query__parse_ex(ng_qnode **root_out, ng_analyzer *a, const char *text, size_t len, unsigned flags);
void ng_qnode__free(ng_qnode *n);

/* Callbacks through which the expansion pass reads the lexicon (so that
** src/query needs no index): list the lexicon words for a prefix or a
** fuzzy word.  Each calls add(word, len, arg) per word and returns NG_OK,
** NG_ELIMIT (message set: more than max words) or another error. */
typedef int (*ng_qword_fn)(const char *word, size_t len, void *arg);
typedef struct ng_qexpander {
    int (*prefix)(void *ctx, const char *prefix, size_t len, size_t max, ng_qword_fn add, void *arg);
    int (*fuzzy)(void *ctx, const char *word, size_t len, unsigned k, size_t max, ng_qword_fn add, void *arg);
    void *ctx;
} ng_qexpander;

/* Replace every PREFIX and FUZZY node of *root by an ALT of the distinct
** stems of its lexicon words (TERMs, in the node's field), or remove it
** when it expands to nothing (a parent left empty vanishes as in parsing).
** NG_ELIMIT (with the word's position) when a word expands to more than
** NG_QUERY_MAX_EXPAND words, NG_ENOMEM. */
int ng_query__expand(ng_qnode **root, ng_analyzer *a, const ng_qexpander *ex);
#define NG_QFUZZY_DEFAULT 0xFFFFu /* "word~": the expander chooses k by length */

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
    NG_QT_MINUS,  /* '-' at the start of a word */
    NG_QT_NEAR    /* NEAR or NEAR/... (the parser reads the distance) */
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
