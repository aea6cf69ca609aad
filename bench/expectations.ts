/**
 * What a scenario's request must be answered with. INTERIM: replaced by the
 * application's exchanges table once servers/app/exchanges.ts lands.
 */
import type { RawResponse } from './http-client.ts';
import type { LoadRequest } from './loadgen/types.ts';

/** Failures of one response against its expectation (empty when it is right). */
export type ResponseCheck = (response: RawResponse) => string[];

export function expectFor(request: LoadRequest): ResponseCheck {
  return (response) => (response.status === 200 ? [] : [`${request.method} ${request.path}: expected 200, got ${response.status}`]);
}
