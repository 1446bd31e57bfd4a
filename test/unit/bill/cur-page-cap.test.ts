import { describe, expect, it } from 'vitest';
import { boundedCompressors, CurFileError, MAX_PAGE_UNCOMPRESSED_BYTES } from '../../../src/bill/cur-read.js';

describe('a CUR page whose header claims more than kms-report decompresses', () => {
  it('is refused before anything is allocated, for every codec, as a file problem (a gap)', () => {
    for (const [codec, decompress] of Object.entries(boundedCompressors)) {
      // A 1 GiB claim over a few bytes: hyparquet would allocate the claim first.
      expect(() => decompress?.(new Uint8Array(8), 2 ** 30), codec).toThrow(CurFileError);
      expect(() => decompress?.(new Uint8Array(8), 2 ** 30), codec).toThrow(
        `a ${codec} page claims 1073741824 bytes uncompressed (more than ${MAX_PAGE_UNCOMPRESSED_BYTES}): not read`,
      );
    }
    expect(Object.keys(boundedCompressors)).toContain('SNAPPY');
  });
});
