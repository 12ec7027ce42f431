/* headertest.c -- the public header compiles alone as C99 with -pedantic
 * and every warning as an error (libgit2's tests/headertest). */
#include <newsgrep.h>

int main(void)
{
    ng_writer_options wo = NG_WRITER_OPTIONS_INIT;
    ng_search_options so = NG_SEARCH_OPTIONS_INIT;
    ng_snippet_options sn = NG_SNIPPET_OPTIONS_INIT;
    ng_buf b = NG_BUF_INIT;
    return (wo.version == NG_WRITER_OPTIONS_VERSION && so.limit == 10 && sn.words == 30 && b.size == 0) ? 0 : 1;
}
