/**
 * Test helpers that change a saved checkpoint the way a damaged disk or a hand edit would:
 * with or without fixing up the checksums afterwards (to reach the checks behind them).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../io';
import { MANIFEST_FILE, serializeManifest } from '../manifest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw JSON edits in tests

/** Applies `edit` to the raw `checkpoint.json` object; `rechecksum` recomputes its checksum (a "valid" forgery). */
export function editManifest(dir: string, edit: (m: Json) => void, rechecksum = true): void {
  const p = join(dir, MANIFEST_FILE);
  const m = JSON.parse(readFileSync(p, 'utf8')) as Json;
  edit(m);
  if (rechecksum) {
    delete m.checksum;
    writeFileSync(p, serializeManifest(m as never));
  } else {
    writeFileSync(p, `${JSON.stringify(m, null, 2)}\n`);
  }
}

/** Replaces file `name` and records its new sha256 in a re-checksummed manifest. */
export function replaceFile(dir: string, name: string, bytes: Uint8Array): void {
  writeFileSync(join(dir, name), bytes);
  editManifest(dir, (m) => {
    (m.files as Json)[name] = sha256Hex(bytes);
  });
}
