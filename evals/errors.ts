import createError from '@fastify/error';

/**
 * Errors of the evaluation harness (the simulator's and the report's live beside them). Listed in docs/ERRORS.md.
 *
 * @example
 *   throw new DatasetInvalidError('datasets/regression/weather.yaml', '  - cases.0.id: ids are kebab-case');
 */
export const DatasetInvalidError = createError('EVL_ERR_DATASET_INVALID', 'Dataset %s is invalid:\n%s', 500);
export const EvalUsageError = createError('EVL_ERR_USAGE', 'Eval usage error: %s', 400);
export const GraderFailedError = createError('EVL_ERR_GRADER_FAILED', 'Grader %s crashed: %s', 500);
export const HarnessFailedError = createError('EVL_ERR_HARNESS_FAILED', 'The harness could not run case %s: %s', 500);
