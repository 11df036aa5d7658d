export type Role = 'owner' | 'admin' | 'manager' | 'agent' | 'viewer';

export const ROLES: { value: Role; label: string; description: string }[] = [
  {
    value: 'owner',
    label: 'Owner',
    description: 'Full control, including security settings and deleting the workspace.',
  },
  { value: 'admin', label: 'Admin', description: 'Manages settings, members, integrations and API keys.' },
  {
    value: 'manager',
    label: 'Manager',
    description: "Sees every lead and the team's performance; assigns and reassigns leads.",
  },
  { value: 'agent', label: 'Agent', description: 'Works the leads assigned to them and replies to customers.' },
  { value: 'viewer', label: 'Viewer', description: 'Read-only access to leads and reports.' },
];

export const roleLabel = (role: string): string => ROLES.find((r) => r.value === role)?.label ?? role;

export const ROLE_COLORS: Record<Role, string> = {
  owner: 'grape',
  admin: 'indigo',
  manager: 'teal',
  agent: 'blue',
  viewer: 'gray',
};

export const COUNTRIES: { value: string; label: string }[] = [
  { value: 'MY', label: 'Malaysia' },
  { value: 'SG', label: 'Singapore' },
  { value: 'ID', label: 'Indonesia' },
  { value: 'TH', label: 'Thailand' },
  { value: 'PH', label: 'Philippines' },
  { value: 'VN', label: 'Vietnam' },
  { value: 'BN', label: 'Brunei' },
  { value: 'KH', label: 'Cambodia' },
  { value: 'MM', label: 'Myanmar' },
  { value: 'HK', label: 'Hong Kong' },
  { value: 'TW', label: 'Taiwan' },
  { value: 'CN', label: 'China' },
  { value: 'JP', label: 'Japan' },
  { value: 'KR', label: 'South Korea' },
  { value: 'IN', label: 'India' },
  { value: 'PK', label: 'Pakistan' },
  { value: 'BD', label: 'Bangladesh' },
  { value: 'AE', label: 'United Arab Emirates' },
  { value: 'SA', label: 'Saudi Arabia' },
  { value: 'AU', label: 'Australia' },
  { value: 'NZ', label: 'New Zealand' },
  { value: 'GB', label: 'United Kingdom' },
  { value: 'IE', label: 'Ireland' },
  { value: 'DE', label: 'Germany' },
  { value: 'FR', label: 'France' },
  { value: 'NL', label: 'Netherlands' },
  { value: 'ES', label: 'Spain' },
  { value: 'IT', label: 'Italy' },
  { value: 'US', label: 'United States' },
  { value: 'CA', label: 'Canada' },
  { value: 'MX', label: 'Mexico' },
  { value: 'BR', label: 'Brazil' },
  { value: 'ZA', label: 'South Africa' },
  { value: 'NG', label: 'Nigeria' },
].map((c) => ({ value: c.value, label: `${c.label} (${c.value})` }));

const FALLBACK_TIMEZONES = [
  'Asia/Kuala_Lumpur',
  'Asia/Singapore',
  'Asia/Jakarta',
  'Asia/Bangkok',
  'Asia/Manila',
  'Asia/Ho_Chi_Minh',
  'Asia/Hong_Kong',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Australia/Sydney',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'UTC',
];

export function listTimezones(current?: string): string[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = FALLBACK_TIMEZONES;
  }
  const all = new Set(zones);
  all.add('UTC');
  if (current) all.add(current);
  return [...all].sort();
}
