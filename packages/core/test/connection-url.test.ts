import { expect } from 'chai';
import { endpointOf, redactSecrets, redactUrl } from '@switchyard/core';

describe('connection URL redaction', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('redis://user:s3cret@cache.internal:6380/2')).to.equal('redis://user:***@cache.internal:6380/2');
    expect(redactUrl('mongodb://app:p%40ss@db:27017/jobs?authSource=admin')).to.equal(
      'mongodb://app:***@db:27017/jobs?authSource=admin',
    );
  });

  it('leaves URLs without a password alone', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).to.equal('redis://127.0.0.1:6379');
  });

  it('replaces an unparseable URL whole, since it may hide a secret anywhere', () => {
    expect(redactUrl('not a url with hunter2')).to.equal('[unparseable URL]');
  });

  it('removes the password from any text, raw or percent-encoded', () => {
    const url = 'mongodb://app:p%40ss@db:27017/jobs';
    const text = `auth failed for ${url} using password p@ss (p%40ss)`;
    const redacted = redactSecrets(text, url);
    expect(redacted).not.to.include('p@ss');
    expect(redacted).not.to.include('p%40ss');
    expect(redacted).to.include('db:27017');
  });

  it('masks credentials of other URLs found in the text', () => {
    expect(redactSecrets('connect redis://:topsecret@10.0.0.1:6379 failed', undefined)).to.equal(
      'connect redis://:***@10.0.0.1:6379 failed',
    );
  });

  it('finds host and port, with the default port when none is given', () => {
    expect(endpointOf('redis://:pw@cache:6380', 6379)).to.deep.equal({ host: 'cache', port: 6380 });
    expect(endpointOf('redis://cache', 6379)).to.deep.equal({ host: 'cache', port: 6379 });
    expect(endpointOf('mongodb://[::1]:27018/x', 27017)).to.deep.equal({ host: '::1', port: 27018 });
  });
});
