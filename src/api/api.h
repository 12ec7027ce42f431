/*
** api.h -- the public objects that glue modules together (api/query.c).
*/
#ifndef NG_API_H
#define NG_API_H

#include "reader/reader.h"

struct ng_query {
    ng_qnode *root;  /* NULL: the query has no term after analysis: matches nothing */
    char lang[32];   /* analyzer language it was parsed with */
    ng_analyzer *an; /* kept for snippets: a query belongs to one thread at a time */
    char *text;      /* the query text (suggestions rewrite it), NUL-terminated */
    size_t len;
    unsigned flags;  /* NG_QUERY_* */
};

#endif
