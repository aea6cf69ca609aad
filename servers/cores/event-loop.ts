/**
 * event-loop: one thread multiplexes every connection. A backend wait is a
 * timer, so other connections go on meanwhile; CPU work runs inline, so it
 * stalls every connection until it is done.
 */
import { createServer } from 'node:net';
import { handleRequest } from '../app/app.ts';
import { asyncIO } from '../app/async-io.ts';
import type { HttpRequest, HttpResponse } from '../protocol/types.ts';
import { drainTimeoutMs } from '../defaults.ts';
import { Connections, type Dispatch } from './connection.ts';
import { appConfigOf, connectionSettingsOf, listen, stopListening } from './setup.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';

export const eventLoopCore: ServerCore = {
  name: 'event-loop',
  summary: 'one thread multiplexes every connection; waits are timers, CPU work stalls everyone',
  start: (options: CoreOptions) => startEventLoop(options),
};

/** Start an event-loop server; `reusePort` is for the reuseport model's threads. */
export async function startEventLoop(options: CoreOptions, reusePort = false): Promise<RunningServer> {
  const config = appConfigOf(options);
  let dispatch: Dispatch = (request) => handleRequest(request, asyncIO, config);
  const spinUs = Number(process.env.SERVER_MODELS_INJECT_SPIN_US ?? 0);
  if (spinUs > 0) dispatch = withInjectedSpin(dispatch, spinUs);
  const connections = new Connections(dispatch, connectionSettingsOf(options));
  const server = createServer((socket) => connections.serve(socket));
  const url = await listen(server, options, reusePort);
  return {
    url,
    async close() {
      await Promise.all([stopListening(server), connections.drain(drainTimeoutMs)]);
    },
  };
}

/**
 * TEST-ONLY fault injection: with SERVER_MODELS_INJECT_SPIN_US set (read once at
 * start), every request first busy-spins that many microseconds, so that CI can
 * check that the regression check catches a slower event loop. Nothing else reads it.
 */
function withInjectedSpin(dispatch: Dispatch, spinUs: number): Dispatch {
  return (request: HttpRequest): Promise<HttpResponse> => {
    const until = performance.now() + spinUs / 1000;
    while (performance.now() < until);
    return dispatch(request);
  };
}
