/*
 * cmd_optimize.c -- "newsgrep optimize": merge the whole index into one
 * segment, leaving deleted documents out, and commit.
 *
 * Searches need one dictionary lookup and one cursor per segment and term,
 * so one segment is the fastest form of an index that will not change for
 * a while.  Readers keep their snapshot while the merge runs.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_INDEX = 1, OPT_HELP, OPT_QUIET, OPT_WAIT };

static const cli_option optimize_options[] = {
    {"index", 0, 1, OPT_INDEX}, {"help", 'h', 0, OPT_HELP}, {"quiet", 'q', 0, OPT_QUIET},
    {"wait", 0, 1, OPT_WAIT},   {NULL, 0, 0, 0},
};

static void log_cb(int level, const char *message, void *payload)
{
    const int *quiet = payload;
    if (*quiet || level != NG_LOG_WARNING)
        return;
    fputs("newsgrep: warning: ", stderr);
    out_term_str(stderr, message != NULL ? message : "");
    fputc('\n', stderr);
}

int cmd_optimize(cli_ctx *ctx, int argc, char **argv)
{
    ng_writer_options wo;
    ng_writer *w = NULL;
    ng_index *ix = NULL;
    ng_index_stats st;
    cli_args args;
    const char *index_opt = ctx->index_opt, *val;
    char *ipath = NULL;
    double wait_s = 0.0;
    int id, r, rc = CLI_EXIT_ERROR, quiet = 0;

    cli_args_init(&args, argc, argv);
    while ((r = cli_args_next(&args, optimize_options, &id, &val)) != CLI_ARG_END) {
        if (r == CLI_ARG_BAD)
            return CLI_EXIT_ERROR;
        if (r == CLI_ARG_POS)
            return cli_usage_error("optimize takes no argument: '%s'", val);
        switch (id) {
        case OPT_INDEX: index_opt = val; break;
        case OPT_HELP: cli_usage(stdout); return 0;
        case OPT_QUIET: quiet = 1; break;
        case OPT_WAIT:
            if (cli_parse_double("--wait", val, 0.0, 86400.0, &wait_s) != 0)
                return CLI_EXIT_ERROR;
            break;
        default: break;
        }
    }
    ipath = cli_index_path(index_opt);
    if (ipath == NULL)
        goto out;
    /* optimizing nothing is an error, not a new empty index */
    if (ng_index_open(&ix, ipath) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    ng_index_free(ix);
    ix = NULL;
    if (ng_writer_options_init(&wo, NG_WRITER_OPTIONS_VERSION) != NG_OK)
        goto lib_error;
    wo.create = 0;
    wo.log = log_cb;
    wo.log_payload = &quiet;
    wo.lock_wait_ms = (unsigned int)(wait_s * 1000.0 + 0.5);
    if (ng_writer_open(&w, ipath, &wo) != NG_OK || ng_writer_optimize(w) != NG_OK)
        goto lib_error;
    ng_writer_free(w);
    w = NULL;
    if (!quiet && ng_index_open(&ix, ipath) == NG_OK && ng_index_stats_get(&st, ix) == NG_OK)
        fprintf(stderr, "optimized: %" PRIu64 " documents in %" PRIu32 " segment%s\n", st.docs, st.segments,
                st.segments == 1 ? "" : "s");
    rc = 0;
    goto out;
lib_error:
    cli_lib_error(NULL);
out:
    ng_index_free(ix);
    ng_writer_free(w);
    free(ipath);
    return rc;
}
