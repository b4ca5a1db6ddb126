# struct vfio_device_info (VFIO_DEVICE_GET_INFO, 6.6+ layout) on s390x (big-endian) with the zPCI
# capabilities: base (id 1, version 2 adds fh), group (id 2, version 2 adds reserved + imaxstbl),
# util (id 3) and pfip (id 4) with their byte strings.
meta:
  id: vfio_device_info
  endian: be
seq:
  - id: argsz
    type: u4
  - id: flags
    type: u4
  - id: num_regions
    type: u4
  - id: num_irqs
    type: u4
  - id: cap_offset
    type: u4
  - id: pad
    type: u4
instances:
  first_cap:
    pos: cap_offset
    type: cap
    if: (flags & 0x80) != 0 and cap_offset != 0
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
            1: zpci_base
            2: zpci_group
            3: zpci_bytes
            4: zpci_bytes
    instances:
      next_cap:
        io: _root._io
        pos: next
        type: cap
        if: next != 0
  zpci_base:
    seq:
      - id: start_dma
        type: u8
      - id: end_dma
        type: u8
      - id: pchid
        type: u2
      - id: vfn
        type: u2
      - id: fmb_length
        type: u2
      - id: pft
        type: u1
      - id: gid
        type: u1
      - id: fh
        type: u4
        if: _parent.version >= 2
  zpci_group:
    seq:
      - id: dasm
        type: u8
      - id: msi_addr
        type: u8
      - id: flags
        type: u8
      - id: mui
        type: u2
      - id: noi
        type: u2
      - id: maxstbl
        type: u2
      - id: version
        type: u1
      - id: reserved
        type: u1
        if: _parent.version >= 2
      - id: imaxstbl
        type: u2
        if: _parent.version >= 2
  zpci_bytes:
    seq:
      - id: size
        type: u4
      - id: data
        size: size
