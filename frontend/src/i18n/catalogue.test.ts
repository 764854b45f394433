import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fr } from "./fr";
import { catalogues, translate } from "./index";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogue", () => {
  it("has every English key in French, and no others", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it("has no empty strings in any language", () => {
    for (const [lang, messages] of Object.entries(catalogues)) {
      for (const [key, text] of Object.entries(messages)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe("");
      }
    }
  });

  it("uses the same placeholders in every language", () => {
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(fr[key as keyof typeof en]), key).toEqual(placeholders(text));
    }
  });

  it("fills placeholders", () => {
    expect(translate("en", "home.signedInAs", { name: "Alice" })).toBe("Signed in as Alice");
  });
});
