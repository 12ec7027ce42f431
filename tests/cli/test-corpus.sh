#!/bin/sh
# test-corpus.sh -- the sample corpus end to end through the CLI: the
# README's promises (all three articles for "Lavrov troops" and for Orban,
# with highlighted snippets), exit codes, and refusing a damaged or foreign
# index.  The expected document sets come from grep over corpus/, not from
# a stored answer.  Prints ok/not ok lines; exit 77 if the binary is missing.
top_builddir=${abs_top_builddir:-.}
top_srcdir=${abs_top_srcdir:-${srcdir:-.}}
NEWSGREP=${NEWSGREP:-$top_builddir/src/newsgrep}
[ -x "$NEWSGREP" ] || { echo "no $NEWSGREP"; exit 77; }
corpus=$top_srcdir/corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsgrep-corpus.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
check() {
    n=$((n + 1))
    desc=$1
    shift
    if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}
ng() { $NEWSGREP_WRAPPER "$NEWSGREP" --index "$tmp/ix" "$@"; }

# oracle: files whose text contains every word (case-insensitive, ASCII
# case only: a bare machine may have no locale at all, where grep sees
# bytes; accents are spelled out as alternatives, (a|á), which match the
# same in any locale, where a bracket [aá] is two bytes in the C locale)
files_with() {
    for f in "$corpus"/*.txt; do
        ok=1
        for w in "$@"; do grep -qiE -e "$w" "$f" || ok=0; done
        [ $ok = 1 ] && echo "corpus/${f##*/}"
    done | sort
}

(cd "$top_srcdir" && $NEWSGREP_WRAPPER "$NEWSGREP" --index "$tmp/ix" index -q corpus) >"$tmp/out" 2>&1
check "index corpus/: exit 0" test $? -eq 0

ng -l "Lavrov troops" | sort >"$tmp/got"
files_with lavrov troops >"$tmp/want"
check "\"Lavrov troops\" finds the articles grep finds" cmp -s "$tmp/got" "$tmp/want"
check "\"Lavrov troops\" finds all three articles" test "$(wc -l <"$tmp/got")" -eq 3

ng -l Orban | sort >"$tmp/got"
files_with 'orb(a|á)n' >"$tmp/want"
check "Orban finds Orbán and Orban: all three" eval 'cmp -s "$tmp/got" "$tmp/want" && [ "$(wc -l <"$tmp/got")" -eq 3 ]'
check "Orbán (accented query) finds the same" eval '[ "$(ng -c Orbán)" = 3 ]'

ng --color=always "Lavrov troops" >"$tmp/out"
esc=$(printf '\033')
check "human output highlights matches when colour is on" grep -q "${esc}\[1;31m[Ll]avrov" "$tmp/out"
check "three ranked hits printed" test "$(grep -c '^ *[0-9][0-9]*\. ' "$tmp/out")" -eq 3
check "hits show titles and dates" eval 'grep -q "Lavrov gives no sign" "$tmp/out" && grep -q "2022-02-01" "$tmp/out"'

ng -l '"secretary of state"' | sort >"$tmp/got"
files_with 'secretary of state' >"$tmp/want"
check "phrase \"secretary of state\" matches what grep finds" cmp -s "$tmp/got" "$tmp/want"

ng -l "Ukraine’s" | sort >"$tmp/got"
ng -l "Ukraine's" | sort >"$tmp/got2"
check "curly and straight apostrophes find the same" eval 'cmp -s "$tmp/got" "$tmp/got2" && [ -s "$tmp/got" ]'

ng -c 100,000 >"$tmp/out"
check "100,000 is one searchable number" eval '[ "$(cat "$tmp/out")" -ge 1 ]'
ng -c '"30-minute call"' >"$tmp/out"
check "30-minute call: hyphenated words as a phrase" eval '[ "$(cat "$tmp/out")" -ge 1 ]'

ng xyzzyplugh >/dev/null 2>&1
check "no match: exit 1" test $? -eq 1
ng '(Putin AND' >/dev/null 2>"$tmp/err"
rc=$?
check "malformed query: exit 2 with the position" eval '[ $rc -eq 2 ] && grep -q "at [0-9]" "$tmp/err"'
ng '"unclosed' >/dev/null 2>&1
check "unclosed quote: exit 2" test $? -eq 2

ng check >/dev/null 2>&1
check "check on a good index: exit 0" test $? -eq 0
cp -r "$tmp/ix" "$tmp/bad"
pst=$(ls "$tmp/bad"/seg-*.pst | head -n 1)
printf 'X' | dd of="$pst" bs=1 seek=40 conv=notrunc 2>/dev/null
"$NEWSGREP" --index "$tmp/bad" check >/dev/null 2>"$tmp/err"
rc=$?
check "check on a damaged .pst: exit 2 naming the file" eval '[ $rc -eq 2 ] && grep -q "\.pst" "$tmp/err"'
mkdir "$tmp/foreign"
printf 'not an index at all, just text\n' >"$tmp/foreign/MANIFEST"
"$NEWSGREP" --index "$tmp/foreign" Lavrov >/dev/null 2>"$tmp/err"
rc=$?
check "a foreign MANIFEST is refused: exit 2" eval '[ $rc -eq 2 ] && grep -q "MANIFEST" "$tmp/err"'
"$NEWSGREP" --index "$tmp/nowhere" Lavrov >/dev/null 2>&1
check "a missing index: exit 2" test $? -eq 2

echo "1..$n"
exit $failed
