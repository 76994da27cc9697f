/**
 * `npm run bench:errors [-- --mb 50]`: what recognising errors in the terminal
 * costs the lab page (site/lib/terminal-errors.ts), against the floor of
 * decoding the same bytes, which the page does for xterm.js anyway. Prints the
 * time for MB of build-log-like output in 16 KiB chunks, best of 3 runs each.
 */
import { parseArgs } from 'node:util';
import { ErrorSpotter, terminalPatterns } from '../site/lib/terminal-errors.ts';
import { buildLogChunk, catalogue } from '../test/support/error-catalogue.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '50' } } });
const mb = Number(values.mb);
const chunk = new TextEncoder().encode(buildLogChunk(16_384));
const chunks = Math.ceil((mb * 1024 * 1024) / chunk.length);
const patterns = terminalPatterns(catalogue());

function best(run: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

const decodeOnly = best(() => {
  const decoder = new TextDecoder();
  for (let i = 0; i < chunks; i++) decoder.decode(chunk, { stream: true });
});
const spotting = best(() => {
  const decoder = new TextDecoder();
  const spotter = new ErrorSpotter(patterns, () => {});
  for (let i = 0; i < chunks; i++) spotter.push(decoder.decode(chunk, { stream: true }));
});

console.log(`${mb} MB of terminal output, ${patterns.length} patterns, 16 KiB chunks (best of 3):`);
console.log(`  decoding only (floor):     ${decodeOnly.toFixed(0)} ms`);
console.log(
  `  decoding + error spotting: ${spotting.toFixed(0)} ms (${(spotting / decodeOnly).toFixed(1)}x the floor, ${((mb / spotting) * 1000).toFixed(0)} MB/s)`,
);
