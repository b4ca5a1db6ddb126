# struct vfio_irq_info (VFIO_DEVICE_GET_IRQ_INFO), x86_64 little-endian. Written for the benchmark peer.
meta:
  id: vfio_irq_info
  endian: le
seq:
  - id: argsz
    type: u4
  - id: flags
    type: u4
  - id: index
    type: u4
  - id: count
    type: u4
