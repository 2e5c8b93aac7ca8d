/**
 * Custom objects in the sandbox portal (Enterprise only in HubSpot): the schemas an app creates and the records
 * of those types, with upsert by a unique property as HubSpot does it. The HTTP shapes live in server.ts; this
 * holds the state and HubSpot's rules (unique schema names, known properties, numbers that parse, unique values).
 */
import { SandboxValidationError, type SandboxObject } from './portal.js';

const PROPERTY_TYPES = new Set(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']);

export interface CustomPropertyInput {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  hasUniqueValue?: boolean | undefined;
  description?: string | undefined;
}

export interface CustomSchemaInput {
  name: string;
  labels: { singular: string; plural: string };
  primaryDisplayProperty?: string | undefined;
  requiredProperties: string[];
  searchableProperties?: string[] | undefined;
  secondaryDisplayProperties?: string[] | undefined;
  properties: CustomPropertyInput[];
  associatedObjects: string[];
}

export interface CustomSchema extends CustomSchemaInput {
  id: string;
  objectTypeId: string;
  fullyQualifiedName: string;
  createdAt: number;
  updatedAt: number;
}

export interface UpsertInput {
  id: string;
  idProperty: string;
  properties: Record<string, string>;
}

export class CustomObjects {
  readonly schemas = new Map<string, CustomSchema>();
  /** Records per objectTypeId. */
  readonly records = new Map<string, Map<string, SandboxObject>>();
  private nextId = 0;

  constructor(
    private readonly portalId: number,
    private readonly now: () => number,
  ) {}

  createSchema(input: CustomSchemaInput): CustomSchema {
    if (this.schemas.has(input.name))
      throw new SandboxValidationError(`Object schema with name ${input.name} already exists`, 'OBJECT_ALREADY_EXISTS');
    const names = new Set<string>();
    for (const p of input.properties) {
      if (!PROPERTY_TYPES.has(p.type))
        throw new SandboxValidationError(
          `property ${p.name}: type ${p.type} is not one of ${[...PROPERTY_TYPES].join(', ')}`,
        );
      names.add(p.name);
    }
    for (const r of [
      ...input.requiredProperties,
      ...(input.primaryDisplayProperty ? [input.primaryDisplayProperty] : []),
    ])
      if (!names.has(r)) throw new SandboxValidationError(`${r} is required or displayed but not defined`);
    const n = this.schemas.size + 1;
    const at = this.now();
    const schema: CustomSchema = {
      ...structuredClone(input),
      id: String(100 + n),
      objectTypeId: `2-${1000 + n}`,
      fullyQualifiedName: `p${this.portalId}_${input.name}`,
      createdAt: at,
      updatedAt: at,
    };
    this.schemas.set(input.name, schema);
    this.records.set(schema.objectTypeId, new Map());
    return schema;
  }

  /** objectTypeId (`2-…`), fully qualified name (`p<portal>_name`) or `p_name`, as HubSpot accepts them. */
  resolve(objectType: string): CustomSchema | null {
    for (const s of this.schemas.values())
      if (s.objectTypeId === objectType || s.fullyQualifiedName === objectType || `p_${s.name}` === objectType)
        return s;
    return null;
  }

  /** Creates or updates each input by its unique property; all inputs are checked before anything changes. */
  upsert(schema: CustomSchema, inputs: readonly UpsertInput[]): Array<{ object: SandboxObject; created: boolean }> {
    const records = this.records.get(schema.objectTypeId)!;
    const defs = new Map(schema.properties.map((p) => [p.name, p]));
    const seen = new Set<string>();
    for (const input of inputs) {
      const key = defs.get(input.idProperty);
      if (!key?.hasUniqueValue)
        throw new SandboxValidationError(`${input.idProperty} is not a unique property of ${schema.name}`);
      if (seen.has(`${input.idProperty}\u0000${input.id}`))
        throw new SandboxValidationError(`Duplicate IDs found in batch input: [${input.id}]. IDs must be unique`);
      seen.add(`${input.idProperty}\u0000${input.id}`);
      for (const [name, value] of Object.entries(input.properties)) {
        const def = defs.get(name);
        if (!def) throw new SandboxValidationError(`Property "${name}" does not exist`, 'VALIDATION_ERROR');
        if (def.type === 'number' && value !== '' && !/^-?\d+(\.\d+)?$/.test(value))
          throw new SandboxValidationError(`${value} was not a valid number for property ${name}`);
      }
    }
    const at = this.now();
    return inputs.map((input) => {
      const existing = this.findBy(schema, input.idProperty, input.id);
      if (existing) {
        Object.assign(existing.properties, input.properties, { hs_lastmodifieddate: new Date(at).toISOString() });
        existing.updatedAt = at;
        return { object: existing, created: false };
      }
      const id = String(900_000_000 + ++this.nextId);
      const object: SandboxObject = {
        id,
        properties: {
          ...input.properties,
          [input.idProperty]: input.id,
          hs_object_id: id,
          hs_createdate: new Date(at).toISOString(),
          hs_lastmodifieddate: new Date(at).toISOString(),
        },
        createdAt: at,
        updatedAt: at,
      };
      records.set(id, object);
      return { object, created: true };
    });
  }

  findBy(schema: CustomSchema, idProperty: string | undefined, id: string): SandboxObject | null {
    const records = this.records.get(schema.objectTypeId)!;
    if (!idProperty || idProperty === 'hs_object_id') return records.get(id) ?? null;
    for (const o of records.values()) if (o.properties[idProperty] === id) return o;
    return null;
  }
}
