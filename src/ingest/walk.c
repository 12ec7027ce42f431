/*
** walk.c -- ng_ingest__path(): a file or a directory tree, visited in
** byte-wise sorted order of names so that indexing is deterministic.
**
** Symbolic links are followed; the (device, inode) pairs of the directories
** on the current path detect loops.  Problems with single entries are
** warnings through the logger; only the argument itself can fail the call.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* st_mtim, strcasecmp, O_CLOEXEC under -std=c11 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ng_int.h"

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct walker {
    ng_ingest_ctx c;
    dir_id *dirs; /* directories on the current path */
    size_t ndirs, cap_dirs;
} walker;

static void lower_strerror(char *buf, size_t n, int err)
{
    snprintf(buf, n, "%s", strerror(err));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
}

static void warn_errno(walker *w, int err, const char *what)
{
    char ebuf[128];
    lower_strerror(ebuf, sizeof ebuf, err);
    ng__log(w->c.lg, NG_LOG_WARNING, "%s: %s%s%s, skipped", w->c.path.ptr, what, *what ? ": " : "", ebuf);
    w->c.st.skipped++;
}

/* The argument itself failed: an error, not a warning. */
static int fail_errno(walker *w, int err, const char *what)
{
    char ebuf[128];
    if (err == ENOENT || err == ENOTDIR)
        return ng__err(NG_ENOTFOUND, "%s: no such file or directory", w->c.path.ptr);
    if (err == ENOMEM) return ng__oom();
    lower_strerror(ebuf, sizeof ebuf, err);
    return ng__err(NG_EIO, "%s: %s%s%s", w->c.path.ptr, what, *what ? ": " : "", ebuf);
}

static int has_suffix(const char *name, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && strcasecmp(name + n - k, suf) == 0;
}

static int64_t mtime_ns_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + (int64_t)st->st_mtim.tv_nsec;
}

static int visit(walker *w, int top);

static int visit_file(walker *w, const struct stat *st0, int top)
{
    const char *path = w->c.path.ptr;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    int kind, fd;
    struct stat st;

    if (has_suffix(base, n, ".jsonl.gz")) kind = 2;
    else if (has_suffix(base, n, ".jsonl")) kind = 1;
    else if (has_suffix(base, n, ".gz")) {
        ng__log(w->c.lg, NG_LOG_WARNING, "%s: binary file skipped", path);
        w->c.st.skipped++;
        return NG_OK;
    } else
        kind = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (top) return fail_errno(w, errno, "");
        warn_errno(w, errno, "");
        return NG_OK;
    }
    if (fstat(fd, &st) != 0) st = *st0;
    if (!S_ISREG(st.st_mode)) { /* replaced since stat() */
        close(fd);
        ng__log(w->c.lg, NG_LOG_WARNING, "%s: not a regular file, skipped", path);
        w->c.st.skipped++;
        return NG_OK;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    /* empty files are found by reading: st_size is 0 for /proc files */
    if (kind == 0) return ng_ingest__text_file(&w->c, fd, (uint64_t)st.st_size, mtime_ns_of(&st));
    return ng_ingest__jsonl_file(&w->c, fd, kind == 2, (uint64_t)st.st_size, mtime_ns_of(&st));
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int visit_dir(walker *w, const struct stat *st, int top)
{
    ng_buf names = NG_BUF_INIT;
    size_t *offs = NULL, noffs = 0, cap_offs = 0, i, base_len;
    char **sorted = NULL;
    DIR *d;
    struct dirent *de;
    int rc = NG_OK;

    for (i = 0; i < w->ndirs; i++) {
        if (w->dirs[i].dev == st->st_dev && w->dirs[i].ino == st->st_ino) {
            ng__log(w->c.lg, NG_LOG_WARNING, "%s: symbolic link loop, skipped", w->c.path.ptr);
            w->c.st.skipped++;
            return NG_OK;
        }
    }

    d = opendir(w->c.path.ptr);
    if (!d) {
        if (top) return fail_errno(w, errno, "");
        warn_errno(w, errno, "cannot open directory");
        return NG_OK;
    }
    for (;;) {
        size_t len;
        errno = 0;
        de = readdir(d);
        if (!de) {
            if (errno) warn_errno(w, errno, "cannot read directory");
            break;
        }
        if (de->d_name[0] == '.') continue; /* hidden, and . and .. */
        len = strlen(de->d_name);
        if ((rc = NG_GROW(offs, cap_offs, noffs + 1)) != NG_OK) break;
        offs[noffs++] = names.size;
        ng__buf_put(&rc, &names, de->d_name, len + 1);
        if (rc) break;
    }
    closedir(d);
    if (rc) goto out;
    if (noffs == 0) goto out;

    sorted = ng__malloc(noffs * sizeof *sorted);
    if (!sorted) {
        rc = ng__oom();
        goto out;
    }
    for (i = 0; i < noffs; i++) sorted[i] = names.ptr + offs[i];
    qsort(sorted, noffs, sizeof *sorted, cmp_names);

    if ((rc = NG_GROW(w->dirs, w->cap_dirs, w->ndirs + 1)) != NG_OK) goto out;
    w->dirs[w->ndirs].dev = st->st_dev;
    w->dirs[w->ndirs].ino = st->st_ino;
    w->ndirs++;

    base_len = w->c.path.size;
    for (i = 0; i < noffs && rc == NG_OK; i++) {
        w->c.path.size = base_len;
        if (base_len == 0 || w->c.path.ptr[base_len - 1] != '/') ng__buf_putc(&rc, &w->c.path, '/');
        ng__buf_puts(&rc, &w->c.path, sorted[i]);
        if (rc) break;
        rc = visit(w, 0);
    }
    w->c.path.size = base_len;
    w->c.path.ptr[base_len] = '\0';
    w->ndirs--;

out:
    ng__free(sorted);
    ng__free(offs);
    ng_buf_dispose(&names);
    return rc;
}

static int visit(walker *w, int top)
{
    struct stat st;
    if (stat(w->c.path.ptr, &st) != 0) {
        int e = errno;
        struct stat lst;
        if (top) return fail_errno(w, e, "");
        if (e == ELOOP) {
            ng__log(w->c.lg, NG_LOG_WARNING, "%s: symbolic link loop, skipped", w->c.path.ptr);
            w->c.st.skipped++;
        } else if (e == ENOENT && lstat(w->c.path.ptr, &lst) == 0 && S_ISLNK(lst.st_mode)) {
            ng__log(w->c.lg, NG_LOG_WARNING, "%s: dangling symbolic link, skipped", w->c.path.ptr);
            w->c.st.skipped++;
        } else {
            warn_errno(w, e, "");
        }
        return NG_OK;
    }
    if (S_ISDIR(st.st_mode)) return visit_dir(w, &st, top);
    if (S_ISREG(st.st_mode)) return visit_file(w, &st, top);
    ng__log(w->c.lg, NG_LOG_WARNING, "%s: not a regular file, skipped", w->c.path.ptr);
    w->c.st.skipped++;
    return NG_OK;
}

int ng_ingest__path(ng_ingest_stats *stats, const char *path, const ng_logger *lg,
                    ng_source_fn fn, void *payload)
{
    walker w;
    size_t n;
    int rc = NG_OK;

    if (stats) memset(stats, 0, sizeof *stats);
    if (!path || !*path || !fn) return ng__err(NG_EINVAL, "ingest: no path or callback");
    memset(&w, 0, sizeof w);
    w.c.lg = lg;
    w.c.fn = fn;
    w.c.payload = payload;

    /* "corpus/" and "corpus//" name entries "corpus/a.txt"; "/" stays */
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    ng__buf_put(&rc, &w.c.path, path, n);
    if (rc == NG_OK) rc = visit(&w, 1);

    if (stats) *stats = w.c.st;
    ng_buf_dispose(&w.c.path);
    ng_buf_dispose(&w.c.text);
    ng_buf_dispose(&w.c.scratch);
    ng_buf_dispose(&w.c.id);
    ng__free(w.c.line);
    ng__free(w.dirs);
    return rc;
}
