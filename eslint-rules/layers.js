// local/layers: which folders of src/ a file may import, resolved by path (import-paths.js).
// Options: { root: 'src', layers: { <layer>: { may?: [...], mayNot?: [...], packages?: [...] } },
// outside?: [...] }. For a file in <layer>:
//   may       the only layers it may import (its own included only when listed);
//   mayNot    layers it must never import;
//   packages  when given, the only packages (bare specifiers) it may import;
//   outside   folders outside root (relative to cwd, e.g. 'test/support') a file may import;
//             anything else outside root is refused for a layer with `may`.
// Type-only imports count: a type from a layer is a dependency on it.
import path from 'node:path';
import { display, IMPORT_NODES, isRelative, layerOf, packageOf, specifierOf } from './import-paths.js';

const list = (names) => names.map((n) => `src/${n}`).join(', ');

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Keep imports between the layers of src/ in the allowed directions' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          outside: { type: 'array', items: { type: 'string' } },
          layers: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              properties: {
                may: { type: 'array', items: { type: 'string' } },
                mayNot: { type: 'array', items: { type: 'string' } },
                packages: { type: 'array', items: { type: 'string' } },
              },
              additionalProperties: false,
            },
          },
        },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      notMay: 'src/{{layer}} may import only {{allowed}}; this import reaches {{target}}',
      mayNot: 'src/{{layer}} must never import src/{{other}}; this import reaches {{target}}',
      outside: 'src/{{layer}} may import only {{allowed}}; this import reaches {{target}}, outside src/',
      packageNot: "src/{{layer}} may use only these packages: {{packages}} ('{{name}}' is not one of them)",
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const cwd = context.cwd;
    const root = path.resolve(cwd, options.root ?? 'src');
    const file = context.filename;
    const layer = layerOf(file, root);
    const rules = layer === null ? undefined : options.layers[layer];
    if (!rules) return {};
    const outside = (options.outside ?? []).map((o) => path.resolve(cwd, o));
    const check = (node) => {
      const specifier = specifierOf(node);
      if (specifier === null) return;
      if (!isRelative(specifier)) {
        const name = packageOf(specifier);
        if (rules.packages && !rules.packages.includes(name)) {
          context.report({ node, messageId: 'packageNot', data: { layer, name, packages: rules.packages.join(', ') } });
        }
        return;
      }
      const targetFile = path.resolve(path.dirname(file), specifier);
      const target = display(targetFile, cwd);
      const other = layerOf(targetFile, root);
      if (other === null) {
        const inside = (dir) => !path.relative(dir, targetFile).startsWith('..');
        if (rules.may && !outside.some(inside)) {
          context.report({ node, messageId: 'outside', data: { layer, allowed: list(rules.may), target } });
        }
      } else if (rules.may && !rules.may.includes(other)) {
        context.report({ node, messageId: 'notMay', data: { layer, allowed: list(rules.may), target } });
      } else if (rules.mayNot?.includes(other)) {
        context.report({ node, messageId: 'mayNot', data: { layer, other, target } });
      }
    };
    return Object.fromEntries(IMPORT_NODES.map((type) => [type, check]));
  },
};
