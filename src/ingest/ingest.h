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
** are warnings through lg.  stats may be NULL. */
int ng_ingest__path(ng_ingest_stats *stats, const char *path, const ng_logger *lg,
                    ng_source_fn fn, void *payload);

/* Parse one JSON Lines record into doc (strings point into scratch, which is
** reused).  Returns 0, or NG_EINVAL with a message "column N: why". */
int ng_ingest__parse_jsonl(ng_document *doc, ng_buf *scratch, const char *line, size_t len);

#endif
