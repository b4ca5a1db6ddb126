// "Did you mean": the closest known name to a misspelt one (commands, structs, ioctls, JSON keys).

/** Edit distance (insert, delete, substitute, swap two neighbours), computed only up to `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [],
    prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** The known name nearest to `word` (case-insensitive), if it is close enough to be a typo. */
export function didYouMean(
  word: string,
  known: Iterable<string>,
  normalise = (s: string) => s.toLowerCase(),
): string | null {
  const w = normalise(word).slice(0, 64);
  if (!w) return null;
  const limit = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  let best: string | null = null,
    bestD = limit + 1;
  for (const k of known) {
    const d = distance(w, normalise(k), limit);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** " (did you mean X?)" or "". */
export const suggestion = (word: string, known: Iterable<string>, normalise?: (s: string) => string): string => {
  const s = didYouMean(word, known, normalise);
  return s ? ` (did you mean ${s}?)` : "";
};
