import createError from '@fastify/error';

/**
 * Errors of the load tool, listed in docs/ERRORS.md. A usage code exits 2 (bin/cli.ts).
 *
 * @example
 *   throw new LoadUsageError('--against nope: not a commit of this repository');
 */
export const LoadUsageError = createError('LOAD_ERR_USAGE', 'Load usage error: %s', 400);
export const AgainstFailedError = createError('LOAD_ERR_AGAINST_FAILED', 'Could not serve the commit to compare against (--against %s): %s', 500);
