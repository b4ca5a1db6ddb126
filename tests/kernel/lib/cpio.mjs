// cpio "newc" writer, so building an initramfs needs no external cpio. The kernel unpacks
// concatenated (and separately gzipped) archives in order, which lets a run append its request
// script to a prebuilt base image.

function entry(name, mode, data = Buffer.alloc(0), ino = 0, rdev = [0, 0]) {
  const nameBuf = Buffer.from(`${name}\0`);
  const f = (n) => (n >>> 0).toString(16).padStart(8, "0");
  const nlink = (mode & 0o170000) === 0o040000 ? 2 : 1;
  const hdr = `070701${f(ino)}${f(mode)}${f(0)}${f(0)}${f(nlink)}${f(0)}${f(data.length)}${f(0)}${f(0)}${f(rdev[0])}${f(rdev[1])}${f(nameBuf.length)}${f(0)}`;
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const head = Buffer.concat([Buffer.from(hdr, "ascii"), nameBuf]);
  return Buffer.concat([head, pad(head.length), data, pad(data.length)]);
}

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;

/** entries: [{ name, mode, data?, rdev?: [major, minor] }] -> Buffer (newc archive with trailer). */
export function buildCpio(entries) {
  const parts = entries.map((e, i) => entry(e.name, e.mode, e.data, i + 1, e.rdev));
  parts.push(entry("TRAILER!!!", 0, Buffer.alloc(0), 0));
  return Buffer.concat(parts);
}
