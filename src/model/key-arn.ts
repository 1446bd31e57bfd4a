import { z } from 'zod';

/**
 * A KMS key ARN: the one grammar every input naming a key is checked against (CloudTrail
 * records, usage evidence and snapshot files). `arn:<partition>:kms:<region>:<12 digits>:key/<id>`,
 * the id letters, digits and hyphens (a UUID, or `mrk-` and 32 hex digits). A key ARN is shown in
 * reports and put into the commands they recommend: anything else (a space, a quote, `$(...)`)
 * must never pass. Linear: no part can match what the next one starts with.
 */
export const KEY_ARN_PATTERN =
  /^arn:(aws[a-z-]{0,20}):kms:([a-z0-9-]{1,40}):(\d{12}):key\/([A-Za-z0-9-]{1,128})$/;

/** A key id (the last part of its ARN). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;

/** What an error says a key ARN should look like. */
export const KEY_ARN_EXPECTED =
  'expected a KMS key ARN (arn:<partition>:kms:<region>:<12-digit account>:key/<id>)';

/** The parts of a key ARN, or null when `arn` is not one. */
export function parseKeyArn(arn: string): {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly keyId: string;
} | null {
  const m = KEY_ARN_PATTERN.exec(arn);
  return m
    ? { partition: m[1] as string, region: m[2] as string, account: m[3] as string, keyId: m[4] as string }
    : null;
}

/** The zod schema of a key ARN (evidence and snapshot files). */
export const keyArnSchema = z.string().max(256).regex(KEY_ARN_PATTERN, KEY_ARN_EXPECTED);

/** The zod schema of a key id. */
export const keyIdSchema = z
  .string()
  .regex(KEY_ID_PATTERN, 'expected a KMS key id (letters, digits, hyphens)');
