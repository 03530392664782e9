import type { FastifyPluginAsync } from 'fastify';
import { FeedbackRequestSchema, jsonSchemaOf, type FeedbackRequest } from '../contract/http.js';
import { RunNotFoundError } from '../errors.js';
import { errorResponses } from './error-responses.js';

export const ACCURACY_WINDOW = 200;
/** Categories tracked (and metric label values); a client naming more shares `other`, so memory stays bounded. */
export const MAX_FEEDBACK_CATEGORIES = 100;
export const OVERFLOW_CATEGORY = 'other';

/**
 * Rolling share of good ratings per category over the last ACCURACY_WINDOW ratings (per instance). Categories are
 * the client's words: beyond `maxCategories` distinct ones, new ones are recorded as `other`.
 */
export function createAccuracyTracker(window = ACCURACY_WINDOW, maxCategories = MAX_FEEDBACK_CATEGORIES) {
  const ratings = new Map<string, boolean[]>();
  return {
    record(asked: string, good: boolean): { category: string; accuracy: number } {
      const category = ratings.has(asked) || ratings.size < maxCategories ? asked : OVERFLOW_CATEGORY;
      const list = ratings.get(category) ?? [];
      list.push(good);
      if (list.length > window) list.shift();
      ratings.set(category, list);
      return { category, accuracy: list.filter(Boolean).length / list.length };
    },
  };
}

/** `POST /feedback` (under /v1): rate an answer this service gave (an unknown run is a 404). */
export const feedbackRoute: FastifyPluginAsync = async (app) => {
  const service = app.luminamind;
  const tracker = createAccuracyTracker();
  app.post<{ Body: FeedbackRequest }>(
    '/feedback',
    {
      schema: {
        tags: ['quality'],
        summary: 'Rate an answer: feeds luminamind_response_quality_total and luminamind_accuracy_score',
        body: jsonSchemaOf(FeedbackRequestSchema),
        response: { 202: { description: 'Recorded', type: 'object', properties: { accepted: { type: 'boolean' }, accuracy: { type: 'number' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { rating, thread_id, run_id } = request.body;
      if (!(await service.runs.has(thread_id, run_id))) throw new RunNotFoundError(run_id, thread_id);
      const { category, accuracy } = tracker.record(request.body.category ?? 'general', rating === 'good');
      service.metrics.responseQuality.inc({ category, rating });
      service.metrics.accuracyScore.set({ category }, accuracy);
      request.log.info({ thread_id, run_id, rating, category }, 'feedback_recorded');
      return reply.code(202).send({ accepted: true, accuracy });
    },
  );
};
