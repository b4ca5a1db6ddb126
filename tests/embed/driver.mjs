// Host-neutral driver for the embedding tests: runs a job (text, one operation per line, written by
// job.mjs) against the raw exports of the core module (and of the fuzzing module for the f* operations)
// and returns one output line per operation. No imports
// and no host APIs, so the same file runs in Node, Bun, Deno, JavaScriptCore's jsc shell and on
// the wasm2js build; tests/embed/host.c implements the same protocol in C over wasm2c output.
// Every host must print byte-identical output for the same job.
//
// Operations (numbers decimal, bytes as lowercase hex, "-" = empty):
//   version                                   -> version <abi_version> <struct_count> <ABI_VERSION global|->
//   size <sid> <prof>                         -> size <struct_size>
//   parse <sid> <prof> <hex>                  -> parse <status> <n> err <code> <offset> <field> <value> recs <hex n*24>
//   walk <prof> <fixed> <start> <hex>         -> walk <n> <hex n*12>
//   setenc <prof> <argsz> <flags> <index> <start> <count> <npayload> <payloadhex>
//                                             -> setenc <r> <hex r bytes>
//   encf <sid> <prof> <version> <dstLen> <valshex (u64 LE per field)> -> encf <r> <hex r bytes>
//   batch <prof> <n> <hex n*16>               -> batch <r> <hex n*16 out>
//   oracle <prof> <devhex 800 B> <hex>        -> oracle <ret> <rule>
//   obatch <prof> <devhex> <n> <hex>...       -> obatch <accepted> <ret,rule>...
// Fuzzing module (the second instance, its own memory; the work area at its arena):
//   fgen <sid> <seed> <idx> <prof> <cls> <devhex>
//                                             -> fgen <len> <class> <struct> <ret> <rule> <status> <target> <hex>
//   fmut <sid> <prof> <u64 seed> <hex>        -> fmut <n> <hex n>
//   fbatch <sid> <seed> <first> <n> <prof> <devhex>
//                                             -> fbatch <accepted> <u64 hash>
//   fcamp <seed> <first> <n> <prof,prof...> <devhex>...
//                                             -> fcamp <failures> <hex of the statistics block>

const HEX = "0123456789abcdef";
export function toHex(u8) {
  if (u8.length === 0) return "-";
  let s = "";
  for (let i = 0; i < u8.length; i++) s += HEX[u8[i] >> 4] + HEX[u8[i] & 15];
  return s;
}
export function fromHex(h) {
  if (h === "-" || h === undefined) return new Uint8Array(0);
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

const u64 = (v) => (typeof v === "bigint" ? BigInt.asUintN(64, v) : BigInt(v >>> 0)).toString();

/** The fuzzing module's side of a job: work area, device blocks and outputs in its own arena. */
function fuzzHost(fx) {
  if (fx.arena_reserve(1 << 20) < 0) throw new Error("fuzz arena_reserve failed");
  const work = fx.arena_ptr() >>> 0,
    ws = fx.fuzz_work_size() >>> 0;
  const dev = work + ws,
    src = dev + 65536,
    dst = src + 8192,
    out = dst + 8192;
  const mem = () => new Uint8Array(fx.memory.buffer);
  const put = (at, bytes) => mem().set(bytes, at);
  const get = (at, n) => mem().slice(at, at + n);
  const dv = () => new DataView(fx.memory.buffer);
  return (t) => {
    const n = (i) => Number(t[i]) >>> 0;
    const i = (k) => Number(t[k]) | 0;
    switch (t[0]) {
      case "fgen": {
        put(dev, fromHex(t[6]));
        const len = fx.fuzz_gen(i(1), n(2), n(3), n(4), dev, work, i(5));
        const labels = [
          fx.fuzz_label_class(),
          fx.fuzz_label_struct(),
          fx.fuzz_label_ret(),
          fx.fuzz_label_rule() >>> 0,
          fx.fuzz_label_status(),
          fx.fuzz_label_target() >>> 0,
        ];
        return `fgen ${len} ${labels.join(" ")} ${toHex(get(work, Math.max(len, 0)))}`;
      }
      case "fmut": {
        const b = fromHex(t[4]);
        put(src, b);
        const r = fx.fuzz_mutate(i(1), n(2), src, b.length, dst, 4000, BigInt(t[3]), work);
        return `fmut ${r} ${toHex(get(dst, Math.max(r, 0)))}`;
      }
      case "fbatch": {
        put(dev, fromHex(t[6]));
        const acc = fx.fuzz_gen_batch(i(1), n(2), n(3), n(4), n(5), dev, work, out);
        return `fbatch ${acc} ${dv().getBigUint64(out, true)}`;
      }
      case "fcamp": {
        const profs = t[4].split(",").map((x) => Number(x) >>> 0);
        const devs = t.slice(5).map(fromHex);
        profs.forEach((p, k) => {
          dv().setUint32(src + 4 * k, p, true);
        });
        devs.forEach((d, k) => {
          put(dev + k * d.length, d);
        });
        const r = fx.fuzz_campaign(n(1), n(2), n(3), src, profs.length, dev, devs.length, work, out);
        return `fcamp ${r} ${toHex(get(out, 4 * (fx.fuzz_out_words() >>> 0)))}`;
      }
      default:
        throw new Error(`unknown op ${t[0]}`);
    }
  };
}

export function runJob(ex, job, fx) {
  const fuzzOp = fx ? fuzzHost(fx) : null;
  if (ex.arena_reserve(1 << 20) < 0) throw new Error("arena_reserve failed");
  const base = ex.arena_ptr() >>> 0;
  const mem = () => new Uint8Array(ex.memory.buffer);
  const put = (at, bytes) => {
    mem().set(bytes, at);
  };
  const get = (at, n) => mem().slice(at, at + n);
  const src = base + 64;
  const al = (x, a) => (x + a - 1) & ~(a - 1);
  const out = [];
  for (const line of job.split("\n")) {
    const t = line.trim().split(/\s+/);
    if (!t[0] || t[0].startsWith("#")) continue;
    const n = (i) => Number(t[i]) >>> 0;
    switch (t[0]) {
      case "version": {
        const g = ex.ABI_VERSION;
        const gv = g === undefined ? "-" : typeof g === "object" ? String(g.value) : String(g);
        out.push(`version ${ex.abi_version()} ${ex.struct_count()} ${gv}`);
        break;
      }
      case "size":
        out.push(`size ${ex.struct_size(n(1), n(2))}`);
        break;
      case "parse": {
        const b = fromHex(t[3]);
        mem().fill(0, src, src + 65536);
        put(src, b);
        const recs = al(src + b.length, 8),
          cap = b.length + 64;
        const st = ex.parse(n(1), n(2), src, b.length, recs, cap, 1024);
        const k = ex.rec_count() >>> 0;
        out.push(
          `parse ${st} ${k} err ${ex.err_code()} ${ex.err_offset() >>> 0} ${ex.err_field()} ${u64(ex.err_value())} recs ${toHex(get(recs, k * 24))}`,
        );
        break;
      }
      case "walk": {
        const b = fromHex(t[4]);
        put(src, b);
        const dst = al(src + b.length, 16);
        const r = ex.caps_walk(n(1), src, b.length, n(2), n(3), dst, 64);
        out.push(`walk ${r} ${toHex(get(dst, r > 0 ? r * 12 : 0))}`);
        break;
      }
      case "setenc": {
        const p = fromHex(t[8]);
        const pay = src + 4096;
        mem().fill(0xee, src, src + 4096);
        put(pay, p);
        const r = ex.irq_set_encode(n(1), src, 4096, n(2), n(3), n(4), n(5), n(6), pay, n(7));
        out.push(`setenc ${r} ${toHex(get(src, Math.max(r, 0)))}`);
        break;
      }
      case "encf": {
        const vals = fromHex(t[5]);
        const vp = src + 4096;
        mem().fill(0, src, src + 4096 + 512);
        put(vp, vals);
        const r = ex.encode_fields(n(1), n(2), src, n(4), vp, n(3));
        out.push(`encf ${r} ${toHex(get(src, Math.max(r, 0)))}`);
        break;
      }
      case "batch": {
        const b = fromHex(t[3]);
        put(src, b);
        const dst = al(src + b.length, 16);
        const r = ex.irq_info_decode_batch(n(1), src, n(2), dst);
        out.push(`batch ${r} ${toHex(get(dst, n(2) * 16))}`);
        break;
      }
      case "oracle": {
        const dev = fromHex(t[2]),
          b = fromHex(t[3]);
        put(src, dev);
        const bp = al(src + dev.length, 8);
        put(bp, b);
        const r = ex.oracle_set_irqs(n(1), bp, b.length, src, 0);
        out.push(`oracle ${r} ${ex.oracle_last_rule() >>> 0}`);
        break;
      }
      case "obatch": {
        const dev = fromHex(t[2]),
          k = n(3);
        put(src, dev);
        const idx = al(src + dev.length, 8),
          res = idx + k * 8,
          bufs = res + k * 8;
        let off = 0;
        const dv = () => new DataView(ex.memory.buffer);
        for (let i = 0; i < k; i++) {
          const b = fromHex(t[4 + i]);
          put(bufs + off, b);
          dv().setUint32(idx + i * 8, off, true);
          dv().setUint32(idx + i * 8 + 4, b.length, true);
          off = al(off + b.length, 4);
        }
        const acc = ex.oracle_set_irqs_batch(n(1), bufs, idx, k, src, res);
        const parts = [];
        for (let i = 0; i < k; i++)
          parts.push(`${dv().getInt32(res + i * 4, true)},${dv().getUint32(res + (k + i) * 4, true)}`);
        out.push(`obatch ${acc} ${parts.join(" ")}`);
        break;
      }
      default:
        if (!fuzzOp || !t[0].startsWith("f")) throw new Error(`unknown op ${t[0]}`);
        out.push(fuzzOp(t));
    }
  }
  return `${out.join("\n")}\n`;
}
