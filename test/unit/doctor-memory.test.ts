import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMemory, type EngineInfo } from '../../lab-server/cli/doctor-checks.ts';
import { loadConfig } from '../../lab-server/config.ts';

const GiB = 1024 ** 3;
/** An engine on a host of `gib` GiB. */
const host = (gib: number): EngineInfo => ({ MemTotal: gib * GiB });

// Defaults: a sandbox counts as (1 GiB memory + 2 GiB disk) ÷ 6 = 512 MiB, 1 GiB is reserved.
describe('drydock doctor: memory', () => {
  it('says how many sandboxes fit, and that the count cap, not memory, limits them', () => {
    const finding = checkMemory(loadConfig({}), host(24));
    assert.equal(finding.status, 'ok');
    assert.match(
      finding.detail,
      /room for about 46, of which DRYDOCK_MAX_SANDBOXES lets 8 run at once$/,
    );
  });

  it('warns when the count cap promises more sandboxes than memory holds, and says which cap fits', () => {
    const finding = checkMemory(loadConfig({ DRYDOCK_MAX_SANDBOXES: '60' }), host(24));
    assert.equal(finding.status, 'warn');
    assert.match(finding.detail, /room for about 46 of DRYDOCK_MAX_SANDBOXES=60$/);
    assert.match(finding.fix ?? '', /beyond about 46 sandboxes; set DRYDOCK_MAX_SANDBOXES=46/);
  });

  it('fails when not one sandbox fits beside the reserve', () => {
    const finding = checkMemory(loadConfig({}), host(1));
    assert.equal(finding.status, 'fail');
    assert.match(finding.fix ?? '', /no sandbox can start/);
  });
});
