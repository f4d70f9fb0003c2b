/**
 * {@link isFuture}: recognizes a {@link Future}, also one made by another copy of this package.
 *
 * @module
 */
import { futureBrand, hasBrand } from './brands.js'
import { Future } from './future.js'

/**
 * `true` for a {@link Future} of any copy of this package.
 *
 * @since 0.1.0
 */
export function isFuture(value: unknown): value is Future {
  return value instanceof Future || hasBrand(value, futureBrand)
}
