/* bench-fts5.c -- the SQLite FTS5 side of tools/bench.
 *
 *   bench-fts5 index DB FILE.jsonl...   build DB from JSON Lines articles
 *   bench-fts5 query DB QUERYFILE       time each query, top 10 by BM25
 *
 * The table is fts5(title, body, tokenize='porter unicode61 remove_diacritics 2'),
 * filled in one transaction.  A query file has one query a line,
 * "TYPE<TAB>word word...", TYPE one of term, and, or, phrase; every query
 * is run once to warm the caches, then once timed, and one line
 * "TYPE<TAB>milliseconds<TAB>hits" is printed per query.
 *
 *   cc -O2 tools/bench-fts5.c -lsqlite3 -o bench-fts5                          */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char *ptr;
    size_t len, cap;
} buf;

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench-fts5: %s: %s\n", what, why);
    exit(2);
}

static void buf_put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->ptr = realloc(b->ptr, b->cap);
        if (!b->ptr) die("realloc", "out of memory");
    }
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

/* Append code point cp to b as UTF-8. */
static void buf_put_utf8(buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 63));
        u[2] = (char)(0x80 | (cp & 63)); n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 63));
        u[2] = (char)(0x80 | (cp >> 6 & 63)); u[3] = (char)(0x80 | (cp & 63)); n = 4;
    }
    buf_put(b, u, n);
}

static unsigned long hex4(const char *p)
{
    unsigned long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v * 16 + (unsigned long)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    return v;
}

/* Decode the JSON string starting after its opening quote at *pp into out
 * (when out is not NULL); leave *pp after the closing quote.  Returns 0, or
 * -1 on a malformed string. */
static int json_string(const char **pp, const char *end, buf *out)
{
    const char *p = *pp;
    while (p < end && *p != '"') {
        const char *run = p;
        while (p < end && *p != '"' && *p != '\\') p++;
        if (out) buf_put(out, run, (size_t)(p - run));
        if (p < end && *p == '\\') {
            if (p + 1 >= end) return -1;
            char c = p[1], plain = c;
            p += 2;
            switch (c) {
            case 'n': plain = '\n'; break;
            case 't': plain = '\t'; break;
            case 'r': plain = '\r'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'u': {
                if (end - p < 4) return -1;
                unsigned long cp = hex4(p);
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 2) - 0xDC00);
                    p += 6;
                }
                if (out) buf_put_utf8(out, cp);
                continue;
            }
            default: break;
            }
            if (out) buf_put(out, &plain, 1);
        }
    }
    if (p >= end) return -1;
    *pp = p + 1;
    return 0;
}

/* Fill title and body from one JSON Lines object; other members are skipped.
 * Returns 0, or -1 when the line is not an object with a string body. */
static int parse_article(const char *p, const char *end, buf *title, buf *body)
{
    buf key = {0};
    int have_body = 0, rc = -1;
    title->len = body->len = 0;
    buf_put(title, "", 0);
    while (p < end && *p != '{') p++;
    for (p++; p < end;) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\t')) p++;
        if (p >= end || *p == '}') break;
        if (*p++ != '"') goto out;
        key.len = 0;
        if (json_string(&p, end, &key)) goto out;
        buf_put(&key, "", 0);
        while (p < end && (*p == ' ' || *p == ':')) p++;
        if (p < end && *p == '"') {
            buf *dst = !strcmp(key.ptr, "title") ? title : !strcmp(key.ptr, "body") ? body : NULL;
            p++;
            if (json_string(&p, end, dst)) goto out;
            if (dst == body) have_body = 1;
        } else {
            while (p < end && *p != ',' && *p != '}') p++; /* number, true, false, null */
        }
    }
    rc = have_body ? 0 : -1;
out:
    free(key.ptr);
    return rc;
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) die(sql, err ? err : "failed");
}

static int cmd_index(const char *path, int nfiles, char **files)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    buf title = {0}, body = {0};
    char *line = NULL;
    size_t cap = 0;
    long docs = 0, bad = 0;

    remove(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) die(path, sqlite3_errmsg(db));
    exec_sql(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                 "CREATE VIRTUAL TABLE docs USING fts5(title, body,"
                 " tokenize='porter unicode61 remove_diacritics 2');"
                 "BEGIN;");
    if (sqlite3_prepare_v2(db, "INSERT INTO docs(title, body) VALUES(?1, ?2)", -1, &ins, NULL))
        die("prepare", sqlite3_errmsg(db));
    for (int i = 0; i < nfiles; i++) {
        FILE *f = fopen(files[i], "r");
        ssize_t n;
        if (!f) die(files[i], "cannot open");
        while ((n = getline(&line, &cap, f)) > 0) {
            if (parse_article(line, line + n, &title, &body)) { bad++; continue; }
            sqlite3_bind_text(ins, 1, title.ptr, (int)title.len, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, body.ptr, (int)body.len, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) die("insert", sqlite3_errmsg(db));
            sqlite3_reset(ins);
            docs++;
        }
        fclose(f);
    }
    sqlite3_finalize(ins);
    exec_sql(db, "COMMIT;");
    sqlite3_close(db);
    free(line); free(title.ptr); free(body.ptr);
    fprintf(stderr, "bench-fts5: indexed %ld documents (%ld bad lines)\n", docs, bad);
    return 0;
}

/* The FTS5 query for a typed query: every word quoted, so none is an operator. */
static void fts5_query(buf *q, const char *type, char *words)
{
    const char *sep = !strcmp(type, "or") ? "\" OR \"" : !strcmp(type, "phrase") ? " " : "\" AND \"";
    int first = 1;
    q->len = 0;
    buf_put(q, "\"", 1);
    for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) {
        if (!first) buf_put(q, sep, strlen(sep));
        buf_put(q, w, strlen(w));
        first = 0;
    }
    buf_put(q, "\"", 1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int run_query(sqlite3_stmt *st, const buf *q)
{
    int hits = 0, rc;
    sqlite3_bind_text(st, 1, q->ptr, (int)q->len, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        volatile sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
        (void)rowid;
        hits++;
    }
    if (rc != SQLITE_DONE) fprintf(stderr, "bench-fts5: query %s: %s\n", q->ptr, sqlite3_errmsg(sqlite3_db_handle(st)));
    sqlite3_reset(st);
    return hits;
}

static int cmd_query(const char *path, const char *qfile)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    FILE *f = fopen(qfile, "r");
    char *line = NULL;
    size_t cap = 0;
    buf *queries = NULL;
    char **types = NULL;
    size_t n = 0;

    if (!f) die(qfile, "cannot open");
    while (getline(&line, &cap, f) > 0) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
        queries = realloc(queries, (n + 1) * sizeof *queries);
        types = realloc(types, (n + 1) * sizeof *types);
        if (!queries || !types) die("realloc", "out of memory");
        memset(&queries[n], 0, sizeof queries[n]);
        types[n] = strdup(line);
        fts5_query(&queries[n], line, tab + 1);
        n++;
    }
    fclose(f);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) die(path, sqlite3_errmsg(db));
    if (sqlite3_prepare_v2(db, "SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10",
                           -1, &st, NULL))
        die("prepare", sqlite3_errmsg(db));
    for (size_t i = 0; i < n; i++) run_query(st, &queries[i]); /* warm the caches */
    for (size_t i = 0; i < n; i++) {
        double t0 = now_ms();
        int hits = run_query(st, &queries[i]);
        printf("%s\t%.4f\t%d\n", types[i], now_ms() - t0, hits);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (size_t i = 0; i < n; i++) { free(queries[i].ptr); free(types[i]); }
    free(queries); free(types); free(line);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "index")) return cmd_index(argv[2], argc - 3, argv + 3);
    if (argc == 4 && !strcmp(argv[1], "query")) return cmd_query(argv[2], argv[3]);
    fprintf(stderr, "usage: bench-fts5 index DB FILE.jsonl...\n"
                    "       bench-fts5 query DB QUERYFILE\n");
    return 2;
}
