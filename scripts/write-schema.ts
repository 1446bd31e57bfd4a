// Regenerates the published JSON Schemas from the zod schemas (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { snapshotJsonSchema } from '../src/model/snapshot-schema.js';
import { usageJsonSchema } from '../src/usage/evidence.js';

writeFileSync(new URL('../schema/snapshot.schema.json', import.meta.url), snapshotJsonSchema());
writeFileSync(new URL('../schema/usage.schema.json', import.meta.url), usageJsonSchema());
console.log('schema/snapshot.schema.json and schema/usage.schema.json written');
