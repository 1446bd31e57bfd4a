import type { RegionProgress } from '../collect/kms.js';
import type { AccountProgress } from '../org/targets.js';
import { terminalSafe } from '../report/escape.js';

/**
 * Progress on stderr, one self-rewriting line, only when stderr is a terminal: a cron job's
 * mail stays clean. One account shows each region's keys; an organisation-wide run shows the
 * accounts done, the keys done across them and the regions in flight, on the same one line.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (p: RegionProgress) => void;
  onAccount: (p: AccountProgress) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { onProgress: () => {}, onAccount: () => {}, done: () => {} };
  const regions = new Map<string, RegionProgress>();
  let accounts: AccountProgress | null = null;
  let drawn = false;
  const draw = () => {
    let line: string;
    if (accounts) {
      const all = [...regions.values()];
      const done = all.reduce((n, r) => n + r.keysDone, 0);
      const total = all.reduce((n, r) => n + r.keysTotal, 0);
      const active = all.filter((r) => r.keysDone < r.keysTotal).length;
      line = `accounts ${accounts.accountsDone}/${accounts.accountsTotal}  keys ${done}/${total}  regions in progress ${active}`;
    } else {
      line = `keys: ${[...regions.values()].map((r) => `${r.region} ${r.keysDone}/${r.keysTotal}`).join('  ')}`;
    }
    // Regions and accounts come from AWS and evidence files: shown, never acted on.
    stream.write(`\r\x1b[2K${terminalSafe(line, { oneLine: true })}`);
    drawn = true;
  };
  return {
    onProgress: (p) => {
      regions.set(`${p.account}/${p.region}`, p);
      draw();
    },
    onAccount: (p) => {
      accounts = p;
      draw();
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
