/* vnn's benchmark dashboard: draws the data dashboard.py computed (the JSON in
 * #vnn-data) with Chart.js. Every chart made is kept in window.vnnCharts by
 * canvas id, for the browser test. */
(function () {
  'use strict';

  const DATA = JSON.parse(document.getElementById('vnn-data').textContent);
  const NAMES = { onednn: 'oneDNN', openblas: 'OpenBLAS', pytorch: 'PyTorch', vnn: 'vnn',
                  vnn_packed: 'vnn (B packed)' };
  const ISA_COLORS = ['#2563eb', '#ea580c', '#059669', '#9333ea', '#db2777', '#0891b2'];
  const IMPL_COLORS = { vnn: '#2563eb', vnn_packed: '#7c3aed', onednn: '#ea580c', openblas: '#16a34a' };
  const OP_COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#db2777', '#0891b2', '#ca8a04'];
  const charts = {};
  window.vnnCharts = charts;

  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11.5;
  Chart.defaults.maintainAspectRatio = false;

  // ---- helpers -------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'style') e.style.cssText = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  // 3 significant digits (integers from 100 on), no exponent notation.
  function fmt(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return '\u2013';
    const d = Number.isInteger(digits) ? digits : 3;
    const a = Math.abs(x);
    if (a >= 100 || a === 0) return Math.round(x).toLocaleString('en-US');
    const decimals = Math.min(20, Math.max(0, d - 1 - Math.floor(Math.log10(a))));
    return x.toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  }
  function pct(x) { return x === null || x === undefined ? '\u2013' : (x >= 0 ? '+' : '') + (100 * x).toFixed(1) + '%'; }
  function ratioText(r) { return r === null || r === undefined ? '\u2013' : r.toFixed(2) + '\u00d7'; }
  function defined(v) { return v !== null && v !== undefined; }
  function niceLogTicks(min, max) {
    const ticks = [];
    for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)) + 1; e++) {
      for (const m of [1, 2, 5]) {
        const v = m * Math.pow(10, e);
        if (v >= min * 0.999 && v <= max * 1.001) ticks.push({ value: v });
      }
    }
    return ticks;
  }
  function logRange(values, padLow, padHigh) {
    const vs = values.filter((v) => defined(v) && v > 0);
    if (!vs.length) return { min: 0.1, max: 10 };
    return { min: Math.min(...vs) / padLow, max: Math.max(...vs) * padHigh };
  }
  function makeChart(id, config) {
    const canvas = document.getElementById(id);
    charts[id] = new Chart(canvas, config);
    return charts[id];
  }
  // A dashed vertical line at x = 1 (vnn and the baseline equal).
  const parityLine = {
    id: 'parityLine',
    afterDatasetsDraw(chart) {
      const s = chart.scales.x;
      if (!s) return;
      const x = s.getPixelForValue(1);
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = '#1d2430';
      ctx.lineWidth = 1.2;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.restore();
    },
  };

  // ---- header --------------------------------------------------------------
  function header() {
    const run = DATA.run;
    const m = DATA.machine;
    const line = document.getElementById('run-line');
    if (!run) {
      line.textContent = 'No results yet in ' + DATA.results_dir;
    } else {
      const commit = run.commit ? run.commit.slice(0, 10) + (run.dirty ? ' (modified)' : '') : '?';
      line.textContent = 'run ' + run.id + ' \u00b7 ' + (run.date || '') + ' \u00b7 commit ' + commit +
        ' \u00b7 ' + (run.preset || '?') + ' preset \u00b7 ' + DATA.runs.length +
        ' run(s) of this machine' + (DATA.other_runs ? ' (' + DATA.other_runs + ' of others not shown)' : '');
    }
    const dl = document.getElementById('machine');
    if (m) {
      const add = (k, v) => { if (defined(v) && v !== '') dl.append(el('dt', {}, k), el('dd', {}, v)); };
      add('CPU', m.cpu + (m.logical_cpus ? ', ' + m.logical_cpus + ' logical CPUs' : ''));
      add('features', m.features);
      add('ISAs usable', m.isas_usable);
      add('threads', m.threads);
      add('ISA runs', m.isa_runs.map((r) => r.isa + (Object.keys(r.env).length
        ? ' (' + Object.entries(r.env).map(([k, v]) => k + '=' + v).join(' ') + ')' : ' (defaults)')).join('; '));
      add('FMA peak', Object.entries(m.fma_peak_gflops).map(([k, v]) => k + ' ' + fmt(v) + ' GFLOP/s').join(', '));
      add('memory bandwidth', Object.entries(m.membw_gbps).map(([k, v]) => k + ' ' + fmt(v) + ' GB/s').join(', '));
      add('versions', Object.entries(m.versions).map(([k, v]) => k + ' ' + v).join(' \u00b7 '));
      add('load average', m.isa_runs.filter((r) => r.load_avg).map((r) => r.isa + ': ' +
        r.load_avg.map((x) => x.toFixed(2)).join(' ')).join('; '));
      add('host', m.hostname);
    }
    const banner = document.getElementById('banner');
    const regs = DATA.rows.filter((r) => r.regression);
    if (!run) {
      banner.textContent = 'No results yet: run tools/bench-all.sh.';
    } else if (DATA.runs.length < 2) {
      banner.textContent = 'First run of this machine: no history to compare with yet.';
    } else if (regs.length) {
      banner.className = 'banner bad';
      banner.id = 'banner';
      banner.append(document.createTextNode(regs.length + ' regression' + (regs.length > 1 ? 's' : '') +
        ' beyond ' + (100 * DATA.threshold) + '% against the previous run (' +
        DATA.runs[DATA.runs.length - 2].id + ')'));
      // The largest drops first; past ten, the rest folded away.
      const sorted = regs.slice().sort((a, b) => a.delta - b.delta);
      const item = (r) => el('li', {}, r.isa_run + ' ' + r.name + ': ' + fmt(r.prev) + ' \u2192 ' +
        fmt(r.value) + ' ' + r.unit + ' (' + pct(r.delta) + ')');
      const ul = el('ul', { id: 'regression-list' });
      for (const r of sorted.slice(0, 10)) ul.append(item(r));
      banner.append(ul);
      if (sorted.length > 10) {
        const more = el('ul', {});
        for (const r of sorted.slice(10)) more.append(item(r));
        banner.append(el('details', { id: 'regression-more' },
          el('summary', {}, (sorted.length - 10) + ' more (the table below: "regressions only")'), more));
      }
    } else {
      banner.className = 'banner ok';
      banner.textContent = 'No regression beyond ' + (100 * DATA.threshold) +
        '% against the previous run (' + DATA.runs[DATA.runs.length - 2].id + ').';
    }
    const w = document.getElementById('warnings');
    for (const msg of DATA.warnings) w.append(el('div', {}, '\u26a0 ' + msg));
    const notes = document.getElementById('notes-list');
    for (const n of DATA.notes) notes.append(el('li', {}, n));
    document.getElementById('generated').textContent = 'Generated ' + DATA.generated + ' from ' +
      DATA.results_dir + ' by tools/dashboard/dashboard.py.';
  }

  // ---- per-op ratio charts -------------------------------------------------
  function ratioCharts() {
    const box = document.getElementById('ratio-charts');
    if (!DATA.ratio_charts.length) {
      box.append(el('p', { class: 'empty' }, 'No op benchmarks in this run.'));
      return;
    }
    const isas = [];
    for (const c of DATA.ratio_charts) for (const d of c.datasets) if (!isas.includes(d.isa_run)) isas.push(d.isa_run);
    for (const c of DATA.ratio_charts) {
      const id = 'chart-ratio-' + c.op;
      const bars = c.labels.length * Math.max(1, c.datasets.length);
      const height = Math.max(160, 40 + bars * 11 + c.labels.length * 8);
      const wins = [], all = [];
      for (const d of c.datasets) for (const v of d.data) if (defined(v)) { all.push(v); if (v > 1) wins.push(v); }
      box.append(el('div', { class: 'card' },
        el('h3', {}, c.title + ' (' + c.unit + ')'),
        el('div', { class: 'chart', style: 'height:' + height + 'px' }, el('canvas', { id })),
        el('div', { class: 'caption' }, 'vnn ahead in ' + wins.length + ' of ' + all.length + ' comparisons.')));
      const range = logRange(all.concat([1]), 1.25, 1.25);
      makeChart(id, {
        type: 'bar',
        data: {
          labels: c.labels,
          datasets: c.datasets.map((d) => {
            const color = ISA_COLORS[isas.indexOf(d.isa_run) % ISA_COLORS.length];
            return {
              label: d.label,
              data: d.data.map((v) => (defined(v) ? [1, v] : null)),
              backgroundColor: color + (d.baseline === 'openblas' ? '66' : 'cc'),
              borderColor: color, borderWidth: d.baseline === 'openblas' ? 1 : 0,
              values: d.values, ratios: d.data, barPercentage: 0.9, categoryPercentage: 0.85,
            };
          }),
        },
        options: {
          indexAxis: 'y',
          scales: {
            x: { type: 'logarithmic', min: range.min, max: range.max,
                 title: { display: true, text: '\u2190 baseline faster    vnn / baseline    vnn faster \u2192' },
                 afterBuildTicks: (axis) => { axis.ticks = niceLogTicks(range.min, range.max).concat(
                   range.max / range.min < 3 ? [{ value: 1.1 }, { value: 0.9 }] : []); },
                 ticks: { callback: (v) => fmt(v, 2) + '\u00d7' } },
            y: { ticks: { autoSkip: false } },
          },
          plugins: {
            legend: { position: 'bottom', labels: { boxWidth: 12 } },
            tooltip: { callbacks: { label: (ctx) => {
              const d = ctx.dataset, i = ctx.dataIndex, v = d.values[i];
              return d.label + ': ' + ratioText(d.ratios[i]) + (v ? ' (vnn ' + fmt(v[0]) + ', baseline ' + fmt(v[1]) + ' ' + c.unit + ')' : '');
            } } },
          },
        },
        plugins: [parityLine],
      });
    }
  }

  // ---- rooflines -----------------------------------------------------------
  function rooflineCharts() {
    const box = document.getElementById('roofline-charts');
    if (!DATA.rooflines.length) {
      box.append(el('p', { class: 'empty' }, 'No benchmark with a known FLOP and byte count in this run.'));
      return;
    }
    for (const rf of DATA.rooflines) {
      const id = 'chart-roofline-' + rf.isa_run;
      const caption = 'FMA peak ' + fmt(rf.peak_gflops) + ' GFLOP/s (peak/fma/' + rf.isa_run + '), memory ' +
        fmt(rf.bw_gbps) + ' GB/s (peak/membw/copy)' + (rf.onednn_env ? '; oneDNN held to ' + rf.onednn_env : '') +
        '. Points above the slanted line ran from cache.';
      box.append(el('div', { class: 'card' },
        el('h3', {}, 'Roofline: ' + rf.isa_run),
        el('div', { class: 'chart', style: 'height:380px' }, el('canvas', { id })),
        el('div', { class: 'caption' }, caption)));
      const xs = [], ys = [];
      for (const s of rf.series) for (const p of s.points) { xs.push(p.x); ys.push(p.y); }
      for (const p of rf.roof) { xs.push(p.x); ys.push(p.y); }
      const xr = logRange(xs, 1.2, 1.2), yr = logRange(ys, 1.6, 1.6);
      const datasets = [];
      if (rf.roof.length) {
        datasets.push({ label: 'roof: min(peak, bandwidth \u00d7 intensity)', data: rf.roof, showLine: true,
                        borderColor: '#1d2430', borderWidth: 2, pointRadius: 0, pointHitRadius: 0, fill: false,
                        order: 10 });
      }
      for (const s of rf.series) {
        datasets.push({ label: s.label, data: s.points, impl: s.impl,
                        backgroundColor: (IMPL_COLORS[s.impl] || '#666') + 'bb',
                        borderColor: IMPL_COLORS[s.impl] || '#666',
                        pointRadius: 4, pointStyle: s.impl.startsWith('vnn') ? 'circle' : 'triangle' });
      }
      makeChart(id, {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: {
            x: { type: 'logarithmic', min: xr.min, max: xr.max,
                 title: { display: true, text: 'arithmetic intensity (FLOP / byte)' },
                 afterBuildTicks: (axis) => { axis.ticks = niceLogTicks(xr.min, xr.max); },
                 ticks: { callback: (v) => fmt(v, 2) } },
            y: { type: 'logarithmic', min: yr.min, max: yr.max,
                 title: { display: true, text: 'GFLOP/s' },
                 afterBuildTicks: (axis) => { axis.ticks = niceLogTicks(yr.min, yr.max); },
                 ticks: { callback: (v) => fmt(v, 2) } },
          },
          plugins: {
            legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } },
            tooltip: { callbacks: { label: (ctx) => {
              const p = ctx.raw;
              return (p.name ? p.name + ' ' : '') + (ctx.dataset.impl || '') + ': ' + fmt(p.y) +
                ' GFLOP/s at ' + fmt(p.x) + ' FLOP/B';
            } } },
          },
        },
      });
    }
  }

  // ---- models --------------------------------------------------------------
  function table(columns, rows, attrs) {
    const t = el('table', attrs || {});
    const tr = el('tr', {});
    for (const c of columns) tr.append(el('th', { class: c.num ? 'num' : '' }, c.title));
    t.append(el('thead', {}, tr));
    const body = el('tbody', {});
    for (const r of rows) {
      const row = el('tr', {});
      for (const c of columns) {
        const v = c.get(r);
        const td = el('td', { class: (c.num ? 'num ' : '') + (c.cls ? c.cls(r) : '') }, v);
        row.append(td);
      }
      body.append(row);
    }
    t.append(body);
    return t;
  }

  function models() {
    const md = DATA.models;
    const card = document.getElementById('chart-models').closest('.card');
    if (!md.labels.length || !md.datasets.length) {
      card.replaceChildren(el('p', { class: 'empty' }, 'No model benchmarks in this run.'));
    } else {
      const values = [];
      for (const d of md.datasets) for (const v of d.data) values.push(v);
      const yr = logRange(values, 2, 1.5);
      let vnnIndex = 0, ptIndex = 0;
      makeChart('chart-models', {
        type: 'bar',
        data: {
          labels: md.labels,
          datasets: md.datasets.map((d) => {
            let color;
            if (d.kind === 'pytorch') color = ['#ea580c', '#f59e0b', '#b45309'][ptIndex++ % 3];
            else color = ['#2563eb', '#60a5fa', '#1e3a8a', '#0891b2', '#7c3aed'][vnnIndex++ % 5];
            return { label: d.label, data: d.data, backgroundColor: color };
          }),
        },
        options: {
          scales: {
            y: { type: 'logarithmic', min: yr.min, max: yr.max, title: { display: true, text: 'samples/s' },
                 afterBuildTicks: (axis) => { axis.ticks = niceLogTicks(yr.min, yr.max); },
                 ticks: { callback: (v) => fmt(v, 2) } },
          },
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } },
                     tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ': ' + fmt(ctx.raw) + ' samples/s' } } },
        },
      });
    }
    const mt = document.getElementById('models-table');
    if (md.comparison.length) {
      mt.append(table([
        { title: 'benchmark', get: (r) => r.benchmark },
        { title: 'threads', num: true, get: (r) => r.threads },
        { title: 'vnn', num: true, get: (r) => fmt(r.vnn) },
        { title: 'PyTorch', num: true, get: (r) => fmt(r.pytorch) },
        { title: 'ratio', num: true, get: (r) => ratioText(r.ratio),
          cls: (r) => (defined(r.ratio) ? (r.ratio >= 1 ? 'win' : 'lose') : '') },
        { title: 'PyTorch configuration', get: (r) => r.pytorch_config || '\u2013', cls: () => 'label' },
      ], md.comparison, { id: 'models-comparison' }));
      for (const note of md.notes) mt.append(el('p', { class: 'small' }, note));
    } else {
      mt.append(el('p', { class: 'empty' }, 'No PyTorch comparison in this run (--no-pytorch, or python3-torch missing).'));
    }
    const at = document.getElementById('accuracy-table');
    if (DATA.accuracy.length) {
      at.append(table([
        { title: 'model', get: (r) => r.model },
        { title: 'accuracy', num: true, get: (r) => (defined(r.accuracy) ? r.accuracy.toFixed(2) + '%' : '\u2013') },
        { title: 'correct', num: true, get: (r) => (defined(r.correct) ? r.correct + ' / ' + r.labelled : '\u2013') },
        { title: 'samples/s', num: true, get: (r) => fmt(r.samples_per_s) },
        { title: 'batch', num: true, get: (r) => (defined(r.batch) ? r.batch : '\u2013') },
        { title: 'ISA', get: (r) => r.isa || '\u2013' },
        { title: 'note', get: (r) => r.error || '', cls: () => 'label' },
      ], DATA.accuracy, { id: 'accuracy' }));
    } else {
      at.append(el('p', { class: 'empty' }, 'No model accuracy in this run.'));
    }
  }

  // ---- history -------------------------------------------------------------
  const rowsByKey = new Map(DATA.rows.map((r) => [r.key, r]));

  function historyCharts() {
    const lead = document.getElementById('history-lead');
    const n = DATA.runs.length;
    lead.textContent = n ? n + ' run(s) of this machine (' + (DATA.machine ? DATA.machine.cpu : '') + ', ' +
      (DATA.machine ? DATA.machine.threads : '?') + ' threads). A regression: a vnn benchmark ' +
      (100 * DATA.threshold) + '% or more slower than in the previous run.' : 'No runs yet.';
    const labels = DATA.runs.map((r) => r.id);
    if (DATA.history.datasets.length) {
      makeChart('chart-history', {
        type: 'line',
        data: { labels, datasets: DATA.history.datasets.map((d, i) => ({
          label: d.label, data: d.data, borderColor: OP_COLORS[i % OP_COLORS.length],
          backgroundColor: OP_COLORS[i % OP_COLORS.length], spanGaps: true, pointRadius: 3 })) },
        options: { scales: { y: { title: { display: true, text: 'vnn / best baseline (geometric mean)' } } },
                   plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } } },
      });
    } else {
      document.getElementById('chart-history').closest('.card').append(
        el('p', { class: 'empty' }, 'No vnn/baseline pairs to follow.'));
    }
    const first = DATA.rows.find((r) => r.regression) || DATA.rows.find((r) => r.impl === 'vnn' && defined(r.value));
    if (first) showDetail(first.key);
  }

  function showDetail(key) {
    const row = rowsByKey.get(key);
    if (!row) return;
    document.getElementById('detail-title').textContent = row.isa_run + ' ' + row.name + ' over runs (' + row.unit + ')';
    const series = [row];
    for (const b of ['onednn', 'openblas']) {
      const other = rowsByKey.get(row.isa_run + '|' + row.op + '/' + row.shape + '/' + b);
      if (other && other !== row) series.push(other);
    }
    const datasets = series.map((r) => ({
      label: NAMES[r.impl] || r.impl, data: r.history,
      borderColor: IMPL_COLORS[r.impl] || '#666', backgroundColor: IMPL_COLORS[r.impl] || '#666',
      spanGaps: true, pointRadius: 3 }));
    const chart = charts['chart-detail'];
    if (chart) {
      chart.data.datasets = datasets;
      chart.update();
    } else {
      makeChart('chart-detail', {
        type: 'line',
        data: { labels: DATA.runs.map((r) => r.id), datasets },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: row.unit } } },
                   plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } } },
      });
    }
    charts['chart-detail'].options.scales.y.title.text = row.unit;
    charts['chart-detail'].update();
    for (const tr of document.querySelectorAll('#raw-table tr.selected')) tr.classList.remove('selected');
    const tr = document.querySelector('#raw-table tr[data-key="' + CSS.escape(key) + '"]');
    if (tr) tr.classList.add('selected');
  }

  // ---- the raw table -------------------------------------------------------
  const COLUMNS = [
    { key: 'isa_run', title: 'ISA run' },
    { key: 'op', title: 'op' },
    { key: 'shape', title: 'shape' },
    { key: 'impl', title: 'impl' },
    { key: 'value', title: 'value', num: true, show: (v) => fmt(v) },
    { key: 'unit', title: 'unit' },
    { key: 'baseline', title: 'best baseline', num: true,
      get: (r) => (r.best_baseline ? r.baselines[r.best_baseline] : null),
      show: (v, r) => (r.best_baseline ? NAMES[r.best_baseline] + ' ' + fmt(v) : '\u2013') },
    { key: 'ratio', title: 'vnn / baseline', num: true, show: ratioText,
      cls: (r) => (defined(r.ratio) ? (r.ratio >= 1 ? 'win' : 'lose') : '') },
    { key: 'pct_peak', title: '% of peak', num: true, show: (v) => (defined(v) ? v.toFixed(1) + '%' : '\u2013') },
    { key: 'ai', title: 'FLOP/byte', num: true, show: (v) => fmt(v) },
    { key: 'prev', title: 'previous', num: true, show: (v) => fmt(v) },
    { key: 'delta', title: '\u0394 vs previous', num: true,
      show: (v, r) => {
        if (!defined(v)) return '\u2013';
        if (r.regression) return el('span', { class: 'badge regression', title: 'regression' }, '\u25bc ' + pct(v));
        if (r.status === 'faster') return el('span', { class: 'badge faster' }, '\u25b2 ' + pct(v));
        return pct(v);
      } },
    { key: 'cv', title: 'spread (cv)', num: true, show: (v) => (defined(v) ? (100 * v).toFixed(1) + '%' : '\u2013') },
    { key: 'label', title: 'label', cls: () => 'label', show: (v, r) => (r.error ? 'ERROR: ' + r.error : v || '') },
  ];
  let sortKey = null, sortDir = 1;

  function cellValue(c, r) { return c.get ? c.get(r) : r[c.key]; }

  function rawTable() {
    const thead = document.querySelector('#raw-table thead');
    const tr = el('tr', {});
    for (const c of COLUMNS) {
      const th = el('th', { class: c.num ? 'num' : '', 'data-key': c.key }, c.title);
      th.addEventListener('click', () => {
        sortDir = sortKey === c.key ? -sortDir : (c.num ? -1 : 1);
        sortKey = c.key;
        fillTable();
      });
      tr.append(th);
    }
    thead.append(tr);
    for (const id of ['filter', 'only-vnn', 'only-regressions']) {
      document.getElementById(id).addEventListener('input', fillTable);
    }
    document.querySelector('#raw-table tbody').addEventListener('click', (ev) => {
      const row = ev.target.closest('tr');
      if (row && row.dataset.key) showDetail(row.dataset.key);
    });
    fillTable();
  }

  function fillTable() {
    const q = document.getElementById('filter').value.trim().toLowerCase();
    const onlyVnn = document.getElementById('only-vnn').checked;
    const onlyReg = document.getElementById('only-regressions').checked;
    let rows = DATA.rows.filter((r) => {
      if (onlyVnn && !r.impl.startsWith('vnn')) return false;
      if (onlyReg && !r.regression) return false;
      if (!q) return true;
      const text = [r.isa_run, r.name, r.unit, r.label, r.best_baseline || ''].join(' ').toLowerCase();
      return q.split(/\s+/).every((w) => text.includes(w));
    });
    if (sortKey) {
      const c = COLUMNS.find((x) => x.key === sortKey);
      rows = rows.slice().sort((a, b) => {
        const va = cellValue(c, a), vb = cellValue(c, b);
        if (!defined(va) && !defined(vb)) return 0;
        if (!defined(va)) return 1;
        if (!defined(vb)) return -1;
        return (typeof va === 'number' ? va - vb : String(va).localeCompare(String(vb))) * sortDir;
      });
    }
    for (const th of document.querySelectorAll('#raw-table th')) {
      th.classList.toggle('sorted-asc', th.dataset.key === sortKey && sortDir > 0);
      th.classList.toggle('sorted-desc', th.dataset.key === sortKey && sortDir < 0);
    }
    const body = document.querySelector('#raw-table tbody');
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const tr = el('tr', { 'data-key': r.key, class: r.regression ? 'regression' : '' });
      for (const c of COLUMNS) {
        const v = cellValue(c, r);
        const shown = c.show ? c.show(v, r) : (defined(v) ? v : '');
        tr.append(el('td', { class: (c.num ? 'num ' : '') + (c.cls ? c.cls(r) : '') }, shown));
      }
      frag.append(tr);
    }
    body.replaceChildren(frag);
    document.getElementById('row-count').textContent = rows.length + ' of ' + DATA.rows.length + ' rows';
  }

  header();
  ratioCharts();
  rooflineCharts();
  models();
  rawTable();
  historyCharts();
  document.body.dataset.rendered = 'true';
})();
