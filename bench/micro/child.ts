/**
 * One process of the micro-benchmark: two parsers, timed in alternating short
 * slices on each input, so that both see the same machine. This machine's
 * speed moves 2x within a second (other guests on the host): the same parser
 * read 210k and 400k feeds/s in processes a second apart, and one process's
 * figure fell from 390k to 210k between two 50 ms windows. Slices of a few
 * milliseconds, alternated and compared pair by pair, see such a change on
 * both sides of a ratio alike.
 *
 * The first parser named is compared with the second, Node's llhttp, which is
 * C++ behind node:http's binding: the JavaScript parsers never share a process
 * (one parser's type feedback in another's code moved figures 1.5-2x), and
 * llhttp's few JavaScript callbacks are apart from both.
 *
 * Checks that each parser reads every input correctly before timing it, then
 * prints one JSON line: `{ parsers, results: [{ input, slices: [[a, b], ...] }] }`,
 * a pair of feeds/s per slice pair.
 *
 * The clock is this process's CPU time (user + system, every thread, so garbage
 * collection on helper threads counts), not wall time: on a shared machine a
 * process loses the CPU at random, and wall time put that into the figures.
 * Garbage is charged roughly to whoever made it: a young-generation collection
 * runs when new space fills, so most fall in the slices of the parser that
 * allocates the faster, and their cost (a few live objects to copy) is about
 * the same each time.
 */
import { contenders, type Contender } from './contenders.ts';
import { microInputs } from './inputs.ts';

const [names, time] = process.argv.slice(2);
const parsers = (names ?? '').split(',');
const makers = parsers.map((name) => contenders[name as Contender['name']]);
if (parsers.length !== 2 || makers.some((make) => make === undefined)) {
  console.error(`micro child: expected two parsers (of ${Object.keys(contenders).join(', ')}), got ${names}`);
  process.exit(2);
}
/** CPU time given to each parser on each input, warm-up apart, in ms. */
const budgetMs = Number(time ?? 500);
/** CPU time of one slice, in ms. */
const SLICE_MS = 10;
/** Warm-up per parser and input, in ms of CPU: long enough for V8's optimising tier. */
const WARMUP_MS = 150;

/** Process CPU time in milliseconds (microsecond resolution). */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

type Feed = (bytes: Buffer) => { messages: number; bodyBytes: number };
let sink = 0;

/** Feed `bytes` `count` times; CPU ms taken. */
function timed(feed: Feed, bytes: Buffer, count: number): number {
  const t = cpuNow();
  for (let k = 0; k < count; k++) sink += feed(bytes).messages;
  return cpuNow() - t;
}

/** Run `feed` for `ms` of CPU; feeds per ms, from the last doubling step. */
function warm(feed: Feed, bytes: Buffer, ms: number): number {
  const start = cpuNow();
  let count = 16;
  let rate = 0;
  while (cpuNow() - start < ms) {
    rate = count / Math.max(timed(feed, bytes, count), 1e-3);
    count = Math.min(count * 2, Math.max(16, Math.round(rate * SLICE_MS)));
  }
  return rate;
}

const results = microInputs.map((input) => {
  const feeds: Feed[] = makers.map((make) => make!().create());
  for (const [k, feed] of feeds.entries()) {
    // A parser that reads an input wrongly is never timed.
    for (let n = 0; n < 3; n++) {
      const got = feed(input.bytes);
      if (got.messages !== input.messages || got.bodyBytes !== input.bodyBytes) {
        console.error(
          `micro child: ${parsers[k]} read ${input.name} as ${got.messages} requests/${got.bodyBytes} body bytes, expected ${input.messages}/${input.bodyBytes}`,
        );
        process.exit(1);
      }
    }
  }
  const counts = feeds.map((feed) => Math.max(1, Math.round(warm(feed, input.bytes, WARMUP_MS) * SLICE_MS)));
  const slices: [number, number][] = [];
  const rounds = Math.max(1, Math.round(budgetMs / SLICE_MS));
  for (let round = 0; round < rounds; round++) {
    // Flip the order every round, so that neither side always follows the other's garbage.
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const rates = [0, 0];
    for (const k of order) rates[k] = (counts[k]! * 1000) / Math.max(timed(feeds[k]!, input.bytes, counts[k]!), 1e-3);
    slices.push([rates[0]!, rates[1]!]);
  }
  return { input: input.name, slices };
});
if (sink === 0) throw new Error('no requests parsed');
console.log(JSON.stringify({ parsers, results }));
