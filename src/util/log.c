/*
** log.c -- diagnostics to the embedder's callback; the library never prints.
*/
#include <stdio.h>

#include "ng_int.h"

void ng__log(const ng_logger *lg, int level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    if (!lg || !lg->fn) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lg->fn(level, msg, lg->payload);
}
