import type { Keyring } from '../../lib/crypto';

/** Associated data binding each encrypted Meta token to its row (see `ENCRYPTED_COLUMNS` in `src/app/keys.ts`). */
export const userTokenAad = (connectionId: string) => `meta_user_token:${connectionId}`;
export const pageTokenAad = (pageRowId: string) => `meta_page_token:${pageRowId}`;

/** Meta tokens are stored encrypted (P17), each bound to its row, and decrypted only for the call that needs them. */
export class MetaCredentials {
  constructor(private readonly keyring: Keyring) {}

  sealUserToken(connectionId: string, token: string): string {
    return this.keyring.encrypt(token, userTokenAad(connectionId));
  }

  userToken(connection: { id: string; userToken: string }): string {
    return this.keyring.decrypt(connection.userToken, userTokenAad(connection.id));
  }

  sealPageToken(pageRowId: string, token: string): string {
    return this.keyring.encrypt(token, pageTokenAad(pageRowId));
  }

  pageToken(page: { id: string; pageToken: string }): string {
    return this.keyring.decrypt(page.pageToken, pageTokenAad(page.id));
  }
}
