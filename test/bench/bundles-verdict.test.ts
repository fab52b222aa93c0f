import { withinTargets } from '../../bench/bundles';

test('the bench says ok only when KB at import, the wall median and the instruction ratio all hold', () => {
  expect(withinTargets(446, 0.91, 0.73)).toBe(true);
  expect(withinTargets(446, 0.91, null)).toBe(true);
  // Node 20 on this machine: instructions within, wall not: OVER (the two must agree).
  expect(withinTargets(446, 1.25, 1.11)).toBe(false);
  expect(withinTargets(446, 1.1, 1.25)).toBe(false);
  expect(withinTargets(451, 0.9, 0.7)).toBe(false);
});
