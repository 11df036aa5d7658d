/** Plausible answers for generated leads: mixed scripts on purpose, so capture is exercised with non-ASCII text. */

const FIRST_NAMES = ['Ana', 'Bruno', 'Carla', 'Diego', 'Siti', 'João', 'Mei', 'Olivia', 'Raj', 'Zoë', 'Hamid', 'Lucía'];
const LAST_NAMES = ['Pereira', 'Costa', 'Mendes', 'Rahman', 'Tan', 'Müller', 'Okafor', 'Silva', 'Kowalski', 'Nguyen'];
const CITIES = ['Lisbon', 'Porto', 'Kuala Lumpur', 'São Paulo', 'Austin', 'Kraków', 'Ipoh', 'Dublin'];
const STATES = ['CA', 'TX', 'NY', 'WA'];
const COUNTRIES = ['PT', 'MY', 'BR', 'US', 'PL', 'IE'];
const COMPANIES = ['Acme Lda', 'Sorriso Clinic', 'Tan & Sons', 'Nord Logistics'];
const JOBS = ['Owner', 'Marketing manager', 'Engineer', 'Teacher'];
const FREE_TEXT = ['morning', 'evening', 'Call me after 6pm', 'Looking for a 2-bedroom flat'];

export type QuestionType = string;

export const STANDARD_TYPES: Record<string, { type: string; label: string }> = {
  full_name: { type: 'FULL_NAME', label: 'Full name' },
  first_name: { type: 'FIRST_NAME', label: 'First name' },
  last_name: { type: 'LAST_NAME', label: 'Last name' },
  email: { type: 'EMAIL', label: 'Email' },
  work_email: { type: 'WORK_EMAIL', label: 'Work email' },
  phone_number: { type: 'PHONE', label: 'Phone number' },
  city: { type: 'CITY', label: 'City' },
  state: { type: 'STATE', label: 'State' },
  zip_code: { type: 'ZIP', label: 'Zip code' },
  country: { type: 'COUNTRY', label: 'Country' },
  company_name: { type: 'COMPANY_NAME', label: 'Company name' },
  job_title: { type: 'JOB_TITLE', label: 'Job title' },
  street_address: { type: 'STREET_ADDRESS', label: 'Street address' },
};

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();

/** One person's answers to a form's questions; `n` keeps emails and phone numbers unique within a run. */
export function sampleAnswers(
  questions: { key: string; type: string; options?: { key: string; value: string }[] }[],
  n: number,
  random: () => number,
): Record<string, string> {
  const first = pick(FIRST_NAMES, random);
  const last = pick(LAST_NAMES, random);
  const suffix = String(n).padStart(4, '0');
  const answers: Record<string, string> = {};
  for (const q of questions) {
    switch (q.type) {
      case 'FULL_NAME':
        answers[q.key] = `${first} ${last}`;
        break;
      case 'FIRST_NAME':
        answers[q.key] = first;
        break;
      case 'LAST_NAME':
        answers[q.key] = last;
        break;
      case 'EMAIL':
        answers[q.key] = `${ascii(first)}.${ascii(last)}.${suffix}@example.com`;
        break;
      case 'WORK_EMAIL':
        answers[q.key] = `${ascii(first)}.${suffix}@work.example.org`;
        break;
      case 'PHONE':
        answers[q.key] = `+1555${String(n % 10_000_000).padStart(7, '0')}`;
        break;
      case 'CITY':
        answers[q.key] = pick(CITIES, random);
        break;
      case 'STATE':
        answers[q.key] = pick(STATES, random);
        break;
      case 'ZIP':
        answers[q.key] = String(10000 + Math.floor(random() * 89999));
        break;
      case 'COUNTRY':
        answers[q.key] = pick(COUNTRIES, random);
        break;
      case 'COMPANY_NAME':
        answers[q.key] = pick(COMPANIES, random);
        break;
      case 'JOB_TITLE':
        answers[q.key] = pick(JOBS, random);
        break;
      default:
        answers[q.key] = q.options?.length ? pick(q.options, random).key : pick(FREE_TEXT, random);
    }
  }
  return answers;
}
