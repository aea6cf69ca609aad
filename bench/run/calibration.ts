/**
 * Calibration, at the start of every run: the load generator against a server
 * that costs nothing (canned bytes). What it reaches there is its ceiling; a
 * cell near that ceiling measured the load generator, not the server.
 */
import type { LoadGenerator } from '../loadgen/types.ts';
import type { Calibration } from '../results/schema.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';
import type { Target } from '../targets/types.ts';
import { median } from 'simple-statistics';

/** How calibration runs. */
export interface CalibrationSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  timeoutSec: number;
}

/** Measure the ceiling once per pipelining depth the run's scenarios use. */
export async function calibrate(
  canned: Target,
  loadgen: LoadGenerator,
  depths: number[],
  settings: CalibrationSettings,
): Promise<Calibration[]> {
  const running = await canned.start();
  try {
    const results: Calibration[] = [];
    for (const pipelining of [...new Set(depths)].sort((a, b) => a - b)) {
      const job = (durationSec: number) => ({
        url: running.url,
        connections: settings.connections,
        durationSec,
        pipelining,
        newConnectionPerRequest: false,
        requests: [{ method: 'GET', path: '/calibrate' }],
        timeoutSec: settings.timeoutSec,
      });
      if (settings.warmupSec > 0) await loadgen.run(job(settings.warmupSec));
      const r = await loadgen.run(job(settings.durationSec));
      if (r.errors + r.timeouts + r.non2xx > 0)
        throw new Error(`calibration saw ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
      results.push({
        loadgen: loadgen.name,
        connections: settings.connections,
        requestsPerSec: r.requests / r.durationSec,
        loadgenCpuShare: r.cpuSec / r.durationSec,
        durationSec: r.durationSec,
        pipelining,
      });
    }
    return results;
  } finally {
    await running.stop();
  }
}

/**
 * The ceiling a scenario's cells are judged against: the calibration at its
 * pipelining depth (the median, when several rounds measured it).
 */
export function ceilingFor(scenario: ScenarioDef, calibration: readonly Calibration[], loadgen: string): number | null {
  const matches = calibration
    .filter((c) => c.loadgen === loadgen && (c.pipelining ?? 1) === scenario.pipelining)
    .map((c) => c.requestsPerSec);
  return matches.length > 0 ? median(matches) : null;
}
