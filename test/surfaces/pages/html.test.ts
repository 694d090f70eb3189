/**
 * The pages' template: escaping is the default, safe markup only comes from the template itself, and a value in an
 * unquoted attribute is refused before it can render.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml, trustedHtml } from '../../../src/surfaces/pages/html.js';

describe('the html template', () => {
  it('escapes every string it is given, in text and in quoted attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    expect(html`<p title="${hostile}">${hostile}</p>`.toString()).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('places safe markup as is, joins lists, prints numbers and leaves nothing for null, undefined and false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${[html`<br>`, 'a&b', 3]}${null}${undefined}${false}</p>`.toString()).toBe('<p><b>&lt;i&gt;</b><br>a&amp;b3</p>');
    expect(trustedHtml('<hr>').toString()).toBe('<hr>');
  });

  it('refuses a value in an unquoted attribute, which escaping cannot keep inside', () => {
    const url = 'x onmouseover=alert(1)';
    expect(() => html`<a href=${url}>x</a>`).toThrow(/unquoted attribute/);
    expect(() => html`<a href= ${url}>x</a>`).toThrow(/unquoted attribute/);
    expect(html`<a href="${url}">x</a>`.toString()).toBe('<a href="x onmouseover=alert(1)">x</a>');
  });

  it('cannot be made outside the module: the constructor wants the module\'s own key', () => {
    expect(() => new SafeHtml(Symbol('vouched') as never, '<script>')).toThrow(new TypeError('SafeHtml is made by html`...` or trustedHtml()'));
  });
});
