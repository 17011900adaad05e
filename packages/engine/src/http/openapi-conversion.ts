import type { ConversionDoc } from '@atrium/metadata';
import { errorResponse, json, ref } from './openapi-fixed.js';

type Schema = Record<string, unknown>;

/**
 * `POST …/{id}/convert` of a module that has a conversion document, with its request and answer
 * schemas (`<Name>ConversionRequest`, `<Name>Conversion`): one property per target module.
 * `schemaOf` names a target's record schema, or undefined when the caller may not see it.
 */
export function conversionOpenApi(
  doc: ConversionDoc,
  name: string,
  title: string,
  idParam: Schema,
  schemaOf: (module: string) => string | undefined,
): { schemas: Record<string, Schema>; paths: Record<string, unknown> } {
  const targets = doc.targets.map((t) => t.module);
  const record = (module: string) => {
    const schema = schemaOf(module);
    return schema ? ref(schema) : { type: 'object' };
  };
  const byTarget = (description: string) => ({
    type: 'object',
    description,
    additionalProperties: false,
    properties: Object.fromEntries(targets.map((t) => [t, record(t)])),
  });
  const schemas: Record<string, Schema> = {
    [`${name}ConversionRequest`]: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...Object.fromEntries(
          targets.map((t) => [
            t,
            {
              description: `Values of the new ${t} record that win over the mapping, or false to skip it`,
              anyOf: [{ type: 'object' }, { const: false }],
            },
          ]),
        ),
        version: {
          type: 'integer',
          minimum: 1,
          description: 'The version of the record you read (optional)',
        },
      },
    },
    [`${name}Conversion`]: {
      type: 'object',
      required: ['created', 'source'],
      properties: {
        created: byTarget('Target module → the record created'),
        matched: byTarget('Target module → the existing record used instead of a new one'),
        source: ref(name),
      },
    },
  };
  const paths = {
    [`/api/records/${doc.module}/{id}/convert`]: {
      parameters: [idParam],
      post: {
        operationId: `convert${name}`,
        tags: [title],
        summary: `Convert a ${title} record into ${targets.join(', ')}`,
        description:
          'Creates (or matches) the target records through the same write as a create, links them and marks this record converted, all in one transaction; a refusal names its path under the module (deals.amount) and leaves nothing written.',
        requestBody: { required: false, content: json(ref(`${name}ConversionRequest`)) },
        responses: {
          200: { description: 'What the record became', content: json(ref(`${name}Conversion`)) },
          400: errorResponse('A value of a target or of the mark is invalid'),
          401: errorResponse('Not signed in'),
          403: errorResponse('You may not update this record or create a target'),
          404: errorResponse('No such record'),
          409: errorResponse('Already converted, or a stale version'),
        },
      },
    },
  };
  return { schemas, paths };
}
