/*
 * cmd_show.c -- "newsgrep show [--json] ID...": print stored articles.
 *
 * The public API fetches stored fields by document number only, so the ids
 * are found with one scan over every document number of the snapshot.  A
 * replaced or deleted document keeps its old copy (tombstoned) in its
 * segment, and stored fields are returned for it all the same: the scan
 * keeps the last match, which is the newest copy because new segments come
 * after old ones in document order, and then checks that this copy is
 * live (see is_live()).
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

#define NO_DOC UINT64_MAX

static int is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

typedef struct wanted {
    const char *id;  /* from the command line */
    size_t id_len;
    uint64_t docnum; /* newest match, or NO_DOC */
} wanted;

/* Scan every document number, recording the newest match of each id.
 * 0, or -1 after printing an error. */
static int find_ids(ng_index *ix, wanted *w, size_t n)
{
    ng_buf id = NG_BUF_INIT;
    uint64_t docnum;
    int rc;
    for (docnum = 0;; docnum++) {
        size_t k;
        rc = ng_index_document(&id, ix, docnum, NG_FIELD_ID);
        if (rc == NG_ENOTFOUND)
            break; /* past the last document number */
        if (rc != NG_OK) {
            cli_lib_error(NULL);
            ng_buf_dispose(&id);
            return -1;
        }
        for (k = 0; k < n; k++)
            if (id.size == w[k].id_len && memcmp(id.ptr, w[k].id, id.size) == 0)
                w[k].docnum = docnum;
    }
    ng_buf_dispose(&id);
    return 0;
}

/* The first word of s: a run of ASCII letters and digits or of non-ASCII
 * bytes, at most 64 bytes; its length, 0 if there is none. */
static size_t first_word(const char *s, size_t len, size_t *start)
{
    size_t i = 0, n = 0;
    while (i < len && !is_word_byte((unsigned char)s[i]))
        i++;
    while (i + n < len && n < 64 && is_word_byte((unsigned char)s[i + n]))
        n++;
    while (n > 0 && i + n < len && ((unsigned char)s[i + n] & 0xC0) == 0x80)
        n--; /* do not cut a UTF-8 sequence */
    *start = i;
    return n;
}

typedef struct live_probe {
    uint64_t docnum; /* the document looked for */
    int found;
} live_probe;

static int probe_one(uint64_t docnum, void *payload)
{
    live_probe *p = payload;
    if (docnum == p->docnum)
        p->found = 1;
    return docnum >= p->docnum; /* documents come in order: stop once past it */
}

/* A phrase query for the word text[0..n) (quoted, so that no character of
 * it is an operator), or NULL when it analyses to nothing (punctuation). */
static ng_query *word_query(ng_index *ix, const char *word, size_t n)
{
    char text[64 + 2];
    ng_query *q = NULL;
    ng_buf d = NG_BUF_INIT;
    text[0] = '"';
    memcpy(text + 1, word, n);
    text[n + 1] = '"';
    if (ng_query_parse_ex(&q, ix, text, n + 2, NG_QUERY_NO_NAMES) != NG_OK)
        return NULL;
    if (ng_query_describe(&d, q) != NG_OK || d.size == 0) {
        ng_query_free(q);
        q = NULL;
    }
    ng_buf_dispose(&d);
    return q;
}

/* Whether document docnum is live.  The API has no direct test, but a
 * search never returns a deleted document: search for one of the first
 * words of the document's own body and look for docnum among the matches.
 * When no query can be made from those words, the document is taken as
 * live.  1, 0, or -1 after printing an error. */
static int is_live(ng_index *ix, uint64_t docnum)
{
    ng_buf body = NG_BUF_INIT;
    ng_query *q = NULL;
    live_probe probe;
    size_t at = 0, start, n, tries;
    int rc;
    if (ng_index_document(&body, ix, docnum, NG_FIELD_BODY) != NG_OK) {
        cli_lib_error(NULL);
        return -1;
    }
    for (tries = 0; q == NULL && tries < 16 && at < body.size; tries++) {
        n = first_word(body.ptr + at, body.size - at, &start);
        if (n == 0)
            break;
        q = word_query(ix, body.ptr + at + start, n);
        at += start + n;
    }
    ng_buf_dispose(&body);
    if (q == NULL)
        return 1; /* nothing searchable: assume live */
    probe.docnum = docnum;
    probe.found = 0;
    rc = ng_search_each(ix, q, probe_one, &probe);
    ng_query_free(q);
    if (rc != NG_OK && rc != NG_EUSER) {
        cli_lib_error(NULL);
        return -1;
    }
    return probe.found;
}

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
            w[*n].docnum = NO_DOC;
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
    if (find_ids(ix, w, n) != 0)
        goto out;
    for (k = 0; k < n; k++) {
        int live = w[k].docnum == NO_DOC ? 0 : is_live(ix, w[k].docnum);
        if (live < 0)
            goto out;
        if (!live) {
            cli_error("no document with id '%s'", w[k].id);
            missing = 1;
            continue;
        }
        if (show_one(ix, w[k].docnum, json, !printed) != 0)
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
