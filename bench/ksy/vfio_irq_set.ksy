# struct vfio_irq_set (VFIO_DEVICE_SET_IRQS) with its payload: count x u8 for DATA_BOOL (flags & 7 == 2),
# count x s32 for DATA_EVENTFD (flags & 7 == 4), nothing for DATA_NONE.
meta:
  id: vfio_irq_set
  endian: le
seq:
  - id: argsz
    type: u4
  - id: flags
    type: u4
  - id: index
    type: u4
  - id: start
    type: u4
  - id: count
    type: u4
  - id: data_bool
    type: u1
    repeat: expr
    repeat-expr: count
    if: (flags & 7) == 2
  - id: data_eventfd
    type: s4
    repeat: expr
    repeat-expr: count
    if: (flags & 7) == 4
