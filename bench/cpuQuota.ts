/**
 * A CPU cgroup that holds each benchmarked tool, with every process it starts, to a share of the
 * CPUs: what a Lambda function gets for its memory size. cgroup v1 (`cpu.cfs_quota_us` over
 * `cpu.cfs_period_us` in the `cpu` hierarchy) or v2 (`cpu.max`), whichever this machine lets us
 * write; when neither, the bench stops rather than measure something else.
 *
 * A process joins the group by writing its own pid to `cgroup.procs` before it execs the tool,
 * so the tool and every child it starts (awscli's workers, s3-push's handler process) are in the
 * group from their first instruction.
 *
 * The group must give the tool its quota, no less: a Lambda function gets the CPU its memory buys
 * whatever else runs on the host. On a shared machine a group at the default weight (cgroup v1
 * `cpu.shares` 1,024, v2 `cpu.weight` 100) counts as one thread among its siblings, and the bench
 * measured contention instead: at load 22–31 no run was ever throttled (the tools got less than
 * 0.58 CPU). So the group gets {@link QUOTA_GROUP_WEIGHT} times the default weight, which the quota
 * then caps; and under cgroup v1 it is made inside the bench's own cpu cgroup, not at the root, so
 * that wherever the operator placed the bench (a low- or high-share group) bounds the tool too.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { S3PushError } from '../rules/errors.ts';

/** Where this machine's cgroup file systems are usually mounted. */
export const CGROUP_V1_CPU_ROOT = '/sys/fs/cgroup/cpu';
export const CGROUP_V2_ROOTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/** The CFS period the quota is expressed in: 100 ms, the kernel's default. */
export const CFS_PERIOD_US = 100_000;

/** The group's weight as a multiple of the kernel's default (v1 `cpu.shares` 1,024, v2 `cpu.weight` 100). */
export const QUOTA_GROUP_WEIGHT = 8;

/** A group the bench created; {@link CpuGroup.remove} deletes it. */
export interface CpuGroup {
  /** CPUs the group may use (0.58 = 58 ms of CPU per 100 ms of wall time). */
  readonly quota: number;
  readonly kind: 'cgroup v1' | 'cgroup v2';
  /** The group's folder. */
  readonly path: string;
  /** The command line that runs `argv` inside the group. */
  wrap(argv: readonly string[]): string[];
  /** Seconds the group's processes were held back by the quota so far (the kernel's throttled time). */
  throttledSeconds(): number;
  /** Removes the group (its processes must have exited). Safe to call twice. */
  remove(): void;
}

/** Where to look for the controllers (tests pass folders of their own). */
export interface CpuGroupOptions {
  readonly v1Root?: string;
  readonly v2Roots?: readonly string[];
  /** The group's folder name. Default `s3push-bench-<pid>-<n>`. */
  readonly name?: string;
  /** This process's cgroup membership, as /proc/self/cgroup lists it. Default: read from there. */
  readonly selfCgroup?: string;
}

/**
 * The path of this process's group in the cgroup v1 cpu hierarchy ('/' for the root), from the
 * text of /proc/self/cgroup: lines `id:controllers:path`, the cpu one e.g. `1:cpu:/heavy` or
 * `4:cpu,cpuacct:/user.slice`. '/' when no line names the cpu controller.
 */
export function ownCpuCgroupV1(selfCgroup: string): string {
  for (const line of selfCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (m !== null && m[1]!.split(',').includes('cpu')) return m[2]! === '' ? '/' : m[2]!;
  }
  return '/';
}

let groups = 0;

/**
 * Creates a group limited to `quota` CPUs. Throws an {@link S3PushError} (the operator's to fix:
 * exit 2) naming what was tried when neither cgroup version can be written, e.g. without root or
 * in a container that mounts /sys/fs/cgroup read-only.
 */
export function createCpuGroup(quota: number, options: CpuGroupOptions = {}): CpuGroup {
  if (!(quota > 0) || !Number.isFinite(quota)) throw new S3PushError(`CPU quota ${quota}: expected a positive number of CPUs`, { userFault: true });
  const name = options.name ?? `s3push-bench-${process.pid}-${++groups}`;
  const v1Root = options.v1Root ?? CGROUP_V1_CPU_ROOT;
  const tried: string[] = [];
  const own = ownCpuCgroupV1(options.selfCgroup ?? readOr('/proc/self/cgroup') ?? '');
  const v1 = tryV1(v1Root, own, name, quota, tried);
  if (v1 !== undefined) return v1;
  for (const root of options.v2Roots ?? CGROUP_V2_ROOTS) {
    const v2 = tryV2(root, name, quota, tried);
    if (v2 !== undefined) return v2;
  }
  throw new S3PushError(
    `--cpu-quota ${quota} needs a CPU cgroup this process can create and limit, and found none: ${tried.join('; ')}. ` +
      'Run the bench as root on Linux with the cgroup v1 cpu controller or cgroup v2 with the cpu controller, or leave out --cpu-quota/--lambda',
    { userFault: true },
  );
}

function tryV1(root: string, own: string, name: string, quota: number, tried: string[]): CpuGroup | undefined {
  if (!existsSync(`${root}/cpu.cfs_quota_us`)) {
    tried.push(`cgroup v1: no ${root}/cpu.cfs_quota_us`);
    return undefined;
  }
  // Inside the bench's own group when it is a real folder of this hierarchy (a path of another
  // mount namespace may not be), else at the root.
  const parent = own !== '/' && existsSync(`${root}${own}/cpu.shares`) ? `${root}${own}` : root;
  const path = `${parent}/${name}`;
  try {
    mkdirSync(path);
  } catch (err) {
    tried.push(`cgroup v1: cannot create ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  try {
    writeFileSync(`${path}/cpu.cfs_period_us`, String(CFS_PERIOD_US));
    writeFileSync(`${path}/cpu.cfs_quota_us`, String(quotaMicros(quota)));
    writeFileSync(`${path}/cpu.shares`, String(1024 * QUOTA_GROUP_WEIGHT));
  } catch (err) {
    removeQuietly(path);
    tried.push(`cgroup v1: cannot set the quota in ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  return group('cgroup v1', path, quota, () => statField(`${path}/cpu.stat`, 'throttled_time') / 1e9);
}

function tryV2(root: string, name: string, quota: number, tried: string[]): CpuGroup | undefined {
  const controllers = readOr(`${root}/cgroup.controllers`);
  if (controllers === undefined) {
    tried.push(`cgroup v2: no ${root}/cgroup.controllers`);
    return undefined;
  }
  if (!controllers.split(/\s+/).includes('cpu')) {
    tried.push(`cgroup v2: the cpu controller is not available in ${root} (it is bound to a v1 hierarchy or not delegated)`);
    return undefined;
  }
  const path = `${root}/${name}`;
  try {
    // The parent must hand the cpu controller down to its children.
    if (!(readOr(`${root}/cgroup.subtree_control`) ?? '').split(/\s+/).includes('cpu')) writeFileSync(`${root}/cgroup.subtree_control`, '+cpu');
    mkdirSync(path);
  } catch (err) {
    tried.push(`cgroup v2: cannot create ${path} with the cpu controller (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  try {
    writeFileSync(`${path}/cpu.max`, `${quotaMicros(quota)} ${CFS_PERIOD_US}`);
    writeFileSync(`${path}/cpu.weight`, String(100 * QUOTA_GROUP_WEIGHT));
  } catch (err) {
    removeQuietly(path);
    tried.push(`cgroup v2: cannot write ${path}/cpu.max (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  return group('cgroup v2', path, quota, () => statField(`${path}/cpu.stat`, 'throttled_usec') / 1e6);
}

/** The quota per period in microseconds; the kernel refuses less than 1 ms. */
function quotaMicros(quota: number): number {
  return Math.max(1000, Math.round(quota * CFS_PERIOD_US));
}

function group(kind: CpuGroup['kind'], path: string, quota: number, throttledSeconds: () => number): CpuGroup {
  let removed = false;
  return {
    quota,
    kind,
    path,
    wrap(argv) {
      // `$0` is the procs file; the shell moves itself into the group, then becomes the tool.
      return ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', `${path}/cgroup.procs`, ...argv];
    },
    throttledSeconds,
    remove() {
      if (removed) return;
      removed = true;
      removeQuietly(path);
    },
  };
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function statField(file: string, field: string): number {
  const line = (readOr(file) ?? '').split('\n').find((l) => l.startsWith(`${field} `));
  return line === undefined ? Number.NaN : Number(line.slice(field.length + 1));
}

function removeQuietly(path: string): void {
  // A group whose last process is still exiting cannot be removed for a few milliseconds.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EBUSY') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}
