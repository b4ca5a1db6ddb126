// worker_threads entry of the fuzz campaign: runs its shard of case indexes in chunks through the
// in-wasm loop, posts progress after each chunk, stops on the shared stop flag or at its end.
import { parentPort, workerData } from "node:worker_threads";
import { campaignShard } from "./index.js";

interface Job {
  seed: number;
  first: number;
  count: number;
  chunk: number;
  stop: Int32Array;
}
const job = workerData as Job;
const stop = job.stop;
let done = 0;
while (done < job.count && Atomics.load(stop, 0) === 0) {
  const n = Math.min(job.chunk, job.count - done);
  const r = campaignShard(job.seed, job.first + done, n);
  done += n;
  parentPort!.postMessage({ type: "chunk", stats: { ...r, hash: r.hash.toString() } });
}
parentPort!.postMessage({ type: "done", done });
