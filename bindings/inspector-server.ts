// `vfio-abi inspect [--port N] [--csp default|strict|off]`: serve the browser struct inspector
// (inspector/dist, assembled by the build) on 127.0.0.1 and print its URL. The page is plain
// static files; this server only adds correct MIME types (application/wasm for streaming
// compilation) and a Content-Security-Policy, so the page is exercised the way a hardened host
// would serve it. `--csp strict` leaves out 'wasm-unsafe-eval' to exercise the pure-JS fallback.

import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

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
  csp?: CspMode;
  root?: string;
}

/** Start the server on 127.0.0.1; resolves once listening. */
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
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  return { server, url: `http://127.0.0.1:${port}/` };
}

const USAGE = `usage: vfio-abi inspect [--port N] [--csp default|strict|off]
  Serve the browser struct inspector on 127.0.0.1 and print its URL.
  --port N    port to listen on (default 7357; 0 picks a free port, the URL says which)
  --csp MODE  default: CSP allowing 'wasm-unsafe-eval'; strict: without it (the page falls back
              to the pure-JS build); off: no CSP header
The page itself (inspector/dist/) is plain static files and can be hosted anywhere.`;

export async function run(_cmd: string, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, csp: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 7357 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`vfio-abi inspect: bad --port ${values.port}\n${USAGE}\n`);
    return 2;
  }
  const csp = (values.csp ?? "default") as CspMode;
  if (!["default", "strict", "off"].includes(csp)) {
    process.stderr.write(`vfio-abi inspect: bad --csp ${values.csp}\n${USAGE}\n`);
    return 2;
  }
  try {
    await stat(join(inspectorRoot(), "index.html"));
  } catch {
    process.stderr.write(`vfio-abi inspect: the page is not built (${inspectorRoot()}); run npm run build\n`);
    return 1;
  }
  const { server, url } = await serveInspector({ port, csp });
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
