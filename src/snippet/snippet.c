/*
** snippet.c -- choose the window of a snippet.
**
** 1. The text is analysed once; each token is kept as 16 bytes: its byte
**    range, the id of its term among the query's distinct terms (0: none)
**    and its sentence-start flag.
** 2. Matches: for each token whose term starts a query unit, the unit
**    matches if the following tokens carry the unit's other terms.  A match
**    is a token interval [first,last], listed in order of first token.
** 3. D, the most distinct units a window of W tokens holds wholly, is found
**    by sliding the window's start over match starts with two cursors: one
**    over the matches by start (leaving), one over the matches by end
**    (entering).  Each match enters and leaves once: O(m log m) for the sort.
** 4. The same sweep, now growing the end only until D units are held, gives
**    for each start F the least end L; the smallest L - F wins, the
**    earliest on ties.  (The least end cannot decrease as F grows, which is
**    what lets the end cursor move forwards only.)
** 5. The window starts at the sentence start within 8 tokens before F, else
**    a little before F, and is about W tokens long.
*/
#include <stdlib.h>

#include "ng_int.h"

#define NG_SNIP_DEFAULT_WORDS 30
#define NG_SNIP_ALIGN 8 /* look this many tokens back for a sentence start */

typedef struct ng_stok {
    size_t start;  /* byte offset in the text */
    uint32_t len;  /* bytes */
    uint32_t info; /* term id << 1 | sentence flag; term id 0 = no query term */
} ng_stok;

typedef struct ng_smatch {
    size_t first, last; /* token interval */
    size_t unit;        /* index of the distinct unit */
} ng_smatch;

typedef struct ng_sterm {
    const char *p;
    size_t n;
} ng_sterm;

typedef struct ng_snip {
    /* distinct query terms, ids 1..nterm, open-addressing hash of ids */
    ng_sterm *term;
    size_t nterm;
    uint32_t *slot;
    size_t mask;
    int has_keys; /* some query term is a name key (NG_NS_NAME) */
    /* tokens */
    ng_stok *tok;
    size_t ntok, captok;
} ng_snip;

static uint64_t ng_snip_hash(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    while (n--) { h ^= (unsigned char)*p++; h *= 0x100000001b3ull; }
    return h;
}

/* The id of term p[0..n), 0 if it is not a query term. */
static uint32_t ng_snip_find(const ng_snip *s, const char *p, size_t n)
{
    size_t i = (size_t)ng_snip_hash(p, n) & s->mask;
    uint32_t id;
    while ((id = s->slot[i]) != 0) {
        if (s->term[id - 1].n == n && memcmp(s->term[id - 1].p, p, n) == 0) return id;
        i = (i + 1) & s->mask;
    }
    return 0;
}

/* Add a term if new (the table has room: it was sized for every term). */
static uint32_t ng_snip_add(ng_snip *s, const char *p, size_t n)
{
    size_t i = (size_t)ng_snip_hash(p, n) & s->mask;
    uint32_t id;
    while ((id = s->slot[i]) != 0) {
        if (s->term[id - 1].n == n && memcmp(s->term[id - 1].p, p, n) == 0) return id;
        i = (i + 1) & s->mask;
    }
    s->term[s->nterm].p = p;
    s->term[s->nterm].n = n;
    s->slot[i] = (uint32_t)++s->nterm;
    return s->slot[i];
}

/* The query term a token matches: its stem, else (a capitalised word) its
** name key NG_NS_NAME + key, so that the variant spellings of a queried
** name are highlighted ("Zelenskyy" for the query word Zelensky). */
static uint32_t ng_snip_term_id(const ng_snip *s, const ng_token *t)
{
    char key[NG_MAX_TERM_BYTES * 4 + 8];
    uint32_t id = ng_snip_find(s, t->term, t->term_len);
    size_t n;
    if (id || !s->has_keys || !(t->flags & NG_TOK_CAPITALIZED)) return id;
    n = ng__name_key(t->word, t->word_len, key + 1, sizeof key - 1);
    if (n == 0) return 0;
    key[0] = NG_NS_NAME;
    return ng_snip_find(s, key, n + 1);
}

static int ng_snip_token(void *payload, const ng_token *t)
{
    ng_snip *s = payload;
    ng_stok *k;
    if (s->ntok == s->captok && NG_GROW(s->tok, s->captok, s->ntok + 1) != NG_OK) return NG_ENOMEM;
    if (t->end - t->start > UINT32_MAX) return ng__err(NG_EINVAL, "snippet: word of %zu bytes", t->end - t->start);
    k = &s->tok[s->ntok++];
    k->start = t->start;
    k->len = (uint32_t)(t->end - t->start);
    k->info = ng_snip_term_id(s, t) << 1 | ((t->flags & NG_TOK_SENTENCE) ? 1u : 0u);
    return 0;
}

static int ng_snip_cmp_end(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Steps 3-4: the best cluster [*F,*L] of matches m[0..nm) (sorted by first
** token) over nunit units, for windows of W tokens. */
static int ng_snip_cluster(const ng_smatch *m, size_t nm, size_t nunit, size_t W,
                           size_t *F, size_t *L)
{
    size_t *byend = NULL, *cnt = NULL, i, j, r, d, D = 0, best = NG_NOPOS, last = 0;
    unsigned char *in = NULL;
    int pass;

    if (nm > SIZE_MAX / (2 * sizeof *byend)) return ng__oom();
    byend = ng__malloc(nm * 2 * sizeof *byend); /* pairs (end, match index) */
    cnt = ng__malloc(nunit * sizeof *cnt);
    in = ng__malloc(nm);
    if (!byend || !cnt || !in) {
        ng__free(byend); ng__free(cnt); ng__free(in);
        return ng__oom();
    }
    for (i = 0; i < nm; i++) { byend[2 * i] = m[i].last; byend[2 * i + 1] = i; }
    qsort(byend, nm, 2 * sizeof *byend, ng_snip_cmp_end);

    for (pass = 0; pass < 2; pass++) {
        memset(cnt, 0, nunit * sizeof *cnt);
        memset(in, 0, nm);
        d = 0; j = 0; r = 0; last = 0;
        for (i = 0; i < nm; i++) {
            size_t f = m[i].first;
            if (i > 0 && f == m[i - 1].first) continue;
            /* matches starting before f leave (m[0..r) are gone for good) */
            for (; r < nm && m[r].first < f; r++) {
                if (in[r] && --cnt[m[r].unit] == 0) d--;
            }
            /* matches enter in order of their end */
            while (j < nm) {
                size_t e = byend[2 * j + 1];
                if (pass == 0 ? m[e].last >= f && m[e].last - f >= W : d == D) break;
                j++;
                if (e < r) continue; /* starts before f */
                in[e] = 1;
                if (cnt[m[e].unit]++ == 0) d++;
                last = m[e].last;
            }
            if (pass == 0) {
                if (d > D) D = d;
            } else if (d == D && last - f < best) {
                best = last - f;
                *F = f;
                *L = last;
            }
        }
    }
    ng__free(byend); ng__free(cnt); ng__free(in);
    return NG_OK;
}

static int ng_snip_is_sentence(const ng_snip *s, size_t t) { return (int)(s->tok[t].info & 1u); }

int ng_snippet__make(ng_buf *out, ng_range **ranges_out, size_t *n_ranges_out,
                     ng_analyzer *a, const char *text, size_t len,
                     const ng_snip_phrase *phrases, size_t n_phrases, size_t words)
{
    ng_snip s;
    uint32_t *utid = NULL;        /* terms of unit u: utid[uoff[u] .. uoff[u]+ulen[u]) */
    size_t *uoff = NULL, *ulen = NULL, nunit = 0, nt = 0, u, k, i;
    ng_smatch *m = NULL;
    size_t nm = 0, capm = 0;
    ng_range *hl = NULL;
    size_t nhl = 0, W, ws, we, maxlen = 1;
    unsigned flags = 0;
    int rc = NG_OK;

    memset(&s, 0, sizeof s);
    if (ranges_out) *ranges_out = NULL;
    if (n_ranges_out) *n_ranges_out = 0;
    if (out) ng__buf_clear(out);
    if (!out || !ranges_out || !n_ranges_out || !a || (!text && len) || (!phrases && n_phrases))
        return ng__err(NG_EINVAL, "snippet: missing argument");
    for (u = 0; u < n_phrases; u++) {
        if (phrases[u].n && (!phrases[u].terms || !phrases[u].lens))
            return ng__err(NG_EINVAL, "snippet: unit %zu has no terms", u);
        for (k = 0; k < phrases[u].n; k++) {
            if (!phrases[u].terms[k] && phrases[u].lens[k])
                return ng__err(NG_EINVAL, "snippet: unit %zu has a NULL term", u);
        }
        if (nt > SIZE_MAX / 4 - phrases[u].n) return ng__oom();
        nt += phrases[u].n;
    }

    /* The distinct terms, and the distinct usable units as term ids. */
    for (s.mask = 1; s.mask < 2 * nt + 2; s.mask <<= 1) {}
    s.term = ng__malloc((nt + 1) * sizeof *s.term);
    s.slot = ng__calloc(s.mask, sizeof *s.slot);
    s.mask--;
    utid = ng__malloc((nt + 1) * sizeof *utid);
    uoff = ng__malloc((n_phrases + 1) * sizeof *uoff);
    ulen = ng__malloc((n_phrases + 1) * sizeof *ulen);
    if (!s.term || !s.slot || !utid || !uoff || !ulen) { rc = ng__oom(); goto done; }
    nt = 0;
    for (u = 0; u < n_phrases; u++) {
        const ng_snip_phrase *p = &phrases[u];
        size_t v;
        if (p->n == 0) continue;
        for (k = 0; k < p->n && p->lens[k] > 0; k++) {}
        if (k < p->n) continue; /* an empty term matches nothing */
        for (k = 0; k < p->n; k++) {
            utid[nt + k] = ng_snip_add(&s, p->terms[k], p->lens[k]);
            if (p->terms[k][0] == NG_NS_NAME) s.has_keys = 1;
        }
        for (v = 0; v < nunit; v++) {
            if (ulen[v] == p->n && memcmp(utid + uoff[v], utid + nt, p->n * sizeof *utid) == 0) break;
        }
        if (v < nunit) continue; /* the same unit twice counts once */
        uoff[nunit] = nt;
        ulen[nunit] = p->n;
        if (p->n > maxlen) maxlen = p->n;
        nunit++;
        nt += p->n;
    }

    /* Step 1: the tokens. */
    rc = ng__analyze(a, text, len, 0, ng_snip_token, &s, NULL);
    if (rc != NG_OK) {
        if (rc > 0) rc = ng__err(NG_ERROR, "snippet: analyzer stopped (%d)", rc);
        goto done;
    }
    if (s.ntok == 0) {
        ng__buf_put(&rc, out, "", 0);
        goto done;
    }

    /* Step 2: the matches. */
    for (i = 0; i < s.ntok; i++) {
        uint32_t id = s.tok[i].info >> 1;
        if (!id) continue;
        for (u = 0; u < nunit; u++) {
            const uint32_t *t = utid + uoff[u];
            if (t[0] != id || ulen[u] > s.ntok - i) continue;
            for (k = 1; k < ulen[u] && (s.tok[i + k].info >> 1) == t[k]; k++) {}
            if (k < ulen[u]) continue;
            if (nm == capm && NG_GROW(m, capm, nm + 1) != NG_OK) { rc = NG_ENOMEM; goto done; }
            m[nm].first = i;
            m[nm].last = i + ulen[u] - 1;
            m[nm].unit = u;
            nm++;
        }
    }

    /* Steps 3-5: the window [ws,we]. */
    W = words ? words : NG_SNIP_DEFAULT_WORDS;
    if (W < maxlen) W = maxlen;
    if (W > s.ntok) W = s.ntok;
    if (nm == 0) {
        ws = 0;
        we = W - 1;
    } else {
        size_t F = 0, L = 0, t, slack, lead, lim;
        int aligned;
        rc = ng_snip_cluster(m, nm, nunit, W, &F, &L);
        if (rc != NG_OK) goto done;
        slack = W - (L - F + 1);
        for (t = F; !ng_snip_is_sentence(&s, t) && t > 0 && F - t < NG_SNIP_ALIGN; t--) {}
        aligned = ng_snip_is_sentence(&s, t);
        if (aligned) {
            ws = t;
            we = ws + W - 1 > L ? ws + W - 1 : L;
        } else {
            lead = slack / 2 < NG_SNIP_ALIGN ? slack / 2 : NG_SNIP_ALIGN;
            ws = F - (lead < F ? lead : F);
            we = ws + W - 1;
        }
        if (ws + W > s.ntok) {
            /* The window runs past the end: fill it from before, starting
            ** at the earliest sentence start that keeps the alignment (or
            ** within a few tokens of the new start). */
            lim = aligned ? ws : (s.ntok - W + NG_SNIP_ALIGN < F ? s.ntok - W + NG_SNIP_ALIGN : F);
            for (t = s.ntok - W; t < lim && !ng_snip_is_sentence(&s, t); t++) {}
            ws = ng_snip_is_sentence(&s, t) ? t : s.ntok - W;
            we = s.ntok - 1;
        }
        if (we >= s.ntok) we = s.ntok - 1;
    }

    /* Highlights: the matches wholly inside the window, merged. */
    for (i = 0; i < nm; i++) nhl += m[i].first >= ws && m[i].last <= we;
    if (nhl) {
        hl = ng__malloc(nhl * sizeof *hl);
        if (!hl) { rc = ng__oom(); goto done; }
        nhl = 0;
        for (i = 0; i < nm; i++) {
            size_t b, e;
            if (m[i].first < ws || m[i].last > we) continue;
            b = s.tok[m[i].first].start;
            e = s.tok[m[i].last].start + s.tok[m[i].last].len;
            if (nhl && b < hl[nhl - 1].end) {
                if (e > hl[nhl - 1].end) hl[nhl - 1].end = e;
            } else {
                hl[nhl].start = b;
                hl[nhl].end = e;
                nhl++;
            }
        }
    }
    if (ws > 0) flags |= NG_SNIP_ELLIPSIS_BEFORE;
    if (we + 1 < s.ntok) flags |= NG_SNIP_ELLIPSIS_AFTER;
    rc = ng_snippet__render(out, ranges_out, n_ranges_out, text, len, s.tok[ws].start,
                            s.tok[we].start + s.tok[we].len,
                            ws > 0 ? s.tok[ws - 1].start + s.tok[ws - 1].len : 0,
                            we + 1 < s.ntok ? s.tok[we + 1].start : len, flags, hl, nhl);

done:
    ng__free(hl);
    ng__free(m);
    ng__free(s.tok);
    ng__free(s.term);
    ng__free(s.slot);
    ng__free(utid);
    ng__free(uoff);
    ng__free(ulen);
    if (rc != NG_OK) {
        ng__buf_clear(out);
        if (*ranges_out) { ng__free(*ranges_out); *ranges_out = NULL; }
        *n_ranges_out = 0;
    }
    return rc;
}

NG_EXTERN(void) ng_ranges_free(ng_range *r) { ng__free(r); }
