// Starts `backprop-lab serve --class --dir dist --data <dir> --port <port>` (the release binary built by
// scripts/test.sh) and resolves with the app's URL and the teacher's URL (the line serve prints with
// `?page=class&token=`). `kill()` ends it with SIGKILL (the fault test), `close()` with SIGTERM.
import { spawn } from 'node:child_process';
import { BIN } from './native.mjs';

export async function serveClass(dist, data, { port = 0, extra = [] } = {}) {
  const proc = spawn(BIN, ['serve', '--class', '--dir', dist, '--data', data, '--port', String(port), ...extra], {
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
  let stdout = '', stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const found = await new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`backprop-lab serve --class exited (${code}): ${stderr}`)));
    proc.stdout.on('data', (d) => {
      stdout += d;
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
      const teacher = /(http:\/\/127\.0\.0\.1:\d+\/\S*\?page=class&token=[0-9A-Za-z_-]+)/.exec(stdout);
      if (url && teacher) resolve({ url: url[0], teacher: teacher[1] });
    });
  });
  const gone = new Promise((ok) => proc.on('exit', ok));
  return {
    ...found,
    port: Number(new URL(found.url).port),
    stdout: () => stdout,
    stderr: () => stderr,
    close: async () => { proc.kill('SIGTERM'); await gone; },
    kill: async () => { proc.kill('SIGKILL'); await gone; },
  };
}
