/**
 * The sign-up form's timezone picker. Without JavaScript it is a plain `<select>`
 * showing `value` (UTC by default) that the user can change; in the browser, when
 * `detect` is set, it selects the zone the browser reports, so most people never touch
 * it. Either way the form posts one `timezone` field.
 *
 * @example
 * ```tsx
 * <TimezoneInput name="timezone" value="UTC" zones={TIME_ZONES} detect />
 * ```
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

export interface TimezoneInputProps {
  name: string;
  /** The selected zone: the default, or what the user sent when the form comes back. */
  value: string;
  /** Every zone to offer. */
  zones: readonly string[];
  /** Replace `value` with the browser's zone once hydrated (not when re-showing the user's choice). */
  detect: boolean;
  error?: string;
}

export default function TimezoneInput({ name, value, zones, detect, error }: TimezoneInputProps) {
  const selected = useSignal(value);
  const detected = useSignal<string | null>(null);
  // Effects run only in the browser, after hydration.
  useEffect(() => {
    if (!detect) return;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    detected.value = zone;
    selected.value = zone;
  }, []);
  const id = `field-${name}`;
  // A browser may name a zone by an alias the list lacks ("Asia/Calcutta"): offer it too.
  const options = selected.value && !zones.includes(selected.value) ? [selected.value, ...zones] : zones;
  const hint = detected.value
    ? `Filled in from your browser (${detected.value}). Your days start at midnight there.`
    : "Your days start at midnight in this timezone.";
  return (
    <div class={error ? "field field-invalid" : "field"}>
      <label for={id}>Timezone</label>
      <p class="field-hint" id={`${id}-hint`}>{hint}</p>
      <select
        id={id}
        name={name}
        autocomplete="off"
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
        onChange={(event) => selected.value = (event.target as HTMLSelectElement).value}
      >
        {options.map((zone) => <option key={zone} value={zone} selected={zone === selected.value}>{zone}</option>)}
      </select>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}
