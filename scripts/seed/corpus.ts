// Realistic-shaped utility customer service: German and English mails about meter readings,
// moves, cancellations, instalments, bank details, invoices, tariffs and passwords, with the
// agents' answers. Deterministic (a seeded PRNG), so two runs with one seed write the same rows.

import { makeRng } from '../../src/ai/intents/linearModel.js';

/** Mulberry32, the intent trainer's seeded PRNG: small, fast, good enough to pick words; not for anything secret. */
export const prng: (seed: number) => () => number = makeRng;

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
/** A value by weight: [[value, weight], …]. */
export function weighted<T>(r: Rand, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1]![0];
}

const FIRST = ['Anna', 'Max', 'Sophie', 'Lukas', 'Marie', 'Jonas', 'Lea', 'Felix', 'Laura', 'Paul', 'Julia', 'Tim', 'Sarah', 'Jan', 'Lisa',
  'Emma', 'Noah', 'Mia', 'Ben', 'Hannah', 'Oliver', 'Emily', 'James', 'Charlotte', 'Mehmet', 'Ayşe', 'Zoë', 'René', 'Jürgen', 'Dörte'];
const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter',
  'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Smith', 'Jones',
  'Brown', 'Yılmaz', 'Kowalski', 'Nowak', 'Öztürk', 'Bäcker', 'Groß', 'Weiß', 'Köhler', 'Jäger', 'Böhm'];
const STREETS = ['Hauptstraße', 'Schulstraße', 'Gartenstraße', 'Bahnhofstraße', 'Lindenweg', 'Birkenallee', 'Am Markt', 'Mühlenweg', 'Königsallee', 'Rosenstraße'];
const CITIES = ['Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt', 'Stuttgart', 'Düsseldorf', 'Leipzig', 'Dortmund', 'Essen', 'Bremen', 'Dresden',
  'Hannover', 'Nürnberg', 'Lübeck', 'Würzburg', 'Göttingen', 'Münster'];
const MAIL_DOMAINS = ['web.de', 'gmx.de', 'gmail.com', 't-online.de', 'outlook.com', 'posteo.de', 'yahoo.de'];

export interface Customer {
  name: string;
  email: string;
  customerId: string;
  contractId: string;
  meter: string;
  street: string;
  city: string;
}

export function customer(r: Rand, n: number): Customer {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, 'x');
  return {
    name: `${first} ${last}`,
    email: `${local}${n % 1000}@${pick(r, MAIL_DOMAINS)}`,
    customerId: String(100000000 + n),
    contractId: `${4000 + (n % 5000)}-${String(n).padStart(7, '0')}`,
    meter: `1ESY${1100000000 + ((n * 7919) % 899999999)}`,
    street: `${pick(r, STREETS)} ${int(r, 1, 120)}`,
    city: `${String(int(r, 10000, 99999))} ${pick(r, CITIES)}`,
  };
}

export type Lang = 'de' | 'en';

interface Topic {
  /** ai_agents.code of the shipped catalogue (data/ai-agents.json) */
  code: string;
  subject: Record<Lang, (c: Customer, r: Rand) => string>;
  ask: Record<Lang, (c: Customer, r: Rand) => string>;
  answer: Record<Lang, (c: Customer, r: Rand) => string>;
}

const date = (r: Rand) => `${String(int(r, 1, 28)).padStart(2, '0')}.${String(int(r, 1, 12)).padStart(2, '0')}.${int(r, 2023, 2026)}`;
const euro = (r: Rand) => `${int(r, 35, 240)},${String(int(r, 0, 99)).padStart(2, '0')} €`;
const reading = (r: Rand) => `${int(r, 1000, 99999)},${int(r, 0, 9)}`;
const iban = (r: Rand) => `DE${int(r, 10, 99)} ${int(r, 1000, 9999)} ${int(r, 1000, 9999)} ${int(r, 1000, 9999)} ${int(r, 1000, 9999)} ${int(r, 10, 99)}`;

export const TOPICS: readonly Topic[] = [
  {
    code: 'ai_agent_meter_reading',
    subject: { de: (c) => `Zählerstand ${c.meter}`, en: (c) => `Meter reading ${c.meter}` },
    ask: {
      de: (c, r) => `hiermit teile ich Ihnen meinen aktuellen Zählerstand mit. Der Stromzähler mit der Nummer ${c.meter} zeigt am ${date(r)} ${reading(r)} kWh. Bitte passen Sie meinen Abschlag entsprechend an, ich habe deutlich weniger verbraucht als geschätzt.`,
      en: (c, r) => `please find my current meter reading below. The electricity meter ${c.meter} showed ${reading(r)} kWh on ${date(r)}. Could you adjust my monthly payment, as I used far less than estimated?`,
    },
    answer: {
      de: () => 'vielen Dank für die Übermittlung Ihres Zählerstands. Wir haben ihn erfasst und Ihren Abschlag neu berechnet; die Bestätigung erhalten Sie in den nächsten Tagen per Post.',
      en: () => 'thank you for sending your meter reading. We have recorded it and recalculated your monthly payment; you will receive the confirmation by post within a few days.',
    },
  },
  {
    code: 'ai_agent_move',
    subject: { de: (c) => `Umzug nach ${c.city.split(' ')[1]}`, en: (c) => `Moving to ${c.city.split(' ')[1]}` },
    ask: {
      de: (c, r) => `zum ${date(r)} ziehe ich in eine neue Wohnung (${c.street}, ${c.city}). Kann ich meinen Vertrag ${c.contractId} mitnehmen oder muss ich dafür ein Formular ausfüllen? Den Zählerstand reiche ich nach der Übergabe nach.`,
      en: (c, r) => `I am moving to a new flat (${c.street}, ${c.city}) on ${date(r)}. Can I take my contract ${c.contractId} with me, or is there a form to fill in? I will send the meter reading after the handover.`,
    },
    answer: {
      de: () => 'gerne nehmen wir Ihren Vertrag an die neue Adresse mit. Bitte senden Sie uns nach dem Einzug den Zählerstand der neuen Wohnung sowie den Auszugszählerstand.',
      en: () => 'we are happy to move your contract to the new address. Please send us the meter readings of the old and the new flat after the move.',
    },
  },
  {
    code: 'ai_agent_contract_termination',
    subject: { de: (c) => `Kündigung Vertrag ${c.contractId}`, en: (c) => `Cancellation of contract ${c.contractId}` },
    ask: {
      de: (c, r) => `hiermit kündige ich meinen Vertrag ${c.contractId} fristgerecht zum ${date(r)}. Bitte bestätigen Sie mir die Kündigung schriftlich und senden Sie mir die Schlussrechnung an ${c.street}, ${c.city}.`,
      en: (c, r) => `I hereby cancel my contract ${c.contractId} with effect from ${date(r)}. Please confirm the cancellation in writing and send the final invoice to ${c.street}, ${c.city}.`,
    },
    answer: {
      de: (_c, r) => `wir bestätigen die Kündigung Ihres Vertrags zum ${date(r)}. Die Schlussrechnung erhalten Sie nach Ablesung des Zählers. Schade, dass Sie uns verlassen.`,
      en: (_c, r) => `we confirm the cancellation of your contract as of ${date(r)}. You will receive the final invoice once the meter has been read. We are sorry to see you go.`,
    },
  },
  {
    code: 'ai_agent_installment_change',
    subject: { de: () => 'Abschlag anpassen', en: () => 'Change of monthly instalment' },
    ask: {
      de: (c, r) => `mein monatlicher Abschlag von ${euro(r)} ist viel zu hoch. Bitte senken Sie ihn auf ${euro(r)}. Meine Kundennummer ist ${c.customerId}.`,
      en: (c, r) => `my monthly instalment of ${euro(r)} is far too high. Please lower it to ${euro(r)}. My customer number is ${c.customerId}.`,
    },
    answer: {
      de: (_c, r) => `wir haben Ihren Abschlag ab dem nächsten Monat auf ${euro(r)} angepasst. Eine Bestätigung finden Sie auch im Kundenportal.`,
      en: (_c, r) => `we have changed your instalment to ${euro(r)} from next month. You will also find the confirmation in the customer portal.`,
    },
  },
  {
    code: 'ai_agent_bank_details_change',
    subject: { de: () => 'Neue Bankverbindung', en: () => 'New bank details' },
    ask: {
      de: (_c, r) => `bitte buchen Sie die Abschläge ab sofort von meinem neuen Konto ab: IBAN ${iban(r)}. Das SEPA-Lastschriftmandat erteile ich hiermit.`,
      en: (_c, r) => `please collect the payments from my new account from now on: IBAN ${iban(r)}. I hereby grant the SEPA direct debit mandate.`,
    },
    answer: {
      de: () => 'vielen Dank, wir haben Ihre neue Bankverbindung hinterlegt. Die nächste Abbuchung erfolgt von dem neuen Konto.',
      en: () => 'thank you, we have stored your new bank details. The next payment will be collected from the new account.',
    },
  },
  {
    code: 'ai_agent_invoice_question',
    subject: { de: (_c, r) => `Frage zur Rechnung vom ${date(r)}`, en: (_c, r) => `Question about the invoice of ${date(r)}` },
    ask: {
      de: (_c, r) => `in meiner letzten Rechnung ist eine Grundgebühr von ${euro(r)} aufgeführt, die höher ist als im Vertrag vereinbart. Außerdem fehlt die Gutschrift von ${euro(r)}. Könnten Sie das bitte prüfen?`,
      en: (_c, r) => `my last invoice shows a standing charge of ${euro(r)}, higher than agreed in the contract. The credit of ${euro(r)} is also missing. Could you please check this?`,
    },
    answer: {
      de: () => 'wir haben Ihre Rechnung geprüft: Die Grundgebühr wurde versehentlich nach dem alten Tarif berechnet. Sie erhalten eine korrigierte Rechnung und die Gutschrift mit der nächsten Abrechnung.',
      en: () => 'we have checked your invoice: the standing charge was calculated on the old tariff by mistake. You will receive a corrected invoice and the credit with the next bill.',
    },
  },
  {
    code: 'ai_agent_tariff_change',
    subject: { de: () => 'Tarifwechsel Ökostrom', en: () => 'Switch to the green tariff' },
    ask: {
      de: (c) => `ich möchte in Ihren Ökostrom-Tarif wechseln. Ist das für meinen Vertrag ${c.contractId} zum nächsten Monat möglich, und ändert sich dadurch die Laufzeit?`,
      en: (c) => `I would like to switch to your green electricity tariff. Is that possible for my contract ${c.contractId} from next month, and does it change the term?`,
    },
    answer: {
      de: () => 'der Wechsel in den Ökostrom-Tarif ist zum Monatsersten möglich; die Laufzeit beginnt nicht neu. Die Auftragsbestätigung senden wir Ihnen per E-Mail.',
      en: () => 'switching to the green tariff is possible from the first of the month; the term does not restart. We will email you the order confirmation.',
    },
  },
  {
    code: 'ai_agent_password_reset',
    subject: { de: () => 'Passwort Kundenportal vergessen', en: () => 'Forgot my portal password' },
    ask: {
      de: (c) => `ich komme nicht mehr in das Kundenportal, das Passwort wird nicht akzeptiert und die Zurücksetzen-Mail kommt nicht an. Meine E-Mail-Adresse ist ${c.email}.`,
      en: (c) => `I cannot log in to the customer portal any more; the password is refused and the reset email never arrives. My email address is ${c.email}.`,
    },
    answer: {
      de: () => 'wir haben Ihr Konto entsperrt und Ihnen einen neuen Link zum Zurücksetzen des Passworts gesendet. Bitte prüfen Sie auch Ihren Spam-Ordner.',
      en: () => 'we have unlocked your account and sent you a new password reset link. Please also check your spam folder.',
    },
  },
];

const GREETING: Record<Lang, (name: string) => string> = {
  de: () => 'Sehr geehrte Damen und Herren,',
  en: () => 'Dear customer service,',
};
const AGENT_GREETING: Record<Lang, (name: string) => string> = {
  de: (name) => `Guten Tag ${name},`,
  en: (name) => `Dear ${name},`,
};
const FOLLOW_UP: Record<Lang, readonly string[]> = {
  de: ['vielen Dank für die schnelle Antwort. Leider ist die Bestätigung noch nicht angekommen, können Sie bitte nachsehen?',
    'ich habe noch eine Rückfrage: Gilt die Änderung auch rückwirkend für den letzten Monat?',
    'danke, das hat funktioniert. Bitte schließen Sie den Vorgang.',
    'ich warte immer noch auf eine Rückmeldung. Bitte melden Sie sich zeitnah.'],
  en: ['thank you for the quick reply. Unfortunately the confirmation has not arrived yet; could you check?',
    'one more question: does the change also apply to last month?',
    'thanks, that worked. Please close the case.',
    'I am still waiting for an answer. Please get back to me soon.'],
};
const SIGN: Record<Lang, string> = { de: 'Mit freundlichen Grüßen', en: 'Kind regards' };

export interface Message {
  direction: 'in' | 'out';
  subject: string;
  /** as the channel delivers it: HTML for email, plain text elsewhere */
  body: string;
  bodyPlain: string;
  bodyClean: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One message of a ticket's thread; a reply by mail quotes the start of the message before it. */
export function message(r: Rand, opts: { topic: Topic; lang: Lang; c: Customer; agentName: string; k: number; html: boolean; previous: string | null }): Message {
  const { topic, lang, c, k } = opts;
  const out = k % 2 === 1;
  const subject = k === 0 ? topic.subject[lang](c, r) : `${lang === 'de' ? 'AW' : 'RE'}: ${topic.subject[lang](c, r)}`;
  const text = out ? topic.answer[lang](c, r) : k === 0 ? topic.ask[lang](c, r) : pick(r, FOLLOW_UP[lang]);
  const greeting = out ? AGENT_GREETING[lang](c.name) : GREETING[lang](c.name);
  const signature = out ? `${SIGN[lang]}\n${opts.agentName}\nIhr Kundenservice` : `${SIGN[lang]}\n${c.name}\n${c.street}\n${c.city}`;
  const clean = `${greeting}\n\n${text}\n\n${signature}`;
  const quoted = opts.html && opts.previous ? opts.previous.slice(0, 300) : null;
  const quoteHead = lang === 'de' ? 'Am Vortag schrieb Kundenservice:' : 'On the day before, customer service wrote:';
  const plain = quoted ? `${clean}\n\n${quoteHead}\n${quoted.split('\n').map((l) => `> ${l}`).join('\n')}` : clean;
  const body = opts.html
    ? `<html><body><div dir="ltr">${clean.split('\n\n').map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n')}</div>` +
      (quoted ? `<div class="gmail_quote"><div class="gmail_attr">${escapeHtml(quoteHead)}</div><blockquote class="gmail_quote">${escapeHtml(quoted).replace(/\n/g, '<br>')}</blockquote></div>` : '') +
      '</body></html>'
    : clean;
  return { direction: out ? 'out' : 'in', subject, body, bodyPlain: plain, bodyClean: clean };
}
