// Offline German/English detection for customer messages. Function words decide almost every
// real message; letter patterns (umlauts, "sch", "th", "-ing") and a few domain words carry the
// short ones ("Zählerstand 12345"), where no function word appears.

export type Language = 'de' | 'en';

const DE_WORDS = new Set(
  (
    'der die das den dem des ein eine einen einem einer eines und oder aber doch sondern denn weil dass ob wenn als wie ' +
    'ich du er sie es wir ihr mich mir dich dir uns euch sich mein meine meinen meinem meiner dein ihre ihren ihrem ' +
    'unser unsere ist sind war waren bin bist sein hat habe haben hatte hatten wird werden wurde wurden kann können ' +
    'konnte möchte möchten moechte will wollen muss müssen soll sollte würde wuerde nicht kein keine keinen nichts ' +
    'auch noch schon nur sehr mit von zu zum zur bei nach aus für fuer über ueber unter auf an am im in ins vom bis ' +
    'seit durch gegen ohne um hier dort heute morgen gestern jetzt bitte danke dank hallo guten tag sehr geehrte ' +
    'geehrter damen herren grüße gruesse grüßen gruessen freundlichen viele liebe mfg lg vg leider warum wieso ' +
    'weshalb wann wo was wer welche welcher welches mehr neue neuen neuer alte alten ab also dann damit dafür ' +
    'habe gibt geht gehen bekommen bekomme erhalten vergessen verloren wechseln melden ändern aendern senden ' +
    'schicken zahlen bezahlt neu alt gerne gern richtig falsch immer'
  ).split(' '),
);

const EN_WORDS = new Set(
  (
    'the a an and or but because that if when as how i you he she it we they me my mine your yours our us them ' +
    'their his her is are was were be been being am have has had do does did will would can could should shall ' +
    'may might must not no none nothing also still already only very with of to at by for from about into over ' +
    'under on in out up off here there today tomorrow yesterday now please thanks thank hello hi dear sir madam ' +
    'regards kind best sincerely faithfully cheers unfortunately why when where what who which more new old from ' +
    'so then this these those just any some all get got want wanted would like need know send sent received ' +
    'forgot lost change switch pay paid right wrong always'
  ).split(' '),
);

// Word stems of the energy-supplier domain count like a function word: they carry the terse
// messages customers send ("Kennwort vergessen", "meter reading 12345").
const DE_STEMS = /z(?:ä|ae|a)hl|rechnung|vertrag|kündig|kuendig|umzug|abschlag|konto|kennwort|passwort|kunde|strom|wohnung|ablese|zugang|lastschrift|bankverbindung|tarifw|anschrift|abrechnung/g;
const EN_STEMS = /meter|\bbill|invoice|contract|cancel|terminat|\bmov(?:e|ing)|payment|account|password|tariff|reading|electricity|log ?in|sign ?in|address/g;
const DE_PATTERNS = /[äöüß]|sch|cht|ung\b|keit\b|lich\b|ei|tz/g;
const EN_PATTERNS = /th|\bwh|ing\b|ould\b|ea|ay\b|ow\b|'s\b|n't\b/g;

export interface LanguageScores {
  de: number;
  en: number;
}

export function languageScores(text: string): LanguageScores {
  const lower = text.toLowerCase();
  const words = lower.match(/[\p{L}']+/gu) ?? [];
  let de = 0;
  let en = 0;
  for (const w of words) {
    if (DE_WORDS.has(w)) de += 1;
    if (EN_WORDS.has(w)) en += 1;
  }
  de += lower.match(DE_STEMS)?.length ?? 0;
  en += lower.match(EN_STEMS)?.length ?? 0;
  // Letter patterns are weaker evidence than a whole word.
  de += 0.3 * (lower.match(DE_PATTERNS)?.length ?? 0);
  en += 0.3 * (lower.match(EN_PATTERNS)?.length ?? 0);
  return { de, en };
}

/**
 * 'de' or 'en', or null when the text is too short or the evidence too thin or too even
 * (a number, a name, "ok", another language).
 */
export function detectLanguage(text: string): Language | null {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < 4) return null;
  const { de, en } = languageScores(text);
  const best = Math.max(de, en);
  const other = Math.min(de, en);
  if (best < 1) return null;
  // Mixed messages (a German mail quoting an English one) go to the clearly stronger side only.
  if (best < other * 1.3 + 0.3) return null;
  return de > en ? 'de' : 'en';
}
