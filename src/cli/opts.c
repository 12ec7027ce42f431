/*
 * opts.c -- the option parser of the newsgrep program.
 *
 * Long options take their value as "--opt=V" or "--opt V", short ones as
 * "-oV" or "-o V"; flags may be grouped ("-lc").  Options and positional
 * arguments may be mixed in any order; "--" makes every later argument
 * positional, and a lone "-" is positional.  Long names must be given in
 * full (no abbreviations), so adding an option never breaks a script.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_args_init(cli_args *a, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->idx = 0;
    a->no_more = 0;
    a->cluster = NULL;
}

static const cli_option *find_short(const cli_option *t, int c)
{
    for (; t->long_name != NULL || t->short_name != 0; t++)
        if (t->short_name != 0 && t->short_name == c)
            return t;
    return NULL;
}

static const cli_option *find_long(const cli_option *t, const char *name, size_t len)
{
    for (; t->long_name != NULL || t->short_name != 0; t++)
        if (t->long_name != NULL && strlen(t->long_name) == len &&
            memcmp(t->long_name, name, len) == 0)
            return t;
    return NULL;
}

int cli_args_next(cli_args *a, const cli_option *table, int *id, const char **val)
{
    *id = 0;
    *val = NULL;
    for (;;) {
        const char *s;
        if (a->cluster != NULL && *a->cluster != '\0') {
            int c = (unsigned char)*a->cluster++;
            const cli_option *o = find_short(table, c);
            if (o == NULL) {
                cli_usage_error("unknown option '-%c'", c);
                return CLI_ARG_BAD;
            }
            if (o->has_arg) {
                if (*a->cluster != '\0') {
                    *val = a->cluster;
                } else if (a->idx < a->argc) {
                    *val = a->argv[a->idx++];
                } else {
                    cli_usage_error("option '-%c' requires an argument", c);
                    return CLI_ARG_BAD;
                }
                a->cluster = NULL;
            }
            *id = o->id;
            return CLI_ARG_OPT;
        }
        a->cluster = NULL;
        if (a->idx >= a->argc)
            return CLI_ARG_END;
        s = a->argv[a->idx++];
        if (a->no_more || s[0] != '-' || s[1] == '\0') {
            *val = s;
            return CLI_ARG_POS;
        }
        if (s[1] == '-') {
            const char *name = s + 2, *eq;
            size_t nlen;
            const cli_option *o;
            int shown;
            if (*name == '\0') {
                a->no_more = 1;
                continue;
            }
            eq = strchr(name, '=');
            nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
            shown = nlen > 64 ? 64 : (int)nlen;
            o = find_long(table, name, nlen);
            if (o == NULL) {
                cli_usage_error("unknown option '--%.*s'", shown, name);
                return CLI_ARG_BAD;
            }
            if (o->has_arg) {
                if (eq != NULL) {
                    *val = eq + 1;
                } else if (a->idx < a->argc) {
                    *val = a->argv[a->idx++];
                } else {
                    cli_usage_error("option '--%s' requires an argument", o->long_name);
                    return CLI_ARG_BAD;
                }
            } else if (eq != NULL) {
                cli_usage_error("option '--%s' does not take an argument", o->long_name);
                return CLI_ARG_BAD;
            }
            *id = o->id;
            return CLI_ARG_OPT;
        }
        a->cluster = s + 1;
    }
}

int cli_parse_size(const char *opt, const char *s, size_t *out)
{
    unsigned long long v;
    char *end;
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p < '0' || *p > '9') /* also rejects a sign */
        goto bad;
    errno = 0;
    v = strtoull(p, &end, 10);
    if (errno != 0 || *end != '\0' || v > (unsigned long long)SIZE_MAX)
        goto bad;
    *out = (size_t)v;
    return 0;
bad:
    cli_usage_error("invalid number '%s' for %s", s, opt);
    return -1;
}

int cli_parse_double(const char *opt, const char *s, double min, double max, double *out)
{
    double v;
    char *end;
    if (*s == '\0')
        goto bad;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    cli_usage_error("invalid value '%s' for %s (expected a number from %g to %g)", s, opt, min,
                    max);
    return -1;
}
