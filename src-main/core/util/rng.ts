// The one seeded RNG (core/util, for imaging and learn): every draw derives from (seed, purpose, epoch,
// step), so a resumed run replays its shuffles, crops, jitters, mixups, init and dropout exactly.
// dataset/synth/prng.ts keeps its own sfc32: generated datasets are pinned to that stream.

/** Mixes a list of integers into one 32-bit seed (splitmix-style finaliser per element). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h = (h + 0x6a09e667) | 0;
  }
  return h >>> 0;
}

/** A small seeded generator (mulberry32); its whole state is one integer, so it is easy to save. */
export class SeededRng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  get stateValue(): number {
    return this.state;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang; used for Beta draws (mixup). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.next() || 1e-12, 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, a), the mixup coefficient distribution. */
  beta(a: number): number {
    const x = this.gamma(a);
    const y = this.gamma(a);
    return x + y === 0 ? 0.5 : x / (x + y);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}

/** Purposes for derived streams; fixed numbers so saved runs stay replayable. */
export const RngPurpose = {
  split: 1,
  shuffle: 2,
  augment: 3,
  mixup: 4,
  init: 5,
  valAugment: 6,
} as const;

export function rngFor(seed: number, purpose: number, ...parts: number[]): SeededRng {
  return new SeededRng(deriveSeed(seed, purpose, ...parts));
}

/**
 * Runs `fn` with Math.random replaced by a SeededRng(seed) stream. tfjs draws weight initialisers
 * and dropout masks from Math.random when no seed is given; wrapping model building and each
 * training step makes both reproducible, so an interrupted run resumes onto the same trajectory.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  const rng = new SeededRng(seed);
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
