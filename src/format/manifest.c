/*
** manifest.c -- the MANIFEST file: which segments are live -- FORMAT.md
** section 9 (commit protocol: section 1).
**
**   header (16 bytes, as every file; kind "MAN")
**   body:  u64 generation, u32 next_seg_id, u8 lang_len, lang bytes,
**          u32 n_segs, n_segs x (u32 id, u32 n_docs, u32 n_deleted,
**          u32 del_gen, u64 live_tokens, u64 n_terms)
**   meta:  empty;  footer as every file
**
** The manifest is small, so its whole-file CRC is checked on every open.
** A commit writes MANIFEST.tmp, fsyncs it, renames it over MANIFEST and
** fsyncs the directory: readers see the old generation or the new one.
*/
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "format/format.h"

#define SEG_ENTRY 32

void ng_manifest__free(ng_manifest *m)
{
    ng__free(m->segs);
    memset(m, 0, sizeof *m);
}

int ng_manifest__copy(ng_manifest *dst, const ng_manifest *src)
{
    *dst = *src;
    dst->segs = NULL;
    dst->cap = 0;
    if (src->n_segs == 0) return NG_OK;
    if (NG_GROW(dst->segs, dst->cap, src->n_segs)) return ng__oom();
    memcpy(dst->segs, src->segs, src->n_segs * sizeof *src->segs);
    return NG_OK;
}

int ng_manifest__read(ng_manifest *m, const char *dir)
{
    ng_buf path = NG_BUF_INIT;
    ng_file f;
    const uint8_t *p, *end;
    uint32_t i, n;
    size_t ll;
    int rc;
    memset(m, 0, sizeof *m);
    if ((rc = ng__path_join(&path, dir, "MANIFEST")) != NG_OK) return rc;
    rc = ng_fmt__open(&f, path.ptr, NG_FK_MANIFEST);
    if (rc == NG_ENOTFOUND) rc = ng__err(NG_ENOTFOUND, "%s: no newsgrep index here (no MANIFEST)", dir);
    ng_buf_dispose(&path);
    if (rc) return rc;
    if ((rc = ng_fmt__verify(&f)) != NG_OK) goto out;
    p = f.body;
    end = f.body + f.body_len;
    if (end - p < 13) goto bad;
    m->generation = ng__get_u64(p);
    m->next_seg_id = ng__get_u32(p + 8);
    ll = p[12];
    p += 13;
    if (ll >= sizeof m->lang || (size_t)(end - p) < ll + 4) goto bad;
    memcpy(m->lang, p, ll);
    m->lang[ll] = '\0';
    p += ll;
    n = ng__get_u32(p);
    p += 4;
    if ((uint64_t)(end - p) != (uint64_t)n * SEG_ENTRY) goto bad;
    if (n && NG_GROW(m->segs, m->cap, n)) {
        rc = ng__oom();
        goto out;
    }
    for (i = 0; i < n; i++, p += SEG_ENTRY) {
        ng_seg_meta *s = &m->segs[i];
        s->id = ng__get_u32(p);
        s->n_docs = ng__get_u32(p + 4);
        s->n_deleted = ng__get_u32(p + 8);
        s->del_gen = ng__get_u32(p + 12);
        s->live_tokens = ng__get_u64(p + 16);
        s->n_terms = ng__get_u64(p + 24);
        if (s->n_deleted > s->n_docs || s->id >= m->next_seg_id) goto bad;
    }
    m->n_segs = n;
    rc = NG_OK;
    goto out;
bad:
    rc = ng_fmt__corrupt(&f, p, "manifest: bad segment list");
out:
    if (rc) ng_manifest__free(m);
    ng_fmt__close(&f);
    return rc;
}

int ng_manifest__write(const ng_manifest *m, const char *dir)
{
    ng_buf path = NG_BUF_INIT, tmp = NG_BUF_INIT;
    ng_fwriter fw;
    ng_buf body = NG_BUF_INIT;
    uint32_t i;
    size_t ll = strlen(m->lang);
    int rc = NG_OK;
    ng__buf_put_u64(&rc, &body, m->generation);
    ng__buf_put_u32(&rc, &body, m->next_seg_id);
    ng__buf_putc(&rc, &body, (int)ll);
    ng__buf_put(&rc, &body, m->lang, ll);
    ng__buf_put_u32(&rc, &body, m->n_segs);
    for (i = 0; i < m->n_segs; i++) {
        const ng_seg_meta *s = &m->segs[i];
        ng__buf_put_u32(&rc, &body, s->id);
        ng__buf_put_u32(&rc, &body, s->n_docs);
        ng__buf_put_u32(&rc, &body, s->n_deleted);
        ng__buf_put_u32(&rc, &body, s->del_gen);
        ng__buf_put_u64(&rc, &body, s->live_tokens);
        ng__buf_put_u64(&rc, &body, s->n_terms);
    }
    if (!rc) rc = ng__path_join(&path, dir, "MANIFEST");
    if (!rc) ng__buf_printf(&rc, &tmp, "%s.tmp", path.ptr);
    if (rc) goto out;
    if ((rc = ng_fmt__fw_open(&fw, tmp.ptr, NG_FK_MANIFEST)) != NG_OK) goto out;
    rc = ng_fmt__fw_write(&fw, body.ptr, body.size);
    if (!rc) rc = ng_fmt__fw_finish(&fw, "", 0); /* fsyncs */
    if (rc) {
        ng_fmt__fw_abort(&fw);
        goto out;
    }
    if (rename(tmp.ptr, path.ptr) != 0) {
        rc = ng__err_errno(errno, "%s: rename", path.ptr);
        unlink(tmp.ptr);
        goto out;
    }
    rc = ng__fsync_dir(dir);
out:
    ng_buf_dispose(&path);
    ng_buf_dispose(&tmp);
    ng_buf_dispose(&body);
    return rc;
}
