// C strings in files: the guide writes NUL-terminated text, so the reading side stops
// at the first zero byte.

/** The UTF-8 text before the first NUL (or all of it). */
export function textBeforeNul(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** `text` as UTF-8 with a terminating NUL, as strcpy or the guide's write() leave it. */
export function cString(text: string): Uint8Array {
  return new TextEncoder().encode(`${text}\0`);
}
