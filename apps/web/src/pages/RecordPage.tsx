export function RecordPage() {
  return <p>…</p>;
}
