#!/usr/bin/env bash
# Debian packages tinydev needs: compilers for every target we check, QEMU for the virtual board,
# and a deb-src entry so `apt-get source micropython=1.26.1+ds-1` works (Debian's patched source).
set -euo pipefail
PACKAGES=(build-essential pkg-config python3-venv gcc-arm-none-eabi libnewlib-arm-none-eabi
          libstdc++-arm-none-eabi-newlib qemu-system-arm clang llvm libclang-rt-14-dev
          gcc-xtensa-lx106 picolibc-xtensa-lx106-elf dpkg-dev espeak-ng sox)
SRC_LIST=/etc/apt/sources.list.d/tinydev-micropython-src.sources

missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
need_src=0
apt-cache showsrc micropython 2>/dev/null | grep -q '^Version: 1.26.1+ds-1' || need_src=1

if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ]; then
    echo "setup: Debian packages already installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install: ${missing[*]} (and a deb-src entry); run: sudo bash $0" >&2
    exit 1
fi
if [ $need_src -eq 1 ]; then
    cat > "$SRC_LIST" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
