// Starts `backprop-lab serve --native-engine --dir dist --port 0` (the release binary built by
// scripts/test.sh) and resolves with its URL; `close()` stops it. Its standard error is kept (the
// refusals it logs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = process.env.BACKPROP_LAB
  ?? `${process.env.CARGO_TARGET_DIR ?? '/var/tmp/backprop-lab-target'}/release/backprop-lab`;

export async function serveNative(dist, extra = []) {
  const proc = spawn(BIN, ['serve', '--native-engine', '--dir', dist, '--port', '0', ...extra], {
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`backprop-lab serve exited (${code}): ${stderr}`)));
    proc.stdout.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(d));
      if (m) resolve(m[0]);
    });
  });
  return { url, stderr: () => stderr, close: () => proc.kill() };
}
