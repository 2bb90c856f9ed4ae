// Simple hand-made image features of a site, used by the tests to show what makes the synthetic
// classes distinct: nucleus count, size, elongation and outline (lobes), chromatin texture,
// nucleoli spots, mitochondria placement relative to nuclei, actin/ER fine texture and Golgi
// spread. All are ratios or counts, so per-channel gain and offset (the batch effects) cancel out.

export interface Components {
  /** Component label per pixel (0 = background). */
  labels: Int32Array;
  count: number;
  areas: number[];
}

/** Otsu threshold of 8-bit pixels (optionally only where mask is set). */
export function otsuThreshold(pixels: Uint8Array, mask?: Uint8Array): number {
  const hist = new Float64Array(256);
  let n = 0;
  for (let i = 0; i < pixels.length; i++) {
    if (mask && !mask[i]) continue;
    hist[pixels[i]!]!++;
    n++;
  }
  if (n === 0) return 255;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * hist[v]!;
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestT = 0;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = n - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      bestT = t;
    }
  }
  return bestT;
}

/** 4-connected components of a binary mask (flood fill with an explicit stack). */
export function connectedComponents(mask: Uint8Array, size: number): Components {
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  const areas: number[] = [];
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    count++;
    let top = 0;
    let area = 0;
    stack[top++] = start;
    labels[start] = count;
    while (top > 0) {
      const p = stack[--top]!;
      area++;
      const x = p % size;
      const y = (p - x) / size;
      const push = (q: number): void => {
        if (mask[q] && !labels[q]) {
          labels[q] = count;
          stack[top++] = q;
        }
      };
      if (x > 0) push(p - 1);
      if (x < size - 1) push(p + 1);
      if (y > 0) push(p - size);
      if (y < size - 1) push(p + size);
    }
    areas.push(area);
  }
  return { labels, count, areas };
}

/** City-block distance (in px) from every pixel to the nearest set pixel of mask (two passes). */
export function distanceToMask(mask: Uint8Array, size: number): Float32Array {
  const big = 1e6;
  const d = new Float32Array(mask.length);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? 0 : big;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (x > 0) d[i] = Math.min(d[i]!, d[i - 1]! + 1);
      if (y > 0) d[i] = Math.min(d[i]!, d[i - size]! + 1);
    }
  for (let y = size - 1; y >= 0; y--)
    for (let x = size - 1; x >= 0; x--) {
      const i = y * size + x;
      if (x < size - 1) d[i] = Math.min(d[i]!, d[i + 1]! + 1);
      if (y < size - 1) d[i] = Math.min(d[i]!, d[i + size]! + 1);
    }
  return d;
}

/** Mean |I − 3×3 box mean| over mean I: fine texture (fibres, reticulum, speckles), gain-free. */
function fineTexture(img: Uint8Array, size: number, mask?: Uint8Array): number {
  let num = 0;
  let den = 0;
  for (let y = 1; y < size - 1; y++)
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      if (mask && !mask[i]) continue;
      let s = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) s += img[i + dy * size + dx]!;
      num += Math.abs(img[i]! - s / 9);
      den += img[i]!;
    }
  return den > 0 ? num / den : 0;
}

function mask(pixels: Uint8Array, threshold: number): Uint8Array {
  const m = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) m[i] = pixels[i]! > threshold ? 1 : 0;
  return m;
}

/** Percentile (0..1) of 8-bit pixels where mask is set. */
function percentile(pixels: Uint8Array, p: number, m?: Uint8Array): number {
  const hist = new Float64Array(256);
  let n = 0;
  for (let i = 0; i < pixels.length; i++) {
    if (m && !m[i]) continue;
    hist[pixels[i]!]!++;
    n++;
  }
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v]!;
    if (seen >= p * n) return v;
  }
  return 255;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Count of strict 3×3 local maxima inside mask brighter than `rel` × the masked mean. */
function localMaxima(img: Uint8Array, size: number, m: Uint8Array, rel: number): number {
  let sum = 0;
  let cnt = 0;
  for (let i = 0; i < img.length; i++)
    if (m[i]) {
      sum += img[i]!;
      cnt++;
    }
  if (!cnt) return 0;
  const floor = (rel * sum) / cnt;
  let maxima = 0;
  for (let y = 1; y < size - 1; y++)
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const v = img[i]!;
      if (!m[i] || v <= floor) continue;
      let top = true;
      for (let dy = -1; dy <= 1 && top; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          if (!dx && !dy) continue;
          const q = img[i + dy * size + dx]!;
          // Ties count once: only the first pixel of a plateau (in scan order) wins.
          if (q > v || (q === v && dy * size + dx < 0)) {
            top = false;
            break;
          }
        }
      if (top) maxima++;
    }
  return maxima;
}

/** Share of the masked intensity held by its brightest 10% of pixels (one big spot vs many). */
function brightShare(img: Uint8Array, m: Uint8Array): number {
  const t = percentile(img, 0.9, m);
  let bright = 0;
  let total = 0;
  for (let i = 0; i < img.length; i++)
    if (m[i]) {
      total += img[i]!;
      if (img[i]! > t) bright += img[i]!;
    }
  return total ? bright / total : 0;
}

export const FEATURE_NAMES = [
  'nucleusCount',
  'nucleusArea',
  'nucleusElongation',
  'nucleusCompactness',
  'chromatinTexture',
  'nucleoliPerNucleus',
  'nucleoliBrightShare',
  'mitoDistance',
  'mitoNearShare',
  'actinTexture',
  'actinOverNucleus',
  'erTexture',
  'golgiNearNucleus',
  'golgiSpotsPerCell',
] as const;

/** Shape/texture features of one site from its 6 channel images (size×size, 8-bit). */
export function siteFeatures(channels: Uint8Array[], size: number): number[] {
  const [w1, w2, w3, w4, w5, w6] = channels as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  const n = size * size;
  const u = size / 128;

  // Nuclei: Otsu on w1, components larger than a few pixels.
  const nucMask = mask(w1, otsuThreshold(w1));
  const nuc = connectedComponents(nucMask, size);
  const minArea = Math.max(3, 12 * u * u);
  const sums = Array.from({ length: nuc.count + 1 }, () => ({
    a: 0,
    x: 0,
    y: 0,
    xx: 0,
    yy: 0,
    xy: 0,
    edge: 0,
    border: false,
  }));
  for (let i = 0; i < n; i++) {
    const l = nuc.labels[i]!;
    if (!l) continue;
    const x = i % size;
    const y = (i - x) / size;
    const s = sums[l]!;
    s.a++;
    s.x += x;
    s.y += y;
    s.xx += x * x;
    s.yy += y * y;
    s.xy += x * y;
    const onEdge =
      x === 0 ||
      y === 0 ||
      x === size - 1 ||
      y === size - 1 ||
      !nucMask[i - 1] ||
      !nucMask[i + 1] ||
      !nucMask[i - size] ||
      !nucMask[i + size];
    if (onEdge) s.edge++;
    if (x === 0 || y === 0 || x === size - 1 || y === size - 1) s.border = true;
  }
  // Medians over whole nuclei (not touching the border), so merged or cut blobs matter little.
  const areas: number[] = [];
  const elongs: number[] = [];
  const compacts: number[] = [];
  let count = 0;
  for (let l = 1; l <= nuc.count; l++) {
    const s = sums[l]!;
    if (s.a < minArea) continue;
    count++;
    if (s.border) continue;
    const mx = s.x / s.a;
    const my = s.y / s.a;
    const cxx = s.xx / s.a - mx * mx;
    const cyy = s.yy / s.a - my * my;
    const cxy = s.xy / s.a - mx * my;
    const tr = cxx + cyy;
    const det = cxx * cyy - cxy * cxy;
    const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
    const l1 = tr / 2 + disc;
    const l2 = Math.max(1e-6, tr / 2 - disc);
    areas.push(s.a);
    elongs.push(Math.sqrt(l1 / l2));
    compacts.push((s.edge * s.edge) / (4 * Math.PI * s.a));
  }
  const meanArea = median(areas);
  const k = Math.max(1, count);

  // Chromatin texture inside nuclei; nucleoli: bright w4 spots inside nuclei.
  const chromatin = fineTexture(w1, size, nucMask);
  const nucleoli = localMaxima(w4, size, nucMask, 1.12);
  const nucleoliPerNucleus = nucleoli / k;
  const nucleoliArea = brightShare(w4, nucMask);

  // Mitochondria: where the brightest w5 pixels sit, in nucleus radii from the nearest nucleus.
  const dist = distanceToMask(nucMask, size);
  const mitoThreshold = percentile(w5, 0.9);
  let dSum = 0;
  let dN = 0;
  for (let i = 0; i < n; i++)
    if (w5[i]! > mitoThreshold) {
      dSum += dist[i]!;
      dN++;
    }
  const radius = Math.sqrt(Math.max(1, meanArea) / Math.PI);
  const mitoDistance = dN ? dSum / dN / radius : 0;
  let mitoNear = 0;
  for (let i = 0; i < n; i++) if (w5[i]! > mitoThreshold && dist[i]! <= 0.7 * radius) mitoNear++;
  const mitoNearShare = dN ? mitoNear / dN : 0;

  // Actin: fibres run across the whole cell, nucleus included; a cortical ring avoids the middle.
  const cellMask = mask(w3, otsuThreshold(w3));
  const actinTexture = fineTexture(w3, size, cellMask);
  let overNucleus = 0;
  let overNucleusN = 0;
  let inCell = 0;
  let inCellN = 0;
  for (let i = 0; i < n; i++) {
    if (nucMask[i]) {
      overNucleus += w3[i]!;
      overNucleusN++;
    } else if (cellMask[i]) {
      inCell += w3[i]!;
      inCellN++;
    }
  }
  const actinOverNucleus =
    overNucleusN && inCell ? overNucleus / overNucleusN / (inCell / inCellN) : 0;
  const erMask = mask(w2, otsuThreshold(w2));
  const erTexture = fineTexture(w2, size, erMask);

  // Golgi: share of bright w6 close to a nucleus, and how many separate bright spots per cell.
  const golgiThreshold = percentile(w6, 0.93);
  let near = 0;
  let golgiN = 0;
  for (let i = 0; i < n; i++)
    if (w6[i]! > golgiThreshold) {
      golgiN++;
      if (dist[i]! <= 0.8 * radius + 2 * u) near++;
    }
  const golgiSpots = connectedComponents(mask(w6, golgiThreshold), size).count / k;

  return [
    count,
    meanArea / (u * u),
    median(elongs),
    median(compacts),
    chromatin,
    nucleoliPerNucleus,
    nucleoliArea,
    mitoDistance,
    mitoNearShare,
    actinTexture,
    actinOverNucleus,
    erTexture,
    golgiN ? near / golgiN : 0,
    golgiSpots,
  ];
}
