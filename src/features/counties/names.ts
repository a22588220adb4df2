import { normalizeCode, searchKey } from '../../lib/persian';

export interface CountyFinder<C> {
  /** The county a value names: its slug in any case, or its name in any digits, spacing or letter forms (searchKey). */
  named(value: string): C | undefined;
  /** The counties whose names hold the value, compared as `named` compares. */
  containing(value: string): C[];
}

/**
 * Counties found by what a person or a file calls one. The liaison import and the reports' county
 * filter both find counties so. The names' keys are made once, here: build a finder once for a list
 * of counties, not per lookup (445 keys took 1–2 ms of a report request).
 */
export function countyFinder<C extends { slug: string; name: string }>(counties: readonly C[]): CountyFinder<C> {
  const byKey = new Map<string, C>();
  const keyed = counties.map((c) => ({ county: c, key: searchKey(c.name) }));
  for (const { county, key } of keyed) {
    byKey.set(county.slug.toLowerCase(), county);
    byKey.set(key, county);
  }
  return {
    named: (value) => byKey.get(normalizeCode(value).toLowerCase()) ?? byKey.get(searchKey(value)),
    containing(value) {
      const key = searchKey(value);
      return key ? keyed.filter((k) => k.key.includes(key)).map((k) => k.county) : [];
    },
  };
}
