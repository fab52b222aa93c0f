/**
 * SNS subjects: `[CAUSE] name (i-...): what happens next`. SNS rejects a Subject of 100 characters or
 * more, or one with line breaks or control characters (Publish API reference, "Subject"), so the
 * subject is cleaned and fitted: the Name tag is shortened first, then the "next" phrase, never the
 * node ID or the cause.
 */
export const SUBJECT_MAX_CHARS = 99;
const ELLIPSIS = '...';

/** Line breaks, tabs and other control characters become one space; runs of spaces collapse. */
export function cleanSubjectPart(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= ELLIPSIS.length) return chars.slice(0, Math.max(0, max)).join('');
  return chars.slice(0, max - ELLIPSIS.length).join('').trimEnd() + ELLIPSIS;
}

export function composeSubject(parts: { tag: string; instanceId: string; nodeName?: string; next: string }): string {
  const tag = `[${cleanSubjectPart(parts.tag)}]`;
  const instanceId = cleanSubjectPart(parts.instanceId);
  let next = cleanSubjectPart(parts.next);
  let name = parts.nodeName ? cleanSubjectPart(parts.nodeName) : '';
  const render = (): string => `${tag} ${name ? `${name} (${instanceId})` : instanceId}: ${next}`;
  const length = (): number => [...render()].length;
  if (length() > SUBJECT_MAX_CHARS && name) {
    const room = [...name].length - (length() - SUBJECT_MAX_CHARS);
    name = room >= 4 ? shorten(name, room) : '';
  }
  if (length() > SUBJECT_MAX_CHARS) {
    next = shorten(next, [...next].length - (length() - SUBJECT_MAX_CHARS));
  }
  return shorten(render(), SUBJECT_MAX_CHARS);
}
