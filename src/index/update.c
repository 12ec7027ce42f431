/*
** update.c -- incremental indexing of files and directory trees:
** ng_writer_add_paths() and ng_writer_add_path().
**
** One call:
**   1. walks every path, stat only (sources.c), so that nothing changes if
**      a path is missing and so that the bytes to read are known upfront;
**   2. visits the files in walk order.  A file whose size and mtime are
**      those SOURCES recorded is not opened.  Any other file is read:
**      each document is hashed (ng_src__doc_hash) and analysed only if
**      its id is not owned by this file with the same hash -- so a JSONL
**      file where 1% of the lines changed costs a parse and a hash of
**      every line, and the analysis of 1% of them;
**   3. after each file read again, the ids it owned and no longer holds
**      are deleted; after the walk, so are the ids owned by files under
**      the paths that are gone.  An id that a file read since has given
**      again has a new owner and is left alone.
** Deletions go through the pipeline as ordered jobs, so that they apply
** after the documents queued before them, as a sequential run would.
*/
#include <stdio.h>

#include "index/index.h"

typedef struct file_run {
    ng_writer *w;
    uint32_t file;        /* index of the file's record */
    uint32_t old_first;   /* its entries before this read */
    uint32_t old_n;
    uint32_t pass_first;  /* entries appended by this read start here */
    uint64_t analysed;    /* documents queued for analysis */
    uint64_t unchanged;
    uint64_t bytes_before;/* w->st.bytes_read when the file started */
    const char *path;
} file_run;

/* One document of the file being read. */
static int on_doc(void *payload, const ng_source_doc *sd)
{
    file_run *fr = payload;
    ng_writer *w = fr->w;
    ng_sources *s = w->src;
    const ng_document *d = &sd->doc;
    uint64_t h;
    src_ent *own;
    int rc;
    if (!d->body) return NG_OK;
    h = ng_src__doc_hash(d);
    own = ng_src__owner(s, d->id, d->id_len);
    /* progress inside a big file: the fields' bytes stand for the line's */
    w->st.bytes_read += d->id_len + d->title_len + d->date_len + d->url_len + d->body_len;
    if (own && own->file == fr->file && own->hash == h && (uint32_t)(own - s->ents) < fr->pass_first) {
        /* the same document from the same file: keep the indexed copy */
        fr->unchanged++;
        w->st.docs_unchanged++;
        rc = ng_src__add_ent(s, fr->file, d->id, d->id_len, h);
    } else {
        if ((rc = ng_writer__submit(w, d, NG_ORIGIN_FILE)) != NG_OK) return rc;
        fr->analysed++;
        rc = ng_src__add_ent(s, fr->file, d->id, d->id_len, h);
    }
    if (rc) return rc;
    return ng_writer__tick(w, 0);
}

/* Delete the documents of entries [first, first+n) still owned. */
static int delete_owned(ng_writer *w, uint32_t first, uint32_t n)
{
    ng_sources *s = w->src;
    uint32_t k;
    int rc;
    for (k = 0; k < n; k++) {
        src_ent *e = &s->ents[first + k];
        if (!e->live) continue;
        e->live = 0;
        s->modified = 1;
        if ((rc = ng_writer__submit_delete(w, s->bytes.ptr + e->id_off, e->id_len)) != NG_OK) return rc;
    }
    return NG_OK;
}

static int read_file(ng_writer *w, const ng_src_item *it, const char *path, ng_add_stats *as)
{
    ng_sources *s = w->src;
    ng_ingest_stats ist;
    file_run fr;
    src_file *f;
    int rc, known;
    memset(&fr, 0, sizeof fr);
    fr.w = w;
    fr.path = path;
    known = ng_src__file(s, path, it->path_len) != NULL;
    if ((rc = ng_src__add_file(s, path, it->path_len, &fr.file)) != NG_OK) return rc;
    f = &s->files[fr.file];
    fr.old_first = f->first;
    fr.old_n = f->n;
    fr.pass_first = (uint32_t)s->n_ents;
    fr.bytes_before = w->st.bytes_read;
    w->st.path = path;
    if (known) w->st.files_changed++;
    else w->st.files_new++;
    rc = ng_ingest__path(&ist, path, &w->log, on_doc, &fr);
    w->st.bytes_read = fr.bytes_before + ist.bytes;
    w->st.docs_skipped += ist.skipped;
    as->docs_added += fr.analysed;
    as->docs_skipped += ist.skipped;
    as->bytes_read += ist.bytes;
    f = &s->files[fr.file]; /* the array may have moved */
    f->seen = 1;
    f->dead = 0;
    if (rc == NG_ENOTFOUND || rc == NG_EIO) {
        /* vanished or unreadable since the walk: a warning; try again next time */
        ng__log(&w->log, NG_LOG_WARNING, "%s, skipped", ng_error_last()->message);
        w->st.docs_skipped++;
        as->docs_skipped++;
        f->stale = 1;
        s->modified = 1;
        return NG_OK;
    }
    if (rc) return rc;
    /* lines whose id left this file: their documents go, unless another
       file (or a later line) took the id over */
    if ((rc = delete_owned(w, fr.old_first, fr.old_n)) != NG_OK) return rc;
    f = &s->files[fr.file];
    f->first = fr.pass_first;
    f->n = (uint32_t)(s->n_ents - fr.pass_first);
    f->size = it->size;
    f->mtime_ns = it->mtime_ns;
    f->stale = 0;
    s->modified = 1;
    ng__log(&w->log, NG_LOG_INFO, "%s: %llu documents analysed, %llu unchanged", path,
            (unsigned long long)fr.analysed, (unsigned long long)fr.unchanged);
    return NG_OK;
}

/* Is path p under the walked path root ("a" holds "a" and "a/x")? */
static int under(const char *p, size_t n, const char *root, size_t rn)
{
    if (rn == 1 && root[0] == '/') return n >= 1 && p[0] == '/';
    return n >= rn && memcmp(p, root, rn) == 0 && (n == rn || p[rn] == '/');
}

/* Files recorded under the paths that the walk did not see are gone. */
static int delete_gone(ng_writer *w, const char *const *paths, size_t n_paths)
{
    ng_sources *s = w->src;
    size_t i, k;
    int rc;
    for (i = 0; i < s->n_files; i++) {
        src_file *f = &s->files[i];
        const char *p = s->bytes.ptr + f->path_off;
        int in = 0;
        if (f->seen || f->dead) continue;
        for (k = 0; k < n_paths && !in; k++) {
            size_t rn = strlen(paths[k]);
            while (rn > 1 && paths[k][rn - 1] == '/') rn--;
            in = under(p, f->path_len, paths[k], rn);
        }
        if (!in) continue;
        w->st.files_deleted++;
        if ((rc = delete_owned(w, f->first, f->n)) != NG_OK) return rc;
        s->files[i].dead = 1;
        s->modified = 1;
    }
    return NG_OK;
}

static int needs_reading(ng_sources *s, const ng_src_item *it, const char *path)
{
    src_file *f = ng_src__file(s, path, it->path_len);
    return !f || f->dead || f->stale || f->size != it->size || f->mtime_ns != it->mtime_ns;
}

static int visit_all(ng_writer *w, const ng_src_list *l, ng_add_stats *as)
{
    ng_sources *s = w->src;
    size_t i, k;
    int rc;
    for (i = 0; i < l->n; i++) {
        const ng_src_item *it = &l->items[i];
        const char *path = l->bytes.ptr + it->path_off;
        if (needs_reading(s, it, path)) {
            rc = read_file(w, it, path, as);
        } else {
            src_file *f = ng_src__file(s, path, it->path_len);
            if (f->seen) continue; /* given twice (overlapping paths) */
            f->seen = 1;
            w->st.files_unchanged++;
            for (k = 0; k < f->n; k++) w->st.docs_unchanged += s->ents[f->first + k].live;
            rc = ng_writer__tick(w, 0);
        }
        if (rc) return rc;
    }
    return NG_OK;
}

NG_EXTERN(int) ng_writer_add_paths(ng_add_stats *stats_out, ng_writer *w, const char *const *paths, size_t n_paths)
{
    ng_src_list l;
    ng_add_stats as;
    size_t i;
    int rc = NG_OK;
    memset(&as, 0, sizeof as);
    if (stats_out) *stats_out = as;
    if (!w || (!paths && n_paths)) return ng__err(NG_EINVAL, "writer_add_paths: null argument");
    memset(&l, 0, sizeof l);
    for (i = 0; i < n_paths && !rc; i++) {
        if (!paths[i] || !*paths[i]) rc = ng__err(NG_EINVAL, "writer_add_paths: empty path");
        else rc = ng_src__walk(&l, paths[i], &w->log);
    }
    if (rc) goto out;
    as.docs_skipped = l.skipped;
    w->st.docs_skipped += l.skipped;
    for (i = 0; i < l.n; i++)
        if (needs_reading(w->src, &l.items[i], l.bytes.ptr + l.items[i].path_off))
            w->st.bytes_total += l.items[i].size;
    for (i = 0; i < w->src->n_files; i++) w->src->files[i].seen = 0;
    if ((rc = visit_all(w, &l, &as)) != NG_OK) goto out;
    if ((rc = delete_gone(w, paths, n_paths)) != NG_OK) goto out;
    w->st.path = NULL;
    rc = ng_writer__tick(w, 0);
out:
    w->src_dirty |= w->src->modified;
    if (stats_out) *stats_out = as;
    ng_src__list_free(&l);
    return rc;
}

NG_EXTERN(int) ng_writer_add_path(ng_add_stats *stats_out, ng_writer *w, const char *path)
{
    const char *one[1];
    one[0] = path;
    if (!path) return ng__err(NG_EINVAL, "writer_add_path: null argument");
    return ng_writer_add_paths(stats_out, w, one, 1);
}
