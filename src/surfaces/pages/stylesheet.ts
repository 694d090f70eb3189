/**
 * The pages' one stylesheet, Sesame's own: a single centred card that reads on a 320 px phone and a desktop alike,
 * system fonts (nothing downloaded), the accent on buttons, links and focus rings, and a visible focus for keyboard
 * users (WCAG 2.2 focus-visible). A long word (an email address has no space to wrap at, nor a product name like
 * "Bibliotheksverwaltungsportal") breaks rather than push the page wider than a 320 px screen (WCAG 1.4.10 reflow);
 * in the header's row the name may break anywhere, or its word would keep the row wider than the screen. It is built
 * once at start-up from the accent colour and served under a URL that carries its hash, so browsers may keep it for a
 * year and a new colour is a new URL.
 * @module
 */

/** The stylesheet for an accent colour (`#rrggbb`, already checked for contrast). */
export function stylesheet(accent: string): string {
  return `:root{--accent:${accent};--text:#1b1b1f;--muted:#4b4b55;--line:#c9c9d1;--page:#f4f4f6;--danger:#b3261e;--danger-bg:#fdecec}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;background:var(--page);color:var(--text);font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word}
header,main{width:100%;max-width:28rem;margin:0 auto;padding:0 1rem}
header{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding-top:1.5rem;padding-bottom:1rem}
.brand{display:flex;align-items:center;gap:.5rem;min-width:0;overflow-wrap:anywhere;font-weight:700;font-size:1.125rem;color:var(--text);text-decoration:none}
.brand img{max-height:2.5rem;max-width:10rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 2px rgb(0 0 0 / 5%)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
p{margin:0 0 1rem}
a{color:var(--accent);text-underline-offset:.15em}
.field{margin:0 0 1.25rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.req{font-weight:400;color:var(--muted);font-size:.875rem}
.hint{display:block;color:var(--muted);font-size:.9375rem;margin:0 0 .375rem}
input{display:block;width:100%;min-height:2.75rem;padding:.5rem .75rem;font:inherit;color:inherit;border:1px solid #6e6e78;border-radius:.375rem;background:#fff}
input[aria-invalid=true]{border:2px solid var(--danger)}
.field-error{display:block;color:var(--danger);font-weight:600;margin:0 0 .375rem}
button{display:block;width:100%;min-height:2.75rem;padding:.625rem 1rem;font:inherit;font-weight:600;border:0;border-radius:.375rem;background:var(--accent);color:#fff;cursor:pointer}
button:hover{filter:brightness(.92)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,.summary:focus{outline:3px solid #1b1b1f;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.summary{border:2px solid var(--danger);background:var(--danger-bg);border-radius:.5rem;padding:1rem;margin:0 0 1.25rem}
.summary h2{font-size:1.125rem;margin:0 0 .5rem}
.summary ul{margin:0;padding-left:1.25rem}
.summary a{color:var(--danger);font-weight:600}
.notice{border-left:4px solid var(--accent);background:#f1f4fd;padding:.75rem 1rem;margin:0 0 1rem}
h2{font-size:1.1875rem;line-height:1.3;margin:0 0 .75rem}
section{border-top:1px solid var(--line);padding-top:1.25rem;margin-top:1.25rem}
select{display:block;width:100%;min-height:2.75rem;padding:.5rem .75rem;font:inherit;color:inherit;border:1px solid #6e6e78;border-radius:.375rem;background:#fff}
button.secondary{background:#fff;color:var(--accent);border:2px solid var(--accent)}
button.danger{background:var(--danger)}
.tag{display:inline-block;font-size:.875rem;font-weight:600;padding:0 .5rem;border-radius:1rem;background:#e6f4ea;color:#0d5323}
.tag.warn{background:#fdf1dc;color:#6b4400}
.sessions,.links{list-style:none;margin:0 0 1rem;padding:0}
.session{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:0 0 .75rem}
.session p{margin:0 0 .5rem}
.device{font-weight:600}
dl{display:grid;grid-template-columns:auto minmax(0,1fr);gap:.125rem .75rem;margin:0 0 .5rem;font-size:.9375rem}
dt{color:var(--muted)}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
.links li{margin:0 0 .5rem}
.alt{margin:1.25rem 0 0;color:var(--muted)}
.alt a{display:inline-block;padding:.25rem 0}
nav ul{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;margin:0;padding:0}
nav a{display:inline-block;min-height:1.5rem;padding:.25rem .125rem}
nav a[aria-current=true]{color:var(--text);font-weight:600;text-decoration:none}
@media (min-width:40rem){main{padding-top:1rem}.card{padding:2rem}}
`;
}
