// Gathers wells from several files keyed by id_code: the first row wins, a repeated identical
// row is reported as a duplicate, a repeated row with other labels as a conflict. Nothing good is dropped.
import type { Problem, WellMeta } from './types';

function describe(w: WellMeta): string {
  return `${w.split}, ${w.wellType}, sirna ${w.sirna ?? 'none'}`;
}

export class WellCollector {
  private readonly byId = new Map<string, WellMeta>();

  constructor(private readonly problems: Problem[]) {}

  add(w: WellMeta): void {
    const prev = this.byId.get(w.idCode);
    if (!prev) {
      this.byId.set(w.idCode, w);
      return;
    }
    const where = `${prev.sourceFile} line ${prev.sourceLine}`;
    if (describe(prev) === describe(w)) {
      this.problems.push({
        kind: 'duplicate-row',
        path: w.sourceFile,
        message: `line ${w.sourceLine}: ${w.idCode} repeats ${where}`,
      });
    } else {
      this.problems.push({
        kind: 'conflicting-label',
        path: w.sourceFile,
        message: `line ${w.sourceLine}: ${w.idCode} is ${describe(w)} here but ${describe(prev)} in ${where}; keeping the first`,
      });
    }
  }

  has(idCode: string): boolean {
    return this.byId.has(idCode);
  }

  wells(): WellMeta[] {
    return [...this.byId.values()];
  }
}
