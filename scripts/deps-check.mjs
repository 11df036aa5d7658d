#!/usr/bin/env node
// P20: production dependencies are checked against the npm advisory database where it answers
// (a high-severity advisory fails), and otherwise the outdated production dependencies are reported.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Decides from `npm audit --json` output: `unreachable` (the advisory service did not answer), `vulnerable`
 * (high or critical advisories) or `clean`.
 */
export function judgeAudit(stdout, stderr = '') {
  let report = null;
  try {
    report = JSON.parse(stdout || 'null');
  } catch {}
  if (
    !report ||
    report.error ||
    /\b(405|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN)\b|audit endpoint returned an error/i.test(`${stdout}${stderr}`)
  ) {
    return { verdict: 'unreachable' };
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  return { verdict: (counts.high ?? 0) + (counts.critical ?? 0) > 0 ? 'vulnerable' : 'clean', counts };
}

function main() {
  const run = (args) => spawnSync('npm', args, { encoding: 'utf8' });
  const audit = run(['audit', '--omit=dev', '--audit-level=high', '--json']);
  const result = judgeAudit(audit.stdout, audit.stderr);
  if (result.verdict !== 'unreachable') {
    console.log(`npm audit (production): ${JSON.stringify(result.counts)}`);
    if (result.verdict === 'vulnerable') {
      console.error('High or critical advisories in production dependencies: patch them (SECURITY.md).');
      process.exit(1);
    }
    return;
  }
  console.log('The npm advisory endpoint did not answer here; reporting outdated production dependencies instead.');
  const outdated = run(['outdated', '--omit=dev', '--json']);
  let rows = {};
  try {
    rows = JSON.parse(outdated.stdout || '{}');
  } catch {}
  const names = Object.keys(rows);
  if (names.length === 0) console.log('All production dependencies are at their latest versions.');
  for (const name of names) {
    const r = rows[name];
    console.log(
      `${name.padEnd(32)} ${String(r.current).padEnd(10)} → wanted ${String(r.wanted).padEnd(10)} latest ${r.latest}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
