/*
 * main.c -- the newsgrep program: subcommand dispatch and messages.
 *
 *   newsgrep [--index DIR] [COMMAND] [OPTIONS] ARGS...
 *
 * The command must be the first argument, after any --index options; any
 * other first argument starts a search ("newsgrep -- stats" searches for
 * the word "stats").
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct cli_command {
    const char *name;
    int (*fn)(cli_ctx *ctx, int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"search", cmd_search, "search the index (the default command)"},
    {"index", cmd_index, "add, update and delete documents (incremental)"},
    {"optimize", cmd_optimize, "merge the segments of the index into one"},
    {"stats", cmd_stats, "show statistics of the index"},
    {"check", cmd_check, "verify every file of the index"},
    {"show", cmd_show, "print stored articles by id"},
    {"help", cmd_help, "show this help"},
    {NULL, NULL, NULL},
};

/* Keep in step with doc/newsgrep.1 and the completions in doc/completion/;
 * tests/cli/test-output.sh checks that every option the commands parse is
 * listed here and in the man page. */
void cli_usage(FILE *f)
{
    const cli_command *c;
    fputs("Usage: newsgrep [search] [OPTIONS] QUERY...\n"
          "       newsgrep index [OPTIONS] PATH...\n"
          "       newsgrep optimize | check | stats [--json] | show [--json] ID...\n"
          "Search an index of news articles; hits are ranked by BM25.\n"
          "\nCommands:\n",
          f);
    for (c = commands; c->name != NULL; c++)
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fputs("\nQuery syntax (several QUERY arguments are joined with spaces):\n"
          "  word word          both words (AND is implicit)\n"
          "  word OR word       either word\n"
          "  NOT word, -word    documents without the word\n"
          "  \"a phrase\"         the words next to each other, in order\n"
          "  \"a phrase\"~N       the words in any order, N moves from the phrase\n"
          "  word NEAR/N word   at most N words apart, either order (NEAR: N=10)\n"
          "  prefix*            any word starting with prefix\n"
          "  word~, word~N      words within 1 or 2 (or N) edits of word\n"
          "  word^N             weigh word N times more\n"
          "  title:word         in the title (also title:\"a phrase\")\n"
          "  date:2022-02-01    on a day; also date:2022-01..2022-02, date:2022..\n"
          "  ( ... )            grouping\n"
          "  NOT binds tighter than NEAR, NEAR than OR, OR than AND:\n"
          "  'russia ukraine OR kyiv -sport' = russia AND (ukraine OR kyiv) AND NOT sport\n"
          "  Capitalised names also match their spelling variants (Zelensky, Zelenskyy).\n"
          "  Put '--' before a query that starts with '-'.\n"
          "\nSearch options:\n"
          "  -n, --limit N       show at most N hits (default 10)\n"
          "      --offset N      skip the first N hits\n"
          "  -c                  print the number of matching documents\n"
          "  -l                  print the id of every matching document\n"
          "      --json          JSON Lines: an object per hit, then a summary object\n"
          "      --format TMPL   a line per hit from TMPL: {rank} {score} {id} {title}\n"
          "                      {date} {url} {snippet}, \\t and \\n\n"
          "      --since DATE    only articles dated DATE or later (YYYY[-MM[-DD]])\n"
          "      --until DATE    only articles dated DATE or earlier\n"
          "      --sort KEY      score (default) or date (newest first)\n"
          "      --recent T      blend the score with an age decay of half-life T\n"
          "                      (days; or 2w, 6m, 1y)\n"
          "      --total         count every match exactly (default: at least N)\n"
          "      --title-weight X  extra weight of title matches (default 0.5)\n"
          "      --no-names      capitalised words match no name variants\n"
          "      --color WHEN    auto, always or never (default auto: colour a\n"
          "                      terminal unless NO_COLOR is set); also --colour\n"
          "      --k1 X, --b X   BM25 parameters (default 1.2 and 0.75)\n"
          "      --batch FILE    one query per line of FILE ('-': standard input)\n"
          "      --explain       print the parsed query on standard error and the\n"
          "                      matched words with each hit\n"
          "\nIndex options (optimize takes --wait and -q too):\n"
          "      --rebuild       start from an empty index (else only changes are indexed)\n"
          "      --lang LANG     stemming language (default english; none: no stemming)\n"
          "      --memory MB     memory for inversion before a flush (default 256)\n"
          "  -j, --threads N     analysis threads (default: one per core)\n"
          "      --wait SECONDS  wait that long for another writer's lock\n"
          "  -q, --quiet         no progress bar, warnings or summary\n"
          "  -v, --verbose       more messages (twice: debug)\n"
          "\nEvery command:\n"
          "      --index DIR     the index (default $NEWSGREP_INDEX, else\n"
          "                      ${XDG_DATA_HOME:-$HOME/.local/share}/newsgrep)\n"
          "  -h, --help          show this help\n"
          "  -V, --version       show the version\n"
          "\nExit status: 0 if something matched (or success), 1 if nothing matched,\n"
          "2 on an error.  See newsgrep(1) for the details.\n",
          f);
}

void cli_version(void)
{
    fputs("newsgrep ", stdout);
    out_term_str(stdout, ng_version());
    fputc('\n', stdout);
}

static void verror(const char *fmt, va_list ap)
{
    char small[512], *msg = small;
    va_list ap2;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        msg = NULL;
    } else if ((size_t)n >= sizeof small) {
        msg = malloc((size_t)n + 1);
        if (msg != NULL)
            vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    fflush(stdout); /* keep the order of interleaved output */
    fputs("newsgrep: ", stderr);
    if (msg != NULL)
        out_term_str(stderr, msg);
    else
        fputs("error", stderr);
    fputc('\n', stderr);
    if (msg != small)
        free(msg);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    fputs("Try 'newsgrep --help' for more information.\n", stderr);
    return CLI_EXIT_ERROR;
}

int cli_lib_error(const char *prefix)
{
    const ng_error *e = ng_error_last();
    const char *msg = e->message != NULL && *e->message != '\0' ? e->message : ng_strerror(e->code);
    if (prefix != NULL)
        cli_error("%s: %s", prefix, msg != NULL ? msg : "error");
    else
        cli_error("%s", msg != NULL ? msg : "error");
    return CLI_EXIT_ERROR;
}

int cmd_help(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    cli_usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    const cli_command *c;
    int i = 1, rc = -1;

    memset(&ctx, 0, sizeof ctx);
    if (argc < 2) {
        cli_usage(stderr);
        return CLI_EXIT_ERROR;
    }
    /* --index may come before the command */
    while (i < argc) {
        if (strcmp(argv[i], "--index") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("option '--index' requires an argument");
            ctx.index_opt = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--index=", 8) == 0) {
            ctx.index_opt = argv[i] + 8;
            i++;
        } else {
            break;
        }
    }
    if (i < argc)
        for (c = commands; c->name != NULL; c++)
            if (strcmp(argv[i], c->name) == 0) {
                rc = c->fn(&ctx, argc - i - 1, argv + i + 1);
                break;
            }
    if (rc < 0)
        rc = cmd_search(&ctx, argc - i, argv + i);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        int err = errno;
        fprintf(stderr, "newsgrep: write error: %s\n", strerror(err != 0 ? err : EIO));
        rc = CLI_EXIT_ERROR;
    }
    return rc;
}
