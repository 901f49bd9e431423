/**
 * Form building blocks for the no-JavaScript pages: labelled fields with their error
 * next to them (linked by `aria-describedby`), and an error summary at the top.
 * Every value goes through Preact, which escapes it.
 *
 * Field ids come from the enclosing {@linkcode Form}: `field-title` on a page's only
 * form, `milestone-add-title` inside `<Form id="milestone-add">`. A page with several
 * forms gives each an id, and two forms' "title" fields can no longer share one id
 * (where a label would focus the other form's field).
 *
 * @example
 * ```tsx
 * <Form id="goal-edit" method="post">
 *   <ErrorSummary errors={errors} />
 *   <Field label="Name" name="name" value={values.name} error={errors?.name} required />
 * </Form>
 * ```
 */
import { type ComponentChildren, createContext, type JSX } from "preact";
import { useContext } from "preact/hooks";
import type { FieldErrors } from "@/lib/validate.ts";
import { MessageText } from "./message_text.tsx";
import { EMAIL_MAX } from "@/domain/limits.ts";

/** The id prefix of the fields in the form being rendered; `field` outside a {@linkcode Form}. */
const FormScope = createContext("field");

/** The id of field `name` in the enclosing form, for hand-made fields and error links. */
export function useFieldId(name: string): string {
  return `${useContext(FormScope)}-${name}`;
}

/** A `<form>` whose fields take their ids from its own `id` (`${id}-${name}`). */
export function Form({ id, children, ...attributes }: JSX.FormHTMLAttributes<HTMLFormElement> & { id: string }) {
  return (
    <FormScope.Provider value={id}>
      <form id={id} {...attributes}>{children}</form>
    </FormScope.Provider>
  );
}

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
  const id = useFieldId(props.name);
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

/** A whole-number box: a number input with the numeric keypad, in steps of 1 (give it `min` and `max`). */
export function CountField(props: Omit<FieldProps, "type" | "inputMode" | "step">) {
  return <Field {...props} type="number" inputMode="numeric" step={1} />;
}

/** The e-mail box of the sign-up, log-in and password-reset forms: one limit, one autocomplete hint. */
export function EmailField(props: { value?: string | null; error?: string }) {
  return (
    <Field
      label="E-mail"
      name="email"
      type="email"
      value={props.value}
      error={props.error}
      autocomplete="email"
      maxLength={EMAIL_MAX}
      required
    />
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
  const id = useFieldId(props.name);
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
  const id = useFieldId(props.name);
  return (
    <fieldset
      class={props.error ? "field field-invalid" : "field"}
      id={id}
      aria-describedby={props.error ? `${id}-error` : undefined}
    >
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
      {props.error && <p class="field-error" id={`${id}-error`}>{props.error}</p>}
    </fieldset>
  );
}

/** A labelled `<textarea>` with its hint and error. */
export function TextareaField(props: {
  label: string;
  name: string;
  value?: string | null;
  error?: string;
  hint?: string;
  rows?: number;
  maxLength?: number;
}) {
  const id = useFieldId(props.name);
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint && <p class="field-hint" id={`${id}-hint`}>{props.hint}</p>}
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 3}
        maxLength={props.maxLength}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described || undefined}
      >
        {props.value ?? ""}
      </textarea>
      {props.error && <p class="field-error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}

/**
 * The list of problems at the top of a form, each linking to its field (put it inside
 * the {@linkcode Form} so the links find that form's fields). Pages named in a message
 * about the whole form ("…or upgrade at /upgrade") become links.
 */
export function ErrorSummary({ errors, title }: { errors?: FieldErrors; title?: string }) {
  const scope = useFieldId("");
  if (!errors || Object.keys(errors).length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>{title ?? "Please fix the following"}</h2>
      <ul>
        {Object.entries(errors).map(([field, message]) => (
          <li>
            {field === "_" ? <MessageText text={message} /> : <a href={`#${scope}${field.split(".")[0]}`}>{message}</a>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A form's submit row. */
export function Actions({ children }: { children: ComponentChildren }) {
  return <div class="form-actions">{children}</div>;
}
