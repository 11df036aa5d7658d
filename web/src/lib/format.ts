import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(relativeTime);

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = dayjs(value);
  return date.isValid() ? date.format('D MMM YYYY, HH:mm') : '—';
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = dayjs(value);
  return date.isValid() ? date.format('D MMM YYYY') : '—';
}

export function formatRelative(value: string | null | undefined): string {
  if (!value) return 'Never';
  const date = dayjs(value);
  return date.isValid() ? date.fromNow() : '—';
}

/** `YYYY-MM-DD` from a date input, read in the browser's timezone. */
export function startOfDayIso(day: string): string {
  return dayjs(`${day}T00:00:00`).toISOString();
}

export function endOfDayIso(day: string): string {
  return dayjs(`${day}T23:59:59.999`).toISOString();
}

export function todayInput(): string {
  return dayjs().format('YYYY-MM-DD');
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]![0]}${parts[parts.length - 1]![0]}` : (parts[0]?.slice(0, 2) ?? '?');
  return letters.toUpperCase();
}
