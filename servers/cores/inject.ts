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

type Handler = (request: HttpRequest) => Promise<HttpResponse>;

/** `dispatch` with the injected work run first, on the thread that dispatches; `dispatch` itself when none. */
export function withInjection(dispatch: Handler, injection: Injection | undefined): Handler {
  const spinUs = injection?.spinUs ?? 0;
  if (spinUs <= 0) return dispatch;
  return (request: HttpRequest): Promise<HttpResponse> => {
    spin(spinUs);
    return dispatch(request);
  };
}

/** Busy-wait `us` microseconds of wall-clock time. */
function spin(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}
