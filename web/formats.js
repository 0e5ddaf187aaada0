// What the engine reads and writes, as it says in its `ready` message (PROTOCOL.md, "Formats"),
// turned into what the page needs. The page lists no format itself: a codec added to the
// engine's table shows up here without touching the page.

/** A test for file names from a dropped folder: true for an extension some readable format lists. */
export function imageNameFilter(formats) {
  const extensions = new Set(
    formats.filter((f) => f.read).flatMap((f) => f.extensions.map((e) => e.toLowerCase())),
  );
  return (name) => {
    const dot = String(name).lastIndexOf(".");
    return dot > 0 && extensions.has(String(name).slice(dot).toLowerCase());
  };
}

/** "JPEG, PNG, WebP and GIF": the readable formats for a sentence. */
export function readableNames(formats) {
  const labels = formats.filter((f) => f.read).map((f) => f.label);
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
}

/** The values the output-format setting may take. */
export function choiceValues(choices) {
  return choices.map((c) => c.value);
}
