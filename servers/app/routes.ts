/** The application's routes: which paths exist and which methods each takes. */
import type { DatabaseRouteName } from './db/routes.ts';

/** What a path is, for the handler to dispatch on. */
export type RouteName =
  | 'hello'
  | 'json'
  | 'cpu'
  | 'io'
  | 'echo'
  | 'index'
  | 'static'
  | 'upload'
  | 'redirect-permanent'
  | 'redirect-temporary'
  | 'private'
  | 'session'
  | DatabaseRouteName;

export interface Route {
  name: RouteName;
  /** Methods the route takes; OPTIONS is always answered and is added to Allow. */
  methods: readonly string[];
  /** The Allow value for OPTIONS and 405, precomputed. */
  allow: string;
}

function route(name: RouteName, methods: readonly string[]): Route {
  return { name, methods, allow: [...methods, 'OPTIONS'].join(', ') };
}

const read = ['GET', 'HEAD'] as const;
const exact = new Map<string, Route>([
  ['/hello', route('hello', read)],
  ['/json', route('json', read)],
  ['/cpu', route('cpu', read)],
  ['/io', route('io', read)],
  ['/echo', route('echo', ['POST'])],
  ['/', route('index', read)],
  ['/redirect/permanent', route('redirect-permanent', read)],
  ['/redirect/temporary', route('redirect-temporary', read)],
  ['/private', route('private', read)],
  ['/session', route('session', read)],
  ['/db', route('db', read)],
  ['/queries', route('queries', read)],
  ['/fortunes', route('fortunes', read)],
  ['/updates', route('updates', read)],
  ['/cached-queries', route('cached-queries', read)],
]);
const staticRoute = route('static', read);
const uploadRoute = route('upload', ['GET', 'HEAD', 'PUT', 'DELETE']);

/** Methods this server knows; any other token is answered 501 Not Implemented. */
export const knownMethods: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'CONNECT',
]);

/** Allow for `OPTIONS *`: every method some route takes. */
export const serverAllow = 'GET, HEAD, POST, PUT, DELETE, OPTIONS';

/** The route for a (not yet decoded) path, or undefined for 404. */
export function findRoute(path: string): Route | undefined {
  const found = exact.get(path);
  if (found) return found;
  if (path.startsWith('/static/') && path.length > '/static/'.length) return staticRoute;
  if (path.startsWith('/upload/') && path.length > '/upload/'.length) return uploadRoute;
  return undefined;
}
