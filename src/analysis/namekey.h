/*
** namekey.h -- the explainable side of the name key (namekey.c).
**
** ng__name_key() (declared in analysis.h) maps a folded word to a Latin key
** shared by the spelling and transliteration variants of one name.  The key
** is built by a fixed list of rules, applied in order; this header exposes
** that list so that --explain and the hit output can say which rules made
** two spellings meet ("Зеленський ~ Zelenskyy: cyrillic, y-i, double").
*/
#ifndef NG_NAMEKEY_H
#define NG_NAMEKEY_H

#include <stddef.h>
#include <stdint.h>

/* One normalisation rule of the name key. */
typedef struct ng_name_rule {
    const char *id;      /* short name: "cyrillic", "kh-h", ... */
    const char *what;    /* the rewriting, e.g. "kh -> h" */
    const char *example; /* two spellings it unifies */
} ng_name_rule;

/* The rules in the order they are applied; *n_out receives their number
** (at most 32: bit i of a "fired" mask is rule i).  Static storage. */
const ng_name_rule *ng__name_rules(size_t *n_out);

/* As ng__name_key(), and *fired (may be NULL) receives the mask of the
** rules that changed something (bit i = ng__name_rules()[i]); 0 when the
** word gets no key. */
size_t ng__name_key_explain(const char *word, size_t len, char *out, size_t cap, uint32_t *fired);

#endif
