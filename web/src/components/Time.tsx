import { ago, exact } from "../api/format.js";

export function Time({ date }: { readonly date: Date | undefined }) {
  if (!date) return null;
  return (
    <time dateTime={date.toISOString()} title={exact(date)}>
      {ago(date)}
    </time>
  );
}
