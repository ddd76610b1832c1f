import { html, SafeHtml } from './html.js';

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:40rem;margin:2rem auto;background:#fff;border:1px solid #d9dce1;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.4rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}dt{color:#5b616b}dd{margin:0;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:1rem 0 .25rem}label small{font-weight:400;color:#5b616b}
input[type=password],input[type=text],input[type=file]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #b8bdc6;border-radius:4px}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;border:0;border-radius:4px;background:#1f5fbf;color:#fff;cursor:pointer}
button.danger{background:#b3261e}
.warning{border-left:4px solid #c77700;background:#fff6e5;padding:.75rem 1rem;margin:1rem 0}
.danger-box{border-left:4px solid #b3261e;background:#fdecea;padding:.75rem 1rem;margin:1rem 0}
.refusal{border-left:4px solid #b3261e;background:#fdecea;padding:.75rem 1rem;margin:1rem 0}
.ok{border-left:4px solid #1e7b34;background:#e8f5ec;padding:.75rem 1rem;margin:1rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;overflow-wrap:anywhere}
footer{margin-top:1.5rem;color:#5b616b;font-size:.9rem}
`;

/** The stylesheet is a constant of this file, never user data. */
const STYLE_HTML = new SafeHtml(STYLE);

/** The frame of every page: no scripts, no external resources (the CSP allows inline styles only). */
export function renderLayout(title: string, content: SafeHtml): SafeHtml {
  return html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="robots" content="noindex, nofollow">
<title>${title} — dualkey</title>
<style>${STYLE_HTML}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

