import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** `x-request-id` on every response; `connection: close` while draining. */
export const responseHeaders = fp(
  async (app: FastifyInstance) => {
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
      // While draining, keep-alive sockets would hold close() open until their idle timeout; end them with the reply.
      if (app.luminamind.draining) reply.header('connection', 'close');
    });
  },
  { name: 'luminamind-response-headers', fastify: '5.x', dependencies: ['luminamind-service'] },
);
