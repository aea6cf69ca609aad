/**
 * One parser's side of the micro-benchmark, run in its own process so that no
 * other parser's code shares its JIT state (that alone moved figures 1.5-2x).
 * Checks that the parser reads every input correctly before timing it, then
 * prints one JSON line: `{ parser, results: [{ input, opsPerSec }] }`.
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
const bench = new Bench({ time: Number(time ?? 500), warmupTime: 150, warmupIterations: 200 });
for (const input of microInputs) {
  const feed = contender.create();
  // A parser that reads an input wrongly is never timed.
  for (let k = 0; k < 3; k++) {
    const got = feed(input.bytes);
    if (got.messages !== input.messages || got.bodyBytes !== input.bodyBytes) {
      console.error(`micro child: ${name} read ${input.name} as ${got.messages} requests/${got.bodyBytes} body bytes, expected ${input.messages}/${input.bodyBytes}`);
      process.exit(1);
    }
  }
  let sink = 0;
  bench.add(input.name, () => {
    sink += feed(input.bytes).messages;
  });
  bench.addEventListener('complete', () => {
    if (sink === 0) throw new Error('no requests parsed');
  });
}
await bench.run();
const results = bench.tasks.map((task) => {
  if (task.result === undefined || task.result.error) throw task.result?.error ?? new Error(`${task.name}: no result`);
  return { input: task.name, opsPerSec: task.result.throughput.mean };
});
console.log(JSON.stringify({ parser: name, results }));
