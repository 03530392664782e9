import createError from '@fastify/error';

/**
 * Simulator error codes.
 *
 * @example
 *   throw new SimCassetteInvalidError('datasets/cassettes/x.yaml', 'threads: Required');
 */
export const SimNoCassetteError = createError('EVL_ERR_SIM_NO_CASSETTE', 'No cassette for this conversation. %s', 404);
export const SimCassetteInvalidError = createError('EVL_ERR_SIM_CASSETTE_INVALID', 'Invalid cassette %s: %s', 400);
export const SimBadRequestError = createError('EVL_ERR_SIM_BAD_REQUEST', 'Bad request to the model simulator: %s', 400);
export const SimFaultInjectedError = createError('EVL_ERR_SIM_FAULT_INJECTED', 'Injected fault (%s): the simulator was told to fail this request', 503);
export const SimUpstreamFailedError = createError('EVL_ERR_SIM_UPSTREAM_FAILED', 'Recording proxy could not reach the upstream model: %s', 502);
