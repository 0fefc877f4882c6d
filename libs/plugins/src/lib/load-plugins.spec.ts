import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlugins, PluginLoadError } from './load-plugins.js';

describe('loadPlugins', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plugins-'));
    const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
    write('object.mjs', `export default { name: 'tap', stage: 'frames', operator: (source) => source };`);
    write(
      'named.mjs',
      `export const plugins = [{ name: 'a', stage: 'events', operator: (s) => s }, { name: 'b', stage: 'subscriber', session: () => undefined }];`,
    );
    write(
      'factory.mjs',
      `export default async (context) => ({ name: 'from-' + context.env.JETSTREAM_PLUGIN_NAME, stage: 'committed', operator: (s) => s });`,
    );
    write('no-export.mjs', `export const something = 1;`);
    write('bad-stage.mjs', `export default { name: 'x', stage: 'nowhere', operator: (s) => s };`);
    write('no-session.mjs', `export default { name: 'y', stage: 'subscriber', operator: (s) => s };`);
    write('throws.mjs', `export default () => { throw new Error('no config'); };`);
    write('syntax.mjs', `export default {`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (...names: string[]) =>
    loadPlugins(
      names.map((name) => `./${name}`),
      { cwd: dir, env: { JETSTREAM_PLUGIN_NAME: 'env' } },
    );

  it('takes a default export, named exports and factories, in the order given', async () => {
    const plugins = await load('object.mjs', 'named.mjs', 'factory.mjs');
    expect(plugins.map((plugin) => `${plugin.name}@${plugin.stage}`)).toEqual([
      'tap@frames',
      'a@events',
      'b@subscriber',
      'from-env@committed',
    ]);
  });

  it('takes absolute paths', async () => {
    expect(
      (await loadPlugins([join(dir, 'object.mjs')], { cwd: '/', env: {} })).map((plugin) => plugin.name),
    ).toEqual(['tap']);
  });

  it.each([
    ['no-export.mjs', 'plugin module ./no-export.mjs exports no plugin'],
    ['bad-stage.mjs', 'plugin x: stage must be one of frames, events, sequenced, committed, subscriber'],
    ['no-session.mjs', "plugin y: a subscriber plugin needs a function 'session'"],
    ['throws.mjs', 'plugin module ./throws.mjs: its factory failed: no config'],
    ['syntax.mjs', 'plugin module ./syntax.mjs failed to load'],
    ['missing.mjs', 'plugin module ./missing.mjs failed to load'],
  ])('refuses %s with a message naming it', async (name, message) => {
    const loading = load(name);
    await expect(loading).rejects.toBeInstanceOf(PluginLoadError);
    await expect(load(name)).rejects.toThrow(message);
  });
});
