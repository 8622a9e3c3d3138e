// carbonbench serve: the results explorer and the inference playground.
//
// One page, routed by the URL's hash (docs/serving.md, "The pages"); every figure comes from
// the JSON API under /api/, so the page shows nothing a script could not read. Vanilla JS,
// no build step. Strings from the API are inserted as text nodes (see el()), never as HTML,
// except the report, which the server renders itself.
'use strict';

// Tests read the Chart instances here, and document.body.dataset.ready names the route once
// its data arrived and its charts were drawn.
const cb = window.carbonbench = {charts: {}};
const view = document.getElementById('view');
const errorBox = document.getElementById('error');

// ---------------------------------------------------------------------------------------------
// Small helpers

// Builds an element; string and number children become text nodes, so they are escaped.
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'value') node.value = value;
    // Styles through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' allows.
    else if (key === 'style') Object.assign(node.style, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  append(node, children);
  return node;
}

// Replaces a node's children; like el(), skips null and flattens arrays.
function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const enc = encodeURIComponent;
const missing = (v) => v === null || v === undefined || (typeof v === 'number' && !isFinite(v));

// A figure at `digits` significant digits; "—" for a figure that does not apply.
function num(v, digits = 3) {
  if (missing(v)) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return String(Number(v.toPrecision(digits)));
}

function quality(row) {
  if (!missing(row.final_accuracy_percent)) return `${num(row.final_accuracy_percent, 4)}%`;
  if (!missing(row.final_rmse)) return `RMSE ${num(row.final_rmse)}`;
  return '—';
}

// The provenance tag every energy and CO2 figure carries. An unknown provenance says so
// rather than showing nothing, so an estimate can never pass for a measurement.
function provTag(provenance) {
  const text = provenance || 'provenance unknown';
  const kind = /^measured/i.test(text) ? 'measured' : /^estimated/i.test(text) ? 'estimated' : 'other';
  return el('span', {class: `prov prov-${kind}`, title: 'how this figure was obtained'}, text);
}

// "0.0236 Wh ±0.011 [estimated]": the value, its band when one is given, and its provenance.
function energy(value, unit, band, provenance) {
  if (missing(value)) return el('span', {class: 'muted'}, '—');
  // Spaces between the parts keep them apart in copied text too.
  return el('span', {class: 'figure'}, `${num(value)} ${unit}`,
            missing(band) ? null : [' ', el('span', {class: 'band'}, `±${num(band, 2)} ${unit}`)],
            ' ', provTag(provenance));
}

function table(headers, rows, cls) {
  return el('div', {class: 'table-wrap'},
            el('table', {class: cls},
               el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
               el('tbody', {}, rows)));
}

// One table row; numbers are right-aligned.
function tr(cells, props) {
  return el('tr', props, cells.map((c) => el('td', {class: typeof c === 'number' ? 'num' : null},
                                              typeof c === 'number' ? num(c) : c)));
}

function figures(pairs) {
  return el('dl', {class: 'figures'}, pairs.filter(Boolean).map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function stateTag(state) { return el('span', {class: `state-${state}`}, state); }

// ---------------------------------------------------------------------------------------------
// The API and its errors

// GETs or POSTs JSON; a non-2xx answer throws with the server's {"error": {...}} message.
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new Error(`${path}: the server did not answer (${e.message})`);
  }
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON: reported below */ }
  if (!response.ok || body === null) {
    const message = body && body.error && body.error.message ? body.error.message
                                                             : `${response.status} ${response.statusText}`;
    throw new Error(`${(options && options.method) || 'GET'} ${path}: ${response.status}: ${message}`);
  }
  return body;
}

function showError(error) {
  console.error(error);
  errorBox.textContent = error && error.message ? error.message : String(error);
  errorBox.hidden = false;
  document.body.dataset.error = '1';
}

function clearError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
  delete document.body.dataset.error;
}

window.addEventListener('error', (e) => showError(e.error || e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

// ---------------------------------------------------------------------------------------------
// Routing

const routes = {'': suitesPage, suite: suitePage, cell: cellPage, compare: comparePage,
                report: reportPage, playground: playgroundPage};
const current = {seq: 0, timer: null};

function destroyCharts() {
  for (const chart of Object.values(cb.charts).flat()) if (chart && chart.destroy) chart.destroy();
  cb.charts = {};
}

function route() {
  clearTimeout(current.timer);
  destroyCharts();
  clearError();
  for (const key of ['ready', 'predicted', 'sample']) delete document.body.dataset[key];
  const seq = ++current.seq;
  // A page that finishes after the user moved on must not draw over the new one.
  const ctx = {
    live: () => seq === current.seq,
    ready(name) { if (ctx.live()) document.body.dataset.ready = name; },
    // Runs `fn` again after `ms`; a failure is shown and the refresh keeps trying.
    later(ms, fn) {
      clearTimeout(current.timer);
      current.timer = setTimeout(() => {
        if (!ctx.live()) return;
        fn().catch((e) => { if (ctx.live()) { showError(e); ctx.later(ms, fn); } });
      }, ms);
    },
  };
  let parts;
  try {
    parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch (e) {
    parts = ['?'];
  }
  view.replaceChildren();
  const page = routes[parts[0] || ''];
  if (!page) {
    showError(`No page ${location.hash}: the pages are #/, #/suite/NAME, #/cell/NAME/HASH, ` +
              '#/compare/NAME/HASH1/HASH2, #/report/NAME and #/playground');
    return;
  }
  ctx.args = parts.slice(1);
  page(ctx).catch((e) => { if (ctx.live()) showError(e); });
}

// ---------------------------------------------------------------------------------------------
// #/ : the suites and their state, refreshed while any cell runs

async function suitesPage(ctx) {
  const list = el('section', {id: 'suites'});
  fill(view, el('h1', {}, 'Suites'), list);
  const load = async () => {
    const data = await api('/api/suites');
    if (!ctx.live()) return;
    document.getElementById('store').textContent = data.store ? `store: ${data.store}` : '';
    const rows = data.suites.map((s) => tr([
      el('a', {href: `#/suite/${enc(s.name)}`}, s.name), s.cells, s.cells_finished,
      s.cells_running ? el('span', {class: 'state-running'}, num(s.cells_running)) : 0,
      s.cells_failed ? el('span', {class: 'state-failed'}, num(s.cells_failed)) : 0,
      `${s.runs_finished} finished, ${s.runs_running} running, ${s.runs_failed} failed`,
      s.last_activity || '—']));
    const running = data.suites.some((s) => s.cells_running > 0);
    fill(list,
      rows.length ? table(['Suite', 'Cells', 'Finished', 'Running', 'Failed', 'Runs', 'Last activity'], rows, 'suites')
                  : el('p', {class: 'muted'}, 'The store holds no suite yet: `carbonbench run SUITE.yaml` makes one.'),
      running ? el('p', {class: 'note'}, 'Cells are running: this list refreshes every 3 s.') : null);
    if (running) ctx.later(3000, load);
    ctx.ready('suites');
  };
  await load();
}

// ---------------------------------------------------------------------------------------------
// #/suite/NAME : leaderboards, Pareto chart, against-baseline table, recommendations

const OBJECTIVES = {acc_per_kwh: 'accuracy per kWh', co2: 'CO2 to reach the target',
                    energy: 'energy to reach the target', time: 'time to reach the target'};
// The objective, target and axis chosen per suite, kept while the user browses its cells.
const suiteChoices = {};

async function suitePage(ctx) {
  const suite = ctx.args[0];
  if (!suite) throw new Error('No suite named: open #/suite/NAME');
  const choice = suiteChoices[suite] = suiteChoices[suite] || {objective: 'acc_per_kwh', target: '', axis: 'energy_wh', dataset: 0};
  const objective = el('select', {id: 'objective'},
                       Object.entries(OBJECTIVES).map(([k, v]) => el('option', {value: k}, `${k} (${v})`)));
  objective.value = choice.objective;
  const target = el('input', {id: 'target', type: 'number', min: '0', max: '100', step: 'any',
                              placeholder: 'dataset default', value: choice.target});
  const axis = el('select', {id: 'pareto-axis'}, el('option', {value: 'energy_wh'}, 'energy (Wh)'),
                  el('option', {value: 'co2_g'}, 'CO2 (g)'));
  axis.value = choice.axis;
  const datasetPick = el('select', {id: 'pareto-dataset', hidden: true});
  const canvas = el('canvas', {id: 'pareto-chart'});
  const parts = {
    provenance: el('p', {class: 'note'}), leaderboard: el('div'), pareto: el('p', {class: 'note'}),
    baseline: el('div'), recommendations: el('div'), cells: el('div')};
  fill(view,
    el('h1', {}, suite),
    el('p', {}, el('a', {href: `#/report/${enc(suite)}`}, 'Report'), ' · ',
       el('a', {href: '#/playground'}, 'Playground'), ' · ', el('a', {href: '#/'}, 'All suites')),
    parts.provenance,
    el('div', {class: 'controls'}, el('label', {}, 'Objective', objective),
       el('label', {}, 'Target accuracy (%)', target)),
    el('section', {id: 'leaderboard'}, el('h2', {}, 'Leaderboard'), parts.leaderboard),
    el('section', {id: 'pareto'}, el('h2', {}, 'Pareto front'),
       el('div', {class: 'controls'}, el('label', {}, 'Cost axis', axis), datasetPick),
       el('div', {class: 'chart-box'}, canvas), parts.pareto),
    el('section', {id: 'baseline'}, el('h2', {}, 'Against the baseline'), parts.baseline),
    el('section', {id: 'recommendations'}, el('h2', {}, 'Recommendations'), parts.recommendations),
    el('section', {id: 'cells'}, el('h2', {}, 'Cells'), parts.cells));

  let data = null;
  let loads = 0;  // only the latest request's answer is drawn, when the objective changes quickly
  const drawPareto = () => {
    const fronts = data.pareto || [];
    datasetPick.hidden = fronts.length < 2;
    fill(datasetPick, fronts.map((f, i) => el('option', {value: String(i)}, f.dataset)));
    if (choice.dataset >= fronts.length) choice.dataset = 0;
    datasetPick.value = String(choice.dataset);
    if (!fronts.length) {
      if (cb.charts.pareto) cb.charts.pareto.destroy();
      delete cb.charts.pareto;
      parts.pareto.textContent = 'No finished cell to place on the chart yet.';
      return;
    }
    cb.charts.pareto = paretoChart(cb.charts.pareto, canvas, suite, fronts[choice.dataset], choice.axis, data.provenance);
    parts.pareto.textContent = 'Filled points are the Pareto front (no other cell is both better and cheaper); ' +
      'hollow grey points are dominated. Hover a point for its cell, click it to open the cell.';
  };
  const load = async () => {
    const query = new URLSearchParams({objective: choice.objective});
    if (choice.target !== '') query.set('target', choice.target);
    const mine = ++loads;
    const fresh = await api(`/api/suites/${enc(suite)}?${query}`);
    if (!ctx.live() || mine !== loads) return;
    data = fresh;
    clearError();
    fillSuite(suite, data, parts);
    drawPareto();
    const running = (data.cells || []).some((c) => c.state === 'running');
    if (running) ctx.later(3000, load);
    ctx.ready('suite');
  };
  const reload = () => { clearTimeout(current.timer); load().catch(showError); };
  objective.addEventListener('change', () => { choice.objective = objective.value; reload(); });
  target.addEventListener('change', () => { choice.target = target.value.trim(); reload(); });
  axis.addEventListener('change', () => { choice.axis = axis.value; if (data) drawPareto(); });
  datasetPick.addEventListener('change', () => { choice.dataset = Number(datasetPick.value); drawPareto(); });
  await load();
}

function fillSuite(suite, data, parts) {
  const cells = data.cells || [];
  const byHash = Object.fromEntries(cells.map((c) => [c.config_hash, c]));
  const cellLink = (name, hash) => el('a', {href: `#/cell/${enc(suite)}/${enc(hash)}`}, name);
  fill(parts.provenance, 'Energy and CO2 in this suite: ', provTag(data.provenance),
    cells.some((c) => c.state === 'running') ? ' · cells are running: this page refreshes every 3 s.' : '');

  fill(parts.leaderboard, (data.leaderboards || []).map((board) => {
    const rows = board.rows.map((r) => {
      const provenance = (byHash[r.config_hash] || {}).energy_provenance || data.provenance;
      return tr([r.rank == null ? '—' : r.rank, cellLink(r.cell, r.config_hash), num(r.score),
                 missing(r.final_accuracy_percent) ? (missing(r.final_rmse) ? '—' : `RMSE ${num(r.final_rmse)}`)
                                                    : `${num(r.final_accuracy_percent, 4)}%`,
                 el('span', {}, `${num(r.energy_wh)} Wh`,
                    missing(r.energy_band_percent) ? null : [' ', el('span', {class: 'band'}, `±${num(r.energy_band_percent, 2)}%`)]),
                 `${num(r.co2_g)} g`, provTag(provenance), `${num(r.duration_s)} s`,
                 `${r.runs_reaching} / ${r.runs}`, num(r.reach_epoch)],
                {dataset: {configHash: r.config_hash}});
    });
    return el('div', {class: 'board'},
      el('h3', {}, `${board.label || board.dataset}: ${board.objective_title || board.objective}`),
      el('p', {class: 'note'}, `Target accuracy ${num(board.target_accuracy_percent)}%`,
         board.target_source ? ` (${board.target_source})` : ''),
      table(['Rank', 'Cell', 'Score', 'Final quality', 'Energy', 'CO2', 'Provenance', 'Time',
             'Runs reaching target', 'Epoch reaching'], rows, 'leaderboard'));
  }));
  if (!(data.leaderboards || []).length) parts.leaderboard.textContent = 'No finished cell yet.';

  const baseline = data.baseline || [];
  fill(parts.baseline, baseline.length
    ? el('div', {},
         table(['Cell', 'Baseline', 'Runs', 'Time change %', 'Energy change %', 'CO2 change %', 'Quality change', 'Quality'],
               baseline.map((b) => tr([b.cell, b.baseline, b.runs, b.time_change_percent, b.energy_change_percent,
                                       b.co2_change_percent, b.quality_change, b.quality])), 'baseline'),
         el('p', {class: 'note'}, 'Energy and CO2 changes are between ', provTag(data.provenance),
            ' figures. sig.: larger than the run-to-run spread; n.s.: not; in band: within the estimate\'s band.'))
    : el('p', {class: 'muted'}, 'No cell to compare against a baseline.'));

  const recs = data.recommendations || [];
  fill(parts.recommendations, recs.length ? el('ul', {}, recs.map((r) => el('li', {}, r)))
                                                    : el('p', {class: 'muted'}, 'No recommendation yet.'));

  fill(parts.cells, table(['Cell', 'State', 'Model', 'Optimizations', 'Dataset', 'Runs', 'Final quality', 'Energy', 'CO2', 'Time'],
    cells.map((c) => tr([cellLink(c.name, c.config_hash),
                         [stateTag(c.state), (c.running || []).map((r) => el('div', {class: 'note'},
                           `run ${r.run_id} (rep ${r.repetition}): ${r.epochs_done} epochs done`))],
                         c.model, c.optimizations || '—', c.dataset,
                         `${c.runs_finished} finished, ${c.runs_running} running, ${c.runs_failed} failed`,
                         quality(c), energy(c.energy_wh, 'Wh', null, c.energy_provenance),
                         energy(c.co2_g, 'g', null, c.energy_provenance), `${num(c.duration_s)} s`])), 'cells'));
}

// Draws one dataset's front, or redraws an existing chart in place: an auto-refresh then
// keeps the reader's hover and tooltip instead of rebuilding the chart every 3 s.
function paretoChart(chart, canvas, suite, front, axis, provenance) {
  const unit = axis === 'co2_g' ? 'CO2 (g)' : 'energy (Wh)';
  const points = front.points.map((p) => ({x: p[axis], y: p.quality, cell: p.cell, hash: p.config_hash,
                                           dominated: p.dominated}));
  const datasets = [
    {label: 'Pareto front', data: points.filter((p) => !p.dominated).sort((a, b) => a.x - b.x),
     showLine: true, borderColor: '#1a7f37', backgroundColor: '#1a7f37', pointRadius: 6, pointHoverRadius: 8},
    // Dominated cells: hollow and grey, so the front stands out.
    {label: 'dominated', data: points.filter((p) => p.dominated), borderColor: '#8c959f',
     backgroundColor: 'rgba(0,0,0,0)', borderWidth: 2, pointRadius: 5, pointHoverRadius: 7}];
  const titles = {x: `${unit}, ${provenance || 'provenance unknown'}`, y: `${front.dataset}: ${front.quality}`};
  const label = (c) => `${c.raw.cell}: ${num(c.raw.y, 4)} ${front.quality}, ` +
                       `${num(c.raw.x)} ${unit} ${provenance || '(provenance unknown)'}${c.raw.dominated ? ', dominated' : ''}`;
  if (chart) {
    datasets.forEach((d, i) => { chart.data.datasets[i].data = d.data; });
    chart.options.scales.x.title.text = titles.x;
    chart.options.scales.y.title.text = titles.y;
    chart.options.plugins.tooltip.callbacks.label = label;
    chart.update('none');
    return chart;
  }
  return new Chart(canvas, {
    type: 'scatter',
    data: {datasets},
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      // Some room around the points, so the front's ends are not cut by the axes.
      scales: {x: {type: 'linear', grace: '5%', title: {display: true, text: titles.x}},
               y: {grace: '5%', title: {display: true, text: titles.y}}},
      plugins: {tooltip: {callbacks: {label}}},
      onHover: (event, elements) => { if (event.native) event.native.target.style.cursor = elements.length ? 'pointer' : 'default'; },
      onClick: (event, elements, c) => {
        const hit = c.getElementsAtEventForMode(event, 'nearest', {intersect: true}, true)[0];
        if (hit) location.hash = `#/cell/${enc(suite)}/${enc(c.data.datasets[hit.datasetIndex].data[hit.index].hash)}`;
      },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// #/cell/NAME/HASH and #/compare/NAME/H1/H2

const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#6e7781'];

function cellRuns(data) { return data.runs || (data.cell && data.cell.runs) || []; }

// Epoch curves of every run: quality on the left axis, cumulative energy (dashed) on the right.
function epochChart(canvas, runs) {
  const regression = runs.some((r) => r.task === 'regression');
  const qualityName = regression ? 'test RMSE' : 'test accuracy (%)';
  const provenances = [...new Set(runs.flatMap((r) => (r.epochs || []).map((e) => e.energy_provenance)))];
  const datasets = [];
  runs.forEach((run, i) => {
    const color = PALETTE[i % PALETTE.length];
    let total = 0, band = 0;
    const epochs = run.epochs || [];
    datasets.push({label: `run ${run.run_id} ${regression ? 'RMSE' : 'accuracy'}`, yAxisID: 'y',
                   borderColor: color, backgroundColor: color,
                   data: epochs.map((e) => ({x: e.epoch, y: regression ? e.test_rmse : e.test_accuracy_percent}))});
    datasets.push({label: `run ${run.run_id} cumulative energy`, yAxisID: 'y1', borderColor: color,
                   backgroundColor: color, borderDash: [6, 4], pointStyle: 'rect',
                   data: epochs.map((e) => {
                     total += e.energy_wh || 0;
                     band += e.energy_band_wh || 0;
                     return {x: e.epoch, y: total, band, provenance: e.energy_provenance};
                   })});
  });
  return new Chart(canvas, {
    type: 'line',
    data: {datasets},
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: {mode: 'nearest', intersect: false},
      scales: {x: {type: 'linear', title: {display: true, text: 'epoch'}, ticks: {precision: 0}},
               y: {position: 'left', title: {display: true, text: qualityName}},
               y1: {position: 'right', grid: {drawOnChartArea: false},
                    title: {display: true, text: `cumulative energy (Wh, ${provenances.join(', ') || 'provenance unknown'})`}}},
      plugins: {tooltip: {callbacks: {label: (c) => c.dataset.yAxisID === 'y1'
        ? `${c.dataset.label}: ${num(c.raw.y)} Wh ±${num(c.raw.band, 2)} (${c.raw.provenance || 'provenance unknown'})`
        : `${c.dataset.label}: ${num(c.raw.y, 4)}`}}},
    },
  });
}

// The cell's headline figures. Its energy band is the mean of its finished runs' bands.
function cellFigures(cell, runs) {
  const finished = runs.filter((r) => r.status === 'finished' && !missing(r.energy_band_wh));
  const band = finished.length ? finished.reduce((s, r) => s + r.energy_band_wh, 0) / finished.length : null;
  return figures([
    ['State', stateTag(cell.state)],
    ['Model', cell.model], ['Optimizations', cell.optimizations || '—'],
    ['Dataset', `${cell.dataset} (${cell.task})`],
    ['Runs', `${cell.runs_finished} finished, ${cell.runs_running} running, ${cell.runs_failed} failed`],
    ['Final quality', quality(cell)],
    ['Energy per run', energy(cell.energy_wh, 'Wh', band, cell.energy_provenance)],
    ['CO2 per run', energy(cell.co2_g, 'g', null, cell.energy_provenance)],
    ['Time per run', `${num(cell.duration_s)} s`],
    ['Config hash', el('code', {}, cell.config_hash)]]);
}

async function cellPage(ctx) {
  const [suite, hash] = ctx.args;
  if (!suite || !hash) throw new Error('Open a cell as #/cell/SUITE/CONFIG_HASH');
  const open = new Set();  // the runs the reader unfolded, kept across refreshes
  const load = async () => {
    const [data, suiteData] = await Promise.all([
      api(`/api/suites/${enc(suite)}/cells/${enc(hash)}`),
      api(`/api/suites/${enc(suite)}`).catch(() => null)]);  // only for the compare list
    if (!ctx.live()) return;
    const cell = data.cell || data;
    const runs = cellRuns(data);
    const compare = el('select', {id: 'compare-with'}, el('option', {value: ''}, 'Compare with…'),
      ((suiteData && suiteData.cells) || []).filter((c) => c.config_hash !== hash)
        .map((c) => el('option', {value: c.config_hash}, c.name)));
    compare.addEventListener('change', () => {
      if (compare.value) location.hash = `#/compare/${enc(suite)}/${enc(hash)}/${enc(compare.value)}`;
    });
    const canvas = el('canvas', {id: 'epoch-chart'});
    destroyCharts();
    fill(view,
      el('h1', {}, cell.name),
      el('p', {}, el('a', {href: `#/suite/${enc(suite)}`}, `Suite ${suite}`), ' · ', el('label', {}, compare)),
      cellFigures(cell, runs),
      el('section', {id: 'epochs'}, el('h2', {}, 'Epochs'), el('div', {class: 'chart-box'}, canvas),
         el('p', {class: 'note'}, 'Solid lines: quality per epoch (left axis); dashed: cumulative energy (right axis).')),
      el('section', {id: 'runs'}, el('h2', {}, 'Runs'), runs.map((run, i) => runDetails(run, i, open))));
    cb.charts.epochs = epochChart(canvas, runs);
    if (cell.state === 'running') ctx.later(3000, load);
    ctx.ready('cell');
  };
  await load();
}

function runDetails(run, i, open) {
  const details = el('details', {class: 'run', open: open.has(run.run_id) || (open.size === 0 && i === 0)},
    el('summary', {}, `Run ${run.run_id} · repetition ${run.repetition} · `, stateTag(run.status),
       ` · ${quality(run)} · `, energy(run.energy_wh, 'Wh', run.energy_band_wh, run.energy_provenance)),
    figures([
      run.failure_reason ? ['Failure', run.failure_reason] : null,
      ['Epochs', `${num(run.epochs_run)}${run.stop_reason ? ` (${run.stop_reason})` : ''}`],
      ['Started / finished', `${run.started_at || '—'} / ${run.finished_at || '—'}`],
      ['Energy', energy(run.energy_wh, 'Wh', run.energy_band_wh, run.energy_provenance)],
      ['Idle share', energy(run.idle_energy_wh, 'Wh', null, run.energy_provenance)],
      ['CO2', energy(run.co2_g, 'g', null, run.energy_provenance)],
      ['Carbon', `${run.region || '—'}, ${num(run.intensity_g_per_kwh)} g/kWh, PUE ${num(run.pue)}`],
      ['Time', `${num(run.duration_s)} s`], ['Compute type', run.compute_dtype || '—'],
      missing(run.macro_f1_percent) ? null : ['Macro F1', `${num(run.macro_f1_percent, 4)}%`],
      missing(run.cold_start_s) ? null : ['Cold start', `${num(run.cold_start_s)} s`]]),
    phasesTable(run.phases || []), confusionTable(run.confusion), inferenceTable(run.inference || []),
    measurementRecord(run.measurement),
    (run.warnings || []).length ? [el('h3', {}, 'Warnings'), el('ul', {class: 'warnings'}, run.warnings.map((w) => el('li', {}, w)))] : null,
    el('details', {}, el('summary', {}, 'Settings, environment, meters and carbon accounting'),
       el('pre', {}, JSON.stringify({settings: run.settings, environment: run.environment, meters: run.meters,
                                     carbon: run.carbon}, null, 2))));
  details.addEventListener('toggle', () => (details.open ? open.add(run.run_id) : open.delete(run.run_id)));
  return details;
}

function phasesTable(phases) {
  if (!phases.length) return null;
  const total = phases.reduce((s, p) => s + (p.energy_wh || 0), 0) || 1;
  return [el('h3', {}, 'Energy per phase and component'), table(
    ['Phase', 'Component', 'Energy', 'Share', 'CO2', 'Meter'],
    phases.map((p) => tr([p.phase, p.component, energy(p.energy_wh, 'Wh', p.band_wh, p.provenance),
      [el('span', {class: 'share', style: {width: `${Math.round(100 * (p.energy_wh || 0) / total)}px`}}),
       `${num(100 * (p.energy_wh || 0) / total, 2)}%`],
      energy(p.co2_g, 'g', null, p.provenance), p.meter || '—'])), 'phases')];
}

function confusionTable(confusion) {
  if (!confusion || !confusion.classes || !confusion.matrix) return null;
  const max = Math.max(1, ...confusion.matrix.flat());
  return [el('h3', {}, 'Confusion matrix'), el('p', {class: 'note'}, 'Rows: true class; columns: predicted class.'),
    table(['true \\ predicted', ...confusion.classes], confusion.matrix.map((row, i) =>
      el('tr', {}, el('th', {}, confusion.classes[i]), row.map((n, j) => el('td', {
        class: i === j ? 'diagonal' : null,
        // Shade by count: the diagonal in green, confusions in red.
        style: n ? {background: `rgba(${i === j ? '26,127,55' : '207,34,46'},${(0.08 + 0.5 * n / max).toFixed(2)})`} : null,
      }, String(n))))), 'confusion')];
}

function inferenceTable(rows) {
  if (!rows.length) return null;
  return [el('h3', {}, 'Inference'), table(
    ['Batch size', 'Iterations', 'p50 ms', 'p90 ms', 'p99 ms', 'Throughput /s', 'Energy per 1000'],
    rows.map((r) => tr([r.batch_size, r.iterations, r.p50_ms, r.p90_ms, r.p99_ms, r.throughput_per_s,
      // The band is given for the whole measurement; scaled to 1000 inputs like the figure.
      energy(r.energy_wh_per_1000, 'Wh', missing(r.energy_band_wh) || !r.energy_wh ? null
             : r.energy_band_wh * r.energy_wh_per_1000 / r.energy_wh, r.energy_provenance)])), 'inference')];
}

function measurementRecord(m) {
  if (!m) return null;
  const ms = (v) => (missing(v) ? '—' : `${num(v)} ms`);
  return [el('h3', {}, 'Measurement record'), table(
    ['Component', 'Meter', 'Provenance', 'Method', 'Scope', 'Band', 'Calibration'],
    (m.components || []).map((c) => tr([c.component || '—', c.meter || '—', provTag(c.provenance), c.method || '—',
      c.scope || '—', missing(c.band_relative) ? '—' : `±${num(100 * c.band_relative, 2)}%${c.band_basis ? ` (${c.band_basis})` : ''}`,
      c.calibration || '—'])), 'measurement'),
  figures([
    ['Sampling interval', `target ${ms(m.interval_target_ms)}, mean ${ms(m.interval_mean_ms)}, largest gap ${ms(m.interval_max_gap_ms)}`],
    ['Samples', num(m.samples)],
    ['Load outside the run', `mean ${num(m.outside_load_mean)}, max ${num(m.outside_load_max)}`],
    ['Load of the run', num(m.process_load_mean)],
    m.outside_load_warning ? ['Warning', m.outside_load_warning] : null])];
}

async function comparePage(ctx) {
  const [suite, ...hashes] = ctx.args;
  if (!suite || hashes.length !== 2) throw new Error('Open a comparison as #/compare/SUITE/HASH1/HASH2');
  const cells = await Promise.all(hashes.map((h) => api(`/api/suites/${enc(suite)}/cells/${enc(h)}`)));
  if (!ctx.live()) return;
  const canvases = hashes.map((h, i) => el('canvas', {id: `epoch-chart-${i + 1}`, class: 'epoch-chart'}));
  fill(view,
    el('h1', {}, 'Two cells side by side'),
    el('p', {}, el('a', {href: `#/suite/${enc(suite)}`}, `Suite ${suite}`)),
    el('div', {class: 'compare'}, cells.map((data, i) => {
      const cell = data.cell || data;
      return el('div', {class: 'column'},
        el('h2', {}, el('a', {href: `#/cell/${enc(suite)}/${enc(hashes[i])}`}, cell.name)),
        cellFigures(cell, cellRuns(data)), el('h3', {}, 'Epochs'), el('div', {class: 'chart-box'}, canvases[i]));
    })));
  cb.charts.compare = cells.map((data, i) => epochChart(canvases[i], cellRuns(data)));
  ctx.ready('compare');
}

// ---------------------------------------------------------------------------------------------
// #/report/NAME

async function reportPage(ctx) {
  const suite = ctx.args[0];
  if (!suite) throw new Error('Open a report as #/report/SUITE');
  const data = await api(`/api/suites/${enc(suite)}/report`);
  if (!ctx.live()) return;
  const article = el('article', {id: 'report'});
  // The one place HTML from the API is inserted as HTML: the server renders the project's
  // own Markdown report with cmark-gfm, so it is the report, not user input.
  article.innerHTML = data.html;
  fill(view, el('p', {}, el('a', {href: `#/suite/${enc(suite)}`}, `Explore suite ${suite}`)), article);
  ctx.ready('report');
}

// ---------------------------------------------------------------------------------------------
// #/playground and #/playground/RUN_ID

function inputKind(model) {
  if (model.input === 'image') return 'image';
  if (model.input === 'series') return 'series';
  return 'text';  // "tokens" (and "text"): prompts typed one per line
}

async function playgroundPage(ctx) {
  const {models} = await api('/api/models');
  if (!ctx.live()) return;
  const ids = {
    select: el('select', {id: 'model-select'}, models.map((m) => el('option', {value: String(m.run_id)},
      [m.suite, m.cell, `rep ${m.repetition}`, m.dataset, quality(m)].join(' · ')))),
    info: el('p', {class: 'note'}),
    image: el('input', {type: 'file', id: 'image-input', accept: 'image/*'}),
    preview: el('canvas', {id: 'image-preview', width: '28', height: '28'}),
    text: el('textarea', {id: 'text-input', placeholder: 'One prompt per line'}),
    values: el('textarea', {id: 'values-input', placeholder: 'A window of numbers, separated by commas, spaces or lines'}),
    index: el('input', {id: 'sample-index', type: 'number', min: '0', step: '1', value: '0'}),
    load: el('button', {id: 'sample-load', type: 'button'}, 'Load sample'),
    sampleInfo: el('span', {class: 'note', id: 'sample-info'}),
    predict: el('button', {id: 'predict-button', type: 'button'}, 'Predict'),
    prediction: el('div', {id: 'prediction'}),
  };
  const blocks = {
    image: el('div', {class: 'input-image'}, el('label', {}, 'Image ', ids.image),
              el('div', {class: 'image-row'}, ids.preview,
                 el('p', {class: 'note'}, 'Any image the browser can open, scaled to the model\'s size (shown here as sent).'))),
    text: el('div', {class: 'input-text'}, el('label', {for: 'text-input'}, 'Text, one prompt per line'), ids.text),
    series: el('div', {class: 'input-series'}, el('label', {for: 'values-input'}, 'Window of values'), ids.values),
  };
  fill(view, el('h1', {}, 'Playground'),
    models.length ? null : el('p', {class: 'muted'}, 'No run in this store saved a model (`carbonbench run` saves one per run).'),
    el('div', {class: 'controls'}, el('label', {}, 'Model', ids.select)), ids.info,
    el('div', {class: 'inputs'}, blocks.image, blocks.text, blocks.series,
       el('div', {class: 'controls'}, el('label', {}, 'Test sample', ids.index), ids.load, ids.sampleInfo)),
    ids.predict, ids.prediction);
  if (!models.length) { ctx.ready('playground'); return; }

  // What the predict button sends: a loaded test sample as its index while the reader has not
  // edited it, else what is in the visible input.
  const state = {model: null, image: null, sample: null};
  const choose = (runId) => {
    state.model = models.find((m) => String(m.run_id) === String(runId)) || models[0];
    state.image = state.sample = null;
    const m = state.model;
    ids.select.value = String(m.run_id);
    const kind = inputKind(m);
    for (const [name, block] of Object.entries(blocks)) block.hidden = name !== kind;
    ids.info.textContent = `Run ${m.run_id}: ${m.model} on ${m.dataset} (${m.task}), input ${m.input} ` +
      `${JSON.stringify(m.input_shape)}${m.classes ? `, ${m.classes.length} classes` : ''}, final ${quality(m)}.`;
    if (kind === 'image') {
      const [, height, width] = m.input_shape;
      ids.preview.width = width; ids.preview.height = height;
      ids.preview.getContext('2d').clearRect(0, 0, width, height);
    }
    ids.image.value = ''; ids.text.value = ''; ids.values.value = '';
    ids.sampleInfo.textContent = ''; ids.prediction.replaceChildren();
    delete document.body.dataset.predicted; delete document.body.dataset.sample;
  };
  if (ctx.args[0] && !models.some((m) => String(m.run_id) === ctx.args[0])) {
    showError(`No saved model for run ${ctx.args[0]} in GET /api/models; showing run ${models[0].run_id}.`);
  }
  choose(ctx.args[0] || models[0].run_id);
  ids.select.addEventListener('change', () => {
    clearError();
    choose(ids.select.value);
    // The URL names the model without a new route render (replaceState fires no hashchange).
    history.replaceState(null, '', `#/playground/${state.model.run_id}`);
  });
  ids.image.addEventListener('change', () => run(async () => {
    const file = ids.image.files[0];
    if (!file) return;
    const [channels, height, width] = state.model.input_shape;
    state.image = await imageFromFile(file, width, height, channels);
    state.sample = null;
    drawPixels(ids.preview, state.image);
    ids.sampleInfo.textContent = `${file.name}, scaled to ${width}×${height}`;
  }));
  ids.load.addEventListener('click', () => run(async () => {
    const index = Number(ids.index.value);
    if (!Number.isInteger(index) || index < 0) throw new Error('A test sample index is a whole number from 0.');
    const m = state.model;
    const s = await api(`/api/models/${m.run_id}/samples/${index}`);
    if (!ctx.live() || state.model !== m) return;
    if (s.pixels) { state.image = s; drawPixels(ids.preview, s); }
    if (s.text !== undefined) ids.text.value = s.text;
    if (s.values) ids.values.value = s.values.join(', ');
    if (!missing(s.test_size)) ids.index.max = String(s.test_size - 1);
    ids.sampleInfo.textContent = `sample ${index} of ${num(s.test_size)}` +
      (missing(s.label) ? '' : `; true label: ${typeof s.label === 'number' ? num(s.label, 6) : s.label}`);
    // Kept with what the inputs showed, so an edit (even one made by a script) is noticed.
    state.sample = {index, text: ids.text.value, values: ids.values.value};
    document.body.dataset.sample = String(index);
  }));
  ids.predict.addEventListener('click', () => run(async () => {
    const m = state.model;
    // The previous answer goes first, so it is never read as the answer to this input.
    delete document.body.dataset.predicted;
    fill(ids.prediction);
    const body = requestBody(m, state, ids);
    ids.predict.disabled = true;
    try {
      const result = await api(`/api/models/${m.run_id}/predict`, {
        method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      if (!ctx.live() || state.model !== m) return;
      fill(ids.prediction, renderPrediction(result, body));
      document.body.dataset.predicted = '1';
    } finally {
      ids.predict.disabled = false;
    }
  }));
  ctx.ready('playground');

  // A control's action: its error shown, the previous one cleared.
  async function run(action) {
    clearError();
    try { await action(); } catch (e) { if (ctx.live()) showError(e); }
  }
}

function requestBody(model, state, ids) {
  const kind = inputKind(model);
  const sample = state.sample;
  // A loaded sample the reader left as it was goes as its index: the server then uses the
  // test split's own tensor, and answers with the true label.
  if (sample && (kind === 'image' || (kind === 'text' ? ids.text.value === sample.text
                                                        : ids.values.value === sample.values))) {
    return {samples: [sample.index]};
  }
  if (kind === 'image') {
    if (!state.image) throw new Error('Choose an image file or load a test sample first.');
    return {images: [{width: state.image.width, height: state.image.height, channels: state.image.channels,
                      pixels: Array.from(state.image.pixels)}]};
  }
  if (kind === 'series') {
    const words = ids.values.value.split(/[\s,]+/).filter(Boolean);
    const values = words.map(Number);
    const bad = words.find((w, i) => !isFinite(values[i]));
    if (bad !== undefined) throw new Error(`"${bad}" is not a number; a window is numbers separated by commas, spaces or lines.`);
    if (!values.length) throw new Error('Paste a window of values or load a test sample first.');
    return {windows: [values]};
  }
  const texts = ids.text.value.split('\n').map((t) => t.trim()).filter(Boolean);
  if (!texts.length) throw new Error('Type a prompt (one per line) or load a test sample first.');
  return {texts};
}

// Decodes any image the browser can open, scaled to the model's width × height, as the
// model's channels: luminance for one channel, RGB for three.
async function imageFromFile(file, width, height, channels) {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    try { await img.decode(); } catch (e) { throw new Error(`The browser cannot decode ${file.name} as an image.`); }
    const canvas = document.createElement('canvas');
    canvas.width = width; canvas.height = height;
    const g = canvas.getContext('2d');
    // Transparent areas become black, the background of the light-on-dark digit and clothing sets.
    g.fillStyle = '#000';
    g.fillRect(0, 0, width, height);
    g.drawImage(img, 0, 0, width, height);
    const rgba = g.getImageData(0, 0, width, height).data;
    const pixels = new Array(width * height * channels);
    for (let i = 0; i < width * height; ++i) {
      const [r, gr, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
      if (channels === 1) pixels[i] = Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
      else for (let c = 0; c < channels; ++c) pixels[i * channels + c] = rgba[4 * i + Math.min(c, 3)];
    }
    return {width, height, channels, pixels};
  } finally {
    URL.revokeObjectURL(url);
  }
}

// Shows {width, height, channels, pixels} (0–255, row by row, channels interleaved).
function drawPixels(canvas, image) {
  const {width, height, channels, pixels} = image;
  canvas.width = width; canvas.height = height;
  const g = canvas.getContext('2d');
  const out = g.createImageData(width, height);
  for (let i = 0; i < width * height; ++i) {
    for (let c = 0; c < 3; ++c) out.data[4 * i + c] = pixels[i * channels + (channels === 1 ? 0 : c)];
    out.data[4 * i + 3] = 255;
  }
  g.putImageData(out, 0, 0);
}

function renderPrediction(r, body) {
  const inputs = body.samples ? body.samples.map((s) => `test sample ${s}`)
    : body.texts ? body.texts : body.images ? body.images.map((im) => `image ${im.width}×${im.height}`)
    : body.windows.map((w) => `window of ${w.length} values`);
  const items = (r.predictions || []).map((p, i) => {
    const regressor = p.value !== undefined && p.class === undefined;
    const truth = missing(p.label) ? null
      : regressor ? el('span', {class: 'note'}, ` true value ${num(p.label, 6)}`)
      : el('span', {class: p.label === p.class ? 'truth-right' : 'truth-wrong'},
           ` true label ${p.label} ${p.label === p.class ? '✓' : '✗'}`);
    const probs = (p.probabilities || []).slice().sort((a, b) => b.p - a.p).slice(0, 10);
    return el('div', {class: 'prediction'},
      el('div', {class: 'note'}, `Input ${i + 1}: `, inputs[i] || ''),
      el('div', {}, regressor ? el('span', {class: 'predicted-value'}, num(p.value, 6))
                              : el('span', {class: 'predicted-class'}, p.class), truth),
      probs.length ? el('ol', {class: 'probs'}, probs.map((q) => el('li', {}, el('span', {}, q.class),
        el('span', {class: 'bar'}, el('span', {class: 'fill', style: {width: `${(100 * q.p).toFixed(1)}%`}})),
        el('span', {class: 'p'}, `${(100 * q.p).toFixed(1)}%`)))) : null);
  });
  const estimated = /^estimated/i.test(r.energy_provenance || '');
  return [...items, figures([
    ['Batch size', num(r.batch_size)],
    ['Latency', `${num(r.latency_ms)} ms`], ['Queue', `${num(r.queue_ms)} ms`],
    ['Energy', energy(r.energy_wh, 'Wh', r.energy_band_wh, r.energy_provenance)],
    ['CO2', energy(r.co2_g, 'g', null, r.energy_provenance)],
    ['Method', r.energy_method || '—'],
    ['Carbon intensity', `${r.region || '—'}, ${num(r.intensity_g_per_kwh)} g/kWh`]]),
  estimated ? el('p', {class: 'note'}, 'Over one request of about a millisecond an estimate is a share of the CPU ' +
    'model\'s power for the CPU time the request took: read it as an order of magnitude. ' +
    '`carbonbench infer` measures over many.') : null];
}

// ---------------------------------------------------------------------------------------------

// The store's name in the header, whichever page is opened first.
api('/api/suites').then((d) => { document.getElementById('store').textContent = d.store ? `store: ${d.store}` : ''; },
                        () => { /* the page itself reports an unreachable server */ });
if (!window.Chart) showError('Chart.js did not load from /static/chart.min.js: the charts cannot be drawn.');
window.addEventListener('hashchange', route);
route();
