// The socket client. Node cannot send file descriptors over a UNIX socket (there is no sendmsg
// with SCM_RIGHTS), and a vfio-user client must pass eventfds that way. So the package ships a small
// C program (native/vu-replay.c) and compiles it with the system C compiler the first time it is
// needed, into a cache directory keyed by the source's hash.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fdEnvOf, parseFdList } from "../oracle/model/device.js";
import type { VuDevice } from "../oracle/model/vfio-user.js";

/** Where the client's source is: native/ at the package root. */
export function clientSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/bindings/vfio-user-fuzz/ -> the package root
  return resolve(here, "..", "..", "..", "native", "vu-replay.c");
}

/** The cache directory: VFIO_ABI_CACHE, else $XDG_CACHE_HOME/vfio-abi, else ~/.cache/vfio-abi. */
export function cacheDir(): string {
  if (process.env.VFIO_ABI_CACHE) return resolve(process.env.VFIO_ABI_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "vfio-abi");
}

export class ClientError extends Error {}

const INSTALL_HINT =
  "install a C compiler (Debian/Ubuntu: apt-get install gcc; Fedora: dnf install gcc; Alpine: apk add gcc musl-dev) or set CC, or build native/vu-replay.c yourself and pass --client PATH";

/**
 * The client binary: `given` if set, otherwise the cached build of the shipped source, compiled now
 * with $CC (default cc) when missing. Throws ClientError saying what to install.
 */
export function ensureClient(given?: string): string {
  if (given) {
    if (!existsSync(given)) throw new ClientError(`--client ${given}: no such file`);
    return resolve(given);
  }
  if (process.platform !== "linux")
    throw new ClientError("the vfio-user client needs Linux (eventfd, SCM_RIGHTS over UNIX sockets)");
  const src = clientSource();
  if (!existsSync(src)) throw new ClientError(`the client's source is missing (${src}): reinstall vfio-abi`);
  // the cache key covers the header the client includes too
  const hash = createHash("sha256")
    .update(readFileSync(src))
    .update(readFileSync(join(dirname(src), "replay-hex.h")))
    .digest("hex")
    .slice(0, 12);
  const dir = cacheDir();
  const bin = join(dir, `vu-replay-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const cc = process.env.CC || "cc";
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync(cc, ["-O2", "-o", tmp, src], { encoding: "utf8" });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new ClientError(
      missing
        ? `no C compiler (${cc}) to build the vfio-user socket client: Node cannot pass fds over a UNIX socket, so vfio-abi compiles a small C client on first use; ${INSTALL_HINT}`
        : `${cc}: ${r.error.message}`,
    );
  }
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new ClientError(`${cc} could not build the vfio-user client from ${src}:\n${r.stderr}\n${INSTALL_HINT}`);
  }
  renameSync(tmp, bin); // atomic: a concurrent first use sees either no binary or a whole one
  return bin;
}

/** Run a script through the client; the transcript's lines (one per script line). */
export function runClient(bin: string, script: string, timeoutMs = 600_000): string[] {
  const r = spawnSync(bin, ["-"], { input: script, encoding: "utf8", maxBuffer: 1 << 30, timeout: timeoutMs });
  if (r.error) throw new ClientError(`vu-replay: ${r.error.message}`);
  if (r.status !== 0) throw new ClientError(`vu-replay exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.length);
}

/**
 * Ask the client what each fd of the device's fd environment really is (its ENV command: closed,
 * eventfd, a file it may write to, another file) and compare with what the model is told. Returns
 * the number of fds checked; throws ClientError naming the fds that differ.
 */
export function checkClientEnv(bin: string, device: VuDevice): number {
  const env = fdEnvOf(device);
  const want = new Map<number, string>();
  for (const fd of parseFdList(device.fds?.closed)) want.set(fd, "closed");
  for (const fd of env.files) want.set(fd, env.writable.includes(fd) ? "writable" : "file");
  for (const fd of env.eventfds) want.set(fd, "eventfd");
  const [line = ""] = runClient(bin, `ENV ${[...want.keys()].join(",")}\nQUIT\n`, 10_000);
  const got = new Map(
    line
      .split(" ")
      .slice(1)
      .map((x) => x.split(":"))
      .map(([fd, kind]) => [Number(fd), kind]),
  );
  const bad = [...want]
    .filter(([fd, kind]) => got.get(fd) !== kind)
    .map(([fd, k]) => `fd ${fd}: model ${k}, client ${got.get(fd)}`);
  if (bad.length)
    throw new ClientError(`the client's fds are not the environment the model is told: ${bad.join("; ")}`);
  return want.size;
}
