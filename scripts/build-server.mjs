#!/usr/bin/env node
/**
 * Compiles the server (src/cli/main.ts and everything it imports) into one ES module, dist/leadsboost.mjs, which
 * `npm start` runs with plain `node`. Packages in node_modules stay external (imported at run time, as before).
 *
 * Why: running TypeScript through tsx costs the server ~90 MB of resident memory (the loader's worker thread with
 * its own V8 heap, esbuild's service, transformed sources and their source maps) — measured 230 MB idle through tsx,
 * 142 MB as compiled JavaScript (docs/benchmarks.md, "Import and export").
 *
 * esbuild is the one tsx itself runs on (a dependency of tsx, which is a dependency of this package), so the build
 * needs nothing beyond `npm install`. It only strips types and joins modules: the code that runs is the code tsx
 * would have run. A file that finds things next to itself through `import.meta.url` (migrations, the privacy policy,
 * web/dist) keeps finding them: its `import.meta.url` is rewritten to the URL of its own source file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_ENTRY = path.join(root, 'dist', 'leadsboost.mjs');

export async function buildServer({ quiet = false } = {}) {
  const requireFromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = requireFromTsx('esbuild');
  const outDir = path.dirname(SERVER_ENTRY);
  const started = performance.now();
  const result = await esbuild.build({
    // Written below, each file to a temporary name and then renamed: a server starting meanwhile (another benchmark
    // on the same checkout) reads the old file or the new one, never half of one.
    write: false,
    entryPoints: [path.join(root, 'src/cli/main.ts')],
    outfile: SERVER_ENTRY,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Readable stack traces: function and class names are kept; `node --enable-source-maps` maps lines to src/.
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [
      {
        name: 'source-relative-import-meta-url',
        setup(build) {
          build.onLoad({ filter: /\.[cm]?ts$/ }, async ({ path: file }) => {
            let contents = await readFile(file, 'utf8');
            if (contents.includes('import.meta.url')) {
              const rel = path.relative(outDir, file).split(path.sep).join('/');
              contents = contents.replaceAll(
                'import.meta.url',
                `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
              );
            }
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  await mkdir(outDir, { recursive: true });
  for (const file of result.outputFiles) {
    const part = `${file.path}.${process.pid}.part`;
    await writeFile(part, file.contents);
    await rename(part, file.path);
  }
  if (!quiet)
    console.log(`built ${path.relative(root, SERVER_ENTRY)} in ${Math.round(performance.now() - started)} ms`);
  return SERVER_ENTRY;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildServer({ quiet: process.argv.includes('--quiet') });
}
