/** Sessions: a request without a valid session cookie starts one. */
import type { Exchange } from './types.ts';
import { newSession } from './shared.ts';

export const sessionRows: readonly Exchange[] = [
  {
    name: 'GET /session without a cookie starts one',
    method: 'GET',
    path: '/session',
    expect: {
      status: 200,
      headers: {
        'content-type': /^application\/json/,
        'set-cookie': newSession,
        vary: 'Cookie',
        'cache-control': 'private, no-store',
      },
      body: '{"visits":1,"first":true}',
    },
  },
  {
    name: 'a forged session cookie starts a new session',
    method: 'GET',
    path: '/session',
    headers: { cookie: `sid=${'A'.repeat(22)}.41.${'A'.repeat(43)}` },
    expect: { status: 200, headers: { 'set-cookie': newSession }, body: '{"visits":1,"first":true}' },
  },
  {
    name: 'a truncated session cookie starts a new session',
    method: 'GET',
    path: '/session',
    headers: { cookie: `sid=${'A'.repeat(22)}.41.${'A'.repeat(20)}` },
    expect: { status: 200, headers: { 'set-cookie': newSession }, body: '{"visits":1,"first":true}' },
  },
  {
    name: 'other cookies and a quoted sid that is not a session start one',
    method: 'GET',
    path: '/session',
    headers: { cookie: 'theme=dark;  sid="x.1.y" ; lang=zh' },
    expect: { status: 200, headers: { 'set-cookie': newSession }, body: '{"visits":1,"first":true}' },
  },
];
