import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appSecretProof, asciiJson, signedRequest, signWebhook } from './signing';
import { fixture } from './testing';

describe('simulator signatures reproduce the fixtures', () => {
  it('signs webhook bodies exactly as webhook-signature-examples.json (raw bytes, \\u escapes kept)', () => {
    const f = fixture('webhook-signature-examples.json');
    for (const example of f.examples) {
      expect(signWebhook(example.raw_body, f.app_secret)['x-hub-signature-256']).toBe(
        example.headers['x-hub-signature-256'],
      );
    }
    const reserialised = JSON.stringify(JSON.parse(f.examples[1].raw_body));
    expect(reserialised).not.toBe(f.examples[1].raw_body);
    expect(signWebhook(reserialised, f.app_secret)['x-hub-signature-256']).not.toBe(
      f.examples[1].headers['x-hub-signature-256'],
    );
    expect(signWebhook(f.examples[0].raw_body, f.app_secret)['x-hub-signature-256']).not.toBe(f.wrong_secret_signature);
  });

  it('sends the legacy sha1 signature over the same bytes', () => {
    const body = fixture('webhook-signature-examples.json').examples[0].raw_body;
    expect(signWebhook(body, 's3cret')['x-hub-signature']).toBe(
      `sha1=${createHmac('sha1', 's3cret').update(body).digest('hex')}`,
    );
  });

  it('escapes non-ASCII as Meta does, giving back the fixture body byte for byte', () => {
    const raw = fixture('webhook-signature-examples.json').examples[1].raw_body;
    expect(asciiJson(JSON.parse(raw))).toBe(raw);
  });

  it('builds the data-deletion signed_request of the fixture, and the tampered one differs', () => {
    const f = fixture('data-deletion-signed-request.json');
    const signed = signedRequest(f.payload_json, f.app_secret);
    expect(signed).toBe(f.signed_request);
    expect(signed).toBe(`${f.encoded_signature}.${f.encoded_payload}`);
    expect(signedRequest(f.payload, f.app_secret)).toBe(f.signed_request);
    expect(signed).not.toBe(f.tampered_signed_request);
    expect(signed).not.toContain('=');
  });

  it('builds the deauthorize signed_request of the fixture', () => {
    const f = fixture('deauthorize-signed-request.json');
    expect(signedRequest(f.payload_json, f.app_secret)).toBe(f.signed_request);
    expect(`signed_request=${signedRequest(f.payload, f.app_secret)}`).toBe(f.http_request.body);
  });

  it('computes the appsecret_proof of the fixture', () => {
    const f = fixture('appsecret-proof-example.json');
    expect(appSecretProof(f.access_token, f.app_secret)).toBe(f.appsecret_proof);
  });
});
