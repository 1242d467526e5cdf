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
