// Shows one rendered site image with zoom (wheel) and pan (drag) and a scale bar in image pixels;
// the view transform is passed in so side-by-side sites zoom and pan together.
import { Loader, Text } from '@mantine/core';
import { useRef } from 'react';
import type { PointerEvent, WheelEvent } from 'react';
import { scaleBar, screenPerImagePx } from '../lib/scale-bar';

/** Rendered site images are requested at this size (px per side, whatever the source size). */
export const SITE_PX = 512;

export interface View {
  scale: number;
  x: number;
  y: number;
}

export function SiteView(props: {
  url: string | null;
  loading: boolean;
  error: string | null;
  label: string;
  size: number;
  /** The site's source image width in px (wells.detail); null hides the scale bar. */
  imageWidth: number | null;
  view: View;
  onView: (v: View) => void;
  testId: string;
  /** A same-size overlay drawn over the image with the same zoom and pan (e.g. a saliency map). */
  overlay?: { url: string; opacity: number } | null;
}) {
  const { url, loading, error, label, size, imageWidth, view, onView, testId, overlay } = props;
  const bar = imageWidth ? scaleBar(screenPerImagePx(size, imageWidth, view.scale)) : null;
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);

  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    const factor = e.deltaY < 0 ? 1.2 : 1 / 1.2;
    const scale = Math.min(16, Math.max(1, view.scale * factor));
    const k = scale / view.scale;
    // Zoom about the pointer: the image point under it stays put.
    onView(clamp({ scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k }, size));
  };
  const onDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
  };
  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    onView(
      clamp({ scale: view.scale, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }, size),
    );
  };

  return (
    <div>
      <Text size="sm" fw={600} mb={4}>
        {label}
      </Text>
      <div
        className="site-frame"
        style={{ width: size, height: size }}
        onWheel={onWheel}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={() => (drag.current = null)}
        onDoubleClick={() => onView({ scale: 1, x: 0, y: 0 })}
        data-testid={testId}
        data-scale={view.scale.toFixed(2)}
      >
        {url && !error && (
          <img
            src={url}
            alt={label}
            width={size}
            height={size}
            draggable={false}
            style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}
            data-testid={`${testId}-img`}
          />
        )}
        {url && !error && overlay && (
          <img
            src={overlay.url}
            alt={`${label} overlay`}
            width={size}
            height={size}
            draggable={false}
            style={{
              opacity: overlay.opacity,
              pointerEvents: 'none',
              transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`,
            }}
            data-testid={`${testId}-overlay`}
          />
        )}
        {url && !error && bar && (
          <div
            className="scale-bar"
            data-testid={`${testId}-scale`}
            data-image-px={bar.imagePx}
            title={`Scale in image pixels (this site is ${imageWidth} px wide; RxRx1 publishes no µm per pixel)`}
          >
            <div style={{ width: bar.screenPx }} />
            <span>{bar.imagePx} px</span>
          </div>
        )}
        {loading && !error && (
          <Loader color="gray" size="sm" style={{ position: 'absolute', right: 8, top: 8 }} />
        )}
        {error && (
          <div
            style={{ color: '#ff8787', padding: 16, fontSize: 14 }}
            data-testid={`${testId}-error`}
          >
            Broken site: {error}
          </div>
        )}
      </div>
    </div>
  );
}

function clamp(v: View, size: number): View {
  const min = size - size * v.scale;
  return { scale: v.scale, x: Math.min(0, Math.max(min, v.x)), y: Math.min(0, Math.max(min, v.y)) };
}
