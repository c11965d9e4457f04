import cliProgress from 'cli-progress';

/** How training reports progress: a bar on a terminal, plain lines otherwise (logs, CI), or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Receives training progress; the trainer calls it, users may pass their own. */
export interface ProgressReporter {
  epochStart(epoch: number, epochs: number, steps: number): void;
  step(step: number, values: { loss: number; lr: number }): void;
  epochEnd(line: string): void;
  stop(): void;
}

/**
 * A progress reporter: `cli-progress` bar when stdout is a TTY (`auto`), one line per epoch
 * otherwise.
 *
 * @example
 * ```ts
 * const p = createProgress('auto'); p.epochStart(1, 10, 47); p.step(1, { loss: 2.3, lr: 1e-3 }); p.epochEnd('epoch 1 ...'); p.stop();
 * ```
 */
export function createProgress(mode: ProgressMode = 'auto', out: NodeJS.WriteStream = process.stdout): ProgressReporter {
  const resolved = mode === 'auto' ? (out.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { epochStart() {}, step() {}, epochEnd() {}, stop() {} };
  if (resolved === 'lines') {
    return { epochStart() {}, step() {}, epochEnd: (line) => void out.write(`${line}\n`), stop() {} };
  }
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  return {
    epochStart(epoch, epochs, steps) {
      bar = new cliProgress.SingleBar(
        { format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} steps | loss {loss} | lr {lr} | eta {eta_formatted}`, stream: out, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      done = 0;
      bar.start(steps, 0, { loss: '-', lr: '-' });
    },
    step(_step, v) {
      done += 1;
      bar?.update(done, { loss: v.loss.toFixed(4), lr: v.lr.toExponential(2) });
    },
    epochEnd(line) {
      bar?.stop();
      bar = undefined;
      out.write(`${line}\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}
