/*
** fuzz_jsonl.c -- libFuzzer target: the JSON Lines reader.
**
** The input is a whole .jsonl file, fed through the file reader (line
** splitting, error recovery per line) from a memfd, and its first line also
** straight to the record parser.  Every document handed on must have a
** body; bad lines must be warnings, never a failure of the whole file.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ng_int.h"

static int on_doc(void *payload, const ng_source_doc *sd)
{
    const ng_document *d = &sd->doc;
    (void)payload;
    if (!d->body || d->body_len == (size_t)-1 || sd->line == 0) abort();
    if (d->title_len && !d->title) abort();
    /* touch every byte: ASan sees a field that points outside its buffer */
    if (d->body_len && memchr(d->body, 0x7f, d->body_len) == d->body + d->body_len) abort();
    if (d->id_len && memchr(d->id, 0x7f, d->id_len) == d->id + d->id_len) abort();
    return 0;
}

static void on_log(int level, const char *msg, void *payload)
{
    (void)level;
    (void)payload;
    if (!msg || !*msg) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ng_ingest_ctx c;
    ng_logger lg = {on_log, NULL};
    ng_document doc;
    ng_buf scratch = NG_BUF_INIT;
    const uint8_t *nl = memchr(data, '\n', size);
    int fd, rc;
    /* 1. the record parser on the first line */
    rc = ng_ingest__parse_jsonl(&doc, &scratch, (const char *)data, nl ? (size_t)(nl - data) : size);
    if (rc != NG_OK && rc != NG_EINVAL && rc != NG_ENOMEM) abort();
    ng_buf_dispose(&scratch);
    /* 2. the file reader */
    fd = memfd_create("fuzz.jsonl", MFD_CLOEXEC);
    if (fd < 0) abort();
    if (size && write(fd, data, size) != (ssize_t)size) abort();
    if (lseek(fd, 0, SEEK_SET) != 0) abort();
    memset(&c, 0, sizeof c);
    c.lg = &lg;
    c.fn = on_doc;
    rc = NG_OK;
    ng__buf_puts(&rc, &c.path, "fuzz.jsonl");
    if (rc) abort();
    rc = ng_ingest__jsonl_file(&c, fd, 0, size, 0); /* closes fd */
    if (rc != NG_OK && rc != NG_ENOMEM) abort();
    ng_buf_dispose(&c.path);
    ng_buf_dispose(&c.text);
    ng_buf_dispose(&c.scratch);
    ng_buf_dispose(&c.id);
    ng__free(c.line);
    return 0;
}
