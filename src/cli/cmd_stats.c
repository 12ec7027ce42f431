/*
 * cmd_stats.c -- "newsgrep stats [--json]" and "newsgrep check".
 *
 * stats --json prints one object; its fields are documented in newsgrep(1)
 * and only ever added to.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_INDEX = 1, OPT_HELP, OPT_VERSION, OPT_JSON };

static const cli_option stats_options[] = {
    {"index", 0, 1, OPT_INDEX}, {"help", 'h', 0, OPT_HELP}, {"version", 'V', 0, OPT_VERSION},
    {"json", 0, 0, OPT_JSON},   {NULL, 0, 0, 0},
};

static const cli_option check_options[] = {
    {"index", 0, 1, OPT_INDEX},
    {"help", 'h', 0, OPT_HELP},
    {"version", 'V', 0, OPT_VERSION},
    {NULL, 0, 0, 0},
};

/* Parse the options of stats or check; returns -1 to go on, else an exit
 * status. */
static int parse(cli_ctx *ctx, int argc, char **argv, const cli_option *table,
                 const char **index_opt, int *json)
{
    cli_args args;
    const char *val;
    int id, r;
    *index_opt = ctx->index_opt;
    cli_args_init(&args, argc, argv);
    while ((r = cli_args_next(&args, table, &id, &val)) != CLI_ARG_END) {
        if (r == CLI_ARG_BAD)
            return CLI_EXIT_ERROR;
        if (r == CLI_ARG_POS)
            return cli_usage_error("unexpected argument '%s'", val);
        switch (id) {
        case OPT_INDEX: *index_opt = val; break;
        case OPT_HELP: cli_usage(stdout); return 0;
        case OPT_VERSION: cli_version(); return 0;
        case OPT_JSON: *json = 1; break;
        default: break;
        }
    }
    return -1;
}

static int open_index(ng_index **ix, char **path, const char *index_opt)
{
    *ix = NULL;
    *path = cli_index_path(index_opt);
    if (*path == NULL)
        return -1;
    if (ng_index_open(ix, *path) != NG_OK) {
        cli_lib_error(NULL);
        return -1;
    }
    return 0;
}

static void human_size(char *out, size_t size, uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    int u = -1;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u < 0)
        snprintf(out, size, "%" PRIu64 " B", bytes);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
}

int cmd_stats(cli_ctx *ctx, int argc, char **argv)
{
    ng_index *ix = NULL;
    ng_index_stats s;
    const char *index_opt;
    char *path = NULL;
    int json = 0, rc;
    size_t lang_len;
    uint64_t total;

    rc = parse(ctx, argc, argv, stats_options, &index_opt, &json);
    if (rc >= 0)
        return rc;
    rc = CLI_EXIT_ERROR;
    if (open_index(&ix, &path, index_opt) != 0)
        goto out;
    memset(&s, 0, sizeof s);
    if (ng_index_stats_get(&s, ix) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    lang_len = strnlen(s.language, sizeof s.language);
    total = s.bytes_dict + s.bytes_postings + s.bytes_positions + s.bytes_store + s.bytes_other;
    if (json) {
        /* the schema is documented in newsgrep(1), JSON OUTPUT */
        fputs("{\"type\":\"stats\",\"version\":", stdout);
        out_json_str(stdout, ng_version(), strlen(ng_version()), NULL);
        fputs(",\"index\":", stdout);
        out_json_str(stdout, path, strlen(path), NULL);
        printf(",\"documents\":%" PRIu64 ",\"terms\":%" PRIu64 ",\"tokens\":%" PRIu64
               ",\"segments\":%" PRIu32 ",\"generation\":%" PRIu64 ",\"format_version\":%" PRIu32
               ",\"language\":",
               s.docs, s.terms, s.tokens, s.segments, s.generation, s.format_version);
        out_json_str(stdout, s.language, lang_len, NULL);
        printf(",\"bytes\":{\"dictionary\":%" PRIu64 ",\"postings\":%" PRIu64
               ",\"positions\":%" PRIu64 ",\"store\":%" PRIu64 ",\"other\":%" PRIu64
               ",\"total\":%" PRIu64 "}}\n",
               s.bytes_dict, s.bytes_postings, s.bytes_positions, s.bytes_store, s.bytes_other,
               total);
    } else {
        static const char *const names[] = {"dictionary", "postings", "positions",
                                            "store",      "other",    "total"};
        uint64_t bytes[6];
        char hs[32];
        int k;
        bytes[0] = s.bytes_dict;
        bytes[1] = s.bytes_postings;
        bytes[2] = s.bytes_positions;
        bytes[3] = s.bytes_store;
        bytes[4] = s.bytes_other;
        bytes[5] = total;
        fputs("index           ", stdout);
        out_term_str(stdout, path);
        printf("\ndocuments       %" PRIu64 "\n", s.docs);
        printf("terms           %" PRIu64 "\n", s.terms);
        printf("tokens          %" PRIu64 "\n", s.tokens);
        printf("segments        %" PRIu32 "\n", s.segments);
        printf("generation      %" PRIu64 "\n", s.generation);
        printf("format version  %" PRIu32 "\n", s.format_version);
        fputs("language        ", stdout);
        out_term(stdout, s.language, lang_len);
        fputs("\nbytes\n", stdout);
        for (k = 0; k < 6; k++) {
            human_size(hs, sizeof hs, bytes[k]);
            printf("  %-12s  %14" PRIu64 "  %s\n", names[k], bytes[k], hs);
        }
    }
    rc = 0;
out:
    ng_index_free(ix);
    free(path);
    return rc;
}

int cmd_check(cli_ctx *ctx, int argc, char **argv)
{
    ng_index *ix = NULL;
    const char *index_opt;
    char *path = NULL;
    int json = 0, rc;

    rc = parse(ctx, argc, argv, check_options, &index_opt, &json);
    if (rc >= 0)
        return rc;
    rc = CLI_EXIT_ERROR;
    if (open_index(&ix, &path, index_opt) != 0)
        goto out;
    if (ng_index_check(ix) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    puts("ok");
    rc = 0;
out:
    ng_index_free(ix);
    free(path);
    return rc;
}
