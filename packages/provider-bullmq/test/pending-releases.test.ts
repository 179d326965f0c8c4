import { expect } from 'chai';
import sinon from 'sinon';
import { PendingReleases, RELEASE_DELAY_MS } from '../src/pending-releases.js';
import type { JobDirectory } from '../src/job-directory.js';

/** The part of a directory PendingReleases uses, recording each release call. */
function recordingDirectory(fail = false) {
  const calls: string[][] = [];
  const directory = {
    release: async (ids: readonly string[]) => {
      calls.push([...ids]);
      if (fail) throw new Error('server gone');
    },
  } as unknown as JobDirectory;
  return { directory, calls };
}

describe('PendingReleases', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('frees the ids added within the delay in one call, once it is over', async () => {
    const { directory, calls } = recordingDirectory();
    const releases = new PendingReleases(
      () => directory,
      () => undefined,
    );
    releases.add('a');
    releases.add('b');
    await clock.tickAsync(RELEASE_DELAY_MS - 1);
    releases.add('c');
    expect(calls).to.deep.equal([]);
    await clock.tickAsync(1);
    expect(calls).to.deep.equal([['a', 'b', 'c']]);
    releases.add('d');
    await clock.tickAsync(RELEASE_DELAY_MS);
    expect(calls).to.deep.equal([['a', 'b', 'c'], ['d']]);
  });

  it('does not free an id scheduled again before its release went out', async () => {
    const { directory, calls } = recordingDirectory();
    const releases = new PendingReleases(
      () => directory,
      () => undefined,
    );
    releases.add('reused');
    releases.add('other');
    releases.cancel('reused');
    await clock.tickAsync(RELEASE_DELAY_MS);
    expect(calls).to.deep.equal([['other']]);
  });

  it('flush() frees what is pending at once and waits for it', async () => {
    const { directory, calls } = recordingDirectory();
    const releases = new PendingReleases(
      () => directory,
      () => undefined,
    );
    releases.add('a');
    await releases.flush();
    expect(calls).to.deep.equal([['a']]);
    await clock.tickAsync(RELEASE_DELAY_MS);
    expect(calls).to.have.length(1);
  });

  it('reports a release that fails', async () => {
    const { directory } = recordingDirectory(true);
    const errors: unknown[] = [];
    const releases = new PendingReleases(
      () => directory,
      (error) => errors.push(error),
    );
    releases.add('a');
    await releases.flush();
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(['server gone']);
  });
});
