#!/bin/sh
# tests/crash/kill-test.sh -- crash consistency under SIGKILL.
#
# Indexes a growing corpus in batches, one `newsgrep index` run (one
# commit) per batch, with --memory 1 so that every run flushes several
# segments (and the writer merges them).  Each run is killed with SIGKILL
# at a random moment; after each kill:
#   - the index opens and `newsgrep check` passes;
#   - it holds exactly the documents of the batches whose run completed
#     (the kill may land after the commit point: then the batch counts as
#     completed, but never partly);
# then the batch is indexed again to completion, and the directory must hold
# no leftover: only LOCK, MANIFEST and files of the segments it names.
# Every fourth batch also runs `newsgrep optimize` (if the command exists),
# killed as well.
#   KILLS        number of kills (default 50; the long mode: 500)
#   KILL_DOCS    documents per batch (default 30)
#   NEWSGREP     the binary (default: $abs_top_builddir/src/newsgrep)
# Output: TAP lines, then "# kills: N, completed before the kill: M".
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${NEWSGREP:-${abs_top_builddir:-$top}/src/newsgrep}
[ -x "$bin" ] || { echo "1..0 # SKIP no newsgrep binary at $bin"; exit 77; }
kills=${KILLS:-50}
per=${KILL_DOCS:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/ng-kill.XXXXXX")
trap 'rm -rf "$work"' EXIT
idx=$work/idx
has_optimize=0
"$bin" optimize --help >/dev/null 2>&1 && has_optimize=1

n_test=0
n_fail=0
ok() { n_test=$((n_test + 1)); echo "ok $n_test - $*"; }
not_ok() { n_test=$((n_test + 1)); n_fail=$((n_fail + 1)); echo "not ok $n_test - $*"; }

# batch B: KILL_DOCS files; every document has the word "allofthem"
make_batch() {
    mkdir -p "$work/src/b$1"
    i=0
    while [ $i -lt "$per" ]; do
        printf 'Batch %d note %d\n\nallofthem word%d_%d and the border talks %d, grain %d.\n' \
            "$1" $i "$1" $i $((i * 13 % 97)) $(($1 * 7 + i)) > "$work/src/b$1/n$i.txt"
        i=$((i + 1))
    done
}

listing() { "$bin" --index "$idx" -l allofthem 2>/dev/null | sort; }

# Segment files the committed MANIFEST does not name (section 9 layout).
leftovers() {
    python3 - "$idx" <<'PY'
import os, re, struct, sys
d = sys.argv[1]
try:
    m = open(os.path.join(d, "MANIFEST"), "rb").read()
    generation = struct.unpack_from("<Q", m, 16)[0]
    p = 16 + 8 + 4
    p += 1 + m[p]
    n = struct.unpack_from("<I", m, p)[0]
    p += 4
    live = {}
    for k in range(n):
        sid, _, _, gen = struct.unpack_from("<IIII", m, p + 32 * k)
        live[sid] = gen
except Exception as e:
    print("MANIFEST unreadable: %s" % e)
    sys.exit(0)
for f in sorted(os.listdir(d)):
    if f in ("MANIFEST", "LOCK") or f == "SOURCES-%d" % generation:
        continue
    mm = re.fullmatch(r"seg-(\d+)\.(tdi|pst|pos|len|doc|del-(\d+))", f)
    if not mm or int(mm.group(1)) not in live or (mm.group(3) and int(mm.group(3)) != live[int(mm.group(1))]):
        print(f)
PY
}

# Run a command in the background and SIGKILL it after a random delay of
# up to $1 ms.  Returns 0 if the command had finished (successfully) first.
run_and_kill() {
    max=$1
    shift
    "$@" >/dev/null 2>"$work/err" &
    pid=$!
    ms=$(awk -v s="$(od -An -N4 -tu4 /dev/urandom)" -v m="$max" 'BEGIN { srand(s); printf "%.3f", rand() * m / 1000 }')
    sleep "$ms"
    if kill -9 $pid 2>/dev/null; then
        wait $pid 2>/dev/null
        return 1
    fi
    wait $pid
}

: > "$work/expected"
window=300 # ms: adapted to the duration of a full run
b=0
done_before=0
k=0
while [ $k -lt "$kills" ]; do
    b=$((b + 1))
    make_batch $b
    if [ $has_optimize = 1 ] && [ $((b % 4)) = 0 ]; then
        cmd="optimize"
        run_and_kill $window "$bin" --index "$idx" optimize
        finished=$?
    else
        cmd="index of batch $b"
        run_and_kill $window "$bin" --index "$idx" index --memory 1 -q "$work/src/b$b"
        finished=$?
    fi
    k=$((k + 1))
    # 1. the killed index opens and passes check (no index at all is fine
    #    before the first commit)
    if [ -s "$work/expected" ] || [ -f "$idx/MANIFEST" ]; then
        if "$bin" --index "$idx" check >"$work/check" 2>&1; then
            ok "kill $k during $cmd: check passes"
        else
            not_ok "kill $k during $cmd: check fails: $(head -c 300 "$work/check")"
        fi
    fi
    # 2. exactly the completed batches, or those plus this one (the kill
    #    came after the commit point)
    listing > "$work/now"
    ls "$work/src/b$b" | sed "s|^|$work/src/b$b/|" | cat "$work/expected" - | sort > "$work/with"
    if [ $finished = 0 ]; then done_before=$((done_before + 1)); fi
    if cmp -s "$work/now" "$work/expected"; then
        [ $finished = 0 ] && [ "$cmd" != optimize ] &&
            not_ok "kill $k: run completed but its documents are missing" ||
            ok "kill $k during $cmd: exactly the last commit ($(wc -l < "$work/now") documents)"
    elif [ "$cmd" != optimize ] && cmp -s "$work/now" "$work/with"; then
        ok "kill $k during $cmd: killed after its commit point: the whole batch is there"
    else
        not_ok "kill $k during $cmd: the index holds a mix: $(comm -3 "$work/now" "$work/expected" | wc -l) documents differ"
    fi
    # 3. rerun to completion; then no leftovers
    start=$(date +%s%N)
    if [ "$cmd" = optimize ]; then
        "$bin" --index "$idx" optimize >/dev/null 2>"$work/err"
    else
        "$bin" --index "$idx" index --memory 1 -q "$work/src/b$b" 2>"$work/err"
    fi
    rc=$?
    took=$((($(date +%s%N) - start) / 1000000))
    window=$((took + took / 4 + 20))
    if [ $rc -ne 0 ]; then
        not_ok "rerun after kill $k exits $rc: $(head -c 300 "$work/err")"
    fi
    [ "$cmd" = optimize ] || cp "$work/with" "$work/expected"
    if [ "$(listing)" != "$(cat "$work/expected")" ]; then
        not_ok "after the rerun of $cmd: documents differ from the completed batches"
    fi
    left=$(leftovers)
    if [ -n "$left" ]; then
        not_ok "after the rerun of $cmd: leftover files: $(echo $left | cut -c1-200)"
    fi
done
echo "# kills: $k, runs that completed before their kill: $done_before, documents: $(wc -l < "$work/expected")"
echo "1..$n_test"
[ $n_fail -eq 0 ]
