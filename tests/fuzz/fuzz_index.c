/*
** fuzz_index.c -- libFuzzer target: the index reader on hostile files.
**
** The input is a container of files: records of u8 tag, u32le length,
** bytes.  Tag bits 0-2 pick the file (MANIFEST, .tdi, .pst, .pos, .len,
** .doc, .del-1, .del-2), bits 3-4 the segment (ids 1..4).  The files are
** written to a private directory, then the index is opened, every term of
** every segment is walked the way queries read it (walk_index.h), a query
** runs through the public API with a snippet for its first hit, and
** ng_index_check() verifies it all.  Failures must be NG_ECORRUPT,
** NG_EVERSION or NG_ENOTFOUND; nothing may crash, leak, hang or trip ASan.
** make-seeds.sh turns real indexes into containers for the seed corpus.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk_index.h"

static char g_dir[256];

static const char *file_name(unsigned tag, char *buf, size_t cap)
{
    static const char *const ext[8] = {NULL, "tdi", "pst", "pos", "len", "doc", "del-1", "del-2"};
    unsigned kind = tag & 7, seg = ((tag >> 3) & 3) + 1;
    if (kind == 0) snprintf(buf, cap, "%s/MANIFEST", g_dir);
    else snprintf(buf, cap, "%s/seg-%06u.%s", g_dir, seg, ext[kind]);
    return buf;
}

static void clear_dir(void)
{
    DIR *d = opendir(g_dir);
    struct dirent *e;
    char p[512];
    if (!d) abort();
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static void write_files(const uint8_t *data, size_t size)
{
    while (size >= 5) {
        unsigned tag = data[0];
        size_t len = (size_t)ng__get_u32(data + 1);
        char p[512];
        FILE *f;
        data += 5;
        size -= 5;
        if (len > size) len = size;
        if ((f = fopen(file_name(tag, p, sizeof p), "wb")) == NULL) abort();
        if (len && fwrite(data, 1, len, f) != len) abort();
        fclose(f);
        data += len;
        size -= len;
    }
}

static int expected(int rc)
{
    return rc == NG_OK || rc == NG_ECORRUPT || rc == NG_EVERSION || rc == NG_ENOTFOUND;
}

static void query_first_term(ng_index *ix)
{
    ng_dict_iter it;
    ng_query *q = NULL;
    ng_results *r = NULL;
    ng_hit hit;
    ng_buf snip = NG_BUF_INIT;
    ng_range *ranges = NULL;
    size_t nr = 0;
    int rc;
    if (ix->n_segs == 0 || ng_dict__iter_seek(&it, &ix->segs[0].dict, "", 0) != NG_OK ||
        ng_dict__iter_next(&it) != NG_OK)
        return;
    if (ng_query_parse(&q, ix, it.term, it.term_len) != NG_OK) return;
    rc = ng_search(&r, ix, q, NULL);
    if (!expected(rc)) abort();
    if (rc == NG_OK && ng_results_hit(&hit, r, 0) == NG_OK) {
        rc = ng_snippet(&snip, &ranges, &nr, ix, q, hit.docnum, NULL);
        if (!expected(rc)) abort();
        ng_buf_dispose(&snip);
        ng_ranges_free(ranges);
    }
    ng_results_free(r);
    ng_query_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ng_index *ix = NULL;
    ng_walk w = {0xcbf29ce484222325ull, 0, 64, 0};
    int rc;
    if (!g_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(g_dir, sizeof g_dir, "%s/ng-fuzz-index.%ld", t && *t ? t : "/tmp", (long)getpid());
        if (mkdir(g_dir, 0700) != 0) abort();
    }
    clear_dir();
    write_files(data, size);
    rc = ng_index_open(&ix, g_dir);
    if (!expected(rc)) {
        fprintf(stderr, "open: rc %d: %s\n", rc, ng_error_last()->message);
        abort();
    }
    if (rc != NG_OK) return 0;
    rc = walk_index(&w, ix);
    if (!expected(rc)) {
        fprintf(stderr, "walk: rc %d: %s\n", rc, ng_error_last()->message);
        abort();
    }
    query_first_term(ix);
    rc = ng_index_check(ix);
    if (!expected(rc)) {
        fprintf(stderr, "check: rc %d: %s\n", rc, ng_error_last()->message);
        abort();
    }
    ng_index_free(ix);
    return 0;
}
