// Regenerates schema/snapshot.schema.json from the zod schema (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { snapshotJsonSchema } from '../src/model/snapshot-schema.js';

writeFileSync(new URL('../schema/snapshot.schema.json', import.meta.url), snapshotJsonSchema());
console.log('schema/snapshot.schema.json written');
