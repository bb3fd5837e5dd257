import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/perflab.config.schema.json';
import { LATENCY_STATS, templatesFor } from './metrics';
import { PRESET_NAMES } from './presets';
import { KIND_TYPES } from '../../runners/registry';

interface Node {
  $ref?: string;
  description?: string;
  markdownDescription?: string;
  properties?: Record<string, Node>;
  items?: Node;
  enum?: unknown[];
  [k: string]: unknown;
}
const root = schema as unknown as Node & { definitions: Record<string, Node> };
const def = (name: string) => root.definitions[name]!;

describe('perflab.config.schema.json', () => {
  it('is draft-07 and strict at every object', () => {
    expect(root.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(root.additionalProperties).toBe(false);
    for (const name of [...KIND_TYPES.map((t) => `${t}Profile`), 'phase', 'scenario', 'target']) {
      expect(def(name).additionalProperties, name).toBe(false);
    }
  });

  it('describes every property, for hovers in the editor', () => {
    const missing: string[] = [];
    const visit = (node: Node, at: string) => {
      for (const [key, prop] of Object.entries(node.properties ?? {})) {
        const target = prop.$ref ? def(prop.$ref.replace('#/definitions/', '')) : prop;
        if (!(prop.markdownDescription ?? target.markdownDescription) || !(prop.description ?? target.description)) missing.push(`${at}.${key}`);
        visit(prop, `${at}.${key}`);
        if (prop.items && !prop.items.$ref) visit(prop.items, `${at}.${key}[]`);
      }
    };
    visit(root, '');
    for (const [name, node] of Object.entries(root.definitions)) visit(node, `#${name}`);
    expect(missing).toEqual([]);
  });

  it('offers completion for exactly the fixed metric names of each profile type', () => {
    for (const type of KIND_TYPES) {
      const listed = Object.keys(def(`${type}Profile`).properties!.thresholds!.properties ?? {}).sort();
      const fixed = templatesFor(type).flatMap((t) => {
        if (/<(scenario|phase|operation)>/.test(t.pattern)) return [];
        return t.pattern.includes('<stat>') ? LATENCY_STATS.map((s) => t.pattern.replace('<stat>', s)) : [t.pattern];
      }).sort();
      expect(listed, type).toEqual(fixed);
    }
  });

  it('lists the same presets as the code', () => {
    expect(def('httpProfile').properties!.preset!.enum).toEqual(PRESET_NAMES);
  });
});
