import type { BlueprintDoc, MetadataDoc } from '@atrium/metadata';
import { ClientError, type DataClient, type RecordValues } from '@atrium/renderer/client';

/**
 * How a dragged card moves when its column field follows a blueprint: through the transition
 * from the card's state to the target column, never as a plain update (the server refuses
 * those). Without a blueprint on the field the renderer's own update applies (undefined).
 */
export function blueprintMove(
  documents: MetadataDoc[],
  module: string,
  field: string | undefined,
  client: DataClient,
  noTransition: (from: string, to: string) => string,
): ((record: RecordValues, to: string) => Promise<RecordValues>) | undefined {
  const blueprint = documents.find(
    (d): d is BlueprintDoc => d.kind === 'blueprint' && d.module === module && d.field === field,
  );
  if (!blueprint || !field || !client.transition) return undefined;
  const run = client.transition.bind(client);
  return async (record, to) => {
    const from = String(record[field] ?? '');
    const transition = blueprint.transitions.find((t) => t.to === to && t.from.includes(from));
    if (!transition) {
      throw new ClientError(409, 'TRANSITION_UNAVAILABLE', noTransition(from, to), [
        { path: field, message: noTransition(from, to) },
      ]);
    }
    return run(module, String(record.id), transition.name, {
      values: {},
      version: Number(record.version),
    });
  };
}
