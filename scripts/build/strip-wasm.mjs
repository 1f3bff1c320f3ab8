// Removes the custom sections (symbol names, the linker's relocations, producers) from the given wasm
// files: the splitter leaves them in its chunks, and wasm-bindgen only strips the main module
// (scripts/build/build-wasm.sh). The code, data and every standard section are copied byte for byte.
import { readFile, writeFile } from 'node:fs/promises';

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

for (const file of process.argv.slice(2)) {
  const bytes = await readFile(file);
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file}: not a wasm module`);
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = leb(bytes, at);
    at = body + size;
    if (at > bytes.length) throw new Error(`${file}: section ${id} runs past the end`);
    if (id !== 0) kept.push(bytes.subarray(start, at));
  }
  await writeFile(file, Buffer.concat(kept));
}
