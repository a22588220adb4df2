import { normalizeCode, searchKey } from '../../lib/persian';

/**
 * Counties found by what a person or a file calls one: its slug in any case, or its name in any
 * digits, spacing or letter forms (searchKey). The liaison import and the reports' county filter
 * both find counties so.
 */
export function countyFinder<C extends { slug: string; name: string }>(counties: readonly C[]): (value: string) => C | undefined {
  const byKey = new Map<string, C>();
  for (const c of counties) {
    byKey.set(c.slug.toLowerCase(), c);
    byKey.set(searchKey(c.name), c);
  }
  return (value) => byKey.get(normalizeCode(value).toLowerCase()) ?? byKey.get(searchKey(value));
}
