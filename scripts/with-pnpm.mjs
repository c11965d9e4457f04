#!/usr/bin/env node
// Runs a root script with the pinned pnpm, installing workspace dependencies first, so that a
// fresh machine with only Node 20 + npm needs exactly one command (`npm run demo`, `npm test`).
// Uses a global pnpm 10.34.9 when present, otherwise `npx pnpm@10.34.9` (no global install).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PNPM_VERSION = '10.34.9';
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

const [cmd, prefix] = pnpmCommand();
const frozen = existsSync('pnpm-lock.yaml') ? ['--frozen-lockfile'] : [];
let status = run(cmd, [...prefix, 'install', ...frozen, '--reporter=append-only']);
if (status === 0) status = run(cmd, [...prefix, ...args]);
process.exit(status);
