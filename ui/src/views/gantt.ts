// A run's step timeline (Gantt) in SVG: one lane per step, or per asset when a run has too many
// steps for a lane each, bars from start to finish coloured by status, time across.
import type { StepView } from '../../../server/api-types.ts';
import { el, svg } from '../dom.ts';
import { formatDuration } from '../format.ts';
import { statusColour } from '../status.ts';
import { legend } from './legend.ts';

/** Options of `createGantt`. */
export interface GanttOptions {
  readonly steps: readonly StepView[];
  /** Where the time axis starts: the run's start. */
  readonly start: number;
  /** Where steps that have not finished end: now while the run runs, else the run's end. */
  readonly now: number;
  /** More steps than this share one lane per asset. */
  readonly maxLanes?: number;
}

const LABEL = 250;
const LANE = 16;
const WIDTH = 1100;

/**
 * Draws the timeline of a run's steps.
 * @example createGantt({ steps: detail.steps, start: Date.parse(detail.run.startedAt!), now: Date.now() })
 */
export function createGantt({ steps, start, now, maxLanes = 150 }: GanttOptions): HTMLElement {
  const timed = steps.filter((step) => step.startedAt !== null);
  const perAsset = steps.length > maxLanes;
  const name = (step: StepView) => (perAsset ? step.asset : `${step.asset}[${step.partition}]`);
  const lanes = [...new Set(steps.map(name))];
  const laneIndex = new Map(lanes.map((lane, index) => [lane, index]));
  // Labels leave out the folder every asset shares (`northbridge/`); the full name is in the tooltip.
  const shared = commonFolder(steps.map((step) => step.asset));
  const end = Math.max(start + 1000, now, ...timed.map((step) => Date.parse(step.finishedAt ?? '') || now));
  const span = end - start;
  const x = (at: number) => LABEL + ((at - start) / span) * (WIDTH - LABEL - 10);
  const height = lanes.length * LANE + 26;
  const picture = svg('svg', { class: 'gantt', viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', role: 'img', 'aria-label': 'step timeline', 'data-testid': 'gantt' });
  for (const tick of ticks(span)) {
    picture.append(
      svg('line', { x1: x(start + tick), x2: x(start + tick), y1: 0, y2: height - 20, class: 'gridline' }),
      svg('text', { x: x(start + tick), y: height - 6, class: 'axis', 'text-anchor': 'middle' }, `+${formatDuration(tick)}`),
    );
  }
  lanes.forEach((lane, index) => {
    picture.append(svg('text', { x: LABEL - 8, y: index * LANE + LANE - 4, class: 'lane-label', 'text-anchor': 'end' }, clip(lane.slice(shared.length), 40), svg('title', {}, lane)));
  });
  for (const step of timed) {
    const from = Date.parse(step.startedAt!);
    const to = step.finishedAt === null ? now : Date.parse(step.finishedAt);
    const left = x(from);
    picture.append(
      svg(
        'rect',
        {
          x: left,
          y: laneIndex.get(name(step))! * LANE + 2,
          width: Math.max(2, x(to) - left),
          height: LANE - 4,
          rx: 2,
          fill: statusColour(step.status),
          class: 'bar',
          'data-status': step.status,
        },
        svg('title', {}, `${step.asset}[${step.partition}] ${step.status}, ${formatDuration(to - from)}${step.attempts > 1 ? `, ${step.attempts} attempts` : ''}`),
      ),
    );
  }
  // Steps decided without running (held back by a failure upstream) get a mark where they ended.
  for (const step of steps) {
    if (step.startedAt !== null || step.finishedAt === null) continue;
    const at = x(Date.parse(step.finishedAt));
    const y = laneIndex.get(name(step))! * LANE + LANE / 2;
    picture.append(
      svg(
        'path',
        { d: `M ${at} ${y - 5} L ${at + 5} ${y} L ${at} ${y + 5} L ${at - 5} ${y} z`, fill: statusColour(step.status), opacity: 0.55, class: 'mark', 'data-status': step.status },
        svg('title', {}, `${step.asset}[${step.partition}] ${step.status} without running${step.error ? `: ${step.error}` : ''}`),
      ),
    );
  }
  const statuses = [...new Set(steps.map((step) => step.status))];
  const untimed = steps.length - timed.length;
  return el(
    'div',
    {},
    picture,
    legend(statuses, ...(perAsset ? ['one lane per asset'] : []), ...(untimed > 0 ? [`◆ ${untimed} step${untimed === 1 ? '' : 's'} never started`] : [])),
  );
}

/** About six round tick offsets across a span, in milliseconds. */
function ticks(span: number): number[] {
  const steps = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000];
  const step = steps.find((candidate) => span / candidate <= 7) ?? Math.ceil(span / 6 / 3_600_000) * 3_600_000;
  const result: number[] = [];
  for (let at = 0; at <= span; at += step) result.push(at);
  return result;
}

function commonFolder(keys: readonly string[]): string {
  const first = keys[0] ?? '';
  const folder = first.slice(0, first.lastIndexOf('/') + 1);
  return folder !== '' && keys.every((key) => key.startsWith(folder)) ? folder : '';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
