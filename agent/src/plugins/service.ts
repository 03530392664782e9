import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Service } from '../service/service.js';

export interface ServicePluginOptions {
  readonly service: Service;
  /** Closed with the server, after the routes stop (main.ts hands over what it opened). */
  readonly closeables?: readonly (() => Promise<void>)[];
}

declare module 'fastify' {
  interface FastifyInstance {
    luminamind: Service;
  }
}

/** Decorates the root instance with the service (routes, main.ts and tests read `app.luminamind`) and closes what it was handed. */
export const servicePlugin = fp<ServicePluginOptions>(
  async (app: FastifyInstance, { service, closeables = [] }) => {
    app.decorate('luminamind', service);
    app.addHook('onClose', async () => {
      service.workspaces.close();
      for (const close of closeables) await close().catch((err: unknown) => service.log.warn({ err }, 'close_failed'));
    });
  },
  { name: 'luminamind-service', fastify: '5.x' },
);
