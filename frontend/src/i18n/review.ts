// Messages of the review screens, merged into the catalogues by en.ts and fr.ts.
const en = {} as const;

export const reviewMessages: { en: typeof en; fr: Record<keyof typeof en, string> } = {
  en,
  fr: {},
};
