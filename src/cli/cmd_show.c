/*
 * cmd_show.c -- "newsgrep show [--json] ID...": print stored articles.
 *
 * Each id is looked up with ng_index_find(), which returns the live copy
 * (replaced or deleted documents are tombstoned and never found).
 *
 * Exit status: 0 if every ID was found, 1 if one was not, 2 on an error.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_INDEX = 1, OPT_HELP, OPT_VERSION, OPT_JSON };

static const cli_option show_options[] = {
    {"index", 0, 1, OPT_INDEX},
    {"help", 'h', 0, OPT_HELP},
    {"version", 'V', 0, OPT_VERSION},
    {"json", 0, 0, OPT_JSON},
    {NULL, 0, 0, 0},
};

typedef struct wanted {
    const char *id; /* from the command line */
    size_t id_len;
} wanted;

/* Text that keeps its line structure: LF and TAB are written as such, every
 * other byte goes through out_term(). */
static void print_multiline(FILE *f, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '\n' && s[j] != '\t')
            j++;
        /* a CR before LF would print as ^M: drop it */
        out_term(f, s + i, j < len && s[j] == '\n' && j > i && s[j - 1] == '\r' ? j - i - 1 : j - i);
        if (j < len)
            fputc(s[j++], f);
        i = j;
    }
    if (len > 0 && s[len - 1] != '\n')
        fputc('\n', f);
}

static const char *const field_names[NG_FIELD_COUNT] = {"id", "title", "date", "url", "body"};

static void print_human(ng_buf *fields, int first)
{
    int k;
    if (!first)
        fputc('\n', stdout);
    for (k = NG_FIELD_ID; k < NG_FIELD_BODY; k++) {
        if (fields[k].size == 0 && k != NG_FIELD_ID && k != NG_FIELD_TITLE)
            continue; /* no date or url */
        printf("%-6s ", field_names[k]);
        out_term(stdout, fields[k].ptr, fields[k].size);
        fputc('\n', stdout);
    }
    fputc('\n', stdout);
    print_multiline(stdout, fields[NG_FIELD_BODY].ptr, fields[NG_FIELD_BODY].size);
}

static void print_json(ng_buf *fields)
{
    int k;
    fputs("{\"type\":\"document\"", stdout);
    for (k = 0; k < NG_FIELD_COUNT; k++) {
        printf(",\"%s\":", field_names[k]);
        out_json_str(stdout, fields[k].ptr != NULL ? fields[k].ptr : "", fields[k].size, NULL);
    }
    fputs("}\n", stdout);
}

/* Fetch and print one document; 0, or -1 after printing an error. */
static int show_one(ng_index *ix, uint64_t docnum, int json, int first)
{
    ng_buf fields[NG_FIELD_COUNT];
    int k, rc = 0;
    for (k = 0; k < NG_FIELD_COUNT; k++)
        memset(&fields[k], 0, sizeof fields[k]);
    for (k = 0; k < NG_FIELD_COUNT && rc == 0; k++)
        if (ng_index_document(&fields[k], ix, docnum, k) != NG_OK) {
            cli_lib_error(NULL);
            rc = -1;
        }
    if (rc == 0) {
        if (json)
            print_json(fields);
        else
            print_human(fields, first);
    }
    for (k = 0; k < NG_FIELD_COUNT; k++)
        ng_buf_dispose(&fields[k]);
    return rc;
}

/* Parse the options; the ids are collected in w (*n of them).  -1 to go
 * on, else an exit status. */
static int parse(cli_ctx *ctx, int argc, char **argv, const char **index_opt, int *json,
                 wanted *w, size_t *n)
{
    cli_args args;
    const char *val;
    int id, r;
    *index_opt = ctx->index_opt;
    cli_args_init(&args, argc, argv);
    while ((r = cli_args_next(&args, show_options, &id, &val)) != CLI_ARG_END) {
        if (r == CLI_ARG_BAD)
            return CLI_EXIT_ERROR;
        if (r == CLI_ARG_POS) {
            w[*n].id = val;
            w[*n].id_len = strlen(val);
            (*n)++;
            continue;
        }
        switch (id) {
        case OPT_INDEX: *index_opt = val; break;
        case OPT_HELP: cli_usage(stdout); return 0;
        case OPT_VERSION: cli_version(); return 0;
        case OPT_JSON: *json = 1; break;
        default: break;
        }
    }
    if (*n == 0)
        return cli_usage_error("show: no document ID given");
    return -1;
}

int cmd_show(cli_ctx *ctx, int argc, char **argv)
{
    ng_index *ix = NULL;
    wanted *w;
    const char *index_opt;
    char *path = NULL;
    size_t n = 0, k;
    int json = 0, rc, missing = 0, printed = 0;

    w = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *w);
    if (w == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    rc = parse(ctx, argc, argv, &index_opt, &json, w, &n);
    if (rc >= 0)
        goto out;
    rc = CLI_EXIT_ERROR;
    path = cli_index_path(index_opt);
    if (path == NULL)
        goto out;
    if (ng_index_open(&ix, path) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    for (k = 0; k < n; k++) {
        uint64_t docnum;
        int frc = ng_index_find(&docnum, ix, w[k].id, w[k].id_len);
        if (frc == NG_ENOTFOUND) {
            cli_error("no document with id '%s'", w[k].id);
            missing = 1;
            continue;
        }
        if (frc != NG_OK) {
            cli_lib_error(NULL);
            goto out;
        }
        if (show_one(ix, docnum, json, !printed) != 0)
            goto out;
        printed = 1;
    }
    rc = missing ? CLI_EXIT_NOMATCH : CLI_EXIT_MATCH;
out:
    ng_index_free(ix);
    free(path);
    free(w);
    return rc;
}
