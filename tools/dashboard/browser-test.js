#!/usr/bin/env node
/* The dashboard in a real browser: generates the page from fixtures/history
 * (three runs, two regressions in the last) and from fixtures/empty, opens
 * each in headless Chromium (Debian's /usr/bin/chromium, driven by
 * puppeteer-core) from file://, and checks: no console error and no network
 * request, every chart drawn with the series and point counts of
 * browser-expect.json, the regressions flagged (banner, table rows, badges),
 * the table's filter and sorting, a row click redrawing the history chart.
 * Saves a full-page screenshot. Prints TAP; "1..0 # SKIP" when Chromium,
 * node_modules (npm ci) or Debian's python3 is missing.
 *
 *   node tools/dashboard/browser-test.js [OUT_DIR]   (default: a temp folder)
 *   screenshot: OUT_DIR/dashboard.png, pages: OUT_DIR/index.html, empty.html */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const HERE = __dirname;
const CHROMIUM = process.env.VNN_CHROMIUM || '/usr/bin/chromium';
const PYTHON = '/usr/bin/python3';

let n = 0, failed = 0;
function ok(cond, name, diag) {
  n++;
  if (!cond) failed++;
  console.log((cond ? 'ok ' : 'not ok ') + n + ' - ' + name);
  if (!cond && diag !== undefined) {
    for (const line of String(typeof diag === 'string' ? diag : JSON.stringify(diag, null, 1)).split('\n')) {
      console.log('# ' + line);
    }
  }
  return cond;
}

function skip(reason) {
  console.log('1..0 # SKIP ' + reason);
  process.exit(0);
}

function requireOrNull(name) {
  try {
    return require(path.join(HERE, 'node_modules', name));
  } catch (e) {
    return null;
  }
}

// What each chart holds: [dataset label, drawn points] in order.
async function chartSummary(page) {
  return page.evaluate(() => {
    const out = {};
    for (const [id, chart] of Object.entries(window.vnnCharts || {})) {
      const area = chart.chartArea;
      out[id] = {
        width: chart.width, height: chart.height,
        datasets: chart.data.datasets.map((d, i) => {
          const meta = chart.getDatasetMeta(i);
          const drawn = meta.data.filter((e) => !e.skip && Number.isFinite(e.x) && Number.isFinite(e.y) &&
            e.x >= area.left - 1 && e.x <= area.right + 1 && e.y >= area.top - 1 && e.y <= area.bottom + 1);
          return [d.label, drawn.length];
        }),
      };
    }
    return out;
  });
}

async function openPage(browser, file) {
  const page = await browser.newPage();
  const errors = [], requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('requestfailed', (r) => errors.push('request failed: ' + r.url()));
  page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto('file://' + file, { waitUntil: 'load' });
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 20000 }).catch(() => {});
  return { page, errors, requests };
}

async function main() {
  const outDir = path.resolve(process.argv[2] || fs.mkdtempSync(path.join(os.tmpdir(), 'vnn-dashboard-')));
  if (!fs.existsSync(CHROMIUM)) skip('no ' + CHROMIUM + ' (apt-get install chromium)');
  if (!fs.existsSync(PYTHON)) skip('no ' + PYTHON);
  const puppeteer = requireOrNull('puppeteer-core');
  if (!puppeteer || !fs.existsSync(path.join(HERE, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'))) {
    skip('no node_modules in tools/dashboard (cd tools/dashboard && PUPPETEER_SKIP_DOWNLOAD=1 npm ci)');
  }
  fs.mkdirSync(outDir, { recursive: true });
  const expect = JSON.parse(fs.readFileSync(path.join(HERE, 'fixtures', 'browser-expect.json'), 'utf8'));
  console.log('TAP version 13');
  console.log('1..' + (expect.plan));

  const pageFile = path.join(outDir, 'index.html');
  const emptyFile = path.join(outDir, 'empty.html');
  let generated = true;
  try {
    for (const [fixture, file] of [['history', pageFile], ['empty', emptyFile]]) {
      execFileSync(PYTHON, [path.join(HERE, 'dashboard.py'), 'generate', '--results',
        path.join(HERE, 'fixtures', fixture), '--out', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
  } catch (e) {
    generated = false;
    ok(false, 'pages generated from fixtures/history and fixtures/empty', String(e.stderr || e));
  }
  if (generated) ok(true, 'pages generated from fixtures/history and fixtures/empty');

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnn-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, userDataDir,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
  });
  try {
    const { page, errors, requests } = await openPage(browser, pageFile);
    ok(errors.length === 0, 'no console error or failed request', errors);
    ok(requests.length === 0, 'no network request (everything inlined)', requests);

    // Every chart, with its series and points.
    const got = await chartSummary(page);
    ok(JSON.stringify(Object.keys(got).sort()) === JSON.stringify(Object.keys(expect.charts).sort()),
       'the expected charts exist', { got: Object.keys(got), want: Object.keys(expect.charts) });
    for (const [id, want] of Object.entries(expect.charts)) {
      const g = got[id];
      ok(g && g.width > 100 && g.height > 100 && JSON.stringify(g.datasets) === JSON.stringify(want),
         id + ': ' + want.length + ' series, ' + want.map((d) => d[1]).join('+') + ' points drawn',
         { got: g, want });
    }

    // The regressions: the banner, the rows, their badges.
    const reg = await page.evaluate(() => ({
      banner: document.getElementById('banner').className,
      items: [...document.querySelectorAll('#regression-list li')].map((li) => li.textContent),
      rows: [...document.querySelectorAll('#raw-table tbody tr.regression')].map((tr) => tr.dataset.key),
      badges: [...document.querySelectorAll('#raw-table .badge.regression')].map((b) => b.textContent),
      bannerText: document.getElementById('banner').textContent,
    }));
    ok(reg.banner.includes('bad') && reg.items.length === expect.regressions.length &&
       reg.bannerText.startsWith(expect.banner),
       'the banner flags ' + expect.regressions.length + ' regressions', reg);
    ok(JSON.stringify(reg.rows) === JSON.stringify(expect.regressions), 'the regressed rows are marked', reg.rows);
    ok(JSON.stringify(reg.badges) === JSON.stringify(expect.badges), 'their badges show the drop', reg.badges);

    // The table: all rows, then filtered, then regressions only, then sorted.
    const count = () => page.$$eval('#raw-table tbody tr', (trs) => trs.length);
    ok(await count() === expect.rows, 'the table has every row (' + expect.rows + ')', await count());
    await page.type('#filter', 'gemm/512');
    ok(await count() === expect.filtered_gemm512, 'filter "gemm/512" leaves ' + expect.filtered_gemm512 + ' rows',
       await count());
    await page.$eval('#filter', (e) => { e.value = ''; e.dispatchEvent(new Event('input')); });
    await page.click('#only-regressions');
    ok(await count() === expect.regressions.length, '"regressions only" leaves the regressions', await count());
    await page.click('#only-regressions');
    await page.click('#raw-table th[data-key="ratio"]');
    const ratios = await page.$$eval('#raw-table tbody tr td:nth-child(8)', (tds) => tds.map((t) => t.textContent));
    const nums = ratios.filter((t) => t.endsWith('\u00d7')).map(parseFloat);
    ok(nums.length > 0 && nums.every((v, i) => i === 0 || nums[i - 1] >= v), 'sorting by ratio, highest first', ratios);

    // A row click redraws the history chart for that benchmark.
    // (scrolled to the middle first: the sticky header must not cover it)
    const rowSel = '#raw-table tbody tr[data-key="' + expect.click.key + '"] td:nth-child(3)';
    await page.$eval(rowSel, (td) => td.scrollIntoView({ block: 'center' }));
    await page.click(rowSel);
    const detail = await page.evaluate(() => ({
      title: document.getElementById('detail-title').textContent,
      series: window.vnnCharts['chart-detail'].data.datasets.map((d) => [d.label, d.data.filter((v) => v !== null).length]),
    }));
    ok(detail.title.startsWith(expect.click.title) && JSON.stringify(detail.series) === JSON.stringify(expect.click.series),
       'a row click shows its history', detail);

    // The models' tables.
    const tables = await page.evaluate(() => ({
      comparison: document.querySelectorAll('#models-comparison tbody tr').length,
      accuracy: document.querySelectorAll('#accuracy tbody tr').length,
    }));
    ok(tables.comparison === expect.models_comparison && tables.accuracy === expect.accuracy,
       'models: PyTorch comparison and accuracy tables', tables);

    await page.click('#raw-table th[data-key="isa_run"]');  // back to a stable order for the picture
    await page.evaluate(() => { window.scrollTo(0, 0); document.querySelector('.tablewrap').scrollTop = 0; });
    const shot = path.join(outDir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    ok(fs.statSync(shot).size > 50000, 'screenshot saved: ' + shot);
    ok(errors.length === 0, 'still no console error after the interactions', errors);

    // The page of an empty results folder: no chart, no error.
    const empty = await openPage(browser, emptyFile);
    const e = await empty.page.evaluate(() => ({
      charts: Object.keys(window.vnnCharts || {}).length,
      banner: document.getElementById('banner').textContent,
      rendered: document.body.dataset.rendered,
    }));
    ok(empty.errors.length === 0 && e.rendered === 'true' && e.charts === 0 && e.banner.startsWith('No results'),
       'empty results: the page says so, no chart, no error', { e, errors: empty.errors });
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  if (n !== expect.plan) {
    console.log('# ran ' + n + ' checks, planned ' + expect.plan);
    failed++;
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log('not ok ' + (n + 1) + ' - the test ran to its end');
  console.log('# ' + String(e && e.stack || e).split('\n').join('\n# '));
  process.exit(1);
});
