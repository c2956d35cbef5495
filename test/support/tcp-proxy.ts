/**
 * A TCP forwarder on loopback for fault tests: an endpoint whose target can move (as a DNS name
 * that follows a failover), and a link whose downstream direction can be held back (a
 * replication link that lags) and then dropped with what it held.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private held = false;

  private constructor(private readonly server: Server, private target: number) {}

  /** Listens on a free loopback port and forwards every connection to 127.0.0.1:`target`. */
  static async start(target: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on("connection", (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target, "127.0.0.1");
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream);
    if (this.held) upstream.pause();
    else upstream.pipe(client);
  }

  /** Stops passing bytes from the targets to the clients; they wait in the sockets' buffers. */
  hold(): void {
    this.held = true;
    for (const p of this.pairs) {
      p.upstream.unpipe(p.client);
      p.upstream.pause();
    }
  }

  /** Cuts every connection; bytes held back are lost. */
  cut(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** New connections go to `target`; the ones open now are cut (their clients reconnect). */
  retarget(target: number): void {
    this.target = target;
    this.held = false;
    this.cut();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
