// A syzkaller description of the VFIO ioctls and its .const file, generated from the ABI schema
// (structs, flags, enums, the ioctl table), so every ioctl and struct the schema gains appears here.
//
// Fds flow as syzkaller resources: the container fd (fd_vfio, from syzkaller's own dev_vfio.txt),
// a group fd (/dev/vfio/N), and the device fd, from VFIO_GROUP_GET_DEVICE_FD on a group or from the
// cdev /dev/vfio/devices/vfioN, which VFIO_DEVICE_BIND_IOMMUFD binds to an iommufd (fd_iommufd, from
// syzkaller's dev_iommu.txt). Counts are tied to what they count with len[]; the vfio_irq_set payload
// is a union whose options are picked by DATA_* in flags, written value[vfio_irq_set:flags] as
// syzkaller's documentation writes conditions on an enclosing struct. The text is in syz-fmt's
// canonical form. Names syzkaller's sys/linux already defines get a "$vfio_abi" suffix, so this file
// compiles beside them.
import { SCHEMA } from "../generated/schema.js";
import { ioctlNumber } from "../ioctl.js";

type Field = (typeof SCHEMA.fields)[number] & { selector?: string; alt?: unknown };
/** A payload case: {flag, elem} (one DATA_* bit), or {mask, value, elem | struct | bytes} (a selector's value). */
type PayloadCase = {
  flag?: number;
  mask?: number;
  value?: number;
  elem?: string | null;
  struct?: string;
  bytes?: number;
};
type Struct = (typeof SCHEMA.structs)[number];

/** What syzkaller's sys/linux/dev_vfio.txt defines (a description may not define a name twice). */
export const SYZKALLER_VFIO_NAMES: readonly string[] = [
  "fd_vfio",
  "openat$vfio",
  "ioctl$VFIO_GET_API_VERSION",
  "ioctl$VFIO_CHECK_EXTENSION",
  "ioctl$VFIO_SET_IOMMU",
  "ioctl$VFIO_IOMMU_GET_INFO",
  "ioctl$VFIO_IOMMU_MAP_DMA",
  "ioctl$VFIO_IOMMU_UNMAP_DMA",
  "vfio_iommu_type1_info",
  "vfio_iommu_type1_dma_map",
  "vfio_iommu_type1_dma_unmap",
  "vfio_info_cap_header",
  "vfio_iova_range",
  "vfio_iommu_type1_info_cap_iova_range",
  "vfio_iommu_type1_info_dma_avail",
  "iommu_flags",
  "vfio_map_flags",
  "vfio_unmap_flags",
];
const TAKEN = new Set(SYZKALLER_VFIO_NAMES);
const own = (name: string) => (TAKEN.has(name) ? `${name}$vfio_abi` : name);

/** syzkaller's linux arches and the schema ABI whose ioctl encoding each uses. */
export const SYZ_ARCHES: Record<string, string> = {
  "386": "i386",
  amd64: "x86_64",
  arm: "aarch64",
  arm64: "aarch64",
  loong64: "aarch64",
  mips64le: "mips",
  ppc64le: "ppc64le",
  riscv64: "aarch64",
  s390x: "s390x",
};

/** Fds the kernel takes in an int field, by field name: the resource that produces them. */
const FD_FIELDS: Record<string, string> = { iommufd: "fd_iommufd", fd: "fd_event" };
/** Plain-int ioctl arguments with a meaning: VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU take an IOMMU type. */
const INT_ARGS: Record<string, string> = {
  VFIO_CHECK_EXTENSION: "flags[vfio_iommu_type]",
  VFIO_SET_IOMMU: "flags[vfio_iommu_type]",
};
/** Group and cdev files, and device names VFIO_GROUP_GET_DEVICE_FD takes (PCI addresses; the kernel tests' QEMU devices). */
const GROUP_FILES = [...Array.from({ length: 8 }, (_, i) => `/dev/vfio/${i}`), "/dev/vfio/noiommu-0"];
const CDEV_FILES = Array.from({ length: 8 }, (_, i) => `/dev/vfio/devices/vfio${i}`);
const DEVICE_NAMES = ["0000:00:10.0", "0000:00:11.0", "0000:00:12.0", "0000:00:13.0", "0000:00:00.0"];

const INT: Record<string, string> = { u8: "int8", u16: "int16", u32: "int32", s32: "int32", u64: "int64" };

// ---------------------------------------------------------------------------------------------
// syz-fmt's layout: struct field types aligned to one tab column (pkg/ast/format.go)

interface Member {
  name: string;
  type: string;
  attrs?: string;
}

function block(name: string, members: Member[], union: boolean, attrs: string[]): string {
  const tabs = (n: string) => Math.floor((n.length + 8) / 8);
  const max = Math.max(...members.map((m) => tabs(m.name)));
  const lines = members.map(
    (m) => `\t${m.name}\t${"\t".repeat(Math.max(0, max - tabs(m.name)))}${m.type}${m.attrs ? `\t(${m.attrs})` : ""}`,
  );
  return `${name} ${union ? "[" : "{"}\n${lines.join("\n")}\n${union ? "]" : "}"}${attrs.length ? ` [${attrs.join(", ")}]` : ""}\n`;
}

// ---------------------------------------------------------------------------------------------

const structByName = new Map(SCHEMA.structs.map((s) => [s.name, s]));
const fieldsOf = (s: Struct): Field[] => SCHEMA.fields.slice(s.firstField, s.firstField + s.nfields) as Field[];
/** The newest layout: no never-merged proposals, nothing that was removed. */
const current = (f: Field) => !f.proposal && !(f as { until?: string }).until;

class Writer {
  /** Every struct and union emitted, by name: its members (what a program's value lists follow). */
  readonly members = new Map<string, { union: boolean; members: Member[] }>();
  readonly consts = new Set<string>(["AT_FDCWD"]);
  private readonly done = new Set<string>();
  private readonly flagSets = new Map<string, string[]>();
  readonly types: string[] = [];

  /** A struct's syzkaller name; emitted once, with everything it refers to. */
  struct(s: Struct): string {
    const name = own(s.name);
    if (this.done.has(name)) return name;
    this.done.add(name);
    const fs = fieldsOf(s).filter(current);
    const counted = new Set(fs.filter((f) => f.count).map((f) => f.count as string));
    const payload = fs.find((f) => f.type === "payload");
    const members: Member[] = [];
    const seenNested = new Set<string>();
    for (const f of fs) {
      if (f.path.includes(".")) {
        const top = f.path.split(".")[0];
        if (seenNested.has(top)) continue;
        seenNested.add(top);
        members.push({ name: top, type: this.nested(s, top, fs) });
        continue;
      }
      // the count right before the payload moves into each payload option, beside what it counts
      if (payload && f.name === payload.count && fs[fs.indexOf(f) + 1] === payload) continue;
      if (f.type === "payload") {
        members.push({ name: f.name, type: this.payload(s, f, fs) });
        continue;
      }
      members.push({ name: f.name, type: this.field(s, f, counted) });
    }
    const host = s as Struct & { caps?: { proposal?: string } | null };
    if (host.caps && !host.caps.proposal) members.push({ name: "caps", type: "array[int8, 0:512]" });
    this.emit(name, members, false, []);
    return name;
  }

  private emit(name: string, members: Member[], union: boolean, attrs: string[]) {
    this.members.set(name, { union, members });
    this.types.push(block(name, members, union, attrs));
  }

  private nested(s: Struct, top: string, fs: Field[]): string {
    const sub = fs.filter((f) => f.path.startsWith(`${top}.`));
    const known = top === "header" ? structByName.get("vfio_info_cap_header") : undefined;
    if (known) return this.struct(known);
    const name = own(`${s.name}_${top}`);
    if (!this.done.has(name)) {
      this.done.add(name);
      this.emit(
        name,
        sub.map((f) => ({ name: f.name, type: this.field(s, f, new Set()) })),
        false,
        [],
      );
    }
    return name;
  }

  private field(s: Struct, f: Field, counted: Set<string>): string {
    const int = INT[f.type as string];
    if (f.name === "argsz" && f === fieldsOf(s)[0]) return "len[parent, int32]";
    if (int && counted.has(f.name)) {
      const target = fieldsOf(s).find((g) => g.count === f.name)!;
      return `len[${target.name}, ${int}]`;
    }
    if (int && f.flags) return `flags[${this.flags(f.flags as string)}, ${int}]`;
    if (int && f.enum && enumValues(f.enum as string).length) return `flags[${this.enumSet(f.enum as string)}, ${int}]`;
    if (int && f.type === "s32" && FD_FIELDS[f.name]) return FD_FIELDS[f.name];
    if (int) return int;
    if (f.type === "bytes") return f.count || !f.size ? "array[int8]" : `array[int8, ${f.size}]`;
    if (f.type === "array") {
      const of = f.of as string;
      const es = structByName.get(of);
      return `array[${es ? this.struct(es) : (INT[of] ?? "int8")}]`;
    }
    if (f.type === "ptr") return "ptr[inout, array[int8]]";
    return `array[int8, ${f.size || 1}]`; // a type this generator does not know: its bytes
  }

  /** The payload: a union whose options the selector field picks (conditions written as syzkaller's
   *  documentation writes them, value[STRUCT:field]), each holding the count of what it carries. */
  private payload(s: Struct, f: Field, fs: Field[]): string {
    const name = `${s.name}_${f.name}`;
    const selector = fs.find((g) => g.name === (f.selector ?? "flags"))!;
    const bits =
      (SCHEMA.flagSets as Record<string, { bits: readonly { name: string; value: number }[] }>)[
        selector.flags as string
      ]?.bits ?? [];
    const count = f.count ? fs.find((g) => g.name === f.count && fs[fs.indexOf(g) + 1] === f) : undefined;
    const ref = `value[${own(s.name)}:${selector.name}]`;
    const hex = (n: number) => `0x${n.toString(16)}`;
    const options: Member[] = [];
    for (const c of (f.cases ?? []) as PayloadCase[]) {
      const mask = c.mask ?? c.flag!,
        value = c.value ?? c.flag!;
      const bit = value ? bits.find((b) => b.value === value)?.name : undefined;
      if (bit) this.consts.add(bit);
      const what = c.elem ?? c.struct ?? (c.bytes ? `bytes${c.bytes}` : null);
      if (!what) continue; // nothing after the fixed part: the unconditional last option covers it
      const label = c.struct
        ? c.struct.replace(/^vfio_/, "")
        : bit && c.elem
          ? bit.split("_").pop()!.toLowerCase()
          : `case${value}`;
      const cond = mask === value && bit ? `${ref} & ${bit}` : `${ref} & ${hex(mask)} == ${bit ?? hex(value)}`;
      options.push({
        name: c.elem === "u8" ? "bools" : bit?.endsWith("EVENTFD") ? "eventfds" : label,
        type: this.option(`${name}_${label}`, count, c, bit),
        attrs: `if[${cond}]`,
      });
    }
    // the last option has no condition, so a value can always be built (syzkaller's rule)
    options.push({ name: "none", type: this.option(`${name}_none`, count, {}, undefined) });
    this.emit(name, options, true, ["varlen"]);
    return name;
  }

  private option(name: string, count: Field | undefined, c: PayloadCase, bit: string | undefined): string {
    if (c.struct && !count) {
      const st = structByName.get(c.struct);
      return st ? this.struct(st) : "array[int8]";
    }
    if (c.bytes && !count) return `array[int8, ${c.bytes}]`;
    const members: Member[] = [];
    const int = count ? INT[count.type as string] : undefined;
    if (c.elem || c.struct) {
      const st = c.struct ? structByName.get(c.struct) : undefined;
      const t = bit?.endsWith("EVENTFD")
        ? "fd_event"
        : c.elem === "u8"
          ? "bool8"
          : st
            ? this.struct(st)
            : (INT[c.elem ?? ""] ?? "int8");
      if (count && int) members.push({ name: count.name, type: `len[data, ${int}]` });
      members.push({ name: "data", type: `array[${t}, 0:64]` });
    } else if (count && int) members.push({ name: count.name, type: `${int}[0:64]` });
    if (!members.length) return "void";
    this.emit(name, members, false, ["packed"]);
    return name;
  }

  private flags(set: string): string {
    const bits = (SCHEMA.flagSets as Record<string, { bits: readonly { name: string }[] }>)[set].bits.map(
      (b) => b.name,
    );
    return this.valueSet(set, bits);
  }
  private enumSet(e: string): string {
    return this.valueSet(e, enumValues(e));
  }
  valueSet(name: string, values: string[]): string {
    const n = own(name);
    if (!this.flagSets.has(n)) {
      this.flagSets.set(n, values);
      values.forEach((v) => this.consts.add(v));
    }
    return n;
  }
  flagLines(): string[] {
    return [...this.flagSets].map(([n, vs]) => `${n} = ${vs.join(", ")}`);
  }
}

// ---------------------------------------------------------------------------------------------
// seeds: fuzz corpus cases as syzkaller programs (a device fd from the cdev, eventfds from eventfd())

/** Fd numbers of a case: those its environment says are open eventfds become eventfd() results (r1, r2, ...). */
interface FdMap {
  eventfds: Set<number>;
  names: Map<number, string>;
}

const hexArg = (v: unknown) =>
  `0x${BigInt.asUintN(64, BigInt((v as number | bigint | string | undefined) ?? 0)).toString(16)}`;

/** One decoded value as a syzkaller argument of the given description type. Counts and sizes keep the
 *  case's own value (a near-valid case's wrong argsz or count is the point of it); AUTO when it has none. */
function render(w: Writer, type: string, v: unknown, fds: FdMap): string {
  if (type.startsWith("len[")) return v === undefined || v === null ? "AUTO" : hexArg(v);
  if (type.startsWith("const[")) return "AUTO";
  if (type === "fd_event" || type === "fd_iommufd") {
    const n = Number(v ?? -1);
    // a closed fd, another file, or -1: the number itself, as the case has it
    if (!fds.eventfds.has(n)) return hexArg(n);
    if (!fds.names.has(n)) fds.names.set(n, `r${fds.names.size + 1}`);
    return fds.names.get(n)!;
  }
  if (/^(int(8|16|32|64)|bool8)\b|^flags\[/.test(type)) return hexArg(v);
  const arr = /^array\[(.+?)(, (\d+)(:\d+)?)?\]$/.exec(type);
  if (arr) {
    if (arr[1] === "int8") {
      const b = v instanceof Uint8Array ? v : new Uint8Array(arr[4] ? 0 : Number(arr[3] ?? 0));
      return `"${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}"`;
    }
    return `[${((v as unknown[] | undefined) ?? []).map((x) => render(w, arr[1], x, fds)).join(", ")}]`;
  }
  if (type.startsWith("ptr[")) return "0x0";
  const t = w.members.get(type);
  if (!t) return "AUTO";
  const o = (v ?? {}) as Record<string, unknown>;
  if (!t.union) return `{${t.members.map((m) => render(w, m.type, o[m.name], fds)).join(", ")}}`;
  return "";
}

/** The union option a decoded vfio_irq_set payload takes, as the selector's bits pick it. */
function renderPayload(
  w: Writer,
  union: string,
  value: Record<string, unknown>,
  countName: string,
  dataName: string,
  fds: FdMap,
): string {
  const u = w.members.get(union)!;
  const flags = Number(value.flags ?? 0);
  const num = (t: string) => (/^0x/.test(t) ? BigInt(t) : constValue(t));
  for (const m of u.members) {
    // the option's condition as written: "& MASK == VALUE" or "& BIT"; the first that holds is taken
    const cond = /& (\w+)(?: == (\w+))?\]$/.exec(m.attrs ?? "");
    if (m.attrs) {
      const mask = cond ? num(cond[1]) : undefined;
      const want = cond?.[2] ? num(cond[2]) : undefined;
      if (mask === undefined) continue;
      const got = BigInt(flags >>> 0) & mask;
      if (cond?.[2] ? got !== want : got === 0n) continue;
    }
    const opt = w.members.get(m.type);
    if (!opt) return `@${m.name}`;
    return `@${m.name}={${opt.members.map((x) => render(w, x.type, x.name === "data" ? value[dataName] : value[countName], fds)).join(", ")}}`;
  }
  return "";
}

/** A fuzz corpus case (its struct and decoded value) as a syzkaller program on the amd64 ABI. */
export function syzProgram(
  w: Writer,
  struct: string,
  value: Record<string, unknown>,
  eventfds: Set<number>,
): string | null {
  const ioctl = (SCHEMA.ioctls as readonly { name: string; arg: string | null; fd: string }[]).find(
    (i) => i.arg === struct && i.fd === "device",
  );
  const st = structByName.get(struct);
  if (!ioctl || !st || !w.members.has(own(struct))) return null;
  const fds: FdMap = { eventfds, names: new Map() };
  const t = w.members.get(own(struct))!;
  const args = t.members.map((m) => {
    const u = w.members.get(m.type);
    if (u?.union) {
      const payload = fieldsOf(st).find((f) => f.type === "payload")!;
      return renderPayload(w, m.type, value, payload.count as string, payload.name, fds);
    }
    return render(w, m.type, value[m.name], fds);
  });
  const lines = ["r0 = openat$vfio_device(AUTO, &AUTO='/dev/vfio/devices/vfio0\\x00', 0x2, 0x0)"];
  for (const [, r] of fds.names) lines.push(`${r} = eventfd(0x0)`);
  lines.push(`${own(`ioctl$${ioctl.name}`)}(r0, AUTO, &AUTO={${args.join(", ")}})`);
  return `${lines.join("\n")}\n`;
}

function constValue(name: string): bigint | undefined {
  for (const set of Object.values(
    SCHEMA.flagSets as Record<string, { bits: readonly { name: string; value: number }[] }>,
  )) {
    const b = set.bits.find((x) => x.name === name);
    if (b) return BigInt(b.value >>> 0);
  }
  return undefined;
}

export interface SyzlangFiles {
  /** The description (vfio_abi.txt) */
  description: string;
  /** Its constants for every syzkaller arch (vfio_abi.txt.const) */
  consts: string;
  /** The calls it describes */
  calls: string[];
  /** A decoded value of a device-fd ioctl's struct as a syzkaller program (a seed), or null when it has none */
  program: (struct: string, value: Record<string, unknown>, eventfds: Set<number>) => string | null;
}

/** The description and its .const file. */
export function syzlangFiles(): SyzlangFiles {
  const w = new Writer();
  const calls: string[] = [];
  const call = (line: string) => {
    calls.push(line);
    return line;
  };
  const res: Record<string, string> = { container: "fd_vfio", group: "fd_vfio_group", device: "fd_vfio_device" };
  const ioctlLines: string[] = [];
  for (const i of SCHEMA.ioctls as readonly {
    name: string;
    fd: string;
    dir: string;
    arg: string | null;
    until?: string;
  }[]) {
    const fd = res[i.fd];
    if (!fd || i.until) continue; // the migration data fd has no ioctl that makes it here
    w.consts.add(i.name);
    const name = own(`ioctl$${i.name}`);
    const head = `${name}(fd ${fd}, cmd const[${i.name}]`;
    const arg = i.arg;
    if (!arg || arg === "null") ioctlLines.push(call(`${head})`));
    else if (i.name === "VFIO_GROUP_GET_DEVICE_FD")
      ioctlLines.push(call(`${head}, arg ptr[in, string[vfio_device_names]]) fd_vfio_device`));
    else if (i.name === "VFIO_GROUP_SET_CONTAINER") ioctlLines.push(call(`${head}, arg ptr[in, fd_vfio])`));
    else if (arg === "int")
      ioctlLines.push(
        call(
          `${head}, arg ${INT_ARGS[i.name]?.replace(/\[(\w+)\]/, (_, e) => `[${w.valueSet(e, enumValues(e))}]`) ?? "intptr"})`,
        ),
      );
    else if (arg.endsWith("*") || arg.startsWith("__")) ioctlLines.push(call(`${head}, arg ptr[in, int32])`));
    else {
      const s = structByName.get(arg);
      const dir = i.dir === "inout" ? "inout" : i.dir === "out" ? "out" : "in";
      ioctlLines.push(call(`${head}, arg ptr[${dir}, ${s ? w.struct(s) : "array[int8]"}])`));
    }
  }
  const setup = [
    call(
      `openat$vfio_group(fd const[AT_FDCWD], file ptr[in, string[vfio_group_files]], flags flags[open_flags], mode const[0]) fd_vfio_group`,
    ),
    call(
      `openat$vfio_device(fd const[AT_FDCWD], file ptr[in, string[vfio_device_files]], flags flags[open_flags], mode const[0]) fd_vfio_device`,
    ),
  ];
  const str = (vs: string[]) => vs.map((v) => `"${v}"`).join(", ");
  const out = [
    "# Generated by vfio-abi (vfio-abi syzlang) from its ABI schema. Do not edit.",
    "# VFIO ioctls on the container, group and device fds (Linux include/uapi/linux/vfio.h). Set-up: open a",
    "# group, VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU, VFIO_GROUP_GET_DEVICE_FD; or open a device cdev and",
    "# VFIO_DEVICE_BIND_IOMMUFD. fd_vfio and openat$vfio come from dev_vfio.txt, fd_iommufd from dev_iommu.txt.",
    "",
    "include <uapi/linux/fcntl.h>",
    "include <uapi/linux/vfio.h>",
    "",
    "resource fd_vfio_group[fd]",
    "resource fd_vfio_device[fd]",
    "",
    ...setup,
    "",
    ...ioctlLines,
    "",
    ...w.types.flatMap((t) => [t.trimEnd(), ""]),
    ...w.flagLines(),
    `vfio_group_files = ${str(GROUP_FILES)}`,
    `vfio_device_files = ${str(CDEV_FILES)}`,
    `vfio_device_names = ${str(DEVICE_NAMES)}`,
  ];
  return {
    description: `${out.join("\n")}\n`,
    consts: constFile(w.consts),
    calls,
    program: (struct, value, eventfds) => syzProgram(w, struct, value, eventfds),
  };
}

type EnumValue = { name: string; value: number; until?: string; doc?: string };
type EnumDef = { values?: readonly EnumValue[]; byType?: Record<string, readonly EnumValue[]> };
/** An enum's upstream values (a subtype enum's, of every type), without removed ones. */
function enumEntries(e: string): EnumValue[] {
  const d = (SCHEMA.enums as Record<string, EnumDef>)[e];
  const all = [...(d?.values ?? []), ...Object.values(d?.byType ?? {}).flat()];
  // a value the newest header names differently (its doc says so) is left out: the compiler could not resolve it
  return all.filter(
    (v, i) => !v.until && !/ upstream$/.test(v.doc ?? "") && all.findIndex((x) => x.name === v.name) === i,
  );
}
const enumValues = (e: string): string[] => enumEntries(e).map((v) => v.name);

/** Every constant's value for every arch, in syzkaller's .const format ("NAME = default, arch:arch:other"). */
function constFile(names: Set<string>): string {
  const arches = Object.keys(SYZ_ARCHES).sort();
  const value = (n: string, arch: string): bigint => {
    if (n === "AT_FDCWD") return BigInt.asUintN(64, -100n);
    const io = SCHEMA.ioctls.find((i) => i.name === n);
    if (io) return BigInt(ioctlNumber(io.nr, SYZ_ARCHES[arch]));
    for (const set of Object.values(
      SCHEMA.flagSets as Record<string, { bits: readonly { name: string; value: number }[] }>,
    )) {
      const b = set.bits.find((x) => x.name === n);
      if (b) return BigInt(b.value >>> 0);
    }
    for (const e of Object.keys(SCHEMA.enums)) {
      const v = enumEntries(e).find((x) => x.name === n);
      if (v) return BigInt(v.value >>> 0);
    }
    throw new Error(`syzlang: no value for ${n} in the schema`);
  };
  const lines = [...names].sort().map((n) => {
    const per = arches.map((a) => [a, value(n, a)] as const);
    const counts = new Map<bigint, number>();
    for (const [, v] of per) counts.set(v, (counts.get(v) ?? 0) + 1);
    const dflt = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const others = new Map<bigint, string[]>();
    for (const [a, v] of per) if (v !== dflt) others.set(v, [...(others.get(v) ?? []), a]);
    return `${n} = ${dflt}${[...others].map(([v, as]) => `, ${as.join(":")}:${v}`).join("")}`;
  });
  return `# Generated by vfio-abi (vfio-abi syzlang) from its ABI schema. Do not edit.\narches = ${arches.join(", ")}\n${lines.join("\n")}\n`;
}

/** The description alone. */
export const syzlang = (): string => syzlangFiles().description;
