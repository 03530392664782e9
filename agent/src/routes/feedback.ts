import type { FastifyInstance } from 'fastify';
import { FeedbackRequestSchema, jsonSchemaOf, type FeedbackRequest } from '../contract/http.js';
import type { Service } from '../service/service.js';
import { errorResponses } from './chat.js';

export const ACCURACY_WINDOW = 200;

/** Rolling share of good ratings per category over the last ACCURACY_WINDOW ratings (per instance). */
export function createAccuracyTracker(window = ACCURACY_WINDOW) {
  const ratings = new Map<string, boolean[]>();
  return {
    record(category: string, good: boolean): number {
      const list = ratings.get(category) ?? [];
      list.push(good);
      if (list.length > window) list.shift();
      ratings.set(category, list);
      return list.filter(Boolean).length / list.length;
    },
  };
}

export function registerFeedbackRoute(app: FastifyInstance, service: Service): void {
  const tracker = createAccuracyTracker();
  app.post<{ Body: FeedbackRequest }>(
    '/v1/feedback',
    {
      schema: {
        tags: ['quality'],
        summary: 'Rate an answer: feeds luminamind_response_quality_total and luminamind_accuracy_score',
        body: jsonSchemaOf(FeedbackRequestSchema),
        response: { 202: { type: 'object', properties: { accepted: { type: 'boolean' }, accuracy: { type: 'number' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { rating, thread_id, run_id } = request.body;
      const category = request.body.category ?? 'general';
      service.metrics.responseQuality.inc({ category, rating });
      const accuracy = tracker.record(category, rating === 'good');
      service.metrics.accuracyScore.set({ category }, accuracy);
      request.log.info({ thread_id, run_id, rating, category }, 'feedback_recorded');
      return reply.code(202).send({ accepted: true, accuracy });
    },
  );
}
