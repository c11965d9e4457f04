/**
 * The browser check (a separate command, not part of `pnpm test`: it needs Chromium and ~1 min):
 * builds the page with Vite, serves it, opens it in headless Chromium (Debian's `chromium`, or
 * `CHROMIUM_PATH`), waits for onnxruntime-web's early-exit results, checks that predictions and
 * exit layers equal onnxruntime-node's (written by `pnpm start` next to the assets), and saves a
 * screenshot to `results/browser.png`.
 *
 *   pnpm --filter @acn-examples/deploy start --quick   # writes results/web-assets (or a full run)
 *   pnpm --filter @acn-examples/deploy browser-test
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import puppeteer from 'puppeteer-core';
import { writeFileAtomic } from '@acn/core';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Result of the browser run. */
export interface BrowserCheck {
  readonly predictions: number[];
  readonly exitLayers: number[];
  readonly expected: { predictions: number[]; exitLayers: number[] };
  readonly equal: boolean;
  readonly status: string;
}

/** Runs the page in headless Chromium and compares with onnxruntime-node. */
export async function browserCheck(assets = `${root}results/web-assets`): Promise<BrowserCheck> {
  if (!existsSync(`${assets}/manifest.json`)) throw new Error(`no page assets in ${assets}: run 'pnpm --filter @acn-examples/deploy start --quick' (or a full run) first`);
  const chrome = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chrome)) throw new Error(`Chromium not found at ${chrome}: 'apt-get install -y chromium' or set CHROMIUM_PATH`);
  process.env.DEPLOY_ASSETS = assets;
  await build({ configFile: `${root}vite.config.ts` });
  const server = await preview({ configFile: `${root}vite.config.ts`, preview: { port: 0, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview gave no URL');
  const browser = await puppeteer.launch({ executablePath: chrome, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.log(`[page] ${m.text()}`));
    await page.setViewport({ width: 900, height: 1100 });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction('window.acnResult !== undefined', { timeout: 120_000 });
    const got = (await page.evaluate('window.acnResult')) as { predictions?: number[]; exitLayers?: number[]; error?: string };
    const status = (await page.$eval('#status', (e) => e.textContent ?? '')) as string;
    await page.screenshot({ path: `${root}results/browser.png`, fullPage: true });
    if (got.error) throw new Error(`page failed: ${got.error}`);
    const { expected } = JSON.parse(readFileSync(`${assets}/samples.json`, 'utf8')) as { expected: BrowserCheck['expected'] };
    const equal = JSON.stringify(got.predictions) === JSON.stringify(expected.predictions) && JSON.stringify(got.exitLayers) === JSON.stringify(expected.exitLayers);
    return { predictions: got.predictions!, exitLayers: got.exitLayers!, expected, equal, status };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  browserCheck(process.argv[2])
    .then((r) => {
      writeFileAtomic(`${root}results/browser.json`, JSON.stringify(r, null, 2));
      console.log(`page: ${r.status}\nbrowser predictions ${JSON.stringify(r.predictions)}, exit layers ${JSON.stringify(r.exitLayers)}\nonnxruntime-node    ${JSON.stringify(r.expected.predictions)}, exit layers ${JSON.stringify(r.expected.exitLayers)}\n${r.equal ? 'EQUAL' : 'DIFFERENT'}; screenshot results/browser.png`);
      process.exit(r.equal ? 0 : 1);
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
