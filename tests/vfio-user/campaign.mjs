// The `vfio-abi vfio-user` campaign against the stage's libvfio-user server, through the CLI as a
// user runs it:
//  * the probe describes the device the server was started with (its irq counts);
//  * a campaign with the full model agrees with every answer (exit 0);
//  * a campaign with the model told the library's two bugs are fixed (--fixed) finds both by
//    itself: every disagreement is explained by one of them, each is shrunk to a reproducer;
//  * every saved reproducer replays (--replay): the model with the bug agrees, without it differs.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const BUGS = ["LVU_BUG_DISABLE_RANGE", "LVU_BUG_INTX_SHARED"];

/** Run the CLI; { status, json (parsed stdout when --json), stdout, stderr }. */
function cli(root, args) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "vfio-abi.js"), "vfio-user", ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  return { status: r.status, json, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Returns { ok, clean, bugs } (the two campaigns' summaries). `counts`: the irq counts the server
 * was started with.
 */
export function campaignChecks({ root, socket, client, workDir, seed, counts, requests = 3000, log }) {
  const problems = [];
  const expect = (cond, what) => {
    if (!cond) problems.push(what);
  };
  const base = ["--socket", socket, "--client", client, "--seed", String(seed), "--json"];

  const probe = cli(root, ["--probe", "--socket", socket, "--client", client]);
  const probed = probe.json?.device?.irqs?.map((q) => q.count);
  expect(
    JSON.stringify(probed) === JSON.stringify(counts),
    `probe: irq counts ${probed} (the server has ${counts}): ${probe.stderr}`,
  );

  const outClean = path.join(workDir, "cli-clean");
  fs.rmSync(outClean, { recursive: true, force: true });
  const clean = cli(root, [...base, "--requests", String(requests), "--out", outClean]);
  const c = clean.json;
  expect(clean.status === 0, `campaign with the full model: exit ${clean.status}: ${clean.stderr}`);
  expect(c && c.requests >= requests && c.matched === c.requests, `campaign: ${c?.matched}/${c?.requests} matched`);
  expect(!fs.existsSync(outClean), "campaign with the full model saved reproducers");
  log(
    `vfio-user cli campaign: ${c?.matched}/${c?.requests} requests matched on ${c?.connections} connections, ${c?.requestsPerSecond} req/s; probe: irqs ${probed}`,
  );

  const outBugs = path.join(workDir, "cli-bugs");
  fs.rmSync(outBugs, { recursive: true, force: true });
  const fixed = BUGS.flatMap((b) => ["--fixed", b]);
  const bugs = cli(root, [...base, ...fixed, "--requests", String(requests), "--out", outBugs]);
  const g = bugs.json?.groups ?? [];
  expect(bugs.status === 1, `campaign without the bugs: exit ${bugs.status} (want 1: disagreements): ${bugs.stderr}`);
  const unexplained = g.filter((x) => !x.explainedBy.length);
  expect(!unexplained.length, `disagreements no bug explains: ${JSON.stringify(unexplained)}`);
  const repros = bugs.json?.reproducers ?? [];
  for (const bug of BUGS) {
    const r = repros.find((x) => x.explainedBy.length === 1 && x.explainedBy[0] === bug);
    expect(r?.still, `the campaign did not find ${bug} by itself (no shrunk reproducer explained by it alone)`);
    if (!r) continue;
    const again = cli(root, ["--replay", r.file, "--socket", socket, "--client", client, "--json"]);
    expect(again.status === 0, `${r.file}: the model with ${bug} disagrees on replay (exit ${again.status})`);
    const without = cli(root, ["--replay", r.file, "--socket", socket, "--client", client, "--fixed", bug, "--json"]);
    expect(without.status === 1, `${r.file}: the model without ${bug} agrees on replay (exit ${without.status})`);
    log(`vfio-user cli campaign found ${bug}: shrunk from ${r.from} to ${r.steps} steps in ${r.runs} client runs`);
  }
  log(
    `vfio-user cli campaign without ${BUGS.join(", ")}: ${bugs.json?.matched}/${bugs.json?.requests} matched; ${g.map((x) => `${x.connections}x ${x.group}`).join(", ")}`,
  );
  for (const p of problems) log(`vfio-user cli: FAIL ${p}`);
  return { ok: !problems.length, clean: c, bugs: bugs.json };
}
