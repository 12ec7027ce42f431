#!/bin/sh
# test-index.sh -- end-to-end tests of "newsgrep index" (incremental runs,
# summary line, quiet and verbose modes, the writer lock) and "newsgrep
# optimize".
#
# Environment: NEWSGREP, NEWSGREP_WRAPPER, NG_TEST_DEBUG as in test-cli.sh.
# Prints "ok N - desc" or "not ok N - desc" per check; exits 0 if all
# passed, 1 if any failed, 77 (skip) if the program is missing.

top=${abs_top_builddir:-.}
NEWSGREP=${NEWSGREP:-$top/src/newsgrep}

if [ ! -x "$NEWSGREP" ]; then
    echo "# $NEWSGREP not found; skipping"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsgrep-index.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' 0
trap 'exit 2' HUP INT TERM
unset NEWSGREP_INDEX NO_COLOR XDG_DATA_HOME
HOME=$tmp/home
export HOME
mkdir "$HOME"

n=0
failed=0
ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    failed=1
    if [ -s "$tmp/err" ]; then
        sed 's/^/#   stderr: /' "$tmp/err" | head -n 5
    fi
}
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}
run() {
    $NEWSGREP_WRAPPER "$NEWSGREP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ -n "${NG_TEST_DEBUG:-}" ]; then { echo "== $*"; cat "$tmp/out" "$tmp/err"; } >&2; fi
}
rc_is() { [ "$rc" -eq "$1" ]; }
err_has() { grep -q -e "$1" "$tmp/err"; }
out_has() { grep -q -e "$1" "$tmp/out"; }
err_empty() { [ ! -s "$tmp/err" ]; }
# the value of a "name  value" line of newsgrep stats
stat_of() { "$NEWSGREP" --index "$ix" stats | sed -n "s/^$1  *//p"; }

c=$tmp/corpus
ix=$tmp/ix
mkdir -p "$c/sub"
printf 'War and peace\n\nThe war ended. Peace began.\n' >"$c/2022-01-01-a.txt"
printf 'Peace talks\n\nTalks on peace resumed.\n' >"$c/2022-01-02-b.txt"
printf 'Harbour news\n\nShips came back to the harbour.\n' >"$c/sub/c.txt"
i=0
: >"$c/news.jsonl"
while [ $i -lt 50 ]; do
    printf '{"id":"n%d","title":"item %d","body":"river bank market %d troop"}\n' $i $i $i >>"$c/news.jsonl"
    i=$((i + 1))
done

run --index "$ix" index "$c"
check "first run: exit 0" rc_is 0
check "first run: summary line" err_has "^indexed 53 documents (0 skipped) from .* MB in .* s (.* MB/s): 53 added, 0 updated, 0 deleted, 0 unchanged; index .* MB in 1 segment$"
check "no progress line when stderr is not a terminal" eval '! grep -q "indexing:" "$tmp/err"'
gen1=$(stat_of generation)

run --index "$ix" index "$c"
check "second run: up to date" err_has "^index is up to date: 4 files unchanged$"
check "second run: nothing committed" eval '[ "$(stat_of generation)" = "$gen1" ]'

printf 'Peace talks\n\nTalks on peace stalled.\n' >"$c/2022-01-02-b.txt"
rm "$c/sub/c.txt"
printf 'New\n\nA new article.\n' >"$c/d.txt"
run --index "$ix" index -v "$c"
check "changes: 1 added, 1 updated, 1 deleted" err_has ": 1 added, 1 updated, 1 deleted, 51 unchanged;"
check "-v: one line per file read" err_has "d.txt: 1 documents analysed, 0 unchanged"
run --index "$ix" peace
check "changed file searchable" eval 'rc_is 0 && out_has "stalled"'
run --index "$ix" harbour
check "deleted file not found" rc_is 1

# one line of the JSONL changed, one removed: only that line is analysed
sed -e 's/market 7 troop/market 7 storm/' -e '/"n9"/d' "$c/news.jsonl" >"$tmp/n" && mv "$tmp/n" "$c/news.jsonl"
run --index "$ix" index "$c"
check "jsonl: 1 line analysed, 1 deleted" err_has "^indexed 1 documents .*: 0 added, 1 updated, 1 deleted, 51 unchanged;"

run --index "$ix" index -q "$c"
check "-q: nothing on stderr" eval 'rc_is 0 && err_empty'

run --index "$ix" index "$tmp/missing"
check "missing path: exit 2, index untouched" eval 'rc_is 2 && [ "$(stat_of documents)" = 52 ]'

# many segments with a tiny memory limit, then optimize
i=0
: >"$c/big.jsonl"
while [ $i -lt 400 ]; do
    printf '{"id":"b%d","body":"word%d common text about storms and rivers and %d more words to fill the memory"}\n' $i $i $i >>"$c/big.jsonl"
    i=$((i + 1))
done
run --index "$ix" index --memory=1 -j2 "$c"
check "index --memory 1: exit 0" rc_is 0
run --index "$ix" optimize
check "optimize: exit 0 and a message" eval 'rc_is 0 && err_has "^optimized: 452 documents in 1 segment$"'
check "stats after optimize: 1 segment" eval '[ "$(stat_of segments)" = 1 ]'
run --index "$ix" check
check "check after optimize" rc_is 0
run --index "$ix" -c common
check "search after optimize" eval 'rc_is 0 && [ "$(cat "$tmp/out")" = 400 ]'
run --index "$ix" index "$c"
check "up to date after optimize" err_has "^index is up to date: 5 files unchanged$"

run --index "$tmp/none" optimize
check "optimize without an index: exit 2" rc_is 2

run --index "$ix" index --wait=0.2 "$c"
check "--wait accepted" rc_is 0
run --index "$ix" index --wait=x "$c"
check "--wait needs a number" rc_is 2

# -j does not change the index
run --index "$tmp/j1" index -q -j1 --memory=1 "$c"
run --index "$tmp/j3" index -q -j3 --memory=1 "$c"
same=yes
for f in "$tmp/j1"/*; do
    b=$(basename "$f")
    [ "$b" = LOCK ] && continue
    cmp -s "$f" "$tmp/j3/$b" || same=no
done
check "-j1 and -j3 give the same files" [ "$same" = yes ]

echo "1..$n"
exit $failed
