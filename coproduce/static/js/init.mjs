// Start the NHS.UK frontend components (header menu, error summary focus, skip link...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// A table wider than its column scrolls inside its `.cp-table-scroll` box (static/css): make
// that box a region a keyboard can reach and scroll, named by the table's caption. Checked
// again whenever a box changes size (a phone turned, a window narrowed), since a table that
// fitted at first may not fit later.
let scrollRegions = 0;
function markScrollRegion(box) {
  if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) return;
  // A drawing hidden from assistive technology (it has an equivalent list beside it) must not
  // become a stop in the tab order either.
  if (box.closest('[aria-hidden="true"]')) return;
  box.setAttribute("tabindex", "0");
  box.setAttribute("role", "region");
  const caption = box.querySelector("caption");
  if (caption) {
    scrollRegions += 1;
    caption.id ||= `cp-table-caption-${scrollRegions}`;
    box.setAttribute("aria-labelledby", caption.id);
  } else {
    box.setAttribute("aria-label", "Table (scrolls sideways)");
  }
}
const boxes = document.querySelectorAll(".cp-table-scroll");
boxes.forEach(markScrollRegion);
if ("ResizeObserver" in window) {
  const watcher = new ResizeObserver((entries) => {
    for (const entry of entries) markScrollRegion(entry.target);
  });
  boxes.forEach((box) => watcher.observe(box));
}
