import pkg from '../../package.json' with { type: 'json' };

/**
 * The package version (package.json): the OpenAPI document's, the tracer's and the web tools' User-Agent's. A JSON
 * import, not a file read at run time: the bundle (`npm run build`, dist/service.mjs) inlines it, so the shipped
 * service carries its version without a package.json beside it, and the sources (tsx, vitest) read the same field.
 */
export const SERVICE_VERSION: string = pkg.version;
