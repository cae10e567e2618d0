// The admin page's task console: find any task across all names, see why it failed, and act on
// it or on every task a search matches. It uses admin.js's helpers ($, el, call, time, ...). The
// search lives in the address (#search?status=FAILURE&name=...), so that a link or the back
// button brings it back. As everywhere on the page, data is written as text, never as HTML.
'use strict';

const SEARCH_FIELDS = ['name', 'queue', 'startedBy', 'node', 'group', 'createdFrom', 'createdTo', 'finishedFrom',
	'finishedTo', 'args', 'error'];
const TIME_FIELDS = ['createdFrom', 'createdTo', 'finishedFrom', 'finishedTo'];
const STATUSES = ['PENDING', 'RUNNING', 'SUCCESS', 'FAILURE', 'CANCELLED'];
const BULK = {
	retry: { statuses: ['FAILURE', 'CANCELLED'], verb: 'Retry', done: 'retried' },
	'run-now': { statuses: ['PENDING'], verb: 'Run now', done: 'made due now' },
	cancel: { statuses: ['PENDING', 'RUNNING'], verb: 'Cancel', done: 'cancelled' },
	delete: { statuses: ['PENDING', 'SUCCESS', 'FAILURE', 'CANCELLED'], verb: 'Delete', done: 'deleted' },
};
const SEARCH_LIVE_MS = 5000;
const search = { params: new URLSearchParams(), page: null, timer: null };

function initSearch() {
	$('search-form').addEventListener('submit', (event) => {
		event.preventDefault();
		go(formParams());
	});
	$('search-form').addEventListener('reset', () => setTimeout(() => go(new URLSearchParams()), 0));
	$('search-older').addEventListener('click', () => {
		const params = new URLSearchParams(search.params);
		params.set('before', String(search.page.next));
		go(params);
	});
	$('search-newest').addEventListener('click', () => {
		const params = new URLSearchParams(search.params);
		params.delete('before');
		go(params);
	});
	$('search-live').addEventListener('change', () => scheduleSearch());
	for (const button of document.querySelectorAll('#search-bulk button')) {
		button.addEventListener('click', () => bulk(button.dataset.bulk).catch(showProblem));
	}
	if (!state.caller.canStart) {
		$('search-bulk').remove();
	}
}

function go(params) {
	window.location.hash = `search?${params.toString()}`;
}

function formParams() {
	const form = $('search-form');
	const params = new URLSearchParams();
	const statuses = [...form.querySelectorAll('input[name=status]:checked')].map((box) => box.value);
	if (statuses.length) {
		params.set('status', statuses.join(','));
	}
	for (const field of SEARCH_FIELDS) {
		const value = form.elements[field].value.trim();
		if (value) {
			params.set(field, TIME_FIELDS.includes(field) ? new Date(value).toISOString() : value);
		}
	}
	const id = form.elements.id.value.trim();
	if (id) {
		params.set('id', id);
	}
	return params;
}

function fillForm(params) {
	const form = $('search-form');
	const statuses = (params.get('status') || '').split(',');
	for (const box of form.querySelectorAll('input[name=status]')) {
		box.checked = statuses.includes(box.value);
	}
	for (const field of SEARCH_FIELDS) {
		const value = params.get(field) || '';
		form.elements[field].value = (TIME_FIELDS.includes(field) && value) ? localInput(value) : value;
	}
	form.elements.id.value = params.get('id') || '';
}

function localInput(iso) {
	const date = new Date(iso);
	const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
	return local.toISOString().substring(0, 16);
}

async function loadSearch(hash) {
	const question = hash.indexOf('?');
	search.params = new URLSearchParams(question >= 0 ? hash.substring(question + 1) : '');
	fillForm(search.params);
	if (!state.types.length) {
		state.types = await call('task-types');
	}
	$('task-names').replaceChildren(...state.types.map((type) => el('option', { value: type.name })));
	const id = search.params.get('id');
	if (id) {
		await showById(id);
		return;
	}
	await runSearch();
}

async function showById(id) {
	$('search-detail').hidden = true;
	const task = await call(`tasks/${encodeURIComponent(id)}`);
	search.page = { tasks: [task], counts: { [task.status]: 1 }, next: null };
	drawPage();
	await openDetail(task.id);
}

async function runSearch() {
	const query = new URLSearchParams(search.params);
	query.delete('id');
	search.page = await call(`tasks/search?${query.toString()}`);
	drawPage();
	scheduleSearch();
}

function drawPage() {
	const page = search.page;
	const chosen = (search.params.get('status') || '').split(',').filter(Boolean);
	$('search-counts').replaceChildren(...STATUSES.filter((s) => page.counts[s]).map((status) => el('button', {
		type: 'button', class: `count ${chosen.includes(status) ? 'chosen' : ''}`, 'data-status': status,
		'aria-pressed': chosen.includes(status) ? 'true' : 'false', title: `Show only ${status.toLowerCase()} tasks`,
		onclick: () => {
			const params = new URLSearchParams(search.params);
			params.set('status', status);
			params.delete('before');
			go(params);
		} }, statusBadge(status), ` ${countText([status])}`)));
	if (!STATUSES.some((s) => page.counts[s])) {
		$('search-counts').textContent = 'No task matches.';
	}
	// A live refresh redraws the rows: the row that had the focus keeps it.
	const focused = document.activeElement && document.activeElement.closest('#search-results tr[data-id]');
	const focusedId = focused ? focused.dataset.id : null;
	$('search-results').tBodies[0].replaceChildren(...page.tasks.map((task) => el('tr', {
		'data-id': task.id, 'data-status': task.status, tabindex: 0, class: 'clickable',
		onclick: () => openDetail(task.id).catch(showProblem),
		onkeydown: (event) => {
			if (event.key === 'Enter') {
				openDetail(task.id).catch(showProblem);
			}
		} },
	el('td', {}, `#${task.id}`), el('td', { class: 'name' }, task.name), el('td', {}, task.queue),
	el('td', {}, statusBadge(task.status)), el('td', {}, time(task.createdAt)), el('td', {}, time(task.finishedAt)),
	el('td', {}, `${task.attempt} / ${task.maxAttempts}`), el('td', {}, shorten(outcome(task))))));
	if (focusedId) {
		const row = $('search-results').querySelector(`tr[data-id="${CSS.escape(focusedId)}"]`);
		if (row) {
			row.focus();
		}
	}
	$('search-empty').hidden = page.tasks.length > 0;
	$('search-older').hidden = page.next === null || page.next === undefined;
	$('search-newest').hidden = !search.params.get('before');
	if ($('search-bulk')) {
		$('search-bulk').hidden = page.tasks.length === 0;
		for (const button of document.querySelectorAll('#search-bulk button')) {
			button.textContent = `${BULK[button.dataset.bulk].verb} all ${countText(bulkStatuses(button.dataset.bulk))}…`;
			button.disabled = bulkCount(button.dataset.bulk, search.page.counts) === 0;
		}
	}
}

function outcome(task) {
	if (task.error) {
		return `${task.error.type}: ${task.error.message || ''}`;
	}
	return task.result !== null && task.result !== undefined ? json(task.result) : '';
}

// A page counts up to a cap in each status: "10,000+" says that many or more.
function countText(statuses) {
	const counts = search.page.counts;
	const count = statuses.reduce((sum, s) => sum + (counts[s] || 0), 0);
	const capped = statuses.some((s) => search.page.countCap && counts[s] >= search.page.countCap);
	return `${count.toLocaleString()}${capped ? '+' : ''}`;
}

// The statuses a bulk action acts on, within those chosen.
function bulkStatuses(action) {
	const chosen = (search.params.get('status') || '').split(',').filter(Boolean);
	return BULK[action].statuses.filter((s) => !chosen.length || chosen.includes(s));
}

function bulkCount(action, counts) {
	return bulkStatuses(action).reduce((sum, s) => sum + (counts[s] || 0), 0);
}

async function bulk(action) {
	const what = BULK[action];
	const query = {};
	for (const [name, value] of search.params) {
		if (name !== 'before' && name !== 'id' && name !== 'limit') {
			query[name] = value;
		}
	}
	// The page's counts stop at a cap: the confirmation gives the exact number.
	const exact = await call(`tasks/count?${new URLSearchParams(query).toString()}`);
	const count = bulkCount(action, exact.counts);
	if (!window.confirm(`${what.verb} ${count.toLocaleString()} task(s) matching this search?`)) {
		return;
	}
	const result = await call('tasks/bulk', { method: 'POST', body: JSON.stringify({ action, query }) });
	toast(`${result.changed.toLocaleString()} of ${result.matched.toLocaleString()} task(s) ${what.done}`);
	await runSearch();
}

async function openDetail(id) {
	const task = await call(`tasks/${id}`);
	const panel = $('search-detail');
	const actions = el('div', { class: 'actions' });
	if (state.caller.canStart) {
		const action = (label, path, method, done) => el('button', { type: 'button', class: 'small', 'data-action': path,
			onclick: () => call(path === 'delete' ? `tasks/${id}` : `tasks/${id}/${path}`, { method })
				.then(() => { toast(done); return runSearch(); })
				.then(() => (path === 'delete' ? closeDetail() : openDetail(id)))
				.catch(showProblem) }, label);
		if (task.status === 'FAILURE' || task.status === 'CANCELLED') {
			actions.append(action('Retry', 'retry', 'POST', 'Retried'));
		}
		if (task.status === 'PENDING') {
			actions.append(action('Run now', 'run-now', 'POST', 'Due now'));
		}
		if (task.status === 'PENDING' || task.status === 'RUNNING') {
			actions.append(action('Cancel', 'cancel', 'POST', 'Cancel requested'));
		}
		if (task.status !== 'RUNNING') {
			actions.append(action('Delete', 'delete', 'DELETE', 'Deleted'));
		}
	}
	actions.append(el('button', { type: 'button', class: 'small', onclick: closeDetail }, 'Close'));
	panel.replaceChildren(el('h3', {}, `#${task.id} ${task.name}`), runCard(task).querySelector('dl'),
		task.error && task.error.stackTrace ? el('details', {}, el('summary', {}, 'Stack trace'),
			el('pre', {}, task.error.stackTrace)) : null,
		el('details', {}, el('summary', {}, 'Everything stored'), el('pre', {}, JSON.stringify(task, null, 2))),
		actions);
	panel.hidden = false;
	panel.scrollIntoView({ block: 'nearest' });
}

function closeDetail() {
	$('search-detail').hidden = true;
}

function scheduleSearch() {
	stopSearchLive();
	if ($('search-live').checked && !$('search-view').hidden) {
		search.timer = setTimeout(() => runSearch().catch(showProblem), SEARCH_LIVE_MS);
	}
}

function stopSearchLive() {
	clearTimeout(search.timer);
	search.timer = null;
}
