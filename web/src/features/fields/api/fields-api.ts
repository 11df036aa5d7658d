import { api, seg } from '../../../lib/api';

export type FieldEntity = 'lead' | 'contact';

export type FieldType =
  | 'text'
  | 'long_text'
  | 'number'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'single_select'
  | 'multi_select'
  | 'checkbox'
  | 'email'
  | 'phone'
  | 'url';

export interface FieldOption {
  value: string;
  label: string;
  color?: string;
}

export interface FieldDefinition {
  id: string;
  entity: FieldEntity;
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options: FieldOption[];
  currency: string | null;
  position: number;
  archived: boolean;
}

export interface FieldInput {
  entity: FieldEntity;
  label: string;
  type: FieldType;
  key?: string;
  required?: boolean;
  options?: FieldOption[];
  currency?: string | null;
}

export interface FieldPatch {
  label?: string;
  required?: boolean;
  options?: FieldOption[];
  position?: number;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/fields`;

export const fieldsApi = {
  list: (workspaceId: string, entity: FieldEntity) =>
    api.get<{ items: FieldDefinition[] }>(base(workspaceId), { query: { entity } }),
  create: (workspaceId: string, input: FieldInput) => api.post<FieldDefinition>(base(workspaceId), input),
  update: (workspaceId: string, fieldId: string, patch: FieldPatch) =>
    api.patch<FieldDefinition>(`${base(workspaceId)}/${seg(fieldId)}`, patch),
  archive: (workspaceId: string, fieldId: string) => api.delete(`${base(workspaceId)}/${seg(fieldId)}`),
};

export const FIELD_TYPES: { value: FieldType; label: string; color: string }[] = [
  { value: 'text', label: 'Text', color: 'gray' },
  { value: 'long_text', label: 'Long text', color: 'gray' },
  { value: 'number', label: 'Number', color: 'blue' },
  { value: 'currency', label: 'Currency', color: 'teal' },
  { value: 'date', label: 'Date', color: 'orange' },
  { value: 'datetime', label: 'Date and time', color: 'orange' },
  { value: 'single_select', label: 'Single select', color: 'violet' },
  { value: 'multi_select', label: 'Multi select', color: 'grape' },
  { value: 'checkbox', label: 'Checkbox', color: 'cyan' },
  { value: 'email', label: 'Email', color: 'indigo' },
  { value: 'phone', label: 'Phone', color: 'indigo' },
  { value: 'url', label: 'URL', color: 'indigo' },
];

export const fieldTypeLabel = (type: FieldType): string => FIELD_TYPES.find((t) => t.value === type)?.label ?? type;
export const fieldTypeColor = (type: FieldType): string => FIELD_TYPES.find((t) => t.value === type)?.color ?? 'gray';
