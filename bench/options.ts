/** The command line of `npm run bench`. Pure. */

export interface BenchOptions {
  /** A small run for CI: few objects, one round, no concurrency curve, no deploy. */
  readonly quick: boolean;
  /** Rounds of every cold + warm measurement, tools alternated. Default 3 (1 with --quick). */
  readonly rounds: number;
  /** Objects in the small-object day. Default 2,500 (150 with --quick). */
  readonly smallCount: number;
  /** Objects in the large-object day. Default 50 (3 with --quick). */
  readonly largeCount: number;
  /** COPY_CONCURRENCY values of the handler's curve. Default 1,4,16,64 (none with --quick). */
  readonly curve: number[];
  /** Rounds of the curve. Default 2. */
  readonly curveRounds: number;
  /** Measure the no-op deploy against moto. Default true (false with --quick). */
  readonly deploy: boolean;
  /** Only these tool ids (default: all). */
  readonly only: string[] | undefined;
  /** Where the JSON results go. Default bench/results/latest.json (.bench/quick.json with --quick). */
  readonly out: string;
  /** Install missing Debian packages (Ceph, rclone, time) with apt-get. Default true. */
  readonly install: boolean;
  /**
   * Scheduling niceness (-20…19) for the bench, the Ceph daemons and every tool alike. Default 0.
   * On a machine shared with other work, a negative value keeps that work from deciding the wall
   * times (needs root).
   */
  readonly nice: number;
}

export const BENCH_USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--small N] [--large N] [--curve 1,4,16,64 | --curve none]
                        [--curve-rounds N] [--no-deploy] [--only s3-push,aws-sync,…] [--out FILE] [--no-install] [--nice N]`;

/** Thrown for a bad flag; the main prints it with the usage and exits 2. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** Parses the flags; every default is documented on {@link BenchOptions}. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  let rounds = quick ? 1 : 3;
  let smallCount = quick ? 150 : 2500;
  let largeCount = quick ? 3 : 50;
  let curve = quick ? [] : [1, 4, 16, 64];
  let curveRounds = 2;
  let deploy = !quick;
  let only: string[] | undefined;
  let out = quick ? '.bench/quick.json' : 'bench/results/latest.json';
  let install = true;
  let nice = 0;

  const count = (flag: string, v: string | undefined, min: number, max: number): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new BenchUsageError(`${flag} is ${v === undefined ? 'missing its value' : JSON.stringify(v)}: expected a whole number from ${min} to ${max}`);
    }
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--rounds':
        rounds = count(flag, value(), 1, 50);
        break;
      case '--small':
        smallCount = count(flag, value(), 0, 100_000);
        break;
      case '--large':
        largeCount = count(flag, value(), 0, 200);
        break;
      case '--curve': {
        const v = value();
        if (v === 'none') curve = [];
        else if (v !== undefined && /^\d+(,\d+)*$/.test(v) && v.split(',').every((x) => Number(x) >= 1 && Number(x) <= 256)) curve = v.split(',').map(Number);
        else throw new BenchUsageError(`--curve is ${v === undefined ? 'missing its value' : JSON.stringify(v)}: expected COPY_CONCURRENCY values from 1 to 256 separated by commas (e.g. 1,4,16,64), or none`);
        break;
      }
      case '--curve-rounds':
        curveRounds = count(flag, value(), 1, 20);
        break;
      case '--no-deploy':
        deploy = false;
        break;
      case '--only': {
        const v = value();
        if (v === undefined || v === '' || v.startsWith('--')) throw new BenchUsageError('--only is missing its value: expected tool ids separated by commas (s3-push,aws-sync,aws-cp,rclone,rclone-tuned,naive-sdk,s3-sync-client)');
        only = v.split(',');
        break;
      }
      case '--out': {
        const v = value();
        if (v === undefined || v === '' || v.startsWith('--')) throw new BenchUsageError('--out is missing its value: expected a file path');
        out = v;
        break;
      }
      case '--no-install':
        install = false;
        break;
      case '--nice': {
        const v = value();
        if (v === undefined || !/^-?\d+$/.test(v) || Number(v) < -20 || Number(v) > 19) {
          throw new BenchUsageError(`--nice is ${v === undefined ? 'missing its value' : JSON.stringify(v)}: expected a niceness from -20 to 19`);
        }
        nice = Number(v);
        break;
      }
      default:
        throw new BenchUsageError(`unknown flag ${JSON.stringify(flag)}`);
    }
  }
  return { quick, rounds, smallCount, largeCount, curve, curveRounds, deploy, only, out, install, nice };
}
