#!/bin/sh
# install-test.sh -- what "make install" gives a user.
#
# Configures the source tree into a temporary build directory with a
# temporary --prefix, runs "make install" with DESTDIR, then:
#  - builds tools/embed-example.c with nothing but
#    "pkg-config --cflags --libs newsgrep" (PKG_CONFIG_PATH pointing at the
#    installed newsgrep.pc) and runs it on corpus/ with a query on stdin;
#  - checks that the program, the header, the man pages and the bash and
#    zsh completions were installed where they belong;
#  - runs "make uninstall" and checks that no file is left behind.
#
# Environment: abs_top_srcdir (or srcdir) as set by the automake harness;
# CC; NG_INSTALL_TEST_CONFIGURE_FLAGS (extra configure arguments);
# MAKE (default make).
#
# Prints "ok N - desc" or "not ok N - desc"; exits 0 if all passed, 1 if
# any failed, 77 (skip) without pkg-config or a C compiler.  It builds the
# whole project once more, so it takes a minute or two.

src=${abs_top_srcdir:-${srcdir:-.}}
src=$(cd "$src" && pwd) || exit 99
make=${MAKE:-make}
cc=${CC:-cc}

command -v pkg-config >/dev/null 2>&1 || { echo "# no pkg-config; skipping"; exit 77; }
command -v "$cc" >/dev/null 2>&1 || { echo "# no C compiler $cc; skipping"; exit 77; }
[ -x "$src/configure" ] || { echo "# $src/configure missing (run autoreconf -fi); skipping"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsgrep-install.XXXXXX") || exit 99
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' 0
trap 'exit 2' HUP INT TERM

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
    if [ -s "$tmp/log" ]; then tail -n 15 "$tmp/log" | sed 's/^/#   /'; fi
}
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}
finish() {
    echo "1..$n"
    exit $failed
}

prefix=/opt/newsgrep-install-test # never written: DESTDIR holds the files
dest=$tmp/dest
root=$dest$prefix
mkdir "$tmp/build" "$dest"

# ---------------------------------------------------------------- install
(cd "$tmp/build" && "$src/configure" --prefix="$prefix" $NG_INSTALL_TEST_CONFIGURE_FLAGS) \
    >"$tmp/log" 2>&1
check "configure --prefix=$prefix" test -f "$tmp/build/Makefile"
[ -f "$tmp/build/Makefile" ] || finish
(cd "$tmp/build" && $make -j2 >"$tmp/log" 2>&1 && $make install DESTDIR="$dest" >"$tmp/log" 2>&1)
check "make install DESTDIR=..." test -x "$root/bin/newsgrep"
[ -x "$root/bin/newsgrep" ] || finish

check "nothing is installed outside DESTDIR" test ! -e "$prefix"
check "the header is installed" test -f "$root/include/newsgrep.h"
pc=$(find "$dest" -name newsgrep.pc | head -n 1)
check "newsgrep.pc is installed" test -n "$pc"
check "newsgrep(1) is installed in man1" test -f "$root/share/man/man1/newsgrep.1"
check "libnewsgrep(3) is installed in man3" test -f "$root/share/man/man3/libnewsgrep.3"
check "the bash completion is installed as bash-completion/completions/newsgrep" \
    test -f "$root/share/bash-completion/completions/newsgrep"
check "the zsh completion is installed as zsh/site-functions/_newsgrep" \
    test -f "$root/share/zsh/site-functions/_newsgrep"
[ -n "$pc" ] || finish

# the library directory: wherever the .so went (lib, lib64, lib/<triplet>)
libdir=$(dirname "$(dirname "$pc")")
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH

"$root/bin/newsgrep" --version >"$tmp/out" 2>"$tmp/log"
check "the installed program runs" grep -q "^newsgrep [0-9]" "$tmp/out"

# ---------------------------------------------------------------- pkg-config
# The .pc names $prefix; with DESTDIR the files are under $dest, so its
# prefix variable is redefined (all other paths derive from it).
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
flags=$(pkg-config --define-variable=prefix="$root" --cflags --libs newsgrep 2>"$tmp/log")
check "pkg-config --cflags --libs newsgrep" test -n "$flags"
echo "# pkg-config: $flags"
$cc "$src/tools/embed-example.c" $flags -o "$tmp/embed-example" >"$tmp/log" 2>&1
check "tools/embed-example.c builds with the pkg-config flags only" test -x "$tmp/embed-example"
if [ -x "$tmp/embed-example" ]; then
    echo 'Lavrov troops' | "$tmp/embed-example" "$tmp/index" "$src/corpus" >"$tmp/out" 2>"$tmp/log"
    rc=$?
    cp "$tmp/out" "$tmp/log"
    # oracle: the files of corpus/ that contain both words
    expected=$(grep -l -i -w 'lavrov' "$src"/corpus/*.txt | xargs grep -l -i -w -E 'troops?' | wc -l)
    check "embed-example indexes corpus/ and answers a query from stdin" \
        eval '[ $rc -eq 0 ] && grep -q "^$expected matching documents\$" "$tmp/out" &&
              [ "$expected" -gt 0 ] && grep -q "\[[Tt]roops*\]" "$tmp/out"'
fi

# ---------------------------------------------------------------- uninstall
(cd "$tmp/build" && $make uninstall DESTDIR="$dest" >"$tmp/log" 2>&1)
find "$dest" -type f >"$tmp/log"
check "make uninstall leaves no file behind" eval '[ ! -s "$tmp/log" ]'

finish
