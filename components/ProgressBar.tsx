/**
 * A goal's or subgoal's progress as a labelled bar: a native `<progress>` (read out by
 * screen readers) with the percentage as text beside it.
 *
 * @example
 * ```tsx
 * <ProgressBar value={goal.progress} label={`${goal.title} progress`} />
 * ```
 */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.min(100, Math.max(0, Math.round(value)));
  return (
    <div class="progress">
      <progress max={100} value={percent} aria-label={label}>{percent}%</progress>
      <span class="progress-value">{percent}%</span>
    </div>
  );
}
