# struct vfio_iommu_type1_info (VFIO_IOMMU_GET_INFO, 6.6+ layout) and its capabilities: IOVA ranges
# (id 1), migration (id 2; pgsize_bitmap is 8-aligned, so 4 bytes of padding follow flags),
# DMA avail (id 3).
meta:
  id: vfio_iommu_type1_info
  endian: le
seq:
  - id: argsz
    type: u4
  - id: flags
    type: u4
  - id: iova_pgsizes
    type: u8
  - id: cap_offset
    type: u4
  - id: pad
    type: u4
instances:
  first_cap:
    pos: cap_offset
    type: cap
    if: (flags & 2) != 0 and cap_offset != 0
types:
  cap:
    seq:
      - id: id
        type: u2
      - id: version
        type: u2
      - id: next
        type: u4
      - id: body
        type:
          switch-on: id
          cases:
            1: iova_range
            2: migration
            3: dma_avail
    instances:
      next_cap:
        io: _root._io
        pos: next
        type: cap
        if: next != 0
  iova_range:
    seq:
      - id: nr_iovas
        type: u4
      - id: reserved
        type: u4
      - id: iova_ranges
        type: range
        repeat: expr
        repeat-expr: nr_iovas
  range:
    seq:
      - id: start
        type: u8
      - id: end
        type: u8
  migration:
    seq:
      - id: flags
        type: u4
      - id: pad
        size: 4
      - id: pgsize_bitmap
        type: u8
      - id: max_dirty_bitmap_size
        type: u8
  dma_avail:
    seq:
      - id: avail
        type: u4
