// Command-line arguments of the programs in this folder. They are started only by the
// examples, so a wrong call is a bug: fail loudly with the usage.

/** The arguments, by name, in order: `programArguments('path', 'offset').offset`. */
export function programArguments<Name extends string>(...names: Name[]): Record<Name, string> {
  const values = process.argv.slice(2);
  if (values.length !== names.length) {
    throw new Error(`usage: ${names.map((name) => `<${name}>`).join(' ')}`);
  }
  return Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<Name, string>;
}
