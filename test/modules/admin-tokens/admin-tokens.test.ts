// Admin tokens on both engines, through the composition root as the CLI uses them: the stored row holds the token's
// SHA-256, never the token; creating and revoking one is audited in the same transaction, under the operator's actor
// (never the token), and a refused revoke records nothing.
import { createHash } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { Sesame } from '../../../src/sesame.js';
import { describeEngines, useFreshStorage } from '../../support/engines.js';
import { useServices } from '../../support/in-process.js';

const OPERATOR = { actor: 'cli:ops' };

describeEngines('admin tokens', (engine) => {
  const storage = useFreshStorage(engine);
  const build = useServices(storage, { BCRYPT_COST: '4' }, Date.now);
  let sesame: Sesame;
  beforeEach(async () => {
    sesame = await build();
  });

  /** The audit rows of admin-token events, oldest first. */
  async function tokenEvents() {
    return (await sesame.audit.list({ limit: 100 })).filter((event) => event.type.startsWith('admin_token.')).reverse();
  }

  it('stores the SHA-256 of the token, never the token itself, and the token (only) still opens the door', async () => {
    const { id, token } = await sesame.adminTokens.create('hash pin', OPERATOR);
    const row = await storage().kysely.selectFrom('admin_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // Computed here, not by the code under test, so a hash replaced by anything else (the identity) is caught.
    expect(row.token_hash).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    const secret = token.slice('sesame_admin_'.length);
    for (const [column, value] of Object.entries(row)) expect(String(value), column).not.toContain(secret);
    expect(await sesame.adminTokens.check(token)).toEqual({ tokenId: id, actor: `admin-token:${id}` });
    expect(await sesame.adminTokens.check(row.token_hash)).toBeNull();
  });

  it('create and revoke are audited with the operator as actor, the token id and name as detail, and never the token', async () => {
    const { id, token } = await sesame.adminTokens.create('deploy bot', OPERATOR);
    expect(await sesame.adminTokens.revoke(id, OPERATOR)).toBe(true);
    const events = await tokenEvents();
    expect(events.map((event) => [event.type, event.actor, event.user_id, event.detail === null ? null : JSON.parse(event.detail)])).toEqual([
      ['admin_token.created', 'cli:ops', null, { tokenId: id, name: 'deploy bot' }],
      ['admin_token.revoked', 'cli:ops', null, { tokenId: id }],
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(token.slice('sesame_admin_'.length));
    const [listed] = await sesame.adminTokens.list();
    expect(listed?.createdBy).toBe('cli:ops');
  });

  it('a revoke that finds no live token changes and records nothing', async () => {
    const { id } = await sesame.adminTokens.create('short-lived', OPERATOR);
    expect(await sesame.adminTokens.revoke(id, OPERATOR)).toBe(true);
    expect(await sesame.adminTokens.revoke(id, OPERATOR)).toBe(false);
    expect(await sesame.adminTokens.revoke(id + 100, OPERATOR)).toBe(false);
    expect((await tokenEvents()).map((event) => event.type)).toEqual(['admin_token.created', 'admin_token.revoked']);
  });
});
