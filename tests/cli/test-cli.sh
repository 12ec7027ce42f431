#!/bin/sh
# test-cli.sh -- end-to-end tests of the newsgrep program.
#
# Environment:
#   NEWSGREP           the program (default: $abs_top_builddir/src/newsgrep,
#                      else ./src/newsgrep)
#   NEWSGREP_WRAPPER   optional command put before it, e.g.
#                      "valgrind -q --leak-check=full --error-exitcode=99"
#   srcdir             accepted for the automake harness; the test writes its
#                      own tiny corpus and does not read $srcdir/corpus
#
# Prints one line per check, "ok N - desc" or "not ok N - desc"; exits 0 if
# all passed, 1 if any failed, 77 (skip) if the program is missing.

top=${abs_top_builddir:-.}
NEWSGREP=${NEWSGREP:-$top/src/newsgrep}
srcdir=${srcdir:-.}

if [ ! -x "$NEWSGREP" ]; then
    echo "# $NEWSGREP not found; skipping"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsgrep-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' 0
trap 'exit 2' HUP INT TERM

# A predictable environment.
unset NEWSGREP_INDEX NO_COLOR XDG_DATA_HOME
HOME=$tmp/home
export HOME
mkdir "$HOME"

have_python=no
if command -v python3 >/dev/null 2>&1; then
    have_python=yes
fi

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
# check DESC COMMAND...: the command's status decides.
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}
# run ARGS...: runs the program; $rc, $tmp/out and $tmp/err hold the results.
run() {
    $NEWSGREP_WRAPPER "$NEWSGREP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ -n "${NG_TEST_DEBUG:-}" ]; then { echo "== $*"; cat "$tmp/out" "$tmp/err"; } >&2; fi
}
# runenv VAR=VALUE ARGS...: run with one more environment variable
runenv() {
    runenv_var=$1
    shift
    env "$runenv_var" $NEWSGREP_WRAPPER "$NEWSGREP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
rc_is() { [ "$rc" -eq "$1" ]; }
out_is() { [ "$(cat "$tmp/out")" = "$1" ]; }
out_has() { grep -q -e "$1" "$tmp/out"; }
err_has() { grep -q -e "$1" "$tmp/err"; }
out_empty() { [ ! -s "$tmp/out" ]; }
err_empty() { [ ! -s "$tmp/err" ]; }
lines_of() { wc -l <"$1" | tr -d ' '; }
escapes_in() { tr -cd '\033' <"$1" | wc -c | tr -d ' '; }
no_escape() { [ "$(escapes_in "$tmp/out")" -eq 0 ]; }
has_escape() { [ "$(escapes_in "$tmp/out")" -gt 0 ]; }
# no escape sequence other than SGR colour codes (ESC [ digits ; m)
only_sgr() {
    esc=$(printf '\033')
    sed "s/${esc}\[[0-9;]*m//g" "$tmp/out" >"$tmp/stripped"
    [ "$(escapes_in "$tmp/stripped")" -eq 0 ]
}

# json_check: validates $tmp/out as JSON Lines and writes one line per
# object to $tmp/json: "TYPE query=Q rank=R total=T returned=M".
# Hits must carry every field, highlight ranges must lie inside the
# snippet's UTF-8 bytes, and the output must hold no raw control bytes.
cat >"$tmp/jsoncheck.py" <<'EOF'
import json, sys

def bad(msg):
    sys.stdout.write("BAD %s\n" % msg)
    sys.exit(1)

def no_constants(name):
    raise ValueError("non-standard constant " + name)

data = sys.stdin.buffer.read()
if not data.endswith(b"\n"):
    bad("output does not end with a newline")
for number, raw in enumerate(data.split(b"\n")[:-1], 1):
    if any(b < 0x20 or b == 0x7F for b in raw):
        bad("line %d has a raw control byte" % number)
    try:
        obj = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except Exception as e:
        bad("line %d is not JSON: %s" % (number, e))
    if not isinstance(obj, dict) or "type" not in obj:
        bad("line %d is not an object with a type" % number)
    t = obj["type"]
    if t == "hit":
        for key in ("rank", "score", "id", "title", "date", "url", "snippet", "highlights"):
            if key not in obj:
                bad("hit on line %d lacks %s" % (number, key))
        if not isinstance(obj["rank"], int) or obj["rank"] < 1:
            bad("bad rank on line %d" % number)
        if not isinstance(obj["score"], (int, float)):
            bad("bad score on line %d" % number)
        size = len(obj["snippet"].encode("utf-8"))
        for r in obj["highlights"]:
            if (not isinstance(r, list) or len(r) != 2 or not 0 <= r[0] <= r[1] <= size):
                bad("bad highlight %r on line %d" % (r, number))
    elif t == "summary":
        for key in ("total", "returned", "elapsed_ms"):
            if key not in obj:
                bad("summary on line %d lacks %s" % (number, key))
    sys.stdout.write("%s query=%s rank=%s total=%s returned=%s\n" % (
        t, obj.get("query", "-"), obj.get("rank", "-"), obj.get("total", "-"),
        obj.get("returned", "-")))
EOF
json_check() {
    if [ "$have_python" = yes ]; then
        python3 "$tmp/jsoncheck.py" <"$tmp/out" >"$tmp/json"
    else
        # crude fallback: every line is {...} and there are no raw control bytes
        [ "$(tr -d '\n' <"$tmp/out" | tr -cd '\000-\037\177' | wc -c | tr -d ' ')" -eq 0 ] &&
            ! grep -v -q '^{.*}$' "$tmp/out" &&
            sed -e 's/.*"type":"\([a-z]*\)".*/\1/' "$tmp/out" >"$tmp/json"
    fi
}
# without python3 the details cannot be checked: these pass
json_has() { [ "$have_python" = no ] || grep -q -e "$1" "$tmp/json"; }
json_lacks() { [ "$have_python" = no ] || ! grep -q -e "$1" "$tmp/json"; }

# ---------------------------------------------------------------- corpus
corpus=$tmp/corpus
mkdir "$corpus" "$corpus/sub"
cat >"$corpus/2022-02-01-troops.txt" <<'EOF'
Russia moves troops to the border
Foreign minister Lavrov said the troops near the Ukraine border were on exercise.
EOF
cat >"$corpus/2022-02-02-climate.txt" <<'EOF'
Climate talks stall
Delegates failed to agree on climate change targets after two weeks of talks.
EOF
cat >"$corpus/sub/2022-02-03-markets.txt" <<'EOF'
Markets fall on war fears
Stock markets fell sharply as fears of war in Ukraine grew among traders.
EOF
# raw ESC bytes in the title and the body, in enough plain text that the
# file is not taken for a binary one
{
    printf 'Evil \033[2J\033]0;pwned\007 title\n'
    printf 'This zebraword article hides an escape \033[31m sequence and a bell \007.\n'
    echo 'The rest of it is ordinary prose about a zoo, where the keepers counted'
    echo 'the animals twice a day and wrote the numbers in a large green ledger.'
    echo 'Visitors were asked not to feed the animals, and most of them did not.'
} >"$corpus/2022-02-04-escape.txt"
{
    printf '%s\n' '{"id":"wire-1","title":"Central bank raises rates","date":"2022-02-05","url":"https://example.org/1","body":"The central bank raised interest rates to fight inflation."}'
    printf '%s\n' 'this line is not JSON'
    printf '%s\n' '{"id":"wire-2","title":"Quote \"marks\" and \\ backslash","date":"2022-02-06","url":"https://example.org/2","body":"Inflation \"quoted\" text with a backslash \\ inside."}'
    printf '%s\n' '{"id":"wire-\u001b[31mevil","title":"Evil \u001b]0;x\u0007 id","date":"2022-02-07","url":"","body":"The zebrafish story carries escapes \u001b[2J in its fields."}'
} >"$corpus/feed.jsonl"

ix=$tmp/index

# ---------------------------------------------------------------- general
run --version
check "--version prints the version" eval 'rc_is 0 && out_has "^newsgrep [0-9]"'
run -V
check "-V prints the version" eval 'rc_is 0 && out_has "^newsgrep [0-9]"'
run --help
check "--help shows usage with the query syntax" \
    eval 'rc_is 0 && out_has "Usage" && out_has "OR" && out_has "NOT" && out_has "--index" && out_has "phrase"'
run -h
check "-h shows usage" eval 'rc_is 0 && out_has "Usage"'
run help
check "help command shows usage" eval 'rc_is 0 && out_has "Usage"'
run
check "no arguments is a usage error" eval 'rc_is 2 && err_has "Usage"'
run --index "$ix" --no-such-option word
check "unknown option: exit 2 naming it" eval 'rc_is 2 && err_has "no-such-option" && err_has "^newsgrep: "'

# ---------------------------------------------------------------- index
run --index "$tmp/never" index "$corpus" "$tmp/no-such-path"
check "index with a missing path: exit 2 naming it" eval 'rc_is 2 && err_has "no-such-path"'
run --index "$tmp/never" stats
check "index with a missing path indexes nothing" rc_is 2

run index --index "$ix" "$corpus"
check "index: exit 0" rc_is 0
check "index: summary line on stderr" err_has "^indexed [0-9][0-9]* documents ([0-9][0-9]* skipped) from .* MB in .* s (.* MB/s)"
check "index: warning for the bad JSON line" err_has "^newsgrep: warning: "

run index -q --rebuild --index="$tmp/quiet" "$corpus"
check "index -q --rebuild: exit 0 and nothing on stderr" eval 'rc_is 0 && err_empty'

(XDG_DATA_HOME=$tmp/xdg && export XDG_DATA_HOME && "$NEWSGREP" index -q "$corpus" >/dev/null 2>&1)
check "index without --index uses \$XDG_DATA_HOME/newsgrep" test -d "$tmp/xdg/newsgrep"
run index -j 1 --memory 16 --lang english -v --index "$tmp/opts" "$corpus"
check "index -j --memory --lang -v: exit 0" rc_is 0

# ---------------------------------------------------------------- search
run --index "$ix" ukraine
check "hits: exit 0" rc_is 0
check "hits: numbered header lines" eval 'out_has "^1\. " && out_has "^2\. "'
check "hits: score line" out_has "^   .*score [0-9]"
run --index "$ix" search ukraine
check "search command: exit 0" eval 'rc_is 0 && out_has "^1\. "'
run --index "$ix" xyzzyquux
check "no hits: exit 1, empty stdout" eval 'rc_is 1 && out_empty'
run --index "$ix" '"unclosed'
check "bad query: exit 2 with a message" eval 'rc_is 2 && err_has "^newsgrep: " && out_empty'
run --index "$tmp/does-not-exist" ukraine
check "missing index: exit 2" eval 'rc_is 2 && err_has "^newsgrep: "'
run --index "$ix"
check "no query: exit 2" rc_is 2
run --index "$ix" -n abc ukraine
check "bad --limit value: exit 2" rc_is 2
run --index "$ix" --color=sometimes ukraine
check "bad --color value: exit 2" rc_is 2

# counts
run --index "$ix" -c ukraine
check "-c counts matches" eval 'rc_is 0 && out_is 2'
run --index "$ix" -c xyzzyquux
check "-c with no match prints 0, exit 1" eval 'rc_is 1 && out_is 0'
run --index "$ix" ukraine -c
check "options after the query" eval 'rc_is 0 && out_is 2'
run --index "$ix" -c ukraine troops
check "query words are joined (AND)" eval 'rc_is 0 && out_is 1'
run --index "$ix" -c -- -troops ukraine
check "-- lets a query start with -" eval 'rc_is 0 && out_is 1'
runenv NEWSGREP_INDEX="$ix" -c ukraine
check "\$NEWSGREP_INDEX locates the index" eval 'rc_is 0 && out_is 2'
run --index="$ix" -c ukraine
check "--index=DIR form" eval 'rc_is 0 && out_is 2'
runenv XDG_DATA_HOME="$tmp/xdg" -c ukraine
check "\$XDG_DATA_HOME locates the index" eval 'rc_is 0 && out_is 2'

# listing
run --index "$ix" -l inflation
check "-l lists ids one a line" eval 'rc_is 0 && out_has "^wire-1$" && out_has "^wire-2$" && [ "$(lines_of "$tmp/out")" -eq 2 ]'
run --index "$ix" -l troops
check "-l names a text file" eval 'rc_is 0 && out_has "troops"'
run --index "$ix" -n 1 -l ukraine
check "-l ignores the limit" eval 'rc_is 0 && [ "$(lines_of "$tmp/out")" -eq 2 ]'

# limits and paging
run --index "$ix" --json -n 1 ukraine
check "--json -n 1: valid JSON" json_check
check "--json -n 1: one hit, summary total 2 returned 1" \
    eval 'json_has "^hit query=- rank=1 " && [ "$(grep -c "^hit" "$tmp/json")" -eq 1 ] && json_has "^summary .*total=2 returned=1"'
run --index "$ix" --json --limit 1 --offset 1 ukraine
check "--offset 1: the hit has rank 2" eval 'json_check && json_has "^hit query=- rank=2 "'
run --index "$ix" --json --k1 2.0 --b 0.5 inflation
check "--json --k1 --b: valid JSON, summary last" \
    eval 'rc_is 0 && json_check && tail -n 1 "$tmp/json" | grep -q "^summary"'
run --index "$ix" --k1 -1 inflation
check "negative --k1: exit 2" rc_is 2

# JSON escaping of hostile fields
run --index "$ix" --json zebraword OR zebrafish OR marks
check "--json with control characters and quotes in fields is valid JSON" eval 'json_check'
check "--json never writes a raw ESC" no_escape
run --index "$ix" --json xyzzyquux
check "--json without hits: summary only, exit 1" eval 'rc_is 1 && json_check && json_has "^summary .*total=0"'

# colour
run --index "$ix" --color=always ukraine
check "--color=always emits escapes" has_escape
check "--color=always emits only SGR sequences" only_sgr
run --index "$ix" --colour always ukraine
check "--colour always (separate value)" has_escape
run --index "$ix" --color=never ukraine
check "--color=never emits no escape" no_escape
runenv NO_COLOR=1 --index "$ix" ukraine
check "NO_COLOR: no escape" no_escape
run --index "$ix" ukraine
check "not a terminal: no escape" no_escape
run --index "$ix" --color=never zebraword
check "a raw ESC in an article never reaches the output (--color=never)" eval 'rc_is 0 && no_escape'
run --index "$ix" --color=always zebraword
check "a raw ESC in an article never reaches the output (--color=always)" eval 'rc_is 0 && only_sgr'
run --index "$ix" -l zebrafish
check "a raw ESC in an id never reaches -l output" eval 'rc_is 0 && no_escape'

# batch
printf 'ukraine\n\n"unclosed\nxyzzyquux\ninflation\n' >"$tmp/queries"
run --index "$ix" --json --batch "$tmp/queries"
check "--batch with a bad line: exit 2" rc_is 2
check "--batch --json: valid JSON" json_check
check "--batch --json: objects carry the line number" \
    eval 'json_has "^hit query=1 " && json_has "^hit query=5 " && json_has "^summary query=4 .*total=0" && json_lacks "query=2 " && json_lacks "query=-"'
check "--batch: the bad line is reported" err_has "line 3"
printf 'ukraine\ninflation\n' >"$tmp/queries2"
run --index "$ix" -c --batch - <"$tmp/queries2"
printf '1\t2\n2\t2\n' >"$tmp/expected"
check "--batch - -c: LINE<TAB>COUNT from stdin" eval 'rc_is 0 && cmp -s "$tmp/out" "$tmp/expected"'
printf 'xyzzyquux\n\n' >"$tmp/queries3"
run --index "$ix" --batch "$tmp/queries3"
check "--batch without hits: exit 1" rc_is 1
run --index "$ix" --batch "$tmp/no-such-file"
check "--batch with a missing file: exit 2" rc_is 2

# explain
run --index "$ix" --explain -c ukraine
check "--explain writes to stderr only" eval 'rc_is 0 && out_is 2 && [ -s "$tmp/err" ]'

# ---------------------------------------------------------------- stats, check
run --index "$ix" stats
check "stats: exit 0" eval 'rc_is 0 && out_has "documents" && out_has "total"'
run stats --json --index "$ix"
check "stats --json: valid JSON" eval 'rc_is 0 && json_check'
if [ "$have_python" = yes ]; then
    check "stats --json: 7 documents (the bad JSON line skipped)" \
        python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["documents"] == 7 else 1)' "$tmp/out"
fi
run --index "$ix" check
check "check: ok" eval 'rc_is 0 && out_is ok'
run --index "$tmp/does-not-exist" check
check "check on a missing index: exit 2" rc_is 2

echo "1..$n"
exit $failed
