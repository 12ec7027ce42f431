/*
** test_pipeline.c -- the analysis pipeline (src/index/pipeline.c and its
** vocabulary, vocab.c) against an oracle that analyses each document from
** scratch: ng__analyze stems every token itself, and a plain list of the
** document's terms, searched linearly, stands in for the vocabulary.
**
** Each job must hand the inverting thread exactly the terms the oracle
** finds, in order of first occurrence, with their hashes, tfs and encoded
** positions; whatever the number of threads, and across the points where
** a thread's vocabulary is full and forgets everything.
**
** The flush (flush.c) writes a memtable's lists with two threads, the
** second half of the terms into spill files appended at the end: its files
** must be byte for byte the ones one thread writes.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "ng_test.h"

/* ------------------------------------------------------------------ */
/* The oracle                                                          */
/* ------------------------------------------------------------------ */

typedef struct o_term {
    char bytes[2 * NG_MAX_TERM_BYTES + 2];
    size_t len;
    uint32_t tf;
    uint32_t *pos;      /* tf positions (positional terms) */
    size_t pos_cap;
    long next;          /* chain of its bucket, -1 at the end */
} o_term;

#define O_BUCKETS 65536

typedef struct oracle {
    o_term *t;          /* in order of first occurrence */
    size_t n, cap;
    long bucket[O_BUCKETS];
    int in_title;
} oracle;

static unsigned djb2(const char *s, size_t n)
{
    unsigned h = 5381;
    while (n--) h = h * 33 + (unsigned char)*s++;
    return h % O_BUCKETS;
}

static o_term *o_find(oracle *o, char ns, const char *s, size_t n)
{
    char b[sizeof o->t->bytes];
    size_t len = 0;
    unsigned h;
    long i;
    if (ns) b[len++] = ns;
    memcpy(b + len, s, n);
    len += n;
    h = djb2(b, len);
    for (i = o->bucket[h]; i >= 0; i = o->t[i].next)
        if (o->t[i].len == len && memcmp(o->t[i].bytes, b, len) == 0) return &o->t[i];
    if (o->n == o->cap) {
        size_t k = o->cap;
        o->cap = o->cap ? o->cap * 2 : 64;
        o->t = realloc(o->t, o->cap * sizeof *o->t);
        for (; k < o->cap; k++) o->t[k].pos = NULL, o->t[k].pos_cap = 0;
    }
    memcpy(o->t[o->n].bytes, b, len);
    o->t[o->n].len = len;
    o->t[o->n].tf = 0;
    o->t[o->n].next = o->bucket[h];
    o->bucket[h] = (long)o->n;
    return &o->t[o->n++];
}

static void o_occ(o_term *t, uint32_t pos)
{
    if (t->tf == t->pos_cap) {
        t->pos_cap = t->pos_cap ? t->pos_cap * 2 : 8;
        t->pos = realloc(t->pos, t->pos_cap * sizeof *t->pos);
    }
    t->pos[t->tf++] = pos;
}

static void o_reset(oracle *o)
{
    size_t i;
    for (i = 0; i < O_BUCKETS; i++) o->bucket[i] = -1;
    o->n = 0;
}

static void o_free(oracle *o)
{
    size_t i;
    for (i = 0; i < o->cap; i++) free(o->t[i].pos);
    free(o->t);
    free(o);
}

static int o_token(void *payload, const ng_token *tok)
{
    oracle *o = payload;
    char key[2 * NG_MAX_TERM_BYTES + 1];
    size_t klen;
    o_find(o, NG_NS_WORD, tok->word, tok->word_len)->tf++;
    o_occ(o_find(o, 0, tok->term, tok->term_len), tok->pos);
    if (o->in_title) o_occ(o_find(o, NG_NS_TITLE, tok->term, tok->term_len), tok->pos);
    if ((tok->flags & NG_TOK_CAPITALIZED) && (klen = ng__name_key(tok->word, tok->word_len, key, sizeof key)))
        o_occ(o_find(o, NG_NS_NAME, key, klen), tok->pos);
    return 0;
}

static uint32_t oracle_doc(oracle *o, ng_analyzer *an, const char *title, const char *body)
{
    uint32_t nt = 0, nb = 0;
    o_reset(o);
    o->in_title = 1;
    NG_ASSERT_OK(ng__analyze(an, title, strlen(title), 0, o_token, o, &nt));
    o->in_title = 0;
    NG_ASSERT_OK(ng__analyze(an, body, strlen(body), nt ? nt + 1 : 0, o_token, o, &nb));
    return nt + nb;
}

/* ------------------------------------------------------------------ */
/* Comparing a job with the oracle                                     */
/* ------------------------------------------------------------------ */

static uint64_t vint(const uint8_t **p)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (**p & 0x80) {
        v |= (uint64_t)(**p & 0x7F) << shift;
        shift += 7;
        (*p)++;
    }
    v |= (uint64_t)**p << shift;
    (*p)++;
    return v;
}

static int same_rec(const ng_job *j, const ng_termrec *r, const o_term *t)
{
    const uint8_t *p = (const uint8_t *)j->post.ptr + r->post_off, *end = p + r->post_len;
    uint32_t i, pos = 0;
    if (r->len != t->len || memcmp(j->terms.ptr + r->off, t->bytes, t->len) != 0) return 0;
    if (r->hash != ng_mt__hash(t->bytes, t->len) || r->tf != t->tf) return 0;
    if (t->bytes[0] == NG_NS_WORD) return r->post_len == 0;
    if (vint(&p) != t->tf) return 0;
    for (i = 0; i < t->tf; i++) {
        uint64_t d = vint(&p);
        pos = i == 0 ? (uint32_t)(d - 1) : pos + (uint32_t)d;
        if (pos != t->pos[i]) return 0;
    }
    return p == end;
}

/* Every rec of j against the oracle's terms of the same document. */
static int job_matches(const ng_job *j, const oracle *o, uint32_t doclen)
{
    size_t i;
    if (j->rc != NG_OK || j->n_recs != o->n || j->doclen != doclen) return 0;
    for (i = 0; i < o->n; i++)
        if (!same_rec(j, &j->recs[i], &o->t[i])) return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

static const char *const common[] = {
    "the", "troops", "troop", "Troops", "minister", "Ministers", "said", "talks", "talking", "Lavrov",
    "Zelenskyy", "Zelensky", "Orbán", "Orban", "Sergey", "Sergei", "U.S.", "100,000", "2024", "Ukraine's",
    "Ukraine’s", "café", "CAFÉ", "Москва", "Зеленський", "straße", "internationalization",
    "Internationalisations", "counterrevolutionaries", "e.g.", "Kyiv", "kyiv", "1", "²", "runs", "running",
};
#define N_COMMON (sizeof common / sizeof *common)

/* A body of n words: common ones, and words never seen before (unique),
** in a deterministic mix. */
static void make_text(char *out, size_t cap, size_t n, uint64_t *rng, unsigned long *unique)
{
    size_t len = 0, i;
    out[0] = '\0';
    for (i = 0; i < n && len + 64 < cap; i++) {
        uint64_t r = ng_test_rand(rng);
        switch (r % 8) {
        case 0: /* a new word, capitalised or not, some longer than an entry holds */
            len += (size_t)snprintf(out + len, cap - len, "%s%lx%s ", r & 0x100 ? "Zq" : "qz", (*unique)++,
                                    r & 0x200 ? "extraordinarily" : "");
            break;
        case 1: /* a new number */
            len += (size_t)snprintf(out + len, cap - len, "%lu ", 7000000ul + (*unique)++);
            break;
        default:
            len += (size_t)snprintf(out + len, cap - len, "%s%s", common[(r >> 8) % N_COMMON],
                                    r & 0x10000 ? ". " : " ");
        }
    }
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

/* docs documents of about words words each through a pipeline of threads
** threads, checked against the oracle as they come out. */
static void run_pipeline(unsigned threads, size_t docs, size_t words)
{
    enum { TEXT = 1 << 20 };
    char *body = malloc(TEXT), title[512];
    ng_pipe *p = NULL;
    ng_analyzer *an = NULL;
    oracle *o = calloc(1, sizeof *o);
    char **bodies = calloc(docs, sizeof *bodies), **titles = calloc(docs, sizeof *titles);
    uint64_t rng = 0x5eed + threads;
    unsigned long unique = 0;
    size_t sent = 0, got = 0, bad = 0;

    NG_ASSERT_OK(ng_pipe__new(&p, "english", threads));
    NG_ASSERT_OK(ng_analyzer__new(&an, "english"));
    if (!p || !an || !o || !body || !bodies || !titles) goto out;
    while (got < docs) {
        ng_job *j;
        while (sent < docs && (j = ng_pipe__slot(p)) != NULL) {
            ng_document d;
            make_text(title, sizeof title, 6, &rng, &unique);
            make_text(body, TEXT, words + sent % 7, &rng, &unique);
            titles[sent] = strdup(title);
            bodies[sent] = strdup(body);
            memset(&d, 0, sizeof d);
            d.id = "x";
            d.id_len = 1;
            d.title = titles[sent];
            d.title_len = (size_t)-1;
            d.body = bodies[sent];
            d.body_len = (size_t)-1;
            NG_ASSERT_OK(ng_pipe__fill(j, &d));
            ng_pipe__submit(p);
            sent++;
        }
        j = ng_pipe__done(p, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        if (!job_matches(j, o, oracle_doc(o, an, titles[got], bodies[got]))) bad++;
        ng_pipe__release(p);
        free(titles[got]);
        free(bodies[got]);
        got++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* with one thread, enough new words (two entries at least each) that
    ** the vocabulary filled and forgot at least twice */
    if (threads == 1) CU_ASSERT(unique * 2 > 2 * NG_VOCAB_MAX_ENTRIES);
out:
    ng_pipe__free(p);
    ng_analyzer__free(an);
    if (o) o_free(o);
    free(body);
    free(bodies);
    free(titles);
}

static void test_pipeline_one_thread(void) { run_pipeline(1, 160, 8000); }
static void test_pipeline_three_threads(void) { run_pipeline(3, 160, 8000); }

/* The vocabulary on its own: entries are found again with their bytes
** and hashes, namespaces keep equal bytes apart, and past its limit it
** forgets between documents, never within one. */
static void test_vocab_forgets(void)
{
    ng_vocab *v = NULL;
    uint32_t e, e2, stamp, i;
    char w[32];
    NG_ASSERT_OK(ng_vocab__new(&v));
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    stamp = ng_vocab__doc_start(v);
    NG_ASSERT_OK(ng_vocab__find(v, 0, "troop", 5, ng_vocab__hash(0, "troop", 5), &e));
    NG_ASSERT_OK(ng_vocab__find(v, NG_NS_TITLE, "troop", 5, ng_vocab__hash(NG_NS_TITLE, "troop", 5), &e2));
    CU_ASSERT_NOT_EQUAL(e, e2);
    CU_ASSERT_EQUAL(ng_vocab__ent(v, e2)->len, 6);
    CU_ASSERT(memcmp(ng_vocab__bytes(v, ng_vocab__ent(v, e2)), "\001troop", 6) == 0);
    CU_ASSERT_EQUAL(ng_vocab__ent(v, e2)->hash, ng_mt__hash("\001troop", 6));
    ng_vocab__ent(v, e)->stamp = stamp;
    /* one document adds far more than the limit: all kept until it ends */
    CU_ASSERT(300000 > 2 * NG_VOCAB_MAX_ENTRIES);
    for (i = 0; i < 300000; i++) {
        int n = snprintf(w, sizeof w, "%s%u", i & 1 ? "internationally" : "w", i);
        NG_ASSERT_OK(ng_vocab__find(v, NG_NS_WORD, w, (size_t)n, ng_vocab__hash(NG_NS_WORD, w, (size_t)n), &e2));
    }
    NG_ASSERT_OK(ng_vocab__find(v, 0, "troop", 5, ng_vocab__hash(0, "troop", 5), &e2));
    CU_ASSERT_EQUAL(e, e2);
    CU_ASSERT_EQUAL(ng_vocab__ent(v, e2)->stamp, stamp);
    {
        int n = snprintf(w, sizeof w, "internationally%u", 299999u);
        NG_ASSERT_OK(ng_vocab__find(v, NG_NS_WORD, w, (size_t)n, ng_vocab__hash(NG_NS_WORD, w, (size_t)n), &e2));
        CU_ASSERT_EQUAL(e2, 300001u); /* found, not made again: "troop", "\1troop", then 300000 */
        CU_ASSERT(memcmp(ng_vocab__bytes(v, ng_vocab__ent(v, e2)) + 1, w, (size_t)n) == 0);
    }
    /* the next document starts from nothing, and the memory the big one
       took is given back */
    stamp = ng_vocab__doc_start(v);
    CU_ASSERT(v->n_ent == 0 && v->ent_cap <= 2 * NG_VOCAB_MAX_ENTRIES);
    CU_ASSERT(v->n_slots <= 4 * NG_VOCAB_MAX_ENTRIES);
    NG_ASSERT_OK(ng_vocab__find(v, 0, "troop", 5, ng_vocab__hash(0, "troop", 5), &e2));
    CU_ASSERT_EQUAL(e2, 0u);
    CU_ASSERT_EQUAL(ng_vocab__ent(v, e2)->stamp, 0u);
    CU_ASSERT_EQUAL(ng_vocab__ent(v, e2)->stem, 0u);
    ng_vocab__free(v);
}

/* ------------------------------------------------------------------ */
/* The flush: one thread or two, the same bytes                         */
/* ------------------------------------------------------------------ */

/* A memtable of n_docs documents over n_terms terms (some lexicon ones),
** term k in about one document in 1 + k % 40, so that lists run from a
** few postings to many blocks. */
static void fill_memtable(ng_memtable *mt, uint32_t n_docs, uint32_t n_terms, uint64_t *seed)
{
    uint32_t d, k, i;
    for (d = 0; d < n_docs; d++) {
        uint32_t len = 0;
        for (k = 0; k < n_terms; k++) {
            char term[32];
            uint8_t post[512];
            size_t tl, pl = 0;
            uint32_t tf, pos = 0;
            if (ng_test_rand(seed) % (1 + k % 40)) continue;
            tl = k % 7 == 3; /* a lexicon word: counted, not listed */
            term[0] = NG_NS_WORD;
            tl += (size_t)snprintf(term + tl, sizeof term - tl, "term%u", k);
            tf = 1 + (uint32_t)(ng_test_rand(seed) % (k % 5 == 0 ? 30 : 3));
            pl += ng_mt__vint(post + pl, tf);
            for (i = 0; i < tf; i++) {
                uint32_t gap = 1 + (uint32_t)(ng_test_rand(seed) % 50);
                pl += ng_mt__vint(post + pl, i == 0 ? (uint64_t)gap + 1 : gap); /* first: position + 1 */
                pos += gap;
            }
            len += tf;
            NG_ASSERT_OK(ng_mt__add_doc_term(mt, term, tl, ng_mt__hash(term, tl), tf, post, pl));
        }
        NG_ASSERT_OK(ng_mt__doc_end(mt, len + 1, (int32_t)d));
    }
}

static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca, cb, same = fa && fb;
    while (same) {
        ca = fgetc(fa);
        cb = fgetc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* Files in dir whose name ends with .tmp (spills left behind). */
static int tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        n += l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0;
    }
    closedir(d);
    return n;
}

static void flush_both_ways(uint32_t n_docs, uint32_t n_terms, uint64_t seed)
{
    static const char *const ext[] = {"tdi", "pst", "pos"};
    char dir[3][4200], fa[4300], fb[4300];
    ng_memtable mt;
    uint64_t nt[3] = {0, 0, 0};
    int way, k;
    NG_ASSERT_OK(ng_mt__init(&mt));
    fill_memtable(&mt, n_docs, n_terms, &seed);
    for (way = 0; way < 3; way++) { /* one thread; two; two, freeing the lists */
        snprintf(dir[way], sizeof dir[way], "%s/flush-%u-%u-%d", ng_test_tmpdir, n_docs, n_terms, way);
        mkdir(dir[way], 0755);
        NG_ASSERT_OK(ng_seg__write_inverted(&mt, dir[way], 7, way == 2, way > 0, &nt[way]));
        CU_ASSERT_EQUAL(tmp_files(dir[way]), 0);
    }
    CU_ASSERT(nt[0] == mt.n_terms && nt[1] == nt[0] && nt[2] == nt[0]);
    for (k = 0; k < 3; k++)
        for (way = 1; way < 3; way++) {
            snprintf(fa, sizeof fa, "%s/seg-000007.%s", dir[0], ext[k]);
            snprintf(fb, sizeof fb, "%s/seg-000007.%s", dir[way], ext[k]);
            if (!same_file(fa, fb)) fprintf(stderr, "\n  %s and %s differ", fa, fb);
            CU_ASSERT(same_file(fa, fb));
        }
    ng_mt__free(&mt);
}

static void test_flush_split(void)
{
    flush_both_ways(3000, 400, 11); /* many terms, lists of up to 3000 documents */
    flush_both_ways(5, 1, 12);      /* one term: nothing to split */
    flush_both_ways(300, 2, 13);
}

/* A second part that cannot write its spill fails the flush with its own
** error, and leaves no file behind. */
static void test_flush_split_error(void)
{
    char dir[4200], blocker[4300];
    ng_memtable mt;
    uint64_t seed = 5, nt = 0;
    int rc;
    NG_ASSERT_OK(ng_mt__init(&mt));
    fill_memtable(&mt, 500, 100, &seed);
    snprintf(dir, sizeof dir, "%s/flush-err", ng_test_tmpdir);
    mkdir(dir, 0755);
    /* a directory where the spill must go: opening it for writing fails */
    snprintf(blocker, sizeof blocker, "%s/seg-000009.pos.part.tmp", dir);
    mkdir(blocker, 0755);
    rc = ng_seg__write_inverted(&mt, dir, 9, 0, 1, &nt);
    CU_ASSERT(rc != NG_OK);
    CU_ASSERT(strstr(ng_error_last()->message, "seg-000009.pos.part.tmp") != NULL);
    rmdir(blocker);
    CU_ASSERT_EQUAL(tmp_files(dir), 0);
    snprintf(blocker, sizeof blocker, "%s/seg-000009.pst", dir);
    CU_ASSERT(access(blocker, F_OK) != 0);
    NG_ASSERT_OK(ng_seg__write_inverted(&mt, dir, 9, 0, 1, &nt)); /* and then it works */
    ng_mt__free(&mt);
}

static CU_TestInfo pipeline_tests[] = {
    {"vocabulary: namespaces, bytes, hashes, forgetting", test_vocab_forgets},
    {"one thread: each job's terms as the oracle's", test_pipeline_one_thread},
    {"three threads: each job's terms as the oracle's", test_pipeline_three_threads},
    CU_TEST_INFO_NULL,
};

static CU_TestInfo flush_tests[] = {
    {"two threads write the bytes one writes", test_flush_split},
    {"a failing spill fails the flush, leaves nothing", test_flush_split_error},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"pipeline", NULL, NULL, NULL, NULL, pipeline_tests},
    {"flush", ng_test_tmpdir_init, ng_test_tmpdir_clean, NULL, NULL, flush_tests},
    CU_SUITE_INFO_NULL,
};
