// coding_select.js: where a selection may start and end (whole words, sentences) and where the code
// picker may go. Pure functions of a turn's text in UTF-16 code units, the units of the DOM and of
// the offsets coding.js sends (the server converts them to code points once, in web/offsets.py).
// Intl.Segmenter cuts at grapheme boundaries, so a snapped offset never splits an emoji's surrogate
// pair or a letter from its combining accent.

const segmenters = new Map();
function segments(text, granularity) {
  if (!segmenters.has(granularity)) segmenters.set(granularity, new Intl.Segmenter(undefined, { granularity }));
  return segmenters.get(granularity).segment(text);
}

// Where words (or sentences) of `text` start and end, sentences without their trailing spaces.
export function stops(text, granularity) {
  const starts = [], ends = [];
  for (const { segment, index, isWordLike } of segments(text, granularity)) {
    if (granularity === "word" && !isWordLike) continue;
    const body = segment.trimEnd(), lead = body.length - body.trimStart().length;
    if (body.length > lead) { starts.push(index + lead); ends.push(index + body.length); }
  }
  return { starts, ends };
}

// A start inside a word moves to the word's start, past any leading spaces.
export function snapStart(text, at) {
  const word = segments(text, "word").containing(at), glyph = segments(text, "grapheme").containing(at);
  if (glyph) at = glyph.index;
  if (word && word.isWordLike) at = Math.min(at, word.index);
  while (at < text.length && /\s/.test(text[at])) at++;
  return at;
}

// An end inside a word moves to the word's end, before any trailing spaces.
export function snapEnd(text, at) {
  const end = (s) => s.index + s.segment.length;
  const word = at > 0 ? segments(text, "word").containing(at - 1) : null, glyph = at > 0 ? segments(text, "grapheme").containing(at - 1) : null;
  if (glyph) at = Math.max(at, end(glyph));
  if (word && word.isWordLike) at = Math.max(at, end(word));
  while (at > 0 && /\s/.test(text[at - 1])) at--;
  return at;
}

// Snapping and keyboard steps on the coding screen's turns: `saids` (the turn elements), `bounds`
// (their [start, end) document offsets), `turnAt(offset)`, `selectionSpan()` and `select(start, end)`.
export function wordSelection({ saids, bounds, turnAt, selectionSpan, select }) {
  const turnText = (i) => saids[i].textContent;
  function snapped({ start, end }) { // whole words at both ends (each end within its own turn)
    const i = turnAt(start), j = turnAt(Math.max(start, end - 1));
    const s = bounds[i][0] + snapStart(turnText(i), start - bounds[i][0]);
    const e = bounds[j][0] + snapEnd(turnText(j), end - bounds[j][0]);
    return e > s ? { start: s, end: e } : { start, end };
  }
  const stopCache = new Map();
  function stopsOf(i, granularity) {
    const key = `${granularity}:${i}`;
    if (!stopCache.has(key)) stopCache.set(key, stops(turnText(i), granularity));
    return stopCache.get(key);
  }
  function step(offset, forward, granularity, side) { // the next word/sentence start or end, across turns
    for (let i = turnAt(offset); i >= 0 && i < saids.length; i += forward ? 1 : -1) {
      const found = stopsOf(i, granularity)[side].map((x) => x + bounds[i][0]);
      const hit = forward ? found.find((x) => x > offset) : found.findLast((x) => x < offset);
      if (hit !== undefined) return hit;
    }
    return null;
  }
  // Shift+arrows move the selection's end by a word (with Alt: a sentence); with Ctrl its start.
  function extendSelection(event, said) {
    const granularity = event.altKey ? "sentence" : "word", forward = event.key === "ArrowRight";
    const span = selectionSpan();
    if (!span) {
      if (!said) return;
      const i = saids.indexOf(said), first = stopsOf(i, granularity);
      if (!first.starts.length) return;
      return select(bounds[i][0] + first.starts[0], bounds[i][0] + first.ends[0]); // a turn with focus: its first word
    }
    const moved = step(event.ctrlKey ? span.start : span.end, forward, granularity, event.ctrlKey ? "starts" : "ends");
    if (moved === null) return;
    const next = event.ctrlKey ? { start: moved, end: span.end } : { start: span.start, end: moved };
    if (next.end > next.start) select(next.start, next.end);
  }
  return { snapped, extendSelection };
}

// Where a box of `size` goes beside `rect` (both in viewport pixels) without covering it: below,
// above, right, left, in that order of preference; null when none fits in the viewport.
export function placeBeside(rect, size, viewport, gap = 6, margin = 8) {
  const clampLeft = (x) => Math.max(margin, Math.min(x, viewport.width - size.width - margin));
  const clampTop = (y) => Math.max(margin, Math.min(y, viewport.height - size.height - margin));
  const candidates = [
    { top: rect.bottom + gap, left: clampLeft(rect.left) },
    { top: rect.top - gap - size.height, left: clampLeft(rect.left) },
    { top: clampTop(rect.top), left: rect.right + gap },
    { top: clampTop(rect.top), left: rect.left - gap - size.width },
  ];
  return candidates.find((p) => p.top >= margin && p.left >= margin
    && p.top + size.height <= viewport.height - margin && p.left + size.width <= viewport.width - margin
    && !overlaps(p, size, rect)) || null;
}

function overlaps(p, size, rect) {
  return p.left < rect.right && p.left + size.width > rect.left && p.top < rect.bottom && p.top + size.height > rect.top;
}
