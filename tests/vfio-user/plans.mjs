// What the peer stage replays, all built with the codec (encodeMessage), never typed as hex:
//  * documented: the library's own bad-input tests (test/py/test_device_*.py) as messages;
//  * framing: truncated headers, msg_size lying either way, unknown commands, bad type bits,
//    no-reply commands, wrong numbers of fds, fds of each kind (eventfd, other files, closed);
//  * corpora: the fuzzer's seeded corpora (bindings/fuzz) for vfio_irq_set / irq_info /
//    region_info / device_info, sent as message bodies with their eventfds as SCM_RIGHTS;
//  * random: stateful request sequences over every modelled command (the CLI campaign's generator);
const { hello } = await import("../../dist/bindings/vfio-user-fuzz/script.js");
const { builders: vuBuilders, randomSteps } = await import("../../dist/bindings/vfio-user-fuzz/gen.js");

const C = await import("../../dist/bindings/generated/constants.js");
const T = C.VFIO_IRQ_SET_ACTION_TRIGGER,
  MASK = C.VFIO_IRQ_SET_ACTION_MASK,
  UNMASK = C.VFIO_IRQ_SET_ACTION_UNMASK,
  NONE = C.VFIO_IRQ_SET_DATA_NONE,
  BOOL = C.VFIO_IRQ_SET_DATA_BOOL,
  EVENTFD = C.VFIO_IRQ_SET_DATA_EVENTFD;
const NO_REPLY = C.VFIO_USER_F_NO_REPLY,
  ERROR = C.VFIO_USER_F_ERROR;
// the replay client's fd environment, as the model is told it (the client checks it with ENV)
const { CLIENT_FD_ENV, vuServerDevice } = await import("../../dist/bindings/oracle/model/vfio-user.js");
const { parseFdList } = await import("../../dist/bindings/oracle/model/device.js");
const EVENTFDS = parseFdList(CLIENT_FD_ENV.eventfds);
export const EFD = (i) => EVENTFDS[i];
export const WRITABLE = parseFdList(CLIENT_FD_ENV.writable),
  READONLY = parseFdList(CLIENT_FD_ENV.files).filter((fd) => !WRITABLE.includes(fd)),
  CLOSED = parseFdList(CLIENT_FD_ENV.closed);
const INTX = C.VFIO_PCI_INTX_IRQ_INDEX,
  MSIX = C.VFIO_PCI_MSIX_IRQ_INDEX,
  ERR = C.VFIO_PCI_ERR_IRQ_INDEX,
  REQ = C.VFIO_PCI_REQ_IRQ_INDEX;

/** Message builders over the codec: the generator's (bindings/vfio-user-fuzz/gen.ts), plus eventfd reads. */
export function builders(_abi) {
  return { ...vuBuilders(), efd: (i) => ({ kind: "efd", fd: EFD(i), note: `EFD ${EFD(i)}` }) };
}

const start = (_abi) => [{ kind: "connect" }, hello()];
const efdAll = (b, n = 8) => Array.from({ length: n }, (_, i) => b.efd(i));

/** The library's documented bad-input behaviours (its Python tests), as messages. */
export function documented(abi) {
  const b = builders(abi);
  const s = [...start(abi)];
  const set = (note, o, fds, extra) => s.push(b.setIrqs(note, o, fds, extra));
  // test_device_set_irqs.py
  s.push(b.raw("SET_IRQS without a vfio_irq_set (header only)", "DEVICE_SET_IRQS", new Uint8Array(0)));
  s.push(b.raw("SET_IRQS 8-byte short write", "DEVICE_SET_IRQS", new Uint8Array(8)));
  set("argsz 3", { argsz: 3, flags: NONE | T, index: INTX, count: 1 });
  set("index VFU_DEV_NUM_IRQS", { flags: NONE | T, index: 5, count: 1 });
  set("MASK|UNMASK", { flags: NONE | MASK | UNMASK, index: MSIX, count: 1 });
  set("NONE|BOOL", { flags: NONE | BOOL | T, index: MSIX, count: 1 });
  set("start 15 count 2 (16 vectors)", { flags: NONE | T, index: MSIX, start: 15, count: 2 });
  set("start 17 count 1", { flags: NONE | T, index: MSIX, start: 17, count: 1 });
  set("start 1 count 0xffffffff (saturating add)", { flags: NONE | T, index: MSIX, start: 1, count: 0xffffffff });
  set("MASK on ERR", { flags: NONE | MASK, index: ERR, count: 1 });
  set("MASK on REQ", { flags: NONE | MASK, index: REQ, count: 1 });
  set("start 1 count 0", { flags: NONE | T, index: MSIX, start: 1, count: 0 });
  set("MASK count 0", { flags: NONE | MASK, index: MSIX, count: 0 });
  set("TRIGGER|BOOL count 0", { flags: BOOL | T, index: MSIX, count: 0 });
  set("fd with DATA_BOOL", { flags: BOOL | T, index: MSIX, count: 1, data: [1] }, [EFD(0)]);
  set("fd with DATA_NONE", { flags: NONE | T, index: MSIX, count: 1 }, [EFD(0)]);
  set("1 fd for count 2", { flags: EVENTFD | T, index: MSIX, count: 2 }, [EFD(0)]);
  set("BOOL payload 1 byte for count 2", { flags: BOOL | T, index: MSIX, count: 2, data: [1] });
  set("BOOL payload 3 bytes for count 2", { flags: BOOL | T, index: MSIX, count: 2, data: [1, 1, 1] });
  set("unknown flag bits ignored", { flags: NONE | T | 0xc0, index: MSIX, count: 1 });
  set("eventfds for MSI-X 0..1", { flags: EVENTFD | T, index: MSIX, count: 2 }, [EFD(0), EFD(1)]);
  set("trigger MSI-X 0..1", { flags: NONE | T, index: MSIX, count: 2 });
  s.push(...efdAll(b, 2));
  set("EVENTFD with no fds de-assigns", { flags: EVENTFD | T, index: MSIX, count: 2 });
  set("trigger after de-assign: nothing", { flags: NONE | T, index: MSIX, count: 2 });
  s.push(...efdAll(b, 2));
  // test_device_get_irq_info.py
  s.push(b.raw("GET_IRQ_INFO 8-byte message", "DEVICE_GET_IRQ_INFO", new Uint8Array(8)));
  s.push(b.irqInfo("GET_IRQ_INFO argsz 8", 0, 8));
  s.push(b.irqInfo("GET_IRQ_INFO index VFU_DEV_NUM_IRQS", 5));
  for (let i = 0; i < 5; i++) s.push(b.irqInfo(`GET_IRQ_INFO index ${i}`, i));
  s.push(b.irqInfo("GET_IRQ_INFO argsz 32", 2, 32));
  // test_device_get_region_info.py
  s.push(b.raw("GET_REGION_INFO 8-byte message", "DEVICE_GET_REGION_INFO", new Uint8Array(8)));
  s.push(b.regionInfo("GET_REGION_INFO argsz 8", 0, 8));
  s.push(b.regionInfo("GET_REGION_INFO bad index", 9));
  for (let i = 0; i < 9; i++) s.push(b.regionInfo(`GET_REGION_INFO index ${i}`, i));
  s.push(b.regionInfo("GET_REGION_INFO argsz 40 (the reply stays 32 without caps)", 0, 40));
  s.push(b.regionInfo("GET_REGION_INFO caps do not fit: argsz 80, CAPS clear", 2, 32));
  s.push(b.regionInfo("GET_REGION_INFO caps fit: sparse mmap + fd", 2, 80));
  s.push(b.regionInfo("GET_REGION_INFO argsz between", 2, 48));
  // test_device_get_info.py
  s.push(b.raw("GET_INFO 8-byte message", "DEVICE_GET_INFO", new Uint8Array(8)));
  s.push(b.deviceInfo("GET_INFO argsz 8", 8));
  s.push(b.deviceInfo("GET_INFO argsz 32: reply argsz 16", 32));
  s.push({ kind: "close" });
  return s;
}

/** Framing and fd handling. */
export function framing(abi) {
  const b = builders(abi);
  const s = [...start(abi)];
  const dv = (x) => new DataView(x.buffer, x.byteOffset, x.byteLength);
  const info = () => b.msg("DEVICE_GET_IRQ_INFO", { index: MSIX });
  const lie = (note, size) => {
    const x = info();
    dv(x).setUint32(C.O_VFIO_USER_MESSAGE__MSG_SIZE, size, true);
    s.push(b.step(note, x));
  };
  lie("msg_size 0", 0);
  lie("msg_size 15", 15);
  lie("msg_size 16 for GET_IRQ_INFO (no body)", 16);
  lie("msg_size beyond the limit", 0x200000);
  lie("msg_size 8 bytes short: the rest is read as the next header", 24);
  s.push(b.deviceInfo("still in sync"));
  lie("msg_size larger than sent: short body", 48);
  s.push(b.deviceInfo("still in sync"));
  for (const c of [0, 6 + 8, 19, 0xffff, 11, 12]) s.push(b.raw(`command ${c}`, c, new Uint8Array(16)));
  for (const type of [C.VFIO_USER_F_TYPE_REPLY, 2, C.VFIO_USER_F_TYPE_MASK])
    s.push(b.raw(`type bits ${type}`, "DEVICE_GET_INFO", { argsz: 16 }, { flags: type }));
  s.push(b.raw("NO_REPLY GET_INFO: no answer", "DEVICE_GET_INFO", { argsz: 16 }, { flags: NO_REPLY }));
  s.push(b.raw("NO_REPLY bad GET_INFO: no answer either", "DEVICE_GET_INFO", { argsz: 8 }, { flags: NO_REPLY }));
  s.push(
    b.raw(
      "error bit and error_no in a command: ignored",
      "DEVICE_GET_INFO",
      { argsz: 16 },
      { flags: ERROR, error_no: 5 },
    ),
  );
  s.push(b.raw("VERSION after negotiation", "VERSION", { major: 0, minor: 2 }));
  s.push(b.raw("DEVICE_RESET", "DEVICE_RESET", undefined));
  s.push(b.raw("DEVICE_RESET with a body", "DEVICE_RESET", new Uint8Array(8)));
  s.push(b.raw("DMA_MAP (no DMA controller)", "DMA_MAP", { flags: 3, addr: 0x10000n, size: 0x1000n }, {}));
  s.push(b.step("DMA_MAP with an fd", b.msg("DMA_MAP", { flags: 3, addr: 0x10000n, size: 0x1000n }), [READONLY[0]]));
  s.push(b.raw("DMA_UNMAP", "DMA_UNMAP", { flags: 0, addr: 0x10000n, size: 0x1000n }));
  s.push(
    b.step("GET_INFO with fds: closed by the server", b.msg("DEVICE_GET_INFO", { argsz: 16 }), [EFD(3), READONLY[0]]),
  );
  // fds of each kind on SET_IRQS
  s.push(
    b.setIrqs(
      "install eventfd, read-only file, writable file",
      { flags: EVENTFD | T, index: MSIX, start: 0, count: 3 },
      [EFD(0), READONLY[0], WRITABLE[0]],
    ),
  );
  s.push(b.setIrqs("trigger vector 0 (eventfd)", { flags: NONE | T, index: MSIX, start: 0, count: 1 }));
  s.push(b.setIrqs("trigger vector 1 (read-only file): EBADF", { flags: NONE | T, index: MSIX, start: 1, count: 1 }));
  s.push(b.setIrqs("trigger vector 2 (writable file): accepted", { flags: NONE | T, index: MSIX, start: 2, count: 1 }));
  s.push(b.setIrqs("trigger 0..2: vector 0 fires, 1 fails", { flags: NONE | T, index: MSIX, start: 0, count: 3 }));
  s.push(b.setIrqs("BOOL 0..2 with 1, 0, 1", { flags: BOOL | T, index: MSIX, start: 0, count: 3, data: [1, 0, 1] }));
  s.push(b.setIrqs("BOOL byte 2 does not trigger", { flags: BOOL | T, index: MSIX, start: 0, count: 1, data: [2] }));
  s.push(...efdAll(b, 2));
  s.push(b.setIrqs("a closed fd: sendmsg fails", { flags: EVENTFD | T, index: MSIX, start: 0, count: 1 }, [CLOSED[0]]));
  s.push(
    b.setIrqs("the same eventfd twice", { flags: EVENTFD | T, index: MSIX, start: 4, count: 2 }, [EFD(5), EFD(5)]),
  );
  s.push(b.setIrqs("trigger both", { flags: NONE | T, index: MSIX, start: 4, count: 2 }));
  s.push(b.efd(5));
  s.push(
    b.setIrqs("MASK with fds: validated, ignored", { flags: EVENTFD | MASK, index: MSIX, start: 0, count: 1 }, [
      EFD(6),
    ]),
  );
  s.push(b.setIrqs("ERR eventfd", { flags: EVENTFD | T, index: ERR, count: 1 }, [EFD(7)]));
  s.push(b.setIrqs("ERR trigger", { flags: NONE | T, index: ERR, count: 1 }));
  s.push(b.setIrqs("ERR disable (count 0)", { flags: NONE | T, index: ERR, count: 0 }));
  s.push(b.setIrqs("ERR trigger after disable", { flags: NONE | T, index: ERR, count: 1 }));
  s.push(b.efd(7));
  s.push(b.write("doorbell: vfu_irq_trigger(0)", 0, 0, Uint8Array.of(0, 0, 0, 0)));
  s.push(b.write("doorbell: vector 1 holds a read-only file", 0, 0, Uint8Array.of(1, 0, 0, 0)));
  s.push(b.write("doorbell: vector 100 (none)", 0, 0, Uint8Array.of(100, 0, 0, 0)));
  s.push(b.efd(0));
  s.push(
    b.step(
      "header split: 8 bytes, then the server resets the connection",
      b.msg("DEVICE_GET_INFO", { argsz: 16 }).subarray(0, 8),
    ),
  );
  s.push(b.efd(0));
  s.push(b.setIrqs("after the reconnect the fd table is empty", { flags: NONE | T, index: MSIX, start: 0, count: 3 }));
  s.push(b.efd(0));
  s.push({ kind: "close" });
  return s;
}

/** The fuzzer's seeded corpora, sent as message bodies. */
export async function corpora(abi, perFamily, seed) {
  const fuzz = await import("../../dist/bindings/fuzz/index.js");
  const b = builders(abi);
  const s = [...start(abi)];
  const device = {
    driver: "libvfio-user",
    irqs: [1, 4, 16, 1, 1].map((count, index) => ({ index, count, flags: 1 })),
    fds: CLIENT_FD_ENV,
  };
  const family = {
    vfio_irq_set: "DEVICE_SET_IRQS",
    vfio_irq_info: "DEVICE_GET_IRQ_INFO",
    vfio_region_info: "DEVICE_GET_REGION_INFO",
    vfio_device_info: "DEVICE_GET_INFO",
  };
  let n = 0;
  for (const [struct, command] of Object.entries(family)) {
    for (const c of fuzz.corpus({ struct, seed, count: perFamily, device, endian: "little", epoch: "6.6" })) {
      const fds = [];
      const dv = new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
      if (
        struct === "vfio_irq_set" &&
        c.bytes.length >= C.SIZEOF_VFIO_IRQ_SET &&
        (dv.getUint32(C.O_VFIO_IRQ_SET__FLAGS, true) & C.VFIO_IRQ_SET_DATA_TYPE_MASK) === EVENTFD
      ) {
        // the payload's fds travel as SCM_RIGHTS; -1 (no eventfd) has no socket form: left out
        for (let o = C.O_VFIO_IRQ_SET__DATA; o + 4 <= c.bytes.length && fds.length < 64; o += 4) {
          const fd = dv.getInt32(o, true);
          if (fd >= 0) fds.push(fd);
        }
      }
      s.push(b.step(`corpus ${struct} #${c.index} ${c.class}`, b.msg(command, c.bytes), fds));
      if (++n % 64 === 0) s.push(...efdAll(b, 4));
    }
  }
  s.push({ kind: "close" });
  return s;
}

/**
 * Random stateful sequences: installs, triggers, disables, info, region access, reconnects - the
 * generator the CLI campaign uses (randomSteps), then a read of every eventfd.
 */
export function random(abi, count, seed, counts = [1, 4, 16, 1, 1]) {
  const steps = randomSteps(vuServerDevice(counts), count, seed, CLOSED);
  return [...steps.slice(0, -1), ...efdAll(builders(abi), 32), { kind: "close" }];
}
