import createError from '@fastify/error';

/**
 * Errors of the release gate (listed in docs/ERRORS.md). Misconfiguration exits 2, a refused promotion
 * or a failed verification exits 1.
 *
 * @example
 *   throw new PolicyInvalidError('gates/policy.yaml', '  - pr.checks.eval-pass-rate.weight: expected number');
 */
export const PolicyInvalidError = createError('GATE_ERR_POLICY_INVALID', 'Policy file %s is invalid:\n%s', 500);
export const PolicyUnknownError = createError('GATE_ERR_POLICY_UNKNOWN', "Unknown policy '%s'. Policies in %s: %s", 400);
export const DecisionInvalidError = createError('GATE_ERR_DECISION_INVALID', 'Decision %s cannot be used: %s', 500);
export const PromotionRefusedError = createError('GATE_ERR_PROMOTION_REFUSED', 'Promotion refused: %s', 409);
export const SigningKeyInvalidError = createError('GATE_ERR_SIGNING_KEY_INVALID', 'Signing key problem: %s', 500);
export const RecordInvalidError = createError('GATE_ERR_RECORD_INVALID', 'Promotion record %s cannot be read: %s', 500);
