/**
 * The terminal's line discipline for `kubectl exec -it`: kubectl puts the user's terminal in raw mode and
 * sends every key as typed, so the container's side echoes, edits and splits lines as a terminal in
 * canonical mode does: Enter (CR or LF) ends a line, Backspace erases, Ctrl-U kills the line, Ctrl-C
 * interrupts (echoed ^C), Ctrl-D on an empty line is end of input; escape sequences (arrow keys) and
 * other control characters are dropped. Pure: bytes in, echo and events out.
 */

export type TtyEvent = { type: 'line'; text: string } | { type: 'interrupt' } | { type: 'eof' };

export interface TtyInput {
  /** What the terminal shows back as the user types. */
  echo: string;
  events: TtyEvent[];
}

export class LineDiscipline {
  private line = '';
  /** Inside an escape sequence: 'esc' after ESC, 'csi' after ESC [ (until its final byte). */
  private escape: 'esc' | 'csi' | undefined;

  feed(data: string): TtyInput {
    let echo = '';
    const events: TtyEvent[] = [];
    for (const ch of data) {
      if (this.escape === 'esc') {
        this.escape = ch === '[' || ch === 'O' ? 'csi' : undefined;
        continue;
      }
      if (this.escape === 'csi') {
        if (/[@-~]/.test(ch) && !/[0-9;?]/.test(ch)) this.escape = undefined;
        continue;
      }
      switch (ch) {
        case '\r':
        case '\n':
          echo += '\r\n';
          events.push({ type: 'line', text: this.line });
          this.line = '';
          break;
        case '\x7f':
        case '\b':
          if (this.line.length > 0) {
            this.line = [...this.line].slice(0, -1).join('');
            echo += '\b \b';
          }
          break;
        case '\x15':
          echo += '\b \b'.repeat([...this.line].length);
          this.line = '';
          break;
        case '\x03':
          echo += '^C';
          this.line = '';
          events.push({ type: 'interrupt' });
          break;
        case '\x04':
          if (this.line === '') events.push({ type: 'eof' });
          break;
        case '\x1b':
          this.escape = 'esc';
          break;
        default:
          if (ch >= ' ' || ch === '\t') {
            const c = ch === '\t' ? ' ' : ch;
            this.line += c;
            echo += c;
          }
      }
    }
    return { echo, events };
  }
}

/** A terminal turns each newline the program writes into CR LF (the tty's ONLCR). */
export function onlcr(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
