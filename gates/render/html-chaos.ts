import type { ChaosReport, ChaosResult } from '../../evals/report/index.js';
import { COLOR, badge, esc, fileLink } from './html-kit.js';

/** Upper bound of an 11 px system-ui glyph's advance: the layout must never under-estimate a label's width. */
const CHAR_PX = 7;
const LANE_PX = 15;
const GAP_PX = 8;
const MAX_CHARS = 44;

export interface PlacedLabel {
  text: string;
  /** Left edge of the text and its lane (0 = nearest the axis). */
  x: number;
  lane: number;
  width: number;
}

/**
 * Puts each label in the first lane where it clears the previous label by GAP_PX (greedy interval colouring over
 * labels sorted by position), shifted left where it would run past `maxX`. Labels therefore never overprint, however
 * close their events are; the browser test checks it on the rendered geometry.
 *
 * @example
 *   layoutLabels([{ x: 100, text: 'fault injected' }, { x: 104, text: 'fault removed' }], 700); // lanes 0 and 1
 */
export function layoutLabels(items: readonly { x: number; text: string }[], maxX: number): PlacedLabel[] {
  const laneEnds: number[] = [];
  return [...items]
    .map((it, i) => ({ ...it, i }))
    .sort((a, b) => a.x - b.x || a.i - b.i)
    .map((it) => {
      const text = it.text.length > MAX_CHARS ? `${it.text.slice(0, MAX_CHARS - 1)}…` : it.text;
      const width = text.length * CHAR_PX;
      const x = Math.max(0, Math.min(it.x, maxX - width));
      let lane = laneEnds.findIndex((end) => end + GAP_PX <= x);
      if (lane === -1) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = x + width;
      return { placed: { text, x, lane, width }, i: it.i };
    })
    .sort((a, b) => a.i - b.i)
    .map((p) => p.placed);
}

function drillTimeline(d: ChaosResult): string {
  const events = d.timeline ?? [];
  const end = Math.max(60, ...events.map((e) => e.t), (d.deadlineSeconds ?? 0) + 30);
  const W = 760;
  const left = 20;
  const x = (t: number) => left + (t / end) * W;
  const axisY = 24;
  const labels = layoutLabels(
    events.map((e) => ({ x: x(e.t), text: `${e.t}s ${e.event}` })),
    left + W + 20,
  );
  const firstLaneY = axisY + 26;
  const lanes = Math.max(1, ...labels.map((l) => l.lane + 1));
  const height = firstLaneY + lanes * LANE_PX;
  const marks = events
    .map((e, i) => {
      const l = labels[i]!;
      const ty = firstLaneY + l.lane * LANE_PX;
      const fill = e.ok === false ? COLOR.fail : e.ok ? COLOR.pass : '#8250df';
      return `<line x1="${x(e.t).toFixed(1)}" x2="${x(e.t).toFixed(1)}" y1="${axisY}" y2="${ty - 10}" stroke="#afb8c1"/><circle cx="${x(e.t).toFixed(1)}" cy="${axisY}" r="5" fill="${fill}"><title>${esc(`${e.t}s ${e.event}`)}</title></circle><text class="event-label" x="${l.x.toFixed(1)}" y="${ty}">${esc(l.text)}</text>`;
    })
    .join('');
  const deadline =
    d.deadlineSeconds !== undefined ? `<line x1="${x(d.deadlineSeconds).toFixed(1)}" x2="${x(d.deadlineSeconds).toFixed(1)}" y1="${axisY - 12}" y2="${axisY + 12}" stroke="#cf222e" stroke-width="2"><title>${esc(`recovery deadline ${d.deadlineSeconds}s`)}</title></line>` : '';
  return `<svg class="timeline" width="${left + W + 40}" height="${height}" role="img" aria-label="${esc(`${d.drill} timeline: ${events.length} events over ${end} seconds`)}"><line x1="${left}" x2="${left + W}" y1="${axisY}" y2="${axisY}" stroke="#d0d7de" stroke-width="4"/>${deadline}${marks}</svg>`;
}

/** One timeline per drill (events in lanes, never overprinting), its phases, recovery and a link to its journal. */
export function chaosSection(report: ChaosReport | undefined, journalHrefs: Readonly<Record<string, string>>): string {
  if (!report) return '';
  const phase = (name: string, s: { held: boolean }) => `${esc(name)}: <span style="color:${s.held ? COLOR.pass : COLOR.fail}">${s.held ? 'held' : 'broken'}</span>`;
  const drills = report.results
    .map((d) => {
      const journal = journalHrefs[d.drill];
      return `<div data-drill="${esc(d.drill)}"><h3>${esc(d.drill)} ${badge(d.verdict === 'pass' ? 'pass' : 'fail')}</h3><p>${phase('before', d.before)} · ${phase('during', d.during)} · ${phase('after', d.after)} · recovery ${d.recoverySeconds === null ? 'never' : `${d.recoverySeconds}s`}${
        d.deadlineSeconds !== undefined ? ` (deadline ${d.deadlineSeconds}s, red mark)` : ''
      }${d.error ? ` · harness error: ${esc(d.error.message)}` : ''} · journal: ${journal ? fileLink(journal) : '<span class="muted">not found</span>'}</p>${drillTimeline(d)}</div>`;
    })
    .join('');
  return `<section id="chaos"><h2>Chaos timelines</h2><p class="muted">Dots: green a probe that held, red one that broke, purple an action (fault injected or removed); seconds since the drill started.</p>${drills || '<p class="muted">No drills ran.</p>'}</section>`;
}
