// A private apt state: its own sources list, package lists and download cache in a directory of
// ours, so packages (kernels, cross tools, sources) can be downloaded and unpacked without root and
// without touching the host's apt configuration or installing anything.
//
//   const apt = new PrivateApt({ dir, sources: [debianSource('sid')], log });
//   await apt.update();                                  // refreshed when older than maxAgeMs
//   const s = await apt.newest('linux-image-cloud-amd64');   // deb822 stanza of the newest version
//   const [deb] = await apt.download([`${s.package}=${s.version}`], dir);
//   await extractDeb(deb, into);
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { exists, run, sha256 } from "./util.mjs";

const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

/** Parse deb822 text (apt-cache show, .sources files) into stanzas with lower-case keys. */
export function parseDeb822(text) {
  const stanzas = [];
  for (const block of text.split(/\n\s*\n/)) {
    const s = {};
    let key = null;
    for (const line of block.split("\n")) {
      if (/^\s*#/.test(line) || !line.trim()) continue;
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) {
        key = m[1].toLowerCase();
        s[key] = m[2].trim();
      } else if (key && /^\s/.test(line)) s[key] += ` ${line.trim()}`;
    }
    if (Object.keys(s).length) stanzas.push(s);
  }
  return stanzas;
}

/** Names in a Depends field (alternatives flattened, version constraints dropped). */
export function dependsNames(field = "") {
  return field
    .split(/[,|]/)
    .map((d) => d.trim().split(/[\s(:]/)[0])
    .filter(Boolean);
}

// ---- Debian version order (deb-version(7)): epoch, upstream, revision; '~' sorts before anything

function order(c) {
  if (c === undefined) return 0;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a, b) {
  let i = 0,
    j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !/[0-9]/.test(a[i])) || (j < b.length && !/[0-9]/.test(b[j]))) {
      const d = order(a[i]) - order(b[j]);
      if (d) return d;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let first = 0;
    while (/[0-9]/.test(a[i] ?? "") && /[0-9]/.test(b[j] ?? "")) {
      if (!first) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (/[0-9]/.test(a[i] ?? "")) return 1;
    if (/[0-9]/.test(b[j] ?? "")) return -1;
    if (first) return first;
  }
  return 0;
}

function splitVersion(v) {
  const c = v.indexOf(":");
  const epoch = c >= 0 ? Number(v.slice(0, c)) : 0;
  const rest = c >= 0 ? v.slice(c + 1) : v;
  const h = rest.lastIndexOf("-");
  return { epoch, upstream: h >= 0 ? rest.slice(0, h) : rest, revision: h >= 0 ? rest.slice(h + 1) : "" };
}

/** Compare two Debian versions: < 0, 0, > 0 (dpkg --compare-versions). */
export function debVersionCompare(a, b) {
  const x = splitVersion(a),
    y = splitVersion(b);
  return x.epoch - y.epoch || verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}

// ---- the host's apt configuration -> archive URIs

/** Debian archive sources configured on the host: [{ uri, suites: [], signedBy? }] (deb822 .sources and one-line .list). */
export function hostDebianSources(etc = "/etc/apt") {
  const out = [];
  const dir = path.join(etc, "sources.list.d");
  let files = [];
  try {
    files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  } catch {
    /* none */
  }
  for (const f of files.filter((x) => x.endsWith(".sources"))) {
    let text;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const s of parseDeb822(text)) {
      if (!s.types?.split(/\s+/).includes("deb") || !s.uris) continue;
      if (s.enabled?.toLowerCase() === "no") continue;
      const signedBy = s["signed-by"]?.startsWith("/") && !s["signed-by"].includes(" ") ? s["signed-by"] : undefined;
      for (const uri of s.uris.split(/\s+/)) out.push({ uri, suites: (s.suites || "").split(/\s+/), signedBy });
    }
  }
  for (const f of [path.join(etc, "sources.list"), ...files.filter((x) => x.endsWith(".list"))]) {
    let text;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const raw of text.split("\n")) {
      const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(raw.replace(/#.*/, "").trim());
      if (!m) continue;
      const sb = /signed-by=(\S+)/.exec(m[1] || "");
      out.push({ uri: m[2], suites: [m[3]], signedBy: sb?.[1] });
    }
  }
  return out.filter((s) => /^(https?|file):/.test(s.uri));
}

/**
 * The archive entry for `suite`: the host's Debian mirror (its security mirror for *-security
 * suites). Override with VFIO_DEBIAN_MIRROR / VFIO_DEBIAN_SECURITY_MIRROR; without any
 * configuration deb.debian.org is used.
 */
export function debianSource(suite, components = ["main"]) {
  const security = /-security$/.test(suite);
  const env = process.env[security ? "VFIO_DEBIAN_SECURITY_MIRROR" : "VFIO_DEBIAN_MIRROR"];
  const keyring = exists(KEYRING) ? KEYRING : undefined;
  if (env) return { uri: env, suite, components, signedBy: keyring };
  const host = hostDebianSources();
  const isSecurity = (s) => /security/.test(s.uri) || s.suites.some((x) => /-security$/.test(x));
  const pick = security
    ? host.find(isSecurity)
    : (host.find((s) => !isSecurity(s) && /\/debian\/?$/.test(s.uri)) ?? host.find((s) => !isSecurity(s)));
  const uri = pick?.uri ?? (security ? "http://deb.debian.org/debian-security" : "http://deb.debian.org/debian");
  const signedBy = pick?.signedBy && exists(pick.signedBy) ? pick.signedBy : keyring;
  return { uri, suite, components, signedBy };
}

// ---- the private state

export class PrivateApt {
  /**
   * @param {{dir: string, sources: {uri: string, suite: string, components?: string[], signedBy?: string}[],
   *          architectures?: string[], log?: (m: string) => void}} o
   *   architectures: foreign architectures to index too (e.g. ['arm64'] for busybox-static:arm64).
   */
  constructor({ dir, sources, architectures = [], log = () => {} }) {
    this.dir = dir;
    this.sources = sources;
    this.architectures = architectures;
    this.log = log;
    const A = (p) => path.join(dir, p);
    this.opts = [
      "-o",
      `Dir::Etc::SourceList=${A("sources.list")}`,
      "-o",
      `Dir::Etc::SourceParts=${A("sources.list.d")}`,
      "-o",
      `Dir::Etc::PreferencesParts=${A("preferences.d")}`,
      "-o",
      `Dir::State::Lists=${A("lists")}`,
      "-o",
      `Dir::State::status=${A("status")}`,
      "-o",
      `Dir::Cache=${A("cache")}`,
      "-o",
      `Dir::Cache::Archives=${A("archives")}`,
      "-o",
      "Acquire::Languages=none",
      "-o",
      "Acquire::Retries=3",
      "-o",
      "APT::Get::List-Cleanup=true",
      ...architectures.flatMap((a) => ["-o", `APT::Architectures::=${a}`]),
    ];
    // root downloads would otherwise be handed to the _apt user, who cannot write our directories
    if (process.getuid?.() === 0) this.opts.push("-o", "APT::Sandbox::User=root");
  }

  sourcesText() {
    return this.sources
      .map(
        (s) =>
          `deb ${s.signedBy ? `[signed-by=${s.signedBy}] ` : ""}${s.uri} ${s.suite} ${(s.components ?? ["main"]).join(" ")}\n`,
      )
      .join("");
  }

  async prepare() {
    for (const d of ["lists/partial", "archives/partial", "cache", "sources.list.d", "preferences.d"]) {
      await fsp.mkdir(path.join(this.dir, d), { recursive: true });
    }
    const list = path.join(this.dir, "sources.list");
    const text = this.sourcesText();
    if ((await fsp.readFile(list, "utf8").catch(() => "")) !== text) await fsp.writeFile(list, text);
    if (!exists(path.join(this.dir, "status"))) await fsp.writeFile(path.join(this.dir, "status"), "");
  }

  /**
   * apt-get update, unless the lists are younger than maxAgeMs (default 1 h; VFIO_APT_MAX_AGE in
   * seconds overrides, 0 = always). When the mirror cannot be reached but lists exist, they are
   * used with a warning. Returns true when the lists were refreshed.
   */
  async update({ maxAgeMs } = {}) {
    await this.prepare();
    const envAge = process.env.VFIO_APT_MAX_AGE;
    const maxAge = maxAgeMs ?? (envAge !== undefined ? Number(envAge) * 1000 : 3600_000);
    const stampFile = path.join(this.dir, "updated.json");
    const stamp = JSON.parse(await fsp.readFile(stampFile, "utf8").catch(() => "{}"));
    const key = sha256(this.sourcesText() + this.architectures.join(","));
    this.listsAt = stamp.key === key ? stamp.at : undefined;
    if (stamp.key === key && Date.now() - stamp.at < maxAge) return false;
    try {
      await run("apt-get", [...this.opts, "-q", "update"], { timeoutMs: 300_000 });
    } catch (e) {
      if (stamp.key === key) {
        this.log(
          `apt: update failed, using the package lists from ${new Date(stamp.at).toISOString()}: ${e.message.split("\n")[0]}`,
        );
        return false;
      }
      throw new Error(
        `apt-get update (${this.sources.map((s) => `${s.uri} ${s.suite}`).join(", ")}) failed:\n${e.message}`,
      );
    }
    this.listsAt = Date.now();
    await fsp.writeFile(stampFile, JSON.stringify({ key, at: this.listsAt }));
    return true;
  }

  /** Every version of `pkg` the lists know, as deb822 stanzas ([] when unknown). */
  async show(pkg) {
    try {
      const { stdout } = await run("apt-cache", [...this.opts, "show", pkg], { timeoutMs: 120_000 });
      return parseDeb822(stdout);
    } catch {
      return [];
    }
  }

  /** The newest version of `pkg`, or null. */
  async newest(pkg) {
    const all = await this.show(pkg);
    return all.sort((a, b) => debVersionCompare(a.version, b.version)).at(-1) ?? null;
  }

  /**
   * Download packages ("name" or "name=version") into destDir; returns the .deb paths in order.
   * timeoutMs (default 15 minutes) bounds the whole download.
   */
  async download(pkgs, destDir, { timeoutMs = 900_000 } = {}) {
    await fsp.mkdir(destDir, { recursive: true });
    const before = new Set(await fsp.readdir(destDir));
    await run("apt-get", [...this.opts, "-q", "download", ...pkgs], { cwd: destDir, timeoutMs });
    const debs = (await fsp.readdir(destDir)).filter((f) => f.endsWith(".deb"));
    debs.sort((a, b) => Number(before.has(a)) - Number(before.has(b))); // fresh downloads first
    return pkgs.map((p) => {
      const name = p.split("=")[0].replace(/:.*/, "");
      const f = debs.find((x) => x.startsWith(`${name}_`));
      if (!f) throw new Error(`apt-get download ${p} produced no .deb`);
      return path.join(destDir, f);
    });
  }
}

/** dpkg-deb -x: unpack a package's files under dir (no maintainer scripts run). */
export async function extractDeb(deb, dir) {
  await fsp.mkdir(dir, { recursive: true });
  await run("dpkg-deb", ["-x", deb, dir], { timeoutMs: 300_000 });
}
