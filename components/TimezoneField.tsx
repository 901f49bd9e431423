/**
 * The timezone `<select>` of the sign-up form, grouped by region ("Europe" › "Berlin")
 * so that the ~400 zones are easy to scan and type into without JavaScript; UTC comes
 * first. The zone list is sent once, as options; the {@linkcode TimezoneDetect} island
 * next to it fills in the browser's zone.
 *
 * @example
 * ```tsx
 * <TimezoneField name="timezone" value="UTC" zones={TIME_ZONES} detect />
 * ```
 */
import TimezoneDetect from "@/islands/TimezoneDetect.tsx";
import { useFieldId } from "./form.tsx";

export interface TimezoneFieldProps {
  name: string;
  /** The selected zone: the default, or what the user sent when the form comes back. */
  value: string;
  zones: readonly string[];
  /** Let the browser fill in its zone: only on a fresh form, never over the user's choice. */
  detect: boolean;
  error?: string;
}

/** Zones by region, in list order: "Europe/Berlin" → ["Europe", "Berlin"]; zones without a region go under "Other". */
export function groupZones(zones: readonly string[]): [string, { value: string; label: string }[]][] {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const zone of zones) {
    const slash = zone.indexOf("/");
    const region = slash === -1 ? "Other" : zone.slice(0, slash);
    const label = (slash === -1 ? zone : zone.slice(slash + 1)).replaceAll("_", " ");
    if (!groups.has(region)) groups.set(region, []);
    groups.get(region)!.push({ value: zone, label });
  }
  return [...groups];
}

export function TimezoneField({ name, value, zones, detect, error }: TimezoneFieldProps) {
  const id = useFieldId(name);
  // The list's head (UTC) stands alone; a zone the list lacks (an alias the user sent back) goes first.
  const [first, ...rest] = value && !zones.includes(value) ? [value, ...zones] : zones;
  return (
    <div class={error ? "field field-invalid" : "field"}>
      <label for={id}>Timezone</label>
      <TimezoneDetect selectId={id} detect={detect} />
      <select
        id={id}
        name={name}
        autocomplete="off"
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
      >
        <option value={first} selected={first === value}>{first}</option>
        {groupZones(rest).map(([region, items]) => (
          <optgroup key={region} label={region}>
            {items.map((zone) => (
              <option key={zone.value} value={zone.value} selected={zone.value === value}>{zone.label}</option>
            ))}
          </optgroup>
        ))}
      </select>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}
