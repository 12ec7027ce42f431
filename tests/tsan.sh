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
mkdir -p "$build"
cd "$build" || exit 2
if [ ! -f Makefile ]; then
    "$top/configure" CC="$cc" CFLAGS="-g -O1 -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
        --disable-shared >/dev/null || { echo "tsan: configure failed"; exit 2; }
fi
make -j"$(nproc 2>/dev/null || echo 2)" src/libnewsgrep.la tests/unit/test_threads >/dev/null ||
    { echo "tsan: build failed"; exit 2; }
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" tests/unit/test_threads
