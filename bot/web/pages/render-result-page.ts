import { html, type SafeHtml } from './html.js';
import { renderLayout } from './render-layout.js';

/** What a completed operation shows: a headline, facts (request id, deadline, fingerprint), and what happens next. */
export interface ResultView {
  title: string;
  facts: Array<[string, string]>;
  next: string[];
}

/** The page after a successful submit; the link is used up. */
export function renderResultPage(v: ResultView): SafeHtml {
  return renderLayout(v.title, html`<h1>${v.title}</h1>
<div class="ok">${v.next.map((line) => html`<p>${line}</p>`)}</div>
<dl>${v.facts.map(([k, val]) => html`<dt>${k}</dt><dd><code>${val}</code></dd>`)}</dl>
<footer>This link is now used up. You can close this page; follow the request in chat ("pending", "status").</footer>`);
}

