#!/usr/bin/env bash
# Captures real print_hex_dump output from a real kernel, for the dump parser's tests
# (tests/vectors/kernel-earlydump.txt). The kernel parameter pci=earlydump makes the PCI core print
# each device's first 256 bytes of config space with print_hex_dump(DUMP_PREFIX_OFFSET, 16, 1) at
# boot; /init then prints the kernel log (dmesg, with timestamps) and, as an independent reading of
# the same bytes, the device's config file from sysfs (busybox od, one byte per column).
# usage: capture-kernel-hexdump.sh /boot/vmlinuz-VERSION > tests/vectors/kernel-earlydump.txt
set -euo pipefail
kernel=${1:?usage: $0 /boot/vmlinuz-VERSION}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$(command -v busybox)" "$work/root/bin/busybox"
cat > "$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys
echo "=== uname"; uname -r
echo "=== dmesg"; dmesg | grep -A 16 "0000:00:11.0: config space"
echo "=== sysfs 0000:00:11.0/config"; head -c 256 /sys/bus/pci/devices/0000:00:11.0/config | od -A x -t x1 -v
echo "=== end"
poweroff -f
INIT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip) > "$work/initrd.gz"
timeout 120 qemu-system-x86_64 -nodefaults -machine q35,accel=tcg -cpu max -m 256 -smp 1 -display none -monitor none \
  -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 loglevel=4 panic=-1 pci=earlydump" \
  -device e1000e,addr=0x11 -serial "file:$work/console.txt" >/dev/null 2>&1
tr -d '\r' < "$work/console.txt" | sed -n '/^=== uname/,/^=== end/p'
