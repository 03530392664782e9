import createError from '@fastify/error';

/**
 * Errors of the report envelope reader/writer. Codes are listed in docs/ERRORS.md.
 *
 * @example
 *   throw new ReportInvalidError('reports/eval/report.json', '  - summary.passRate: expected number');
 */
export const ReportInvalidError = createError('EVL_ERR_REPORT_INVALID', 'Report %s does not match the envelope schema:\n%s', 500);
export const ReportUnreadableError = createError('EVL_ERR_REPORT_UNREADABLE', 'Report %s cannot be read: %s', 500);
export const ReportMergeRefusedError = createError('EVL_ERR_REPORT_MERGE_REFUSED', 'Refusing to merge reports: %s', 409);
