import type { RegionProgress } from '../collect/kms.js';

/**
 * Progress on stderr, one self-rewriting line, only when stderr is a terminal: a cron job's
 * mail stays clean.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (p: RegionProgress) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { onProgress: () => {}, done: () => {} };
  const regions = new Map<string, RegionProgress>();
  let drawn = false;
  return {
    onProgress: (p) => {
      regions.set(`${p.account}/${p.region}`, p);
      const parts = [...regions.values()].map((r) => `${r.region} ${r.keysDone}/${r.keysTotal}`);
      stream.write(`\r\x1b[2Kkeys: ${parts.join('  ')}`);
      drawn = true;
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
