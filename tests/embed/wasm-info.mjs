// Minimal reader for a wasm binary's imports, exports and function signatures (type, import,
// function, global and export sections), so the tests can compare the real module with the
// documented and declared ABI without extra tools.
const VT = { 127: "i32", 126: "i64", 125: "f32", 124: "f64" };

export function wasmInfo(bytes) {
  let p = 8;
  const u = () => {
    let r = 0,
      s = 0,
      b;
    do {
      b = bytes[p++];
      r |= (b & 0x7f) << s;
      s += 7;
    } while (b & 0x80);
    return r >>> 0;
  };
  const name = () => {
    const n = u();
    const s = new TextDecoder().decode(bytes.subarray(p, p + n));
    p += n;
    return s;
  };
  const types = [],
    funcs = [],
    imports = [],
    exports = [],
    globals = [];
  let importedFuncs = 0;
  while (p < bytes.length) {
    const id = bytes[p++],
      size = u(),
      end = p + size;
    if (id === 1) {
      for (let n = u(); n--; ) {
        p++; // 0x60
        const params = [];
        for (let k = u(); k--; ) params.push(VT[bytes[p++]]);
        const results = [];
        for (let k = u(); k--; ) results.push(VT[bytes[p++]]);
        types.push(`${results[0] ?? "void"}(${params.join(",")})`);
      }
    } else if (id === 2) {
      for (let n = u(); n--; ) {
        const module = name(),
          field = name(),
          kind = bytes[p++];
        imports.push({ module, name: field, kind });
        if (kind === 0) {
          funcs.push(types[u()]);
          importedFuncs++;
        } else if (kind === 1) {
          p++;
          const f = u();
          u();
          if (f & 1) u();
        } else if (kind === 2) {
          const f = u();
          u();
          if (f & 1) u();
        } else if (kind === 3) {
          globals.push(VT[bytes[p++]]);
          p++;
        }
      }
    } else if (id === 3) {
      for (let n = u(); n--; ) funcs.push(types[u()]);
    } else if (id === 6) {
      for (let n = u(); n--; ) {
        globals.push(VT[bytes[p]]);
        p = p + 2;
        while (bytes[p++] !== 0x0b);
      }
    } else if (id === 7) {
      for (let n = u(); n--; ) {
        const nm = name(),
          kind = bytes[p++],
          idx = u();
        exports.push({
          name: nm,
          kind: ["function", "table", "memory", "global"][kind],
          sig: kind === 0 ? funcs[idx] : kind === 3 ? globals[idx] : null,
        });
      }
    }
    p = end;
  }
  return { imports, exports, importedFuncs };
}
