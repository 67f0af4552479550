/**
 * A long list draws its first screenfuls of rows, and more as its end
 * scrolls near, instead of all of them at once.
 *
 * Why: on a software renderer (laptops without a working GPU driver, and
 * Xvfb in the benches), with 200 client rows the list's update after
 * unlock took 12–17 ms and drawing it 30–53 ms; with 40 rows, 4–8 and
 * 17–28 ms (issue 12.8, docs/benchmarks.md section 3), while a lawyer
 * sees about twelve. The rows not drawn yet are in the
 * page's memory already; scrolling, Tab and the filter reach them as
 * before.
 */
const FIRST_ROWS = 40;
const MORE_ROWS = 100;
/** How far below the visible part of the scroller the next rows are drawn. */
const AHEAD = "800px";

export class DrawnRows {
  limit = $state(FIRST_ROWS);

  /** The rows of `all` to draw now. */
  of<T>(all: T[]): T[] {
    return all.length > this.limit ? all.slice(0, this.limit) : all;
  }

  /** Whether `all` has rows not drawn yet (then the sentinel is shown). */
  more(all: unknown[]): boolean {
    return all.length > this.limit;
  }

  /**
   * An attachment for an empty element after the last drawn row: when it
   * comes within {@link AHEAD} of the scroller's visible part, the next
   * rows are drawn. Re-created per limit (`{#key}`), so a screen tall
   * enough to show the new end asks again at once.
   */
  sentinel = (node: HTMLElement) => {
    const root = node.closest("main");
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) this.limit += MORE_ROWS;
      },
      { root, rootMargin: `0px 0px ${AHEAD} 0px` },
    );
    seen.observe(node);
    return () => seen.disconnect();
  };
}
