#!/usr/bin/env bash
# Installs what building, testing and the demo need on Debian bookworm (run as root, or with sudo available).
set -euo pipefail
packages=(
  build-essential cmake pkg-config ninja-build ccache git
  gsoap libgsoap-dev libssl-dev zlib1g-dev openssl
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libexpat1-dev libxml2-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql
  nlohmann-json3-dev libcli11-dev
  doxygen graphviz
  python3 python3-zeep libxml2-utils
  clang libclang-rt-14-dev valgrind
  procps curl ca-certificates tzdata
)
# Node.js and npm (interoperability tests with Node's soap package): Debian's, unless a node with npm is present.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
