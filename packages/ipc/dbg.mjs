import { spawn } from 'node:child_process';
import fs from 'node:fs';
const dir = '/work/main/packages/ipc/.dbgq';
fs.rmSync(dir, { recursive: true, force: true });
const run = (args, killAt) => new Promise((resolve) => { const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] }); let out = ''; c.stdout.on('data', (d) => { out += d; if (killAt && out.includes(killAt)) c.kill('SIGKILL'); }); c.on('close', () => resolve(out)); });
await run(['test/fixtures/producer.mjs', dir, '2000', '0', 'p']);
for (let i = 0; i < 4; i++) {
  const out = await run(['test/fixtures/dbg-consumer.mjs', dir, 'resumer'], `got ${700 + i * 300} `);
  const lines = out.trim().split('\n');
  console.log(lines[0].slice(0, 120), '...', lines.at(-1));
}
fs.rmSync(dir, { recursive: true, force: true });
