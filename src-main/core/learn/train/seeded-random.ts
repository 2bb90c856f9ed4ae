// tfjs draws weight initialisers and dropout masks from Math.random-seeded generators when no seed is
// given. Swapping Math.random for a seeded stream around model building and each training step makes
// both reproducible, so an interrupted run resumes onto exactly the same trajectory.
import { SeededRng } from '../util/rng';

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
