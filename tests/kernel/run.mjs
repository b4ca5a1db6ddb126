#!/usr/bin/env node
// Real-kernel stage (npm run test:kernel): replays codec-built requests on Linux 6.1, 6.12, 7.2 and
// 7.3 under QEMU (two boots at a time) and checks, request by request, that
//  * the device-state model (bindings/oracle, SET_IRQS in the wasm oracle) predicts ret and errno,
//  * the reply bytes and the 256 guard bytes after the buffer are what the model predicts (the
//    kernel writes past the buffer only when argsz says the buffer is larger than it is),
//  * every reply decodes and re-encodes byte-identically (or is rejected by the decoder exactly
//    when the request itself is).
//
//   node tests/kernel/run.mjs [--kernel 6.1|6.12|7.2|7.3|all] [--seed N] [--random N] [--work-dir DIR] [--verbose] [--dump DIR] [--no-intremap-run]
//
// Per kernel two boots run in parallel: the reference set-up (all four devices) and a short one with
// interrupt remapping off in the guest, where multi-vector MSI returns a positive vector count.
//
// Exit: 0 all matched; 1 a mismatch; 2 a kernel could not be prepared or booted after retries.
import * as fs from "node:fs";
import * as path from "node:path";
import { prepareKernels, runScript, parseTranscript, KERNELS } from "./harness.mjs";

if (!fs.existsSync(new URL("../../dist/bindings/index.js", import.meta.url))) {
  console.error("kernel stage: dist/bindings is missing - run `node scripts/build.mjs` first");
  process.exit(2);
}
const { fixedItems, randomItems, cleanupItems, intremapOffItems } = await import("./gen.mjs");
const { decode, encode, toHex, DeviceModel, qemuDevice } = await import("../../dist/bindings/index.js");
const { kernelRules } = await import("../../dist/bindings/oracle/index.js");

const argv = process.argv.slice(2);
const opt = (name, d) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : d;
};
const kernels = !opt("--kernel") || opt("--kernel") === "all" ? KERNELS : opt("--kernel").split(",");
const jobs = Math.max(1, Number(process.env.VFIO_KERNEL_JOBS ?? 2));
const seed = Number(opt("--seed", "20240611"));
const perDevice = Number(opt("--random", "70"));
const workDir = opt("--work-dir");
const verbose = argv.includes("--verbose");
const dump = opt("--dump");
const DEVICES = ["edu", "e1000e", "virtio-rng", "xhci"];
const GUARD = 256,
  GUARD_BYTE = 0xa5;
const STRUCT = {
  DEVICE_SET_IRQS: "vfio_irq_set",
  DEVICE_GET_IRQ_INFO: "vfio_irq_info",
  DEVICE_GET_REGION_INFO: "vfio_region_info",
  DEVICE_GET_INFO: "vfio_device_info",
};
const ioctlName = (n) => `VFIO_${n}`;

function script(devs) {
  const lines = ["# vfio-abi kernel stage (tests/kernel/run.mjs)"];
  for (const { dev, items } of devs) {
    lines.push(`OPEN ${dev.bdf}`);
    for (const it of items)
      lines.push(
        it.ioctl === "DEVICE_RESET"
          ? "DEVICE_RESET"
          : it.ioctl === "EFD_READ"
            ? `EFD_READ ${it.efd}`
            : `${it.ioctl} ${toHex(it.bytes)}`,
      );
  }
  lines.push("QUIT");
  return `${lines.join("\n")}\n`;
}

/** Main run: the four devices, fixed + seeded random requests, with interrupt remapping on (reference set-up). */
function plan(kernel) {
  const devs = DEVICES.map((name, di) => {
    const dev = qemuDevice(name, kernel);
    const items = [
      ...fixedItems(dev, new DeviceModel(dev)),
      ...randomItems(dev, seed + di * 7919 + (kernel === "6.1" ? 0 : 104729), perDevice),
      ...cleanupItems(),
    ];
    return { dev, items };
  });
  return { label: kernel, kernel, devs, script: script(devs) };
}

/**
 * Interrupt remapping off in the guest (intremap=off, vfio_iommu_type1 allow_unsafe_interrupts=1):
 * multi-vector MSI cannot be allocated, SET_IRQS returns the number of vectors it could get (a
 * positive ret) and MSI stays disabled (vfio-abi.md §8.5). The descriptions say intremap: false.
 */
function planNoIntremap(kernel) {
  const devs = ["xhci", "edu"].map((name) => {
    const dev = { ...qemuDevice(name, kernel), intremap: false, msiAllocMax: 1 };
    return {
      dev,
      items: [
        ...intremapOffItems(dev),
        ...randomItems(dev, seed + 31337 + (kernel === "6.1" ? 0 : 1), 20),
        ...cleanupItems(),
      ],
    };
  });
  return {
    label: `${kernel}/intremap=off`,
    kernel,
    append: "intremap=off vfio_unsafe_irq=1",
    devs,
    script: script(devs),
  };
}

/** The guard as the replay program reports it, from predicted memory after the buffer. */
function guardOf(after) {
  let first = -1,
    last = -1;
  for (let i = 0; i < after.length; i++)
    if (after[i] !== GUARD_BYTE) {
      if (first < 0) first = i;
      last = i;
    }
  return first < 0 ? "ok" : { clobberedAt: first, bytesHex: toHex(after.subarray(first, last + 1)) };
}

function roundTrip(struct, bytes, epoch, requestBytes) {
  const prof = { epoch };
  let d;
  try {
    d = decode(struct, bytes, prof);
  } catch (e) {
    // the decoder may reject a buffer; then it must also reject the request (same malformation)
    try {
      decode(struct, requestBytes, prof);
    } catch {
      return { ok: true, rejected: true };
    }
    return { ok: false, why: `reply rejected by decode (${e.message}) but the request decodes` };
  }
  const again = encode(struct, d, prof);
  if (toHex(again) !== toHex(bytes)) return { ok: false, why: `re-encode ${toHex(again)} != ${toHex(bytes)}` };
  return { ok: true, rejected: false };
}

function check(kernel, devs, records) {
  const epoch = kernelRules(kernel) === 0 ? "6.1" : "6.6";
  const res = {
    efdReads: 0,
    efdMatched: 0,
    replayed: 0,
    matched: 0,
    bytesMatched: 0,
    decoded: 0,
    rejected: 0,
    mismatches: [],
    setIrqs: 0,
    byRule: new Map(),
  };
  let ri = 0;
  const nextRecord = (want) => {
    while (ri < records.length && records[ri].cmd !== want) {
      if (records[ri].cmd === "OPEN" && records[ri].extra.err.length)
        res.mismatches.push(`OPEN failed: ${records[ri].extra.err.join("; ")}`);
      if (records[ri].cmd !== "OPEN")
        res.mismatches.push(`unexpected record ${records[ri].cmd}: ${records[ri].extra.lines.join(" | ")}`);
      ri++;
    }
    return records[ri++];
  };
  const tail = new Uint8Array(GUARD).fill(GUARD_BYTE);
  for (const { dev, items } of devs) {
    const model = new DeviceModel(dev);
    for (const it of items) {
      const rec = nextRecord(it.ioctl);
      if (!rec) {
        res.mismatches.push(`${dev.name}: no reply for ${it.note} (transcript ended)`);
        return res;
      }
      if (it.ioctl === "EFD_READ") {
        // eventfd counters: what the model says the loopback triggers signalled since the last read
        const e = model.eventfdRead(100 + it.efd);
        res.efdReads++;
        const got = rec.ret >= 0 ? rec.extra.count : 0;
        if (e.ret !== rec.ret || e.count !== got)
          res.mismatches.push(
            `${dev.name} [${it.note}] predicted ${e.errno ?? `count=${e.count}`}, kernel ${rec.ret < 0 ? rec.errnoName : `count=${got}`}`,
          );
        else res.efdMatched++;
        continue;
      }
      res.replayed++;
      const p = model.predict(ioctlName(it.ioctl), it.bytes, { tail });
      const predErrno = p.errno ?? "OK";
      const gotErrno = rec.ret < 0 ? rec.errnoName : "OK";
      const bad = [];
      if (p.ret !== rec.ret || predErrno !== gotErrno)
        bad.push(`ret/errno: predicted ${p.ret} ${predErrno} (${p.rule}), kernel ${rec.ret} ${gotErrno}`);
      else res.matched++;
      if (it.ioctl === "DEVICE_SET_IRQS") {
        res.setIrqs++;
        const k = `${p.rule}${p.errno ? ` ${p.errno}` : ""}`;
        res.byRule.set(k, (res.byRule.get(k) ?? 0) + 1);
      }
      if (it.ioctl !== "DEVICE_RESET") {
        const len = it.bytes.length;
        const predReply = toHex(p.after.subarray(0, len));
        const predGuard = guardOf(p.after.subarray(len));
        let bytesOk = true;
        if (rec.replyHex !== predReply) {
          bad.push(`reply: predicted ${predReply}, kernel ${rec.replyHex}`);
          bytesOk = false;
        }
        if (JSON.stringify(rec.guard) !== JSON.stringify(predGuard)) {
          bad.push(`guard: predicted ${JSON.stringify(predGuard)}, kernel ${JSON.stringify(rec.guard)}`);
          bytesOk = false;
        }
        if (bytesOk) res.bytesMatched++;
        const rt = roundTrip(STRUCT[it.ioctl], Buffer.from(rec.replyHex, "hex"), epoch, it.bytes);
        if (!rt.ok) bad.push(`codec: ${rt.why}`);
        else if (rt.rejected) res.rejected++;
        else res.decoded++;
      } else res.bytesMatched++;
      if (bad.length)
        res.mismatches.push(
          `${dev.name} [${it.note}] request ${toHex(it.bytes) || "-"}\n      ${bad.join("\n      ")}\n      model: ${p.reason}`,
        );
    }
  }
  return res;
}

const log = (m) => console.log(`  [harness] ${m}`);
const t0 = Date.now();
try {
  await prepareKernels({ workDir, kernels, log });
} catch (e) {
  console.error(`kernel stage: ${e.message}`);
  process.exit(2);
}
console.log(`kernel stage: kernels prepared in ${Date.now() - t0} ms`);
const plans = [...kernels.map(plan), ...(argv.includes("--no-intremap-run") ? [] : kernels.map(planNoIntremap))];
/** Run fn over items with at most n in flight (each boot wants a whole core under TCG). */
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
const prepared = await prepareKernels({ workDir, kernels, log });
for (const k of kernels)
  console.log(`kernel ${k}: ${prepared[k].version} (${prepared[k].packageVersion}, ${prepared[k].suite})`);
const runs = await pool(plans, jobs, (p) =>
  runScript({ kernel: p.kernel, script: p.script, append: p.append, workDir, log, cpu: process.env.VFIO_CPU }).then(
    (r) => ({ p, r }),
    (error) => ({ p, error }),
  ),
);
let exit = 0;
for (const { p, r, error } of runs) {
  const { kernel, label } = p;
  if (error) {
    console.log(`kernel ${label}: BOOT/HARNESS FAILURE\n${error.message}`);
    exit = Math.max(exit, 2);
    continue;
  }
  if (dump) {
    fs.mkdirSync(dump, { recursive: true });
    const f = label.replace(/[^\w.=-]/g, "_");
    fs.writeFileSync(path.join(dump, `${f}.txt`), r.transcript);
    fs.writeFileSync(path.join(dump, `${f}.req.txt`), p.script);
  }
  const records = parseTranscript(r.transcript);
  const res = check(kernel, p.devs, records);
  console.log(
    `kernel ${label} (${r.version}): requests replayed ${res.replayed}, predictions matched ${res.matched}/${res.replayed}, ` +
      `reply+guard bytes matched ${res.bytesMatched}/${res.replayed}, replies decoded+re-encoded ${res.decoded} (rejected like the request: ${res.rejected}), ` +
      `SET_IRQS ${res.setIrqs}, eventfd counters matched ${res.efdMatched}/${res.efdReads}, wall ${r.wallMs} ms, boot attempts ${r.attempts}`,
  );
  if (verbose)
    for (const [k, v] of [...res.byRule].sort((a, b) => b[1] - a[1])) console.log(`    ${String(v).padStart(4)}  ${k}`);
  if (label === kernel && res.replayed < 500)
    res.mismatches.push(`only ${res.replayed} requests replayed (want >= 500)`);
  for (const m of res.mismatches) console.log(`  MISMATCH ${m}`);
  if (res.mismatches.length || res.replayed === 0) exit = Math.max(exit, 1);
}
console.log(`kernel stage: ${exit === 0 ? "OK" : `FAILED (exit ${exit})`} in ${Date.now() - t0} ms`);
process.exit(exit);
