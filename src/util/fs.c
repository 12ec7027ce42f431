/*
** fs.c -- files: read-only mappings, atomic replacement, directory fsync.
**
** The commit itself (write MANIFEST.tmp, fsync, rename, fsync the
** directory) is in format/manifest.c; this file gives it ng__fsync_dir().
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "ng_int.h"

int ng__map_file(ng_map *out, const char *path)
{
    struct stat st;
    void *p;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    out->data = NULL;
    out->size = 0;
    if (fd < 0) return ng__err_errno(errno, "%s", path);
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return ng__err_errno(e, "%s", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ng__err(NG_EIO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return NG_OK;
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return ng__err_errno(errno, "%s: mmap", path);
    out->data = p;
    out->size = (size_t)st.st_size;
    return NG_OK;
}

/* Not calloc(): for a block this size calloc may take recycled heap
** memory and clear it all, which a short-lived process (one query over a
** large index) would pay for at every open. */
uint8_t *ng__zero_pages(size_t n)
{
    void *p;
    if (n == 0) return NULL;
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void ng__zero_pages_free(uint8_t *p, size_t n)
{
    if (p) munmap(p, n);
}

void ng__unmap(ng_map *m)
{
    if (m->data) munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

int ng__fsync_dir(const char *dir)
{
    int rc = NG_OK;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ng__err_errno(errno, "%s", dir);
    if (fsync(fd) != 0 && errno != EINVAL) rc = ng__err_errno(errno, "%s: fsync", dir);
    close(fd);
    return rc;
}

int ng__mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path), i;
    if (n == 0 || n >= sizeof buf) return ng__err(NG_EINVAL, "%s: bad directory path", path);
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return ng__err_errno(errno, "%s", buf);
            buf[i] = c;
        }
    }
    return NG_OK;
}

int ng__path_join(ng_buf *out, const char *dir, const char *name)
{
    int rc = NG_OK;
    ng__buf_clear(out);
    ng__buf_printf(&rc, out, "%s/%s", dir, name);
    return rc;
}

/* Reads through a search's mappings are scattered: a term's postings, a
** block of positions, a block of the store.  The kernel's default answer
** to a page fault on a file mapping reads a window around it as wide as
** the device's readahead (8 MB on some virtual disks), so that one cold
** query over a large index read hundreds of MB it never looked at.  A
** random-access mapping faults in only the page touched; the reader then
** says which ranges it is about to read whole (ng__map_willneed), and a
** reader of whole files says so (ng__map_sequential).  Advice
** only: a kernel that refuses it changes nothing but speed. */
void ng__map_random(const ng_map *m)
{
    if (m->data && m->size) (void)madvise((void *)(uintptr_t)m->data, m->size, MADV_RANDOM);
}

void ng__map_sequential(const ng_map *m)
{
    if (m->data && m->size) (void)madvise((void *)(uintptr_t)m->data, m->size, MADV_SEQUENTIAL);
}

/* Start reading [p, p + n) of m in the background, in one request rather
** than one fault a page; nothing to do for a range within one page. */
void ng__map_willneed(const ng_map *m, const void *p, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE); /* no system call in glibc */
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)m->data, z;
    if (!m->data || n == 0 || a < lo || a - lo >= m->size) return;
    if (n > m->size - (a - lo)) n = m->size - (a - lo);
    z = (a + n - 1) & ~(uintptr_t)(page - 1);
    a &= ~(uintptr_t)(page - 1);
    if (a == z) return;
    (void)madvise((void *)a, z - a + page, MADV_WILLNEED);
}

/* Drop the mapping's pages from the process (they stay in the page cache
** and fault back in on the next access).  Streaming readers call it so that
** reading a whole file through a mapping does not grow the resident set. */
void ng__map_release(const ng_map *m)
{
    if (m->data && m->size) (void)madvise((void *)(uintptr_t)m->data, m->size, MADV_DONTNEED);
}

/* The same for the whole pages inside [p, p + n) alone. */
void ng__map_release_range(const ng_map *m, const void *p, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)m->data, z;
    if (!m->data || a < lo || a - lo >= m->size) return;
    if (n > m->size - (a - lo)) n = m->size - (a - lo);
    z = (a + n) & ~(uintptr_t)(page - 1);
    a = (a + page - 1) & ~(uintptr_t)(page - 1);
    if (z > a) (void)madvise((void *)a, z - a, MADV_DONTNEED);
}

void ng__thread_name(const char *name)
{
#ifdef __linux__
    prctl(PR_SET_NAME, name, 0, 0, 0);
#else
    (void)name;
#endif
}
