import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration from the environment', () => {
  it('has defaults that need no configuration', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.match(c.dataDir, /\.citydesk$/);
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.mediaDir, `${c.dataDir}/media`);
    assert.equal(c.uploadMaxBytes, 10 * 1024 * 1024);
  });

  it('media folder and upload limit can be set', () => {
    const c = loadConfig({ CITYDESK_DATA_DIR: '/srv/cd', CITYDESK_UPLOAD_MAX_BYTES: '2097152' });
    assert.equal(c.mediaDir, '/srv/cd/media');
    assert.equal(c.uploadMaxBytes, 2 * 1024 * 1024);
    assert.equal(loadConfig({ CITYDESK_MEDIA_DIR: '/mnt/photos' }).mediaDir, '/mnt/photos');
    assert.throws(() => loadConfig({ CITYDESK_UPLOAD_MAX_BYTES: 'lots' }), /CITYDESK_UPLOAD_MAX_BYTES/);
  });

  it('a wrong value names the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ DATABASE_URL: 'not a url' }), /DATABASE_URL/);
    assert.throws(() => loadConfig({ CITYDESK_WORKER: 'maybe' }), /CITYDESK_WORKER/);
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  });

  it('the server refuses to start with a clear message', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: '99999' }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /PORT/);
  });
});
