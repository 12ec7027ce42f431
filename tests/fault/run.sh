#!/bin/sh
# tests/fault/run.sh -- fault injection: every counted system call of
# `newsgrep index` fails in turn, and the index must survive.
#
# Indexes corpus/ into a good index, then for each errno (ENOSPC, EIO) and
# N = 1, 2, ... until a run sees no fault: copies the good index, runs
# `newsgrep index` of more files (new text files, a JSONL file, a changed
# document that replaces an old one) with call N failing (faulty.so), and
# checks that
#   - the command exits 2 with "newsgrep: ..." naming the error, or, for a
#     failure it may survive (an input file it cannot open), exits 0 with a
#     warning;
#   - the index still opens and `newsgrep check` passes;
#   - it answers exactly as before the run (old generation) or exactly as
#     after a fault-free run (the fault hit after the commit point) -- never
#     a mix; a survived fault may only lose the file it could not read.
# Output: TAP lines, then "faults injected: N" per errno.
#   NEWSGREP  the binary (default: $abs_top_builddir/src/newsgrep)
#   FAULT_ERRNOS  errnos to try (default "ENOSPC EIO")
#   FAULT_STICKY  1: the failure persists for every later call (full disk)
set -u
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${NEWSGREP:-${abs_top_builddir:-$top}/src/newsgrep}
[ -x "$bin" ] || { echo "1..0 # SKIP no newsgrep binary at $bin"; exit 77; }
cc=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/ng-fault.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$cc" -shared -fPIC -o "$work/faulty.so" "$top/tests/fault/faulty.c" -ldl ||
    { echo "1..0 # SKIP cannot build faulty.so"; exit 77; }

n_test=0
n_fail=0
ok() { n_test=$((n_test + 1)); echo "ok $n_test - $*"; }
not_ok() { n_test=$((n_test + 1)); n_fail=$((n_fail + 1)); echo "not ok $n_test - $*"; }

# ---- the corpora -----------------------------------------------------------
mkdir -p "$work/corpus" "$work/more"
cp "$top"/corpus/*.txt "$work/corpus/"
i=1
while [ $i -le 40 ]; do
    printf 'Extra note %d\n\nzebra %d crossing the border, talks on grain %d and the port.\n' $i $i $((i * 7)) \
        > "$work/more/2022-03-$(printf %02d $((i % 28 + 1)))-extra-$i.txt"
    i=$((i + 1))
done
i=1
while [ $i -le 20 ]; do
    printf '{"id":"j%d","title":"Line %d","date":"2022-04-01","body":"zebra jsonl body %d with the troops"}\n' $i $i $i
    i=$((i + 1))
done > "$work/more/feed.jsonl"
queries="the a and of to troops zebra Putin Lavrov border"

listing() { # INDEX -> every answer, one query a block
    for q in $queries; do
        echo "== $q"
        "$bin" --index "$1" -l "$q" 2>&1 | sort
    done
    "$bin" --index "$1" stats 2>&1 | grep -i '^documents' || true
}

"$bin" --index "$work/good" index -q "$work/corpus" || { echo "Bail out! cannot build the good index"; exit 1; }
listing "$work/good" > "$work/old.txt"
changed=$(ls "$work"/corpus/*.txt | head -n 1)
cp "$changed" "$work/changed.orig"
printf '\nA late correction: zebra.\n' >> "$changed"

run_index() { # INDEX [env...] -> exit status; stderr in $work/err
    idx=$1
    shift
    env "$@" "$bin" --index "$idx" index "$work/more" "$changed" 2>"$work/err" >/dev/null
}

# the fault-free outcome
cp -r "$work/good" "$work/ref"
run_index "$work/ref" || { echo "Bail out! fault-free run failed: $(cat "$work/err")"; exit 1; }
listing "$work/ref" > "$work/new.txt"
if cmp -s "$work/old.txt" "$work/new.txt"; then echo "Bail out! the extra files change nothing"; exit 1; fi

for err in ${FAULT_ERRNOS:-ENOSPC EIO}; do
    case $err in ENOSPC) text='No space left on device' ;; EIO) text='Input/output error' ;; *) text='' ;; esac
    n=1
    injected=0
    late=0
    survived=0
    while :; do
        rm -rf "$work/idx" "$work/log"
        cp -r "$work/good" "$work/idx"
        run_index "$work/idx" LD_PRELOAD="$work/faulty.so" FAULTY_N=$n FAULTY_ERRNO=$err \
            FAULTY_STICKY="${FAULT_STICKY:-0}" FAULTY_LOG="$work/log"
        rc=$?
        call=$(sed -n 's/^injected \(.*\)/\1/p' "$work/log" 2>/dev/null)
        if [ -z "$call" ]; then
            [ $rc -eq 0 ] && ok "$err: no fault at call $n or later: run completes" ||
                not_ok "$err: fault-free run $n exits $rc: $(head -c 300 "$work/err")"
            break
        fi
        injected=$((injected + 1))
        what="$err at $call"
        if ! "$bin" --index "$work/idx" check >"$work/check" 2>&1; then
            not_ok "$what: index fails check after exit $rc: $(head -c 300 "$work/check")"
            n=$((n + 1))
            continue
        fi
        listing "$work/idx" > "$work/now.txt"
        case $rc in
        2)
            if ! grep -qi "^newsgrep: .*$text" "$work/err"; then
                not_ok "$what: exit 2 without a clear message: $(head -c 300 "$work/err")"
            elif cmp -s "$work/now.txt" "$work/old.txt"; then
                ok "$what: exit 2, previous index intact"
            elif cmp -s "$work/now.txt" "$work/new.txt"; then
                late=$((late + 1))
                ok "$what: exit 2 after the commit point, new generation complete"
            else
                not_ok "$what: exit 2 and the index answers neither as before nor as after"
                diff "$work/old.txt" "$work/now.txt" | head -n 10 | sed 's/^/# /'
            fi
            ;;
        0)
            # survivable: a fault the program absorbed (complete result), or
            # an input it could not read, skipped with a warning
            if cmp -s "$work/now.txt" "$work/new.txt"; then
                survived=$((survived + 1))
                ok "$what: absorbed, the result is complete"
            elif ! grep -qi "$text" "$work/err"; then
                not_ok "$what: exit 0, an incomplete result and no warning"
            elif sort "$work/old.txt" > "$work/old.s" && sort "$work/now.txt" > "$work/now.s" &&
                [ -z "$(comm -23 "$work/old.s" "$work/now.s" | grep -v '^==\|^documents')" ]; then
                survived=$((survived + 1))
                ok "$what: survived with a warning: $(head -n 1 "$work/err" | cut -c1-120)"
            else
                not_ok "$what: exit 0 but documents of the old index are gone"
            fi
            ;;
        *)
            not_ok "$what: exit status $rc (crash?): $(head -c 300 "$work/err")"
            ;;
        esac
        n=$((n + 1))
    done
    echo "# $err: faults injected: $injected (after the commit point: $late, survived: $survived)"
done
echo "1..$n_test"
[ $n_fail -eq 0 ]
