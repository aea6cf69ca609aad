/**
 * TEST-ONLY fault injection: work added to every request, so that CI can check
 * that a regression check catches a slower server. Nothing is injected unless
 * asked for; the serve command reads the asking from the environment
 * (`injectionFromEnvironment`), and the shared driver applies it before each
 * request's dispatch (`withInjection`), so no model's own file carries it.
 */
import type { HttpRequest, HttpResponse } from '../protocol/types.ts';

/** What a server was asked to add per request; recorded by the harness beside its figures. */
export interface Injection {
  /** Busy-wait this many microseconds: adds time, whatever the machine does. */
  spinUs?: number | undefined;
  /** Run a fixed integer loop of this many iterations: adds work, a fixed count of instructions. */
  loopIterations?: number | undefined;
  /** The worker-pool's worker module instead of its own (a test's worker that crashes on demand). */
  workerEntry?: string | undefined;
}

/**
 * The models the serve command injects into: the event-loop core and the two built on it, as
 * when the spin was read inside the event-loop core. The driver would apply it to any model.
 */
export const injectableModels: readonly string[] = Object.freeze(['event-loop', 'prefork', 'reuseport']);

/** The environment variables the serve command reads, by the field of `Injection` each fills. */
export const injectionVariables = Object.freeze({
  spinUs: 'SERVER_MODELS_INJECT_SPIN_US',
  loopIterations: 'SERVER_MODELS_INJECT_LOOP',
} as const satisfies Partial<Record<keyof Injection, string>>);

/** The injection the environment asks for, or undefined for none (unset, empty or 0). */
export function injectionFromEnvironment(env: NodeJS.ProcessEnv = process.env): Injection | undefined {
  const injection: Injection = {};
  for (const [field, variable] of Object.entries(injectionVariables) as Array<
    [keyof typeof injectionVariables, string]
  >) {
    const raw = env[variable];
    if (raw === undefined || raw === '' || raw === '0') continue;
    if (!/^\d+$/.test(raw)) throw new Error(`${variable}=${raw}: expected a non-negative integer`);
    injection[field] = Number(raw);
  }
  return Object.keys(injection).length === 0 ? undefined : injection;
}

type Handler = (request: HttpRequest, connected?: () => boolean) => HttpResponse | Promise<HttpResponse>;

/** `dispatch` with the injected work run first, on the thread that dispatches; `dispatch` itself when none. */
export function withInjection(dispatch: Handler, injection: Injection | undefined): Handler {
  const spinUs = injection?.spinUs ?? 0;
  const iterations = injection?.loopIterations ?? 0;
  if (spinUs <= 0 && iterations <= 0) return dispatch;
  // Each loop starts from the last one's result: the result is used, so the JIT cannot drop the loop.
  let last = 0;
  return (request: HttpRequest, connected?: () => boolean): HttpResponse | Promise<HttpResponse> => {
    if (spinUs > 0) spin(spinUs);
    if (iterations > 0) last = loop(iterations, last);
    return dispatch(request, connected);
  };
}

/** Busy-wait `us` microseconds of wall-clock time. */
function spin(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}

/**
 * `iterations` steps of an integer recurrence (xorshift32) seeded by the last result: the same
 * instructions every call, and each step depends on the one before, so none can be skipped.
 */
export function loop(iterations: number, seed: number): number {
  let x = seed | 1;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x | 0;
}
