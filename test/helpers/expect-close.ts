import { expect } from 'vitest';

/** Named tolerances: say which one a comparison uses instead of scattering magic numbers. */
export const TOL = {
  /** Same arithmetic in another order. */
  roundoff: { rtol: 1e-12, atol: 1e-12 },
  /** Iterative solvers run to 1e-10 relative tolerance. */
  solver: { rtol: 1e-8, atol: 1e-10 },
} as const;

/**
 * |actual − expected| ≤ atol + rtol·|expected| elementwise; NaN never passes. Reports the worst
 * element (TensorFlow.js's absolute-only check fails on large values; this does not).
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { rtol: number; atol: number } = TOL.roundoff,
): void {
  // A plain number has no length: it would compare nothing. Wrap it: expectClose([a], [e]).
  expect(typeof actual === 'object' && typeof expected === 'object', 'expectClose takes arrays').toBe(true);
  expect(actual.length, 'length').toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (Number.isNaN(a) || Number.isNaN(e) || excess > worstExcess || (worst < 0 && excess > 0)) {
      if (Number.isNaN(a) || Number.isNaN(e)) {
        worst = i;
        break;
      }
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}
