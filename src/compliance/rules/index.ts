import { KMS_ALIAS_01 } from './KMS-ALIAS-01.js';
import { KMS_DEL_01 } from './KMS-DEL-01.js';
import { KMS_DEL_02 } from './KMS-DEL-02.js';
import { KMS_LIFE_01 } from './KMS-LIFE-01.js';
import { KMS_LIFE_02 } from './KMS-LIFE-02.js';
import { KMS_MR_01 } from './KMS-MR-01.js';
import { KMS_POL_01 } from './KMS-POL-01.js';
import { KMS_POL_02 } from './KMS-POL-02.js';
import { KMS_POL_03 } from './KMS-POL-03.js';
import { KMS_POL_04 } from './KMS-POL-04.js';
import { KMS_POL_05 } from './KMS-POL-05.js';
import { KMS_ROT_01 } from './KMS-ROT-01.js';
import { KMS_ROT_02 } from './KMS-ROT-02.js';
import { KMS_TAG_01 } from './KMS-TAG-01.js';
import type { Rule } from './types.js';

export type { KeyUsageEvidence, Rule, RuleContext, RuleMeta, RuleMonth, RuleResult } from './types.js';

/** Every rule of the catalogue, in catalogue order. */
export const ALL_RULES: readonly Rule[] = [
  KMS_ROT_01,
  KMS_ROT_02,
  KMS_DEL_01,
  KMS_DEL_02,
  KMS_POL_01,
  KMS_POL_02,
  KMS_POL_03,
  KMS_POL_04,
  KMS_POL_05,
  KMS_LIFE_01,
  KMS_LIFE_02,
  KMS_TAG_01,
  KMS_ALIAS_01,
  KMS_MR_01,
];
