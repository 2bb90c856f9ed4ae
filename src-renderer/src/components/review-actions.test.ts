// The note sent with a review decision: typed text wins; a change of decision keeps the note in
// force; a clear sends none.
import { describe, expect, it } from 'vitest';
import { noteToSend } from './review-actions';

describe('noteToSend', () => {
  it('keeps the reason when the decision changes without a new note', () => {
    expect(noteToSend('exclude', '  ', 'looks like 745')).toBe('looks like 745');
    expect(noteToSend('exclude', ' debris ', 'looks like 745')).toBe('debris');
    expect(noteToSend('suspect_label', '', null)).toBeUndefined();
    expect(noteToSend(null, '', 'looks like 745')).toBeUndefined();
  });
});
