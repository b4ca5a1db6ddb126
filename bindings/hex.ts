// Hex helpers. fromHex tolerates what people paste: spaces, 0x prefixes, colons, dashes,
// underscores, newlines, and hexdump/xxd-style offset columns and ASCII gutters.

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

export function fromHex(text: string): Uint8Array {
  const lines = text.split(/\r?\n/);
  let digits = "";
  for (let line of lines) {
    // xxd: "00000010: 0300 0100 ...  ..ascii.." ; hexdump -C: "00000010  03 00 01 00 ... |....|"
    line = line.replace(/\|.*\|\s*$/, "");
    const xxd = /^\s*[0-9a-fA-F]{4,16}:\s+/.exec(line);
    if (xxd) {
      line = line.slice(xxd[0].length).replace(/\s{2,}\S.*$/, "");
    } else {
      const hd = /^\s*[0-9a-fA-F]{6,16}\s{1,3}(?=[0-9a-fA-F]{2}(\s|$))/.exec(line);
      if (hd && line.trim().split(/\s+/).length > 2) line = line.slice(hd[0].length);
    }
    line = line.replace(/0x/gi, "").replace(/[\s:,_.-]/g, "");
    if (/[^0-9a-fA-F]/.test(line)) throw new SyntaxError(`not hex: ${JSON.stringify(line.slice(0, 40))}`);
    digits += line;
  }
  if (digits.length % 2) throw new SyntaxError(`odd number of hex digits (${digits.length})`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.substr(i * 2, 2), 16);
  return out;
}
