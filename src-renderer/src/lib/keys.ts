// Keyboard shortcut helpers: whether a key event comes from a field that takes typed text (where a
// letter shortcut must not fire), unlike buttons, radios and segmented controls.

const TEXT_TYPES = new Set(['text', 'search', 'number', 'email', 'url', 'password', 'tel', '']);

/** True when `target` is a text input, textarea, select or contenteditable element. */
export function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable || el.closest('textarea, select, [contenteditable="true"]')) return true;
  const input = el.closest('input');
  return input !== null && TEXT_TYPES.has((input.getAttribute('type') ?? '').toLowerCase());
}
