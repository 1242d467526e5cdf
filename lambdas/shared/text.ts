/**
 * At most `max` UTF-16 units, an ellipsis marking the cut, never half a surrogate pair: what goes
 * into a bounded field of the workflow state, a record or a message.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * `head + middle + tail` in at most `max` characters: only the middle (a user name) is shortened,
 * with `...`, never the head or the tail (the key, the account, the incident id).
 */
export function fitBetween(head: string, middle: string, tail: string, max: number): string {
  const room = max - head.length - tail.length;
  const fitted = middle.length <= room ? middle : room > 3 ? `${middle.slice(0, room - 3)}...` : middle.slice(0, Math.max(room, 0));
  return `${head}${fitted}${tail}`.slice(0, max);
}
