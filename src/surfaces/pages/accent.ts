/**
 * The accent colour's rules. Buttons carry white text on the accent and links are the accent on white, so a colour
 * that does not reach WCAG 2.2 AA contrast with white (4.5:1 for normal text) would make a branded deployment fail
 * the pages' accessibility promise; it is refused at start-up instead.
 * @module
 */

/** Sesame's own accent: a blue with 6.7:1 contrast on white. */
export const DEFAULT_ACCENT = '#1d4ed8';

/** WCAG's minimum contrast for normal-size text (success criterion 1.4.3, level AA). */
export const MIN_CONTRAST = 4.5;

/** The relative luminance of an sRGB `#rrggbb` colour (WCAG 2.2 definition). */
function luminance(hex: string): number {
  const channel = (offset: number): number => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio of `#rrggbb` against white. */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

/** Why `colour` cannot be the accent, as the end of a sentence; undefined when it can. */
export function accentProblem(colour: string): string | undefined {
  if (!/^#[0-9a-fA-F]{6}$/.test(colour)) return `must be a colour like #1d4ed8, got ${colour}`;
  const ratio = contrastWithWhite(colour);
  if (ratio < MIN_CONTRAST) return `${colour} has a contrast of ${ratio.toFixed(2)}:1 with white; buttons and links need at least 4.5:1 (WCAG 2.2 AA): pick a darker shade`;
  return undefined;
}
