import { Center, Loader, Skeleton, Stack } from '@mantine/core';
import { isApiError } from '../lib/api';
import { ErrorAlert } from './error-alert';
import { Forbidden, MfaRequired } from './status-pages';

/** Turns a failed query into the right screen: no access, 2FA required, or the server's message. */
export function QueryError({ error, title }: { error: unknown; title?: string }) {
  if (isApiError(error, 'forbidden')) return <Forbidden />;
  if (isApiError(error, 'mfa_enrolment_required')) return <MfaRequired />;
  return <ErrorAlert error={error} title={title ?? "Couldn't load this"} />;
}

export function PageLoader() {
  return (
    <Center py={80} data-testid="page-loader">
      <Loader />
    </Center>
  );
}

export function TableSkeleton({ rows = 4 }: { rows?: number }) {
  return (
    <Stack gap="xs" data-testid="table-skeleton">
      <Skeleton height={36} radius="sm" />
      {Array.from({ length: rows }, (_, i) => `row-${i}`).map((key) => (
        <Skeleton key={key} height={44} radius="sm" />
      ))}
    </Stack>
  );
}
