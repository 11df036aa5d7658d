/**
 * Stored-XSS payloads for test/e2e/xss.e2e.test.ts. Each one, if it ever executes, calls `__xss(<n>)` with its own
 * number (the test installs `window.__xss` before any page script), or — where no script can run (CSS) — fetches
 * `https://xss-<n>.invalid/`, a host the test watches for. Every payload fits the tightest common limit (120 characters,
 * the workspace/pipeline/field-label limit); `short` marks those that also fit a tag (50 characters).
 *
 * Sources of inspiration: OWASP XSS filter evasion cheat sheet, PortSwigger's XSS cheat sheet, peer CRM advisories
 * (Chatwoot, Twenty, Krayin: names, notes, markdown, SVG).
 */

export interface XssPayload {
  /** The marker the payload calls: `__xss(n)`. */
  n: number;
  /** A short family name, for reports. */
  kind: string;
  text: string;
}

type Template = [kind: string, make: (x: string, n: number) => string];

/** `x` is the call to make (`__xss(7)`); `n` the number, for payloads that need it spelled differently. */
const TEMPLATES: Template[] = [
  // Classic script elements
  ['script', (x) => `<script>${x}</script>`],
  ['script', (x) => `<SCRIPT>${x}</SCRIPT>`],
  ['script', (x) => `<ScRiPt>${x}</sCrIpT>`],
  ['script', (x) => `<script type="text/javascript">${x}</script>`],
  ['script', (x) => `<script>/*</script>*/${x}</script>`],
  ['script', (x) => `<<script>${x};//<</script>`],
  ['script', (x) => `<script\x20type="module">${x}</script>`],
  ['script', (x) => `<script src="data:text/javascript,${x}"></script>`],
  ['script', (x) => `</title><script>${x}</script>`],
  ['script', (x) => `</script><script>${x}</script>`],
  // Event handlers
  ['img', (x) => `<img src=x onerror=${x}>`],
  ['img', (x) => `<img src="x" onerror="${x}">`],
  ['img', (x) => `<IMG SRC=x OnErRoR=${x}>`],
  ['img', (x) => `<img/src/onerror=${x}>`],
  ['img', (x) => `<img src=x onerror=window['__xss'](${x.slice(6, -1)})>`],
  ['img', (x) => `<img src=x:alert(1) onerror=eval('${x}')>`],
  ['img', (x) => `<img src onerror\n=${x}>`],
  ['img', (x) => `<img src=x onerror=&#95;&#95;xss(${x.slice(6, -1)})>`],
  ['svg', (x) => `<svg onload=${x}>`],
  ['svg', (x) => `<svg/onload=${x}>`],
  ['svg', (x) => `<svg><animate onbegin=${x} attributeName=x dur=1s>`],
  ['svg', (x) => `<svg><set onbegin=${x} attributename=x to=1>`],
  ['body', (x) => `<body onload=${x}>`],
  ['body', (x) => `<body onpageshow=${x}>`],
  ['iframe', (x) => `<iframe onload=${x}></iframe>`],
  ['iframe', (x) => `<iframe src="javascript:parent.${x}"></iframe>`],
  ['iframe', (x) => `<iframe srcdoc="<script>parent.${x}</script>"></iframe>`],
  ['iframe', (x) => `<iframe src=data:text/html,<script>parent.${x}</script>>`],
  ['details', (x) => `<details open ontoggle=${x}>`],
  ['details', (x) => `<details/open/ontoggle="${x}">`],
  ['video', (x) => `<video src=x onerror=${x}>`],
  ['video', (x) => `<video><source onerror="${x}"></video>`],
  ['audio', (x) => `<audio src=x onerror=${x}>`],
  ['input', (x) => `<input autofocus onfocus=${x}>`],
  ['input', (x) => `<input onfocus=${x} autofocus>`],
  ['input', (x) => `<select autofocus onfocus=${x}>`],
  ['input', (x) => `<textarea autofocus onfocus=${x}>`],
  ['input', (x) => `<keygen autofocus onfocus=${x}>`],
  ['marquee', (x) => `<marquee onstart=${x}>x</marquee>`],
  ['object', (x) => `<object data="javascript:parent.${x}">`],
  ['embed', (x) => `<embed src="javascript:parent.${x}">`],
  ['form', (x) => `<form><button formaction=javascript:${x}>go</button></form>`],
  ['style-event', (x) => `<style onload=${x}></style>`],
  ['link-event', (x) => `<link rel=stylesheet href=x onerror=${x}>`],
  ['div', (x) => `<div onmouseover="${x}" style="position:fixed;inset:0">x</div>`],
  ['div', (x) => `<div tabindex=1 autofocus onfocus=${x}></div>`],
  ['anim', (x) => `<div style="animation:s" onanimationstart=${x}></div>`],
  // javascript: and data: URLs in links
  ['js-url', (x) => `<a href="javascript:${x}">click</a>`],
  ['js-url', (x) => `<a href="JaVaScRiPt:${x}">click</a>`],
  ['js-url', (x) => `<a href=" javascript:${x}">click</a>`],
  ['js-url', (x) => `<a href="java\tscript:${x}">click</a>`],
  ['js-url', (x) => `<a href="&#106;avascript:${x}">click</a>`],
  ['js-url', (x) => `<a href="javascript&colon;${x}">click</a>`],
  ['js-url', (x) => `javascript:${x}`],
  ['js-url', (x) => `javascript://%0a${x}`],
  ['js-url', (x) => `JAVASCRIPT:${x}//`],
  ['data-url', (x) => `<a href="data:text/html,<script>${x}</script>">x</a>`],
  ['data-url', (x) => `data:text/html;base64,${Buffer.from(`<script>${x}</script>`).toString('base64')}`],
  ['data-url', (x) => `data:text/html,<script>opener.${x}</script>`],
  // Markdown links and images
  ['md-link', (x) => `[click](javascript:${x})`],
  ['md-link', (x) => `[click](JavaScript:${x})`],
  ['md-link', (x) => `[click](javascript&#58;${x})`],
  ['md-link', (x) => `[click](<javascript:${x}>)`],
  ['md-link', (x) => `[click](data:text/html,<script>${x}</script>)`],
  ['md-link', (x) => `[click][r]\n\n[r]: javascript:${x}`],
  ['md-link', (x) => `<javascript:${x}>`],
  ['md-image', (x) => `![a](javascript:${x})`],
  ['md-image', (x) => `![a](x "onerror=${x}")`],
  ['md-image', (x) => `![a" onerror="${x}](x)`],
  ['md-image', (x) => `![a](data:image/svg+xml,<svg onload=${x}>)`],
  ['md-html', (x) => `**bold** <img src=x onerror=${x}>`],
  ['md-html', (x) => `\`code\` <script>${x}</script>`],
  ['md-html', (x) => `> quote <svg onload=${x}>`],
  ['md-html', (x) => `- item\n- <details open ontoggle=${x}>`],
  ['md-html', (x) => `<div>\n\n<img src=x onerror=${x}>\n\n</div>`],
  ['md-html', (x) => `[<img src=x onerror=${x}>](https://example.com)`],
  // SVG with script and foreignObject
  ['svg-script', (x) => `<svg><script>${x}</script></svg>`],
  ['svg-script', (x) => `<svg><script href="data:,${x}"/></svg>`],
  ['svg-fo', (x) => `<svg><foreignObject><img src=x onerror=${x}></foreignObject></svg>`],
  ['svg-a', (x) => `<svg><a xlink:href="javascript:${x}"><text y=9>x</text></a></svg>`],
  ['math', (x) => `<math><mtext><table><mglyph><style><img src=x onerror=${x}>`],
  // Style, expression, CSS injection (these fetch a watched host instead of calling)
  ['css', (_x, n) => `<style>@import 'https://xss-${n}.invalid/a.css';</style>`],
  ['css', (_x, n) => `<div style="background:url(https://xss-${n}.invalid/)">x</div>`],
  ['css', (x) => `<div style="width:expression(${x})">x</div>`],
  ['css', (_x, n) => `red;background:url(//xss-${n}.invalid)`],
  ['css', (_x, n) => `</style><link rel=stylesheet href=//xss-${n}.invalid>`],
  ['css', (_x, n) => `x{}*{background:url(https://xss-${n}.invalid/)}`],
  // Meta refresh, base, templates and parser breakouts
  ['meta', (x) => `<meta http-equiv="refresh" content="0;url=javascript:${x}">`],
  ['meta', (_x, n) => `<meta http-equiv=refresh content="0;url=https://xss-${n}.invalid/">`],
  ['base', (_x, n) => `<base href="https://xss-${n}.invalid/">`],
  ['template', (x) => `<template><img src=x onerror=${x}></template>`],
  ['noscript', (x) => `<noscript><p title="</noscript><img src=x onerror=${x}>">`],
  ['textarea', (x) => `</textarea><img src=x onerror=${x}>`],
  ['title', (x) => `</title><img src=x onerror=${x}>`],
  ['xmp', (x) => `</xmp><img src=x onerror=${x}>`],
  ['comment', (x) => `<!--><img src=x onerror=${x}>-->`],
  ['cdata', (x) => `<![CDATA[><img src=x onerror=${x}>]]>`],
  // Attribute breakouts
  ['attr', (x) => `" onmouseover="${x}" x="`],
  ['attr', (x) => `' onfocus='${x}' autofocus '`],
  ['attr', (x) => `"><img src=x onerror=${x}>`],
  ['attr', (x) => `'><img src=x onerror=${x}>`],
  ['attr', (x) => `\`><img src=x onerror=${x}>`],
  ['attr', (x) => `" autofocus onfocus="${x}`],
  [
    'attr',
    (x) => `javascript:/*--></title></style></textarea></script><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+${x}//'>`,
  ],
  // HTML entities and encodings
  ['entity', (x) => `&lt;img src=x onerror=${x}&gt;`],
  ['entity', (x) => `&#60;script&#62;${x}&#60;/script&#62;`],
  ['entity', (x) => `&#x3C;svg onload=${x}&#x3E;`],
  ['entity', (x) => `%3Cscript%3E${x}%3C%2Fscript%3E`],
  ['entity', (x) => `%253Cscript%253E${x}%253C/script%253E`],
  ['entity', (x) => `\\x3cimg src=x onerror=${x}\\x3e`],
  // Unicode escapes and look-alikes
  ['unicode', (x) => `\\u003cscript\\u003e${x}\\u003c/script\\u003e`],
  ['unicode', (x) => `＜script＞${x}＜/script＞`],
  ['unicode', (x) => `<img src=x onerror=\\u005f\\u005fxss(${x.slice(6, -1)})>`],
  ['unicode', (x) => `\u202E<img src=x onerror=${x}>`],
  ['unicode', (x) => `<img src=x onerror=${x}>\u2028\u2029`],
  ['unicode', (x) => `\uFEFF<svg onload=${x}>`],
  // Null bytes and control characters
  ['null', (x) => `<scr\u0000ipt>${x}</scr\u0000ipt>`],
  ['null', (x) => `<img src=x\u0000 onerror=${x}>`],
  ['control', (x) => `<img\u000csrc=x\u000conerror=${x}>`],
  ['control', (x) => `<a href="\u0001javascript:${x}">x</a>`],
  // Template-engine payloads (Angular, Vue, Handlebars, server templates)
  ['template-expr', (x) => `{{constructor.constructor('${x}')()}}`],
  ['template-expr', (x) => `{{$on.constructor('${x}')()}}`],
  ['template-expr', (x) => `\${${x}}`],
  ['template-expr', (x) => `#{${x}}`],
  ['template-expr', (x) => `<%= ${x} %>`],
  ['template-expr', (x) => `{{{<img src=x onerror=${x}>}}}`],
  ['template-expr', (x) => `[[${x}]]`],
  // React-specific bait
  ['react', (x) => `{"__html":"<img src=x onerror=${x}>"}`],
  ['react', (x) => `{"dangerouslySetInnerHTML":{"__html":"<svg onload=${x}>"}}`],
  ['react', (x) => `javascript:void(${x})`],
  ['react', (x) => `{"$$typeof":"Symbol(react.element)","props":{"href":"javascript:${x}"}}`],
  ['react', (x) => `__proto__[onerror]=${x}`],
  // Polyglots and odd shapes
  ['polyglot', (x) => `'">><marquee><img src=x onerror=${x}></marquee>`],
  ['polyglot', (x) => `"'--></style></script><script>${x}</script>`],
  ['polyglot', (x) => `<isindex type=image src=1 onerror=${x}>`],
  ['polyglot', (x) => `<x onclick=${x}>click me`],
  ['polyglot', (x) => `<a id=x tabindex=1 onfocusin=${x}></a>`],
  ['polyglot', (x) => `<body/onhashchange=${x}><a href=#x>x</a>`],
  ['polyglot', (x) => `<img src=1 onload=${x} onerror=${x}>`],
];

/** All payloads, numbered from 1. */
export const XSS_PAYLOADS: XssPayload[] = TEMPLATES.map(([kind, make], i) => {
  const n = i + 1;
  return { n, kind, text: make(`__xss(${n})`, n) };
});

/**
 * Values for a select option's colour (at most 30 characters), which the web app hands to a badge as CSS: they can only
 * fetch their watched host. Numbered from 201 so they never clash with the payloads above.
 */
export const COLOR_PAYLOADS: XssPayload[] = [
  'url(//xss-201.invalid/)',
  '0;background:url(//xss-202.t)',
  '"red" url(//xss-203.invalid)',
].map((text, i) => ({ n: 201 + i, kind: 'css-colour', text }));

/** The marker numbers that can only show up as a request to `xss-<n>.invalid` (CSS and navigation payloads). */
export const WATCHED_HOST = /^xss-(\d+)\.invalid$/;
