/**
 * A TCP proxy for the chaos suite: the facilitator's primary RPC URL points here, and the suite drops
 * it (SIGKILL) in the middle of a stream of payments. Env: LISTEN_PORT, TARGET_PORT (loopback only).
 */
import { createConnection, createServer } from "node:net";

const listen = Number(process.env.LISTEN_PORT);
const target = Number(process.env.TARGET_PORT);
if (!Number.isInteger(listen) || !Number.isInteger(target)) throw new Error("LISTEN_PORT and TARGET_PORT must be ports");
createServer((down) => {
  const up = createConnection({ host: "127.0.0.1", port: target });
  down.pipe(up).pipe(down);
  const close = (): void => {
    down.destroy();
    up.destroy();
  };
  down.on("error", close);
  up.on("error", close);
}).listen(listen, "127.0.0.1", () => console.log(`rpc proxy 127.0.0.1:${listen} → 127.0.0.1:${target}`));
