// Compilation units of the C reference checks, and the layout / constant tables generated for each
// of them FROM THE SCHEMA (schema/abi.mjs): no field, offset or value is listed here by hand.
//
// Units (one per real header generation, plus the never-merged postings):
//   uapi61      the host's Linux 6.1 <linux/vfio.h> + <linux/vfio_zdev.h>       -> layout of release 6.1
//   uapi612, uapi72, upstream
//               Debian's linux-libc-dev 6.12 (bookworm-backports), 7.2 (unstable) and the newest
//               (experimental, 7.3), unpacked by tests/c/headers.mjs; `upstream` is always the newest
//   <proposal>  C copies of the never-merged postings (ref/proposal-*.h)     -> epoch 6.1 + proposal
// A header unit checks exactly the items whose `since` is at or before its release; every #define
// the schema dates later must be absent from it (an #ifdef probe), so the version history is
// checked against four real generations.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { structs, flagSets, enums, masks, ioctls, proposals, constants, strings } from "../../schema/abi.mjs";
import { layout, expandProposals, versionCmp } from "../../schema/layout.mjs";
import { headerGenerations, TRIPLETS } from "./headers.mjs";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REF = join(HERE, "ref");

const PROPOSAL_HEADERS = {
  "irq-info-caps": "proposal-irq-info-caps.h",
  "dma-fault-region": "proposal-dma-fault-region.h",
  "platform-msi-v2": "proposal-platform-msi-v2.h",
  "platform-msi-v3": "proposal-platform-msi-v3.h",
  "device-flags-msi": "proposal-device-flags-msi.h",
  "irq-affinity": "proposal-irq-affinity.h",
};

const HEADERS = '#include <linux/vfio.h>\n#include <linux/vfio_zdev.h>\n#include "zdev-versions.h"\n';

/** Is an item with this `since` / `until` in a header of `release`? */
export const inRelease = (release, since, until) =>
  (!since || versionCmp(release, since) >= 0) && (!until || versionCmp(release, until) <= 0);

let memo = null;
export function units() {
  if (memo) return memo;
  const list = [
    {
      id: "uapi61",
      epoch: "6.1",
      release: "6.1",
      proposals: [],
      label: "Linux 6.1 uapi headers (host)",
      preamble: HEADERS,
      include: null,
    },
  ];
  const gens = headerGenerations();
  gens.forEach((g, i) => {
    const id = i === gens.length - 1 ? "upstream" : `uapi${g.release.replace(".", "")}`;
    list.push({
      id,
      epoch: g.release,
      release: g.release,
      proposals: [],
      label: `Linux ${g.release} uapi headers (Debian ${g.suite} linux-libc-dev ${g.version})`,
      preamble: HEADERS,
      include: g.include,
    });
  });
  for (const [p, h] of Object.entries(PROPOSAL_HEADERS)) {
    if (!proposals[p]) throw new Error(`schema has no proposal ${p}`);
    list.push({
      id: p,
      epoch: "6.1",
      release: null,
      proposals: [p],
      label: `${p} (${proposals[p].source}, never merged)`,
      preamble: `#include <stddef.h>\n#include "${h}"\n`,
      include: null,
    });
  }
  for (const p of Object.keys(proposals))
    if (!PROPOSAL_HEADERS[p]) throw new Error(`proposal ${p} has no C copy in tests/c/ref`);
  for (const u of list) u.pset = expandProposals(u.proposals);
  return (memo = list);
}

/** -I flags of a unit for an arch: the unpacked package's arch asm directory first, then its common headers. */
export const includeFlags = (u, arch) => (u.include ? ["-I", join(u.include, TRIPLETS[arch]), "-I", u.include] : []);

const cident = (s) => s.replace(/[^A-Za-z0-9_]/g, "_");
export const cType = (name) => structs[name].cName ?? `struct ${name}`;
/** Member designator in C: a cap that IS the bare header in C (MSIX_MAPPABLE) has no `header.` level. */
export const cPath = (name, path) =>
  structs[name].cName === "struct vfio_info_cap_header" && path.startsWith("header.") ? path.slice(7) : path;

/** Schema structs a unit checks. */
export function unitStructs(u) {
  const names = Object.keys(structs);
  if (!u.proposals.length) return names.filter((n) => !structs[n].proposal && inRelease(u.release, structs[n].since));
  const p = u.proposals[0];
  const out = new Set(names.filter((n) => structs[n].proposal === p));
  // structs whose fields the posting patches (vfio_irq_info.cap_offset, also copied by platform-msi)
  for (const n of names) if (structs[n].fields.some((f) => f.proposal && u.pset.has(f.proposal))) out.add(n);
  if (p.startsWith("platform-msi")) out.add("vfio_irq_info_cap_type");
  for (const n of [...out]) for (const f of structs[n].fields) if (f.type === "array") out.add(f.of);
  return [...out];
}

/** Layout variant of a unit for an ABI model. */
export const variantOf = (u, model) => ({ model, epoch: u.epoch, proposals: u.pset });

/** C source of a unit's layout tables: per struct [sizeof, _Alignof, offsetof(each field...), offsetof(trailing)]. */
export function layoutTables(u, model) {
  const entries = [];
  let c = "";
  for (const n of unitStructs(u)) {
    const l = layout(n, variantOf(u, model));
    const t = cType(n);
    const items = [`sizeof(${t})`, `_Alignof(${t})`, ...l.fields.map((f) => `offsetof(${t}, ${cPath(n, f.path)})`)];
    const keys = ["sizeof", "alignof", ...l.fields.map((f) => f.path)];
    // union members under their other names (devid, dmabuf_id): the same offset
    for (const f of l.fields)
      for (const a of f.alt ?? []) {
        if (u.release && !inRelease(u.release, a.since)) continue;
        items.push(`offsetof(${t}, ${cPath(n, f.path).replace(/[^.]+$/, a.name)})`);
        keys.push(`${f.path}|${a.name}`);
      }
    if (l.trailing) {
      items.push(`offsetof(${t}, ${l.trailing.path})`);
      keys.push(l.trailing.path);
    }
    const sym = `L_${cident(u.id)}_${n}`;
    c += `unsigned long long ${sym}[] = {\n  ${items.map((x) => `(unsigned long long)(${x})`).join(",\n  ")}\n};\n`;
    entries.push({ struct: n, sym, keys, layout: l });
  }
  return { c, entries };
}

/**
 * Every constant a unit must define, from the schema: [{name, value, kind, since, until, macro}]
 * (value null = computed by the codec). `absent`: the #defines the schema dates after the unit's
 * release (or retired before it), which the header must not define.
 */
export function unitConstants(u) {
  const out = new Map();
  const all = [];
  const add = (name, value, kind, since, until, macro = true) => {
    const k = { name, value, kind, since, until, macro };
    all.push(k);
    if (u.release && !inRelease(u.release, since, until)) return;
    if (!out.has(name)) out.set(name, k);
  };
  const base = !u.proposals.length;
  const mine = (p) => (base ? !p : u.proposals.includes(p));
  for (const fs of Object.values(flagSets)) {
    if (base) for (const b of fs.bits) add(b.name, b.value, "flag", b.since);
    for (const b of fs.proposed ?? []) if (!base && mine(b.proposal)) add(b.name, b.value, "flag");
  }
  if (base) for (const [k, v] of Object.entries(masks)) add(k, v, "mask");
  if (base) for (const [k, v] of Object.entries(constants)) add(k, v.value, "const", v.since);
  for (const e of Object.values(enums)) {
    if (base) {
      for (const v of e.values ?? []) {
        add(v.name, v.value, "enum", v.since, v.until, !e.cEnum);
        for (const a of v.aliases ?? []) add(a.name, v.value, "enum", a.since, a.until, !e.cEnum);
      }
      if (e.count) {
        // a count that grew (VFIO_AP_NUM_IRQS 1 -> 2 in 6.15): the value of the unit's release
        const old = u.release && (e.count.was ?? []).find((w) => versionCmp(u.release, w.until) <= 0);
        add(e.count.name, old ? old.value : e.count.value, "enum", e.count.since, undefined, !e.cEnum);
      }
      if (e.vendorBit) {
        add(e.vendorBit.name, e.vendorBit.value, "enum");
        add(e.vendorBit.mask, e.vendorBit.maskValue, "enum");
      }
      for (const vs of Object.values(e.byType ?? {})) for (const v of vs) add(v.name, v.value, "enum");
    }
    for (const v of e.proposed ?? []) if (!base && mine(v.proposal)) add(v.name, v.value, "enum");
    for (const vs of Object.values(e.proposedByType ?? {}))
      for (const v of vs) if (!base && mine(v.proposal)) add(v.name, v.value, "enum");
  }
  for (const s of Object.values(structs)) {
    if (s.kind !== "cap" || !mine(s.proposal)) continue;
    add(s.name, s.id, "capid", s.since);
    for (const a of s.alsoIds ?? []) add(a.name, a.id, "capid");
  }
  // platform-msi postings also carry Eric's VFIO_IRQ_INFO_CAP_TYPE / FLAG_CAPS
  if (u.proposals[0]?.startsWith("platform-msi")) {
    add("VFIO_IRQ_INFO_CAP_TYPE", structs.vfio_irq_info_cap_type.id, "capid");
    add(
      "VFIO_IRQ_INFO_FLAG_CAPS",
      flagSets.vfio_irq_info_flags.proposed.find((b) => b.name === "VFIO_IRQ_INFO_FLAG_CAPS").value,
      "flag",
    );
  }
  if (base) for (const i of ioctls) add(i.name, null, "ioctl", i.since);
  const list = [...out.values()];
  const have = new Set(list.map((k) => k.name));
  const absent =
    base && u.release ? [...new Set(all.filter((k) => k.macro && !have.has(k.name)).map((k) => k.name))] : [];
  const strs = base && u.release ? Object.entries(strings).map(([name, value]) => ({ name, value })) : [];
  return { list, absent, strings: strs };
}

/** C source of a unit's constants table (same order as unitConstants), the absence probe and the strings. */
export function constantTables(u) {
  const { list, absent, strings: strs } = unitConstants(u);
  const sym = `K_${cident(u.id)}`;
  // flag/enum constants are C ints ((1 << 31) is INT_MIN): compare them as the u32 the ABI carries
  let c = `unsigned long long ${sym}[] = {\n  ${list.map((k) => (k.kind === "ioctl" ? `(unsigned long long)(${k.name})` : `(unsigned long long)(unsigned int)(${k.name})`)).join(",\n  ")}\n};\n`;
  let probe = null;
  if (absent.length) {
    // prove the later (or retired) #defines are absent from this header (1 = defined)
    probe = { sym: `P_${cident(u.id)}_absent`, names: absent };
    c += `unsigned char ${probe.sym}[] = {\n${absent.map((n) => `#ifdef ${n}\n  1,\n#else\n  0,\n#endif`).join("\n")}\n  0xff };\n`;
  }
  const strings = strs.map((x, i) => ({ ...x, sym: `STR_${cident(u.id)}_${i}` }));
  for (const x of strings) c += `char ${x.sym}[] = ${x.name};\n`;
  return { c, sym, list, probe, strings };
}
