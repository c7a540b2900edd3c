// The fsjournal dashboard: polls the primary's REST API every second and
// shows replicas, their lag over the last minutes (uPlot), the journal tail
// and annotations. Text goes in with textContent only: record paths come
// from the watched tree and are never parsed as HTML.
'use strict';

(function () {
  const POLL_MS = 1000;
  const WINDOW_S = 300;
  const TAIL = 25;
  const ANNOTATIONS = 10;

  /** Times (s) and, per replica id, lag in records, over the window. */
  const history = { t: [], lag: new Map() };
  let chart;
  let chartIds = '';

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) tr.appendChild(c);
    return tr;
  }

  async function getJson(url) {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok)
      throw new Error(
        body && body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`,
      );
    return body;
  }

  function replicaState(r) {
    if (!r.connected) return ['disconnected', 'state-disconnected'];
    if (r.lagRecords === 0) return ['caught up', 'state-caught-up'];
    return ['behind', 'state-behind'];
  }

  function showReplicas(replicas) {
    const body = document.querySelector('#replicas tbody');
    body.replaceChildren(
      ...replicas.map((r) => {
        const [state, cls] = replicaState(r);
        const tr = row([
          el('td', r.id),
          el('td', state, cls),
          el('td', r.address ?? '—'),
          el('td', r.appliedLsn, 'num'),
          el('td', r.durableLsn, 'num'),
          el('td', r.lagRecords, 'num'),
          el('td', r.lagBytes, 'num'),
          el('td', r.lagMs, 'num'),
          el('td', r.lastAckAt ?? '—'),
        ]);
        tr.dataset.replica = r.id;
        return tr;
      }),
    );
    document.getElementById('no-replicas').hidden = replicas.length > 0;
  }

  function recordChart(replicas) {
    const now = Date.now() / 1000;
    history.t.push(now);
    for (const r of replicas) {
      if (!history.lag.has(r.id))
        history.lag.set(
          r.id,
          history.t.slice(0, -1).map(() => null),
        );
    }
    for (const [id, values] of history.lag) {
      const r = replicas.find((x) => x.id === id);
      values.push(r ? r.lagRecords : null);
    }
    while (history.t.length > 0 && history.t[0] < now - WINDOW_S) {
      history.t.shift();
      for (const values of history.lag.values()) values.shift();
    }
    const ids = [...history.lag.keys()];
    const data = [history.t, ...ids.map((id) => history.lag.get(id))];
    const box = document.getElementById('lag-chart');
    if (!chart || chartIds !== ids.join('\n')) {
      if (chart) chart.destroy();
      chartIds = ids.join('\n');
      const colors = ['#0366d6', '#d73a49', '#28a745', '#6f42c1', '#e36209', '#005cc5'];
      chart = new uPlot(
        {
          width: Math.max(320, box.clientWidth || 800),
          height: 220,
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [
            {},
            { label: 'records behind', incrs: [1, 2, 5, 10, 20, 50, 100, 1000, 10000, 100000] },
          ],
          series: [
            {},
            ...ids.map((id, i) => ({ label: id, stroke: colors[i % colors.length], width: 2 })),
          ],
        },
        data,
        box,
      );
    } else {
      chart.setData(data);
    }
  }

  function showTail(records) {
    const body = document.querySelector('#tail tbody');
    body.replaceChildren(
      ...records
        .slice()
        .reverse()
        .map((r) =>
          row([
            el('td', r.lsn, 'num'),
            el('td', r.time),
            el('td', r.op),
            el(
              'td',
              r.path2 !== undefined ? `${r.path} → ${r.path2}` : r.path || r.text || '',
              'path',
            ),
            el('td', r.size ?? '', 'num'),
            el('td', r.comm ?? (r.uid !== undefined ? `uid ${r.uid}` : '')),
          ]),
        ),
    );
  }

  /** The newest annotations seen, and the LSN up to which the journal was looked through. */
  const annotations = { last: [], after: 0 };

  /**
   * Reads the annotations after the last look, page by page, then notes
   * `durable` as looked through: each poll reads only what is new.
   */
  async function pollAnnotations(durable) {
    const PAGE = 1000;
    for (;;) {
      const page = await getJson(
        `/v1/journal?op=ANNOTATE&afterLsn=${annotations.after}&limit=${PAGE}`,
      );
      annotations.last.push(...page);
      annotations.last.splice(0, Math.max(0, annotations.last.length - ANNOTATIONS));
      if (page.length > 0) annotations.after = page[page.length - 1].lsn;
      if (page.length < PAGE) break;
    }
    annotations.after = Math.max(annotations.after, durable);
  }

  function showAnnotations(records) {
    const list = document.getElementById('annotations');
    const last = records.slice().reverse();
    if (last.length === 0) list.replaceChildren(el('li', 'none yet', 'quiet'));
    else
      list.replaceChildren(
        ...last.map((r) => el('li', `${r.time} (LSN ${r.lsn}): ${r.text ?? ''}`)),
      );
  }

  async function poll() {
    const problem = document.getElementById('problem');
    try {
      const status = await getJson('/v1/status');
      document.getElementById('summary').textContent =
        `journal ${status.journalId} · ${status.mode} mode on ${status.source} · LSN ${status.firstLsn}–${status.lastLsn}, durable ${status.durableLsn}` +
        (status.retentionHold
          ? ` · retention held after LSN ${status.retentionHold.lsn} by ${status.retentionHold.replicaId}`
          : '');
      showReplicas(status.replicas);
      recordChart(status.replicas);
      const after = Math.max(0, status.durableLsn - TAIL);
      showTail(await getJson(`/v1/journal?afterLsn=${after}&limit=${TAIL}`));
      await pollAnnotations(status.durableLsn);
      showAnnotations(annotations.last);
      const journal = status.journal;
      if (journal && journal.state === 'failed') {
        const e = journal.error || {};
        problem.textContent = `journal failed since ${journal.since} (${e.code}: ${e.message}): changes are not journaled until it recovers (${journal.attempts} attempts so far)`;
        problem.hidden = false;
      } else {
        problem.hidden = true;
      }
    } catch (err) {
      problem.textContent = `cannot reach the primary: ${err.message}`;
      problem.hidden = false;
    }
  }

  document.getElementById('annotate').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = document.getElementById('annotation-text');
    const res = await fetch('/v1/annotations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: input.value }),
    });
    if (res.ok) input.value = '';
    await poll();
  });

  document.getElementById('window-minutes').textContent = String(WINDOW_S / 60);
  let running = false;
  async function tick() {
    if (running) return;
    running = true;
    try {
      await poll();
    } finally {
      running = false;
    }
  }
  void tick();
  setInterval(tick, POLL_MS);
})();
