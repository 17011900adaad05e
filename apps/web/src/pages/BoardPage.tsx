export function BoardPage() {
  return <p>…</p>;
}
