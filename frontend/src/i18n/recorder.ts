// Messages of the recorder's vitals and onset, and of the ISO date input, merged into the catalogues by en.ts and fr.ts.
const en = {
  "recorder.less": "Less",
  "recorder.moreOf": "More",
  "recorder.vitalsNone": "Set at least one reading.",
  "recorder.foundEarlier": "Found earlier?",
  "recorder.earlierBy": "Found how many minutes before the alarm",
  "recorder.onsetBecomes": "Onset {from} → {to}",
  "recorder.setOnset": "Set onset to {time}",
  "summary.onset": "Onset moved to {time}",
  "date.placeholder": "YYYY-MM-DD",
} as const;

export const recorderMessages: { en: typeof en; fr: Record<keyof typeof en, string> } = {
  en,
  fr: {
    "recorder.less": "Moins",
    "recorder.moreOf": "Plus",
    "recorder.vitalsNone": "Indiquez au moins une mesure.",
    "recorder.foundEarlier": "Trouvé plus tôt ?",
    "recorder.earlierBy": "Trouvé combien de minutes avant l’alerte",
      "recorder.onsetBecomes": "Début {from} → {to}",
    "recorder.setOnset": "Fixer le début à {time}",
    "summary.onset": "Début déplacé à {time}",
    "date.placeholder": "AAAA-MM-JJ",
  },
};
