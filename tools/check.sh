#!/bin/sh
# tools/check.sh -- build newsgrep and run every test.
#
# 1. installs missing build dependencies (apt-get as root; otherwise prints
#    the command to run), bootstraps autotools, configures with -Werror and
#    builds in-tree, runs `make check`;
# 2. builds the release tarball (`make dist`) and runs its `make check` a
#    second time with AddressSanitizer and UndefinedBehaviorSanitizer;
# 3. prints the totals on a line of its own: "N passed, N failed".
# Exit status 0 only if everything built and no test failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/tools/deps.sh"

ng_install_deps python3 valgrind || exit 2

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

jobs=$(nproc 2>/dev/null || echo 2)
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

echo "check: make dist, then make check under ASan+UBSan" >&2
rm -rf "$top/_check"
mkdir -p "$top/_check"
if make dist >&2 && tar -xzf newsgrep-*.tar.gz -C "$top/_check"; then
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
