// Record payloads as the commands show them: text when the bytes are printable UTF-8,
// otherwise the bytes themselves (base64 in JSON). Shared by `wal dump` and `queue tail`.

/** The payload as text, when it is valid UTF-8 without control characters (tab and newline allowed). */
export function printableText(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? null : text;
  } catch {
    return null;
  }
}
