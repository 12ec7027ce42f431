/*
 * newsgrep.h -- the public interface of libnewsgrep.
 *
 * libnewsgrep indexes news articles into a compressed on-disk inverted index
 * and answers ranked boolean and phrase queries (BM25) with highlighted
 * snippets.  This header is the whole public API; it is C89-clean.
 *
 * Conventions (see libnewsgrep(3)):
 *  - Functions returning int return NG_OK (0) on success and a negative
 *    NG_E* code on failure; ng_error_last() then describes the failure.
 *  - Constructors write their result through the first argument and set it
 *    to NULL on failure.  Every handle has one *_free() that accepts NULL.
 *  - Values returned directly are borrowed; their lifetime is documented.
 *  - The library never prints, never exits, never reads the environment.
 *  - Thread safety: an ng_index may be searched from many threads at once.
 *    A writer, a query and a result set belong to one thread at a time.
 */
#ifndef NEWSGREP_H
#define NEWSGREP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NG_BUILDING) && defined(__GNUC__)
#define NG_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define NG_EXTERN(type) extern type
#endif

/** @brief Library version, as a string "MAJOR.MINOR.PATCH". */
#define NG_VERSION_MAJOR 0
#define NG_VERSION_MINOR 5
#define NG_VERSION_PATCH 0
#define NG_VERSION_HEX ((NG_VERSION_MAJOR << 16) | (NG_VERSION_MINOR << 8) | NG_VERSION_PATCH)

/** @brief Version of the library at run time, e.g. "0.2.0". */
NG_EXTERN(const char *) ng_version(void);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/** Error codes.  All failures are negative. */
enum {
    NG_OK = 0,
    NG_ERROR = -1,     /**< generic or internal error */
    NG_ENOMEM = -2,    /**< out of memory */
    NG_EIO = -3,       /**< an operating-system call failed */
    NG_ECORRUPT = -4,  /**< an index file is damaged */
    NG_EVERSION = -5,  /**< the index has a format version this library cannot read */
    NG_ENOTFOUND = -6, /**< no such index, document or file */
    NG_EEXISTS = -7,   /**< the object already exists */
    NG_ELOCKED = -8,   /**< another writer holds the index lock */
    NG_EQUERY = -9,    /**< query syntax error; offset gives the position */
    NG_EINVAL = -10,   /**< invalid argument */
    NG_EBUFS = -11,    /**< a caller-provided buffer is too small */
    NG_EUSER = -12,    /**< a callback asked to stop */
    NG_ELIMIT = -13,   /**< a limit was exceeded (query length, expansion, ...) */
    NG_ITEROVER = -31  /**< an iterator is exhausted (not an error) */
};

/** The last error of the calling thread. */
typedef struct ng_error {
    int code;            /**< one of the NG_E* codes, NG_OK if none */
    const char *message; /**< lowercase message naming the place, never NULL */
    size_t offset;       /**< query position or file offset; (size_t)-1 if none */
} ng_error;

/**
 * @brief The calling thread's last error.
 * @return never NULL; valid until the next failing call on this thread.
 */
NG_EXTERN(const ng_error *) ng_error_last(void);

/** @brief Reset the calling thread's last error to NG_OK. */
NG_EXTERN(void) ng_error_clear(void);

/** @brief A human-readable name for an error code ("corrupt index", ...). */
NG_EXTERN(const char *) ng_strerror(int code);

/**
 * @brief Replace the allocator used by the library (for tests that inject
 * allocation failures).  Call before any other function; NULL restores libc.
 */
NG_EXTERN(void) ng_set_allocator(void *(*malloc_fn)(size_t),
                                 void *(*realloc_fn)(void *, size_t),
                                 void (*free_fn)(void *));

/** Severity of a diagnostic passed to the log callback. */
enum { NG_LOG_WARNING = 1, NG_LOG_INFO = 2, NG_LOG_DEBUG = 3 };

/** @brief A log callback: level, message (lowercase, names file and line), payload. */
typedef void (*ng_log_fn)(int level, const char *message, void *payload);

/* ------------------------------------------------------------------ */
/* Buffers handed to the caller                                        */
/* ------------------------------------------------------------------ */

/** A growable byte buffer owned by the caller once filled by the library. */
typedef struct ng_buf {
    char *ptr;    /**< NUL-terminated contents, or NULL */
    size_t size;  /**< bytes used, not counting the NUL */
    size_t asize; /**< bytes allocated */
} ng_buf;

#define NG_BUF_INIT {NULL, 0, 0}

/** @brief Free a buffer's memory and reset it to NG_BUF_INIT. */
NG_EXTERN(void) ng_buf_dispose(ng_buf *buf);

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

/**
 * An article.  Strings are UTF-8, borrowed for the duration of the call,
 * and need not be NUL-terminated when their length is given (a length of
 * (size_t)-1 means "NUL-terminated").  Only body is required.
 */
typedef struct ng_document {
    const char *id;    size_t id_len;    /**< unique key; replaces a document with the same id */
    const char *title; size_t title_len; /**< indexed and shown */
    const char *date;  size_t date_len;  /**< ISO 8601 "YYYY-MM-DD[...]", or empty */
    const char *url;   size_t url_len;   /**< stored only */
    const char *body;  size_t body_len;  /**< indexed, stored, used for snippets */
} ng_document;

/** Stored fields of a document, as returned by ng_index_document(). */
enum { NG_FIELD_ID = 0, NG_FIELD_TITLE, NG_FIELD_DATE, NG_FIELD_URL, NG_FIELD_BODY, NG_FIELD_COUNT };

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

typedef struct ng_writer ng_writer;

/** Counts of a writer's session, passed to the progress callback and
 * returned by ng_writer_get_stats().  The library allocates it, so new
 * fields may be added at the end without breaking callers. */
typedef struct ng_writer_stats {
    uint64_t docs_added;     /**< documents whose id was not in the index */
    uint64_t docs_updated;   /**< documents that replaced one with the same id */
    uint64_t docs_deleted;   /**< documents removed: file or JSONL line gone, or ng_writer_delete() */
    uint64_t docs_unchanged; /**< documents of the paths found unchanged and not analysed again */
    uint64_t docs_skipped;   /**< files or lines skipped with a warning */
    uint64_t files_new;      /**< files read for the first time */
    uint64_t files_changed;  /**< known files read again (size or mtime changed) */
    uint64_t files_unchanged;/**< known files not read: same size and mtime */
    uint64_t files_deleted;  /**< known files under the paths that are gone */
    uint64_t bytes_read;     /**< input bytes read so far (uncompressed) */
    uint64_t bytes_total;    /**< bytes of the files to read, from the walk's stat; 0 if unknown */
    double elapsed;          /**< seconds since ng_writer_open() */
    uint32_t segments;       /**< segments in the working manifest */
    uint32_t merges;         /**< segment merges completed */
    uint64_t commits;        /**< commits that wrote a new generation */
    const char *path;        /**< file being read, or NULL; valid during the callback */
    int finished;            /**< nonzero in the last call, made by ng_writer_commit() */
} ng_writer_stats;

/**
 * @brief Progress callback: called from the thread that adds documents,
 * about four times a second while documents are added, and once with
 * finished set at the end of each successful commit.
 * @return 0 to go on; nonzero stops the current call with NG_EUSER
 */
typedef int (*ng_progress_fn)(const ng_writer_stats *stats, void *payload);

#define NG_WRITER_OPTIONS_VERSION 2
/** Options of ng_writer_open().  NULL means all defaults.  Fields after
 * log_payload exist from version 2 on; a version-1 struct is accepted. */
typedef struct ng_writer_options {
    unsigned int version;   /**< NG_WRITER_OPTIONS_VERSION */
    const char *language;   /**< Snowball language, default "english"; "none" disables stemming */
    size_t memory_limit;    /**< bytes of in-memory inversion before a segment is flushed; default 256 MiB */
    unsigned int threads;   /**< analysis threads, the caller's included; 0 = number of cores.
                                 The index is the same whatever the number. */
    int rebuild;            /**< nonzero: start from an empty index */
    int create;             /**< nonzero (default): create the directory if missing */
    ng_log_fn log;          /**< warnings (skipped files, bad lines), info (one line per file read); may be NULL.
                                 Called from the thread that adds documents. */
    void *log_payload;      /**< passed to log */
    /* version 2 */
    unsigned int lock_wait_ms;  /**< wait up to this long for another writer to release the lock; default 0 */
    ng_progress_fn progress;    /**< progress callback; may be NULL */
    void *progress_payload;     /**< passed to progress */
    int no_merge;               /**< nonzero: no background merges (ng_writer_optimize() still merges) */
} ng_writer_options;

#define NG_WRITER_OPTIONS_INIT {NG_WRITER_OPTIONS_VERSION, NULL, 0, 0, 0, 1, NULL, NULL, 0, NULL, NULL, 0}

/** @brief Initialise options to defaults; NG_EINVAL for an unknown version. */
NG_EXTERN(int) ng_writer_options_init(ng_writer_options *opts, unsigned int version);

/**
 * @brief Open an index directory for writing, taking the writer lock.
 * @param out receives the writer
 * @param path index directory
 * @param opts options, or NULL
 * @return NG_OK, NG_ELOCKED (another writer still holds the lock after
 *         lock_wait_ms; the message names its pid), NG_EIO
 */
NG_EXTERN(int) ng_writer_open(ng_writer **out, const char *path, const ng_writer_options *opts);

/**
 * @brief Add a document.  A document with the same id, committed or added
 * earlier in this session, is replaced.
 * @return NG_OK, NG_EINVAL (no body), NG_ENOMEM
 */
NG_EXTERN(int) ng_writer_add(ng_writer *w, const ng_document *doc);

/** @brief Delete the document with this id; NG_ENOTFOUND if there is none. */
NG_EXTERN(int) ng_writer_delete(ng_writer *w, const char *id, size_t id_len);

/** Statistics of one ng_writer_add_path() or ng_writer_add_paths() call. */
typedef struct ng_add_stats {
    uint64_t docs_added;    /**< documents analysed and indexed (new or changed) */
    uint64_t docs_skipped;  /**< files or lines skipped with a warning */
    uint64_t bytes_read;    /**< input bytes consumed */
} ng_add_stats;

/**
 * @brief Index a file or directory tree: text files (one article each; the
 * first line is the title, a leading YYYY-MM-DD in the file name the date),
 * and JSON Lines files (*.jsonl, *.jsonl.gz) of {"id","title","date","url","body"}.
 * Binary files, unreadable files and bad JSON lines are skipped with a
 * warning through the log callback, naming file and line.  Incremental:
 * the same as ng_writer_add_paths() with one path.
 * @param stats_out optional; receives counts
 * @return NG_OK, NG_ENOTFOUND (path does not exist), NG_EIO
 */
NG_EXTERN(int) ng_writer_add_path(ng_add_stats *stats_out, ng_writer *w, const char *path);

/**
 * @brief Bring the index up to date with files and directory trees, as
 * ng_writer_add_path() does for each, incrementally: a file whose size and
 * modification time are those recorded when it was last indexed is not
 * read; a changed file is read and only its documents whose content
 * changed are analysed again; documents that were read from a file under
 * one of the paths and are no longer there (the file is gone, or its JSON
 * line is) are deleted, unless a file read since gave the same id.  The
 * record of the files is committed with the index (FORMAT.md, SOURCES).
 * Several paths in one call share one walk for the progress callback's
 * bytes_total.
 * @param stats_out optional; docs_added counts documents analysed
 * @return NG_OK, NG_ENOTFOUND (a path does not exist: nothing was changed), NG_EIO
 */
NG_EXTERN(int) ng_writer_add_paths(ng_add_stats *stats_out, ng_writer *w, const char *const *paths, size_t n_paths);

/**
 * @brief Counts of this writer's session so far.
 * @return borrowed; valid until the next call on w
 */
NG_EXTERN(const ng_writer_stats *) ng_writer_get_stats(ng_writer *w);

/**
 * @brief Merge every segment into one, leaving deleted documents out, and
 * commit.  Does nothing more than ng_writer_commit() when the index is one
 * segment without deletions.
 * @return NG_OK, NG_EIO, NG_ENOMEM
 */
NG_EXTERN(int) ng_writer_optimize(ng_writer *w);

/**
 * @brief Make every change since the last commit durable and visible,
 * atomically: readers see all of it or none of it.  A background merge
 * still running is waited for and is part of the commit.  When nothing
 * changed, nothing is written.
 * @return NG_OK, NG_EIO
 */
NG_EXTERN(int) ng_writer_commit(ng_writer *w);

/** @brief Drop uncommitted changes, release the lock, free the writer. */
NG_EXTERN(void) ng_writer_free(ng_writer *w);

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

typedef struct ng_index ng_index;

/**
 * @brief Open a read-only snapshot of an index.  Later commits are not seen
 * until the index is reopened.  Safe to search from many threads.
 * @return NG_OK, NG_ENOTFOUND (no index there), NG_ECORRUPT, NG_EVERSION
 */
NG_EXTERN(int) ng_index_open(ng_index **out, const char *path);

/** @brief Close a snapshot.  Results and queries made from it must be freed first. */
NG_EXTERN(void) ng_index_free(ng_index *ix);

/** Index statistics. */
typedef struct ng_index_stats {
    uint64_t docs;            /**< live documents */
    uint64_t terms;           /**< distinct terms summed over segments */
    uint64_t tokens;          /**< indexed tokens of live and deleted documents */
    uint32_t segments;        /**< live segments */
    uint32_t format_version;  /**< on-disk format version */
    uint64_t generation;      /**< commit generation */
    uint64_t bytes_dict;      /**< term dictionary bytes */
    uint64_t bytes_postings;  /**< doc-id and frequency bytes */
    uint64_t bytes_positions; /**< position bytes */
    uint64_t bytes_store;     /**< document store bytes */
    uint64_t bytes_other;     /**< lengths, manifest, tombstones */
    char language[32];        /**< Snowball language of the index */
} ng_index_stats;

/** @brief Fill stats for an open index. */
NG_EXTERN(int) ng_index_stats_get(ng_index_stats *out, const ng_index *ix);

/**
 * @brief Verify every file of the index: magic, version, checksums and
 * internal invariants (sorted terms, increasing doc ids).
 * @return NG_OK, or NG_ECORRUPT with a message naming the file
 */
NG_EXTERN(int) ng_index_check(ng_index *ix);

/**
 * @brief Fetch a stored field of a document by its internal number (from a hit).
 * @param out receives a copy of the field (caller frees with ng_buf_dispose)
 */
NG_EXTERN(int) ng_index_document(ng_buf *out, ng_index *ix, uint64_t docnum, int field);

/**
 * @brief Find the live document with this id.
 * @param docnum_out receives its internal number (for ng_index_document())
 * @return NG_OK, NG_ENOTFOUND (no live document has the id), NG_ECORRUPT
 */
NG_EXTERN(int) ng_index_find(uint64_t *docnum_out, ng_index *ix, const char *id, size_t id_len);

/* ------------------------------------------------------------------ */
/* Queries and results                                                 */
/* ------------------------------------------------------------------ */

typedef struct ng_query ng_query;
typedef struct ng_results ng_results;

/**
 * @brief Parse a query for an index (the index's language is used).
 * Syntax: words (implicit AND), AND, OR, NOT, -word, ( ), "phrases",
 * a NEAR/5 b, "a b"~3, prefix*, fuzzy~ / fuzzy~1, title:word,
 * title:"a phrase", date:2022-02-01, date:2022-01..2022-02, date:2022..,
 * word^2 (README "Query language").
 * @return NG_OK, or NG_EQUERY with ng_error_last()->offset at the fault
 */
NG_EXTERN(int) ng_query_parse(ng_query **out, ng_index *ix, const char *text, size_t len);

/** Flags of ng_query_parse_ex(). */
#define NG_QUERY_NO_NAMES 0x01u /**< capitalised words do not match their name variants */

/**
 * @brief As ng_query_parse(), with NG_QUERY_* flags (ng_query_parse() is
 * flags 0: capitalised words also match the spelling and transliteration
 * variants of a name).  Prefix (troop*) and fuzzy (Zelensky~) words are
 * expanded here, against the index's lexicon.
 * @return NG_OK, NG_EQUERY (offset at the fault), NG_ELIMIT (a word
 *         expands to too many words; offset at the word)
 */
NG_EXTERN(int) ng_query_parse_ex(ng_query **out, ng_index *ix, const char *text, size_t len,
                                 unsigned int flags);

/** @brief Free a parsed query. */
NG_EXTERN(void) ng_query_free(ng_query *q);

/**
 * @brief "Did you mean": the query text with each positive word that is
 * not in the index (or in at most one document) replaced by the closest
 * lexicon word (smallest edit distance, then highest document frequency),
 * e.g. "Lavorv troops" -> "lavrov troops".  Other words are kept as typed.
 * @param out receives the suggestion (cleared first); empty when there is
 *        nothing to suggest
 * @return NG_OK (also when there is no suggestion), NG_ENOMEM, NG_ECORRUPT
 */
NG_EXTERN(int) ng_query_suggest(ng_buf *out, ng_index *ix, const ng_query *q);

/**
 * @brief The words of a document that a query matched, as they are spelled
 * in its title and body (e.g. "Zelenskyy" for the query word Zelensky),
 * distinct, in order of first appearance, one per line.
 * @param out receives the words (cleared first)
 */
NG_EXTERN(int) ng_query_matched_words(ng_buf *out, ng_index *ix, const ng_query *q, uint64_t docnum);

/**
 * @brief The query in a canonical, fully parenthesised form showing the
 * analysed terms, e.g. (AND lavrov troop).  Caller disposes of out.
 */
NG_EXTERN(int) ng_query_describe(ng_buf *out, const ng_query *q);

#define NG_SEARCH_OPTIONS_VERSION 2

/** ng_search_options.since / .until: no bound. */
#define NG_DATE_ANY ((int32_t)-2147483647 - 1)
/** ng_search_options.sort */
enum { NG_SORT_SCORE = 0, NG_SORT_DATE = 1 };
/** ng_search_options.total_mode */
enum {
    NG_TOTAL_LOWER_BOUND = 0, /**< ng_results_total() may be a lower bound: top-k skips what cannot enter */
    NG_TOTAL_EXACT = 1        /**< count every match (visits them all: slower on common words) */
};
/** Default ng_search_options.title_weight (chosen with tools/eval). */
#define NG_TITLE_WEIGHT_DEFAULT 0.5

/**
 * Options of ng_search().  NULL means all defaults.
 *
 * title_weight: an unfielded query word scores
 *   bm25(stem) + title_weight * idf(stem) * tf_t * (k1 + 1) / (tf_t + k1)
 * where tf_t is its frequency in the title (0 if absent).
 * recent_half_life: scores are multiplied by 2^(-age / half_life), age in
 * days between the document's date and the newest dated document of the
 * index (undated documents count as old as the oldest dated one).
 * sort = NG_SORT_DATE: newest first (ties: document order, undated last);
 * the scores are still BM25, computed only for the returned hits.
 * total_mode: NG_TOTAL_LOWER_BOUND (default) lets the top-k selection skip
 *   every document that cannot enter the hits, so ng_results_total() counts
 *   only the matches it saw (ng_results_total_exact() says whether that is
 *   every match: it is when fewer than offset + limit documents match, when
 *   limit is 0 and with NG_SORT_DATE); NG_TOTAL_EXACT counts every match.
 *   The hits are the same either way.
 *
 * Versions: fields from title_weight on exist from version 2 on.  A
 * version-1 struct (which ends at b) is accepted; it is searched with the
 * defaults of the later fields, except total_mode: NG_TOTAL_EXACT, the
 * behaviour version 1 promised.
 */
typedef struct ng_search_options {
    unsigned int version;    /**< NG_SEARCH_OPTIONS_VERSION */
    size_t limit;            /**< hits to return; default 10; 0 = none (count only) */
    size_t offset;           /**< skip the first hits (paging) */
    double k1;               /**< BM25 k1, default 1.2 */
    double b;                /**< BM25 b, default 0.75 */
    /* version 2 */
    double title_weight;     /**< weight of title matches, default NG_TITLE_WEIGHT_DEFAULT; 0 = off */
    int32_t since;           /**< only documents dated on or after this day (days since 1970-01-01); NG_DATE_ANY */
    int32_t until;           /**< only documents dated on or before this day; NG_DATE_ANY */
    int sort;                /**< NG_SORT_SCORE (default) or NG_SORT_DATE */
    double recent_half_life; /**< recency decay half-life in days; 0 (default) = off */
    int total_mode;          /**< NG_TOTAL_LOWER_BOUND (default) or NG_TOTAL_EXACT */
} ng_search_options;

#define NG_SEARCH_OPTIONS_INIT \
    {NG_SEARCH_OPTIONS_VERSION, 10, 0, 1.2, 0.75, NG_TITLE_WEIGHT_DEFAULT, NG_DATE_ANY, NG_DATE_ANY, NG_SORT_SCORE, 0.0, \
     NG_TOTAL_LOWER_BOUND}

/**
 * @brief The days (since 1970-01-01) covered by a date "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD", for ng_search_options.since / .until: "2022-02" covers
 * 2022-02-01 .. 2022-02-28.
 * @return NG_OK, NG_EINVAL (not such a date; message names it)
 */
NG_EXTERN(int) ng_date_range(int32_t *first_out, int32_t *last_out, const char *text, size_t len);

/**
 * @brief Initialise options to defaults.  With version 1, only the fields
 * of a version-1 struct (up to b) are written.
 * @return NG_OK, NG_EINVAL for an unknown version
 */
NG_EXTERN(int) ng_search_options_init(ng_search_options *opts, unsigned int version);

/**
 * @brief Run a query: the top hits by BM25 score (ties by document order),
 * and the number of matching documents, exact or a lower bound as
 * opts->total_mode asks (NULL options: a lower bound, the fastest top-k).
 * @return NG_OK (also when nothing matched), NG_EINVAL (bad options),
 *         NG_ECORRUPT, NG_ENOMEM
 */
NG_EXTERN(int) ng_search(ng_results **out, ng_index *ix, const ng_query *q,
                         const ng_search_options *opts);

/** @brief Free results. */
NG_EXTERN(void) ng_results_free(ng_results *r);

/** @brief Number of hits held (at most the limit). */
NG_EXTERN(size_t) ng_results_count(const ng_results *r);

/**
 * @brief Number of matching documents: exact if ng_results_total_exact(),
 * else a lower bound (at least the hits held plus the offset skipped).
 */
NG_EXTERN(uint64_t) ng_results_total(const ng_results *r);

/** @brief Nonzero if ng_results_total() is the exact number of matches. */
NG_EXTERN(int) ng_results_total_exact(const ng_results *r);

/** One hit. */
typedef struct ng_hit {
    uint64_t docnum; /**< internal document number in this snapshot */
    double score;    /**< BM25 score */
} ng_hit;

/** @brief The i-th hit (0-based, best first); NG_ENOTFOUND past the end. */
NG_EXTERN(int) ng_results_hit(ng_hit *out, const ng_results *r, size_t i);

/**
 * @brief Call fn for every matching document, in document order, without
 * scoring (for listing).  fn returns nonzero to stop (NG_EUSER is returned).
 */
NG_EXTERN(int) ng_search_each(ng_index *ix, const ng_query *q,
                              int (*fn)(uint64_t docnum, void *payload), void *payload);

/** @brief Count matching documents exactly, without scoring. */
NG_EXTERN(int) ng_search_count(uint64_t *out, ng_index *ix, const ng_query *q);

/* ------------------------------------------------------------------ */
/* Snippets                                                            */
/* ------------------------------------------------------------------ */

/** A highlighted byte range [start, end) in a snippet. */
typedef struct ng_range {
    size_t start;
    size_t end;
} ng_range;

#define NG_SNIPPET_OPTIONS_VERSION 1
/** Options of ng_snippet(). NULL means defaults. */
typedef struct ng_snippet_options {
    unsigned int version; /**< NG_SNIPPET_OPTIONS_VERSION */
    size_t words;         /**< approximate window length in words, default 30 */
} ng_snippet_options;

#define NG_SNIPPET_OPTIONS_INIT {NG_SNIPPET_OPTIONS_VERSION, 30}

/**
 * @brief The best passage of a document for a query: the window of about
 * `words` words holding the most distinct query terms closest together,
 * aligned to a sentence start where possible.  Every matched word is a
 * highlight; a matched phrase is one highlight.
 * @param text_out receives the snippet text (caller disposes)
 * @param ranges_out receives a malloc'ed array of highlight ranges, byte
 *        offsets into text_out; free with ng_ranges_free()
 * @param n_ranges_out receives the number of ranges
 */
NG_EXTERN(int) ng_snippet(ng_buf *text_out, ng_range **ranges_out, size_t *n_ranges_out,
                          ng_index *ix, const ng_query *q, uint64_t docnum,
                          const ng_snippet_options *opts);

/** @brief Free a range array from ng_snippet(). */
NG_EXTERN(void) ng_ranges_free(ng_range *ranges);

#ifdef __cplusplus
}
#endif
#endif /* NEWSGREP_H */
