/**
 * Password hashes: what is stored says how it was made (so parameters can be
 * raised later), never contains the password, accepts only the right password,
 * and asks for a new hash when it was made with weaker parameters.
 */
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CURRENT_PARAMS,
  hashPassword,
  PasswordHashError,
  verifyNothing,
  verifyPassword,
} from '../../lab-server/accounts/password-hash.ts';

const PASSWORD = 'correct horse battery staple';

describe('password hashes', () => {
  it('are PHC strings naming scrypt and its parameters, salted afresh each time', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    const { ln, r, p } = CURRENT_PARAMS;
    assert.match(
      a,
      new RegExp(`^\\$scrypt\\$ln=${ln},r=${r},p=${p}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`),
    );
    assert.notEqual(a, b, 'two hashes of one password must differ (salt)');
    assert.ok(!a.includes(PASSWORD));
  });

  it('follow OWASP’s scrypt guidance: 2^15 × 8 with 3 rounds at least (32 MiB)', () => {
    assert.ok(CURRENT_PARAMS.ln >= 15 && CURRENT_PARAMS.r >= 8 && CURRENT_PARAMS.p >= 3);
  });

  it('match the right password only', async () => {
    const hash = await hashPassword(PASSWORD);
    assert.deepEqual(await verifyPassword(PASSWORD, hash), { matches: true, needsRehash: false });
    assert.equal((await verifyPassword('correct horse battery stapl', hash)).matches, false);
    assert.equal((await verifyPassword(`${PASSWORD} `, hash)).matches, false);
    assert.equal((await verifyPassword('', hash)).matches, false);
  });

  it('treat a composed and a decomposed accent as the same password', async () => {
    const hash = await hashPassword('café au lait, s’il vous plaît');
    const decomposed = 'cafe\u0301 au lait, s’il vous plaît';
    assert.equal((await verifyPassword(decomposed, hash)).matches, true);
  });

  it('made with weaker parameters still verify, and ask to be rehashed', async () => {
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
    const old = `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(key)}`;
    assert.deepEqual(await verifyPassword(PASSWORD, old), { matches: true, needsRehash: true });
  });

  it('refuse a stored hash that is not one, or asks for absurd memory', async () => {
    await assert.rejects(verifyPassword(PASSWORD, 'plaintext'), PasswordHashError);
    await assert.rejects(
      verifyPassword(PASSWORD, '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA'),
      /unusable parameters/,
    );
  });

  it('cost as much to check for nobody as for a real hash', async () => {
    const hash = await hashPassword(PASSWORD);
    await verifyNothing(PASSWORD); // the decoy is made once, on first use
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      return performance.now() - start;
    };
    const real = await time(() => verifyPassword('wrong password here', hash));
    const nobody = await time(() => verifyNothing('wrong password here'));
    assert.ok(nobody > real / 3, `a check for nobody took ${nobody} ms, a real one ${real} ms`);
  });
});
