// The admin page's charts of each queue: tasks ended (succeeded and failed), depth and oldest
// wait, over the last hour by the minute or the last day by the quarter hour, read from
// GET api/queues/{name}/stats. Drawn as inline SVG with nothing to load and no inline style, so
// that the page's Content-Security-Policy stays as strict as it is. It uses admin.js's helpers
// ($, el, call, span, showProblem). Each chart says its latest values in its accessible name.
'use strict';

(() => {
	const SVG = 'http://www.w3.org/2000/svg';
	const CHART_WIDTH = 240;
	const CHART_HEIGHT = 56;
	const WINDOWS = { PT1H: 'Last hour', P1D: 'Last day' };
	// What the left edge of a chart stands for, in each window.
	const SINCE = { PT1H: '1 h ago', P1D: '24 h ago' };
	const charts = { chosen: 'PT1H', queues: [], drawn: 0 };

	// Draw the charts of these queues into #queue-charts, in the window last chosen: the one name
	// this file adds to the page's global scope.
	window.drawQueueCharts = function drawQueueCharts(queues) {
		charts.queues = queues;
		const container = $('queue-charts');
		if (!container) {
			return Promise.resolve();
		}
		const drawing = ++charts.drawn;
		const toggle = el('div', { class: 'chart-windows', role: 'group', 'aria-label': 'Chart window' },
			...Object.entries(WINDOWS).map(([choice, label]) => el('button', { type: 'button', class: 'small',
				'data-window': choice, 'aria-pressed': String(choice === charts.chosen),
				onclick: () => {
					charts.chosen = choice;
					drawQueueCharts(charts.queues).catch(showProblem);
				} }, label)));
		return Promise.all(queues.map((queue) => call(`queues/${encodeURIComponent(queue)}/stats?window=${charts.chosen}`)))
			.then((stats) => {
				if (drawing !== charts.drawn) {
					// A newer drawing started meanwhile (the toggle, or a refresh): it wins.
					return;
				}
				container.replaceChildren(toggle, ...stats.map(queueFigure));
			});
	};

	function queueFigure(stats) {
		const points = stats.points;
		const step = minutes(stats.step);
		const per = step === 1 ? 'per minute' : `per ${step} min`;
		const period = WINDOWS[charts.chosen].toLowerCase();
		const ended = points.map((point) => point.succeeded + point.failed);
		const succeeded = sum(points.map((point) => point.succeeded));
		const failed = sum(points.map((point) => point.failed));
		const last = points[points.length - 1] || { succeeded: 0, failed: 0 };
		// The leader samples twice a minute: the minute under way may not have its sample yet.
		const sampled = points.filter((point) => point.depth !== null);
		const latest = sampled[sampled.length - 1] || { depth: null, oldestPendingSeconds: null };
		const depths = points.map((point) => point.depth || 0);
		const waits = points.map((point) => Math.round((point.oldestPendingSeconds || 0) * 1000));
		return el('figure', { class: 'queue-chart', 'data-queue': stats.queue },
			el('figcaption', {}, stats.queue),
			el('div', { class: 'chart-row' }, chart('ended', `Tasks ended ${per}`,
				`Queue ${stats.queue}, tasks ended ${per}, ${period}: ${succeeded} succeeded and ${failed} failed;`
					+ ` latest: ${last.succeeded} succeeded, ${last.failed} failed`,
				bars(points, Math.max(1, ...ended)), Math.max(0, ...ended)),
			chart('depth', 'Depth (due tasks)',
				`Queue ${stats.queue}, due tasks waiting, ${period}: latest ${latest.depth === null ? 'not sampled' : latest.depth},`
					+ ` highest ${Math.max(0, ...depths)}`,
				line(depths, Math.max(1, ...depths)), Math.max(0, ...depths)),
			chart('oldest', 'Oldest wait',
				`Queue ${stats.queue}, oldest due task's wait, ${period}: latest`
					+ ` ${latest.oldestPendingSeconds === null ? 'not sampled' : span(Math.round(latest.oldestPendingSeconds * 1000))},`
					+ ` longest ${span(Math.max(0, ...waits))}`,
				line(waits, Math.max(1, ...waits)), span(Math.max(0, ...waits)))));
	}

	// One chart: its SVG, named by the label for assistive technology, with its title and top value.
	function chart(kind, title, label, shapes, top) {
		const svg = svgNode('svg', { viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`, preserveAspectRatio: 'none',
			role: 'img', 'aria-label': label, 'data-chart': kind, class: 'chart' });
		const tooltip = svgNode('title', {});
		tooltip.textContent = label;
		svg.append(tooltip, svgNode('line', { x1: 0, y1: CHART_HEIGHT - 0.5, x2: CHART_WIDTH, y2: CHART_HEIGHT - 0.5,
			class: 'axis' }), ...shapes);
		return el('div', { class: 'chart-box' }, el('div', { class: 'chart-title' }, title,
			el('span', { class: 'muted' }, ` (max ${top})`)), svg,
			el('div', { class: 'chart-axis', 'aria-hidden': 'true' }, el('span', {}, SINCE[charts.chosen]), el('span', {}, 'now')));
	}

	// Succeeded bars with the failed ones stacked on top, one pair per point.
	function bars(points, max) {
		const width = CHART_WIDTH / Math.max(points.length, 1);
		const shapes = [];
		points.forEach((point, index) => {
			const ok = height(point.succeeded, max);
			const bad = height(point.failed, max);
			const x = (index * width).toFixed(2);
			const w = Math.max(width - 1, 0.5).toFixed(2);
			if (ok > 0) {
				shapes.push(svgNode('rect', { x, y: CHART_HEIGHT - ok, width: w, height: ok, class: 'ok',
					'data-value': point.succeeded }));
			}
			if (bad > 0) {
				shapes.push(svgNode('rect', { x, y: CHART_HEIGHT - ok - bad, width: w, height: bad, class: 'bad',
					'data-value': point.failed }));
			}
		});
		return shapes;
	}

	function line(values, max) {
		const width = CHART_WIDTH / Math.max(values.length - 1, 1);
		const coordinates = values.map((value, index) => `${(index * width).toFixed(2)},${(CHART_HEIGHT - height(value, max)).toFixed(2)}`);
		return [svgNode('polyline', { points: coordinates.join(' '), class: 'line', 'data-max': Math.max(0, ...values) })];
	}

	// Leaves a pixel free at the top, so that the highest point stays visible.
	function height(value, max) {
		return value > 0 ? Math.max(1, (value / max) * (CHART_HEIGHT - 2)) : 0;
	}

	function svgNode(tag, attrs) {
		const node = document.createElementNS(SVG, tag);
		for (const [key, value] of Object.entries(attrs)) {
			node.setAttribute(key, String(value));
		}
		return node;
	}

	// PT1M -> 1, PT15M -> 15: the steps the API answers with.
	function minutes(step) {
		const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(step || '');
		return match ? Number(match[1] || 0) * 60 + Number(match[2] || 0) : 1;
	}

	function sum(values) {
		return values.reduce((total, value) => total + value, 0);
	}
})();
