import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** A phone number in E.164, or null when it cannot be read as a valid number for the given default country. */
export function toE164(input: string, defaultCountry = 'MY'): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
