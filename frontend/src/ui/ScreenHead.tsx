import { useI18n } from "../i18n";

/** A floor screen's title, with the way back to the floor board beside it. */
export function ScreenHead({ id, title }: { id: string; title: string }) {
  const { t } = useI18n();
  return (
    <div class="screen-head">
      <h1 id={id}>{title}</h1>
      <a class="btn btn-secondary" href="#/floor">
        {t("common.back")}
      </a>
    </div>
  );
}
