import { InputError, ShapeError } from '../../shared/errors';

/**
 * The centralized parameter store (`store: master`): AsyncEigenPro's baseline against the sharded
 * store (sharded-store.ts), with α in the master: a float64 vector split into slices, each with
 * one owner who alone may write it, each slice versioned so readers can measure staleness.
 *
 * Node runs the handlers on one thread and a read copies the whole vector in one turn, so every
 * read is a consistent snapshot: the paper's inconsistent reads cannot happen here, which is why
 * the default store is the sharded one.
 */
export interface SliceInfo {
  start: number;
  end: number;
  owner: number;
  version: number;
}

export class ParameterVector {
  readonly values: Float64Array;
  readonly slices: SliceInfo[];
  totalVersion = 0;

  constructor(readonly name: string, length: number, owners: number, initial?: Float64Array) {
    if (!Number.isInteger(length) || length <= 0) throw new ShapeError(`parameter '${name}': length must be a positive integer`);
    if (!Number.isInteger(owners) || owners <= 0 || owners > length) {
      throw new ShapeError(`parameter '${name}': cannot split ${length} values among ${owners} owners`);
    }
    if (initial && initial.length !== length) throw new ShapeError(`parameter '${name}': initial value has ${initial.length} values, need ${length}`);
    this.values = initial ? Float64Array.from(initial) : new Float64Array(length);
    const base = Math.floor(length / owners);
    const extra = length % owners;
    this.slices = [];
    let start = 0;
    for (let r = 0; r < owners; r++) {
      const end = start + base + (r < extra ? 1 : 0);
      this.slices.push({ start, end, owner: r, version: 0 });
      start = end;
    }
  }

  /** A copy of [start, end) (the whole vector by default) and the versions of the slices it spans. */
  read(start = 0, end = this.values.length): { values: Float64Array; versions: number[]; totalVersion: number } {
    if (start < 0 || end > this.values.length || start > end) {
      throw new ShapeError(`parameter '${this.name}': read [${start}, ${end}) is outside [0, ${this.values.length})`);
    }
    const versions = this.slices.filter((s) => s.end > start && s.start < end).map((s) => s.version);
    return { values: this.values.slice(start, end), versions, totalVersion: this.totalVersion };
  }

  /** Writes the owner's own slice (all of it, or a sub-range of it). Returns the slice's new version. */
  write(owner: number, start: number, values: Float64Array): number {
    const slice = this.slices[owner];
    if (!slice) throw new InputError(`parameter '${this.name}': no slice owned by ${owner}`);
    const end = start + values.length;
    if (start < slice.start || end > slice.end) {
      throw new InputError(
        `parameter '${this.name}': owner ${owner} may write [${slice.start}, ${slice.end}), not [${start}, ${end})`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) throw new InputError(`parameter '${this.name}': write contains ${values[i]} at ${start + i}`);
    }
    this.values.set(values, start);
    slice.version++;
    this.totalVersion++;
    return slice.version;
  }
}

export class ParameterStore {
  private readonly vectors = new Map<string, ParameterVector>();

  create(name: string, length: number, owners: number, initial?: Float64Array): ParameterVector {
    const v = new ParameterVector(name, length, owners, initial);
    this.vectors.set(name, v);
    return v;
  }

  get(name: string): ParameterVector {
    const v = this.vectors.get(name);
    if (!v) throw new InputError(`no parameter vector named '${name}'`);
    return v;
  }

  delete(name: string): void {
    this.vectors.delete(name);
  }
}
