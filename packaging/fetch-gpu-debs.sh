#!/usr/bin/env bash
# Fetches, on a machine that reaches Debian's package registry, everything bench/gpu/gpu_check.sh needs on the
# GPU machine (which reaches no registry) besides its own LibTorch, compiler and CUDA:
#   DEST/*.deb                  the Debian 12 packages core + CLI build against (headers, CMake configs, the
#                               libraries they link), plus cmake and ninja with their libraries in case the GPU
#                               machine has none; gpu_check.sh unpacks them with `dpkg -x` into a prefix
#                               (never into /), so nothing is installed there.
#   DEST/sqlitecpp-src/         SQLiteCpp's source (include/, src/, LICENSE.txt) from Debian's source package,
#                               compiled by gpu_check.sh only when LibTorch uses the pre-C++11 libstdc++ ABI
#                               (see cmake/TiltbenchTorch.cmake); skipped with --no-source
#   DEST/data/ml-100k/u.data    MovieLens 100K, copied from ../shared beside the checkout (the GPU machine only
#                               gets the repository's working tree plus carried paths); skipped when absent
#   DEST/MANIFEST.txt           what is there, with versions and sizes
#
#   packaging/fetch-gpu-debs.sh [--no-source] [DEST]      # DEST defaults to build/gpu-debs (git-ignored)
#
# Then, with the device tool: run `bash bench/gpu/gpu_check.sh`, carrying DEST (docs/GPU.md).
set -euo pipefail

die() {
    echo "fetch-gpu-debs: $*" >&2
    exit 1
}
say() { echo "fetch-gpu-debs: $*"; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

WITH_SOURCE=1
DEST=""
for arg in "$@"; do
    case "$arg" in
        --no-source) WITH_SOURCE=0 ;;
        -h | --help)
            sed -n '2,18p' "$0"
            exit 0
            ;;
        -*) die "unknown option '$arg' (try --help)" ;;
        *) [ -z "$DEST" ] || die "one destination only"; DEST="$arg" ;;
    esac
done
DEST="${DEST:-build/gpu-debs}"

command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian machine"
[ "$(dpkg --print-architecture)" = amd64 ] || die "the GPU machine is x86-64; run this on an amd64 Debian"

# Core + CLI with TILTBENCH_GUI=OFF TILTBENCH_TESTS=OFF TILTBENCH_BENCH=OFF find_package: Threads (libc),
# nlohmann_json, CLI11, Torch (the GPU machine's own), fmt, SQLiteCpp (-> SQLite3).
CORE_PACKAGES=(
    libsqlitecpp-dev libsqlite3-dev libsqlite3-0
    nlohmann-json3-dev
    libfmt-dev libfmt9
    libcli11-dev
)
# Only used when the GPU machine has no cmake / ninja (its image is said to have both).
TOOL_PACKAGES=(
    cmake cmake-data ninja-build
    libjsoncpp25 librhash0 libuv1 libarchive13 libcurl4
    libnghttp2-14 libpsl5 librtmp1 libssh2-1 libbrotli1
)

mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
case "$DEST" in
    "$REPO"/build/* | "$REPO"/build) ;;
    "$REPO"/*) say "note: $DEST is inside the repository but not under build/: make sure git ignores it" ;;
esac

# apt-get download needs package lists; update once if the first package has no candidate.
if ! apt-cache policy libsqlitecpp-dev 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    say "no package lists yet: apt-get update"
    apt-get update -qq || die "apt-get update failed"
fi

rm -f "$DEST"/*.deb
say "downloading ${#CORE_PACKAGES[@]} core + ${#TOOL_PACKAGES[@]} tool packages into $DEST"
# apt-get warns when its _apt user cannot write the folder and downloads as root instead: harmless.
(cd "$DEST" && apt-get download -q "${CORE_PACKAGES[@]}" "${TOOL_PACKAGES[@]}" 2>&1 | grep -v 'unsandboxed' || true)
for p in "${CORE_PACKAGES[@]}" "${TOOL_PACKAGES[@]}"; do
    ls "$DEST/${p}_"*.deb >/dev/null 2>&1 || die "package $p was not downloaded"
done

if [ "$WITH_SOURCE" = 1 ]; then
    # Debian's SQLiteCpp source, through a private deb-src list (the system's sources are left alone).
    APT_TMP="$(mktemp -d)"
    trap 'rm -rf "$APT_TMP"' EXIT
    mkdir -p "$APT_TMP/lists/partial" "$APT_TMP/src"
    suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
    echo "deb-src http://deb.debian.org/debian $suite main" >"$APT_TMP/sources.list"
    APT_OPTS=(-o "Dir::Etc::SourceList=$APT_TMP/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$APT_TMP/lists")
    say "downloading SQLiteCpp's Debian source ($suite)"
    apt-get "${APT_OPTS[@]}" update -qq || die "apt-get update of the deb-src list failed (or pass --no-source)"
    (cd "$APT_TMP/src" && apt-get "${APT_OPTS[@]}" source --download-only -q sqlitecpp 2>&1 |
        grep -v 'unsandboxed' || true)
    orig="$(ls "$APT_TMP"/src/sqlitecpp_*.orig.tar.* 2>/dev/null | head -n 1)"
    [ -n "$orig" ] || die "SQLiteCpp's source was not downloaded (or pass --no-source)"
    rm -rf "$DEST/sqlitecpp-src"
    mkdir -p "$DEST/sqlitecpp-src"
    tar -xf "$orig" -C "$DEST/sqlitecpp-src" --strip-components=1 --wildcards --no-wildcards-match-slash \
        '*/include/SQLiteCpp/*.h' '*/src/*.cpp' '*/LICENSE.txt'
    [ -f "$DEST/sqlitecpp-src/src/Database.cpp" ] || die "unexpected layout in $(basename "$orig")"
    basename "$orig" >"$DEST/sqlitecpp-src/FROM.txt"
else
    rm -rf "$DEST/sqlitecpp-src"
fi

ML100K="$(cd "$REPO/.." && pwd)/shared/data/ml-100k"
if [ -f "$ML100K/u.data" ]; then
    mkdir -p "$DEST/data/ml-100k"
    cp "$ML100K/u.data" "$DEST/data/ml-100k/u.data"
    [ -f "$ML100K/README" ] && cp "$ML100K/README" "$DEST/data/ml-100k/README"
    say "copied MovieLens 100K from $ML100K"
else
    say "note: $ML100K/u.data not found; gpu_check.sh will need TILTBENCH_ML100K or shared/ in the checkout"
fi

{
    echo "# Made by packaging/fetch-gpu-debs.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) ($(. /etc/os-release && echo "$PRETTY_NAME"))"
    for f in "$DEST"/*.deb; do
        printf '%-28s %-28s %8s KiB\n' "$(dpkg-deb -f "$f" Package)" "$(dpkg-deb -f "$f" Version)" \
            "$(($(stat -c %s "$f") / 1024))"
    done
    [ -d "$DEST/sqlitecpp-src" ] && echo "sqlitecpp-src/  from $(cat "$DEST/sqlitecpp-src/FROM.txt")"
    [ -f "$DEST/data/ml-100k/u.data" ] && echo "data/ml-100k/u.data"
} >"$DEST/MANIFEST.txt"

total_kib="$(du -sk "$DEST" | cut -f1)"
say "$(ls "$DEST"/*.deb | wc -l) packages; $DEST holds $((total_kib / 1024)) MiB ($total_kib KiB)"
[ "$total_kib" -le $((40 * 1024)) ] || say "warning: more than 40 MiB; the device tool carries at most 64 MiB with the tree"
