package dev.autotask.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

/**
 * A PNG of the soak's timeline, drawn with Java2D: above, tasks ended, enqueued and pruned per second;
 * below, the task table's size and its indexes' in MiB, both against minutes since the start. A
 * dashed line marks when sizes are judged from.
 */
final class SoakPlot {

	private static final int WIDTH = 1000;

	private static final int PANEL = 300;

	private static final int LEFT = 80;

	private static final int RIGHT = 30;

	private static final int TOP = 40;

	private static final int GAP = 70;

	private static final double MIB = 1024.0 * 1024.0;

	private static final Color ENDED = new Color(0x1f77b4);

	private static final Color ENQUEUED = new Color(0xff7f0e);

	private static final Color PRUNED = new Color(0xd62728);

	private static final Color TABLE = new Color(0x2ca02c);

	private static final Color INDEXES = new Color(0x9467bd);

	private static final Color TOTAL = new Color(0x444444);

	private final List<SoakRow> rows;

	private final Duration settled;

	SoakPlot(List<SoakRow> rows, Duration settled) {
		this.rows = rows;
		this.settled = settled;
	}

	void write(Path path) throws IOException {
		System.setProperty("java.awt.headless", "true");
		BufferedImage image = new BufferedImage(WIDTH, TOP + 2 * PANEL + GAP + 50, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, image.getWidth(), image.getHeight());
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
			panel(g, TOP, "tasks/s per interval", List.of(new Series("ended", ENDED, SoakRow::throughput),
					new Series("enqueued", ENQUEUED, SoakRow::enqueueRate),
					new Series("pruned", PRUNED, SoakRow::pruneRate)));
			panel(g, TOP + PANEL + GAP, "autotask_task, MiB", List.of(
					new Series("table + indexes", TOTAL, (row) -> row.sizeBytes() / MIB),
					new Series("table", TABLE, (row) -> row.tableBytes() / MIB),
					new Series("indexes", INDEXES, (row) -> row.indexBytes() / MIB)));
			g.setColor(Color.BLACK);
			g.drawString("minutes since the soak's start", WIDTH / 2 - 80, image.getHeight() - 12);
		}
		finally {
			g.dispose();
		}
		Path parent = path.toAbsolutePath().getParent();
		if (parent != null) {
			Files.createDirectories(parent);
		}
		ImageIO.write(image, "png", path.toFile());
	}

	private void panel(Graphics2D g, int top, String title, List<Series> series) {
		int left = LEFT;
		int right = WIDTH - RIGHT;
		int bottom = top + PANEL;
		double maxX = Math.max(1e-9, this.rows.stream().mapToDouble(SoakRow::minutes).max().orElse(1));
		double maxY = niceCeiling(series.stream()
			.flatMapToDouble((one) -> this.rows.stream().mapToDouble(one.value()))
			.max()
			.orElse(1));
		g.setColor(Color.BLACK);
		g.drawString(title, left, top - 10);
		// Grid and axes.
		for (int i = 0; i <= 5; i++) {
			int y = bottom - (bottom - top) * i / 5;
			g.setColor(new Color(0xe0e0e0));
			g.drawLine(left, y, right, y);
			g.setColor(Color.BLACK);
			String label = String.format(Locale.ROOT, (maxY >= 50) ? "%,.0f" : "%.1f", maxY * i / 5);
			g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
		}
		int step = Math.max(1, (int) Math.ceil(maxX / 15));
		for (int minute = 0; minute <= maxX; minute += step) {
			int x = x(minute, maxX);
			g.setColor(Color.BLACK);
			g.drawLine(x, bottom, x, bottom + 4);
			String label = Integer.toString(minute);
			g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 18);
		}
		g.drawRect(left, top, right - left, bottom - top);
		double settledMinutes = this.settled.toNanos() / 60e9;
		if (settledMinutes <= maxX) {
			int x = x(settledMinutes, maxX);
			g.setColor(Color.GRAY);
			g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] { 6, 4 }, 0));
			g.drawLine(x, top, x, bottom);
			g.drawString("TTL + 2 prunes", x + 4, top + 14);
		}
		// Series, with a legend at the top right.
		int legendX = right - 130;
		int legendY = top + 16;
		for (Series one : series) {
			g.setColor(one.color());
			g.setStroke(new BasicStroke(2));
			int previousX = -1;
			int previousY = -1;
			for (SoakRow row : this.rows) {
				int x = x(row.minutes(), maxX);
				int y = bottom - (int) Math.round((bottom - top) * one.value().applyAsDouble(row) / maxY);
				if (previousX >= 0) {
					g.drawLine(previousX, previousY, x, y);
				}
				g.fillOval(x - 3, y - 3, 6, 6);
				previousX = x;
				previousY = y;
			}
			g.drawLine(legendX, legendY - 4, legendX + 20, legendY - 4);
			g.setColor(Color.BLACK);
			g.drawString(one.name(), legendX + 26, legendY);
			legendY += 16;
		}
		g.setStroke(new BasicStroke(1));
	}

	private static int x(double minutes, double maxX) {
		return LEFT + (int) Math.round((WIDTH - LEFT - RIGHT) * minutes / maxX);
	}

	// A round number at least the value: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten.
	private static double niceCeiling(double value) {
		if (value <= 0) {
			return 1;
		}
		double power = Math.pow(10, Math.floor(Math.log10(value)));
		for (double factor : new double[] { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 }) {
			if (factor * power >= value) {
				return factor * power;
			}
		}
		return 10 * power;
	}

	private record Series(String name, Color color, ToDoubleFunction<SoakRow> value) {

	}

}
