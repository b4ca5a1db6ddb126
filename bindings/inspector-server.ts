// `vfio-abi inspect [--port N] [--csp default|strict|off]`: serve the browser struct inspector
// (inspector/dist, assembled by the build) on 127.0.0.1 and print its URL. The page is plain
// static files; this server only adds correct MIME types (application/wasm for streaming
// compilation) and a Content-Security-Policy, so the page is exercised the way a hardened host
// would serve it. `--csp strict` leaves out 'wasm-unsafe-eval' to exercise the pure-JS fallback.
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join, normalize, sep, extname } from "node:path";
import { isIP } from "node:net";
import { CliUsageError, parseCommandArgs, intOption, choiceOption } from "./cli-args.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

export type CspMode = "default" | "strict" | "off";

export function cspHeader(mode: CspMode): string | null {
  if (mode === "off") return null;
  const script = mode === "strict" ? "'self'" : "'self' 'wasm-unsafe-eval'";
  return [
    `default-src 'none'`,
    `script-src ${script}`,
    `style-src 'self'`,
    `img-src 'self' data:`,
    `connect-src 'self'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join("; ");
}

/** Static folder of the assembled page (dist/bindings/ -> inspector/dist/). */
export const inspectorRoot = (): string => fileURLToPath(new URL("../../inspector/dist/", import.meta.url));

export interface ServeOptions {
  port?: number;
  host?: string;
  csp?: CspMode;
  root?: string;
}

/** Start the server (on 127.0.0.1 unless a host is given); resolves once listening. */
export async function serveInspector(o: ServeOptions = {}): Promise<{ server: Server; url: string }> {
  const root = o.root ?? inspectorRoot();
  const csp = cspHeader(o.csp ?? "default");
  const server = createServer(async (req, res) => {
    const send = (code: number, body: string) => {
      res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(400, "bad path\n");
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    // never serve outside the page folder
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return send(403, "forbidden\n");
    try {
      if (!(await stat(file)).isFile()) return send(404, "not found\n");
      const body = await readFile(file);
      const headers: Record<string, string> = {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": String(body.length),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      };
      if (csp) headers["content-security-policy"] = csp;
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      send(404, "not found\n");
    }
  });
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return { server, url: `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/` };
}

const USAGE = `usage: vfio-abi inspect [--port N] [--host ADDR] [--csp default|strict|off]
  Serve the browser struct inspector and print its URL.
  --port N    port to listen on (default 7357; 0 picks a free port, the URL says which)
  --host ADDR address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for every interface)
  --csp MODE  default: CSP allowing 'wasm-unsafe-eval'; strict: without it (the page falls back
              to the pure-JS build); off: no CSP header
The page itself (inspector/dist/) is plain static files and can be hosted anywhere.`;

export async function run(_cmd: string, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    port: { type: "string" },
    host: { type: "string" },
    csp: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length) throw new CliUsageError(`unexpected argument ${positionals[0]}`);
  const port = intOption("port", values.port, 7357, 0, 65535);
  const csp = choiceOption<CspMode>("csp", values.csp, "default", ["default", "strict", "off"]);
  const host = values.host ?? "127.0.0.1";
  if (!isIP(host) && host !== "localhost")
    throw new CliUsageError(
      `--host must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost, not ${JSON.stringify(host)}`,
    );
  try {
    await stat(join(inspectorRoot(), "index.html"));
  } catch {
    process.stderr.write(
      "vfio-abi inspect: this copy of vfio-abi has no built inspector page (inspector/dist is missing); in a git checkout, run npm run build\n",
    );
    return 1;
  }
  let served: Awaited<ReturnType<typeof serveInspector>>;
  try {
    served = await serveInspector({ port, host, csp });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      process.stderr.write(
        `vfio-abi inspect: port ${port} on ${host} is in use (another vfio-abi inspect?); pick another with --port N, or --port 0 for any free port\n`,
      );
      return 1;
    }
    if (code === "EADDRNOTAVAIL" || code === "EACCES") {
      process.stderr.write(
        `vfio-abi inspect: cannot listen on ${host}:${port} (${code === "EACCES" ? "permission denied" : "no such address here"})\n`,
      );
      return 1;
    }
    throw e;
  }
  const { server, url } = served;
  console.log(
    `vfio-abi inspector: ${url}${csp === "strict" ? "  (strict CSP: WebAssembly blocked, pure-JS fallback)" : ""}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
