#!/bin/sh
# test-hostile.sh -- newsgrep on hostile and broken input (TAP-like lines,
# as test-cli.sh): binary files, invalid UTF-8, NUL bytes, empty files, a
# huge document, many tiny documents, unreadable files, symlink loops, odd
# file names, bad JSON lines, terminal control sequences, and the limits
# (query length, nesting depth, document size, JSON line length).
#
#   NEWSGREP          the program (default: $abs_top_builddir/src/newsgrep)
#   NEWSGREP_WRAPPER  optional command put before it (valgrind ...)
#   NG_TEST_LONG=1    long mode: a 200 MB document, 10^6 tiny documents,
#                     documents and JSON lines over the ingestion limits
# Exit: 0 all passed, 1 a failure, 77 no program.
top=${abs_top_builddir:-.}
NEWSGREP=${NEWSGREP:-$top/src/newsgrep}
[ -x "$NEWSGREP" ] || { echo "# $NEWSGREP not found; skipping"; exit 77; }
long=${NG_TEST_LONG:-0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsgrep-hostile.XXXXXX") || exit 99
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' 0
trap 'exit 2' HUP INT TERM
unset NEWSGREP_INDEX NO_COLOR XDG_DATA_HOME
HOME=$tmp/home
export HOME
mkdir "$HOME"
command -v python3 >/dev/null 2>&1 || { echo "# python3 needed; skipping"; exit 77; }

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    failed=1
    [ -s "$tmp/err" ] && sed 's/^/#   stderr: /' "$tmp/err" | head -n 5
}
check() { desc=$1; shift; if "$@"; then ok "$desc"; else notok "$desc"; fi; }
# ng ARGS...: run newsgrep (with a time limit); $rc, $tmp/out, $tmp/err
ng() {
    timeout 600 $NEWSGREP_WRAPPER "$NEWSGREP" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
valid_json() { # every line of $tmp/out is one JSON value
    python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1], "rb"), 1):
    json.loads(line.decode("utf-8"))
' "$tmp/out"
}
no_raw_escape() { ! LC_ALL=C grep -q "$(printf '\033')" "$tmp/out"; }

ix=$tmp/ix
d=$tmp/docs
mkdir -p "$d"

# ---- the inputs ------------------------------------------------------------
printf 'Plain title\n\nA normal article about walruses.\n' > "$d/plain.txt"
head -c 6000 /dev/urandom > "$d/random.bin"
printf '\177ELF\002\001\001\000\000\000\000\000binarystuff' > "$d/elf.txt"
printf 'Bad bytes\n\nvalid words \377\376 then octopus \300\257 and \355\240\200 end\n' > "$d/badutf8.txt"
printf 'With NUL\n\nsome text\000more text narwhal\n' > "$d/nul.txt"
: > "$d/empty.txt"
printf 'Escapes \033]0;pwned\007 title\n\nbody with \033[2J\033[31mred\033[0m and \233 csi and bell \007 squid.\n' > "$d/esc.txt"
printf 'Newline name\n\nnarrow file with a newline in its name, axolotl.\n' > "$d/new
line.txt"
printf 'Odd bytes\n\naxolotl again in an odd name.\n' > "$d/odd $(printf '\t\377')name.txt"
printf 'Dash name\n\naxolotl with a dash.\n' > "$d/-dash.txt"
mkdir -p "$d/loop/inner"
ln -s .. "$d/loop/inner/up"
ln -s "$d/loop/b" "$d/loop/a"
ln -s "$d/loop/a" "$d/loop/b"
{
    echo '{"id":"j1","title":"Good one","body":"jellyfish one"}'
    echo '{"id":"j2","title":"Bad","body":}'
    echo 'not json at all'
    echo '{"id":"j4","title":"No body"}'
    echo '{"id":"j5","title":"Good two","body":"jellyfish two \u0000 nul \ud800 lone"}'
    printf '{"id":"j6","body":"raw \377 byte jellyfish"}\n'
    echo '{"id":"j7","body":"jellyfish three"'
} > "$d/feed.jsonl"

# ---- indexing --------------------------------------------------------------
ng --index "$ix" index "$d"
check "index of the hostile directory exits 0 (rc $rc)" [ "$rc" = 0 ]
check "binary file skipped with a warning naming it" grep -q 'random.bin' "$tmp/err"
check "bad JSON line reported as FILE:LINE" grep -q 'feed.jsonl:2:' "$tmp/err"
check "line 3 and line 4 reported" sh -c "grep -q 'feed.jsonl:3:' '$tmp/err' && grep -q 'feed.jsonl:4:' '$tmp/err'"
check "unterminated last line reported" grep -q 'feed.jsonl:7:' "$tmp/err"
check "symlink loop reported, not followed forever" grep -qi 'loop' "$tmp/err"
cp "$tmp/err" "$tmp/index.err"
ng --index "$ix" -l jellyfish
check "good JSON lines indexed around the bad ones" [ "$(sort "$tmp/out" | tr '\n' ' ')" = "j1 j5 j6 " ]
ng --index "$ix" -c octopus
check "invalid UTF-8 is a separator, the words around it are found" [ "$rc" = 0 ]
ng --index "$ix" -l axolotl
check "files with newlines and odd bytes in their names are indexed (3)" [ "$rc" = 0 ]
ng --index "$ix" --json axolotl
check "--json with odd file names is valid JSON" valid_json
ng --index "$ix" --json jellyfish
check "--json with NUL, lone surrogates and invalid UTF-8 is valid JSON" valid_json
ng --index "$ix" --json octopus
check "--json of a document with invalid UTF-8 is valid JSON" valid_json
ng --index "$ix" --json squid
check "--json of a document with control sequences is valid JSON" valid_json
ng --index "$ix" --color=never squid
check "control sequences found by search ($rc)" [ "$rc" = 0 ]
check "no raw ESC reaches the terminal (--color=never)" no_raw_escape
check "no raw C1 CSI byte reaches the terminal" sh -c "! LC_ALL=C grep -q '$(printf '\233')' '$tmp/out'"
ng --index "$ix" --color=always squid
check "--color=always: only newsgrep's own SGR sequences" sh -c \
    "! LC_ALL=C sed 's/$(printf '\033')\\[[0-9;]*m//g' '$tmp/out' | LC_ALL=C grep -q '$(printf '\033')'"
ng --index "$ix" -l walruses
check "ordinary file indexed" grep -q 'plain.txt' "$tmp/out"
ng --index "$ix" check
check "the index passes check" [ "$rc" = 0 ]

# unreadable file and directory (root reads them anyway)
mkdir -p "$tmp/locked/dir"
printf 'Secret\n\nunreadable penguin\n' > "$tmp/locked/secret.txt"
printf 'Hidden\n\nunreadable penguin in dir\n' > "$tmp/locked/dir/x.txt"
chmod 000 "$tmp/locked/secret.txt" "$tmp/locked/dir"
if cat "$tmp/locked/secret.txt" >/dev/null 2>&1; then
    skip "unreadable files: running as root"
    skip "unreadable directories: running as root"
else
    ng --index "$ix" index "$tmp/locked"
    check "unreadable file: exit 0 and a warning naming it" sh -c "[ $rc = 0 ] && grep -q secret.txt '$tmp/err'"
    check "unreadable directory: a warning naming it" grep -q 'locked/dir' "$tmp/err"
fi
chmod 755 "$tmp/locked/dir"

# ---- limits ----------------------------------------------------------------
python3 -c 'print("a " * 40000)' > "$tmp/longq"
ng --index "$ix" "$(cat "$tmp/longq")"
check "an 80 KB query: exit 2 with a clear message" sh -c "[ $rc = 2 ] && grep -qi 'long\|limit\|bytes' '$tmp/err'"
ng --index "$ix" "$(python3 -c 'print("(" * 200 + "a" + ")" * 200)')"
check "nesting depth 200: exit 2 with a clear message" sh -c "[ $rc = 2 ] && grep -qi 'deep\|nest\|depth' '$tmp/err'"
ng --index "$ix" "$(python3 -c 'print("NOT " * 300 + "a b")')"
check "300 NOT in a row: exit 2 or 1, no crash" sh -c "[ $rc = 2 ] || [ $rc = 1 ]"

# ---- size: one big document, many tiny ones ---------------------------------
big_mb=30
[ "$long" = 1 ] && big_mb=200
python3 - "$tmp/big/2022-05-05-big.txt" "$big_mb" <<'PY'
import os, sys
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
words = b"alpha bravo charlie delta echo foxtrot golf hotel india juliet ".split()
with open(sys.argv[1], "wb") as f:
    f.write(b"Big document\n\n")
    chunk = b" ".join(words[i % 10] + b"%d" % (i % 1000) for i in range(100000)) + b"\n"
    left = int(sys.argv[2]) << 20
    while left > 0:
        f.write(chunk[:left])
        left -= len(chunk)
    f.write(b"\nlastwordzeppelin\n")
PY
ng --index "$ix" index "$tmp/big"
check "a ${big_mb} MB document is indexed (rc $rc)" [ "$rc" = 0 ]
ng --index "$ix" -l lastwordzeppelin
check "its last word is found" grep -q 'big.txt' "$tmp/out"
ng --index "$ix" --json lastwordzeppelin
check "--json snippet of the big document is valid" valid_json
rm -rf "$tmp/big"

if [ "$long" = 1 ]; then
    # a document over the 256 MiB ingestion limit: cut with a warning
    python3 -c '
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"Huge\n\n")
    line = b"word " * 20000 + b"\n"
    for _ in range((260 << 20) // len(line)): f.write(line)
    f.write(b"beyondthelimit\n")' "$tmp/huge.txt"
    ng --index "$ix" index "$tmp/huge.txt"
    check "a 260 MB document: indexed, cut with a warning" sh -c "[ $rc = 0 ] && grep -qi 'trunc\|cut\|larger\|limit' '$tmp/err'"
    rm -f "$tmp/huge.txt"
    # a JSON line over 64 MiB: skipped with a warning naming file:line
    python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("{\"id\":\"ok1\",\"body\":\"fine\"}\n")
    f.write("{\"id\":\"big\",\"body\":\"" + "x" * (65 << 20) + "\"}\n")
    f.write("{\"id\":\"ok2\",\"body\":\"fine\"}\n")' "$tmp/longline.jsonl"
    ng --index "$ix" index "$tmp/longline.jsonl"
    check "a 65 MB JSON line: skipped with a warning naming line 2" grep -q 'longline.jsonl:2' "$tmp/err"
    rm -f "$tmp/longline.jsonl"
fi

tiny=10000
[ "$long" = 1 ] && tiny=1000000
if [ "$long" = 1 ]; then
    python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])): f.write("{\"id\":\"t%d\",\"body\":\"tinyword w%d\"}\n" % (i, i))' "$tmp/tiny.jsonl" "$tiny"
    ng --index "$tmp/ix2" index --memory 64 "$tmp/tiny.jsonl"
else
    mkdir -p "$tmp/tiny"
    python3 -c '
import os, sys
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], "t%05d.txt" % i), "w") as f: f.write("Tiny %d\n\ntinyword w%d\n" % (i, i))' "$tmp/tiny" "$tiny"
    ng --index "$tmp/ix2" index --memory 16 "$tmp/tiny"
fi
check "$tiny tiny documents indexed (rc $rc)" [ "$rc" = 0 ]
ng --index "$tmp/ix2" -c tinyword
check "all $tiny of them are found" [ "$(cat "$tmp/out")" = "$tiny" ]
ng --index "$tmp/ix2" check
check "the index of tiny documents passes check" [ "$rc" = 0 ]
rm -rf "$tmp/tiny" "$tmp/tiny.jsonl" "$tmp/ix2"

echo "1..$n"
exit $failed
