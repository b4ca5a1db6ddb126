// bindings/fast/generated.ts: the object API's fast paths, generated from the schema for every struct.
//
// decode<Struct>Fast(bytes, opts?) returns what decode() returns without its `$` metadata (fields,
// payload, capabilities with their header, name, struct, knownSize and fields; exact bigint for
// 64-bit fields). encode<Struct>Fast(value, opts?) returns encode()'s bytes. Both read and write
// bytes at the schema's offsets in plain TypeScript, one function per distinct layout and byte
// order, and take every input they are not sure about — short buffers, argsz out of range, broken
// or unknown capabilities, proposals, out-of-range or non-canonical values — to the wasm core,
// whose typed errors and results are therefore the fast path's by construction.
// tests/embed/fast.test.mjs differential-tests every struct against the core on random and hostile
// inputs.

// layout variants of the schema offset tables: lp64/6.1, lp64/6.7, ilp32/6.1, ilp32/6.7
const epochNum = (e) => {
  const [a, b] = String(e).split(".").map(Number);
  return a * 1000 + b;
};
const MAX_HOPS = 1024; // decode()'s default maxCaps
const DEFAULT_WORD = 4; // resolveProfile({}).word: x86_64, 6.6+ layout, no proposals

// the 6.1 tables lack every field added later; the 6.7 tables hold them all (as the core's do)
const present = (f, v) => !f.proposal && (!f.since || (v & 1) === 1);
const scalar = (f) => ["u8", "u16", "u32", "s32", "u64"].includes(f.type);
/** The capability versions after 1 that add scalar fields, ascending (each gates its fields). */
const laterVersions = (fs) =>
  [...new Set(fs.filter((f) => scalar(f) && f.version > 1).map((f) => f.version))].sort((a, b) => a - b);
const bytesOf = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8 };
// u16/u32/s32/u64 and w16/w32/w64 are bound to the byte order at the top of each function (see fn)
const rd = (f, at) => (f.type === "u8" ? `b[${at}]` : `${f.type}(b, ${at})`);
const wr = (f, at, _e, val) => (f.type === "u8" ? `b[${at}] = ${val};` : `w${bytesOf[f.type] * 8}(b, ${at}, ${val});`);
const ok = (f, val) => `ok${{ u8: "U8", u16: "U16", u32: "U32", s32: "S32", u64: "64" }[f.type]}(${val})`;
const plus = (base, k) => (k === 0 ? base : `${base} + ${k}`);
const id = (s) => s.name.replace(/[^A-Za-z0-9_]/g, "_");
const key = (path) => (/^[A-Za-z_$][\w$]*$/.test(path) ? path : JSON.stringify(path));

/** Object literal text for scalar fields (nested paths such as header.id become nested objects). */
function literal(entries) {
  const root = new Map();
  for (const [path, expr] of entries) {
    const parts = path.split(".");
    let m = root;
    for (const p of parts.slice(0, -1)) {
      if (!m.has(p)) m.set(p, new Map());
      m = m.get(p);
    }
    m.set(parts[parts.length - 1], expr);
  }
  const emit = (m) => `{ ${[...m].map(([k, x]) => `${key(k)}: ${x instanceof Map ? emit(x) : x}`).join(", ")} }`;
  return emit(root);
}

/**
 * What the generators of one file share: the schema model, look-ups, which structs are generated,
 * and the distinct functions generated so far (`fn` files a body once and names it).
 */
function context(model) {
  const fieldsOf = (s) => model.fields.slice(s.firstField, s.firstField + s.nfields);
  const byName = Object.fromEntries(model.structs.map((s) => [s.name, s]));
  // A struct is generated when the core's decode of it is fully understood here: scalar fields, the
  // vfio_irq_set payload, and capability chains whose caps have scalar fields and one trailing array
  // or byte string. Anything else (a trailing array in an info struct, a proposal-only struct) keeps
  // the core path, behind the same exported name.
  const capsOf = (s) =>
    s.caps && !s.caps.proposal
      ? model.capreg.filter((c) => c.host === s.name && !c.proposal && supported(byName[c.struct]))
      : [];
  const trailingOf = (s) => (s.trailingLocal >= 0 ? fieldsOf(s)[s.trailingLocal] : null);
  // Left to the core: pointer members (4 or 8 bytes by model), union members named by a flag,
  // structs whose size depends on the release past 6.7 (argsz-extensible: bind/attach/detach),
  // and payloads other than vfio_irq_set's scalar data.
  const special = (s) =>
    fieldsOf(s).some((f) => f.type === "ptr" || f.alt) ||
    (s.history ?? []).some((h) => epochNum(h.from) > epochNum("6.7")) ||
    fieldsOf(s).some((f) => f.type === "payload" && f.cases.some((c) => !c.elem && (c.struct || c.bytes)));
  const supported = (s) => {
    // other kinds (vfio-user messages) have their own parse
    if (s.proposal || special(s) || !["info", "cap", "plain"].includes(s.kind)) return false;
    const t = trailingOf(s);
    if (s.kind === "info") return !t || t.type === "payload";
    if (s.kind === "cap") return !t || t.type === "bytes" || (t.type === "array" && !trailingOf(byName[t.of]));
    return !t;
  };

  const fns = new Map(); // body text -> function name (one function per distinct layout and byte order)
  const ORDERED = ["u16", "u32", "s32", "u64", "w16", "w32", "w64"];
  const fn = (prefix, params, ret, text) => {
    const used = ORDERED.filter((h) => new RegExp(`\\b${h}\\(`).test(text));
    const body = [...used.map((h) => `  const ${h} = le ? ${h}l : ${h}b;`), text].join("\n");
    const k = `${prefix}|${params}|${body}`;
    if (!fns.has(k))
      fns.set(k, {
        name: `${prefix}${fns.size}`,
        text: `function ${prefix}${fns.size}(${params}): ${ret} {\n${body}\n}`,
      });
    return fns.get(k).name;
  };

  return { model, fieldsOf, byName, capsOf, trailingOf, supported, fns, fn };
}

/** Known size of a cap struct for header version `ver` (the core's capKnownSize). */
const knownSize = ({ fieldsOf }, s, v, ver) => {
  let end = 0;
  for (const f of fieldsOf(s)) {
    if (!present(f, v)) continue;
    const off = f.offsets[v];
    if (!scalar(f)) {
      end = Math.max(end, off);
      continue;
    }
    if (f.version > ver) continue;
    end = Math.max(end, off + bytesOf[f.type]);
  }
  return end;
};

function capDecoder(cx, cs, v) {
  const { model, fieldsOf, byName, trailingOf, fn } = cx;
  const fs = fieldsOf(cs).filter((f) => present(f, v));
  const t = trailingOf(cs);
  const versions = laterVersions(fs);
  const base = fs.filter((f) => scalar(f) && f.version <= 1);
  const lines = [];
  lines.push("  if (ver === 0) unsure();");
  // known size per version step: the highest step the header's version reaches
  const k1 = knownSize(cx, cs, v, 1);
  lines.push(`  let known = ${k1};`);
  for (const ver of versions) lines.push(`  if (ver >= ${ver}) known = ${knownSize(cx, cs, v, ver)};`);
  lines.push("  if (off + known > limit) unsure();");
  const capName = model.capreg.find((c) => c.struct === cs.name && !c.proposal).name;
  const entries = [
    ["offset", "off"],
    ["header", "{ id, version: ver, next }"],
    ["name", JSON.stringify(capName)],
    ["struct", JSON.stringify(cs.name)],
    ["knownSize", "known"],
  ];
  // key order as decode() builds it: the trailing array right after knownSize, then the fields
  if (t) entries.push([t.name, t.type === "bytes" ? "EMPTY" : "NONE"]);
  for (const f of base) if (!f.path.startsWith("header.")) entries.push([f.path, rd(f, plus("off", f.offsets[v]))]);
  lines.push(`  const cap: Cap = ${literal(entries)};`);
  for (const ver of versions) {
    const more = fs.filter((f) => scalar(f) && f.version === ver);
    lines.push(
      `  if (ver >= ${ver}) { ${more.map((f) => `cap${f.path.includes(".") ? `[${JSON.stringify(f.path)}]` : `.${f.path}`} = ${rd(f, plus("off", f.offsets[v]))};`).join(" ")} }`,
    );
  }
  if (t) {
    const cnt = fs.find((f) => f.name === t.count);
    const a0 = t.offsets[v];
    const esz = t.type === "bytes" ? 1 : byName[t.of].size[v];
    lines.push(`  const n = ${rd(cnt, plus("off", cnt.offsets[v]))}, a0 = off + ${a0}, aEnd = a0 + n * ${esz};`);
    lines.push("  if (aEnd > limit) unsure();");
    if (t.type === "bytes") lines.push(`  cap.${t.name} = b.slice(a0, aEnd);`);
    else {
      const es = byName[t.of];
      const efs = fieldsOf(es).filter((f) => present(f, v) && scalar(f));
      lines.push(`  const items = new Array<Record<string, unknown>>(n);`);
      lines.push(
        `  for (let i = 0, o = a0; i < n; i++, o += ${esz}) items[i] = ${literal(efs.map((f) => [f.path, rd(f, plus("o", f.offsets[v]))]))};`,
      );
      lines.push(`  cap.${t.name} = items;`);
    }
    lines.push(`  cap.knownSize = known + n * ${esz};`);
    lines.push("  capEnd = aEnd;");
  } else lines.push("  capEnd = off + known;");
  lines.push("  return cap;");
  return fn(
    "dc",
    `b: Uint8Array, off: number, id: number, ver: number, next: number, limit: number, le: boolean`,
    "Cap",
    lines.join("\n"),
  );
}

function decoder(cx, s, v) {
  const { fieldsOf, byName, trailingOf, capsOf, fn } = cx;
  const fs = fieldsOf(s).filter((f) => present(f, v));
  const size = s.size[v];
  const lines = [`  if (b.length < ${size}) unsure();`];
  const sc = fs.filter(scalar);
  if (s.kind !== "info") {
    lines.push(`  return ${literal(sc.map((f) => [f.path, rd(f, f.offsets[v])]))};`);
    return fn("d", "b: Uint8Array, le: boolean", "Val", lines.join("\n"));
  }
  const argsz = sc.find((f) => f.name === "argsz"),
    flags = sc.find((f) => f.name === "flags");
  lines.push(`  const argsz = ${rd(argsz, argsz.offsets[v])};`);
  // fields past argsz are not part of the argument: the core decides what a shorter argsz means
  lines.push(`  if (argsz < ${Math.max(s.minsz, size)} || argsz > b.length) unsure();`);
  lines.push(`  const flags = ${rd(flags, flags.offsets[v])};`);
  const rest = sc.filter((f) => f !== argsz && f !== flags);
  const locals = new Map();
  const t = trailingOf(s);
  const countField = t ? fs.find((f) => f.name === t.count) : null;
  const capField = s.caps && !s.caps.proposal ? fs.find((f) => f.name === s.caps.offsetField) : null;
  for (const f of [countField, capField].filter(Boolean)) {
    lines.push(`  const ${f.name} = ${rd(f, f.offsets[v])};`);
    locals.set(f, f.name);
  }
  lines.push(
    `  const v: Val = ${literal([["argsz", "argsz"], ["flags", "flags"], ...rest.map((f) => [f.path, locals.get(f) ?? rd(f, f.offsets[v])])])};`,
  );
  if (t && t.type === "payload") {
    const poff = t.offsets[v];
    const mask = t.cases.reduce((m, c) => m | c.mask, 0);
    lines.push(`  const dt = flags & ${mask};`);
    for (const c of t.cases.filter((x) => x.elem)) {
      const esz = bytesOf[c.elem];
      lines.push(`  if (dt === ${c.value}) {`);
      lines.push(`    if (${poff} + ${countField.name} * ${esz} > argsz) unsure();`);
      lines.push(`    const d = new Array<number>(${countField.name});`);
      lines.push(
        `    for (let i = 0, o = ${poff}; i < ${countField.name}; i++, o += ${esz}) d[i] = ${rd({ type: c.elem }, "o")};`,
      );
      lines.push(`    v.${t.name} = d;`);
      lines.push("  }");
    }
  }
  const caps = capsOf(s);
  if (capField) {
    lines.push(`  const start = argsz >= ${capField.offsets[v] + 4} ? ${capField.name} : 0;`);
    lines.push(`  if ((flags & ${s.caps.flag}) !== 0 && start !== 0) {`);
    lines.push(`    if (start < ${size}) unsure();`);
    lines.push("    const caps: Cap[] = [];");
    lines.push("    for (let off = start; ;) {");
    lines.push(`      if ((off & 3) !== 0 || off + 8 > argsz || caps.length >= ${MAX_HOPS}) unsure();`);
    const H = fieldsOf(byName.vfio_info_cap_header),
      h = (n) => H.find((f) => f.path === n);
    lines.push(
      `      const id = ${rd(h("id"), "off")}, ver = ${rd(h("version"), plus("off", h("version").offsets[v]))}, next = ${rd(h("next"), plus("off", h("next").offsets[v]))};`,
    );
    lines.push("      let cap: Cap;");
    lines.push("      switch (id) {");
    for (const c of caps)
      lines.push(
        `        case ${c.id}: cap = ${capDecoder(cx, byName[c.struct], v)}(b, off, id, ver, next, argsz, le); break;`,
      );
    lines.push("        default: unsure();");
    lines.push("      }");
    lines.push("      caps.push(cap);");
    lines.push("      if (next === 0) break;");
    lines.push("      if (next <= off || next < capEnd) unsure();");
    lines.push("      off = next;");
    lines.push("    }");
    lines.push("    v.caps = caps;");
    lines.push("  }");
  }
  lines.push("  return v;");
  return fn("d", "b: Uint8Array, le: boolean", "Val", lines.join("\n"));
}

// ---------------------------------------------------------------- encode
/** What decode() puts beside a capability's fields (encode() accepts it back). */
const CAP_KEYS = ["offset", "header", "name", "struct", "knownSize"];
/** Distinct first parts of the fields' paths ("header.id" -> "header"). */
const topNames = (fs) => [...new Set(fs.map((f) => f.path.split(".")[0]))];
/** Expression: how many of these keys the object has (with a value). */
const countKeys = (obj, names) => names.map((n) => `(${obj}.${n} !== undefined ? 1 : 0)`).join(" + ") || "0";
const getter = (obj, path) => {
  const parts = path.split(".");
  let cur = obj;
  parts.forEach((p, i) => {
    const acc = `${i === 0 ? "" : "?"}.${p}`;
    cur = i === parts.length - 1 ? `${cur}${acc}` : `(${cur}${acc} as Val | undefined)`;
  });
  return cur;
};

function capEncoder(cx, cs, v) {
  const { fieldsOf, byName, trailingOf, fn } = cx;
  const fs = fieldsOf(cs).filter((f) => present(f, v));
  const t = trailingOf(cs);
  const maxVer = Math.max(...(cs.versions ?? [1]));
  const versions = laterVersions(fs);
  const lines = [];
  // only the keys encode() accepts: decode's own (offset, name, ...), the header and this layout's fields;
  // counted in the sizing pass (b === EMPTY) only, the write pass sees the same object
  lines.push(
    `  if (b === EMPTY && keys(c) !== ${countKeys("c", [...CAP_KEYS, ...topNames(fs.filter((f) => !f.path.startsWith("header.")))])}) return -1;`,
  );
  lines.push(`  if (b === EMPTY && !headerOk(c.header)) return -1;`);
  lines.push("  const h = c.header as Val | undefined;");
  lines.push("  if (!okObj(h)) return -1;"); // the core refuses a header that is not an object
  lines.push(`  const ver = h?.version ?? ${maxVer}, next = h?.next ?? 0;`);
  lines.push("  if (!okU16(ver) || ver === 0 || !okU32(next)) return -1;");
  lines.push(`  let known = ${knownSize(cx, cs, v, 1)};`);
  for (const ver of versions) lines.push(`  if (ver >= ${ver}) known = ${knownSize(cx, cs, v, ver)};`);
  // the core checks every field's value, whatever the version; only the version's fields are written
  const body = fieldsOf(cs).filter((f) => scalar(f) && !f.path.startsWith("header."));
  const cnt = t ? fs.find((f) => f.name === t.count) : null;
  body.forEach((f, i) => {
    if (f === cnt) return; // read after the trailing items are counted
    lines.push(`  const f${i} = ${getter("c", f.path)} ?? 0;`);
    lines.push(`  if (!${ok(f, `f${i}`)}) return -1;`);
  });
  let size = "known";
  if (t) {
    const esz = t.type === "bytes" ? 1 : byName[t.of].size[v];
    lines.push(`  const items = c.${t.name};`);
    if (t.type === "bytes") lines.push("  if (items !== undefined && !(items instanceof Uint8Array)) return -1;");
    else lines.push("  if (items !== undefined && !Array.isArray(items)) return -1;");
    lines.push("  const n = items === undefined ? 0 : (items as ArrayLike<unknown>).length;");
    const ci = body.indexOf(cnt);
    lines.push(
      `  const f${ci} = c.${cnt.name} === undefined ? n : c.${cnt.name} ?? 0; // the core counts the items only when the field is undefined`,
    );
    lines.push(`  if (!${ok(cnt, `f${ci}`)}) return -1;`);
    lines.push(
      `  if (items !== undefined && c.${cnt.name} !== undefined && f${ci} !== n) return -1; // the core: a count that disagrees is an error`,
    );
    if (t.type !== "bytes") {
      const efs = fieldsOf(byName[t.of]).filter((f) => present(f, v));
      lines.push(
        `  if (b === EMPTY) for (let i = 0; i < n; i++) { const e = (items as Val[])[i]; if (e !== null && typeof e === "object" && keys(e) !== ${countKeys("e", topNames(efs))}) return -1; }`,
      );
    }
    lines.push(`  const size = Math.max(known, ${t.offsets[v]} + n * ${esz});`);
    size = "size";
  }
  lines.push(`  if (at + ${size} > b.length) return ${size};`); // sizing pass: report the size only
  const hdr = fs.filter((f) => f.path.startsWith("header."));
  const hv = { "header.id": "id", "header.version": "ver", "header.next": "next" };
  for (const f of hdr) lines.push(`  ${wr(f, plus("at", f.offsets[v]), 0, hv[f.path])}`);
  body.forEach((f, i) => {
    if (present(f, v))
      lines.push(`  ${f.version > 1 ? `if (ver >= ${f.version}) ` : ""}${wr(f, plus("at", f.offsets[v]), 0, `f${i}`)}`);
  });
  if (t) {
    if (t.type === "bytes") lines.push(`  if (n) b.set(items as Uint8Array, at + ${t.offsets[v]});`);
    else {
      const es = byName[t.of],
        esz = es.size[v];
      const efs = fieldsOf(es).filter(scalar);
      lines.push(`  for (let i = 0, o = at + ${t.offsets[v]}; i < n; i++, o += ${esz}) {`);
      lines.push("    const x = (items as Val[])[i];");
      lines.push("    if (x === null || x === undefined || !okObj(x)) return -1;");
      efs.forEach((f, k) => {
        lines.push(`    const g${k} = ${getter("x", f.path)} ?? 0;`);
        lines.push(`    if (!${ok(f, `g${k}`)}) return -1;`);
        if (present(f, v)) lines.push(`    ${wr(f, plus("o", f.offsets[v]), 0, `g${k}`)}`);
      });
      lines.push("  }");
    }
  }
  lines.push(`  return ${size};`);
  // Called twice: with an empty buffer to size and check the cap (no writes), then to write it.
  return fn("ec", "b: Uint8Array, at: number, id: number, c: Val, le: boolean", "number", lines.join("\n"));
}

/**
 * Lines of an encoder with a capability chain: check the caps as decode() lays them out (in order,
 * no overlap, 4-aligned, `next` linking them, cap_offset naming the first) and size them: `end`.
 */
function capsSizing(cx, s, v, caps, sc, argsz) {
  const { byName } = cx;
  const lines = [];
  lines.push("  const caps = x.caps;");
  lines.push(`  let end = ${s.size[v]};`);
  lines.push("  if (caps !== undefined) {");
  lines.push("    if (!Array.isArray(caps)) unsure();");
  lines.push("    for (let i = 0; i < caps.length; i++) {");
  lines.push("      const c = caps[i];");
  lines.push(
    '      if (c === null || typeof c !== "object" || c.header === null || typeof c.header !== "object") unsure();',
  );
  lines.push("      const at = c.offset, id = c.header.id;");
  // exact mode as decoded: in order, no overlap, 4-aligned, `next` linking the chain
  lines.push('      if (typeof at !== "number" || at < end || at >>> 0 !== at || (at & 3) !== 0) unsure();');
  lines.push("      if (c.header.next !== (i + 1 < caps.length ? caps[i + 1]?.offset : 0)) unsure();");
  lines.push("      let n: number;");
  lines.push("      switch (id) {");
  for (const c of caps) {
    lines.push(
      `        case ${c.id}: if (c.struct !== undefined && c.struct !== ${JSON.stringify(c.struct)}) unsure(); n = ${capEncoder(cx, byName[c.struct], v)}(EMPTY, at, id, c, le); break;`,
    );
  }
  lines.push("        default: unsure();");
  lines.push("      }");
  lines.push("      if (n < 0) unsure();");
  lines.push("      end = at + n;");
  lines.push("    }");
  // cap_offset names the first cap, and the caps lie inside argsz (else the core's typed error)
  const co = sc.findIndex((f) => f.name === s.caps.offsetField);
  lines.push(`    if (caps.length && f${co} !== caps[0].offset) unsure();`);
  if (argsz) lines.push("    if (caps.length && x.argsz != null && !(okU32(x.argsz) && x.argsz >= end)) unsure();");
  lines.push("  }");
  return lines;
}

function encoder(cx, s, v) {
  const { fieldsOf, byName, trailingOf, capsOf, fn } = cx;
  const size = s.size[v];
  const sc = fieldsOf(s).filter(scalar); // every field's value is checked (as the core does); present ones are written
  const t = trailingOf(s);
  const caps = capsOf(s);
  const lines = ["  if (x.$ !== undefined) unsure();"];
  // only the keys encode() accepts in this layout (anything else: the core names it)
  const tops = [...topNames(fieldsOf(s).filter((f) => present(f, v))), ...(caps.length ? ["caps"] : [])];
  lines.push(`  if (keys(x) !== ${countKeys("x", tops)}) unsure();`);
  if (tops.includes("header")) lines.push("  if (!headerOk(x.header)) unsure();");
  // nested members (a capability's header) must be objects, or the core's typed error decides
  for (const top of new Set(sc.filter((f) => f.path.includes(".")).map((f) => f.path.split(".")[0])))
    lines.push(`  if (!okObj(x.${top})) unsure();`);
  const argsz = sc.find((f) => f.name === "argsz");
  const countField = t && t.type === "payload" ? sc.find((f) => f.name === t.count) : null;
  sc.forEach((f, i) => {
    if (f === argsz) return;
    const name = f === countField ? `r${i}` : `f${i}`; // the count is settled after the data is read
    lines.push(`  const ${name} = ${getter("x", f.path)} ?? 0;`);
    lines.push(`  if (!${ok(f, name)}) unsure();`);
  });
  let total = `${size}`;
  if (t && t.type === "payload") {
    const flags = sc.find((f) => f.name === "flags");
    const mask = t.cases.reduce((m, c) => m | c.mask, 0);
    lines.push(`  const data = x.${t.name} ?? [];`);
    lines.push("  if (!Array.isArray(data)) unsure();");
    if (countField) {
      const ci = sc.indexOf(countField);
      // count follows data when left out; one that disagrees is the core's error
      lines.push(`  if (x.${t.name} != null && x.${countField.name} != null && r${ci} !== data.length) unsure();`);
      lines.push(`  const f${ci} = x.${t.name} != null && x.${countField.name} == null ? data.length : r${ci};`);
    }
    lines.push(`  const dt = Number(f${sc.indexOf(flags)}) & ${mask};`);
    const cs = t.cases.filter((c) => c.elem);
    lines.push(`  const esz = ${cs.map((c) => `dt === ${c.value} ? ${bytesOf[c.elem]} : `).join("")}0;`);
    lines.push("  if (esz === 0 && data.length) unsure();");
    // the elements are checked as they are written (one pass): a bad one throws and the buffer is dropped
    lines.push(`  const end = Math.max(${size}, ${t.offsets[v]} + data.length * esz);`);
    total = "end";
  } else if (caps.length) {
    lines.push(...capsSizing(cx, s, v, caps, sc, argsz));
    total = "end";
  } else lines.push("  if (x.caps !== undefined) unsure();");
  if (argsz) {
    const auto = t && t.type === "payload" ? `${t.offsets[v]} + data.length * esz` : total;
    lines.push(`  const f${sc.indexOf(argsz)} = x.argsz ?? ${auto};`);
    lines.push(`  if (!${ok(argsz, `f${sc.indexOf(argsz)}`)}) unsure();`);
  }
  lines.push(`  const b = new Uint8Array(${total});`);
  sc.forEach((f, i) => {
    if (present(f, v)) lines.push(`  ${wr(f, f.offsets[v], 0, `f${i}`)}`);
  });
  if (t && t.type === "payload") {
    for (const c of t.cases.filter((x) => x.elem))
      lines.push(
        `  if (esz === ${bytesOf[c.elem]}) for (let i = 0, o = ${t.offsets[v]}; i < data.length; i++, o += ${bytesOf[c.elem]}) { const d = data[i]; if (!${ok({ type: c.elem }, "d")}) unsure(); ${wr({ type: c.elem === "s32" ? "u32" : c.elem }, "o", 0, "d")} }`,
      );
  }
  if (caps.length) {
    lines.push("  if (caps !== undefined) for (const c of caps) {");
    lines.push("    switch (c.header.id) {");
    for (const c of caps)
      lines.push(`      case ${c.id}: ${capEncoder(cx, byName[c.struct], v)}(b, c.offset, ${c.id}, c, le); break;`);
    lines.push("    }");
    lines.push("  }");
  }
  lines.push("  return b;");
  return fn("e", "x: Val, le: boolean", "Uint8Array", lines.join("\n"));
}

export function outputs({ model, BANNER, pascal }) {
  const cx = context(model);
  const parts = { api: [], names: [], tries: [], jsons: [] };
  for (const s of model.structs) structApi(cx, s, pascal, parts);
  return { "bindings/fast/generated.ts": fileText(BANNER, cx.fns, parts) };
}

/**
 * decode<Struct>Fast and encode<Struct>Fast for one struct (`out.api`), and its entries in the
 * FAST_DECODERS/FAST_ENCODERS (`out.names`), FAST_TRY (`out.tries`) and FAST_JSON_HEAD (`out.jsons`) tables.
 */
function structApi(cx, s, pascal, { api, names, tries, jsons }) {
  const { fieldsOf, supported } = cx;
  const P = pascal(s.name.replace(/^vfio_/, ""));
  const T = `FastValue<${JSON.stringify(s.name)}>`;
  names.push([s.name, P]);
  if (!supported(s)) {
    api.push(`/** ${s.cName}: decode() without \`$\` (this struct's shape is not generated: the core decodes it). */
export function decode${P}Fast(b: Uint8Array, opts?: DecodeOptions): ${T} {
  return slowDecode(${JSON.stringify(s.name)}, b, opts) as unknown as ${T};
}
/** ${s.cName}: encode() (the core encodes this struct). */
export function encode${P}Fast(x: FastInput<${JSON.stringify(s.name)}>, opts?: EncodeOptions): Uint8Array {
  return encode(${JSON.stringify(s.name)}, x as never, opts);
}`);
    return;
  }
  // profile word bits: 1 big-endian, 2 ilp32, 4 epoch >= 6.6 -> variant (ilp32 ? 2 : 0) + (6.6 ? 1 : 0)
  // indexed by the profile word's layout bits (2 ilp32, 4 epoch >= 6.6); bit 1 is the byte order
  const table = (make) => Array.from({ length: 4 }, (_, k) => make(((k >> 0) & 1) * 2 + ((k >> 1) & 1)));
  const dec = table((v) => decoder(cx, s, v)),
    enc = table((v) => encoder(cx, s, v));
  tries.push(`  ${s.name}: (b, w) => attempt(D_${id(s)}[w >> 1], b, (w & 1) === 0),`);
  // JSON text of the value's scalar fields in decode()'s key order ("{" .. without the closing brace)
  const jsonOf = (v) => {
    const fs = fieldsOf(s).filter((f) => scalar(f) && present(f, v));
    if (!fs.length || fs.some((f) => f.path.includes("."))) return null;
    const val = (f) => (f.type === "u64" ? `"\${x.${f.name}}"` : `\${x.${f.name}}`);
    return `\`${fs.map((f, i) => `${i ? "," : "{"}${JSON.stringify(f.name)}:${val(f)}`).join("")}\``;
  };
  const js = [0, 1, 2, 3].map(jsonOf);
  if (js.every((x) => x !== null)) {
    const body = js.every((x) => x === js[0])
      ? js[0]
      : `(w & 4 ? (w & 2 ? ${js[3]} : ${js[1]}) : (w & 2 ? ${js[2]} : ${js[0]}))`;
    jsons.push(`  ${s.name}: (x, w) => ${body},`);
  }
  api.push(`const D_${id(s)} = [${dec.join(", ")}];
const E_${id(s)} = [${enc.join(", ")}];
/**
 * ${s.cName}: decode(${JSON.stringify(s.name)}, b, opts) without \`$\`, from plain byte loads; inputs the
 * fast path is not sure about go to the wasm core (same result, same typed errors).
 */
export function decode${P}Fast(b: Uint8Array, opts?: DecodeOptions): ${T} {
  // a Uint8Array only: the core reads another view as its own bytes, or refuses what is not bytes
  if (b instanceof Uint8Array)
    try {
      // the default profile calls its layout's function directly (inlined, byte order constant)
      if (opts === undefined) return ${dec[DEFAULT_WORD >> 1]}(b, true) as unknown as ${T};
      const w = fastWord(opts);
      if (w >= 0) return D_${id(s)}[w >> 1](b, (w & 1) === 0) as unknown as ${T};
    } catch (e) {
      if (e !== UNSURE) throw e;
    }
  return slowDecode(${JSON.stringify(s.name)}, b, opts) as unknown as ${T};
}
/** ${s.cName}: encode(${JSON.stringify(s.name)}, x, opts) from plain byte stores for canonical values; anything else goes to the wasm core. */
export function encode${P}Fast(x: FastInput<${JSON.stringify(s.name)}>, opts?: EncodeOptions): Uint8Array {
  if (x !== null && typeof x === "object")
    try {
      if (opts === undefined) return ${enc[DEFAULT_WORD >> 1]}(x as Val, true);
      const w = fastWord(opts);
      if (w >= 0) return E_${id(s)}[w >> 1](x as Val, (w & 1) === 0);
    } catch (e) {
      if (e !== UNSURE) throw e;
    }
  return encode(${JSON.stringify(s.name)}, x as never, opts);
}`);
}

/** The generated file: the fixed part, then every distinct function, every struct's API, and the tables. */
function fileText(BANNER, fns, { api, names, tries, jsons }) {
  return `${BANNER.trimEnd()} (scripts/gen/fast-ts.mjs)
${RUNTIME}
${[...fns.values()].map((f) => f.text).join("\n\n")}

${api.join("\n\n")}

/** Fast decoders by struct name (the CLI's per-line path). */
export const FAST_DECODERS: Record<string, (b: Uint8Array, opts?: DecodeOptions) => object> = {
${names.map(([n, P]) => `  ${n}: decode${P}Fast,`).join("\n")}
};
/**
 * The fast decoders alone, by struct name: (bytes, profile word without proposals) -> the value, or
 * undefined where the core must decide (the CLI adds the metadata itself for these values).
 */
export const FAST_TRY: Record<string, (b: Uint8Array, word: number) => Val | undefined> = {
${tries.join("\n")}
};
/**
 * JSON text of a fast-decoded value's scalar fields, by struct name, in decode()'s key order: "{" up to
 * the last scalar, without the closing brace (the CLI appends payload, caps and "$").
 */
export const FAST_JSON_HEAD: Record<string, (x: Val, w: number) => string> = {
${jsons.join("\n")}
};
/** Fast encoders by struct name. */
export const FAST_ENCODERS: Record<string, (x: Val, opts?: EncodeOptions) => Uint8Array> = {
${names.map(([n, P]) => `  ${n}: encode${P}Fast as (x: Val, opts?: EncodeOptions) => Uint8Array,`).join("\n")}
};

/** Backwards-compatible name: the fields of vfio_irq_info. */
export type IrqInfoFields = FastValue<"vfio_irq_info">;
`;
}

/** The fixed part of the generated file: imports, types, the profile word, byte loads and stores, value checks. */
const RUNTIME = `// Object API fast paths for every struct: plain TypeScript at the schema's offsets for the inputs
// it is sure about, the wasm core for everything else. Differential-tested against the core
// (tests/embed/fast.test.mjs).
/* eslint-disable */
import { decode } from "../decode.js";
import { encode } from "../encode.js";
import { resolveProfile } from "../profile.js";
import type { DecodeOptions, EncodeOptions, DecodedCap } from "../types.js";
import type { StructName, StructTypes } from "../generated/schema.js";

type Val = Record<string, unknown>;
type Cap = DecodedCap & Val;
/** What decode() returns for struct N, without the \`$\` metadata. */
export type FastValue<N extends StructName> = StructTypes[N] & { caps?: DecodedCap[] };
/** Input of encode<Struct>Fast: what encode() accepts. */
export type FastInput<N extends StructName> = Partial<StructTypes[N]> & Val;

const EMPTY = new Uint8Array(0);
const NONE: never[] = []; // placeholder, replaced before the object is returned
let lastArch: unknown = null, lastEndian: unknown, lastModel: unknown, lastEpoch: unknown, lastWord = -1;
/** Profile word for the fast path (-1: proposals or a hop limit, which the core handles). */
function fastWord(o: DecodeOptions): number {
  if (o === null || typeof o !== "object") return -1; // the core refuses it, naming it
  const p = o.proposals;
  if ((p !== undefined && !(Array.isArray(p) && p.length === 0)) || o.maxCaps !== undefined) return -1;
  if (o.arch === lastArch && o.endian === lastEndian && o.model === lastModel && o.epoch === lastEpoch) return lastWord;
  lastWord = resolveProfile(o).word; // validates the options (the same UsageError as the core)
  lastArch = o.arch; lastEndian = o.endian; lastModel = o.model; lastEpoch = o.epoch;
  return lastWord;
}
function slowDecode(name: string, b: Uint8Array, opts?: DecodeOptions): Val {
  const { $, ...v } = decode(name, b, opts) as unknown as Val;
  return v;
}
let capEnd = 0; // end of the capability just decoded (array included), for the overlap check
/**
 * Thrown where the core must decide; the exported function catches it and asks the core. A throw
 * rather than an undefined result: the value a fast path returns then never meets another value at
 * a merge point, so V8 can keep a result object that its caller only reads from off the heap.
 */
const UNSURE = Symbol("vfio-abi: not sure");
function unsure(): never {
  throw UNSURE;
}
/** f(b, le), or undefined where the core must decide. */
function attempt(f: (b: Uint8Array, le: boolean) => Val, b: Uint8Array, le: boolean): Val | undefined {
  try {
    return f(b, le);
  } catch (e) {
    if (e !== UNSURE) throw e;
    return undefined;
  }
}

// Byte loads and stores, one function per byte order: each generated function binds the ones it uses
// once (\`const u32 = le ? u32l : u32b\`), so V8 inlines only the order that runs and a large function's
// inlining budget is not spent on both. 64-bit values go through a scratch word in host order: one
// BigInt per value.
const s8 = new Uint8Array(8), s64 = new BigUint64Array(s8.buffer);
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const u16l = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u16b = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const u32l = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u32b = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const s32l = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
const s32b = (b: Uint8Array, o: number): number => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
/** The 8 bytes at o in their order (\`same\`: the host's) into the scratch word. */
function load8(b: Uint8Array, o: number, same: boolean): void {
  if (same) { s8[0] = b[o]; s8[1] = b[o + 1]; s8[2] = b[o + 2]; s8[3] = b[o + 3]; s8[4] = b[o + 4]; s8[5] = b[o + 5]; s8[6] = b[o + 6]; s8[7] = b[o + 7]; }
  else { s8[7] = b[o]; s8[6] = b[o + 1]; s8[5] = b[o + 2]; s8[4] = b[o + 3]; s8[3] = b[o + 4]; s8[2] = b[o + 5]; s8[1] = b[o + 6]; s8[0] = b[o + 7]; }
}
const u64l = (b: Uint8Array, o: number): bigint => (load8(b, o, HOST_LE), s64[0]);
const u64b = (b: Uint8Array, o: number): bigint => (load8(b, o, !HOST_LE), s64[0]);
function w16l(b: Uint8Array, o: number, v: number): void { b[o] = v; b[o + 1] = v >>> 8; }
function w16b(b: Uint8Array, o: number, v: number): void { b[o] = v >>> 8; b[o + 1] = v; }
function w32l(b: Uint8Array, o: number, v: number): void { b[o] = v; b[o + 1] = v >>> 8; b[o + 2] = v >>> 16; b[o + 3] = v >>> 24; }
function w32b(b: Uint8Array, o: number, v: number): void { b[o] = v >>> 24; b[o + 1] = v >>> 16; b[o + 2] = v >>> 8; b[o + 3] = v; }
/** The scratch word into the 8 bytes at o in their order (\`same\`: the host's). */
function store8(b: Uint8Array, o: number, same: boolean): void {
  if (same) { b[o] = s8[0]; b[o + 1] = s8[1]; b[o + 2] = s8[2]; b[o + 3] = s8[3]; b[o + 4] = s8[4]; b[o + 5] = s8[5]; b[o + 6] = s8[6]; b[o + 7] = s8[7]; }
  else { b[o] = s8[7]; b[o + 1] = s8[6]; b[o + 2] = s8[5]; b[o + 3] = s8[4]; b[o + 4] = s8[3]; b[o + 5] = s8[2]; b[o + 6] = s8[1]; b[o + 7] = s8[0]; }
}
/** A 64-bit field given as a Number (a safe non-negative integer, so the split is exact): rare, kept out of line. */
function w64n(b: Uint8Array, o: number, v: number, le: boolean): void {
  const lo = v % 4294967296, hi = (v - lo) / 4294967296;
  if (le) { w32l(b, o, lo); w32l(b, o + 4, hi); } else { w32b(b, o, hi); w32b(b, o + 4, lo); }
}
function w64l(b: Uint8Array, o: number, v: number | bigint): void {
  if (typeof v === "number") return w64n(b, o, v, true);
  s64[0] = v;
  store8(b, o, HOST_LE);
}
function w64b(b: Uint8Array, o: number, v: number | bigint): void {
  if (typeof v === "number") return w64n(b, o, v, false);
  s64[0] = v;
  store8(b, o, !HOST_LE);
}
/** Enumerable keys. encode() refuses keys it would not use (naming the closest field), so a value with
 *  more keys than it has fields with a value goes to the core, which says which one (a key holding
 *  undefined goes there too: counting without reading the values keeps this check a few ns). */
const keys = (x: object): number => { let n = 0; for (const _ in x) n++; return n; };
/** A capability header: absent, or an object of id, version and next only. */
const headerOk = (h: unknown): boolean => h === undefined || (h !== null && typeof h === "object" && !Array.isArray(h) && keys(h) === ((h as Val).id !== undefined ? 1 : 0) + ((h as Val).version !== undefined ? 1 : 0) + ((h as Val).next !== undefined ? 1 : 0));
const okObj = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v));
const okU8 = (v: unknown): v is number => typeof v === "number" && v >>> 0 === v && v <= 0xff;
const okU16 = (v: unknown): v is number => typeof v === "number" && v >>> 0 === v && v <= 0xffff;
const okU32 = (v: unknown): v is number => typeof v === "number" && v >>> 0 === v;
const okS32 = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff;
const ok64 = (v: unknown): v is number | bigint => (typeof v === "bigint" ? v >= 0n && v <= 0xffffffffffffffffn : typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
`;
