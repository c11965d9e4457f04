import { describe, expect, it } from 'vitest';
import { sampleResults } from './sample.test-helper';
import { formatTable, probeTable, runLabels } from './table';

describe('formatTable', () => {
  it('aligns columns: numbers right, text left, with a title and rule', () => {
    const out = formatTable(
      [
        { run: 'acn', acc: 0.9123456, layers: 12 },
        { run: 'residual', acc: 0.9, layers: 16 },
      ],
      { title: 'Results' },
    );
    expect(out).toBe(['Results', 'run          acc  layers', '--------  ------  ------', 'acn       0.9123      12', 'residual  0.9000      16'].join('\n'));
  });

  it('honours columns, digits and missing cells', () => {
    const out = formatTable([{ a: 1.5, b: 'x' }, { a: 2 }], { columns: ['b', 'a'], digits: 1 });
    expect(out.split('\n')).toEqual(['b    a', '-  ---', 'x  1.5', '     2']);
  });
});

describe('probeTable', () => {
  it('prints layer k vs probe accuracy per run in %, marking the cutoff', () => {
    const s = sampleResults(4);
    const out = probeTable(s.runs);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/Probe accuracy \(%\).*\* = cutoff/);
    expect(lines[1]).toMatch(/^layer\s+acn L=4\s+residual L=4$/);
    expect(lines).toHaveLength(3 + 5); // title, header, rule, layers 0..4
    // acn probe = 20 + 25k %, capped at 90; cutoff 3. residual cutoff = depth 4.
    expect(lines[3]).toMatch(/^\s*0\s+20\.00 \s+10\.00$/);
    expect(lines[6]).toMatch(/^\s*3\s+90\.00\*\s+16\.00$/);
    expect(lines[7]).toMatch(/^\s*4\s+90\.00 \s+88\.00\*$/);
    // Every data row has the same length up to the last column: the columns line up.
    const ends = lines.slice(3).map((l) => l.indexOf('.', 10));
    expect(new Set(ends).size).toBe(1);
  });

  it('labels repeated run names distinctly', () => {
    expect(runLabels([{ connectivity: 'acn', depth: 4 }, { connectivity: 'acn', depth: 4 }, { connectivity: 'residual', depth: 4, label: 'res' }])).toEqual([
      'acn L=4 #1',
      'acn L=4 #2',
      'res',
    ]);
  });
});
