import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts a real HTTP server on 127.0.0.1 (random port) with a JSON handler. */
export async function startJsonServer(
  handler: (req: IncomingMessage, body: unknown, res: ServerResponse) => void | Promise<void>,
): Promise<{ url: string; server: Server; requests: { method?: string; url?: string; body: unknown }[]; close: () => Promise<void> }> {
  const requests: { method?: string; url?: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      requests.push({ method: req.method, url: req.url, body });
      Promise.resolve(handler(req, body, res)).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function deadPortUrl(): Promise<string> {
  const s = await startJsonServer(() => {});
  await s.close();
  return s.url;
}
