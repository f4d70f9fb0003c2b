// A TypeDoc plugin: every exported declaration of a package must carry the block tags its
// typedoc.json lists in `requiredTags` (e.g. ["@since"]); a missing one is a warning, which
// `pnpm docs` treats as an error. Functions and methods may carry the tag on their signature.
import { Converter, ParameterType, ReflectionKind } from 'typedoc';

/** Kinds that are exports of an entry point (not their members). */
const EXPORT_KINDS = [
  ReflectionKind.Class,
  ReflectionKind.Interface,
  ReflectionKind.TypeAlias,
  ReflectionKind.Function,
  ReflectionKind.Variable,
  ReflectionKind.Enum,
  ReflectionKind.Namespace,
];
/** Where an export lives: directly in a project or module. */
const CONTAINERS = [ReflectionKind.Project, ReflectionKind.Module];

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'requiredTags',
    help: 'Block tags (e.g. @since) every export must carry.',
    type: ParameterType.Array,
    defaultValue: [],
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const required = /** @type {string[]} */ (app.options.getValue('requiredTags'));
    if (required.length === 0) return;
    for (const reflection of EXPORT_KINDS.flatMap((kind) => context.project.getReflectionsByKind(kind))) {
      if (!reflection.parent?.kindOf(CONTAINERS)) continue;
      const comments = [
        reflection.comment,
        ...('signatures' in reflection && Array.isArray(reflection.signatures)
          ? reflection.signatures.map((/** @type {import('typedoc').SignatureReflection} */ s) => s.comment)
          : []),
      ];
      for (const tag of required) {
        if (!comments.some((c) => c?.getTag(/** @type {`@${string}`} */ (tag)) !== undefined)) {
          app.logger.warn(`${reflection.getFriendlyFullName()} has no ${tag} tag (requiredTags in its package's typedoc.json)`);
        }
      }
    }
  });
}
