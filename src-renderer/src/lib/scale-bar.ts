// The viewer's scale bar: a round length in image pixels whose on-screen width stays readable at
// any zoom. RxRx1 documents no physical pixel size (shared/guide/rxrx1.md, recursionpharma/
// rxrx-datasets rxrx1/README.md), so the bar is in the site's own image pixels, not µm.

const STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500];

/**
 * On-screen px per image px for a site `imageWidth` px wide (as indexed: 512 for RxRx1, 128 on the
 * demo) drawn `viewSize` px wide at `zoom`. Throws RangeError for a non-positive width or size.
 */
export function screenPerImagePx(viewSize: number, imageWidth: number, zoom = 1): number {
  if (!(imageWidth > 0)) throw new RangeError(`image width must be > 0, got ${imageWidth}`);
  if (!(viewSize > 0)) throw new RangeError(`view size must be > 0, got ${viewSize}`);
  return (viewSize / imageWidth) * zoom;
}

/**
 * `screenPerImagePx` = on-screen px per image px (see screenPerImagePx). Returns the largest
 * round length (image px) whose bar is at most `maxScreen` px wide, and that bar's width.
 */
export function scaleBar(
  screenPerImagePx: number,
  maxScreen = 120,
): { imagePx: number; screenPx: number } {
  if (!(screenPerImagePx > 0)) throw new RangeError(`scale must be > 0, got ${screenPerImagePx}`);
  let pick = STEPS[0];
  for (const s of STEPS) if (s * screenPerImagePx <= maxScreen) pick = s;
  return { imagePx: pick, screenPx: pick * screenPerImagePx };
}
