/**
 * The file stem a bench run writes under bench/results. Only a full run may replace the committed
 * `latest.*`: a partial one (`--only`, `--servers`) has the other rows missing, so it writes
 * `partial-<scenarios>.*` (not committed) unless `--name` says otherwise; `--quick` writes `quick.*`.
 */
export function resultStem(options: {
  name?: string;
  quick: boolean;
  only?: string;
  servers?: string;
}): string {
  if (options.name) return options.name;
  if (options.quick) return 'quick';
  if (options.only || options.servers) {
    const parts = [options.only, options.servers].filter(Boolean).join('-');
    return `partial-${parts.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  }
  return 'latest';
}
