/**
 * Form building blocks for the no-JavaScript pages: labelled fields with their error
 * next to them (linked by `aria-describedby`), and an error summary at the top.
 * Every value goes through Preact, which escapes it.
 *
 * @example
 * ```tsx
 * <form method="post">
 *   <ErrorSummary errors={errors} />
 *   <Field label="Name" name="name" value={values.name} error={errors?.name} required />
 * </form>
 * ```
 */
import type { ComponentChildren } from "preact";
import type { FieldErrors } from "../lib/validate.ts";

interface FieldProps {
  label: string;
  name: string;
  value?: string | number | null;
  error?: string;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  maxLength?: number;
  inputMode?: "text" | "email" | "numeric" | "decimal";
}

/** A labelled `<input>` with its hint and error. */
export function Field(props: FieldProps) {
  const id = `field-${props.name}`;
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint && <p class="field-hint" id={`${id}-hint`}>{props.hint}</p>}
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        required={props.required}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        min={props.min}
        max={props.max}
        step={props.step}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {props.error && <p class="field-error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}

/** A labelled `<select>` with its error. */
export function SelectField(props: {
  label: string;
  name: string;
  value?: string | number | null;
  options: { value: string | number; label: string }[];
  error?: string;
  hint?: string;
}) {
  const id = `field-${props.name}`;
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint && <p class="field-hint" id={`${id}-hint`}>{props.hint}</p>}
      <select
        id={id}
        name={props.name}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined}
      >
        {props.options.map((option) => (
          <option value={option.value} selected={String(option.value) === String(props.value ?? "")}>
            {option.label}
          </option>
        ))}
      </select>
      {props.error && <p class="field-error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}

/** A fieldset of checkboxes or radios sharing one name (e.g. weekdays). */
export function ChoiceGroup(props: {
  legend: string;
  name: string;
  type: "checkbox" | "radio";
  options: { value: string | number; label: string }[];
  selected: (string | number)[];
  error?: string;
}) {
  return (
    <fieldset class={props.error ? "field field-invalid" : "field"}>
      <legend>{props.legend}</legend>
      <div class="choices">
        {props.options.map((option) => (
          <label class="choice">
            <input
              type={props.type}
              name={props.name}
              value={option.value}
              checked={props.selected.map(String).includes(String(option.value))}
            />{" "}
            {option.label}
          </label>
        ))}
      </div>
      {props.error && <p class="field-error">{props.error}</p>}
    </fieldset>
  );
}

/** The list of problems at the top of a form, each linking to its field. */
export function ErrorSummary({ errors, title }: { errors?: FieldErrors; title?: string }) {
  if (!errors || Object.keys(errors).length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>{title ?? "Please fix the following"}</h2>
      <ul>
        {Object.entries(errors).map(([field, message]) => (
          <li>{field === "_" ? message : <a href={`#field-${field.split(".")[0]}`}>{message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

/** A form's submit row. */
export function Actions({ children }: { children: ComponentChildren }) {
  return <div class="form-actions">{children}</div>;
}
