import { describe, expect, it } from 'vitest';
import { createAccuracyTracker, OVERFLOW_CATEGORY } from './feedback.js';

describe('accuracy tracker', () => {
  it('tracks at most maxCategories client-named categories; later ones share `other`', () => {
    const tracker = createAccuracyTracker(200, 2);
    expect(tracker.record('billing', true)).toEqual({ category: 'billing', accuracy: 1 });
    expect(tracker.record('search', false)).toEqual({ category: 'search', accuracy: 0 });
    expect(tracker.record('made-up-1', true)).toEqual({ category: OVERFLOW_CATEGORY, accuracy: 1 });
    expect(tracker.record('made-up-2', false)).toEqual({ category: OVERFLOW_CATEGORY, accuracy: 0.5 });
    // A known category keeps its own window.
    expect(tracker.record('billing', false)).toEqual({ category: 'billing', accuracy: 0.5 });
  });

  it('the twin: under the bound every category is its own', () => {
    const tracker = createAccuracyTracker(200, 100);
    for (const c of ['billing', 'search', 'made-up-1', 'made-up-2']) expect(tracker.record(c, true).category).toBe(c);
  });

  it('keeps the last `window` ratings of a category', () => {
    const tracker = createAccuracyTracker(2);
    tracker.record('c', false);
    tracker.record('c', true);
    expect(tracker.record('c', true).accuracy).toBe(1);
  });
});
