/**
 * The open-loop load generator's own process: it receives jobs over IPC (the
 * same messages as the autocannon runner), runs each with the open-loop client
 * and sends back what it measured. Apart from the harness and pinned apart from
 * the server, so the generator's CPU is its own and measured.
 */
import type { RunnerMessage, RunnerReply } from './autocannon-protocol.ts';
import { LoadRun } from './open-loop-client.ts';

let running: LoadRun | null = null;

function reply(message: RunnerReply): void {
  process.send?.(message);
}

process.on('message', (message: RunnerMessage) => {
  if (message.type === 'stop') {
    running?.stop();
    return;
  }
  try {
    const run = new LoadRun(message.job);
    running = run;
    run.run().then((result) => {
      if (running === run) running = null;
      reply({ type: 'result', result });
    });
  } catch (error) {
    reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
// The harness closes the channel when it is done (or gone): then so is this process.
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
