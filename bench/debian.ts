/** Installs the Debian packages the peers need (rclone, GNU time), or says which are missing. */
import { execFileSync, spawnSync } from 'node:child_process';

/** True when dpkg knows the package as installed. */
export function isInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/**
 * Installs the packages that are missing when allowed and running as root (apt-get update first).
 * Returns the packages still missing afterwards.
 */
export function ensurePackages(pkgs: readonly string[], install: boolean, log: (line: string) => void): string[] {
  const missing = pkgs.filter((p) => !isInstalled(p));
  if (missing.length === 0 || !install) return missing;
  if (process.getuid?.() !== 0) {
    log(`not root: cannot install ${missing.join(' ')} (apt-get install -y ${missing.join(' ')})`);
    return missing;
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    log(`apt-get failed: ${(err as Error).message}`);
  }
  return missing.filter((p) => !isInstalled(p));
}
