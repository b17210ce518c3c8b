#!/usr/bin/env bash
# CTest `packaging.deb`: builds the .deb from an already built tree, checks it, then runs what it installs.
#
#   packaging/test-deb.sh BUILD_DIR VERSION gui|nogui [CPACK]
#
# 1. cpack -G DEB on BUILD_DIR into a fresh temporary folder (never into the build tree, so parallel tests and
#    `make package` are undisturbed).
# 2. Control fields (dpkg-deb -f) and contents (dpkg-deb -c): both executables, desktop entry, icon, nothing
#    outside /usr/bin and /usr/share; the executables are stripped.
# 3. Runs the packaged programs: tiltbench-cli --version, generate + info on a temporary workspace,
#    tiltbench --version, and the GUI started offscreen on that workspace. Where they run from:
#      install mode  (root, and CI=true or TILTBENCH_TEST_DPKG_INSTALL=1): dpkg -i, run /usr/bin/..., dpkg -r at
#                    the end (also when a step fails), so the system is left as it was;
#      extract mode  (otherwise): dpkg-deb -x into the temporary folder and run the extracted programs.
# Exit 0 pass, 1 fail, 77 skip (not a Debian system: no dpkg-deb).
set -euo pipefail

BUILD_DIR=${1:?usage: test-deb.sh BUILD_DIR VERSION gui|nogui [CPACK]}
VERSION=${2:?usage: test-deb.sh BUILD_DIR VERSION gui|nogui [CPACK]}
KIND=${3:-gui}
CPACK=${4:-cpack}
PKG=tiltbench

say() { echo "test-deb: $*"; }
fail() {
  echo "test-deb: FAIL: $*" >&2
  exit 1
}
started=$SECONDS
step() { say "[$((SECONDS - started)) s] $*"; }

if ! command -v dpkg-deb >/dev/null 2>&1; then
  say "SKIP: dpkg-deb not found (not a Debian system)"
  exit 77
fi
command -v dpkg-shlibdeps >/dev/null 2>&1 ||
  fail "dpkg-shlibdeps not found: install dpkg-dev (packaging/install-deps.sh does)"
[ -f "$BUILD_DIR/CPackConfig.cmake" ] || fail "$BUILD_DIR/CPackConfig.cmake missing (configure the tree first)"
ARCH=$(dpkg --print-architecture)

tmp_base=${TILTBENCH_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$tmp_base"
TMP=$(mktemp -d "$tmp_base/deb.XXXXXX")
installed_by_us=0
cleanup() {
  local rc=$?
  if [ "$installed_by_us" = 1 ]; then
    say "removing the package again: dpkg -r $PKG"
    if ! dpkg -r "$PKG" >"$TMP/dpkg-r.log" 2>&1; then
      cat "$TMP/dpkg-r.log" >&2
      echo "test-deb: FAIL: dpkg -r $PKG failed; the package is still installed" >&2
      rc=1
    elif dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed'; then
      echo "test-deb: FAIL: $PKG is still installed after dpkg -r" >&2
      rc=1
    fi
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# ---- 1. build the package ------------------------------------------------------------------------------------
step "cpack -G DEB --config $BUILD_DIR/CPackConfig.cmake -B $TMP/pkg"
if ! "$CPACK" -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$TMP/pkg" >"$TMP/cpack.log" 2>&1; then
  cat "$TMP/cpack.log" >&2
  fail "cpack failed (is the tree built? cmake --build $BUILD_DIR)"
fi
DEB="$TMP/pkg/${PKG}_${VERSION}_${ARCH}.deb"
[ -f "$DEB" ] || {
  cat "$TMP/cpack.log" >&2
  ls -la "$TMP/pkg" >&2
  fail "cpack did not produce $(basename "$DEB")"
}
step "built $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"

# ---- 2. control fields and contents --------------------------------------------------------------------------
dpkg-deb -I "$DEB"
field() { dpkg-deb -f "$DEB" "$1"; }
expect_field() {
  local value
  value=$(field "$1")
  [ "$value" = "$2" ] || fail "control field $1 is '$value', expected '$2'"
}
expect_field Package "$PKG"
expect_field Version "$VERSION"
expect_field Architecture "$ARCH"
expect_field Section science
for f in Maintainer Description Installed-Size; do
  [ -n "$(field "$f")" ] || fail "control field $f is missing or empty"
done
depends=$(field Depends)
# Explicit dependencies, then ones only dpkg-shlibdeps can have found (proof that it ran).
required_deps=(libopenblas0-openmp libtorch libstdc++6 libsqlite3)
[ "$KIND" = gui ] && required_deps+=(libqt6svg6 libqt6widgets6)
dep_names=$(tr ',|' '\n' <<<"$depends" | sed -E 's/^ +//; s/[ (].*//')
has_dep() { # a package named $1, or $1 followed by a version/soname suffix (libtorch -> libtorch1.13)
  local n
  while read -r n; do
    [[ $n == "$1" || $n == "$1"[0-9.-]* ]] && return 0
  done <<<"$dep_names"
  return 1
}
for d in "${required_deps[@]}"; do
  has_dep "$d" || fail "Depends lacks $d: $depends"
done
say "Depends: $depends"

dpkg-deb -c "$DEB" | tee "$TMP/contents.txt"
# Paths only (the sixth column on), directories dropped.
grep -v '^d' "$TMP/contents.txt" | sed -E 's/^([^ ]+ +){5}//; s/ -> .*//' >"$TMP/files.txt"
bins=(tiltbench-cli)
[ "$KIND" = gui ] && bins+=(tiltbench)
expected=()
for b in "${bins[@]}"; do expected+=("./usr/bin/$b"); done
# The LibTorch half of the CLI, which tiltbench-cli execs for training, export and the like.
expected+=(./usr/libexec/tiltbench/tiltbench-cli-torch)
# The licence, in Debian's machine-readable copyright format.
expected+=(./usr/share/doc/tiltbench/copyright)
[ "$KIND" = gui ] && expected+=(./usr/share/applications/tiltbench.desktop
  ./usr/share/icons/hicolor/scalable/apps/tiltbench.svg)
for f in "${expected[@]}"; do
  grep -qxF "$f" "$TMP/files.txt" || fail "the package lacks $f"
done
unexpected=$(grep -vE '^\./usr/(bin|share|libexec/tiltbench)/' "$TMP/files.txt" || true)
[ -z "$unexpected" ] || fail "files outside /usr/bin, /usr/libexec/tiltbench and /usr/share: $unexpected"
in_bin=$(grep -c '^\./usr/bin/' "$TMP/files.txt" || true)
[ "$in_bin" = "${#bins[@]}" ] || fail "unexpected executables in /usr/bin: $(grep '^\./usr/bin/' "$TMP/files.txt" | tr '\n' ' ')"

dpkg-deb -x "$DEB" "$TMP/root"
head -1 "$TMP/root/usr/share/doc/tiltbench/copyright" | grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "/usr/share/doc/tiltbench/copyright is not in Debian's copyright format"
grep -q '^License: GPL-3+' "$TMP/root/usr/share/doc/tiltbench/copyright" || fail "the copyright file names no GPL-3+ licence"
for f in "${bins[@]/#//usr/bin/}" /usr/libexec/tiltbench/tiltbench-cli-torch; do
  sections=$(readelf -S -W "$TMP/root$f")
  if grep -Eq ' \.(symtab|debug_info) ' <<<"$sections"; then
    fail "$f is not stripped"
  fi
done
# tiltbench-cli itself must not load LibTorch (import and friends start fast); its other half does.
if readelf -d "$TMP/root/usr/bin/tiltbench-cli" | grep -q 'libtorch'; then
  fail "/usr/bin/tiltbench-cli links LibTorch"
fi
readelf -d "$TMP/root/usr/libexec/tiltbench/tiltbench-cli-torch" | grep -q 'libtorch' ||
  fail "tiltbench-cli-torch does not link LibTorch"
if [ "$KIND" = gui ]; then
  desktop="$TMP/root/usr/share/applications/tiltbench.desktop"
  grep -qx 'Exec=tiltbench %f' "$desktop" || fail "desktop entry: Exec is not 'tiltbench %f'"
  grep -qx 'Icon=tiltbench' "$desktop" || fail "desktop entry: Icon is not 'tiltbench'"
  if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate rejects the desktop entry"
  fi
fi
step "control fields and contents OK (stripped executables)"

# ---- 3. run what the package installs ------------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && { [ "${CI:-}" = true ] || [ "${TILTBENCH_TEST_DPKG_INSTALL:-}" = 1 ]; }; then
  MODE=install
  before=$(dpkg-query -W -f='${Status} ${Version}' "$PKG" 2>/dev/null || true)
  case "$before" in
    *" installed "* | *" unpacked "* | *" half-"*)
      say "note: $PKG was already on this system ($before), e.g. left by an interrupted run; dpkg -i replaces it and it is removed at the end"
      ;;
  esac
  step "install mode: dpkg -i $(basename "$DEB")"
  installed_by_us=1
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if dpkg -i "$DEB" >"$TMP/dpkg-i.log" 2>&1; then
      break
    fi
    # Another dpkg/apt holds the lock: wait for it instead of failing.
    if grep -q 'lock' "$TMP/dpkg-i.log" && [ "$attempt" -lt 10 ]; then
      say "dpkg is locked by another process; retrying in 5 s"
      sleep 5
      continue
    fi
    cat "$TMP/dpkg-i.log" >&2
    fail "dpkg -i failed (dependencies missing? packaging/install-deps.sh installs them)"
  done
  cat "$TMP/dpkg-i.log"
  dpkg-query -W -f='${Status}' "$PKG" | grep -q 'install ok installed' || fail "$PKG is not installed after dpkg -i"
  BIN=/usr/bin
else
  MODE=extract
  why="not root"
  [ "$(id -u)" = 0 ] && why="neither CI=true nor TILTBENCH_TEST_DPKG_INSTALL=1"
  step "extract mode ($why): running the programs extracted with dpkg-deb -x"
  BIN="$TMP/root/usr/bin"
fi

run() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "$out" >&2
    fail "command failed: $*"
  fi
  printf '%s\n' "$out"
}

cli_version=$(run "$BIN/tiltbench-cli" --version)
say "$BIN/tiltbench-cli --version: $cli_version"
grep -Eq "(^| )$VERSION\$" <<<"$cli_version" || fail "tiltbench-cli --version printed '$cli_version', expected $VERSION"

WS="$TMP/ws.sqlite"
gen=$(run "$BIN/tiltbench-cli" generate --workspace "$WS" --name pkgtest --users 60 --items 40 \
  --interactions 2000 --seed 7 --json)
info=$(run "$BIN/tiltbench-cli" info --workspace "$WS" --dataset pkgtest --json)
rows_of() { grep -Eo '"rows": *[0-9]+' | head -1 | grep -Eo '[0-9]+$'; }
gen_rows=$(rows_of <<<"$gen" || true)
info_rows=$(rows_of <<<"$info" || true)
if [ -z "$info_rows" ] || [ "$info_rows" -eq 0 ] || [ "$info_rows" != "$gen_rows" ]; then
  fail "info reports rows '$info_rows' for a dataset generated with rows '$gen_rows': $info"
fi
say "tiltbench-cli generate + info: dataset pkgtest with $info_rows rows"
# A LibTorch command goes through tiltbench-cli to the installed tiltbench-cli-torch.
runtime=$(run "$BIN/tiltbench-cli" runtime --json)
grep -q '"torch_version"' <<<"$runtime" || fail "tiltbench-cli runtime did not report LibTorch: $runtime"
say "tiltbench-cli runtime (via tiltbench-cli-torch): $(tr -d '\n ' <<<"$runtime" | cut -c1-120)"

if [ "$KIND" = gui ]; then
  gui_version=$(QT_QPA_PLATFORM=offscreen run "$BIN/tiltbench" --version)
  say "$BIN/tiltbench --version: $gui_version"
  [ "$gui_version" = "tiltbench $VERSION" ] || fail "tiltbench --version printed '$gui_version'"
  # The GUI starts (Qt plugins, fonts) and opens the workspace: still running after 3 s. Its settings go to
  # the temporary folder, not the user's.
  set +e
  HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" XDG_DATA_HOME="$TMP/home/.local/share" \
    XDG_CACHE_HOME="$TMP/home/.cache" QT_QPA_PLATFORM=offscreen \
    timeout -s TERM -k 5 3 "$BIN/tiltbench" "$WS" >"$TMP/gui.log" 2>&1
  gui_rc=$?
  set -e
  if [ "$gui_rc" != 124 ]; then
    cat "$TMP/gui.log" >&2
    fail "tiltbench $WS exited with status $gui_rc within 3 s (expected it to keep running)"
  fi
  say "tiltbench started offscreen on the workspace and was running after 3 s"
fi

step "PASS ($MODE mode)"
