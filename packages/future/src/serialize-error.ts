/**
 * Errors that cross a thread or process boundary. Structured clone keeps little of an error
 * (built-in class and message; not `code`, own properties or, on Node 20, `cause`), so pools send
 * a {@link SerializedError} instead and rebuild the error on the other side.
 *
 * @module
 */

const builtins = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
} as const
type BuiltinName = keyof typeof builtins

/**
 * An error (or any thrown value) as plain, structured-clone-safe data.
 *
 * @since 0.1.0
 */
export type SerializedError =
  | {
      /** An `Error` (or subclass) instance. */
      readonly $error: 'error'
      /** The built-in class to rebuild (`TypeError`, ...); `Error` for user-defined classes. */
      readonly builtin: BuiltinName
      /** The error's `name` (a subclass's name is kept even though the class is not). */
      readonly name: string
      /** The error's `message`. */
      readonly message: string
      /** The error's `stack`, as it was where it was thrown. */
      readonly stack: string | undefined
      /** Own enumerable properties (`code`, `errno`, `report`, ...), made clone-safe. */
      readonly props: Record<string, unknown>
      /** Its `cause`, serialized the same way (up to 16 levels). */
      readonly cause?: SerializedError
      /** An `AggregateError`'s `errors`, serialized the same way. */
      readonly errors?: readonly SerializedError[]
    }
  | {
      /** A thrown value that is not an `Error` (`throw 0`). */
      readonly $error: 'value'
      /** The value, as thrown (made clone-safe). */
      readonly value: unknown
    }

const MAX_CAUSE_DEPTH = 16

/**
 * Turns any thrown value into data that survives structured clone and Node's `advanced`
 * serialization. Keeps the built-in class, `name`, `message`, `stack`, `code` and other own
 * properties, the `cause` chain and an `AggregateError`'s `errors`. Non-error values (`throw 0`)
 * are kept as they are. Property values that cannot be cloned become their string form.
 *
 * @since 0.1.0
 */
export function serializeError(error: unknown): SerializedError {
  return serialize(error, 0, new Set())
}

function serialize(error: unknown, depth: number, seen: Set<unknown>): SerializedError {
  if (!(error instanceof Error) || depth > MAX_CAUSE_DEPTH || seen.has(error)) {
    return { $error: 'value', value: cloneSafe(error instanceof Error ? `[circular ${error.name}]` : error) }
  }
  seen.add(error)
  const props: Record<string, unknown> = {}
  for (const key of Object.keys(error)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message') continue
    props[key] = cloneSafe((error as unknown as Record<string, unknown>)[key])
  }
  // `code` is often an own non-enumerable or a getter; keep it when it is a primitive.
  const code = (error as { code?: unknown }).code
  if (!('code' in props) && (typeof code === 'string' || typeof code === 'number')) props.code = code
  const serialized: {
    $error: 'error'
    builtin: BuiltinName
    name: string
    message: string
    stack: string | undefined
    props: Record<string, unknown>
    cause?: SerializedError
    errors?: SerializedError[]
  } = {
    $error: 'error',
    builtin: builtinOf(error),
    name: typeof error.name === 'string' ? error.name : 'Error',
    message: typeof error.message === 'string' ? error.message : String(error.message),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    props,
  }
  if ('cause' in error) serialized.cause = serialize(error.cause, depth + 1, seen)
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    serialized.errors = error.errors.map((e: unknown) => serialize(e, depth + 1, seen))
  }
  return serialized
}

function builtinOf(error: Error): BuiltinName {
  let proto: unknown = Object.getPrototypeOf(error)
  while (proto !== null && proto !== undefined) {
    const ctor = (proto as { constructor?: unknown }).constructor
    for (const [name, builtin] of Object.entries(builtins)) {
      if (ctor === builtin) return name as BuiltinName
    }
    proto = Object.getPrototypeOf(proto)
  }
  return 'Error'
}

function cloneSafe(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) {
    return value
  }
  if (typeof value === 'symbol' || typeof value === 'function') return String(value)
  try {
    return structuredClone(value)
  } catch {
    try {
      return JSON.parse(JSON.stringify(value)) as unknown
    } catch {
      return Object.prototype.toString.call(value)
    }
  }
}

/**
 * Rebuilds what {@link serializeError} made: an instance of the same built-in class with the
 * same `name`, `message`, properties and `cause` chain, whose `stack` is the remote one (where it
 * was thrown inside the worker). A non-error value comes back as it was.
 *
 * @since 0.1.0
 */
export function deserializeError(data: SerializedError): unknown {
  if (typeof data !== 'object' || (data as { $error?: unknown }).$error === undefined) return data
  if (data.$error === 'value') return data.value
  const Builtin = builtins[data.builtin] as ErrorConstructor | undefined
  const error: Error =
    data.builtin === 'AggregateError'
      ? new AggregateError((data.errors ?? []).map(deserializeError), data.message)
      : new (Builtin ?? Error)(data.message)
  if (data.name !== error.name) {
    Object.defineProperty(error, 'name', { value: data.name, configurable: true, writable: true, enumerable: false })
  }
  for (const [key, value] of Object.entries(data.props)) {
    if (key === 'name') continue
    ;(error as unknown as Record<string, unknown>)[key] = value
  }
  if (data.cause !== undefined) {
    Object.defineProperty(error, 'cause', {
      value: deserializeError(data.cause),
      configurable: true,
      writable: true,
      enumerable: false,
    })
  }
  if (data.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: data.stack, configurable: true, writable: true, enumerable: false })
  }
  return error
}

/**
 * `true` for data made by {@link serializeError}.
 *
 * @since 0.1.0
 */
export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false
  const tag = (value as { $error?: unknown }).$error
  return tag === 'error' || tag === 'value'
}
