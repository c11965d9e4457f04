import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATA_DIR_ENV, resolveDataDir } from './data-dir';

describe('resolveDataDir', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('prefers the flag value, as an absolute path', () => {
    vi.stubEnv(DATA_DIR_ENV, '/from/env');
    expect(resolveDataDir('rel/dir')).toBe(resolve('rel/dir'));
  });

  it('falls back to ACN_DATA_DIR', () => {
    vi.stubEnv(DATA_DIR_ENV, '/from/env');
    expect(resolveDataDir()).toBe('/from/env');
    expect(resolveDataDir('')).toBe('/from/env');
  });

  it('returns undefined (use the embedded subset) when neither is set', () => {
    vi.stubEnv(DATA_DIR_ENV, '');
    expect(resolveDataDir()).toBeUndefined();
    expect(resolveDataDir(undefined)).toBeUndefined();
  });
});
