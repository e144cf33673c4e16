// Which file system a directory is on: sync timings on tmpfs say nothing about a disk,
// so the benchmark names it. Read from /proc/self/mountinfo: the mount with the
// longest mount point containing the directory.
import { readFileSync, realpathSync } from 'node:fs';

/** Mount points escape space, tab, newline and backslash as octal (\040...). */
function unescapeMountPoint(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

function contains(mountPoint: string, path: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
}

/** The file system type ("ext4", "tmpfs"...), or "unknown" where /proc says nothing. */
export function fileSystemOf(dir: string): string {
  const path = realpathSync(dir);
  let best = { mountPoint: '', type: 'unknown' };
  let mountinfo: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return best.type;
  }
  for (const line of mountinfo.split('\n')) {
    // "36 35 98:0 /root /mnt/point rw,noatime shared:1 - ext4 /dev/vda rw"
    const [before, after] = line.split(' - ');
    const mountPoint = unescapeMountPoint(before?.split(' ')[4] ?? '');
    const type = after?.split(' ')[0];
    if (
      type !== undefined &&
      mountPoint !== '' &&
      contains(mountPoint, path) &&
      mountPoint.length >= best.mountPoint.length
    ) {
      best = { mountPoint, type };
    }
  }
  return best.type;
}
