// The facts part of a cross-stage boot, shared by the arm64 platform and s390x zPCI stages. The
// script opens every device, then reads files in the guest: first the guest's own (e.g.
// /proc/interrupts, the replay program's auxiliary vector), then each device's (device-tree node,
// config space, sysfs attributes). The checker reads the same records back, in the same order,
// before the first USE; the device descriptions are built from them, never from the replies.

/** AT_PAGESZ (include/uapi/linux/auxvec.h): the auxiliary-vector entry holding the page size. */
const AT_PAGESZ = 6n;
/** The replay program's auxiliary vector, which carries the guest's page size. */
export const AUXV = "/proc/self/auxv";

export const hexToBuffer = (hex) => Buffer.from(hex ?? "", "hex");

/**
 * The script lines of the facts part: OPEN every device, READ_FILE the guest's files, then each
 * device's files. `deviceFiles(d)` lists one device's paths; `open: false` reads the files only (a
 * device opened through its group could not be bound through its cdev afterwards).
 */
export function factLines(devs, { guestFiles = [], deviceFiles, open = true }) {
  return [
    ...(open ? devs.map((d) => `OPEN ${d.name}`) : []),
    ...guestFiles.map((f) => `READ_FILE ${f}`),
    ...devs.flatMap((d) => deviceFiles(d).map((f) => `READ_FILE ${f}`)),
  ];
}

/**
 * Read the facts part back from the transcript records (as factLines wrote it, from record `at`). Returns
 * { guest: Buffer[], device: Buffer[][], problems, next } where `next` is the index of the first
 * record after the facts (the first USE); a file the guest could not read is an empty buffer, a
 * device that did not open is a problem.
 */
export function readFacts(records, devs, { guestFiles = [], deviceFiles, open = true, at = 0 }) {
  let i = at;
  const problems = [];
  for (const d of open ? devs : []) {
    const r = records[i++];
    if (r?.cmd !== "OPEN" || r.extra.failed || r.extra.err.length)
      problems.push(`OPEN ${d.name} failed: ${r?.extra.err.join("; ") || r?.extra.lines.join(" | ")}`);
  }
  const file = () => {
    const r = records[i++];
    if (r?.cmd !== "READ_FILE")
      throw new Error(`expected a READ_FILE record, got ${r?.cmd}: ${r?.extra.lines.join(" | ")}`);
    return r.ret >= 0 ? hexToBuffer(r.replyHex) : Buffer.alloc(0);
  };
  const guest = guestFiles.map(file);
  const device = devs.map((d) => deviceFiles(d).map(file));
  return { guest, device, problems, next: i };
}

/** AT_PAGESZ from an auxiliary vector (u64 pairs in the guest's byte order). */
export function pageSizeOf(auxv, { bigEndian = false } = {}) {
  const u64 = (o) => (bigEndian ? auxv.readBigUInt64BE(o) : auxv.readBigUInt64LE(o));
  for (let o = 0; o + 16 <= auxv.length; o += 16) if (u64(o) === AT_PAGESZ) return Number(u64(o + 8));
  throw new Error(`no AT_PAGESZ in ${AUXV}`);
}
