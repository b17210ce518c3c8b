#!/usr/bin/env bash
# Installs the Debian 12 packages Tiltbench needs to build, test and run — only those that are missing.
# Idempotent: a second run installs nothing and says so. Works as root or through sudo.
#
#   packaging/install-deps.sh            # build + test + GUI + packaging dependencies
#   TILTBENCH_DEPS_QUIET=1 packaging/install-deps.sh   # only print when something is installed
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config
  # core
  libtorch-dev libgloo-dev libopenblas0-openmp libsqlite3-dev sqlite3 libsqlitecpp-dev nlohmann-json3-dev libfmt-dev
  libcli11-dev zlib1g-dev libzstd-dev
  # GUI
  qt6-base-dev libqcustomplot-dev libgl-dev libqt6svg6 qt6-svg-dev
  # tests and benchmarks (python3-torch: the export round trip loads TorchScript from Python)
  libgtest-dev libgmock-dev googletest libbenchmark-dev xvfb xauth fonts-dejavu-core time python3-torch
  # the HTML report's browser test renders it headless (tests/ui/report_browser_test.cpp)
  chromium
  # packaging: make package (CPack DEB needs dpkg-shlibdeps from dpkg-dev; the .deb's test validates its
  # desktop entry); hicolor-icon-theme is the package's Recommends
  dpkg-dev desktop-file-utils hicolor-icon-theme
)

missing=()
for p in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  [ -n "${TILTBENCH_DEPS_QUIET:-}" ] || echo "install-deps: all ${#PACKAGES[@]} Debian packages already installed."
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing Debian package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: not root and no sudo; install these yourself: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done."
