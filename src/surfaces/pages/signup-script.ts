/**
 * The one script the hosted pages run, on the sign-up page only: it solves the form's proof-of-work challenge
 * (`data-challenge`: find `n` with SHA-256(salt + n) = challenge, Altcha's v1 puzzle) with the browser's WebCrypto,
 * writes the answer into the hidden `altcha` field, and holds a submit made before the answer is found until it is.
 * Written here by hand, a few hundred bytes, served same-origin from `/account/assets/` under `script-src 'self'`:
 * no library, no third party, no CDN. Without JavaScript the form still renders and says the check needs it.
 * @module
 */

/** The script's source, as served (hashed into its URL like the stylesheet, so it can be cached for a year). */
export const SIGNUP_SCRIPT = `(async () => {
  const form = document.querySelector('form[data-challenge]');
  if (!form) return;
  const c = JSON.parse(form.dataset.challenge);
  let solved = false, waiting = false;
  form.addEventListener('submit', (event) => { if (!solved) { event.preventDefault(); waiting = true; } });
  const encoder = new TextEncoder();
  for (let n = 0; n <= c.maxnumber; n++) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(c.salt + n)));
    let hex = '';
    for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
    if (hex !== c.challenge) continue;
    form.elements.namedItem('altcha').value = btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature }));
    solved = true;
    form.dataset.solved = 'true';
    if (waiting) form.requestSubmit();
    return;
  }
})();
`;
