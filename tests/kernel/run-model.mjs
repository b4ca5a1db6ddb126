// Checks the TypeScript device-state model (bindings/oracle/model.ts) against one real kernel:
//   node tests/kernel/run-model.mjs 6.1|6.12   (result here: 997/997 on both, 130 eventfd reads each)
import { prepareKernels, runScript, parseTranscript } from "./harness.mjs";
import { buildPlan } from "./plan.mjs";
import { decode, encode, inspect, toHex, VfioAbiError } from "../../dist/bindings/index.js";
import { OracleSession } from "../../dist/bindings/oracle/session.js";
import { qemuDevice, REPLAY_EVENTFD_BASE } from "../../dist/bindings/oracle/presets.js";
import { ERRNO } from "../../dist/bindings/oracle/errno.js";
const kernel = process.argv[2];
const plan = buildPlan({ seed: 0x5eed });
const r = await runScript({ kernel, script: plan.lines.join("\n") + "\n", log: (m) => console.log(m) });
const records = parseTranscript(r.transcript);
const s = new OracleSession(); let ri = 0, req = 0, ok = 0, efd = 0; const bad = [];
const guardOf = (len, pe) => { const g = new Uint8Array(256).fill(0xa5); if (pe) pe.bytes.forEach((b, i) => { const o = pe.offset + i - len; if (o >= 0 && o < 256) g[o] = b; }); let f = -1, l = -1; g.forEach((b, i) => { if (b !== 0xa5) { if (f < 0) f = i; l = i; } }); return f < 0 ? "ok" : { clobberedAt: f, bytesHex: toHex(g.subarray(f, l + 1)) }; };
for (const st of plan.steps) {
  const rec = records[ri++]; let p;
  switch (st.kind) {
    case "api": p = s.apiVersion(); break; case "ext": p = s.checkExtension(st.ext); break;
    case "open": s.open(st.device, qemuDevice(st.device, kernel)); continue; case "use": s.use(st.device); continue;
    case "group_status": p = s.groupStatus(st.bytes); break; case "reset": p = s.ioctl({ ioctl: "VFIO_DEVICE_RESET" }); break;
    case "efd_read": p = s.efdRead(REPLAY_EVENTFD_BASE + st.index); efd++; break;
    case "buffer": p = s.ioctl({ ioctl: st.raw ? 0x3b6d : st.name, bytes: st.bytes, beyond: 0xa5 }); break;
  }
  if (p.unknown) continue; req++;
  const pr = [];
  if (rec.ret !== p.ret) pr.push(`ret ${rec.ret} vs ${p.ret}`);
  if (rec.errno !== null && rec.errno !== (p.errno ? ERRNO[p.errno] : 0)) pr.push(`errno ${rec.errnoName} vs ${p.errno}`);
  if (st.kind === "efd_read" && p.count !== undefined && String(rec.extra.count) !== String(p.count)) pr.push(`count ${rec.extra.count} vs ${p.count}`);
  if (st.bytes) { if (rec.replyHex !== toHex(p.reply ?? st.bytes)) pr.push(`reply ${rec.replyHex} vs ${toHex(p.reply ?? st.bytes)}`); if (JSON.stringify(rec.guard) !== JSON.stringify(guardOf(st.bytes.length, p.pastEnd))) pr.push("guard"); }
  if (pr.length) bad.push(`${st.kind} ${st.name ?? ""} ${st.bytes ? toHex(st.bytes) : st.index ?? ""} ${st.note ?? ""}: ${pr.join("; ")} [${p.rule}]`); else ok++;
}
console.log(`${kernel} ${r.version}: ${req} requests, ${ok} matched, ${efd} eventfd reads, attempts ${r.attempts}`); for (const b of bad) console.log("  " + b);
