import createError from '@fastify/error';

/**
 * Every error LuminaMind raises has a stable code (never reused) listed in docs/ERRORS.md; a test keeps
 * the two in sync. Match on `err.code`, never on the message.
 *
 * @example
 *   throw new ConfigInvalidError('PORT: expected a number');
 *   // err.code === 'AGT_ERR_CONFIG_INVALID', err.statusCode === 500
 */
export const ConfigInvalidError = createError('AGT_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500);
export const ToolUnknownError = createError('AGT_ERR_TOOL_UNKNOWN', "Unknown tool '%s'. Known tools: %s", 400);
export const ToolInputInvalidError = createError('AGT_ERR_TOOL_INPUT_INVALID', 'Invalid input for %s: %s', 400);
export const PathOutsideWorkspaceError = createError(
  'AGT_ERR_PATH_OUTSIDE_WORKSPACE',
  'Path not allowed: %s. Allowed root: %s. %s',
  403,
);
export const CommandRefusedError = createError('AGT_ERR_COMMAND_REFUSED', '%s', 403);
export const SandboxUnavailableError = createError('AGT_ERR_SANDBOX_UNAVAILABLE', '%s', 503);
export const UrlRefusedError = createError('AGT_ERR_URL_REFUSED', 'URL refused: %s', 403);
export const HttpRequestFailedError = createError('AGT_ERR_HTTP_REQUEST_FAILED', '%s', 502);
export const ModelUnavailableError = createError('AGT_ERR_MODEL_UNAVAILABLE', 'Model unavailable: %s', 503);
export const ModelRejectedError = createError('AGT_ERR_MODEL_REJECTED', 'The model endpoint refused the call: %s', 502);
export const CircuitOpenError = createError('AGT_ERR_CIRCUIT_OPEN', 'Circuit open for model %s; retry after %s ms', 503);
export const ApprovalRequiredError = createError('AGT_ERR_APPROVAL_DENIED', 'Action %s was not approved: %s', 403);
export const CliUsageError = createError('AGT_ERR_CLI_USAGE', '%s', 400);
export const FileNotFoundError = createError('AGT_ERR_FILE_NOT_FOUND', '%s', 404);
export const FileOperationFailedError = createError('AGT_ERR_FILE_OPERATION_FAILED', '%s', 500);
export const PatternInvalidError = createError('AGT_ERR_PATTERN_INVALID', '%s', 400);
export const PatternUnsupportedError = createError('AGT_ERR_PATTERN_UNSUPPORTED', '%s', 400);
export const PatchFailedError = createError('AGT_ERR_PATCH_FAILED', '%s', 409);
export const CheckpointFailedError = createError('AGT_ERR_CHECKPOINT_FAILED', 'Checkpoint %s failed: %s', 503);
export const CheckpointCorruptError = createError('AGT_ERR_CHECKPOINT_CORRUPT', 'Checkpoint data is inconsistent (%s): %s', 500);
export const CheckpointRequestInvalidError = createError('AGT_ERR_CHECKPOINT_REQUEST_INVALID', 'Invalid checkpoint request: %s', 400);
export const RequestInvalidError = createError('AGT_ERR_REQUEST_INVALID', 'Invalid request: %s', 400);
export const BodyTooLargeError = createError('AGT_ERR_BODY_TOO_LARGE', 'Request body larger than %s bytes', 413);
export const UnsupportedMediaTypeError = createError('AGT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type: %s', 415);
export const UnauthorizedError = createError('AGT_ERR_UNAUTHORIZED', '%s', 401);
export const NotFoundError = createError('AGT_ERR_NOT_FOUND', '%s', 404);
export const RunNotFoundError = createError('AGT_ERR_RUN_NOT_FOUND', 'Run %s of thread %s is not one this service answered (or it was deleted)', 404);
export const MethodNotAllowedError = createError('AGT_ERR_METHOD_NOT_ALLOWED', '%s', 405);
export const UriTooLongError = createError('AGT_ERR_URI_TOO_LONG', '%s', 414);
export const RequestTimeoutError = createError('AGT_ERR_REQUEST_TIMEOUT', '%s', 408);
export const HeadersTooLargeError = createError('AGT_ERR_HEADERS_TOO_LARGE', '%s', 431);
export const RateLimitedError = createError('AGT_ERR_RATE_LIMITED', 'Rate limit exceeded: %s', 429);
export const ThreadBusyError = createError('AGT_ERR_THREAD_BUSY', 'Thread %s already has a run in progress', 409);
export const NoPendingApprovalError = createError('AGT_ERR_NO_PENDING_APPROVAL', '%s', 409);
export const AnswerRejectedError = createError('AGT_ERR_ANSWER_REJECTED', 'The answer failed validation: %s', 502);
export const ShuttingDownError = createError('AGT_ERR_SHUTTING_DOWN', 'The service is shutting down', 503);
export const InternalError = createError('AGT_ERR_INTERNAL', 'Internal error (request %s)', 500);
export const VaultReadFailedError = createError('AGT_ERR_VAULT_READ_FAILED', 'Vault read failed at %s: %s', 500);

/** Narrowing helper: the stable code of any thrown value, if it has one. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
