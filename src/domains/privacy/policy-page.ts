import { escapeHtml } from '../auth/auth.emails';
import { type CurrentPolicy, loadPolicy } from './policy-version';

/** The address printed in the shipped text; replaced by the configured privacy contact (P35). */
const SHIPPED_CONTACT = 'it@tektician.com';

export interface PolicyDocument {
  lastUpdated: string;
  effectiveDate: string;
  html: string;
}

/**
 * Renders the published policy (P34) as HTML: numbered lines become headings, "- " lines become lists, and the
 * privacy contact comes from configuration.
 */
export function renderPolicy(
  contactEmail: string,
  dataRegion: string,
  policy: CurrentPolicy = loadPolicy(),
): PolicyDocument {
  const { lastUpdated, effectiveDate } = policy;
  const lines = policy.text.split(/\r?\n/).map((l) => l.trim());
  const out: string[] = [];
  let inList = false;
  const closeList = () => {
    if (inList) out.push('</ul>');
    inList = false;
  };
  const contactLink = `<a href="mailto:${escapeHtml(contactEmail)}">${escapeHtml(contactEmail)}</a>`;
  const inline = (s: string) => escapeHtml(s).split(escapeHtml(SHIPPED_CONTACT)).join(contactLink);
  for (const [i, line] of lines.entries()) {
    if (!line || line.startsWith('Effective Date:') || line.startsWith('Last Updated:')) continue;
    if (i === 0) continue; // the title, rendered by the page
    if (line.startsWith('- ')) {
      if (!inList) out.push('<ul>');
      inList = true;
      out.push(`<li>${inline(line.slice(2))}</li>`);
      continue;
    }
    closeList();
    if (/^\d+\.\d+\s/.test(line)) out.push(`<h3>${inline(line)}</h3>`);
    else if (/^\d+\.\s/.test(line)) out.push(`<h2>${inline(line)}</h2>`);
    else out.push(`<p>${inline(line)}</p>`);
  }
  closeList();
  out.push(
    '<h2 id="privacy-contact">Privacy contact</h2>',
    `<p>Questions and requests about your data: ${contactLink}.</p>`,
    `<p>Where this deployment stores data: <strong>${escapeHtml(dataRegion)}</strong>.</p>`,
  );
  return { lastUpdated, effectiveDate, html: out.join('\n') };
}

/** A public, server-rendered page in the policy's plain style (no login wall, no scripts). `body` is trusted HTML. */
export function publicPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · LeadsBoost</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a1b1e;background:#f8f9fa;margin:0;line-height:1.6}
header{background:#fff;border-bottom:1px solid #e9ecef;padding:14px 24px}header a{color:#4263eb;font-weight:700;text-decoration:none;font-size:18px}
main{max-width:760px;margin:32px auto;background:#fff;border:1px solid #e9ecef;border-radius:8px;padding:32px 40px}
h1{margin-top:0}h2{margin-top:32px;font-size:20px}h3{font-size:16px}.meta{color:#868e96}
table{border-collapse:collapse}td,th{padding:4px 12px 4px 0;text-align:left;vertical-align:top}
@media (max-width:600px){main{margin:0;border-radius:0;padding:20px}}
</style></head>
<body><header><a href="/">LeadsBoost</a></header>
<main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

export function policyPage(doc: PolicyDocument): string {
  return publicPage(
    'Privacy Policy',
    `<p class="meta">Last updated: <time data-testid="policy-last-updated">${escapeHtml(doc.lastUpdated)}</time> · Effective: ${escapeHtml(doc.effectiveDate)}</p>
${doc.html}`,
  );
}
