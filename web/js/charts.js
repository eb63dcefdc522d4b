// charts.js: the scorecard's radar and trend charts as hand-written SVG: a few hundred bytes of
// code instead of a charting library, styled by app.css, and each with a text alternative.
import { h } from './dom.js';
import { num } from './i18n.js';

const S = (tag, attrs, ...kids) => h('svg:' + tag, attrs, ...kids);

function svgRoot(w, ht, title, desc, cls) {
  const tid = 'c' + Math.random().toString(36).slice(2, 8);
  return S('svg', { viewBox: '0 0 ' + w + ' ' + ht, class: 'chart ' + cls, role: 'img', 'aria-labelledby': tid + 't ' + tid + 'd' },
    S('title', { id: tid + 't' }, title), S('desc', { id: tid + 'd' }, desc));
}

// axes: labels of the axes (the sections, clockwise from the top); series: [{name, values 0-100,
// cls}]. Grid rings every 20 points.
export function radar(axes, series, title, desc) {
  const size = 360;
  const c = size / 2;
  const R = 130;
  const n = axes.length;
  const at = (i, v) => {
    const ang = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return [c + Math.cos(ang) * R * (v / 100), c + Math.sin(ang) * R * (v / 100)];
  };
  const svg = svgRoot(size, size, title, desc, 'radar');
  const grid = S('g', { class: 'grid' });
  for (const ring of [20, 40, 60, 80, 100]) {
    grid.append(S('polygon', { points: axes.map((_, i) => at(i, ring).join(',')).join(' ') }));
  }
  axes.forEach((label, i) => {
    const [x, y] = at(i, 100);
    grid.append(S('line', { x1: c, y1: c, x2: x, y2: y, class: 'axis' }));
    const [lx, ly] = at(i, 116);
    grid.append(S('text', { x: lx, y: ly + 5, 'text-anchor': 'middle', class: 'axis-label' }, label));
  });
  grid.append(S('text', { x: c + 4, y: c - R * 0.5 - 2, class: 'ring-label' }, num(50)));
  grid.append(S('text', { x: c + 4, y: c - R - 2, class: 'ring-label' }, num(100)));
  svg.append(grid);
  for (const s of series) {
    const pts = s.values.map((v, i) => at(i, Math.max(0, Math.min(100, v))).join(',')).join(' ');
    const g = S('g', { class: 'series ' + s.cls });
    g.append(S('polygon', { points: pts }));
    s.values.forEach((v, i) => {
      const [x, y] = at(i, v);
      g.append(S('circle', { cx: x, cy: y, r: 4 }));
    });
    svg.append(g);
  }
  return svg;
}

// points: [{x label, value 0-100, marker?}] in order.
export function trend(points, title, desc) {
  const w = 560;
  const ht = 240;
  const left = 44;
  const right = 20;
  const top = 16;
  const bottom = 36;
  const svg = svgRoot(w, ht, title, desc, 'trend');
  const y = (v) => top + (ht - top - bottom) * (1 - v / 100);
  const x = (i) => (points.length === 1 ? (left + w - right) / 2 : left + ((w - left - right) * i) / (points.length - 1));
  const grid = S('g', { class: 'grid' });
  for (const v of [0, 25, 50, 75, 100]) {
    grid.append(S('line', { x1: left, x2: w - right, y1: y(v), y2: y(v) }));
    grid.append(S('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'ring-label' }, num(v)));
  }
  svg.append(grid);
  const g = S('g', { class: 'series series-now' });
  g.append(S('polyline', { points: points.map((p, i) => x(i) + ',' + y(p.value)).join(' ') }));
  points.forEach((p, i) => {
    g.append(S('circle', { cx: x(i), cy: y(p.value), r: 5 }));
    g.append(S('text', { x: x(i), y: y(p.value) - 10, 'text-anchor': 'middle', class: 'point-label' }, num(p.value, 1)));
    g.append(S('text', { x: x(i), y: ht - 12, 'text-anchor': 'middle', class: 'axis-label' }, p.label + (p.marker ? ' *' : '')));
  });
  svg.append(g);
  return svg;
}
