#!/bin/sh
# tools/check.sh -- build newsgrep and run every test.
#
# 1. installs missing build dependencies (apt-get as root; otherwise prints
#    the command to run), bootstraps autotools, configures with -Werror and
#    builds in-tree, runs `make check`;
# 2. runs the end-to-end CLI tests again under valgrind (zero errors, zero
#    definite or indirect leaks) and the fault-injection campaign;
# 3. `make distcheck` (the tarball builds, tests, installs and uninstalls);
# 4. from the release tarball: the install test (make install into a
#    DESTDIR, then the embedding example built with pkg-config only), and
#    `make check` a second time with AddressSanitizer and
#    UndefinedBehaviorSanitizer, the thread test under ThreadSanitizer, and
#    each fuzz target for a short time (NG_FUZZ_SECONDS, default 20);
# 5. prints the totals on a line of its own: "N passed, N failed".
# Exit status 0 only if everything built and no test failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/tools/deps.sh"
set +e  # deps.sh runs with -e; a failing stage must not end the count

ng_install_deps python3 valgrind groff-base clang libclang-rt-14-dev || exit 2

passed=0
failed=0
fail_build() {
    echo "check: $*" >&2
    failed=$((failed + 1))
    echo "$passed passed, $failed failed"
    exit 1
}

# Count test cases in the automake logs of one build tree: CUnit programs
# report "tests <run> <succeeded> <failed>", scripts "ok N"/"not ok N".
count_logs() {
    dir=$1
    for log in $(find "$dir/tests" -name '*.log' ! -name 'test-suite.log' 2>/dev/null); do
        trs=${log%.log}.trs
        res=$(sed -n 's/^:test-result: //p' "$trs" 2>/dev/null | head -n 1)
        cu=$(awk '$1 == "tests" && NF >= 6 { print $4, $5 }' "$log" | tail -n 1)
        tap_ok=$(grep -c '^ok ' "$log" || true)
        tap_bad=$(grep -c '^not ok ' "$log" || true)
        if [ -n "$cu" ]; then
            set -- $cu
            passed=$((passed + $1)); failed=$((failed + $2))
            # a program that crashed after its summary still fails
            [ "$res" = FAIL ] && [ "$2" -eq 0 ] && failed=$((failed + 1))
        elif [ $((tap_ok + tap_bad)) -gt 0 ]; then
            passed=$((passed + tap_ok)); failed=$((failed + tap_bad))
            [ "$res" = FAIL ] && [ "$tap_bad" -eq 0 ] && failed=$((failed + 1))
        else
            case "$res" in
            PASS) passed=$((passed + 1)) ;;
            SKIP) ;;
            *) failed=$((failed + 1)) ;;
            esac
        fi
        [ "$res" = FAIL ] || [ "$res" = ERROR ] && echo "check: FAILED: $log" >&2 && tail -n 40 "$log" >&2
    done
    return 0
}

# What each stage added to the count, on stderr, so that two runs whose
# totals differ can be compared stage by stage.
p_mark=0 f_mark=0
tally() {
    echo "check: tally of $1: $((passed - p_mark)) ok, $((failed - f_mark)) not ok" >&2
    p_mark=$passed f_mark=$failed
}

jobs=$(nproc 2>/dev/null || echo 2)
rm -rf "$top/_logs"; mkdir -p "$top/_logs"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    echo "check: bootstrapping (autoreconf)" >&2
    autoreconf -fi >&2 || fail_build "autoreconf failed"
fi
echo "check: configuring and building (in-tree, -Werror)" >&2
./configure --enable-werror >&2 || fail_build "configure failed (see config.log)"
make -j"$jobs" >&2 || fail_build "build failed"
echo "check: make check" >&2
make -j"$jobs" check >&2
count_logs "$top"
tally "make check"

# Count the ok / not ok lines of one TAP-style script run; a script that
# failed without a "not ok" line still counts as one failure.
count_tap() {
    log=$1 status=$2
    ok=$(grep -c '^ok ' "$log" || true)
    bad=$(grep -c '^not ok ' "$log" || true)
    cu=$(awk '$1 == "tests" && NF >= 6 { print $4, $5 }' "$log" | tail -n 1)
    if [ $((ok + bad)) -eq 0 ] && [ -n "$cu" ]; then # a CUnit program's summary
        set -- $cu
        ok=$1 bad=$2
    fi
    passed=$((passed + ok)); failed=$((failed + bad))
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ] && [ "$bad" -eq 0 ]; then
        failed=$((failed + 1)); echo "check: FAILED: $log" >&2; tail -n 30 "$log" >&2
    fi
    [ "$bad" -gt 0 ] && { echo "check: FAILED: $log" >&2; grep '^not ok' "$log" >&2; }
    return 0
}

echo "check: CLI tests under valgrind" >&2
vg="$top/libtool --mode=execute valgrind -q --leak-check=full --show-leak-kinds=definite,indirect"
vg="$vg --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
for t in test-cli test-corpus test-index; do
    log="$top/_logs/$t.valgrind.log"
    abs_top_builddir=$top abs_top_srcdir=$top srcdir=$top NEWSGREP_WRAPPER=$vg \
        sh "$top/tests/cli/$t.sh" >"$log" 2>&1
    count_tap "$log" $?
done
tally "the CLI tests under valgrind"

echo "check: fault injection (every write, fsync, rename, mmap, open failing in turn)" >&2
abs_top_builddir=$top abs_top_srcdir=$top sh "$top/tests/fault/run.sh" >"$top/_logs/fault.log" 2>&1
count_tap "$top/_logs/fault.log" $?
tally "fault injection"

echo "check: make distcheck" >&2
if make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >"$top/_logs/distcheck.log" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "check: FAILED: make distcheck" >&2; tail -n 40 "$top/_logs/distcheck.log" >&2
fi
tally "make distcheck"

echo "check: make dist, then make check under ASan+UBSan" >&2
rm -rf "$top/_check"
mkdir -p "$top/_check"
if make dist >&2 && tar -xzf newsgrep-*.tar.gz -C "$top/_check"; then
    # the install test configures a tree of its own: from the pristine tarball
    echo "check: install test (DESTDIR, pkg-config), from the tarball" >&2
    mkdir -p "$top/_check/inst" && tar -xzf newsgrep-*.tar.gz -C "$top/_check/inst"
    inst=$(ls -d "$top"/_check/inst/newsgrep-*)
    abs_top_srcdir=$inst sh "$inst/tests/install-test.sh" >"$top/_logs/install-test.log" 2>&1
    count_tap "$top/_logs/install-test.log" $?
    tally "the install test"
    # so does the ThreadSanitizer build
    echo "check: thread test under ThreadSanitizer, from the tarball" >&2
    abs_top_srcdir=$inst sh "$inst/tests/tsan.sh" >"$top/_logs/tsan.log" 2>&1
    count_tap "$top/_logs/tsan.log" $?
    tally "ThreadSanitizer"
    rm -rf "$top/_check/inst"
    san=$(ls -d "$top"/_check/newsgrep-*)
    if (cd "$san" && ./configure --enable-werror --enable-sanitizers >&2 &&
        make -j"$jobs" >&2); then
        (cd "$san" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
            make -j"$jobs" check >&2)
        count_logs "$san"
    else
        failed=$((failed + 1)); echo "check: sanitizer build failed" >&2
    fi
else
    failed=$((failed + 1)); echo "check: make dist failed" >&2
fi
rm -f newsgrep-*.tar.gz
tally "make check under ASan+UBSan"


echo "check: fuzz targets, ${NG_FUZZ_SECONDS:-20} s each" >&2
FUZZ_WORK="$top/_check/fuzz" NEWSGREP="$top/src/newsgrep" \
    sh "$top/tests/fuzz/run.sh" "${NG_FUZZ_SECONDS:-20}" >"$top/_logs/fuzz.log" 2>&1
st=$?
case $st in
0) passed=$((passed + 1)) ;;
77) echo "check: fuzzing skipped (no clang)" >&2 ;;
*) failed=$((failed + 1)); echo "check: FAILED: fuzzing (see _logs/fuzz.log)" >&2; tail -n 30 "$top/_logs/fuzz.log" >&2 ;;
esac
tally "fuzzing"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
