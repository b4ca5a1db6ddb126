// Completeness against the newest real header: every VFIO #define, struct tag and enum constant of
// <linux/vfio.h> + <linux/vfio_zdev.h> (Debian's newest linux-libc-dev) is modelled by the schema,
// and the schema names nothing that header lacks except items it dates as retired (`until`).
// Values and layouts of the same names are compared by gcc in tests/c/gcc.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { coverage, schemaNames, headerItems } from "./coverage.mjs";
import * as abi from "../../schema/abi.mjs";

test("every uAPI item of the newest header is in the schema (per group)", (t) => {
  const c = coverage();
  t.diagnostic(`Linux ${c.release} (${c.version}): ${c.modelled} of ${c.total} items modelled`);
  for (const g of c.groups) t.diagnostic(`  ${g.group}: ${g.modelled}/${g.total}`);
  assert.deepEqual(
    c.missing.map((m) => `${m.name} (${m.kind})`),
    [],
  );
  assert.ok(c.total > 250, `only ${c.total} items found in the header: the extraction is broken`);
});

test("the schema names nothing the newest header lacks, except retired names", () => {
  const inHeader = new Set(headerItems().items.map((x) => x.name));
  const retired = new Set();
  for (const e of Object.values(abi.enums))
    for (const v of e.values ?? []) for (const a of v.aliases ?? []) if (a.until) retired.add(a.name);
  const extra = [...schemaNames().keys()].filter((n) => !inHeader.has(n) && !retired.has(n));
  assert.deepEqual(extra, []);
});
