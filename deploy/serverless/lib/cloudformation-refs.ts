/**
 * The model builds ARNs and URLs as strings from references. Here references are markers inside those
 * strings, turned into `Fn::Join` of literal parts and `Ref`/`Fn::GetAtt` objects afterwards.
 */
import type { YamlValue } from './yaml.ts';

const marker = '\u0001';

export function ref(logicalId: string): string {
  return `${marker}Ref:${logicalId}${marker}`;
}

export function getAtt(logicalId: string, attribute: string): string {
  return `${marker}GetAtt:${logicalId}.${attribute}${marker}`;
}

/** A plain string stays a string; one holding references becomes `Fn::Join`, or the bare reference. */
export function toCloudFormation(value: string): YamlValue {
  if (!value.includes(marker)) return value;
  const parts = value.split(marker).map((part, index): YamlValue => {
    if (index % 2 === 0) return part;
    if (part.startsWith('Ref:')) return { Ref: part.slice('Ref:'.length) };
    const [logicalId = '', attribute = ''] = part.slice('GetAtt:'.length).split('.');
    return { 'Fn::GetAtt': [logicalId, attribute] };
  });
  const nonEmpty = parts.filter((part) => part !== '');
  return nonEmpty.length === 1 && typeof nonEmpty[0] === 'object'
    ? nonEmpty[0]
    : { 'Fn::Join': ['', nonEmpty] };
}
