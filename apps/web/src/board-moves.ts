import type { BlueprintDoc, BlueprintTransition, MetadataDoc } from '@atrium/metadata';
import { ClientError, type DataClient, type RecordValues } from '@atrium/renderer/client';

/**
 * How a dragged card moves when its column field follows a blueprint: through the transition
 * from the card's state to the target column, never as a plain update (the server refuses
 * those). Without a blueprint on the field the renderer's own update applies (undefined). A
 * transition held for approval puts the card back with `held`'s text.
 */
export function blueprintMove(
  documents: MetadataDoc[],
  module: string,
  field: string | undefined,
  client: DataClient,
  noTransition: (from: string, to: string) => string,
  held?: (transition: BlueprintTransition) => string,
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
    const saved = await run(module, String(record.id), transition.name, {
      values: {},
      version: Number(record.version),
    });
    // Answered 202: the transition waits for approval and the record has not moved, so the
    // card goes back to its column, saying why (the board shows a refusal's reason).
    if (held && String(saved[field] ?? '') === from) {
      const why = held(transition);
      throw new ClientError(202, 'APPROVAL_PENDING', why, [{ path: field, message: why }]);
    }
    return saved;
  };
}
