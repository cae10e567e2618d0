// The admin page's schedules: the declared ones and those of the caller's owner created at run
// time, under the registered tasks, with a form to create one and buttons to pause, resume and
// delete. It uses admin.js's helpers ($, el, call, time, ...) and builds its own part of the page,
// writing data as text, never as HTML.
'use strict';

const schedules = { built: false, loading: null };

function isTasksView() {
	const hash = decodeURIComponent(window.location.hash.substring(1));
	return !hash.startsWith('task/') && !['search', 'queues', 'nodes'].includes(hash.split('?')[0]);
}

function buildSchedules(canCreate) {
	const body = el('tbody');
	const table = el('table', { id: 'schedules' },
		el('thead', {}, el('tr', {}, ...['Schedule', 'Task', 'When', 'Arguments', 'Next fire', 'State', '']
			.map((title) => el('th', {}, title)))), body);
	const panel = el('div', { id: 'schedules-panel' }, el('h2', {}, 'Schedules'), el('div', { class: 'scroll' }, table),
		el('p', { id: 'schedules-empty', class: 'muted', hidden: true }, 'No schedule.'));
	if (canCreate) {
		panel.append(el('h3', {}, 'New schedule'), scheduleForm(),
			el('p', { id: 'schedule-error', class: 'error', role: 'alert', hidden: true }));
	}
	$('tasks-view').append(panel);
	schedules.built = true;
}

function scheduleForm() {
	const field = (label, input) => el('div', {}, el('label', { for: input.id }, label), input);
	const kind = el('select', { id: 'schedule-kind', name: 'kind' }, el('option', { value: 'cron' }, 'cron'),
		el('option', { value: 'every' }, 'every'));
	const expression = el('input', { id: 'schedule-expression', name: 'expression', required: true,
		placeholder: '0 2 * * *  or  10m' });
	const form = el('form', { id: 'schedule-form', class: 'filters' },
		field('Name', el('input', { id: 'schedule-name', name: 'name', required: true, maxlength: 200 })),
		field('Task', el('input', { id: 'schedule-task', name: 'task', required: true, list: 'schedule-tasks' })),
		el('datalist', { id: 'schedule-tasks' }),
		field('Kind', kind), field('Cron expression or period', expression),
		field('Zone (cron)', el('input', { id: 'schedule-zone', name: 'zone', placeholder: 'UTC' })),
		field('Arguments (JSON)', el('input', { id: 'schedule-args', name: 'args', placeholder: '[]' })),
		el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'schedule-create' }, 'Create schedule')));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		createSchedule(form).catch((error) => showScheduleError(error));
	});
	return form;
}

function showScheduleError(error) {
	const node = $('schedule-error');
	node.textContent = error ? (error.message || String(error)) : '';
	node.hidden = !error;
}

async function createSchedule(form) {
	showScheduleError(null);
	const value = (name) => form.elements[name].value.trim();
	const request = { name: value('name'), task: value('task') };
	request[form.elements.kind.value] = value('expression');
	if (value('zone') && form.elements.kind.value === 'cron') {
		request.zone = value('zone');
	}
	if (value('args')) {
		try {
			request.args = JSON.parse(value('args'));
		}
		catch (ex) {
			throw new Error(`Arguments are not valid JSON: ${ex.message}`);
		}
	}
	const created = await call('schedules', { method: 'POST', body: JSON.stringify(request) });
	form.reset();
	toast(`Created schedule ${created.name}`);
	await loadSchedules();
}

async function scheduleAction(entry, action) {
	const path = `schedules/${encodeURIComponent(entry.name)}`;
	if (action === 'delete') {
		if (!window.confirm(`Delete schedule ${entry.name}? It fires no more.`)) {
			return;
		}
		await call(path, { method: 'DELETE' });
		toast(`Deleted schedule ${entry.name}`);
	}
	else {
		await call(`${path}/${action}`, { method: 'POST' });
		toast(`${action === 'pause' ? 'Paused' : 'Resumed'} schedule ${entry.name}`);
		if (entry.declared) {
			await loadTaskTypes();
		}
	}
	await loadSchedules();
}

async function loadSchedules() {
	const caller = state.caller || await call('caller');
	if (!schedules.built) {
		buildSchedules(caller.canStart);
	}
	const entries = await call('schedules');
	const list = $('schedule-tasks');
	if (list) {
		const types = state.types.length ? state.types : await call('task-types');
		list.replaceChildren(...types.map((type) => el('option', { value: type.name })));
	}
	$('schedules').tBodies[0].replaceChildren(...entries.map((entry) => {
		const actions = el('td', { class: 'actions' });
		if (caller.canStart) {
			actions.append(el('button', { type: 'button', class: 'small', 'data-action': entry.paused ? 'resume' : 'pause',
				onclick: () => scheduleAction(entry, entry.paused ? 'resume' : 'pause').catch(showProblem) },
			entry.paused ? 'Resume' : 'Pause'));
			if (!entry.declared) {
				actions.append(' ', el('button', { type: 'button', class: 'small secondary', 'data-action': 'delete',
					onclick: () => scheduleAction(entry, 'delete').catch(showProblem) }, 'Delete'));
			}
		}
		return el('tr', { 'data-schedule': entry.name },
			// A declared schedule is its task: its name opens the task's page, with its fires.
			el('td', { class: 'name' }, entry.declared
				? el('a', { href: `#task/${encodeURIComponent(entry.name)}` }, entry.name) : entry.name,
			entry.declared ? el('span', { class: 'badge' }, 'declared') : null),
			el('td', {}, entry.declared ? '–' : entry.task), el('td', {}, entry.schedule), el('td', {}, el('code', {}, JSON.stringify(entry.args))),
			el('td', {}, time(entry.nextFire)),
			el('td', {}, entry.paused ? el('span', { class: 'badge paused' }, 'paused') : 'runs'), actions);
	}));
	$('schedules-empty').hidden = entries.length > 0;
}

function routeSchedules() {
	if (isTasksView()) {
		loadSchedules().catch(showProblem);
	}
}

document.addEventListener('DOMContentLoaded', () => {
	window.addEventListener('hashchange', routeSchedules);
	routeSchedules();
});
