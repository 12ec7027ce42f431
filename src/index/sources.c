/*
** sources.c -- what the index knows about the files it was built from:
** the SOURCES-<generation> file (FORMAT.md section 1a), its in-memory
** form, and the stat-only walk that decides which files to read again.
**
**   body:  u64 generation                 the commit that wrote the content
**                                         (<= G: unchanged, SOURCES-G is a
**                                         hard link to the previous one)
**          u32 n_files
**          n_files x file, in byte order of path:
**            vint path_len, path bytes
**            u64  size, u64 mtime_ns      as stat() gave them when read
**            vint n_docs
**            n_docs x (vint id_len, id bytes, u64 doc_hash)
**                                         id_len 0: the id is the path
**   meta:  u64 n_files, u64 n_docs
**
** In memory, every (file, id) pair is an entry; an id has at most one
** *owner*, the live entry the id map points to: the file that last gave
** the document now in the index.  An entry stops being the owner when a
** later file (or a later line of the same file) gives the same id, when
** its line disappears, or when the document is replaced or deleted
** through the API.  Only owners are saved.  Files are never removed from
** the arrays during a run; dead ones are skipped when saving.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* st_mtim */
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"

#define SRC_META_LEN 16

/* ------------------------------------------------------------------ */
/* Content hash                                                        */
/* ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t h)
{
    /* the finaliser of SplitMix64: every input bit reaches every output bit */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    h = mix64(h ^ (n * k));
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ mix64(v + k)) * k;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = 0;
        memcpy(&v, p, n);
        h = (h ^ mix64(v + k + n)) * k;
    }
    return mix64(h);
}

uint64_t ng_src__doc_hash(const ng_document *d)
{
    uint64_t h = 0x6e657773677265ull; /* "newsgre" */
    h = hash_bytes(h, d->id ? d->id : "", d->id_len);
    h = hash_bytes(h, d->title ? d->title : "", d->title_len);
    h = hash_bytes(h, d->date ? d->date : "", d->date_len);
    h = hash_bytes(h, d->url ? d->url : "", d->url_len);
    return hash_bytes(h, d->body ? d->body : "", d->body_len);
}

/* ------------------------------------------------------------------ */
/* Maps: open addressing over indexes + 1 (0 = empty)                   */
/* ------------------------------------------------------------------ */

static uint32_t str_hash(const char *p, size_t n)
{
    return (uint32_t)hash_bytes(1, p, n);
}

static const char *ent_id(const ng_sources *s, const src_ent *e)
{
    return s->bytes.ptr + e->id_off;
}

static const char *file_path(const ng_sources *s, const src_file *f)
{
    return s->bytes.ptr + f->path_off;
}

static int map_grow(uint32_t **map, size_t *slots, size_t n_used, const ng_sources *s, int ids)
{
    size_t n = *slots ? *slots * 2 : 1024, i;
    uint32_t *v, *old = *map;
    if ((n_used + 1) * 2 <= *slots) return NG_OK;
    while ((n_used + 1) * 2 > n) n *= 2;
    if (!(v = ng__calloc(n, sizeof *v))) return ng__oom();
    for (i = 0; i < *slots; i++) {
        uint32_t x = old[i], h;
        size_t j;
        if (!x) continue;
        if (ids) h = str_hash(ent_id(s, &s->ents[x - 1]), s->ents[x - 1].id_len);
        else h = str_hash(file_path(s, &s->files[x - 1]), s->files[x - 1].path_len);
        for (j = h & (n - 1); v[j]; j = (j + 1) & (n - 1)) {}
        v[j] = x;
    }
    ng__free(old);
    *map = v;
    *slots = n;
    return NG_OK;
}

/* Slot of id in the id map: holds its entry + 1, or 0 (free slot). */
static uint32_t *src_id_slot(const ng_sources *s, const char *id, size_t len)
{
    size_t j;
    if (!s->id_slots) return NULL;
    for (j = str_hash(id, len) & (s->id_slots - 1); s->id_map[j]; j = (j + 1) & (s->id_slots - 1)) {
        const src_ent *e = &s->ents[s->id_map[j] - 1];
        if (e->id_len == len && memcmp(ent_id(s, e), id, len) == 0) break;
    }
    return &s->id_map[j];
}

static uint32_t *src_path_slot(const ng_sources *s, const char *path, size_t len)
{
    size_t j;
    if (!s->path_slots) return NULL;
    for (j = str_hash(path, len) & (s->path_slots - 1); s->path_map[j]; j = (j + 1) & (s->path_slots - 1)) {
        const src_file *f = &s->files[s->path_map[j] - 1];
        if (f->path_len == len && memcmp(file_path(s, f), path, len) == 0) break;
    }
    return &s->path_map[j];
}

src_file *ng_src__file(ng_sources *s, const char *path, size_t len)
{
    uint32_t *slot = src_path_slot(s, path, len);
    return slot && *slot ? &s->files[*slot - 1] : NULL;
}

src_ent *ng_src__owner(ng_sources *s, const char *id, size_t len)
{
    uint32_t *slot = src_id_slot(s, id, len);
    src_ent *e;
    if (!slot || !*slot) return NULL;
    e = &s->ents[*slot - 1];
    return e->live ? e : NULL;
}

int ng_src__add_file(ng_sources *s, const char *path, size_t len, uint32_t *index_out)
{
    src_file *f;
    uint32_t *slot;
    int rc = NG_OK;
    if ((rc = map_grow(&s->path_map, &s->path_slots, s->n_files, s, 0)) != NG_OK) return rc;
    if ((rc = NG_GROW(s->files, s->files_cap, s->n_files + 1)) != NG_OK) return rc;
    slot = src_path_slot(s, path, len);
    if (*slot) {
        *index_out = *slot - 1;
        return NG_OK;
    }
    f = &s->files[s->n_files];
    memset(f, 0, sizeof *f);
    f->path_off = (uint32_t)s->bytes.size;
    f->path_len = (uint32_t)len;
    ng__buf_put(&rc, &s->bytes, path, len);
    if (rc) return rc;
    if (s->bytes.size > UINT32_MAX) return ng__err(NG_ELIMIT, "sources: more than 4 GiB of paths and ids");
    *slot = (uint32_t)++s->n_files;
    *index_out = *slot - 1;
    s->modified = 1;
    return NG_OK;
}

int ng_src__add_ent(ng_sources *s, uint32_t file, const char *id, size_t len, uint64_t hash)
{
    src_ent *e, *prev;
    uint32_t *slot;
    int rc;
    if ((rc = map_grow(&s->id_map, &s->id_slots, s->n_ids, s, 1)) != NG_OK) return rc;
    if ((rc = NG_GROW(s->ents, s->ents_cap, s->n_ents + 1)) != NG_OK) return rc;
    if (s->n_ents >= UINT32_MAX - 1) return ng__err(NG_ELIMIT, "sources: too many documents");
    slot = src_id_slot(s, id, len);
    e = &s->ents[s->n_ents];
    memset(e, 0, sizeof *e);
    e->hash = hash;
    e->file = file;
    e->live = 1;
    e->id_len = (uint32_t)len;
    if (*slot) {
        /* the id is known: share its bytes, and it changes owner */
        prev = &s->ents[*slot - 1];
        prev->live = 0;
        e->id_off = prev->id_off;
    } else {
        const src_file *f = &s->files[file];
        if (len == f->path_len && memcmp(file_path(s, f), id, len) == 0) {
            e->id_off = f->path_off; /* a text file's id is its path */
        } else {
            rc = NG_OK;
            e->id_off = (uint32_t)s->bytes.size;
            ng__buf_put(&rc, &s->bytes, id, len);
            if (rc) return rc;
            if (s->bytes.size > UINT32_MAX) return ng__err(NG_ELIMIT, "sources: more than 4 GiB of paths and ids");
        }
        s->n_ids++;
    }
    *slot = (uint32_t)++s->n_ents;
    s->modified = 1;
    return NG_OK;
}

void ng_src__forget(ng_sources *s, const char *id, size_t len)
{
    src_ent *e = ng_src__owner(s, id, len);
    if (!e) return;
    /* changed behind the file's back: read the file again next time */
    e->live = 0;
    s->files[e->file].stale = 1;
    s->modified = 1;
}

void ng_src__free(ng_sources *s)
{
    if (!s) return;
    ng_buf_dispose(&s->bytes);
    ng__free(s->files);
    ng__free(s->ents);
    ng__free(s->id_map);
    ng__free(s->path_map);
    ng__free(s);
}

size_t ng_src__bytes(const ng_sources *s)
{
    return s->bytes.asize + s->files_cap * sizeof *s->files + s->ents_cap * sizeof *s->ents +
           (s->id_slots + s->path_slots) * sizeof(uint32_t);
}

/* ------------------------------------------------------------------ */
/* The SOURCES-G file                                                  */
/* ------------------------------------------------------------------ */

int ng_src__path(ng_buf *out, const char *dir, uint64_t gen)
{
    int rc = NG_OK;
    ng__buf_clear(out);
    ng__buf_printf(&rc, out, "%s/SOURCES-%llu", dir, (unsigned long long)gen);
    return rc;
}

typedef struct rd {
    const uint8_t *p, *end;
} rd;

static int rd_vint(rd *r, uint64_t *v) { return ng__vint_get(&r->p, r->end, v); }
static int rd_u64(rd *r, uint64_t *v)
{
    if (r->end - r->p < 8) return -1;
    *v = ng__get_u64(r->p);
    r->p += 8;
    return 0;
}
static int rd_bytes(rd *r, uint64_t n, const char **out)
{
    if ((uint64_t)(r->end - r->p) < n) return -1;
    *out = (const char *)r->p;
    r->p += n;
    return 0;
}

/* Check the frame of FORMAT.md section 2 with kind tag "SRC" and the
** whole-file CRC (the file is read whole anyway). */
static int check_frame(const ng_map *m, const char *path, rd *body, const uint8_t **meta)
{
    const uint8_t *d = m->data;
    size_t n = m->size;
    uint64_t meta_off;
    uint32_t meta_len;
    if (n < NG_FMT_HEADER_SIZE + NG_FMT_FOOTER_SIZE) return ng__corrupt(path, 0, "sources: file too short");
    if (memcmp(d, "NGRPSRC\1", 8) != 0) return ng__corrupt(path, 0, "sources: wrong file kind");
    if (ng__get_u32(d + 8) != NG_FMT_VERSION)
        return ng__err(NG_EVERSION, "%s: format version %u, expected %u", path, ng__get_u32(d + 8), NG_FMT_VERSION);
    if (ng__get_u32(d + 12) != 0) return ng__corrupt(path, 12, "sources: header names a segment (must be 0)");
    if (memcmp(d + n - 4, "NGE1", 4) != 0) return ng__corrupt(path, n - 4, "sources: bad end magic");
    if (ng__crc32(0, d, n - 8) != ng__get_u32(d + n - 8)) return ng__corrupt(path, n - 8, "sources: checksum mismatch");
    meta_off = ng__get_u64(d + n - 24);
    meta_len = ng__get_u32(d + n - 16);
    if (meta_len != SRC_META_LEN || meta_off < NG_FMT_HEADER_SIZE || meta_off + meta_len != n - NG_FMT_FOOTER_SIZE)
        return ng__corrupt(path, n - 24, "sources: bad meta section");
    body->p = d + NG_FMT_HEADER_SIZE;
    body->end = d + meta_off;
    *meta = d + meta_off;
    return NG_OK;
}

static int parse(ng_sources *s, const ng_map *m, const char *path, uint64_t gen)
{
    rd r;
    const uint8_t *meta = NULL;
    uint64_t g, n_files, n_docs, i, k, total = 0;
    int rc = check_frame(m, path, &r, &meta);
    if (rc) return rc;
    if (rd_u64(&r, &g) || r.end - r.p < 4) goto bad;
    n_files = ng__get_u32(r.p);
    r.p += 4;
    /* a commit that changed no file links SOURCES-G to the previous one */
    if (g == 0 || g > gen) return ng__corrupt(path, 16, "sources: generation newer than the manifest's");
    if (n_files != ng__get_u64(meta)) goto bad;
    for (i = 0; i < n_files; i++) {
        uint64_t len, size, mtime;
        const char *p;
        uint32_t fi;
        src_file *f;
        if (rd_vint(&r, &len) || rd_bytes(&r, len, &p) || rd_u64(&r, &size) || rd_u64(&r, &mtime) ||
            rd_vint(&r, &n_docs))
            goto bad;
        if ((rc = ng_src__add_file(s, p, (size_t)len, &fi)) != NG_OK) return rc;
        if (fi != s->n_files - 1) goto bad; /* the same path twice */
        f = &s->files[fi];
        f->size = size;
        f->mtime_ns = (int64_t)mtime;
        f->first = (uint32_t)s->n_ents;
        for (k = 0; k < n_docs; k++) {
            uint64_t idl, h;
            const char *id;
            if (rd_vint(&r, &idl) || rd_bytes(&r, idl, &id) || rd_u64(&r, &h)) goto bad;
            if (idl == 0) {
                id = file_path(s, &s->files[fi]);
                idl = s->files[fi].path_len;
            }
            if ((rc = ng_src__add_ent(s, fi, id, (size_t)idl, h)) != NG_OK) return rc;
        }
        s->files[fi].n = (uint32_t)(s->n_ents - s->files[fi].first);
        total += n_docs;
    }
    if (r.p != r.end || total != ng__get_u64(meta + 8)) goto bad;
    s->modified = 0;
    return NG_OK;
bad:
    return ng__corrupt(path, (uint64_t)(r.p - m->data), "sources: bad file list");
}

int ng_src__load(ng_sources **out, const char *dir, uint64_t gen, const ng_logger *lg)
{
    ng_sources *s;
    ng_buf path = NG_BUF_INIT;
    ng_map m;
    int rc;
    *out = NULL;
    if (!(s = ng__calloc(1, sizeof *s))) return ng__oom();
    if (gen == 0) goto done;
    if ((rc = ng_src__path(&path, dir, gen)) != NG_OK) goto fail;
    rc = ng__map_file(&m, path.ptr);
    if (rc == NG_ENOTFOUND) goto done; /* index written without paths, or by an older writer */
    if (rc) goto fail;
    rc = parse(s, &m, path.ptr, gen);
    ng__unmap(&m);
    if (rc == NG_ENOMEM) goto fail;
    if (rc) {
        /* SOURCES only saves work: without it every file is read again */
        ng__log(lg, NG_LOG_WARNING, "%s; every file will be read again", ng_error_last()->message);
        ng_src__free(s);
        if (!(s = ng__calloc(1, sizeof *s))) return ng__oom();
        s->modified = 1;
    }
done:
    ng_buf_dispose(&path);
    *out = s;
    return NG_OK;
fail:
    ng_buf_dispose(&path);
    ng_src__free(s);
    return rc;
}

static const ng_sources *cmp_ctx;
static int cmp_files(const void *a, const void *b)
{
    const src_file *x = &cmp_ctx->files[*(const uint32_t *)a], *y = &cmp_ctx->files[*(const uint32_t *)b];
    size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
    int c = memcmp(file_path(cmp_ctx, x), file_path(cmp_ctx, y), n);
    return c ? c : (x->path_len > y->path_len) - (x->path_len < y->path_len);
}

static void put_file(int *rc, ng_buf *b, const ng_sources *s, const src_file *f, uint64_t *n_docs)
{
    uint32_t k, live = 0;
    for (k = 0; k < f->n; k++) live += s->ents[f->first + k].live;
    ng__buf_put_vint(rc, b, f->path_len);
    ng__buf_put(rc, b, file_path(s, f), f->path_len);
    /* a stale file gets an impossible stat: the next run reads it again */
    ng__buf_put_u64(rc, b, f->stale ? UINT64_MAX : f->size);
    ng__buf_put_u64(rc, b, f->stale ? UINT64_MAX : (uint64_t)f->mtime_ns);
    ng__buf_put_vint(rc, b, live);
    for (k = 0; k < f->n; k++) {
        const src_ent *e = &s->ents[f->first + k];
        if (!e->live) continue;
        if (e->id_off == f->path_off && e->id_len == f->path_len) {
            ng__buf_put_vint(rc, b, 0);
        } else {
            ng__buf_put_vint(rc, b, e->id_len);
            ng__buf_put(rc, b, ent_id(s, e), e->id_len);
        }
        ng__buf_put_u64(rc, b, e->hash);
    }
    *n_docs += live;
}

/* The frame's kind tag: ng_fmt__fw_open() knows only the segment kinds,
** so the header it wrote (still in its buffer) is retagged. */
static void retag(ng_fwriter *fw)
{
    memcpy(fw->buf.ptr + 4, "SRC", 3);
    fw->crc = ng__crc32(0, fw->buf.ptr, NG_FMT_HEADER_SIZE);
}

int ng_src__save(const ng_sources *s, const char *dir, uint64_t gen)
{
    ng_buf path = NG_BUF_INIT, b = NG_BUF_INIT;
    ng_fwriter fw;
    uint32_t *order = NULL, n = 0, i;
    uint64_t n_docs = 0;
    uint8_t meta[SRC_META_LEN];
    int rc = NG_OK, open = 0;
    if (!(order = ng__malloc((s->n_files ? s->n_files : 1) * sizeof *order))) return ng__oom();
    for (i = 0; i < s->n_files; i++)
        if (!s->files[i].dead) order[n++] = i;
    cmp_ctx = s; /* only the writer's thread saves */
    qsort(order, n, sizeof *order, cmp_files);
    if ((rc = ng_src__path(&path, dir, gen)) || (rc = ng_fmt__fw_open(&fw, path.ptr, NG_FK_MANIFEST))) goto out;
    open = 1;
    retag(&fw);
    ng__buf_put_u64(&rc, &b, gen);
    ng__buf_put_u32(&rc, &b, n);
    for (i = 0; i < n && !rc; i++) {
        put_file(&rc, &b, s, &s->files[order[i]], &n_docs);
        if (!rc && b.size >= (1u << 20)) {
            rc = ng_fmt__fw_write(&fw, b.ptr, b.size);
            ng__buf_clear(&b);
        }
    }
    if (!rc) rc = ng_fmt__fw_write(&fw, b.ptr, b.size);
    ng__set_u64(meta, n);
    ng__set_u64(meta + 8, n_docs);
    if (!rc) rc = ng_fmt__fw_finish(&fw, meta, sizeof meta);
    if (!rc) open = 0;
out:
    if (open) ng_fmt__fw_abort(&fw);
    ng__free(order);
    ng_buf_dispose(&b);
    ng_buf_dispose(&path);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The stat-only walk                                                  */
/* ------------------------------------------------------------------ */

typedef struct dev_ino {
    dev_t dev;
    ino_t ino;
} dev_ino;

typedef struct walk {
    ng_src_list *out;
    const ng_logger *lg;
    ng_buf path;
    dev_ino *dirs;
    size_t n_dirs, dirs_cap;
} walk;

static void warn(walk *w, const char *what, int err)
{
    char ebuf[128] = "";
    if (err) {
        snprintf(ebuf, sizeof ebuf, "%s", strerror(err));
        if (ebuf[0] >= 'A' && ebuf[0] <= 'Z' && !(ebuf[1] >= 'A' && ebuf[1] <= 'Z')) ebuf[0] = (char)(ebuf[0] + 32);
    }
    ng__log(w->lg, NG_LOG_WARNING, "%s: %s%s%s, skipped", w->path.ptr, what, *what && err ? ": " : "", ebuf);
    w->out->skipped++;
}

static int top_error(walk *w, int err)
{
    if (err == ENOENT || err == ENOTDIR) return ng__err(NG_ENOTFOUND, "%s: no such file or directory", w->path.ptr);
    return ng__err_errno(err, "%s", w->path.ptr);
}

static int add_entry(walk *w, const struct stat *st)
{
    ng_src_list *l = w->out;
    ng_src_item *it;
    int rc = NG_GROW(l->items, l->cap, l->n + 1);
    if (rc) return rc;
    it = &l->items[l->n];
    it->path_off = l->bytes.size;
    it->path_len = w->path.size;
    it->size = (uint64_t)st->st_size;
    it->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    ng__buf_put(&rc, &l->bytes, w->path.ptr, w->path.size + 1);
    if (!rc) l->n++;
    return rc;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int visit(walk *w, int top);

static int visit_dir(walk *w, const struct stat *st, int top)
{
    ng_buf names = NG_BUF_INIT;
    size_t *offs = NULL, n = 0, cap = 0, i, base;
    char **sorted = NULL;
    struct dirent *de;
    DIR *d;
    int rc = NG_OK;
    for (i = 0; i < w->n_dirs; i++)
        if (w->dirs[i].dev == st->st_dev && w->dirs[i].ino == st->st_ino) {
            warn(w, "symbolic link loop", 0);
            return NG_OK;
        }
    if (!(d = opendir(w->path.ptr))) {
        if (top) return top_error(w, errno);
        warn(w, "cannot open directory", errno);
        return NG_OK;
    }
    while ((de = readdir(d)) != NULL && !rc) {
        if (de->d_name[0] == '.') continue; /* hidden, . and .. */
        if ((rc = NG_GROW(offs, cap, n + 1)) != NG_OK) break;
        offs[n++] = names.size;
        ng__buf_put(&rc, &names, de->d_name, strlen(de->d_name) + 1);
    }
    closedir(d);
    if (!rc && n && !(sorted = ng__malloc(n * sizeof *sorted))) rc = ng__oom();
    if (!rc && n) {
        for (i = 0; i < n; i++) sorted[i] = names.ptr + offs[i];
        qsort(sorted, n, sizeof *sorted, cmp_names);
        rc = NG_GROW(w->dirs, w->dirs_cap, w->n_dirs + 1);
    }
    if (!rc && n) {
        w->dirs[w->n_dirs].dev = st->st_dev;
        w->dirs[w->n_dirs++].ino = st->st_ino;
        base = w->path.size;
        for (i = 0; i < n && !rc; i++) {
            w->path.size = base;
            if (base == 0 || w->path.ptr[base - 1] != '/') ng__buf_putc(&rc, &w->path, '/');
            ng__buf_puts(&rc, &w->path, sorted[i]);
            if (!rc) rc = visit(w, 0);
        }
        w->path.size = base;
        w->path.ptr[base] = '\0';
        w->n_dirs--;
    }
    ng__free(sorted);
    ng__free(offs);
    ng_buf_dispose(&names);
    return rc;
}

static int visit(walk *w, int top)
{
    struct stat st, lst;
    if (stat(w->path.ptr, &st) != 0) {
        int e = errno;
        if (top) return top_error(w, e);
        if (e == ELOOP) warn(w, "symbolic link loop", 0);
        else if (e == ENOENT && lstat(w->path.ptr, &lst) == 0 && S_ISLNK(lst.st_mode)) warn(w, "dangling symbolic link", 0);
        else warn(w, "", e);
        return NG_OK;
    }
    if (S_ISDIR(st.st_mode)) return visit_dir(w, &st, top);
    if (S_ISREG(st.st_mode)) return add_entry(w, &st);
    warn(w, "not a regular file", 0);
    return NG_OK;
}

int ng_src__walk(ng_src_list *out, const char *path, const ng_logger *lg)
{
    walk w;
    size_t n = strlen(path);
    int rc = NG_OK;
    memset(&w, 0, sizeof w);
    w.out = out;
    w.lg = lg;
    /* as the reader of the files does: "corpus/" names "corpus/a.txt" */
    while (n > 1 && path[n - 1] == '/') n--;
    ng__buf_put(&rc, &w.path, path, n);
    if (!rc) rc = visit(&w, 1);
    ng_buf_dispose(&w.path);
    ng__free(w.dirs);
    return rc;
}

void ng_src__list_free(ng_src_list *l)
{
    ng__free(l->items);
    ng_buf_dispose(&l->bytes);
    memset(l, 0, sizeof *l);
}
