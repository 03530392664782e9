import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeJsonSchema } from './envelope.js';

// Run after changing envelope.ts: `npx tsx evals/report/generate-json-schema.ts`; envelope.int.test.ts keeps the copy in sync.
const target = join(import.meta.dirname, '../../docs/report-envelope.schema.json');
writeFileSync(target, `${JSON.stringify(envelopeJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
