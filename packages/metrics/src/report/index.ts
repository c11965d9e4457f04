/**
 * Reports of auto-compression experiments: the results JSON schema, terminal tables and a
 * self-contained HTML report with Vega-Lite charts.
 *
 * @example
 * ```ts
 * import { validateResults, probeTable, renderHtmlReport } from './report';
 * const results = validateResults(JSON.parse(readFileSync('results.json', 'utf8')));
 * console.log(probeTable(results.runs));
 * writeFileSync('report.html', await renderHtmlReport(results, { title: 'AC vs Res Mixer' }));
 * ```
 */
export {
  autoCompressionResultsSchema,
  fullCostSchema,
  runResultSchema,
  truncatedResultSchema,
  validateResults,
} from './schema';
export type { AutoCompressionResults, RunResult, TruncatedResult } from './schema';
export { formatTable, probeTable, runLabels } from './table';
export type { FormatTableOptions } from './table';
export { chartSpecs } from './charts';
export type { ChartKind, ChartOptions, ChartSpec, VegaLiteSpec } from './charts';
export { renderHtmlReport } from './html';
export { ReportError } from './errors';
export type { ReportErrorCode } from './errors';
export type { HtmlReportOptions } from './html';
export { escapeHtml, formatBytes, formatSi } from './format';
