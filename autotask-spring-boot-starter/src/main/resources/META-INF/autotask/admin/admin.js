// autotask's admin page. Everything shown comes from the REST API next to this file and is
// written with textContent, never as HTML, so no task name, argument or result can run as
// script. State changes send the CSRF token from the XSRF-TOKEN cookie as a header.
'use strict';

const api = 'api/';
const LIVE_INTERVAL_MS = 1000;
const state = { caller: null, types: [], liveTimer: null, task: null, drawnHistory: null };

function $(id) {
	return document.getElementById(id);
}

function el(tag, attrs, ...children) {
	const node = document.createElement(tag);
	for (const [key, value] of Object.entries(attrs || {})) {
		if (key === 'class') {
			node.className = value;
		}
		else if (key.startsWith('on')) {
			node.addEventListener(key.substring(2), value);
		}
		else if (value !== null && value !== undefined && value !== false) {
			node.setAttribute(key, value === true ? '' : String(value));
		}
	}
	for (const child of children) {
		if (child !== null && child !== undefined) {
			node.append(child instanceof Node ? child : String(child));
		}
	}
	return node;
}

function csrfToken() {
	const cookie = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
	return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : null;
}

class ApiError extends Error {
	constructor(status, detail) {
		super(detail);
		this.status = status;
	}
}

async function call(path, options = {}) {
	const headers = { Accept: 'application/json' };
	if (options.body !== undefined) {
		headers['Content-Type'] = 'application/json';
	}
	if (options.method && options.method !== 'GET') {
		const token = csrfToken();
		if (token) {
			headers['X-XSRF-TOKEN'] = token;
		}
	}
	const response = await fetch(api + path, { method: options.method || 'GET', headers, body: options.body,
		credentials: 'same-origin' });
	if (response.status === 401) {
		window.location.assign('login');
		throw new ApiError(401, 'Please log in');
	}
	const text = await response.text();
	let body = null;
	try {
		body = text ? JSON.parse(text) : null;
	}
	catch (ex) {
		body = null;
	}
	if (!response.ok) {
		const detail = (body && body.detail) ? body.detail : `The server answered ${response.status}`;
		throw new ApiError(response.status, detail);
	}
	return body;
}

function showProblem(error) {
	const problem = $('problem');
	problem.textContent = error ? (error.message || String(error)) : '';
	problem.hidden = !error;
}

function toast(message) {
	const node = $('toast');
	node.textContent = message;
	node.hidden = false;
	clearTimeout(toast.timer);
	toast.timer = setTimeout(() => { node.hidden = true; }, 1800);
}

async function copy(text, what) {
	try {
		await navigator.clipboard.writeText(text);
	}
	catch (ex) {
		// No clipboard API outside secure contexts: copy through a selection instead.
		const area = el('textarea', { readonly: true, class: 'offscreen' }, text);
		document.body.append(area);
		area.select();
		document.execCommand('copy');
		area.remove();
	}
	toast(`Copied ${what}`);
}

function time(iso) {
	return iso ? new Date(iso).toLocaleString() : '–';
}

function duration(from, to) {
	if (!from) {
		return '–';
	}
	return span((to ? new Date(to) : new Date()) - new Date(from));
}

function span(millis) {
	if (millis < 1000) {
		return `${millis} ms`;
	}
	if (millis < 60000) {
		return `${(millis / 1000).toFixed(1)} s`;
	}
	return `${Math.floor(millis / 60000)} min ${Math.round((millis % 60000) / 1000)} s`;
}

function json(value) {
	return JSON.stringify(value);
}

function statusBadge(status) {
	return el('span', { class: `status ${status}` }, status);
}

// Views -------------------------------------------------------------------------------------

function route() {
	stopLive();
	showProblem(null);
	const hash = decodeURIComponent(window.location.hash.substring(1));
	const view = viewOf(hash);
	for (const name of ['tasks', 'task', 'search', 'groups', 'group', 'queues', 'nodes']) {
		$(`${name}-view`).hidden = name !== view;
	}
	for (const name of ['tasks', 'search', 'groups', 'queues', 'nodes']) {
		$(`nav-${name}`).classList.toggle('active', name === view || (view === 'task' && name === 'tasks')
			|| (view === 'group' && name === 'groups'));
	}
	const load = { tasks: loadTaskTypes, task: () => loadTask(hash.substring(5)), search: () => loadSearch(hash),
		groups: () => loadGroups(hash), group: () => loadGroup(hash.substring(6)), queues: loadQueues, nodes: loadNodes };
	load[view]().catch(showProblem);
}

// The view an address shows: #task/<name>, #group/<id>, #search?..., #groups?..., #queues, #nodes,
// and the registered tasks for anything else.
function viewOf(hash) {
	if (hash.startsWith('task/')) {
		return 'task';
	}
	if (hash.startsWith('group/')) {
		return 'group';
	}
	const name = hash.split('?')[0];
	return ['search', 'groups', 'queues', 'nodes'].includes(name) ? name : 'tasks';
}

async function loadTaskTypes() {
	state.types = await call('task-types');
	const body = $('task-types').tBodies[0];
	body.replaceChildren(...state.types.map((type) => {
		const last = el('td', { class: 'last' }, '…');
		const row = el('tr', { 'data-task': type.name },
			el('td', { class: 'name' }, el('a', { href: `#task/${encodeURIComponent(type.name)}` }, type.name)),
			el('td', {}, type.kind), el('td', {}, type.queue),
			el('td', {}, type.schedule || '–', type.paused ? el('span', { class: 'badge paused' }, 'paused') : null),
			el('td', {}, time(type.nextFire)), last);
		call(`tasks?name=${encodeURIComponent(type.name)}&limit=1`).then((runs) => {
			last.replaceChildren(...(runs.length ? [statusBadge(runs[0].status), ' ', shorten(summary(runs[0]))] : ['–']));
		}).catch(() => { last.textContent = '–'; });
		return row;
	}));
}

function shorten(text) {
	return text.length > 120 ? `${text.substring(0, 119)}…` : text;
}

function summary(run) {
	if (run.status === 'FAILURE') {
		return run.result !== null ? json(run.result) : (run.error ? `${run.error.type}: ${run.error.message}` : '');
	}
	if (run.status === 'SUCCESS') {
		return run.result !== null ? json(run.result) : '';
	}
	return time(run.status === 'RUNNING' ? run.startedAt : run.runAt);
}

async function loadTask(name) {
	if (!state.types.length) {
		state.types = await call('task-types');
	}
	const type = state.types.find((t) => t.name === name);
	if (!type) {
		throw new Error(`No task is named '${name}'`);
	}
	if (!state.task || state.task.name !== name) {
		state.drawnHistory = null;
		$('args').value = JSON.stringify(type.example, null, 2);
		showArgsError(null);
	}
	state.task = type;
	$('task-name').textContent = type.name;
	const parameters = type.parameters.map((p) => `${p.name}: ${p.type}`).join(', ');
	$('task-summary').textContent = `${type.kind} task on queue ${type.queue}`
		+ (type.schedule ? `, ${type.schedule}, next run ${time(type.nextFire)}` : '')
		+ `; parameters (${parameters || 'none'}); ${type.maxAttempts} attempt(s)`;
	$('start-form').hidden = !state.caller.canStart;
	await loadSchedule(type);
	await loadHistory();
}

async function loadSchedule(type) {
	$('schedule-panel').hidden = !type.schedule;
	if (!type.schedule) {
		return;
	}
	$('schedule-state').textContent = type.paused ? 'Paused on every node: its fires are skipped.'
		: `Runs ${type.schedule}; next ${time(type.nextFire)}.`;
	const toggle = $('schedule-toggle');
	toggle.hidden = !state.caller.canStart;
	toggle.textContent = type.paused ? 'Resume schedule' : 'Pause schedule';
	toggle.dataset.action = type.paused ? 'resume-schedule' : 'pause-schedule';
	toggle.onclick = async () => {
		try {
			state.types = await call(`schedules/${encodeURIComponent(type.name)}/${type.paused ? 'resume' : 'pause'}`,
				{ method: 'POST' });
			toast(type.paused ? 'Schedule resumed' : 'Schedule paused');
			await loadSchedule(state.types.find((t) => t.name === type.name));
		}
		catch (error) {
			showProblem(error);
		}
	};
	const fires = await call(`schedules/${encodeURIComponent(type.name)}/fires`);
	$('fires').replaceChildren(...fires.map((fire) => el('li', { 'data-fire': fire.fireAt },
		time(fire.fireAt), ' ', fire.taskId === null ? el('span', { class: 'muted' }, 'skipped')
			: el('a', { href: `#search?id=${fire.taskId}` }, `#${fire.taskId}`),
		' ', fire.status ? statusBadge(fire.status) : null)));
	$('fires-empty').hidden = fires.length > 0;
}

async function loadHistory() {
	const name = state.task.name;
	const runs = await call(`tasks?name=${encodeURIComponent(name)}`);
	if (!state.task || state.task.name !== name) {
		return;
	}
	// Redraw only what changed, so that an open info panel stays open while nothing moves.
	const drawn = JSON.stringify(runs);
	if (drawn !== state.drawnHistory) {
		state.drawnHistory = drawn;
		$('history').replaceChildren(...runs.map(runCard));
	}
	$('history-empty').hidden = runs.length > 0;
	const active = runs.some((run) => run.status === 'PENDING' || run.status === 'RUNNING');
	$('live').hidden = !active;
	stopLive();
	if (active) {
		state.liveTimer = setTimeout(() => loadHistory().catch(showProblem), LIVE_INTERVAL_MS);
	}
}

function stopLive() {
	clearTimeout(state.liveTimer);
	state.liveTimer = null;
	stopSearchLive();
	stopGroupsLive();
}

function runCard(run) {
	const details = el('dl', {},
		el('dt', {}, 'Arguments'), el('dd', {}, el('code', {}, json(run.args))),
		el('dt', {}, 'Result'), el('dd', {}, run.result !== null ? el('code', {}, json(run.result)) : '–'),
		...(run.error ? [el('dt', {}, 'Error'), el('dd', {}, `${run.error.type}: ${run.error.message}`)] : []),
		...((run.attemptErrors || []).length > 1 ? [el('dt', {}, 'Failed attempts'), el('dd', {},
			el('ol', { class: 'attempt-errors' }, ...run.attemptErrors.map((failed) => el('li', { 'data-attempt': failed.attempt },
				`#${failed.attempt} ${time(failed.at)}${failed.node ? ` on ${failed.node}` : ''}: ${failed.type}: ${failed.message || ''}`))))] : []),
		el('dt', {}, 'Attempts'), el('dd', {}, `${run.attempt} of ${run.maxAttempts}`
			+ (run.rescues ? `, recovered ${run.rescues}× from a lost node` : '')),
		el('dt', {}, 'Started by'), el('dd', {}, run.startedBy || '–'),
		...(run.groupId ? [el('dt', {}, 'Group'), el('dd', {}, el('a', { href: `#group/${run.groupId}`,
			'data-group': run.groupId }, `Group #${run.groupId}`))] : []),
		el('dt', {}, 'Enqueued'), el('dd', {}, time(run.createdAt)),
		el('dt', {}, 'Start'), el('dd', {}, time(run.startedAt)),
		el('dt', {}, 'End'), el('dd', {}, time(run.finishedAt)),
		el('dt', {}, 'Duration'), el('dd', {}, run.startedAt ? duration(run.startedAt, run.finishedAt) : '–'));
	const info = el('div', { class: 'info', hidden: true });
	const actions = el('div', { class: 'actions' },
		el('button', { type: 'button', class: 'small', 'data-action': 'copy-id',
			onclick: () => copy(String(run.id), 'id') }, 'Copy id'),
		el('button', { type: 'button', class: 'small', 'data-action': 'copy-args',
			onclick: () => copy(json(run.args), 'arguments') }, 'Copy arguments'),
		el('button', { type: 'button', class: 'small', 'data-action': 'info',
			onclick: () => toggleInfo(run, info) }, 'Info'));
	if (state.caller.canStart) {
		actions.append(el('button', { type: 'button', class: 'small', 'data-action': 'run-again',
			onclick: (event) => act(event, `tasks/${run.id}/run-again`, 'Started again') }, 'Run again'));
		if (run.status === 'PENDING' || run.status === 'RUNNING') {
			actions.append(el('button', { type: 'button', class: 'small', 'data-action': 'cancel',
				onclick: (event) => act(event, `tasks/${run.id}/cancel`,
					run.status === 'RUNNING' ? 'Asked to stop' : 'Cancelled') }, 'Cancel'));
		}
	}
	return el('li', { class: 'run', 'data-id': run.id, 'data-status': run.status },
		el('div', { class: 'run-head' }, statusBadge(run.status), el('strong', {}, `#${run.id}`),
			el('span', { class: 'muted' }, time(run.createdAt)),
			run.progress ? el('span', { class: 'badge' }, progressText(run.progress)) : null),
		details, actions, info);
}

function progressText(progress) {
	return progress.total >= 0 ? `${progress.done} / ${progress.total}` : `${progress.done} done`;
}

async function toggleInfo(run, container) {
	if (!container.hidden) {
		container.hidden = true;
		return;
	}
	const task = await call(`tasks/${run.id}`).catch((error) => ({ problem: error.message }));
	container.replaceChildren(el('pre', {}, JSON.stringify(task, null, 2)));
	container.hidden = false;
}

async function act(event, path, done) {
	const button = event.currentTarget;
	button.disabled = true;
	try {
		await call(path, { method: 'POST' });
		toast(done);
		await loadHistory();
	}
	catch (error) {
		showProblem(error);
		button.disabled = false;
	}
}

function showArgsError(message) {
	$('args-error').textContent = message || '';
	$('args-error').hidden = !message;
	$('args').classList.toggle('invalid', Boolean(message));
	$('args').setAttribute('aria-invalid', message ? 'true' : 'false');
}

async function start(event) {
	event.preventDefault();
	const startAs = event.submitter ? event.submitter.value : '';
	let args;
	try {
		args = JSON.parse($('args').value.trim() || '[]');
	}
	catch (error) {
		showArgsError(`The arguments are not valid JSON: ${error.message}`);
		return;
	}
	if (args === null || typeof args !== 'object') {
		showArgsError('The arguments must be a JSON object (by parameter name) or array (by position)');
		return;
	}
	const request = { name: state.task.name, args };
	if (startAs) {
		request.startAs = startAs;
	}
	try {
		const started = await call('tasks', { method: 'POST', body: JSON.stringify(request) });
		showArgsError(null);
		toast(`Started #${started.id}`);
		await loadHistory();
	}
	catch (error) {
		showArgsError(error.message);
	}
}

async function loadQueues() {
	const queues = await call('queues');
	$('queues').tBodies[0].replaceChildren(...queues.map((queue) => el('tr', { 'data-queue': queue.name },
		el('td', { class: 'name' }, queue.name),
		el('td', {}, queue.counts.PENDING),
		el('td', { class: 'oldest' }, queue.oldestPendingSeconds === null ? '–' : span(Math.round(queue.oldestPendingSeconds * 1000))),
		...['RUNNING', 'SUCCESS', 'FAILURE', 'CANCELLED'].map((s) => el('td', {}, queue.counts[s])),
		el('td', {}, queue.paused ? 'paused' : 'running'),
		el('td', {}, state.caller.canStart ? el('button', { type: 'button', class: 'small',
			'data-action': queue.paused ? 'resume' : 'pause',
			onclick: () => call(`queues/${encodeURIComponent(queue.name)}/${queue.paused ? 'resume' : 'pause'}`,
				{ method: 'POST' }).then(loadQueues).catch(showProblem) }, queue.paused ? 'Resume' : 'Pause') : null))));
	await drawQueueCharts(queues.map((queue) => queue.name));
}

async function loadNodes() {
	const cluster = await call('nodes');
	$('leader').textContent = cluster.leader ? `Leader: ${cluster.leader}` : 'No leader at the moment: one is elected within a lease.';
	$('nodes').tBodies[0].replaceChildren(...cluster.nodes.map((node) => el('tr', { 'data-node': node.id },
		el('td', { class: 'name' }, node.id), el('td', {}, node.workers),
		el('td', { class: 'running' }, el('a', { href: `#search?status=RUNNING&node=${encodeURIComponent(node.id)}`,
			'aria-label': `${node.running} task(s) running on ${node.id}: search them` }, node.running)),
		el('td', { class: 'ahead' }, node.claimedAhead),
		el('td', {}, time(node.startedAt)),
		el('td', {}, time(node.heartbeatAt)), el('td', {}, node.leader ? el('span', { class: 'badge' }, 'leader') : ''))));
}

async function logout() {
	try {
		await fetch('logout', { method: 'POST', headers: { 'X-XSRF-TOKEN': csrfToken() || '' }, credentials: 'same-origin' });
	}
	finally {
		window.location.assign('login?logout');
	}
}

async function init() {
	try {
		state.caller = await call('caller');
	}
	catch (error) {
		showProblem(error);
		return;
	}
	if (state.caller.user) {
		$('user').textContent = state.caller.user;
		$('logout').hidden = false;
		$('start-me').textContent = `Start as me (${state.caller.user})`;
	}
	else {
		$('start-me').textContent = 'Start';
	}
	for (const user of state.caller.serviceUsers) {
		$('start-buttons').append(el('button', { type: 'submit', name: 'as', value: user, class: 'secondary' },
			`Start as ${user}`));
	}
	$('start-form').addEventListener('submit', start);
	$('refresh').addEventListener('click', () => loadHistory().catch(showProblem));
	$('logout').addEventListener('click', logout);
	initSearch();
	window.addEventListener('hashchange', route);
	route();
}

document.addEventListener('DOMContentLoaded', init);
