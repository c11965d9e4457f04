// Test-only: assert a DatasetError with a given code whose message mentions every fragment.
import { expect } from 'vitest';
import { DatasetError, type DatasetErrorCode } from '../errors';

function check(err: unknown, code: DatasetErrorCode, fragments: string[]): DatasetError {
  expect(err).toBeInstanceOf(DatasetError);
  const e = err as DatasetError;
  expect(e.code).toBe(code);
  for (const f of fragments) expect(e.message).toContain(f);
  return e;
}

export function expectDatasetError(fn: () => unknown, code: DatasetErrorCode, ...fragments: string[]): DatasetError {
  try {
    fn();
  } catch (err) {
    return check(err, code, fragments);
  }
  throw new Error(`expected DatasetError ${code}, nothing was thrown`);
}

export async function expectDatasetErrorAsync(
  promise: Promise<unknown>,
  code: DatasetErrorCode,
  ...fragments: string[]
): Promise<DatasetError> {
  try {
    await promise;
  } catch (err) {
    return check(err, code, fragments);
  }
  throw new Error(`expected DatasetError ${code}, nothing was thrown`);
}
