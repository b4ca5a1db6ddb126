#!/usr/bin/env bash
# Install the host packages the real-kernel replay harness (tests/kernel/harness.mjs) needs.
# Debian 12 (bookworm), run as root (or via sudo). Idempotent: does nothing when all are present.
#
#   qemu-system-x86          qemu-system-x86_64 7.2 (TCG); pulls in seabios (BIOS for -kernel boot)
#   ipxe-qemu                efi-e1000e.rom: the e1000e option ROM (region 6 of e1000e is sized from it)
#   busybox-static           /bin/busybox for the initramfs
#   gcc libc6-dev            static build of vfio-replay.c
#   xz-utils                 decompress the kernels' .ko.xz modules
#   kmod                     depmod, to build modules.dep for the unpacked kernels
#   ca-certificates          in case the configured mirror is https
#
# No kernel is installed here: harness.mjs downloads the guest kernels (6.1 bookworm, 6.12
# bookworm-backports, the newest of unstable and of experimental) at run time with apt-get download
# into a private apt state directory and unpacks them with dpkg-deb (the host apt configuration
# and /boot are untouched).
# cpio is not needed: harness.mjs writes the newc archives itself.
set -euo pipefail

PKGS=(qemu-system-x86 ipxe-qemu busybox-static gcc libc6-dev xz-utils kmod ca-certificates)

missing=()
for p in "${PKGS[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install.sh: all packages present (${PKGS[*]})"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "install.sh: must run as root (missing: ${missing[*]})" >&2
    exit 1
  fi
fi

echo "install.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

for p in "${PKGS[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    echo "install.sh: $p is still not installed" >&2
    exit 1
  fi
done
echo "install.sh: done"
