import { type RefCallback, useCallback, useEffect, useState } from 'react';

/** Whether a horizontally scrolling element has more content before and after what shows. */
export interface OverflowEdges {
  start: boolean;
  end: boolean;
}

const NONE: OverflowEdges = { start: false, end: false };

/**
 * Tracks which sides of a horizontal scroller hide content, so the board can fade those edges:
 * on a wide screen its scrollbar sits below the tallest column, often out of sight, and a cut
 * column alone does not say that more follow. Updated on scroll and on resize of the element or
 * its content; a 1 px slack absorbs sub-pixel widths.
 */
export function useOverflowEdges<T extends HTMLElement>(): [RefCallback<T>, OverflowEdges] {
  const [node, setNode] = useState<T | null>(null);
  const [edges, setEdges] = useState<OverflowEdges>(NONE);
  const ref = useCallback((el: T | null) => setNode(el), []);
  useEffect(() => {
    if (!node) return;
    const measure = () => {
      const start = node.scrollLeft > 1;
      const end = node.scrollLeft + node.clientWidth < node.scrollWidth - 1;
      setEdges((e) => (e.start === start && e.end === end ? e : { start, end }));
    };
    measure();
    node.addEventListener('scroll', measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    for (const child of Array.from(node.children)) observer.observe(child);
    const mutations = new MutationObserver(measure);
    mutations.observe(node, { childList: true });
    return () => {
      node.removeEventListener('scroll', measure);
      observer.disconnect();
      mutations.disconnect();
    };
  }, [node]);
  return [ref, edges];
}
