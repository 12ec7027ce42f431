/*
 * cli.h -- shared declarations of the newsgrep command-line program.
 *
 * The program is written against the public API (newsgrep.h) and libc only.
 * Include this header first in every source file of src/cli: it selects the
 * feature-test macros before any system header is seen.
 */
#ifndef NG_CLI_H
#define NG_CLI_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <newsgrep.h>

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* Exit statuses, as grep's. */
enum { CLI_EXIT_MATCH = 0, CLI_EXIT_NOMATCH = 1, CLI_EXIT_ERROR = 2 };

/* State shared by all subcommands. */
typedef struct cli_ctx {
    const char *index_opt; /* --index given before the subcommand, or NULL */
} cli_ctx;

/* ---- main.c ---------------------------------------------------------- */

/* Print the usage text to f. */
void cli_usage(FILE *f);
/* Print "newsgrep VERSION" to stdout. */
void cli_version(void);
/* "newsgrep: MESSAGE" on stderr; MESSAGE is made terminal-safe. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Same, plus a hint to --help; returns CLI_EXIT_ERROR. */
int cli_usage_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Report ng_error_last() (prefixed by "PREFIX: " when prefix is not NULL);
 * returns CLI_EXIT_ERROR. */
int cli_lib_error(const char *prefix);

/* Subcommands: argv holds the arguments after the subcommand name. */
int cmd_search(cli_ctx *ctx, int argc, char **argv);
int cmd_index(cli_ctx *ctx, int argc, char **argv);
int cmd_stats(cli_ctx *ctx, int argc, char **argv);
int cmd_check(cli_ctx *ctx, int argc, char **argv);
int cmd_help(cli_ctx *ctx, int argc, char **argv);

/* ---- opts.c: a small option parser ------------------------------------ */

typedef struct cli_option {
    const char *long_name; /* without the leading "--"; NULL ends a table */
    int short_name;        /* 0 if none */
    int has_arg;           /* nonzero: takes a value (--opt=V, --opt V, -oV, -o V) */
    int id;                /* returned to the caller; must be nonzero */
} cli_option;

typedef struct cli_args {
    int argc;
    char **argv;
    int idx;             /* next element of argv */
    int no_more;         /* "--" was seen */
    const char *cluster; /* rest of a cluster of short options, "-lc" */
} cli_args;

enum { CLI_ARG_BAD = -1, CLI_ARG_END = 0, CLI_ARG_OPT = 1, CLI_ARG_POS = 2 };

void cli_args_init(cli_args *a, int argc, char **argv);
/* Next option (CLI_ARG_OPT: *id, *val the value or NULL), positional
 * argument (CLI_ARG_POS: *val), CLI_ARG_END, or CLI_ARG_BAD after printing
 * a usage error. */
int cli_args_next(cli_args *a, const cli_option *table, int *id, const char **val);

/* Strict number parsers; they print a usage error naming opt on failure and
 * return -1, else 0. */
int cli_parse_size(const char *opt, const char *s, size_t *out);
int cli_parse_double(const char *opt, const char *s, double min, double max, double *out);

/* ---- path.c --------------------------------------------------------- */

/* The index directory: opt, else $NEWSGREP_INDEX, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/newsgrep.  malloc'ed; NULL after
 * printing an error. */
char *cli_index_path(const char *opt);
/* Create the missing parent directories of path (mode 0700, as XDG asks);
 * the last component is left to the library.  0, or -1 after printing an
 * error. */
int cli_make_parents(const char *path);

/* ---- output.c --------------------------------------------------------- */

#define CLI_SGR_MATCH "\033[1;31m"
#define CLI_SGR_BOLD "\033[1m"
#define CLI_SGR_DIM "\033[2m"
#define CLI_SGR_RESET "\033[0m"

enum { CLI_COLOR_AUTO = 0, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

#define CLI_UTF8_BAD 0xFFFFFFFFu

/* Decode one UTF-8 sequence at s (len >= 1): its length, or 1 with
 * *cp = CLI_UTF8_BAD for an invalid byte (overlong forms, surrogates and
 * values above U+10FFFF are invalid). */
size_t cli_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Terminal-safe text: valid UTF-8 is copied; C0 controls (including TAB,
 * LF and ESC) are shown in caret notation ("^[" for ESC, "^I" for TAB),
 * DEL as "^?", C1 controls (U+0080..U+009F) and invalid bytes as U+FFFD. */
void out_term(FILE *f, const char *s, size_t len);
void out_term_str(FILE *f, const char *s);
/* Display columns of s as out_term() would print it. */
size_t out_term_width(const char *s, size_t len);

/* A JSON string literal, quotes included: escapes '"', '\\', C0 controls,
 * DEL, C1 controls, U+2028 and U+2029; invalid UTF-8 becomes U+FFFD.  When
 * map is not NULL it receives len + 1 entries: map[i] is the byte offset in
 * the decoded string of byte i of s (equal to i when s is valid UTF-8). */
void out_json_str(FILE *f, const char *s, size_t len, size_t *map);

/* Columns of the terminal on stdout, or 80 when stdout is not a terminal. */
int out_term_columns(void);

/* Parse "auto", "always" or "never"; -1 if none. */
int out_color_mode(const char *s);
/* Whether to colour stdout for a mode: auto means stdout is a terminal and
 * NO_COLOR is unset or empty. */
int out_color_wanted(int mode);

/* Print a snippet word-wrapped to width columns, every line indented by
 * indent spaces, runs of white space collapsed, highlights (byte ranges in s)
 * in CLI_SGR_MATCH when color is set.  Ends with a newline. */
void out_snippet(FILE *f, const char *s, size_t len, const ng_range *ranges, size_t n_ranges,
                 int color, int width, int indent);

/* ---- output.c: --format templates --------------------------------------
 *
 * A template is literal text with placeholders {rank} {score} {id} {title}
 * {date} {url} {snippet} and escapes \t \n \\ \{ \}.  Each hit is printed
 * as the template followed by a newline.  Field values are put on one line
 * (runs of white space become one space) and made terminal-safe. */

enum {
    CLI_FMT_RANK = 0,
    CLI_FMT_SCORE,
    CLI_FMT_ID,
    CLI_FMT_TITLE,
    CLI_FMT_DATE,
    CLI_FMT_URL,
    CLI_FMT_SNIPPET,
    CLI_FMT_COUNT
};

typedef struct cli_format cli_format;

/* The values of one hit; a NULL or empty buffer prints as nothing. */
typedef struct cli_hit {
    size_t rank;            /* 1-based, counting --offset */
    double score;           /* printed with 4 decimals */
    const ng_buf *id, *title, *date, *url, *snippet;
    const ng_range *ranges; /* highlights: byte ranges in snippet, sorted */
    size_t n_ranges;
} cli_hit;

/* Compile a --format template; NULL after printing a usage error that names
 * the 1-based position of the fault (unknown placeholder or escape, '{'
 * without '}'), or "out of memory". */
cli_format *out_format_compile(const char *tmpl);
void out_format_free(cli_format *fmt);
/* Bit (1u << CLI_FMT_*) set for each placeholder the template uses, so that
 * the caller fetches only what is printed (url, snippet). */
unsigned int out_format_fields(const cli_format *fmt);
/* Print one hit; highlights in {snippet} are coloured when color is set. */
void out_format_hit(FILE *f, const cli_format *fmt, const cli_hit *hit, int color);

/* ---- cmd_show.c, cmd_optimize.c ----------------------------------------- */

int cmd_show(cli_ctx *ctx, int argc, char **argv);
int cmd_optimize(cli_ctx *ctx, int argc, char **argv);

#endif /* NG_CLI_H */
