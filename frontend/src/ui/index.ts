export { Button } from "./Button";
export { Chips } from "./Chips";
export { Field } from "./Field";
export { NarrativeField } from "./NarrativeField";
export { Notice } from "./Notice";
export { OutcomeChips } from "./OutcomeChips";
export { ScreenHead } from "./ScreenHead";
export { TopBar } from "./TopBar";
export { useTheme, type Theme } from "./theme";
