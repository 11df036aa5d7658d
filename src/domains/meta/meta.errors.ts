import { AppError } from '../../lib/errors';
import { GraphError } from './graph-client';

const RECONNECT = 'Reconnect Facebook to resume lead capture; no lead is lost meanwhile.';

/** Why a connection needs the admin, in words, from a Graph error (meta-platform.md §7: 190 subcodes, 10/200–299). */
export function reconnectReason(error: { kind?: string; code: number | null; subcode: number | null }): string {
  if (
    error.kind === 'permission' ||
    error.code === 10 ||
    (error.code !== null && error.code >= 200 && error.code <= 299)
  ) {
    return `Facebook refused access because a permission LeadsBoost needs was removed or declined. ${RECONNECT}`;
  }
  const why: Record<number, string> = {
    458: 'LeadsBoost was removed from the Facebook account that connected it.',
    459: 'Facebook has locked the account that connected LeadsBoost (checkpoint).',
    460: 'The Facebook password was changed or the session was reset.',
    463: 'The Facebook login has expired.',
    464: 'The Facebook account that connected LeadsBoost is not confirmed.',
    466: 'The Facebook login was invalidated.',
    467: 'The person who connected Facebook logged out of it.',
    492: 'The person who connected Facebook no longer has a role on the Page.',
  };
  return `${why[error.subcode ?? -1] ?? 'Facebook no longer accepts the saved login.'} ${RECONNECT}`;
}

/** A Graph failure during an API request, as the answer to that request. */
export function requestFailure(error: unknown): unknown {
  if (!(error instanceof GraphError)) return error;
  if (error.kind === 'auth_expired' || error.kind === 'permission') {
    return new AppError('meta_reconnect_required', reconnectReason(error));
  }
  if (error.kind === 'rate_limited') {
    return new AppError('meta_unavailable', 'Facebook asked us to slow down. Try again in a few minutes.');
  }
  if (error.kind === 'transient') {
    return new AppError('meta_unavailable', 'Facebook did not answer. Try again in a moment.');
  }
  return new AppError('meta_unavailable', `Facebook refused the request: ${error.message.slice(0, 300)}`);
}
