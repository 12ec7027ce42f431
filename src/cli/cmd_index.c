/*
 * cmd_index.c -- "newsgrep index [OPTIONS] PATH...".
 *
 * Every PATH is checked before the writer is opened, so a typo indexes
 * nothing.  All paths are added in one session and committed once: an error
 * leaves the index as it was.  Indexing is incremental (the library reads
 * only new and changed files, and deletes the documents of files gone from
 * under the PATHs).  Warnings of the library (skipped files, bad JSON
 * lines) go to stderr unless -q; -v adds a line per file read, -v -v debug
 * messages too.  On a terminal, a progress line is redrawn about four
 * times a second; at the end one summary line, or "index is up to date"
 * when nothing changed (then nothing was written).
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_INDEX = 1,
    OPT_HELP,
    OPT_VERSION,
    OPT_LANG,
    OPT_MEMORY,
    OPT_THREADS,
    OPT_REBUILD,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_WAIT
};

static const cli_option index_options[] = {
    {"index", 0, 1, OPT_INDEX},     {"help", 'h', 0, OPT_HELP},       {"version", 'V', 0, OPT_VERSION},
    {"lang", 0, 1, OPT_LANG},       {"memory", 0, 1, OPT_MEMORY},     {"threads", 'j', 1, OPT_THREADS},
    {"rebuild", 0, 0, OPT_REBUILD}, {"quiet", 'q', 0, OPT_QUIET},     {"verbose", 'v', 0, OPT_VERBOSE},
    {"wait", 0, 1, OPT_WAIT},       {NULL, 0, 0, 0},
};

typedef struct log_state {
    int quiet;
    int verbose;
    int bar;       /* a progress line is on the terminal and must be cleared first */
    int progress;  /* draw progress lines (stderr is a terminal, not -q) */
} log_state;

/* Erase the progress line, if one is shown, so that a message starts clean. */
static void clear_bar(log_state *ls)
{
    if (ls->bar) {
        fputs("\r\033[K", stderr);
        ls->bar = 0;
    }
}

/* The log callback; called from the thread that adds documents. */
static void log_cb(int level, const char *message, void *payload)
{
    log_state *ls = payload;
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
    clear_bar(ls);
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

static double mib(uint64_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

/* "1:02:03" or "2:03" */
static void fmt_duration(char *out, size_t n, double s)
{
    unsigned long t = s > 0 && s < 1e7 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, n, "%lu:%02lu", t / 60, t % 60);
}

/* The progress line: documents, MB (of the total when known), rate, ETA. */
static int progress_cb(const ng_writer_stats *st, void *payload)
{
    log_state *ls = payload;
    uint64_t docs = st->docs_added + st->docs_updated + st->docs_unchanged;
    double rate = st->elapsed > 0 ? mib(st->bytes_read) / st->elapsed : 0.0;
    char eta[32] = "";
    if (!ls->progress || st->finished)
        return 0;
    if (st->bytes_total > 0 && rate > 0 && st->bytes_read <= st->bytes_total) {
        char d[24];
        fmt_duration(d, sizeof d, mib(st->bytes_total - st->bytes_read) / rate);
        snprintf(eta, sizeof eta, "  ETA %s", d);
    }
    flockfile(stderr);
    fputs("\r\033[K", stderr);
    if (st->bytes_total > 0)
        fprintf(stderr, "indexing: %" PRIu64 " documents, %.1f/%.1f MB (%.0f%%), %.1f MB/s%s", docs,
                mib(st->bytes_read), mib(st->bytes_total),
                st->bytes_read >= st->bytes_total ? 100.0 : 100.0 * (double)st->bytes_read / (double)st->bytes_total,
                rate, eta);
    else
        fprintf(stderr, "indexing: %" PRIu64 " documents, %.1f MB, %.1f MB/s", docs, mib(st->bytes_read), rate);
    fflush(stderr);
    ls->bar = 1;
    funlockfile(stderr);
    return 0;
}

/* Bytes of the index as committed (0 if it cannot be opened). */
static uint64_t index_bytes(const char *path, uint32_t *segments)
{
    ng_index *ix = NULL;
    ng_index_stats st;
    uint64_t n = 0;
    *segments = 0;
    if (ng_index_open(&ix, path) == NG_OK && ng_index_stats_get(&st, ix) == NG_OK) {
        n = st.bytes_dict + st.bytes_postings + st.bytes_positions + st.bytes_store + st.bytes_other;
        *segments = st.segments;
    }
    ng_index_free(ix);
    return n;
}

static void print_summary(const ng_writer_stats *st, const char *ipath, double secs)
{
    uint64_t changed = st->docs_added + st->docs_updated + st->docs_deleted;
    uint64_t files = st->files_new + st->files_changed + st->files_deleted;
    uint64_t size;
    uint32_t segments;
    double mb = mib(st->bytes_read);
    if (changed == 0 && files == 0 && st->commits == 0) {
        fprintf(stderr, "index is up to date: %" PRIu64 " file%s unchanged\n", st->files_unchanged,
                st->files_unchanged == 1 ? "" : "s");
        return;
    }
    size = index_bytes(ipath, &segments);
    fprintf(stderr,
            "indexed %" PRIu64 " documents (%" PRIu64 " skipped) from %.1f MB in %.2f s (%.1f MB/s): "
            "%" PRIu64 " added, %" PRIu64 " updated, %" PRIu64 " deleted, %" PRIu64 " unchanged; "
            "index %.1f MB in %" PRIu32 " segment%s\n",
            st->docs_added + st->docs_updated, st->docs_skipped, mb, secs, secs > 0.0 ? mb / secs : 0.0,
            st->docs_added, st->docs_updated, st->docs_deleted, st->docs_unchanged, mib(size), segments,
            segments == 1 ? "" : "s");
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
    double t0, wait_s = 0.0;

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
        case OPT_WAIT:
            if (cli_parse_double("--wait", val, 0.0, 86400.0, &wait_s) != 0)
                goto out;
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
    ls.progress = !ls.quiet && isatty(fileno(stderr));
    if (lang != NULL)
        wo.language = lang;
    if (memory_mb > 0)
        wo.memory_limit = memory_mb * 1024 * 1024;
    wo.threads = (unsigned int)threads;
    wo.rebuild = rebuild;
    wo.log = log_cb;
    wo.log_payload = &ls;
    wo.lock_wait_ms = (unsigned int)(wait_s * 1000.0 + 0.5);
    wo.progress = progress_cb;
    wo.progress_payload = &ls;

    t0 = now_s();
    if (ng_writer_open(&w, ipath, &wo) != NG_OK) {
        cli_lib_error(NULL);
        goto out;
    }
    if (ng_writer_add_paths(&total, w, (const char *const *)paths, n_paths) != NG_OK ||
        ng_writer_commit(w) != NG_OK) {
        clear_bar(&ls);
        cli_lib_error(NULL);
        goto out;
    }
    clear_bar(&ls);
    if (!ls.quiet) {
        fflush(stdout);
        print_summary(ng_writer_get_stats(w), ipath, now_s() - t0);
    }
    rc = 0;
out:
    ng_writer_free(w);
    free(ipath);
    free(paths);
    return rc;
}
