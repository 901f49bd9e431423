/**
 * The sign-up timezone's hint, and in the browser the zone itself: once hydrated, when
 * `detect` is set and the user has not picked one yet, it selects the zone the browser
 * reports in the `<select>` with id `selectId` (rendered by components/TimezoneField.tsx,
 * outside this island, so the ~400 zone names are sent once, as options, and not again
 * as props) and says so in the hint.
 *
 * @example
 * ```tsx
 * <TimezoneDetect selectId="field-timezone" detect />
 * ```
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

export interface TimezoneDetectProps {
  /** The `<select>` to fill in; the hint's id is `${selectId}-hint`. */
  selectId: string;
  /** Fill in the browser's zone (not when the form comes back with the user's choice). */
  detect: boolean;
}

export default function TimezoneDetect({ selectId, detect }: TimezoneDetectProps) {
  const detected = useSignal<string | null>(null);
  // Effects run only in the browser, after hydration.
  useEffect(() => {
    if (!detect) return;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const select = document.getElementById(selectId) as HTMLSelectElement | null;
    if (!zone || !select) return;
    // Someone quick may have chosen before the script ran: keep their choice.
    const initial = [...select.options].find((option) => option.defaultSelected)?.value;
    if (select.value !== initial) return;
    // A browser may name a zone by an alias the list lacks ("Asia/Calcutta"): offer it too.
    if (![...select.options].some((option) => option.value === zone)) select.prepend(new Option(zone, zone));
    select.value = zone;
    detected.value = zone;
  }, []);
  return (
    <p class="field-hint" id={`${selectId}-hint`}>
      {detected.value
        ? `Filled in from your browser (${detected.value}). Your days start at midnight there.`
        : "Choose where you live: your days start at midnight there."}
    </p>
  );
}
