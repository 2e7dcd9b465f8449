/** Growth of typed arrays by doubling: amortised O(1) appends for indexes held in memory. */

/** `a` if it already holds `need` items, else a copy at least twice as large, new slots set to `fill`. */
export function growI32(a: Int32Array, need: number, fill: number): Int32Array {
  if (need <= a.length) return a;
  let cap = Math.max(1024, a.length);
  while (cap < need) cap *= 2;
  const b = new Int32Array(cap).fill(fill);
  b.set(a);
  return b;
}
