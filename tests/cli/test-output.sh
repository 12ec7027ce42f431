#!/bin/sh
# test-output.sh -- output for scripts and the documentation of the program:
# stats --json, show ID, --format, the JSON schema in newsgrep(1), --help
# and the man page against the option tables of src/cli/*.c, the shell
# completions, the man pages' rendering and libnewsgrep(3)'s example.
#
# Environment: NEWSGREP (the program), abs_top_builddir, abs_top_srcdir
# (or srcdir), as set by the automake harness.
#
# Prints "ok N - desc", "ok N - desc # SKIP why" or "not ok N - desc";
# exits 0 if all passed, 1 if any failed, 77 if the program is missing.

top=${abs_top_builddir:-.}
src=${abs_top_srcdir:-${srcdir:-.}}
NEWSGREP=${NEWSGREP:-$top/src/newsgrep}

if [ ! -x "$NEWSGREP" ]; then
    echo "# $NEWSGREP not found; skipping"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsgrep-output.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' 0
trap 'exit 2' HUP INT TERM

unset NEWSGREP_INDEX NO_COLOR XDG_DATA_HOME
HOME=$tmp/home
export HOME
mkdir "$HOME"

have() { command -v "$1" >/dev/null 2>&1; }
have_python=no
have python3 && have_python=yes

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
    for f in "$tmp/err" "$tmp/why"; do
        if [ -s "$f" ]; then sed 's/^/#   /' "$f" | head -n 8; fi
        : >"$f" # shown once
    done
}
skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}
run() {
    "$NEWSGREP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
rc_is() { [ "$rc" -eq "$1" ]; }
err_has() { grep -q -e "$1" "$tmp/err"; }
out_has() { grep -q -e "$1" "$tmp/out"; }
: >"$tmp/why"

# ---------------------------------------------------------------- corpus
# Article texts are written here and read back as the oracle.
corpus=$tmp/corpus
mkdir "$corpus"
printf '%s\n' 'Ministers meet in Geneva' '' \
    'The foreign ministers met in Geneva for talks on the border crisis.' \
    'Both sides said the talks were useful.' >"$corpus/2022-01-21-geneva.txt"
printf '%s\n' 'Harvest festival opens' '' \
    'The harvest festival opened with music and a parade of tractors.' \
    >"$corpus/2022-01-22-harvest.txt"
printf '%s\n' \
    '{"id":"wire-7","title":"Talks end without a deal","date":"2022-01-23","url":"https://example.org/7","body":"The talks in Geneva ended\twithout a deal;\nministers will meet again."}' \
    >"$corpus/feed.jsonl"
n_docs=3
ix=$tmp/index
run --index "$ix" index -q "$corpus"
check "index the test corpus" rc_is 0

# ---------------------------------------------------------------- stats --json
run --index "$ix" stats --json
check "stats --json: exit 0, one line" eval 'rc_is 0 && [ "$(wc -l <"$tmp/out")" -eq 1 ]'
if [ "$have_python" = yes ]; then
    check "stats --json: valid JSON (python3 -m json.tool)" \
        eval 'python3 -m json.tool <"$tmp/out" >/dev/null 2>"$tmp/why"'
    cat >"$tmp/stats.py" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
ints = ["documents", "terms", "tokens", "segments", "generation", "format_version"]
assert s["type"] == "stats", "type"
assert all(isinstance(s[k], int) and s[k] >= 0 for k in ints), "integer fields"
assert isinstance(s["language"], str) and isinstance(s["index"], str), "string fields"
b = s["bytes"]
parts = ["dictionary", "postings", "positions", "store", "other"]
assert all(isinstance(b[k], int) for k in parts + ["total"]), "byte fields"
assert sum(b[k] for k in parts) == b["total"], "bytes.total is the sum of the parts"
assert s["documents"] == int(sys.argv[2]), "documents %d" % s["documents"]
assert s["index"] == sys.argv[3], "index path"
EOF
    check "stats --json: fields, types, document count, byte total" \
        eval 'python3 "$tmp/stats.py" "$tmp/out" "$n_docs" "$ix" 2>"$tmp/why"'
else
    skip "stats --json: valid JSON" "no python3"
    skip "stats --json: fields" "no python3"
fi

# ---------------------------------------------------------------- show
id1=$corpus/2022-01-21-geneva.txt
run --index "$ix" show "$id1"
check "show ID: exit 0" rc_is 0
check "show ID: id, title and date lines" \
    eval 'out_has "^id  *$id1\$" && out_has "^title  *Ministers meet in Geneva\$" && out_has "^date  *2022-01-21\$"'
# the body follows the first blank line; it is the file's text
sed '1,/^$/d' "$tmp/out" >"$tmp/body"
check "show ID: the body is the article's text" cmp -s "$tmp/body" "$id1"
run --index "$ix" show wire-7
check "show a JSON Lines article: url line, body with its line break" \
    eval 'rc_is 0 && out_has "^url  *https://example.org/7\$" && out_has "^ministers will meet again\.\$"'
if [ "$have_python" = yes ]; then
    run --index "$ix" show --json wire-7 "$id1"
    cat >"$tmp/show.py" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 2, "two objects"
a, b = (json.loads(l) for l in lines)
assert a == {"type": "document", "id": "wire-7", "title": "Talks end without a deal",
             "date": "2022-01-23", "url": "https://example.org/7",
             "body": "The talks in Geneva ended\twithout a deal;\nministers will meet again."}, a
text = open(sys.argv[2], encoding="utf-8").read()
assert b["id"] == sys.argv[2] and b["body"].strip() == text.strip(), b
assert b["title"] == text.splitlines()[0] and b["date"] == "2022-01-21" and b["url"] == ""
EOF
    check "show --json ID ID: one object each, fields equal to the input" \
        eval 'rc_is 0 && python3 "$tmp/show.py" "$tmp/out" "$id1" 2>"$tmp/why"'
else
    skip "show --json" "no python3"
fi
run --index "$ix" show no-such-id
check "show with an unknown id: exit 1 naming it" eval 'rc_is 1 && err_has "no-such-id"'
run --index "$ix" show wire-7 no-such-id
check "show with one unknown id of two: prints the other, exit 1" \
    eval 'rc_is 1 && out_has "^id  *wire-7\$"'
run --index "$ix" show
check "show without an id: usage error, exit 2" rc_is 2
run --index "$tmp/no-index" show wire-7
check "show on a missing index: exit 2" rc_is 2

# a replaced and a deleted document: their old copies stay in the segment
# files (tombstoned) and must not be shown
mkdir "$tmp/c2"
printf '%s\n' 'Gone tomorrow' '' 'This article will be deleted.' >"$tmp/c2/gone.txt"
printf '%s\n' '{"id":"v","title":"Version one","body":"First version of the story."}' >"$tmp/c2/v.jsonl"
"$NEWSGREP" --index "$tmp/ix2" index -q "$tmp/c2" 2>"$tmp/err"
rm "$tmp/c2/gone.txt"
printf '%s\n' '{"id":"v","title":"Version two","body":"Second version of the story."}' >"$tmp/c2/v.jsonl"
"$NEWSGREP" --index "$tmp/ix2" index -q "$tmp/c2" 2>"$tmp/err"
run --index "$tmp/ix2" show "$tmp/c2/gone.txt"
check "show a document whose file was deleted and reindexed: exit 1" rc_is 1
run --index "$tmp/ix2" show v
check "show a replaced document: the new version only" \
    eval 'rc_is 0 && out_has "^title  *Version two\$" && out_has "^Second version" && ! out_has "First version"'

# ---------------------------------------------------------------- --format
run --index "$ix" --format '{id}' talks
if rc_is 2 && err_has "unknown option '--format'"; then
    for d in "hits in --json order" "escapes and all placeholders" "unknown placeholder" \
        "unclosed brace" "no colour codes"; do
        skip "--format: $d" "--format is not wired into the search command yet"
    done
else
    # oracle: the ids, ranks and scores of --json
    "$NEWSGREP" --index "$ix" --json talks >"$tmp/json" 2>/dev/null
    sed -n 's/^{"type":"hit","rank":\([0-9]*\),"score":\([0-9.]*\),"id":"\([^"]*\)".*/\1 \2 \3/p' \
        "$tmp/json" >"$tmp/expected"
    run --index "$ix" --format '{rank} {score} {id}' talks
    check "--format: hits in --json order, with rank and score" \
        eval 'rc_is 0 && [ -s "$tmp/expected" ] && cmp -s "$tmp/out" "$tmp/expected"'
    run --index "$ix" --format '<{title}>\t{date}\t{url}\\\{{id}\}|{snippet}' -n 1 deal
    tab=$(printf '\t')
    want="<Talks end without a deal>${tab}2022-01-23${tab}https://example.org/7\\{wire-7}|"
    fmt_line() {
        [ "$(wc -l <"$tmp/out")" -eq 1 ] || return 1
        case $(cat "$tmp/out") in
        "$want"*"ended without a deal; ministers will"*) return 0 ;;
        esac
        return 1
    }
    check "--format: escapes and all placeholders; tab and newline in a field become a space" \
        eval 'rc_is 0 && fmt_line'
    run --index "$ix" --format 'ab{rank}{bogus}' talks
    check "--format: unknown placeholder is a usage error naming it and its position" \
        eval 'rc_is 2 && err_has "{bogus}" && err_has "position 9"'
    run --index "$ix" --format '{rank' talks
    check "--format: unclosed brace is a usage error" eval 'rc_is 2 && err_has "position 1"'
    run --index "$ix" --format '{snippet}' --color=never talks
    check "--format: no colour codes with --color=never" \
        eval 'rc_is 0 && [ "$(tr -cd "\033" <"$tmp/out" | wc -c)" -eq 0 ]'
fi

# ---------------------------------------------------------------- JSON schema
# Every member the program prints in --json must be described in the JSON
# OUTPUT section of newsgrep(1).
man1=$src/doc/newsgrep.1
sed -n '/^\.SH JSON OUTPUT/,/^\.SH [A-Z]/p' "$man1" | sed 's/\\-/-/g' >"$tmp/json-section"
if [ "$have_python" = yes ]; then
    "$NEWSGREP" --index "$ix" --json talks >"$tmp/j1" 2>/dev/null
    "$NEWSGREP" --index "$ix" --json -c talks >>"$tmp/j1" 2>/dev/null
    "$NEWSGREP" --index "$ix" --json --explain talks >>"$tmp/j1" 2>/dev/null
    "$NEWSGREP" --index "$ix" --json tlaks >>"$tmp/j1" 2>/dev/null # did you mean
    "$NEWSGREP" --index "$ix" --json -l talks >>"$tmp/j1" 2>/dev/null
    printf 'talks\nnosuchwordhere\n' | "$NEWSGREP" --index "$ix" --json --batch - >>"$tmp/j1" 2>/dev/null
    "$NEWSGREP" --index "$ix" stats --json >>"$tmp/j1" 2>/dev/null
    "$NEWSGREP" --index "$ix" show --json wire-7 >>"$tmp/j1" 2>/dev/null
    python3 - "$tmp/j1" >"$tmp/keys" <<'EOF'
import json, sys
keys = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            keys.add(k)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    keys.add("type=" + o["type"])
    walk(o)
print("\n".join(sorted(keys)))
EOF
    : >"$tmp/why"
    : >"$tmp/err"
    while read -r key; do
        case $key in
        type=*) word=${key#type=} ;;
        *) word=$key ;;
        esac
        # a member is named in bold: ".B word", ".BR word ...", or "\fBword\fP"
        if ! grep -q -e "^\.BR* $word\( \|$\)" -e "^\.BR* .* $word\( \|$\)" \
            -e "\\\\fB$word\\\\f" "$tmp/json-section"; then
            echo "JSON member or type '$word' is not in newsgrep(1) JSON OUTPUT" >>"$tmp/why"
        fi
    done <"$tmp/keys"
    check "every --json member and object type is documented in newsgrep(1)" \
        eval '[ -s "$tmp/keys" ] && [ ! -s "$tmp/why" ]'
else
    skip "every --json member is documented" "no python3"
fi
check "newsgrep(1) JSON OUTPUT states a stability promise" grep -q "Stability" "$tmp/json-section"

# ---------------------------------------------------------------- options
# The option tables: {"long", 'c', has_arg, ID} rows in src/cli/*.c.
cat "$src"/src/cli/*.c |
    sed -n 's/.*static const cli_option.*//p; s/{\("[a-z0-9-]*"\|NULL\), *\(0\|'"'"'.'"'"'\), *[01], *[A-Z0-9_]*}/\n@\1 \2@\n/gp' |
    sed -n 's/^@\(.*\)@$/\1/p' | sort -u >"$tmp/rows"
: >"$tmp/opts"
while read -r long short; do
    [ "$long" != NULL ] && echo "--$(echo "$long" | tr -d '"')" >>"$tmp/opts"
    [ "$short" != 0 ] && echo "-$(echo "$short" | tr -d "'")" >>"$tmp/opts"
done <"$tmp/rows"
sort -u "$tmp/opts" -o "$tmp/opts"
check "the option tables of src/cli/*.c were read" \
    eval '[ "$(wc -l <"$tmp/opts")" -ge 20 ] && grep -qx -- --limit "$tmp/opts" && grep -qx -- -j "$tmp/opts"'

run --help
cp "$tmp/out" "$tmp/help"
check "--help: exit 0, short (at most 80 lines of at most 80 columns)" \
    eval 'rc_is 0 && [ "$(wc -l <"$tmp/help")" -le 80 ] && [ "$(awk "length > 80" "$tmp/help" | wc -l)" -eq 0 ]'
sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man1" >"$tmp/man1.txt"
sed 's/=\[/ [/g' "$src/doc/completion/_newsgrep" >"$tmp/zsh.txt"
# in_text WORD FILE: WORD appears as a whole option (not inside --wordy)
in_text() { grep -q -e "\(^\|[^a-z0-9-]\)$1\([^a-z0-9-]\|\$\)" "$2"; }
for where in help:"$tmp/help" man:"$tmp/man1.txt" bash:"$src/doc/completion/newsgrep.bash" \
    zsh:"$tmp/zsh.txt"; do
    : >"$tmp/why"
    while read -r opt; do
        in_text "$opt" "${where#*:}" || echo "$opt is parsed but not in ${where%%:*}" >>"$tmp/why"
    done <"$tmp/opts"
    check "every parsed option is listed in ${where%%:*}" eval '[ ! -s "$tmp/why" ]'
done

# commands: the dispatch table of main.c
sed -n 's/^ *{"\([a-z]*\)", cmd_[a-z_]*, ".*/\1/p' "$src/src/cli/main.c" >"$tmp/commands"
: >"$tmp/why"
while read -r c; do
    in_text "$c" "$tmp/help" || echo "command $c is not in --help" >>"$tmp/why"
    grep -q "^\.B $c\$" "$tmp/man1.txt" || echo "command $c is not in newsgrep(1)" >>"$tmp/why"
    grep -q "$c" "$src/doc/completion/newsgrep.bash" || echo "command $c: bash" >>"$tmp/why"
    grep -q "'$c:" "$src/doc/completion/_newsgrep" || echo "command $c: zsh" >>"$tmp/why"
done <"$tmp/commands"
check "every command is in --help, newsgrep(1) and both completions" \
    eval '[ -s "$tmp/commands" ] && [ ! -s "$tmp/why" ]'

# ---------------------------------------------------------------- completions
if have bash; then
    bash -c '. "$1"; complete -p newsgrep' sh "$src/doc/completion/newsgrep.bash" >"$tmp/out" 2>"$tmp/err"
    check "bash completion loads and registers _newsgrep" \
        eval 'grep -q -- "-F _newsgrep newsgrep" "$tmp/out" && [ ! -s "$tmp/err" ]'
    cat >"$tmp/complete.bash" <<'EOF'
. "$1"
t() {
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _newsgrep newsgrep "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    echo "${COMPREPLY[*]}"
}
t newsgrep sh
t newsgrep --index /tmp st
t newsgrep index --la
t newsgrep index --lang fre
t newsgrep --sort d
t newsgrep stats --j
EOF
    bash "$tmp/complete.bash" "$src/doc/completion/newsgrep.bash" >"$tmp/out" 2>"$tmp/err"
    printf '%s\n' show stats --lang french date --json >"$tmp/expected"
    check "bash completion: commands, options, --lang and --sort values" \
        cmp -s "$tmp/out" "$tmp/expected"
else
    skip "bash completion loads" "no bash"
    skip "bash completion completes" "no bash"
fi
if have zsh; then
    zsh -fc 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -d "$2";
             autoload -Uz +X _newsgrep && print -r -- "$_comps[newsgrep]"' \
        zsh "$src/doc/completion" "$tmp/zcompdump" >"$tmp/out" 2>"$tmp/err"
    check "zsh completion loads through compinit" eval '[ "$(cat "$tmp/out")" = _newsgrep ]'
else
    skip "zsh completion loads" "no zsh"
fi

# ---------------------------------------------------------------- man pages
if have groff; then
    for page in newsgrep.1 libnewsgrep.3; do
        groff -man -ww -z -Tutf8 "$src/doc/$page" >"$tmp/out" 2>&1
        check "$page renders with groff -man -ww without a warning" eval '[ ! -s "$tmp/out" ]'
    done
else
    skip "newsgrep.1 renders" "no groff (apt-get install groff-base)"
    skip "libnewsgrep.3 renders" "no groff (apt-get install groff-base)"
fi
if have man && man --help 2>/dev/null | grep -q -- --warnings; then
    for page in newsgrep.1 libnewsgrep.3; do
        LC_ALL=C MANWIDTH=80 man --warnings -l "$src/doc/$page" >/dev/null 2>"$tmp/out"
        check "man --warnings -l $page: no warning" eval '[ ! -s "$tmp/out" ]'
    done
else
    skip "man --warnings newsgrep.1" "no man-db"
    skip "man --warnings libnewsgrep.3" "no man-db"
fi

# libnewsgrep(3) names every exported function of the header
: >"$tmp/why"
for f in $(sed -n 's/^NG_EXTERN([^)]*) *\([a-z_0-9]*\)(.*/\1/p' "$src/include/newsgrep.h"); do
    grep -q "$f" "$src/doc/libnewsgrep.3" || echo "$f is not in libnewsgrep(3)" >>"$tmp/why"
done
check "libnewsgrep(3) documents every function of newsgrep.h" eval '[ ! -s "$tmp/why" ]'

# libnewsgrep(3)'s example compiles against the header and library and runs
so=$top/src/.libs/libnewsgrep.so
cc=${CC:-cc}
if have "$cc" && [ -f "$so" ]; then
    awk '/^\.SH EXAMPLES/ { f = 1 } f && /^\.EE/ { exit } f == 2 { print } f && /^\.EX/ { f = 2 }' \
        "$src/doc/libnewsgrep.3" | sed -e 's/\\e/\\/g' -e 's/\\-/-/g' >"$tmp/example.c"
    san=
    if nm -D "$so" 2>/dev/null | grep -q __asan_init; then san="-fsanitize=address,undefined"; fi
    $cc -std=c99 -Wall -Wextra -Werror $san -I"$src/include" "$tmp/example.c" \
        -L"$top/src/.libs" -lnewsgrep -o "$tmp/example" 2>"$tmp/why"
    check "libnewsgrep(3) example compiles with -Wall -Wextra -Werror" test -x "$tmp/example"
    echo 'ministers talks' | LD_LIBRARY_PATH="$top/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$tmp/example" "$tmp/example-index" "$corpus" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "libnewsgrep(3) example finds the hits (2 matches, [highlights])" \
        eval 'rc_is 0 && out_has "^2 matches$" && out_has "\[[Tt]alks\]"'
else
    skip "libnewsgrep(3) example compiles" "no $cc or no shared library"
    skip "libnewsgrep(3) example runs" "no $cc or no shared library"
fi

echo "1..$n"
exit $failed
