/*
** expand.c -- prefix, fuzzy and "did you mean" over the lexicon (the
** NG_NS_WORD terms of every segment's dictionary).  Interface: expand.h.
**
** Prefix: one range scan per segment, from "\x03" + prefix to the first
** term that does not start with it.
**
** Fuzzy: a Levenshtein automaton intersected with the sorted dictionary
** (the "dictionary walk" of Schulz & Mihov, "Fast string correction with
** Levenshtein automata", IJDAR 2002; the seek-to-next-acceptable-string
** loop as popularised by Lucene's FuzzyQuery).  The automaton is the
** optimal-string-alignment DP of the query word, run one row per code
** point of the candidate; a row whose cells all exceed k is a dead state.
** The walk alternates two moves:
**
**   take the dictionary's next word w
**   u = the smallest string >= w that the automaton accepts
**   if u == w: emit w, move to the next word
**   else:      seek the dictionary to u        (skips every word in (w, u))
**
** so it decodes only words that share a live prefix with the query and
** jumps over the rest with the sparse index.  next_accepted() computes u by
** walking w as far as its prefix stays live, then "wall following": from
** the deepest live state backwards, the smallest larger character with a
** live transition, then the smallest accepted completion.  Characters are
** Unicode code points, compared in the same order as their UTF-8 bytes, so
** the string order of the automaton is the dictionary's byte order.
**
** Only characters of the query word have transitions of their own; every
** other character behaves the same ("other"), which is what makes "the
** smallest larger live character" cheap: the query's distinct characters
** in order, plus the smallest code point above x that is not one of them.
**
** Nothing is allocated per word: automaton states live in fixed arrays,
** results go to one growing entry array and one text buffer.
*/
#include <stdlib.h>

#include "reader/expand.h"

#define MAXM NG_MAX_TERM_BYTES                 /* query characters (<= bytes) */
#define MAXDEPTH (MAXM + NG_FUZZY_MAX_K + 2)   /* live states have depth <= m + k */
#define MAX_CP 0x10FFFFu
#define NO_CHAR 0xFFFFFFFFu

/* ---------------------------------------------------------------- */
/* Word lists                                                        */

void ng_wordlist__free(ng_wordlist *l)
{
    if (!l) return;
    ng__free(l->v);
    ng_buf_dispose(&l->text);
    memset(l, 0, sizeof *l);
}

static void list_clear(ng_wordlist *l)
{
    l->n = 0;
    ng__buf_clear(&l->text);
    memset(&l->st, 0, sizeof l->st);
}

static int list_add(ng_wordlist *l, const char *w, size_t len, uint32_t dist, const ng_term_info *ti)
{
    int rc = NG_OK;
    ng_wordent *e;
    if (l->n == l->cap && NG_GROW(l->v, l->cap, l->n + 1)) return ng__oom();
    e = &l->v[l->n];
    e->off = l->text.size;
    e->len = (uint32_t)len;
    e->dist = dist;
    e->df = ti->df;
    e->cf = ti->cf;
    ng__buf_put(&rc, &l->text, w, len);
    ng__buf_putc(&rc, &l->text, '\0');
    if (!rc) l->n++;
    return rc;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = memcmp(a, b, m);
    return c ? c : (an < bn ? -1 : an > bn);
}

static int cmp_ent(const ng_wordlist *l, const ng_wordent *a, const ng_wordent *b)
{
    return cmp_bytes(l->text.ptr + a->off, a->len, l->text.ptr + b->off, b->len);
}

/* Stable top-down merge sort of v[0..n) by word, tmp: n scratch entries.
** (qsort has no context argument for the text buffer.) */
static void sort_ents(const ng_wordlist *l, ng_wordent *v, ng_wordent *tmp, size_t n)
{
    size_t h = n / 2, i = 0, j = h, o = 0;
    if (n < 2) return;
    sort_ents(l, v, tmp, h);
    sort_ents(l, v + h, tmp, n - h);
    while (i < h && j < n) tmp[o++] = cmp_ent(l, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h) tmp[o++] = v[i++];
    while (j < n) tmp[o++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Sort the per-segment answers together and merge equal words: df and cf
** add up (a word is counted in each segment that holds it).  Then enforce
** the cap on distinct words. */
static int list_merge(ng_wordlist *l, size_t max, int *over)
{
    ng_wordent *tmp;
    size_t i, o = 0;
    *over = 0;
    if (l->n < 2) {
        *over = l->n > max;
        return NG_OK;
    }
    if (!(tmp = ng__malloc(l->n * sizeof *tmp))) return ng__oom();
    sort_ents(l, l->v, tmp, l->n);
    ng__free(tmp);
    for (i = 0; i < l->n; i++) {
        if (o > 0 && cmp_ent(l, &l->v[o - 1], &l->v[i]) == 0) {
            l->v[o - 1].df += l->v[i].df;
            l->v[o - 1].cf += l->v[i].cf;
        } else {
            l->v[o++] = l->v[i];
        }
    }
    l->n = o;
    *over = o > max;
    return NG_OK;
}

/* ---------------------------------------------------------------- */
/* Input                                                             */

/* Fold word into out (NG_MAX_TERM_BYTES + 1 bytes), cut like the tokenizer. */
static size_t fold_input(char out[NG_MAX_TERM_BYTES + 1], const char *word, size_t len)
{
    if (!word) return 0;
    return ng__fold_word(out, NG_MAX_TERM_BYTES + 1, word, len);
}

/* Decode s[0..n) into cps (capacity cap); returns the count, or cap + 1
** when it does not fit.  Invalid bytes decode as NG_UTF8_BAD. */
static size_t decode_cps(const char *s, size_t n, uint32_t *cps, size_t cap)
{
    size_t off = 0, k = 0;
    while (off < n) {
        if (k == cap) return cap + 1;
        off += ng__utf8_decode(s + off, n - off, &cps[k++]);
    }
    return k;
}

static size_t count_chars(const char *s, size_t n)
{
    size_t k = 0, off = 0;
    uint32_t cp;
    while (off < n) {
        off += ng__utf8_decode(s + off, n - off, &cp);
        k++;
    }
    return k;
}

unsigned ng__fuzzy_default_k(size_t len_chars)
{
    if (len_chars < 3) return 0;
    return len_chars < 10 ? 1 : 2;
}

/* ---------------------------------------------------------------- */
/* The dictionary walk: one segment's lexicon, with work counters    */

typedef struct walk {
    ng_dict_iter it;
    const ng_segment *seg;
    ng_expand_stats *st;
    uint64_t last_block; /* to count block visits */
    char target[1 + 4 * MAXDEPTH + 1]; /* "\x03" + seek target */
    size_t target_len;
} walk;

static int walk_seek(walk *w, const char *to, size_t len)
{
    w->st->seeks++;
    w->last_block = UINT64_MAX;
    return ng_dict__iter_seek(&w->it, &w->seg->dict, to, len);
}

/* Next dictionary entry; NG_ITEROVER also when it leaves the lexicon. */
static int walk_next(walk *w)
{
    int rc = ng_dict__iter_next(&w->it);
    if (rc) return rc;
    w->st->terms_read++;
    if (w->it.block != w->last_block) {
        w->st->blocks_read++;
        w->last_block = w->it.block;
    }
    if (w->it.term_len == 0 || w->it.term[0] != NG_NS_WORD) return NG_ITEROVER;
    return NG_OK;
}

/* Move to the first term >= target: the rest of the current block is read
** in place (it is already in memory), a later block is reached by a seek. */
static int walk_advance(walk *w)
{
    int rc;
    while (w->it.left > 0) {
        if ((rc = walk_next(w)) != NG_OK) return rc;
        if (cmp_bytes(w->it.term, w->it.term_len, w->target, w->target_len) >= 0) return NG_OK;
    }
    if ((rc = walk_seek(w, w->target, w->target_len)) != NG_OK) return rc;
    return walk_next(w);
}

/* ---------------------------------------------------------------- */
/* Prefix                                                            */

static int prefix_segment(const ng_segment *seg, const char *pre, size_t len, size_t max, ng_wordlist *out,
                          int *over)
{
    walk w;
    size_t found = 0;
    int rc;
    w.seg = seg;
    w.st = &out->st;
    w.target[0] = NG_NS_WORD;
    memcpy(w.target + 1, pre, len);
    if ((rc = walk_seek(&w, w.target, len + 1)) != NG_OK) return rc;
    while ((rc = walk_next(&w)) == NG_OK) {
        if (w.it.term_len < len + 1 || memcmp(w.it.term + 1, pre, len) != 0) break;
        if (++found > max) { /* this segment alone is over the cap */
            *over = 1;
            return NG_OK;
        }
        if ((rc = list_add(out, w.it.term + 1, w.it.term_len - 1, 0, &w.it.ti)) != NG_OK) return rc;
    }
    return rc == NG_ITEROVER ? NG_OK : rc;
}

int ng_index__expand_prefix(const ng_index *ix, const char *prefix, size_t len, size_t max, ng_wordlist *out)
{
    char pre[NG_MAX_TERM_BYTES + 1];
    size_t n = fold_input(pre, prefix, len);
    uint32_t i;
    int rc = NG_OK, over = 0;
    list_clear(out);
    for (i = 0; i < ix->n_segs && !rc && !over; i++) rc = prefix_segment(&ix->segs[i], pre, n, max, out, &over);
    if (!rc && !over) rc = list_merge(out, max, &over);
    if (rc) return rc;
    if (over) {
        list_clear(out);
        return ng__err(NG_ELIMIT, "prefix '%s*' matches more than %zu words", pre, max);
    }
    return NG_OK;
}

/* ---------------------------------------------------------------- */
/* The Levenshtein (optimal string alignment) automaton              */

typedef struct lev {
    uint32_t p[MAXM];      /* query code points */
    size_t m;
    uint32_t alpha[MAXM];  /* its distinct code points, ascending */
    size_t n_alpha;
    uint8_t k;
    /* the states along the current path: row[d] after d characters (cells
       capped at k + 1), ch[d] the character that led to it (d >= 1); rows
       0..valid hold the path ch[1..valid].  Consecutive dictionary words
       share prefixes, so the next word resumes from their common part. */
    uint8_t row[MAXDEPTH + 1][MAXM + 1];
    uint32_t ch[MAXDEPTH + 1];
    size_t valid;
} lev;

static int lev_init(lev *a, const char *w, size_t n, unsigned k)
{
    size_t i, j;
    a->m = decode_cps(w, n, a->p, MAXM);
    if (a->m > MAXM) return -1;
    a->k = (uint8_t)k;
    for (j = 0; j <= a->m; j++) a->row[0][j] = (uint8_t)(j <= k ? j : k + 1);
    a->ch[0] = 0;
    a->valid = 0;
    /* distinct characters, ascending (insertion sort: m <= 64) */
    a->n_alpha = 0;
    for (i = 0; i < a->m; i++) {
        size_t pos = 0;
        while (pos < a->n_alpha && a->alpha[pos] < a->p[i]) pos++;
        if (pos < a->n_alpha && a->alpha[pos] == a->p[i]) continue;
        memmove(a->alpha + pos + 1, a->alpha + pos, (a->n_alpha - pos) * sizeof a->alpha[0]);
        a->alpha[pos] = a->p[i];
        a->n_alpha++;
    }
    return 0;
}

/* Row d+1 from row d (and d-1) on character c, into out; 1 if it is live.
**   D[d+1][j] = min(D[d][j] + 1, D[d+1][j-1] + 1, D[d][j-1] + (c != p[j-1]),
**                   D[d-1][j-2] + 1 if c == p[j-2] and ch[d] == p[j-1])
** Since D[d][j] >= |d - j|, only the band |d + 1 - j| <= k can hold a cell
** <= k: just the band is computed, with one capped guard cell on each side
** (what the next two rows read); cells further out are never read except
** row[d][m], which lev_accepts() checks against the band first.
** A row with every cell > k is dead: no continuation is accepted (a pending
** transposition cannot revive it: it would have kept D[d][j-1] <= k). */
static int lev_step(const lev *a, size_t d, uint32_t c, uint8_t *out)
{
    const uint8_t *r = a->row[d], *rp = d > 0 ? a->row[d - 1] : NULL;
    uint8_t cap = (uint8_t)(a->k + 1), best;
    size_t j, lo = d + 1 > a->k ? d + 1 - a->k : 1, hi = d + 1 + a->k < a->m ? d + 1 + a->k : a->m;
    out[0] = (uint8_t)(r[0] < cap ? r[0] + 1 : cap);
    best = out[0];
    if (lo >= 2 && lo - 1 <= a->m) out[lo - 1] = cap;
    for (j = lo; j <= hi; j++) {
        unsigned v = r[j - 1] + (c != a->p[j - 1]);
        if (r[j] + 1u < v) v = r[j] + 1u;
        if (out[j - 1] + 1u < v) v = out[j - 1] + 1u;
        if (rp && j >= 2 && c == a->p[j - 2] && a->ch[d] == a->p[j - 1] && rp[j - 2] + 1u < v) v = rp[j - 2] + 1u;
        out[j] = (uint8_t)(v < cap ? v : cap);
        if (out[j] < best) best = out[j];
    }
    if (hi + 1 <= a->m) out[hi + 1] = cap;
    return best <= a->k;
}

static int lev_accepts(const lev *a, size_t d)
{
    return (d > a->m ? d - a->m : a->m - d) <= a->k && a->row[d][a->m] <= a->k;
}

static int in_alpha(const lev *a, uint32_t c)
{
    size_t i;
    for (i = 0; i < a->n_alpha; i++)
        if (a->alpha[i] == c) return 1;
    return 0;
}

/* Smallest valid code point > x (from 1) that is not a query character. */
static uint32_t next_other(const lev *a, uint32_t x)
{
    uint32_t c = x + 1;
    if (x >= MAX_CP) return NO_CHAR; /* also NG_UTF8_BAD from a damaged term */
    for (;;) {
        if (c >= 0xD800 && c <= 0xDFFF) c = 0xE000; /* no surrogates in UTF-8 */
        if (c > MAX_CP) return NO_CHAR;
        if (!in_alpha(a, c)) return c;
        c++;
    }
}

/* Smallest character c > x with a live transition from state d, or NO_CHAR.
** When found, the transition is taken: row[d+1] and ch[d+1] hold it. */
static uint32_t lev_next_char(lev *a, size_t d, uint32_t x)
{
    uint8_t *out = a->row[d + 1];
    uint32_t other = next_other(a, x), c = NO_CHAR, bound;
    size_t i;
    int tried = 0, other_live;
    a->valid = d; /* row[d+1] is about to be overwritten */
    /* every character outside the query behaves alike: test the smallest */
    other_live = other != NO_CHAR && lev_step(a, d, other, out);
    bound = other_live ? other : NO_CHAR; /* query characters below it come first */
    for (i = 0; i < a->n_alpha && a->alpha[i] < bound && c == NO_CHAR; i++)
        if (a->alpha[i] > x) {
            tried = 1;
            if (lev_step(a, d, a->alpha[i], out)) c = a->alpha[i];
        }
    if (c == NO_CHAR && other_live) {
        c = other;
        if (tried) lev_step(a, d, other, out); /* a failed try overwrote its row */
    }
    if (c == NO_CHAR) return NO_CHAR;
    a->ch[d + 1] = c;
    a->valid = d + 1;
    return c;
}

/* From live state d with path[0..d), append the smallest accepted
** completion; returns the final length. */
static size_t lev_descend(lev *a, size_t d, uint32_t *path)
{
    while (!lev_accepts(a, d)) {
        path[d] = lev_next_char(a, d, 0); /* exists: a live state reaches acceptance */
        d++;
    }
    return d;
}

enum { NA_NONE, NA_MATCH, NA_SEEK };

/* The smallest accepted string u >= w[0..n).  NA_MATCH: u == w (its
** distance is a->row[n][m]); NA_SEEK: u in path[0..*un); NA_NONE: no
** accepted string is >= w. */
static int lev_next_accepted(lev *a, const uint32_t *w, size_t n, uint32_t *path, size_t *un)
{
    size_t d = 0, i;
    uint32_t x;
    /* the rows of the prefix w shares with the previous path are known */
    while (d < a->valid && d < n && a->ch[d + 1] == w[d]) d++;
    /* follow w further while its prefix stays live */
    while (d < n && d < MAXDEPTH && lev_step(a, d, w[d], a->row[d + 1])) {
        a->ch[d + 1] = w[d];
        d++;
    }
    a->valid = d;
    if (d == n && lev_accepts(a, d)) return NA_MATCH;
    for (i = 0; i < d; i++) path[i] = w[i];
    if (d == n) { /* live, not accepting: the smallest accepted extension */
        *un = lev_descend(a, d, path);
        return NA_SEEK;
    }
    /* w[d] leads to a dead state: a larger character at depth d, or back up */
    for (x = w[d];; x = w[--d]) {
        uint32_t c = lev_next_char(a, d, x);
        if (c != NO_CHAR) {
            path[d] = c;
            *un = lev_descend(a, d + 1, path);
            return NA_SEEK;
        }
        if (d == 0) return NA_NONE;
    }
}

/* ---------------------------------------------------------------- */
/* Fuzzy                                                             */

static int set_target(walk *w, const uint32_t *path, size_t n)
{
    size_t i, o = 1;
    w->target[0] = NG_NS_WORD;
    for (i = 0; i < n; i++) {
        size_t l = ng__utf8_encode(w->target + o, path[i]);
        if (!l) return -1;
        o += l;
    }
    w->target_len = o;
    return 0;
}

static int fuzzy_segment(const ng_segment *seg, lev *a, size_t max, ng_wordlist *out, int *over)
{
    walk w;
    uint32_t cps[256], path[MAXDEPTH + 1];
    size_t found = 0, n, un = 0;
    int rc;
    w.seg = seg;
    w.st = &out->st;
    a->valid = 0;
    set_target(&w, NULL, 0); /* "\x03": the start of the lexicon */
    if ((rc = walk_seek(&w, w.target, w.target_len)) == NG_OK) rc = walk_next(&w);
    while (rc == NG_OK) {
        int r;
        n = decode_cps(w.it.term + 1, w.it.term_len - 1, cps, NG_ARRAY_LEN(cps));
        if (n > NG_ARRAY_LEN(cps)) n = NG_ARRAY_LEN(cps); /* cannot happen: terms are <= 255 bytes */
        r = lev_next_accepted(a, cps, n, path, &un);
        if (r == NA_NONE) break;
        if (r == NA_MATCH) {
            if (++found > max) {
                *over = 1;
                return NG_OK;
            }
            rc = list_add(out, w.it.term + 1, w.it.term_len - 1, a->row[n][a->m], &w.it.ti);
            if (!rc) rc = walk_next(&w);
            continue;
        }
        /* seek to u; a target that does not move forward (possible only on
           invalid UTF-8 in a damaged dictionary) steps by one term instead */
        if (set_target(&w, path, un) ||
            cmp_bytes(w.target, w.target_len, w.it.term, w.it.term_len) <= 0)
            rc = walk_next(&w);
        else
            rc = walk_advance(&w);
    }
    return rc == NG_ITEROVER ? NG_OK : rc;
}

/* Fuzzy expansion of the folded word w[0..n) into out (cleared first). */
static int fuzzy_folded(const ng_index *ix, const char *w, size_t n, unsigned k, size_t max, ng_wordlist *out,
                        int *over)
{
    lev *a;
    uint32_t i;
    int rc = NG_OK;
    list_clear(out);
    *over = 0;
    if (!(a = ng__malloc(sizeof *a))) return ng__oom(); /* ~5 KB of rows: not on the stack */
    if (lev_init(a, w, n, k)) rc = ng__err(NG_EINVAL, "fuzzy: word too long");
    for (i = 0; i < ix->n_segs && !rc && !*over; i++) rc = fuzzy_segment(&ix->segs[i], a, max, out, over);
    ng__free(a);
    if (!rc && !*over) rc = list_merge(out, max, over);
    return rc;
}

int ng_index__expand_fuzzy(const ng_index *ix, const char *word, size_t len, unsigned k, size_t max,
                           ng_wordlist *out)
{
    char w[NG_MAX_TERM_BYTES + 1];
    size_t n = fold_input(w, word, len);
    int rc, over = 0;
    list_clear(out);
    if (k > NG_FUZZY_MAX_K) return ng__err(NG_EINVAL, "fuzzy: edit distance %u is more than %d", k, NG_FUZZY_MAX_K);
    if (n == 0) return ng__err(NG_EINVAL, "fuzzy: empty word");
    if ((rc = fuzzy_folded(ix, w, n, k, max, out, &over)) != NG_OK) return rc;
    if (over) {
        list_clear(out);
        return ng__err(NG_ELIMIT, "fuzzy '%s~%u' matches more than %zu words", w, k, max);
    }
    return NG_OK;
}

/* ---------------------------------------------------------------- */
/* Did you mean                                                      */

int ng_index__suggest(const ng_index *ix, const char *word, size_t len, ng_wordlist *out)
{
    char w[NG_MAX_TERM_BYTES + 1];
    ng_wordlist cand = NG_WORDLIST_INIT;
    size_t n = fold_input(w, word, len), chars = count_chars(w, n), i, best = SIZE_MAX;
    unsigned k, kmax = chars < 3 ? 0 : chars < 5 ? 1 : 2;
    int rc = NG_OK, over;
    list_clear(out);
    /* distance 1 first; 2 only if 1 finds nothing */
    for (k = 1; k <= kmax && best == SIZE_MAX && !rc; k++) {
        if ((rc = fuzzy_folded(ix, w, n, k, SIZE_MAX, &cand, &over)) != NG_OK) break;
        out->st.seeks += cand.st.seeks;
        out->st.terms_read += cand.st.terms_read;
        out->st.blocks_read += cand.st.blocks_read;
        for (i = 0; i < cand.n; i++)
            if (cand.v[i].dist == k && (best == SIZE_MAX || cand.v[i].df > cand.v[best].df)) best = i;
    }
    if (!rc && best != SIZE_MAX) {
        ng_term_info ti;
        memset(&ti, 0, sizeof ti);
        if ((rc = list_add(out, ng_wordlist__word(&cand, best), cand.v[best].len, cand.v[best].dist, &ti)) == NG_OK) {
            out->v[0].df = cand.v[best].df; /* summed over segments: wider than ti.df */
            out->v[0].cf = cand.v[best].cf;
        }
    } else if (!rc) {
        rc = ng__err(NG_ENOTFOUND, "no word close to '%s'", w);
    }
    ng_wordlist__free(&cand);
    return rc;
}
