/*
** fuzz_analyze.c -- libFuzzer target: UTF-8 decoding, folding, the
** tokenizer and the stemmers.
**
** The first input byte picks a language; the rest is text.  Every token
** must lie inside the text, tokens must come in increasing order of
** position and of start offset, and terms must be non-empty and at most
** NG_MAX_TERM_BYTES.  ng__fold_word must stay within its output buffer.
*/
#include <stdio.h>
#include <stdlib.h>

#include "ng_int.h"

static const char *const langs[] = {"english", "french", "german", "russian", "none", "spanish", "finnish", "dutch"};
static ng_analyzer *g_an[8];

typedef struct check_state {
    size_t len;
    uint32_t n;
    uint32_t last_pos;
    size_t last_start;
} check_state;

static int on_token(void *payload, const ng_token *tok)
{
    check_state *s = payload;
    if (tok->start > tok->end || tok->end > s->len) abort();
    if (tok->term_len == 0 || tok->term_len > NG_MAX_TERM_BYTES) abort();
    if (s->n > 0 && (tok->pos <= s->last_pos || tok->start < s->last_start)) abort();
    s->last_pos = tok->pos;
    s->last_start = tok->start;
    s->n++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_state st = {0, 0, 0, 0};
    uint32_t n = 0;
    unsigned k;
    char folded[80];
    if (size < 1) return 0;
    k = data[0] & 7;
    if (!g_an[k] && ng_analyzer__new(&g_an[k], langs[k]) != NG_OK) abort();
    st.len = size - 1;
    if (ng__analyze(g_an[k], (const char *)data + 1, size - 1, 0, on_token, &st, &n) != 0) abort();
    if (n != st.n) abort();
    if (ng__fold_word(folded, sizeof folded, (const char *)data + 1, size - 1) >= sizeof folded) abort();
    return 0;
}
