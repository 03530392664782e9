import type { FastifyPluginAsync } from 'fastify';
import { approvalsRoute } from '../routes/approvals.js';
import { chatRoute } from '../routes/chat.js';
import { feedbackRoute } from '../routes/feedback.js';
import { threadDeleteRoute } from '../routes/thread-delete.js';
import { threadHistoryRoute } from '../routes/thread-history.js';
import { authentication } from './auth.js';
import { edgeRateLimit } from './rate-limit.js';

/**
 * The versioned API (registered under `/v1`), encapsulated: authentication and the per-key rate limit apply to
 * these routes only, so /health, /ready, /metrics and /docs stay open.
 */
export const v1Api: FastifyPluginAsync = async (v1) => {
  await v1.register(authentication);
  await v1.register(edgeRateLimit);
  await v1.register(chatRoute);
  await v1.register(approvalsRoute);
  await v1.register(threadHistoryRoute);
  await v1.register(threadDeleteRoute);
  await v1.register(feedbackRoute);
};
