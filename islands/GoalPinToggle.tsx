/**
 * Pin or unpin a goal. Without JavaScript it is a plain form post to `/goals/pin` that
 * comes back to `back`; hydrated, it flips at once, saves through `PATCH /api/goals/pin`
 * and flips back with a message when saving fails.
 *
 * @example
 * ```tsx
 * <GoalPinToggle goalId={goal.id} title={goal.title} pinned={goal.pinned} back={`/goals/${goal.id}`} />
 * ```
 */
import { useRef, useState } from "preact/hooks";
import { errorText, sendJson } from "@/components/send_json.ts";

export interface GoalPinToggleProps {
  goalId: string;
  title: string;
  pinned: boolean;
  /** Where the no-JavaScript post returns: `/goals`, `/app` or the goal's page. */
  back: string;
}

export default function GoalPinToggle(props: GoalPinToggleProps) {
  const [pinned, setPinned] = useState(props.pinned);
  const [message, setMessage] = useState("");
  const saving = useRef(false);

  async function onSubmit(event: Event) {
    event.preventDefault();
    if (saving.current) return;
    const before = pinned;
    setPinned(!before);
    setMessage("");
    saving.current = true;
    try {
      const body = await sendJson<{ goal: { pinned: boolean } }>("/api/goals/pin", {
        method: "PATCH",
        body: { goalId: props.goalId, pinned: !before },
        rollback: () => setPinned(before),
      });
      setPinned(body.goal.pinned);
    } catch (error) {
      setMessage(`Not saved: ${errorText(error)}`);
    } finally {
      saving.current = false;
    }
  }

  return (
    <form method="post" action="/goals/pin" class="inline-form goal-pin" onSubmit={onSubmit}>
      <input type="hidden" name="goalId" value={props.goalId} />
      <input type="hidden" name="pinned" value={pinned ? "false" : "true"} />
      <input type="hidden" name="back" value={props.back} />
      {/* The name starts with the visible label (WCAG 2.5.3); the title tells cards apart. */}
      <button type="submit" class="link-button" aria-pressed={pinned ? "true" : "false"}>
        {pinned ? "Unpin" : "Pin to dashboard"}
        <span class="visually-hidden">: {props.title}</span>
      </button>
      {message && <span class="field-error" role="status">{message}</span>}
    </form>
  );
}
