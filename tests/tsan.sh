#!/bin/sh
# tests/tsan.sh -- build the library and tests/unit/test_threads with
# ThreadSanitizer in a build tree of its own, and run the test.
#
#   TSAN_CC        compiler (default: gcc, else clang)
#   TSAN_BUILDDIR  build tree (default: $abs_top_builddir/tsan-build, or
#                  ${TMPDIR:-/tmp}/newsgrep-tsan outside make)
# Exit status: the test's; 77 when -fsanitize=thread does not work here.
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TSAN_BUILDDIR:-${abs_top_builddir:+$abs_top_builddir/tsan-build}}
build=${build:-${TMPDIR:-/tmp}/newsgrep-tsan}
cc=${TSAN_CC:-}
probe=$(mktemp -d "${TMPDIR:-/tmp}/ng-tsan-probe.XXXXXX")
trap 'rm -rf "$probe"' EXIT
printf '#include <pthread.h>\nstatic void *f(void *a) { return a; }\nint main(void) { pthread_t t; pthread_create(&t, 0, f, 0); return pthread_join(t, 0); }\n' > "$probe/t.c"
for c in ${cc:-gcc clang}; do
    if "$c" -fsanitize=thread -pthread "$probe/t.c" -o "$probe/t" 2>/dev/null && "$probe/t" 2>/dev/null; then
        cc=$c
        break
    fi
    cc=
done
[ -n "$cc" ] || { echo "tsan: -fsanitize=thread unavailable: skipped"; exit 77; }
# a tree left by another checkout (the default is shared under /tmp) is
# configured, and its dependency files written, for that checkout's
# sources, which may be gone: start it afresh
if [ -f "$build/Makefile" ] && ! grep -qx "abs_top_srcdir = $top" "$build/Makefile"; then
    rm -rf "$build"
fi
mkdir -p "$build"
cd "$build" || exit 2
if [ ! -f Makefile ]; then
    "$top/configure" CC="$cc" CFLAGS="-g -O1 -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
        --disable-shared >/dev/null || { echo "tsan: configure failed"; exit 2; }
fi
make -j"$(nproc 2>/dev/null || echo 2)" src/libnewsgrep.la tests/unit/test_threads >/dev/null ||
    { echo "tsan: build failed"; exit 2; }
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" tests/unit/test_threads
st=$?
[ $st -eq 0 ] || exit $st

# The indexer's own threads (analysis, store, flush, merge) under TSan: a
# JSON Lines corpus with replaced ids, indexed with 1 MB of memory so that
# the flush thread and the merges overlap the inversion many times.
make -j"$(nproc 2>/dev/null || echo 2)" src/newsgrep >/dev/null || { echo "tsan: build of newsgrep failed"; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ng-tsan.XXXXXX")
trap 'rm -rf "$probe" "$work"' EXIT
i=0
while [ $i -lt 6000 ]; do
    for f in "$top"/corpus/*.txt; do
        # every 7th id repeats an earlier one: a replacement across flushes
        id=$((i % 7 == 0 ? i / 3 : i))
        tr -d '\r"\\' < "$f" | tr '\n\t' '  ' | sed "s/^/{\"id\":\"d$id\",\"title\":\"t $i\",\"body\":\"w$i /; s/\$/\"}/"
        echo
        i=$((i + 1))
    done
done > "$work/docs.jsonl"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    src/newsgrep --index "$work/idx" index -q -j 2 --memory 1 "$work/docs.jsonl" || { echo "tsan: newsgrep index failed"; exit 1; }
src/newsgrep --index "$work/idx" check >/dev/null || { echo "tsan: the index does not check"; exit 1; }
echo "tsan: newsgrep index with flushes and merges: ok"
