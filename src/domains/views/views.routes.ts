import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../app/container';

/** Routes under `/api/v1/workspaces/:workspaceId` (issue 4; see docs/api-contract.md). */
export function viewsRoutes(_c: Container): FastifyPluginAsyncZod {
  return async (_app) => {};
}
