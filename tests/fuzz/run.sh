#!/bin/sh
# tests/fuzz/run.sh SECONDS [TARGET...] -- build the libFuzzer targets and
# run each for SECONDS on a seed corpus made from corpus/ and tests/data.
#
#   FUZZ_CC       compiler (default clang)
#   FUZZ_WORK     work directory: binaries, corpora, crash files
#                 (default ${TMPDIR:-/tmp}/newsgrep-fuzz; kept between runs
#                 so that corpora grow)
#   NEWSGREP      a built newsgrep binary, used to make index seeds
#                 (default: src/newsgrep of the source tree, if built)
#   FUZZ_JOBS     parallel fuzzing processes per target (default 1)
#
# Every crash file libFuzzer writes is rerun and listed; the regression
# inputs in tests/fuzz/regress/<target>/ are replayed first.  Exit status:
# 0 no finding, 1 findings, 2 build failure, 77 no clang.
set -u
secs=${1:-60}
shift 2>/dev/null || true
top=$(cd "$(dirname "$0")/../.." && pwd)
cc=${FUZZ_CC:-clang}
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/newsgrep-fuzz}
targets=${*:-"fuzz_query fuzz_analyze fuzz_jsonl fuzz_index"}
jobs=${FUZZ_JOBS:-1}

command -v "$cc" >/dev/null 2>&1 || { echo "fuzz: $cc not found (apt-get install clang libclang-rt-14-dev)"; exit 77; }
mkdir -p "$work/bin" "$work/seeds" "$work/corpus" "$work/crashes"

# ---- build -----------------------------------------------------------------
# The library sources are compiled once into an archive (instrumented for
# coverage, ASan and UBSan); each target links only what it needs.
pc="zlib libutf8proc"
cflags=$(pkg-config --cflags $pc 2>/dev/null)
libs="$(pkg-config --libs $pc 2>/dev/null || echo -lz -lutf8proc) -lstemmer -lm -lpthread"
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
inc="-I$top/include -I$top/src -I$top/tests/fuzz -DNG_BUILDING"
mkdir -p "$work/obj"
stale=0
for f in $(ls "$top"/src/*/*.c | grep -v '/src/cli/'); do
    o=$work/obj/$(echo "${f#$top/src/}" | tr / _).o
    if [ ! -f "$o" ] || [ -n "$(find "$top/src" -name '*.h' -newer "$o" | head -n 1)" ] || [ "$f" -nt "$o" ]; then
        # shellcheck disable=SC2086
        "$cc" $san -fsanitize=fuzzer-no-link $inc $cflags -c "$f" -o "$o" || exit 2
        stale=1
    fi
done
lib=$work/obj/libng-fuzz.a
if [ $stale = 1 ] || [ ! -f "$lib" ]; then
    rm -f "$lib"
    ar rcs "$lib" "$work"/obj/*.o || exit 2
fi
for t in $targets; do
    if [ ! -x "$work/bin/$t" ] || [ "$lib" -nt "$work/bin/$t" ] ||
        [ -n "$(find "$top/tests/fuzz" -newer "$work/bin/$t" -name '*.[ch]' | head -n 1)" ]; then
        echo "fuzz: building $t" >&2
        # shellcheck disable=SC2086
        "$cc" $san -fsanitize=fuzzer $inc $cflags -o "$work/bin/$t" "$top/tests/fuzz/$t.c" "$lib" $libs || exit 2
    fi
done

# ---- seed corpora ----------------------------------------------------------
seeds() {
    s=$work/seeds
    [ -f "$s/.done" ] && return 0
    mkdir -p "$s/fuzz_query" "$s/fuzz_analyze" "$s/fuzz_jsonl" "$s/fuzz_index"
    i=0
    for q in 'Lavrov troops' 'Lavrov AND troops' 'Zelensky OR Zelenskyy troops' 'Putin NOT Orban' \
        'Putin -Orban' '(Blinken OR Price) Lavrov' '"secretary of state"' 'F-16 Covid-19 U.S. O'"'"'Brien 38.101' \
        '"unclosed' '(Putin AND' '-(a b) -"c d" --' '((((a))))' 'a OR OR b' 'NOT NOT a' '“curly” „quotes”'; do
        i=$((i + 1)); printf '%s' "$q" > "$s/fuzz_query/q$i"
    done
    for f in "$top"/corpus/*; do
        i=$((i + 1)); head -c 300 "$f" | head -n 2 > "$s/fuzz_query/t$i"
        i=$((i + 1)); { printf '\000'; head -c 4000 "$f"; } > "$s/fuzz_analyze/a$i"
    done
    k=0
    for f in "$top"/tests/data/*; do
        k=$((k + 1)); { printf "\\00$((k % 8))"; head -c 3000 "$f"; } > "$s/fuzz_analyze/d$k"
    done
    python3 - "$top/corpus" "$s/fuzz_jsonl" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
lines = []
for n in sorted(os.listdir(src)):
    body = open(os.path.join(src, n), encoding="utf-8", errors="replace").read()
    lines.append(json.dumps({"id": n, "title": body.split("\n")[0], "date": n[:10], "url": "https://x/" + n, "body": body[:2000]}, ensure_ascii=(len(lines) % 2 == 0)))
open(os.path.join(out, "good"), "w").write("\n".join(lines) + "\n")
open(os.path.join(out, "mixed"), "w").write(lines[0] + "\n{\"body\": 1}\nnot json\n{\"id\":\"a\\ud800\",\"body\":\"x\\u0000y\"}\n\n" + lines[1])
open(os.path.join(out, "deep"), "w").write("[" * 600 + "\n" + '{"body":"a","x":{"y":[1,2,{"z":null}]}}')
PY
    if [ -n "${NEWSGREP:-}" ] || [ -x "$top/src/newsgrep" ]; then
        ng=${NEWSGREP:-$top/src/newsgrep}
        d=$work/seedidx
        rm -rf "$d"; mkdir -p "$d/two"
        printf 'War and peace\n\nThe war ended. Peace began.\n' > "$d/two/2022-01-01-a.txt"
        printf 'Peace talks\n\nTalks on peace resumed.\n' > "$d/two/2022-01-02-b.txt"
        "$ng" --index "$d/i1" index -q "$d/two" && python3 "$top/tests/fuzz/pack-index.py" "$d/i1" "$s/fuzz_index/two"
        "$ng" --index "$d/i2" index -q "$top/corpus" && python3 "$top/tests/fuzz/pack-index.py" "$d/i2" "$s/fuzz_index/corpus"
        # two segments and a tombstone: index again a changed document
        cp -r "$d/i1" "$d/i3"
        printf 'Peace talks\n\nTalks on peace stalled.\n' > "$d/two/2022-01-02-b.txt"
        "$ng" --index "$d/i3" index -q "$d/two/2022-01-02-b.txt" && python3 "$top/tests/fuzz/pack-index.py" "$d/i3" "$s/fuzz_index/deleted"
        # a term with more than 128 documents (long form, packed blocks)
        mkdir -p "$d/many"
        n=1; while [ $n -le 140 ]; do printf 'Note %d\n\nword%d peace peace %s\n' $n $n "$(seq -s ' ' 1 $((n % 7)))" > "$d/many/n$n.txt"; n=$((n + 1)); done
        "$ng" --index "$d/i4" index -q "$d/many" && python3 "$top/tests/fuzz/pack-index.py" "$d/i4" "$s/fuzz_index/many"
    else
        echo "fuzz: no newsgrep binary (set NEWSGREP): index seeds from regress/ only" >&2
    fi
    touch "$s/.done"
}
seeds

# ---- run -------------------------------------------------------------------
findings=0
for t in $targets; do
    c=$work/corpus/$t
    mkdir -p "$c" "$work/crashes/$t"
    reg=$top/tests/fuzz/regress/$t
    if [ -d "$reg" ] && [ -n "$(ls "$reg" 2>/dev/null)" ]; then
        "$work/bin/$t" -runs=0 "$reg" >"$work/$t.regress.log" 2>&1 ||
            { echo "fuzz: $t: a regression input fails (see $work/$t.regress.log)"; findings=$((findings + 1)); }
    fi
    echo "fuzz: $t for ${secs}s" >&2
    par=
    [ "$jobs" -gt 1 ] && par="-fork=$jobs"
    # shellcheck disable=SC2086
    (cd "$work" && "$work/bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$work/crashes/$t/" -print_final_stats=1 $par \
        "$c" "$work/seeds/$t" >"$work/$t.log" 2>&1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | awk '{s += $1} END {print s + 0}')
    echo "fuzz: $t: $execs executions in ${secs}s"
    echo "$t $execs $secs" >>"$work/totals"
    for f in "$work/crashes/$t"/*; do
        [ -f "$f" ] || continue
        findings=$((findings + 1))
        echo "fuzz: $t: FINDING $f"
    done
done
[ "$findings" -eq 0 ] && exit 0
exit 1
