import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, httpStatusOf } from '../lib/errors';

/** Maps every thrown error to `{error: {code, message, requestId}}`; never a stack trace. */
export function handleError(error: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) {
  const requestId = String(req.id);
  const send = (status: number, code: ErrorCode | string, message: string, extra: Record<string, unknown> = {}) =>
    reply.code(status).send({ error: { code, message, requestId, ...extra } });

  if (error instanceof AppError) {
    if (error.retryAfter) reply.header('retry-after', String(error.retryAfter));
    if (httpStatusOf(error.code) >= 500) req.log.error({ err: error }, 'request failed');
    return send(httpStatusOf(error.code), error.code, error.message, error.details ? { details: error.details } : {});
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((v) => ({
      path: [
        error.validationContext,
        ...String(v.instancePath ?? '')
          .split('/')
          .filter(Boolean),
      ].join('.'),
      message: v.message ?? 'Invalid value',
    }));
    const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    return send(400, 'validation_failed', `Some fields are not valid: ${summary}`, { details });
  }
  const fe = error as FastifyError;
  // Raised by the router before any route runs (see `frameworkErrors` in server.ts): a malformed percent-encoding,
  // or a path segment longer than any id or token can be.
  if (fe.code === 'FST_ERR_BAD_URL') return send(400, 'validation_failed', 'The address is not valid.');
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return send(404, 'not_found', 'There is nothing at this address.');
  if (fe.statusCode === 429) {
    return send(429, 'rate_limited', 'Too many requests. Wait a moment and try again.');
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(413, 'payload_too_large', 'The request body is too large.');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return send(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Malformed JSON, empty bodies and the like: the client's mistake, told plainly.
    return send(
      400,
      'validation_failed',
      fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'The request body is empty.'
        : 'The request could not be read. Send valid JSON.',
    );
  }
  req.log.error({ err: error }, 'unhandled error');
  return send(
    500,
    'internal',
    'Something went wrong on our side. Try again; if it keeps happening, contact support with the request id.',
  );
}
