#!/usr/bin/env node
// `npx leadsboost …` runs the CLI the way `npm start` runs the server: compiled (dist/leadsboost.mjs, rebuilt from
// src/ first, so it is never stale) under the start script's V8 memory flags (docs/benchmarks.md: through tsx the
// same server idles at ~230 MB instead of ~140 MB). A checkout that cannot be built (read-only, no dev dependencies)
// runs the last build, or else the TypeScript through tsx.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'leadsboost.mjs');
const cliArgs = process.argv.slice(2);

const built = spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs'), '--quiet'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
let args;
if (built.status === 0 || existsSync(entry)) {
  // The node flags of the start script (`node <flags…> dist/leadsboost.mjs start`).
  const start = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
    .scripts.start.trim()
    .split(/\s+/);
  const flags = start.slice(
    1,
    start.findIndex((token) => token.endsWith('leadsboost.mjs')),
  );
  args = [...flags, entry, ...cliArgs];
} else {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  args = [tsx, path.join(root, 'src/cli/main.ts'), ...cliArgs];
}
const child = spawn(process.execPath, args, { stdio: 'inherit' });
// A process manager signals this process: the server (which shuts down gracefully on them) must hear it too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
