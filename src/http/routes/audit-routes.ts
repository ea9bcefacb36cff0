import { defineRoute, type ApiRoute } from '../route';
import { auditPage, auditParams, auditQuery } from '../schemas/audit';
import type { RouteServices } from './services';

export function auditRoutes(services: RouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/storyboards/{kind}/{projectId}/{storyboardId}/events',
      summary: "A storyboard's event history (审计)",
      description:
        'Every event of the storyboard slot, oldest first, read from the event store itself (not a projection): requests, ' +
        'regenerations, attempts, site and account switches, completions, failures, deletes, callbacks. Secrets stay sealed.',
      tags: ['Audit (审计)'],
      roles: ['service', 'viewer'],
      params: auditParams,
      query: auditQuery,
      responses: { 200: { description: 'A page of events', data: auditPage } },
      errors: [],
      async handle({ params, query }) {
        const page = await services.audit.storyboardEvents(
          params.kind,
          params.projectId,
          params.storyboardId,
          query.fromRevision ?? 0,
          query.limit ?? 50,
        );
        return { status: 200, data: page };
      },
    }),
  ];
}
