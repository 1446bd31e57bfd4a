import type { HowToApply, Recommendation, RecommendationKind, Recommendations } from '../model/advice.js';
import { type Finding, type RuleId, type RuleTable, remediationCommand } from '../model/findings.js';
import type { Money } from '../model/pricing.js';
import type { KeyRow, WasteRow } from '../model/report.js';
import { type Dec, dec, toMoney } from '../pricing/money.js';
import { compareText, groupBy } from '../util/compare.js';
import { shellWord } from '../util/shell.js';
import type { CallerCost } from './attribute.js';
import {
  BUCKET_KEY_MIN_OBJECT_REQUESTS,
  BUCKET_KEY_REQUEST_REDUCTION,
  DATA_KEY_CACHING_MIN_REQUESTS,
  DATA_KEY_CACHING_REDUCTION,
  DATA_KEY_OPERATIONS,
  ECC_PAIR_MIN_REQUESTS,
  ECC_PAIR_SPEC,
  MONTHS_A_YEAR,
  RECOMMENDATION_ORDER,
  S3_SSE_KMS_OPERATIONS,
} from './constants.js';

/** What the recommendations are made from (all of it already computed for the report). */
export interface RecommendInput {
  /** Every counted request line split by caller, with dollars (`callerCosts`). */
  readonly costs: readonly CallerCost[];
  readonly keys: readonly KeyRow[];
  /** The report's keys that cost money for nothing (`summary.waste`). */
  readonly waste: readonly WasteRow[];
  readonly findings: readonly Finding[];
  readonly rules: RuleTable;
  /** The ECC GenerateDataKeyPair price per 10,000 requests by region; a region missing: the ECC saving is unknown. */
  readonly eccPairPricesPer10k: Readonly<Record<string, Money>>;
}

/** How double counting is avoided (report.md and report.json say it). */
export const RECOMMENDATIONS_METHOD = `Each request is counted by one recommendation at most, the first in this order that applies to it: ${RECOMMENDATION_ORDER.join(', ')}; so the savings add up. Yearly figures are 12 times the month's.`;

/** The requests the recommendations have counted on so far. */
type Claimed = Set<CallerCost>;

const sum = (items: readonly CallerCost[], value: (c: CallerCost) => Dec | null): Dec | null =>
  items.some((c) => value(c) === null) ? null : items.reduce((acc, c) => acc.plus(value(c) as Dec), dec(0));

const requestsOf = (items: readonly CallerCost[]) => items.reduce((n, c) => n + c.requests, 0);
const count = (n: number) => n.toLocaleString('en-US');
const usd = (m: Dec) => `$${m.toDecimalPlaces(2).toFixed(2)}`;
const distinct = (items: readonly string[]) => [...new Set(items)].sort(compareText);

function item(
  kind: RecommendationKind,
  subject: string,
  fields: Omit<Recommendation, 'id' | 'kind' | 'subject' | 'yearlySaving' | 'monthlySaving'> & {
    monthlySaving: Dec | null;
  },
): Recommendation {
  const monthly = fields.monthlySaving;
  return {
    id: `${kind}:${subject}`,
    kind,
    subject,
    ...fields,
    monthlySaving: monthly === null ? null : toMoney(monthly),
    yearlySaving: monthly === null ? null : toMoney(monthly.times(MONTHS_A_YEAR)),
  };
}

/** The callers of some requests, most requests first, for the evidence text. */
function topCallers(items: readonly CallerCost[], max = 3): string {
  const by = groupBy(items, (c) => c.row?.caller ?? '(callers unknown)');
  const ranked = [...by].map(([caller, list]) => [caller, requestsOf(list)] as const);
  ranked.sort(([a, x], [b, y]) => y - x || compareText(a, b));
  const shown = ranked.slice(0, max).map(([caller, n]) => `${caller} (${count(n)})`);
  return ranked.length > max ? `${shown.join(', ')} and ${ranked.length - max} more` : shown.join(', ');
}

/** Requests billed to accounts outside the report: no saving for the report's accounts. */
function crossAccount(costs: readonly CallerCost[]): Recommendation[] {
  return [
    ...groupBy(
      costs.filter((c) => !c.inTotal),
      (c) => c.account,
    ),
  ].map(([account, list]) => {
    const theirs = sum(list, (c) => c.net);
    return item('cross-account-caller', account, {
      title: `Account ${account} calls your keys: billed to it`,
      evidence: `${count(requestsOf(list))} requests on ${plural(distinct(list.map((c) => c.keyArn)).length, 'key')} by ${topCallers(list)}, ${theirs === null ? 'partly unknown' : usd(theirs)} billed to account ${account}, not to you.`,
      keyArns: distinct(list.map((c) => c.keyArn)),
      requests: requestsOf(list),
      monthlySaving: dec(0),
      savingBasis:
        'No saving for your accounts: the caller is billed for its requests. Its owner can apply the same advice.',
      apply: {
        text: "Nothing to change on your side. Tell the account's owner what its calls cost, or remove its access in the key policy if it should not call.",
        console: null,
        cli: null,
        terraform: null,
      },
    });
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The rules whose failing keys are removal candidates, in the order their fix is preferred. */
const REMOVAL_RULES: readonly RuleId[] = ['KMS-LIFE-01', 'KMS-LIFE-02'];

/** The rule's command, then the deletion when the rule's command is not already it. */
function removalCommands(ruleCommand: string | null, row: KeyRow): string {
  const schedule = `aws kms schedule-key-deletion --key-id ${shellWord(row.keyId)} --region ${shellWord(row.region)} --pending-window-in-days 30`;
  if (ruleCommand?.includes('schedule-key-deletion')) return ruleCommand;
  return ruleCommand ? `${ruleCommand}\n${schedule}` : schedule;
}

/** Disabled or unused keys still billed: removing them saves their whole cost (reuses the waste list). */
function removeKeys(input: RecommendInput, claimed: Claimed): Recommendation[] {
  const failing = new Map<string, RuleId>();
  for (const f of input.findings)
    if (f.status === 'FAIL' && REMOVAL_RULES.includes(f.ruleId) && !failing.has(f.keyArn))
      failing.set(f.keyArn, f.ruleId);
  const rows = new Map(input.keys.map((k) => [k.arn, k]));
  const byKey = groupBy(input.costs, (c) => c.keyArn);
  return input.waste.flatMap((w) => {
    const ruleId = failing.get(w.arn);
    const row = rows.get(w.arn);
    if (!ruleId || !row || !dec(w.cost).greaterThan(0)) return [];
    const mine = (byKey.get(w.arn) ?? []).filter((c) => c.inTotal && !claimed.has(c));
    for (const c of mine) claimed.add(c);
    const rotations =
      row.rotationFee && dec(row.rotationFee).greaterThan(0)
        ? `, of which rotations ${usd(dec(row.rotationFee))}`
        : '';
    const rule = input.rules[ruleId];
    return [
      item('remove-unused-key', w.arn, {
        title: `Remove key ${w.name}: ${ruleId === 'KMS-LIFE-01' ? 'disabled, still billed' : 'unused, still billed'}`,
        evidence: `${w.reason} (${ruleId}); it cost ${usd(dec(w.cost))} this month${rotations}: ${usd(dec(w.cost).times(MONTHS_A_YEAR))} a year to keep.`,
        keyArns: [w.arn],
        requests: requestsOf(mine),
        monthlySaving: dec(w.cost),
        savingBasis:
          "This month's cost of the key (fees, rotations and requests billed to you): what deleting it saves each month.",
        apply: {
          text: `${rule?.remediation.text ?? 'Disable the key, then schedule its deletion.'} Deletion waits 7 to 30 days; a key pending deletion is not billed.`,
          console:
            'KMS console → Customer managed keys → the key → Key actions → Disable, then Schedule key deletion',
          cli: removalCommands(rule ? remediationCommand(rule, row) : null, row),
          terraform: 'Remove the aws_kms_key resource (set deletion_window_in_days = 30 first)',
        },
      }),
    ];
  });
}

/** Placeholders the reader fills in (never quoted). */
const BUCKET_PLACEHOLDER = '<bucket>';
const KEY_PLACEHOLDER = '<key-arn>';

/** A bucket name as S3 allows it; anything else is shown as a placeholder in commands. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bucketNameOf(bucketArn: string): string {
  const name = bucketArn.startsWith('arn:') ? (bucketArn.split(':').slice(5).join(':') ?? '') : bucketArn;
  return BUCKET_NAME.test(name) ? name : BUCKET_PLACEHOLDER;
}

function bucketKeyApply(bucketArn: string, keyArns: readonly string[]): HowToApply {
  const bucket = bucketNameOf(bucketArn);
  const key = keyArns.length === 1 ? (keyArns[0] as string) : KEY_PLACEHOLDER;
  return {
    text: 'Enable an S3 Bucket Key in the bucket\'s default encryption. Objects written from then on use it; existing objects keep per-object requests until they are copied over (S3 Batch Operations "Copy").',
    console: 'S3 console → the bucket → Properties → Default encryption → Edit → Bucket Key: Enable',
    // Three lines, each short enough for a report line: the key, the rule, then the call.
    cli: `KEY=${key === KEY_PLACEHOLDER ? key : shellWord(key)}\nRULES='{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"'"$KEY"'"},"BucketKeyEnabled":true}]}'\naws s3api put-bucket-encryption --bucket ${bucket === BUCKET_PLACEHOLDER ? bucket : shellWord(bucket)} --server-side-encryption-configuration "$RULES"`,
    terraform: 'aws_s3_bucket_server_side_encryption_configuration: rule { bucket_key_enabled = true }',
  };
}

/** Buckets on SSE-KMS without a Bucket Key: S3 called KMS once per object. */
function bucketKeys(costs: readonly CallerCost[], claimed: Claimed): Recommendation[] {
  const candidates = costs.filter(
    (c) =>
      c.inTotal &&
      !claimed.has(c) &&
      c.row?.bucketArn &&
      c.row.s3ContextScope === 'object' &&
      S3_SSE_KMS_OPERATIONS.has(c.operation),
  );
  return [...groupBy(candidates, (c) => c.row?.bucketArn ?? '')].flatMap(([bucketArn, list]) => {
    const requests = requestsOf(list);
    if (requests < BUCKET_KEY_MIN_OBJECT_REQUESTS) return [];
    for (const c of list) claimed.add(c);
    const net = sum(list, (c) => c.net);
    const keyArns = distinct(list.map((c) => c.keyArn));
    return [
      item('s3-bucket-key', bucketArn, {
        title: `Enable an S3 Bucket Key on ${bucketArn}`,
        evidence: `${count(requests)} GenerateDataKey/Decrypt requests whose encryption context is an object's ARN (no Bucket Key), ${net === null ? 'cost unknown' : usd(net)} this month, by ${topCallers(list)}.`,
        keyArns,
        requests,
        monthlySaving: net === null ? null : net.times(BUCKET_KEY_REQUEST_REDUCTION),
        savingBasis: `BUCKET_KEY_REQUEST_REDUCTION: a Bucket Key cuts these requests by up to ${dec(BUCKET_KEY_REQUEST_REDUCTION).times(100).toFixed()}% (AWS); the saving is that share of their cost, an upper bound.`,
        apply: bucketKeyApply(bucketArn, keyArns),
      }),
    ];
  });
}

/** RSA data key pairs where ECC would serve: the same requests at the ECC price. */
function eccPairs(input: RecommendInput, claimed: Claimed): Recommendation[] {
  const candidates = input.costs.filter(
    (c) =>
      c.inTotal &&
      !claimed.has(c) &&
      c.operation.startsWith('GenerateDataKeyPair') &&
      (c.keyPairSpec ?? '').startsWith('RSA_'),
  );
  return [...groupBy(candidates, (c) => c.keyArn)].flatMap(([keyArn, list]) => {
    const requests = requestsOf(list);
    if (requests < ECC_PAIR_MIN_REQUESTS) return [];
    for (const c of list) claimed.add(c);
    const saving = sum(list, (c) => {
      const ecc = input.eccPairPricesPer10k[c.region];
      if (c.net === null || ecc === undefined || c.unitPrice === null || dec(c.unitPrice).isZero())
        return null;
      return c.net.times(dec(1).minus(dec(ecc).dividedBy(c.unitPrice)));
    });
    const specs = distinct(list.map((c) => c.keyPairSpec ?? ''));
    const prices = distinct(list.map((c) => `$${c.unitPrice ?? '?'}`));
    const eccPrices = distinct(list.map((c) => `$${input.eccPairPricesPer10k[c.region] ?? '?'}`));
    return [
      item('ecc-data-key-pairs', keyArn, {
        title: `Ask for ECC data key pairs instead of ${specs.join('/')} on ${keyArn}`,
        evidence: `${count(requests)} GenerateDataKeyPair requests for ${specs.join(', ')} pairs at ${prices.join('/')} per 10,000, by ${topCallers(list)}; ECC pairs cost ${eccPrices.join('/')} per 10,000.`,
        keyArns: [keyArn],
        requests,
        monthlySaving: saving,
        savingBasis:
          "The same requests at the ECC pair price (the pricing table's KMS-Requests-GenerateDatakeyPair-ECC tier), where the pair's user accepts ECC keys (signing, key agreement); RSA stays for RSA encryption.",
        apply: {
          text: `Where the consumer of the data key pair accepts ECC (ECDSA signing, ECDH), call GenerateDataKeyPair with KeyPairSpec ${ECC_PAIR_SPEC}.`,
          console: null,
          cli: `aws kms generate-data-key-pair-without-plaintext --key-id ${shellWord(keyArn)} --key-pair-spec ${ECC_PAIR_SPEC}`,
          terraform: null,
        },
      }),
    ];
  });
}

const PRINCIPALS = new Set(['role', 'user', 'root', 'federated']);

/** Principals calling GenerateDataKey/Decrypt directly at high rates: data key caching. */
function caching(costs: readonly CallerCost[], claimed: Claimed): Recommendation[] {
  const candidates = costs.filter(
    (c) =>
      c.inTotal &&
      !claimed.has(c) &&
      c.row !== null &&
      c.row.invokedBy === null &&
      PRINCIPALS.has(c.row.callerType) &&
      DATA_KEY_OPERATIONS.has(c.operation),
  );
  return [...groupBy(candidates, (c) => c.row?.caller ?? '')].flatMap(([caller, list]) => {
    const requests = requestsOf(list);
    if (requests < DATA_KEY_CACHING_MIN_REQUESTS) return [];
    for (const c of list) claimed.add(c);
    const net = sum(list, (c) => c.net);
    const keyArns = distinct(list.map((c) => c.keyArn));
    const ops = distinct(list.map((c) => c.operation));
    return [
      item('data-key-caching', caller, {
        title: `Cache data keys in ${caller}`,
        evidence: `${count(requests)} ${ops.join('/')} requests made directly on ${plural(keyArns.length, 'key')} this month (${count(DATA_KEY_CACHING_MIN_REQUESTS)} or more), ${net === null ? 'cost unknown' : usd(net)}.`,
        keyArns,
        requests,
        monthlySaving: net === null ? null : net.times(DATA_KEY_CACHING_REDUCTION),
        savingBasis: `DATA_KEY_CACHING_REDUCTION: kms-report assumes a cached data key serves ten messages, so ${dec(DATA_KEY_CACHING_REDUCTION).times(100).toFixed()}% of these calls go (not an AWS figure; the real share depends on the cache's limits).`,
        apply: {
          text: "Reuse data keys: the AWS Encryption SDK's caching cryptographic materials manager or AWS KMS hierarchical keyring (with a maximum age and message limit), or one data key per batch of messages (envelope reuse). A code change: no console or Terraform setting.",
          console: null,
          cli: null,
          terraform: null,
        },
      }),
    ];
  });
}

/**
 * The month's recommendations, each with the evidence that triggers it and its estimated saving;
 * the requests each counts on are claimed in {@link RECOMMENDATION_ORDER}, so none is counted twice.
 */
export function recommend(input: RecommendInput): Recommendations {
  const claimed: Claimed = new Set();
  const items = [
    ...crossAccount(input.costs),
    ...removeKeys(input, claimed),
    ...bucketKeys(input.costs, claimed),
    ...eccPairs(input, claimed),
    ...caching(input.costs, claimed),
  ];
  const rank = (r: Recommendation) => RECOMMENDATION_ORDER.indexOf(r.kind);
  items.sort((a, b) => {
    if (a.monthlySaving !== null && b.monthlySaving !== null) {
      const order = dec(b.monthlySaving).comparedTo(a.monthlySaving);
      if (order !== 0) return order;
    } else if (a.monthlySaving !== b.monthlySaving) return a.monthlySaving === null ? 1 : -1;
    return rank(a) - rank(b) || compareText(a.subject, b.subject);
  });
  const known = items.filter((r) => r.monthlySaving !== null).map((r) => dec(r.monthlySaving as Money));
  const total = known.reduce((acc, m) => acc.plus(m), dec(0));
  return {
    items,
    monthlySaving: { amount: toMoney(total), complete: known.length === items.length },
    yearlySaving: toMoney(total.times(MONTHS_A_YEAR)),
    method: RECOMMENDATIONS_METHOD,
  };
}
