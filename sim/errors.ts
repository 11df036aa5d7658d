import { newFbtraceId } from './random';

/**
 * Meta's Graph error object (meta-platform.md §7): `{"error":{message,type,code,error_subcode?,is_transient?,
 * fbtrace_id}}`, almost always with HTTP 400. Throttle errors carry their usage headers instead of the normal ones.
 */
export class GraphError extends Error {
  readonly code: number;
  readonly subcode: number | undefined;
  readonly isTransient: boolean | undefined;
  readonly httpStatus: number;
  /** When set, these headers replace the normal usage headers (throttles). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: number,
    message: string,
    options: { subcode?: number; isTransient?: boolean; httpStatus?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'GraphError';
    this.code = code;
    this.subcode = options.subcode;
    this.isTransient = options.isTransient;
    this.httpStatus = options.httpStatus ?? 400;
    this.headers = options.headers;
  }

  body(): { error: Record<string, unknown> } {
    return {
      error: {
        message: this.message,
        type: 'OAuthException',
        ...(this.isTransient === undefined ? {} : { is_transient: this.isTransient }),
        code: this.code,
        ...(this.subcode === undefined ? {} : { error_subcode: this.subcode }),
        fbtrace_id: newFbtraceId(),
      },
    };
  }
}

/** `Tuesday, 10-Mar-26 07:00:00 PDT`: the date format of Meta's expired-token message (Pacific time). */
export function pacificDate(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      weekday: 'long',
      day: '2-digit',
      month: 'short',
      year: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday}, ${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

export const tokenMessages = {
  invalid: 'Invalid OAuth access token - Cannot parse access token',
  expired: (expiredAtSec: number, nowMs: number) =>
    `Error validating access token: Session has expired on ${pacificDate(new Date(expiredAtSec * 1000))}. The current time is ${pacificDate(new Date(nowMs))}.`,
  458: (appId: string) => `Error validating access token: The user has not authorized application ${appId}.`,
  460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  466: 'Error validating access token: The session was invalidated explicitly using an API call.',
} as const;

export const errors = {
  missingToken: () => new GraphError(104, 'An access token is required to request this resource.'),
  invalidToken: () => new GraphError(190, tokenMessages.invalid),
  tokenError: (subcode: number, message: string) => new GraphError(190, message, { subcode }),
  missingProof: () => new GraphError(100, 'API calls from the server require an appsecret_proof argument'),
  badProof: () => new GraphError(100, 'Invalid appsecret_proof provided in the API argument'),
  unsupported: (method: string, id: string) =>
    new GraphError(
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      { subcode: 33 },
    ),
  unknownPath: (path: string) => new GraphError(2500, `Unknown path components: /${path}`),
  nonexistingField: (field: string, nodeType: string) =>
    new GraphError(100, `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`),
  invalidParameter: (message: string, subcode?: number) =>
    new GraphError(100, message.startsWith('(#100)') ? message : `(#100) ${message}`, { subcode }),
  missingScope: (scope: string) => new GraphError(200, `(#200) Requires ${scope} permission to manage the object`),
  pageTokenRequired: () => new GraphError(210, '(#210) A page access token is required to request this resource.'),
  appTokenRequired: () =>
    new GraphError(
      100,
      '(#100) You must provide an app access token, or a user access token that is an owner or developer of the app',
    ),
  serviceError: (code: number, subcode?: number, message?: string, httpStatus?: number) =>
    new GraphError(code, message ?? defaultMessage(code), {
      subcode,
      isTransient: code === 1 || code === 2 ? true : undefined,
      httpStatus,
    }),
};

function defaultMessage(code: number): string {
  if (code === 1) return 'An unknown error occurred';
  if (code === 2) return 'An unexpected error has occurred. Please retry your request later.';
  if (code === 190) return tokenMessages.invalid;
  if (code >= 200 && code <= 299) return `(#${code}) Permissions error`;
  return `(#${code}) Simulated error`;
}

export type ThrottleCode = 4 | 17 | 32 | 80004 | 80005;
export const THROTTLE_CODES: readonly ThrottleCode[] = [4, 17, 32, 80004, 80005];

/**
 * The throttle answers of `graph-error-rate-limits.json`. The BUC header is keyed by the object the call was about
 * (ad account for 80004, Page for 80005) when the simulator knows it, else by the fixture's id.
 */
export function throttleError(code: ThrottleCode, objectId?: { pageId?: string; accountId?: string }): GraphError {
  switch (code) {
    case 4:
      return new GraphError(4, '(#4) Application request limit reached', {
        isTransient: true,
        headers: { 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 12, total_time: 18 }) },
      });
    case 17:
      return new GraphError(17, '(#17) User request limit reached', {
        isTransient: true,
        subcode: 2446079,
        headers: {},
      });
    case 32:
      return new GraphError(32, '(#32) Page request limit reached', {
        headers: { 'x-page-usage': JSON.stringify({ call_count: 100, total_cputime: 5, total_time: 9 }) },
      });
    case 80004:
      return new GraphError(
        80004,
        '(#80004) There have been too many calls to this ad-account. Wait a bit and try again.',
        {
          isTransient: true,
          subcode: 2446079,
          headers: {
            'x-business-use-case-usage': JSON.stringify({
              [objectId?.accountId ?? '400000000000001']: [
                {
                  type: 'ads_management',
                  call_count: 100,
                  total_cputime: 20,
                  total_time: 25,
                  estimated_time_to_regain_access: 5,
                  ads_api_access_tier: 'standard_access',
                },
              ],
            }),
          },
        },
      );
    case 80005:
      return new GraphError(
        80005,
        '(#80005) There have been too many leadgen api calls to this Page. Wait a bit and try again.',
        {
          isTransient: true,
          headers: {
            'x-business-use-case-usage': JSON.stringify({
              [objectId?.pageId ?? '100000000000001']: [
                {
                  type: 'leadgen',
                  call_count: 100,
                  total_cputime: 3,
                  total_time: 4,
                  estimated_time_to_regain_access: 30,
                },
              ],
            }),
          },
        },
      );
  }
}
