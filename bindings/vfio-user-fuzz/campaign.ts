// A campaign against a vfio-user server: random stateful request sequences, one connection per
// segment, every answer compared with the libvfio-user model; then each kind of disagreement is
// shrunk by delta debugging (ddmin) to a minimal message sequence, every candidate re-run on the
// server on its own connection.
import {
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_USER_DEVICE_SET_IRQS,
} from "../generated/constants.js";
import { decodeMessage, encodeMessage } from "../vfio-user.js";
import { VfioUserModel, type VuDevice } from "../oracle/model/vfio-user.js";
import { parseFdList } from "../oracle/model/device.js";
import { runClient } from "./client.js";
import { randomSteps } from "./gen.js";
import { check, commandName, plan, type CheckResult, type Mismatch, type Step } from "./script.js";

export interface Disagreement {
  /** Segment (connection) of the campaign it was found in, and that segment's seed. */
  segment: number;
  seed: number;
  /** The segment's steps up to and including the failing one. */
  steps: Step[];
  /** The first mismatching line. */
  mismatch: Mismatch;
  /** Kind of disagreement: what differed and the model's rule. */
  signature: string;
  /**
   * The library bugs that explain it: the model was told the server does not have them
   * (device.fixed), and with them the model agrees with every answer of the segment. Empty when
   * none does: a disagreement the model cannot explain.
   */
  explainedBy: string[];
}

export interface CampaignResult extends Omit<CheckResult, "mismatches"> {
  segments: number;
  /** The first disagreement of each segment that had one. */
  disagreements: Disagreement[];
  ms: number;
}

export interface Target {
  /** The replay client binary. */
  bin: string;
  socket: string;
  device: VuDevice;
}

const closedFds = (d: VuDevice) => parseFdList(d.fds?.closed);
const signatureOf = (m: Mismatch, steps: Step[]) => {
  const s = steps[m.step];
  return `${m.what}${s?.kind === "send" ? ` to ${commandName(s.bytes)}` : ""}, model rule ${m.rule ?? "-"}`;
};

/** Run step lists, each on its own connection with a fresh model, in one client run. */
export function runSegments(t: Target, lists: Step[][], timeoutMs = 600_000): CheckResult[] {
  const planned = lists.map((steps) => plan(new VfioUserModel(t.device), steps, t.socket));
  const script = `${planned.flatMap((p) => p.lines).join("\n")}\nQUIT\n`;
  const transcript = runClient(t.bin, script, timeoutMs);
  let at = 0;
  return planned.map((p) => {
    const part = transcript.slice(at, at + p.lines.length);
    at += p.lines.length;
    return check(p.expect, part);
  });
}

/** `requests` random requests in segments of `segment`, seeded. */
export function runCampaign(
  t: Target,
  o: { requests: number; seed: number; segment: number; progress?: (done: number, found: number) => void },
): CampaignResult {
  const t0 = Date.now();
  const res: CampaignResult = {
    requests: 0,
    matched: 0,
    replies: 0,
    efdReads: 0,
    rules: new Map(),
    segments: 0,
    disagreements: [],
    ms: 0,
  };
  const n = Math.max(1, Math.ceil(o.requests / o.segment));
  // a batch of segments per client run keeps scripts bounded and progress visible
  const perRun = Math.max(1, Math.floor(2000 / o.segment));
  for (let first = 0; first < n; first += perRun) {
    const ids = Array.from({ length: Math.min(perRun, n - first) }, (_, i) => first + i);
    const lists = ids.map((j) => {
      const size = Math.min(o.segment, o.requests - j * o.segment);
      return [...randomSteps(t.device, size, (o.seed + j) >>> 0, closedFds(t.device)), { kind: "drain" } as Step];
    });
    const results = runSegments(t, lists);
    results.forEach((r, i) => {
      res.segments++;
      res.requests += r.requests;
      res.matched += r.matched;
      res.replies += r.replies;
      res.efdReads += r.efdReads;
      for (const [k, v] of r.rules) res.rules.set(k, (res.rules.get(k) ?? 0) + v);
      const m = r.mismatches[0];
      if (m)
        res.disagreements.push({
          segment: ids[i],
          seed: (o.seed + ids[i]) >>> 0,
          steps: lists[i].slice(0, m.step + 1),
          mismatch: m,
          signature: signatureOf(m, lists[i]),
          explainedBy: [],
        });
    });
    o.progress?.(res.requests, res.disagreements.length);
  }
  explain(t, res.disagreements);
  res.ms = Date.now() - t0;
  return res;
}

/**
 * Which of the library bugs the model was told to leave out (device.fixed) explain each
 * disagreement: each bug alone, then all of them, put back into the model for the segment's steps.
 * One client run for every candidate.
 */
export function explain(t: Target, found: Disagreement[]): void {
  const fixed = t.device.fixed ?? [];
  if (!fixed.length || !found.length) return;
  const options = [...fixed.map((rule) => [rule]), ...(fixed.length > 1 ? [fixed] : [])];
  const tries = found.flatMap((d) => options.map((rules) => ({ d, rules })));
  const byModel = options.map((rules) => ({ ...t, device: withBugs(t.device, rules) }));
  // a model per option: group the candidates by option, one client run per option
  options.forEach((rules, k) => {
    const mine = tries.filter((x) => x.rules === rules && !x.d.explainedBy.length);
    if (!mine.length) return;
    const results = runSegments(
      byModel[k],
      mine.map((x) => [...x.d.steps, { kind: "close" } as Step, { kind: "drain" } as Step]),
    );
    results.forEach((r, i) => {
      if (!r.mismatches.length) mine[i].d.explainedBy = rules;
    });
  });
}

/** The device with these bug rules back in the model. */
export const withBugs = (d: VuDevice, rules: string[]): VuDevice => ({
  ...d,
  fixed: (d.fixed ?? []).filter((f) => !rules.includes(f)),
});

/** How disagreements are grouped: by the bugs that explain them, else by what differed. */
export const groupOf = (d: Disagreement): string =>
  d.explainedBy.length ? `server has ${d.explainedBy.join(" + ")}` : `unexplained: ${d.signature}`;

export interface Shrunk {
  steps: Step[];
  mismatches: Mismatch[];
  /** Client runs and candidate sequences tried. */
  runs: number;
  tried: number;
}

/**
 * Shrinking, every candidate re-run on the server on its own connection (the candidates of one
 * round in one client run). A candidate keeps the failure when its last step still disagrees with
 * the model in the same way. First ddmin over the steps between the handshake and the failing step,
 * then single steps, then smaller messages (simpler()) in place of any step, the failing one too.
 */
export function shrink(t: Target, d: Disagreement, maxRuns = 40): Shrunk {
  const head = d.steps.slice(0, 2); // connect + VERSION
  const wrap = (seq: Step[]): Step[] => [...head, ...seq, { kind: "close" }, { kind: "drain" }];
  const fails = (r: CheckResult, seq: Step[]) =>
    r.mismatches.some((m) => m.step === head.length + seq.length - 1 && signatureOf(m, wrap(seq)) === d.signature);
  let runs = 0,
    tried = 0;
  const firstFailing = (cands: Step[][]): number => {
    runs++;
    tried += cands.length;
    const rs = runSegments(t, cands.map(wrap));
    return rs.findIndex((r, i) => fails(r, cands[i]));
  };
  let target = d.steps[d.steps.length - 1];
  const withTarget = (mid: Step[]) => [...mid, target];
  let list = d.steps.slice(2, -1);
  if (firstFailing([withTarget([])]) === 0) list = [];
  let n = 2;
  while (list.length >= 2 && runs < maxRuns) {
    const chunks = split(list, n);
    const complements = chunks.map((_, i) => chunks.filter((_, j) => j !== i).flat());
    const cands = n === 2 ? chunks : [...chunks, ...complements];
    const hit = firstFailing(cands.map(withTarget));
    if (hit >= 0 && hit < chunks.length) {
      list = chunks[hit];
      n = 2;
    } else if (hit >= chunks.length) {
      list = complements[hit - chunks.length];
      n = Math.max(n - 1, 2);
    } else if (n >= list.length) break;
    else n = Math.min(n * 2, list.length);
  }
  // then one step at a time until no single step can go
  while (list.length > 0 && runs < maxRuns) {
    const cands = list.map((_, i) => [...list.slice(0, i), ...list.slice(i + 1)]);
    const hit = firstFailing(cands.map(withTarget));
    if (hit < 0) break;
    list = cands[hit];
  }
  // then smaller messages, one step at a time, until none can be made smaller
  let seq = withTarget(list);
  while (runs < maxRuns) {
    const cands = seq.flatMap((s, i) => simpler(s).map((c) => seq.map((x, j) => (j === i ? c : x))));
    const hit = cands.length ? firstFailing(cands) : -1;
    if (hit < 0) break;
    seq = cands[hit];
  }
  target = seq[seq.length - 1];
  const steps = [...head, ...seq, { kind: "close" } as Step];
  const [final] = runSegments(t, [steps]);
  runs++;
  return { steps, mismatches: final.mismatches, runs, tried };
}
function split<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  const size = xs.length / n;
  for (let i = 0; i < n; i++) out.push(xs.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out.filter((c) => c.length);
}

/**
 * Smaller versions of one step, for the last shrinking phase: a SET_IRQS message with fewer
 * vectors (count, its fds and its DATA_BOOL bytes cut together: the first one, the first half, the
 * last one) or starting at vector 0. Other steps have none.
 */
export function simpler(step: Step): Step[] {
  if (step.kind !== "send") return [];
  let m: { msg_id: number; command: number; flags: number; body?: Record<string, unknown> };
  try {
    m = decodeMessage(step.bytes) as unknown as typeof m;
  } catch {
    return []; // framing the codec refuses is kept as it is
  }
  const body = m.body;
  if (m.command !== VFIO_USER_DEVICE_SET_IRQS || !body) return [];
  const count = Number(body.count),
    start = Number(body.start),
    flags = Number(body.flags),
    data = body.data as number[] | undefined;
  const eventfds = (flags & VFIO_IRQ_SET_DATA_EVENTFD) !== 0 && step.fds.length === count;
  const bools = (flags & VFIO_IRQ_SET_DATA_BOOL) !== 0 && data?.length === count;
  const out: Step[] = [];
  const make = (from: number, n: number, st: number) => {
    const b: Record<string, unknown> = { flags, index: body.index, start: st, count: n };
    if (bools) b.data = data?.slice(from, from + n);
    try {
      const bytes = encodeMessage({ msg_id: m.msg_id, command: m.command, flags: m.flags, body: b });
      if (Buffer.compare(Buffer.from(bytes), Buffer.from(step.bytes)) !== 0)
        out.push({ ...step, bytes, fds: eventfds ? step.fds.slice(from, from + n) : step.fds });
    } catch {
      // a range the codec refuses to encode (start + count past 2^32) is no candidate
    }
  };
  // a count that travels with its fds or bytes shrinks with them; a bare range shrinks alone
  if (count > 1 && count <= 0xffff) {
    make(0, 1, start);
    make(count - 1, 1, start + count - 1);
    make(0, count >> 1, start);
  }
  if (start > 0) make(0, count, 0);
  return out;
}
