#!/bin/sh
# tools/quickstart.sh QUERY -- build newsgrep from a fresh clone, index the
# sample corpus (corpus/) into the default index, and run QUERY.
#
#   tools/quickstart.sh "Lavrov troops"
#
# Installs missing build dependencies with apt-get when run as root
# (otherwise prints the command to run), bootstraps autotools, configures,
# builds in-tree.  The index goes to $NEWSGREP_INDEX if set, else
# ${XDG_DATA_HOME:-$HOME/.local/share}/newsgrep, as for the newsgrep command.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/tools/deps.sh"

if [ $# -lt 1 ]; then
    echo "usage: tools/quickstart.sh QUERY" >&2
    exit 2
fi

ng_install_deps
log="$top/quickstart.log"
: > "$log"
step() { echo "quickstart: $*" >&2; }
run() {
    if ! "$@" >> "$log" 2>&1; then
        echo "quickstart: failed: $* (last lines of $log follow)" >&2
        tail -n 30 "$log" >&2
        exit 2
    fi
}
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    step "bootstrapping (autoreconf)"
    run autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    step "configuring"
    run ./configure
fi
step "building"
run make -j"$(nproc 2>/dev/null || echo 2)"

step "indexing corpus/"
src/newsgrep index --rebuild corpus
echo >&2
exec src/newsgrep "$@"
