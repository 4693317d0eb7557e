/**
 * Armijo backtracking: the first step s = s0, s0·shrink, ... with change(s) ≤ c·s·slope (slope =
 * ∇fᵀp < 0). Newton tries the unit step first and keeps it when accepted (the quadratic phase);
 * the safeguard only shrinks a step that would not decrease f enough.
 */
export interface ArmijoOptions {
  c: number;
  shrink: number;
  maxTries: number;
}

export const ARMIJO: ArmijoOptions = { c: 1e-4, shrink: 0.5, maxTries: 50 };

export interface StepChoice {
  step: number;
  /** f(w + step·p) − f(w). */
  change: number;
  tries: number;
  accepted: boolean;
}

export function armijoBacktracking(change: (s: number) => number, slope: number, s0: number, opts: ArmijoOptions = ARMIJO): StepChoice {
  if (!(slope < 0)) return { step: 0, change: 0, tries: 0, accepted: false };
  let s = s0;
  for (let k = 1; k <= opts.maxTries; k++) {
    const c = change(s);
    if (c <= opts.c * s * slope) return { step: s, change: c, tries: k, accepted: true };
    s *= opts.shrink;
  }
  return { step: 0, change: 0, tries: opts.maxTries, accepted: false };
}

/** The same rule over a fixed grid of steps whose changes were computed together (GIANT's workers). */
export function armijoOnGrid(steps: Float64Array, changes: Float64Array, slope: number, c = ARMIJO.c): StepChoice {
  if (!(slope < 0)) return { step: 0, change: 0, tries: 0, accepted: false };
  for (let k = 0; k < steps.length; k++) {
    if (changes[k]! <= c * steps[k]! * slope) return { step: steps[k]!, change: changes[k]!, tries: k + 1, accepted: true };
  }
  return { step: 0, change: 0, tries: steps.length, accepted: false };
}
