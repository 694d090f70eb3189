/**
 * The accent colour's rule: WCAG 2.2 contrast with white, computed as the standard defines it, with 4.5:1 the line.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { accentProblem, contrastWithWhite, DEFAULT_ACCENT } from '../../../src/surfaces/pages/accent.js';

describe('the accent colour', () => {
  it('computes WCAG contrast with white: the extremes, a dark channel below the linear knee, and the greys either side of 4.5:1', () => {
    expect(contrastWithWhite('#ffffff')).toBeCloseTo(1, 5);
    expect(contrastWithWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastWithWhite('#0a0a0a')).toBeCloseTo(19.8, 1);
    expect(contrastWithWhite('#767676')).toBeCloseTo(4.54, 2);
    expect(contrastWithWhite('#777777')).toBeCloseTo(4.48, 2);
    expect(contrastWithWhite('#ff0000')).toBeCloseTo(4.0, 2);
    expect(contrastWithWhite('#00ff00')).toBeCloseTo(1.37, 2);
    expect(contrastWithWhite('#0000ff')).toBeCloseTo(8.59, 2);
    expect(contrastWithWhite(DEFAULT_ACCENT)).toBeCloseTo(6.7, 1);
  });

  it('accepts a colour at 4.5:1 or more and refuses one below, and anything that is not #rrggbb', () => {
    expect(accentProblem('#767676')).toBeUndefined();
    expect(accentProblem('#1D4ED8')).toBeUndefined();
    expect(accentProblem('#777777')).toBe('#777777 has a contrast of 4.48:1 with white; buttons and links need at least 4.5:1 (WCAG 2.2 AA): pick a darker shade');
    for (const bad of ['1d4ed8', '#1d4ed', '#1d4ed8x', ' #1d4ed8', 'x#1d4ed8', '#ggggggg', 'blue']) {
      expect(accentProblem(bad), bad).toBe(`must be a colour like #1d4ed8, got ${bad}`);
    }
  });
});
