import { readFileSync } from 'node:fs';

/** The package version (package.json): the OpenAPI document's, the tracer's and the web tools' User-Agent's. */
export const SERVICE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
