import type { FaultBook } from './faults';
import type { SimLead, SimPage, SimToken, SimUser, World } from './state';
import type { UsageTracker } from './usage';
import type { WebhookDispatcher } from './webhooks';

/** What the route modules share: the world, the faults, the webhook queue and the simulator's own settings. */
export interface SimRuntime {
  world: World;
  faults: FaultBook;
  webhooks: WebhookDispatcher;
  usage: UsageTracker;
  settings: {
    appId: string;
    appSecret: string;
    appName: string;
    requireAppSecretProof: boolean;
    shortLivedCodeTokens: boolean;
  };
  /** `http://host:port`, the base of `paging.next` links. */
  baseUrl(): string;
  recordCall(call: GraphCall): void;
  /** Queues the lead's webhook when the app can receive it; says why not otherwise. */
  deliverLead(lead: SimLead): WebhookOutcome;
}

export type WebhookOutcome = 'queued' | 'not_requested' | 'no_webhook_url' | 'page_not_subscribed';

export interface GraphCall {
  at: string;
  method: string;
  /** The path as received, with its version. */
  path: string;
  version: string | null;
  /** Query and body parameters, without tokens, proofs, secrets or codes. */
  query: Record<string, string>;
  status: number;
  errorCode: number | null;
  errorSubcode: number | null;
  tokenType: 'USER' | 'PAGE' | 'APP' | null;
}

export type Principal =
  | { kind: 'APP' }
  | { kind: 'USER'; token: SimToken; user: SimUser }
  | { kind: 'PAGE'; token: SimToken; user: SimUser; page: SimPage };

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  version: string | null;
  segments: string[];
  params: Record<string, string>;
  accessToken: string | null;
  principal: Principal | null;
}

export const DEFAULT_VERSION = 'v25.0';
