#!/bin/sh
# tools/deps.sh -- install newsgrep's build dependencies on Debian/Ubuntu.
# Sourced by tools/quickstart.sh and tools/check.sh; usable alone:
#   tools/deps.sh [extra-package...]
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

NG_DEPS="gcc make autoconf automake libtool pkg-config zlib1g-dev libdeflate-dev libutf8proc-dev libstemmer-dev libcunit1-dev"

ng_missing_packages() {
    missing=""
    for p in "$@"; do
        st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case "$st" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
        esac
    done
    echo "$missing"
}

ng_install_deps() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "deps: not a Debian system; install by hand: $NG_DEPS $*" >&2
        return 0
    fi
    missing=$(ng_missing_packages $NG_DEPS "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps: missing packages:$missing" >&2
        echo "deps: run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
        return 1
    fi
    echo "deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || apt-get update >&2
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2
}

case "$0" in
*deps.sh) ng_install_deps "$@" ;;
esac
