import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSwitchyard } from '../support/switchyard-process.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Every command a user can ask `--help` of, and what its usage line says. */
const COMMANDS = [
  [],
  ['worker'],
  ['admin'],
  ['migrate'],
  ['demo'],
  ['jobs'],
  ['jobs', 'list'],
  ['jobs', 'get'],
  ['jobs', 'stats'],
  ['jobs', 'retry'],
  ['jobs', 'cancel'],
  ['jobs', 'pause'],
  ['jobs', 'resume'],
  ['jobs', 'clean'],
];

describe('switchyard: help and bad usage', function () {
  this.timeout(60_000);

  for (const path of COMMANDS) {
    it(`switchyard ${[...path, '--help'].join(' ')}: usage and examples on stdout, exit 0`, async () => {
      const cli = runSwitchyard([...path, '--help']);
      expect(await cli.exited(), cli.stderr()).to.equal(0);
      expect(cli.stdout()).to.match(new RegExp(`^Usage: switchyard${path.map((name) => ` ${name}`).join('')} `));
      expect(cli.stdout()).to.match(/^Examples:\n {2}.*switchyard /m);
      expect(cli.stderr()).to.equal('');
    });
  }

  it('switchyard --help names every command', async () => {
    const cli = runSwitchyard(['--help']);
    await cli.exited();
    for (const name of ['worker', 'admin', 'migrate', 'jobs', 'demo'])
      expect(cli.stdout()).to.match(new RegExp(`^  ${name} `, 'm'));
  });

  it('switchyard --version prints the package version', async () => {
    const cli = runSwitchyard(['--version']);
    expect(await cli.exited()).to.equal(0);
    expect(cli.stdout()).to.equal(`${version}\n`);
  });

  const badUsage: [string[], RegExp][] = [
    [['frobnicate'], /^switchyard: unknown command 'frobnicate'$/],
    [['jobs', 'list', '--jsn'], /^switchyard jobs list: unknown option '--jsn' \(Did you mean --json\?\)$/],
    [
      ['jobs', 'list', '--limit', '0'],
      /^switchyard jobs list: option '--limit <n>' argument '0' is invalid\. must be a whole number from 1 to 1000$/,
    ],
    [
      ['jobs', 'list', '--states', 'waiting,running'],
      /^switchyard jobs list: option '--states <states>' .*unknown or unsupported state 'running'/,
    ],
    [['jobs', 'get'], /^switchyard jobs get: missing required argument 'id'$/],
    [['jobs', 'clean'], /^switchyard jobs clean: required option '--older-than <duration>' not specified$/],
    [
      ['jobs', 'clean', '--older-than', 'soon'],
      /^switchyard jobs clean: option '--older-than <duration>' argument 'soon' is invalid/,
    ],
    [['jobs', 'clean', '--older-than', '1d', '--states', 'waiting'], /--states <states>.*'waiting'/],
    [['admin', '--port', '70000'], /^switchyard admin: option '--port <n>' argument '70000' is invalid/],
    [
      ['migrate', '--from', 'kafka', '--to', 'bull'],
      /^switchyard migrate: option '--from <provider>' argument 'kafka' is invalid/,
    ],
    [
      ['migrate', '--from', 'bull', '--to', 'agenda', '--batch-size', '0'],
      /^switchyard migrate: option '--batch-size <n>' argument '0' is invalid/,
    ],
    [['worker', 'now'], /^switchyard worker: too many arguments/],
    [['jobs'], /^Usage: switchyard jobs/],
  ];
  for (const [args, message] of badUsage) {
    it(`switchyard ${args.join(' ')}: ${message.source.startsWith('^Usage') ? 'the help on stderr' : 'one line naming it'}, exit 2, nothing run`, async () => {
      const cli = runSwitchyard(args, { QUEUE_PROVIDER: 'memory' });
      expect(await cli.exited(), cli.stderr()).to.equal(2);
      expect(cli.stdout()).to.equal('');
      const lines = cli.stderr().trimEnd().split('\n');
      if (!message.source.startsWith('^Usage')) expect(lines, cli.stderr()).to.have.length(1);
      expect(lines[0]).to.match(message);
    });
  }

  it('a bad setting in the environment: every wrong variable on one line, exit 2', async () => {
    const cli = runSwitchyard(['jobs', 'stats'], { QUEUE_PROVIDER: 'kafka', JOB_CONCURRENCY: '-1' });
    expect(await cli.exited()).to.equal(2);
    expect(cli.stderr()).to.match(
      /^switchyard jobs stats: invalid configuration: QUEUE_PROVIDER 'kafka' is not one of memory \| bull \| bullmq \| agenda; JOB_CONCURRENCY .*\n$/,
    );
  });

  it('npm start, npm run migrate, npm run admin and npm run demo are the bin', () => {
    for (const [script, usage] of [
      ['start', 'worker'],
      ['migrate', 'migrate'],
      ['admin', 'admin'],
      ['demo', 'demo'],
    ]) {
      const run = spawnSync('npm', ['run', '-s', script!, '--', '--help'], { cwd: repositoryRoot, encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(new RegExp(`^Usage: switchyard ${usage} `));
    }
  });
});
