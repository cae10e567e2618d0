// The admin page's groups of tasks (Autotask.sendGroup): the caller's owner's recent groups with
// their progress, newest first a page at a time (#groups?before=<id>), and one group's counts
// with links to its members in the task console and to its callback (#group/<id>). Both refresh
// themselves every second while a group has members to end or a callback to run; the newest page
// of the list also every few seconds, to show new groups. It uses admin.js's helpers
// ($, el, call, time, ...) and, as everywhere on the page, writes data as text, never as HTML;
// the progress bars are SVG with attributes, since the page allows no inline style.
'use strict';

const GROUPS_PAGE = 20;
const GROUPS_LIVE_MS = 1000;
const GROUPS_IDLE_MS = 5000;
const SVG_NS = 'http://www.w3.org/2000/svg';
const groupsView = { timer: null, before: null, next: null, initialised: false };

function initGroups() {
	groupsView.initialised = true;
	$('groups-older').addEventListener('click', () => {
		window.location.hash = `groups?before=${groupsView.next}`;
	});
	$('groups-newest').addEventListener('click', () => {
		window.location.hash = 'groups';
	});
}

// A group is still moving while members may end or its callback has yet to end.
function groupMoving(group) {
	return !group.done || !['SUCCESS', 'FAILURE', 'CANCELLED'].includes(group.callbackStatus);
}

async function loadGroups(hash) {
	if (!groupsView.initialised) {
		initGroups();
	}
	const question = hash.indexOf('?');
	const before = new URLSearchParams(question >= 0 ? hash.substring(question + 1) : '').get('before');
	groupsView.before = before;
	const query = new URLSearchParams({ limit: String(GROUPS_PAGE) });
	if (before) {
		query.set('before', before);
	}
	const page = await call(`groups?${query.toString()}`);
	if ($('groups-view').hidden || groupsView.before !== before) {
		return;
	}
	groupsView.next = page.next;
	$('groups').tBodies[0].replaceChildren(...page.groups.map((group) => el('tr', { 'data-group': group.id,
		'data-done': String(group.done) },
	el('td', { class: 'name' }, el('a', { href: `#group/${group.id}` }, `Group #${group.id}`)),
	el('td', {}, time(group.createdAt)),
	el('td', { class: 'progress' }, groupBar(group), el('span', { class: 'group-ended' }, `${group.ended} / ${group.total}`)),
	el('td', { class: 'succeeded' }, group.succeeded),
	el('td', { class: group.failed ? 'failed bad' : 'failed' }, group.failed),
	el('td', { class: 'cancelled' }, group.cancelled),
	el('td', { class: 'callback' }, callbackCell(group)))));
	$('groups-empty').hidden = page.groups.length > 0;
	$('groups-older').hidden = page.next === null || page.next === undefined;
	$('groups-newest').hidden = !before;
	// Every second while a group moves; the newest page also every few seconds, for new groups.
	stopGroupsLive();
	const moving = page.groups.some(groupMoving);
	if (moving || !before) {
		groupsView.timer = setTimeout(() => loadGroups(hash).catch(showProblem),
			moving ? GROUPS_LIVE_MS : GROUPS_IDLE_MS);
	}
}

function callbackCell(group) {
	if (group.callbackTaskId === null || group.callbackTaskId === undefined) {
		return el('span', { class: 'muted' }, 'waits for the members');
	}
	return el('span', {}, el('a', { href: `#search?id=${group.callbackTaskId}` }, `#${group.callbackTaskId}`), ' ',
		group.callbackStatus ? statusBadge(group.callbackStatus) : el('span', { class: 'muted' }, 'pruned'));
}

async function loadGroup(id) {
	const group = await call(`groups/${encodeURIComponent(id)}`);
	if ($('group-view').hidden || window.location.hash !== `#group/${id}`) {
		return;
	}
	$('group-title').textContent = `Group #${group.id}`;
	$('group-bar').replaceChildren(groupBar(group));
	$('group-state').textContent = group.done
		? `Done: every member ended. Sent ${time(group.createdAt)}.`
		: `${group.ended} of ${group.total} member(s) ended. Sent ${time(group.createdAt)}.`;
	const count = (label, value, name) => [el('dt', {}, label), el('dd', { 'data-count': name }, value)];
	$('group-counts').replaceChildren(...count('Members', group.total, 'total'), ...count('Ended', group.ended, 'ended'),
		...count('Succeeded', group.succeeded, 'succeeded'), ...count('Failed', group.failed, 'failed'),
		...count('Cancelled', group.cancelled, 'cancelled'));
	$('group-members').href = `#search?group=${group.id}`;
	$('group-members').textContent = `All ${group.total} member(s)`;
	$('group-failed').href = `#search?group=${group.id}&status=FAILURE`;
	$('group-failed').hidden = group.failed === 0;
	$('group-failed').textContent = `${group.failed} failed member(s)`;
	$('group-callback').replaceChildren('Callback: ', callbackCell(group));
	stopGroupsLive();
	if (groupMoving(group)) {
		groupsView.timer = setTimeout(() => loadGroup(id).catch(showProblem), GROUPS_LIVE_MS);
	}
}

// Ended members from the left, succeeded then failed (red) then cancelled, over the whole width
// for the total; described in words for a screen reader.
function groupBar(group) {
	const total = Math.max(group.total, 1);
	const svg = document.createElementNS(SVG_NS, 'svg');
	const attrs = { class: 'group-bar', viewBox: `0 0 ${total} 1`, preserveAspectRatio: 'none', role: 'img',
		'aria-label': `${group.ended} of ${group.total} ended, ${group.failed} failed` };
	for (const [key, value] of Object.entries(attrs)) {
		svg.setAttribute(key, String(value));
	}
	let x = 0;
	for (const [part, count] of [['ok', group.succeeded], ['bad', group.failed], ['off', group.cancelled]]) {
		if (count > 0) {
			const rect = document.createElementNS(SVG_NS, 'rect');
			rect.setAttribute('class', part);
			rect.setAttribute('x', String(x));
			rect.setAttribute('y', '0');
			rect.setAttribute('width', String(count));
			rect.setAttribute('height', '1');
			svg.append(rect);
			x += count;
		}
	}
	return svg;
}

function stopGroupsLive() {
	clearTimeout(groupsView.timer);
	groupsView.timer = null;
}
