import { useI18n, type MessageKey } from "../../i18n";
import { crossedOf, figureAt, formatFigure, type Metrics } from "./indicators";

/**
 * Participants by age band (rows) and gender (columns), with both margins: the crossed table
 * a regulator's form asks for. Suppressed as one table by the server (rows and columns).
 */
export function CrossedTable({ metrics, name = "participants_by_age_gender" }: { metrics: Metrics | undefined; name?: string }) {
  const { t, lang } = useI18n();
  const table = crossedOf(metrics, name);
  if (!table) return null;
  const prefix = name.replace("_by_age_gender", "");
  return (
    <div class="table-scroll crossed" tabIndex={0} aria-labelledby={`${name}-title`}>
      <table class="report-table crossed-table">
        <caption id={`${name}-title`}>{t(`indicator.${name}` as MessageKey)}</caption>
        <thead>
          <tr>
            <th scope="col">{t("reports.ageBand")}</th>
            {table.genders.map((gender) => (
              <th key={gender} scope="col">
                {t(`gender.${gender}` as MessageKey)}
              </th>
            ))}
            <th scope="col">{t("reports.allGenders")}</th>
          </tr>
        </thead>
        <tbody>
          {table.bands.map((band) => (
            <tr key={band}>
              <th scope="row">{t(`age.${band}` as MessageKey)}</th>
              {table.genders.map((gender) => (
                <td key={gender}>{formatFigure(table.cell(band, gender), lang)}</td>
              ))}
              <td class="report-total">{formatFigure(figureAt(metrics, `${prefix}_by_age_band.${band}`), lang)}</td>
            </tr>
          ))}
          <tr class="crossed-total">
            <th scope="row">{t("reports.allAges")}</th>
            {table.genders.map((gender) => (
              <td key={gender}>{formatFigure(figureAt(metrics, `${prefix}_by_gender.${gender}`), lang)}</td>
            ))}
            <td class="report-total">
              {formatFigure(figureAt(metrics, prefix === "participants" ? "unique_participants" : prefix), lang)}
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
