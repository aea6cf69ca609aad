/**
 * `--target-url`: a server that is already running. The harness neither starts
 * nor stops it and cannot sample its processes (it does not know them); it only
 * checks that something accepts connections there and loads it. Load only ever
 * targets this machine, so the URL must name 127.0.0.1 (or localhost).
 */
import { loopback, portAccepts } from './port.ts';
import type { RunningTarget, Target } from './types.ts';

/**
 * The origin to load for a `--target-url` value, or an Error whose message is
 * one line. `localhost` is taken as 127.0.0.1: its name may resolve to ::1
 * first, and the load generators and checks must all reach the same server.
 */
export function localOrigin(text: string): string | Error {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return new Error(`"${text}" is not a URL (expected http://127.0.0.1:PORT)`);
  }
  if (url.protocol !== 'http:') return new Error(`only http:// URLs can be loaded, not ${url.protocol}//`);
  if (url.hostname !== loopback && url.hostname !== 'localhost')
    return new Error(
      `refusing ${url.host}: load only targets this machine (http://127.0.0.1:PORT or http://localhost:PORT)`,
    );
  if (url.username || url.password) return new Error('a URL with credentials is not supported');
  if (url.pathname !== '/' || url.search || url.hash)
    return new Error(
      `give the server's origin, without a path: the scenarios choose the paths (not "${url.pathname}${url.search}")`,
    );
  return `http://${loopback}:${url.port || '80'}`;
}

/** An already-running server as a peer target; `origin` comes from localOrigin. */
export function urlTarget(name: string, origin: string): Target {
  const { hostname, port } = new URL(origin);
  return {
    name,
    kind: 'peer',
    foreign: true,
    start: async (): Promise<RunningTarget> => {
      if (!(await portAccepts(Number(port), hostname))) throw new Error(`nothing accepts connections at ${origin}`);
      return {
        url: origin,
        pid: null,
        // Not ours to stop: nothing to report.
        stop: async () => ({ exitCode: null, signal: null, forced: false, leftovers: [] }),
      };
    },
  };
}
