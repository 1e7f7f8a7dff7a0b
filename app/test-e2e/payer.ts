/**
 * The fixture payer (`fixtures/pay-once.js`) as a child process, for the tests that kill a client
 * mid-payment and restart it on the same wallet file (app/test-e2e/client.test.ts, app/test-load/chaos.test.ts).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

/** Runs the fixture payer; with `killAfter`, SIGKILLs it as soon as it prints that step. */
export function runPayer(env: Record<string, string>, o: { killAfter?: string; timeoutMs: number }): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; lines: Record<string, unknown>[] }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(__dirname, "fixtures", "pay-once.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let buf = "";
    const lines: Record<string, unknown>[] = [];
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const j = JSON.parse(line) as Record<string, unknown>;
          lines.push(j);
          if (o.killAfter && j.step === o.killAfter) child.kill("SIGKILL");
        } catch {
          // not a step line
        }
      }
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(t);
      done({ code, signal, out, lines });
    });
  });
}
