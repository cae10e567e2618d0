package dev.autotask.boot.amqp;

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

/**
 * A TCP proxy in front of the broker, to simulate an outage without stopping a server that
 * other tests share: {@link #cut()} closes every proxied connection and turns new ones away
 * until {@link #restore()}.
 */
final class BrokerProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String host;

	private final int port;

	private final ExecutorService threads = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "broker-proxy");
		thread.setDaemon(true);
		return thread;
	});

	// Guarded by this: a connection is either closed by cut() or accepted after restore().
	private final Set<Socket> open = new HashSet<>();

	private boolean up = true;

	private BrokerProxy(String host, int port) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.host = host;
		this.port = port;
		this.threads.execute(this::accept);
	}

	static BrokerProxy to(String host, int port) throws IOException {
		return new BrokerProxy(host, port);
	}

	int port() {
		return this.server.getLocalPort();
	}

	synchronized void cut() {
		this.up = false;
		this.open.forEach(BrokerProxy::closeQuietly);
		this.open.clear();
	}

	synchronized void restore() {
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
