import { mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KmsReportError } from '../errors.js';
import { explainWriteError } from './fs-errors.js';

/** A name that is one entry of a folder: not empty, not `.` or `..`, no separator, no NUL. */
function isPlainSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[/\\\0]/.test(segment);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The path of `segments` under the output folder `root`, refusing anything that would land
 * elsewhere: each segment must be one plain name (no `..`, no separator), and the folder that will
 * hold the last one must, once symbolic links are followed, still be inside `root` (so
 * `<out>/<account>` linked to `/etc` is refused too). Creates `root` and the folders up to the last
 * segment. Returns the path as `join(root, ...segments)`, in the caller's form for messages.
 *
 * @example
 * ```ts
 * const dir = await pathInside('reports', '111122223333', '2026-10'); // 'reports/111122223333/2026-10'
 * await pathInside('reports', '../victim', '2026-10'); // throws
 * ```
 */
export async function pathInside(root: string, ...segments: string[]): Promise<string> {
  if (segments.length === 0) throw new Error('pathInside: no path under the output folder');
  for (const s of segments)
    if (!isPlainSegment(s))
      throw new KmsReportError(
        `refusing to write outside the output folder ${root}: ${JSON.stringify(s).slice(0, 80)} is not a plain folder or file name`,
      );
  const target = resolve(root, ...segments);
  if (!inside(resolve(root), target))
    throw new KmsReportError(`refusing to write ${target}: it is outside the output folder ${root}`);
  const parent = dirname(target);
  // A folder that cannot be made names itself and the real cause (read-only, a file in the way...).
  const [realRoot, realParent] = await mkdir(parent, { recursive: true })
    .then(() => Promise.all([realpath(root), realpath(parent)]))
    .catch(async (error: unknown) => {
      throw await explainWriteError(error, parent);
    });
  if (!inside(realRoot, realParent))
    throw new KmsReportError(
      `refusing to write into ${join(root, ...segments.slice(0, -1))}: it leads to ${realParent}, outside the output folder ${root} (a symbolic link)`,
    );
  return join(root, ...segments);
}
