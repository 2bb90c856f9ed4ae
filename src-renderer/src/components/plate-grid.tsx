// The 384-well plate as a 16×24 grid (rows A–P, columns 1–24) with positions without a well striped.
// Wells show their thumbnail from ONE plate sprite (CSS background-position) or a heatmap colour
// (src-shared cellLook, as in the exported figure; wells without images outlined dashed);
// hover shows a tooltip, click selects, double-click/Enter opens, arrow keys move.
import { memo, useMemo, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent } from 'react';
import type { PlateWell } from '../../../src-shared/contract';
import {
  PLATE_COLS as COLS,
  PLATE_ROWS as ROWS,
  ROW_LETTERS,
  isUsedWell,
  wellName,
} from '../../../src-shared/plate';
import { nextWell } from '../lib/plate-navigation';
import { css, type Rgb } from '../../../src-shared/colormaps';
import { cellLook, NO_IMAGES_STROKE, wellTypeColor } from '../../../src-shared/plate-heatmap';
import { percent } from '../lib/format';

export interface Sprite {
  url: string;
  columns: number;
  index: Map<string, number>;
}

export interface PlateGridProps {
  wells: PlateWell[];
  sprite?: Sprite | null;
  colors?: Map<string, Rgb> | null;
  values?: Map<string, string> | null;
  selected: string | null;
  onSelect: (well: string) => void;
  onOpen: (well: PlateWell) => void;
  dimmed?: (w: PlateWell) => boolean;
  cellSize?: number;
}

const TYPE_LABEL: Record<PlateWell['wellType'], string> = {
  treatment: 'treatment',
  negative_control: 'negative control',
  positive_control: 'positive control',
  unknown: 'unknown',
};

export const PlateGrid = memo(function PlateGrid(props: PlateGridProps) {
  const {
    wells,
    sprite,
    colors,
    values,
    selected,
    onSelect,
    onOpen,
    dimmed,
    cellSize = 34,
  } = props;
  const byName = useMemo(() => new Map(wells.map((w) => [w.well, w])), [wells]);
  const [hover, setHover] = useState<{ well: PlateWell; x: number; y: number } | null>(null);
  const ref = useRef<HTMLDivElement>(null);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const cur = selected ? byName.get(selected) : undefined;
    if (e.key in moves) {
      e.preventDefault();
      const [dr, dc] = moves[e.key];
      // Only wells that exist: a sparse plate skips its empty positions.
      const next = nextWell(wells, cur ? cur.well : null, dr, dc);
      if (next) onSelect(next);
    } else if (e.key === 'Enter' && cur) {
      e.preventDefault();
      onOpen(cur);
    }
  };

  const cells = [];
  cells.push(<div key="corner" />);
  for (let c = 1; c <= COLS; c++) {
    cells.push(
      <div key={`h${c}`} className="plate-head" data-testid="col-label">
        {c}
      </div>,
    );
  }
  for (let r = 0; r < ROWS; r++) {
    cells.push(
      <div key={`r${r}`} className="plate-head" data-testid="row-label">
        {ROW_LETTERS[r]}
      </div>,
    );
    for (let c = 1; c <= COLS; c++) {
      const name = wellName({ row: r, col: c });
      const used = isUsedWell({ row: r, col: c });
      const w = byName.get(name);
      const style: CSSProperties = {};
      if (w && !w.hasImages) style.border = `2px dashed ${css(NO_IMAGES_STROKE)}`;
      if (w && colors) {
        const look = cellLook({ colors }, w);
        if (look.state !== 'empty') style.backgroundColor = css(look.fill);
      } else if (w && sprite && w.hasImages) {
        const i = sprite.index.get(name);
        if (i !== undefined) {
          const x = (i % sprite.columns) * cellSize;
          const y = Math.floor(i / sprite.columns) * cellSize;
          style.backgroundImage = `url("${sprite.url}")`;
          style.backgroundSize = `${sprite.columns * cellSize}px auto`;
          style.backgroundPosition = `-${x}px -${y}px`;
        }
      }
      cells.push(
        <div
          key={name}
          className="well-cell"
          style={style}
          data-testid="well-cell"
          data-well={name}
          data-ring={String(!used)}
          data-has-well={String(!!w)}
          data-has-images={w ? String(w.hasImages) : undefined}
          data-color={w && colors ? style.backgroundColor : undefined}
          data-well-type={w?.wellType}
          data-broken={String(!!w?.broken)}
          data-selected={String(selected === name)}
          data-dimmed={String(!!(w && dimmed?.(w)))}
          data-value={values?.get(name)}
          onMouseEnter={(e) => {
            if (!w) return;
            const rect = e.currentTarget.getBoundingClientRect();
            setHover({ well: w, x: rect.right + 6, y: rect.top });
          }}
          onMouseLeave={() => setHover(null)}
          onClick={() => {
            if (!w) return;
            onSelect(name);
            ref.current?.focus();
          }}
          onDoubleClick={() => w && onOpen(w)}
        >
          {w && w.wellType !== 'treatment' && w.wellType !== 'unknown' && (
            <span
              className="well-mark"
              data-kind={w.wellType}
              // The colours of the well-type legend, so N/P read the same in both.
              style={{ background: css(wellTypeColor(w.wellType)) }}
            >
              {w.wellType === 'negative_control' ? 'N' : 'P'}
            </span>
          )}
        </div>,
      );
    }
  }

  return (
    <>
      <div
        ref={ref}
        className="plate-grid"
        tabIndex={0}
        role="grid"
        aria-label="384-well plate"
        onKeyDown={onKeyDown}
        data-testid="plate-grid"
        style={{
          gridTemplateColumns: `18px repeat(${COLS}, ${cellSize}px)`,
          gridTemplateRows: `16px repeat(${ROWS}, ${cellSize}px)`,
        }}
      >
        {cells}
      </div>
      {hover && (
        <div
          className="well-tooltip"
          style={{ left: hover.x, top: hover.y }}
          data-testid="well-tooltip"
        >
          <b>{hover.well.well}</b> · {hover.well.idCode}
          <br />
          {TYPE_LABEL[hover.well.wellType]}
          {hover.well.sirna !== null && <> · siRNA {hover.well.sirna}</>}
          <br />
          {hover.well.sites} site(s){hover.well.broken && ' · BROKEN'}
          {hover.well.prediction && (
            <>
              <br />
              predicted {hover.well.prediction.assigned ?? hover.well.prediction.top} (
              {percent(hover.well.prediction.prob)})
              {hover.well.prediction.correct !== null &&
                (hover.well.prediction.correct ? ' ✓' : ' ✗')}
            </>
          )}
          {values?.get(hover.well.well) && (
            <>
              <br />
              value: {values.get(hover.well.well)}
            </>
          )}
        </div>
      )}
    </>
  );
});
