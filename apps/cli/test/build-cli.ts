// The tests run dist/bin.mjs, what users run: build it from the current source first.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildCli(): void {
  execFileSync('npx', ['tsup', '--silent'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
}
