import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';

/** `name` and `checkHealth`. */
export function describeHealth(fixture: ContractFixture): void {
  describe('health', () => {
    it('has the name the contract was run with', async () => {
      const provider = await fixture.connectedProvider();
      expect(provider.name).to.equal(fixture.providerName);
    });

    it('reports healthy with its provider name and a latency once connected', async () => {
      const provider = await fixture.connectedProvider();
      const health = await provider.checkHealth();

      expect(health.healthy).to.equal(true);
      expect(health.provider).to.equal(fixture.providerName);
      expect(health.latencyMs).to.be.a('number').that.is.at.least(0);
      expect(health.error).to.equal(undefined);
    });

    it('reports unhealthy, saying it is closed, once closed', async () => {
      const provider = await fixture.connectedProvider();
      await provider.close({ timeoutMs: 100 });
      const health = await provider.checkHealth();

      expect(health).to.deep.equal({
        healthy: false,
        provider: fixture.providerName,
        latencyMs: 0,
        error: 'provider is closed',
      });
    });
  });
}
