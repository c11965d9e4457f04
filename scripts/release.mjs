#!/usr/bin/env node
// `pnpm release [--dry-run]`: the last step of the release workflow in CONTRIBUTING.md.
// Tests, checks the packed tarballs as users get them, then publishes every public @acn/* package
// whose version is not on the registry yet (pnpm publish -r), with npm provenance where the CI
// supports it (GitHub Actions with id-token: write).
import { spawnSync } from 'node:child_process';

const dryRun = process.argv.includes('--dry-run');
const provenance = Boolean(process.env.CI && process.env.ACTIONS_ID_TOKEN_REQUEST_URL);

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`release: '${cmd} ${args.join(' ')}' failed (exit ${r.status}); nothing was published`);
    process.exit(r.status ?? 1);
  }
}

run('pnpm', ['run', 'test:all']);
run('pnpm', ['run', 'check:packages']);
run('pnpm', ['publish', '-r', '--access', 'public', ...(provenance ? ['--provenance'] : []), ...(dryRun ? ['--dry-run', '--no-git-checks'] : [])]);
console.log(`\nrelease: ${dryRun ? 'dry run done (nothing uploaded)' : 'published'}${provenance ? ' with provenance' : ' without provenance (no OIDC CI detected)'}`);
