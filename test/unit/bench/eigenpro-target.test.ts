import { describe, expect, it } from 'vitest';
import type { CurvePoint } from '../../../algorithms/eigenpro';
import { secondsToError } from '../../../bench/eigenpro';

const point = (seconds: number, trainRelError: number): CurvePoint => ({ seconds, epochs: seconds, updates: 0, trainRelError, trainMse: 0, testMse: null, trainClassError: null, testClassError: null });

describe('eigenpro bench: seconds to the fixed training error', () => {
  it('interpolates log error linearly between the snapshots around the crossing', () => {
    // 1 → 0.01 between t = 1 and t = 3: the error is 0.1 (half way in log) at t = 2.
    const curve = [point(0, 1), point(1, 1), point(3, 0.01), point(4, 0.001)];
    expect(secondsToError(curve, 0.1)).toBeCloseTo(2, 12);
    expect(secondsToError(curve, 1)).toBe(0);
    expect(secondsToError(curve, 0.01)).toBeCloseTo(3, 12);
  });

  it('is NaN for a curve that never gets there, and the snapshot time where nothing comes before', () => {
    expect(secondsToError([point(0, 1), point(2, 0.5)], 0.1)).toBeNaN();
    expect(secondsToError([point(0.5, 0.05)], 0.1)).toBe(0.5);
  });
});
