import { api, seg } from '../../../lib/api';

export type RuleOp = 'eq' | 'neq' | 'in' | 'contains';

export interface RuleCondition {
  field: string;
  op: RuleOp;
  value: unknown;
}

export type RuleAssign = { type: 'user'; userId: string } | { type: 'round_robin'; userIds: string[] };

export interface RoutingRule {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RuleCondition[];
  assign: RuleAssign;
}

export interface RuleInput {
  name: string;
  enabled?: boolean;
  conditions: RuleCondition[];
  assign: RuleAssign;
}

export interface RoutingMember {
  userId: string;
  name: string;
  role: string;
  available: boolean;
  capacity: number | null;
  openLeads: number;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/routing`;

export const routingApi = {
  rules: (workspaceId: string) => api.get<{ items: RoutingRule[] }>(`${base(workspaceId)}/rules`),
  createRule: (workspaceId: string, input: RuleInput) => api.post<RoutingRule>(`${base(workspaceId)}/rules`, input),
  updateRule: (workspaceId: string, ruleId: string, patch: Partial<RuleInput>) =>
    api.patch<RoutingRule>(`${base(workspaceId)}/rules/${seg(ruleId)}`, patch),
  removeRule: (workspaceId: string, ruleId: string) => api.delete(`${base(workspaceId)}/rules/${seg(ruleId)}`),
  reorderRules: (workspaceId: string, ruleIds: string[]) =>
    api.put<unknown>(`${base(workspaceId)}/rules/order`, { ruleIds }),
  members: (workspaceId: string) => api.get<{ items: RoutingMember[] }>(`${base(workspaceId)}/members`),
  updateMember: (workspaceId: string, userId: string, patch: { available?: boolean; capacity?: number | null }) =>
    api.patch<RoutingMember>(`${base(workspaceId)}/members/${seg(userId)}`, patch),
};

export const ROUTING_FIELDS: { value: string; label: string }[] = [
  { value: 'source', label: 'Source' },
  { value: 'form_id', label: 'Form ID' },
  { value: 'form_name', label: 'Form name' },
  { value: 'campaign_name', label: 'Campaign name' },
  { value: 'platform', label: 'Platform' },
  { value: 'country', label: 'Country' },
];

export const RULE_OPS: { value: RuleOp; label: string }[] = [
  { value: 'eq', label: 'is' },
  { value: 'neq', label: 'is not' },
  { value: 'in', label: 'is one of' },
  { value: 'contains', label: 'contains' },
];
