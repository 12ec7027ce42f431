/*
** error.c -- the per-thread error slot behind ng_error_last().
**
** Messages are lowercase, without a trailing period, and name the place
** ("seg-3.pst: block 12: truncated", "query: unbalanced '(' at 14").
*/
#include <errno.h>
#include <stdio.h>

#include "ng_int.h"

#define NG_ERRMSG_MAX 1024

typedef struct err_slot {
    ng_error pub;             /* what ng_error_last() returns */
    char msg[NG_ERRMSG_MAX];  /* storage for pub.message */
} err_slot;

static _Thread_local err_slot t_err = {{NG_OK, "no error", (size_t)-1}, ""};

static int err_set(int code, size_t offset, const char *fmt, va_list ap)
{
    vsnprintf(t_err.msg, sizeof t_err.msg, fmt, ap);
    t_err.pub.code = code;
    t_err.pub.message = t_err.msg;
    t_err.pub.offset = offset;
    return code;
}

int ng__err(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_set(code, NG_NOPOS, fmt, ap);
    va_end(ap);
    return code;
}

int ng__err_at(int code, size_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_set(code, offset, fmt, ap);
    va_end(ap);
    return code;
}

int ng__err_errno(int err, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    int code = err == ENOENT ? NG_ENOTFOUND : err == ENOMEM ? NG_ENOMEM : NG_EIO;
    va_start(ap, fmt);
    err_set(code, NG_NOPOS, fmt, ap);
    va_end(ap);
    n = strlen(t_err.msg);
    snprintf(t_err.msg + n, sizeof t_err.msg - n, ": %s", strerror(err));
    /* messages are lowercase: "no such file or directory" */
    if (n + 2 < sizeof t_err.msg && t_err.msg[n + 2] >= 'A' && t_err.msg[n + 2] <= 'Z' &&
        !(t_err.msg[n + 3] >= 'A' && t_err.msg[n + 3] <= 'Z'))
        t_err.msg[n + 2] = (char)(t_err.msg[n + 2] - 'A' + 'a');
    return code;
}

int ng__oom(void) { return ng__err(NG_ENOMEM, "out of memory"); }

int ng__corrupt(const char *file, uint64_t off, const char *why)
{
    return ng__err_at(NG_ECORRUPT, (size_t)off, "%s: corrupt at offset %llu: %s",
                      file ? file : "index", (unsigned long long)off, why);
}

void ng__err_prefix(const char *fmt, ...)
{
    char pre[NG_ERRMSG_MAX], old[NG_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    size_t n;
    memcpy(old, t_err.msg, sizeof old);
    n = strlen(pre);
    if (n > sizeof t_err.msg - 3) n = sizeof t_err.msg - 3;
    memcpy(t_err.msg, pre, n);
    memcpy(t_err.msg + n, ": ", 2);
    n += 2;
    memcpy(t_err.msg + n, old, sizeof t_err.msg - n - 1);
    t_err.msg[sizeof t_err.msg - 1] = '\0';
    t_err.pub.message = t_err.msg;
}

NG_EXTERN(const ng_error *) ng_error_last(void)
{
    if (!t_err.pub.message) t_err.pub.message = "no error";
    return &t_err.pub;
}

NG_EXTERN(void) ng_error_clear(void)
{
    t_err.pub.code = NG_OK;
    t_err.pub.message = "no error";
    t_err.pub.offset = NG_NOPOS;
}

NG_EXTERN(const char *) ng_strerror(int code)
{
    switch (code) {
    case NG_OK: return "success";
    case NG_ERROR: return "error";
    case NG_ENOMEM: return "out of memory";
    case NG_EIO: return "input/output error";
    case NG_ECORRUPT: return "corrupt index";
    case NG_EVERSION: return "unsupported index format version";
    case NG_ENOTFOUND: return "not found";
    case NG_EEXISTS: return "already exists";
    case NG_ELOCKED: return "index locked by another writer";
    case NG_EQUERY: return "query syntax error";
    case NG_EINVAL: return "invalid argument";
    case NG_EBUFS: return "buffer too small";
    case NG_EUSER: return "stopped by callback";
    case NG_ELIMIT: return "limit exceeded";
    case NG_ITEROVER: return "end of iteration";
    default: return "unknown error";
    }
}

void ng__err_save(ng_buf *to)
{
    int e = NG_OK;
    ng__buf_clear(to);
    ng__buf_puts(&e, to, ng_error_last()->message);
}

int ng__err_carry(int code, const ng_buf *from, const char *fallback)
{
    return ng__err(code, "%s", from->ptr && from->size ? from->ptr : fallback);
}
