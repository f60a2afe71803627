import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage } from '../../src/ai/language.js';

describe('detectLanguage', () => {
  it('tells German from English in sentences and short requests', () => {
    assert.equal(detectLanguage('Guten Tag, ich möchte meinen Zählerstand melden.'), 'de');
    assert.equal(detectLanguage('Hallo, ich ziehe naechsten Monat um und brauche eine neue Adresse'), 'de');
    assert.equal(detectLanguage('Kennwort vergessen'), 'de');
    assert.equal(detectLanguage('Zählerstand 12345'), 'de');
    assert.equal(detectLanguage('Hello, I would like to submit my meter reading.'), 'en');
    assert.equal(detectLanguage('forgot password'), 'en');
    assert.equal(detectLanguage('Please cancel my contract, thanks'), 'en');
  });

  it('reads a German mail with an English signature line as German', () => {
    assert.equal(detectLanguage('Sehr geehrte Damen und Herren,\nbitte ändern Sie meine Bankverbindung.\nMit freundlichen Grüßen\nJohn Smith\nSent from my iPhone'), 'de');
  });

  it('returns null for too little text or another language', () => {
    for (const t of ['', 'ok', '12345', 'Max Mustermann', 'Bonjour, je voudrais résilier mon contrat', 'Hola, quiero cambiar mi tarifa']) {
      assert.equal(detectLanguage(t), null, t);
    }
  });
});
