/*
 * cmd_index.c -- "newsgrep index [OPTIONS] PATH...".
 *
 * Every PATH is checked before the writer is opened, so a typo indexes
 * nothing.  All paths are added in one session and committed once: an error
 * leaves the index as it was.  Warnings of the library (skipped files, bad
 * JSON lines) go to stderr unless -q; -v adds progress and library info
 * messages, -v -v debug messages too.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum {
    OPT_INDEX = 1,
    OPT_HELP,
    OPT_VERSION,
    OPT_LANG,
    OPT_MEMORY,
    OPT_THREADS,
    OPT_REBUILD,
    OPT_QUIET,
    OPT_VERBOSE
};

static const cli_option index_options[] = {
    {"index", 0, 1, OPT_INDEX},     {"help", 'h', 0, OPT_HELP},       {"version", 'V', 0, OPT_VERSION},
    {"lang", 0, 1, OPT_LANG},       {"memory", 0, 1, OPT_MEMORY},     {"threads", 'j', 1, OPT_THREADS},
    {"rebuild", 0, 0, OPT_REBUILD}, {"quiet", 'q', 0, OPT_QUIET},     {"verbose", 'v', 0, OPT_VERBOSE},
    {NULL, 0, 0, 0},
};

typedef struct log_state {
    int quiet;
    int verbose;
} log_state;

/* The log callback; it may be called from the library's threads. */
static void log_cb(int level, const char *message, void *payload)
{
    const log_state *ls = payload;
    const char *kind;
    if (ls->quiet)
        return;
    if (level == NG_LOG_WARNING)
        kind = "warning: ";
    else if ((level == NG_LOG_INFO && ls->verbose >= 1) || (level == NG_LOG_DEBUG && ls->verbose >= 2))
        kind = "";
    else
        return;
    flockfile(stderr);
    fputs("newsgrep: ", stderr);
    fputs(kind, stderr);
    out_term_str(stderr, message != NULL ? message : "");
    fputc('\n', stderr);
    funlockfile(stderr);
}

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_index(cli_ctx *ctx, int argc, char **argv)
{
    ng_writer_options wo;
    ng_writer *w = NULL;
    log_state ls;
    cli_args args;
    ng_add_stats total;
    const char *index_opt = ctx->index_opt, *lang = NULL, *val;
    char **paths = NULL, *ipath = NULL;
    size_t n_paths = 0, i, memory_mb = 0, threads = 0;
    int id, r, rc = CLI_EXIT_ERROR, rebuild = 0, missing = 0;
    double t0, secs, mb;

    memset(&ls, 0, sizeof ls);
    memset(&total, 0, sizeof total);
    paths = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *paths);
    if (paths == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    cli_args_init(&args, argc, argv);
    while ((r = cli_args_next(&args, index_options, &id, &val)) != CLI_ARG_END) {
        if (r == CLI_ARG_BAD)
            goto out;
        if (r == CLI_ARG_POS) {
            paths[n_paths++] = (char *)val;
            continue;
        }
        switch (id) {
        case OPT_INDEX: index_opt = val; break;
        case OPT_HELP: cli_usage(stdout); rc = 0; goto out;
        case OPT_VERSION: cli_version(); rc = 0; goto out;
        case OPT_LANG:
            if (*val == '\0') {
                rc = cli_usage_error("--lang needs a language name");
                goto out;
            }
            lang = val;
            break;
        case OPT_MEMORY:
            if (cli_parse_size("--memory", val, &memory_mb) != 0)
                goto out;
            if (memory_mb == 0 || memory_mb > SIZE_MAX / (1024 * 1024)) {
                rc = cli_usage_error("--memory must be a number of MB from 1 to %zu",
                                     (size_t)(SIZE_MAX / (1024 * 1024)));
                goto out;
            }
            break;
        case OPT_THREADS:
            if (cli_parse_size("-j", val, &threads) != 0)
                goto out;
            if (threads > 4096) {
                rc = cli_usage_error("-j must be from 0 (one per core) to 4096");
                goto out;
            }
            break;
        case OPT_REBUILD: rebuild = 1; break;
        case OPT_QUIET: ls.quiet = 1; break;
        case OPT_VERBOSE: ls.verbose++; break;
        default: break;
        }
    }
    if (n_paths == 0) {
        rc = cli_usage_error("no PATH to index given");
        goto out;
    }
    for (i = 0; i < n_paths; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            cli_error("%s: %s", paths[i], strerror(errno));
            missing = 1;
        }
    }
    if (missing)
        goto out;
    ipath = cli_index_path(index_opt);
    if (ipath == NULL || cli_make_parents(ipath) != 0)
        goto out;

    if (ng_writer_options_init(&wo, NG_WRITER_OPTIONS_VERSION) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    if (lang != NULL)
        wo.language = lang;
    if (memory_mb > 0)
        wo.memory_limit = memory_mb * 1024 * 1024;
    wo.threads = (unsigned int)threads;
    wo.rebuild = rebuild;
    wo.log = log_cb;
    wo.log_payload = &ls;

    t0 = now_s();
    if (ng_writer_open(&w, ipath, &wo) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    for (i = 0; i < n_paths; i++) {
        ng_add_stats st;
        memset(&st, 0, sizeof st);
        if (ls.verbose > 0 && !ls.quiet)
            cli_error("indexing %s", paths[i]);
        if (ng_writer_add_path(&st, w, paths[i]) != NG_OK) {
            cli_lib_error(NULL);
            goto out;
        }
        if (ls.verbose > 0 && !ls.quiet)
            cli_error("%s: %" PRIu64 " documents (%" PRIu64 " skipped), %" PRIu64 " bytes",
                      paths[i], st.docs_added, st.docs_skipped, st.bytes_read);
        total.docs_added += st.docs_added;
        total.docs_skipped += st.docs_skipped;
        total.bytes_read += st.bytes_read;
    }
    if (ng_writer_commit(w) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    secs = now_s() - t0;
    mb = (double)total.bytes_read / (1024.0 * 1024.0);
    if (!ls.quiet) {
        fflush(stdout);
        fprintf(stderr,
                "indexed %" PRIu64 " documents (%" PRIu64 " skipped) from %.1f MB in %.2f s (%.1f MB/s)\n",
                total.docs_added, total.docs_skipped, mb, secs, secs > 0.0 ? mb / secs : 0.0);
    }
    rc = 0;
out:
    ng_writer_free(w);
    free(ipath);
    free(paths);
    return rc;
}
