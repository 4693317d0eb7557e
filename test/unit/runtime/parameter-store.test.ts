import { describe, expect, it } from 'vitest';
import { ParameterStore } from '../../../master/store';

describe('ParameterStore (pure)', () => {
  it('splits into owner slices, writes only own slice, versions count', () => {
    const store = new ParameterStore();
    const a = store.create('alpha', 10, 3);
    expect(a.slices.map((s) => [s.start, s.end])).toEqual([[0, 4], [4, 7], [7, 10]]);
    expect(a.write(1, 4, Float64Array.from([1, 2, 3]))).toBe(1);
    expect(() => a.write(1, 3, Float64Array.from([9]))).toThrow('owner 1 may write [4, 7), not [3, 4)');
    expect(() => a.write(0, 0, Float64Array.from([NaN]))).toThrow('contains NaN');
    const r = a.read();
    expect(Array.from(r.values)).toEqual([0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
    expect(r.versions).toEqual([0, 1, 0]);
    expect(r.totalVersion).toBe(1);
    expect(() => store.get('beta')).toThrow("no parameter vector named 'beta'");
  });
});
