// Bounded min-heap keeping the k best (score, slot) pairs. Typed arrays avoid one object per
// candidate; ties go to the smaller slot so rankings are deterministic.
export class TopK {
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly slots: Int32Array;
  private n = 0;

  constructor(k: number) {
    this.k = Math.max(0, Math.floor(k));
    this.scores = new Float64Array(this.k);
    this.slots = new Int32Array(this.k);
  }

  get size(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.k;
  }

  /** Score a candidate must strictly beat to enter (0 until the heap is full). */
  get threshold(): number {
    return this.n >= this.k && this.k > 0 ? this.scores[0] : 0;
  }

  // a is "worse" than b: lower score, or same score and later slot.
  private worse(i: number, j: number): boolean {
    const a = this.scores[i];
    const b = this.scores[j];
    return a < b || (a === b && this.slots[i] > this.slots[j]);
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i];
    this.scores[i] = this.scores[j];
    this.scores[j] = s;
    const d = this.slots[i];
    this.slots[i] = this.slots[j];
    this.slots[j] = d;
  }

  /** Offers a candidate; returns whether it was kept. */
  push(score: number, slot: number): boolean {
    if (this.k === 0) return false;
    if (this.n < this.k) {
      let i = this.n++;
      this.scores[i] = score;
      this.slots[i] = slot;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return true;
    }
    const top = this.scores[0];
    if (score < top || (score === top && slot > this.slots[0])) return false;
    this.scores[0] = score;
    this.slots[0] = slot;
    let i = 0;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.worse(r, l) ? r : l;
      if (!this.worse(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return true;
  }

  /** Best first. */
  sorted(): Array<{ slot: number; score: number }> {
    const out: Array<{ slot: number; score: number }> = [];
    for (let i = 0; i < this.n; i++) out.push({ slot: this.slots[i], score: this.scores[i] });
    out.sort((a, b) => b.score - a.score || a.slot - b.slot);
    return out;
  }
}
