# struct vfio_region_info (VFIO_DEVICE_GET_REGION_INFO, 6.6+ layout) and its capability chain:
# sparse mmap (id 1), region type (id 2), MSI-X mappable (id 3). `next` is relative to the buffer start.
meta:
  id: vfio_region_info
  endian: le
seq:
  - id: argsz
    type: u4
  - id: flags
    type: u4
  - id: index
    type: u4
  - id: cap_offset
    type: u4
  - id: size
    type: u8
  - id: offset
    type: u8
instances:
  first_cap:
    pos: cap_offset
    type: cap
    if: (flags & 8) != 0 and cap_offset != 0
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
            1: sparse_mmap
            2: cap_type
    instances:
      next_cap:
        io: _root._io
        pos: next
        type: cap
        if: next != 0
  sparse_mmap:
    seq:
      - id: nr_areas
        type: u4
      - id: reserved
        type: u4
      - id: areas
        type: area
        repeat: expr
        repeat-expr: nr_areas
  area:
    seq:
      - id: offset
        type: u8
      - id: size
        type: u8
  cap_type:
    seq:
      - id: type
        type: u4
      - id: subtype
        type: u4
