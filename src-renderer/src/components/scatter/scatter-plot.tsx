// A canvas 2D scatter plot for tens of thousands of points: drag pans, the wheel zooms around the
// cursor (redrawn once per animation frame), hover rings the nearest point within a few px and
// shows a tooltip, click opens it, shift-drag selects a box and alt-drag (or lasso mode) a lasso.
import { ActionIcon, Group, SegmentedControl, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent, ReactNode } from 'react';
import { css, type Rgb } from '../../../../src-shared/colormaps';
import { bucketByGroup, drawOverlay, drawScatter } from './draw';
import { PointIndex } from './point-index';
import { boundsOf, fitView, panBy, toData, wheelFactor, zoomAt, type View } from './view';

export interface ScatterPlotProps {
  /** Data coordinates of the points (same length). */
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Group of each point: index into `colors` (the legend's entries). */
  groups: ArrayLike<number>;
  colors: readonly Rgb[];
  /** Groups switched off in the legend: not drawn, not hoverable, not selectable. */
  hidden: ReadonlySet<number>;
  /** Selected point indices (drawn on top, the rest faded). */
  selected: readonly number[];
  /** A box or lasso selection finished: the shown points inside it (ascending). */
  onSelect: (points: number[]) => void;
  /** A click on a point (no drag). */
  onOpen: (point: number) => void;
  /** The tooltip's content for a hovered point. */
  tooltip: (point: number) => ReactNode;
  height?: number;
  /** Point radius in CSS px. */
  radius?: number;
}

type Drag =
  | { kind: 'pan'; x0: number; y0: number; x: number; y: number; moved: boolean }
  | { kind: 'box'; x0: number; y0: number; x: number; y: number }
  | { kind: 'lasso'; path: [number, number][] };

/** How far (CSS px) the cursor may be from a point to hover or click it. */
const HIT_PX = 6;
/** A press that moves less than this (CSS px) is a click, not a pan. */
const CLICK_SLOP = 4;

export function ScatterPlot(props: ScatterPlotProps) {
  const { xs, ys, groups, colors, hidden, selected, onSelect, onOpen, tooltip } = props;
  const height = props.height ?? 560;
  const radius = props.radius ?? 3;
  const { ref: boxRef, width } = useElementSize<HTMLDivElement>();
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<View | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const frame = useRef<number | null>(null);
  const dirty = useRef({ base: false, overlay: false });
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const [mode, setMode] = useState<'pan' | 'lasso'>('pan');
  const [dragging, setDragging] = useState(false);
  const [drawn, setDrawn] = useState(0);
  const [viewAttr, setViewAttr] = useState('');

  const buckets = useMemo(() => bucketByGroup(groups, colors.length), [groups, colors.length]);
  const index = useMemo(() => new PointIndex(xs, ys), [xs, ys]);
  const shown = useCallback((i: number) => !hidden.has(groups[i] ?? -1), [hidden, groups]);

  // What the next frame draws, read inside the rAF callback (always the newest props).
  const latest = useRef({
    xs,
    ys,
    groups,
    buckets,
    colors,
    hidden,
    selected,
    radius,
    hover,
    width,
  });
  useLayoutEffect(() => {
    latest.current = { xs, ys, groups, buckets, colors, hidden, selected, radius, hover, width };
  });

  const paint = useCallback(() => {
    frame.current = null;
    const view = viewRef.current;
    const L = latest.current;
    if (!view || L.width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const size = { width: L.width, height, dpr };
    if (dirty.current.base && baseRef.current) {
      const ctx = baseRef.current.getContext('2d');
      if (ctx) {
        const n = drawScatter(ctx, { ...L, ...size, view });
        setDrawn(n);
        setViewAttr(`${view.k} ${view.tx} ${view.ty}`);
      }
    }
    if ((dirty.current.overlay || dirty.current.base) && overRef.current) {
      const ctx = overRef.current.getContext('2d');
      const d = dragRef.current;
      const h = L.hover && L.hover.i < L.xs.length ? L.hover : null;
      if (ctx)
        drawOverlay(ctx, {
          ...size,
          view,
          radius: L.radius,
          hover: h
            ? {
                x: L.xs[h.i]!,
                y: L.ys[h.i]!,
                color: css(L.colors[L.groups[h.i]!] ?? [136, 136, 136]),
              }
            : null,
          box: d?.kind === 'box' ? [d.x0, d.y0, d.x, d.y] : null,
          lasso: d?.kind === 'lasso' ? d.path : null,
        });
    }
    dirty.current = { base: false, overlay: false };
  }, [height]);

  /** Schedules one redraw on the next animation frame (many requests in a frame draw once). */
  const request = useCallback(
    (what: 'base' | 'overlay') => {
      dirty.current[what] = true;
      if (frame.current === null) frame.current = requestAnimationFrame(paint);
    },
    [paint],
  );
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  // The window moved to a screen with another pixel ratio (or the page was zoomed): resize.
  const [dpr, setDpr] = useState(() => window.devicePixelRatio || 1);
  useEffect(() => {
    const mq = window.matchMedia(`(resolution: ${dpr}dppx)`);
    const onChange = () => setDpr(window.devicePixelRatio || 1);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [dpr]);

  // Backing stores follow the CSS size × devicePixelRatio (sharp on HiDPI screens).
  useEffect(() => {
    for (const c of [baseRef.current, overRef.current]) {
      if (!c || width <= 0) continue;
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
    request('base');
  }, [width, height, dpr, request]);

  const resetView = useCallback(() => {
    if (width <= 0) return;
    viewRef.current = fitView(boundsOf(xs, ys), width, height);
    request('base');
  }, [xs, ys, width, height, request]);
  // New data (another run, split or projection) starts from the fitted view.
  useEffect(() => {
    viewRef.current = null;
    resetView();
  }, [resetView]);

  // Colours, hidden groups or the selection changed: redraw.
  useEffect(() => request('base'), [colors, hidden, selected, groups, request]);
  useEffect(() => request('overlay'), [hover, request]);

  // The wheel needs a non-passive listener to keep the page from scrolling while zooming.
  useEffect(() => {
    const el = overRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = viewRef.current;
      if (!v) return;
      const r = el.getBoundingClientRect();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      viewRef.current = zoomAt(
        v,
        e.clientX - r.left,
        e.clientY - r.top,
        wheelFactor(dy),
        1e-6,
        1e9,
      );
      setHover(null);
      request('base');
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [request]);

  const local = (e: ReactPointerEvent): [number, number] => {
    const r = e.currentTarget.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const pick = (sx: number, sy: number): number | null => {
    const v = viewRef.current;
    if (!v) return null;
    const [x, y] = toData(v, sx, sy);
    return index.nearest(x, y, HIT_PX / v.k, shown);
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0) return;
    const [x, y] = local(e);
    e.currentTarget.setPointerCapture(e.pointerId);
    if (e.shiftKey) dragRef.current = { kind: 'box', x0: x, y0: y, x, y };
    else if (e.altKey || mode === 'lasso') dragRef.current = { kind: 'lasso', path: [[x, y]] };
    else dragRef.current = { kind: 'pan', x0: x, y0: y, x, y, moved: false };
    setDragging(true);
    setHover(null);
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const [x, y] = local(e);
    const d = dragRef.current;
    if (!d) {
      const i = pick(x, y);
      setHover((h) => (i === null ? null : h?.i === i && h.x === x && h.y === y ? h : { i, x, y }));
      return;
    }
    if (d.kind === 'pan') {
      if (Math.hypot(x - d.x0, y - d.y0) >= CLICK_SLOP) d.moved = true;
      if (!d.moved || !viewRef.current) return;
      viewRef.current = panBy(viewRef.current, x - d.x, y - d.y);
      d.x = x;
      d.y = y;
      request('base');
    } else if (d.kind === 'box') {
      d.x = x;
      d.y = y;
      request('overlay');
    } else {
      d.path.push([x, y]);
      request('overlay');
    }
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const d = dragRef.current;
    dragRef.current = null;
    setDragging(false);
    const v = viewRef.current;
    if (!d || !v) return;
    const [x, y] = local(e);
    if (d.kind === 'pan' && !d.moved) {
      const i = pick(x, y);
      if (i !== null) onOpen(i);
    } else if (d.kind === 'box') {
      const [ax, ay] = toData(v, d.x0, d.y0);
      const [bx, by] = toData(v, x, y);
      if (Math.hypot(x - d.x0, y - d.y0) >= CLICK_SLOP)
        onSelect(index.inBox(ax, ay, bx, by, shown));
    } else if (d.kind === 'lasso') {
      onSelect(
        index.inPolygon(
          d.path.map(([px, py]) => toData(v, px, py)),
          shown,
        ),
      );
    }
    request('overlay');
  };

  const canvasStyle = { position: 'absolute', left: 0, top: 0, width, height } as const;
  return (
    <div>
      <Group gap="xs" mb={4}>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(v) => setMode(v as 'pan' | 'lasso')}
          data={[
            { value: 'pan', label: 'Pan (shift: box)' },
            { value: 'lasso', label: 'Lasso (or alt-drag)' },
          ]}
          data-testid="scatter-mode"
        />
        <Tooltip label="Fit all points">
          <ActionIcon
            variant="light"
            onClick={resetView}
            data-testid="scatter-reset"
            aria-label="Reset view"
          >
            ⤢
          </ActionIcon>
        </Tooltip>
      </Group>
      <div
        ref={boxRef}
        style={{ position: 'relative', height, width: '100%', overflow: 'hidden' }}
        data-testid="scatter"
        data-point-count={xs.length}
        data-drawn-count={drawn}
        data-view={viewAttr}
        data-hover={hover ? String(hover.i) : ''}
      >
        <canvas ref={baseRef} style={canvasStyle} data-testid="scatter-canvas" />
        <canvas
          ref={overRef}
          style={{
            ...canvasStyle,
            cursor: hover ? 'pointer' : mode === 'lasso' ? 'crosshair' : 'grab',
            touchAction: 'none',
          }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => {
            dragRef.current = null;
            setDragging(false);
            request('overlay');
          }}
          onPointerLeave={() => !dragging && setHover(null)}
          data-testid="scatter-overlay"
        />
        {hover && hover.i < xs.length && !dragging && (
          <div
            className="well-tooltip"
            // Right or below the cursor, flipped to its other side near the plot's right/bottom edge.
            style={{
              position: 'absolute',
              left: hover.x + 14,
              top: hover.y + 10,
              transform: `translate(${hover.x > width - 280 ? 'calc(-100% - 28px)' : '0'}, ${hover.y > height - 110 ? 'calc(-100% - 20px)' : '0'})`,
            }}
            data-testid="scatter-tooltip"
          >
            {tooltip(hover.i)}
          </div>
        )}
      </div>
    </div>
  );
}
