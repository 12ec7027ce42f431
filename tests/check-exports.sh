#!/bin/sh
# check-exports.sh -- libnewsgrep.so exports exactly the functions that
# include/newsgrep.h declares with NG_EXTERN, and nothing internal.
# Exit 77 (skip) when nm or the shared library is not available.
top_srcdir=${abs_top_srcdir:-${srcdir:-.}}
top_builddir=${abs_top_builddir:-.}
so=$top_builddir/src/.libs/libnewsgrep.so
command -v nm >/dev/null 2>&1 || exit 77
[ -f "$so" ] || { echo "no $so (static build?)"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort > "$tmp/exported"
sed -n 's/^NG_EXTERN([^)]*) *\([a-z_0-9]*\)(.*/\1/p' "$top_srcdir/include/newsgrep.h" | sort > "$tmp/declared"
if ! cmp -s "$tmp/exported" "$tmp/declared"; then
    echo "not ok 1 - exported symbols differ from the header (< exported, > declared):"
    diff "$tmp/exported" "$tmp/declared"
    exit 1
fi
echo "ok 1 - $(wc -l < "$tmp/declared") exported symbols, all declared in newsgrep.h"
exit 0
