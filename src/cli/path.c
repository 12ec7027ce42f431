/*
 * path.c -- where the index lives.
 *
 * --index DIR, else $NEWSGREP_INDEX, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/newsgrep (an empty variable counts
 * as unset, as in the shell expansion).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p;
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    p = malloc(dl + 1 + nl + 1);
    if (p == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    memcpy(p, s, n);
    return p;
}

char *cli_index_path(const char *opt)
{
    const char *e;
    if (opt != NULL) {
        if (*opt == '\0') {
            cli_usage_error("--index needs a directory");
            return NULL;
        }
        return dup_str(opt);
    }
    e = getenv("NEWSGREP_INDEX");
    if (e != NULL && *e != '\0')
        return dup_str(e);
    e = getenv("XDG_DATA_HOME");
    if (e != NULL && *e != '\0')
        return join(e, "newsgrep");
    e = getenv("HOME");
    if (e == NULL || *e == '\0') {
        cli_error("cannot locate the index: use --index DIR, or set NEWSGREP_INDEX or HOME");
        return NULL;
    }
    return join(e, ".local/share/newsgrep");
}

int cli_make_parents(const char *path)
{
    size_t len = strlen(path), i;
    char *p;
    int rc = 0;
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/') /* drop the last component */
        len--;
    if (len == 0)
        return 0;
    p = malloc(len + 1);
    if (p == NULL) {
        cli_error("out of memory");
        return -1;
    }
    memcpy(p, path, len);
    p[len] = '\0';
    for (i = 1; i <= len && rc == 0; i++) {
        if (i < len && p[i] != '/')
            continue;
        p[i] = '\0';
        if (i > 0 && p[i - 1] != '/' && mkdir(p, 0700) != 0 && errno != EEXIST) {
            cli_error("%s: %s", p, strerror(errno));
            rc = -1;
        }
        if (i < len)
            p[i] = '/';
    }
    free(p);
    return rc;
}
