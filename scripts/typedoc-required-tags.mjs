// A TypeDoc plugin: every exported declaration of a package must carry the block tags its
// typedoc.json lists in `requiredTags` (e.g. ["@since", "@throws"]); a missing one is a warning,
// which `pnpm docs` treats as an error. Functions and methods may carry the tag on their signature.
//
// `@throws` is special: it is required only where a call throws, that is on a function, method,
// constructor or accessor whose own body has a `throw` statement (not one inside a nested
// function or class, which throws when that runs, not when this is called). A `throw` inside an
// async function rejects its promise; it is documented with `@throws` as well ("the promise
// rejects"). Throws that come from a helper the body calls are not seen: document those by hand.
import ts from 'typescript';
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
/** Signatures a caller runs: they may throw. */
const SIGNATURE_KINDS = [
  ReflectionKind.CallSignature,
  ReflectionKind.ConstructorSignature,
  ReflectionKind.GetSignature,
  ReflectionKind.SetSignature,
];

/**
 * @param {ts.Node} node
 * @returns {boolean} whether `node` is a function or class (its body runs later, not now)
 */
function startsNewScope(node) {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}

/**
 * @param {ts.Node} body
 * @returns {boolean} whether `body` has a `throw` statement of its own
 */
export function throwsDirectly(body) {
  let found = false;
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (found || startsNewScope(node)) return;
    if (ts.isThrowStatement(node)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/**
 * The body that runs for a signature: its own, or (for an overload or an ambient declaration
 * next to an implementation) the implementation's.
 * @param {ts.Node} node a signature declaration
 * @returns {ts.Node | undefined}
 */
function implementationBody(node) {
  if ('body' in node && node.body !== undefined) return /** @type {ts.Node} */ (node.body);
  const parent = node.parent;
  const siblings = ts.isSourceFile(parent) || ts.isModuleBlock(parent) ? parent.statements : ts.isClassLike(parent) ? parent.members : [];
  const name = ts.getNameOfDeclaration(/** @type {ts.Declaration} */ (node))?.getText();
  for (const sibling of siblings) {
    if (sibling.kind !== node.kind || !('body' in sibling) || sibling.body === undefined) continue;
    if (ts.getNameOfDeclaration(/** @type {ts.Declaration} */ (sibling))?.getText() === name) {
      return /** @type {ts.Node} */ (sibling.body);
    }
  }
  return undefined;
}

/**
 * @param {import('typedoc').Reflection} reflection
 * @returns {boolean} whether it is an export or a member of an export (not a local type's member)
 */
function isPublicApi(reflection) {
  for (let r = reflection.parent; r !== undefined; r = r.parent) {
    if (r.kindOf(CONTAINERS)) return true;
    if (r.kindOf(ReflectionKind.TypeLiteral)) return false;
  }
  return false;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'requiredTags',
    help: 'Block tags (e.g. @since) every export must carry; @throws only where a call throws.',
    type: ParameterType.Array,
    defaultValue: [],
  });
  /** Signatures whose code has a `throw` of its own. */
  const throwing = new WeakSet();
  app.converter.on(Converter.EVENT_CREATE_SIGNATURE, (_context, signature, node) => {
    const body = node === undefined ? undefined : implementationBody(node);
    if (body !== undefined && throwsDirectly(body)) throwing.add(signature);
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const required = /** @type {string[]} */ (app.options.getValue('requiredTags'));
    const { project } = context;
    for (const tag of required.filter((t) => t !== '@throws')) {
      for (const reflection of EXPORT_KINDS.flatMap((kind) => project.getReflectionsByKind(kind))) {
        if (!reflection.parent?.kindOf(CONTAINERS)) continue;
        const comments = [
          reflection.comment,
          ...('signatures' in reflection && Array.isArray(reflection.signatures)
            ? reflection.signatures.map((/** @type {import('typedoc').SignatureReflection} */ s) => s.comment)
            : []),
        ];
        if (!comments.some((c) => c?.getTag(/** @type {`@${string}`} */ (tag)) !== undefined)) {
          app.logger.warn(`${reflection.getFriendlyFullName()} has no ${tag} tag (requiredTags in its package's typedoc.json)`);
        }
      }
    }
    if (!required.includes('@throws')) return;
    for (const signature of SIGNATURE_KINDS.flatMap((kind) => project.getReflectionsByKind(kind))) {
      if (!throwing.has(signature) || !isPublicApi(signature)) continue;
      const owner = signature.parent;
      if ([signature.comment, owner?.comment].some((c) => c?.getTag('@throws') !== undefined)) continue;
      const what = owner === undefined ? signature.name : owner.getFriendlyFullName();
      app.logger.warn(
        `${what} throws (its code has a \`throw\`) but has no @throws tag saying what and when (requiredTags in its package's typedoc.json)`,
      );
    }
  });
}
