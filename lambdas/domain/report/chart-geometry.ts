/**
 * The little chart geometry the report needs: a linear scale with a "nice" upper bound and ticks.
 * Written here instead of taking d3-scale: d3-scale 4 is ESM-only (Jest 29 here runs CommonJS) and
 * scaleLinear + scaleBand bundle to ~30 KB minified (docs/PERFORMANCE.md, "Report function"), for
 * the ~40 lines below. Pure.
 */

/** The smallest of 1, 2, 2.5, 5 x 10^n that is >= value (0 stays 1: an empty chart still has an axis). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

/** `count` + 1 evenly spaced ticks from 0 to `max` inclusive. */
export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, index) => round((max / count) * index));
}

export interface LinearScale {
  (value: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Maps [d0, d1] onto [r0, r1] (clamped), like d3's scaleLinear().clamp(true). */
export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const scale = ((value: number) => {
    const t = Math.min(1, Math.max(0, (value - d0) / span));
    return round(r0 + t * (r1 - r0));
  }) as LinearScale;
  scale.domain = domain;
  scale.range = range;
  return scale;
}

/** `n` equal bands over [start, end] with `padding` (0..1) of each band left empty. */
export function bands(n: number, start: number, end: number, padding = 0.2): Array<{ x: number; width: number }> {
  const step = n > 0 ? (end - start) / n : 0;
  return Array.from({ length: n }, (_, index) => ({ x: round(start + index * step + (step * padding) / 2), width: round(step * (1 - padding)) }));
}

/** Two decimals at most: short, stable SVG numbers. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
