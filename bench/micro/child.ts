/**
 * One parser's side of the micro-benchmark, run in its own process so that no
 * other parser's code shares its JIT state (that alone moved figures 1.5-2x).
 * Checks that the parser reads every input correctly before timing it, then
 * prints one JSON line: `{ parser, results: [{ input, opsPerSec }] }`.
 *
 * ops/s is feeds divided by the time they took (tinybench's mean latency per
 * batch), not tinybench's `throughput.mean`: that is a mean of per-sample
 * reciprocals, which all but ignores the rare slow samples where garbage
 * collection runs, and so flattered whichever parser allocates more (ours read
 * 1.4-1.6x llhttp on browser-get that way, 0.8-0.9x by total time). A sample
 * is a batch of feeds so that reading the clock costs little beside them.
 *
 * The clock is this process's CPU time (user + system, every thread, so garbage
 * collection on helper threads counts), not wall time: on a shared machine a
 * process loses the CPU at random, and wall time put that into the figures
 * (browser-get read 0.53x and 1.27x llhttp in two runs back to back).
 */
import { Bench } from 'tinybench';
import { contenders, type Contender } from './contenders.ts';
import { microInputs } from './inputs.ts';

const [name, time] = process.argv.slice(2);
const make = contenders[name as Contender['name']];
if (make === undefined) {
  console.error(`micro child: unknown parser ${name}`);
  process.exit(2);
}
const contender = make();
/** Feeds per timed sample. */
const BATCH = 32;
/** Process CPU time in milliseconds (microsecond resolution: a batch takes tens of microseconds or more). */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const bench = new Bench({ time: Number(time ?? 500), warmupTime: 150, warmupIterations: 20, now: cpuNow });
for (const input of microInputs) {
  const feed = contender.create();
  // A parser that reads an input wrongly is never timed.
  for (let k = 0; k < 3; k++) {
    const got = feed(input.bytes);
    if (got.messages !== input.messages || got.bodyBytes !== input.bodyBytes) {
      console.error(
        `micro child: ${name} read ${input.name} as ${got.messages} requests/${got.bodyBytes} body bytes, expected ${input.messages}/${input.bodyBytes}`,
      );
      process.exit(1);
    }
  }
  let sink = 0;
  bench.add(input.name, () => {
    for (let k = 0; k < BATCH; k++) sink += feed(input.bytes).messages;
  });
  bench.addEventListener('complete', () => {
    if (sink === 0) throw new Error('no requests parsed');
  });
}
await bench.run();
const results = bench.tasks.map((task) => {
  if (task.result === undefined || task.result.error) throw task.result?.error ?? new Error(`${task.name}: no result`);
  return { input: task.name, opsPerSec: (BATCH * 1000) / task.result.latency.mean };
});
console.log(JSON.stringify({ parser: name, results }));
