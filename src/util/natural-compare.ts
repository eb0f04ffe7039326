// One collator for every call: `localeCompare` with options builds a new one per comparison (slow at 1,000 nodes).
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural, case-insensitive name order (`node2` before `node10`), used for node and machine listings. */
export function naturalCompare(a: string, b: string): number {
  return natural.compare(a, b);
}
