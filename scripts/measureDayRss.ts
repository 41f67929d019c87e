/**
 * Peak resident memory of the deployed handler (the bundle in the zip, run once as Lambda would)
 * on a dry run of days of different sizes, against a local stand-in for S3 and STS that serves
 * ListObjectsV2 pages of synthetic keys (1,000 a page, as S3 does), an empty destination and
 * AssumeRole. The dry run lists both sides and plans every object as missing: the handler's whole
 * listing and planning path, its SDK, XML parsing and HTTP, with no copy to wait for. The stand-in
 * runs in this process; the handler in a child under /usr/bin/time.
 *
 *   npx tsx scripts/measureDayRss.ts --keys 1000,100000 [--repeat 2]
 *
 * It prints one JSON line per run and a summary: the peak RSS of each day size and the ratio of
 * the largest to the smallest.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildBenchTools } from '../bench/build.ts';
import { runMeasured } from '../bench/measure.ts';
import { numberListFlag, parseCommandLine, throwIfProblems, wholeNumberFlag } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const USAGE = `usage: npx tsx scripts/measureDayRss.ts [--keys LIST] [--repeat N]
  --keys LIST  day sizes, comma-separated whole numbers (1-10000000 each; default 1000,100000)
  --repeat N   runs per size (1-100; default 1)`;

function parseOptions(argv: readonly string[]): { sizes: number[]; repeat: number } {
  const { values, problems } = parseCommandLine(argv, { keys: { type: 'string', value: 'LIST' }, repeat: { type: 'string', value: 'N' } });
  const options = {
    sizes: numberListFlag('--keys', values.keys, 1, 10_000_000, problems) ?? [1000, 100_000],
    repeat: wholeNumberFlag('--repeat', values.repeat, 1, 100, problems) ?? 1,
  };
  throwIfProblems(problems);
  return options;
}

const DAY = '2024/01/01/';
const keyAt = (i: number): string => `${DAY}part-${String(i).padStart(8, '0')}.json`;
let dayKeys = 0;

function listPage(url: URL): string {
  const prefix = url.searchParams.get('prefix') ?? '';
  const token = url.searchParams.get('continuation-token');
  // The destination (and any other prefix) is empty; the source day has `dayKeys` keys.
  const count = prefix === DAY && url.pathname.startsWith('/source') ? dayKeys : 0;
  const start = token === null ? 0 : Number(token);
  const end = Math.min(count, start + 1000);
  const contents: string[] = [];
  for (let i = start; i < end; i++) {
    contents.push(`<Contents><Key>${encodeURIComponent(keyAt(i))}</Key><LastModified>2024-01-02T00:00:00.000Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>`);
  }
  const more = end < count;
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><Prefix>${prefix}</Prefix><KeyCount>${end - start}</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>${more}</IsTruncated>${contents.join('')}${more ? `<NextContinuationToken>${end}</NextContinuationToken>` : ''}</ListBucketResult>`;
}

const ASSUME_ROLE = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIASTANDIN</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s3-push</AssumedRoleId><Arn>arn:aws:sts::210987654321:assumed-role/s3-push-writer/s3-push</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`;

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = req.method === 'POST' ? ASSUME_ROLE : url.searchParams.get('list-type') === '2' ? listPage(url) : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/xml' });
    res.end(body ?? '<Error><Code>NotImplemented</Code><Message>stand-in</Message></Error>');
  });
});
async function main({ sizes, repeat }: { sizes: number[]; repeat: number }): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const work = mkdtempSync(`${tmpdir()}/s3-push-rss-`);
  try {
    const build = await buildBenchTools(`${work}/build`);
    const peaks = new Map<number, number[]>();
    for (let r = 0; r < repeat; r++) {
      for (const n of sizes) {
        dayKeys = n;
        const m = await runMeasured([process.execPath, build.runHandler, JSON.stringify({ dates: ['2024-01-01'], dryRun: true }), `${work}/summary.json`], {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: work,
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: endpoint,
          AWS_ACCESS_KEY_ID: 'AKIASTANDIN',
          AWS_SECRET_ACCESS_KEY: 'secret',
          SOURCE_BUCKET: 'source',
          DESTINATION_BUCKET: 'destination',
          DESTINATION_ROLE_ARN: 'arn:aws:iam::210987654321:role/s3-push-writer',
        });
        if (m.exitCode !== 0) throw new Error(`handler exited ${m.exitCode} on ${n} keys: ${m.stderrTail}`);
        peaks.set(n, [...(peaks.get(n) ?? []), m.maxRssMiB]);
        console.log(JSON.stringify({ keys: n, maxRssMiB: m.maxRssMiB, wallSeconds: +m.wallSeconds.toFixed(2), cpuSeconds: +m.cpuSeconds.toFixed(2) }));
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    const small = median(peaks.get(Math.min(...sizes))!);
    const large = median(peaks.get(Math.max(...sizes))!);
    console.log(JSON.stringify({ summary: Object.fromEntries([...peaks].map(([n, p]) => [n, median(p)])), ratioLargestToSmallest: +(large / small).toFixed(2) }));
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await runCommand({ name: 'measureDayRss', usage: USAGE, parse: parseOptions, run: main });
