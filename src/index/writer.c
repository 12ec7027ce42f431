/*
** writer.c -- the public writer: open, add, delete, commit, optimize.
**
** A writer holds the index lock (LOCK, flock'ed, with the holder's pid),
** a working copy of the manifest, the SOURCES record (update.c) and a
** memtable.  Documents go through the analysis pipeline (pipeline.c) and
** come back here in the order they were added, to be inverted into the
** memtable and streamed into the new segment's document store; when the
** memtable's memory passes the limit it is flushed as a segment that stays
** invisible until ng_writer_commit() names it in a new MANIFEST.
**
** Replacement: a document whose id exists already (in a committed segment,
** a segment flushed by this writer, or the memtable) tombstones the older
** copy.  Tombstones are written as a new .del generation at commit.
**
** Merges (merge.c) run on one background thread, at most one at a time,
** at points that depend only on the documents added, so that the index is
** the same whatever the timing and the number of analysis threads:
**
**   flush k:   write the segment; if the running merge is due at flush k,
**              wait for it and put its result in the working manifest,
**              carrying over the tombstones set meanwhile; then, if no merge
**              runs, ask the tiered policy and maybe start the next merge
**              (on a copy of its inputs' state).
**   commit:    flush, then wait for the running merge as above: a commit
**              always includes the merge that was running.
**
** A merge started at flush k is due at flush k + d, with d from the sizes
** of its inputs and of the flushed segment (merge_due): a merge of ten
** segments takes several flushes' time, and waiting for it at flush k + 1
** left the analysis threads and one core idle for half a minute at 1M
** documents.
**
** Files of segments replaced by a merge are removed at once if no
** committed MANIFEST names them, else by the garbage collection that
** follows the commit that drops them (readers that mapped them keep their
** mappings; readers opening meanwhile retry, reader.c).
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "format/docstore.h"
#include "index/index.h"
#include "index/merge.h"

#define DEFAULT_MEMORY (256u << 20)
#define TICK_SECONDS 0.25 /* progress callback period */
#define LOCK_POLL_MS 50   /* retry period of a waiting writer */

/* The fields of a version-1 ng_writer_options, which ends at log_payload. */
#define OPTIONS_V1_SIZE (offsetof(ng_writer_options, log_payload) + sizeof(void *))

NG_EXTERN(int) ng_writer_options_init(ng_writer_options *o, unsigned int version)
{
    ng_writer_options def = NG_WRITER_OPTIONS_INIT;
    if (!o) return ng__err(NG_EINVAL, "writer options: null argument");
    if (version != 1 && version != NG_WRITER_OPTIONS_VERSION)
        return ng__err(NG_EINVAL, "writer options: unknown version %u", version);
    def.version = version;
    /* a version-1 caller's struct is shorter: fill only what it has */
    memcpy(o, &def, version == 1 ? OPTIONS_V1_SIZE : sizeof def);
    return NG_OK;
}

double ng_writer__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* Lock                                                                */
/* ------------------------------------------------------------------ */

static int take_lock(ng_writer *w, unsigned wait_ms)
{
    ng_buf path = NG_BUF_INIT;
    char pid[32];
    double deadline = ng_writer__now() + wait_ms / 1000.0;
    int rc = ng__path_join(&path, w->dir, "LOCK"), n;
    if (rc) return rc;
    w->lock_fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (w->lock_fd < 0) {
        rc = ng__err_errno(errno, "%s", path.ptr);
        goto out;
    }
    while (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ssize_t k;
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK && ng_writer__now() < deadline) {
            struct timespec ts = {0, LOCK_POLL_MS * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        k = pread(w->lock_fd, pid, sizeof pid - 1, 0);
        pid[k > 0 ? k : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (wait_ms)
            rc = ng__err(NG_ELOCKED, "%s: index is locked by another writer (pid %s); gave up after %.1f s", w->dir,
                         pid[0] ? pid : "unknown", wait_ms / 1000.0);
        else
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

/* Is a directory entry garbage with respect to manifest m?  `keep` are
** the segments being built or merged, which no manifest names yet. */
static int is_garbage(const ng_manifest *m, const char *name, const uint32_t keep[2])
{
    unsigned id, gen;
    unsigned long long g;
    char ext[16];
    const ng_seg_meta *s;
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".tmp") == 0) return 1;
    if (sscanf(name, "SOURCES-%llu", &g) == 1) return g != m->generation;
    if (sscanf(name, "seg-%u.%15s", &id, ext) != 2) return 0;
    if (id == keep[0] || id == keep[1]) return 0;
    if (!(s = find_seg(m, id))) return 1;
    if (sscanf(name, "seg-%u.del-%u", &id, &gen) == 2) return gen != s->del_gen;
    return 0;
}

static void remove_garbage(ng_writer *w)
{
    DIR *d = opendir(w->dir);
    struct dirent *e;
    ng_buf path = NG_BUF_INIT;
    uint32_t keep[2];
    keep[0] = w->seg_open ? w->seg_id : UINT32_MAX;
    keep[1] = w->bg.running ? w->bg.new_id : UINT32_MAX;
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        if (!is_garbage(&w->man, e->d_name, keep)) continue;
        if (ng__path_join(&path, w->dir, e->d_name) == NG_OK && unlink(path.ptr) != 0 && errno != ENOENT)
            ng__log(&w->log, NG_LOG_WARNING, "%s: cannot remove: %s", path.ptr, strerror(errno));
    }
    closedir(d);
    ng_buf_dispose(&path);
}

/* Remember which segments the committed MANIFEST names. */
static int note_committed(ng_writer *w)
{
    uint32_t i;
    ng__free(w->committed);
    w->committed = NULL;
    w->n_committed = 0;
    if (!w->man.n_segs) return NG_OK;
    if (!(w->committed = ng__malloc(w->man.n_segs * sizeof *w->committed))) return ng__oom();
    for (i = 0; i < w->man.n_segs; i++) w->committed[i] = w->man.segs[i].id;
    w->n_committed = w->man.n_segs;
    return NG_OK;
}

static int is_committed(const ng_writer *w, uint32_t id)
{
    uint32_t i;
    for (i = 0; i < w->n_committed; i++)
        if (w->committed[i] == id) return 1;
    return 0;
}

static void unlink_segment(ng_writer *w, const ng_seg_meta *m)
{
    ng_buf path = NG_BUF_INIT;
    int k;
    for (k = 0; k < NG_FK_DEL; k++)
        if (ng_fmt__seg_path(&path, w->dir, m->id, (ng_fkind)k, 0) == NG_OK) unlink(path.ptr);
    if (m->del_gen && ng_fmt__seg_path(&path, w->dir, m->id, NG_FK_DEL, m->del_gen) == NG_OK) unlink(path.ptr);
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

static void ws_close(wseg *s)
{
    if (s->store_open) ng_store__close(&s->store);
    if (s->lens_open) ng_lens__close(&s->lens);
    ng__free(s->dels);
    ng__free(s->ids);
    memset(s, 0, sizeof *s);
}

/* A rebuild of an index this library cannot read (another format
** version): start empty, with segment ids and a generation past every
** file already there, so that nothing of the old index is overwritten
** before the rebuild commits; its files are garbage after that. */
static void start_past_unreadable(ng_writer *w, const char *lang)
{
    DIR *d = opendir(w->dir);
    struct dirent *e;
    unsigned id;
    unsigned long long g;
    memset(&w->man, 0, sizeof w->man);
    w->man.next_seg_id = 1;
    snprintf(w->man.lang, sizeof w->man.lang, "%s", lang);
    w->changed = 1;
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        if (sscanf(e->d_name, "seg-%u.", &id) == 1 && id >= w->man.next_seg_id && id < UINT32_MAX - 1)
            w->man.next_seg_id = id + 1;
        if (sscanf(e->d_name, "SOURCES-%llu", &g) == 1 && g > w->man.generation) w->man.generation = g;
    }
    closedir(d);
}

static int load_manifest(ng_writer *w, const ng_writer_options *o)
{
    const char *lang = o->language ? o->language : "english";
    int rc = ng_manifest__read(&w->man, w->dir);
    if (rc == NG_EVERSION && o->rebuild) {
        start_past_unreadable(w, lang);
        return NG_OK;
    }
    if (rc == NG_ENOTFOUND) {
        memset(&w->man, 0, sizeof w->man);
        w->man.next_seg_id = 1;
        snprintf(w->man.lang, sizeof w->man.lang, "%s", lang);
        w->changed = 1; /* an empty index is still written at commit */
        return NG_OK;
    }
    if (rc) return rc;
    if ((rc = note_committed(w)) != NG_OK) return rc;
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

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

NG_EXTERN(int) ng_writer_open(ng_writer **out, const char *path, const ng_writer_options *opts)
{
    ng_writer_options o = NG_WRITER_OPTIONS_INIT;
    ng_writer *w;
    unsigned threads;
    int rc;
    *out = NULL;
    if (opts) {
        if (opts->version != 1 && opts->version != NG_WRITER_OPTIONS_VERSION)
            return ng__err(NG_EINVAL, "writer options: unknown version %u", opts->version);
        memcpy(&o, opts, opts->version == 1 ? OPTIONS_V1_SIZE : sizeof o);
    }
    if (!path || !*path) return ng__err(NG_EINVAL, "no index directory given");
    if (!(w = ng__calloc(1, sizeof *w))) return ng__oom();
    w->lock_fd = -1;
    w->t0 = w->last_tick = ng_writer__now();
    w->log.fn = o.log;
    w->log.payload = o.log_payload;
    w->progress = o.progress;
    w->progress_payload = o.progress_payload;
    w->merging = !o.no_merge;
    w->mem_limit = o.memory_limit ? o.memory_limit : DEFAULT_MEMORY;
    if (!(w->dir = ng__strndup(path, strlen(path)))) { rc = ng__oom(); goto fail; }
    w->bg.dir = w->dir;
    if (o.create && (rc = ng__mkdir_p(path)) != NG_OK) goto fail;
    if ((rc = take_lock(w, o.lock_wait_ms)) != NG_OK) goto fail;
    if ((rc = load_manifest(w, &o)) != NG_OK) goto fail;
    w->first_new_seg = w->man.next_seg_id;
    /* a rebuild forgets the files too: every one is read again */
    if ((rc = ng_src__load(&w->src, w->dir, o.rebuild ? 0 : w->man.generation, &w->log)) != NG_OK) goto fail;
    if (o.rebuild) w->src_dirty = 1;
    threads = o.threads ? o.threads : default_threads();
    if ((rc = ng_pipe__new(&w->pipe, w->man.lang, threads)) != NG_OK) goto fail;
    if ((rc = ng_storeq__new(&w->sq, threads > 1)) != NG_OK) goto fail;
    w->flush_threaded = threads > 1;
    w->fl.dir = w->dir;
    if ((rc = ws_sync(w)) != NG_OK || (rc = ng_mt__init(&w->mt)) != NG_OK || (rc = ng_mt__init(&w->fl.mt)) != NG_OK)
        goto fail;
    w->st.segments = w->man.n_segs;
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

static void bg_reset(bg_merge *bg);

NG_EXTERN(void) ng_writer_free(ng_writer *w)
{
    uint32_t i;
    if (!w) return;
    if (w->fl.running) {
        /* its segment is in no committed manifest: garbage below */
        pthread_join(w->fl.tid, NULL);
        w->fl.running = 0;
    }
    ng_mt__free(&w->fl.mt);
    ng_buf_dispose(&w->fl.err);
    if (w->bg.running && w->bg.launched) {
        /* nobody will commit its result: stop it */
        w->bg.cancel = 1;
        pthread_join(w->bg.tid, NULL);
        if (w->bg.rc == NG_OK) unlink_segment(w, &w->bg.out);
    }
    w->bg.running = w->bg.launched = 0;
    bg_reset(&w->bg);
    ng_buf_dispose(&w->bg.err);
    ng_pipe__free(w->pipe);
    ng_storeq__free(w->sq); /* joins the store thread before its encoder goes */
    close_segment_build(w, 1);
    for (i = 0; i < w->ws_cap && w->ws; i++) ws_close(&w->ws[i]);
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
    ng_src__free(w->src);
    ng__free(w->committed);
    ng__free(w->ws);
    ng_mt__free(&w->mt);
    ng_manifest__free(&w->man);
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

/* The Bloom filter of a segment's ids (k = 4 probes, 10 to 20 bits an
** id): a document added with an id must tombstone its older copies, and
** looking the id up in every segment's store touched a fresh page of its
** id area per probe, so that a 1M build held 2 MB of every segment it had
** flushed in memory, for ids that are nowhere (the usual case).  Filters
** are built for the segments this writer writes (flushes, merges), from
** their stores' id areas, read once; older segments are searched as they
** are (building theirs would read every id of the index). */
#define ID_FILTER_K 4

static void id_probes(const char *id, size_t len, uint64_t p[ID_FILTER_K])
{
    uint64_t h1 = ng__fnv1a(id, len), h2 = (h1 * 0x9e3779b97f4a7c15ull) >> 17 | 1u;
    int k;
    for (k = 0; k < ID_FILTER_K; k++) p[k] = h1 + (uint64_t)k * h2;
}

static int filter_has(const wseg *s, const uint64_t p[ID_FILTER_K])
{
    int k;
    for (k = 0; k < ID_FILTER_K; k++) {
        uint64_t b = p[k] & s->ids_mask;
        if (!(s->ids[b >> 6] >> (b & 63) & 1u)) return 0;
    }
    return 1;
}

static int build_filter(wseg *s)
{
    ng_store_ids it;
    uint64_t bits = 1024, p[ID_FILTER_K];
    uint32_t d;
    int rc, k;
    while (bits < (uint64_t)s->store.n_docs * 10) bits *= 2;
    if ((rc = ng_store__ids_begin(&s->store, &it)) != NG_OK) return rc;
    if (!(s->ids = ng__calloc((size_t)(bits / 64), sizeof *s->ids))) return ng__oom();
    s->ids_mask = bits - 1;
    for (d = 0; d < s->store.n_docs; d++) {
        const char *id;
        size_t len;
        if ((rc = ng_store__ids_next(&s->store, &it, &id, &len)) != NG_OK) break;
        id_probes(id, len, p);
        for (k = 0; k < ID_FILTER_K; k++) s->ids[(p[k] & s->ids_mask) >> 6] |= 1ull << (p[k] & 63);
    }
    ng__map_release(&s->store.f.map); /* read once, in order: not kept */
    if (rc) {
        ng__free(s->ids);
        s->ids = NULL;
    }
    return rc;
}

/* Tombstone every live copy of id in the segments; *found_out counts them. */
static int delete_in_segments(ng_writer *w, const char *id, size_t len, int *found_out)
{
    uint64_t p[ID_FILTER_K];
    uint32_t i, doc;
    int rc;
    id_probes(id, len, p);
    for (i = 0; i < w->man.n_segs; i++) {
        wseg *s = &w->ws[i];
        ng_seg_meta *m = &w->man.segs[i];
        if (m->n_deleted == m->n_docs) continue;
        if (s->ids && !filter_has(s, p)) continue;
        if ((rc = ws_load(w, i)) != NG_OK) return rc;
        if (!s->ids && m->id >= w->first_new_seg) {
            if ((rc = build_filter(s)) != NG_OK) return rc;
            if (!filter_has(s, p)) continue;
        }
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
    return ng__fnv1a(p, n) | 1u; /* 0 marks an empty slot */
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


static size_t pow2_at_least(size_t n)
{
    size_t p = 8;
    while (p < n) p *= 2;
    return p;
}

/* Memory of the segment being built.  The store encoder's buffers belong
** to the store thread, so they are estimated from what was pushed: the
** estimate depends only on the documents, as the flush points must. */
static size_t mem_used(const ng_writer *w)
{
    size_t store = 2 * NG_FMT_STORE_BLOCK + (size_t)w->store_ids + pow2_at_least(w->mt.n_docs) * sizeof(uint32_t);
    return w->mt.bytes + store + w->id_bytes.asize + w->ids_slots * sizeof(id_slot) + w->mt_dels_cap;
}

/* While a background merge runs (from the flush that started it to the
** one it is due at), the memtable flushes at two thirds of the budget, leaving the
** rest to the merge's buffers and the input pages it reads: peak memory
** then stays near --memory plus the pipeline's.  bg.running changes only
** at flushes, so the flush points still depend on the documents alone. */
static size_t flush_limit(const ng_writer *w)
{
    return w->bg.running ? w->mem_limit / 3 * 2 : w->mem_limit;
}

/* While the previous memtable is written on the flush thread (and frees
** its lists as it goes), the new one may grow to a third of the limit;
** there the writer waits for the flush to end, so that the two together
** stay within the budget even on a slow disk.  A flush takes about a
** fifth of the time the memtable took to fill, so the wait is rare.  The
** join point depends on the documents alone. */
static size_t flush_gate(const ng_writer *w)
{
    return flush_limit(w) / 3;
}

/* ------------------------------------------------------------------ */
/* Background merges                                                    */
/* ------------------------------------------------------------------ */

static void bg_reset(bg_merge *bg)
{
    uint32_t i;
    for (i = 0; i < bg->n; i++) {
        if (bg->dels) ng__free(bg->dels[i]);
        if (bg->remap) ng__free(bg->remap[i]);
    }
    ng__free(bg->dels);
    ng__free(bg->remap);
    ng__free(bg->segs);
    ng__free(bg->pick);
    bg->dels = NULL;
    bg->remap = NULL;
    bg->segs = NULL;
    bg->pick = NULL;
    bg->n = 0;
    bg->cancel = 0;
}

static void bg_run(bg_merge *bg)
{
    bg->started = ng_writer__now();
    bg->rc = ng_merge__run(bg->dir, bg->segs, (const uint8_t *const *)bg->dels, bg->n, bg->new_id, &bg->out,
                           bg->remap, &bg->cancel);
    if (bg->rc) ng__err_save(&bg->err);
    bg->seconds = ng_writer__now() - bg->started;
}

static void *bg_main(void *arg)
{
    ng__thread_name("ng-merge"); /* a thread of ours (optimize calls bg_run on the caller's) */
    bg_run(arg);
    return NULL;
}

/* Copy the state of the inputs pick[0..n) and prepare bg for a merge. */
static int bg_prepare(ng_writer *w, const uint32_t *pick, uint32_t n)
{
    bg_merge *bg = &w->bg;
    uint32_t i;
    int rc;
    bg_reset(bg);
    bg->pick = ng__malloc(n * sizeof *bg->pick);
    bg->segs = ng__malloc(n * sizeof *bg->segs);
    bg->dels = ng__calloc(n, sizeof *bg->dels);
    bg->remap = ng__calloc(n, sizeof *bg->remap);
    if (!bg->pick || !bg->segs || !bg->dels || !bg->remap) {
        bg->n = 0;
        return ng__oom();
    }
    bg->n = n;
    for (i = 0; i < n; i++) {
        const ng_seg_meta *m = &w->man.segs[pick[i]];
        size_t len = ((size_t)m->n_docs + 7) / 8; /* what every bitmap holds at least */
        bg->pick[i] = pick[i];
        bg->segs[i] = *m;
        if ((rc = ws_load(w, pick[i])) != NG_OK) return rc;
        if (!(bg->dels[i] = ng__calloc(len + 1, 1))) return ng__oom();
        memcpy(bg->dels[i], w->ws[pick[i]].dels, len);
    }
    bg->new_id = w->man.next_seg_id++;
    bg->rc = NG_OK;
    return NG_OK;
}

/* Put a finished merge in the working manifest.  Its inputs' tombstones
** set since it started are carried over to the merged segment. */
static int bg_apply(ng_writer *w)
{
    bg_merge *bg = &w->bg;
    ng_seg_meta out = bg->out;
    const uint8_t **now = NULL;
    uint8_t *bits = NULL;
    uint32_t i, first = bg->pick[0], nd = 0, n_segs = w->man.n_segs;
    int rc = NG_OK;
    for (i = 0; i < bg->n; i++)
        if (first + i >= w->man.n_segs || w->man.segs[first + i].id != bg->segs[i].id)
            return ng__err(NG_ERROR, "merge: inputs moved in the manifest (internal)");
    if (!(now = ng__calloc(bg->n, sizeof *now)) || !(bits = ng__calloc((size_t)out.n_docs / 8 + 1, 1))) {
        rc = ng__oom();
        goto out;
    }
    for (i = 0; i < bg->n; i++) now[i] = w->ws[first + i].dels;
    ng_merge__carry_deletes(bits, out.n_docs, &nd, bg->segs, now, bg->remap, bg->n);
    if (nd) {
        /* the carried-over deletions take their lengths out of live_tokens */
        ng_lens lens;
        ng_buf path = NG_BUF_INIT;
        uint32_t d;
        if (!(rc = ng_fmt__seg_path(&path, w->dir, out.id, NG_FK_LEN, 0)) && !(rc = ng_lens__open(&lens, path.ptr))) {
            for (d = 0; d < out.n_docs; d++)
                if (bits[d >> 3] & (1u << (d & 7))) out.live_tokens -= ng_lens__get(&lens, d);
            ng_lens__close(&lens);
        }
        ng_buf_dispose(&path);
        if (rc) goto out;
        out.n_deleted = nd;
    }
    for (i = 0; i < bg->n; i++) {
        ws_close(&w->ws[first + i]);
        if (!is_committed(w, bg->segs[i].id)) unlink_segment(w, &w->man.segs[first + i]);
    }
    if ((rc = ng_merge__apply(w->man.segs, &w->man.n_segs, bg->pick, bg->n, &out)) != NG_OK) goto out;
    /* the parallel wseg array follows the same move */
    if (w->man.n_segs < n_segs) {
        uint32_t gone = n_segs - w->man.n_segs, from = first + bg->n;
        memmove(&w->ws[from - gone], &w->ws[from], (n_segs - from) * sizeof *w->ws);
        memset(&w->ws[w->man.n_segs], 0, gone * sizeof *w->ws);
    }
    if (out.n_docs > 0) {
        w->ws[first].dels = bits;
        w->ws[first].dirty = nd > 0;
        bits = NULL;
    }
    w->changed = 1;
    w->st.merges++;
    w->st.segments = w->man.n_segs;
out:
    ng__free(now);
    ng__free(bits);
    return rc;
}

/* Start the thread of the merge chosen at the last flush.  It waits for
** the flush thread: a merge of ten segments beside a memtable being
** written and the next one filling went 90 MB over the budget. */
static int bg_launch(ng_writer *w)
{
    if (!w->bg.running || w->bg.launched) return NG_OK;
    if (pthread_create(&w->bg.tid, NULL, bg_main, &w->bg) != 0) {
        w->bg.running = 0;
        bg_reset(&w->bg);
        return ng__err(NG_ERROR, "cannot start the merge thread");
    }
    w->bg.launched = 1;
    return NG_OK;
}

/* Wait for the running merge, if any, and apply it. */
static int bg_finish(ng_writer *w)
{
    double t;
    int rc;
    if (!w->bg.running) return NG_OK;
    if ((rc = bg_launch(w)) != NG_OK) return rc;
    t = ng_writer__now();
    pthread_join(w->bg.tid, NULL);
    w->bg.running = w->bg.launched = 0;
    ng__log(&w->log, NG_LOG_DEBUG, "merge of %u segments into segment %u: %u documents in %.2f s (waited %.2f s for it)",
            w->bg.n, w->bg.new_id, w->bg.out.n_docs, w->bg.seconds, ng_writer__now() - t);
    if (w->bg.rc) {
        rc = ng__err_carry(w->bg.rc, &w->bg.err, "merge failed");
    } else if ((rc = bg_apply(w)) != NG_OK) {
        unlink_segment(w, &w->bg.out);
    }
    bg_reset(&w->bg);
    return rc;
}

/* Merging a document cost about a sixth of indexing it (52 against 300
** CPU us on the 1M bench corpus) before merges copied whole blocks; now
** it is about a thirteenth (14 against 190: a four-segment 1M optimize
** takes 9.1 s, 3.4 s user and 10.6 s system), but a merge in a build
** still shares the cores with the analysis and pays for its page-cache
** traffic: it is given the time of indexing a third of its input, which
** the ten-segment merge at 1M documents (13-15 s) needs with no wait. */
#define MERGE_DEFER_RATIO 3

/* The flush at which a merge of in_docs documents, started at the flush
** of a segment of seg_docs, is waited for: documents only, no timing. */
static uint32_t merge_due(const ng_writer *w, uint64_t in_docs, uint32_t seg_docs)
{
    uint64_t per = (uint64_t)MERGE_DEFER_RATIO * (seg_docs ? seg_docs : 1);
    uint64_t d = (in_docs + per - 1) / per;
    return w->flushes + (uint32_t)(d < 1 ? 1 : d > 64 ? 64 : d);
}

/* Ask the tiered policy; start a merge if it picks something.  The
** segment just flushed counts: its inverted files may still be in the
** making on the flush thread, so a merge chosen now is launched when that
** thread ends (fl_join), whatever the number of threads the same merge.
** (Leaving it out started the merge of ten segments at 1M documents one
** flush later, and a build waited for it 20 s at the end.) */
static int bg_maybe_start(ng_writer *w)
{
    uint32_t *pick, n_pick = 0;
    int rc;
    uint32_t n_segs = w->man.n_segs;
    if (!w->merging || w->bg.running || n_segs < 2) return NG_OK;
    if (!(pick = ng__malloc(n_segs * sizeof *pick))) return ng__oom();
    rc = ng_merge__pick(w->man.segs, n_segs, NULL, pick, &n_pick);
    if (!rc && n_pick > 0) rc = bg_prepare(w, pick, n_pick);
    if (!rc && n_pick > 0) {
        uint64_t in_docs = 0;
        uint32_t i;
        for (i = 0; i < n_pick; i++) in_docs += w->bg.segs[i].n_docs;
        w->bg.due = merge_due(w, in_docs, w->man.segs[w->man.n_segs - 1].n_docs);
    }
    ng__free(pick);
    if (rc || n_pick == 0) {
        bg_reset(&w->bg);
        return rc;
    }
    w->bg.running = 1;
    return w->fl.running ? NG_OK : bg_launch(w);
}

/* ------------------------------------------------------------------ */
/* Flush                                                                */
/* ------------------------------------------------------------------ */

static void fl_write(bg_flush *f)
{
    f->started = ng_writer__now();
    f->rc = ng_seg__write_inverted(&f->mt, f->dir, f->seg_id, 1, 1, &f->n_terms);
    if (f->rc) ng__err_save(&f->err);
    ng_mt__reset(&f->mt);
    f->seconds = ng_writer__now() - f->started;
}

static void *fl_main(void *arg)
{
    ng__thread_name("ng-flush"); /* only on a thread of ours: never the caller's */
    fl_write(arg);
    return NULL;
}

/* A finished flush: its error, or its term count into the manifest. */
static int fl_record(ng_writer *w, double waited)
{
    bg_flush *f = &w->fl;
    uint32_t i;
    if (f->rc) return ng__err_carry(f->rc, &f->err, "flush failed");
    ng__log(&w->log, NG_LOG_DEBUG, "segment %u: %zu documents, %llu terms, written in %.2f s (waited %.2f s for it)",
            f->seg_id, f->n_docs, (unsigned long long)f->n_terms, f->seconds, waited);
    for (i = 0; i < w->man.n_segs; i++)
        if (w->man.segs[i].id == f->seg_id) w->man.segs[i].n_terms = f->n_terms;
    /* a merge chosen with this segment among its inputs, not launched yet
       (it waits for this thread), gets the count too */
    for (i = 0; w->bg.running && i < w->bg.n; i++)
        if (w->bg.segs[i].id == f->seg_id) w->bg.segs[i].n_terms = f->n_terms;
#ifdef __GLIBC__
    /* the memtable's freed pages go back to the system now, not at exit */
    malloc_trim(0);
#endif
    return NG_OK;
}

/* Wait for the flush thread, if one runs. */
static int fl_join(ng_writer *w)
{
    double t;
    int rc;
    if (!w->fl.running) return NG_OK;
    t = ng_writer__now();
    pthread_join(w->fl.tid, NULL);
    w->fl.running = 0;
    if ((rc = fl_record(w, ng_writer__now() - t)) != NG_OK) return rc;
    return bg_launch(w);
}

/* Write the inverted files of the full memtable: on the flush thread,
** which takes the memtable over (the writer goes on with the empty one it
** held), or here when one core was asked for. */
static int fl_start(ng_writer *w)
{
    bg_flush *f = &w->fl;
    ng_memtable empty = f->mt;
    f->mt = w->mt;
    w->mt = empty;
    f->seg_id = w->seg_id;
    f->n_docs = f->mt.n_docs;
    f->n_terms = 0;
    f->rc = NG_OK;
    if (w->flush_threaded && pthread_create(&f->tid, NULL, fl_main, f) == 0) {
        f->running = 1;
        return NG_OK;
    }
    fl_write(f);
    return fl_record(w, 0);
}

/* Close the segment being built: its store and lengths are written here,
** it joins the working manifest, and its inverted files go to the flush
** thread; then the merge points (top of file). */
static int flush_segment(ng_writer *w, int at_commit)
{
    ng_seg_meta m;
    uint64_t dead_tokens = 0;
    uint32_t i, dels = 0;
    int rc;
    if (!w->seg_open) return NG_OK;
    if ((rc = fl_join(w)) != NG_OK) return rc;
    if ((rc = ng_storeq__sync(w->sq)) != NG_OK) return rc;
    w->store_ids = 0;
    if ((rc = ng_store__enc_finish(&w->store)) != NG_OK) return rc;
    ng_store__enc_free(&w->store);
    w->seg_open = 0; /* the .doc file is complete: not ours to abort any more */
    if ((rc = ng_seg__write_lengths(&w->mt, w->dir, w->seg_id)) != NG_OK) return rc;
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
    /* m.n_terms: from the flush thread, at fl_join */
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
    w->st.segments = w->man.n_segs;
    if ((rc = fl_start(w)) != NG_OK) return rc;
    if (w->mt_dels) memset(w->mt_dels, 0, w->mt_dels_cap);
    memset(w->ids, 0, w->ids_slots * sizeof *w->ids);
    w->ids_n = 0;
    ng__buf_clear(&w->id_bytes);
    w->flushes++;
    if (at_commit) return NG_OK; /* settle() finishes the merge and asks the policy */
    if (w->bg.running && w->flushes >= w->bg.due && (rc = bg_finish(w)) != NG_OK) return rc;
    return bg_maybe_start(w);
}

/* ------------------------------------------------------------------ */
/* Inversion, in the order documents were added                         */
/* ------------------------------------------------------------------ */

static int mt_dels_room(ng_writer *w, uint32_t local)
{
    if ((size_t)local / 8 + 1 > w->mt_dels_cap) {
        size_t old = w->mt_dels_cap;
        int rc = NG_GROW(w->mt_dels, w->mt_dels_cap, (size_t)local / 8 + 1);
        if (rc) return rc;
        memset(w->mt_dels + old, 0, w->mt_dels_cap - old); /* unused bits are written as 0 */
    }
    return NG_OK;
}

static int invert(ng_writer *w, ng_job *j)
{
    const ng_document *d = &j->doc;
    uint32_t local;
    size_t i, used;
    int rc, replaced = 0;
    if (!w->seg_open && (rc = begin_segment(w)) != NG_OK) return rc;
    local = (uint32_t)w->mt.n_docs;
    if ((rc = mt_dels_room(w, local)) != NG_OK) return rc;
    if (d->id_len) {
        if ((rc = delete_in_segments(w, d->id, d->id_len, &replaced)) != NG_OK) return rc;
        if ((rc = id_put(w, d->id, d->id_len, local, &replaced)) != NG_OK) return rc;
    }
    for (i = 0; i < j->n_recs; i++) {
        const ng_termrec *r = &j->recs[i];
        /* overlap the cache misses of the terms to come (index.h) */
        if (i + 16 < j->n_recs) ng_mt__prefetch_slot(&w->mt, r[16].hash);
        if (i + 8 < j->n_recs) ng_mt__prefetch_term(&w->mt, r[8].hash);
        if (i + 2 < j->n_recs) ng_mt__prefetch_tail(&w->mt, r[2].hash);
        rc = ng_mt__add_doc_term(&w->mt, j->terms.ptr + r->off, r->len, r->hash, r->tf,
                                 (const uint8_t *)j->post.ptr + r->post_off, r->post_len);
        if (rc) return rc;
    }
    if ((rc = ng_mt__doc_end(&w->mt, j->doclen, ng__doc_date(d->date, d->date_len))) != NG_OK) return rc;
    w->store_ids += d->id_len + 6; /* with its vint length and docid */
    if ((rc = ng_storeq__push(w->sq, &w->store, d, &j->text)) != NG_OK) return rc; /* d is gone */
    if (replaced) w->st.docs_updated++;
    else w->st.docs_added++;
    w->changed = 1;
    used = mem_used(w);
    if (w->fl.running && used > flush_gate(w) && (rc = fl_join(w)) != NG_OK) return rc;
    if (used > flush_limit(w)) return flush_segment(w, 0);
    return NG_OK;
}

/* Delete every live copy of id: committed, flushed or in the memtable. */
static int delete_now(ng_writer *w, const char *id, size_t len, int *found)
{
    uint32_t h;
    id_slot *s;
    int rc;
    *found = 0;
    if ((rc = delete_in_segments(w, id, len, found)) != NG_OK) return rc;
    h = id_hash(id, len);
    s = id_find(w, id, len, h);
    if (s && s->hash && !(w->mt_dels[s->doc >> 3] & (1u << (s->doc & 7)))) {
        w->mt_dels[s->doc >> 3] |= (uint8_t)(1u << (s->doc & 7));
        (*found)++;
        w->changed = 1;
    }
    return NG_OK;
}

static int consume(ng_writer *w, ng_job *j)
{
    int found, rc;
    if (j->rc) return ng__err_carry(j->rc, &j->err, "analysis failed");
    if (j->op == NG_JOB_ADD) return invert(w, j);
    if ((rc = delete_now(w, j->doc.id, j->doc.id_len, &found)) != NG_OK) return rc;
    if (found) w->st.docs_deleted++;
    return NG_OK;
}

int ng_writer__drain(ng_writer *w, int wait)
{
    ng_job *j;
    int rc = NG_OK;
    if (w->broken) return w->broken;
    while ((j = ng_pipe__done(w->pipe, wait)) != NULL) {
        rc = consume(w, j);
        ng_pipe__release(w->pipe);
        if (rc) {
            /* the memtable or a segment may hold part of a document */
            w->broken = rc;
            return rc;
        }
    }
    return NG_OK;
}

/* A slot of the ring, inverting finished documents while it is full. */
static int get_slot(ng_writer *w, ng_job **out)
{
    int rc;
    if (w->broken) return ng__err(w->broken, "writer: an earlier error stopped this session; free it");
    while ((*out = ng_pipe__slot(w->pipe)) == NULL) {
        ng_job *j = ng_pipe__done(w->pipe, 1);
        if (!j) return ng__err(NG_ERROR, "pipeline: full and empty (internal)");
        rc = consume(w, j);
        ng_pipe__release(w->pipe);
        if (rc) return w->broken = rc;
    }
    return NG_OK;
}

int ng_writer__submit(ng_writer *w, const ng_document *doc, unsigned origin)
{
    ng_job *j;
    int rc;
    if ((rc = get_slot(w, &j)) != NG_OK) return rc;
    if ((rc = ng_pipe__fill(j, doc)) != NG_OK) return rc;
    j->origin = origin;
    ng_pipe__submit(w->pipe);
    return ng_writer__drain(w, 0);
}

int ng_writer__submit_delete(ng_writer *w, const char *id, size_t len)
{
    ng_document d;
    ng_job *j;
    int rc;
    if ((rc = get_slot(w, &j)) != NG_OK) return rc;
    memset(&d, 0, sizeof d);
    d.id = id;
    d.id_len = len;
    d.body = "";
    if ((rc = ng_pipe__fill(j, &d)) != NG_OK) return rc;
    j->op = NG_JOB_DELETE;
    ng_pipe__submit(w->pipe);
    return ng_writer__drain(w, 0);
}

int ng_writer__tick(ng_writer *w, int force)
{
    double now;
    if (!w->progress) return NG_OK;
    now = ng_writer__now();
    if (!force && now - w->last_tick < TICK_SECONDS) return NG_OK;
    w->last_tick = now;
    w->st.elapsed = now - w->t0;
    if (w->progress(&w->st, w->progress_payload)) return ng__err(NG_EUSER, "stopped by the progress callback");
    return NG_OK;
}

/* ------------------------------------------------------------------ */
/* Public add and delete                                                */
/* ------------------------------------------------------------------ */

static size_t flen(const char *p, size_t n)
{
    return !p ? 0 : n == (size_t)-1 ? strlen(p) : n;
}

NG_EXTERN(int) ng_writer_add(ng_writer *w, const ng_document *doc)
{
    ng_document d;
    int rc;
    if (!w || !doc) return ng__err(NG_EINVAL, "writer_add: null argument");
    if (!doc->body) return ng__err(NG_EINVAL, "document has no body");
    d = *doc;
    d.id_len = flen(d.id, d.id_len);
    d.title_len = flen(d.title, d.title_len);
    d.date_len = flen(d.date, d.date_len);
    d.url_len = flen(d.url, d.url_len);
    d.body_len = flen(d.body, d.body_len);
    if (d.id_len) {
        /* added behind the back of the file it came from */
        ng_src__forget(w->src, d.id, d.id_len);
        w->src_dirty |= w->src->modified;
    }
    if ((rc = ng_writer__submit(w, &d, NG_ORIGIN_API)) != NG_OK) return rc;
    return ng_writer__tick(w, 0);
}

NG_EXTERN(int) ng_writer_delete(ng_writer *w, const char *id, size_t id_len)
{
    int found = 0, rc;
    if (!w || !id) return ng__err(NG_EINVAL, "writer_delete: null argument");
    id_len = flen(id, id_len);
    /* the answer depends on every document added before: invert them */
    if ((rc = ng_writer__drain(w, 1)) != NG_OK) return rc;
    if ((rc = mt_dels_room(w, (uint32_t)w->mt.n_docs)) != NG_OK) return rc;
    if ((rc = delete_now(w, id, id_len, &found)) != NG_OK) return rc;
    if (!found) return ng__err(NG_ENOTFOUND, "no document with id '%.*s'", (int)(id_len > 200 ? 200 : id_len), id);
    ng_src__forget(w->src, id, id_len);
    w->src_dirty |= w->src->modified;
    w->st.docs_deleted++;
    return NG_OK;
}

NG_EXTERN(const ng_writer_stats *) ng_writer_get_stats(ng_writer *w)
{
    if (!w) return NULL;
    w->st.elapsed = ng_writer__now() - w->t0;
    w->st.path = NULL;
    return &w->st;
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
            ws_close(&w->ws[i]);
            continue;
        }
        w->man.segs[k] = w->man.segs[i];
        w->ws[k] = w->ws[i];
        k++;
    }
    for (i = k; i < w->man.n_segs; i++) memset(&w->ws[i], 0, sizeof w->ws[i]);
    w->man.n_segs = k;
    w->st.segments = k;
}

/* SOURCES-(gen): written when it changed, else a link to the last one. */
static int write_sources(ng_writer *w, uint64_t gen)
{
    ng_buf from = NG_BUF_INIT, to = NG_BUF_INIT;
    int rc;
    if (w->src_dirty) return ng_src__save(w->src, w->dir, gen);
    if ((rc = ng_src__path(&from, w->dir, gen - 1)) == NG_OK && (rc = ng_src__path(&to, w->dir, gen)) == NG_OK) {
        unlink(to.ptr); /* a leftover of a crashed commit */
        if (link(from.ptr, to.ptr) != 0 && errno != ENOENT) {
            /* no hard links here: write it out */
            rc = ng_src__save(w->src, w->dir, gen);
        }
    }
    ng_buf_dispose(&from);
    ng_buf_dispose(&to);
    return rc;
}

/* Everything added so far into segments, and the running merge applied. */
static int settle(ng_writer *w)
{
    int rc, flushed;
    if ((rc = ng_writer__drain(w, 1)) != NG_OK) return rc;
    if (w->seg_open && w->mt.n_docs == 0) close_segment_build(w, 1);
    flushed = w->seg_open;
    if ((rc = flush_segment(w, 1)) != NG_OK) return rc;
    if ((rc = fl_join(w)) != NG_OK) return rc;
    if ((rc = bg_finish(w)) != NG_OK) return rc;
    /* as at any flush, the policy may pick one merge, the new segment
       included now that its files are complete */
    if (flushed && (rc = bg_maybe_start(w)) != NG_OK) return rc;
    return bg_finish(w);
}

NG_EXTERN(int) ng_writer_commit(ng_writer *w)
{
    int rc;
    if (!w) return ng__err(NG_EINVAL, "writer_commit: null writer");
    if ((rc = settle(w)) != NG_OK) return rc;
    if (w->src_dirty) w->changed = 1;
    if (!w->changed) return NG_OK;
    if ((rc = write_tombstones(w)) != NG_OK) return rc;
    drop_empty_segments(w);
    if ((rc = write_sources(w, w->man.generation + 1)) != NG_OK) return rc;
    /* make the new files' directory entries durable before MANIFEST names them */
    if ((rc = ng__fsync_dir(w->dir)) != NG_OK) return rc;
    w->man.generation++;
    if ((rc = ng_manifest__write(&w->man, w->dir)) != NG_OK) {
        w->man.generation--;
        return rc;
    }
    w->changed = 0;
    w->src_dirty = 0;
    w->src->modified = 0;
    w->st.commits++;
    if ((rc = note_committed(w)) != NG_OK) return rc;
    remove_garbage(w);
    w->st.finished = 1;
    rc = ng_writer__tick(w, 1);
    w->st.finished = 0;
    return rc;
}

NG_EXTERN(int) ng_writer_optimize(ng_writer *w)
{
    uint32_t *pick = NULL, n_pick = 0;
    int rc;
    if (!w) return ng__err(NG_EINVAL, "writer_optimize: null writer");
    if ((rc = settle(w)) != NG_OK) return rc;
    if (w->man.n_segs && !(pick = ng__malloc(w->man.n_segs * sizeof *pick))) return ng__oom();
    if (pick) ng_merge__pick_all(w->man.segs, w->man.n_segs, pick, &n_pick);
    if (n_pick > 0) {
        /* the same steps as a background merge, on this thread */
        if ((rc = bg_prepare(w, pick, n_pick)) == NG_OK) {
            bg_run(&w->bg);
            if (w->bg.rc) rc = ng__err_carry(w->bg.rc, &w->bg.err, "merge failed");
            else if ((rc = bg_apply(w)) != NG_OK) unlink_segment(w, &w->bg.out);
        }
        bg_reset(&w->bg);
    }
    ng__free(pick);
    if (rc) return rc;
    return ng_writer_commit(w);
}
