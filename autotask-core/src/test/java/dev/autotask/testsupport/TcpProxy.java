package dev.autotask.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy of a test's own in front of a server (the broker, the database), to simulate an
 * outage without stopping a server that other tests share: {@link #cut()} closes every proxied
 * connection and turns new ones away until {@link #restore()}. Connections are closed, not
 * black-holed: the client sees the outage at once, as after a server restart or a reset.
 */
public final class TcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String host;

	private final int port;

	private final ExecutorService threads = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "tcp-proxy");
		thread.setDaemon(true);
		return thread;
	});

	// Guarded by this: a connection is either closed by cut() or accepted after restore().
	private final Set<Socket> open = new HashSet<>();

	private boolean up = true;

	private final AtomicInteger accepted = new AtomicInteger();

	private TcpProxy(String host, int port) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.host = host;
		this.port = port;
		this.threads.execute(this::accept);
	}

	/**
	 * Start a proxy on a free port of the loopback interface.
	 * @param host the server's host
	 * @param port the server's port
	 * @return the proxy, accepting connections
	 * @throws IOException if it cannot listen
	 */
	public static TcpProxy to(String host, int port) throws IOException {
		return new TcpProxy(host, port);
	}

	/**
	 * The port clients connect to instead of the server's.
	 * @return the port, on the loopback interface
	 */
	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * How many connections clients have opened so far, including those turned away.
	 * @return the count
	 */
	public int accepted() {
		return this.accepted.get();
	}

	/**
	 * Close every proxied connection and turn new ones away.
	 */
	public synchronized void cut() {
		this.up = false;
		this.open.forEach(TcpProxy::closeQuietly);
		this.open.clear();
	}

	/**
	 * Let connections through again.
	 */
	public synchronized void restore() {
		this.up = true;
	}

	@Override
	public void close() {
		closeQuietly(this.server);
		cut();
		this.threads.shutdownNow();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				this.accepted.incrementAndGet();
				connect(client);
			}
			catch (IOException ex) {
				// The server socket was closed.
			}
		}
	}

	private void connect(Socket client) {
		Socket upstream;
		try {
			upstream = new Socket(this.host, this.port);
		}
		catch (IOException ex) {
			closeQuietly(client);
			return;
		}
		synchronized (this) {
			if (!this.up) {
				closeQuietly(client);
				closeQuietly(upstream);
				return;
			}
			this.open.add(client);
			this.open.add(upstream);
		}
		this.threads.execute(() -> pump(client, upstream));
		this.threads.execute(() -> pump(upstream, client));
	}

	private void pump(Socket from, Socket to) {
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			in.transferTo(out);
		}
		catch (IOException ex) {
			// Closed by cut() or by the other side.
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
			synchronized (this) {
				this.open.remove(from);
				this.open.remove(to);
			}
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// Nothing to do.
		}
	}

}
