/*
** writer.c -- the public writer: ng_writer_open/add/delete/add_path/commit.
**
** A writer holds the index lock (LOCK, flock'ed, with the holder's pid),
** a working copy of the manifest, and a memtable.  Documents are analysed
** into the memtable and streamed into the new segment's document store;
** when the memtable's memory passes the limit it is flushed as a segment
** that stays invisible until ng_writer_commit() names it in a new MANIFEST.
**
** Replacement: a document whose id exists already (in a committed segment,
** a segment flushed by this writer, or the memtable) tombstones the older
** copy.  Tombstones are written as a new .del generation at commit.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "index/index.h"

#define DEFAULT_MEMORY (256u << 20)

typedef struct wseg {
    ng_store store;      /* for id lookups, opened lazily */
    int store_open;
    ng_lens lens;        /* to keep live_tokens exact on deletion */
    int lens_open;
    uint8_t *dels;       /* tombstone bitmap, loaded lazily */
    int dirty;           /* dels changed since the last commit */
} wseg;

typedef struct id_slot {
    uint32_t hash, off, len, doc; /* id bytes at ids.ptr + off */
} id_slot;

struct ng_writer {
    char *dir;
    int lock_fd;
    ng_manifest man;      /* working copy: what the next commit writes */
    wseg *ws;             /* parallel to man.segs */
    size_t ws_cap;
    int changed;          /* anything to commit */
    ng_analyzer *an;
    ng_logger log;
    size_t mem_limit;
    /* the segment being built */
    ng_memtable mt;
    int seg_open;
    uint32_t seg_id;
    ng_fwriter docfw;
    ng_store_enc store;
    uint8_t *mt_dels;
    size_t mt_dels_cap;
    id_slot *ids;         /* open-addressing id map of the memtable */
    size_t ids_slots, ids_n;
    ng_buf id_bytes;
    uint32_t title_tokens; /* analysis state of the current document */
    int in_title;          /* analysing the title: also index NG_NS_TITLE terms */
};

NG_EXTERN(int) ng_writer_options_init(ng_writer_options *o, unsigned int version)
{
    ng_writer_options def = NG_WRITER_OPTIONS_INIT;
    if (version != NG_WRITER_OPTIONS_VERSION)
        return ng__err(NG_EINVAL, "writer options: unknown version %u", version);
    *o = def;
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Lock                                                                */
/* ------------------------------------------------------------------ */

static int take_lock(ng_writer *w)
{
    ng_buf path = NG_BUF_INIT;
    char pid[32];
    int rc = ng__path_join(&path, w->dir, "LOCK"), n;
    if (rc) return rc;
    w->lock_fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (w->lock_fd < 0) {
        rc = ng__err_errno(errno, "%s", path.ptr);
        goto out;
    }
    if (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ssize_t k = pread(w->lock_fd, pid, sizeof pid - 1, 0);
        pid[k > 0 ? k : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        rc = ng__err(NG_ELOCKED, "%s: index is locked by another writer (pid %s)", w->dir, pid[0] ? pid : "unknown");
        close(w->lock_fd);
        w->lock_fd = -1;
        goto out;
    }
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(w->lock_fd, 0) != 0 || pwrite(w->lock_fd, pid, (size_t)n, 0) != n) {
        /* the pid is informative only; the flock is the lock */
    }
out:
    ng_buf_dispose(&path);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files no manifest names: leftovers of a crash or of older commits    */
/* ------------------------------------------------------------------ */

static const ng_seg_meta *find_seg(const ng_manifest *m, uint32_t id)
{
    uint32_t i;
    for (i = 0; i < m->n_segs; i++)
        if (m->segs[i].id == id) return &m->segs[i];
    return NULL;
}

/* Is a directory entry garbage with respect to manifest m? */
static int is_garbage(const ng_manifest *m, const char *name, uint32_t building)
{
    unsigned id, gen;
    char ext[16];
    const ng_seg_meta *s;
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".tmp") == 0) return 1;
    if (sscanf(name, "seg-%u.%15s", &id, ext) != 2) return 0;
    if (id == building) return 0;
    if (!(s = find_seg(m, id))) return 1;
    if (sscanf(name, "seg-%u.del-%u", &id, &gen) == 2) return gen != s->del_gen;
    return 0;
}

static void remove_garbage(ng_writer *w)
{
    DIR *d = opendir(w->dir);
    struct dirent *e;
    ng_buf path = NG_BUF_INIT;
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        if (!is_garbage(&w->man, e->d_name, w->seg_open ? w->seg_id : UINT32_MAX)) continue;
        if (ng__path_join(&path, w->dir, e->d_name) == NG_OK && unlink(path.ptr) != 0 && errno != ENOENT)
            ng__log(&w->log, NG_LOG_WARNING, "%s: cannot remove: %s", path.ptr, strerror(errno));
    }
    closedir(d);
    ng_buf_dispose(&path);
}

/* ------------------------------------------------------------------ */
/* Open and free                                                        */
/* ------------------------------------------------------------------ */

static int ws_sync(ng_writer *w)
{
    size_t old = w->ws_cap;
    int rc = NG_GROW(w->ws, w->ws_cap, (size_t)w->man.n_segs + 1);
    if (!rc && w->ws_cap > old) memset(w->ws + old, 0, (w->ws_cap - old) * sizeof *w->ws);
    return rc;
}

static int load_manifest(ng_writer *w, const ng_writer_options *o)
{
    const char *lang = o->language ? o->language : "english";
    int rc = ng_manifest__read(&w->man, w->dir);
    if (rc == NG_ENOTFOUND) {
        memset(&w->man, 0, sizeof w->man);
        w->man.next_seg_id = 1;
        snprintf(w->man.lang, sizeof w->man.lang, "%s", lang);
        w->changed = 1; /* an empty index is still written at commit */
        return NG_OK;
    }
    if (rc) return rc;
    /* leftovers of a crash are judged against the committed manifest, before
       a rebuild empties the working copy: the live index stays untouched
       until the rebuild commits */
    remove_garbage(w);
    if (o->rebuild) {
        w->man.n_segs = 0;
        snprintf(w->man.lang, sizeof w->man.lang, "%s", lang);
        w->changed = 1;
    } else if (o->language && strcmp(o->language, w->man.lang) != 0) {
        return ng__err(NG_EINVAL, "%s: the index was built for language '%s'; use rebuild to change it to '%s'",
                       w->dir, w->man.lang, o->language);
    }
    return NG_OK;
}

NG_EXTERN(int) ng_writer_open(ng_writer **out, const char *path, const ng_writer_options *opts)
{
    ng_writer_options def = NG_WRITER_OPTIONS_INIT;
    ng_writer *w;
    int rc;
    *out = NULL;
    if (!opts) opts = &def;
    if (opts->version != NG_WRITER_OPTIONS_VERSION)
        return ng__err(NG_EINVAL, "writer options: unknown version %u", opts->version);
    if (!path || !*path) return ng__err(NG_EINVAL, "no index directory given");
    if (!(w = ng__calloc(1, sizeof *w))) return ng__oom();
    w->lock_fd = -1;
    w->log.fn = opts->log;
    w->log.payload = opts->log_payload;
    w->mem_limit = opts->memory_limit ? opts->memory_limit : DEFAULT_MEMORY;
    if (!(w->dir = ng__strndup(path, strlen(path)))) { rc = ng__oom(); goto fail; }
    if (opts->create && (rc = ng__mkdir_p(path)) != NG_OK) goto fail;
    if ((rc = take_lock(w)) != NG_OK) goto fail;
    if ((rc = load_manifest(w, opts)) != NG_OK) goto fail;
    if ((rc = ng_analyzer__new(&w->an, w->man.lang)) != NG_OK) goto fail;
    if ((rc = ws_sync(w)) != NG_OK || (rc = ng_mt__init(&w->mt)) != NG_OK) goto fail;
    *out = w;
    return NG_OK;
fail:
    ng_writer_free(w);
    return rc;
}

static void close_segment_build(ng_writer *w, int discard)
{
    if (w->seg_open) {
        ng_buf path = NG_BUF_INIT;
        int k;
        ng_fmt__fw_abort(&w->docfw);
        if (discard)
            for (k = 0; k < NG_FK_DEL; k++)
                if (ng_fmt__seg_path(&path, w->dir, w->seg_id, (ng_fkind)k, 0) == NG_OK) unlink(path.ptr);
        ng_buf_dispose(&path);
    }
    ng_store__enc_free(&w->store);
    w->seg_open = 0;
}

NG_EXTERN(void) ng_writer_free(ng_writer *w)
{
    uint32_t i;
    if (!w) return;
    close_segment_build(w, 1);
    for (i = 0; i < w->ws_cap && w->ws; i++) {
        if (w->ws[i].store_open) ng_store__close(&w->ws[i].store);
        if (w->ws[i].lens_open) ng_lens__close(&w->ws[i].lens);
        ng__free(w->ws[i].dels);
    }
    /* segments flushed but never committed are garbage now */
    if (w->dir && w->lock_fd >= 0) {
        ng_manifest disk;
        if (ng_manifest__read(&disk, w->dir) == NG_OK) {
            ng_manifest__free(&w->man);
            w->man = disk;
            w->seg_open = 0;
            remove_garbage(w);
        }
    }
    ng__free(w->ws);
    ng_mt__free(&w->mt);
    ng_manifest__free(&w->man);
    ng_analyzer__free(w->an);
    ng__free(w->mt_dels);
    ng__free(w->ids);
    ng_buf_dispose(&w->id_bytes);
    if (w->lock_fd >= 0) close(w->lock_fd);
    ng__free(w->dir);
    ng__free(w);
}

/* ------------------------------------------------------------------ */
/* Tombstones of existing segments                                      */
/* ------------------------------------------------------------------ */

static int ws_load(ng_writer *w, uint32_t i)
{
    wseg *s = &w->ws[i];
    const ng_seg_meta *m = &w->man.segs[i];
    ng_buf path = NG_BUF_INIT;
    int rc = NG_OK;
    if (!s->store_open) {
        if (!(rc = ng_fmt__seg_path(&path, w->dir, m->id, NG_FK_DOC, 0)) && !(rc = ng_store__open(&s->store, path.ptr)))
            s->store_open = 1;
    }
    if (!rc && !s->lens_open) {
        if (!(rc = ng_fmt__seg_path(&path, w->dir, m->id, NG_FK_LEN, 0)) && !(rc = ng_lens__open(&s->lens, path.ptr)))
            s->lens_open = 1;
    }
    if (!rc && !s->dels) {
        if (m->del_gen) {
            if (!(rc = ng_fmt__seg_path(&path, w->dir, m->id, NG_FK_DEL, m->del_gen)))
                rc = ng_del__read(&s->dels, path.ptr, m->n_docs);
        } else if (!(s->dels = ng__calloc(((size_t)m->n_docs + 7) / 8 + 1, 1))) {
            rc = ng__oom();
        }
    }
    ng_buf_dispose(&path);
    return rc;
}

/* Tombstone every live copy of id in the segments; *found_out counts them. */
static int delete_in_segments(ng_writer *w, const char *id, size_t len, int *found_out)
{
    uint32_t i, doc;
    int rc;
    for (i = 0; i < w->man.n_segs; i++) {
        wseg *s = &w->ws[i];
        ng_seg_meta *m = &w->man.segs[i];
        if (m->n_deleted == m->n_docs) continue;
        if ((rc = ws_load(w, i)) != NG_OK) return rc;
        rc = ng_store__find(&s->store, id, len, &doc);
        if (rc == NG_ENOTFOUND) continue;
        if (rc) return rc;
        if (s->dels[doc >> 3] & (1u << (doc & 7))) continue;
        s->dels[doc >> 3] |= (uint8_t)(1u << (doc & 7));
        s->dirty = 1;
        m->n_deleted++;
        m->live_tokens -= ng_lens__get(&s->lens, doc);
        w->changed = 1;
        (*found_out)++;
    }
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* The memtable's id map                                                */
/* ------------------------------------------------------------------ */

static uint32_t id_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--) h = (h ^ (uint8_t)*p++) * 16777619u;
    return h | 1u; /* 0 marks an empty slot */
}

static id_slot *id_find(ng_writer *w, const char *id, size_t len, uint32_t h)
{
    size_t j;
    if (!w->ids_slots) return NULL;
    for (j = h & (w->ids_slots - 1); w->ids[j].hash; j = (j + 1) & (w->ids_slots - 1)) {
        id_slot *s = &w->ids[j];
        if (s->hash == h && s->len == len && memcmp(w->id_bytes.ptr + s->off, id, len) == 0) return s;
    }
    return &w->ids[j];
}

static int id_grow(ng_writer *w)
{
    size_t n = w->ids_slots ? w->ids_slots * 2 : 1024, i;
    id_slot *old = w->ids, *v = ng__calloc(n, sizeof *v);
    if (!v) return ng__oom();
    for (i = 0; i < w->ids_slots; i++) {
        size_t j;
        if (!old[i].hash) continue;
        for (j = old[i].hash & (n - 1); v[j].hash; j = (j + 1) & (n - 1)) {}
        v[j] = old[i];
    }
    ng__free(old);
    w->ids = v;
    w->ids_slots = n;
    return NG_OK;
}

/* Record id -> doc; tombstone an earlier memtable doc with the same id. */
static int id_put(ng_writer *w, const char *id, size_t len, uint32_t doc, int *replaced)
{
    uint32_t h = id_hash(id, len);
    id_slot *s;
    int rc = NG_OK;
    if ((w->ids_n + 1) * 2 > w->ids_slots && (rc = id_grow(w)) != NG_OK) return rc;
    s = id_find(w, id, len, h);
    if (s->hash) {
        w->mt_dels[s->doc >> 3] |= (uint8_t)(1u << (s->doc & 7));
        s->doc = doc;
        (*replaced)++;
        return NG_OK;
    }
    s->hash = h;
    s->off = (uint32_t)w->id_bytes.size;
    s->len = (uint32_t)len;
    s->doc = doc;
    ng__buf_put(&rc, &w->id_bytes, id, len);
    w->ids_n++;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Building a segment                                                   */
/* ------------------------------------------------------------------ */

static int begin_segment(ng_writer *w)
{
    ng_buf path = NG_BUF_INIT;
    int rc;
    w->seg_id = w->man.next_seg_id;
    if ((rc = ng_fmt__seg_path(&path, w->dir, w->seg_id, NG_FK_DOC, 0)) == NG_OK &&
        (rc = ng_fmt__fw_open(&w->docfw, path.ptr, NG_FK_DOC)) == NG_OK) {
        ng_store__enc_init(&w->store, &w->docfw);
        w->seg_open = 1;
        w->man.next_seg_id++;
    }
    ng_buf_dispose(&path);
    return rc;
}

static size_t mem_used(const ng_writer *w)
{
    return w->mt.bytes + w->store.raw.asize + w->store.ids.asize + w->store.table.asize +
           w->id_bytes.asize + w->ids_slots * sizeof(id_slot) + w->mt_dels_cap;
}

/* Write the memtable as a segment and add it to the working manifest. */
static int flush_segment(ng_writer *w)
{
    ng_seg_meta m;
    uint64_t n_terms = 0, dead_tokens = 0;
    uint32_t i, dels = 0;
    int rc;
    if (!w->seg_open) return NG_OK;
    if ((rc = ng_store__enc_finish(&w->store)) != NG_OK) return rc;
    ng_store__enc_free(&w->store);
    if ((rc = ng_seg__write_inverted(&w->mt, w->dir, w->seg_id, &n_terms)) != NG_OK) return rc;
    for (i = 0; i < w->mt.n_docs; i++)
        if (w->mt_dels[i >> 3] & (1u << (i & 7))) {
            dels++;
            dead_tokens += w->mt.lens[i];
        }
    memset(&m, 0, sizeof m);
    m.id = w->seg_id;
    m.n_docs = (uint32_t)w->mt.n_docs;
    m.n_deleted = dels;
    m.live_tokens = w->mt.tokens - dead_tokens;
    m.n_terms = n_terms;
    if ((rc = ws_sync(w)) != NG_OK) return rc;
    if ((rc = NG_GROW(w->man.segs, w->man.cap, (size_t)w->man.n_segs + 1)) != NG_OK) return rc;
    w->man.segs[w->man.n_segs] = m;
    memset(&w->ws[w->man.n_segs], 0, sizeof(wseg));
    if (dels) {
        /* the memtable's own replacements become generation-1 tombstones */
        w->ws[w->man.n_segs].dels = w->mt_dels;
        w->ws[w->man.n_segs].dirty = 1;
        w->mt_dels = NULL;
        w->mt_dels_cap = 0;
    }
    w->man.n_segs++;
    w->seg_open = 0;
    ng_mt__reset(&w->mt);
    if (w->mt_dels) memset(w->mt_dels, 0, w->mt_dels_cap);
    memset(w->ids, 0, w->ids_slots * sizeof *w->ids);
    w->ids_n = 0;
    ng__buf_clear(&w->id_bytes);
    return NG_OK;
}

/* Add term with a one-byte namespace prefix (NG_NS_*). */
static int add_ns_term(ng_writer *w, char ns, const char *term, size_t len, uint32_t pos)
{
    char buf[1 + 2 * NG_MAX_TERM_BYTES];
    if (len > sizeof buf - 1) len = sizeof buf - 1;
    buf[0] = ns;
    memcpy(buf + 1, term, len);
    return ng_mt__add_token(&w->mt, buf, len + 1, pos);
}

/* Every token is indexed as its stem, plus: the stem again in the title
** namespace when in the title (title: queries, title weighting), and its
** unstemmed word in the lexicon (prefix, fuzzy, suggestions). */
static int on_token(void *payload, const ng_token *t)
{
    ng_writer *w = payload;
    int rc = ng_mt__add_token(&w->mt, t->term, t->term_len, t->pos);
    if (!rc && w->in_title) rc = add_ns_term(w, NG_NS_TITLE, t->term, t->term_len, t->pos);
    if (!rc) rc = add_ns_term(w, NG_NS_WORD, t->word, t->word_len, t->pos);
    return rc;
}

static size_t flen(const char *p, size_t n)
{
    return !p ? 0 : n == (size_t)-1 ? strlen(p) : n;
}

static int analyze_doc(ng_writer *w, const ng_document *doc, uint32_t *len_out)
{
    uint32_t nt = 0, nb = 0;
    int rc;
    ng_mt__doc_begin(&w->mt);
    w->in_title = 1;
    rc = ng__analyze(w->an, doc->title ? doc->title : "", flen(doc->title, doc->title_len), 0, on_token, w, &nt);
    w->in_title = 0;
    /* a one-position gap keeps phrases from spanning title and body */
    if (!rc) rc = ng__analyze(w->an, doc->body, flen(doc->body, doc->body_len), nt ? nt + 1 : 0, on_token, w, &nb);
    *len_out = nt + nb;
    return rc;
}

NG_EXTERN(int) ng_writer_add(ng_writer *w, const ng_document *doc)
{
    ng_document d;
    uint32_t local, doclen;
    int rc, replaced = 0;
    if (!w || !doc) return ng__err(NG_EINVAL, "writer_add: null argument");
    if (!doc->body) return ng__err(NG_EINVAL, "document has no body");
    d = *doc;
    d.id_len = flen(d.id, d.id_len);
    d.title_len = flen(d.title, d.title_len);
    d.date_len = flen(d.date, d.date_len);
    d.url_len = flen(d.url, d.url_len);
    d.body_len = flen(d.body, d.body_len);
    if (!w->seg_open && (rc = begin_segment(w)) != NG_OK) return rc;
    local = (uint32_t)w->mt.n_docs;
    if ((size_t)local / 8 + 1 > w->mt_dels_cap) {
        size_t old = w->mt_dels_cap;
        if ((rc = NG_GROW(w->mt_dels, w->mt_dels_cap, (size_t)local / 8 + 1)) != NG_OK) return rc;
        memset(w->mt_dels + old, 0, w->mt_dels_cap - old); /* unused bits are written as 0 */
    }
    if (d.id_len) {
        if ((rc = delete_in_segments(w, d.id ? d.id : "", d.id_len, &replaced)) != NG_OK) return rc;
        if ((rc = id_put(w, d.id, d.id_len, local, &replaced)) != NG_OK) return rc;
    }
    if ((rc = analyze_doc(w, &d, &doclen)) != NG_OK) return rc;
    if ((rc = ng_mt__doc_end(&w->mt, doclen, ng__doc_date(d.date, d.date_len))) != NG_OK) return rc;
    if ((rc = ng_store__enc_add(&w->store, &d)) != NG_OK) return rc;
    w->changed = 1;
    if (mem_used(w) > w->mem_limit) return flush_segment(w);
    return NG_OK;
}

NG_EXTERN(int) ng_writer_delete(ng_writer *w, const char *id, size_t id_len)
{
    int found = 0, rc;
    uint32_t h;
    id_slot *s;
    if (!w || !id) return ng__err(NG_EINVAL, "writer_delete: null argument");
    id_len = flen(id, id_len);
    if ((rc = delete_in_segments(w, id, id_len, &found)) != NG_OK) return rc;
    h = id_hash(id, id_len);
    s = id_find(w, id, id_len, h);
    if (s && s->hash && !(w->mt_dels[s->doc >> 3] & (1u << (s->doc & 7)))) {
        w->mt_dels[s->doc >> 3] |= (uint8_t)(1u << (s->doc & 7));
        found++;
        w->changed = 1;
    }
    if (!found) return ng__err(NG_ENOTFOUND, "no document with id '%.*s'", (int)(id_len > 200 ? 200 : id_len), id);
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

typedef struct add_ctx {
    ng_writer *w;
} add_ctx;

static int on_source(void *payload, const ng_source_doc *sd)
{
    add_ctx *c = payload;
    int rc = ng_writer_add(c->w, &sd->doc);
    if (rc == NG_EINVAL) { /* a document we cannot take: warn and go on */
        ng__log(&c->w->log, NG_LOG_WARNING, "%s: %s", sd->path, ng_error_last()->message);
        return 0;
    }
    return rc;
}

NG_EXTERN(int) ng_writer_add_path(ng_add_stats *stats_out, ng_writer *w, const char *path)
{
    ng_ingest_stats st;
    add_ctx c;
    int rc;
    if (!w || !path) return ng__err(NG_EINVAL, "writer_add_path: null argument");
    memset(&st, 0, sizeof st);
    c.w = w;
    rc = ng_ingest__path(&st, path, &w->log, on_source, &c);
    if (stats_out) {
        stats_out->docs_added = st.docs;
        stats_out->docs_skipped = st.skipped;
        stats_out->bytes_read = st.bytes;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Commit                                                               */
/* ------------------------------------------------------------------ */

static int write_tombstones(ng_writer *w)
{
    ng_buf path = NG_BUF_INIT;
    uint32_t i;
    int rc = NG_OK;
    for (i = 0; i < w->man.n_segs && !rc; i++) {
        ng_seg_meta *m = &w->man.segs[i];
        if (!w->ws[i].dirty) continue;
        if (!(rc = ng_fmt__seg_path(&path, w->dir, m->id, NG_FK_DEL, m->del_gen + 1)))
            rc = ng_del__write(path.ptr, w->ws[i].dels, m->n_docs);
        if (!rc) {
            m->del_gen++;
            w->ws[i].dirty = 0;
        }
    }
    ng_buf_dispose(&path);
    return rc;
}

/* Segments whose documents are all deleted leave the manifest. */
static void drop_empty_segments(ng_writer *w)
{
    uint32_t i, k = 0;
    for (i = 0; i < w->man.n_segs; i++) {
        if (w->man.segs[i].n_deleted == w->man.segs[i].n_docs) {
            if (w->ws[i].store_open) ng_store__close(&w->ws[i].store);
            if (w->ws[i].lens_open) ng_lens__close(&w->ws[i].lens);
            ng__free(w->ws[i].dels);
            continue;
        }
        w->man.segs[k] = w->man.segs[i];
        w->ws[k] = w->ws[i];
        k++;
    }
    for (i = k; i < w->man.n_segs; i++) memset(&w->ws[i], 0, sizeof w->ws[i]);
    w->man.n_segs = k;
}

NG_EXTERN(int) ng_writer_commit(ng_writer *w)
{
    int rc;
    if (!w) return ng__err(NG_EINVAL, "writer_commit: null writer");
    if (w->seg_open && w->mt.n_docs == 0) close_segment_build(w, 1);
    if ((rc = flush_segment(w)) != NG_OK) return rc;
    if (!w->changed) return NG_OK;
    if ((rc = write_tombstones(w)) != NG_OK) return rc;
    drop_empty_segments(w);
    /* make the new files' directory entries durable before MANIFEST names them */
    if ((rc = ng__fsync_dir(w->dir)) != NG_OK) return rc;
    w->man.generation++;
    if ((rc = ng_manifest__write(&w->man, w->dir)) != NG_OK) {
        w->man.generation--;
        return rc;
    }
    w->changed = 0;
    remove_garbage(w);
    return NG_OK;
}
