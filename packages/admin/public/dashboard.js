// Switchyard admin dashboard: plain browser JavaScript, no build step, no dependencies.
// Talks to the JSON API next to this page (relative URLs, so it works under any prefix).
// Everything from the server is put on the page with textContent, never as HTML:
// job data and failure reasons are whatever producers put there.

const TOKEN_KEY = 'switchyard-admin-token';
const PAGE_SIZE = 20;
const REFRESH_MS = 5000;
const STATES = ['scheduled', 'waiting', 'active', 'completed', 'failed'];

const view = {
  queue: '',
  state: '',
  offset: 0,
  total: 0,
  detailId: null,
  refreshing: false,
};

const $ = (id) => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element;
};

/** A DOM element with attributes/properties and children (strings become text nodes). */
function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key in element) element[key] = value;
    else element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// --- talking to the server ------------------------------------------------------

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new HttpError(response.status, payload.error ?? `HTTP ${response.status}`);
  return payload;
}

// --- messages and session ---------------------------------------------------------

function showMessage(text, kind = 'error') {
  const message = $('message');
  message.textContent = text;
  message.className = `message ${kind}`;
  message.hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
}

function setSignedIn(signedIn) {
  $('token-form').hidden = signedIn;
  $('session').hidden = !signedIn;
  $('main').hidden = !signedIn;
}

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  setSignedIn(false);
  if (reason) showMessage(reason);
  $('token').focus();
}

/** Runs an action; a refused token sends the user back to the token form. */
async function guarded(action) {
  try {
    await action();
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) signOut('The server refused this token.');
    else showMessage(error.message);
    return false;
  }
}

// --- rendering ------------------------------------------------------------------

const formatTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

function stateBadge(state) {
  return el('span', { className: `state state-${state}` }, state);
}

async function renderHealth() {
  const badge = $('health');
  try {
    const response = await fetch('health', { cache: 'no-store' });
    const health = await response.json();
    badge.textContent = health.healthy ? `healthy · ${health.latencyMs} ms` : `unhealthy: ${health.error ?? 'unknown'}`;
    badge.className = `badge ${health.healthy ? 'ok' : 'bad'}`;
  } catch {
    badge.textContent = 'server unreachable';
    badge.className = 'badge bad';
  }
  badge.hidden = false;
}

async function renderQueues() {
  const { provider, queues } = await api('queues');
  const providerBadge = $('provider');
  providerBadge.textContent = `provider: ${provider}`;
  providerBadge.hidden = false;

  const body = $('queues').querySelector('tbody');
  body.replaceChildren(
    ...queues.map((queue) =>
      el(
        'tr',
        { dataset: { queue: queue.name }, className: queue.name === view.queue ? 'selected' : '' },
        el(
          'th',
          { scope: 'row' },
          el('button', { type: 'button', className: 'link', onclick: () => selectQueue(queue.name, '') }, queue.name),
        ),
        STATES.map((state) =>
          el(
            'td',
            { className: `num count-${state}`, dataset: { state } },
            el(
              'button',
              {
                type: 'button',
                className: queue.counts[state] === 0 ? 'link count zero' : 'link count',
                title: `Show ${state} ${queue.name} jobs`,
                onclick: () => selectQueue(queue.name, state),
              },
              String(queue.counts[state]),
            ),
          ),
        ),
        el(
          'td',
          {},
          queue.paused
            ? el('span', { className: 'state state-paused' }, 'paused')
            : el('span', { className: 'muted' }, 'running'),
        ),
        el(
          'td',
          { className: 'actions' },
          queue.paused
            ? el(
                'button',
                { type: 'button', dataset: { action: 'resume' }, onclick: () => queueAction(queue.name, 'resume') },
                'Resume',
              )
            : el(
                'button',
                { type: 'button', dataset: { action: 'pause' }, onclick: () => queueAction(queue.name, 'pause') },
                'Pause',
              ),
          el(
            'button',
            { type: 'button', dataset: { action: 'clean' }, onclick: () => openClean(queue.name) },
            'Clean…',
          ),
        ),
      ),
    ),
  );
  $('no-queues').hidden = queues.length > 0;

  const names = queues.map((queue) => queue.name);
  if (!names.includes(view.queue)) {
    view.queue = names[0] ?? '';
    view.offset = 0;
  }
  const filter = $('queue-filter');
  filter.replaceChildren(...names.map((name) => el('option', { value: name, selected: name === view.queue }, name)));
}

async function renderJobs() {
  const body = $('jobs').querySelector('tbody');
  if (view.queue === '') {
    body.replaceChildren();
    $('no-jobs').hidden = false;
    $('page-info').textContent = '';
    return;
  }
  const query = new URLSearchParams({ offset: String(view.offset), limit: String(PAGE_SIZE) });
  if (view.state) query.set('state', view.state);
  const page = await api(`queues/${encodeURIComponent(view.queue)}/jobs?${query}`);
  if (page.jobs.length === 0 && view.offset > 0 && page.total > 0) {
    // The page emptied under us (jobs moved on): step back to the last page that has jobs.
    view.offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
    return renderJobs();
  }
  view.total = page.total;
  body.replaceChildren(
    ...page.jobs.map((job) =>
      el(
        'tr',
        { dataset: { jobId: job.id, state: job.state }, className: job.id === view.detailId ? 'selected' : '' },
        el(
          'td',
          {},
          el(
            'button',
            { type: 'button', className: 'link mono', title: 'Show details', onclick: () => showDetail(job.id) },
            job.id,
          ),
        ),
        el('td', {}, stateBadge(job.state)),
        el('td', {}, formatTime(job.createdAt)),
        el('td', {}, formatTime(job.finishedAt)),
        el('td', { className: 'num' }, `${job.attemptsMade} / ${job.maxAttempts}`),
        el('td', { className: 'num' }, el('progress', { max: 100, value: job.progress, title: `${job.progress}%` })),
        el('td', { className: 'failure', title: job.failedReason ?? '' }, job.failedReason ?? ''),
        el(
          'td',
          { className: 'actions' },
          job.state === 'failed'
            ? el(
                'button',
                { type: 'button', dataset: { action: 'retry' }, onclick: () => jobAction(job.id, 'retry') },
                'Retry',
              )
            : null,
          job.state !== 'active'
            ? el(
                'button',
                {
                  type: 'button',
                  className: 'danger',
                  dataset: { action: 'cancel' },
                  onclick: () => jobAction(job.id, 'cancel'),
                },
                'Cancel',
              )
            : null,
        ),
      ),
    ),
  );
  $('no-jobs').hidden = page.jobs.length > 0;
  const first = page.jobs.length === 0 ? 0 : view.offset + 1;
  $('page-info').textContent = `${first}–${view.offset + page.jobs.length} of ${page.total}`;
  $('previous-page').disabled = view.offset === 0;
  $('next-page').disabled = view.offset + PAGE_SIZE >= page.total;
  $('state-filter').value = view.state;
}

async function renderDetail() {
  const section = $('detail');
  if (view.detailId === null) {
    section.hidden = true;
    return;
  }
  let job;
  try {
    job = await api(`jobs/${encodeURIComponent(view.detailId)}`);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      // Cancelled or cleaned meanwhile.
      view.detailId = null;
      section.hidden = true;
      return;
    }
    throw error;
  }
  $('detail-id').textContent = job.id;
  const fields = [
    ['Name', job.name],
    ['State', stateBadge(job.state)],
    ['Attempts', `${job.attemptsMade} made of ${job.maxAttempts}`],
    ['Progress', el('span', {}, el('progress', { max: 100, value: job.progress }), ` ${job.progress}%`)],
    ['Priority', job.priority],
    ['Created', formatTime(job.createdAt)],
    ['Due', formatTime(job.runAt)],
    ['Finished', formatTime(job.finishedAt)],
    ['Failure reason', job.failedReason ?? '—'],
    ['Repeat', job.repeat ? JSON.stringify(job.repeat) : '—'],
  ];
  $('detail-fields').replaceChildren(...fields.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  $('detail-data').textContent = JSON.stringify(job.data, null, 2);
  const hasResult = job.result !== undefined;
  $('detail-result-block').hidden = !hasResult;
  $('detail-result').textContent = hasResult ? JSON.stringify(job.result, null, 2) : '';
  section.hidden = false;
}

async function refresh() {
  if (view.refreshing || sessionStorage.getItem(TOKEN_KEY) === null) return;
  view.refreshing = true;
  try {
    const ok = await guarded(async () => {
      await Promise.all([renderHealth(), renderQueues()]);
      await Promise.all([renderJobs(), renderDetail()]);
    });
    if (ok) {
      clearMessage();
      $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    }
  } finally {
    view.refreshing = false;
  }
}

// --- actions --------------------------------------------------------------------

function selectQueue(name, state) {
  view.queue = name;
  view.state = state;
  view.offset = 0;
  void refresh();
}

async function queueAction(name, action) {
  if (await guarded(() => api(`queues/${encodeURIComponent(name)}/${action}`, { method: 'POST' }))) await refresh();
}

async function jobAction(id, action) {
  if (action === 'cancel' && !confirm(`Cancel job ${id}? It will be removed.`)) return;
  const done = await guarded(() =>
    action === 'retry'
      ? api(`jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' })
      : api(`jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
  if (done) {
    if (action === 'cancel' && view.detailId === id) view.detailId = null;
    await refresh();
    showMessage(action === 'retry' ? `Job ${id} is back in line.` : `Job ${id} was cancelled.`, 'info');
  }
}

function showDetail(id) {
  view.detailId = id;
  void refresh();
}

function openClean(name) {
  $('clean-queue').textContent = name;
  $('clean-dialog').dataset.queue = name;
  $('clean-dialog').showModal();
}

async function confirmClean() {
  const dialog = $('clean-dialog');
  const name = dialog.dataset.queue;
  const minutes = Number($('clean-age').value);
  if (!Number.isFinite(minutes) || minutes < 0) {
    showMessage('The age must be a number of minutes, 0 or more.');
    return;
  }
  dialog.close();
  let removed = 0;
  const done = await guarded(async () => {
    const body = { state: $('clean-state').value, olderThanMs: Math.round(minutes * 60_000) };
    ({ removed } = await api(`queues/${encodeURIComponent(name)}/clean`, { method: 'POST', body }));
  });
  if (done) {
    await refresh();
    showMessage(`Removed ${removed} job${removed === 1 ? '' : 's'} from ${name}.`, 'info');
  }
}

// --- wiring ---------------------------------------------------------------------

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (token === '') return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  setSignedIn(true);
  void refresh();
});
$('sign-out').addEventListener('click', () => signOut());
$('refresh').addEventListener('click', () => void refresh());
$('queue-filter').addEventListener('change', (event) => selectQueue(event.target.value, view.state));
$('state-filter').addEventListener('change', (event) => selectQueue(view.queue, event.target.value));
$('previous-page').addEventListener('click', () => {
  view.offset = Math.max(0, view.offset - PAGE_SIZE);
  void refresh();
});
$('next-page').addEventListener('click', () => {
  view.offset += PAGE_SIZE;
  void refresh();
});
$('detail-close').addEventListener('click', () => {
  view.detailId = null;
  $('detail').hidden = true;
});
$('clean-confirm').addEventListener('click', () => void confirmClean());
$('clean-cancel').addEventListener('click', () => $('clean-dialog').close());

setInterval(() => {
  if ($('auto-refresh').checked) void refresh();
}, REFRESH_MS);

if (sessionStorage.getItem(TOKEN_KEY) !== null) {
  setSignedIn(true);
  void refresh();
} else {
  setSignedIn(false);
}
