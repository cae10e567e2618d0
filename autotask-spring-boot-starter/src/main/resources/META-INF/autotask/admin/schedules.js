// The admin page's schedules: the declared ones and those of the caller's owner created at run
// time, under the registered tasks, with a form to create one, a form to edit one (PUT: when,
// zone and arguments) and buttons to pause, resume and delete. It uses admin.js's helpers ($, el, call, time, ...) and builds its own part of the page,
// writing data as text, never as HTML.
'use strict';

const schedules = { built: false, loading: null, editing: null };

function isTasksView() {
	return viewOf(decodeURIComponent(window.location.hash.substring(1))) === 'tasks';
}

function buildSchedules(canCreate) {
	const body = el('tbody');
	const table = el('table', { id: 'schedules' },
		el('thead', {}, el('tr', {}, ...['Schedule', 'Task', 'When', 'Arguments', 'Next fire', 'State', '']
			.map((title) => el('th', {}, title)))), body);
	const panel = el('div', { id: 'schedules-panel' }, el('h2', {}, 'Schedules'), el('div', { class: 'scroll' }, table),
		el('p', { id: 'schedules-empty', class: 'muted', hidden: true }, 'No schedule.'));
	if (canCreate) {
		panel.append(editPanel(), el('h3', {}, 'New schedule'), scheduleForm(),
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

// The form that edits a runtime schedule, shown under the table for one schedule at a time; the
// problem the API answers (a bad cron, an unknown zone) shows right under it.
function editPanel() {
	const field = (label, input) => el('div', {}, el('label', { for: input.id }, label), input);
	const form = el('form', { id: 'schedule-edit-form', class: 'filters' },
		field('Kind', el('select', { id: 'schedule-edit-kind', name: 'kind' }, el('option', { value: 'cron' }, 'cron'),
			el('option', { value: 'every' }, 'every'))),
		field('Cron expression or period', el('input', { id: 'schedule-edit-expression', name: 'expression',
			required: true })),
		field('Zone (cron)', el('input', { id: 'schedule-edit-zone', name: 'zone', placeholder: 'UTC' })),
		field('Arguments (JSON)', el('input', { id: 'schedule-edit-args', name: 'args', placeholder: '[]' })),
		el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'schedule-save' }, 'Save'),
			el('button', { type: 'button', id: 'schedule-edit-cancel', class: 'secondary', onclick: () => closeEdit() },
				'Cancel')));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		saveSchedule(form).catch((error) => showEditError(error));
	});
	return el('div', { id: 'schedule-edit', hidden: true }, el('h3', { id: 'schedule-edit-title' }), form,
		el('p', { id: 'schedule-edit-error', class: 'error', role: 'alert', hidden: true }));
}

// "every PT10M", or a cron expression followed by its zone: "0 2 * * * Europe/Stockholm".
function splitSchedule(schedule) {
	if (schedule.startsWith('every ')) {
		return { kind: 'every', expression: schedule.substring(6), zone: '' };
	}
	const space = schedule.lastIndexOf(' ');
	return { kind: 'cron', expression: schedule.substring(0, space), zone: schedule.substring(space + 1) };
}

function openEdit(entry) {
	schedules.editing = entry;
	const when = splitSchedule(entry.schedule);
	const form = $('schedule-edit-form');
	form.elements.kind.value = when.kind;
	form.elements.expression.value = when.expression;
	form.elements.zone.value = when.zone;
	form.elements.args.value = JSON.stringify(entry.args);
	$('schedule-edit-title').textContent = `Edit schedule ${entry.name} (task ${entry.task})`;
	showEditError(null);
	$('schedule-edit').hidden = false;
	form.elements.expression.focus();
}

function closeEdit() {
	const name = schedules.editing ? schedules.editing.name : null;
	schedules.editing = null;
	$('schedule-edit').hidden = true;
	// The focus goes back to the button that opened the form.
	const button = name ? $('schedules').querySelector(`tr[data-schedule="${CSS.escape(name)}"] button[data-action=edit]`)
		: null;
	if (button) {
		button.focus();
	}
}

function showEditError(error) {
	const node = $('schedule-edit-error');
	node.textContent = error ? (error.message || String(error)) : '';
	node.hidden = !error;
	$('schedule-edit-expression').setAttribute('aria-invalid', error ? 'true' : 'false');
}

async function saveSchedule(form) {
	showEditError(null);
	const entry = schedules.editing;
	const value = (name) => form.elements[name].value.trim();
	const request = { task: entry.task, misfire: entry.misfire };
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
	const saved = await call(`schedules/${encodeURIComponent(entry.name)}`, { method: 'PUT',
		body: JSON.stringify(request) });
	toast(`Saved schedule ${saved.name}: next fire ${time(saved.nextFire)}`);
	await loadSchedules();
	closeEdit();
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
		if (schedules.editing && schedules.editing.name === entry.name) {
			schedules.editing = null;
			$('schedule-edit').hidden = true;
		}
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
				actions.append(' ', el('button', { type: 'button', class: 'small secondary', 'data-action': 'edit',
					'aria-label': `Edit schedule ${entry.name}`, onclick: () => openEdit(entry) }, 'Edit'));
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
			el('td', { class: 'next-fire', 'data-next-fire': entry.nextFire || '' }, time(entry.nextFire)),
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
