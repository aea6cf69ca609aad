/** Accept-Language: parsing and the choice among the languages a resource exists in (RFC 9110 §12.5.4). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import { negotiateLanguage, parseAcceptLanguage } from '../../servers/app/languages.ts';
import { ensureDefaultSite } from '../../servers/app/site.ts';
import { syncIO } from '../../servers/app/sync-io.ts';
import type { HeaderList, HttpResponse } from '../../servers/protocol/types.ts';

describe('parseAcceptLanguage', () => {
  it('reads ranges, q-values and whitespace, lower-cased, and skips bad elements only', () => {
    assert.deepEqual(parseAcceptLanguage(' zh-CN , EN;q=0.8,  * ; q=0.1, x_y, de;q=2, it;q = 0.3, fr;q=0.500'), [
      { range: 'zh-cn', q: 1, position: 0 },
      { range: 'en', q: 0.8, position: 1 },
      { range: '*', q: 0.1, position: 2 },
      { range: 'fr', q: 0.5, position: 3 },
    ]);
  });
});

describe('negotiateLanguage', () => {
  const pick = (value: string | undefined): string | undefined => negotiateLanguage(value, ['en', 'zh']);
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'en'],
    ['', 'en'],
    ['zh', 'zh'],
    ['zh-CN', 'zh'],
    ['zh-Hans-CN;q=0.9, en;q=0.5', 'zh'],
    ['en-US,en;q=0.9,zh-CN;q=0.8', 'en'],
    ['zh;q=0.5, en;q=0.8', 'en'],
    // Equal weights: the one the client listed first.
    ['zh, en', 'zh'],
    ['en, zh', 'en'],
    // The wildcard: any language not named otherwise; equal, so the default.
    ['*', 'en'],
    ['zh;q=0, *', 'en'],
    ['en;q=0, *', 'zh'],
    ['*;q=0, zh', 'zh'],
    // The closest range decides, even when a looser one weighs more.
    ['zh-CN;q=0, zh;q=0.3, en;q=0.2', 'zh'],
    ['zh;q=0, zh-CN', 'en'],
    // Nothing acceptable, or nothing we have: the default rather than a 406.
    ['fr, de;q=0.5', 'en'],
    ['en;q=0, zh;q=0', 'en'],
    ['en;q=0', 'en'],
    ['garbage;;;, ,', 'en'],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} gives ${expected}`, () => assert.equal(pick(value), expected));
  }
});

const scratch = mkdtempSync(join(tmpdir(), 'languages-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const get = (config: AppConfig, io: typeof syncIO, headers: HeaderList): Promise<HttpResponse> =>
  handleRequest(
    {
      method: 'GET',
      target: '/',
      path: '/',
      query: '',
      versionMajor: 1,
      versionMinor: 1,
      headers: [['Host', 'test'], ...headers],
      trailers: [],
      body: new Uint8Array(0),
      keepAlive: true,
      upgrade: false,
    },
    io,
    config,
  );
const header = (response: HttpResponse, name: string): string | undefined =>
  response.headers.find(([n]) => n.toLowerCase() === name)?.[1];

for (const io of [syncIO, asyncIO]) {
  describe(`GET / with ${io.kind} I/O`, () => {
    const config: AppConfig = {
      root: ensureDefaultSite(),
      uploadDir: scratch,
      maxUploadBytes: 1024,
      credentials: { user: 'demo', password: 'demo' },
    };

    it('gives each variant its own ETag, and a 304 only to the variant it names', async () => {
      const en = await get(config, io, []);
      const zh = await get(config, io, [['Accept-Language', 'zh']]);
      const enTag = header(en, 'etag') ?? '';
      const zhTag = header(zh, 'etag') ?? '';
      assert.notEqual(enTag, zhTag);
      assert.equal((await get(config, io, [['If-None-Match', enTag]])).status, 304);
      assert.equal(
        (
          await get(config, io, [
            ['Accept-Language', 'zh'],
            ['If-None-Match', enTag],
          ])
        ).status,
        200,
      );
      const notModified = await get(config, io, [
        ['Accept-Language', 'zh'],
        ['If-None-Match', zhTag],
      ]);
      assert.equal(notModified.status, 304);
      assert.equal(header(notModified, 'content-language'), 'zh');
    });

    it('serves a root with the default index only as it is, claiming no language', async () => {
      const root = mkdtempSync(join(scratch, `root-${io.kind}-`));
      writeFileSync(join(root, 'index.html'), '<p>mine</p>');
      const response = await get({ ...config, root }, io, [['Accept-Language', 'zh']]);
      assert.equal(Buffer.from(response.body).toString(), '<p>mine</p>');
      assert.equal(header(response, 'content-language'), undefined);
      assert.equal(header(response, 'vary'), 'Accept-Encoding');
    });
  });
}
