// `vfio-abi syzlang`: the syzkaller description, its .const file, and fuzz corpora as syzkaller programs.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { CliUsageError, parseCommandArgs } from "../cli-args.js";
import { writeNew } from "../cli-io.js";
import { decode } from "../decode.js";
import { fromHex } from "../hex.js";
import { parseFdList } from "../oracle/model/device.js";
import { SYZ_ARCHES, syzlangFiles } from "./syzlang.js";

export const SYZLANG_USAGE = `usage: vfio-abi syzlang [--const] [--out DIR [--force] [--corpus DIR]...]
  Print a syzkaller description of the VFIO ioctls (for syzkaller's sys/linux/), generated from the
  codec's ABI schema: fd resources for the container, group and device with their set-up calls (group
  path and cdev path with VFIO_DEVICE_BIND_IOMMUFD), len[] tying counts to what they count, and the
  vfio_irq_set payload as a union picked by its DATA_* flag.
  --const        print the .const file instead: every constant's value on each of syzkaller's linux
                 arches (${Object.keys(SYZ_ARCHES).sort().join(", ")})
  --out DIR      write DIR/vfio_abi.txt and DIR/vfio_abi.txt.const
  --corpus DIR   with --out: also write the cases of a fuzz corpus (vfio-abi fuzz --out DIR) as syzkaller
                 programs, DIR/seeds/<case>.syz (linux/amd64; a device fd from the cdev, the label's
                 eventfds from eventfd(), other fd numbers kept as numbers), to seed a syzkaller campaign
  --force        overwrite files that exist`;

/** A corpus case's label, as `vfio-abi fuzz --out` writes it. */
interface Label {
  struct: string;
  hex: string;
  profile?: { arch?: string; endian?: string; epoch?: string; model?: string };
  fds?: { eventfds?: string };
}

/** Write every case of the corpora that syzkaller's amd64 target can carry; returns [written, skipped by reason]. */
function writeSeeds(
  files: ReturnType<typeof syzlangFiles>,
  corpora: string[],
  outDir: string,
  force: boolean,
): { written: number; skipped: Record<string, number> } {
  const seeds = join(outDir, "seeds");
  mkdirSync(seeds, { recursive: true });
  const skipped: Record<string, number> = {};
  const skip = (why: string) => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  let written = 0;
  for (const dir of corpora) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith(".json"));
    } catch {
      throw new CliUsageError(`--corpus ${dir}: not a directory`);
    }
    for (const f of names.sort()) {
      const label = JSON.parse(readFileSync(join(dir, f), "utf8")) as Label;
      if (typeof label.struct !== "string" || typeof label.hex !== "string") {
        skip("not a case label");
        continue;
      }
      const p = label.profile ?? {};
      if ((p.arch && p.arch !== "x86_64") || (p.endian && p.endian !== "little") || p.model === "ilp32") {
        skip("not the amd64 ABI");
        continue;
      }
      let value: Record<string, unknown>;
      try {
        value = decode(label.struct, fromHex(label.hex), { epoch: p.epoch }) as unknown as Record<string, unknown>;
      } catch {
        skip("does not decode");
        continue;
      }
      const eventfds = new Set(parseFdList(label.fds?.eventfds ?? "100-131"));
      const prog = files.program(label.struct, value, eventfds);
      if (!prog) {
        skip("no device-fd ioctl takes it");
        continue;
      }
      writeNew(join(seeds, `${basename(f, ".json")}.syz`), prog, force);
      written++;
    }
  }
  return { written, skipped };
}

export async function syzlangCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    help: { type: "boolean", short: "h" },
    const: { type: "boolean" },
    out: { type: "string" },
    corpus: { type: "string", multiple: true },
    force: { type: "boolean" },
  });
  if (values.help) {
    console.log(SYZLANG_USAGE);
    return 0;
  }
  if (positionals.length) throw new CliUsageError(`syzlang takes no arguments, not ${positionals[0]}`);
  const corpora = (values.corpus as string[] | undefined) ?? [];
  if (corpora.length && !values.out)
    throw new CliUsageError("--corpus needs --out DIR (the directory for the exported syzkaller programs)");
  const files = syzlangFiles();
  if (!values.out) {
    process.stdout.write(values.const ? files.consts : files.description);
    return 0;
  }
  const out = values.out as string;
  const force = values.force === true;
  mkdirSync(out, { recursive: true });
  writeNew(join(out, "vfio_abi.txt"), files.description, force);
  writeNew(join(out, "vfio_abi.txt.const"), files.consts, force);
  let note = `wrote ${join(out, "vfio_abi.txt")} (${files.calls.length} calls) and its .const`;
  if (corpora.length) {
    const { written, skipped } = writeSeeds(files, corpora, out, force);
    const why = Object.entries(skipped).map(([k, n]) => `${n} ${k}`);
    note += `; ${written} seeds in ${join(out, "seeds")}${why.length ? ` (skipped: ${why.join(", ")})` : ""}`;
  }
  process.stderr.write(`${note}\n`);
  return 0;
}
