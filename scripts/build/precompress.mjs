// Trunk post-build step (scripts/build/post-build.sh, last): writes a brotli (quality 11) and a gzip (level 9)
// copy beside every wasm file of the build, `x.wasm.br` and `x.wasm.gz`. `backprop-lab serve` sends them as
// they are to a browser that accepts them (ServeDir's precompressed siblings, cli/src/serve/files.rs), so
// a class's thirty first visits cost no compression work and get the smallest encoding; a static host
// that does not know them serves the .wasm files as before.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run this as a trunk post_build hook');
let raw = 0, br = 0, gz = 0, n = 0;
for (const f of (await readdir(dir)).filter((f) => f.endsWith('.wasm'))) {
  const bytes = await readFile(join(dir, f));
  const b = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const g = gzipSync(bytes, { level: 9 });
  await writeFile(join(dir, `${f}.br`), b);
  await writeFile(join(dir, `${f}.gz`), g);
  raw += bytes.length; br += b.length; gz += g.length; n += 1;
}
console.log(`precompress: ${n} wasm files, ${raw} bytes: ${br} brotli, ${gz} gzip`);
