import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { addMember, type Member } from '../support/members';

type Field = {
  id: string;
  entity: string;
  key: string;
  label: string;
  type: string;
  required: boolean;
  options: { value: string; label: string; color?: string }[];
  currency: string | null;
  position: number;
  archived: boolean;
};

describe('custom fields', () => {
  let t: TestApp;
  let owner: SignedIn;
  let agent: Member;
  let viewer: Member;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ companyName: 'Fields Co' });
    agent = await addMember(t, owner, 'agent');
    viewer = await addMember(t, owner, 'viewer');
  });
  afterAll(() => t?.close());

  const url = `/api/v1/workspaces/${'{ws}'}/fields`;
  const fieldsUrl = () => url.replace('{ws}', owner.workspaceId);
  const create = (body: Record<string, unknown>) => owner.client.post(fieldsUrl(), body);
  const list = async (query = 'entity=lead', client = owner.client) => {
    const res = await client.get(`${fieldsUrl()}?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as Field[];
  };
  const error = (res: { json: () => any }) =>
    res.json().error as { code: string; message: string; details?: unknown[] };

  describe('creating', () => {
    it('derives the key from the label and appends in order', async () => {
      const budget = await create({
        entity: 'lead',
        label: 'Budget (RM)',
        type: 'currency',
        currency: 'MYR',
        required: true,
      });
      expect(budget.statusCode, budget.body).toBe(201);
      expect(budget.json()).toMatchObject({
        entity: 'lead',
        key: 'budget_rm',
        label: 'Budget (RM)',
        type: 'currency',
        required: true,
        currency: 'MYR',
        options: [],
        position: 0,
        archived: false,
      });
      const branch = await create({
        entity: 'lead',
        label: 'Preferred branch',
        type: 'single_select',
        options: [
          { label: 'Kuala Lumpur', color: 'blue' },
          { value: 'pg', label: 'Penang' },
        ],
      });
      expect(branch.statusCode, branch.body).toBe(201);
      expect(branch.json()).toMatchObject({
        key: 'preferred_branch',
        position: 1,
        options: [
          { value: 'kuala_lumpur', label: 'Kuala Lumpur', color: 'blue' },
          { value: 'pg', label: 'Penang' },
        ],
      });
      const given = await create({ entity: 'contact', label: 'Anything', key: 'ic_number', type: 'text' });
      expect(given.json()).toMatchObject({ entity: 'contact', key: 'ic_number', position: 0 });
      expect((await list()).map((f) => f.key)).toEqual(['budget_rm', 'preferred_branch']);
      expect((await list('entity=contact')).map((f) => f.key)).toEqual(['ic_number']);
      expect((await list('')).map((f) => f.key)).toEqual(['ic_number', 'budget_rm', 'preferred_branch']);
      const audit = rowsOf<{ action: string }>(
        await t.c.db.execute(sql`select action from audit_log where target_id = ${budget.json().id}`),
      );
      expect(audit.map((r) => r.action)).toEqual(['field.created']);
    });

    it('refuses a key that is taken, in use by an archived field, reserved, or malformed', async () => {
      const taken = await create({ entity: 'lead', label: 'Budget RM', type: 'number' });
      expect(taken.statusCode).toBe(409);
      expect(error(taken)).toMatchObject({
        code: 'conflict',
        message: 'A lead field with the key "budget_rm" already exists. Choose another label or key.',
      });
      // The same key on the other entity is fine.
      expect((await create({ entity: 'contact', label: 'Budget RM', type: 'number' })).statusCode).toBe(201);

      for (const [label, key] of [
        ['Email', undefined],
        ['Stage', undefined],
        ['Tags', undefined],
        ['X', 'owner_id'],
      ]) {
        const reserved = await create({ entity: 'lead', label, key, type: 'text' });
        expect(reserved.statusCode).toBe(400);
        expect(error(reserved).message).toBe(
          `"${key ?? label!.toLowerCase()}" is a built-in field name. Choose another key or label.`,
        );
      }
      const malformed = 'A key starts with a letter and has only a-z, 0-9 and _ (at most 40 characters).';
      for (const key of ['Has Space', '9lives', 'dash-key', 'ümlaut']) {
        const res = await create({ entity: 'lead', label: 'Whatever', key, type: 'text' });
        expect(res.statusCode).toBe(400);
        expect(error(res)).toMatchObject({ message: malformed, details: [{ path: 'key', message: malformed }] });
      }
      const tooLong = await create({ entity: 'lead', label: 'Whatever', key: 'k'.repeat(41), type: 'text' });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.body).toContain('Use at most 40 characters');
      const noLatin = await create({ entity: 'lead', label: '预算', type: 'text' });
      expect(noLatin.statusCode).toBe(400);
      expect(error(noLatin).message).toBe(
        'This label has no letters or digits to make a key from. Give the field a key (a-z, 0-9 and _).',
      );
      // A long label makes a key of at most 40 characters.
      const long = await create({
        entity: 'lead',
        label: 'A very long label that goes on and on and on forever',
        type: 'text',
      });
      expect(long.json().key).toBe('a_very_long_label_that_goes_on_and_on_an');
    });

    it('checks options and currency against the type', async () => {
      const noOptions = await create({ entity: 'lead', label: 'Colour', type: 'single_select' });
      expect(noOptions.statusCode).toBe(400);
      expect(error(noOptions).message).toBe('A choice field needs at least one option.');
      const twice = await create({
        entity: 'lead',
        label: 'Colour',
        type: 'multi_select',
        options: [{ label: 'Red' }, { label: 'red' }],
      });
      expect(twice.statusCode).toBe(400);
      expect(error(twice).message).toBe('The option "red" appears twice.');
      const optionsOnText = await create({ entity: 'lead', label: 'Note', type: 'text', options: [{ label: 'A' }] });
      expect(optionsOnText.statusCode).toBe(400);
      expect(error(optionsOnText).message).toBe('Only single select and multi select fields have options.');
      const currencyOnNumber = await create({ entity: 'lead', label: 'Rooms', type: 'number', currency: 'MYR' });
      expect(currencyOnNumber.statusCode).toBe(400);
      expect(error(currencyOnNumber).message).toBe('Only currency fields have a currency.');
      const badCurrency = await create({ entity: 'lead', label: 'Price', type: 'currency', currency: 'ringgit' });
      expect(badCurrency.statusCode).toBe(400);
      expect(badCurrency.body).toContain('Use a three-letter currency code such as MYR');
      const badType = await create({ entity: 'lead', label: 'Weird', type: 'blob' });
      expect(badType.statusCode).toBe(400);
      const emptyOptionLabel = await create({
        entity: 'lead',
        label: 'Size',
        type: 'single_select',
        options: [{ label: ' ' }],
      });
      expect(emptyOptionLabel.statusCode).toBe(400);
      expect(emptyOptionLabel.body).toContain('Every option needs a label');
    });
  });

  describe('changing', () => {
    it('changes label, required, options and position; never type or key', async () => {
      const [budget, branch] = await list();
      const renamed = await owner.client.patch(`${fieldsUrl()}/${branch!.id}`, {
        label: 'Branch',
        required: true,
        options: [{ value: 'kuala_lumpur', label: 'KL' }, { value: 'pg', label: 'Penang' }, { label: 'Johor Bahru' }],
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toMatchObject({
        key: 'preferred_branch',
        label: 'Branch',
        required: true,
        options: [
          { value: 'kuala_lumpur', label: 'KL' },
          { value: 'pg', label: 'Penang' },
          { value: 'johor_bahru', label: 'Johor Bahru' },
        ],
      });
      const moved = await owner.client.patch(`${fieldsUrl()}/${branch!.id}`, { position: 0 });
      expect(moved.json().position).toBe(0);
      expect((await list()).map((f) => [f.key, f.position]).slice(0, 2)).toEqual([
        ['preferred_branch', 0],
        ['budget_rm', 1],
      ]);

      const type = await owner.client.patch(`${fieldsUrl()}/${budget!.id}`, { type: 'text' });
      expect(type.statusCode).toBe(400);
      expect(error(type).message).toBe('The type of a field cannot change. Create a new field with the type you need.');
      const key = await owner.client.patch(`${fieldsUrl()}/${budget!.id}`, { key: 'money' });
      expect(key.statusCode).toBe(400);
      expect(error(key).message).toBe('The key of a field cannot change: filters, imports and integrations use it.');
      const options = await owner.client.patch(`${fieldsUrl()}/${budget!.id}`, { options: [{ label: 'A' }] });
      expect(error(options).message).toBe('Only single select and multi select fields have options.');
      const nothing = await owner.client.patch(`${fieldsUrl()}/${budget!.id}`, {});
      expect(nothing.statusCode).toBe(400);
      expect(nothing.body).toContain('Nothing to change');
      const missing = await owner.client.patch(`${fieldsUrl()}/01900000-0000-7000-8000-000000000000`, { label: 'x' });
      expect(missing.statusCode).toBe(404);
    });

    it('archives on delete: gone from lists and specs, key kept, restorable', async () => {
      const field = (await create({ entity: 'lead', label: 'Temporary', type: 'checkbox' })).json() as Field;
      expect((await t.c.fields.specs(owner.workspaceId, 'lead')).map((s) => s.key)).toContain('temporary');
      expect((await owner.client.delete(`${fieldsUrl()}/${field.id}`)).statusCode).toBe(204);
      expect((await list()).some((f) => f.id === field.id)).toBe(false);
      expect((await list('entity=lead&includeArchived=true')).find((f) => f.id === field.id)).toMatchObject({
        archived: true,
      });
      expect((await t.c.fields.specs(owner.workspaceId, 'lead')).map((s) => s.key)).not.toContain('temporary');
      const again = await create({ entity: 'lead', label: 'Temporary', type: 'text' });
      expect(again.statusCode).toBe(409);
      expect(error(again).message).toBe(
        'The key "temporary" belongs to an archived field ("Temporary"). Restore it, or choose another key.',
      );
      const restored = await owner.client.patch(`${fieldsUrl()}/${field.id}`, { archived: false });
      expect(restored.json()).toMatchObject({ archived: false, type: 'checkbox' });
      expect((await owner.client.delete(`${fieldsUrl()}/${field.id}`)).statusCode).toBe(204);
    });
  });

  describe('specs and validate (service)', () => {
    it('specs lists active fields in display order', async () => {
      const specs = await t.c.fields.specs(owner.workspaceId, 'lead');
      expect(specs.slice(0, 2)).toEqual([
        expect.objectContaining({ key: 'preferred_branch', label: 'Branch', type: 'single_select', required: true }),
        expect.objectContaining({
          key: 'budget_rm',
          label: 'Budget (RM)',
          type: 'currency',
          required: true,
          options: [],
        }),
      ]);
    });

    it('validate coerces, refuses unknown keys, requires required fields, and reports every problem', async () => {
      const ok = await t.c.fields.validate(
        owner.workspaceId,
        'lead',
        { preferred_branch: 'penang', budget_rm: 'RM 1,500.499' },
        { partial: false },
      );
      expect(ok).toEqual({ preferred_branch: 'pg', budget_rm: 1500.5 });
      await expect(
        t.c.fields.validate(owner.workspaceId, 'lead', { preferred_branch: 'Ipoh', nope: 1 }, { partial: false }),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        details: [
          { path: 'custom.preferred_branch', message: 'Branch: "Ipoh" is not one of the choices' },
          { path: 'custom.nope', message: 'There is no custom field "nope".' },
          { path: 'custom.budget_rm', message: 'Budget (RM) is required' },
        ],
      });
      expect(await t.c.fields.validate(owner.workspaceId, 'lead', { budget_rm: 10 }, { partial: true })).toEqual({
        budget_rm: 10,
      });
      // Inside a transaction (PGlite has one connection, so the transaction must be passed along).
      const inTx = await t.c.db.transaction((tx) =>
        t.c.fields.validate(owner.workspaceId, 'lead', { budget_rm: '12' }, { partial: true, tx }),
      );
      expect(inTx).toEqual({ budget_rm: 12 });
      // Archived fields are unknown; contact fields are not lead fields.
      await expect(
        t.c.fields.validate(owner.workspaceId, 'lead', { temporary: true, ic_number: 'x' }, { partial: true }),
      ).rejects.toMatchObject({
        message:
          '2 custom fields are not valid: There is no custom field "temporary"; There is no custom field "ic_number".',
      });
      expect(
        await t.c.fields.validate(owner.workspaceId, 'contact', { ic_number: ' 900101-14-5555 ' }, { partial: true }),
      ).toEqual({
        ic_number: '900101-14-5555',
      });
    });
  });

  describe('permissions', () => {
    it('every member can read fields; agents and viewers cannot change them (403)', async () => {
      const [field] = await list();
      for (const m of [agent, viewer]) {
        expect((await list('entity=lead', m.client)).length).toBeGreaterThan(0);
        const attempts = [
          await m.client.post(fieldsUrl(), { entity: 'lead', label: 'Sneaky', type: 'text' }),
          await m.client.patch(`${fieldsUrl()}/${field!.id}`, { label: 'Sneaky' }),
          await m.client.delete(`${fieldsUrl()}/${field!.id}`),
        ];
        for (const res of attempts) {
          expect(res.statusCode, res.body).toBe(403);
          expect(error(res)).toMatchObject({
            code: 'forbidden',
            message: `Your role (${m.role}) does not allow this action.`,
          });
        }
      }
      expect((await list()).map((f) => f.label)).not.toContain('Sneaky');
    });
  });
});
