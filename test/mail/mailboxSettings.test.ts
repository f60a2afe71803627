import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { readMailbox } from '../../src/mail/mailboxSettings.js';
import { SecretBox } from '../../src/secrets/secretBox.js';

const mailbox = (over: Record<string, unknown> = {}) => ({
  channel: 'email',
  name: 'Kundenservice',
  data: {
    email: 'service@stadtwerke.example',
    imap: { host: 'imap.stadtwerke.example', port: 993, secure: true, user: 'service', password: 'imap-secret-1', folder: 'INBOX' },
    smtp: { host: 'smtp.stadtwerke.example', port: 465, secure: true, user: 'service', password: 'smtp-secret-2', fromName: 'Stadtwerke Kundenservice' },
    ...over,
  },
});

describeEachDb('mailbox settings in the email subchannel', (app) => {
  it('passwords are stored sealed, never returned, and decrypt for the fetcher and sender', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/settings/subchannel', mailbox());
    assert.equal(res.statusCode, 200, res.body);
    const id = res.json().id as number;

    const list = await t.call('GET', '/api/mind/settings/subchannel');
    assert.ok(!list.body.includes('imap-secret-1') && !list.body.includes('smtp-secret-2'), 'no password in the list');
    assert.ok(!list.body.includes('passwordSealed'), 'not even sealed');
    const one = await t.call('GET', `/api/mind/settings/subchannel/${id}`);
    assert.equal(one.statusCode, 200, one.body);
    const data = one.json().subchannel.data;
    assert.equal(data.imap.passwordSet, true);
    assert.equal(data.smtp.fromName, 'Stadtwerke Kundenservice');
    assert.equal(data.imap.password, undefined);

    const row = await t.ctx.db.kysely.selectFrom('subchannels').select('data').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!row.data!.includes('imap-secret-1') && !row.data!.includes('smtp-secret-2'), 'the database holds no plain password');

    const m = await readMailbox(t.ctx.db, t.ctx.secretBox, id);
    assert.equal(m?.imap?.password, 'imap-secret-1');
    assert.equal(m?.smtp?.password, 'smtp-secret-2');
    assert.equal(m?.email, 'service@stadtwerke.example');
    assert.equal(m?.imap?.tlsVerify, true);
  });

  it('PATCH without a password keeps the stored one; a new one replaces it; null clears the SMTP one', async () => {
    const t = app();
    const id = (await t.call('POST', '/api/mind/settings/subchannel', mailbox())).json().id as number;
    const { imap, smtp } = mailbox().data;
    const { password: _i, ...imapNoPw } = imap;
    let res = await t.call('PATCH', `/api/mind/settings/subchannel/${id}`, { name: 'Service', data: { email: 'service@stadtwerke.example', imap: { ...imapNoPw, port: 143, secure: false }, smtp } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().subchannel.name, 'Service');
    let m = await readMailbox(t.ctx.db, t.ctx.secretBox, id);
    assert.equal(m?.imap?.password, 'imap-secret-1');
    assert.equal(m?.imap?.port, 143);
    res = await t.call('PATCH', `/api/mind/settings/subchannel/${id}`, { data: { email: 'service@stadtwerke.example', imap: { ...imap, password: 'new-imap-3' }, smtp: { ...smtp, password: null } } });
    assert.equal(res.statusCode, 200, res.body);
    m = await readMailbox(t.ctx.db, t.ctx.secretBox, id);
    assert.equal(m?.imap?.password, 'new-imap-3');
    assert.equal(m?.smtp?.password, null);
    assert.equal(res.json().subchannel.data.smtp.passwordSet, false);
  });

  it('bad settings are a 422 naming the field, and nothing is written', async () => {
    const t = app();
    const before = (await t.call('GET', '/api/mind/settings/subchannel')).json().subchannels.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ imap: { ...mailbox().data.imap, port: 70000 } }, 'data.imap.port'],
      [{ imap: { ...mailbox().data.imap, port: '993' } }, 'data.imap.port'],
      [{ smtp: { port: 465, secure: true } }, 'data.smtp.host'],
      [{ imap: { ...mailbox().data.imap, hots: 'typo' } }, 'data.imap.hots'],
      [{ imap: { ...mailbox().data.imap, password: undefined } }, 'data.imap.password'],
      [{ email: 'not an address' }, 'data.email'],
    ];
    for (const [over, field] of cases) {
      const res = await t.call('POST', '/api/mind/settings/subchannel', mailbox(over));
      assert.equal(res.statusCode, 422, `${field}: ${res.body}`);
      assert.equal(res.json().error.field, field, res.body);
    }
    assert.equal((await t.call('GET', '/api/mind/settings/subchannel')).json().subchannels.length, before);
  });

  it('without SECRET_KEY the key is a 0600 file in DATA_DIR; another key cannot open the secrets', async () => {
    const t = app();
    const file = path.join(t.dataDir, 'secret.key');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const sealed = t.ctx.secretBox.seal('geheim');
    assert.equal(SecretBox.fromConfig({ SECRET_KEY: '', DATA_DIR: t.dataDir }).open(sealed), 'geheim', 'the same file gives the same key');
    const other = SecretBox.fromConfig({ SECRET_KEY: 'x'.repeat(40), DATA_DIR: t.dataDir });
    assert.throws(() => other.open(sealed), /cannot be decrypted with this key \(SECRET_KEY\)/);
  });
});
