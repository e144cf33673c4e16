// The packages' own benchmark scripts, run as they are (never copied): a group that a
// package already measures spawns its script with --json and reads the result.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** A file inside a workspace package, found through its package.json (every package exports it). */
export function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

/** Runs `node script ...args --json FILE` in the script's package and returns the parsed FILE. */
export async function runJsonScript(script: string, args: readonly string[]): Promise<unknown> {
  const out = mkdtempSync(path.join(tmpdir(), 'mapsync-bench-json-'));
  const json = path.join(out, 'result.json');
  try {
    const child = spawn(process.execPath, [script, ...args, '--json', json], {
      cwd: path.dirname(path.dirname(script)),
      // Its own table goes nowhere (the report has it); its warnings reach the terminal.
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`${script} exited with code ${String(code)}`);
    return JSON.parse(readFileSync(json, 'utf8')) as unknown;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
