import * as assert from 'node:assert/strict';
import { parseMcpServers, refreshDelayMs } from '../../../../src/core/mcp/mcpServers';

describe('parseMcpServers', () => {
  it('defaults the audience to the URL origin and the header to Authorization', () => {
    const { servers, problems } = parseMcpServers([
      { label: 'tools', url: 'https://mcp-abc-uc.a.run.app/mcp', account: 'invoker' },
      {
        label: 'iap',
        url: 'https://tools.example.com/mcp',
        account: 'me',
        audience: '123-abc.apps.googleusercontent.com',
        header: 'Proxy-Authorization',
      },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(servers[0]?.audience, 'https://mcp-abc-uc.a.run.app');
    assert.equal(servers[0]?.header, 'Authorization');
    assert.equal(servers[1]?.audience, '123-abc.apps.googleusercontent.com');
    assert.equal(servers[1]?.header, 'Proxy-Authorization');
  });

  it('skips each bad entry with a problem naming it and keeps the good ones', () => {
    const { servers, problems } = parseMcpServers([
      'not an object',
      { url: 'https://a.example', account: 'x' },
      { label: 'ftp', url: 'ftp://a.example', account: 'x' },
      { label: 'bad url', url: 'no url', account: 'x' },
      { label: 'h', url: 'https://a.example', account: 'x', header: 'Cookie' },
      { label: 'ok', url: 'https://a.example', account: 'x' },
      { label: 'ok', url: 'https://b.example', account: 'y' },
    ]);
    assert.deepEqual(
      servers.map((s) => s.label),
      ['ok'],
    );
    assert.equal(problems.length, 6);
    assert.match(problems[0] ?? '', /\[0\] is not an object/);
    assert.match(problems[1] ?? '', /\[1\] lacks label/);
    assert.match(problems[2] ?? '', /"ftp".*http or https/);
    assert.match(problems[3] ?? '', /"bad url".*http or https/);
    assert.match(problems[4] ?? '', /"h".*header must be one of Authorization/);
    assert.match(problems[5] ?? '', /already labelled "ok"/);
  });

  it('treats a missing setting as no servers and a non-list as one problem', () => {
    assert.deepEqual(parseMcpServers(undefined), { servers: [], problems: [] });
    assert.equal(parseMcpServers({ label: 'x' }).problems.length, 1);
  });
});

describe('refreshDelayMs', () => {
  it('fires when the cache starts refreshing, never in the past', () => {
    const now = 1_000_000;
    assert.equal(refreshDelayMs(now + 3_600_000, now, 300_000), 3_300_000);
    assert.equal(refreshDelayMs(now + 100_000, now, 300_000), 0);
  });
});
