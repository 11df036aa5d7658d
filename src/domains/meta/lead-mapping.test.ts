import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../fields/field-values';
import { defaultMapping, effectiveMapping, type GraphForm, type GraphLead, mapLead, questionsOf } from './lead-mapping';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/meta');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

const lead = fixture<GraphLead>('lead-get-response.json');
const organic = fixture<GraphLead>('lead-get-response-organic.json');
const forms = fixture<{ data: GraphForm[] }>('page-leadgen-forms.json').data;
const quoteForm = forms.find((f) => f.id === '200000000000001')!;
const questions = questionsOf(quoteForm);

const budgetField: FieldSpec = {
  key: 'budget',
  label: 'Budget',
  type: 'single_select',
  required: true,
  options: [
    { value: 'under_5000', label: 'Under 5000' },
    { value: '5000_10000', label: '5000 - 10000' },
    { value: 'over_10000', label: 'Over 10000' },
  ],
};

describe('default mapping', () => {
  it('sends the standard questions to the contact and keeps custom ones as answers', () => {
    expect(defaultMapping(questions)).toEqual([
      { key: 'full_name', target: 'contact.name' },
      { key: 'email', target: 'contact.email' },
      { key: 'phone_number', target: 'contact.phone' },
      { key: 'city', target: 'contact.city' },
      { key: 'what_is_your_budget?', target: 'answer' },
      { key: 'preferred_contact_time', target: 'answer' },
    ]);
  });

  it('keeps the second email of a form (work email beside email) as an answer', () => {
    const m = defaultMapping([
      { key: 'email', type: 'EMAIL' },
      { key: 'work_email', type: 'WORK_EMAIL' },
      { key: 'votre_telephone', type: 'PHONE' },
    ]);
    expect(m.map((x) => x.target)).toEqual(['contact.email', 'answer', 'contact.phone']);
  });

  it('lets the admin’s choices override the default, question by question', () => {
    const m = effectiveMapping(questions, [{ key: 'what_is_your_budget?', target: 'lead.budget' }]);
    expect(m.find((x) => x.key === 'what_is_your_budget?')!.target).toBe('lead.budget');
    expect(m.find((x) => x.key === 'email')!.target).toBe('contact.email');
  });
});

describe('mapLead on the fixtures', () => {
  it('maps a paid Facebook lead: contact, attribution, answers with labels and option display values, consents', () => {
    const mapped = mapLead(lead, { questions, mapping: [] }, []);
    expect(mapped.contact).toEqual({
      name: 'Ana Pereira',
      email: 'ana.pereira@example.com',
      phone: '+15550101234',
      city: 'Lisbon',
    });
    expect(mapped.attribution).toEqual({
      formId: '200000000000001',
      adId: '120200000000000101',
      adName: 'Spring promo - video A',
      adsetId: '120200000000000201',
      adsetName: 'Lisbon 25-45',
      campaignId: '120200000000000301',
      campaignName: 'Leads - Spring 2026',
      platform: 'fb',
    });
    expect(mapped.answers).toContainEqual({
      key: 'what_is_your_budget?',
      question: 'What is your budget?',
      value: '5000 - 10000',
    });
    expect(mapped.answers).toContainEqual({
      key: 'preferred_contact_time',
      question: 'Preferred contact time',
      value: 'morning',
    });
    expect(mapped.consents).toEqual([
      { key: 'marketing_consent', checked: true },
      { key: 'whatsapp_contact_consent', checked: false },
    ]);
    expect(mapped.answers.filter((a) => a.key.startsWith('disclaimer:')).map((a) => a.value)).toEqual(['Yes', 'No']);
    expect(mapped.createdTime?.toISOString()).toBe('2026-03-10T14:05:09.000Z');
    // Standard answers live on the contact, not twice.
    expect(mapped.answers.map((a) => a.key)).not.toContain('email');
  });

  it('maps an organic Instagram lead: platform ig and no ad', () => {
    const mapped = mapLead(organic, { questions, mapping: [] }, []);
    expect(mapped.attribution).toMatchObject({ platform: 'ig', adId: null, adName: null, campaignName: null });
    expect(mapped.contact.name).toBe('Bruno Costa');
  });

  it('sends a custom question to a lead field when mapped, matched by the option label or key', () => {
    const mapped = mapLead(lead, { questions, mapping: [{ key: 'what_is_your_budget?', target: 'lead.budget' }] }, [
      budgetField,
    ]);
    expect(mapped.custom).toEqual({ budget: '5000_10000' });
    expect(mapped.answers.map((a) => a.key)).not.toContain('what_is_your_budget?');
  });

  it('keeps a value the lead field refuses as an answer instead of failing the lead', () => {
    const numberField: FieldSpec = { key: 'budget', label: 'Budget', type: 'number', required: true, options: [] };
    const mapped = mapLead(lead, { questions, mapping: [{ key: 'preferred_contact_time', target: 'lead.budget' }] }, [
      numberField,
    ]);
    expect(mapped.custom).toEqual({});
    expect(mapped.answers).toContainEqual({
      key: 'preferred_contact_time',
      question: 'Preferred contact time',
      value: 'morning',
    });
  });

  it('keeps an invalid email as an answer, and joins first and last names', () => {
    const mapped = mapLead(
      {
        id: '1',
        field_data: [
          { name: 'email', values: ['not an email'] },
          { name: 'first_name', values: ['Ana'] },
          { name: 'last_name', values: ['Pereira'] },
          { name: 'pergunta_livre', values: ['Olá, quero saber mais'] },
        ],
      },
      null,
      [],
    );
    expect(mapped.contact).toEqual({ name: 'Ana Pereira' });
    expect(mapped.answers).toContainEqual({ key: 'email', question: 'email', value: 'not an email' });
    expect(mapped.answers).toContainEqual({
      key: 'pergunta_livre',
      question: 'pergunta_livre',
      value: 'Olá, quero saber mais',
    });
    expect(mapped.attribution.platform).toBe('fb');
    expect(mapped.attribution.adId).toBeNull();
  });

  it('an ignored question is dropped', () => {
    const mapped = mapLead(lead, { questions, mapping: [{ key: 'city', target: 'ignore' }] }, []);
    expect(mapped.contact.city).toBeUndefined();
    expect(mapped.answers.map((a) => a.key)).not.toContain('city');
  });
});
