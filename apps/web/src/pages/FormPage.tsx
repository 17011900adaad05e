export function NewRecordPage() {
  return <p>…</p>;
}
export function EditRecordPage() {
  return <p>…</p>;
}
