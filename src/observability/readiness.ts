/**
 * `/ready` through Yoga's own useReadinessCheck, for the path only: Yoga's plugin also answers any
 * URL that ends with the endpoint, so `POST /graphql?x=/ready` would get a readiness answer and never
 * execute or be logged. (`/health`, Yoga's built-in, keeps that behaviour: such a request executes nothing.)
 */
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import { requestPath } from '../request-path.js';

export function useReadiness(isReady: () => boolean | Promise<boolean>): Plugin {
  const readiness = useReadinessCheck({ endpoint: '/ready', check: isReady });
  const answer = readiness.onRequest!;
  return { ...readiness, onRequest: (payload) => (requestPath(payload.request.url) === '/ready' ? answer(payload) : undefined) };
}
