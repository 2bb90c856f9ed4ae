// Small functions that Playwright runs inside the page. The node-side tsconfig has no DOM library,
// so the few browser globals they touch are declared here, locally to this module.
interface Style {
  backgroundImage: string;
  backgroundColor: string;
}
declare function getComputedStyle(el: unknown): Style;
declare const document: { querySelector(sel: string): { textContent: string | null } | null };

export const backgroundImage = (el: unknown): string => getComputedStyle(el).backgroundImage;
export const backgroundColor = (el: unknown): string => getComputedStyle(el).backgroundColor;
export const backgroundImages = (els: unknown[]): string[] =>
  els.map((el) => getComputedStyle(el).backgroundImage);
export const backgroundColors = (els: unknown[]): string[] =>
  els.map((el) => getComputedStyle(el).backgroundColor);
export const naturalWidth = (el: unknown): number => (el as { naturalWidth: number }).naturalWidth;
export const jobsIdle = (): boolean =>
  document.querySelector('[data-testid="jobs-running-count"]')?.textContent === '0';
