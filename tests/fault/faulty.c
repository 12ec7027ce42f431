/*
** faulty.c -- an LD_PRELOAD shim that makes one system call fail.
**
** Counts the calls of write, pwrite, fsync, fdatasync, rename, renameat,
** mmap (of files only: anonymous maps are malloc's business), open and
** openat (and their 64-bit aliases), and makes call number FAULTY_N fail
** with FAULTY_ERRNO (a number or ENOSPC, EIO, EACCES, EMFILE, EROFS).
** Writes to file descriptors 0-2 are passed through uncounted, so that the
** program can still report the failure.
**
**   FAULTY_N       1-based number of the call to fail (unset or 0: none)
**   FAULTY_ERRNO   errno to fail with (default ENOSPC)
**   FAULTY_STICKY  1: every counted call after the first failure fails too
**                  (a disk that stays full)
**   FAULTY_ONLY    comma list of call names to count (default: all)
**   FAULTY_LOG     file that gets "injected <call> #N" for the failure and
**                  "calls N" at exit
**   FAULTY_PROG    only a program of this name counts and fails (default
**                  newsgrep), so that wrappers like env are left alone
**
** Build: cc -shared -fPIC -o faulty.so faulty.c -ldl
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long g_n = -1;          /* call to fail; 0 = none; -1 = not read yet */
static int g_errno = ENOSPC;
static int g_sticky;
static const char *g_only;
static long g_calls;           /* counted so far */
static int g_failed;           /* a failure was injected */

static int is_target_program(void)
{
    const char *want = getenv("FAULTY_PROG"), *base;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 1;
    exe[n] = '\0';
    base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    return strcmp(base, want && *want ? want : "newsgrep") == 0 ||
           (strncmp(base, "lt-", 3) == 0 && strcmp(base + 3, want && *want ? want : "newsgrep") == 0);
}

static void faulty_init(void)
{
    const char *s;
    if (g_n >= 0) return;
    s = getenv("FAULTY_N");
    g_n = s ? atol(s) : 0;
    if (!is_target_program()) {
        g_n = 0;
        g_only = "none-counted";
        return;
    }
    s = getenv("FAULTY_ERRNO");
    if (s) {
        if (strcmp(s, "ENOSPC") == 0) g_errno = ENOSPC;
        else if (strcmp(s, "EIO") == 0) g_errno = EIO;
        else if (strcmp(s, "EACCES") == 0) g_errno = EACCES;
        else if (strcmp(s, "EMFILE") == 0) g_errno = EMFILE;
        else if (strcmp(s, "EROFS") == 0) g_errno = EROFS;
        else if (atoi(s) > 0) g_errno = atoi(s);
    }
    s = getenv("FAULTY_STICKY");
    g_sticky = s && *s == '1';
    g_only = getenv("FAULTY_ONLY");
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*open_fn)(const char *, int, ...);

static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) abort(); /* the shim cannot work without the real call */
    return f;
}

static void faulty_log(const char *fmt, const char *name, long n)
{
    static open_fn ropen;
    static write_fn rwrite;
    const char *path = getenv("FAULTY_LOG");
    char line[128];
    int fd, len;
    if (!path) return;
    if (!ropen) ropen = (open_fn)real("open");
    if (!rwrite) rwrite = (write_fn)real("write");
    len = snprintf(line, sizeof line, fmt, name, n);
    fd = ropen(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    (void)!rwrite(fd, line, (size_t)len);
    close(fd);
}

static int counted(const char *name)
{
    const char *p;
    size_t n = strlen(name);
    if (!g_only || !*g_only) return 1;
    for (p = g_only; (p = strstr(p, name)) != NULL; p += n)
        if ((p == g_only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

/* Nonzero (with errno set) if this call is to fail. */
static int should_fail(const char *name)
{
    long k;
    faulty_init();
    if (!counted(name)) return 0;
    k = __atomic_add_fetch(&g_calls, 1, __ATOMIC_SEQ_CST);
    if ((g_n > 0 && k == g_n) || (g_sticky && g_failed)) {
        if (!g_failed) faulty_log("injected %s #%ld\n", name, k);
        g_failed = 1;
        errno = g_errno;
        return 1;
    }
    return 0;
}

__attribute__((destructor)) static void faulty_report(void)
{
    if (g_calls) faulty_log("%scalls %ld\n", "", g_calls);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static write_fn f;
    if (!f) f = (write_fn)real("write");
    if (fd > 2 && should_fail("write")) return -1;
    return f(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*f)(int, const void *, size_t, off_t);
    if (!f) f = (ssize_t(*)(int, const void *, size_t, off_t))real("pwrite");
    if (should_fail("pwrite")) return -1;
    return f(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*f)(int, const void *, size_t, off_t);
    if (!f) f = (ssize_t(*)(int, const void *, size_t, off_t))real("pwrite64");
    if (should_fail("pwrite")) return -1;
    return f(fd, buf, n, off);
}

int fsync(int fd)
{
    static int (*f)(int);
    if (!f) f = (int (*)(int))real("fsync");
    if (should_fail("fsync")) return -1;
    return f(fd);
}

int fdatasync(int fd)
{
    static int (*f)(int);
    if (!f) f = (int (*)(int))real("fdatasync");
    if (should_fail("fdatasync")) return -1;
    return f(fd);
}

int rename(const char *a, const char *b)
{
    static int (*f)(const char *, const char *);
    if (!f) f = (int (*)(const char *, const char *))real("rename");
    if (should_fail("rename")) return -1;
    return f(a, b);
}

int renameat(int da, const char *a, int db, const char *b)
{
    static int (*f)(int, const char *, int, const char *);
    if (!f) f = (int (*)(int, const char *, int, const char *))real("renameat");
    if (should_fail("rename")) return -1;
    return f(da, a, db, b);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    static void *(*f)(void *, size_t, int, int, int, off_t);
    if (!f) f = (void *(*)(void *, size_t, int, int, int, off_t))real("mmap");
    if (fd >= 0 && !(flags & MAP_ANONYMOUS) && should_fail("mmap")) return MAP_FAILED;
    return f(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    static void *(*f)(void *, size_t, int, int, int, off_t);
    if (!f) f = (void *(*)(void *, size_t, int, int, int, off_t))real("mmap64");
    if (fd >= 0 && !(flags & MAP_ANONYMOUS) && should_fail("mmap")) return MAP_FAILED;
    return f(addr, len, prot, flags, fd, off);
}

/* open and openat take a mode only with O_CREAT or O_TMPFILE. */
static mode_t open_mode(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_SHIM(name)                                                    \
    int name(const char *path, int flags, ...)                             \
    {                                                                      \
        static int (*f)(const char *, int, ...);                           \
        va_list ap;                                                        \
        mode_t mode;                                                       \
        if (!f) f = (int (*)(const char *, int, ...))real(#name);          \
        va_start(ap, flags);                                               \
        mode = open_mode(flags, ap);                                       \
        va_end(ap);                                                        \
        if (should_fail("open")) return -1;                                \
        return f(path, flags, mode);                                       \
    }
OPEN_SHIM(open)
OPEN_SHIM(open64)

#define OPENAT_SHIM(name)                                                  \
    int name(int dir, const char *path, int flags, ...)                    \
    {                                                                      \
        static int (*f)(int, const char *, int, ...);                      \
        va_list ap;                                                        \
        mode_t mode;                                                       \
        if (!f) f = (int (*)(int, const char *, int, ...))real(#name);     \
        va_start(ap, flags);                                               \
        mode = open_mode(flags, ap);                                       \
        va_end(ap);                                                        \
        if (should_fail("open")) return -1;                                \
        return f(dir, path, flags, mode);                                  \
    }
OPENAT_SHIM(openat)
OPENAT_SHIM(openat64)
