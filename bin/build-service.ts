import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleService, SERVICE_BUNDLE } from '../load/service-bundle.js';

// `npm run build`: dist/ from scratch (no stale chunk of an earlier build can ship), then the service bundle into it.
// `npm run start:prod` (and the image) runs `node dist/service.mjs serve`.

const OUTDIR = 'dist';

await rm(join(import.meta.dirname, '..', OUTDIR), { recursive: true, force: true });
const { metafile } = await bundleService({ outdir: OUTDIR });
const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
const bytes = outputs.reduce((sum, [, out]) => sum + out.bytes, 0);
const entryBytes = outputs.find(([file]) => file.endsWith(`/${SERVICE_BUNDLE}`))?.[1].bytes ?? 0;
process.stdout.write(`${OUTDIR}/${SERVICE_BUNDLE}: ${(entryBytes / 1024).toFixed(0)} KB, ${outputs.length - 1} lazy chunks, ${(bytes / 1024 / 1024).toFixed(1)} MB of JavaScript in all, from ${Object.keys(metafile.inputs).length} source files\n`);
