/** Money and numbers in the browser's locale; the currency code is shown when Intl does not know it. */
export function formatMoney(value: number | null | undefined, currency?: string | null): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 2 }).format(value);
    } catch {
      return `${currency} ${formatNumber(value)}`;
    }
  }
  return formatNumber(value);
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value);
}

/** Short money for tight places (board column headers): 12.3K, 1.2M. */
export function formatCompactMoney(value: number | null | undefined, currency?: string | null): string {
  if (value === null || value === undefined) return '—';
  const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  return currency ? `${currency} ${compact}` : compact;
}

/** Only http(s) and mailto links are rendered as links; anything else (javascript:, data:) stays text. */
export function safeHref(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}
