#!/usr/bin/env bash
# Debian packages the tests need (idempotent; installs only what is missing; needs root).
# Called by .ci/run and by `npm test` on a fresh machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(
  # C reference checks: gcc on the real uapi headers, x86_64 + i386 + big-endian s390x and ppc64
  gcc libc6-dev linux-libc-dev
  gcc-i686-linux-gnu linux-libc-dev-i386-cross libc6-dev-i386-cross
  gcc-s390x-linux-gnu linux-libc-dev-s390x-cross libc6-dev-s390x-cross
  gcc-powerpc64-linux-gnu linux-libc-dev-ppc64-cross libc6-dev-ppc64-cross
  qemu-user-static
  # real-kernel harness: QEMU (TCG) + e1000e option ROM, busybox initramfs, depmod, .ko.xz modules.
  # No kernel is installed: tests/kernel downloads its four guest kernels with a private apt state
  # and unpacks them into a cache directory
  qemu-system-x86 ipxe-qemu busybox-static kmod xz-utils ca-certificates
  # foreign-architecture kernels (tests/kernel/cross): QEMU for arm64 and s390x, cross compilers
  # for the minimal kernels the tests build from Debian's linux-source and for the static replay
  # program, and the kernel build's host tools. Sources and guest busybox come through private apt
  # states, not from here
  qemu-system-arm qemu-system-misc gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  make bison flex bc libelf-dev libssl-dev cpio
  # embedding: wabt (wasm2c, wast2json, spectest-interp), JavaScriptCore shell
  wabt libjavascriptcoregtk-4.0-bin
  # browser e2e: Debian's chromium driven by playwright-core
  chromium
  # dump parser tests: real output of xxd, hexdump/hd, od and gdb
  xxd bsdextrautils coreutils gdb
  # vfio-user peer stage: builds libvfio-user (meson + ninja) and a test server on it
  meson ninja-build pkg-config libjson-c-dev libcmocka-dev
  # syzkaller stage: its checker fetches Go and syzkaller's Go libraries from Debian into its own work
  # directory (a private apt state verified with Debian's archive keyring; nothing is installed) and
  # evaluates constants with gcc
  apt debian-archive-keyring
)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "system packages: all ${#PACKAGES[@]} present"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "system packages missing (run as root to install): ${missing[*]}" >&2; exit 1; fi
echo "system packages: installing ${missing[*]}"
# one apt at a time on a shared machine (the lock is a no-op where nothing else runs apt)
lock=(); command -v flock >/dev/null && lock=(flock "${APT_LOCK:-/tmp/vfio-abi-apt.lock}")
"${lock[@]}" apt-get update
"${lock[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
