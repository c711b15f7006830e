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

// Type-ahead fields (coproduce/staff/lookup.py): the text box works without JavaScript (the
// server resolves what was typed when the form is sent); here it also offers suggestions as
// the person types, in the browser's own list (<datalist>: keyboard and screen reader support
// come with it), and a status message says how many there are.
function enhanceLookup(input) {
  const list = document.getElementById(input.dataset.lookupList);
  const status = document.getElementById(input.dataset.lookupStatus);
  if (!list || !status || !("fetch" in window)) return;
  input.setAttribute("list", list.id);
  let timer = 0;
  let asked = "";
  let controller = null;
  const ask = async () => {
    const text = input.value.trim();
    if (text === asked) return;
    asked = text;
    if (controller) controller.abort();
    if (text.length < 2) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    controller = new AbortController();
    let results;
    try {
      const url = new URL(input.dataset.lookup, window.location.href);
      url.searchParams.set("q", text);
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) return;
      ({ results } = await response.json());
    } catch {
      return; // aborted by newer typing, or offline: the form still works when sent
    }
    // A suggestion chosen is its whole name; the server finds it by that name.
    list.replaceChildren(
      ...results
        .filter((result) => result.label !== text)
        .map((result) => {
          const option = document.createElement("option");
          option.value = result.label;
          return option;
        }),
    );
    const count = list.children.length;
    if (results.some((result) => result.label === text)) {
      status.textContent = "";
    } else {
      status.textContent =
        count === 0
          ? "No suggestions"
          : `${count}${count === 10 ? " or more" : ""} suggestion${count === 1 ? "" : "s"}: press the down arrow to choose`;
    }
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 200);
  });
}
document.querySelectorAll("input[data-lookup]").forEach(enhanceLookup);
