// Progressive enhancement of the coding page: a mouse or keyboard selection in the text fills
// the "from character" and "to character" fields. Offsets are counted in Unicode code points,
// as the server counts them (JavaScript strings count UTF-16 units, so astral characters such
// as emoji are counted once here). Without this script the line checkboxes and the fields work.
const text = document.querySelector("[data-qual-text]");
const startField = document.getElementById("id_start");
const endField = document.getElementById("id_end");
const status = document.getElementById("qual-selection");

function points(value) {
  return Array.from(value).length;
}

function offsetOf(node, offset) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const segment = element && element.closest(".cp-qual-seg");
  if (!segment || !text.contains(segment)) return null;
  const before = node.nodeType === Node.TEXT_NODE ? node.data.slice(0, offset) : "";
  return Number(segment.dataset.start) + points(before);
}

function update() {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
  const range = selection.getRangeAt(0);
  const start = offsetOf(range.startContainer, range.startOffset);
  const end = offsetOf(range.endContainer, range.endOffset);
  if (start === null || end === null || end <= start) return;
  startField.value = String(start);
  endField.value = String(end);
  const chosen = selection.toString().trim();
  status.textContent = `Selected characters ${start} to ${end}: “${chosen.slice(0, 120)}${chosen.length > 120 ? "…" : ""}”`;
}

if (text && startField && endField && status) {
  document.addEventListener("selectionchange", update);
  // A drag across a label must not toggle its checkbox.
  text.addEventListener("click", (event) => {
    const selection = document.getSelection();
    if (selection && !selection.isCollapsed && event.target.closest("label")) event.preventDefault();
  });
}
