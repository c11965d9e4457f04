import { describe, expect, it, vi } from 'vitest';
import { sampleResults } from './sample.test-helper';

// vega and vega-lite are optional peers: without them, the HTML report fails with a coded error
// that names the packages to install (the rest of @acn/metrics works without them).
vi.mock('vega', () => {
  throw new Error("Cannot find package 'vega' imported from html.js");
});

describe('renderHtmlReport without vega installed', () => {
  it('throws ReportError MISSING_PEER naming the install command', async () => {
    const { renderHtmlReport } = await import('./html');
    const { ReportError } = await import('./errors');
    const err = await renderHtmlReport(sampleResults(4, 6), { title: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportError);
    expect((err as InstanceType<typeof ReportError>).code).toBe('MISSING_PEER');
    expect((err as Error).message).toMatch(/npm i vega@\^6\.4\.0 vega-lite@\^6\.5\.0/);
  });
});
