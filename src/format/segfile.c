/*
** segfile.c -- framing shared by every index file -- FORMAT.md section 2.
**
**   offset 0   magic[8]    "NGRP" + kind tag ("TDI\1", "PST\1", ...)
**          8   u32 version NG_FMT_VERSION
**         12   u32 seg_id  the segment the file belongs to, as in its name
**                          "seg-NNNNNN.*"; 0 for any other name (MANIFEST)
**         16   body        kind-specific
**   meta_off   meta        kind-specific, small, own CRC checked on open
**   size-24    u64 meta_off, u32 meta_len, u32 meta_crc,
**              u32 file_crc (CRC-32 of bytes [0, size-8)), u32 "NGE1"
**
** Opening checks everything but file_crc, which covers the whole file and
** so costs a full read: ng_fmt__verify() (newsgrep check) does that.  The
** bodies protect themselves with CRCs per block, checked when a block is
** decoded (postings.c, termdict.c, docstore.c).
**
** seg_id binds a file to its segment: a file copied, renamed or swapped
** into another segment's name is refused on open, although every CRC in it
** is right.  Writers and readers both take the id from the file name, so
** the callers need not pass it; a writer must therefore create a segment
** file under a name that starts with its final "seg-NNNNNN.".
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "format/format.h"

const char *const ng_fmt_ext[NG_FK_COUNT] = {"tdi", "pst", "pos", "len", "doc", "del", "manifest"};
static const char fk_tag[NG_FK_COUNT][4] = {"TDI", "PST", "POS", "LEN", "DOC", "DEL", "MAN"};
static const uint8_t end_magic[4] = {'N', 'G', 'E', '1'};

static void make_magic(uint8_t out[8], ng_fkind kind)
{
    memcpy(out, "NGRP", 4);
    memcpy(out + 4, fk_tag[kind], 3);
    out[7] = 1; /* magic revision; the format version follows */
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The segment id in a file name "seg-<digits>.<ext>", else 0. */
static uint32_t name_seg_id(const char *path)
{
    const char *b = base_name(path), *p;
    uint64_t id = 0;
    if (strncmp(b, "seg-", 4) != 0) return 0;
    for (p = b + 4; *p >= '0' && *p <= '9'; p++) {
        id = id * 10 + (uint64_t)(*p - '0');
        if (id > UINT32_MAX) return 0;
    }
    return (p > b + 4 && *p == '.') ? (uint32_t)id : 0;
}

static int fw_flush(ng_fwriter *w)
{
    const char *p = w->buf.ptr;
    size_t n = w->buf.size;
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return ng__err_errno(errno, "%s: write", w->path);
        }
        p += k;
        n -= (size_t)k;
    }
    ng__buf_clear(&w->buf);
    return NG_OK;
}

int ng_fmt__fw_open(ng_fwriter *w, const char *path, ng_fkind kind)
{
    uint8_t hdr[NG_FMT_HEADER_SIZE];
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->path = ng__strndup(path, strlen(path));
    if (!w->path) return ng__oom();
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int rc = ng__err_errno(errno, "%s", path);
        ng__free(w->path);
        w->path = NULL;
        return rc;
    }
    make_magic(hdr, kind);
    ng__set_u32(hdr + 8, NG_FMT_VERSION);
    ng__set_u32(hdr + 12, name_seg_id(path));
    {
        int rc = ng_fmt__fw_write(w, hdr, sizeof hdr);
        if (rc) ng_fmt__fw_abort(w); /* callers clean up nothing after a failed open */
        return rc;
    }
}

int ng_fmt__fw_write(ng_fwriter *w, const void *p, size_t n)
{
    int rc = NG_OK;
    w->crc = ng__crc32(w->crc, p, n);
    w->off += n;
    if (w->buf.size + n > (1u << 20)) {
        if ((rc = fw_flush(w)) != NG_OK) return rc;
        if (n >= (1u << 20)) {
            ng__buf_put(&rc, &w->buf, p, n);
            return rc ? rc : fw_flush(w);
        }
    }
    ng__buf_put(&rc, &w->buf, p, n);
    return rc;
}

int ng_fmt__fw_finish(ng_fwriter *w, const void *meta, size_t meta_len)
{
    uint8_t ft[NG_FMT_FOOTER_SIZE];
    uint64_t meta_off = w->off;
    int rc = ng_fmt__fw_write(w, meta, meta_len);
    if (rc) return rc;
    ng__set_u64(ft, meta_off);
    ng__set_u32(ft + 8, (uint32_t)meta_len);
    ng__set_u32(ft + 12, ng__crc32(0, meta, meta_len));
    w->crc = ng__crc32(w->crc, ft, 16);
    ng__set_u32(ft + 16, w->crc);
    memcpy(ft + 20, end_magic, 4);
    w->crc = 0;
    ng__buf_put(&rc, &w->buf, ft, sizeof ft);
    if (!rc) rc = fw_flush(w);
    if (!rc && fsync(w->fd) != 0) rc = ng__err_errno(errno, "%s: fsync", w->path);
    if (close(w->fd) != 0 && !rc) rc = ng__err_errno(errno, "%s: close", w->path);
    w->fd = -1;
    ng_buf_dispose(&w->buf);
    ng__free(w->path);
    w->path = NULL;
    return rc;
}

int ng_fmt__fw_append_spill(ng_fwriter *dst, ng_fwriter *spill)
{
    const size_t chunk = (size_t)1 << 20;
    uint64_t at = NG_FMT_HEADER_SIZE;
    uint8_t *buf;
    int fd, rc = fw_flush(spill);
    if (rc) return rc;
    if ((fd = open(spill->path, O_RDONLY | O_CLOEXEC)) < 0) return ng__err_errno(errno, "%s", spill->path);
    if (!(buf = ng__malloc(chunk))) rc = ng__oom();
    while (!rc && at < spill->off) {
        size_t want = spill->off - at < chunk ? (size_t)(spill->off - at) : chunk;
        ssize_t k = pread(fd, buf, want, (off_t)at);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            rc = k < 0 ? ng__err_errno(errno, "%s: read", spill->path) : ng__err(NG_EIO, "%s: shorter than written", spill->path);
            break;
        }
        rc = ng_fmt__fw_write(dst, buf, (size_t)k);
        at += (uint64_t)k;
    }
    ng__free(buf);
    close(fd);
    return rc;
}

void ng_fmt__fw_abort(ng_fwriter *w)
{
    if (w->fd >= 0) close(w->fd);
    if (w->path) unlink(w->path);
    w->fd = -1;
    ng_buf_dispose(&w->buf);
    ng__free(w->path);
    w->path = NULL;
}

int ng_fmt__corrupt(const ng_file *f, const uint8_t *at, const char *why)
{
    uint64_t off = (f->map.data && at >= f->map.data) ? (uint64_t)(at - f->map.data) : 0;
    return ng__corrupt(f->name, off, why);
}

int ng_fmt__open(ng_file *f, const char *path, ng_fkind kind)
{
    uint8_t magic[8];
    const uint8_t *d, *ft;
    uint64_t meta_off;
    uint32_t meta_len, version;
    int rc;
    memset(f, 0, sizeof *f);
    f->name = ng__strndup(base_name(path), strlen(base_name(path)));
    if (!f->name) return ng__oom();
    if ((rc = ng__map_file(&f->map, path)) != NG_OK) goto fail;
    /* Searches read these in pieces (and first of all the header and the
       footer, at both ends); streaming readers say so (ng__map_sequential) */
    if (kind == NG_FK_TDI || kind == NG_FK_PST || kind == NG_FK_POS || kind == NG_FK_DOC) ng__map_random(&f->map);
    d = f->map.data;
    if (f->map.size < NG_FMT_HEADER_SIZE + NG_FMT_FOOTER_SIZE) {
        rc = ng__corrupt(f->name, 0, "file too short");
        goto fail;
    }
    make_magic(magic, kind);
    if (memcmp(d, magic, 8) != 0) {
        rc = ng__corrupt(f->name, 0, memcmp(d, "NGRP", 4) == 0 ? "wrong file kind" : "bad magic (not a newsgrep file)");
        goto fail;
    }
    version = ng__get_u32(d + 8);
    if (version != NG_FMT_VERSION) {
        rc = ng__err(NG_EVERSION, "%s: index format version %u, this newsgrep reads version %u (rebuild the index with --rebuild)",
                     f->name, version, NG_FMT_VERSION);
        goto fail;
    }
    if (ng__get_u32(d + 12) != name_seg_id(path)) {
        char why[96];
        snprintf(why, sizeof why, "file of segment %u under this name (moved or swapped?)", ng__get_u32(d + 12));
        rc = ng__corrupt(f->name, 12, why);
        goto fail;
    }
    ft = d + f->map.size - NG_FMT_FOOTER_SIZE;
    if (memcmp(ft + 20, end_magic, 4) != 0) {
        rc = ng__corrupt(f->name, f->map.size - 4, "bad end magic (file truncated?)");
        goto fail;
    }
    meta_off = ng__get_u64(ft);
    meta_len = ng__get_u32(ft + 8);
    if (meta_off < NG_FMT_HEADER_SIZE || meta_off > f->map.size - NG_FMT_FOOTER_SIZE ||
        meta_len > f->map.size - NG_FMT_FOOTER_SIZE - meta_off) {
        rc = ng__corrupt(f->name, f->map.size - NG_FMT_FOOTER_SIZE, "meta section out of bounds");
        goto fail;
    }
    f->meta = d + meta_off;
    f->meta_len = meta_len;
    if (ng__crc32(0, f->meta, meta_len) != ng__get_u32(ft + 12)) {
        rc = ng__corrupt(f->name, meta_off, "meta section checksum mismatch");
        goto fail;
    }
    f->body = d + NG_FMT_HEADER_SIZE;
    f->body_len = (size_t)meta_off - NG_FMT_HEADER_SIZE;
    if (kind == NG_FK_PST || kind == NG_FK_POS) { /* no map, no memory: every check is made */
        f->crc_seen_len = f->body_len / NG_FMT_CRC_GRAIN / 8 + 1;
        if (!(f->crc_seen = ng__zero_pages(f->crc_seen_len))) f->crc_seen_len = 0;
    }
    return NG_OK;
fail:
    ng_fmt__close(f);
    return rc;
}

void ng_fmt__close(ng_file *f)
{
    ng__zero_pages_free(f->crc_seen, f->crc_seen_len);
    f->crc_seen = NULL;
    f->crc_seen_len = 0;
    ng__unmap(&f->map);
    ng__free((void *)f->name);
    f->name = NULL;
}

/* The bit of region [p, p + len), or -1 when it has none. */
static ptrdiff_t crc_grain(const ng_file *f, const uint8_t *p, size_t len)
{
    uintptr_t a = (uintptr_t)p, lo;
    if (!f || !f->crc_seen || len < NG_FMT_CRC_GRAIN) return -1;
    lo = (uintptr_t)f->body;
    if (a < lo || a - lo >= f->body_len) return -1;
    return (ptrdiff_t)((a - lo) / NG_FMT_CRC_GRAIN);
}

/* The map is shared by the threads searching the index: bits are set with
** an atomic OR.  Relaxed order is enough, as the bytes checked never change
** and a bit read early only costs a check made twice. */
int ng_fmt__crc_seen(const ng_file *f, const uint8_t *p, size_t len)
{
    ptrdiff_t g = crc_grain(f, p, len);
    return g >= 0 && (__atomic_load_n(&f->crc_seen[g >> 3], __ATOMIC_RELAXED) >> (g & 7)) & 1u;
}

void ng_fmt__crc_passed(const ng_file *f, const uint8_t *p, size_t len)
{
    ptrdiff_t g = crc_grain(f, p, len);
    if (g >= 0) __atomic_fetch_or(&f->crc_seen[g >> 3], (uint8_t)(1u << (g & 7)), __ATOMIC_RELAXED);
}

int ng_fmt__crc_ok(const ng_file *f, const uint8_t *p, size_t len, uint32_t want)
{
    if (ng_fmt__crc_seen(f, p, len)) return 1;
    if (ng__crc32(0, p, len) != want) return 0;
    ng_fmt__crc_passed(f, p, len);
    return 1;
}

static int verify(const ng_file *f, int release)
{
    size_t n = f->map.size;
    const size_t chunk = (size_t)4 << 20;
    uint32_t crc = 0;
    size_t at;
    if (n < NG_FMT_HEADER_SIZE + NG_FMT_FOOTER_SIZE) return ng__corrupt(f->name, 0, "file too short");
    /* a search's mapping faults in a page at a time (ng__map_random), so
       the read ahead is asked for here, a chunk ahead of the check */
    ng__map_willneed(&f->map, f->map.data, chunk);
    for (at = 0; at < n - 8; at += chunk) {
        size_t len = n - 8 - at < chunk ? n - 8 - at : chunk;
        if (at + chunk < n) ng__map_willneed(&f->map, f->map.data + at + chunk, chunk);
        crc = ng__crc32(crc, f->map.data + at, len);
        if (release) ng__map_release_range(&f->map, f->map.data + at, len);
    }
    if (crc != ng__get_u32(f->map.data + n - 8))
        return ng__corrupt(f->name, n - 8, "file checksum mismatch");
    return NG_OK;
}

int ng_fmt__verify(const ng_file *f)
{
    return verify(f, 0);
}

int ng_fmt__verify_streaming(const ng_file *f)
{
    return verify(f, 1);
}

int ng_fmt__seg_path(ng_buf *out, const char *dir, uint32_t seg_id, ng_fkind kind, uint32_t gen)
{
    int rc = NG_OK;
    ng__buf_clear(out);
    if (kind == NG_FK_DEL)
        ng__buf_printf(&rc, out, "%s/seg-%06u.del-%u", dir, seg_id, gen);
    else
        ng__buf_printf(&rc, out, "%s/seg-%06u.%s", dir, seg_id, ng_fmt_ext[kind]);
    return rc;
}
