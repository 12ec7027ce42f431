/*
** fs.c -- files: read-only mappings, atomic replacement, directory fsync.
**
** Atomic replace is the commit primitive of the index (FORMAT.md "Commit"):
** write path.tmp, fsync it, rename over path; the caller then fsyncs the
** directory so that the rename itself is durable.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

void ng__unmap(ng_map *m)
{
    if (m->data) munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

int ng__read_file(ng_buf *out, const char *path)
{
    char tmp[65536];
    int rc = NG_OK;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ng__err_errno(errno, "%s", path);
    ng__buf_clear(out);
    while ((n = read(fd, tmp, sizeof tmp)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = ng__err_errno(errno, "%s: read", path);
            break;
        }
        ng__buf_put(&rc, out, tmp, (size_t)n);
        if (rc) break;
    }
    close(fd);
    return rc;
}

static int write_all(int fd, const void *data, size_t n, const char *path)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return ng__err_errno(errno, "%s: write", path);
        }
        p += w;
        n -= (size_t)w;
    }
    return NG_OK;
}

int ng__write_file_atomic(const char *path, const void *data, size_t n)
{
    ng_buf tmp = NG_BUF_INIT;
    int rc = NG_OK, fd;
    ng__buf_printf(&rc, &tmp, "%s.tmp", path);
    if (rc) return rc;
    fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = ng__err_errno(errno, "%s", tmp.ptr);
        goto out;
    }
    rc = write_all(fd, data, n, tmp.ptr);
    if (rc == NG_OK && fsync(fd) != 0) rc = ng__err_errno(errno, "%s: fsync", tmp.ptr);
    if (close(fd) != 0 && rc == NG_OK) rc = ng__err_errno(errno, "%s: close", tmp.ptr);
    if (rc == NG_OK && rename(tmp.ptr, path) != 0) rc = ng__err_errno(errno, "%s: rename", path);
    if (rc != NG_OK) unlink(tmp.ptr);
out:
    ng_buf_dispose(&tmp);
    return rc;
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
