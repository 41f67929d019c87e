import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CGROUP_V1_CPU_ROOT, CGROUP_V2_ROOTS, createCpuGroup, ownCpuCgroupV1, type CpuGroup } from '../../../bench/cpuQuota.ts';
import { S3PushError } from '../../../rules/errors.ts';

function run(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}

/** A Node process that spins one thread for `ms` of wall time and prints its own CPU ÷ wall. */
const SPIN = `const t0 = performance.now(); const c0 = process.cpuUsage();
let x = 0; while (performance.now() - t0 < Number(process.argv[1])) x++;
const c = process.cpuUsage(c0); console.log(JSON.stringify({ cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 }));`;

describe('bench/cpuQuota', function () {
  this.timeout(30_000);

  it('refuses when neither cgroup version can be written, naming what it tried (exit 2), and creates nothing', () => {
    const dir = mkdtempSync(`${tmpdir()}/s3push-no-cgroup-`);
    try {
      let err: unknown;
      try {
        createCpuGroup(0.58, { v1Root: `${dir}/cpu`, v2Roots: [dir] });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(S3PushError);
      const e = err as S3PushError;
      expect(e.exitCode).to.equal(2);
      expect(e.message).to.include(`--cpu-quota 0.58 needs a CPU cgroup`);
      expect(e.message).to.include(`cgroup v1: no ${dir}/cpu/cpu.cfs_quota_us`);
      expect(e.message).to.include(`cgroup v2: no ${dir}/cgroup.controllers`);
      expect(e.message).to.include('leave out --cpu-quota/--lambda');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => createCpuGroup(0)).to.throw(S3PushError, 'CPU quota 0: expected a positive number of CPUs');
    expect(() => createCpuGroup(Number.NaN)).to.throw(S3PushError, /expected a positive number of CPUs/);
  });

  it("reads this process's cpu group from /proc/self/cgroup, whichever controllers share the line", () => {
    expect(ownCpuCgroupV1('9:name=systemd:/\n2:cpuacct:/\n1:cpu:/heavy\n0::/\n')).to.equal('/heavy');
    expect(ownCpuCgroupV1('4:cpu,cpuacct:/user.slice/a\n3:cpuset:/x')).to.equal('/user.slice/a');
    expect(ownCpuCgroupV1('2:cpuacct:/elsewhere\n3:cpuset:/x\n0::/system.slice')).to.equal('/');
    expect(ownCpuCgroupV1('1:cpu:\n')).to.equal('/');
    expect(ownCpuCgroupV1('')).to.equal('/');
  });

  it("makes a v1 group inside the bench's own cpu group with 8 times the default shares, at the root when that group is not there", () => {
    const dir = mkdtempSync(`${tmpdir()}/s3push-cgroup-v1-`);
    try {
      writeFileSync(`${dir}/cpu.cfs_quota_us`, '-1');
      mkdirSync(`${dir}/heavy`);
      writeFileSync(`${dir}/heavy/cpu.shares`, '4096');
      const inside = createCpuGroup(0.58, { v1Root: dir, v2Roots: [], name: 'g1', selfCgroup: '2:cpuacct:/\n1:cpu:/heavy\n' });
      expect(inside.path).to.equal(`${dir}/heavy/g1`);
      expect(readFileSync(`${dir}/heavy/g1/cpu.cfs_quota_us`, 'utf8')).to.equal('58000');
      expect(readFileSync(`${dir}/heavy/g1/cpu.cfs_period_us`, 'utf8')).to.equal('100000');
      expect(readFileSync(`${dir}/heavy/g1/cpu.shares`, 'utf8')).to.equal('8192');
      const atRoot = createCpuGroup(2, { v1Root: dir, v2Roots: [], name: 'g2', selfCgroup: '1:cpu:/gone\n' });
      expect(atRoot.path).to.equal(`${dir}/g2`);
      expect(readFileSync(`${dir}/g2/cpu.shares`, 'utf8')).to.equal('8192');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the throttled time in the unit of each version: v1 nanoseconds, v2 microseconds', () => {
    const dir = mkdtempSync(`${tmpdir()}/s3push-cgroup-stat-`);
    try {
      writeFileSync(`${dir}/cpu.cfs_quota_us`, '-1');
      const v1 = createCpuGroup(0.58, { v1Root: dir, v2Roots: [], name: 'g1', selfCgroup: '' });
      expect(v1.throttledSeconds(), 'no cpu.stat yet').to.be.NaN;
      writeFileSync(`${dir}/g1/cpu.stat`, 'nr_periods 40\nnr_throttled 12\nthrottled_time 1500000000\n');
      expect(v1.throttledSeconds()).to.equal(1.5);
      mkdirSync(`${dir}/v2`);
      writeFileSync(`${dir}/v2/cgroup.controllers`, 'cpuset cpu io memory pids');
      writeFileSync(`${dir}/v2/cgroup.subtree_control`, 'cpu memory');
      const v2 = createCpuGroup(0.58, { v1Root: `${dir}/none`, v2Roots: [`${dir}/v2`], name: 'g2' });
      writeFileSync(`${dir}/v2/g2/cpu.stat`, 'usage_usec 900000\nnr_throttled 12\nthrottled_usec 250000\nnr_bursts 0\n');
      expect(v2.throttledSeconds()).to.equal(0.25);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a v2 group with cpu.max and 8 times the default weight, handing the cpu controller down first; refuses a root without it', () => {
    const dir = mkdtempSync(`${tmpdir()}/s3push-cgroup-v2-`);
    try {
      mkdirSync(`${dir}/root`);
      writeFileSync(`${dir}/root/cgroup.controllers`, 'cpuset cpu io memory pids');
      writeFileSync(`${dir}/root/cgroup.subtree_control`, 'memory');
      const group = createCpuGroup(0.58, { v1Root: `${dir}/v1`, v2Roots: [`${dir}/root`], name: 'g' });
      expect(group).to.deep.include({ kind: 'cgroup v2', path: `${dir}/root/g`, quota: 0.58 });
      expect(readFileSync(`${dir}/root/cgroup.subtree_control`, 'utf8')).to.equal('+cpu');
      expect(readFileSync(`${dir}/root/g/cpu.max`, 'utf8')).to.equal('58000 100000');
      expect(readFileSync(`${dir}/root/g/cpu.weight`, 'utf8')).to.equal('800');
      // The kernel refuses a quota under 1 ms per period.
      createCpuGroup(0.001, { v1Root: `${dir}/v1`, v2Roots: [`${dir}/root`], name: 'tiny' });
      expect(readFileSync(`${dir}/root/tiny/cpu.max`, 'utf8')).to.equal('1000 100000');
      // The tool's command line: the shell joins the group, then becomes the tool.
      expect(group.wrap(['rclone', 'copy', 'a b'])).to.deep.equal(['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', `${dir}/root/g/cgroup.procs`, 'rclone', 'copy', 'a b']);

      mkdirSync(`${dir}/bound`);
      writeFileSync(`${dir}/bound/cgroup.controllers`, 'cpuset io memory pids');
      expect(() => createCpuGroup(1, { v1Root: `${dir}/v1`, v2Roots: [`${dir}/bound`], name: 'h' })).to.throw(S3PushError, `cgroup v2: the cpu controller is not available in ${dir}/bound`);
      expect(existsSync(`${dir}/bound/h`), 'nothing made').to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on this machine', () => {
    let group: CpuGroup | undefined;
    before(function () {
      const writable = existsSync(`${CGROUP_V1_CPU_ROOT}/cpu.cfs_quota_us`) || CGROUP_V2_ROOTS.some((r) => existsSync(`${r}/cgroup.controllers`));
      if (!writable || process.getuid?.() !== 0) this.skip();
    });
    afterEach(() => {
      group?.remove();
      if (group !== undefined) expect(existsSync(group.path), `${group.path} removed`).to.equal(false);
      group = undefined;
    });

    it('holds a spinning process near its quota: CPU over wall at most the quota + 10 %', async () => {
      group = createCpuGroup(0.3);
      expect(group.quota).to.equal(0.3);
      const out = JSON.parse(await run(group.wrap([process.execPath, '-e', SPIN, '1500']))) as { cpu: number; wall: number };
      expect(out.wall).to.be.at.least(1.5);
      expect(out.cpu / out.wall).to.be.at.most(0.3 * 1.1);
      // It ran at all (a machine this loaded still gives it a share).
      expect(out.cpu).to.be.above(0.03);
      expect(group.throttledSeconds()).to.be.at.least(0);
    });

    it("is made inside this process's own cpu group, weighted 8 times the default", function () {
      if (!existsSync(`${CGROUP_V1_CPU_ROOT}/cpu.cfs_quota_us`)) this.skip();
      group = createCpuGroup(0.5);
      const own = ownCpuCgroupV1(readFileSync('/proc/self/cgroup', 'utf8'));
      expect(group.path).to.equal(`${CGROUP_V1_CPU_ROOT}${own === '/' ? '' : own}/${group.path.slice(group.path.lastIndexOf('/') + 1)}`);
      expect(readFileSync(`${group.path}/cpu.shares`, 'utf8').trim()).to.equal('8192');
    });

    it('holds every process the tool starts: a grandchild is in the group too', async () => {
      group = createCpuGroup(1);
      const name = group.path.slice(group.path.lastIndexOf('/') + 1);
      const out = await run(group.wrap(['/bin/sh', '-c', 'sh -c "cat /proc/self/cgroup"']));
      expect(out.split('\n').some((l) => l.endsWith(`/${name}`) && (l.includes(':cpu:') || l.includes(':cpu,') || l.startsWith('0::'))), out).to.equal(true);
    });
  });
});
