/**
 * Word lists for the grounding check (grounding.ts): number words, capitalised words that are not names,
 * and demonyms whose form does not follow the regular suffix rules. Kept apart so the check reads as logic.
 */

export const UNITS: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};

export const ORDINALS: Readonly<Record<string, number>> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17, eighteenth: 18,
  nineteenth: 19, twentieth: 20, thirtieth: 30, fortieth: 40, fiftieth: 50,
};

export const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };

/**
 * Capitalised words that open sentences or precede a name without being one (articles, connectives, titles,
 * roles) and capitalised technical nouns. Stripped from a name candidate before it is checked.
 */
export const NON_NAMES: ReadonlySet<string> = new Set(
  [
    'a', 'an', 'the', 'this', 'that', 'these', 'those', 'its', 'it', 'their', 'his', 'her', 'our', 'my', 'your',
    'and', 'but', 'or', 'so', 'yet', 'also', 'then', 'however', 'meanwhile', 'still', 'instead', 'overall', 'finally',
    'note', 'notes', 'nb', 'yes', 'no', 'not', 'both', 'all', 'each', 'every', 'some', 'many', 'most', 'several', 'only',
    'in', 'on', 'at', 'for', 'from', 'by', 'with', 'as', 'after', 'before', 'since', 'during', 'per', 'according', 'about',
    'right', 'now', 'today', 'currently', 'here', 'there', 'found', 'summary', 'answer', 'result', 'results', 'source', 'sources',
    'files', 'file', 'plus', 'total', 'quite', 'tomorrow', 'yesterday', 'tonight',
    'mr', 'mrs', 'ms', 'dr', 'prof', 'professor', 'sir', 'dame', 'lord', 'lady', 'rev', 'st',
    'president', 'prime', 'minister', 'chancellor', 'governor', 'chairman', 'chairwoman', 'chair', 'director', 'judge', 'boss',
    'chief', 'executive', 'ceo', 'coach', 'manager', 'captain', 'midwife', 'officer', 'detective', 'inspector', 'sergeant',
    'spokesman', 'spokeswoman', 'spokesperson', 'secretary', 'mayor', 'senator', 'king', 'queen', 'prince', 'princess',
    'former', 'incoming', 'outgoing', 'new', 'veteran', 'striker', 'forward', 'midfielder', 'defender', 'goalkeeper', 'full-back', 'fly-half',
    'readme', 'todo', 'todos', 'fixme', 'json', 'yaml', 'csv', 'api', 'url', 'http', 'https', 'html', 'css', 'sql', 'utc', 'gmt',
    'id', 'ok', 'pdf', 'cli', 'cpu', 'ram', 'gb', 'mb', 'kb', 'faq',
  ],
);

/** Demonyms and adjectives whose place name does not follow from the suffix rules (Welsh ↔ Wales). */
export const DEMONYMS: Readonly<Record<string, string>> = {
  welsh: 'wales', french: 'france', frenchman: 'france', irish: 'ireland', dutch: 'netherlands', danish: 'denmark', dane: 'denmark',
  scots: 'scotland', scottish: 'scotland', scot: 'scotland', finnish: 'finland', finn: 'finland', swiss: 'switzerland',
  british: 'britain', briton: 'britain', english: 'england', greek: 'greece', spanish: 'spain', spaniard: 'spain',
  turkish: 'turkey', turk: 'turkey', polish: 'poland', pole: 'poland', swede: 'sweden', swedish: 'sweden', norwegian: 'norway',
  thai: 'thailand', filipino: 'philippines', icelandic: 'iceland', flemish: 'flanders', jovian: 'jupiter', martian: 'mars',
  kiwi: 'new zealand', aussie: 'australia', american: 'united states', yankee: 'united states',
};
