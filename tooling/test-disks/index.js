// Real failing storage for tests, made from parts every Linux box has: an ext4 image
// on a loop device whose backing file is made immutable (ext4 then refuses the
// loop driver's writes, which the block layer reports as EIO to the file system
// above), and small tmpfs mounts that run out of space. Needs root; callers skip
// with diskUnavailableReason() elsewhere.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cmd, args) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

function tryRun(cmd, args) {
  try {
    run(cmd, args);
  } catch {
    // cleanup continues past a step that already happened
  }
}

let probed;

export function diskUnavailableReason() {
  if (probed !== undefined) return probed || undefined;
  if (process.getuid?.() !== 0) {
    probed = 'needs root to mount a test file system';
    return probed;
  }
  let disk;
  try {
    disk = mountTmpfs(64);
    probed = '';
  } catch (error) {
    probed = `cannot mount a test file system here: ${String(error.message ?? error).split('\n')[0]}`;
  } finally {
    // Nothing has used the probe: it unmounts at once.
    if (disk) {
      tryRun('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  }
  return probed || undefined;
}

function mountTmpfs(sizeKiB) {
  const dir = mkdtempSync(join(tmpdir(), 'mapsync-tinydisk-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/**
 * umount, retried while the file system is busy: a file can stay mapped for a moment
 * after the code under test closed it (an msync or a prefault still running on a
 * thread-pool thread holds the mapping until it returns).
 */
async function unmountRetrying(dir) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      run('umount', [dir]);
      return;
    } catch (error) {
      if (!String(error.stderr ?? '').includes('busy')) return; // not mounted, or gone
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  // Still busy after 2 s: a test failed with a file open on it. Detach it lazily (the
  // kernel finishes when the file is closed) rather than leave a mount and a loop
  // device behind, which used to pile up and mask the test's own failure with EBUSY.
  tryRun('umount', ['-l', dir]);
}

async function unmount(dir) {
  await unmountRetrying(dir);
  rmSync(dir, { recursive: true, force: true });
}

export async function tinyDisk({ sizeKiB = 256 } = {}) {
  const dir = mountTmpfs(sizeKiB);
  return {
    dir,
    async dispose() {
      await unmount(dir);
    },
  };
}

export async function faultyDisk({ sizeMiB = 32 } = {}) {
  // The backing file lives on a real (ext4) disk: that file system is the one that
  // refuses writes to an immutable file.
  const root = mkdtempSync(join(process.cwd(), '.faultydisk-'));
  const backing = join(root, 'backing.img');
  const dir = join(root, 'mnt');
  let loop;
  const dispose = async () => {
    tryRun('chattr', ['-i', backing]);
    await unmountRetrying(dir);
    if (loop) tryRun('losetup', ['-d', loop]);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    run('truncate', ['-s', `${sizeMiB}M`, backing]);
    loop = run('losetup', ['--find', '--show', backing]);
    run('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', loop]);
    run('mkdir', ['-p', dir]);
    run('mount', [loop, dir]);
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    dir,
    failWrites() {
      run('chattr', ['+i', backing]);
    },
    healWrites() {
      run('chattr', ['-i', backing]);
    },
    dispose,
  };
}
