import '@mantine/charts/styles.css';

import { BarChart } from '@mantine/charts';
import { Stack, Text } from '@mantine/core';
import type { MetaFormHealth } from '../api/meta-api';

const MAX_LABEL = 22;
const shorten = (name: string) => (name.length > MAX_LABEL ? `${name.slice(0, MAX_LABEL - 1)}…` : name);

/**
 * Leads today per form: the API gives counts per form, not a time series, so this compares forms rather than hours.
 * Recharts renders text as SVG text nodes, so form names are never interpreted as markup.
 */
export function LeadsTodayChart({ forms }: { forms: MetaFormHealth[] }) {
  const total = forms.reduce((sum, f) => sum + f.leadsToday, 0);
  if (forms.length === 0) return null;
  const data = forms.map((form) => ({ form: shorten(form.name || form.formId), leads: form.leadsToday }));
  return (
    <Stack gap={6} data-testid="meta-leads-chart">
      <Text size="xs" c="dimmed" fw={500}>
        Leads today by form
      </Text>
      {total === 0 ? (
        <Text size="sm" c="dimmed">
          No leads yet today.
        </Text>
      ) : (
        <BarChart
          h={Math.max(90, forms.length * 36 + 30)}
          data={data}
          dataKey="form"
          orientation="vertical"
          series={[{ name: 'leads', label: 'Leads today', color: 'indigo.6' }]}
          gridAxis="none"
          tickLine="none"
          withXAxis={false}
          withBarValueLabel
          maxBarWidth={22}
          yAxisProps={{ width: 150 }}
          valueFormatter={(value) => String(value)}
        />
      )}
    </Stack>
  );
}
