import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Import, Site } from "../../api";
import { I18nProvider } from "../../i18n";
import { harbour, headersOf, routeFetch } from "../../test-utils";
import { ImportsScreen, POLL_MS } from "./ImportsScreen";
import { importsMessages } from "./messages";

const ID = "5e0c1a2b-0000-4000-8000-000000000001";
const kinds = [
  {
    kind: "visits",
    label: "Visits",
    columns: [
      { name: "id", required: true, note: "A UUID per row.", allowed: null },
      { name: "kind", required: true, note: "consumption or service_only.", allowed: ["consumption", "service_only"] },
    ],
    templates: {
      csv: "/api/v1/imports/template?site=harbour&kind=visits&file_type=csv&lang=en",
      xlsx: "/api/v1/imports/template?site=harbour&kind=visits&file_type=xlsx&lang=en",
    },
  },
];

function upload(overrides: Partial<Import> = {}): Import {
  return {
    id: ID,
    site: "harbour",
    kind: "visits",
    dry_run: true,
    file_name: "march.csv",
    status: "queued",
    progress: { rows_done: 0, rows_total: null },
    rows_written: 0,
    errors: [],
    created_at: "2026-12-01T10:00:00Z",
    finished_at: null,
    ...overrides,
  };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the import screen", () => {
  it("has every English message in French, with the same placeholders", () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(importsMessages.en)) {
      const french = importsMessages.fr[key as keyof typeof importsMessages.en];
      expect(french.trim(), key).not.toBe("");
      expect(placeholders(french), key).toEqual(placeholders(text));
    }
  });

  it("sends the file as bytes with the CSRF token, names each bad row, then runs with progress", async () => {
    document.cookie = "csrftoken=tok789";
    const sent: { init: RequestInit; body: Blob }[] = [];
    const answers = [
      upload({
        status: "done",
        progress: { rows_done: 2, rows_total: 2 },
        errors: [{ row: 3, column: "kind", message: "Not a kind of visit: sauna." }],
      }),
    ];
    const fetch = routeFetch({
      "GET /api/v1/imports/kinds": { status: 200, body: kinds },
      "GET /api/v1/imports/": { status: 200, body: [] },
      "POST /api/v1/imports/": (init) => {
        sent.push({ init, body: init.body as Blob });
        return { status: 202, body: upload({ dry_run: sent.length === 1 }) };
      },
      [`GET /api/v1/imports/${ID}`]: () => ({ status: 200, body: answers.shift() }),
    });
    render(
      <I18nProvider lang="en">
        <ImportsScreen site={harbour as unknown as Site} />
      </I18nProvider>,
    );
    expect(await screen.findByRole("link", { name: /Template \(XLSX/ })).toHaveProperty(
      "href",
      expect.stringContaining("file_type=xlsx"),
    );

    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0xfe]);
    const file = new File([bytes], "march.xlsx");
    fireEvent.change(screen.getByLabelText("File (CSV or XLSX)"), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Check the file" }));

    await waitFor(() => expect(sent).toHaveLength(1));
    const first = sent[0];
    if (!first) throw new Error("no upload");
    expect(headersOf(first.init)).toMatchObject({ "X-CSRFToken": "tok789" });
    expect(headersOf(first.init)["Content-Type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(first.body).toBeInstanceOf(Blob);
    const raw = new Uint8Array(await first.body.arrayBuffer());
    const at = raw.findIndex((_, i) => bytes.every((b, j) => raw[i + j] === b));
    expect(at).toBeGreaterThan(0);

    const errors = await screen.findByTestId("import-errors", {}, { timeout: POLL_MS * 3 });
    expect(errors.textContent).toContain("3");
    expect(errors.textContent).toContain("kind");
    expect(errors.textContent).toContain("Not a kind of visit: sauna.");
    expect(screen.getByRole("alert").textContent).toContain("Nothing was written");

    fireEvent.click(screen.getByRole("button", { name: "Import another file" }));
    answers.push(
      upload({ status: "done", progress: { rows_done: 2, rows_total: 2 } }),
      upload({ dry_run: false, status: "running", progress: { rows_done: 1, rows_total: 2 } }),
      upload({ dry_run: false, status: "done", progress: { rows_done: 2, rows_total: 2 }, rows_written: 2 }),
    );
    fireEvent.change(screen.getByLabelText("File (CSV or XLSX)"), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Check the file" }));
    fireEvent.click(await screen.findByRole("button", { name: "Import 2 row(s)" }, { timeout: POLL_MS * 3 }));
    await screen.findByText("1 of 2 rows", {}, { timeout: POLL_MS * 3 });
    await screen.findByText("2 of 2 rows", {}, { timeout: POLL_MS * 3 });
    expect(screen.getByTestId("import-progress")).toHaveProperty("value", 2);
    expect(screen.getByText(/Done: 2 record\(s\) written from march.csv/)).toBeTruthy();
    expect(sent).toHaveLength(3);
    expect(fetch).toHaveBeenCalled();
  });
});
