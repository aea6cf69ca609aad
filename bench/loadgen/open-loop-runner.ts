/**
 * The open-loop load generator's own process: it receives jobs over IPC (the
 * same messages as the autocannon runner), runs each with the open-loop client
 * and sends back what it measured. Apart from the harness and pinned apart from
 * the server, so the generator's CPU is its own and measured.
 */
import { LoadRun } from './open-loop-client.ts';
import { serveJobs } from './runner-process.ts';

let running: LoadRun | null = null;

serveJobs(
  async (job) => {
    const run = new LoadRun(job);
    running = run;
    try {
      return await run.run();
    } finally {
      if (running === run) running = null;
    }
  },
  () => running?.stop(),
);
