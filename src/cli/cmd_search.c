/*
 * cmd_search.c -- "newsgrep [search] [OPTIONS] QUERY..." and --batch.
 *
 * Output modes: human (default), --json (JSON Lines), -l (ids), -c (count).
 * In batch mode, -c prints "LINE<TAB>COUNT", -l "LINE<TAB>ID", --json adds
 * "query": LINE to every object, and the human form puts a header line
 * "== LINE: QUERY" before the hits of each query.
 *
 * Totals: the top-k search only counts the matches it had to look at
 * (NG_TOTAL_LOWER_BOUND), so the human form ends with "N hits" when that is
 * every match and "at least N hits" otherwise; --json's summary has "total"
 * and "total_exact"; --total asks for the exact count (slower on common
 * words); -c always counts exactly.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPT_INDEX = 1,
    OPT_HELP,
    OPT_VERSION,
    OPT_LIMIT,
    OPT_OFFSET,
    OPT_COLOR,
    OPT_JSON,
    OPT_LIST,
    OPT_COUNT,
    OPT_K1,
    OPT_B,
    OPT_BATCH,
    OPT_EXPLAIN,
    OPT_NO_NAMES,
    OPT_TITLE_WEIGHT,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_SORT,
    OPT_RECENT,
    OPT_TOTAL,
    OPT_FORMAT
};

static const cli_option search_options[] = {
    {"index", 0, 1, OPT_INDEX},   {"help", 'h', 0, OPT_HELP},     {"version", 'V', 0, OPT_VERSION},
    {"limit", 'n', 1, OPT_LIMIT}, {"offset", 0, 1, OPT_OFFSET},   {"color", 0, 1, OPT_COLOR},
    {"colour", 0, 1, OPT_COLOR},  {"json", 0, 0, OPT_JSON},       {NULL, 'l', 0, OPT_LIST},
    {NULL, 'c', 0, OPT_COUNT},    {"k1", 0, 1, OPT_K1},           {"b", 0, 1, OPT_B},
    {"batch", 0, 1, OPT_BATCH},   {"explain", 0, 0, OPT_EXPLAIN}, {"no-names", 0, 0, OPT_NO_NAMES},
    {"title-weight", 0, 1, OPT_TITLE_WEIGHT}, {"since", 0, 1, OPT_SINCE}, {"until", 0, 1, OPT_UNTIL},
    {"sort", 0, 1, OPT_SORT},     {"recent", 0, 1, OPT_RECENT},   {"total", 0, 0, OPT_TOTAL},
    {"format", 0, 1, OPT_FORMAT}, {NULL, 0, 0, 0},
};

typedef struct search_state {
    ng_index *ix;
    ng_search_options sopts;
    int json, list, count, explain;
    cli_format *format; /* --format, or NULL */
    unsigned parse_flags; /* NG_QUERY_* (--no-names) */
    int color, width;
    int batch;       /* running a batch: prefix outputs with line numbers */
    int first_block; /* no hit printed yet for this query (human mode) */
    int any_output;  /* a batch header or a hit was printed (human mode) */
} search_state;

/* Report ng_error_last(), naming the batch line if any. */
static void line_error(size_t lineno)
{
    char prefix[48];
    if (lineno > 0) {
        snprintf(prefix, sizeof prefix, "line %zu", lineno);
        cli_lib_error(prefix);
    } else {
        cli_lib_error(NULL);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Report an error for a query, pointing at the offset of a syntax error. */
static void query_error(const search_state *st, const char *text, size_t len, size_t lineno)
{
    const ng_error *e = ng_error_last();
    size_t off = e->offset, i, col;
    int code = e->code;
    (void)st;
    line_error(lineno);
    if (code == NG_EQUERY && off != (size_t)-1 && off <= len && len < 1000) {
        col = out_term_width(text, off);
        fputs("  ", stderr);
        out_term(stderr, text, len);
        fputs("\n  ", stderr);
        for (i = 0; i < col; i++)
            fputc(' ', stderr);
        fputs("^\n", stderr);
    }
}

static void json_line_prefix(const search_state *st, const char *type, size_t lineno)
{
    printf("{\"type\":\"%s\"", type);
    if (st->batch)
        printf(",\"query\":%zu", lineno);
}

static int fetch(ng_buf *b, ng_index *ix, uint64_t docnum, int field, size_t lineno)
{
    if (ng_index_document(b, ix, docnum, field) != NG_OK) {
        line_error(lineno);
        return -1;
    }
    return 0;
}

#define BUF_S(b) ((b).ptr != NULL ? (b).ptr : "")

/* The lines of ng_query_matched_words(), as a JSON array body or "a, b". */
static void print_matched(const ng_buf *mw, int json)
{
    const char *p = BUF_S(*mw), *end = p + mw->size;
    int first = 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        if (!first)
            fputs(json ? "," : ", ", stdout);
        first = 0;
        if (json)
            out_json_str(stdout, p, len, NULL);
        else
            out_term(stdout, p, len);
        p += len + 1;
    }
}

static int print_hit(search_state *st, const ng_query *q, const ng_hit *h, size_t rank,
                     size_t lineno)
{
    ng_buf id = NG_BUF_INIT, title = NG_BUF_INIT, date = NG_BUF_INIT, url = NG_BUF_INIT,
           snip = NG_BUF_INIT;
    ng_range *ranges = NULL;
    size_t n_ranges = 0, i;
    int rc = -1;

    if (fetch(&id, st->ix, h->docnum, NG_FIELD_ID, lineno) != 0 ||
        fetch(&title, st->ix, h->docnum, NG_FIELD_TITLE, lineno) != 0 ||
        fetch(&date, st->ix, h->docnum, NG_FIELD_DATE, lineno) != 0 ||
        ((st->json || st->format != NULL) && fetch(&url, st->ix, h->docnum, NG_FIELD_URL, lineno) != 0))
        goto out;
    if (ng_snippet(&snip, &ranges, &n_ranges, st->ix, q, h->docnum, NULL) != NG_OK) {
        line_error(lineno);
        goto out;
    }
    if (ranges == NULL)
        n_ranges = 0;

    if (st->format != NULL) {
        cli_hit ch = {rank, h->score, &id, &title, &date, &url, &snip, ranges, n_ranges};
        out_format_hit(stdout, st->format, &ch, st->color);
    } else if (st->json) {
        size_t *map = malloc((snip.size + 1) * sizeof *map);
        if (map == NULL) {
            cli_error("out of memory");
            goto out;
        }
        json_line_prefix(st, "hit", lineno);
        printf(",\"rank\":%zu,\"score\":", rank);
        if (isfinite(h->score))
            printf("%.4f", h->score);
        else
            fputs("null", stdout);
        fputs(",\"id\":", stdout);
        out_json_str(stdout, BUF_S(id), id.size, NULL);
        fputs(",\"title\":", stdout);
        out_json_str(stdout, BUF_S(title), title.size, NULL);
        fputs(",\"date\":", stdout);
        out_json_str(stdout, BUF_S(date), date.size, NULL);
        fputs(",\"url\":", stdout);
        out_json_str(stdout, BUF_S(url), url.size, NULL);
        fputs(",\"snippet\":", stdout);
        out_json_str(stdout, BUF_S(snip), snip.size, map);
        if (st->explain) {
            ng_buf mw = NG_BUF_INIT;
            if (ng_query_matched_words(&mw, st->ix, q, h->docnum) != NG_OK) {
                line_error(lineno);
                free(map);
                goto out;
            }
            fputs(",\"matched\":[", stdout);
            print_matched(&mw, 1);
            fputc(']', stdout);
            ng_buf_dispose(&mw);
        }
        fputs(",\"highlights\":[", stdout);
        for (i = 0; i < n_ranges; i++) {
            size_t a = ranges[i].start, b = ranges[i].end;
            if (a > snip.size)
                a = snip.size;
            if (b > snip.size)
                b = snip.size;
            if (b < a)
                b = a;
            printf("%s[%zu,%zu]", i > 0 ? "," : "", map[a], map[b]);
        }
        fputs("]}\n", stdout);
        free(map);
    } else {
        if (!st->first_block)
            fputc('\n', stdout);
        st->first_block = 0;
        st->any_output = 1;
        printf("%zu. ", rank);
        if (st->color)
            fputs(CLI_SGR_BOLD, stdout);
        if (title.size > 0)
            out_term(stdout, title.ptr, title.size);
        else
            fputs("(untitled)", stdout);
        if (st->color)
            fputs(CLI_SGR_RESET, stdout);
        fputs("\n   ", stdout);
        if (st->color)
            fputs(CLI_SGR_DIM, stdout);
        out_term(stdout, BUF_S(id), id.size);
        fputs("  ", stdout);
        if (date.size > 0) {
            out_term(stdout, date.ptr, date.size);
            fputs("  ", stdout);
        }
        printf("score %.4f", h->score);
        if (st->color)
            fputs(CLI_SGR_RESET, stdout);
        fputc('\n', stdout);
        if (snip.size > 0)
            out_snippet(stdout, snip.ptr, snip.size, ranges, n_ranges, st->color, st->width, 3);
        if (st->explain) {
            ng_buf mw = NG_BUF_INIT;
            if (ng_query_matched_words(&mw, st->ix, q, h->docnum) != NG_OK) {
                line_error(lineno);
                goto out;
            }
            if (mw.size > 0) {
                fputs("   matched: ", stdout);
                print_matched(&mw, 0);
                fputc('\n', stdout);
            }
            ng_buf_dispose(&mw);
        }
    }
    rc = 0;
out:
    ng_buf_dispose(&id);
    ng_buf_dispose(&title);
    ng_buf_dispose(&date);
    ng_buf_dispose(&url);
    ng_buf_dispose(&snip);
    ng_ranges_free(ranges);
    return rc;
}

/* -l: the callback of ng_search_each. */
typedef struct list_state {
    search_state *st;
    size_t lineno;
    uint64_t n;
    char *err; /* copy of the error that stopped the listing */
} list_state;

static int list_one(uint64_t docnum, void *payload)
{
    list_state *ls = payload;
    ng_buf id = NG_BUF_INIT;
    if (ng_index_document(&id, ls->st->ix, docnum, NG_FIELD_ID) != NG_OK) {
        const char *m = ng_error_last()->message;
        size_t n = m != NULL ? strlen(m) : 0;
        ls->err = malloc(n + 1);
        if (ls->err != NULL) {
            if (n > 0)
                memcpy(ls->err, m, n);
            ls->err[n] = '\0';
        }
        return 1;
    }
    if (ls->st->json) {
        json_line_prefix(ls->st, "id", ls->lineno);
        fputs(",\"id\":", stdout);
        out_json_str(stdout, BUF_S(id), id.size, NULL);
        fputs("}\n", stdout);
    } else {
        if (ls->st->batch)
            printf("%zu\t", ls->lineno);
        out_term(stdout, BUF_S(id), id.size);
        fputc('\n', stdout);
    }
    ng_buf_dispose(&id);
    ls->n++;
    return ferror(stdout) ? 1 : 0;
}

/* Human form, after the hits: "3 hits", "hits 1-10 of 57" or "hits 1-10
 * of at least 57" (the top-k search stopped counting). */
static void print_total_line(const search_state *st, size_t n, uint64_t total, int exact)
{
    size_t first = st->sopts.offset + 1;
    fputc('\n', stdout);
    if (st->color)
        fputs(CLI_SGR_DIM, stdout);
    if (exact && first == 1 && total == n)
        printf("%" PRIu64 " hit%s", total, total == 1 ? "" : "s");
    else
        printf("hits %zu-%zu of %s%" PRIu64, first, first + n - 1, exact ? "" : "at least ", total);
    if (!exact)
        fputs(" (--total counts them all)", stdout);
    if (st->color)
        fputs(CLI_SGR_RESET, stdout);
    fputc('\n', stdout);
}

/* Run one query: CLI_EXIT_MATCH, CLI_EXIT_NOMATCH or CLI_EXIT_ERROR. */
static int run_query(search_state *st, const char *text, size_t len, size_t lineno)
{
    ng_query *q = NULL;
    ng_results *res = NULL;
    ng_buf sugg = NG_BUF_INIT;
    double t0 = now_ms();
    int rc = CLI_EXIT_ERROR;
    uint64_t total = 0;
    int exact = 1;

    if (ng_query_parse_ex(&q, st->ix, text, len, st->parse_flags) != NG_OK) {
        query_error(st, text, len, lineno);
        return CLI_EXIT_ERROR;
    }
    if (st->explain) {
        ng_buf d = NG_BUF_INIT;
        if (ng_query_describe(&d, q) != NG_OK) {
            line_error(lineno);
            goto out;
        }
        fflush(stdout);
        if (st->batch)
            fprintf(stderr, "%zu: ", lineno);
        out_term(stderr, BUF_S(d), d.size);
        fputc('\n', stderr);
        ng_buf_dispose(&d);
    }

    if (!st->json && !st->count && !st->list && st->format == NULL && st->batch) {
        if (st->any_output)
            fputc('\n', stdout);
        st->any_output = 1;
        if (st->color)
            fputs(CLI_SGR_BOLD, stdout);
        printf("== %zu: ", lineno);
        out_term(stdout, text, len);
        if (st->color)
            fputs(CLI_SGR_RESET, stdout);
        fputc('\n', stdout);
        st->first_block = 1; /* no blank line between the header and the first hit */
    }

    if (st->count) {
        if (ng_search_count(&total, st->ix, q) != NG_OK) {
            line_error(lineno);
            goto out;
        }
        if (st->json) {
            json_line_prefix(st, "count", lineno);
            printf(",\"total\":%" PRIu64 "}\n", total);
        } else if (st->batch) {
            printf("%zu\t%" PRIu64 "\n", lineno, total);
        } else {
            printf("%" PRIu64 "\n", total);
        }
    } else if (st->list) {
        list_state ls;
        int r;
        ls.st = st;
        ls.lineno = lineno;
        ls.n = 0;
        ls.err = NULL;
        r = ng_search_each(st->ix, q, list_one, &ls);
        total = ls.n;
        if (ls.err != NULL) {
            if (lineno > 0)
                cli_error("line %zu: %s", lineno, ls.err);
            else
                cli_error("%s", ls.err);
            free(ls.err);
            goto out;
        }
        if (r != NG_OK) {
            if (r == NG_EUSER && ferror(stdout))
                cli_error("write error");
            else
                line_error(lineno);
            goto out;
        }
    } else {
        size_t n, i;
        if (ng_search(&res, st->ix, q, &st->sopts) != NG_OK) {
            line_error(lineno);
            goto out;
        }
        total = ng_results_total(res);
        exact = ng_results_total_exact(res);
        n = ng_results_count(res);
        for (i = 0; i < n; i++) {
            ng_hit h;
            if (ng_results_hit(&h, res, i) != NG_OK) {
                line_error(lineno);
                goto out;
            }
            if (print_hit(st, q, &h, st->sopts.offset + i + 1, lineno) != 0)
                goto out;
        }
        if (total < 3 && ng_query_suggest(&sugg, st->ix, q) != NG_OK) {
            line_error(lineno);
            goto out;
        }
        if (st->json) {
            json_line_prefix(st, "summary", lineno);
            printf(",\"total\":%" PRIu64 ",\"total_exact\":%s,\"returned\":%zu,\"elapsed_ms\":%.3f",
                   total, exact ? "true" : "false", n, now_ms() - t0);
            if (sugg.size > 0) {
                fputs(",\"suggestion\":", stdout);
                out_json_str(stdout, sugg.ptr, sugg.size, NULL);
            }
            fputs("}\n", stdout);
        } else if (st->format == NULL) { /* --format prints the hits' lines only */
            if (n > 0)
                print_total_line(st, n, total, exact);
            if (sugg.size > 0) {
                if (!st->first_block)
                    fputc('\n', stdout);
                fputs("Did you mean: ", stdout);
                out_term(stdout, sugg.ptr, sugg.size);
                fputs("?\n", stdout);
            }
        }
    }
    rc = total > 0 ? CLI_EXIT_MATCH : CLI_EXIT_NOMATCH;
out:
    ng_buf_dispose(&sugg);
    ng_results_free(res);
    ng_query_free(q);
    return rc;
}

static int is_blank(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\v' && s[i] != '\f')
            return 0;
    return 1;
}

static int run_batch(search_state *st, const char *file)
{
    FILE *in = stdin;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    int failed = 0, matched = 0;

    if (strcmp(file, "-") != 0) {
        in = fopen(file, "r");
        if (in == NULL) {
            cli_error("%s: %s", file, strerror(errno));
            return CLI_EXIT_ERROR;
        }
    }
    while ((got = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)got;
        int rc;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (is_blank(line, len))
            continue;
        rc = run_query(st, line, len, lineno);
        if (rc == CLI_EXIT_ERROR)
            failed = 1;
        else if (rc == CLI_EXIT_MATCH)
            matched = 1;
        if (fflush(stdout) != 0)
            break; /* reported by main */
    }
    if (ferror(in)) {
        cli_error("%s: %s", strcmp(file, "-") == 0 ? "standard input" : file, strerror(errno));
        failed = 1;
    }
    free(line);
    if (in != stdin)
        fclose(in);
    return failed ? CLI_EXIT_ERROR : matched ? CLI_EXIT_MATCH : CLI_EXIT_NOMATCH;
}

/* --recent=HALF_LIFE: a positive number with an optional unit d (days,
 * the default), w (weeks), m (months of 30 days) or y (years of 365 days). */
static int parse_half_life(const char *s, double *days)
{
    char *end;
    double v, unit = 1;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno != 0 || !(v > 0))
        return -1;
    if (*end == 'd')
        end++;
    else if (*end == 'w')
        unit = 7, end++;
    else if (*end == 'm')
        unit = 30, end++;
    else if (*end == 'y')
        unit = 365, end++;
    if (*end != '\0' || v * unit > 1e7)
        return -1;
    *days = v * unit;
    return 0;
}

int cmd_search(cli_ctx *ctx, int argc, char **argv)
{
    search_state st;
    cli_args args;
    const char *index_opt = ctx->index_opt, *batch = NULL, *val;
    char **words = NULL, *query = NULL, *path = NULL;
    size_t n_words = 0, qlen = 0, i;
    int color_mode = CLI_COLOR_AUTO, id, r, rc = CLI_EXIT_ERROR;

    memset(&st, 0, sizeof st);
    if (ng_search_options_init(&st.sopts, NG_SEARCH_OPTIONS_VERSION) != NG_OK)
        return cli_lib_error(NULL);
    words = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *words);
    if (words == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    cli_args_init(&args, argc, argv);
    while ((r = cli_args_next(&args, search_options, &id, &val)) != CLI_ARG_END) {
        if (r == CLI_ARG_BAD)
            goto out;
        if (r == CLI_ARG_POS) {
            words[n_words++] = (char *)val;
            continue;
        }
        switch (id) {
        case OPT_INDEX: index_opt = val; break;
        case OPT_HELP: cli_usage(stdout); rc = 0; goto out;
        case OPT_VERSION: cli_version(); rc = 0; goto out;
        case OPT_LIMIT:
            if (cli_parse_size("--limit", val, &st.sopts.limit) != 0)
                goto out;
            break;
        case OPT_OFFSET:
            if (cli_parse_size("--offset", val, &st.sopts.offset) != 0)
                goto out;
            break;
        case OPT_COLOR:
            color_mode = out_color_mode(val);
            if (color_mode < 0) {
                rc = cli_usage_error("invalid --color value '%s' (auto, always or never)", val);
                goto out;
            }
            break;
        case OPT_JSON: st.json = 1; break;
        case OPT_LIST: st.list = 1; break;
        case OPT_COUNT: st.count = 1; break;
        case OPT_K1:
            if (cli_parse_double("--k1", val, 0.0, 1000.0, &st.sopts.k1) != 0)
                goto out;
            break;
        case OPT_B:
            if (cli_parse_double("--b", val, 0.0, 1.0, &st.sopts.b) != 0)
                goto out;
            break;
        case OPT_BATCH: batch = val; break;
        case OPT_EXPLAIN: st.explain = 1; break;
        case OPT_FORMAT:
            out_format_free(st.format);
            st.format = out_format_compile(val);
            if (st.format == NULL)
                goto out;
            break;
        case OPT_NO_NAMES: st.parse_flags |= NG_QUERY_NO_NAMES; break;
        case OPT_TITLE_WEIGHT:
            if (cli_parse_double("--title-weight", val, 0.0, 1000.0, &st.sopts.title_weight) != 0)
                goto out;
            break;
        case OPT_SINCE:
        case OPT_UNTIL: {
            int32_t first, last;
            if (ng_date_range(&first, &last, val, strlen(val)) != NG_OK) {
                rc = cli_usage_error("invalid %s value '%s' (YYYY, YYYY-MM or YYYY-MM-DD)",
                                     id == OPT_SINCE ? "--since" : "--until", val);
                goto out;
            }
            if (id == OPT_SINCE)
                st.sopts.since = first;
            else
                st.sopts.until = last;
            break;
        }
        case OPT_SORT:
            if (strcmp(val, "score") == 0) {
                st.sopts.sort = NG_SORT_SCORE;
            } else if (strcmp(val, "date") == 0) {
                st.sopts.sort = NG_SORT_DATE;
            } else {
                rc = cli_usage_error("invalid --sort value '%s' (score or date)", val);
                goto out;
            }
            break;
        case OPT_RECENT:
            if (parse_half_life(val, &st.sopts.recent_half_life) != 0) {
                rc = cli_usage_error("invalid --recent value '%s' (e.g. 30d, 2w, 6m, 1y)", val);
                goto out;
            }
            break;
        case OPT_TOTAL: st.sopts.total_mode = NG_TOTAL_EXACT; break;
        default: break;
        }
    }
    if (st.sopts.since != NG_DATE_ANY && st.sopts.until != NG_DATE_ANY && st.sopts.since > st.sopts.until) {
        rc = cli_usage_error("--since is after --until");
        goto out;
    }
    if (st.format != NULL && (st.json || st.list || st.count)) {
        rc = cli_usage_error("--format cannot be used with --json, -l or -c");
        goto out;
    }
    if (st.list && st.count) {
        rc = cli_usage_error("-l and -c cannot be used together");
        goto out;
    }
    if (batch != NULL && n_words > 0) {
        rc = cli_usage_error("--batch takes its queries from a file, not the command line");
        goto out;
    }
    if (batch == NULL && n_words == 0) {
        rc = cli_usage_error("no query given");
        goto out;
    }
    if (batch == NULL) {
        char *p;
        for (i = 0; i < n_words; i++)
            qlen += strlen(words[i]) + 1;
        query = malloc(qlen);
        if (query == NULL) {
            cli_error("out of memory");
            goto out;
        }
        p = query;
        for (i = 0; i < n_words; i++) {
            size_t l = strlen(words[i]);
            if (i > 0)
                *p++ = ' ';
            memcpy(p, words[i], l);
            p += l;
        }
        *p = '\0';
        qlen = (size_t)(p - query);
    }

    st.color = !st.json && out_color_wanted(color_mode);
    st.width = out_term_columns();
    st.first_block = 1;
    st.batch = batch != NULL;

    path = cli_index_path(index_opt);
    if (path == NULL)
        goto out;
    if (ng_index_open(&st.ix, path) != NG_OK) {
        int code = ng_error_last()->code;
        cli_lib_error(NULL);
        if (code == NG_ENOTFOUND)
            fputs("newsgrep: build it with 'newsgrep index PATH...' or choose one with --index\n",
                  stderr);
        goto out;
    }
    rc = batch != NULL ? run_batch(&st, batch) : run_query(&st, query, qlen, 0);
out:
    out_format_free(st.format);
    ng_index_free(st.ix);
    free(path);
    free(query);
    free(words);
    return rc;
}
