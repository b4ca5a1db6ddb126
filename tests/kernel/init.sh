#!/bin/busybox sh
# /init of the vfio-replay initramfs (busybox-static). See docs/kernel-harness.md §4.1.
#
# Kernel command-line parameters read here:
#   vfio_bdfs=BDF[,BDF...]  devices to bind to vfio-pci          (default: none)
#   vfio_platform=DEV[,...] platform devices to bind to vfio-platform (e.g. 9020000.fw-cfg)
#   vfio_amba=DEV[,...]     amba devices to bind to vfio-amba    (e.g. 9010000.pl031)
#   vfio_in=PATH            request script                       (default: /req.txt)
#   vfio_out=PATH           reply sink                           (default: /dev/ttyS1)
#   vfio_noiommu=1          load vfio with enable_unsafe_noiommu_mode=1
#   vfio_unsafe_irq=1       load vfio_iommu_type1 with allow_unsafe_interrupts=1
#   vfio_debug=1            print /proc/interrupts and the kernel log after the run
# Modules are loaded in the order listed in /lib/modules/order (written by the host
# from modules.dep); files absent for the running kernel are skipped.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

log() { echo "init: $*"; }

BDFS=""
PLATFORM=""
AMBA=""
IN=/req.txt
OUT=/dev/ttyS1
NOIOMMU=0
UNSAFE_IRQ=0
DEBUG=0
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vfio_bdfs=*) BDFS="${arg#vfio_bdfs=}" ;;
	vfio_platform=*) PLATFORM="${arg#vfio_platform=}" ;;
	vfio_amba=*) AMBA="${arg#vfio_amba=}" ;;
	vfio_in=*) IN="${arg#vfio_in=}" ;;
	vfio_out=*) OUT="${arg#vfio_out=}" ;;
	vfio_noiommu=*) NOIOMMU="${arg#vfio_noiommu=}" ;;
	vfio_unsafe_irq=*) UNSAFE_IRQ="${arg#vfio_unsafe_irq=}" ;;
	vfio_debug=*) DEBUG="${arg#vfio_debug=}" ;;
	esac
done

if [ -f /lib/modules/order ]; then
	MODS=$(cat /lib/modules/order)
else
	MODS="irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci"
fi
for m in $MODS; do
	f=/lib/modules/$m.ko
	[ -f "$f" ] || { log "module $m: not present, skipped"; continue; }
	params=""
	[ "$m" = vfio ] && [ "$NOIOMMU" = 1 ] && params="enable_unsafe_noiommu_mode=1"
	[ "$m" = vfio_iommu_type1 ] && [ "$UNSAFE_IRQ" = 1 ] && params="allow_unsafe_interrupts=1"
	if insmod "$f" $params; then log "module $m: loaded $params"; else log "module $m: insmod FAILED"; fi
done

# bind BUS DRIVER DEV: driver_override, unbind the current driver, reprobe
bind() {
	d=/sys/bus/$1/devices/$3
	if [ ! -d "$d" ]; then
		log "device $3: not present"
		return
	fi
	echo "$2" > "$d/driver_override"
	[ -e "$d/driver" ] && echo "$3" > "$d/driver/unbind"
	echo "$3" > "/sys/bus/$1/drivers_probe"
	ids=""
	if [ -f "$d/vendor" ]; then ven=$(cat "$d/vendor"); dev=$(cat "$d/device"); ids=" ${ven#0x}:${dev#0x}"; fi
	grp=none; [ -e "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
	drv=none; [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	log "device $3$ids group=$grp driver=$drv"
}
for x in $(echo "$BDFS" | tr ',' ' '); do bind pci vfio-pci "$x"; done
for x in $(echo "$PLATFORM" | tr ',' ' '); do bind platform vfio-platform "$x"; done
for x in $(echo "$AMBA" | tr ',' ' '); do bind amba vfio-amba "$x"; done
log "/dev/vfio: $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"

log "uptime $(cat /proc/uptime)"
log "running /vfio-replay $IN $OUT"
/vfio-replay "$IN" "$OUT"
log "vfio-replay exit status $?"
log "uptime $(cat /proc/uptime)"
if [ "$DEBUG" = 1 ]; then
	cat /proc/interrupts
	dmesg | tail -40
fi
sync
poweroff -f
