// docs/abi-reference.md: the schema as tables (offsets per ABI and epoch, flags, enums, capability
// registries, ioctl numbers). Generated, so the reference can never disagree with the codec.
const VARIANTS = ["lp64 6.1", "lp64 6.7", "ilp32 6.1", "ilp32 6.7"];

/** A payload's cases: "(flags & mask) == value: what follows". */
function payloadDoc(f, model) {
  const what = (c) =>
    c.kind === "struct"
      ? `\`${c.struct}\``
      : c.kind === "scalar"
        ? `count × ${c.elem}`
        : c.kind === "bytes"
          ? `${c.bytes} bytes`
          : "nothing";
  const sel = model.fields[f.id - model.fields.filter((x) => x.struct === f.struct).indexOf(f) + f.selectorLocal];
  return model.cases
    .filter((c) => c.field === f.id)
    .map((c) => `(${sel.name} & 0x${c.mask.toString(16)}) == ${c.value}: ${what(c)}`)
    .join("; ");
}

export function outputs({ model, abi, BANNER }) {
  const L = [];
  const p = (s = "") => L.push(s);
  intro(p, BANNER);
  p("## Structs");
  for (const s of model.structs) structSection(p, s, model);
  capRegistries(p, model);
  flagSets(p, abi);
  enums(p, abi);
  constants(p, abi);
  irqIndexSpace(p, abi);
  ioctls(p, abi);
  p();
  return { "docs/abi-reference.md": L.join("\n") };
}

/** The title and how to read the tables. */
function intro(p, BANNER) {
  p(`<!-- ${BANNER.replace(/^\/\/ /, "").trim()} -->`);
  p("# VFIO ABI reference (generated from schema/abi.mjs)");
  p();
  p("Offsets are computed with C layout rules and checked against gcc on the real uapi headers (tests/c).");
  p(
    "Columns: x86_64/s390x/ppc64 (lp64) and i386 (ilp32), each for the 6.1 layout epoch (up to 6.5) and the 6.7 one (6.6 and later;",
  );
  p(
    '"6.6" is accepted as an alias). Versions are Linux releases: `since` = the first release whose header has the item.',
  );
  p("Fields marked *proposal* exist only when that never-merged proposal profile is enabled.");
  p();
}

/** One struct: what it is, its sizes, and its fields' offsets in every layout. */
function structSection(p, s, model) {
  p();
  p(`### \`${s.cName}\`${s.proposal ? ` (proposal \`${s.proposal}\`, never merged)` : ""}`);
  p();
  if (s.doc) {
    p(s.doc);
    p();
  }
  const meta = [
    `sizeof ${VARIANTS.map((v, i) => `${v}: ${s.size[i]}${s.sizeProp[i] !== s.size[i] ? ` (${s.sizeProp[i]} with proposals)` : ""}`).join(", ")}`,
  ];
  if (s.since) meta.push(`since Linux ${s.since}`);
  if (s.history && s.history.length > 1)
    meta.push(
      `sizeof by release (lp64/ilp32): ${s.history.map((h) => `${h.from}${h.until ? `–${h.until}` : "+"}: ${h.lp64}/${h.ilp32}`).join(", ")}`,
    );
  if (s.minsz) meta.push(`minsz ${s.minsz}`);
  if (s.ioctl) meta.push(`argument of \`${s.ioctl}\``);
  if (s.kind === "cap")
    meta.push(`capability id ${s.capId} of \`${s.host}\` (\`${s.capName}\`), versions ${s.versions.join(", ")}`);
  if (s.caps)
    meta.push(
      `capability chain at \`${s.caps.offsetField}\` when flag 0x${s.caps.flag.toString(16)} is set${s.caps.proposal ? ` (proposal \`${s.caps.proposal}\`)` : ""}`,
    );
  p(`${meta.join("; ")}.`);
  p();
  p(`| field | type | ${VARIANTS.join(" | ")} | notes |`);
  p(`|---|---|${VARIANTS.map(() => "---").join("|")}|---|`);
  for (const f of model.fields.slice(s.firstField, s.firstField + s.nfields)) {
    const notes = fieldNotes(f, model);
    p(`| \`${f.path}\` | ${f.scalar ?? f.type} | ${f.offsets.join(" | ")} | ${notes} |`);
  }
}

/** A field's notes column: flags, enum, release, proposal, alignment, payload, array, union, pointer. */
function fieldNotes(f, model) {
  return [
    f.flags && `flags: ${f.flags}`,
    f.enum && `enum: ${f.enum}`,
    f.since && `since ${f.since}`,
    f.proposal && `*proposal ${f.proposal}*`,
    f.version > 1 && `cap version ≥ ${f.version}`,
    f.aligned && `__aligned_u64${f.aligned === true ? "" : ` from ${f.aligned}`}`,
    f.type === "payload" && payloadDoc(f, model),
    f.type === "array" && `${f.count} × ${f.of}${f.short ? " (argsz too small: the reply asks for more)" : ""}`,
    ...(f.alt ?? []).map((a) => `union: \`${a.name}\` when ${a.when.flag}${a.since ? ` (since ${a.since})` : ""}`),
    f.scalar === "ptr" && "user pointer (8 bytes lp64, 4 ilp32)",
    f.type === "bytes" && `${f.count} bytes${f.encoding ? ` (${f.encoding})` : ""}`,
  ]
    .filter(Boolean)
    .join("; ");
}

/** Capability ids per host struct. */
function capRegistries(p, model) {
  p();
  p("## Capability registries (ids are per host struct)");
  p();
  p("| host | id | name | struct | versions | proposal |");
  p("|---|---|---|---|---|---|");
  for (const c of model.capreg)
    p(`| \`${c.host}\` | ${c.id} | \`${c.name}\` | \`${c.struct}\` | ≤ ${c.maxVersion} | ${c.proposal ?? ""} |`);
}

/** Flag bits, with the proposals' own. */
function flagSets(p, abi) {
  p();
  p("## Flag sets");
  for (const [name, fs] of Object.entries(abi.flagSets)) {
    p();
    p(`### ${name}`);
    p();
    p("| bit | name | notes |");
    p("|---|---|---|");
    if (fs.valueMask) p(`| \`${fs.valueMask.mask}\` | value of \`${fs.valueMask.enum}\` | |`);
    for (const b of fs.bits)
      p(
        `| 0x${b.value.toString(16)} | \`${b.name}\` | ${[b.since && `since ${b.since}`, b.doc].filter(Boolean).join("; ")} |`,
      );
    for (const b of fs.proposed)
      p(`| 0x${b.value.toString(16)} | \`${b.name}\` | proposal \`${b.proposal}\`, never merged |`);
  }
}

/** Enum values, aliases, counts and per-type values. */
function enums(p, abi) {
  p();
  p("## Enums");
  for (const [name, e] of Object.entries(abi.enums)) {
    p();
    p(`### ${name}`);
    p();
    const vals = [
      ...(e.values ?? []),
      ...(e.proposed ?? []).map((x) => ({ ...x, doc: `proposal ${x.proposal}, never merged` })),
    ];
    for (const v of vals)
      p(
        `* ${v.value} \`${v.name}\`${v.since ? ` (since ${v.since})` : ""}${v.ops ? ` [${v.ops}]` : ""}${(v.aliases ?? []).map((a) => `; formerly \`${a.name}\`${a.until ? ` (up to ${a.until})` : ""}`).join("")}${v.doc ? ` — ${v.doc}` : ""}`,
      );
    for (const v of e.labels ?? []) p(`* ${v.value} ${v.label}`);
    if (e.count)
      p(
        `* \`${e.count.name}\` = ${e.count.value}${e.count.since ? ` (since ${e.count.since})` : ""}${(e.count.was ?? []).map((w) => `; ${w.value} up to ${w.until}`).join("")}`,
      );
    if (e.vendorBit)
      p(`* \`${e.vendorBit.name}\` = 0x${e.vendorBit.value.toString(16)}: type = 0x80000000 \\| PCI vendor id`);
    for (const [t, list] of Object.entries(e.byType ?? {}))
      for (const v of list) p(`* type ${t}: ${v.value} \`${v.name}\`${v.doc ? ` — ${v.doc}` : ""}`);
    for (const [t, list] of Object.entries(e.proposedByType ?? {}))
      for (const v of list) p(`* type ${t}: ${v.value} \`${v.name}\` — proposal ${v.proposal}, never merged`);
  }
}

/** Named constants and strings. */
function constants(p, abi) {
  p();
  p("## Other constants and strings");
  p();
  for (const [k, v] of Object.entries(abi.constants)) p(`* \`${k}\` = ${v.value}${v.doc ? ` — ${v.doc}` : ""}`);
  for (const [k, v] of Object.entries(abi.strings)) p(`* \`${k}\` = "${v}" (mdev \`device_api\`)`);
}

/** Which enum names the IRQ indexes of each device type. */
function irqIndexSpace(p, abi) {
  p();
  p("## IRQ index space by device type");
  p();
  p("| device | flag | index enum |");
  p("|---|---|---|");
  for (const [d, x] of Object.entries(abi.irqIndexByDevice))
    p(`| ${d} | \`${x.flag}\` | ${x.enum ? `\`${x.enum}\`` : "device-defined"} |`);
}

/** ioctl numbers: the generic encoding and powerpc/mips'. */
function ioctls(p, abi) {
  p();
  p("## ioctls");
  p();
  p(
    "`_IO(';', 100 + nr)`: generic encoding (x86, arm, s390, riscv) `0x3b00 | (100 + nr)`; powerpc and mips add 0x20000000.",
  );
  p();
  p("| nr | generic | powerpc/mips | name | fd | direction | argument |");
  p("|---|---|---|---|---|---|---|");
  for (const i of abi.ioctls) {
    const n = (abi.ioctlBase.type << 8) | (abi.ioctlBase.base + i.nr);
    p(
      `| ${i.nr} | 0x${n.toString(16)} | 0x${(n | 0x20000000).toString(16)} | \`${i.name}\`${i.since ? ` (since ${i.since})` : ""} | ${i.fd} | ${i.dir} | ${i.arg ? `\`${i.arg}\`` : "-"} |`,
    );
  }
}
