/*
** ingest.h -- reading articles from files: text files, directories (walked
** recursively, in sorted order so that indexing is deterministic), and JSON
** Lines (*.jsonl, *.jsonl.gz) of {"id","title","date","url","body"}.
**
**  - A text file is one article: id = the path as reached from the argument
**    (like grep prints it), title = its first non-empty line (trimmed,
**    at most 300 bytes), date = a leading YYYY-MM-DD of the file name if any,
**    body = the whole file.  Files that look binary (a NUL byte or mostly
**    invalid UTF-8 in the first 8 KiB) are skipped with a warning.
**  - A JSONL line: "body" is required (string); "id" (string or number),
**    "title", "date", "url" are optional strings; other keys ignored.  Without
**    an id the id is "<path>:<line>".  A bad line is reported with file and
**    line number through the logger, and skipped; the rest is indexed.
**  - Symlink loops, unreadable files/dirs: warning, skipped.
*/
#ifndef NG_INGEST_H
#define NG_INGEST_H

#include <stdint.h>
#include <sys/types.h>

typedef struct ng_source_doc {
    ng_document doc;    /* fields; pointers valid during the callback only */
    const char *path;   /* file it came from */
    uint64_t line;      /* 1-based JSONL line, 0 for a text file */
    uint64_t size;      /* file size (text files), for incremental reindexing */
    int64_t mtime_ns;   /* file mtime in ns (text files) */
} ng_source_doc;

/* Return 0 to go on; nonzero stops the walk and is returned. */
typedef int (*ng_source_fn)(void *payload, const ng_source_doc *doc);

typedef struct ng_ingest_stats {
    uint64_t docs;    /* documents passed to fn */
    uint64_t skipped; /* files or lines skipped with a warning */
    uint64_t bytes;   /* input bytes read (uncompressed) */
} ng_ingest_stats;

/* Walk path (file or directory).  NG_ENOTFOUND if path does not exist;
** NG_EIO if it cannot be read at all.  Problems with single files or lines
** are warnings through lg.  stats may be NULL; it is reset at the start (it
** describes this call only).  A nonzero return of fn stops the walk and is
** returned unchanged.  Other failures: NG_ENOMEM.
**
** Details: directory entries are visited in byte-wise order of their names;
** names starting with '.' are skipped (the argument itself never is);
** symlinks are followed, a directory already on the current path is a loop
** (warning, skipped).  Ids of text files are the path as reached from the
** argument with trailing slashes of the argument removed ("corpus/" gives
** "corpus/a.txt").  Names ending in .jsonl / .jsonl.gz (any case) are JSON
** Lines, other .gz files are binary.  For JSONL documents, size and mtime_ns
** are those of the whole file. */
int ng_ingest__path(ng_ingest_stats *stats, const char *path, const ng_logger *lg,
                    ng_source_fn fn, void *payload);

/* Parse one JSON Lines record into doc (strings point into scratch, which is
** reused).  Returns 0, or NG_EINVAL with a message "column N: why" (and
** ng_error_last()->offset = N - 1), or NG_ENOMEM.
** An absent (or null) "id" gives doc->id == NULL, id_len 0; absent title,
** date, url are "" with length 0.  Every string is NUL-terminated in
** scratch (but may itself contain NUL bytes from \u0000).  A leading UTF-8
** BOM and surrounding whitespace are ignored; a lone \uD800-\uDFFF surrogate
** becomes U+FFFD; raw bytes inside strings are kept as they are (invalid
** UTF-8 is not an error).  Nesting deeper than NG_JSON_MAX_DEPTH is an
** error.  Duplicate keys: the last one wins. */
#define NG_JSON_MAX_DEPTH 512
int ng_ingest__parse_jsonl(ng_document *doc, ng_buf *scratch, const char *line, size_t len);

/* ---- module-internal (walk.c, textfile.c, jsonl.c) ---------------------- */

#define NG_INGEST_LINE_MAX ((size_t)64 << 20)  /* longest JSONL line */
#define NG_INGEST_TEXT_MAX ((size_t)256 << 20) /* text files are cut here */
#define NG_INGEST_TITLE_MAX 300                /* bytes */
#define NG_INGEST_SNIFF 8192                   /* bytes looked at for binary */

typedef struct ng_ingest_ctx {
    ng_ingest_stats st;  /* counts of this call */
    const ng_logger *lg;
    ng_source_fn fn;
    void *payload;
    ng_buf path;         /* path of the current entry */
    ng_buf text;         /* contents of a text file */
    ng_buf scratch;      /* decoded JSON strings of one line */
    ng_buf id;           /* "<path>:<line>" ids */
    char *line;          /* JSONL read buffer */
    size_t line_cap;
} ng_ingest_ctx;

/* One file, already open (fd is consumed: closed on return).  Return 0
** (also after a warning), fn's nonzero value, or NG_ENOMEM. */
int ng_ingest__text_file(ng_ingest_ctx *c, int fd, uint64_t size, int64_t mtime_ns);
int ng_ingest__jsonl_file(ng_ingest_ctx *c, int fd, int gz, uint64_t size, int64_t mtime_ns);

/* Nonzero if the first bytes of a file look binary (NUL, or mostly
** invalid UTF-8 / control characters).  at_eof: p ends the file. */
int ng_ingest__looks_binary(const char *p, size_t n, int at_eof);
/* Length of the longest prefix of p[0..n) of at most max bytes that does
** not split a UTF-8 sequence (p[n] is not read). */
size_t ng_ingest__utf8_cut(const char *p, size_t n, size_t max);
/* Title of a text: first non-blank line, trimmed, cut to NG_INGEST_TITLE_MAX. */
void ng_ingest__title(const char *p, size_t n, const char **title, size_t *title_len);
/* Leading valid YYYY-MM-DD of a file base name into out; returns 10 or 0. */
size_t ng_ingest__name_date(const char *base, char out[11]);

#endif
