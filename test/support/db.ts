import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/client';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or, when TEST_DATABASE_URL is set, a new
 * PostgreSQL database created on that server (and dropped afterwards), so test files never share state.
 */
export async function createTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const postgres = await createTestPostgresDatabase();
  if (!postgres) {
    const database = await openDatabase({ dataDir: 'memory://' });
    await database.migrate();
    return { database, drop: () => database.close() };
  }
  const database = await openDatabase({ databaseUrl: postgres.url, poolSize: 5, dataDir: 'unused' });
  await database.migrate();
  return {
    database,
    drop: async () => {
      await database.close();
      await postgres.drop();
    },
  };
}

export interface PostgresDatabase {
  url: string;
  /** Drops the database, ending any connection still open to it. */
  drop: () => Promise<void>;
}

/**
 * A new, empty (unmigrated) database on the PostgreSQL server TEST_DATABASE_URL names, or null when it is unset (the
 * tests run on PGlite). For a test that hands the URL to a server process of its own; `prefix` starts its name.
 */
export async function createTestPostgresDatabase(prefix = 'lb_test'): Promise<PostgresDatabase | null> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return null;
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
